//! Runtime stage: constraint checking for generated validators.
//!
//! Generated `validate_into` methods walk a value, keep the JSON-pointer-like
//! path of the member being checked (`/FormatConfig/JPEGQuality`, `/Tags/2`) in a
//! [`Path`], and call the checks here, which word each violation exactly as
//! Smithy's own validation messages do.

use std::fmt;
use std::sync::OnceLock;

/// A value that can check the constraint traits of its shape.
pub trait Validate {
    /// Checks every constraint and returns every violation found.
    fn validate(&self) -> Result<(), ValidationError> {
        let mut path = Path::default();
        let mut violations = Vec::new();
        self.validate_into(&mut path, &mut violations);
        if violations.is_empty() {
            Ok(())
        } else {
            Err(ValidationError { violations })
        }
    }

    /// Appends the violations of this value, found under `path`, to `out`.
    fn validate_into(&self, path: &mut Path, out: &mut Vec<Violation>);
}

impl<T: Validate + ?Sized> Validate for Box<T> {
    fn validate_into(&self, path: &mut Path, out: &mut Vec<Violation>) {
        (**self).validate_into(path, out)
    }
}

/// The location of the value being checked, as `/Member/0/Key`.
#[derive(Debug, Default, Clone)]
pub struct Path(String);

impl Path {
    /// Descends into a member or map key; returns the mark to [`Path::pop`] to.
    pub fn push(&mut self, segment: &str) -> usize {
        let mark = self.0.len();
        self.0.push('/');
        self.0.push_str(segment);
        mark
    }

    /// Descends into a list element.
    pub fn push_index(&mut self, index: usize) -> usize {
        use std::fmt::Write as _;
        let mark = self.0.len();
        let _ = write!(self.0, "/{index}");
        mark
    }

    /// Returns to a mark from `push`.
    pub fn pop(&mut self, mark: usize) {
        self.0.truncate(mark);
    }

    /// The path as text (`/` for the root).
    pub fn as_str(&self) -> &str {
        if self.0.is_empty() {
            "/"
        } else {
            &self.0
        }
    }
}

/// Which constraint a violation broke.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Constraint {
    /// `@required`.
    Required,
    /// `@length`.
    Length,
    /// `@range`.
    Range,
    /// `@pattern`.
    Pattern,
    /// Enum or intEnum membership.
    Enum,
    /// `@uniqueItems`.
    UniqueItems,
}

