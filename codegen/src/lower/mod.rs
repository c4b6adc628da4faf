//! Lowering stage: turns the validated model into the IR for one service.
//!
//! Walks everything the service's operations reach, decides every Rust name
//! (through `names`), every Rust type and every constraint once, and reports
//! name collisions, unsupported features and bad HTTP or paginator
//! configuration alongside each other.
//!
//! This module holds the service and its operations (auth, input and
//! output, roles); `types` the named shapes and members, `http` routes and
//! bindings, `pagination` paginator paths, `endpoints` the endpoint rules
//! and parameters. The protocol's decisions come from [`crate::protocol`].

use crate::ast::{AstMember, AstShape};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::ir::*;
use crate::model::{local_name, Model};
use crate::names;
use crate::pattern;
use crate::traits::{self, Traits};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

mod endpoints;

/// A string shape whose `@length` allows this many characters or more is a
/// [`TypeKind::Text`](crate::ir::TypeKind::Text): large text (base64 images,
/// documents) is then a view of the response body instead of a copy, while
/// the usual short strings stay plain `String`s.
pub const LARGE_TEXT: u64 = 64 * 1024;
mod http;
mod pagination;
mod types;

use http::binding_problem;

/// Lowers the service `service_id` (or the model's only service when `None`).
pub fn lower(model: &Model, service_id: Option<&str>) -> Result<CrateIr, Diagnostics> {
    let service_id = choose_service(model, service_id)?;
    lower_operations(model, &service_id, &model.operations_of(&service_id))
}

/// The service to generate: `service_id` if given, else the model's only one.
pub fn choose_service(model: &Model, service_id: Option<&str>) -> Result<String, Diagnostics> {
    let mut d = Diagnostics::default();
    let services: Vec<&String> = model
        .shapes
        .iter()
        .filter(|(_, s)| s.kind == crate::ast::ShapeKind::Service)
        .map(|(id, _)| id)
        .collect();
    let service_id = match (service_id, services.as_slice()) {
        (Some(id), _) => id.to_string(),
        (None, [only]) => only.to_string(),
        (None, []) => {
            d.push(Diagnostic::model(
                "model",
                "defines no service; there is nothing to generate",
            ));
            return Err(d);
        }
        (None, many) => {
            let list: Vec<&str> = many.iter().map(|s| s.as_str()).collect();
            d.push(Diagnostic::model(
                "model",
                format!(
                    "defines several services ({}); choose one with --service",
                    list.join(", ")
                ),
            ));
            return Err(d);
        }
    };
    if model
        .shape(&service_id)
        .is_none_or(|s| s.kind != crate::ast::ShapeKind::Service)
    {
        d.push(Diagnostic::shape(
            &service_id,
            "is not a service defined in the model",
        ));
        return Err(d);
    }
    Ok(service_id)
}

/// Lowers `service_id` with only the operations `op_ids` (shape ids, each
/// bound to the service).
pub fn lower_operations(
    model: &Model,
    service_id: &str,
    op_ids: &[String],
) -> Result<CrateIr, Diagnostics> {
    let mut d = Diagnostics::default();
    let Some(service_shape) = model
        .shape(service_id)
        .filter(|s| s.kind == crate::ast::ShapeKind::Service)
    else {
        d.push(Diagnostic::shape(
            service_id,
            "is not a service defined in the model",
        ));
        return Err(d);
    };
    let service_id = service_id.to_string();
    let op_ids = op_ids.to_vec();
    let names = names::table::decide(model, &service_id, &op_ids);
    d.extend(names.conflicts.clone());
    let mut cx = Lowering {
        model,
        diags: d,
        names,
        types: BTreeMap::new(),
        seen: BTreeSet::new(),
        queue: VecDeque::new(),
        validated: BTreeSet::new(),
        op_ids,
        pending_endpoint: BTreeMap::new(),
        protocol: &crate::protocol::RestJson1,
    };
    let ir = cx.service(&service_id, service_shape).map(|mut ir| {
        ir.protocol_tests = crate::protocol_tests::lower(model, &ir);
        ir
    });
    let mut diags = cx.diags;
    match ir {
        Some(ir) if diags.is_empty() => Ok(ir),
        _ => {
            if diags.is_empty() {
                diags.push(Diagnostic::shape(&service_id, "could not be lowered"));
            }
            Err(diags.sorted())
        }
    }
}

struct Lowering<'m> {
    model: &'m Model,
    diags: Diagnostics,
    /// Every Rust name, decided before lowering starts.
    names: names::NameTable,
    types: BTreeMap<String, NamedType>,
    /// Shape ids already queued for lowering.
    seen: BTreeSet<String>,
    queue: VecDeque<(String, bool)>,
    /// Shape ids reachable from an operation input.
    validated: BTreeSet<String>,
    /// The operations to generate.
    op_ids: Vec<String>,
    /// The service's protocol, asked for every protocol decision.
    protocol: &'static dyn crate::protocol::ClientProtocol,
    /// Each operation's endpoint parameters, resolved once every type is lowered.
    pending_endpoint: BTreeMap<String, BTreeMap<String, endpoints::Pending>>,
}

