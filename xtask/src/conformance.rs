//! Task: `cargo xtask conformance`. Generates a service's client with its
//! protocol tests into a scratch crate, runs them, and compares the outcome
//! with the checked-in list of expected failures.

use smithy_codegen::Options;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn run(args: &[String], root: &Path) -> Result<(), String> {
    let mut models: Vec<PathBuf> = Vec::new();
    let mut services: Vec<String> = Vec::new();
    let mut expected_path = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |flag: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match arg.as_str() {
            "--model" => models.push(PathBuf::from(value("--model")?)),
            "--service" => services.push(value("--service")?),
            "--expected-failures" => {
                expected_path = Some(PathBuf::from(value("--expected-failures")?))
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if models.is_empty() {
        models.push(root.join("../shared/conformance/restjson1.json"));
    }
    let stem = models[0]
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let expected_path = expected_path.unwrap_or_else(|| {
        root.join("xtask/expected-failures")
            .join(format!("{stem}.txt"))
    });
    let loaded = smithy_codegen::load(&models).map_err(|d| d.to_string())?;
    // Without `--service`: every service that has client protocol tests.
    if services.is_empty() {
        services = loaded
            .shapes
            .iter()
            .filter(|(_, s)| s.kind == smithy_codegen::ast::ShapeKind::Service)
            .map(|(id, _)| id.clone())
            .filter(|id| {
                loaded.operations_of(id).iter().any(|op| {
                    !smithy_codegen::protocol_tests::client_case_ids(&loaded, id, op).is_empty()
                })
            })
            .collect();
    }
    let mut outcomes = crate::expected::Outcomes::new();
    for service in &services {
        let name = if services.len() == 1 {
            stem.clone()
        } else {
            format!("{stem}-{}", service.rsplit('#').next().unwrap_or(service))
        };
        outcomes.extend(run_service(&loaded, service, &name, root)?);
    }
    crate::expected::report(&outcomes, &expected_path)
}

/// Generates one service with its protocol tests, runs them, and returns
/// each case's outcome.
fn run_service(
    loaded: &smithy_codegen::model::Model,
    service: &str,
    name: &str,
    root: &Path,
) -> Result<crate::expected::Outcomes, String> {
    let options = Options {
        runtime_path: root.join("runtime").display().to_string(),
        command: "cargo xtask conformance".into(),
        crate_name: Some(format!(
            "{}-conformance",
            name.replace('_', "-").to_lowercase()
        )),
        ..Options::default()
    };
    let generated = smithy_codegen::generate(loaded, Some(service), &options)
        .map_err(|d| format!("{service} cannot be generated:\n{d}"))?;
    let mut outcomes = crate::expected::Outcomes::new();
    for s in &generated.left_out {
        eprintln!("left out {}: {}", s.operation, s.reasons.join("; "));
        for (id, kind) in
            smithy_codegen::protocol_tests::client_case_ids(loaded, service, &s.operation)
        {
            outcomes.insert(
                format!("{id} ({kind})"),
                Err(format!("operation {} is not generated", s.operation)),
            );
        }
    }

    // The scratch crate lives under target/, so its build is incremental and
    // shares the workspace's compiled dependencies.
    let target = root.join("target");
    let dir = target.join("conformance").join(&generated.name);
    for (path, text) in &generated.files {
        let full = dir.join(path);
        let text = if path == "Cargo.toml" {
            format!("{text}\n[workspace]\n")
        } else {
            text.clone()
        };
        if std::fs::read_to_string(&full).ok().as_deref() == Some(text.as_str()) {
            continue;
        }
        std::fs::create_dir_all(full.parent().unwrap_or(&dir))
            .and_then(|_| std::fs::write(&full, text))
            .map_err(|e| format!("cannot write {}: {e}", full.display()))?;
    }
    eprintln!(
        "running {} protocol tests of {} in {}",
        generated.protocol_tests.len(),
        generated.name,
        dir.display()
    );
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        // Validation cases check @pattern, which needs the `patterns` feature.
        .args([
            "test",
            "--quiet",
            "--lib",
            "--features",
            "patterns",
            "--manifest-path",
        ])
        .arg(dir.join("Cargo.toml"))
        .args(["--", "protocol_tests::", "--format=terse"])
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .map_err(|e| format!("cannot run cargo test: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !stdout.contains("test result:") {
        return Err(format!(
            "the generated tests did not build or run:\n{stderr}\n{stdout}"
        ));
    }
    let failures = parse_failures(&stdout);
    for t in &generated.protocol_tests {
        let key = format!("{} ({})", t.id, t.kind);
        let outcome = match failures.get(&t.path) {
            Some(reason) => Err(reason.clone()),
            None => Ok(()),
        };
        outcomes.insert(key, outcome);
    }
    Ok(outcomes)
}

/// The failing tests by path, each with the first line of its panic message.
/// libtest prints each failure's captured output under `---- path stdout ----`;
/// the message is the line after `panicked at …:`.
fn parse_failures(stdout: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut lines = stdout.lines();
    while let Some(line) = lines.next() {
        if let Some(name) = line
            .strip_prefix("---- ")
            .and_then(|l| l.strip_suffix(" stdout ----"))
        {
            current = Some(name.to_string());
            out.insert(name.to_string(), "failed".to_string());
        } else if line.starts_with("thread '") && line.contains(" panicked at ") {
            if let (Some(name), Some(message)) = (&current, lines.next()) {
                out.insert(name.clone(), message.trim().to_string());
            }
        }
    }
    out
}
