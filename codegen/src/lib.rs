//! Generator library: Smithy 2.0 JSON AST in, Rust client crate out.
//!
//! The stages run in order: [`ast`] parses each file, [`model`] merges them with
//! the prelude, [`validate`] checks the model, [`lower`] builds the [`ir`] for one
//! service, and [`emit`] turns the IR into formatted source files.

pub mod ast;
pub mod diagnostics;
pub mod emit;
pub mod idl;
pub mod ir;
pub mod lower;
pub mod model;
pub mod names;
pub mod pattern;
pub mod project;
pub mod protocol;
pub mod protocol_tests;
pub mod traits;
pub mod validate;

pub use diagnostics::{Diagnostic, Diagnostics};
pub use emit::{GeneratedCrate, Options};

use std::path::Path;

/// Reads and merges model files: JSON AST (`.json`) and IDL (`.smithy`)
/// files, and folders of them, searched recursively. Validation runs in
/// [`generate`], together with lowering, so one report holds every problem
/// of both stages.
pub fn load(paths: &[impl AsRef<Path>]) -> Result<model::Model, Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut files = Vec::new();
    for path in paths {
        let path = path.as_ref();
        if let Err(e) = collect_model_files(path, &mut files) {
            diags.push(Diagnostic::model(
                &path.display().to_string(),
                format!("cannot be read: {e}"),
            ));
        }
    }
    let mut texts = Vec::new();
    for path in &files {
        let name = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => texts.push((name, text)),
            Err(e) => diags.push(Diagnostic::model(&name, format!("cannot be read: {e}"))),
        }
    }
    match load_texts(&texts) {
        Ok(model) => diags.into_result(model),
        Err(more) => {
            diags.extend(more);
            Err(diags.sorted())
        }
    }
}

/// Reads and merges model texts, each named like its file: a name ending in
/// `.smithy` is IDL, anything else JSON AST. Relative shape ids of IDL files
/// resolve against the shapes of every text.
pub fn load_texts(texts: &[(String, String)]) -> Result<model::Model, Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut json = Vec::new();
    let mut idl_files = Vec::new();
    for (name, text) in texts {
        if name.ends_with(".smithy") {
            match idl::parse_file(name, text) {
                Ok(parsed) => idl_files.push(parsed),
                Err(d) => diags.extend(d),
            }
        } else {
            match ast::parse(text) {
                Ok(ast) => json.push((name.clone(), ast)),
                Err(e) => diags.push(Diagnostic::model(
                    name,
                    format!("is not a valid Smithy JSON AST: {e}"),
                )),
            }
        }
    }
    let mut defined: std::collections::BTreeSet<String> = json
        .iter()
        .flat_map(|(_, m): &(String, ast::AstModel)| {
            m.shapes
                .iter()
                .filter(|(_, s)| s.kind != crate::ast::ShapeKind::Apply)
                .map(|(id, _)| id.clone())
        })
        .collect();
    for p in &idl_files {
        defined.extend(p.defined_ids());
    }
    let mut models = json;
    for p in &idl_files {
        match idl::to_ast(p, &defined) {
            Ok(m) => models.push((p.name.clone(), m)),
            Err(d) => diags.extend(d),
        }
    }
    diags.extend(idl::fill_elided(&mut models));
    diags.into_result(())?;
    load_parsed(models)
}

/// The model files a path names: the file itself, or every `.json` and
/// `.smithy` file under a folder, in name order.
pub fn collect_model_files(path: &Path, out: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for entry in entries {
            if entry.is_dir() {
                collect_model_files(&entry, out)?;
            } else if entry
                .extension()
                .is_some_and(|e| e == "json" || e == "smithy")
            {
                out.push(entry);
            }
        }
        Ok(())
    } else {
        std::fs::metadata(path)?;
        out.push(path.to_path_buf());
        Ok(())
    }
}

/// Merges already-parsed files (named for messages).
pub fn load_parsed(files: Vec<(String, ast::AstModel)>) -> Result<model::Model, Diagnostics> {
    model::merge(files)
}