impl<'m> Lowering<'m> {
    fn service(&mut self, id: &str, shape: &AstShape) -> Option<CrateIr> {
        let t = &shape.typed;
        match crate::protocol::for_service(t) {
            Ok(p) => self.protocol = p,
            Err(reason) => self.diags.push(Diagnostic::shape(id, reason).unsupported()),
        }
        self.report_unsupported(id, None, t);
        let service_errors: Vec<String> = shape.errors.iter().map(|e| e.target.clone()).collect();
        let mut operations = Vec::new();
        for op_id in self.op_ids.clone() {
            if let Some(op) = self.operation(&op_id, id, t, &service_errors) {
                operations.push(op);
            }
        }
        operations.sort_by(|a, b| a.name.cmp(&b.name));
        let errors = service_errors
            .iter()
            .filter_map(|e| self.named_ref(e, false))
            .collect();
        self.drain_queue();
        self.assign_roles(&mut operations);
        for op in &mut operations {
            if let Some(pending) = self.pending_endpoint.get(&op.id) {
                op.endpoint_params = endpoints::resolve(op, pending, &self.types, &mut self.diags);
            }
        }
        let endpoint_rules = endpoints::service_rules(id, t, &self.names.client, &mut self.diags);
        let endpoint_discovery = t
            .endpoint_discovery
            .as_ref()
            .and_then(|d| self.endpoint_discovery(id, d, &mut operations));
        let name = names::type_name(local_name(id));
        let crate_name = names::crate_name(
            t.aws_service
                .as_ref()
                .map_or(local_name(id), |s| s.sdk_id.as_str()),
        );
        Some(CrateIr {
            crate_name,
            service: Service {
                id: id.to_string(),
                name,
                version: shape.version.clone(),
                title: t.title.clone(),
                docs: t.documentation.clone(),
                sdk_id: t.aws_service.as_ref().map(|s| s.sdk_id.clone()),
                endpoint_prefix: t
                    .aws_service
                    .as_ref()
                    .and_then(|s| s.endpoint_prefix.clone()),
                signing_name: t.sigv4.as_ref().map(|s| s.name.clone()),
                protocol: self.protocol.ir(),
                operations,
                errors,
                client: self.names.client.clone(),
                endpoint_rules,
                endpoint_discovery,
                xml_namespace: types::namespace(t),
            },
            types: std::mem::take(&mut self.types),
            protocol_tests: Vec::new(),
            notes: self.names.notes.0.clone(),
            left_out: Vec::new(),
        })
    }

    fn report_unsupported(&mut self, id: &str, member: Option<&str>, t: &Traits) {
        for u in &t.unsupported {
            self.diags.push(
                Diagnostic::at_member(
                    id,
                    member,
                    format!("trait `{u}` is not supported by the generator yet"),
                )
                .unsupported(),
            );
        }
    }

    /// The Rust name the naming stage gave a shape.
    fn rust_type_name(&self, id: &str) -> String {
        self.names
            .type_name(id)
            .map_or_else(|| names::type_name(local_name(id)), str::to_string)
    }

