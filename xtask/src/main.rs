//! Task runner: `cargo xtask codegen` drives the generator over this repository's
//! model, or over any model given on the command line.

mod conformance;
mod corpus;
mod endpoints;
mod expected;
mod idl_tests;

use smithy_codegen::project::{self, Change};
use smithy_codegen::Options;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "\
usage:
  cargo xtask codegen              regenerate generated/ from model/*.json
  cargo xtask codegen --check      exit non-zero if generated/ is not what codegen would write
  cargo xtask codegen --model FILE [--model FILE ...] --out DIR [--service SHAPE_ID] [--crate-name NAME]
                     [--operation NAME ...] [--strict]
                                   generate a standalone crate for one service of any model;
                                   --operation keeps only those operations (and the shapes they
                                   reach); operations that reach an unsupported feature are left
                                   out and listed, unless --strict makes that an error
  cargo xtask conformance [--model PATH ...] [--service SHAPE_ID ...] [--expected-failures FILE]
                                   run a model's protocol tests (default: ../shared/conformance/restjson1.json),
                                   every service with client cases unless --service names some
                                   and compare with xtask/expected-failures/<model>.txt
  cargo xtask ast PATH...          print the merged model (IDL and JSON AST files or folders) as JSON AST
  cargo xtask idl-tests [DIR]      Smithy's IDL loader tests (default ../shared/smithy/idl-tests)
  cargo xtask endpoint-tests PATH... run every smithy.rules#endpointTests case of each model file
  cargo xtask corpus PATH...       generate every model file under PATH (files or folders) into
                                   target/corpus/, check each crate with warnings denied, and
                                   compare with xtask/expected-failures/corpus-<first path>.txt";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => codegen(&args[1..]),
        Some("conformance") => conformance::run(&args[1..], &repo_root()),
        Some("corpus") => corpus::run(&args[1..], &repo_root()),
        Some("endpoint-tests") => endpoints::run(&args[1..], &repo_root()),
        Some("idl-tests") => idl_tests::run(&args[1..], &repo_root()),
        Some("ast") => ast(&args[1..]),
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// `cargo xtask ast PATH…`: the merged model as JSON AST, sorted and stable
/// (the JVM-free `smithy ast`).
fn ast(paths: &[String]) -> Result<(), String> {
    if paths.is_empty() {
        return Err("usage: cargo xtask ast PATH...".into());
    }
    let model = smithy_codegen::load(paths).map_err(|d| d.to_string())?;
    print!("{}", model.to_json_text());
    Ok(())
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the repository")
        .to_path_buf()
}

fn codegen(args: &[String]) -> Result<(), String> {
    let mut check = false;
    let mut models = Vec::new();
    let mut out = None;
    let mut service = None;
    let mut crate_name = None;
    let mut operations = Vec::new();
    let mut strict = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |flag: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value\n\n{USAGE}"))
        };
        match arg.as_str() {
            "--check" => check = true,
            "--model" => models.push(PathBuf::from(value("--model")?)),
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--service" => service = Some(value("--service")?),
            "--crate-name" => crate_name = Some(value("--crate-name")?),
            "--operation" => operations.push(value("--operation")?),
            "--strict" => strict = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument `{other}`\n\n{USAGE}")),
        }
    }
    match (models.is_empty(), out) {
        (true, None) if !operations.is_empty() || strict => Err(format!(
            "--operation and --strict go with --model and --out\n\n{USAGE}"
        )),
        (true, None) => project_codegen(check),
        (false, Some(out)) if !check => {
            let options = Options {
                runtime_path: repo_root().join("runtime").display().to_string(),
                command: "cargo xtask codegen --model".into(),
                crate_name,
                protocol_tests: true,
                strict,
                operations,
            };
            standalone(&models, &out, service.as_deref(), &options)
        }
        _ => Err(format!(
            "--model and --out go together, without --check\n\n{USAGE}"
        )),
    }
}

fn project_codegen(check: bool) -> Result<(), String> {
    let root = repo_root();
    let expected = project::expected(&root).map_err(|d| d.to_string())?;
    let changes = project::diff(&root, &expected);
    if check {
        if changes.is_empty() {
            println!("generated/ is up to date ({} files)", expected.len());
            return Ok(());
        }
        let list: Vec<String> = changes.iter().map(|c| format!("  {c}")).collect();
        return Err(format!(
            "generated/ does not match model/ ({} file(s)):\n{}\nrun `cargo xtask codegen` to fix it",
            changes.len(),
            list.join("\n")
        ));
    }
    project::apply(&root, &expected, &changes)
        .map_err(|e| format!("cannot write generated/: {e}"))?;
    if changes.is_empty() {
        println!(
            "generated/ is up to date ({} files unchanged)",
            expected.len()
        );
    }
    for c in &changes {
        let verb = match c {
            Change::Missing(_) => "created",
            Change::Stale(_) => "updated",
            Change::Orphaned(_) => "removed",
        };
        let (Change::Missing(p) | Change::Stale(p) | Change::Orphaned(p)) = c;
        println!("{verb} {}", p.display());
    }
    Ok(())
}

fn standalone(
    models: &[PathBuf],
    out: &Path,
    service: Option<&str>,
    options: &Options,
) -> Result<(), String> {
    let model = smithy_codegen::load(models).map_err(|d| d.to_string())?;
    let generated =
        smithy_codegen::generate(&model, service, options).map_err(|d| d.to_string())?;
    for note in &generated.notes {
        eprintln!("{note}");
    }
    let mut written = 0;
    for (path, text) in &generated.files {
        let full = out.join(path);
        // A standalone crate is its own workspace, wherever it is written.
        let text = if path == "Cargo.toml" {
            format!("{text}\n[workspace]\n")
        } else {
            text.clone()
        };
        if std::fs::read_to_string(&full).ok().as_deref() == Some(text.as_str()) {
            continue;
        }
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&full, text).map_err(|e| format!("cannot write {}: {e}", full.display()))?;
        println!("wrote {}", full.display());
        written += 1;
    }
    println!(
        "crate `{}` in {} ({written} of {} files changed)",
        generated.name,
        out.display(),
        generated.files.len()
    );
    Ok(())
}
