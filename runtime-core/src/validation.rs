//! Runtime stage: constraint checking for generated validators.
//!
//! Generated `validate_into` methods walk a value and call the checks of a
//! [`Context`], which keeps the JSON-pointer-like path of the member being
//! checked (`/FormatConfig/JPEGQuality`, `/Tags/2`), the [`Validation`] level,
//! and the violations found, each worded exactly as Smithy's own validation
//! messages are.

use std::fmt;
use std::sync::OnceLock;

/// How much a client checks before sending a request.
///
/// The Smithy specification says clients should not enforce constraints a
/// service may relax later: when EC2 lengthened its resource ids, clients that
/// checked `@length` maxima broke while the service accepted the new ids. So
/// the default checks only what botocore has checked for years, which no
/// service change can break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Validation {
    /// Required members, and the lower bounds of `@length` and `@range`: the
    /// default. Values an enum does not list, patterns, maxima and
    /// `@uniqueItems` are left to the service.
    #[default]
    Standard,
    /// Every constraint of the model, as [`Validate::validate`] checks them.
    Strict,
    /// Nothing: the service does all checking.
    Off,
}

/// A value that can check the constraint traits of its shape.
pub trait Validate {
    /// Checks every constraint ([`Validation::Strict`]) and returns every violation found.
    fn validate(&self) -> Result<(), ValidationError> {
        self.validate_with(Validation::Strict)
    }

    /// Checks the constraints `level` covers and returns every violation found.
    fn validate_with(&self, level: Validation) -> Result<(), ValidationError> {
        if level == Validation::Off {
            return Ok(());
        }
        let mut cx = Context::new(level);
        self.validate_into(&mut cx);
        cx.finish()
    }

    /// Adds the violations of this value to `cx`, under its current path.
    fn validate_into(&self, cx: &mut Context);
}

impl<T: Validate + ?Sized> Validate for Box<T> {
    fn validate_into(&self, cx: &mut Context) {
        (**self).validate_into(cx)
    }
}

/// One validation run: the level, where it is in the value (`/Member/0/Key`),
/// and what it found.
#[derive(Debug, Clone)]
pub struct Context {
    level: Validation,
    path: PathText,
    violations: Vec<Violation>,
}

/// The path of a [`Context`]: inline while it is short, as it nearly always
/// is, so checking a valid input allocates nothing.
#[derive(Debug, Clone)]
enum PathText {
    Inline(arrayvec::ArrayString<96>),
    Heap(String),
}

impl PathText {
    #[inline]
    fn len(&self) -> usize {
        self.as_str().len()
    }

    #[inline]
    fn as_str(&self) -> &str {
        match self {
            PathText::Inline(s) => s,
            PathText::Heap(s) => s,
        }
    }

    #[inline]
    fn push(&mut self, parts: &[&str]) {
        if let PathText::Inline(inline) = self {
            let len = inline.len();
            if parts.iter().all(|part| inline.try_push_str(part).is_ok()) {
                return;
            }
            inline.truncate(len);
            *self = PathText::Heap(inline.to_string());
        }
        if let PathText::Heap(heap) = self {
            parts.iter().for_each(|part| heap.push_str(part));
        }
    }

    #[inline]
    fn truncate(&mut self, len: usize) {
        match self {
            PathText::Inline(s) => s.truncate(len),
            PathText::Heap(s) => s.truncate(len),
        }
    }
}

impl Context {
    /// A run at `level`, at the root of a value.
    pub fn new(level: Validation) -> Self {
        Context {
            level,
            path: PathText::Inline(arrayvec::ArrayString::new()),
            violations: Vec::new(),
        }
    }

    /// Every violation found, or `Ok`.
    pub fn finish(self) -> Result<(), ValidationError> {
        if self.violations.is_empty() {
            Ok(())
        } else {
            Err(ValidationError {
                violations: self.violations,
            })
        }
    }

    /// The violations found so far.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    #[inline]
    fn strict(&self) -> bool {
        self.level == Validation::Strict
    }

    /// Descends into a member or map key; returns the mark to [`leave`](Self::leave) to.
    #[inline]
    pub fn enter(&mut self, segment: &str) -> usize {
        let mark = self.path.len();
        self.path.push(&["/", segment]);
        mark
    }

    /// Descends into a list element.
    pub fn enter_index(&mut self, index: usize) -> usize {
        let mark = self.path.len();
        self.path.push(&["/", itoa::Buffer::new().format(index)]);
        mark
    }

    /// Returns to a mark from `enter`.
    #[inline]
    pub fn leave(&mut self, mark: usize) {
        self.path.truncate(mark);
    }

