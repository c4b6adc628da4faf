//! Emit stage: the JSON codec of each type (restJson1, awsJson and rpcv2Json
//! bodies), as `ReadJson`/`ReadJsonMembers` and `WriteJson` impls in a module
//! of their own beside the types, so the wire form (member keys, timestamp
//! formats, base64 blobs, NaN as text) is code, not attributes on the public
//! types, and a crate of another protocol carries none of it. Trait paths are written in
//! full: a model shape may be named `WriteJson`.

use super::rust_type;
use super::types::read_frame;
use crate::ir::*;
use crate::names::ident;
use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// The JSON module of `types.rs`: the writers when the protocol's requests
/// are JSON, the readers when its responses are; nothing for other formats.
pub fn module(ir: &CrateIr) -> TokenStream {
    let write = ir.service.protocol.request_format() == BodyFormat::Json;
    let read = ir.service.protocol.response_format() == BodyFormat::Json;
    if !write && !read {
        return quote!();
    }
    let readers = ir.types.values().filter(|_| read).map(|t| match &t.kind {
        NamedKind::Struct(s) => struct_reader(t, s),
        NamedKind::Union(u) => union_reader(t, u),
        NamedKind::Enum(_) => {
            let name = ident(&t.name);
            quote! {
                impl rt::json::ReadJson for #name {
                    fn read_json(r: &mut rt::json::Reader<'_>) -> Result<Self, rt::json::ReadError> {
                        r.str().map(|s| Self::from(&*s))
                    }
                }
            }
        }
        NamedKind::IntEnum(_) => {
            let name = ident(&t.name);
            quote! {
                impl rt::json::ReadJson for #name {
                    fn read_json(r: &mut rt::json::Reader<'_>) -> Result<Self, rt::json::ReadError> {
                        r.integer::<i32>().map(Self::from)
                    }
                }
            }
        }
    });
    let strings = ir.service.protocol.big_numbers_as_strings();
    let impls = ir.types.values().filter(|_| write).map(|t| {
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
        /// The JSON codec of every type: readers of response and error bodies,
        /// writers of request bodies.
        mod json {
            use super::*;

            #(#readers)*
            #(#impls)*
        }
    }
}

