//! Task: `cargo xtask corpus PATH…`. Generates a client for every model file
//! found under the paths, checks every generated crate with rustc warnings
//! denied, and reports one line per failing model and a `N passed, M failed`
//! total.
//!
//! All crates go into one scratch workspace under `target/corpus/`, checked by
//! a single `cargo check --keep-going`, so the runtime and its dependencies
//! compile once and cargo spreads the crates over the cores. Files are only
//! rewritten when their content changed, so a rerun is incremental.

use smithy_codegen::Options;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

pub fn run(args: &[String], root: &Path) -> Result<(), String> {
    let mut paths = Vec::new();
    let mut expected_path = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--expected-failures" => {
                expected_path = Some(PathBuf::from(
                    it.next().ok_or("--expected-failures needs a value")?,
                ))
            }
            flag if flag.starts_with("--") => return Err(format!("unknown argument `{flag}`")),
            path => paths.push(PathBuf::from(path)),
        }
    }
    if paths.is_empty() {
        return Err("usage: cargo xtask corpus PATH… (model files or folders of them)".into());
    }
    let models = model_files(&paths)?;
    if models.is_empty() {
        return Err("no model files (*.json) under the given paths".into());
    }
    let scratch = root.join("target/corpus");
    let started = Instant::now();
    // Model file name → why it failed.
    let mut failures: BTreeMap<String, String> = BTreeMap::new();
    // Generated crate directory name → model file name.
    let mut crates: BTreeMap<String, String> = BTreeMap::new();
    let mut slowest = (0.0f64, String::new());
    for model in &models {
        let label = model
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let t = Instant::now();
        match generate(model, root, &scratch) {
            Ok((dir, notes)) => {
                crates.insert(dir, label.clone());
                if notes > 0 {
                    eprintln!("{label}: generated with {notes} note(s)");
                }
            }
            Err(reason) => {
                failures.insert(label.clone(), format!("generation: {reason}"));
            }
        }
        let secs = t.elapsed().as_secs_f64();
        if secs > slowest.0 {
            slowest = (secs, label);
        }
    }
    let generated_in = started.elapsed();
    eprintln!(
        "generated {} crate(s) in {:.1} s (slowest: {} in {:.2} s); checking them",
        crates.len(),
        generated_in.as_secs_f64(),
        slowest.1,
        slowest.0
    );
    write_workspace(&scratch, &crates)?;
    let checked = Instant::now();
    for (dir, error) in check(&scratch, crates.keys().cloned().collect())? {
        if let Some(label) = crates.get(&dir) {
            failures.insert(label.clone(), format!("check: {error}"));
        }
    }
    eprintln!(
        "checked in {:.1} s; {:.1} s in all",
        checked.elapsed().as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    let expected_path = expected_path.unwrap_or_else(|| {
        let stem = paths
            .first()
            .and_then(|p| p.file_name())
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        root.join("xtask/expected-failures")
            .join(format!("corpus-{stem}.txt"))
    });
    let outcomes: crate::expected::Outcomes = models
        .iter()
        .filter_map(|m| m.file_name().map(|n| n.to_string_lossy().into_owned()))
        .map(|name| {
            let outcome = failures.get(&name).map_or(Ok(()), |f| Err(f.clone()));
            (name, outcome)
        })
        .collect();
    crate::expected::report(&outcomes, &expected_path)
}

/// Every model file (`*.json`, `*.smithy`) among `paths`, folders searched
/// recursively, sorted: each is one model.
pub fn model_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for path in paths {
        collect(path, &mut out).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        for entry in std::fs::read_dir(path)? {
            collect(&entry?.path(), out)?;
        }
    } else if path
        .extension()
        .is_some_and(|x| x == "json" || x == "smithy")
        || !path.exists()
    {
        // A path that does not exist is reported when it is read.
        out.push(path.to_path_buf());
    }
    Ok(())
}