    /// The current path as text (`/` for the root).
    pub fn path(&self) -> &str {
        match self.path.as_str() {
            "" => "/",
            path => path,
        }
    }

    fn push(&mut self, constraint: Constraint, message: String) {
        self.violations.push(Violation {
            path: self.path().to_string(),
            constraint,
            message,
        });
    }

    /// A required member is absent.
    pub fn required(&mut self) {
        let message = format!(
            "Value at '{}' failed to satisfy constraint: Member must not be null",
            self.path()
        );
        self.push(Constraint::Required, message);
    }

    /// `@length`: `len` is in Unicode scalar values for strings, bytes for
    /// blobs, entries for lists and maps. Bounds come as numbers and as model
    /// text. Below [`Validation::Strict`] only the minimum is checked.
    #[inline]
    pub fn length(&mut self, len: usize, min: Option<(usize, &str)>, max: Option<(usize, &str)>) {
        let too_short = min.is_some_and(|(m, _)| len < m);
        let too_long = self.strict() && max.is_some_and(|(m, _)| len > m);
        if too_short || too_long {
            self.length_violation(len, min, max);
        }
    }

    #[cold]
    fn length_violation(
        &mut self,
        len: usize,
        min: Option<(usize, &str)>,
        max: Option<(usize, &str)>,
    ) {
        let message = format!(
            "Value with length {len} at '{}' failed to satisfy constraint: Member must have length {}",
            self.path(),
            bounds_text(min.map(|b| b.1), max.map(|b| b.1))
        );
        self.push(Constraint::Length, message);
    }

    fn range_violation(&mut self, min: Option<&str>, max: Option<&str>) {
        let message = format!(
            "Value at '{}' failed to satisfy constraint: Member must be {}",
            self.path(),
            bounds_text(min, max)
        );
        self.push(Constraint::Range, message);
    }

    /// `@range` on an integer type. Fractional bounds were rounded inward by
    /// the generator (`min: 1.5` checks `>= 2`); the message shows them as
    /// modelled. Below [`Validation::Strict`] only the minimum is checked.
    pub fn range_int(&mut self, value: i64, min: Option<(i64, &str)>, max: Option<(i64, &str)>) {
        let below = min.is_some_and(|(m, _)| value < m);
        let above = self.strict() && max.is_some_and(|(m, _)| value > m);
        if below || above {
            self.range_violation(min.map(|b| b.1), max.map(|b| b.1));
        }
    }

    /// `@range` on a float or big number. NaN is outside every range.
    pub fn range_float(&mut self, value: f64, min: Option<(f64, &str)>, max: Option<(f64, &str)>) {
        let below = value.is_nan() || min.is_some_and(|(m, _)| value < m);
        let above = self.strict() && max.is_some_and(|(m, _)| value > m);
        if below || above {
            self.range_violation(min.map(|b| b.1), max.map(|b| b.1));
        }
    }

    /// `@pattern` ([`Validation::Strict`] only). A pattern the engine cannot
    /// compile (the generator checked it with the same engine, so only a
    /// different engine version could cause this) is a violation that says so,
    /// rather than a check that passes silently.
    #[inline]
    pub fn pattern(&mut self, value: &str, pattern: &Pattern) {
        if self.strict() {
            self.check_pattern(value, pattern);
        }
    }

    fn check_pattern(&mut self, value: &str, pattern: &Pattern) {
        let message = match pattern.is_match(value) {
            Ok(true) => return,
            Ok(false) => format!(
                "Value at '{}' failed to satisfy constraint: Member must satisfy regular expression pattern: {}",
                self.path(),
                pattern.source
            ),
            Err(e) => format!(
                "Value at '{}' could not be checked against regular expression pattern {}: {e}",
                self.path(),
                pattern.source
            ),
        };
        self.push(Constraint::Pattern, message);
    }

    /// A value outside an enum's (or intEnum's) set ([`Validation::Strict`]
    /// only: a service may add values later).
    pub fn enum_value(&mut self, allowed: &[&str]) {
        if !self.strict() {
            return;
        }
        let message = format!(
            "Value at '{}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
            self.path(),
            allowed.join(", ")
        );
        self.push(Constraint::Enum, message);
    }

