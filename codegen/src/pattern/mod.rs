//! Validation stage, part two: `@pattern` values, read as the ECMA-262 regular
//! expressions Smithy says they are, and checked with the engine the
//! generated validators use (regress, with the `u` flag).
//!
//! Models in the wild were validated by Smithy's Java tooling, which accepts
//! Java's regex dialect, and by ECMA-262's Annex B leniencies. So a pattern is
//! first put into the strict Unicode-mode spelling of the same expression, token
//! by token, with the meaning its authors' tools gave it:
//!
//! - identity escapes of characters that need none (`\_`, `\:`, `\-` outside a
//!   class) become the character; a lone `{`, `}` or `]` becomes an escaped one;
//! - a `-` between a class escape and another atom (`[\w-.]`) is a literal `-`;
//! - `\x{HHHH}` (Java) is the code point `\u{HHHH}`; `\0nn` (Java) is octal;
//! - Java property names, read in the order Java's `Pattern` reads them: after
//!   `Is`, a binary property or alias in any case (`\p{IsWhitespace}` is
//!   `\p{White_Space}`), a POSIX name in its Unicode reading, a category or a
//!   script in any case (`\p{IsLatin}`); `sc=`/`gc=` keys in any case; alone,
//!   a category, an ASCII POSIX class (`\p{Alnum}`, `\p{Punct}` …), `\p{all}`
//!   or a `java…` predicate of `Character`. Each becomes its ECMA-262 set;
//!   Unicode blocks (`\p{InGreek}`), which ECMA-262 cannot name, are reported;
//! - a quantifier on a quantified atom or on an assertion (`a{3}{0,5}`, `${2}`)
//!   applies to the whole preceding expression, as in Java, so the expression
//!   gets a non-capturing group.
//!
//! Everything else (lookaround, backreferences, `\p{L}`, `[\s\S]`, `\uXXXX`) is
//! already ECMA-262 and passes through unchanged. Patterns are never anchored
//! here: a Smithy pattern matches anywhere unless it says `^…$` itself.

pub mod linear;

pub use linear::linear;

use std::fmt;

/// A pattern regress cannot compile, with the position (in characters from the
/// start of the pattern) of the construct at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    pub position: usize,
    pub reason: String,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at character {}: {}", self.position + 1, self.reason)
    }
}

/// The flags every pattern is compiled with, here and in the runtime.
pub const FLAGS: &str = "u";

/// Puts `source` into strict ECMA-262 Unicode-mode syntax and checks that it
/// compiles. The result is what generated validators hand to regress.
pub fn normalize(source: &str) -> Result<String, PatternError> {
    let chars: Vec<char> = source.chars().collect();
    let (out, boundaries) = Normalizer::new(&chars, false).run()?;
    match regress::Regex::with_flags(&out, FLAGS) {
        Ok(_) => Ok(out),
        Err(e) => Err(PatternError {
            position: locate(&chars, &boundaries),
            reason: e.to_string(),
        }),
    }
}

/// The start of the first token after which the pattern stops compiling:
/// each prefix ending at a token boundary is closed (open groups and classes)
/// and compiled, and the first that fails ends with the token at fault.
fn locate(chars: &[char], boundaries: &[usize]) -> usize {
    let mut previous = 0;
    for &end in boundaries
        .iter()
        .skip(1)
        .chain(std::iter::once(&chars.len()))
    {
        let compiles = Normalizer::new(&chars[..end], true)
            .run()
            .is_ok_and(|(out, _)| regress::Regex::with_flags(&out, FLAGS).is_ok());
        if !compiles {
            return previous;
        }
        previous = end;
    }
    previous.min(chars.len().saturating_sub(1))
}

/// What the last thing written can take a quantifier as.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Last {
    /// Nothing quantifiable (start, `(`, `|`).
    Nothing,
    /// An atom starting at this output offset.
    Atom(usize),
    /// A quantified atom or an assertion starting here: a further quantifier
    /// needs a group around it.
    Wrapped(usize),
}

/// One item of a character class, already in output form.
struct ClassItem {
    /// Where the item starts in the pattern.
    at: usize,
    text: String,
    /// The code point of a single character, to check range order.
    value: Option<u32>,
    /// A set (`\d`, `\p{L}`, a POSIX class) cannot be a range endpoint.
    set: bool,
    /// An unescaped `-`, which may be a range operator.
    dash: bool,
}

struct Normalizer<'a> {
    chars: &'a [char],
    /// Close open groups and classes at the end instead of failing (for [`locate`]).
    close: bool,
    i: usize,
    out: String,
    last: Last,
    /// The open groups, innermost last.
    groups: Vec<Group>,
    /// Java inline flags (`(?i)`) in force at the top level, each an open
    /// modifier group `(?i:` that ends with the pattern.
    root_flags: Vec<String>,
    /// Whether the pattern uses numbered backreferences, which an emulated
    /// possessive quantifier (an extra group) would renumber.
    numbered_backreferences: bool,
    /// Groups added to emulate possessive quantifiers, for unique names.
    possessive: usize,
    /// Source position where each token starts.
    boundaries: Vec<usize>,
}

impl<'a> Normalizer<'a> {
    fn new(chars: &'a [char], close: bool) -> Self {
        Normalizer {
            chars,
            close,
            i: 0,
            out: String::with_capacity(chars.len() + 8),
            last: Last::Nothing,
            groups: Vec::new(),
            root_flags: Vec::new(),
            numbered_backreferences: chars
                .windows(2)
                .any(|w| w[0] == '\\' && ('1'..='9').contains(&w[1])),
            possessive: 0,
            boundaries: Vec::new(),
        }
    }

    /// The inline flags in force in the innermost open group.
    fn flags_mut(&mut self) -> &mut Vec<String> {
        match self.groups.last_mut() {
            Some(g) => &mut g.flags,
            None => &mut self.root_flags,
        }
    }

    /// Closes the modifier groups of inline flags (at `)`, `|` or the end).
    fn close_flags(&mut self) {
        let n = match self.groups.last() {
            Some(g) => g.flags.len(),
            None => self.root_flags.len(),
        };
        for _ in 0..n {
            self.out.push(')');
        }
    }

    fn peek(&self, offset: usize) -> Option<char> {
        self.chars.get(self.i + offset).copied()
    }

    fn error<T>(&self, position: usize, reason: impl Into<String>) -> Result<T, PatternError> {
        Err(PatternError {
            position,
            reason: reason.into(),
        })
    }

    fn run(mut self) -> Result<(String, Vec<usize>), PatternError> {
        while self.i < self.chars.len() {
            self.boundaries.push(self.i);
            self.token()?;
        }
        if let Some(g) = self.groups.last() {
            if !self.close {
                return self.error(g.at, "this group is never closed");
            }
            while !self.groups.is_empty() {
                self.close_flags();
                self.groups.pop();
                self.out.push(')');
            }
        }
        self.close_flags();
        Ok((self.out, self.boundaries))
    }

    fn atom(&mut self, start: usize, text: &str) {
        self.out.push_str(text);
        self.last = Last::Atom(start);
    }