/// Generates one model into `scratch/<file stem>`; returns the directory name
/// and the number of notes (left-out operations, renames).
fn generate(model: &Path, root: &Path, scratch: &Path) -> Result<(String, usize), String> {
    let loaded = smithy_codegen::load(&[model]).map_err(|d| first_line(&d.to_string()))?;
    let dir_name = model
        .file_stem()
        .map(|s| s.to_string_lossy().replace(['.', '_'], "-"))
        .unwrap_or_default();
    let options = Options {
        runtime_path: root.join("runtime").display().to_string(),
        command: "cargo xtask corpus".into(),
        crate_name: Some(format!("corpus-{dir_name}")),
        protocol_tests: false,
        ..Options::default()
    };
    let generated = smithy_codegen::generate(&loaded, None, &options)
        .map_err(|d| first_line(&d.to_string()))?;
    let dir = scratch.join(&dir_name);
    for (path, text) in &generated.files {
        let full = dir.join(path);
        if std::fs::read_to_string(&full).ok().as_deref() == Some(text.as_str()) {
            continue;
        }
        std::fs::create_dir_all(full.parent().unwrap_or(&dir))
            .and_then(|_| std::fs::write(&full, text))
            .map_err(|e| format!("cannot write {}: {e}", full.display()))?;
    }
    Ok((dir_name, generated.notes.len()))
}

/// The first problem of a report (the line after its summary).
fn first_line(report: &str) -> String {
    let mut lines = report.lines().filter(|l| !l.trim().is_empty());
    let first = lines.next().unwrap_or_default();
    match lines.next() {
        Some(problem) if first.starts_with("the model has") => problem.trim().to_string(),
        _ => first.trim().to_string(),
    }
}

/// The scratch workspace: every generated crate is a member; crates of models
/// no longer in the run are removed so they are not checked.
fn write_workspace(scratch: &Path, crates: &BTreeMap<String, String>) -> Result<(), String> {
    std::fs::create_dir_all(scratch).map_err(|e| e.to_string())?;
    if let Ok(entries) = std::fs::read_dir(scratch) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_crate = entry.path().join("Cargo.toml").exists();
            if is_crate && !crates.contains_key(&name) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    let members: Vec<String> = crates.keys().map(|c| format!("    \"{c}\",")).collect();
    let manifest = format!(
        "# Written by `cargo xtask corpus`.\n[workspace]\nresolver = \"2\"\nmembers = [\n{}\n]\n",
        members.join("\n")
    );
    let path = scratch.join("Cargo.toml");
    if std::fs::read_to_string(&path).ok().as_deref() != Some(manifest.as_str()) {
        std::fs::write(&path, manifest).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Runs `cargo check` over the scratch workspace with warnings denied and
/// returns the first error of each crate that failed, by directory name.
fn check(scratch: &Path, members: Vec<String>) -> Result<BTreeMap<String, String>, String> {
    let mut failures = BTreeMap::new();
    if members.is_empty() {
        return Ok(failures);
    }
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "check",
            "--workspace",
            "--keep-going",
            "--message-format=json",
            "--manifest-path",
        ])
        .arg(scratch.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", scratch.join("target"))
        .env("RUSTFLAGS", "-D warnings")
        .output()
        .map_err(|e| format!("cannot run cargo check: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    for line in stdout.lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if msg["reason"] != "compiler-message" || msg["message"]["level"] != "error" {
            continue;
        }
        // The package's directory name ends its manifest path (`…/corpus/<dir>/Cargo.toml`).
        let manifest = msg["manifest_path"].as_str().unwrap_or_default();
        let Some(dir) = Path::new(manifest)
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
        else {
            continue;
        };
        let text = msg["message"]["message"].as_str().unwrap_or_default();
        if text.starts_with("aborting due to") || text.starts_with("could not compile") {
            continue;
        }
        let span = &msg["message"]["spans"][0];
        let at = match (span["file_name"].as_str(), span["line_start"].as_u64()) {
            (Some(file), Some(line)) => format!(" ({file}:{line})"),
            _ => String::new(),
        };
        failures.entry(dir).or_insert_with(|| format!("{text}{at}"));
    }
    if !output.status.success() && failures.is_empty() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!(
            "cargo check failed without a compiler error:\n{stderr}"
        ));
    }
    // A crate cargo could not even start (a manifest error) has no message of its own.
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        for member in &members {
            let marker = format!("could not compile `corpus-{member}`");
            if !failures.contains_key(member) && stderr.contains(&marker) {
                failures.insert(member.clone(), "did not build (see cargo's output)".into());
            }
        }
    }
    Ok(failures)
}