/// The `ReadJsonMembers` impl of structure `t`: each body member's key is
/// matched in place (`rt::json::Key`), and each value read into its field.
fn struct_reader(t: &NamedType, s: &Struct) -> TokenStream {
    let name = ident(&t.name);
    let mut read_arms = Vec::new();
    let (read_init, corrections) = read_frame(s);
    let body_keys = s
        .members
        .iter()
        .filter(|m| m.binding == Binding::Body)
        .count();
    let (mut keys, mut extra_keys) = (Vec::new(), Vec::new());
    for m in &s.members {
        let field = ident(&m.field);
        // The reader starts from the value an absent member takes, and
        // overwrites it for each member the body sends.
        let wire_name = &m.wire_name;
        let read = read_expr(&m.ty);
        let read = if m.boxed {
            quote!(#read.map(Box::new))
        } else {
            read
        };
        if m.binding == Binding::Body {
            // Services spell an error's message key several ways; the message
            // member reads any spelling no other member uses.
            let is_message =
                s.error.as_ref().and_then(|e| e.message_field.as_ref()) == Some(&m.field);
            // Each spelling is a key of `KEYS`, the member's own first, in
            // model order, then the extra spellings after all of them.
            let mut indices = vec![keys.len()];
            keys.push(wire_name.clone());
            for extra in ["message", "Message", "errorMessage"] {
                if is_message
                    && extra != wire_name
                    && !s.members.iter().any(|o| o.wire_name == extra)
                {
                    indices.push(body_keys + extra_keys.len());
                    extra_keys.push(extra.to_string());
                }
            }
            let spellings = index_patterns(&indices);
            // `null` is a document's own value, not an absent member: what a
            // document member of `null` writes must read back the same.
            let read_optional = if m.ty.kind == TypeKind::Document {
                quote!(#read.map(Some))
            } else {
                quote!(r.optional(|r| #read))
            };
            // Structures and `Text` values are read straight into their
            // field: returning them costs moves a small structure notices.
            let in_place = match &m.ty.kind {
                _ if m.boxed => None,
                TypeKind::Text => Some(quote!(r.optional_text_into(&mut out.#field))),
                TypeKind::Named {
                    shape: NamedShape::Struct,
                    ..
                } => Some(quote!(r.optional_struct_into(&mut out.#field))),
                _ => None,
            };
            read_arms.push(if let (true, Some(read)) = (m.optional, &in_place) {
                quote! { #(#spellings)|* => #read.map_err(|e| e.in_member(#wire_name))?, }
            } else if m.optional {
                quote! { #(#spellings)|* => out.#field = #read_optional.map_err(|e| e.in_member(#wire_name))?, }
            } else {
                quote! {
                    #(#spellings)|* => if let Some(v) = r.optional(|r| #read).map_err(|e| e.in_member(#wire_name))? { out.#field = v; },
                }
            });
        }
    }
    let read_loop = if read_arms.is_empty() {
        quote! {
            while r.next_key(&mut state)?.is_some() {
                r.skip_value()?;
            }
        }
    } else {
        let keys = keys.iter().chain(&extra_keys);
        quote! {
            const KEYS: &[rt::json::Key] = &[#(rt::json::Key::new(#keys)),*];
            while let Some(member) = r.next_member(&mut state, KEYS)? {
                match member {
                    #(#read_arms)*
                    _ => r.skip_value()?,
                }
            }
        }
    };
    let out_param = if read_arms.is_empty() && corrections.is_empty() {
        quote!(_out)
    } else {
        quote!(out)
    };
    quote! {
        impl rt::json::ReadJsonMembers for #name {
            fn absent() -> Self {
                Self { #(#read_init)* }
            }

            fn read_members(r: &mut rt::json::Reader<'_>, #out_param: &mut Self) -> Result<(), rt::json::ReadError> {
                let mut state = r.begin_object()?;
                #read_loop
                #(#corrections)*
                Ok(())
            }
        }

    }
}

/// The `ReadJson` impl of union `t`: one member set, `__type` passed over,
/// and a member this client does not know kept as `Unknown`.
fn union_reader(t: &NamedType, u: &Union) -> TokenStream {
    let name = ident(&t.name);
    let type_name = &t.name;
    let de_arms = u.variants.iter().map(|v| {
        let variant = ident(&v.variant);
        let wire = &v.wire_name;
        let wrap = if v.boxed {
            quote!(|v| #name::#variant(Box::new(v)))
        } else {
            quote!(#name::#variant)
        };
        let read = read_expr(&v.ty);
        let read_optional = if v.ty.kind == TypeKind::Document {
            quote!(#read.map(Some))
        } else {
            quote!(r.optional(|r| #read))
        };
        quote! {
            #wire => #read_optional.map_err(|e| e.in_member(#wire))?.map(#wrap),
        }
    });
    let too_many = format!("a {type_name} union has more than one member set");
    let none = format!("a {type_name} union has no member set");
    quote! {
        impl rt::json::ReadJson for #name {
            fn read_json(r: &mut rt::json::Reader<'_>) -> Result<Self, rt::json::ReadError> {
                let mut found: Option<Self> = None;
                let mut state = r.begin_object()?;
                while let Some(key) = r.next_key(&mut state)? {
                    let value = match &*key {
                        #(#de_arms)*
                        "__type" => {
                            r.skip_value()?;
                            None
                        }
                        _ => {
                            if r.null()? {
                                None
                            } else {
                                r.skip_value()?;
                                Some(Self::Unknown(rt::UnknownValue::new(key.to_string())))
                            }
                        }
                    };
                    if let Some(value) = value {
                        if found.replace(value).is_some() {
                            return Err(rt::json::ReadError::invalid(r, #too_many));
                        }
                    }
                }
                found.ok_or_else(|| rt::json::ReadError::invalid(r, #none))
            }
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

/// Match patterns for ascending `indices`: a run of neighbours as one range.
fn index_patterns(indices: &[usize]) -> Vec<TokenStream> {
    let mut patterns = Vec::new();
    let mut rest = indices;
    while let Some(&first) = rest.first() {
        let run = rest
            .iter()
            .enumerate()
            .take_while(|&(i, &v)| v == first + i)
            .count();
        let last = Literal::usize_unsuffixed(first + run - 1);
        let first = Literal::usize_unsuffixed(first);
        patterns.push(if run == 1 {
            quote!(#first)
        } else {
            quote!(#first..=#last)
        });
        rest = &rest[run..];
    }
    patterns
}

/// An expression reading one value of `ty` from the reader `r`, of type
/// `Result<T, rt::json::ReadError>`.
pub(crate) fn read_expr(ty: &TypeRef) -> TokenStream {
    match &ty.kind {
        TypeKind::Bool => quote!(r.bool()),
        TypeKind::Byte => quote!(r.integer::<i8>()),
        TypeKind::Short => quote!(r.integer::<i16>()),
        TypeKind::Integer => quote!(r.integer::<i32>()),
        TypeKind::Long => quote!(r.integer::<i64>()),
        TypeKind::Float => quote!(r.f32()),
        TypeKind::Double => quote!(r.f64()),
        TypeKind::BigInteger => quote!(r.big_integer()),
        TypeKind::BigDecimal => quote!(r.big_decimal()),
        TypeKind::String => quote!(r.string()),
        TypeKind::Text => quote!(r.text()),
        TypeKind::Blob => quote!(r.blob()),
        // A stream is only ever an HTTP payload, never inside a JSON body; this
        // reads one that a JSON document carries anyway.
        TypeKind::Stream => quote!(r.blob().map(|b| rt::ByteStream::new(b.into_inner()))),
        TypeKind::Timestamp(TimestampFormat::EpochSeconds) => quote!(r.epoch_seconds()),
        TypeKind::Timestamp(TimestampFormat::DateTime) => quote!(r.date_time()),
        TypeKind::Timestamp(TimestampFormat::HttpDate) => quote!(r.http_date()),
        TypeKind::Document => quote!(r.document()),
        TypeKind::Named { .. } => {
            let t = rust_type(ty);
            quote!(<#t as rt::json::ReadJson>::read_json(r))
        }
        TypeKind::List { item, sparse } => {
            if let (
                TypeKind::Named {
                    shape: NamedShape::Struct,
                    ..
                },
                false,
            ) = (&item.kind, sparse)
            {
                let t = rust_type(item);
                return quote!(r.struct_list::<#t>());
            }
            let item = read_expr(item);
            if *sparse {
                quote!(r.sparse_list(|r| #item))
            } else {
                quote!(r.list(|r| #item))
            }
        }
        TypeKind::Map { key, value, sparse } => {
            let key = match key.kind {
                TypeKind::Named { .. } => {
                    let k = rust_type(key);
                    quote!(|k| #k::from(&*k))
                }
                TypeKind::Text => {
                    quote!(|k: ::std::borrow::Cow<'_, str>| rt::Text::from(k.into_owned()))
                }
                _ => quote!(::std::borrow::Cow::into_owned),
            };
            let value = read_expr(value);
            if *sparse {
                quote!(r.sparse_map(#key, |r| #value))
            } else {
                quote!(r.map(#key, |r| #value))
            }
        }
    }
}
