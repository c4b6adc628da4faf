//! Lowering stage, HTTP: an operation's route and `@endpoint` host prefix,
//! and whether each member's binding fits its type.

use super::*;

impl Lowering<'_> {
    /// Splits an `@endpoint` host prefix into text and `@hostLabel` members.
    pub(super) fn host_prefix(
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

    /// The route of an operation of a protocol without HTTP bindings, as
    /// the protocol decides it.
    pub(super) fn rpc_route(
        &mut self,
        op: &str,
        service: &str,
        service_traits: &Traits,
    ) -> Option<HttpRoute> {
        let Some(rpc) = self
            .protocol
            .rpc_request(local_name(service), local_name(op))
        else {
            self.diags.push(Diagnostic::shape(
                op,
                format!("cannot be routed by {}", self.protocol.id()),
            ));
            return None;
        };
        let trait_ = traits::HttpTrait {
            method: "POST".into(),
            uri: rpc.uri,
            code: 200,
        };
        let mut route = self.http_route(op, &trait_, None)?;
        route.headers = rpc.headers;
        // A service moved from awsQuery asks for its awsQuery error codes.
        if service_traits.aws_query_compatible {
            route
                .headers
                .push(("x-amzn-query-mode".into(), "true".into()));
        }
        route.body = BodyStyle::Document {
            content_type: rpc.content_type.to_string(),
            unit_input_empty: rpc.unit_input_empty,
        };
        Some(route)
    }

    pub(super) fn http_route(
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
            headers: Vec::new(),
            body: BodyStyle::Bindings,
        })
    }

    pub(super) fn binding(t: &Traits) -> Binding {
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
}

/// Why a member's type cannot travel where its HTTP binding puts it, if it cannot.
pub(super) fn binding_problem(binding: &Binding, ty: &TypeRef) -> Option<String> {
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
            TypeKind::String | TypeKind::Text => true,
            TypeKind::List { item, .. } => {
                lists && matches!(item.kind, TypeKind::String | TypeKind::Text)
            }
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
                            | TypeKind::Text
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
