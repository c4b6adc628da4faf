//! Error reporting shared by every stage: a problem names the shape, the member (if
//! any) and the reason, and stages collect all problems before giving up.

use std::fmt;

/// One problem found in a model.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// The shape id, or the file name for problems that concern a whole file.
    pub subject: String,
    /// The member name, when the problem is in one member.
    pub member: Option<String>,
    pub kind: Kind,
    /// Line and column in the file, for problems found while reading a
    /// file; reports list a file's problems in this order.
    pub position: Option<(usize, usize)>,
    pub reason: String,
}

/// Whether the model is wrong, the generator cannot handle it yet, or the
/// generator only reports what it decided (a rename, a left-out operation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Invalid,
    Unsupported,
    Note,
}

impl Diagnostic {
    pub fn model(file: &str, reason: impl Into<String>) -> Self {
        Self {
            subject: file.to_string(),
            member: None,
            kind: Kind::Invalid,
            position: None,
            reason: reason.into(),
        }
    }
    pub fn shape(id: &str, reason: impl Into<String>) -> Self {
        Self {
            subject: id.to_string(),
            member: None,
            kind: Kind::Invalid,
            position: None,
            reason: reason.into(),
        }
    }
    pub fn member(id: &str, member: &str, reason: impl Into<String>) -> Self {
        Self {
            subject: id.to_string(),
            member: Some(member.to_string()),
            kind: Kind::Invalid,
            position: None,
            reason: reason.into(),
        }
    }
    /// Records where in its file the problem is.
    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.position = Some((line, column));
        self
    }
    /// Marks the problem as a feature the generator does not support yet.
    pub fn unsupported(mut self) -> Self {
        self.kind = Kind::Unsupported;
        self
    }
    /// Marks the message as a note: information, not a problem.
    pub fn note(mut self) -> Self {
        self.kind = Kind::Note;
        self
    }
    pub fn at_member(id: &str, member: Option<&str>, reason: impl Into<String>) -> Self {
        Self {
            subject: id.to_string(),
            member: member.map(str::to_string),
            kind: Kind::Invalid,
            position: None,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.kind {
            Kind::Invalid => "error",
            Kind::Unsupported => "unsupported",
            Kind::Note => "note",
        };
        match &self.member {
            Some(m) => write!(f, "{label}: {}${m}: {}", self.subject, self.reason),
            None => write!(f, "{label}: {}: {}", self.subject, self.reason),
        }
    }
}

/// Every problem found, sorted and without duplicates when displayed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }
    /// Returns `value` when nothing was reported, else the sorted report.
    pub fn into_result<T>(self, value: T) -> Result<T, Diagnostics> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self.sorted())
        }
    }

    /// The report sorted by shape and member, without repeats.
    pub fn sorted(mut self) -> Self {
        self.0.sort();
        self.0.dedup();
        self
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let invalid = self.0.iter().filter(|d| d.kind == Kind::Invalid).count();
        let unsupported = self
            .0
            .iter()
            .filter(|d| d.kind == Kind::Unsupported)
            .count();
        writeln!(
            f,
            "the model has {invalid} error(s) and uses {unsupported} unsupported feature(s):"
        )?;
        for d in &self.0 {
            writeln!(f, "  {d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}
