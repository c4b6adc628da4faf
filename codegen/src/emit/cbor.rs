//! Emit stage: the CBOR codec of an rpcv2Cbor service, per type:
//! `WriteCbor` and `ReadCbor` impls, member by member, in a module of their
//! own beside the types, so the types themselves stay codec-free. Trait
//! paths are written in full: a model shape may be named `ReadCbor`.

use super::rust_type;
use super::types::read_frame;
use crate::ir::*;
use crate::names::ident;
use proc_macro2::TokenStream;
use quote::quote;

/// The codec module of `types.rs`, or nothing for a JSON protocol.
pub fn module(ir: &CrateIr) -> TokenStream {
    if ir.service.protocol.request_format() != BodyFormat::Cbor {
        return quote!();
    }
    let impls = ir.types.values().map(|t| match &t.kind {
        NamedKind::Struct(s) => structure(t, s),
        NamedKind::Union(u) => union(t, u),
        NamedKind::Enum(_) => {
            let name = ident(&t.name);
            quote! {
                impl rt::cbor::WriteCbor for #name {
                    fn write_cbor(&self, w: &mut rt::cbor::Writer) { w.str(self.as_str()); }
                }
                impl rt::cbor::ReadCbor for #name {
                    fn read_cbor(r: &mut rt::cbor::Reader<'_>) -> Result<Self, rt::cbor::ReadError> {
                        r.str().map(|s| Self::from(&*s))
                    }
                }
            }
        }
        NamedKind::IntEnum(_) => {
            let name = ident(&t.name);
            quote! {
                impl rt::cbor::WriteCbor for #name {
                    fn write_cbor(&self, w: &mut rt::cbor::Writer) { w.int(self.value()); }
                }
                impl rt::cbor::ReadCbor for #name {
                    fn read_cbor(r: &mut rt::cbor::Reader<'_>) -> Result<Self, rt::cbor::ReadError> {
                        r.integer::<i32>().map(Self::from)
                    }
                }
            }
        }
    });
    quote! {
        /// The rpcv2Cbor codec of every type.
        mod cbor {
            use super::*;

            #(#impls)*
        }
    }
}

