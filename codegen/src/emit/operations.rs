//! Emit stage: one marker type per operation carrying its HTTP route, and the
//! paginator accessors for `@paginated` operations, as runtime trait impls.

use super::{deprecated, doc_line, docs, rust_type};
use crate::ir::*;
use crate::names::ident;
use proc_macro2::TokenStream;
use quote::quote;

pub fn emit(ir: &CrateIr) -> TokenStream {
    let ops = ir.service.operations.iter().map(|op| operation(ir, op));
    quote! {
        //! The service's operations: HTTP routes and pagination.

        #![allow(deprecated)]

        use smithy_client_runtime as rt;
        use crate::types::*;

        #(#ops)*
    }
}

fn operation(ir: &CrateIr, op: &Operation) -> TokenStream {
    let name = ident(&op.name);
    let doc = docs(op.docs.as_deref());
    let dep = deprecated(op.deprecated.as_ref());
    let (input, output) = (ident(&op.input), ident(&op.output));
    let error_type = ident(&op.error_type);
    let smithy_name = op.id.rsplit_once('#').map_or(op.id.as_str(), |(_, n)| n);
    let method = &op.http.method;
    let uri = uri_template(&op.http);
    let code = proc_macro2::Literal::u16_unsuffixed(op.http.code);
    let errors = if op.errors.is_empty() {
        "none".to_string()
    } else {
        op.errors
            .iter()
            .map(|e| format!("[`{e}`]"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let errors_doc = doc_line(&format!("Modelled errors: {errors}."));
    let paginated = op.paginator.as_ref().map(|p| paginator(ir, op, p));
    let request = super::http::request_body(ir, op);
    let response = super::http::response_body(ir, op);
    let input_param = if uses_ident(&request, "input") {
        quote!(input)
    } else {
        quote!(_input)
    };
    let tokens_param = if uses_ident(&request, "tokens") {
        quote!(tokens)
    } else {
        quote!(_tokens)
    };
    let streaming = op.streaming_output.then(|| {
        quote!(
            const STREAMING_OUTPUT: bool = true;
        )
    });
    let auth = op.auth.iter().map(|a| match a {
        AuthKind::SigV4 => quote!(rt::operation::AuthScheme::SigV4),
        AuthKind::Bearer => quote!(rt::operation::AuthScheme::Bearer),
    });
    // Only what differs from the trait's defaults.
    let optional_auth = (op.optional_auth && !op.auth.is_empty()).then(|| {
        quote!(
            const OPTIONAL_AUTH: bool = true;
        )
    });
    let unsigned_payload = op.unsigned_payload.then(|| {
        quote!(
            const UNSIGNED_PAYLOAD: bool = true;
        )
    });
    let checksum = op.checksum_required.then(|| {
        quote!(
            const CHECKSUM_REQUIRED: bool = true;
        )
    });
    let compression = (!op.compression.is_empty()).then(|| {
        let encodings = &op.compression;
        quote!(
            const COMPRESSION: &'static [&'static str] = &[#(#encodings),*];
        )
    });
    let endpoint_params = super::endpoints::operation_items(op);
    // Only what differs from the trait's default (JSON).
    let wire_format = (ir.service.protocol.response_format() != BodyFormat::Json).then(|| {
        let format = super::wire_format(ir.service.protocol);
        quote!(
            const WIRE_FORMAT: rt::operation::WireFormat = #format;
        )
    });
    let discovered = op.discovered_endpoint.then(|| {
        quote!(
            const DISCOVERED_ENDPOINT: bool = true;
        )
    });
    quote! {
        #doc
        ///
        #errors_doc
        #dep
        #[derive(Clone, Copy, Debug, Default)]
        pub struct #name;

        impl rt::operation::Operation for #name {
            type Input = #input;
            type Output = #output;
            type Error = crate::error::#error_type;
            const NAME: &'static str = #smithy_name;
            const METHOD: &'static str = #method;
            const URI: &'static str = #uri;
            const SUCCESS_CODE: u16 = #code;
            const AUTH: &'static [rt::operation::AuthScheme] = &[#(#auth),*];
            #optional_auth
            #unsigned_payload
            #checksum
            #compression
            #streaming
            #endpoint_params
            #wire_format
            #discovered
            fn request(
                #input_param: &Self::Input,
                #tokens_param: &dyn rt::wire::IdempotencyTokens,
            ) -> Result<rt::client::OperationRequest, rt::error::SerializationError> {
                #request
            }
            fn response(
                response: &mut rt::client::OperationResponse,
            ) -> Result<Self::Output, rt::error::DeserializationError> {
                #response
            }
        }

        #paginated
    }
}

fn uri_template(h: &HttpRoute) -> String {
    let mut uri = String::new();
    for seg in &h.path {
        uri.push('/');
        match seg {
            PathSegment::Literal(l) => uri.push_str(l),
            PathSegment::Label { member, greedy, .. } => {
                uri.push_str(&format!("{{{member}{}}}", if *greedy { "+" } else { "" }));
            }
        }
    }
    if uri.is_empty() {
        uri.push('/');
    }
    if !h.query_literals.is_empty() {
        let q: Vec<String> = h
            .query_literals
            .iter()
            .map(|(k, v)| match v {
                Some(v) => format!("{k}={v}"),
                None => k.clone(),
            })
            .collect();
        uri.push('?');
        uri.push_str(&q.join("&"));
    }
    uri
}

/// Follows a field path from `root`. Returns an expression of type `&T` (or
/// `&mut T`) when every step is required, else of type `Option<&T>`, and which
/// of the two it is.
fn path_expr(
    ir: &CrateIr,
    root_type: &str,
    root: TokenStream,
    path: &[String],
    as_mut: bool,
) -> (TokenStream, bool) {
    let (r, opt) = if as_mut {
        (quote!(&mut), quote!(as_mut))
    } else {
        (quote!(&), quote!(as_ref))
    };
    // While every step is required, `expr` is a place (`output.a.b`); after the
    // first optional step it is an `Option<&T>`.
    let mut expr = root;
    let mut ty = root_type.to_string();
    let mut is_option = false;
    for field in path {
        let f = ident(field);
        let member = ir.types.get(&ty).and_then(|t| match &t.kind {
            NamedKind::Struct(s) => s.members.iter().find(|m| &m.field == field),
            _ => None,
        });
        let optional = member.is_none_or(|m| m.optional);
        expr = match (is_option, optional) {
            (false, false) => quote!(#expr.#f),
            (false, true) => quote!(#expr.#f.#opt()),
            (true, false) => quote!(#expr.map(|v| #r v.#f)),
            (true, true) => quote!(#expr.and_then(|v| v.#f.#opt())),
        };
        is_option |= optional;
        if let Some(TypeKind::Named { name, .. }) = member.map(|m| &m.ty.kind) {
            ty = name.clone();
        }
    }
    if !is_option {
        expr = quote!(#r #expr);
    }
    (expr, is_option)
}

fn paginator(ir: &CrateIr, op: &Operation, p: &Paginator) -> TokenStream {
    let name = ident(&op.name);
    let input_token = ident(&p.input_token);
    let (token_expr, token_opt) = path_expr(ir, &op.output, quote!(output), &p.output_token, false);
    let next_token = if token_opt {
        let token_expr = match p.output_token.len() {
            // `x.as_ref()` for a single step; `as_deref` reads better and is what clippy asks for.
            1 => {
                let f = ident(&p.output_token[0]);
                quote!(output.#f.as_deref())
            }
            // `Deref` serves both a `String` and a large-string `rt::Text` token.
            _ => quote!(#token_expr.map(::std::ops::Deref::deref)),
        };
        quote!(#token_expr.filter(|t| !t.is_empty()))
    } else {
        quote!(Some(::std::ops::Deref::deref(#token_expr)).filter(|t| !t.is_empty()))
    };
    let input_member = ir.types.get(&op.input).and_then(|t| match &t.kind {
        NamedKind::Struct(s) => s
            .members
            .iter()
            .find(|m| m.field == p.page_size.clone().unwrap_or_default()),
        _ => None,
    });
    let token_member = ir.types.get(&op.input).and_then(|t| match &t.kind {
        NamedKind::Struct(s) => s.members.iter().find(|m| m.field == p.input_token),
        _ => None,
    });
    // The service's token goes back as given; a large-string token is a `Text`.
    let set_token = match token_member.map(|m| &m.ty.kind) {
        Some(TypeKind::Text) => quote!(input.#input_token = token.map(rt::Text::from);),
        _ => quote!(input.#input_token = token;),
    };
    let set_page_size = match (&p.page_size, input_member) {
        (Some(field), Some(m)) => {
            let f = ident(field);
            let ty = rust_type(&m.ty);
            let value = if m.ty.kind == TypeKind::Long {
                quote!(size)
            } else {
                quote!(#ty::try_from(size).unwrap_or(if size < 0 { #ty::MIN } else { #ty::MAX }))
            };
            if m.optional {
                quote!(input.#f = Some(#value);)
            } else {
                quote!(input.#f = #value;)
            }
        }
        _ => quote!(let _ = (input, size);),
    };
    let (item_ty, items_ty, items) = match &p.items {
        Some((path, collection)) => {
            let (expr, opt) = path_expr(ir, &op.output, quote!(output), path, true);
            (
                item_type(collection),
                rust_type(collection),
                if opt { expr } else { quote!(Some(#expr)) },
            )
        }
        None => (
            quote!(()),
            quote!(Vec<()>),
            quote!({
                let _ = output;
                None
            }),
        ),
    };
    quote! {
        impl rt::operation::Paginated for #name {
            type Item = #item_ty;
            type Items = #items_ty;
            fn next_token(output: &Self::Output) -> Option<&str> {
                #next_token
            }
            fn token(input: &Self::Input) -> Option<&str> {
                input.#input_token.as_deref()
            }
            fn set_token(input: &mut Self::Input, token: Option<String>) {
                #set_token
            }
            fn set_page_size(input: &mut Self::Input, size: i64) {
                #set_page_size
            }
            fn items(output: &mut Self::Output) -> Option<&mut Self::Items> {
                #items
            }
        }
    }
}

/// One item of a paginated collection: a list element, or a map entry.
fn item_type(collection: &TypeRef) -> TokenStream {
    let optional = |t: TokenStream, sparse: bool| if sparse { quote!(Option<#t>) } else { t };
    match &collection.kind {
        TypeKind::List { item, sparse } => optional(rust_type(item), *sparse),
        TypeKind::Map { key, value, sparse } => {
            let (k, v) = (rust_type(key), optional(rust_type(value), *sparse));
            quote!((#k, #v))
        }
        _ => rust_type(collection),
    }
}

/// Whether `tokens` mention the identifier `name` anywhere.
fn uses_ident(tokens: &TokenStream, name: &str) -> bool {
    tokens.clone().into_iter().any(|t| match t {
        proc_macro2::TokenTree::Ident(i) => i == name,
        proc_macro2::TokenTree::Group(g) => uses_ident(&g.stream(), name),
        _ => false,
    })
}