    fn token(&mut self) -> Result<(), PatternError> {
        let at = self.i;
        let start = self.out.len();
        let c = self.chars[self.i];
        self.i += 1;
        match c {
            '\\' => self.escape(at, start)?,
            '[' => self.class(at, start)?,
            '(' => self.open_group(at)?,
            ')' => {
                if self.groups.is_empty() {
                    return self.error(at, "`)` closes no group");
                }
                self.close_flags();
                let Some(group) = self.groups.pop() else {
                    return self.error(at, "`)` closes no group");
                };
                self.out.push(')');
                self.last = if group.lookaround {
                    Last::Wrapped(group.start)
                } else {
                    Last::Atom(group.start)
                };
            }
            '|' => {
                // Inline flags stay in force in the next alternative: close
                // their groups around the `|` and open them again.
                self.close_flags();
                self.out.push('|');
                let flags = self.flags_mut().clone();
                for f in flags {
                    self.out.push_str(&format!("(?{f}:"));
                }
                self.last = Last::Nothing;
            }
            '^' | '$' => {
                self.out.push(c);
                self.last = Last::Wrapped(start);
            }
            '*' | '+' | '?' => self.quantifier(at, c.to_string())?,
            '{' => match self.braced_quantifier() {
                Some((text, len)) => {
                    self.i += len;
                    self.quantifier(at, text)?;
                }
                // Not a quantifier: a literal brace (Annex B and Java agree).
                None => self.atom(start, r"\{"),
            },
            '}' => self.atom(start, r"\}"),
            ']' => self.atom(start, r"\]"),
            other => {
                let mut buf = [0; 4];
                self.atom(start, other.encode_utf8(&mut buf));
            }
        }
        Ok(())
    }

    /// `{n}`, `{n,}` or `{n,m}` starting at the current position (after `{`):
    /// its text and length in characters.
    fn braced_quantifier(&self) -> Option<(String, usize)> {
        let rest: String = self.chars[self.i..]
            .iter()
            .take_while(|&&c| c != '}')
            .collect();
        if self.i + rest.chars().count() >= self.chars.len() {
            return None;
        }
        let (min, max) = match rest.split_once(',') {
            Some((min, max)) => (min, Some(max)),
            None => (rest.as_str(), None),
        };
        let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
        let ok = digits(min) && max.is_none_or(|m| m.is_empty() || digits(m));
        ok.then(|| (format!("{{{rest}}}"), rest.chars().count() + 1))
    }

    fn quantifier(&mut self, at: usize, mut text: String) -> Result<(), PatternError> {
        let possessive = match self.peek(0) {
            Some('?') => {
                text.push('?');
                self.i += 1;
                false
            }
            Some('+') => {
                self.i += 1;
                true
            }
            _ => false,
        };
        let start = match self.last {
            Last::Nothing => return self.error(at, "a quantifier must follow something to repeat"),
            Last::Atom(start) => start,
            // `a**`, `a+*`, `a?+`: Java repeats the repetition, which means
            // one `*`, `+` or `?` of `a`; nesting the loops instead would make
            // a backtracking engine take exponential time even on short values.
            Last::Wrapped(_)
                if !possessive
                    && matches!(text.as_str(), "*" | "+" | "?")
                    && matches!(self.out.chars().last(), Some('*' | '+' | '?'))
                    && !self.out.ends_with("*?")
                    && !self.out.ends_with("+?")
                    && !self.out.ends_with("??")
                    && !self.out.ends_with("\\*")
                    && !self.out.ends_with("\\+")
                    && !self.out.ends_with("\\?") =>
            {
                let inner = self.out.pop().unwrap_or('*');
                let outer = text.chars().next().unwrap_or('*');
                self.out.push(match (inner, outer) {
                    ('+', '+') => '+',
                    ('?', '?') => '?',
                    _ => '*',
                });
                return Ok(());
            }
            Last::Wrapped(start) => {
                self.out.insert_str(start, "(?:");
                self.out.push(')');
                start
            }
        };
        self.out.push_str(&text);
        if possessive {
            // Java's possessive `X*+` never gives back what it matched: an
            // atomic group, which ECMA-262 spells as a lookahead that captures
            // and a backreference that consumes the capture.
            if self.numbered_backreferences {
                return self.error(
                    at,
                    "a possessive quantifier (Java) next to numbered backreferences cannot be emulated without renumbering them",
                );
            }
            let name = format!("possessive{}", self.possessive);
            self.possessive += 1;
            self.out.insert_str(start, &format!("(?=(?<{name}>"));
            self.out.push_str(&format!("))\\k<{name}>"));
        }
        self.last = Last::Wrapped(start);
        Ok(())
    }

    fn open_group(&mut self, at: usize) -> Result<(), PatternError> {
        let start = self.out.len();
        let rest: String = self.chars[self.i..].iter().take(3).collect();
        let (opener, lookaround) = if !rest.starts_with('?') {
            ("(".to_string(), false)
        } else if rest.starts_with("?:") {
            ("(?:".to_string(), false)
        } else if rest.starts_with("?=") || rest.starts_with("?!") {
            (format!("({}", &rest[..2]), true)
        } else if rest.starts_with("?<=") || rest.starts_with("?<!") {
            (format!("({rest}"), true)
        } else if rest.starts_with("?<") {
            let name: String = self.chars[self.i + 2..]
                .iter()
                .take_while(|&&c| c != '>')
                .collect();
            if self.i + 2 + name.chars().count() >= self.chars.len() {
                return self.error(at, "the group name is never closed with `>`");
            }
            (format!("(?<{name}>"), false)
        } else {
            return self.flags(at);
        };
        self.i += opener.chars().count() - 1;
        self.out.push_str(&opener);
        self.groups.push(Group {
            start,
            at,
            lookaround,
            flags: Vec::new(),
        });
        self.last = Last::Nothing;
        Ok(())
    }

    /// `(?ims-ims:…)`, a modifier group (ECMA-262 2025), or Java's inline
    /// `(?ims-ims)`, which sets the flags until its group ends: the rest of
    /// the group becomes a modifier group. The `(` is read.
    fn flags(&mut self, at: usize) -> Result<(), PatternError> {
        let flags: String = self.chars[self.i + 1..]
            .iter()
            .take_while(|c| matches!(c, 'i' | 'm' | 's' | '-'))
            .collect();
        let end = self.i + 1 + flags.chars().count();
        let valid = !flags.is_empty() && flags != "-";
        match self.chars.get(end) {
            Some(':') if valid => {
                self.out.push_str(&format!("(?{flags}:"));
                self.i = end + 1;
                self.groups.push(Group {
                    start: self.out.len() - flags.len() - 3,
                    at,
                    lookaround: false,
                    flags: Vec::new(),
                });
            }
            Some(')') if valid => {
                self.out.push_str(&format!("(?{flags}:"));
                self.i = end + 1;
                self.flags_mut().push(flags);
            }
            _ => {
                return self.error(
                    at,
                    "`(?` must start a group `(?:`, a lookaround, a named group or flags `(?i)`/`(?i:` from i, m and s; atomic groups and other flags are not ECMA-262",
                )
            }
        }
        self.last = Last::Nothing;
        Ok(())
    }