/// Validates a loaded model and generates the crate for one of its services.
///
/// Lowering copes with an invalid model, so its problems (bad bindings,
/// conflicting names) are reported alongside validation's. An operation that
/// reaches a feature the generator does not support is left out, listed in
/// [`GeneratedCrate::left_out`] and the crate's documentation, unless
/// [`Options::strict`] asks to fail instead. [`Options::operations`] limits the
/// crate to some operations and the shapes they reach.
pub fn generate(
    model: &model::Model,
    service: Option<&str>,
    options: &Options,
) -> Result<GeneratedCrate, Diagnostics> {
    let invalid = validate::validate(model);
    let service_id = lower::choose_service(model, service)?;
    let selected = select_operations(model, &service_id, &options.operations)?;
    if !invalid.is_empty() {
        // Report lowering's problems too, in one list.
        let mut all = invalid;
        if let Err(more) = lower::lower_operations(model, &service_id, &selected) {
            all.extend(more);
        }
        return Err(all.sorted());
    }
    let mut left_out: Vec<ir::LeftOut> = Vec::new();
    // The report of the first attempt names every problem; later attempts
    // only see what leaving operations out did not fix.
    let mut first_report: Option<Diagnostics> = None;
    loop {
        let included: Vec<String> = selected
            .iter()
            .filter(|op| !left_out.iter().any(|l| &l.operation == *op))
            .cloned()
            .collect();
        let diags = match lower::lower_operations(model, &service_id, &included) {
            Ok(mut ir) => {
                for l in &left_out {
                    ir.notes.push(
                        Diagnostic::shape(
                            &l.operation,
                            format!("left out: {}", l.reasons.join("; ")),
                        )
                        .note(),
                    );
                }
                ir.left_out = left_out;
                return emit_reporting(&ir, options);
            }
            Err(diags) => diags,
        };
        let only_unsupported = diags.0.iter().all(|d| d.kind != diagnostics::Kind::Invalid);
        if options.strict || !only_unsupported {
            return Err(diags);
        }
        let first_report = first_report.get_or_insert_with(|| diags.clone());
        // Leave out every operation that reaches an unsupported shape, then lower again.
        let before = left_out.len();
        for op in &included {
            let reach = model.reachable_from(op);
            let reasons: Vec<String> = diags
                .0
                .iter()
                .filter(|d| reach.contains(&d.subject))
                .map(|d| match &d.member {
                    Some(m) => format!("`{}${m}` {}", d.subject, d.reason),
                    None => format!("`{}` {}", d.subject, d.reason),
                })
                .collect();
            if !reasons.is_empty() {
                left_out.push(ir::LeftOut {
                    operation: op.clone(),
                    reasons,
                });
            }
        }
        // A problem no operation reaches (on the service itself) cannot be left out.
        if left_out.len() == before {
            return Err(first_report.clone());
        }
    }
}

/// The operations to generate: every operation of the service, or those
/// `wanted` names (by shape id or name), each of which must exist.
fn select_operations(
    model: &model::Model,
    service: &str,
    wanted: &[String],
) -> Result<Vec<String>, Diagnostics> {
    let all = model.operations_of(service);
    if wanted.is_empty() {
        return Ok(all);
    }
    let mut selected = Vec::new();
    let mut d = Diagnostics::default();
    for w in wanted {
        match all.iter().find(|op| *op == w || model::local_name(op) == w) {
            Some(op) if !selected.contains(op) => selected.push(op.clone()),
            Some(_) => {}
            None => d.push(Diagnostic::shape(
                service,
                format!("has no operation `{w}` (asked for with --operation)"),
            )),
        }
    }
    selected.sort();
    d.into_result(selected)
}

/// Emits the crate; a generator bug that produces unparsable code is reported
/// like a model problem instead of panicking.
fn emit_reporting(ir: &ir::CrateIr, options: &Options) -> Result<GeneratedCrate, Diagnostics> {
    emit::emit(ir, options).map_err(|e| {
        let mut d = Diagnostics::default();
        d.push(Diagnostic::shape(
            &ir.service.id,
            format!("generated code did not parse: {e}"),
        ));
        d
    })
}

/// Parses, validates, lowers and emits in one call, from JSON texts (named for messages).
pub fn generate_from_texts(
    texts: &[(&str, &str)],
    service: Option<&str>,
    options: &Options,
) -> Result<GeneratedCrate, Diagnostics> {
    let texts: Vec<(String, String)> = texts
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    let model = load_texts(&texts)?;
    generate(&model, service, options)
}
