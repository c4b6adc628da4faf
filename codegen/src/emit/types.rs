//! Emit stage: data types. Structures with builders, enums and intEnums that
//! keep unknown values, unions with an unknown-variant case, error structures,
//! and serde's `Serialize` behind the crate's opt-in `serde` feature. Each
//! wire format's readers and writers are codec modules of their own beside
//! the types (`json`, `cbor`, `xml`, `query`), emitted only for the formats
//! the service's protocol uses.

use super::{deprecated, doc_line, docs, field_type, member_docs, rust_type, value_type};
use crate::ir::*;
use crate::names::ident;
use proc_macro2::{Literal, TokenStream};
use quote::quote;

pub fn emit(ir: &CrateIr) -> TokenStream {
    let mut items = Vec::new();
    let mut defaults = Vec::new();
    let mut defaults_use_outer_names = false;
    for t in ir.types.values() {
        if let NamedKind::Struct(s) = &t.kind {
            defaults_use_outer_names |= s
                .members
                .iter()
                .any(|m| !m.optional && uses_outer_names(&m.ty));
        }
        items.push(match &t.kind {
            NamedKind::Struct(s) => structure(t, s, t.roles.input, &mut defaults),
            NamedKind::Union(u) => union(t, u),
            NamedKind::Enum(e) => string_enum(t, e),
            NamedKind::IntEnum(e) => int_enum(t, e),
        });
    }
    let json = super::json::module(ir);
    let cbor = super::cbor::module(ir);
    let xml = super::xml::module(ir);
    let query = super::query::module(ir);
    let outer = defaults_use_outer_names.then(|| {
        quote!(
            use super::*;
        )
    });
    let defaults = (!defaults.is_empty()).then(|| {
        quote! {
            /// Model `@default` values.
            mod defaults {
                #outer
                #(#defaults)*
            }
        }
    });
    quote! {
        //! Every shape the service's operations reach: inputs, outputs, errors and
        //! the structures, unions, enums, lists and maps inside them.

        #![allow(clippy::large_enum_variant, clippy::too_many_arguments, deprecated)]

        use smithy_client_runtime as rt;

        #(#items)*
        #defaults
        #json
        #cbor
        #xml
        #query
    }
}