    /// An escape outside a class.
    fn escape(&mut self, at: usize, start: usize) -> Result<(), PatternError> {
        let Some(c) = self.peek(0) else {
            return self.error(at, "the pattern ends with a lone backslash");
        };
        self.i += 1;
        match c {
            'b' | 'B' => {
                self.out.push('\\');
                self.out.push(c);
                self.last = Last::Wrapped(start);
            }
            // Java's input anchors, exact whatever the flags.
            'A' | 'z' | 'Z' => {
                self.out.push_str(match c {
                    'A' => r"(?<![\s\S])",
                    'z' => r"(?![\s\S])",
                    _ => r"(?=(?:\r\n|[\n\r\u0085\u2028\u2029])?(?![\s\S]))",
                });
                self.last = Last::Wrapped(start);
            }
            'p' | 'P' => {
                let text = match self.property(at, c == 'P')? {
                    Property::Escape(e) => e,
                    Property::Union(items, negated) => {
                        format!("[{}{items}]", if negated { "^" } else { "" })
                    }
                    Property::Ranges(r) => format!("[{}]", ranges_text(&r)),
                };
                self.atom(start, &text);
            }
            '1'..='9' => {
                let mut text = format!("\\{c}");
                while let Some(d) = self.peek(0).filter(char::is_ascii_digit) {
                    text.push(d);
                    self.i += 1;
                }
                self.atom(start, &text);
            }
            'k' => {
                let name: String = self.chars[self.i..]
                    .iter()
                    .take_while(|&&c| c != '>')
                    .collect();
                if self.peek(0) != Some('<') || self.i + name.chars().count() >= self.chars.len() {
                    return self.error(at, "`\\k` must be followed by a group name in `<…>`");
                }
                self.i += name.chars().count() + 1;
                self.atom(start, &format!("\\k{name}>"));
            }
            _ => {
                let text = self.character_escape(at, c, false)?;
                self.atom(start, &text);
            }
        }
        Ok(())
    }

    /// Escapes that mean one character (or a class escape such as `\d`), the
    /// same inside and outside classes. `c` is the character after `\`.
    fn character_escape(
        &mut self,
        at: usize,
        c: char,
        in_class: bool,
    ) -> Result<String, PatternError> {
        Ok(match c {
            'd' | 'D' | 'w' | 'W' | 's' | 'S' | 't' | 'n' | 'r' | 'f' | 'v' => format!("\\{c}"),
            'c' => match self.peek(0).filter(char::is_ascii_alphabetic) {
                Some(letter) => {
                    self.i += 1;
                    format!("\\c{letter}")
                }
                None => return self.error(at, "`\\c` must be followed by a letter"),
            },
            'x' if self.peek(0) == Some('{') => {
                let hex: String = self.chars[self.i + 1..]
                    .iter()
                    .take_while(|&&c| c != '}')
                    .collect();
                self.i += hex.chars().count() + 2;
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(_) if self.i <= self.chars.len() => format!("\\u{{{hex}}}"),
                    _ => return self.error(at, "`\\x{…}` must hold a code point in hexadecimal"),
                }
            }
            'x' => {
                let hex: String = self.chars[self.i..].iter().take(2).collect();
                if hex.len() != 2 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                    return self.error(at, "`\\x` must be followed by two hexadecimal digits");
                }
                self.i += 2;
                format!("\\x{hex}")
            }
            'u' if self.peek(0) == Some('{') => {
                let hex: String = self.chars[self.i + 1..]
                    .iter()
                    .take_while(|&&c| c != '}')
                    .collect();
                self.i += hex.chars().count() + 2;
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(_) if self.i <= self.chars.len() => format!("\\u{{{hex}}}"),
                    _ => return self.error(at, "`\\u{…}` must hold a code point in hexadecimal"),
                }
            }
            'u' => {
                let hex: String = self.chars[self.i..].iter().take(4).collect();
                if hex.len() != 4 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                    return self.error(at, "`\\u` must be followed by four hexadecimal digits");
                }
                self.i += 4;
                format!("\\u{hex}")
            }
            '0' => {
                // `\0` is NUL; Java reads `\0` and up to three octal digits as a code point.
                let mut octal = String::new();
                while octal.len() < 3 {
                    match self.peek(0).filter(|d| ('0'..='7').contains(d)) {
                        Some(d) if octal.len() < 2 || octal.starts_with(['0', '1', '2', '3']) => {
                            octal.push(d);
                            self.i += 1;
                        }
                        _ => break,
                    }
                }
                match u32::from_str_radix(&octal, 8) {
                    Ok(n) => format!("\\u{{{n:x}}}"),
                    Err(_) => "\\0".to_string(),
                }
            }
            'b' if in_class => "\\b".to_string(),
            '-' if in_class => "\\-".to_string(),
            // Java's escapes for two control characters and horizontal space.
            'e' => "\\u{1b}".to_string(),
            'a' => "\\u{7}".to_string(),
            'h' | 'H' => {
                let items = r"\t \u{a0}\u{1680}\u{180e}\u{2000}-\u{200a}\u{202f}\u{205f}\u{3000}";
                match (c, in_class) {
                    ('h', true) => items.to_string(),
                    ('h', false) => format!("[{items}]"),
                    ('H', false) => format!("[^{items}]"),
                    _ => return self.error(at, "Java's `\\H` cannot be inside a character class"),
                }
            }
            'Q' => {
                // Java quotes everything up to `\E` (or the end) literally.
                let mut text = String::new();
                let mut count = 0;
                while self.i < self.chars.len() {
                    if self.chars[self.i] == '\\' && self.peek(1) == Some('E') {
                        self.i += 2;
                        break;
                    }
                    let ch = self.chars[self.i];
                    self.i += 1;
                    count += 1;
                    if is_syntax(ch) || ch == '/' || (in_class && ch == '-') {
                        text.push('\\');
                    }
                    text.push(ch);
                }
                if !in_class && count > 1 {
                    // A quoted run is one atom to a quantifier that follows.
                    format!("(?:{text})")
                } else {
                    text
                }
            }
            c if is_syntax(c) || c == '/' => format!("\\{c}"),
            // An identity escape of a character that needs none.
            c if c.is_ascii_punctuation() || c == ' ' => c.to_string(),
            other => return self.error(at, format!("`\\{other}` is not an escape ECMA-262 knows")),
        })
    }

    /// `\p{…}` or `\P{…}` (the `p` is already read).
    fn property(&mut self, at: usize, negated: bool) -> Result<Property, PatternError> {
        let name: String = if self.peek(0) == Some('{') {
            let name: String = self.chars[self.i + 1..]
                .iter()
                .take_while(|&&c| c != '}')
                .collect();
            if self.i + 1 + name.chars().count() >= self.chars.len() {
                return self.error(at, "`\\p{` is never closed with `}`");
            }
            self.i += name.chars().count() + 2;
            name
        } else if let Some(letter) = self.peek(0).filter(char::is_ascii_alphabetic) {
            // Java's one-letter form, `\pL`.
            self.i += 1;
            letter.to_string()
        } else {
            return self.error(at, "`\\p` must be followed by a property in `{…}`");
        };
        if let Some(block) = java_block(&name) {
            return self.error(
                at,
                format!(
                    "`\\p{{{name}}}` names the Unicode block {block:?}: ECMA-262 patterns have no block property; spell its code point range (`[\\u{{…}}-\\u{{…}}]`) instead"
                ),
            );
        }
        let p = if negated { 'P' } else { 'p' };
        let ecma = |name: &str| {
            let text = format!("\\{p}{{{name}}}");
            regress::Regex::with_flags(&text, FLAGS)
                .is_ok()
                .then_some(text)
        };
        // Java's reading first (the models were checked by Java's `Pattern`),
        // then any name ECMA-262 knows that Java does not.
        if let Some(set) = java_set(&name) {
            return Ok(set.property(negated));
        }
        if let Some(text) = ecma(&name) {
            return Ok(Property::Escape(text));
        }
        self.error(
            at,
            format!("`\\{p}{{{name}}}` names no Unicode property, script or POSIX class"),
        )
    }

    /// A character class; `[` is read.
    fn class(&mut self, at: usize, start: usize) -> Result<(), PatternError> {
        let mut text = String::from("[");
        if self.peek(0) == Some('^') {
            text.push('^');
            self.i += 1;
        }
        let mut items: Vec<ClassItem> = Vec::new();
        loop {
            let Some(c) = self.peek(0) else {
                if self.close {
                    break;
                }
                return self.error(at, "this character class is never closed with `]`");
            };
            let item_at = self.i;
            self.boundaries.push(item_at);
            self.i += 1;
            let (text, set, dash) = match c {
                ']' => break,
                '-' => ("\\-".to_string(), false, true),
                '[' => ("\\[".to_string(), false, false),
                '\\' => {
                    let Some(e) = self.peek(0) else {
                        return self.error(item_at, "the pattern ends with a lone backslash");
                    };
                    self.i += 1;
                    match e {
                        'p' | 'P' => match self.property(item_at, e == 'P')? {
                            Property::Escape(text) => (text, true, false),
                            Property::Union(items, false) => (items, true, false),
                            Property::Union(..) => {
                                return self.error(
                                    item_at,
                                    "a negated Java property that is a union of properties cannot be inside a class",
                                )
                            }
                            Property::Ranges(r) => (ranges_text(&r), true, false),
                        },
                        '1'..='9' => {
                            return self
                                .error(item_at, "a backreference cannot be in a character class")
                        }
                        'B' => return self.error(item_at, "`\\B` cannot be in a character class"),
                        _ => (
                            self.character_escape(item_at, e, true)?,
                            matches!(e, 'd' | 'D' | 'w' | 'W' | 's' | 'S'),
                            false,
                        ),
                    }
                }
                other => (other.to_string(), false, false),
            };
            let item = ClassItem {
                at: item_at,
                value: (!set).then(|| char_value(&text)).flatten(),
                text,
                set,
                dash,
            };
            items.push(item);
        }
        // ECMA-262's reading: `a-b` is a range unless the `-` ends the class;
        // a `-` next to a set is a literal (Annex B, and Java agrees).
        let mut k = 0;
        while k < items.len() {
            if k + 2 < items.len() && items[k + 1].dash {
                let (a, b) = (&items[k], &items[k + 2]);
                if let (Some(x), Some(y)) = (a.value, b.value) {
                    if x > y {
                        return self.error(a.at, "this range ends before it starts");
                    }
                }
                text.push_str(&a.text);
                text.push_str(if a.set || b.set { "\\-" } else { "-" });
                text.push_str(&b.text);
                k += 3;
            } else {
                text.push_str(&items[k].text);
                k += 1;
            }
        }
        text.push(']');
        self.atom(start, &text);
        Ok(())
    }
}