fn structure(t: &NamedType, s: &Struct) -> TokenStream {
    let name = ident(&t.name);
    let mut writes = Vec::new();
    let mut arms = Vec::new();
    let (init, corrections) = read_frame(s);
    for m in &s.members {
        let field = ident(&m.field);
        if m.ty.kind == TypeKind::Stream {
            continue;
        }
        let wire = &m.wire_name;
        let write = write_expr(&m.ty, quote!(v));
        writes.push(if m.optional {
            quote! { if let Some(v) = &self.#field { w.str(#wire); #write } }
        } else {
            quote! { { let v = &self.#field; w.str(#wire); #write } }
        });
        let read = read_expr(&m.ty);
        let read = if m.boxed {
            quote!(#read.map(Box::new))
        } else {
            read
        };
        arms.push(if m.optional {
            quote! { #wire => out.#field = r.optional(|r| #read).map_err(|e| e.in_member(#wire))?, }
        } else {
            quote! {
                #wire => if let Some(v) = r.optional(|r| #read).map_err(|e| e.in_member(#wire))? { out.#field = v; },
            }
        });
    }
    let out = if arms.is_empty() && corrections.is_empty() {
        quote!(out)
    } else {
        quote!(mut out)
    };
    let read_members = if arms.is_empty() {
        quote!(r.map(|r, _| r.skip())?;)
    } else {
        quote! {
            r.map(|r, key| {
                match key {
                    #(#arms)*
                    _ => r.skip()?,
                }
                Ok(())
            })?;
        }
    };
    quote! {
        impl rt::cbor::WriteCbor for #name {
            fn write_cbor(&self, w: &mut rt::cbor::Writer) {
                w.begin_map();
                #(#writes)*
                w.end();
            }
        }

        impl rt::cbor::ReadCbor for #name {
            fn read_cbor(r: &mut rt::cbor::Reader<'_>) -> Result<Self, rt::cbor::ReadError> {
                let #out = Self { #(#init)* };
                #read_members
                #(#corrections)*
                Ok(out)
            }
        }
    }
}

fn union(t: &NamedType, u: &Union) -> TokenStream {
    let name = ident(&t.name);
    let type_name = &t.name;
    let mut writes = Vec::new();
    let mut arms = Vec::new();
    for v in &u.variants {
        let variant = ident(&v.variant);
        let wire = &v.wire_name;
        let write = write_expr(&v.ty, quote!(v));
        writes.push(quote! { Self::#variant(v) => { w.map(1); w.str(#wire); #write } });
        let wrap = if v.boxed {
            quote!(|v| #name::#variant(Box::new(v)))
        } else {
            quote!(#name::#variant)
        };
        let read = read_expr(&v.ty);
        arms.push(quote! {
            #wire => r.optional(|r| #read).map_err(|e| e.in_member(#wire))?.map(#wrap),
        });
    }
    let unknown = format!("cannot send an unknown variant of the {type_name} union");
    let too_many = format!("a {type_name} union has more than one member set");
    let none = format!("a {type_name} union has no member set");
    quote! {
        impl rt::cbor::WriteCbor for #name {
            fn write_cbor(&self, w: &mut rt::cbor::Writer) {
                match self {
                    #(#writes)*
                    Self::Unknown(_) => w.fail(#unknown),
                }
            }
        }

        impl rt::cbor::ReadCbor for #name {
            fn read_cbor(r: &mut rt::cbor::Reader<'_>) -> Result<Self, rt::cbor::ReadError> {
                let mut found: Option<Self> = None;
                r.map(|r, key| {
                    let value = match key {
                        #(#arms)*
                        "__type" => {
                            r.skip()?;
                            None
                        }
                        _ => {
                            if r.null()? {
                                None
                            } else {
                                r.skip()?;
                                Some(Self::Unknown(rt::UnknownValue::new(key.to_string())))
                            }
                        }
                    };
                    if let Some(value) = value {
                        if found.replace(value).is_some() {
                            return Err(r.error(#too_many));
                        }
                    }
                    Ok(())
                })?;
                found.ok_or_else(|| r.error(#none))
            }
        }
    }
}

/// Statements writing the value `v` (a reference) of type `ty` to `w`.
fn write_expr(ty: &TypeRef, v: TokenStream) -> TokenStream {
    match &ty.kind {
        TypeKind::Bool => quote!(w.bool(*#v);),
        TypeKind::Byte | TypeKind::Short | TypeKind::Integer | TypeKind::Long => {
            quote!(w.int(*#v);)
        }
        TypeKind::Float => quote!(w.f32(*#v);),
        TypeKind::Double => quote!(w.f64(*#v);),
        TypeKind::String | TypeKind::Text => quote!(w.str(#v);),
        TypeKind::BigInteger => quote!(w.big_integer(#v);),
        TypeKind::BigDecimal => quote!(w.big_decimal(#v);),
        TypeKind::Blob => quote!(w.bytes(#v);),
        // Never in an rpcv2Cbor body; a stream member is not written.
        TypeKind::Stream => quote!(w.null();),
        TypeKind::Timestamp(_) => quote!(w.timestamp(#v);),
        TypeKind::Document => quote!(w.document(#v);),
        TypeKind::Named { .. } => quote!(rt::cbor::WriteCbor::write_cbor(#v, w);),
        TypeKind::List { item, sparse } => {
            let write = write_expr(item, quote!(item));
            let write = super::sparse_item(write, *sparse);
            quote! {
                w.array(#v.len());
                for item in #v { #write }
            }
        }
        TypeKind::Map { key, value, sparse } => {
            let key = match key.kind {
                TypeKind::Named { .. } => quote!(w.str(key.as_str());),
                _ => quote!(w.str(key);),
            };
            let write = write_expr(value, quote!(item));
            let write = super::sparse_item(write, *sparse);
            quote! {
                w.map(#v.len());
                for (key, item) in #v { #key #write }
            }
        }
    }
}

/// An expression of type `Result<T, rt::cbor::ReadError>` reading one value
/// of `ty` from the reader `r`.
fn read_expr(ty: &TypeRef) -> TokenStream {
    match &ty.kind {
        TypeKind::Bool => quote!(r.bool()),
        TypeKind::Byte => quote!(r.integer::<i8>()),
        TypeKind::Short => quote!(r.integer::<i16>()),
        TypeKind::Integer => quote!(r.integer::<i32>()),
        TypeKind::Long => quote!(r.integer::<i64>()),
        TypeKind::Float => quote!(r.f32()),
        TypeKind::Double => quote!(r.f64()),
        TypeKind::String => quote!(r.str().map(::std::borrow::Cow::into_owned)),
        TypeKind::Text => quote!(r.str().map(|s| rt::Text::from(s.into_owned()))),
        TypeKind::BigInteger => quote!(r.big_integer()),
        TypeKind::BigDecimal => quote!(r.big_decimal()),
        TypeKind::Blob => quote!(r.bytes()),
        TypeKind::Stream => quote!(r.bytes().map(|b| rt::ByteStream::new(b.into_inner()))),
        TypeKind::Timestamp(_) => quote!(r.timestamp()),
        TypeKind::Document => quote!(r.document()),
        TypeKind::Named { .. } => {
            let t = rust_type(ty);
            quote!(<#t as rt::cbor::ReadCbor>::read_cbor(r))
        }
        TypeKind::List { item, sparse } => {
            let item = read_expr(item);
            if *sparse {
                quote!(r.array(|r| r.optional(|r| #item)))
            } else {
                // A dense list skips the nulls a service may send anyway.
                quote!(r.dense_array(|r| #item))
            }
        }
        TypeKind::Map { key, value, sparse } => {
            let value = read_expr(value);
            let entries = if *sparse {
                quote!(r.entries(|r| r.optional(|r| #value)))
            } else {
                quote!(r
                    .entries(|r| r.optional(|r| #value))
                    .map(|m| m.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))).collect::<::std::collections::BTreeMap<_, _>>()))
            };
            match key.kind {
                TypeKind::Named { .. } => {
                    let k = rust_type(key);
                    quote!(#entries.map(|m| m.into_iter().map(|(k, v)| (#k::from(k.as_str()), v)).collect()))
                }
                TypeKind::Text => {
                    quote!(#entries.map(|m| m.into_iter().map(|(k, v)| (rt::Text::from(k), v)).collect()))
                }
                _ => entries,
            }
        }
    }
}
