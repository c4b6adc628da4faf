//! Fuzz target: `@pattern` reading and matching. The input is a pattern, a
//! NUL byte, and a value. A pattern the reader accepts compiles on regress;
//! its linear-time form, when it has one, compiles and agrees with regress on
//! the value; the runtime's check never panics. Lengths and the number of
//! quantifiers are capped before regress matches: a backtracking engine takes
//! exponential time on nested repetition (`(?:(?:a?)*)*…`), which is why the
//! runtime matches such patterns on the linear-time automaton instead.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(split) = data.iter().position(|b| *b == 0) else {
        return;
    };
    let (Ok(pattern), Ok(value)) = (
        std::str::from_utf8(&data[..split]),
        std::str::from_utf8(&data[split + 1..]),
    ) else {
        return;
    };
    if pattern.len() > 64 || value.chars().count() > 12 {
        return;
    }
    let Ok(ecma) = smithy_codegen::pattern::normalize(pattern) else {
        return;
    };
    let compiled = regress::Regex::with_flags(&ecma, "u")
        .unwrap_or_else(|e| panic!("{pattern:?} read as {ecma:?} does not compile: {e}"));
    let linear = smithy_codegen::pattern::linear(&ecma);
    if nested_repetition(&ecma) || ecma.chars().filter(|c| "*+?{".contains(*c)).count() > 6 {
        // Only check that the linear form, if any, builds.
        if let Some(linear) = linear {
            if let Err(e) = regex::RegexBuilder::new(&linear).size_limit(4 << 20).build() {
                assert!(matches!(e, regex::Error::CompiledTooBig(_)), "{pattern:?}: {linear:?}: {e}");
            }
        }
        return;
    }
    let on_regress = compiled.find(value).is_some();
    if let Some(linear) = linear {
        match regex::RegexBuilder::new(&linear).size_limit(4 << 20).build() {
            Ok(automaton) => assert_eq!(
                automaton.is_match(value),
                on_regress,
                "{pattern:?} ({ecma:?}, linear {linear:?}) on {value:?}"
            ),
            Err(regex::Error::CompiledTooBig(_)) => {}
            Err(e) => panic!("{pattern:?}: linear form {linear:?} does not compile: {e}"),
        }
    }
});

/// Whether a repeated group holds a repetition (`(?:a*)*`): a backtracking
/// engine can take exponential time on such a pattern even with a short value.
fn nested_repetition(pattern: &str) -> bool {
    let chars: Vec<char> = pattern.chars().collect();
    let mut stack = vec![false];
    let mut in_class = false;
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 1,
            '[' => in_class = true,
            ']' => in_class = false,
            _ if in_class => {}
            '(' => stack.push(false),
            ')' => {
                let inner = stack.pop().unwrap_or(false);
                let quantified = matches!(chars.get(i + 1), Some('*' | '+' | '?' | '{'));
                if inner && quantified {
                    return true;
                }
                if let Some(top) = stack.last_mut() {
                    *top |= inner || quantified;
                }
            }
            '*' | '+' | '?' | '{' => {
                if let Some(top) = stack.last_mut() {
                    *top = true;
                }
            }
            _ => {}
        }
        i += 1;
    }
    false
}
