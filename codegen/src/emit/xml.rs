//! Emit stage: the XML codec of each type (awsQuery, ec2Query and restXml
//! responses and errors; restXml requests), as `ReadXml` and `WriteXml` impls in a module of their own beside the
//! types: element names (`@xmlName`), attributes (`@xmlAttribute`), wrapped
//! and flattened lists and maps (`@xmlFlattened`) are code here, read through
//! the runtime's cursor over the body. Trait paths are written in full: a
//! model shape may be named `ReadXml`.

use super::rust_type;
use super::types::read_frame;
use crate::ir::*;
use crate::names::ident;
use proc_macro2::TokenStream;
use quote::quote;

/// The reader module of `types.rs`, or nothing for a protocol whose
/// responses are not XML.
pub fn module(ir: &CrateIr) -> TokenStream {
    if ir.service.protocol.response_format() != BodyFormat::Xml {
        return quote!();
    }
    let impls = ir.types.values().map(|t| {
        let name = ident(&t.name);
        let body = match &t.kind {
            NamedKind::Struct(s) => structure(s),
            NamedKind::Union(u) => union(t, u),
            NamedKind::Enum(_) => quote!(r.text().map(|t| Self::from(&*t))),
            NamedKind::IntEnum(_) => {
                quote!(r.parse(rt::xml::parse_integer::<i32>).map(Self::from))
            }
        };
        let el = if matches!(&t.kind, NamedKind::Struct(s) if s.members.iter().any(|m| m.xml.attribute)) {
            quote!(el)
        } else {
            quote!(_el)
        };
        quote! {
            impl rt::xml::ReadXml for #name {
                fn read_xml(r: &mut rt::xml::Reader<'_>, #el: &rt::xml::Element<'_>) -> Result<Self, rt::xml::ReadError> {
                    #body
                }
            }
        }
    });
    let writers = (ir.service.protocol.request_format() == BodyFormat::Xml).then(|| {
        let impls = ir.types.values().filter_map(|t| {
            let name = ident(&t.name);
            let body = match &t.kind {
                NamedKind::Struct(s) => write_structure(s),
                NamedKind::Union(u) => write_union(t, u),
                // Enums are written by the member that holds them.
                NamedKind::Enum(_) | NamedKind::IntEnum(_) => return None,
            };
            Some(quote! {
                impl rt::xml::WriteXml for #name {
                    fn write_xml(&self, w: &mut rt::xml::Writer, name: &str, ns: rt::xml::Ns<'_>) {
                        #body
                    }
                }
            })
        });
        quote!(#(#impls)*)
    });
    quote! {
        /// The XML reader of every type, for response and error bodies, and
        /// its writer, for request bodies.
        mod xml {
            use super::*;

            #(#impls)*
            #writers
        }
    }
}

