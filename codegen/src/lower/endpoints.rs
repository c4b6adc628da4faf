//! Lowering stage, endpoints: the service's Endpoints 2.0 rule set, its test
//! cases and client parameters, and each operation's endpoint parameters
//! with their paths over the input resolved to Rust fields.

use super::Lowering;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::ir::*;
use crate::model::local_name;
use crate::traits::Traits;
use std::collections::BTreeMap;

/// The rule set, its tests and the client's context-parameter setters.
pub fn service_rules(
    id: &str,
    t: &Traits,
    methods: &ClientMethods,
    diags: &mut Diagnostics,
) -> Option<EndpointRules> {
    let rules = t.endpoint_rule_set.as_ref()?;
    let declared = rules.get("parameters").and_then(|p| p.as_object());
    if declared.is_none() {
        diags.push(Diagnostic::shape(
            id,
            "smithy.rules#endpointRuleSet has no `parameters` object",
        ));
        return None;
    }
    let tests = t
        .endpoint_tests
        .iter()
        .enumerate()
        .map(|(n, case)| EndpointTest {
            function: format!("case_{n}"),
            docs: case
                .get("documentation")
                .and_then(|d| d.as_str())
                .map(str::to_owned),
            case_json: case.to_string(),
        })
        .collect();
    let mut client_params = Vec::new();
    for (name, p) in &t.client_context_params {
        let kind = match p.ty.to_ascii_lowercase().as_str() {
            "boolean" => EndpointParamKind::Bool,
            "string" => EndpointParamKind::String,
            "stringarray" => EndpointParamKind::StringArray,
            other => {
                diags.push(Diagnostic::shape(
                    id,
                    format!("client context parameter `{name}` has the unknown type `{other}`"),
                ));
                continue;
            }
        };
        let Some(method) = methods.context_params.get(name) else {
            continue;
        };
        client_params.push(ClientParam {
            name: name.clone(),
            method: method.clone(),
            kind,
            docs: p.documentation.clone(),
        });
    }
    Some(EndpointRules {
        rules_json: rules.to_string(),
        tests,
        client_params,
    })
}

/// An operation's endpoint parameter before its path is resolved against the
/// lowered types.
#[derive(Debug, Clone)]
pub enum Pending {
    Static(serde_json::Value),
    /// `@contextParam` on a member of the input.
    Member(String),
    /// `@operationContextParams` JMESPath.
    Path(String),
}

/// A parsed path: member names with `[*]` marks, optionally under `keys()`.
struct RawPath {
    segments: Vec<(String, bool)>,
    keys: bool,
}

fn parse_path(path: &str) -> Option<RawPath> {
    let (inner, keys) = match path.trim().strip_prefix("keys(") {
        Some(rest) => (rest.strip_suffix(')')?, true),
        None => (path.trim(), false),
    };
    let segments = inner
        .split('.')
        .map(|seg| {
            let (name, each) = match seg.strip_suffix("[*]") {
                Some(n) => (n, true),
                None => (seg, false),
            };
            let ok =
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            ok.then(|| (name.to_owned(), each))
        })
        .collect::<Option<Vec<_>>>()?;
    Some(RawPath { segments, keys })
}

/// Resolves an operation's pending parameters against the lowered types.
pub fn resolve(
    op: &Operation,
    pending: &BTreeMap<String, Pending>,
    types: &BTreeMap<String, NamedType>,
    diags: &mut Diagnostics,
) -> Vec<EndpointParam> {
    let mut out = Vec::new();
    for (name, p) in pending {
        let value = match p {
            Pending::Static(v) => Ok(EndpointParamValue::Static(v.clone())),
            Pending::Member(member) => walk(
                &op.input,
                &RawPath {
                    segments: vec![(member.clone(), false)],
                    keys: false,
                },
                types,
            ),
            Pending::Path(path) => match parse_path(path) {
                Some(raw) => walk(&op.input, &raw, types),
                None => Err(format!(
                    "the path `{path}` uses JMESPath beyond field access, `[*]` and `keys()`"
                )),
            },
        };
        match value {
            Ok(value) => out.push(EndpointParam {
                name: name.clone(),
                value,
            }),
            Err(reason) => diags.push(Diagnostic::shape(
                &op.id,
                format!("endpoint parameter `{name}`: {reason}"),
            )),
        }
    }
    out
}

