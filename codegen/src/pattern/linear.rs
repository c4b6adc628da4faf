//! Validation stage, part three: the linear-time form of a regular pattern.
//!
//! A backtracking engine such as regress can take exponential time on a
//! pattern with nested, overlapping repetition (`^([0-9]+)+$` on a long run of
//! digits and a `!`: Smithy's own ReDoS test case, and several AWS models'
//! patterns behave the same way). A pattern without lookaround and
//! backreferences denotes a regular language, and whether a value matches it
//! does not depend on how an engine backtracks, so such a pattern can be
//! evaluated by a finite automaton in time linear in the value. This module
//! writes the normalized ECMA-262 pattern, token by token, in the syntax of
//! the automaton the runtime builds (the `regex` crate's), spelling out every
//! ECMA-262 class (`\d`, `\w`, `\s`, `.`) as its exact set, so that both forms
//! have one meaning; a differential test over the AWS corpus checks that.
//! Patterns that need a backtracking engine (lookaround, backreferences,
//! multiline anchors) have no linear form and are evaluated by regress.

/// ECMA-262 WhiteSpace and LineTerminator code points, as class items.
const SPACE: &str = r"\t\n\x0B\x0C\r \x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}\x{feff}";
const WORD: &str = "0-9A-Za-z_";
const DIGIT: &str = "0-9";
const LINE_TERMINATORS: &str = r"\n\r\x{2028}\x{2029}";

/// The largest repetition count given to the automaton: `\S{1,8192}` in AWS
/// models fits, and a count far beyond would not build anyway.
const MAX_COUNT: u32 = 100_000;

/// The linear-time form of `ecma` (a pattern [`super::normalize`] produced),
/// or `None` when the pattern needs a backtracking engine.
pub fn linear(ecma: &str) -> Option<String> {
    let chars: Vec<char> = ecma.chars().collect();
    let mut t = Translator {
        chars: &chars,
        i: 0,
        out: String::with_capacity(ecma.len() + 16),
        dot_all: vec![false],
        ignore_case: vec![false],
    };
    t.run()?;
    Some(t.out)
}

struct Translator<'a> {
    chars: &'a [char],
    i: usize,
    out: String,
    /// Whether `.` matches line terminators, per open group (`(?s:`).
    dot_all: Vec<bool>,
    /// Whether case is ignored, per open group (`(?i:`).
    ignore_case: Vec<bool>,
}

