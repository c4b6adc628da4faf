//! Lowering stage, test cases: turns the `smithy.test#httpRequestTests` and
//! `smithy.test#httpResponseTests` traits of the generated operations and
//! errors into [`ProtocolTest`] IR nodes, with every parameter checked
//! against its type. A case whose parameters do not fit becomes an `Invalid`
//! node, so one bad case fails one test instead of the whole crate.

use crate::ir::*;
use crate::model::Model;
use crate::names;
use serde::Deserialize;
use serde_json::Value as J;
use std::collections::{BTreeMap, BTreeSet};

/// Whether a case with these fields is a case a client of `protocol` runs.
fn for_client(applies_to: Option<&str>, case_protocol: &str, protocol: &str) -> bool {
    applies_to != Some("server") && case_protocol == protocol
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RequestCase {
    id: String,
    protocol: String,
    method: String,
    uri: String,
    host: Option<String>,
    resolved_host: Option<String>,
    #[serde(default)]
    query_params: Vec<String>,
    #[serde(default)]
    forbid_query_params: Vec<String>,
    #[serde(default)]
    require_query_params: Vec<String>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    forbid_headers: Vec<String>,
    #[serde(default)]
    require_headers: Vec<String>,
    body: Option<String>,
    body_media_type: Option<String>,
    #[serde(default)]
    params: Option<J>,
    documentation: Option<String>,
    applies_to: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResponseCase {
    id: String,
    protocol: String,
    code: u16,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    body: Option<String>,
    body_media_type: Option<String>,
    #[serde(default)]
    params: Option<J>,
    /// `ErrorCodeParams` of an error case: the code and awsQuery fault the
    /// client must expose.
    #[serde(default)]
    vendor_params: Option<J>,
    documentation: Option<String>,
    applies_to: Option<String>,
}

/// The client cases of every generated operation and of the errors they use.
pub fn lower(model: &Model, ir: &CrateIr) -> Vec<ProtocolTest> {
    let protocol = ir.service.protocol.trait_id();
    let mut tests = Vec::new();
    let mut used_names = BTreeSet::new();
    let mut push = |tests: &mut Vec<ProtocolTest>, mut t: ProtocolTest| {
        let base = t.test_fn.clone();
        let mut n = 2;
        while !used_names.insert(t.test_fn.clone()) {
            t.test_fn = format!("{base}_{n}");
            n += 1;
        }
        tests.push(t);
    };
    for op in &ir.service.operations {
        let Some(shape) = model.shape(&op.id) else {
            continue;
        };
        if let Some(raw) = shape.traits.get("smithy.test#httpRequestTests") {
            for case in cases::<RequestCase>(raw) {
                if !for_client(case.applies_to.as_deref(), &case.protocol, protocol) {
                    continue;
                }
                let t = request_test(ir, op, case);
                push(&mut tests, t);
            }
        }
        if let Some(raw) = shape.traits.get("smithy.test#httpResponseTests") {
            for case in cases::<ResponseCase>(raw) {
                if !for_client(case.applies_to.as_deref(), &case.protocol, protocol) {
                    continue;
                }
                let kind = match response_test(ir, &op.output, &case) {
                    Ok(test) => ProtocolTestKind::Response(test),
                    Err(e) => ProtocolTestKind::Invalid(e),
                };
                push(
                    &mut tests,
                    ProtocolTest {
                        test_fn: format!("{}_response", names::snake(&case.id)),
                        id: case.id,
                        operation: op.name.clone(),
                        category: "response",
                        docs: case.documentation,
                        kind,
                    },
                );
            }
        }
    }
    for op in &ir.service.operations {
        let Some(raw) = model
            .shape(&op.id)
            .and_then(|s| s.traits.get("smithy.test#httpMalformedRequestTests"))
        else {
            continue;
        };
        for case in cases::<MalformedCase>(raw) {
            if case.protocol != protocol {
                continue;
            }
            for t in malformed_tests(op, &case) {
                push(&mut tests, t);
            }
        }
    }
    // An error's cases run through the first operation (by name) that lists it.
    for t in ir.types.values() {
        let NamedKind::Struct(Struct { error: Some(_), .. }) = &t.kind else {
            continue;
        };
        let Some(op) = ir
            .service
            .operations
            .iter()
            .find(|op| op.errors.contains(&t.name))
        else {
            continue;
        };
        let Some(raw) = model
            .shape(&t.id)
            .and_then(|s| s.traits.get("smithy.test#httpResponseTests"))
        else {
            continue;
        };
        for case in cases::<ResponseCase>(raw) {
            if !for_client(case.applies_to.as_deref(), &case.protocol, protocol) {
                continue;
            }
            let kind = match response_test(ir, &t.name, &case) {
                Ok(test) => ProtocolTestKind::Error {
                    error: t.name.clone(),
                    test,
                },
                Err(e) => ProtocolTestKind::Invalid(e),
            };
            push(
                &mut tests,
                ProtocolTest {
                    test_fn: format!("{}_response", names::snake(&case.id)),
                    id: case.id,
                    operation: op.name.clone(),
                    category: "response",
                    docs: case.documentation,
                    kind,
                },
            );
        }
    }
    tests.sort_by(|a, b| a.test_fn.cmp(&b.test_fn));
    tests
}

/// The cases of a test trait; a malformed case is skipped (validation of the
/// `smithy.test` namespace is the Smithy tooling's job).
fn cases<T: for<'de> Deserialize<'de>>(raw: &J) -> Vec<T> {
    raw.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| serde_json::from_value(c.clone()).ok())
                .collect()
        })
        .unwrap_or_default()
}