    /// `@uniqueItems` ([`Validation::Strict`] only).
    pub fn unique<T: PartialEq>(&mut self, items: &[T]) {
        if !self.strict() {
            return;
        }
        let repeated = items
            .iter()
            .enumerate()
            .any(|(i, a)| items[i + 1..].contains(a));
        if repeated {
            let message = format!(
                "Value at '{}' failed to satisfy constraint: Member must have unique values",
                self.path()
            );
            self.push(Constraint::UniqueItems, message);
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

fn bounds_text(min: Option<&str>, max: Option<&str>) -> String {
    match (min, max) {
        (Some(min), Some(max)) => format!("between {min} and {max}, inclusive"),
        (Some(min), None) => format!("greater than or equal to {min}"),
        (None, Some(max)) => format!("less than or equal to {max}"),
        (None, None) => "unconstrained".to_string(),
    }
}

/// A `@pattern`, compiled on first use and shared by every member that uses it.
///
/// A pattern without lookaround and backreferences is regular: it runs on a
/// finite automaton (the `regex` crate), in time linear in the value, so no
/// value can make a check take exponential time (a backtracking engine can,
/// on `^([0-9]+)+$`). Any other pattern runs on regress, an ECMA-262 engine.
pub struct Pattern {
    source: &'static str,
    ecma: &'static str,
    linear: Option<&'static str>,
    compiled: OnceLock<Result<Engine, String>>,
}

enum Engine {
    #[cfg(feature = "patterns")]
    Linear(regex::Regex),
    #[cfg(feature = "patterns")]
    Ecma(regress::Regex),
}

/// The largest automaton built for one pattern; a pattern whose automaton
/// would be larger (a counted repetition of a large class, `\S{1,8192}`)
/// runs on regress, which handles such a pattern in linear time anyway.
#[cfg(feature = "patterns")]
const AUTOMATON_SIZE_LIMIT: usize = 4 << 20;

impl Pattern {
    /// `source` is the pattern as the model wrote it (for messages); `ecma` is
    /// the same expression in strict Unicode-mode ECMA-262 syntax, and
    /// `linear` its form for the automaton, as the generator wrote them.
    pub const fn new(
        source: &'static str,
        ecma: &'static str,
        linear: Option<&'static str>,
    ) -> Self {
        Pattern {
            source,
            ecma,
            linear,
            compiled: OnceLock::new(),
        }
    }

    #[cfg(not(feature = "patterns"))]
    fn compile(&self) -> Result<Engine, String> {
        let _ = (self.ecma, self.linear);
        Err(
            "pattern checks need the `patterns` feature of smithy-client-runtime \
             (each generated crate forwards it as its own `patterns` feature)"
                .into(),
        )
    }

    #[cfg(feature = "patterns")]
    fn compile(&self) -> Result<Engine, String> {
        if let Some(linear) = self.linear {
            let built = regex::RegexBuilder::new(linear)
                .size_limit(AUTOMATON_SIZE_LIMIT)
                .build();
            if let Ok(re) = built {
                return Ok(Engine::Linear(re));
            }
        }
        regress::Regex::with_flags(self.ecma, "u")
            .map(Engine::Ecma)
            .map_err(|e| e.to_string())
    }

    /// The pattern as the model wrote it.
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// Whether the pattern matches anywhere in `value` (it is not anchored
    /// unless it says `^…$`), or why it could not be compiled.
    pub fn is_match(&self, value: &str) -> Result<bool, &str> {
        #[cfg(not(feature = "patterns"))]
        let _ = value;
        match self.compiled.get_or_init(|| self.compile()) {
            #[cfg(feature = "patterns")]
            Ok(Engine::Linear(re)) => Ok(re.is_match(value)),
            #[cfg(feature = "patterns")]
            Ok(Engine::Ecma(re)) => Ok(re.find(value).is_some()),
            #[cfg(not(feature = "patterns"))]
            Ok(_) => Ok(true),
            Err(e) => Err(e),
        }
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pattern").field(&self.source).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_grow_past_the_inline_buffer_and_shrink_back() {
        let mut cx = Context::new(Validation::Strict);
        assert_eq!(cx.path(), "/");
        let outer = cx.enter("Outer");
        let mut marks = Vec::new();
        let mut want = String::from("/Outer");
        // Deep enough to leave the inline buffer, with a map key and indexes.
        for i in 0..20 {
            marks.push((cx.enter_index(i), want.clone()));
            want.push_str(&format!("/{i}"));
            marks.push((cx.enter("clé"), want.clone()));
            want.push_str("/clé");
            assert_eq!(cx.path(), want);
        }
        cx.required();
        while let Some((mark, before)) = marks.pop() {
            cx.leave(mark);
            assert_eq!(cx.path(), before);
        }
        cx.leave(outer);
        assert_eq!(cx.path(), "/");
        let errors = cx.finish().unwrap_err();
        assert!(errors.violations[0].message.contains(&want), "{errors:?}");
    }
}
