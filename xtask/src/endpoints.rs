//! Task: `cargo xtask endpoint-tests PATH…` runs every `smithy.rules#endpointTests`
//! case of every model given through the runtime's rules engine, the resolver
//! generated clients use.

use crate::expected::{self, Outcomes};
use serde_json::Value as Json;
use smithy_client_runtime::endpoint::{run_test_case, CaseOutcome, RuleSet};
use std::path::{Path, PathBuf};

pub fn run(args: &[String], root: &Path) -> Result<(), String> {
    if args.is_empty() {
        return Err("usage: cargo xtask endpoint-tests PATH...".into());
    }
    let paths: Vec<PathBuf> = args.iter().map(PathBuf::from).collect();
    let files = crate::corpus::model_files(&paths)?;
    let mut outcomes = Outcomes::new();
    for file in &files {
        let name = file
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        // Each file is one model, read by the same loader as `codegen` (JSON
        // AST or IDL).
        let model = match smithy_codegen::load(&[file]) {
            Ok(m) => m,
            Err(d) => {
                outcomes.insert(name.clone(), Err(format!("the model does not load: {d}")));
                continue;
            }
        };
        let services = model
            .shapes
            .iter()
            .filter(|(_, s)| s.kind == smithy_codegen::ast::ShapeKind::Service);
        for (id, service) in services {
            let traits = &service.traits;
            let Some(rules) = traits.get("smithy.rules#endpointRuleSet") else {
                continue;
            };
            let cases = traits
                .get("smithy.rules#endpointTests")
                .and_then(|t| t.get("testCases"))
                .and_then(Json::as_array)
                .cloned()
                .unwrap_or_default();
            // The loader's JSON as the runtime's own document type.
            let document = |v: &Json| v.to_string().parse::<smithy_client_runtime::Document>();
            let rules = document(rules)
                .map_err(|e| e.to_string())
                .and_then(|rules| RuleSet::from_json(&rules).map_err(|e| e.to_string()));
            for (n, case) in cases.iter().enumerate() {
                let doc = case
                    .get("documentation")
                    .and_then(Json::as_str)
                    .unwrap_or("");
                let key = format!("{name} {id} #{n} ({doc})");
                let outcome = match &rules {
                    Ok(rules) => match document(case).map(|case| run_test_case(rules, &case)) {
                        Err(e) => Err(e.to_string()),
                        Ok(outcome) => match outcome {
                            CaseOutcome::Passed => Ok(()),
                            CaseOutcome::PredatesIsoDualStack(e) => {
                                Err(format!("{PREDATES_ISO_DUAL_STACK} {e}"))
                            }
                            CaseOutcome::Failed(e) => Err(e),
                        },
                    },
                    Err(e) => Err(e.clone()),
                };
                outcomes.insert(key, outcome);
            }
        }
    }
    let first = paths[0]
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "models".into());
    let expected_path = root.join(format!("xtask/expected-failures/endpoints-{first}.txt"));
    expected::report(&outcomes, &expected_path)
}

/// The class of cases written before AWS gave the isolated partitions
/// (`aws-iso*`) dual-stack endpoints: they expect `supportsDualStack: false`,
/// which the partitions data of Smithy 1.73.0 no longer says. The runtime
/// proves each one by passing it with the data as it was before.
const PREDATES_ISO_DUAL_STACK: &str = "[expects-iso-partitions-without-dual-stack]";