fn request_test(ir: &CrateIr, op: &Operation, case: RequestCase) -> ProtocolTest {
    let params = case.params.clone().unwrap_or(J::Object(Default::default()));
    let kind = match struct_value(ir, &op.input, &params) {
        Ok(params) => ProtocolTestKind::Request(RequestTest {
            method: case.method,
            uri: case.uri,
            host: case.host,
            resolved_host: case.resolved_host,
            query_params: case.query_params,
            forbid_query_params: case.forbid_query_params,
            require_query_params: case.require_query_params,
            headers: case.headers.into_iter().collect(),
            forbid_headers: case.forbid_headers,
            require_headers: case.require_headers,
            body: case.body,
            body_media_type: case.body_media_type,
            params,
        }),
        Err(e) => ProtocolTestKind::Invalid(e),
    };
    ProtocolTest {
        test_fn: format!("{}_request", names::snake(&case.id)),
        id: case.id,
        operation: op.name.clone(),
        category: "request",
        docs: case.documentation,
        kind,
    }
}

fn response_test(ir: &CrateIr, ty: &str, case: &ResponseCase) -> Result<ResponseTest, String> {
    let params = case.params.clone().unwrap_or(J::Object(Default::default()));
    let vendor_param = |key: &str| {
        case.vendor_params
            .as_ref()
            .and_then(|v| v.get(key))
            .and_then(J::as_str)
            .map(str::to_string)
    };
    Ok(ResponseTest {
        code: case.code,
        headers: case.headers.clone().into_iter().collect(),
        body: case.body.clone(),
        body_media_type: case.body_media_type.clone(),
        params: struct_value(ir, ty, &params)?,
        error_code: vendor_param("code"),
        query_fault: vendor_param("type"),
    })
}

fn struct_value(ir: &CrateIr, name: &str, v: &J) -> Result<Value, String> {
    let Some(t) = ir.types.get(name) else {
        return Err(format!("type `{name}` is not generated"));
    };
    let J::Object(fields) = v else {
        return Err(format!("`{name}` needs an object, found {v}"));
    };
    match &t.kind {
        NamedKind::Struct(s) => {
            let mut out = Vec::new();
            for (key, value) in fields {
                let Some(m) = s.members.iter().find(|m| &m.name == key) else {
                    return Err(format!("`{name}` has no member `{key}`"));
                };
                if value.is_null() {
                    continue;
                }
                let v = value_of(ir, &m.ty, value).map_err(|e| format!("{name}.{key}: {e}"))?;
                out.push((m.field.clone(), v));
            }
            Ok(Value::Struct(out))
        }
        NamedKind::Union(u) => {
            let mut it = fields.iter().filter(|(_, v)| !v.is_null());
            let (Some((key, value)), None) = (it.next(), it.next()) else {
                return Err(format!("union `{name}` needs exactly one member set"));
            };
            let Some(m) = u.variants.iter().find(|m| &m.name == key) else {
                return Err(format!("union `{name}` has no member `{key}`"));
            };
            let v = value_of(ir, &m.ty, value).map_err(|e| format!("{name}.{key}: {e}"))?;
            Ok(Value::Union(m.variant.clone(), Box::new(v)))
        }
        _ => Err(format!("`{name}` is not a structure or union")),
    }
}

