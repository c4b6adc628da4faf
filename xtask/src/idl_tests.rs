//! Task: `cargo xtask idl-tests [DIR]` runs Smithy's own IDL loader tests
//! (`../shared/smithy/idl-tests/` by default) against the IDL reader.
//!
//! Valid: each `X.smithy` loads, and when it has an `X.json` twin the two
//! give the same model. Both sides go through the same loader (the twin
//! through the JSON AST reader, with `apply` merged and mixins flattened) and
//! are compared as the JSON AST `Model::to_json` prints: prelude left out,
//! keys sorted, empty fields dropped, an operation's missing input or output
//! written as `smithy.api#Unit`. Invalid: each file is rejected, by the reader, name
//! resolution or validation.

use crate::expected::{self, Outcomes};
use serde_json::Value;
use std::path::{Path, PathBuf};

pub fn run(args: &[String], root: &Path) -> Result<(), String> {
    let dir = args
        .first()
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/smithy/idl-tests"));
    let shared = dir.join("valid/__shared.json");
    let mut valid = Outcomes::new();
    for file in files(&dir.join("valid"), "smithy")? {
        let name = relative(&dir, &file);
        let twin = file.with_extension("json");
        valid.insert(
            name,
            check_valid(&file, twin.exists().then_some(&twin), &shared),
        );
    }
    let mut invalid = Outcomes::new();
    for file in files(&dir.join("invalid"), "smithy")? {
        let name = relative(&dir, &file);
        let outcome = match smithy_codegen::load(&[&file]) {
            Err(_) => Ok(()),
            Ok(model) => {
                let problems = smithy_codegen::validate::validate(&model);
                if problems.is_empty() {
                    Err("accepted, but Smithy rejects it".to_owned())
                } else {
                    Ok(())
                }
            }
        };
        invalid.insert(name, outcome);
    }
    println!("== valid ==");
    let a = expected::report(&valid, &root.join("xtask/expected-failures/idl-valid.txt"));
    println!("== invalid ==");
    let b = expected::report(
        &invalid,
        &root.join("xtask/expected-failures/idl-invalid.txt"),
    );
    match (a, b) {
        (Ok(()), Ok(())) => Ok(()),
        (a, b) => Err([a.err(), b.err()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("\n")),
    }
}

fn check_valid(file: &Path, twin: Option<&PathBuf>, shared: &Path) -> Result<(), String> {
    let with_shared = |p: &Path| {
        let mut paths = vec![p.to_path_buf()];
        if shared.exists() {
            paths.push(shared.to_path_buf());
        }
        paths
    };
    let ours = smithy_codegen::load(&with_shared(file))
        .map_err(|d| first_line(&d.to_string()))?
        .to_json();
    let Some(twin) = twin else {
        return Ok(());
    };
    let theirs = smithy_codegen::load(&with_shared(twin))
        .map_err(|d| {
            format!(
                "the JSON twin does not load: {}",
                first_line(&d.to_string())
            )
        })?
        .to_json();
    let (ours, theirs) = (normalize(ours), normalize(theirs));
    if ours == theirs {
        return Ok(());
    }
    Err(first_difference(&ours["shapes"], &theirs["shapes"]))
}

/// An operation without `input` or `output` has `smithy.api#Unit` (the
/// twins write it out sometimes, the IDL never has to).
fn normalize(mut model: Value) -> Value {
    if let Some(shapes) = model.get_mut("shapes").and_then(Value::as_object_mut) {
        for shape in shapes.values_mut() {
            if shape["type"] == "operation" {
                for key in ["input", "output"] {
                    if shape.get(key).is_none() {
                        shape[key] = serde_json::json!({ "target": "smithy.api#Unit" });
                    }
                }
            }
        }
    }
    model
}

fn first_line(report: &str) -> String {
    report
        .lines()
        .skip(1)
        .take(3)
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Names the first shape that differs, and how.
fn first_difference(ours: &Value, theirs: &Value) -> String {
    let (Some(a), Some(b)) = (ours.as_object(), theirs.as_object()) else {
        return "the models differ".into();
    };
    for (id, shape) in b {
        match a.get(id) {
            None => return format!("`{id}` is missing"),
            Some(mine) if mine != shape => {
                return format!("`{id}` differs: ours {mine}, expected {shape}");
            }
            _ => {}
        }
    }
    for id in a.keys() {
        if !b.contains_key(id) {
            return format!("`{id}` is extra");
        }
    }
    "the models differ".into()
}

fn files(dir: &Path, ext: &str) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    smithy_codegen::collect_model_files(dir, &mut out)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    out.retain(|p| p.extension().is_some_and(|e| e == ext));
    Ok(out)
}

fn relative(dir: &Path, file: &Path) -> String {
    file.strip_prefix(dir).unwrap_or(file).display().to_string()
}
