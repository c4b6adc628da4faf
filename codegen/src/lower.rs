//! Lowering stage: turns the validated model into the IR for one service.
//!
//! Walks everything the service's operations reach, decides every Rust name
//! (through `names`), every Rust type and every constraint once, and reports
//! name collisions, unsupported features and bad HTTP or paginator
//! configuration alongside each other.

use crate::ast::{AstMember, AstShape};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::ir::*;
use crate::model::{local_name, Model};
use crate::names;
use crate::pattern;
use crate::traits::{self, Traits};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

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
        .filter(|(_, s)| s.kind == "service")
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
    if model.shape(&service_id).is_none_or(|s| s.kind != "service") {
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
    let Some(service_shape) = model.shape(service_id).filter(|s| s.kind == "service") else {
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
    pending_endpoint: BTreeMap<String, BTreeMap<String, crate::lower_endpoints::Pending>>,
}

impl<'m> Lowering<'m> {
    fn service(&mut self, id: &str, shape: &AstShape) -> Option<CrateIr> {
        let t = shape.typed.clone();
        match crate::protocol::for_service(&t) {
            Ok(p) => self.protocol = p,
            Err(reason) => self.diags.push(Diagnostic::shape(id, reason).unsupported()),
        }
        self.report_unsupported(id, None, &t);
        let service_errors: Vec<String> = shape.errors.iter().map(|e| e.target.clone()).collect();
        let mut operations = Vec::new();
        for op_id in self.op_ids.clone() {
            if let Some(op) = self.operation(&op_id, &t, &service_errors) {
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
                op.endpoint_params =
                    crate::lower_endpoints::resolve(op, pending, &self.types, &mut self.diags);
            }
        }
        let endpoint_rules =
            crate::lower_endpoints::service_rules(id, &t, &self.names.client, &mut self.diags);
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
        service_traits: &Traits,
        service_errors: &[String],
    ) -> Option<Operation> {
        let shape = self.model.shape(id)?;
        if shape.kind != "operation" {
            self.diags.push(Diagnostic::shape(
                id,
                format!("is bound as an operation but is a {}", shape.kind),
            ));
            return None;
        }
        let t = shape.typed.clone();
        self.report_unsupported(id, None, &t);
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
        let http = match &t.http {
            Some(h) => self.http_route(id, h, input.as_ref()),
            None => {
                let requires = format!(
                    "has no smithy.api#http trait, which {} requires",
                    self.protocol.id().rsplit('#').next().unwrap_or_default()
                );
                self.diags.push(Diagnostic::shape(id, requires));
                None
            }
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
        let (auth, optional_auth) = self.auth(id, service_traits, &t)?;
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
        self.endpoint_params(id, shape, &t);
        Some(Operation {
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
            deprecated: deprecation(&t),
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
            if let NamedKind::Struct(s) = &t.kind {
                t.roles.error = s.error.is_some();
            }
        }
    }

    /// Records the endpoint parameters an operation sets, to resolve once the
    /// input's types are lowered.
    fn endpoint_params(&mut self, id: &str, shape: &AstShape, t: &Traits) {
        use crate::lower_endpoints::Pending;
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
                if let Some(name) = m.typed.clone().context_param {
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
            self.model
                .shape(&m.target)
                .is_some_and(|t| t.kind == "blob" && t.traits.contains_key("smithy.api#streaming"))
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
                    },
                );
                Some((name, id))
            }
            Some(target) => {
                let shape = self.model.shape(target)?;
                if shape.kind != "structure" {
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

    /// Splits an `@endpoint` host prefix into text and `@hostLabel` members.
    fn host_prefix(
        &mut self,
        op: &str,
        template: &str,
        input: Option<&(String, String)>,
    ) -> Option<Vec<HostPart>> {
        let members: Vec<(String, AstMember)> = input
            .and_then(|(_, id)| self.model.shape(id))
            .map(|s| s.members.clone())
            .unwrap_or_default();
        let mut parts = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(HostPart::Literal(rest[..open].to_string()));
            }
            let Some(close) = rest[open..].find('}') else {
                self.diags.push(Diagnostic::shape(
                    op,
                    format!("@endpoint hostPrefix {template:?} has an unclosed `{{`"),
                ));
                return None;
            };
            let label = &rest[open + 1..open + close];
            let bound = members
                .iter()
                .any(|(n, m)| n == label && m.traits.contains_key("smithy.api#hostLabel"));
            if !bound {
                self.diags.push(Diagnostic::shape(
                    op,
                    format!("@endpoint hostPrefix label `{{{label}}}` has no input member with smithy.api#hostLabel"),
                ));
                return None;
            }
            let owner = input.map_or("", |(_, id)| id.as_str());
            parts.push(HostPart::Label {
                field: self.names.member(owner, label).field,
                member: label.to_string(),
            });
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            parts.push(HostPart::Literal(rest.to_string()));
        }
        Some(parts)
    }

    fn http_route(
        &mut self,
        op: &str,
        h: &traits::HttpTrait,
        input: Option<&(String, String)>,
    ) -> Option<HttpRoute> {
        let (path, query) = match h.uri.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (h.uri.as_str(), None),
        };
        if !path.starts_with('/') {
            self.diags.push(Diagnostic::shape(
                op,
                format!("http uri {:?} must start with `/`", h.uri),
            ));
            return None;
        }
        let members: Vec<(String, AstMember)> = input
            .and_then(|(_, id)| self.model.shape(id))
            .map(|s| s.members.clone())
            .unwrap_or_default();
        let mut segments = Vec::new();
        for seg in path.split('/').skip(1) {
            if let Some(label) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                let (label, greedy) = match label.strip_suffix('+') {
                    Some(l) => (l, true),
                    None => (label, false),
                };
                let bound = members
                    .iter()
                    .find(|(n, m)| n == label && m.traits.contains_key("smithy.api#httpLabel"));
                if bound.is_none() {
                    self.diags.push(Diagnostic::shape(op, format!("http uri label `{{{label}}}` has no input member with smithy.api#httpLabel")));
                }
                let owner = input.map_or("", |(_, id)| id.as_str());
                segments.push(PathSegment::Label {
                    field: self.names.member(owner, label).field,
                    member: label.to_string(),
                    greedy,
                });
            } else {
                segments.push(PathSegment::Literal(seg.to_string()));
            }
        }
        let query_literals = query
            .map(|q| {
                q.split('&')
                    .filter(|s| !s.is_empty())
                    .map(|kv| match kv.split_once('=') {
                        Some((k, v)) => (k.to_string(), Some(v.to_string())),
                        None => (kv.to_string(), None),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(HttpRoute {
            method: h.method.clone(),
            path: segments,
            query_literals,
            code: h.code,
        })
    }

    fn paginator(
        &mut self,
        op: &str,
        p: &traits::PaginatedTrait,
        shape: &AstShape,
    ) -> Option<Paginator> {
        let model = self.model;
        let exists = |r: &Option<crate::ast::AstRef>| {
            r.as_ref()
                .filter(|r| model.shape(&r.target).is_some())
                .map(|r| r.target.clone())
        };
        let (Some(input_id), Some(output_id)) = (exists(&shape.input), exists(&shape.output))
        else {
            self.diags.push(Diagnostic::shape(
                op,
                "is paginated but has no input or no output structure",
            ));
            return None;
        };
        let (Some(input_token), Some(output_token)) = (&p.input_token, &p.output_token) else {
            self.diags.push(Diagnostic::shape(op, "smithy.api#paginated needs inputToken and outputToken (on the operation or the service)"));
            return None;
        };
        let input = model.shape(&input_id)?;
        let input_id = &input_id;
        let output_id = &output_id;
        let input_member =
            |name: &str, kinds: &[&str], what: &str, this: &mut Self| -> Option<String> {
                let found = input.members.iter().find(|(n, _)| n == name);
                match found.and_then(|(_, m)| this.model.shape(&m.target)) {
                    Some(t) if kinds.contains(&t.kind.as_str()) => {
                        Some(this.names.member(input_id, name).field)
                    }
                    Some(t) => {
                        this.diags.push(Diagnostic::shape(
                            op,
                            format!(
                                "paginated {what} `{name}` must be a {} input member, not a {}",
                                kinds.join(" or "),
                                t.kind
                            ),
                        ));
                        None
                    }
                    None => {
                        this.diags.push(Diagnostic::shape(
                            op,
                            format!("paginated {what} `{name}` is not a member of the input"),
                        ));
                        None
                    }
                }
            };
        let input_token = input_member(input_token, &["string"], "inputToken", self);
        let page_size = match &p.page_size {
            Some(ps) => Some(input_member(
                ps,
                &["byte", "short", "integer", "long"],
                "pageSize",
                self,
            )?),
            None => None,
        };
        let output_token = self
            .output_path(op, output_id, output_token, "outputToken", &["string"])
            .map(|(p, _)| p);
        let items = match &p.items {
            Some(items) => {
                let (path, target) =
                    self.output_path(op, output_id, items, "items", &["list", "set", "map"])?;
                let collection = self.type_ref(&target, &Traits::default(), false)?;
                Some((path, collection))
            }
            None => None,
        };
        Some(Paginator {
            input_token: input_token?,
            output_token: output_token?,
            items,
            page_size,
        })
    }

    /// Follows a dotted member path through the output structures.
    fn output_path(
        &mut self,
        op: &str,
        output: &str,
        path: &str,
        what: &str,
        kinds: &[&str],
    ) -> Option<(Vec<String>, String)> {
        let mut shape_id = output.to_string();
        let mut shape = self.model.shape(output)?;
        let mut fields = Vec::new();
        let parts: Vec<&str> = path.split('.').collect();
        for (i, part) in parts.iter().enumerate() {
            let Some((_, m)) = shape.members.iter().find(|(n, _)| n == part) else {
                self.diags.push(Diagnostic::shape(
                    op,
                    format!(
                        "paginated {what} `{path}`: `{part}` is not a member of the output path"
                    ),
                ));
                return None;
            };
            fields.push(self.names.member(&shape_id, part).field);
            let target = self.model.shape(&m.target)?;
            if i + 1 == parts.len() {
                if !kinds.contains(&target.kind.as_str()) {
                    self.diags.push(Diagnostic::shape(
                        op,
                        format!(
                            "paginated {what} `{path}` must be a {}, not a {}",
                            kinds.join(" or "),
                            target.kind
                        ),
                    ));
                    return None;
                }
                return Some((fields, m.target.clone()));
            }
            if target.kind != "structure" {
                self.diags.push(Diagnostic::shape(
                    op,
                    format!("paginated {what} `{path}`: `{part}` is not a structure"),
                ));
                return None;
            }
            shape_id = m.target.clone();
            shape = target;
        }
        None
    }

    /// The Rust name of a structure, union or enum shape; queues it for lowering.
    fn named_ref(&mut self, id: &str, from_input: bool) -> Option<String> {
        let name = self.rust_type_name(id);
        let first_sight = self.seen.insert(id.to_string());
        let newly_validated = from_input && self.validated.insert(id.to_string());
        if first_sight || newly_validated {
            self.queue.push_back((id.to_string(), from_input));
        }
        Some(name)
    }

    fn drain_queue(&mut self) {
        while let Some((id, from_input)) = self.queue.pop_front() {
            self.named_type(&id, from_input);
        }
        self.box_cycles();
    }

    fn named_type(&mut self, id: &str, from_input: bool) {
        let Some(shape) = self.model.shape(id) else {
            return;
        };
        let name = self.rust_type_name(id);
        let t = shape.typed.clone();
        self.report_unsupported(id, None, &t);
        let kind = match shape.kind.as_str() {
            "structure" => {
                let members = shape
                    .members
                    .iter()
                    .filter_map(|(n, m)| self.member(id, n, m, from_input || t.input, t.input))
                    .collect();
                let members = self.check_member_names(id, members);
                let error = t.error.as_ref().map(|fault| {
                    let fault = if fault == "server" {
                        Fault::Server
                    } else {
                        Fault::Client
                    };
                    let message_field = shape
                        .members
                        .iter()
                        .find(|(n, _)| n.eq_ignore_ascii_case("message"))
                        .map(|(n, _)| self.names.member(id, n).field);
                    ErrorInfo {
                        fault,
                        http_status: t.http_error.unwrap_or(if fault == Fault::Server {
                            500
                        } else {
                            400
                        }),
                        retryable: t.retryable.is_some(),
                        throttling: t.retryable.as_ref().is_some_and(|r| r.throttling),
                        message_field,
                        reader: self.names.error_reader(id),
                    }
                });
                NamedKind::Struct(Struct {
                    members,
                    error,
                    builder: self.names.builder(id),
                    helpers: self.names.helpers(id),
                })
            }
            "union" => {
                let variants: Vec<Member> = shape
                    .members
                    .iter()
                    .filter_map(|(n, m)| self.member(id, n, m, from_input, false))
                    .collect();
                if variants.is_empty() {
                    self.diags
                        .push(Diagnostic::shape(id, "is a union without members"));
                }
                NamedKind::Union(Union {
                    variants: self.check_member_names(id, variants),
                })
            }
            "enum" => NamedKind::Enum(Enum {
                values: self.enum_values(id, shape),
            }),
            "string" => match &t.legacy_enum {
                Some(values) => NamedKind::Enum(Enum {
                    values: self.legacy_enum_values(id, values),
                }),
                None => return,
            },
            "intEnum" => {
                let values: Vec<EnumValue<i32>> = shape
                    .members
                    .iter()
                    .map(|(n, m)| {
                        let mt = m.typed.clone();
                        EnumValue {
                            variant: self.names.member(id, n).variant,
                            value: mt
                                .enum_value
                                .as_ref()
                                .and_then(|v| v.as_i64())
                                .unwrap_or_default() as i32,
                            internal: mt.internal,
                            docs: mt.documentation.clone(),
                            deprecated: deprecation(&mt),
                        }
                    })
                    .collect();
                NamedKind::IntEnum(IntEnum { values })
            }
            other => {
                self.diags.push(Diagnostic::shape(
                    id,
                    format!("a {other} cannot be generated as a named type"),
                ));
                return;
            }
        };
        let validated = self.validated.contains(id);
        self.types.insert(
            name.clone(),
            NamedType {
                id: id.to_string(),
                name,
                docs: t.documentation.clone(),
                deprecated: deprecation(&t),
                kind,
                validated,
                roles: Default::default(),
            },
        );
    }

    fn enum_values(&mut self, id: &str, shape: &AstShape) -> Vec<EnumValue<String>> {
        let values: Vec<EnumValue<String>> = shape
            .members
            .iter()
            .map(|(n, m)| {
                let mt = m.typed.clone();
                EnumValue {
                    variant: self.names.member(id, n).variant,
                    value: mt
                        .enum_value
                        .as_ref()
                        .and_then(|v| v.as_str())
                        .unwrap_or(n)
                        .to_string(),
                    internal: mt.internal,
                    docs: mt.documentation.clone(),
                    deprecated: deprecation(&mt),
                }
            })
            .collect();
        values
    }

    fn legacy_enum_values(
        &mut self,
        id: &str,
        values: &[traits::LegacyEnumValue],
    ) -> Vec<EnumValue<String>> {
        let out: Vec<EnumValue<String>> = values
            .iter()
            .map(|v| EnumValue {
                variant: self.names.member(id, &v.value).variant,
                value: v.value.clone(),
                internal: v.tags.iter().any(|t| t == "internal"),
                docs: v.documentation.clone(),
                deprecated: v.deprecated.then_some(Deprecation {
                    message: None,
                    since: None,
                }),
            })
            .collect();
        out
    }

    /// Two body members with the same JSON key cannot both be sent.
    fn check_member_names(&mut self, id: &str, members: Vec<Member>) -> Vec<Member> {
        let mut wire: BTreeMap<String, String> = BTreeMap::new();
        for m in &members {
            if m.binding == Binding::Body {
                if let Some(prev) = wire.insert(m.wire_name.clone(), m.name.clone()) {
                    self.diags.push(Diagnostic::member(
                        id,
                        &m.name,
                        format!(
                            "its JSON name `{}` is also used by member `{prev}`",
                            m.wire_name
                        ),
                    ));
                }
            }
        }
        members
    }

    fn member(
        &mut self,
        owner: &str,
        name: &str,
        m: &AstMember,
        from_input: bool,
        input_struct: bool,
    ) -> Option<Member> {
        let mt = m.typed.clone();
        self.report_unsupported(owner, Some(name), &mt);
        let target = self.model.shape(&m.target)?;
        let tt = target.typed.clone();
        if target.kind != "structure" && target.kind != "union" {
            self.report_unsupported(&m.target, None, &tt);
        }
        let mut ty = self.type_ref(&m.target, &mt, from_input)?;
        let mut binding = Self::binding(&mt);
        // Labels and query parameters only exist in requests: in a structure
        // that is never an input, such a member travels in the JSON body.
        if !from_input
            && matches!(
                binding,
                Binding::Label | Binding::Query(_) | Binding::QueryParams
            )
        {
            binding = Binding::Body;
        }
        // Outside a JSON body, a timestamp without `@timestampFormat` is an
        // http-date in a header and a date-time in a label or query string.
        let explicit_format = mt.timestamp_format.is_some()
            || tt.timestamp_format.is_some()
            || target.member.as_ref().is_some_and(|item| {
                item.typed.clone().timestamp_format.is_some()
                    || self
                        .model
                        .shape(&item.target)
                        .is_some_and(|t| t.typed.clone().timestamp_format.is_some())
            });
        if !explicit_format {
            let format = match binding {
                Binding::Header(_) => Some(TimestampFormat::HttpDate),
                Binding::Label | Binding::Query(_) => Some(TimestampFormat::DateTime),
                _ => None,
            };
            if let Some(format) = format {
                match &mut ty.kind {
                    TypeKind::Timestamp(f) => *f = format,
                    TypeKind::List { item, .. } => {
                        if let TypeKind::Timestamp(f) = &mut item.kind {
                            *f = format;
                        }
                    }
                    _ => {}
                }
            }
        }
        if let Some(reason) = binding_problem(&binding, &ty) {
            self.diags.push(Diagnostic::member(owner, name, reason));
        }
        let default_json = mt.default.clone().or_else(|| {
            if m.traits.contains_key("smithy.api#default") {
                None
            } else {
                tt.default.clone()
            }
        });
        let default = match default_json {
            Some(serde_json::Value::Null) | None => None,
            Some(v) => self.default_value(owner, name, &ty, &v),
        };
        let optional = default.is_none() || mt.client_optional || input_struct;
        let names = self.names.member(owner, name);
        Some(Member {
            name: name.to_string(),
            field: names.field,
            clearer: names.clearer,
            variant: names.variant,
            default_fn: self.names.default_fn(owner, name),
            wire_name: self.protocol.wire_name(name, &mt),
            required: mt.required,
            default,
            optional,
            boxed: false,
            binding,
            docs: mt.documentation.clone().or(tt.documentation.clone()),
            deprecated: deprecation(&mt),
            sensitive: mt.sensitive || tt.sensitive,
            media_type: tt.media_type.clone(),
            idempotency_token: mt.idempotency_token,
            ty,
        })
    }

    fn binding(t: &Traits) -> Binding {
        if t.http_label {
            Binding::Label
        } else if let Some(q) = &t.http_query {
            Binding::Query(q.clone())
        } else if t.http_query_params {
            Binding::QueryParams
        } else if let Some(h) = &t.http_header {
            Binding::Header(h.clone())
        } else if let Some(p) = &t.http_prefix_headers {
            Binding::PrefixHeaders(p.clone())
        } else if t.http_payload {
            Binding::Payload
        } else if t.http_response_code {
            Binding::ResponseCode
        } else {
            Binding::Body
        }
    }

    /// Resolves a member target to a Rust type, with the member's traits layered
    /// over the target's.
    fn type_ref(
        &mut self,
        target_id: &str,
        member_traits: &Traits,
        from_input: bool,
    ) -> Option<TypeRef> {
        let target = self.model.shape(target_id)?;
        let tt = target.typed.clone();
        let pick = |m: &Option<traits::LengthTrait>, t: &Option<traits::LengthTrait>| {
            m.clone().or_else(|| t.clone())
        };
        let bounds = |l: Option<traits::LengthTrait>| {
            l.map(|l| Bounds {
                min: l.min.map(|n| Bound {
                    text: n.to_string(),
                    value: n.as_f64().unwrap_or_default(),
                }),
                max: l.max.map(|n| Bound {
                    text: n.to_string(),
                    value: n.as_f64().unwrap_or_default(),
                }),
            })
        };
        let pattern = member_traits
            .pattern
            .clone()
            .or(tt.pattern.clone())
            .and_then(|p| {
                pattern::normalize(&p).ok().map(|ecma| Pattern {
                    linear: pattern::linear(&ecma),
                    source: p,
                    ecma,
                })
            });
        let constraints = Constraints {
            length: bounds(pick(&member_traits.length, &tt.length)),
            range: bounds(pick(&member_traits.range, &tt.range)),
            pattern,
            unique_items: member_traits.unique_items || tt.unique_items || target.kind == "set",
        };
        let kind = match target.kind.as_str() {
            "boolean" => TypeKind::Bool,
            "byte" => TypeKind::Byte,
            "short" => TypeKind::Short,
            "integer" => TypeKind::Integer,
            "long" => TypeKind::Long,
            "float" => TypeKind::Float,
            "double" => TypeKind::Double,
            "bigInteger" => TypeKind::BigInteger,
            "bigDecimal" => TypeKind::BigDecimal,
            "blob" if tt.streaming => TypeKind::Stream,
            "blob" => TypeKind::Blob,
            "document" => TypeKind::Document,
            "timestamp" => TypeKind::Timestamp(
                match member_traits
                    .timestamp_format
                    .as_deref()
                    .or(tt.timestamp_format.as_deref())
                {
                    Some("date-time") => TimestampFormat::DateTime,
                    Some("http-date") => TimestampFormat::HttpDate,
                    _ => self.protocol.body_timestamp_format(),
                },
            ),
            "string" if tt.legacy_enum.is_some() => TypeKind::Named {
                name: self.named_ref(target_id, from_input)?,
                shape: NamedShape::Enum,
            },
            "string" => TypeKind::String,
            "enum" => TypeKind::Named {
                name: self.named_ref(target_id, from_input)?,
                shape: NamedShape::Enum,
            },
            "intEnum" => TypeKind::Named {
                name: self.named_ref(target_id, from_input)?,
                shape: NamedShape::IntEnum,
            },
            "structure" => TypeKind::Named {
                name: self.named_ref(target_id, from_input)?,
                shape: NamedShape::Struct,
            },
            "union" if tt.streaming => {
                self.diags.push(
                    Diagnostic::shape(
                        target_id,
                        "is an event stream (a @streaming union); event streams are not supported by the generator yet",
                    )
                    .unsupported(),
                );
                return None;
            }
            "union" => TypeKind::Named {
                name: self.named_ref(target_id, from_input)?,
                shape: NamedShape::Union,
            },
            "list" | "set" => {
                let m = target.member.as_ref()?;
                let item = self.type_ref(&m.target, &m.typed.clone(), from_input)?;
                TypeKind::List {
                    item: Box::new(item),
                    sparse: tt.sparse,
                }
            }
            "map" => {
                let (k, v) = (target.key.as_ref()?, target.value.as_ref()?);
                let key = self.type_ref(&k.target, &k.typed.clone(), from_input)?;
                let value = self.type_ref(&v.target, &v.typed.clone(), from_input)?;
                TypeKind::Map {
                    key: Box::new(key),
                    value: Box::new(value),
                    sparse: tt.sparse,
                }
            }
            _ => return None,
        };
        Some(TypeRef { kind, constraints })
    }

    fn default_value(
        &mut self,
        owner: &str,
        member: &str,
        ty: &TypeRef,
        v: &serde_json::Value,
    ) -> Option<DefaultValue> {
        use serde_json::Value as J;
        let value = match (&ty.kind, v) {
            (TypeKind::Bool, J::Bool(b)) => Some(DefaultValue::Bool(*b)),
            (
                TypeKind::Byte | TypeKind::Short | TypeKind::Integer | TypeKind::Long,
                J::Number(n),
            ) => {
                let (min, max) = match ty.kind {
                    TypeKind::Byte => (i8::MIN as i64, i8::MAX as i64),
                    TypeKind::Short => (i16::MIN as i64, i16::MAX as i64),
                    TypeKind::Integer => (i32::MIN as i64, i32::MAX as i64),
                    _ => (i64::MIN, i64::MAX),
                };
                n.as_i64()
                    .filter(|i| (min..=max).contains(i))
                    .map(DefaultValue::Int)
            }
            (TypeKind::Float | TypeKind::Double, J::Number(n)) => {
                n.as_f64().map(DefaultValue::Float)
            }
            (TypeKind::String, J::String(s)) => Some(DefaultValue::String(s.clone())),
            (
                TypeKind::Named {
                    name,
                    shape: NamedShape::Enum,
                },
                J::String(s),
            ) => {
                let values = self.enum_values_of(name);
                values
                    .into_iter()
                    .find(|(_, value)| value == s)
                    .map(|(variant, _)| DefaultValue::EnumVariant(variant))
            }
            (
                TypeKind::Named {
                    name,
                    shape: NamedShape::IntEnum,
                },
                J::Number(n),
            ) => {
                let values = self.int_enum_values_of(name);
                values
                    .into_iter()
                    .find(|(_, value)| Some(*value as i64) == n.as_i64())
                    .map(|(variant, _)| DefaultValue::IntEnum(variant))
            }
            (TypeKind::Timestamp(_), J::Number(n)) => {
                let text = n.to_string();
                parse_epoch(&text)
                    .map(|(seconds, nanos)| DefaultValue::Timestamp { seconds, nanos })
            }
            (TypeKind::Blob | TypeKind::Stream, J::String(s)) => {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD
                    .decode(s)
                    .ok()
                    .map(DefaultValue::Blob)
            }
            (TypeKind::List { .. }, J::Array(a)) if a.is_empty() => Some(DefaultValue::EmptyList),
            (TypeKind::Map { .. }, J::Object(o)) if o.is_empty() => Some(DefaultValue::EmptyMap),
            (TypeKind::Document, v) => Some(DefaultValue::Document(v.clone())),
            _ => None,
        };
        if value.is_none() {
            self.diags.push(Diagnostic::member(
                owner,
                member,
                format!("default value {v} does not fit the member's type"),
            ));
        }
        value
    }

    /// `(variant, value)` pairs of an enum already reached, by Rust name.
    fn enum_values_of(&mut self, rust_name: &str) -> Vec<(String, String)> {
        let Some(id) = self.names.shape_of(rust_name).map(str::to_string) else {
            return Vec::new();
        };
        let Some(shape) = self.model.shape(&id) else {
            return Vec::new();
        };
        match shape.kind.as_str() {
            "enum" => self
                .enum_values(&id, shape)
                .into_iter()
                .map(|v| (v.variant, v.value))
                .collect(),
            _ => shape
                .typed
                .legacy_enum
                .clone()
                .map(|vals| {
                    self.legacy_enum_values(&id, &vals)
                        .into_iter()
                        .map(|v| (v.variant, v.value))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    fn int_enum_values_of(&self, rust_name: &str) -> Vec<(String, i32)> {
        let Some(id) = self.names.shape_of(rust_name) else {
            return Vec::new();
        };
        let Some(shape) = self.model.shape(id) else {
            return Vec::new();
        };
        shape
            .members
            .iter()
            .map(|(n, m)| {
                (
                    self.names.member(id, n).variant,
                    m.typed
                        .enum_value
                        .clone()
                        .and_then(|v| v.as_i64())
                        .unwrap_or_default() as i32,
                )
            })
            .collect()
    }

    /// Boxes every struct or union member that closes a cycle of direct
    /// (non-collection) references, so the Rust types have a finite size.
    fn box_cycles(&mut self) {
        let direct = |ty: &TypeRef| match &ty.kind {
            TypeKind::Named {
                name,
                shape: NamedShape::Struct | NamedShape::Union,
            } => Some(name.clone()),
            _ => None,
        };
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (name, t) in &self.types {
            let members = match &t.kind {
                NamedKind::Struct(s) => &s.members,
                NamedKind::Union(u) => &u.variants,
                _ => continue,
            };
            edges.insert(
                name.clone(),
                members.iter().filter_map(|m| direct(&m.ty)).collect(),
            );
        }
        let reaches = |from: &str, to: &str| {
            let mut stack = vec![from.to_string()];
            let mut seen = BTreeSet::new();
            while let Some(n) = stack.pop() {
                if n == to {
                    return true;
                }
                if seen.insert(n.clone()) {
                    stack.extend(edges.get(&n).into_iter().flatten().cloned());
                }
            }
            false
        };
        let mut to_box = Vec::new();
        for (name, targets) in &edges {
            for target in targets {
                if reaches(target, name) {
                    to_box.push((name.clone(), target.clone()));
                }
            }
        }
        for (owner, target) in to_box {
            if let Some(t) = self.types.get_mut(&owner) {
                let members = match &mut t.kind {
                    NamedKind::Struct(s) => &mut s.members,
                    NamedKind::Union(u) => &mut u.variants,
                    _ => continue,
                };
                for m in members
                    .iter_mut()
                    .filter(|m| direct(&m.ty).as_deref() == Some(target.as_str()))
                {
                    m.boxed = true;
                }
            }
        }
    }
}

/// Why a member's type cannot travel where its HTTP binding puts it, if it cannot.
fn binding_problem(binding: &Binding, ty: &TypeRef) -> Option<String> {
    let scalar = |t: &TypeRef| {
        !matches!(
            t.kind,
            TypeKind::Document
                | TypeKind::Stream
                | TypeKind::List { .. }
                | TypeKind::Map { .. }
                | TypeKind::Named {
                    shape: NamedShape::Struct | NamedShape::Union,
                    ..
                }
        )
    };
    let scalar_or_list = |t: &TypeRef| match &t.kind {
        TypeKind::List { item, .. } => scalar(item),
        _ => scalar(t),
    };
    let string_map = |t: &TypeRef, lists: bool| match &t.kind {
        TypeKind::Map { value, .. } => match &value.kind {
            TypeKind::String => true,
            TypeKind::List { item, .. } => lists && item.kind == TypeKind::String,
            _ => false,
        },
        _ => false,
    };
    let (ok, what) = match binding {
        Binding::Body => (
            ty.kind != TypeKind::Stream,
            "a @streaming blob must be the structure's @httpPayload",
        ),
        Binding::Label => (
            scalar(ty),
            "@httpLabel needs a string, number, boolean, enum or timestamp",
        ),
        Binding::Query(_) => (
            scalar_or_list(ty),
            "@httpQuery needs a simple value or a list of them",
        ),
        Binding::Header(_) => (
            scalar_or_list(ty),
            "@httpHeader needs a simple value or a list of them",
        ),
        Binding::QueryParams => (
            string_map(ty, true),
            "@httpQueryParams needs a map of strings or of lists of strings",
        ),
        Binding::PrefixHeaders(_) => (
            string_map(ty, false),
            "@httpPrefixHeaders needs a map of strings",
        ),
        Binding::Payload => (
            !matches!(ty.kind, TypeKind::List { .. } | TypeKind::Map { .. })
                && (!scalar(ty)
                    || matches!(
                        ty.kind,
                        TypeKind::String
                            | TypeKind::Blob
                            | TypeKind::Named {
                                shape: NamedShape::Enum,
                                ..
                            }
                    )),
            "@httpPayload needs a structure, union, document, string, enum or blob",
        ),
        Binding::ResponseCode => (
            ty.kind == TypeKind::Integer,
            "@httpResponseCode needs an integer",
        ),
    };
    (!ok).then(|| what.to_string())
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
