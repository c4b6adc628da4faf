//! Emit stage: the JSON writer of each type (restJson1 and awsJson bodies),
//! as `WriteJson` impls in a module of their own beside the types, so the
//! wire form (member keys, timestamp formats, base64 blobs, NaN as text)
//! is code, not attributes on the public types. Trait paths are written in
//! full: a model shape may be named `WriteJson`.

use crate::ir::*;
use crate::names::ident;
use proc_macro2::TokenStream;
use quote::quote;

/// The writer module of `types.rs`, or nothing for a CBOR protocol.
pub fn module(ir: &CrateIr) -> TokenStream {
    if ir.service.protocol.request_format() != BodyFormat::Json {
        return quote!();
    }
    let strings = ir.service.protocol.big_numbers_as_strings();
    let impls = ir.types.values().map(|t| {
        let name = ident(&t.name);
        let body = match &t.kind {
            NamedKind::Struct(s) => structure(s, strings),
            NamedKind::Union(u) => union(t, u, strings),
            NamedKind::Enum(_) => quote!(w.str(self.as_str());),
            NamedKind::IntEnum(_) => quote!(w.int(self.value());),
        };
        quote! {
            impl rt::json::WriteJson for #name {
                fn write_json(&self, w: &mut rt::json::Writer) { #body }
            }
        }
    });
    quote! {
        /// The JSON writer of every type, for request bodies.
        mod json {
            use super::*;

            #(#impls)*
        }
    }
}

/// The members bound to the body, as an object; members bound elsewhere
/// (headers, labels, query) are written by the request's bindings.
fn structure(s: &Struct, strings: bool) -> TokenStream {
    let writes = s
        .members
        .iter()
        .filter(|m| m.binding == Binding::Body && m.ty.kind != TypeKind::Stream)
        .map(|m| {
            let field = ident(&m.field);
            let wire = &m.wire_name;
            let write = write_expr(&m.ty, quote!(v), strings);
            if m.optional {
                quote! { if let Some(v) = &self.#field { w.key(#wire); #write } }
            } else {
                quote! { { let v = &self.#field; w.key(#wire); #write } }
            }
        });
    quote! {
        w.begin_object();
        #(#writes)*
        w.end_object();
    }
}

fn union(t: &NamedType, u: &Union, strings: bool) -> TokenStream {
    let arms = u.variants.iter().map(|v| {
        let variant = ident(&v.variant);
        let wire = &v.wire_name;
        let write = write_expr(&v.ty, quote!(v), strings);
        quote! { Self::#variant(v) => { w.begin_object(); w.key(#wire); #write w.end_object(); } }
    });
    let unknown = format!("cannot send an unknown variant of the {} union", t.name);
    quote! {
        match self {
            #(#arms)*
            Self::Unknown(_) => { w.fail(#unknown); w.null(); }
        }
    }
}

/// Statements writing the value `v` (a reference) of type `ty` to `w`;
/// `strings`: big numbers are written as JSON strings (rpcv2Json), which
/// keeps their digits through readers that parse numbers as doubles.
fn write_expr(ty: &TypeRef, v: TokenStream, strings: bool) -> TokenStream {
    match &ty.kind {
        TypeKind::Bool => quote!(w.bool(*#v);),
        TypeKind::Byte | TypeKind::Short | TypeKind::Integer | TypeKind::Long => {
            quote!(w.int(*#v);)
        }
        TypeKind::Float => quote!(w.f32(*#v);),
        TypeKind::Double => quote!(w.f64(*#v);),
        TypeKind::String | TypeKind::Text => quote!(w.str(#v);),
        TypeKind::BigInteger | TypeKind::BigDecimal if strings => quote!(w.str(#v.as_str());),
        TypeKind::BigInteger => quote!(w.big_integer(#v);),
        TypeKind::BigDecimal => quote!(w.big_decimal(#v);),
        TypeKind::Blob => quote!(w.blob(#v);),
        // A stream is only ever an HTTP payload, never inside a body.
        TypeKind::Stream => quote!(w.null();),
        TypeKind::Timestamp(TimestampFormat::EpochSeconds) => quote!(w.epoch_seconds(#v);),
        TypeKind::Timestamp(TimestampFormat::DateTime) => quote!(w.date_time(#v);),
        TypeKind::Timestamp(TimestampFormat::HttpDate) => quote!(w.http_date(#v);),
        TypeKind::Document => quote!(w.document(#v);),
        TypeKind::Named { .. } => quote!(rt::json::WriteJson::write_json(#v, w);),
        TypeKind::List { item, sparse } => {
            let write = write_expr(item, quote!(item), strings);
            let write = super::sparse_item(write, *sparse);
            quote! {
                w.begin_array();
                for item in #v { w.item(); #write }
                w.end_array();
            }
        }
        TypeKind::Map { key, value, sparse } => {
            let key = match key.kind {
                TypeKind::Named { .. } => quote!(w.key(key.as_str());),
                _ => quote!(w.key(key);),
            };
            let write = write_expr(value, quote!(item), strings);
            let write = super::sparse_item(write, *sparse);
            quote! {
                w.begin_object();
                for (key, item) in #v { #key #write }
                w.end_object();
            }
        }
    }
}