/// `ns` as the tokens of an `rt::xml::Ns`.
pub(crate) fn ns_tokens(ns: Option<&(String, Option<String>)>) -> TokenStream {
    match ns {
        None => quote!(None),
        Some((uri, None)) => quote!(Some((#uri, None))),
        Some((uri, Some(prefix))) => quote!(Some((#uri, Some(#prefix)))),
    }
}

/// The element: attributes from `@xmlAttribute` members, then each body
/// member as a child element.
fn write_structure(s: &Struct) -> TokenStream {
    let mut attributes = Vec::new();
    let mut children = Vec::new();
    for m in &s.members {
        if m.binding != Binding::Body || m.ty.kind == TypeKind::Stream {
            continue;
        }
        let field = ident(&m.field);
        let wire = &m.wire_name;
        let access = if m.optional {
            quote!(if let Some(v) = &self.#field)
        } else {
            quote!(let v = &self.#field;)
        };
        let deref = m.boxed.then(|| quote!(let v = &**v;));
        if m.xml.attribute {
            let text = attribute_text(&m.ty);
            let write = quote! {
                let text = #text;
                w.attribute(#wire, &text);
            };
            attributes.push(if m.optional {
                quote!(#access { #write })
            } else {
                quote!({ #access #write })
            });
            continue;
        }
        let write = write_expr(
            &m.ty,
            quote!(#wire),
            m.xml.namespace.as_ref(),
            m.xml.flattened,
        );
        children.push(if m.optional {
            quote!(#access { #deref #write })
        } else {
            quote!({ #access #deref #write })
        });
    }
    quote! {
        w.start(name, ns);
        #(#attributes)*
        w.close_start();
        #(#children)*
        w.end(name);
    }
}

fn write_union(t: &NamedType, u: &Union) -> TokenStream {
    let type_name = &t.name;
    let arms = u.variants.iter().map(|v| {
        let variant = ident(&v.variant);
        let wire = &v.wire_name;
        let deref = v.boxed.then(|| quote!(let v = &**v;));
        let write = write_expr(
            &v.ty,
            quote!(#wire),
            v.xml.namespace.as_ref(),
            v.xml.flattened,
        );
        quote! { Self::#variant(v) => { #deref #write } }
    });
    let unknown = format!("cannot send an unknown variant of the {type_name} union");
    quote! {
        w.start(name, ns);
        w.close_start();
        match self {
            #(#arms)*
            Self::Unknown(_) => w.fail(#unknown),
        }
        w.end(name);
    }
}

/// An attribute's text, of type `Cow<str>` or `String`, from `v`.
fn attribute_text(ty: &TypeRef) -> TokenStream {
    match &ty.kind {
        TypeKind::String => quote!(::std::borrow::Cow::<str>::Borrowed(v)),
        TypeKind::Text => quote!(::std::borrow::Cow::<str>::Borrowed(v.as_str())),
        TypeKind::Named {
            shape: NamedShape::Enum,
            ..
        } => quote!(::std::borrow::Cow::<str>::Borrowed(v.as_str())),
        TypeKind::Named {
            shape: NamedShape::IntEnum,
            ..
        } => quote!(v.value().to_string()),
        TypeKind::Float => quote!(rt::xml::f32_text(*v)),
        TypeKind::Double => quote!(rt::xml::float_text(*v)),
        // A timestamp that cannot be written fails the request, not an
        // empty attribute.
        TypeKind::Timestamp(f) => {
            let format = super::http::format_tokens(*f);
            quote! {
                match v.fmt(#format) {
                    Ok(text) => text,
                    Err(e) => {
                        w.fail(format!("a timestamp cannot be written: {e}"));
                        String::new()
                    }
                }
            }
        }
        TypeKind::Blob => quote!(String::from_utf8_lossy(&v.to_base64()).into_owned()),
        _ => quote!(v.to_string()),
    }
}

/// Statements writing `v` (a reference to a value of `ty`) as the element
/// `name` declaring `ns`; a flattened list or map repeats that element for
/// each item or entry instead of nesting them in it.
fn write_expr(
    ty: &TypeRef,
    name: TokenStream,
    ns: Option<&(String, Option<String>)>,
    flattened: bool,
) -> TokenStream {
    let ns_t = ns_tokens(ns);
    match &ty.kind {
        TypeKind::Bool => quote!(w.bool(#name, #ns_t, *v);),
        TypeKind::Byte | TypeKind::Short | TypeKind::Integer | TypeKind::Long => {
            quote!(w.int(#name, #ns_t, *v);)
        }
        TypeKind::Float => quote!(w.f32(#name, #ns_t, *v);),
        TypeKind::Double => quote!(w.f64(#name, #ns_t, *v);),
        TypeKind::BigInteger | TypeKind::BigDecimal => quote!(w.str(#name, #ns_t, v.as_str());),
        TypeKind::String => quote!(w.str(#name, #ns_t, v);),
        TypeKind::Text => quote!(w.str(#name, #ns_t, v.as_str());),
        TypeKind::Blob => quote!(w.blob(#name, #ns_t, v);),
        TypeKind::Timestamp(f) => {
            let format = super::http::format_tokens(*f);
            quote!(w.date_time(#name, #ns_t, v, #format);)
        }
        TypeKind::Named {
            shape: NamedShape::Enum,
            ..
        } => quote!(w.str(#name, #ns_t, v.as_str());),
        TypeKind::Named {
            shape: NamedShape::IntEnum,
            ..
        } => quote!(w.int(#name, #ns_t, v.value());),
        TypeKind::Named { .. } => quote!(rt::xml::WriteXml::write_xml(v, w, #name, #ns_t);),
        TypeKind::List { item, sparse } => {
            let member = &ty.names.member;
            let item_write = if flattened {
                // The list member's namespace, not the structure member's.
                write_expr(item, name.clone(), ty.names.member_ns.as_ref(), false)
            } else {
                write_expr(item, quote!(#member), ty.names.member_ns.as_ref(), false)
            };
            let item_write = if *sparse {
                quote!(if let Some(v) = v { #item_write })
            } else {
                item_write
            };
            let each = quote!(for v in v.iter() { #item_write });
            if flattened {
                each
            } else {
                quote! {
                    w.start(#name, #ns_t);
                    w.close_start();
                    #each
                    w.end(#name);
                }
            }
        }
        TypeKind::Map { key, value, sparse } => {
            let (k, val) = (&ty.names.key, &ty.names.value);
            let key_write = write_expr(key, quote!(#k), ty.names.key_ns.as_ref(), false);
            let value_write = write_expr(value, quote!(#val), ty.names.value_ns.as_ref(), false);
            let value_write = if *sparse {
                quote!(if let Some(v) = v { #value_write })
            } else {
                value_write
            };
            let entry = quote! {
                { let v = key; #key_write }
                #value_write
            };
            if flattened {
                quote! {
                    for (key, v) in v.iter() {
                        w.start(#name, #ns_t);
                        w.close_start();
                        #entry
                        w.end(#name);
                    }
                }
            } else {
                quote! {
                    w.start(#name, #ns_t);
                    w.close_start();
                    for (key, v) in v.iter() {
                        w.start("entry", None);
                        w.close_start();
                        #entry
                        w.end("entry");
                    }
                    w.end(#name);
                }
            }
        }
        TypeKind::Document => quote!(w.fail("a document cannot be sent in an XML body");),
        TypeKind::Stream => quote!(),
    }
}

/// Members from the element's attributes and child elements; children the
/// model does not name are passed over.
fn structure(s: &Struct) -> TokenStream {
    let (init, corrections) = read_frame(s);
    let mut attributes = Vec::new();
    let mut arms = Vec::new();
    for m in &s.members {
        if m.binding != Binding::Body || m.ty.kind == TypeKind::Stream {
            continue;
        }
        let field = ident(&m.field);
        let wire = &m.wire_name;
        let name = &m.name;
        let boxed = |read: TokenStream| {
            if m.boxed {
                quote!(#read.map(Box::new))
            } else {
                read
            }
        };
        let assign = |value: TokenStream| {
            if m.optional {
                quote!(out.#field = Some(#value);)
            } else {
                quote!(out.#field = #value;)
            }
        };
        if m.xml.attribute {
            let Some(parse) = parse_fn(&m.ty) else {
                continue;
            };
            let set = assign(quote!(v));
            attributes.push(quote! {
                if let Some(text) = el.attribute(#wire).map_err(|e| e.in_member(#name))? {
                    let parse = #parse;
                    let v = parse(&text).map_err(|m| r.invalid(m).in_member(#name))?;
                    #set
                }
            });
            continue;
        }
        // Services spell an error's message element either way.
        let is_message = s.error.as_ref().and_then(|e| e.message_field.as_ref()) == Some(&m.field);
        let mut spellings = vec![wire.clone()];
        if is_message {
            for extra in ["Message", "message"] {
                if !spellings.iter().any(|s| s == extra)
                    && !s.members.iter().any(|o| o.wire_name == extra)
                {
                    spellings.push(extra.to_string());
                }
            }
        }
        let arm = match (&m.ty.kind, m.xml.flattened) {
            (TypeKind::List { item, sparse }, true) => {
                let read = item_read(item, *sparse);
                let (index, push) = if m.optional {
                    (
                        quote!(out.#field.as_ref().map_or(0, Vec::len)),
                        quote!(out.#field.get_or_insert_with(Vec::new).push(v);),
                    )
                } else {
                    (quote!(out.#field.len()), quote!(out.#field.push(v);))
                };
                quote! {{
                    let index = #index;
                    let v = #read.map_err(|e| e.in_index(index).in_member(#name))?;
                    #push
                }}
            }
            (TypeKind::Map { key, value, sparse }, true) => {
                let (k, v) = (&m.ty.names.key, &m.ty.names.value);
                let read_key = read_expr(key);
                let read_value = item_read(value, *sparse);
                let insert = if m.optional {
                    quote!(out.#field.get_or_insert_with(Default::default).insert(k, v);)
                } else {
                    quote!(out.#field.insert(k, v);)
                };
                let (read_key, read_value) = (closure(read_key), closure(read_value));
                quote! {
                    if let Some((k, v)) = r
                        .entry(#k, #v, #read_key, #read_value)
                        .map_err(|e| e.in_member(#name))?
                    {
                        #insert
                    }
                }
            }
            _ => {
                let read = boxed(read_expr(&m.ty));
                let set = assign(quote!(v));
                quote! {{
                    let v = #read.map_err(|e| e.in_member(#name))?;
                    #set
                }}
            }
        };
        arms.push(quote! { #(#spellings)|* => #arm });
    }
    let read_children = if arms.is_empty() {
        quote! {
            while r.next_child()?.is_some() {
                r.skip()?;
            }
        }
    } else {
        quote! {
            while let Some(child) = r.next_child()? {
                let child = &child;
                match child.name() {
                    #(#arms)*
                    _ => r.skip()?,
                }
            }
        }
    };
    let out = if arms.is_empty() && attributes.is_empty() && corrections.is_empty() {
        quote!(out)
    } else {
        quote!(mut out)
    };
    quote! {
        let #out = Self { #(#init)* };
        #(#attributes)*
        #read_children
        #(#corrections)*
        Ok(out)
    }
}

/// One member element, the variant's name; an element the model does not
/// name is kept as an unknown variant.
fn union(t: &NamedType, u: &Union) -> TokenStream {
    let name = ident(&t.name);
    let type_name = &t.name;
    let arms = u.variants.iter().map(|v| {
        let variant = ident(&v.variant);
        let wire = &v.wire_name;
        let member = &v.name;
        let read = read_expr(&v.ty);
        let wrap = if v.boxed {
            quote!(#name::#variant(Box::new(v)))
        } else {
            quote!(#name::#variant(v))
        };
        quote! {
            #wire => {
                let v = #read.map_err(|e| e.in_member(#member))?;
                #wrap
            }
        }
    });
    let too_many = format!("a {type_name} union has more than one member set");
    let none = format!("a {type_name} union has no member set");
    quote! {
        let mut found: Option<Self> = None;
        while let Some(child) = r.next_child()? {
            let child = &child;
            let value = match child.name() {
                #(#arms)*
                other => {
                    let other = other.to_owned();
                    r.skip()?;
                    Self::Unknown(rt::UnknownValue::new(other))
                }
            };
            if found.replace(value).is_some() {
                return Err(r.invalid(#too_many));
            }
        }
        found.ok_or_else(|| r.invalid(#none))
    }
}

/// A closure `|r, child| read` for the runtime's list and map readers.
pub(crate) fn closure(read: TokenStream) -> TokenStream {
    // A closure that only calls `read_xml` is the function itself.
    let named = quote!(rt::xml::ReadXml::read_xml(r, child));
    if read.to_string() == named.to_string() {
        return quote!(rt::xml::ReadXml::read_xml);
    }
    if read.to_string().contains("child") {
        quote!(|r, child| #read)
    } else {
        quote!(|r, _| #read)
    }
}

/// An item of a list or a map's value: `Some` in a sparse collection.
fn item_read(ty: &TypeRef, sparse: bool) -> TokenStream {
    let read = read_expr(ty);
    if sparse {
        quote!(#read.map(Some))
    } else {
        read
    }
}

/// An expression reading a value of `ty` from the element `child` the
/// reader `r` is in, of type `Result<T, rt::xml::ReadError>`.
pub(crate) fn read_expr(ty: &TypeRef) -> TokenStream {
    match &ty.kind {
        TypeKind::String => quote!(r.string()),
        TypeKind::Text => quote!(r.text_value()),
        TypeKind::Named { .. } => quote!(rt::xml::ReadXml::read_xml(r, child)),
        TypeKind::List { item, sparse } => {
            let member = &ty.names.member;
            let read = closure(item_read(item, *sparse));
            quote!(r.list(#member, #read))
        }
        TypeKind::Map { key, value, sparse } => {
            let (k, v) = (&ty.names.key, &ty.names.value);
            let read_key = closure(read_expr(key));
            let read_value = closure(item_read(value, *sparse));
            quote!(r.map(#k, #v, #read_key, #read_value))
        }
        // No XML protocol carries documents or streams inside a body.
        TypeKind::Document => quote!(r.skip().map(|_| rt::Document::Null)),
        TypeKind::Stream => quote!(r.skip().map(|_| rt::ByteStream::default())),
        _ => match parse_fn(ty) {
            Some(parse) => quote!(r.parse(#parse)),
            None => quote!(r.skip().map(|_| Default::default())),
        },
    }
}

/// A function from text to the scalar `ty`, `Result<T, String>`, for
/// element text and attribute values.
fn parse_fn(ty: &TypeRef) -> Option<TokenStream> {
    Some(match &ty.kind {
        TypeKind::Bool => quote!(rt::xml::parse_bool),
        TypeKind::Byte => quote!(rt::xml::parse_integer::<i8>),
        TypeKind::Short => quote!(rt::xml::parse_integer::<i16>),
        TypeKind::Integer => quote!(rt::xml::parse_integer::<i32>),
        TypeKind::Long => quote!(rt::xml::parse_integer::<i64>),
        TypeKind::Float => quote!(rt::xml::parse_f32),
        TypeKind::Double => quote!(rt::xml::parse_f64),
        TypeKind::BigInteger => quote!(rt::xml::parse_big_integer),
        TypeKind::BigDecimal => quote!(rt::xml::parse_big_decimal),
        TypeKind::Blob => quote!(rt::xml::parse_blob),
        TypeKind::String => quote!(|t: &str| Ok::<_, String>(t.to_owned())),
        TypeKind::Text => quote!(|t: &str| Ok::<_, String>(rt::Text::from(t))),
        TypeKind::Timestamp(f) => {
            // Date-times are read with any offset, as services write them.
            let format = match f {
                TimestampFormat::DateTime => quote!(rt::DateTimeFormat::DateTimeWithOffset),
                other => super::http::format_tokens(*other),
            };
            quote!(|t: &str| rt::xml::parse_date_time(t, #format))
        }
        TypeKind::Named {
            shape: NamedShape::Enum,
            ..
        } => {
            let t = rust_type(ty);
            quote!(|t: &str| Ok::<_, String>(#t::from(t)))
        }
        TypeKind::Named {
            shape: NamedShape::IntEnum,
            ..
        } => {
            let t = rust_type(ty);
            quote!(|t: &str| rt::xml::parse_integer::<i32>(t).map(#t::from))
        }
        _ => return None,
    })
}