/// One broken constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Where (`/FormatConfig/JPEGQuality`).
    pub path: String,
    /// Which constraint.
    pub constraint: Constraint,
    /// The message, in Smithy's wording.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Every constraint a value broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// In the order the members were checked.
    pub violations: Vec<Violation>,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.violations.len();
        write!(
            f,
            "{n} validation error{} detected.",
            if n == 1 { "" } else { "s" }
        )?;
        for v in &self.violations {
            write!(f, " {}", v.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationError {}

fn violation(path: &Path, constraint: Constraint, message: String) -> Violation {
    Violation {
        path: path.as_str().to_string(),
        constraint,
        message,
    }
}

/// A required member is absent.
pub fn required(path: &Path, out: &mut Vec<Violation>) {
    let message = format!(
        "Value at '{}' failed to satisfy constraint: Member must not be null",
        path.as_str()
    );
    out.push(violation(path, Constraint::Required, message));
}

fn bounds_text(min: Option<&str>, max: Option<&str>) -> String {
    match (min, max) {
        (Some(min), Some(max)) => format!("between {min} and {max}, inclusive"),
        (Some(min), None) => format!("greater than or equal to {min}"),
        (None, Some(max)) => format!("less than or equal to {max}"),
        (None, None) => "unconstrained".to_string(),
    }
}

/// `@length`: `len` is in Unicode scalar values for strings, bytes for blobs,
/// entries for lists and maps. Bounds come as numbers and as model text.
pub fn length(
    path: &Path,
    out: &mut Vec<Violation>,
    len: usize,
    min: Option<(usize, &str)>,
    max: Option<(usize, &str)>,
) {
    let too_short = min.is_some_and(|(m, _)| len < m);
    let too_long = max.is_some_and(|(m, _)| len > m);
    if too_short || too_long {
        let message = format!(
            "Value with length {len} at '{}' failed to satisfy constraint: Member must have length {}",
            path.as_str(),
            bounds_text(min.map(|b| b.1), max.map(|b| b.1))
        );
        out.push(violation(path, Constraint::Length, message));
    }
}

fn range_violation(path: &Path, out: &mut Vec<Violation>, min: Option<&str>, max: Option<&str>) {
    let message = format!(
        "Value at '{}' failed to satisfy constraint: Member must be {}",
        path.as_str(),
        bounds_text(min, max)
    );
    out.push(violation(path, Constraint::Range, message));
}

/// `@range` on an integer type. Fractional bounds were rounded inward by the
/// generator (`min: 1.5` checks `>= 2`); the message shows them as modelled.
pub fn range_int(
    path: &Path,
    out: &mut Vec<Violation>,
    value: i64,
    min: Option<(i64, &str)>,
    max: Option<(i64, &str)>,
) {
    if min.is_some_and(|(m, _)| value < m) || max.is_some_and(|(m, _)| value > m) {
        range_violation(path, out, min.map(|b| b.1), max.map(|b| b.1));
    }
}

/// `@range` on a float or big number. NaN is outside every range.
pub fn range_float(
    path: &Path,
    out: &mut Vec<Violation>,
    value: f64,
    min: Option<(f64, &str)>,
    max: Option<(f64, &str)>,
) {
    let outside = value.is_nan()
        || min.is_some_and(|(m, _)| value < m)
        || max.is_some_and(|(m, _)| value > m);
    if outside {
        range_violation(path, out, min.map(|b| b.1), max.map(|b| b.1));
    }
}

/// A `@pattern`, compiled by the ECMA-262 engine on first use and shared by
/// every member that uses it.
pub struct Pattern {
    source: &'static str,
    ecma: &'static str,
    compiled: OnceLock<Result<regress::Regex, String>>,
}

impl Pattern {
    /// `source` is the pattern as the model wrote it (for messages); `ecma` is
    /// the same expression in strict Unicode-mode ECMA-262 syntax, as the
    /// generator wrote and checked it.
    pub const fn new(source: &'static str, ecma: &'static str) -> Self {
        Pattern {
            source,
            ecma,
            compiled: OnceLock::new(),
        }
    }

    /// The pattern as the model wrote it.
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// Whether the pattern matches anywhere in `value` (it is not anchored
    /// unless it says `^…$`), or why it could not be compiled.
    pub fn is_match(&self, value: &str) -> Result<bool, &str> {
        let compiled = self
            .compiled
            .get_or_init(|| regress::Regex::with_flags(self.ecma, "u").map_err(|e| e.to_string()));
        match compiled {
            Ok(re) => Ok(re.find(value).is_some()),
            Err(e) => Err(e),
        }
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pattern").field(&self.source).finish()
    }
}

/// `@pattern`. A pattern the engine cannot compile (the generator checked
/// it with the same engine, so only a different engine version could cause
/// this) is reported as a violation that says so, rather than passing silently.
pub fn pattern(path: &Path, out: &mut Vec<Violation>, value: &str, pattern: &Pattern) {
    let message = match pattern.is_match(value) {
        Ok(true) => return,
        Ok(false) => format!(
            "Value at '{}' failed to satisfy constraint: Member must satisfy regular expression pattern: {}",
            path.as_str(),
            pattern.source
        ),
        Err(e) => format!(
            "Value at '{}' could not be checked against regular expression pattern {}: {e}",
            path.as_str(),
            pattern.source
        ),
    };
    out.push(violation(path, Constraint::Pattern, message));
}

/// A value outside an enum's (or intEnum's) set.
pub fn enum_value(path: &Path, out: &mut Vec<Violation>, allowed: &[&str]) {
    let message = format!(
        "Value at '{}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
        path.as_str(),
        allowed.join(", ")
    );
    out.push(violation(path, Constraint::Enum, message));
}

/// `@uniqueItems`.
pub fn unique<T: PartialEq>(path: &Path, out: &mut Vec<Violation>, items: &[T]) {
    let repeated = items
        .iter()
        .enumerate()
        .any(|(i, a)| items[i + 1..].contains(a));
    if repeated {
        let message = format!(
            "Value at '{}' failed to satisfy constraint: Member must have unique values",
            path.as_str()
        );
        out.push(violation(path, Constraint::UniqueItems, message));
    }
}
