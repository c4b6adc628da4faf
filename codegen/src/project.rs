//! Project stage: what `cargo xtask codegen` produces for this repository, and how
//! it differs from what is on disk. Shared by the xtask and the freshness test so
//! both judge staleness the same way.

use crate::{Diagnostic, Diagnostics, GeneratedCrate, Options};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The model files of the project: every `model/*.json`, sorted.
pub fn model_files(root: &Path) -> Result<Vec<PathBuf>, Diagnostics> {
    let dir = root.join("model");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| one(format!("cannot read {}: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    Ok(files)
}

fn one(reason: String) -> Diagnostics {
    let mut d = Diagnostics::default();
    d.push(Diagnostic::model("model", reason));
    d
}

/// Fixture models whose crates are checked in too, so that tests can use the
/// generated code of every shape type and of endpoint rules: (model, crate
/// directory, crate name).
pub const FIXTURE_CRATES: &[(&str, &str, &str)] = &[
    (
        "tests/fixtures/all-features.json",
        "tests/generated/kitchen-sink",
        "kitchen-sink",
    ),
    (
        "tests/fixtures/endpoint-rules.json",
        "tests/generated/endpoint-rules",
        "endpoint-rules",
    ),
];

/// Every file `generated/` (and each fixture crate's directory) should hold,
/// by path relative to the repository root: one crate per service in the
/// merged model, named after the service, and one per fixture crate.
pub fn expected(root: &Path) -> Result<BTreeMap<PathBuf, String>, Diagnostics> {
    let files = model_files(root)?;
    let model = crate::load(&files)?;
    let mut services: Vec<String> = model
        .shapes
        .iter()
        .filter(|(_, s)| s.kind == "service")
        .map(|(id, _)| id.clone())
        .collect();
    services.sort();
    let mut out = BTreeMap::new();
    let mut diags = Diagnostics::default();
    let mut crates: BTreeMap<String, String> = BTreeMap::new();
    for service in &services {
        match crate::generate(&model, Some(service), &Options::default()) {
            Ok(GeneratedCrate { name, files, .. }) => {
                if let Some(prev) = crates.insert(name.clone(), service.clone()) {
                    diags.push(Diagnostic::shape(
                        service,
                        format!("its crate name `{name}` is also the one of `{prev}`"),
                    ));
                }
                for (path, text) in files {
                    out.insert(Path::new("generated").join(&name).join(path), text);
                }
            }
            Err(d) => diags.extend(d),
        }
    }
    for (fixture, dir, name) in FIXTURE_CRATES {
        let options = Options {
            runtime_path: "../../../runtime".into(),
            crate_name: Some(name.to_string()),
            ..Options::default()
        };
        let generated = crate::load(&[root.join(fixture)])
            .and_then(|model| crate::generate(&model, None, &options));
        match generated {
            Ok(GeneratedCrate { files, .. }) => {
                for (path, text) in files {
                    out.insert(Path::new(dir).join(path), text);
                }
            }
            Err(d) => diags.extend(d),
        }
    }
    diags.into_result(out)
}

/// The directories `expected` writes into, relative to the repository root.
pub fn output_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![PathBuf::from("generated")];
    dirs.extend(FIXTURE_CRATES.iter().map(|(_, dir, _)| PathBuf::from(dir)));
    dirs
}

/// A difference between the expected and the actual `generated/`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    Missing(PathBuf),
    Stale(PathBuf),
    Orphaned(PathBuf),
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Change::Missing(p) => write!(f, "missing:  {}", p.display()),
            Change::Stale(p) => write!(f, "stale:    {}", p.display()),
            Change::Orphaned(p) => write!(f, "orphaned: {}", p.display()),
        }
    }
}

/// Compares `expected` with the files under `root/generated`.
pub fn diff(root: &Path, expected: &BTreeMap<PathBuf, String>) -> Vec<Change> {
    let mut changes = Vec::new();
    for (path, text) in expected {
        match std::fs::read_to_string(root.join(path)) {
            Ok(actual) if actual == *text => {}
            Ok(_) => changes.push(Change::Stale(path.clone())),
            Err(_) => changes.push(Change::Missing(path.clone())),
        }
    }
    let mut on_disk = Vec::new();
    for dir in output_dirs() {
        walk(&root.join(dir), root, &mut on_disk);
    }
    for path in on_disk {
        if !expected.contains_key(&path) {
            changes.push(Change::Orphaned(path));
        }
    }
    changes.sort();
    changes
}

fn walk(dir: &Path, root: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            // Build output inside a generated crate is not part of it.
            if path.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            walk(&path, root, out);
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push(rel.to_path_buf());
        }
    }
}

/// Applies the changes: writes missing and stale files, deletes orphans.
pub fn apply(
    root: &Path,
    expected: &BTreeMap<PathBuf, String>,
    changes: &[Change],
) -> std::io::Result<()> {
    for change in changes {
        match change {
            Change::Missing(p) | Change::Stale(p) => {
                let full = root.join(p);
                if let Some(parent) = full.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(full, &expected[p])?;
            }
            Change::Orphaned(p) => {
                std::fs::remove_file(root.join(p))?;
                let tops: Vec<PathBuf> = output_dirs().iter().map(|d| root.join(d)).collect();
                let mut dir = root.join(p);
                while dir.pop() && !tops.contains(&dir) && std::fs::remove_dir(&dir).is_ok() {}
            }
        }
    }
    Ok(())
}
