//! Snapshot tests: the code generated for each small fixture model (one feature
//! each), and the error report for each deliberately bad model.
//!
//! Review changes with `cargo insta review` (or accept with `INSTA_UPDATE=always`).

use std::path::{Path, PathBuf};

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

fn name(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

/// Messages name fixtures relative to the test directory, so snapshots do not
/// depend on where the repository is checked out.
fn relative(report: &str) -> String {
    report.replace(concat!(env!("CARGO_MANIFEST_DIR"), "/"), "")
}

#[test]
fn generated_code_for_each_good_fixture() {
    let mut seen = 0;
    for path in fixtures()
        .into_iter()
        .filter(|p| !name(p).starts_with("bad-") && name(p) != "all-features")
    {
        let model =
            smithy_codegen::load(&[&path]).unwrap_or_else(|d| panic!("{}: {d}", path.display()));
        let generated = smithy_codegen::generate(&model, None, &Default::default())
            .unwrap_or_else(|d| panic!("{}: {d}", path.display()));
        let mut text = String::new();
        for note in &generated.notes {
            text.push_str(&format!("{note}\n"));
        }
        let mut files = vec!["src/types.rs", "src/validate.rs", "src/operations.rs"];
        if name(&path).starts_with("naming") {
            files.extend(["src/client.rs", "src/error.rs"]);
        }
        if name(&path).starts_with("partial") {
            files.push("src/lib.rs");
        }
        for file in files {
            text.push_str(&format!("==> {file} <==\n{}\n", generated.files[file]));
        }
        insta::assert_snapshot!(format!("generated__{}", name(&path)), text);
        seen += 1;
    }
    assert!(seen >= 10, "expected the feature fixtures, found {seen}");
}

#[test]
fn error_report_for_each_bad_fixture() {
    let mut seen = 0;
    for path in fixtures()
        .into_iter()
        .filter(|p| name(p).starts_with("bad-"))
    {
        let result = smithy_codegen::load(&[&path])
            .and_then(|m| smithy_codegen::generate(&m, None, &Default::default()));
        let report = match result {
            Ok(_) => panic!("{} should be rejected", path.display()),
            Err(d) => relative(&d.to_string()),
        };
        insta::assert_snapshot!(format!("errors__{}", name(&path)), report);
        seen += 1;
    }
    assert!(seen >= 4, "expected the bad fixtures, found {seen}");
}

#[test]
fn the_all_features_model_generates() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/all-features.json");
    let model = smithy_codegen::load(&[&path]).unwrap_or_else(|d| panic!("{d}"));
    let generated = smithy_codegen::generate(&model, None, &Default::default())
        .unwrap_or_else(|d| panic!("{d}"));
    assert!(generated.files.contains_key("src/types.rs"));
}

#[test]
fn unreadable_and_malformed_files_are_reported_by_name() {
    let report = smithy_codegen::generate_from_texts(
        &[("broken.json", "{\"smithy\": \"2.0\", \"shapes\": {")],
        None,
        &Default::default(),
    )
    .unwrap_err()
    .to_string();
    insta::assert_snapshot!("errors__malformed_json", report);
    let report = smithy_codegen::generate_from_texts(
        &[
            (
                "one.json",
                r#"{"smithy": "2.0", "shapes": {"a.b#S": {"type": "string"}}}"#,
            ),
            (
                "two.json",
                r#"{"smithy": "2.0", "shapes": {"a.b#S": {"type": "integer"}}}"#,
            ),
        ],
        None,
        &Default::default(),
    )
    .unwrap_err()
    .to_string();
    insta::assert_snapshot!("errors__conflicting_files", report);
}
