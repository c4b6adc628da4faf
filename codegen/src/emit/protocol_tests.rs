//! Emit stage: the model's protocol test cases as Rust `#[test]` functions.
//! A request case builds the input from its parameters, serialises it and
//! compares the request; a response case parses the recorded response and
//! compares the output (or the error) with its parameters.

use super::{docs, rust_type};
use crate::ir::*;
use crate::names::ident;
use proc_macro2::{Literal, TokenStream};
use quote::quote;

pub fn emit(ir: &CrateIr) -> TokenStream {
    let tests = ir.protocol_tests.iter().map(|t| test(ir, t));
    quote! {
        //! The model's protocol test cases (`smithy.test#httpRequestTests` and
        //! `httpResponseTests`) that apply to a client.

        #![allow(clippy::all, deprecated, unused_imports)]

        use smithy_client_runtime as rt;
        use crate::types::*;

        #(#tests)*
    }
}

fn test(ir: &CrateIr, t: &ProtocolTest) -> TokenStream {
    let name = ident(&t.test_fn);
    let doc = docs(Some(&match &t.docs {
        Some(d) => format!("`{}`: {d}", t.id),
        None => format!("`{}`", t.id),
    }));
    // Lowering only makes cases for generated operations.
    let Some(operation) = ir.service.operations.iter().find(|o| o.name == t.operation) else {
        return quote!();
    };
    let op = ident(&operation.name);
    let body = match &t.kind {
        ProtocolTestKind::Invalid(reason) => {
            let msg = format!("the case cannot be generated: {reason}");
            quote!(panic!(#msg);)
        }
        ProtocolTestKind::Request(r) => request(ir, operation, r),
        ProtocolTestKind::Malformed { body, violations } => {
            let input = ident(&operation.input);
            let expected = pairs(violations);
            quote! {
                let input: #input = rt::json::from_slice(#body.as_bytes())
                    .unwrap_or_else(|e| panic!("the body did not decode into the input: {e}"));
                rt::protocol_test::assert_violations(&input, #expected);
            }
        }
        ProtocolTestKind::Response(r) => {
            let expected = struct_tokens(ir, &operation.output, &r.params);
            let response = response_parts(r);
            let code = r.code;
            quote! {
                #response
                let mut response = rt::client::OperationResponse::new(#code, headers, body);
                let actual = <crate::operations::#op as rt::operation::Operation>::response(&mut response)
                    .unwrap_or_else(|e| panic!("the response did not parse: {e}"));
                let expected = #expected;
                rt::protocol_test::assert_same(&expected, &actual);
            }
        }
        ProtocolTestKind::Error { error, test: r } => {
            let op_error = ident(&operation.error_type);
            let variant = ident(error);
            let expected = struct_tokens(ir, error, &r.params);
            let response = response_parts(r);
            let code = r.code;
            let error_code = r
                .error_code
                .as_ref()
                .map(|c| quote!(assert_eq!(response.wire_code(), Some(#c), "error code");));
            let fault = r
                .query_fault
                .as_ref()
                .map(|f| quote!(assert_eq!(response.query_fault(), Some(#f), "awsQuery fault");));
            let format = super::wire_format(ir.service.protocol);
            quote! {
                #response
                let response = rt::error::ErrorResponse::read(#format, #code, &headers, &body);
                #error_code
                #fault
                let actual = <crate::error::#op_error as rt::error::OperationError>::from_response(&response);
                let expected = #expected;
                match actual {
                    crate::error::#op_error::#variant(actual) => rt::protocol_test::assert_same(&expected, &actual),
                    other => panic!("expected {}, got {other:?}", stringify!(#variant)),
                }
            }
        }
    };
    quote! {
        #doc
        #[test]
        fn #name() {
            #body
        }
    }
}

fn strs(items: &[String]) -> TokenStream {
    quote!(&[#(#items),*])
}

fn pairs(items: &[(String, String)]) -> TokenStream {
    let items = items.iter().map(|(k, v)| quote!((#k, #v)));
    quote!(&[#(#items),*])
}

fn opt(s: &Option<String>) -> TokenStream {
    match s {
        Some(s) => quote!(Some(#s)),
        None => quote!(None),
    }
}

fn request(ir: &CrateIr, operation: &Operation, r: &RequestTest) -> TokenStream {
    let op = ident(&operation.name);
    let value = struct_tokens(ir, &operation.input, &r.params);
    let method = &r.method;
    let uri = &r.uri;
    let query = strs(&r.query_params);
    let forbid_query = strs(&r.forbid_query_params);
    let require_query = strs(&r.require_query_params);
    let headers = pairs(&r.headers);
    let forbid_headers = strs(&r.forbid_headers);
    let require_headers = strs(&r.require_headers);
    let body = opt(&r.body);
    let media_type = opt(&r.body_media_type);
    let host = opt(&r.host);
    let resolved_host = opt(&r.resolved_host);
    quote! {
        let input = #value;
        let request = rt::client::prepare::<crate::operations::#op>(
            &input,
            &Default::default(),
            &rt::wire::FixedToken::default(),
        )
        .unwrap_or_else(|e| panic!("the request did not build: {e}"));
        let expected = rt::protocol_test::ExpectedRequest {
            method: #method,
            uri: #uri,
            query: #query,
            forbid_query: #forbid_query,
            require_query: #require_query,
            headers: #headers,
            forbid_headers: #forbid_headers,
            require_headers: #require_headers,
            body: #body,
            media_type: #media_type,
            host: #host,
            resolved_host: #resolved_host,
        };
        if let Err(e) = expected.check(&request) {
            panic!("{e}");
        }
    }
}

fn response_parts(r: &ResponseTest) -> TokenStream {
    let headers = pairs(&r.headers);
    let text = r.body.as_deref().unwrap_or("");
    // CBOR cases write their bodies in base64.
    let cbor = r
        .body_media_type
        .as_deref()
        .is_some_and(|m| m.contains("cbor"));
    let bytes = match cbor {
        true => {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .unwrap_or_else(|_| text.as_bytes().to_vec())
        }
        false => text.as_bytes().to_vec(),
    };
    let body = Literal::byte_string(&bytes);
    quote! {
        let headers = rt::protocol_test::headers(#headers);
        let body = rt::bytes::Bytes::from_static(#body);
    }
}

/// A structure or union literal of Rust type `name`.
fn struct_tokens(ir: &CrateIr, name: &str, v: &Value) -> TokenStream {
    let ty = ident(name);
    match (ir.types.get(name).map(|t| &t.kind), v) {
        (Some(NamedKind::Struct(s)), Value::Struct(fields)) => {
            let inits = s.members.iter().map(|m| {
                let f = ident(&m.field);
                let value = fields.iter().find(|(n, _)| n == &m.field).map(|(_, v)| {
                    let v = value_tokens(ir, &m.ty, v);
                    if m.boxed {
                        quote!(Box::new(#v))
                    } else {
                        v
                    }
                });
                match (value, m.optional) {
                    (Some(v), true) => quote!(#f: Some(#v),),
                    (Some(v), false) => quote!(#f: #v,),
                    (None, true) => quote!(#f: None,),
                    (None, false) => {
                        let d = super::types::default_tokens(
                            m.default
                                .as_ref()
                                .expect("non-optional members have defaults"),
                            &m.ty,
                        );
                        if m.boxed {
                            quote!(#f: Box::new(#d),)
                        } else {
                            quote!(#f: #d,)
                        }
                    }
                }
            });
            quote!(#ty { #(#inits)* })
        }
        (Some(NamedKind::Union(u)), Value::Union(variant, v)) => {
            let m = u.variants.iter().find(|m| &m.variant == variant);
            let value = m.map(|m| value_tokens(ir, &m.ty, v));
            let boxed = m.is_some_and(|m| m.boxed);
            let var = ident(variant);
            if boxed {
                quote!(#ty::#var(Box::new(#value)))
            } else {
                quote!(#ty::#var(#value))
            }
        }
        _ => quote!(compile_error!("test value does not fit its type")),
    }
}

fn value_tokens(ir: &CrateIr, ty: &TypeRef, v: &Value) -> TokenStream {
    match (&ty.kind, v) {
        (TypeKind::Bool, Value::Bool(b)) => quote!(#b),
        (TypeKind::Byte, Value::Int(i)) => {
            let l = Literal::i8_suffixed(*i as i8);
            quote!(#l)
        }
        (TypeKind::Short, Value::Int(i)) => {
            let l = Literal::i16_suffixed(*i as i16);
            quote!(#l)
        }
        (TypeKind::Integer, Value::Int(i)) => {
            let l = Literal::i32_suffixed(*i as i32);
            quote!(#l)
        }
        (TypeKind::Long, Value::Int(i)) => {
            let l = Literal::i64_suffixed(*i);
            quote!(#l)
        }
        (TypeKind::Float, Value::Float(f)) => float_tokens(*f, true),
        (TypeKind::Double, Value::Float(f)) => float_tokens(*f, false),
        (TypeKind::BigInteger, Value::BigNumber(n)) => quote!(rt::BigInteger::new(#n).unwrap()),
        (TypeKind::BigDecimal, Value::BigNumber(n)) => quote!(rt::BigDecimal::new(#n).unwrap()),
        (TypeKind::String, Value::Str(s)) => quote!(#s.to_string()),
        (TypeKind::Text, Value::Str(s)) => quote!(rt::Text::from(#s)),
        (TypeKind::Blob, Value::Blob(b)) => {
            let l = Literal::byte_string(b);
            quote!(rt::Blob::new(#l.to_vec()))
        }
        (TypeKind::Stream, Value::Blob(b)) => {
            let l = Literal::byte_string(b);
            quote!(rt::ByteStream::from_static(#l))
        }
        (TypeKind::Timestamp(_), Value::Timestamp { seconds, nanos }) => {
            quote!(rt::DateTime::from_secs_and_nanos(#seconds, #nanos))
        }
        (TypeKind::Document, Value::Document(d)) => super::document_literal(d),
        (
            TypeKind::Named {
                shape: NamedShape::Enum,
                ..
            },
            Value::Str(s),
        ) => {
            let t = rust_type(ty);
            quote!(#t::from(#s))
        }
        (
            TypeKind::Named {
                shape: NamedShape::IntEnum,
                ..
            },
            Value::Int(i),
        ) => {
            let t = rust_type(ty);
            let l = Literal::i32_unsuffixed(*i as i32);
            quote!(#t::from(#l))
        }
        (TypeKind::Named { name, .. }, v) => struct_tokens(ir, name, v),
        (TypeKind::List { item, sparse }, Value::List(items)) => {
            let items = items.iter().map(|i| match (i, sparse) {
                (Some(v), false) => value_tokens(ir, item, v),
                (Some(v), true) => {
                    let v = value_tokens(ir, item, v);
                    quote!(Some(#v))
                }
                (None, _) => quote!(None),
            });
            quote!(vec![#(#items),*])
        }
        (TypeKind::Map { key, value, sparse }, Value::Map(entries)) => {
            let entries = entries.iter().map(|(k, v)| {
                let k = match key.kind {
                    TypeKind::Named { .. } => {
                        let t = rust_type(key);
                        quote!(#t::from(#k))
                    }
                    _ => quote!(#k.to_string()),
                };
                let v = match (v, sparse) {
                    (Some(v), false) => value_tokens(ir, value, v),
                    (Some(v), true) => {
                        let v = value_tokens(ir, value, v);
                        quote!(Some(#v))
                    }
                    (None, _) => quote!(None),
                };
                quote!((#k, #v))
            });
            quote!(::std::collections::BTreeMap::from([#(#entries),*]))
        }
        _ => quote!(compile_error!("test value does not fit its type")),
    }
}

fn float_tokens(f: f64, single: bool) -> TokenStream {
    let t = if single { quote!(f32) } else { quote!(f64) };
    if f.is_nan() {
        quote!(#t::NAN)
    } else if f == f64::INFINITY {
        quote!(#t::INFINITY)
    } else if f == f64::NEG_INFINITY {
        quote!(#t::NEG_INFINITY)
    } else if single {
        let l = Literal::f32_suffixed(f as f32);
        quote!(#l)
    } else {
        let l = Literal::f64_suffixed(f);
        quote!(#l)
    }
}
