//! Every `@pattern` of the official AWS models in `../shared/aws-models/`
//! compiles with the engine generated validators use (skipped, and says so,
//! when the corpus is not beside the checkout).

use std::collections::BTreeSet;
use std::path::Path;

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

#[test]
fn every_corpus_pattern_compiles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/aws-models");
    let Ok(folders) = std::fs::read_dir(&root) else {
        eprintln!("skipped: {} is not there", root.display());
        return;
    };
    let mut patterns = BTreeSet::new();
    for folder in folders.flatten().filter(|e| e.path().is_dir()) {
        for file in std::fs::read_dir(folder.path()).unwrap().flatten() {
            let text = std::fs::read_to_string(file.path()).unwrap();
            let model: serde_json::Value = serde_json::from_str(&text).unwrap();
            patterns_of(&model["shapes"], &mut patterns);
        }
    }
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
    assert!(
        patterns.len() > 1000,
        "found only {} patterns",
        patterns.len()
    );
}
