//! Emit stage: the form writer of each type (awsQuery and ec2Query request
//! bodies), as `WriteQuery` impls in a module of their own beside the types.
//! The keys are decided here from the IR: each member's query key, lists as
//! `Key.member.N` (the list member's `@xmlName`) or flattened `Key.N`, maps
//! as `Key.entry.N.key` / `.value` or flattened `Key.N.key`; ec2Query
//! flattens every list. Trait paths are written in full: a model shape may
//! be named `WriteQuery`.

use crate::ir::*;
use crate::names::ident;
use proc_macro2::TokenStream;
use quote::quote;

/// The protocol's rules for keys.
#[derive(Clone, Copy)]
struct Rules {
    /// ec2Query: lists are always flattened, and an empty list sends nothing.
    ec2: bool,
}

/// The writer module of `types.rs`, or nothing for a protocol whose
/// requests are not form-encoded.
pub fn module(ir: &CrateIr) -> TokenStream {
    if ir.service.protocol.request_format() != BodyFormat::Query {
        return quote!();
    }
    let rules = Rules {
        ec2: ir.service.protocol.flattens_query_lists(),
    };
    let impls = ir.types.values().filter_map(|t| {
        let name = ident(&t.name);
        let body = match &t.kind {
            NamedKind::Struct(s) => structure(s, rules),
            NamedKind::Union(u) => union(t, u, rules),
            // Enums are written by the member that holds them.
            NamedKind::Enum(_) | NamedKind::IntEnum(_) => return None,
        };
        let used = !body.is_empty();
        let (w, prefix) = if used {
            (quote!(w), quote!(prefix))
        } else {
            (quote!(_w), quote!(_prefix))
        };
        Some(quote! {
            impl rt::query::WriteQuery for #name {
                fn write_query(&self, #w: &mut rt::query::Writer, #prefix: &str) {
                    #body
                }
            }
        })
    });
    quote! {
        /// The form writer of every structure and union, for request bodies.
        mod query {
            use super::*;

            #(#impls)*
        }
    }
}

fn structure(s: &Struct, rules: Rules) -> TokenStream {
    let writes = s
        .members
        .iter()
        .filter(|m| m.binding == Binding::Body && m.ty.kind != TypeKind::Stream)
        .map(|m| {
            let field = ident(&m.field);
            let key = &m.query_key;
            let write = write_expr(&m.ty, m.xml.flattened, rules);
            let write = if m.boxed {
                quote!(let v = &**v; #write)
            } else {
                write
            };
            let access = if m.optional {
                quote!(if let Some(v) = &self.#field)
            } else {
                quote!(let v = &self.#field;)
            };
            if m.optional {
                quote! { #access { let k = rt::query::key(prefix, #key); #write } }
            } else {
                quote! {{ #access let k = rt::query::key(prefix, #key); #write }}
            }
        });
    quote!(#(#writes)*)
}

fn union(t: &NamedType, u: &Union, rules: Rules) -> TokenStream {
    let type_name = &t.name;
    let arms = u.variants.iter().map(|v| {
        let variant = ident(&v.variant);
        let key = &v.query_key;
        let write = write_expr(&v.ty, v.xml.flattened, rules);
        let write = if v.boxed {
            quote!(let v = &**v; #write)
        } else {
            write
        };
        quote! { Self::#variant(v) => { let k = rt::query::key(prefix, #key); #write } }
    });
    let unknown = format!("cannot send an unknown variant of the {type_name} union");
    quote! {
        match self {
            #(#arms)*
            Self::Unknown(_) => w.fail(#unknown),
        }
    }
}

/// Statements writing `v` (a reference to a value of `ty`) under key `k`.
fn write_expr(ty: &TypeRef, flattened: bool, rules: Rules) -> TokenStream {
    match &ty.kind {
        TypeKind::Bool => quote!(w.bool(&k, *v);),
        TypeKind::Byte | TypeKind::Short | TypeKind::Integer | TypeKind::Long => {
            quote!(w.int(&k, *v);)
        }
        TypeKind::Float => quote!(w.f32(&k, *v);),
        TypeKind::Double => quote!(w.f64(&k, *v);),
        TypeKind::BigInteger => quote!(w.big_integer(&k, v);),
        TypeKind::BigDecimal => quote!(w.big_decimal(&k, v);),
        TypeKind::String => quote!(w.str(&k, v);),
        TypeKind::Text => quote!(w.str(&k, v.as_str());),
        TypeKind::Blob => quote!(w.blob(&k, v);),
        TypeKind::Timestamp(f) => {
            let format = super::http::format_tokens(*f);
            quote!(w.date_time(&k, v, #format);)
        }
        TypeKind::Named {
            shape: NamedShape::Enum,
            ..
        } => quote!(w.str(&k, v.as_str());),
        TypeKind::Named {
            shape: NamedShape::IntEnum,
            ..
        } => quote!(w.int(&k, v.value());),
        TypeKind::Named { .. } => quote!(rt::query::WriteQuery::write_query(v, w, &k);),
        TypeKind::List { item, sparse } => {
            let write = write_expr(item, false, rules);
            let write = if *sparse {
                quote!(if let Some(v) = v { #write })
            } else {
                write
            };
            let base = if flattened || rules.ec2 {
                quote!(k)
            } else {
                let member = &ty.names.member;
                quote!(rt::query::key(&k, #member))
            };
            let each = quote! {
                let base = #base;
                for (i, v) in v.iter().enumerate() {
                    let k = rt::query::indexed(&base, i);
                    #write
                }
            };
            if rules.ec2 {
                each
            } else {
                // awsQuery sends an empty list as the key with no value.
                quote! {
                    if v.is_empty() {
                        w.empty(&k);
                    } else {
                        #each
                    }
                }
            }
        }
        TypeKind::Map { key, value, sparse } => {
            let (key_name, value_name) = (&ty.names.key, &ty.names.value);
            let write_key = write_expr(key, false, rules);
            let write_value = write_expr(value, false, rules);
            let write_value = if *sparse {
                quote!(if let Some(v) = v { #write_value })
            } else {
                write_value
            };
            let base = if flattened {
                quote!(k)
            } else {
                quote!(rt::query::key(&k, "entry"))
            };
            quote! {
                let base = #base;
                for (i, (key, v)) in v.iter().enumerate() {
                    let entry = rt::query::indexed(&base, i);
                    {
                        let (k, v) = (rt::query::key(&entry, #key_name), key);
                        #write_key
                    }
                    let k = rt::query::key(&entry, #value_name);
                    #write_value
                }
            }
        }
        TypeKind::Document => {
            quote!(w.fail("a document cannot be sent in a query request");)
        }
        TypeKind::Stream => quote!(),
    }
}