impl Translator<'_> {
    fn next(&mut self) -> Option<char> {
        let c = self.chars.get(self.i).copied();
        self.i += 1;
        c
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }

    fn run(&mut self) -> Option<()> {
        while let Some(c) = self.next() {
            match c {
                '\\' => {
                    let item = self.escape(false)?;
                    self.out.push_str(&item);
                }
                '[' => self.class()?,
                '(' => self.group()?,
                ')' => {
                    self.dot_all.pop();
                    self.ignore_case.pop();
                    self.out.push(')');
                }
                '.' => {
                    let dot = if *self.dot_all.last()? {
                        r"[\x{0}-\x{10FFFF}]".to_string()
                    } else {
                        format!("[^{LINE_TERMINATORS}]")
                    };
                    self.out.push_str(&dot);
                }
                // Unescaped braces are quantifiers (normalizing escaped every
                // literal one), and their digits and commas need no escape. A
                // count beyond any automaton's size stays on regress.
                '{' => {
                    let counts: String = self.chars[self.i..]
                        .iter()
                        .take_while(|c| **c != '}')
                        .collect();
                    let too_large = counts
                        .split(',')
                        .any(|n| !n.is_empty() && n.parse::<u32>().map_or(true, |n| n > MAX_COUNT));
                    if too_large {
                        return None;
                    }
                    self.out.push('{');
                }
                '^' | '$' | '|' | '*' | '+' | '?' | '}' => self.out.push(c),
                other => push_literal(&mut self.out, other),
            }
        }
        Some(())
    }

    fn group(&mut self) -> Option<()> {
        let inherited = *self.dot_all.last()?;
        let case = *self.ignore_case.last()?;
        if self.peek() != Some('?') {
            self.out.push_str("(?:");
            self.dot_all.push(inherited);
            self.ignore_case.push(case);
            return Some(());
        }
        self.i += 1;
        match self.next()? {
            ':' => {
                self.out.push_str("(?:");
                self.dot_all.push(inherited);
                self.ignore_case.push(case);
            }
            // Lookaround needs a backtracking engine.
            '=' | '!' => return None,
            '<' if matches!(self.peek(), Some('=' | '!')) => return None,
            '<' => {
                // A named group: the name matters only to backreferences.
                while self.next()? != '>' {}
                self.out.push_str("(?:");
                self.dot_all.push(inherited);
                self.ignore_case.push(case);
            }
            first => {
                // Modifiers `(?ims-ims:`.
                let mut flags = String::from(first);
                loop {
                    match self.next()? {
                        ':' => break,
                        c => flags.push(c),
                    }
                }
                let (on, off) = flags.split_once('-').unwrap_or((flags.as_str(), ""));
                if on.contains('m') || off.contains('m') {
                    return None;
                }
                let dot_all = if on.contains('s') {
                    true
                } else if off.contains('s') {
                    false
                } else {
                    inherited
                };
                let i_on = if on.contains('i') { "i" } else { "" };
                let i_off = if off.contains('i') { "-i" } else { "" };
                self.out.push_str(&format!("(?{i_on}{i_off}:"));
                self.dot_all.push(dot_all);
                self.ignore_case
                    .push(on.contains('i') || (case && !off.contains('i')));
            }
        }
        Some(())
    }

    /// The escape after `\`: a class item inside a class, an atom outside.
    fn escape(&mut self, in_class: bool) -> Option<String> {
        let c = self.next()?;
        let set = |items: &str, negated: bool| match (in_class, negated) {
            (true, false) => items.to_string(),
            (_, true) => format!("[^{items}]"),
            (false, false) => format!("[{items}]"),
        };
        Some(match c {
            'd' => set(DIGIT, false),
            'D' => set(DIGIT, true),
            'w' => set(WORD, false),
            'W' => set(WORD, true),
            's' => set(SPACE, false),
            'S' => set(SPACE, true),
            'b' if in_class => r"\x{8}".to_string(),
            // Ignoring case, ECMA-262 counts `ſ` and `K` as word characters
            // at a boundary and takes a property's complement before folding
            // case; the automaton does neither, so such patterns stay on regress.
            'b' | 'B' | 'P' if *self.ignore_case.last()? => return None,
            'b' => r"(?-u:\b)".to_string(),
            'B' => r"(?-u:\B)".to_string(),
            'p' | 'P' => {
                let mut name = String::new();
                self.next()?; // `{`
                loop {
                    match self.next()? {
                        '}' => break,
                        ch => name.push(ch),
                    }
                }
                format!("\\{c}{{{name}}}")
            }
            't' => r"\t".to_string(),
            'n' => r"\n".to_string(),
            'r' => r"\r".to_string(),
            'f' => r"\x0C".to_string(),
            'v' => r"\x0B".to_string(),
            '0' => r"\x{0}".to_string(),
            'c' => format!("\\x{{{:x}}}", u32::from(self.next()?) % 32),
            'x' => {
                let hex: String = [self.next()?, self.next()?].iter().collect();
                format!("\\x{{{hex}}}")
            }
            'u' => format!("\\x{{{:x}}}", self.code_unit_or_point()?),
            // Backreferences need a backtracking engine.
            '1'..='9' | 'k' => return None,
            other => {
                let mut s = String::new();
                push_literal(&mut s, other);
                s
            }
        })
    }

    /// The code point of `\u{…}` or `\uXXXX` (the `u` is read), pairing a
    /// high surrogate with the low surrogate that follows, as the `u` flag does.
    fn code_unit_or_point(&mut self) -> Option<u32> {
        if self.peek() == Some('{') {
            self.i += 1;
            let mut hex = String::new();
            loop {
                match self.next()? {
                    '}' => break,
                    ch => hex.push(ch),
                }
            }
            return u32::from_str_radix(&hex, 16)
                .ok()
                .filter(|c| char::from_u32(*c).is_some());
        }
        let four = |t: &mut Self| -> Option<u32> {
            let hex: String = (0..4).map(|_| t.next()).collect::<Option<String>>()?;
            u32::from_str_radix(&hex, 16).ok()
        };
        let unit = four(self)?;
        if (0xd800..0xdc00).contains(&unit)
            && self.chars.get(self.i..self.i + 2) == Some(&['\\', 'u'])
        {
            let save = self.i;
            self.i += 2;
            if let Some(low) = four(self).filter(|l| (0xdc00..0xe000).contains(l)) {
                return Some(0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00));
            }
            self.i = save;
        }
        // A lone surrogate cannot occur in a Rust string.
        char::from_u32(unit).map(u32::from)
    }

    fn class(&mut self) -> Option<()> {
        let negated = self.peek() == Some('^');
        if negated {
            self.i += 1;
        }
        let mut items = String::new();
        loop {
            match self.next()? {
                ']' => break,
                '\\' => {
                    let item = self.escape(true)?;
                    items.push_str(&item);
                }
                '-' => items.push('-'),
                other => push_class_literal(&mut items, other),
            }
        }
        match (items.is_empty(), negated) {
            // `[]` matches nothing, `[^]` anything.
            (true, false) => return None,
            (true, true) => self.out.push_str(r"[\x{0}-\x{10FFFF}]"),
            (false, true) => self.out.push_str(&format!("[^{items}]")),
            (false, false) => self.out.push_str(&format!("[{items}]")),
        }
        Some(())
    }
}

