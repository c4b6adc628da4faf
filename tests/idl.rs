//! The IDL reader from a user's side: the KVS models' IDL rendering generates
//! the very crates the JSON AST models do, errors name the file, line and
//! column with the line and a caret, and every error of a file is reported.

use std::path::Path;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

#[test]
fn the_kvs_models_in_idl_generate_byte_identical_crates() {
    let expected = smithy_codegen::project::expected(root()).unwrap();
    let model = smithy_codegen::load(&[root().join("model/idl")]).unwrap();
    let services: Vec<String> = model
        .shapes
        .iter()
        .filter(|(_, s)| s.kind == smithy_codegen::ast::ShapeKind::Service)
        .map(|(id, _)| id.clone())
        .collect();
    assert_eq!(services.len(), 2);
    let mut compared = 0;
    for service in &services {
        let generated =
            smithy_codegen::generate(&model, Some(service), &Default::default()).unwrap();
        for (path, text) in &generated.files {
            let key = Path::new("generated").join(&generated.name).join(path);
            let from_json = expected
                .get(&key)
                .unwrap_or_else(|| panic!("{} is not generated from JSON", key.display()));
            assert!(
                text == from_json,
                "{} differs between the IDL and the JSON AST model",
                key.display()
            );
            compared += 1;
        }
    }
    assert!(compared >= 14, "compared {compared} files");
}

fn errors(text: &str) -> String {
    smithy_codegen::load_texts(&[("model.smithy".to_owned(), text.to_owned())])
        .unwrap_err()
        .to_string()
}

#[test]
fn a_syntax_error_names_the_place_and_shows_the_line() {
    let report =
        errors("$version: \"2.0\"\nnamespace example\n\nstructure Foo {\n    bar String\n}\n");
    insta::assert_snapshot!("idl_syntax_error", report);
}

#[test]
fn every_error_of_a_file_is_reported() {
    let report = errors(
        "$version: \"2.0\"\nnamespace example\n\nstructure A {\n    a: \n}\n\nstring B with\n\nlist C {\n    member: String\n}\n\nstructure D {\n    d: Strin = \"x\" oops\n}\n",
    );
    assert!(report.contains("model.smithy:6:1"), "{report}");
    assert!(report.contains("model.smithy:15:"), "{report}");
    insta::assert_snapshot!("idl_several_errors", report);
}

#[test]
fn unresolved_names_and_conflicts_are_errors_with_their_place() {
    let report = errors(
        "$version: \"2.0\"\nnamespace example\nuse other#Thing\n\nstructure Thing {\n    @length(min: unknownValue)\n    a: String\n}\n",
    );
    insta::assert_snapshot!("idl_resolution_errors", report);
}

#[test]
fn idl_and_json_files_merge_and_resolve_across_files() {
    let json = r#"{"smithy": "2.0", "shapes": {"example#Shared": {"type": "string"}}}"#;
    let idl = "$version: \"2.0\"\nnamespace example\n\n/// Uses a shape of another file.\nstructure Uses {\n    s: Shared\n    @required\n    n: Integer = 1\n}\n";
    let model = smithy_codegen::load_texts(&[
        ("a.json".to_owned(), json.to_owned()),
        ("b.smithy".to_owned(), idl.to_owned()),
    ])
    .unwrap();
    let uses = &model.shapes["example#Uses"];
    assert_eq!(uses.members[0].1.target, "example#Shared");
    assert_eq!(uses.members[1].1.target, "smithy.api#Integer");
    assert_eq!(
        uses.members[1].1.traits["smithy.api#default"],
        serde_json::json!(1)
    );
    assert_eq!(
        uses.traits["smithy.api#documentation"],
        serde_json::json!("Uses a shape of another file.")
    );
}

/// Inputs the `idl` fuzz target found: each loads or is rejected, without a panic.
#[test]
fn fuzz_findings_are_reported_not_panicked_on() {
    let dir = root().join("tests/fixtures/idl-regressions");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        if let Err(report) = smithy_codegen::load_texts(&[("fuzz.smithy".to_owned(), text)]) {
            assert!(report.to_string().contains("fuzz.smithy"));
        }
        seen += 1;
    }
    assert!(seen >= 1);
}