/// A `\p{…}` as ECMA-262 spells it, a union of such escapes (class items,
/// and whether the whole is negated), or a set of code point ranges.
enum Property {
    Escape(String),
    Union(String, bool),
    Ranges(Vec<(u32, u32)>),
}

/// An open group of the output.
struct Group {
    /// Where it starts in the output.
    start: usize,
    /// Where it starts in the pattern.
    at: usize,
    /// A lookaround is an assertion: quantifying it needs a group around it.
    lookaround: bool,
    /// Java inline flags set inside it, each an open modifier group.
    flags: Vec<String>,
}

/// A set Java's `Pattern` names in `\p{…}`, as ECMA-262 spells it.
enum JavaSet {
    /// A union of class items; one `\p{…}` or `\P{…}` escape alone is
    /// negated by its letter.
    Items(String),
    /// Code point ranges.
    Ranges(Vec<(u32, u32)>),
    /// A script, by the name ECMA-262 knows it.
    Script(String),
}

impl JavaSet {
    fn property(self, negated: bool) -> Property {
        let items = match self {
            JavaSet::Items(items) => items,
            JavaSet::Script(name) => format!(r"\p{{Script={name}}}"),
            JavaSet::Ranges(set) => {
                return Property::Ranges(if negated { complement(&set) } else { set })
            }
        };
        let single = items.len() > 4
            && items.starts_with(['\\'])
            && items[1..].starts_with(['p', 'P'])
            && items.ends_with('}')
            && items.matches('\\').count() == 1;
        if single {
            if !negated {
                return Property::Escape(items);
            }
            let flipped = if items.as_bytes()[1] == b'p' {
                'P'
            } else {
                'p'
            };
            return Property::Escape(format!("\\{flipped}{}", &items[2..]));
        }
        Property::Union(items, negated)
    }
}

/// What Java's `Pattern` reads `\p{name}` as, in its own order: `key=value`
/// (`sc`/`script`, `gc`/`general_category`, keys in any case); `Is` then a
/// Unicode binary property or a POSIX name in its Unicode reading (in any
/// case, with aliases such as `WHITESPACE`), a category or Java name, or a
/// script (in any case); otherwise a category, a POSIX class (ASCII) or a
/// `java…` method. Unicode blocks are [`java_block`].
fn java_set(name: &str) -> Option<JavaSet> {
    if let Some((key, value)) = name.split_once('=') {
        return match key.to_ascii_lowercase().as_str() {
            "sc" | "script" => java_script(value),
            "gc" | "general_category" => java_named(value),
            _ => None,
        };
    }
    if let Some(short) = name.strip_prefix("Is") {
        return java_unicode(&short.to_ascii_uppercase())
            .or_else(|| java_named(short))
            .or_else(|| java_script(short));
    }
    java_named(name)
}

/// The Unicode block a `\p{In…}` or `\p{blk=…}` names, which ECMA-262 cannot say.
fn java_block(name: &str) -> Option<&str> {
    if let Some((key, value)) = name.split_once('=') {
        return matches!(key.to_ascii_lowercase().as_str(), "blk" | "block").then_some(value);
    }
    name.strip_prefix("In")
}

/// The sets of Java's `Character` predicates after `Is`, by upper-case name
/// (`CharPredicates.forUnicodeProperty`): the binary properties and their
/// aliases, then the POSIX names in their Unicode reading.
fn java_unicode(upper: &str) -> Option<JavaSet> {
    const GRAPH: &str = r"\p{L}\p{M}\p{N}\p{P}\p{S}\p{Cf}\p{Co}";
    Some(JavaSet::Items(String::from(match upper {
        "ALPHABETIC" | "ALPHA" => r"\p{Alphabetic}",
        "ASSIGNED" => r"\P{Cn}",
        "CONTROL" | "CNTRL" => r"\p{Cc}",
        // Java's hex digits are every decimal digit and the ASCII and
        // full-width letters A-F (Unicode's Hex_Digit).
        "HEXDIGIT" | "HEX_DIGIT" | "XDIGIT" => r"\p{Nd}\p{Hex_Digit}",
        "IDEOGRAPHIC" => r"\p{Ideographic}",
        "JOINCONTROL" | "JOIN_CONTROL" => r"\p{Join_Control}",
        "LETTER" => r"\p{L}",
        "LOWERCASE" | "LOWER" => r"\p{Lowercase}",
        "NONCHARACTERCODEPOINT" | "NONCHARACTER_CODE_POINT" => r"\p{Noncharacter_Code_Point}",
        "TITLECASE" => r"\p{Lt}",
        "PUNCTUATION" | "PUNCT" => r"\p{P}",
        "UPPERCASE" | "UPPER" => r"\p{Uppercase}",
        "WHITESPACE" | "WHITE_SPACE" | "SPACE" => r"\p{White_Space}",
        "WORD" => r"\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}",
        "EMOJI" => r"\p{Emoji}",
        "EMOJI_PRESENTATION" => r"\p{Emoji_Presentation}",
        "EMOJI_MODIFIER" => r"\p{Emoji_Modifier}",
        "EMOJI_MODIFIER_BASE" => r"\p{Emoji_Modifier_Base}",
        "EMOJI_COMPONENT" => r"\p{Emoji_Component}",
        "EXTENDED_PICTOGRAPHIC" => r"\p{Extended_Pictographic}",
        "ALNUM" => r"\p{Alphabetic}\p{Nd}",
        "DIGIT" => r"\p{Nd}",
        "BLANK" => r"\p{Zs}\t",
        // Not space, control, surrogate or unassigned: the other categories.
        "GRAPH" => GRAPH,
        "PRINT" => r"\p{L}\p{M}\p{N}\p{P}\p{S}\p{Cf}\p{Co}\p{Zs}",
        _ => return None,
    })))
}