fn push_literal(out: &mut String, c: char) {
    if "\\.+*?()|[]{}^$#&-~".contains(c) {
        out.push('\\');
    }
    out.push(c);
}

/// Inside a class the set operators `&&`, `--`, `~~` and nesting `[` are
/// special in the automaton's syntax, so their characters are escaped.
fn push_class_literal(out: &mut String, c: char) {
    if "\\[]^&~-".contains(c) {
        out.push('\\');
    }
    out.push(c);
}

#[cfg(test)]
mod tests {
    use super::linear;

    #[test]
    fn only_regular_patterns_have_a_linear_form() {
        assert_eq!(linear("^(?!aws:).+$"), None);
        assert_eq!(linear("(?<=a)b"), None);
        assert_eq!(linear(r"(a)\1"), None);
        assert_eq!(linear(r"(?<n>a)\k<n>"), None);
        assert_eq!(linear("(?m:^a$)"), None);
        assert_eq!(linear("[]"), None);
        // Ignoring case, ECMA-262 and the automaton differ on these.
        assert_eq!(linear(r"(?i:\P{Ll})"), None);
        assert_eq!(linear(r"(?i:a\b)"), None);
        assert!(linear(r"(?i:\p{Ll})").is_some());
        assert!(linear("^([0-9]+)+$").is_some());
        assert!(linear("(?i:abc)").is_some());
        assert!(linear("a{1,8192}").is_some());
        assert_eq!(linear("a{5555555555555555551}"), None);
        // Found by fuzzing: nested repetition that regress takes exponential
        // time to match has a linear form.
        assert!(linear("^(?:(?:(?:(?:@?)*)*)*)*/$").is_some());
    }

    #[test]
    fn ecma_classes_are_spelled_out() {
        assert_eq!(linear(r"^\d+$").unwrap(), "^[0-9]+$");
        assert_eq!(linear(r"[\w\-]").unwrap(), r"[0-9A-Za-z_\-]");
        assert_eq!(linear("(?s:.)").unwrap(), r"(?:[\x{0}-\x{10FFFF}])");
        assert_eq!(linear(r"\uD83D\uDE00").unwrap(), r"\x{1f600}");
        assert_eq!(linear("(?<year>a)").unwrap(), "(?:a)");
    }
}