fn value_of(ir: &CrateIr, ty: &TypeRef, v: &J) -> Result<Value, String> {
    let wrong = || format!("{v} does not fit {:?}", ty.kind);
    Ok(match (&ty.kind, v) {
        (TypeKind::Bool, J::Bool(b)) => Value::Bool(*b),
        (TypeKind::Byte | TypeKind::Short | TypeKind::Integer | TypeKind::Long, J::Number(n)) => {
            Value::Int(n.as_i64().ok_or_else(wrong)?)
        }
        (TypeKind::Float | TypeKind::Double, J::Number(n)) => {
            Value::Float(n.as_f64().ok_or_else(wrong)?)
        }
        (TypeKind::Float | TypeKind::Double, J::String(s)) => Value::Float(match s.as_str() {
            "NaN" => f64::NAN,
            "Infinity" => f64::INFINITY,
            "-Infinity" => f64::NEG_INFINITY,
            _ => return Err(wrong()),
        }),
        (TypeKind::BigInteger | TypeKind::BigDecimal, J::Number(n)) => {
            Value::BigNumber(n.to_string())
        }
        (TypeKind::BigInteger | TypeKind::BigDecimal, J::String(s)) => Value::BigNumber(s.clone()),
        (TypeKind::String | TypeKind::Text, J::String(s)) => Value::Str(s.clone()),
        (TypeKind::Blob | TypeKind::Stream, J::String(s)) => Value::Blob(s.as_bytes().to_vec()),
        (TypeKind::Timestamp(_), J::Number(n)) => {
            let (seconds, nanos) = crate::lower::parse_epoch(&n.to_string()).ok_or_else(wrong)?;
            Value::Timestamp { seconds, nanos }
        }
        (TypeKind::Document, v) => Value::Document(v.clone()),
        (
            TypeKind::Named {
                shape: NamedShape::Enum,
                ..
            },
            J::String(s),
        ) => Value::Str(s.clone()),
        (
            TypeKind::Named {
                shape: NamedShape::IntEnum,
                ..
            },
            J::Number(n),
        ) => Value::Int(n.as_i64().ok_or_else(wrong)?),
        (
            TypeKind::Named {
                name,
                shape: NamedShape::Struct | NamedShape::Union,
            },
            v,
        ) => struct_value(ir, name, v)?,
        (TypeKind::List { item, sparse }, J::Array(items)) => Value::List(
            items
                .iter()
                .map(|i| match i {
                    J::Null if *sparse => Ok(None),
                    i => value_of(ir, item, i).map(Some),
                })
                .collect::<Result<_, _>>()?,
        ),
        (TypeKind::Map { value, sparse, .. }, J::Object(entries)) => Value::Map(
            entries
                .iter()
                .map(|(k, i)| match i {
                    J::Null if *sparse => Ok((k.clone(), None)),
                    i => value_of(ir, value, i).map(|v| (k.clone(), Some(v))),
                })
                .collect::<Result<_, _>>()?,
        ),
        _ => return Err(wrong()),
    })
}

