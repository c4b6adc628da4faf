//! Validation stage, part two: translates `@pattern` values (ECMA-262 regular
//! expressions) into the `regex` crate's syntax with the same meaning.
//!
//! The differences that matter: ECMA-262 `\d`, `\w`, `\s`, `\b` and `.` are
//! defined on fixed ASCII/whitespace sets where the `regex` crate uses Unicode
//! classes, and `\uXXXX` is spelled `\u{XXXX}`. Features with no equivalent in a
//! linear-time engine (lookaround, backreferences) are reported as unsupported.
//! Patterns are never anchored here: Smithy patterns match anywhere unless they
//! say `^…$` themselves.

/// ECMA-262 WhiteSpace and LineTerminator code points, as class items.
const ECMA_SPACE: &str =
    r"\t\n\v\f\r \x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}\x{feff}";
const ECMA_WORD: &str = "0-9A-Za-z_";

/// Why a pattern could not be translated.
#[derive(Debug, PartialEq, Eq)]
pub enum PatternError {
    Unsupported(String),
    Invalid(String),
}

/// Translates and test-compiles a pattern.
pub fn translate(source: &str) -> Result<String, PatternError> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len() + 16);
    let mut in_class = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let Some(&next) = chars.get(i + 1) else {
                    return Err(PatternError::Invalid("ends with a lone backslash".into()));
                };
                i += 2;
                match next {
                    'd' => out.push_str(if in_class { "0-9" } else { "[0-9]" }),
                    'w' => {
                        if in_class {
                            out.push_str(ECMA_WORD)
                        } else {
                            out.push_str(&format!("[{ECMA_WORD}]"))
                        }
                    }
                    's' => {
                        if in_class {
                            out.push_str(ECMA_SPACE)
                        } else {
                            out.push_str(&format!("[{ECMA_SPACE}]"))
                        }
                    }
                    'D' | 'W' | 'S' if in_class => {
                        return Err(PatternError::Unsupported(format!(
                            "`\\{next}` inside a character class"
                        )))
                    }
                    'D' => out.push_str("[^0-9]"),
                    'W' => out.push_str(&format!("[^{ECMA_WORD}]")),
                    'S' => out.push_str(&format!("[^{ECMA_SPACE}]")),
                    'b' if in_class => out.push_str(r"\x08"),
                    'b' => out.push_str(r"(?-u:\b)"),
                    'B' => out.push_str(r"(?-u:\B)"),
                    '1'..='9' => {
                        return Err(PatternError::Unsupported("backreferences (`\\1`)".into()));
                    }
                    'k' if chars.get(i) == Some(&'<') => {
                        return Err(PatternError::Unsupported(
                            "named backreferences (`\\k<name>`)".into(),
                        ));
                    }
                    'c' => {
                        return Err(PatternError::Unsupported("control escapes (`\\cX`)".into()))
                    }
                    '0' => out.push_str(r"\x00"),
                    'u' => {
                        if chars.get(i) == Some(&'{') {
                            let end =
                                chars[i..].iter().position(|&c| c == '}').ok_or_else(|| {
                                    PatternError::Invalid("unterminated `\\u{…}` escape".into())
                                })?;
                            let hex: String = chars[i + 1..i + end].iter().collect();
                            out.push_str(&format!("\\x{{{hex}}}"));
                            i += end + 1;
                        } else {
                            let hex: String = chars
                                .get(i..i + 4)
                                .map(|s| s.iter().collect())
                                .unwrap_or_default();
                            if hex.len() != 4 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                                return Err(PatternError::Invalid(
                                    "`\\u` must be followed by 4 hex digits".into(),
                                ));
                            }
                            out.push_str(&format!("\\x{{{hex}}}"));
                            i += 4;
                        }
                    }
                    // Escaped punctuation: keep the escape only where the regex crate
                    // gives the character a meaning.
                    p if p.is_ascii_punctuation() => {
                        if r"\.+*?()|[]{}^$#&-~".contains(p) {
                            out.push('\\');
                        }
                        out.push(p);
                    }
                    // \t \n \r \v \f \x.. \p{..} \P{..} are spelled the same.
                    other => {
                        out.push('\\');
                        out.push(other);
                    }
                }
                continue;
            }
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                // A leading `^` or `]` belongs to the class syntax, not its items.
                if chars.get(i + 1) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                if chars.get(i + 1) == Some(&']') {
                    // ECMA-262 `[]` matches nothing and `[^]` matches anything.
                    let negated = out.ends_with('^');
                    out.truncate(out.len() - if negated { 2 } else { 1 });
                    out.push_str(if negated { r"[\s\S]" } else { r"[^\s\S]" });
                    in_class = false;
                    i += 2;
                    continue;
                }
            }
            '[' => out.push_str(r"\["),
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '(' if !in_class && chars.get(i + 1) == Some(&'?') => {
                let rest: String = chars[i + 2..].iter().take(2).collect();
                if rest.starts_with('=') || rest.starts_with('!') || rest == "<=" || rest == "<!" {
                    return Err(PatternError::Unsupported(
                        "lookaround assertions (`(?=`, `(?!`, `(?<=`, `(?<!`)".into(),
                    ));
                }
                out.push('(');
            }
            '.' if !in_class => out.push_str(r"[^\n\r\x{2028}\x{2029}]"),
            '&' | '~' if in_class => {
                out.push('\\');
                out.push(c);
            }
            '-' if in_class && chars.get(i + 1) == Some(&'-') => out.push_str(r"\-"),
            other => out.push(other),
        }
        i += 1;
    }
    regex::Regex::new(&out).map_err(|e| PatternError::Invalid(first_line(&e.to_string())))?;
    Ok(out)
}