/// Java's names without `Is`, case-sensitive (`CharPredicates.forProperty`):
/// general categories, `LD`, `L1`, `all`, the ASCII POSIX classes and the
/// `java…` methods of `Character`.
fn java_named(name: &str) -> Option<JavaSet> {
    const CATEGORIES: &[&str] = &[
        "Cn", "Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Me", "Mc", "Nd", "Nl", "No", "Zs", "Zl", "Zp",
        "Cc", "Cf", "Co", "Cs", "Pd", "Ps", "Pe", "Pc", "Po", "Sm", "Sc", "Sk", "So", "Pi", "Pf",
        "L", "M", "N", "Z", "C", "P", "S", "LC",
    ];
    // Characters Java's `isIdentifierIgnorable` adds to the format controls.
    const IGNORABLE: &str = r"\u{0}-\u{8}\u{e}-\u{1b}\u{7f}-\u{9f}\p{Cf}";
    if let Some(set) = posix(name) {
        return Some(JavaSet::Ranges(set));
    }
    if CATEGORIES.contains(&name) {
        // ECMA-262 spells the categories as Java does.
        return Some(JavaSet::Items(format!(r"\p{{{name}}}")));
    }
    let r = |pairs: &[(u32, u32)]| JavaSet::Ranges(pairs.to_vec());
    let items = |text: &str| JavaSet::Items(text.to_string());
    Some(match name {
        "LD" | "javaLetterOrDigit" => items(r"\p{L}\p{Nd}"),
        "L1" => r(&[(0, 0xff)]),
        "javaLetter" => items(r"\p{L}"),
        "javaDigit" => items(r"\p{Nd}"),
        "javaLowerCase" => items(r"\p{Lowercase}"),
        "javaUpperCase" => items(r"\p{Uppercase}"),
        "javaAlphabetic" => items(r"\p{Alphabetic}"),
        "javaIdeographic" => items(r"\p{Ideographic}"),
        "javaTitleCase" => items(r"\p{Lt}"),
        "javaDefined" => items(r"\P{Cn}"),
        "javaSpaceChar" => items(r"\p{Z}"),
        "javaMirrored" => items(r"\p{Bidi_Mirrored}"),
        "javaIdentifierIgnorable" => items(IGNORABLE),
        "javaJavaIdentifierStart" => items(r"\p{L}\p{Nl}\p{Sc}\p{Pc}"),
        "javaJavaIdentifierPart" => JavaSet::Items(format!(
            r"\p{{L}}\p{{Nl}}\p{{Sc}}\p{{Pc}}\p{{Nd}}\p{{Mn}}\p{{Mc}}{IGNORABLE}"
        )),
        // Unicode's ID_Start and ID_Continue leave out the one letter that is
        // also pattern syntax (U+2E2F), which Java's `isLetter` keeps.
        "javaUnicodeIdentifierStart" => items(r"\p{ID_Start}\u{2e2f}"),
        "javaUnicodeIdentifierPart" => {
            JavaSet::Items(format!(r"\p{{ID_Continue}}\u{{2e2f}}{IGNORABLE}"))
        }
        // Space separators other than the no-break ones, and the ASCII
        // separators and controls `isWhitespace` adds.
        "javaWhitespace" => r(&[
            (0x9, 0xd),
            (0x1c, 0x20),
            (0x1680, 0x1680),
            (0x2000, 0x2006),
            (0x2008, 0x200a),
            (0x2028, 0x2029),
            (0x205f, 0x205f),
            (0x3000, 0x3000),
        ]),
        "javaISOControl" => r(&[(0, 0x1f), (0x7f, 0x9f)]),
        _ => return None,
    })
}

/// Java's POSIX classes (ASCII only, as Java defines them) and `\p{all}`.
fn posix(name: &str) -> Option<Vec<(u32, u32)>> {
    let r = |pairs: &[(char, char)]| pairs.iter().map(|&(a, b)| (a as u32, b as u32)).collect();
    Some(match name {
        "Lower" => r(&[('a', 'z')]),
        "Upper" => r(&[('A', 'Z')]),
        "ASCII" => r(&[('\0', '\x7f')]),
        "Alpha" => r(&[('A', 'Z'), ('a', 'z')]),
        "Digit" => r(&[('0', '9')]),
        "Alnum" => r(&[('0', '9'), ('A', 'Z'), ('a', 'z')]),
        "Punct" => r(&[('!', '/'), (':', '@'), ('[', '`'), ('{', '~')]),
        "Graph" => r(&[('!', '~')]),
        "Print" => r(&[(' ', '~')]),
        "Blank" => r(&[('\t', '\t'), (' ', ' ')]),
        "Cntrl" => r(&[('\0', '\x1f'), ('\x7f', '\x7f')]),
        "XDigit" => r(&[('0', '9'), ('A', 'F'), ('a', 'f')]),
        "Space" => r(&[('\t', '\r'), (' ', ' ')]),
        "all" => vec![(0, 0x10ffff)],
        _ => return None,
    })
}

/// A script named as Java's `UnicodeScript.forName` takes it (its name or
/// alias in any case), spelled as ECMA-262 knows it.
fn java_script(name: &str) -> Option<JavaSet> {
    let known = |candidate: &str| {
        regress::Regex::with_flags(&format!(r"\p{{Script={candidate}}}"), FLAGS).is_ok()
    };
    // ECMA-262 takes the Unicode spelling exactly: `Old_Italic`, `Latn`.
    let title: String = name
        .split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or(String::new(), |first| {
                first.to_ascii_uppercase().to_string() + &chars.as_str().to_ascii_lowercase()
            })
        })
        .collect::<Vec<_>>()
        .join("_");
    let special = (title == "Signwriting").then(|| "SignWriting".to_string());
    [Some(name.to_string()), Some(title), special]
        .into_iter()
        .flatten()
        .find(|c| !c.is_empty() && c.is_ascii() && known(c))
        .map(JavaSet::Script)
}

/// The code points not in `set` (sorted, disjoint ranges).
fn complement(set: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let mut next = 0;
    for &(a, b) in set {
        if a > next {
            out.push((next, a - 1));
        }
        next = b + 1;
    }
    if next <= 0x10ffff {
        out.push((next, 0x10ffff));
    }
    out
}

/// Class items for code point ranges: letters and digits as themselves, every
/// other code point as `\u{…}`.
fn ranges_text(ranges: &[(u32, u32)]) -> String {
    let one = |c: u32| match char::from_u32(c) {
        Some(ch) if ch.is_ascii_alphanumeric() => ch.to_string(),
        _ => format!("\\u{{{c:x}}}"),
    };
    ranges
        .iter()
        .map(|&(a, b)| {
            if a == b {
                one(a)
            } else {
                format!("{}-{}", one(a), one(b))
            }
        })
        .collect()
}