/// The ids of an operation's client cases for the protocol of `service`,
/// each with `request` or `response`, for reporting cases of operations that
/// were left out.
pub fn client_case_ids(model: &Model, service: &str, op: &str) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    let Some(shape) = model.shape(op) else {
        return out;
    };
    let Some(protocol) = model
        .shape(service)
        .and_then(|s| crate::protocol::for_service(&s.typed).ok())
        .map(|p| p.id())
    else {
        return out;
    };
    for (trait_id, kind) in [
        ("smithy.test#httpRequestTests", "request"),
        ("smithy.test#httpResponseTests", "response"),
    ] {
        let Some(raw) = shape.traits.get(trait_id).and_then(|v| v.as_array()) else {
            continue;
        };
        for case in raw {
            let applies = case.get("appliesTo").and_then(|v| v.as_str());
            let case_protocol = case.get("protocol").and_then(|v| v.as_str());
            if for_client(applies, case_protocol.unwrap_or_default(), protocol) {
                if let Some(id) = case.get("id").and_then(|v| v.as_str()) {
                    out.push((id.to_string(), kind));
                }
            }
        }
    }
    out
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MalformedCase {
    id: String,
    protocol: String,
    request: MalformedRequest,
    response: MalformedResponse,
    documentation: Option<String>,
    #[serde(default)]
    test_parameters: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MalformedRequest {
    body: Option<String>,
    #[serde(default)]
    query_params: Vec<String>,
}

#[derive(Deserialize)]
struct MalformedResponse {
    #[serde(default)]
    headers: BTreeMap<String, String>,
    body: Option<MalformedBody>,
}

#[derive(Deserialize)]
struct MalformedBody {
    assertion: MalformedAssertion,
}

#[derive(Deserialize)]
struct MalformedAssertion {
    contents: Option<String>,
}

/// The case id of a malformed-request case run with parameter set `i` of `n`.
pub fn malformed_id(id: &str, i: usize, n: usize) -> String {
    if n > 1 {
        format!("{id}/{i}")
    } else {
        id.to_string()
    }
}

/// One test per parameter set of a malformed-request case that expects a
/// `ValidationException`.
fn malformed_tests(op: &Operation, case: &MalformedCase) -> Vec<ProtocolTest> {
    let error = case
        .response
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("x-amzn-errortype"))
        .map(|(_, v)| v.as_str());
    if error != Some("ValidationException") {
        return Vec::new();
    }
    let n = case
        .test_parameters
        .values()
        .map(Vec::len)
        .max()
        .unwrap_or(1)
        .max(1);
    let mut out = Vec::new();
    for i in 0..n {
        let subst = |text: &str| {
            // `$$` is a literal `$` in these templates.
            let mut text = text.replace("$$", "\u{0}");
            for (name, values) in &case.test_parameters {
                let Some(v) = values.get(i) else { continue };
                text = text.replace(
                    &format!("${name}:S"),
                    &serde_json::to_string(v).unwrap_or_default(),
                );
                text = text.replace(&format!("${name}:L"), v);
            }
            text.replace('\u{0}', "$")
        };
        let id = malformed_id(&case.id, i, n);
        let kind = (|| -> Result<ProtocolTestKind, String> {
            if !case.request.query_params.is_empty() {
                return Err(
                    "the case sets query parameters; only request bodies are decoded into inputs"
                        .into(),
                );
            }
            let contents = case
                .response
                .body
                .as_ref()
                .and_then(|b| b.assertion.contents.as_deref())
                .ok_or("the case asserts no response body")?;
            let contents: J = serde_json::from_str(&subst(contents))
                .map_err(|e| format!("the expected ValidationException is not JSON: {e}"))?;
            let violations = contents
                .get("fieldList")
                .and_then(|l| l.as_array())
                .ok_or("the expected ValidationException has no fieldList")?
                .iter()
                .map(|f| {
                    let field = |k: &str| {
                        f.get(k)
                            .and_then(|v| v.as_str())
                            .unwrap_or_default()
                            .to_string()
                    };
                    (field("path"), field("message"))
                })
                .collect();
            Ok(ProtocolTestKind::Malformed {
                body: subst(case.request.body.as_deref().unwrap_or("")),
                violations,
            })
        })()
        .unwrap_or_else(ProtocolTestKind::Invalid);
        out.push(ProtocolTest {
            test_fn: format!("{}_malformed_{i}", names::snake(&case.id)),
            id,
            operation: op.name.clone(),
            category: "malformed",
            docs: case.documentation.clone(),
            kind,
        });
    }
    out
}