fn first_line(s: &str) -> String {
    s.lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or(s)
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, input: &str) -> bool {
        regex::Regex::new(&translate(pattern).unwrap())
            .unwrap()
            .is_match(input)
    }

    #[test]
    fn model_patterns_keep_their_meaning() {
        assert!(matches("^[a-zA-Z0-9_.-]+$", "my-stream_1.0"));
        assert!(!matches("^[a-zA-Z0-9_.-]+$", "my stream"));
        assert!(matches("^[a-zA-Z0-9+/]+={0,2}$", "abc+/=="));
        assert!(!matches("^[a-zA-Z0-9+/]+={0,2}$", "abc==="));
        let arn = r"^arn:[a-z\d-]+:kinesisvideo:[a-z0-9-]+:[0-9]+:[a-z]+/[a-zA-Z0-9_.-]+/[0-9]+$";
        assert!(matches(
            arn,
            "arn:aws:kinesisvideo:us-west-2:123456789012:stream/my-stream/1234567890"
        ));
        assert!(!matches(
            arn,
            "arn:aws:s3:us-west-2:123456789012:stream/my-stream/1234567890"
        ));
    }

    #[test]
    fn not_implicitly_anchored() {
        assert!(matches("[0-9]+", "abc123def"));
        assert!(matches("b", "abc"));
        assert!(!matches("^b", "abc"));
    }

    #[test]
    fn ascii_classes_like_ecma() {
        // `\d` is ASCII only in ECMA-262; the regex crate's would match Arabic-Indic digits.
        assert!(!matches(r"^\d$", "\u{0663}"));
        assert!(!matches(r"^\w$", "é"));
        assert!(matches(r"^\s$", "\u{00a0}"));
        assert!(matches(r"^[\d_]+$", "1_2"));
        assert!(!matches("^.$", "\r"));
        assert!(matches("^.$", "é"));
        assert!(matches(r"^\u00e9$", "é"));
        assert!(matches(r"^a\/b$", "a/b"));
    }

    #[test]
    fn unsupported_and_invalid() {
        assert!(matches!(
            translate("(?=a)b"),
            Err(PatternError::Unsupported(_))
        ));
        assert!(matches!(
            translate(r"(a)\1"),
            Err(PatternError::Unsupported(_))
        ));
        assert!(matches!(translate("[a-"), Err(PatternError::Invalid(_))));
        assert!(matches!(translate("(abc"), Err(PatternError::Invalid(_))));
    }
}