    fn operation(
        &mut self,
        id: &str,
        service_id: &str,
        service_traits: &Traits,
        service_errors: &[String],
    ) -> Option<Operation> {
        let shape = self.model.shape(id)?;
        if shape.kind != crate::ast::ShapeKind::Operation {
            self.diags.push(Diagnostic::shape(
                id,
                format!("is bound as an operation but is a {}", shape.kind),
            ));
            return None;
        }
        let t = &shape.typed;
        self.report_unsupported(id, None, t);
        let op_names = self.names.operation(id)?.clone();
        let input = self.operation_io(id, shape.input.as_ref().map(|r| r.target.as_str()), true);
        let output = self.operation_io(id, shape.output.as_ref().map(|r| r.target.as_str()), false);
        let mut errors: Vec<String> = Vec::new();
        for e in shape.errors.iter().map(|e| &e.target).chain(service_errors) {
            let is_error = self
                .model
                .shape(e)
                .is_some_and(|s| s.traits.contains_key("smithy.api#error"));
            if !is_error {
                self.diags.push(Diagnostic::shape(
                    id,
                    format!("lists `{e}` as an error, but it has no smithy.api#error trait"),
                ));
                continue;
            }
            if let Some(n) = self.named_ref(e, false) {
                if !errors.contains(&n) {
                    errors.push(n);
                }
            }
        }
        let http = if self.protocol.uses_http_bindings() {
            match &t.http {
                Some(h) => self.http_route(id, h, input.as_ref()),
                None => {
                    let requires = format!(
                        "has no smithy.api#http trait, which {} requires",
                        self.protocol.id().rsplit('#').next().unwrap_or_default()
                    );
                    self.diags.push(Diagnostic::shape(id, requires));
                    None
                }
            }
        } else {
            self.rpc_route(id, service_id, service_traits)
        };
        let paginator = t.paginated.as_ref().and_then(|p| {
            let svc = service_traits.paginated.clone().unwrap_or_default();
            let merged = traits::PaginatedTrait {
                input_token: p.input_token.clone().or(svc.input_token),
                output_token: p.output_token.clone().or(svc.output_token),
                items: p.items.clone().or(svc.items),
                page_size: p.page_size.clone().or(svc.page_size),
            };
            self.paginator(id, &merged, shape)
        });
        let input_unit = matches!(
            shape.input.as_ref().map(|r| r.target.as_str()),
            None | Some("smithy.api#Unit")
        );
        let host_prefix = t
            .endpoint
            .as_ref()
            .and_then(|e| self.host_prefix(id, &e.host_prefix, input.as_ref()));
        let (auth, optional_auth) = self.auth(id, service_traits, t)?;
        if t.checksum_required && self.streams_input(shape) {
            self.diags.push(
                Diagnostic::shape(
                    id,
                    "requires a Content-MD5 checksum of a streaming body, which the generator does not support yet",
                )
                .unsupported(),
            );
            return None;
        }
        self.endpoint_params(id, shape, t);
        Some(Operation {
            response_wrapper: self.protocol.response_wrapper(local_name(id)),
            unwrapped_output: t.s3_unwrapped_xml_output,
            discovered_endpoint: t.discovered_endpoint == Some(true),
            endpoint_params: Vec::new(),
            streaming_input: false,
            streaming_output: false,
            auth,
            optional_auth,
            unsigned_payload: t.unsigned_payload,
            checksum_required: t.checksum_required,
            compression: t.request_compression.clone().unwrap_or_default(),
            id: id.to_string(),
            input_unit,
            host_prefix,
            method: op_names.method,
            error_type: op_names.error,
            fluent_builder: op_names.fluent_builder,
            name: op_names.marker,
            docs: t.documentation.clone(),
            deprecated: deprecation(t),
            input: input?.0,
            output: output?.0,
            errors,
            http: http?,
            paginator,
        })
    }

    /// Marks each type's roles and each operation's streaming, once every
    /// type is lowered, so emitters read them instead of working them out.
    fn assign_roles(&mut self, operations: &mut [Operation]) {
        let struct_members = |types: &BTreeMap<String, NamedType>, name: &str| -> Vec<Member> {
            match types.get(name).map(|t| &t.kind) {
                Some(NamedKind::Struct(s)) => s.members.clone(),
                _ => Vec::new(),
            }
        };
        for op in operations.iter_mut() {
            op.streaming_input = struct_members(&self.types, &op.input)
                .iter()
                .any(|m| m.ty.kind == TypeKind::Stream);
            op.streaming_output = struct_members(&self.types, &op.output)
                .iter()
                .any(|m| m.binding == Binding::Payload && m.ty.kind == TypeKind::Stream);
            if let Some(t) = self.types.get_mut(&op.input) {
                t.roles.input = true;
            }
            if let Some(t) = self.types.get_mut(&op.output) {
                t.roles.output = true;
            }
        }
        for t in self.types.values_mut() {
            if let NamedKind::Struct(s) = &mut t.kind {
                t.roles.error = s.error.is_some();
                // Inputs are never corrected: a missing required member there
                // is the caller's mistake, reported by validation.
                if !t.validated {
                    for m in &mut s.members {
                        m.error_corrected = m.required
                            && m.optional
                            && m.binding == Binding::Body
                            && has_zero_value(&m.ty);
                    }
                }
            }
        }
    }

    /// Records the endpoint parameters an operation sets, to resolve once the
    /// input's types are lowered.
    fn endpoint_params(&mut self, id: &str, shape: &AstShape, t: &Traits) {
        use endpoints::Pending;
        let mut pending = BTreeMap::new();
        for (name, value) in &t.static_context_params {
            pending.insert(name.clone(), Pending::Static(value.clone()));
        }
        if let Some(input) = shape
            .input
            .as_ref()
            .and_then(|r| self.model.shape(&r.target))
        {
            for (member, m) in &input.members {
                if let Some(name) = m.typed.context_param.clone() {
                    pending.insert(name, Pending::Member(member.clone()));
                }
            }
        }
        for (name, path) in &t.operation_context_params {
            pending.insert(name.clone(), Pending::Path(path.clone()));
        }
        if !pending.is_empty() {
            self.pending_endpoint.insert(id.to_string(), pending);
        }
    }