fn walk(
    input: &str,
    path: &RawPath,
    types: &BTreeMap<String, NamedType>,
) -> Result<EndpointParamValue, String> {
    let mut steps = Vec::new();
    let mut many = false;
    let mut ty: Option<TypeRef> = None;
    let mut current = input.to_owned();
    for (i, (segment, each)) in path.segments.iter().enumerate() {
        if i > 0 {
            current = match ty.as_ref().map(|t| &t.kind) {
                Some(TypeKind::Named {
                    name,
                    shape: NamedShape::Struct,
                }) => name.clone(),
                _ => {
                    return Err(format!(
                        "`{segment}` is read from a value that is not a structure"
                    ))
                }
            };
        }
        let Some(NamedKind::Struct(s)) = types.get(&current).map(|t| &t.kind) else {
            return Err(format!("`{current}` is not a structure"));
        };
        let member = s
            .members
            .iter()
            .find(|m| &m.name == segment)
            .ok_or_else(|| format!("`{current}` has no member `{segment}`"))?;
        steps.push(InputStep::Field {
            field: member.field.clone(),
            optional: member.optional,
        });
        ty = Some(member.ty.clone());
        if *each {
            match ty.as_ref().map(|t| &t.kind) {
                Some(TypeKind::List { item, sparse }) => {
                    steps.push(InputStep::Each { sparse: *sparse });
                    many = true;
                    ty = Some((**item).clone());
                }
                _ => return Err(format!("`{segment}[*]` is not a list")),
            }
        }
    }
    let mut ty = ty.ok_or("the path is empty")?;
    if path.keys {
        match &ty.kind {
            TypeKind::Map { key, .. } => {
                steps.push(InputStep::Keys);
                many = true;
                ty = (**key).clone();
            }
            _ => return Err("`keys()` is applied to a value that is not a map".into()),
        }
    }
    // A list of strings bound whole (a `stringArray` parameter).
    if let TypeKind::List { item, sparse } = &ty.kind {
        if !many {
            steps.push(InputStep::Each { sparse: *sparse });
            many = true;
            ty = (**item).clone();
        }
    }
    let leaf = match &ty.kind {
        TypeKind::String => InputLeaf::Str,
        TypeKind::Named {
            shape: NamedShape::Enum,
            ..
        } => InputLeaf::Str,
        TypeKind::Bool => InputLeaf::Bool,
        _ => return Err("the path does not end at a string, an enum or a boolean".into()),
    };
    Ok(EndpointParamValue::Input { steps, leaf, many })
}

impl Lowering<'_> {
    /// The discovery operation of `aws.api#clientEndpointDiscovery`, with the
    /// fields of the `Endpoints` list its output must have (`Address`,
    /// `CachePeriodInMinutes`), as the AWS SDKs' specification names them.
    pub(super) fn endpoint_discovery(
        &mut self,
        service: &str,
        d: &crate::traits::EndpointDiscoveryTrait,
        operations: &mut [Operation],
    ) -> Option<EndpointDiscovery> {
        // The discovery operation goes to the regular endpoint, whatever it
        // says of itself (it would otherwise wait on its own discovery).
        for op in operations.iter_mut().filter(|o| o.id == d.operation) {
            op.discovered_endpoint = false;
        }
        // Discovery matters only to the operations generated that require it;
        // without them (a subset, or a service where it is optional) the
        // client needs no discovery operation.
        if !operations.iter().any(|o| o.discovered_endpoint) {
            return None;
        }
        let mut problem = |reason: String| {
            self.diags.push(Diagnostic::shape(
                service,
                format!("aws.api#clientEndpointDiscovery: {reason}"),
            ));
            None
        };
        let Some(op) = operations.iter().find(|o| o.id == d.operation) else {
            return problem(format!(
                "the discovery operation `{}` is not generated, and operations that require a discovered endpoint are: generate it too",
                d.operation
            ));
        };
        let struct_of = |name: &str| match self.types.get(name).map(|t| &t.kind) {
            Some(NamedKind::Struct(s)) => Some(s.members.clone()),
            _ => None,
        };
        let output = struct_of(&op.output).unwrap_or_default();
        let endpoints = output.iter().find(|m| m.name == "Endpoints");
        let item = endpoints.and_then(|m| match &m.ty.kind {
            TypeKind::List { item, .. } => match &item.kind {
                TypeKind::Named { name, .. } => struct_of(name),
                _ => None,
            },
            _ => None,
        });
        let field = |members: &[Member], name: &str, ok: fn(&TypeKind) -> bool| {
            members
                .iter()
                .find(|m| m.name == name && ok(&m.ty.kind))
                .map(|m| (m.field.clone(), m.optional))
        };
        let (Some(endpoints), Some(item)) = (endpoints, item) else {
            return problem(format!(
                "the output of `{}` has no `Endpoints` list of structures",
                d.operation
            ));
        };
        let address = field(&item, "Address", |k| *k == TypeKind::String);
        let cache = field(&item, "CachePeriodInMinutes", |k| *k == TypeKind::Long);
        let (Some(address_field), Some(cache_field)) = (address, cache) else {
            return problem(format!(
                "an endpoint returned by `{}` needs an `Address` string and a `CachePeriodInMinutes` long",
                d.operation
            ));
        };
        Some(EndpointDiscovery {
            operation: op.name.clone(),
            input: op.input.clone(),
            endpoints_field: (endpoints.field.clone(), endpoints.optional),
            address_field,
            cache_field,
            invalid_endpoint_error: d.error.as_deref().map(|e| local_name(e).to_string()),
        })
    }
}
