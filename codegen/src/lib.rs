//! Generator library: Smithy 2.0 JSON AST in, Rust client crate out.
//!
//! The stages run in order: [`ast`] parses each file, [`model`] merges them with
//! the prelude, [`validate`] checks the model, [`lower`] builds the [`ir`] for one
//! service, and [`emit`] turns the IR into formatted source files.

pub mod ast;
pub mod diagnostics;
pub mod emit;
pub mod ir;
pub mod lower;
pub mod model;
pub mod names;
pub mod pattern;
pub mod project;
pub mod protocol_tests;
pub mod traits;
pub mod validate;

pub use diagnostics::{Diagnostic, Diagnostics};
pub use emit::{GeneratedCrate, Options};

use std::path::Path;

/// Reads and merges model files. Validation runs in [`generate`], together with
/// lowering, so one report holds every problem of both stages.
pub fn load(paths: &[impl AsRef<Path>]) -> Result<model::Model, Diagnostics> {
    let mut files = Vec::new();
    let mut diags = Diagnostics::default();
    for path in paths {
        let path = path.as_ref();
        let name = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => match ast::parse(&text) {
                Ok(ast) => files.push((name, ast)),
                Err(e) => diags.push(Diagnostic::model(
                    &name,
                    format!("is not a valid Smithy JSON AST: {e}"),
                )),
            },
            Err(e) => diags.push(Diagnostic::model(&name, format!("cannot be read: {e}"))),
        }
    }
    diags.into_result(())?;
    load_parsed(files)
}

/// Merges already-parsed files (named for messages).
pub fn load_parsed(files: Vec<(String, ast::AstModel)>) -> Result<model::Model, Diagnostics> {
    model::merge(files)
}

/// Validates a loaded model and generates the crate for one of its services.
/// Lowering copes with an invalid model, so its problems (name collisions,
/// unsupported features, bad bindings) are reported alongside validation's.
pub fn generate(
    model: &model::Model,
    service: Option<&str>,
    options: &Options,
) -> Result<GeneratedCrate, Diagnostics> {
    let mut diags = validate::validate(model);
    let ir = match lower::lower(model, service) {
        Ok(ir) => diags.into_result(ir)?,
        Err(more) => {
            diags.extend(more);
            return Err(diags.sorted());
        }
    };
    emit_reporting(&ir, options)
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

/// An operation [`generate_supported`] left out, and why.
#[derive(Debug, Clone)]
pub struct Skipped {
    pub operation: String,
    pub reasons: Vec<String>,
}

/// Like [`generate`], but leaves out every operation that reaches a feature
/// the generator does not support (reported as `unsupported`), instead of
/// failing. Invalid models still fail.
pub fn generate_supported(
    model: &model::Model,
    service: Option<&str>,
    options: &Options,
) -> Result<(GeneratedCrate, Vec<Skipped>), Diagnostics> {
    let invalid = validate::validate(model);
    if !invalid.is_empty() {
        return Err(invalid.sorted());
    }
    let service_id = service.map(str::to_string).or_else(|| model.only_service());
    let mut exclude = std::collections::BTreeSet::new();
    let mut skipped = Vec::new();
    loop {
        let diags = match lower::lower_excluding(model, service, &exclude) {
            Ok(ir) => return Ok((emit_reporting(&ir, options)?, skipped)),
            Err(diags) => diags,
        };
        if diags
            .0
            .iter()
            .any(|d| d.kind != diagnostics::Kind::Unsupported)
        {
            return Err(diags);
        }
        // Leave out every operation that reaches an unsupported shape, then lower again.
        let before = skipped.len();
        for op in model.operations_of(service_id.as_deref().unwrap_or_default()) {
            if exclude.contains(&op) {
                continue;
            }
            let reach = model.reachable_from(&op);
            let reasons: Vec<String> = diags
                .0
                .iter()
                .filter(|d| reach.contains(&d.subject))
                .map(|d| d.to_string())
                .collect();
            if !reasons.is_empty() {
                exclude.insert(op.clone());
                skipped.push(Skipped {
                    operation: op,
                    reasons,
                });
            }
        }
        if skipped.len() == before {
            return Err(diags);
        }
    }
}

/// Parses, validates, lowers and emits in one call, from JSON texts (named for messages).
pub fn generate_from_texts(
    texts: &[(&str, &str)],
    service: Option<&str>,
    options: &Options,
) -> Result<GeneratedCrate, Diagnostics> {
    let mut files = Vec::new();
    let mut diags = Diagnostics::default();
    for (name, text) in texts {
        match ast::parse(text) {
            Ok(ast) => files.push((name.to_string(), ast)),
            Err(e) => diags.push(Diagnostic::model(
                name,
                format!("is not a valid Smithy JSON AST: {e}"),
            )),
        }
    }
    diags.into_result(())?;
    let model = load_parsed(files)?;
    generate(&model, service, options)
}