    /// Whether an operation's input has a `@streaming` payload.
    fn streams_input(&self, op: &AstShape) -> bool {
        let Some(input) = op.input.as_ref().and_then(|r| self.model.shape(&r.target)) else {
            return false;
        };
        input.members.iter().any(|(_, m)| {
            self.model.shape(&m.target).is_some_and(|t| {
                t.kind == crate::ast::ShapeKind::Blob
                    && t.traits.contains_key("smithy.api#streaming")
            })
        })
    }

    /// The auth schemes an operation accepts that the client supports, in the
    /// model's order, and whether it may be sent unsigned. The service's
    /// schemes are its `@auth` list, else every auth trait applied to it in
    /// shape id order; an operation's `@auth` narrows them (`[]`: none).
    fn auth(&mut self, op: &str, service: &Traits, t: &Traits) -> Option<(Vec<AuthKind>, bool)> {
        let schemes = t
            .auth
            .clone()
            .or_else(|| service.auth.clone())
            .unwrap_or_else(|| {
                let mut applied = service.auth_schemes.clone();
                applied.sort();
                applied
            });
        let mut kinds = Vec::new();
        let mut optional = t.optional_auth || schemes.is_empty();
        let mut unknown = Vec::new();
        for scheme in &schemes {
            match scheme.as_str() {
                "aws.auth#sigv4" => kinds.push(AuthKind::SigV4),
                "smithy.api#httpBearerAuth" => kinds.push(AuthKind::Bearer),
                // Anonymous requests are acceptable from here on.
                "smithy.api#noAuth" => {
                    optional = true;
                    break;
                }
                other => unknown.push(other.to_string()),
            }
        }
        if kinds.is_empty() && !optional {
            self.diags.push(
                Diagnostic::shape(
                    op,
                    format!(
                        "accepts only auth schemes the generator does not support yet ({})",
                        unknown.join(", ")
                    ),
                )
                .unsupported(),
            );
            return None;
        }
        Some((kinds, optional))
    }

    /// Resolves an operation's input or output to a structure type name, with its
    /// shape id. A `smithy.api#Unit` (or absent) input gets an empty structure.
    fn operation_io(
        &mut self,
        op: &str,
        target: Option<&str>,
        input: bool,
    ) -> Option<(String, String)> {
        let suffix = if input { "Input" } else { "Output" };
        match target {
            None | Some("smithy.api#Unit") => {
                let id = format!("{op}${suffix}");
                let name = self.rust_type_name(&id);
                let helpers = self.names.helpers(&id);
                let builder = self.names.builder(&id);
                self.types.insert(
                    name.clone(),
                    NamedType {
                        id: id.clone(),
                        name: name.clone(),
                        docs: Some(format!(
                            "The {} of `{}`, which has no members.",
                            suffix.to_lowercase(),
                            local_name(op)
                        )),
                        deprecated: None,
                        kind: NamedKind::Struct(Struct {
                            members: Vec::new(),
                            error: None,
                            builder,
                            helpers,
                        }),
                        validated: input,
                        roles: Default::default(),
                        xml_name: format!("{}{suffix}", local_name(op)),
                        xml_namespace: None,
                    },
                );
                Some((name, id))
            }
            Some(target) => {
                let shape = self.model.shape(target)?;
                if shape.kind != crate::ast::ShapeKind::Structure {
                    self.diags.push(Diagnostic::shape(
                        op,
                        format!("{} `{target}` must be a structure", suffix.to_lowercase()),
                    ));
                    return None;
                }
                let name = self.named_ref(target, input)?;
                Some((name, target.to_string()))
            }
        }
    }
}

/// Whether error correction has a value for a type: the zero of a scalar, an
/// empty collection, the epoch, an enum's empty (unknown) value; not a
/// structure, union, document or stream.
fn has_zero_value(ty: &TypeRef) -> bool {
    match &ty.kind {
        TypeKind::Named { shape, .. } => matches!(shape, NamedShape::Enum | NamedShape::IntEnum),
        TypeKind::BigInteger | TypeKind::BigDecimal | TypeKind::Document | TypeKind::Stream => {
            false
        }
        _ => true,
    }
}

fn deprecation(t: &Traits) -> Option<Deprecation> {
    t.deprecated.as_ref().map(|d| Deprecation {
        message: d.message.clone(),
        since: d.since.clone(),
    })
}

/// Parses an exact decimal number of epoch seconds (`1700000000.5`).
pub fn parse_epoch(text: &str) -> Option<(i64, u32)> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if frac.len() > 9 || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let seconds: i64 = int.parse().ok()?;
    let nanos: u32 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<9}").parse().ok()?
    };
    if text.starts_with('-') && nanos > 0 {
        Some((seconds - 1, 1_000_000_000 - nanos))
    } else {
        Some((seconds, nanos))
    }
}
