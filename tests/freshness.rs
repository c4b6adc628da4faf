//! Freshness: the checked-in `generated/` is exactly what `cargo xtask codegen`
//! writes from `model/` (the same check as `cargo xtask codegen --check`).

use std::path::Path;

#[test]
fn generated_code_matches_the_model() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let expected = smithy_codegen::project::expected(root).unwrap_or_else(|d| panic!("{d}"));
    let changes = smithy_codegen::project::diff(root, &expected);
    let list: Vec<String> = changes.iter().map(|c| c.to_string()).collect();
    assert!(
        changes.is_empty(),
        "generated/ is stale; run `cargo xtask codegen`:\n{}",
        list.join("\n")
    );
}

#[test]
fn generation_is_deterministic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let first = smithy_codegen::project::expected(root).unwrap();
    let second = smithy_codegen::project::expected(root).unwrap();
    assert_eq!(first, second);
}