/// What every codec's reader of structure `s` does around its members: the
/// fields it starts from (the value an absent member takes), and the error
/// corrections it applies once the body is read.
pub(crate) fn read_frame(s: &Struct) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let mut init = Vec::new();
    let mut corrections = Vec::new();
    for m in &s.members {
        let field = ident(&m.field);
        init.push(if m.optional {
            quote!(#field: None,)
        } else {
            let d = ident(&m.default_fn);
            quote!(#field: defaults::#d(),)
        });
        if m.error_corrected {
            if let Some(zero) = zero_expr(&m.ty) {
                corrections.push(quote! { if out.#field.is_none() { out.#field = Some(#zero); } });
            }
        }
    }
    (init, corrections)
}

/// The zero value error correction gives a required member the body left
/// out (`None` where the type has none).
fn zero_expr(ty: &TypeRef) -> Option<TokenStream> {
    Some(match &ty.kind {
        TypeKind::Bool => quote!(false),
        TypeKind::Byte | TypeKind::Short | TypeKind::Integer | TypeKind::Long => quote!(0),
        TypeKind::Float | TypeKind::Double => quote!(0.0),
        TypeKind::String => quote!(String::new()),
        TypeKind::Text => quote!(rt::Text::new()),
        TypeKind::Blob => quote!(rt::Blob::new(Vec::new())),
        TypeKind::Timestamp(_) => quote!(rt::DateTime::from_secs_and_nanos(0, 0)),
        TypeKind::List { .. } => quote!(Vec::new()),
        TypeKind::Map { .. } => quote!(Default::default()),
        TypeKind::Named {
            shape: NamedShape::Enum,
            ..
        } => {
            let t = rust_type(ty);
            quote!(#t::from(""))
        }
        TypeKind::Named {
            shape: NamedShape::IntEnum,
            ..
        } => {
            let t = rust_type(ty);
            quote!(#t::from(0))
        }
        _ => return None,
    })
}

/// The serde form of the opt-in `serde` feature: protocol-independent, with
/// Smithy member names as keys, timestamps as RFC 3339 text, blobs as
/// base64 and non-finite floats as `"NaN"`/`"Infinity"`/`"-Infinity"`.
fn serde_attrs() -> TokenStream {
    quote!(#[cfg_attr(feature = "serde", derive(rt::serde::Serialize), serde(crate = "rt::serde"))])
}

/// The serde codec of a value whose serde form is not its own (see
/// [`serde_attrs`]), or `None`.
fn serde_codec(ty: &TypeRef) -> Option<TokenStream> {
    match &ty.kind {
        TypeKind::Float | TypeKind::Double => Some(quote!(rt::json::Float)),
        TypeKind::Blob => Some(quote!(rt::json::Base64)),
        TypeKind::Timestamp(_) => Some(quote!(rt::json::DateTimeText)),
        TypeKind::List { item, sparse } => serde_codec(item).map(|c| {
            if *sparse {
                quote!(Vec<Option<#c>>)
            } else {
                quote!(Vec<#c>)
            }
        }),
        TypeKind::Map { value, sparse, .. } => serde_codec(value).map(|c| {
            let c = if *sparse { quote!(Option<#c>) } else { c };
            quote!(::std::collections::BTreeMap<rt::json::Same, #c>)
        }),
        _ => None,
    }
}

fn structure(
    t: &NamedType,
    s: &Struct,
    is_input: bool,
    defaults: &mut Vec<TokenStream>,
) -> TokenStream {
    let name = ident(&t.name);
    let builder = ident(&s.builder);
    let (build, build_unchecked_fn) = (ident(&s.helpers.build), ident(&s.helpers.build_unchecked));
    let doc = docs(t.docs.as_deref());
    let dep = deprecated(t.deprecated.as_ref());
    let serde_crate = serde_attrs();
    let sensitive = s.members.iter().any(|m| m.sensitive);

    let mut fields = Vec::new();
    let mut builder_fields = Vec::new();
    let mut setters = Vec::new();
    let mut build_checks = Vec::new();
    let mut build_fields = Vec::new();
    let mut from_fields = Vec::new();
    let mut debug_fields = Vec::new();
    for m in &s.members {
        let field = ident(&m.field);
        let default_fn = ident(&m.default_fn);
        let ty = field_type(m);
        let value_ty = value_type(m);
        let mdoc = member_docs(m);
        let mdep = deprecated(m.deprecated.as_ref());
        if !m.optional {
            let value = default_tokens(
                m.default
                    .as_ref()
                    .expect("non-optional members have defaults"),
                &m.ty,
            );
            let value = if m.boxed {
                quote!(Box::new(#value))
            } else {
                value
            };
            defaults.push(quote! {
                pub(super) fn #default_fn() -> #value_ty { #value }
            });
        }
        let member_name = &m.name;
        let serde_attr = if m.ty.kind == TypeKind::Stream {
            quote!(#[cfg_attr(feature = "serde", serde(skip))])
        } else if m.optional {
            let with = serde_codec(&m.ty).map(|c| {
                let path = quote!(rt::json::As::<Option<#c>>::serialize)
                    .to_string()
                    .replace(' ', "");
                quote!(, serialize_with = #path)
            });
            quote!(#[cfg_attr(feature = "serde", serde(rename = #member_name, skip_serializing_if = "Option::is_none" #with))])
        } else {
            let ser = serde_codec(&m.ty).map(|c| {
                let path = quote!(rt::json::As::<#c>::serialize)
                    .to_string()
                    .replace(' ', "");
                quote!(, serialize_with = #path)
            });
            quote!(#[cfg_attr(feature = "serde", serde(rename = #member_name #ser))])
        };
        fields.push(quote! { #mdoc #mdep #serde_attr pub #field: #ty, });
        builder_fields.push(quote! { #field: Option<#value_ty>, });

        let set_name = ident(&m.clearer);
        let set_doc = doc_line(&format!("Sets or clears [`{0}`](Self::{0}).", m.field));
        let (param, conv) = setter_param(&m.ty, m.boxed);
        setters.push(quote! {
            #mdoc #mdep
            pub fn #field(mut self, value: #param) -> Self { self.#field = Some(#conv); self }
            #set_doc
            #mdep
            pub fn #set_name(mut self, value: Option<#value_ty>) -> Self { self.#field = value; self }
        });
        let member_name = &m.name;
        if m.required && m.optional {
            build_checks.push(quote! { if self.#field.is_none() { missing.push(#member_name); } });
        }
        build_fields.push(if m.optional {
            quote! { #field: self.#field, }
        } else {
            quote! { #field: self.#field.unwrap_or_else(defaults::#default_fn), }
        });
        from_fields.push(if m.optional {
            quote! { #field: value.#field, }
        } else {
            quote! { #field: Some(value.#field), }
        });
        debug_fields.push(if m.sensitive {
            quote! { .field(stringify!(#field), &"*** Sensitive Data Redacted ***") }
        } else {
            quote! { .field(stringify!(#field), &self.#field) }
        });
    }
    let type_name = &t.name;
    let derive_debug = (!sensitive).then(|| quote!(Debug,));
    // A live stream cannot be copied, so a structure holding one is not `Clone`.
    let derive_clone =
        (!s.members.iter().any(|m| m.ty.kind == TypeKind::Stream)).then(|| quote!(Clone,));
    let manual_debug = sensitive.then(|| {
        quote! {
            impl ::std::fmt::Debug for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.debug_struct(#type_name) #(#debug_fields)* .finish()
                }
            }
        }
    });
    let build_doc = doc_line(if build_checks.is_empty() {
        "Builds the value. Never fails: the structure has no required members without defaults."
    } else {
        "Builds the value, or reports every required member that is still unset."
    });
    let check_missing = (!build_checks.is_empty()).then(|| {
        quote! {
            let mut missing: Vec<&'static str> = Vec::new();
            #(#build_checks)*
            if !missing.is_empty() {
                return Err(rt::BuildError::missing(#type_name, missing));
            }
        }
    });
    let error_impl = s.error.as_ref().map(|e| error_impls(t, s, e));
    let from_param = if s.members.is_empty() {
        quote!(_value)
    } else {
        quote!(value)
    };
    // The client sends inputs as they are, so that validation reports missing
    // required members together with every other violation.
    let build_unchecked = is_input.then(|| {
        quote! {
            /// Builds the value without checking required members.
            pub(crate) fn #build_unchecked_fn(self) -> #name {
                #name { #(#build_fields)* }
            }
        }
    });
    let builder_doc = doc_line(&format!("A builder for [`{type_name}`]."));
    let ctor_doc = doc_line(&format!("Starts building a [`{type_name}`]."));
    quote! {
        #doc #dep
        #[derive(#derive_clone #derive_debug PartialEq)]
        #serde_crate
        #[non_exhaustive]
        pub struct #name { #(#fields)* }

        impl #name {
            #ctor_doc
            pub fn builder() -> #builder { #builder::default() }
        }

        #builder_doc
        #[derive(#derive_clone Debug, Default, PartialEq)]
        pub struct #builder { #(#builder_fields)* }

        impl #builder {
            #(#setters)*
            #build_doc
            pub fn #build(self) -> Result<#name, rt::BuildError> {
                #check_missing
                Ok(#name { #(#build_fields)* })
            }
            #build_unchecked
        }

        impl From<#name> for #builder {
            fn from(#from_param: #name) -> Self {
                Self { #(#from_fields)* }
            }
        }
        #manual_debug
        #error_impl
    }
}

/// The setter's parameter type and the conversion to the stored type.
pub(crate) fn setter_param(ty: &TypeRef, boxed: bool) -> (TokenStream, TokenStream) {
    let inner = rust_type(ty);
    match (&ty.kind, boxed) {
        (_, true) => (inner, quote!(Box::new(value))),
        (TypeKind::String, _) => (quote!(impl Into<String>), quote!(value.into())),
        (TypeKind::Text, _) => (quote!(impl Into<rt::Text>), quote!(value.into())),
        _ => (inner, quote!(value)),
    }
}

fn error_impls(t: &NamedType, s: &Struct, e: &ErrorInfo) -> TokenStream {
    let name = ident(&t.name);
    let code = &e.code;
    let status = Literal::u16_unsuffixed(e.http_status);
    let server = e.fault == Fault::Server;
    let (retryable, throttling) = (e.retryable, e.throttling);
    let message_member = e
        .message_field
        .as_ref()
        .and_then(|f| s.members.iter().find(|m| &m.field == f));
    let message = match message_member {
        Some(m) if matches!(m.ty.kind, TypeKind::String | TypeKind::Text) && m.optional => {
            let f = ident(&m.field);
            quote!(self.#f.as_deref())
        }
        Some(m) if matches!(m.ty.kind, TypeKind::String | TypeKind::Text) => {
            let f = ident(&m.field);
            quote!(Some(&*self.#f))
        }
        _ => quote!(None),
    };
    let with_message = format!("{code}: {{}}");
    quote! {
        impl #name {
            /// The message the service sent, if any.
            pub fn message(&self) -> Option<&str> { #message }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self.message() {
                    Some(m) => write!(f, #with_message, m),
                    None => f.write_str(#code),
                }
            }
        }

        impl ::std::error::Error for #name {}

        impl rt::operation::ModeledError for #name {
            const CODE: &'static str = #code;
            const HTTP_STATUS: u16 = #status;
            const SERVER_FAULT: bool = #server;
            const RETRYABLE: bool = #retryable;
            const THROTTLING: bool = #throttling;
            fn message(&self) -> Option<&str> { #name::message(self) }
        }
    }
}

pub(crate) fn default_tokens(d: &DefaultValue, ty: &TypeRef) -> TokenStream {
    match d {
        DefaultValue::Bool(b) => quote!(#b),
        DefaultValue::Int(i) => {
            let lit = match ty.kind {
                TypeKind::Byte => Literal::i8_suffixed(*i as i8),
                TypeKind::Short => Literal::i16_suffixed(*i as i16),
                TypeKind::Integer => Literal::i32_suffixed(*i as i32),
                _ => Literal::i64_suffixed(*i),
            };
            quote!(#lit)
        }
        DefaultValue::Float(f) => {
            let lit = if ty.kind == TypeKind::Float {
                Literal::f32_suffixed(*f as f32)
            } else {
                Literal::f64_suffixed(*f)
            };
            quote!(#lit)
        }
        DefaultValue::String(s) if ty.kind == TypeKind::Text => quote!(rt::Text::from(#s)),
        DefaultValue::String(s) => quote!(#s.to_owned()),
        DefaultValue::EnumVariant(v) | DefaultValue::IntEnum(v) => {
            let ty = rust_type(ty);
            let v = ident(v);
            quote!(#ty::#v)
        }
        DefaultValue::Timestamp { seconds, nanos } => {
            quote!(rt::DateTime::from_secs_and_nanos(#seconds, #nanos))
        }
        DefaultValue::Blob(bytes) if ty.kind == TypeKind::Stream => {
            let lit = Literal::byte_string(bytes);
            quote!(rt::ByteStream::from_static(#lit))
        }
        DefaultValue::Blob(bytes) => {
            let lit = Literal::byte_string(bytes);
            quote!(rt::Blob::new(#lit.to_vec()))
        }
        DefaultValue::EmptyList => quote!(Vec::new()),
        DefaultValue::EmptyMap => quote!(::std::collections::BTreeMap::new()),
        DefaultValue::Document(v) => super::document_literal(v),
    }
}

fn string_enum(t: &NamedType, e: &Enum) -> TokenStream {
    let name = ident(&t.name);
    let doc = docs(t.docs.as_deref());
    let dep = deprecated(t.deprecated.as_ref());
    let variants: Vec<_> = e.values.iter().map(|v| ident(&v.variant)).collect();
    let values: Vec<&str> = e.values.iter().map(|v| v.value.as_str()).collect();
    let variant_docs = e.values.iter().map(variant_attrs);
    quote! {
        #doc #dep
        ///
        /// Values this client does not know are kept in `Unknown`, so a response
        /// with a value added to the service later still parses.
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #( #variant_docs #variants, )*
            /// A value this version of the client does not know.
            Unknown(rt::UnknownValue),
        }

        impl #name {
            /// Every value the model defines, in model order.
            pub const VALUES: &'static [&'static str] = &[#(#values),*];

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#variants => #values, )*
                    Self::Unknown(v) => v.as_str(),
                }
            }

            /// False for `Unknown`.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #( #values => Self::#variants, )*
                    other => Self::Unknown(rt::UnknownValue::new(other.to_owned())),
                }
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> { Ok(Self::from(s)) }
        }

        impl AsRef<str> for #name {
            fn as_ref(&self) -> &str { self.as_str() }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { f.write_str(self.as_str()) }
        }

        #[cfg(feature = "serde")]
        impl rt::serde::Serialize for #name {
            fn serialize<S: rt::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

    }
}

fn int_enum(t: &NamedType, e: &IntEnum) -> TokenStream {
    let name = ident(&t.name);
    let doc = docs(t.docs.as_deref());
    let dep = deprecated(t.deprecated.as_ref());
    let variants: Vec<_> = e.values.iter().map(|v| ident(&v.variant)).collect();
    let values: Vec<i32> = e.values.iter().map(|v| v.value).collect();
    let variant_docs = e.values.iter().map(variant_attrs);
    quote! {
        #doc #dep
        ///
        /// Values this client does not know are kept in `Unknown`.
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #( #variant_docs #variants, )*
            /// A value this version of the client does not know.
            Unknown(rt::UnknownValue<i32>),
        }

        impl #name {
            /// Every value the model defines, in model order.
            pub const VALUES: &'static [i32] = &[#(#values),*];

            /// The value as sent on the wire.
            pub fn value(&self) -> i32 {
                match self {
                    #( Self::#variants => #values, )*
                    Self::Unknown(v) => *v.value(),
                }
            }

            /// False for `Unknown`.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        impl From<i32> for #name {
            fn from(value: i32) -> Self {
                match value {
                    #( #values => Self::#variants, )*
                    other => Self::Unknown(rt::UnknownValue::new(other)),
                }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { self.value().fmt(f) }
        }

        #[cfg(feature = "serde")]
        impl rt::serde::Serialize for #name {
            fn serialize<S: rt::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_i32(self.value())
            }
        }

    }
}

fn union(t: &NamedType, u: &Union) -> TokenStream {
    let name = ident(&t.name);
    let type_name = &t.name;
    let doc = docs(t.docs.as_deref());
    let dep = deprecated(t.deprecated.as_ref());
    let mut variants = Vec::new();
    let mut ser_arms = Vec::new();
    for v in &u.variants {
        let variant = ident(&v.variant);
        let mut ty = rust_type(&v.ty);
        if v.boxed {
            ty = quote!(Box<#ty>);
        }
        let vdoc = docs(v.docs.as_deref());
        let vdep = deprecated(v.deprecated.as_ref());
        variants.push(quote! { #vdoc #vdep #variant(#ty), });
        let member_name = &v.name;
        let c = serde_codec(&v.ty).unwrap_or_else(|| quote!(rt::json::Same));
        let value_ty = rust_type(&v.ty);
        ser_arms.push(quote! {
            Self::#variant(v) => map.serialize_entry(#member_name, &rt::json::Ser::<#value_ty, #c>::new(v))?,
        });
    }
    let unknown_ser = format!("cannot serialise an unknown variant of the {type_name} union");
    quote! {
        #doc #dep
        ///
        /// A variant this client does not know is kept as `Unknown` with its name.
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A member this version of the client does not know (its JSON name).
            Unknown(rt::UnknownValue),
        }

        #[cfg(feature = "serde")]
        impl rt::serde::Serialize for #name {
            fn serialize<S: rt::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use rt::serde::ser::{Error as _, SerializeMap as _};
                let mut map = s.serialize_map(Some(1))?;
                match self {
                    #(#ser_arms)*
                    Self::Unknown(_) => return Err(S::Error::custom(#unknown_ser)),
                }
                map.end()
            }
        }

    }
}

/// Whether a value of `ty` is written with names from the parent module
/// (generated types or `rt`), so the `defaults` module must import them.
fn uses_outer_names(ty: &TypeRef) -> bool {
    match &ty.kind {
        TypeKind::List { item, .. } => uses_outer_names(item),
        TypeKind::Map { key, value, .. } => uses_outer_names(key) || uses_outer_names(value),
        TypeKind::Named { .. }
        | TypeKind::Timestamp(_)
        | TypeKind::Text
        | TypeKind::Blob
        | TypeKind::Stream
        | TypeKind::Document
        | TypeKind::BigInteger
        | TypeKind::BigDecimal => true,
        _ => false,
    }
}

/// The rustdoc (led by the wire value) and deprecation of one enum variant.
fn variant_attrs<T: std::fmt::Display>(v: &EnumValue<T>) -> TokenStream {
    let text = match &v.docs {
        Some(d) => format!("`{}`: {}", v.value, d),
        None => format!("`{}`", v.value),
    };
    let d = docs(Some(&text));
    let dep = deprecated(v.deprecated.as_ref());
    quote!(#d #dep)
}