/// The code point a single-character class item stands for, when it is one
/// (a surrogate half is left to regress, which pairs it with its neighbour).
fn char_value(text: &str) -> Option<u32> {
    let value = match text.strip_prefix('\\') {
        None => text.chars().next().map(u32::from)?,
        Some(rest) => {
            let hex = rest
                .strip_prefix("u{")
                .and_then(|h| h.strip_suffix('}'))
                .or_else(|| rest.strip_prefix('u'))
                .or_else(|| rest.strip_prefix('x'));
            match hex {
                Some(h) => u32::from_str_radix(h, 16).ok()?,
                None => match rest {
                    "t" => 9,
                    "n" => 10,
                    "v" => 11,
                    "f" => 12,
                    "r" => 13,
                    "b" => 8,
                    "0" => 0,
                    _ if rest.starts_with('c') => u32::from(rest.chars().nth(1)?) % 32,
                    _ => rest.chars().next().map(u32::from)?,
                },
            }
        }
    };
    (!(0xd800..=0xdfff).contains(&value)).then_some(value)
}

fn is_syntax(c: char) -> bool {
    "^$\\.*+?()[]{}|".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `pattern` matches `input`, on regress and, when the pattern
    /// has a linear-time form, on the automaton too (which must agree).
    fn matches(pattern: &str, input: &str) -> bool {
        let normalized = normalize(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"));
        let ecma = regress::Regex::with_flags(&normalized, FLAGS)
            .unwrap()
            .find(input)
            .is_some();
        if let Some(linear) = linear(&normalized) {
            match regex::RegexBuilder::new(&linear)
                .size_limit(4 << 20)
                .build()
            {
                Ok(automaton) => assert_eq!(
                    automaton.is_match(input),
                    ecma,
                    "{pattern:?} on {input:?}: the engines disagree"
                ),
                // Too large an automaton: the runtime uses regress for this one.
                Err(regex::Error::CompiledTooBig(_)) => {}
                Err(e) => panic!("{pattern}: linear form {linear:?}: {e}"),
            }
        }
        ecma
    }

    /// `(pattern, input, matches)` rows, each pattern taken from an AWS model.
    fn table(rows: &[(&str, &str, bool)]) {
        for &(pattern, input, expected) in rows {
            assert_eq!(
                matches(pattern, input),
                expected,
                "{pattern:?} on {input:?}"
            );
        }
    }

    #[test]
    fn model_patterns_keep_their_meaning() {
        table(&[
            ("^[a-zA-Z0-9_.-]+$", "my-stream_1.0", true),
            ("^[a-zA-Z0-9_.-]+$", "my stream", false),
            ("^[a-zA-Z0-9+/]+={0,2}$", "abc+/==", true),
            ("^[a-zA-Z0-9+/]+={0,2}$", "abc===", false),
            (
                r"^arn:[a-z\d-]+:kinesisvideo:[a-z0-9-]+:[0-9]+:[a-z]+/[a-zA-Z0-9_.-]+/[0-9]+$",
                "arn:aws:kinesisvideo:us-west-2:123456789012:stream/my-stream/1234567890",
                true,
            ),
            (
                r"^arn:[a-z\d-]+:kinesisvideo:[a-z0-9-]+:[0-9]+:[a-z]+/[a-zA-Z0-9_.-]+/[0-9]+$",
                "arn:aws:s3:us-west-2:123456789012:stream/my-stream/1234567890",
                false,
            ),
        ]);
    }

    #[test]
    fn not_implicitly_anchored() {
        table(&[
            ("[0-9]+", "abc123def", true),
            ("b", "abc", true),
            ("^b", "abc", false),
        ]);
    }

    #[test]
    fn ecma_class_escapes_are_ascii() {
        table(&[
            (r"^\d$", "\u{0663}", false),
            (r"^\w$", "é", false),
            (r"^\s$", "\u{00a0}", true),
            (r"^[\d_]+$", "1_2", true),
            ("^.$", "\r", false),
            ("^.$", "é", true),
            // `.` is one code point, not one UTF-16 unit.
            ("^.$", "\u{1F600}", true),
        ]);
    }

    #[test]
    fn lookaround() {
        table(&[
            ("^(?!aws:).{1,128}$", "aws:tag", false),
            ("^(?!aws:).{1,128}$", "my:tag", true),
            ("^(?!^[0-9]+$)([a-zA-Z0-9-_]+)$", "12345", false),
            ("^(?!^[0-9]+$)([a-zA-Z0-9-_]+)$", "v12", true),
            ("^(^(?!_{2}))(^[a-zA-Z0-9_]+$)$", "__x", false),
            ("^(^(?!_{2}))(^[a-zA-Z0-9_]+$)$", "_x", true),
            (
                r"^(?!^\s+$)((?![\x5c'\x2b,;<=>#\x22])([\x20-\x7E]))+$",
                "Template 1",
                true,
            ),
            (
                r"^(?!^\s+$)((?![\x5c'\x2b,;<=>#\x22])([\x20-\x7E]))+$",
                "a+b",
                false,
            ),
            (
                r"^(?!^\s+$)((?![\x5c'\x2b,;<=>#\x22])([\x20-\x7E]))+$",
                "   ",
                false,
            ),
            ("(?<=a)b", "ab", true),
            ("(?<!a)b", "ab", false),
        ]);
    }

    #[test]
    fn backreferences() {
        table(&[(r"^(a+)-\1$", "aa-aa", true), (r"^(a+)-\1$", "aa-a", false)]);
    }

    #[test]
    fn negated_class_escapes_inside_classes() {
        table(&[
            (r"^[\s\S]+$", "any\nthing \u{1F600}", true),
            (r"^[\s\S]+$", "", false),
            (r"^[\S]+$", "no-spaces", true),
            (r"^[\S]+$", "a space", false),
            (r"^[\S ]{0,255}$", "spaces ok", true),
            (r"^[\S ]{0,255}$", "tab\tno", false),
            (r"^[\W_]$", "_", true),
            (r"^[\W_]$", "a", false),
        ]);
    }

    #[test]
    fn unicode_properties() {
        table(&[
            (r"^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$", "Étiquette 1", true),
            (r"^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$", "tag!", false),
            (r"^[-._\p{L}\p{N}]+$", "名前-1", true),
            (r"^\p{ASCII}{0,8192}$", "token", true),
            (r"^\p{ASCII}{0,8192}$", "tökén", false),
            (
                r"^[\p{L}||\p{M}||\p{Z}||\p{S}||\p{N}||\p{P}]+$",
                "a-b|c",
                true,
            ),
            (
                r"^[\p{L}||\p{M}||\p{Z}||\p{S}||\p{N}||\p{P}]+$",
                "\u{7}",
                false,
            ),
            // Java's names, as Smithy's Java validator accepted them.
            (
                r#"^$|^[0-9\p{IsAlphabetic}+:,.@'" -]*$"#,
                "Zoë O'Neil",
                true,
            ),
            (r#"^$|^[0-9\p{IsAlphabetic}+:,.@'" -]*$"#, "a;b", false),
            (r"^[\p{Alnum}\p{Punct}\p{Blank}]*$", "a-b c\t!", true),
            (r"^[\p{Alnum}\p{Punct}\p{Blank}]*$", "é", false),
            (r"^[\p{Alnum}\p{Punct}\p{Blank}]*$", "a\nb", false),
            (r"^[\p{all}]*$", "any\nthing", true),
            (r"^\P{Digit}+$", "abc", true),
            // Java's POSIX classes are ASCII, though ECMA-262 knows `Lower` as Unicode.
            (r"^\p{Lower}+$", "abc", true),
            (r"^\p{Lower}+$", "é", false),
            (r"^\p{Alpha}$", "ß", false),
            (r"^\P{Digit}+$", "a1", false),
            (r"^[\P{Alpha}]$", "1", true),
            (r"^[\P{Alpha}]$", "q", false),
        ]);
    }

    #[test]
    fn hex_and_unicode_escapes() {
        table(&[
            (
                r"^([$\-._+!*\x{60}(),;/?:@=&\w]|%([0-9a-fA-F?]{2}|[0-9a-fA-F?]?[*]))+$",
                "a`b",
                true,
            ),
            (
                r"^([$\-._+!*\x{60}(),;/?:@=&\w]|%([0-9a-fA-F?]{2}|[0-9a-fA-F?]?[*]))+$",
                "a^b",
                false,
            ),
            (
                r"^[a-zA-Z0-9\s'\x{0022},.:\\\/{$}\[\]=_\-\+]+$",
                "say \"hi\"",
                true,
            ),
            (r"^(\u002F[\u0021-\u007F]+\u002F)$", "/path/", true),
            (r"^(\u002F[\u0021-\u007F]+\u002F)$", "/pa th/", false),
            (r"^[\x20-\x7E]+$", "printable", true),
            (r"^[\x20-\x7E]+$", "tab\t", false),
            (r"^\012$", "\n", true),
        ]);
    }

    #[test]
    fn large_counted_repetitions() {
        let long = "x".repeat(8192);
        assert!(matches(r"^\S{1,8192}$", &long));
        assert!(!matches(r"^\S{1,8192}$", &format!("{long}x")));
        assert!(matches(r"^[\s\S]{0,100000}$", "short"));
    }

    #[test]
    fn identity_escapes_and_lone_braces() {
        table(&[
            (r"^[a-zA-Z0-9\-\_\.]+$", "a-b_c.d", true),
            (r"^[a-zA-Z0-9\-\_\.]+$", "a b", false),
            (r"^\#[a-zA-Z0-9]{6}$", "#a0b1c2", true),
            (r"^bytes=\d+\-\d+/\d+$", "bytes=0-9/10", true),
            (r"^https\://\S+$", "https://x", true),
            (r"^\w+\:\/\/.*$", "s3://bucket", true),
            (
                r"^(^\$\{Parameters\.[a-zA-z]+([a-zA-z_0-9]*)}$)$",
                "${Parameters.Abc_1}",
                true,
            ),
            (r"^[A-Za-z0-9\+\:\/\=\?\#-_]+$", "a+b:c/d=e?f#g", true),
        ]);
    }

    #[test]
    fn dashes_next_to_class_escapes_are_literal() {
        table(&[
            (
                r"^arn:aws[a-z0-9-]*:iam::\d{12}:role\/[\w-\/.@+=,]{1,1017}$",
                "arn:aws:iam::123456789012:role/my-role",
                true,
            ),
            (r"^[\w-\/]+$", "-", true),
            (r"^[\w-\/]+$", ".", false),
            // An ordinary range is still a range.
            (r"^[+-=]+$", ",", true),
            (r"^[-a-z-]+$", "-a-", true),
            (r"^[-a-zA-Z0-9-._~:/?#@!$&'()*+,;=]+$", "a.b~c", true),
        ]);
    }

    #[test]
    fn java_quantifiers_on_quantified_atoms_and_anchors() {
        table(&[
            (r"^[-_a-zA-Z0-9]*${2,64}$", "abc", true),
            (r"^[-_a-zA-Z0-9]*${2,64}$", "a c", false),
            (r"^[0-9a-zA-Z]{11}{0,2}$", "", true),
            (r"^[0-9a-zA-Z]{11}{0,2}$", "abcdefghijk", true),
            (r"^[0-9a-zA-Z]{11}{0,2}$", "abcdefghij", false),
            (r"^(?!x)*a$", "a", true),
            // Repeated repetition is one repetition (and no nested loops).
            (r"^a+*$", "", true),
            (r"^a+*$", "aaa", true),
            (r"^a++$", "aaa", true),
            (r"^a??b$", "b", true),
            (r"^a??b$", "aab", false),
            (r"]***]]", "]*]\u{0}", false),
            (r"]***]]", "]]]", true),
        ]);
        assert_eq!(normalize("]***]]").unwrap(), r"\]*\]\]");
    }

    #[test]
    fn java_inline_flags_anchors_and_possessive_quantifiers() {
        table(&[
            ("^(?i)(true|false)$", "TRUE", true),
            ("^(?i)(true|false)$", "maybe", false),
            ("^a(?i)b|c$", "aB", true),
            ("^a(?i)b|c$", "C", true),
            ("^a(?i)b|c$", "Ab", false),
            (
                r"^(?s)\s*-----BEGIN CERTIFICATE-----.+-----END CERTIFICATE-----\s*$",
                "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
                true,
            ),
            (
                r"^(?s)\s*-----BEGIN CERTIFICATE-----.+-----END CERTIFICATE-----\s*$",
                "-----BEGIN CERTIFICATE-----",
                false,
            ),
            (
                r"^(?ms)\s*^-----BEGIN (?-s:.*)PRIVATE KEY-----$.*?^-----END (?-s:.*)PRIVATE KEY-----$\s*$",
                "-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----\n",
                true,
            ),
            ("^(?s)", "anything", true),
            (
                r"^(?![^:\\]*/action/|(?i).*<script>.*</script>.*)[^:\\]+$",
                "a <SCRIPT>x</SCRIPT>",
                false,
            ),
            (
                r"^(?![^:\\]*/action/|(?i).*<script>.*</script>.*)[^:\\]+$",
                "plain text",
                true,
            ),
            (
                r"^\A(25[0-5]|2[0-4]\d|[0-1]?\d?\d)(\.(25[0-5]|2[0-4]\d|[0-1]?\d?\d)){3}\z$",
                "10.0.0.255",
                true,
            ),
            (
                r"^\A(25[0-5]|2[0-4]\d|[0-1]?\d?\d)(\.(25[0-5]|2[0-4]\d|[0-1]?\d?\d)){3}\z$",
                "10.0.0.256",
                false,
            ),
            (
                r"^\Asnap-([0-9A-Fa-f]{8}|[0-9A-Fa-f]{17})\z$",
                "snap-0123abcd",
                true,
            ),
            (r"a\Z", "a\n", true),
            (r"a\Z", "a\nb", false),
            ("^[0-9A-Z]{2}+$", "A1", true),
            ("^[0-9A-Z]{2}+$", "A1B", false),
            // Possessive: `a*+` takes every `a`, so `a*+a` never matches.
            ("^a*+a$", "aaa", false),
            ("^a*+b$", "aab", true),
            (r"^(\p{LD}|\p{Punct}| )+$", "Ünïcode 1.0!", true),
            (r"^(\p{LD}|\p{Punct}| )+$", "tab\t", false),
            (r"^\P{LD}+$", "-_-", true),
            (r"^\Qa.b*\E+$", "a.b*a.b*", true),
            (r"^\Qa.b*\E+$", "axb", false),
            (r"^[\Q-.\E]+$", "-.", true),
            (r"^a\hb$", "a\u{a0}b", true),
            (r"^a\Hb$", "a b", false),
            (r"^\e\a$", "\u{1b}\u{7}", true),
            (r"(?i)^\P{Ll}$", "a", true),
        ]);
    }

    #[test]
    fn invalid_patterns_name_the_position() {
        let err = |p: &str| normalize(p).unwrap_err();
        assert_eq!(err("(abc").position, 0);
        assert_eq!(err("ab)").position, 2);
        assert_eq!(err("[a-").position, 0);
        assert_eq!(err("ab\\").position, 2);
        assert_eq!(err("a|*b").position, 2);
        assert_eq!(err("x[z-a]").position, 2);
        assert_eq!(err(r"a\p{NotAProperty}").position, 1);
        assert_eq!(err("a(?x)b").position, 1);
        assert_eq!(err("a(?>b)").position, 1);
        assert_eq!(err(r"(a)\1b*+").position, 6);
        assert!(err(r"ab\q").reason.contains(r"`\q`"));
        assert_eq!(err(r"^ok\1$").position, 3);
        assert_eq!(err(r"^\u{41").position, 1);
    }

    /// Every name Java's `Pattern` documents for `\p{…}`, each with a code
    /// point inside the set and one outside, in the forms Java accepts:
    /// `Is` names in any case with their aliases, `\P` and inside a class.
    #[test]
    fn java_property_names() {
        // (name, inside, outside)
        let rows: &[(&str, &str, &str)] = &[
            // Binary properties after `Is`, any case, with Java's aliases.
            ("IsAlphabetic", "ß", "1"),
            ("Isalphabetic", "ß", "1"),
            ("IsIdeographic", "中", "a"),
            ("IsLetter", "é", "1"),
            ("IsLowercase", "é", "É"),
            ("IsUppercase", "É", "é"),
            ("IsTitlecase", "\u{1c5}", "A"),
            ("IsPunctuation", "¿", "+"),
            ("IsControl", "\u{85}", " "),
            ("IsWhite_Space", "\u{2028}", "_"),
            ("IsWhiteSpace", "\u{3000}", "\u{200b}"),
            ("IsWHITESPACE", "\t", "x"),
            ("IsWhitespace", "\u{85}", "x"),
            ("IsDigit", "\u{663}", "a"),
            ("IsHex_Digit", "\u{ff21}", "g"),
            ("IsHexDigit", "\u{663}", "G"),
            ("IsJoin_Control", "\u{200d}", "\u{200b}"),
            ("IsJoinControl", "\u{200c}", "a"),
            ("IsNoncharacter_Code_Point", "\u{fdd0}", "a"),
            ("IsNoncharacterCodePoint", "\u{fffe}", "a"),
            ("IsAssigned", "a", "\u{378}"),
            ("IsWord", "\u{301}", "-"),
            ("IsEmoji", "\u{1f600}", "a"),
            ("IsEmoji_Presentation", "\u{1f600}", "#"),
            ("IsEmoji_Modifier", "\u{1f3fb}", "a"),
            ("IsEmoji_Modifier_Base", "\u{1f44d}", "a"),
            ("IsEmoji_Component", "#", "a"),
            ("IsExtended_Pictographic", "\u{a9}", "a"),
            // POSIX names after `Is` are Unicode; alone they are ASCII.
            ("IsAlpha", "é", "1"),
            ("Alpha", "a", "é"),
            ("IsLower", "é", "A"),
            ("Lower", "a", "é"),
            ("IsUpper", "É", "a"),
            ("Upper", "A", "É"),
            ("IsPunct", "¿", "a"),
            ("Punct", "!", "¿"),
            ("IsSpace", "\u{a0}", "a"),
            ("Space", "\u{b}", "\u{a0}"),
            ("IsDigit", "\u{663}", "a"),
            ("Digit", "7", "\u{663}"),
            ("IsAlnum", "\u{663}", "-"),
            ("Alnum", "z", "é"),
            ("IsXDigit", "\u{ff41}", "g"),
            ("XDigit", "f", "\u{ff41}"),
            ("IsCntrl", "\u{9f}", "a"),
            ("Cntrl", "\u{7f}", "\u{9f}"),
            ("IsBlank", "\u{3000}", "\n"),
            ("Blank", "\t", "\u{3000}"),
            ("IsGraph", "€", " "),
            ("Graph", "~", "€"),
            ("IsPrint", "\u{a0}", "\n"),
            ("Print", " ", "\u{a0}"),
            ("ASCII", "\u{7f}", "\u{80}"),
            ("all", "\u{10ffff}", ""),
            // Categories, with or without `Is`, and through `gc=`.
            ("L", "é", "1"),
            ("IsL", "é", "1"),
            ("IsLu", "É", "é"),
            ("Lu", "É", "é"),
            ("gc=Lu", "É", "é"),
            ("general_category=Nd", "5", "a"),
            ("GC=Nd", "5", "a"),
            ("Sc", "€", "e"),
            ("LC", "a", "\u{2b0}"),
            ("LD", "\u{663}", "_"),
            ("L1", "ÿ", "\u{100}"),
            // Scripts: `Is`, `sc=` or `script=`, names and aliases in any case.
            ("IsLatin", "é", "α"),
            ("Islatin", "é", "α"),
            ("IsLATN", "é", "α"),
            ("IsGreek", "α", "a"),
            ("sc=Cyrillic", "я", "a"),
            ("script=han", "中", "a"),
            ("SCRIPT=Old_Italic", "\u{10300}", "a"),
            ("IsOLD_ITALIC", "\u{10300}", "a"),
            ("IsSignWriting", "\u{1d800}", "a"),
            ("IsCommon", "1", "a"),
            // `Character`'s own predicates.
            ("javaLowerCase", "é", "É"),
            ("javaUpperCase", "É", "é"),
            ("javaAlphabetic", "\u{16ee}", "1"),
            ("javaIdeographic", "中", "a"),
            ("javaTitleCase", "\u{1c8}", "a"),
            ("javaDigit", "\u{663}", "a"),
            ("javaDefined", "a", "\u{378}"),
            ("javaLetter", "é", "1"),
            ("javaLetterOrDigit", "1", "_"),
            ("javaJavaIdentifierStart", "$", "1"),
            ("javaJavaIdentifierPart", "1", "-"),
            ("javaUnicodeIdentifierStart", "\u{2e2f}", "$"),
            ("javaUnicodeIdentifierPart", "\u{0}", "$"),
            ("javaIdentifierIgnorable", "\u{200b}", "a"),
            ("javaSpaceChar", "\u{a0}", "\t"),
            ("javaWhitespace", "\u{1f}", "\u{a0}"),
            ("javaISOControl", "\u{85}", "a"),
            ("javaMirrored", "(", "a"),
        ];
        for &(name, inside, outside) in rows {
            let anchored = format!(r"^\p{{{name}}}$");
            let negated = format!(r"^\P{{{name}}}$");
            let class = format!(r"^[\p{{{name}}}]$");
            assert!(matches(&anchored, inside), r"\p{{{name}}} on {inside:?}");
            assert!(!matches(&negated, inside), r"\P{{{name}}} on {inside:?}");
            assert!(matches(&class, inside), r"[\p{{{name}}}] on {inside:?}");
            if !outside.is_empty() {
                assert!(!matches(&anchored, outside), r"\p{{{name}}} on {outside:?}");
                assert!(matches(&negated, outside), r"\P{{{name}}} on {outside:?}");
                assert!(!matches(&class, outside), r"[\p{{{name}}}] on {outside:?}");
            }
        }
    }

    #[test]
    fn java_blocks_and_unknown_names_are_reported() {
        let err = |p: &str| normalize(p).unwrap_err();
        let e = err(r"a\p{InGreek}");
        assert_eq!(e.position, 1);
        assert!(e.reason.contains("Unicode block \"Greek\""), "{}", e.reason);
        assert!(err(r"\p{blk=Basic_Latin}").reason.contains("block"));
        assert!(err(r"\p{IsNotAScript}")
            .reason
            .contains("names no Unicode property"));
        // Java's `forProperty` names are case-sensitive.
        assert!(normalize(r"\p{alnum}").is_err());
        assert!(normalize(r"\p{javalowercase}").is_err());
    }
}
