//! Patterns of the official AWS models in `../shared/aws-models/` (skipped,
//! and says so, when the corpus is not beside the checkout): every one
//! compiles with regress, and every one with a linear-time form means the
//! same on the automaton as on regress, checked over values built from the
//! pattern's own characters.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

fn patterns_of(value: &serde_json::Value, out: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("smithy.api#pattern", serde_json::Value::String(p)) => {
                        out.insert(p.clone());
                    }
                    _ => patterns_of(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| patterns_of(v, out)),
        _ => {}
    }
}

/// Every pattern of the corpus, or `None` when it is not there.
fn corpus() -> Option<BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/aws-models");
    let Ok(folders) = std::fs::read_dir(&root) else {
        eprintln!("skipped: {} is not there", root.display());
        return None;
    };
    let mut patterns = BTreeSet::new();
    for folder in folders.flatten().filter(|e| e.path().is_dir()) {
        for file in std::fs::read_dir(folder.path()).unwrap().flatten() {
            let text = std::fs::read_to_string(file.path()).unwrap();
            let model: serde_json::Value = serde_json::from_str(&text).unwrap();
            patterns_of(&model["shapes"], &mut patterns);
        }
    }
    assert!(
        patterns.len() > 1000,
        "found only {} patterns",
        patterns.len()
    );
    Some(patterns)
}

#[test]
fn every_corpus_pattern_compiles() {
    let Some(patterns) = corpus() else { return };
    let failures: Vec<String> = patterns
        .iter()
        .filter_map(|p| {
            smithy_codegen::pattern::normalize(p)
                .err()
                .map(|e| format!("{p:?}: {e}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} patterns do not compile:\n{}",
        failures.len(),
        patterns.len(),
        failures.join("\n")
    );
}

/// Values to try a pattern on: short strings over the characters the pattern
/// mentions, plus characters from every class an ECMA-262 escape names.
fn samples(pattern: &str) -> Vec<String> {
    let mut alphabet: Vec<char> = pattern
        .chars()
        .filter(|c| !"\\^$()[]{}|?*+".contains(*c))
        .collect();
    alphabet.extend([
        'a',
        'Z',
        '0',
        '9',
        '_',
        '-',
        '.',
        ' ',
        '\t',
        '\n',
        'é',
        '名',
        '\u{a0}',
        '\u{1F600}',
        ':',
        '/',
    ]);
    alphabet.sort();
    alphabet.dedup();
    let mut seed = (pattern.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut out = vec![String::new()];
    for _ in 0..300 {
        let len = (next() % 16) as usize;
        let s: String = (0..len)
            .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
            .collect();
        out.push(s);
    }
    out
}

#[test]
fn linear_forms_mean_what_regress_means() {
    let Some(patterns) = corpus() else { return };
    let mut checked = 0;
    let mut with_a_match = 0;
    let mut disagreements = Vec::new();
    for p in &patterns {
        let ecma = smithy_codegen::pattern::normalize(p).unwrap();
        let Some(linear) = smithy_codegen::pattern::linear(&ecma) else {
            continue;
        };
        let automaton = regex::RegexBuilder::new(&linear)
            .size_limit(4 << 20)
            .build();
        let automaton = match automaton {
            Ok(a) => a,
            // Too large for the automaton: the runtime uses regress for it.
            Err(regex::Error::CompiledTooBig(_)) => continue,
            Err(e) => panic!("{p:?}: linear form {linear:?} does not compile: {e}"),
        };
        let ecma_re = regress::Regex::with_flags(&ecma, "u").unwrap();
        checked += 1;
        let mut matched = false;
        for value in samples(p) {
            let a = automaton.is_match(&value);
            let b = ecma_re.find(&value).is_some();
            matched |= a;
            if a != b {
                disagreements.push(format!("{p:?} on {value:?}: automaton {a}, regress {b}"));
                break;
            }
        }
        with_a_match += usize::from(matched);
    }
    eprintln!("{checked} patterns compared, {with_a_match} of them matched some sample");
    assert!(
        disagreements.is_empty(),
        "{} patterns disagree:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    assert!(checked > 1000, "only {checked} patterns have a linear form");
    assert!(
        with_a_match * 3 > checked,
        "too few samples match for the comparison to mean much"
    );
}

#[test]
fn no_corpus_pattern_is_slow_on_a_long_adversarial_value() {
    use smithy_client_runtime::validation::{Context, Pattern, Validation};
    let Some(mut patterns) = corpus() else { return };
    // Smithy's own ReDoS case.
    patterns.insert("^([0-9]+)+$".into());
    let mut slow = Vec::new();
    for p in &patterns {
        let ecma = smithy_codegen::pattern::normalize(p).unwrap();
        let linear = smithy_codegen::pattern::linear(&ecma);
        let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
        let compiled = Pattern::new(leak(p.clone()), leak(ecma), linear.map(leak));
        // Compiling happens once per process; only matching is timed.
        Context::new(Validation::Strict).pattern("", &compiled);
        for unit in ["0", "a", "a-", " ", "a.", "/a"] {
            let value = format!("{}!", unit.repeat(64 / unit.len()));
            let started = Instant::now();
            let mut cx = Context::new(Validation::Strict);
            cx.pattern(&value, &compiled);
            if started.elapsed() > Duration::from_millis(200) {
                slow.push(format!("{p:?} on {value:?}: {:?}", started.elapsed()));
            }
        }
    }
    assert!(slow.is_empty(), "slow patterns:\n{}", slow.join("\n"));
}
