//! Emit stage: the restJson1 HTTP bindings of each operation. Builds the
//! body of `Operation::request` (path labels, query, headers, host prefix,
//! payload or JSON body) and of `Operation::response` (JSON body, headers,
//! prefix headers, status code, payload), and the readers of error
//! structures whose members are bound to headers.

use super::rust_type;
use crate::ir::*;
use crate::names::ident;
use proc_macro2::TokenStream;
use quote::quote;

/// The members of a structure type, or none.
pub(crate) fn members<'a>(ir: &'a CrateIr, name: &str) -> &'a [Member] {
    match ir.types.get(name).map(|t| &t.kind) {
        Some(NamedKind::Struct(s)) => &s.members,
        _ => &[],
    }
}

pub(crate) fn format_tokens(f: TimestampFormat) -> TokenStream {
    match f {
        TimestampFormat::EpochSeconds => quote!(rt::DateTimeFormat::EpochSeconds),
        TimestampFormat::DateTime => quote!(rt::DateTimeFormat::DateTime),
        TimestampFormat::HttpDate => quote!(rt::DateTimeFormat::HttpDate),
    }
}

/// An expression of type `Cow<str>` writing the scalar `v` (a reference) as
/// text; it may use `?` on a `Result<_, String>`.
fn text_expr(ty: &TypeRef, media_type: bool, v: TokenStream) -> TokenStream {
    let cow = quote!(::std::borrow::Cow::<str>);
    match &ty.kind {
        TypeKind::String | TypeKind::Text if media_type => {
            quote!(#cow::Owned(rt::wire::base64(#v.as_bytes())))
        }
        TypeKind::Text => quote!(#cow::Borrowed(::std::ops::Deref::deref(#v))),
        TypeKind::String | TypeKind::BigInteger | TypeKind::BigDecimal => {
            quote!(#cow::Borrowed(#v.as_str()))
        }
        TypeKind::Named {
            shape: NamedShape::Enum,
            ..
        } => quote!(#cow::Borrowed(#v.as_str())),
        TypeKind::Named {
            shape: NamedShape::IntEnum,
            ..
        } => quote!(#cow::Owned(#v.value().to_string())),
        TypeKind::Float => quote!(rt::wire::fmt_f32(*#v)),
        TypeKind::Double => quote!(rt::wire::fmt_f64(*#v)),
        TypeKind::Timestamp(f) => {
            let f = format_tokens(*f);
            quote!(#cow::Owned(rt::wire::fmt_timestamp(#v, #f)?))
        }
        TypeKind::Blob => {
            quote!(#cow::Owned(::std::string::String::from_utf8_lossy(&#v.to_base64()).into_owned()))
        }
        _ => quote!(#cow::Owned(#v.to_string())),
    }
}

/// An expression of type `Result<T, String>` reading the scalar `T` from the
/// `&str` named `s`.
fn parse_expr(ty: &TypeRef, media_type: bool) -> TokenStream {
    match &ty.kind {
        TypeKind::String if media_type => quote!(rt::wire::parse_base64_text(s)),
        TypeKind::String => quote!(Ok::<_, String>(s.to_string())),
        TypeKind::Text if media_type => quote!(rt::wire::parse_base64_text(s).map(rt::Text::from)),
        TypeKind::Text => quote!(Ok::<_, String>(rt::Text::from(s))),
        TypeKind::Named {
            shape: NamedShape::Enum,
            ..
        } => {
            let t = rust_type(ty);
            quote!(Ok::<_, String>(#t::from(s.trim())))
        }
        TypeKind::Named {
            shape: NamedShape::IntEnum,
            ..
        } => {
            let t = rust_type(ty);
            quote!(rt::wire::parse_int::<i32>(s).map(#t::from))
        }
        TypeKind::Bool => quote!(rt::wire::parse_bool(s)),
        TypeKind::Byte => quote!(rt::wire::parse_int::<i8>(s)),
        TypeKind::Short => quote!(rt::wire::parse_int::<i16>(s)),
        TypeKind::Integer => quote!(rt::wire::parse_int::<i32>(s)),
        TypeKind::Long => quote!(rt::wire::parse_int::<i64>(s)),
        TypeKind::Float => quote!(rt::wire::parse_f32(s)),
        TypeKind::Double => quote!(rt::wire::parse_f64(s)),
        TypeKind::BigInteger => {
            quote!(rt::BigInteger::new(s.trim()).ok_or_else(|| format!("{s:?} is not a number")))
        }
        TypeKind::BigDecimal => {
            quote!(rt::BigDecimal::new(s.trim()).ok_or_else(|| format!("{s:?} is not a number")))
        }
        TypeKind::Timestamp(f) => {
            let f = format_tokens(*f);
            quote!(rt::wire::parse_timestamp(s, #f))
        }
        TypeKind::Blob => quote!(rt::wire::parse_base64(s).map(rt::Blob::new)),
        _ => quote!(Err::<(), String>(
            "this type cannot be read from text".to_string()
        )),
    }
}

/// Statements that run `body` with `v` bound to the member's value (a
/// reference), when it is set.
fn with_value(m: &Member, access: TokenStream, body: TokenStream) -> TokenStream {
    if m.optional {
        quote! { if let Some(v) = &#access { #body } }
    } else {
        quote! { { let v = &#access; #body } }
    }
}

/// The statements of `Operation::request`.
pub(crate) fn request_body(ir: &CrateIr, op: &Operation) -> TokenStream {
    let members = members(ir, &op.input);
    let mut stmts = Vec::new();
    // Idempotency tokens the caller left unset are filled in on a copy.
    let tokens: Vec<&Member> = members
        .iter()
        .filter(|m| m.idempotency_token && m.optional && m.ty.kind == TypeKind::String)
        .collect();
    if !tokens.is_empty() {
        let checks = tokens.iter().map(|m| {
            let f = ident(&m.field);
            quote!(input.#f.is_none())
        });
        let fills = tokens.iter().map(|m| {
            let f = ident(&m.field);
            quote! {
                if copy.#f.is_none() { copy.#f = Some(tokens.token()); }
            }
        });
        stmts.push(quote! {
            let filled: Self::Input;
            let input = if #(#checks)||* {
                let mut copy = input.clone();
                #(#fills)*
                filled = copy;
                &filled
            } else {
                input
            };
        });
    }
    stmts.push(quote!(let mut req = rt::client::OperationRequest::builder(Self::METHOD);));
    // Path: literal text is merged so each label is one call.
    let mut literal = String::new();
    for seg in &op.http.path {
        literal.push('/');
        match seg {
            PathSegment::Literal(l) => literal.push_str(l),
            PathSegment::Label {
                field,
                member,
                greedy,
            } => {
                if !literal.is_empty() {
                    stmts.push(quote!(req.literal(#literal);));
                    literal.clear();
                }
                let Some(m) = members.iter().find(|m| &m.field == field) else {
                    continue;
                };
                let f = ident(field);
                let text = text_expr(&m.ty, false, quote!(v));
                let missing = format!(
                    "input member `{member}` is required: it fills the URI label {{{member}}}"
                );
                let value = if m.optional {
                    quote!(input.#f.as_ref().ok_or_else(|| #missing.to_string())?)
                } else {
                    quote!(&input.#f)
                };
                stmts.push(quote! {
                    {
                        let v = #value;
                        req.label(#member, &#text, #greedy)?;
                    }
                });
            }
        }
    }
    if !literal.is_empty() {
        stmts.push(quote!(req.literal(#literal);));
    }
    for (k, v) in &op.http.query_literals {
        let v = match v {
            Some(v) => quote!(Some(#v)),
            None => quote!(None),
        };
        stmts.push(quote!(req.query_literal(#k, #v);));
    }
    // `@httpQuery` members first: they win over `@httpQueryParams`.
    for m in members {
        let f = ident(&m.field);
        if let Binding::Query(key) = &m.binding {
            let body = match &m.ty.kind {
                TypeKind::List { item, .. } => {
                    let text = text_expr(item, m.media_type.is_some(), quote!(v));
                    quote! { for v in v { req.query(#key, &#text); } }
                }
                _ => {
                    let text = text_expr(&m.ty, m.media_type.is_some(), quote!(v));
                    quote! { req.query(#key, &#text); }
                }
            };
            stmts.push(with_value(m, quote!(input.#f), body));
        }
    }
    for m in members {
        let f = ident(&m.field);
        if m.binding == Binding::QueryParams {
            let TypeKind::Map { value, .. } = &m.ty.kind else {
                continue;
            };
            let body = match &value.kind {
                TypeKind::List { item, .. } => {
                    let text = text_expr(item, false, quote!(v));
                    quote! { for (k, vs) in v { for v in vs { req.query_param(k, &#text); } } }
                }
                _ => {
                    let text = text_expr(value, false, quote!(v));
                    quote! { for (k, v) in v { req.query_param(k, &#text); } }
                }
            };
            stmts.push(with_value(m, quote!(input.#f), body));
        }
    }
    // Prefix headers first, so a specific header member wins over a map
    // entry of the same name.
    let mut ordered: Vec<&Member> = members
        .iter()
        .filter(|m| matches!(m.binding, Binding::PrefixHeaders(_)))
        .collect();
    ordered.extend(
        members
            .iter()
            .filter(|m| matches!(m.binding, Binding::Header(_))),
    );
    for m in ordered {
        let f = ident(&m.field);
        match &m.binding {
            Binding::Header(name) => {
                let body = header_write(m, name);
                stmts.push(with_value(m, quote!(input.#f), body));
            }
            Binding::PrefixHeaders(prefix) => {
                let body = quote! {
                    for (k, v) in v {
                        req.header(&format!("{}{}", #prefix, k), v)?;
                    }
                };
                stmts.push(with_value(m, quote!(input.#f), body));
            }
            _ => {}
        }
    }
    if let Some(parts) = &op.host_prefix {
        let mut fmt = String::new();
        let mut args = Vec::new();
        for p in parts {
            match p {
                HostPart::Literal(l) => fmt.push_str(&l.replace('{', "{{").replace('}', "}}")),
                HostPart::Label { field, member } => {
                    fmt.push_str("{}");
                    let f = ident(field);
                    let missing = format!(
                        "input member `{member}` is required: it fills the host label {{{member}}}"
                    );
                    let optional = members
                        .iter()
                        .find(|m| &m.field == field)
                        .is_none_or(|m| m.optional);
                    args.push(if optional {
                        quote!(input.#f.as_deref().ok_or_else(|| #missing.to_string())?)
                    } else {
                        quote!(input.#f.as_str())
                    });
                }
            }
        }
        // A prefix without labels is a plain string (no `format!` to run).
        stmts.push(if args.is_empty() {
            let text = fmt.replace("{{", "{").replace("}}", "}");
            quote!(req.host_prefix(String::from(#text))?;)
        } else {
            quote!(req.host_prefix(format!(#fmt #(, #args)*))?;)
        });
    }
    for (name, value) in &op.http.headers {
        stmts.push(quote!(req.header(#name, #value)?;));
    }
    stmts.push(request_payload(ir, op, members));
    quote! {
        #(#stmts)*
        req.finish()
    }
}

fn header_write(m: &Member, name: &str) -> TokenStream {
    match &m.ty.kind {
        TypeKind::List { item, .. }
            if item.kind == TypeKind::Timestamp(TimestampFormat::HttpDate) =>
        {
            quote! { req.header(#name, &rt::wire::join_http_dates(v)?)?; }
        }
        TypeKind::List { item, .. } => {
            let text = text_expr(item, m.media_type.is_some(), quote!(v));
            quote! {
                let mut items = Vec::with_capacity(v.len());
                for v in v { items.push(#text); }
                req.header(#name, &rt::wire::join_header_list(items))?;
            }
        }
        _ => {
            let text = text_expr(&m.ty, m.media_type.is_some(), quote!(v));
            quote! { req.header(#name, &#text)?; }
        }
    }
}

fn request_payload(ir: &CrateIr, op: &Operation, members: &[Member]) -> TokenStream {
    if let BodyStyle::Document {
        content_type,
        unit_input_empty,
    } = &op.http.body
    {
        if op.input_unit && *unit_input_empty {
            return quote!();
        }
        let write = match ir.service.protocol.request_format() {
            BodyFormat::Json => quote!(req.json(input)?;),
            BodyFormat::Cbor => quote!(req.cbor(input)?;),
            BodyFormat::Query => {
                let version = ir.service.version.as_deref().unwrap_or_default();
                let value = if op.input_unit {
                    quote!(None::<&Self::Input>)
                } else {
                    quote!(Some(input))
                };
                quote!(req.form(Self::NAME, #version, #value)?;)
            }
            // No protocol sends a whole XML document without HTTP bindings.
            BodyFormat::Xml => quote!(),
        };
        return quote! {
            req.header("Content-Type", #content_type)?;
            #write
        };
    }
    if op.input_unit {
        return quote!();
    }
    let xml = ir.service.protocol.request_format() == BodyFormat::Xml;
    if let Some(m) = members.iter().find(|m| m.binding == Binding::Payload) {
        let f = ident(&m.field);
        let media = m.media_type.as_deref();
        let body = match &m.ty.kind {
            TypeKind::Stream => {
                let ct = media.unwrap_or("application/octet-stream");
                quote!(req.stream(v, #ct)?;)
            }
            TypeKind::Blob => {
                let ct = media.unwrap_or("application/octet-stream");
                quote!(req.payload(v.clone().into_bytes().map_err(|e| e.to_string())?, #ct);)
            }
            TypeKind::String | TypeKind::Text => {
                let ct = media.unwrap_or("text/plain");
                quote!(req.payload(v.clone().into_bytes(), #ct);)
            }
            TypeKind::Named {
                shape: NamedShape::Enum,
                ..
            } => quote!(req.payload(v.as_str().as_bytes().to_vec(), "text/plain");),
            _ if xml => {
                let (root, ns) = payload_root(ir, m);
                quote!(req.xml(v, #root, #ns)?;)
            }
            _ => quote!(req.json(v)?;),
        };
        // An unset structure payload is sent as an empty object; an unset
        // union, blob or string payload as no body at all.
        let is_struct = matches!(
            m.ty.kind,
            TypeKind::Named {
                shape: NamedShape::Struct,
                ..
            }
        );
        if is_struct && m.optional && xml {
            // An unset XML payload is no body at all.
            return with_value(m, quote!(input.#f), body);
        }
        if is_struct && m.optional {
            return quote! {
                match &input.#f {
                    Some(v) => req.json(v)?,
                    None => req.json_body(b"{}".to_vec()),
                }
            };
        }
        return with_value(m, quote!(input.#f), body);
    }
    let has_body = members.iter().any(|m| m.binding == Binding::Body);
    if !has_body {
        return quote!();
    }
    if xml {
        let (root, ns) = match ir.types.get(&op.input) {
            Some(t) => (
                t.xml_name.clone(),
                t.xml_namespace
                    .as_ref()
                    .or(ir.service.xml_namespace.as_ref()),
            ),
            None => (op.input.clone(), None),
        };
        let ns = super::xml::ns_tokens(ns);
        return quote!(req.xml(input, #root, #ns)?;);
    }
    quote!(req.json(input)?;)
}

/// The root element of a structure or union payload: the member's
/// `@xmlName`, else its target's name; the member's namespace, else its
/// target's.
fn payload_root(ir: &CrateIr, m: &Member) -> (String, TokenStream) {
    let target = match &m.ty.kind {
        TypeKind::Named { name, .. } => ir.types.get(name),
        _ => None,
    };
    let root = match target {
        Some(t) if !m.xml.named => t.xml_name.clone(),
        _ => m.wire_name.clone(),
    };
    let ns = m
        .xml
        .namespace
        .as_ref()
        .or(target.and_then(|t| t.xml_namespace.as_ref()));
    (root, super::xml::ns_tokens(ns))
}

/// Statements reading the members bound outside the JSON body of structure
/// `members` into `out`, from `headers` and (for outputs) `response`.
fn read_bound(members: &[Member], headers: TokenStream) -> Vec<TokenStream> {
    let mut stmts = Vec::new();
    for m in members {
        let f = ident(&m.field);
        let assign = |value: TokenStream| {
            if m.optional {
                quote!(out.#f = Some(#value);)
            } else {
                quote!(out.#f = #value;)
            }
        };
        match &m.binding {
            Binding::Header(name) => {
                let context = format!("header `{name}`: {{e}}");
                let value = match &m.ty.kind {
                    TypeKind::List { item, .. }
                        if item.kind == TypeKind::Timestamp(TimestampFormat::HttpDate) =>
                    {
                        quote!(rt::wire::split_http_dates(&text))
                    }
                    TypeKind::List { item, .. } => {
                        let parse = parse_expr(item, m.media_type.is_some());
                        quote! {
                            rt::wire::split_header_list(&text).and_then(|items| {
                                items.iter().map(|s| { let s = s.as_str(); #parse }).collect::<Result<Vec<_>, String>>()
                            })
                        }
                    }
                    _ => {
                        let parse = parse_expr(&m.ty, m.media_type.is_some());
                        quote!({ let s = text.as_str(); #parse })
                    }
                };
                let set = assign(quote!(value));
                stmts.push(quote! {
                    if let Some(text) = rt::wire::header_text(#headers, #name) {
                        let value = #value.map_err(|e| format!(#context))?;
                        #set
                    }
                });
            }
            Binding::PrefixHeaders(prefix) => {
                let set = assign(quote!(map));
                // Large-string keys or values are `rt::Text`.
                let text = |t: &TypeRef, v: TokenStream| {
                    if t.kind == TypeKind::Text {
                        quote!(rt::Text::from(#v))
                    } else {
                        v
                    }
                };
                let convert = match &m.ty.kind {
                    TypeKind::Map { key, value, .. }
                        if key.kind == TypeKind::Text || value.kind == TypeKind::Text =>
                    {
                        let (k, v) = (text(key, quote!(k)), text(value, quote!(v)));
                        quote! {
                            let map: ::std::collections::BTreeMap<_, _> = map
                                .into_iter()
                                .map(|(k, v)| (#k, #v))
                                .collect();
                        }
                    }
                    _ => quote!(),
                };
                // Present even when empty: no header with the prefix is an
                // empty map (the restXml suite's `HttpPrefixHeadersAreNotPresent`).
                stmts.push(quote! {
                    let map = rt::wire::prefix_headers(#headers, #prefix);
                    #convert
                    #set
                });
            }
            _ => {}
        }
    }
    stmts
}

/// The statements of `Operation::response`.
pub(crate) fn response_body(ir: &CrateIr, op: &Operation) -> TokenStream {
    let members = members(ir, &op.output);
    match ir.service.protocol.response_format() {
        BodyFormat::Cbor => return quote!(response.cbor()),
        BodyFormat::Xml if matches!(op.http.body, BodyStyle::Document { .. }) => {
            let wrapper = match &op.response_wrapper {
                Some(w) => quote!(Some(#w)),
                None => quote!(None),
            };
            return quote!(response.xml(#wrapper));
        }
        _ => {}
    }
    let has_body = members.iter().any(|m| m.binding == Binding::Body);
    let xml = ir.service.protocol.response_format() == BodyFormat::Xml;
    let mut stmts = read_bound(members, quote!(response.headers()));
    for m in members {
        let f = ident(&m.field);
        let assign = |value: TokenStream| {
            if m.optional {
                quote!(out.#f = Some(#value);)
            } else {
                quote!(out.#f = #value;)
            }
        };
        match &m.binding {
            Binding::ResponseCode => {
                let set = assign(quote!(i32::from(response.status())));
                stmts.push(set);
            }
            Binding::Payload => {
                let stmt = match &m.ty.kind {
                    TypeKind::Stream => assign(quote!(response.take_stream())),
                    TypeKind::Blob => {
                        let set = assign(quote!(rt::Blob::new(response.body_bytes())));
                        quote!(if !response.body().is_empty() { #set })
                    }
                    TypeKind::String => {
                        let set = assign(quote!(rt::wire::text_payload(response.body())?));
                        quote!(if !response.body().is_empty() { #set })
                    }
                    TypeKind::Text => {
                        let set = assign(quote!(rt::Text::from(rt::wire::text_payload(
                            response.body()
                        )?)));
                        quote!(if !response.body().is_empty() { #set })
                    }
                    TypeKind::Named {
                        shape: NamedShape::Enum,
                        ..
                    } => {
                        let t = rust_type(&m.ty);
                        let set = assign(
                            quote!(#t::from(rt::wire::text_payload(response.body())?.as_str())),
                        );
                        quote!(if !response.body().is_empty() { #set })
                    }
                    _ => {
                        let t = rust_type(&m.ty);
                        let read = if xml {
                            quote!(response.xml_payload::<#t>()?)
                        } else {
                            quote!(response.json_payload::<#t>()?)
                        };
                        if m.optional {
                            quote!(out.#f = #read;)
                        } else {
                            quote!(if let Some(v) = #read { out.#f = v; })
                        }
                    }
                };
                stmts.push(stmt);
            }
            _ => {}
        }
    }
    if xml && op.unwrapped_output {
        // The root element is the one body member's own.
        if let Some(m) = members.iter().find(|m| m.binding == Binding::Body) {
            let f = ident(&m.field);
            let read = super::xml::closure(super::xml::read_expr(&m.ty));
            let set = if m.optional {
                quote!(out.#f = Some(v);)
            } else {
                quote!(out.#f = v;)
            };
            stmts.push(quote! {
                if let Some(v) = response.xml_root(#read)? { #set }
            });
            return quote! {
                let mut out: Self::Output = response.xml_members(false)?;
                #(#stmts)*
                Ok(out)
            };
        }
    }
    if xml {
        let read = quote!(response.xml_members(#has_body));
        if stmts.is_empty() {
            return read;
        }
        return quote! {
            let mut out: Self::Output = #read?;
            #(#stmts)*
            Ok(out)
        };
    }
    if stmts.is_empty() {
        return if has_body {
            quote!(response.json())
        } else {
            quote!(response.json_members(false))
        };
    }
    quote! {
        let mut out: Self::Output = response.json_members(#has_body)?;
        #(#stmts)*
        Ok(out)
    }
}

/// Whether an error structure has members bound outside its JSON body.
pub(crate) fn error_has_bindings(members: &[Member]) -> bool {
    members.iter().any(|m| m.binding != Binding::Body)
}

/// A function reading error structure `name` from an error response, body
/// and headers.
pub(crate) fn error_reader(
    ir: &CrateIr,
    name: &str,
    reader: &str,
    members: &[Member],
) -> TokenStream {
    let t = ident(name);
    let f = ident(reader);
    let stmts = read_bound(members, quote!(headers));
    let parse = super::error_parse(ir.service.protocol);
    quote! {
        fn #f(response: &rt::error::ErrorResponse<'_>) -> Result<#t, rt::error::UnhandledError> {
            fn bound(out: &mut #t, headers: &rt::http::HeaderMap) -> Result<(), String> {
                #(#stmts)*
                Ok(())
            }
            let mut out: #t = #parse?;
            bound(&mut out, response.headers()).map_err(|_| response.unhandled())?;
            Ok(out)
        }
    }
}
