//! Emit stage: data types. Structures with builders, enums and intEnums that
//! keep unknown values, unions with an unknown-variant case, error structures,
//! and their restJson1 JSON mapping through serde.

use super::{codec, codec_or_same, deprecated, doc_line, docs, field_type, member_docs, rust_type, value_type};
use crate::ir::*;
use crate::names::ident;
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

pub fn emit(ir: &CrateIr) -> TokenStream {
    let mut items = Vec::new();
    let mut defaults = Vec::new();
    for t in ir.types.values() {
        let is_input = ir.service.operations.iter().any(|op| op.input == t.name);
        items.push(match &t.kind {
            NamedKind::Struct(s) => structure(t, s, is_input, &mut defaults),
            NamedKind::Union(u) => union(t, u),
            NamedKind::Enum(e) => string_enum(t, e),
            NamedKind::IntEnum(e) => int_enum(t, e),
        });
    }
    let defaults = (!defaults.is_empty()).then(|| {
        quote! {
            /// Model `@default` values, and readers that turn a JSON `null` into them.
            mod defaults {
                use super::*;
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
    }
}

fn serde_attrs() -> TokenStream {
    quote!(#[serde(crate = "rt::serde")])
}

fn structure(t: &NamedType, s: &Struct, is_input: bool, defaults: &mut Vec<TokenStream>) -> TokenStream {
    let name = ident(&t.name);
    let builder = ident(&crate::names::builder(&t.name));
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
        let default_fn = ident(&crate::names::default_fn(&t.name, &m.field));
        let ty = field_type(m);
        let value_ty = value_type(m);
        let wire = &m.wire_name;
        let mdoc = member_docs(m);
        let mdep = deprecated(m.deprecated.as_ref());
        let serde_attr = if m.binding != Binding::Body {
            quote!(#[serde(skip)])
        } else if m.optional {
            let with = codec(&m.ty).map(|c| {
                let path = quote!(rt::json::As::<Option<#c>>).to_string().replace(' ', "");
                quote!(, with = #path)
            });
            quote!(#[serde(rename = #wire, default, skip_serializing_if = "Option::is_none" #with)])
        } else {
            let de_fn = format_ident!("de_{}", default_fn);
            let value = default_tokens(m.default.as_ref().expect("non-optional members have defaults"), &m.ty);
            let c = codec_or_same(&m.ty);
            let boxed = m.boxed.then(|| quote!(.map(Box::new)));
            let value = if m.boxed { quote!(Box::new(#value)) } else { value };
            defaults.push(quote! {
                pub(super) fn #default_fn() -> #value_ty { #value }
                pub(super) fn #de_fn<'de, D: rt::serde::Deserializer<'de>>(d: D) -> Result<#value_ty, D::Error> {
                    Ok(rt::json::As::<Option<#c>>::deserialize(d)? #boxed .unwrap_or_else(#default_fn))
                }
            });
            let default_path = format!("defaults::{default_fn}");
            let de_path = format!("defaults::{de_fn}");
            let ser = codec(&m.ty).map(|c| {
                let path = quote!(rt::json::As::<#c>::serialize).to_string().replace(' ', "");
                quote!(, serialize_with = #path)
            });
            quote!(#[serde(rename = #wire, default = #default_path, deserialize_with = #de_path #ser)])
        };
        fields.push(quote! { #mdoc #mdep #serde_attr pub #field: #ty, });
        builder_fields.push(quote! { #field: Option<#value_ty>, });

        let set_name = format_ident!("set_{}", m.field);
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
    // The client sends inputs as they are, so that validation reports missing
    // required members together with every other violation.
    let build_unchecked = is_input.then(|| {
        quote! {
            /// Builds the value without checking required members.
            pub(crate) fn build_unchecked(self) -> #name {
                #name { #(#build_fields)* }
            }
        }
    });
    let builder_doc = doc_line(&format!("A builder for [`{type_name}`]."));
    let ctor_doc = doc_line(&format!("Starts building a [`{type_name}`]."));
    quote! {
        #doc #dep
        #[derive(Clone, #derive_debug PartialEq, rt::serde::Serialize, rt::serde::Deserialize)]
        #serde_crate
        #[non_exhaustive]
        pub struct #name { #(#fields)* }

        impl #name {
            #ctor_doc
            pub fn builder() -> #builder { #builder::default() }
        }

        #builder_doc
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct #builder { #(#builder_fields)* }

        impl #builder {
            #(#setters)*
            #build_doc
            pub fn build(self) -> Result<#name, rt::BuildError> {
                #check_missing
                Ok(#name { #(#build_fields)* })
            }
            #build_unchecked
        }

        impl From<#name> for #builder {
            fn from(value: #name) -> Self {
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
        _ => (inner, quote!(value)),
    }
}

fn error_impls(t: &NamedType, s: &Struct, e: &ErrorInfo) -> TokenStream {
    let name = ident(&t.name);
    let code = t.id.rsplit_once('#').map_or(t.id.as_str(), |(_, n)| n);
    let status = Literal::u16_unsuffixed(e.http_status);
    let server = e.fault == Fault::Server;
    let (retryable, throttling) = (e.retryable, e.throttling);
    let message_member = e.message_field.as_ref().and_then(|f| s.members.iter().find(|m| &m.field == f));
    let message = match message_member {
        Some(m) if m.ty.kind == TypeKind::String && m.optional => {
            let f = ident(&m.field);
            quote!(self.#f.as_deref())
        }
        Some(m) if m.ty.kind == TypeKind::String => {
            let f = ident(&m.field);
            quote!(Some(self.#f.as_str()))
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

fn default_tokens(d: &DefaultValue, ty: &TypeRef) -> TokenStream {
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
            let lit = if ty.kind == TypeKind::Float { Literal::f32_suffixed(*f as f32) } else { Literal::f64_suffixed(*f) };
            quote!(#lit)
        }
        DefaultValue::String(s) => quote!(#s.to_owned()),
        DefaultValue::EnumVariant(v) | DefaultValue::IntEnum(v) => {
            let ty = rust_type(ty);
            let v = ident(v);
            quote!(#ty::#v)
        }
        DefaultValue::Timestamp { seconds, nanos } => quote!(rt::DateTime::from_secs_and_nanos(#seconds, #nanos)),
        DefaultValue::Blob(bytes) => {
            let lit = Literal::byte_string(bytes);
            quote!(rt::Blob::new(#lit.to_vec()))
        }
        DefaultValue::EmptyList => quote!(Vec::new()),
        DefaultValue::EmptyMap => quote!(::std::collections::BTreeMap::new()),
        DefaultValue::Document(v) => {
            let text = v.to_string();
            quote!(rt::serde_json::from_str::<rt::Document>(#text).unwrap_or_default())
        }
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

        impl rt::serde::Serialize for #name {
            fn serialize<S: rt::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> rt::serde::Deserialize<'de> for #name {
            fn deserialize<D: rt::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                rt::json::enum_text(d).map(|s| Self::from(&*s))
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

        impl rt::serde::Serialize for #name {
            fn serialize<S: rt::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_i32(self.value())
            }
        }

        impl<'de> rt::serde::Deserialize<'de> for #name {
            fn deserialize<D: rt::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                <i32 as rt::serde::Deserialize>::deserialize(d).map(Self::from)
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
    let mut de_arms = Vec::new();
    for v in &u.variants {
        let variant = ident(&v.variant);
        let mut ty = rust_type(&v.ty);
        if v.boxed {
            ty = quote!(Box<#ty>);
        }
        let vdoc = docs(v.docs.as_deref());
        let vdep = deprecated(v.deprecated.as_ref());
        variants.push(quote! { #vdoc #vdep #variant(#ty), });
        let wire = &v.wire_name;
        let c = codec_or_same(&v.ty);
        let value_ty = rust_type(&v.ty);
        ser_arms.push(quote! {
            Self::#variant(v) => map.serialize_entry(#wire, &rt::json::Ser::<#value_ty, #c>::new(v))?,
        });
        let wrap = if v.boxed { quote!(|v| #name::#variant(Box::new(v))) } else { quote!(#name::#variant) };
        de_arms.push(quote! {
            #wire => map.next_value::<rt::json::De<Option<#value_ty>, Option<#c>>>()?.into_inner().map(#wrap),
        });
    }
    let expecting = format!("a {type_name} union: an object with exactly one member set");
    let too_many = format!("a {type_name} union has more than one member set");
    let none = format!("a {type_name} union has no member set");
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

        impl<'de> rt::serde::Deserialize<'de> for #name {
            fn deserialize<D: rt::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl<'de> rt::serde::de::Visitor<'de> for Visitor {
                    type Value = #name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    fn visit_map<A: rt::serde::de::MapAccess<'de>>(self, mut map: A) -> Result<#name, A::Error> {
                        use rt::serde::de::Error as _;
                        let mut found: Option<#name> = None;
                        while let Some(key) = map.next_key::<String>()? {
                            let value = match key.as_str() {
                                #(#de_arms)*
                                "__type" => { map.next_value::<rt::serde::de::IgnoredAny>()?; None }
                                _ => {
                                    let v = map.next_value::<rt::Document>()?;
                                    (!v.is_null()).then(|| #name::Unknown(rt::UnknownValue::new(key.clone())))
                                }
                            };
                            if let Some(value) = value {
                                if found.replace(value).is_some() {
                                    return Err(A::Error::custom(#too_many));
                                }
                            }
                        }
                        found.ok_or_else(|| A::Error::custom(#none))
                    }
                }
                d.deserialize_map(Visitor)
            }
        }
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
