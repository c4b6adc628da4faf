//! Emit stage: one typed error enum per operation, with a variant per modelled
//! error and an `Unhandled` variant for everything else, and the mapping from
//! an error response's code to a variant.

use super::doc_line;
use crate::ir::*;
use crate::names::ident;
use proc_macro2::TokenStream;
use quote::quote;

pub fn emit(ir: &CrateIr) -> TokenStream {
    let errors = ir
        .service
        .operations
        .iter()
        .map(|op| operation_error(ir, op));
    // Error structures live in `types`; a service whose operations model no
    // errors must not import it for nothing.
    let any_errors = ir.service.operations.iter().any(|op| !op.errors.is_empty());
    let types = any_errors.then(|| {
        quote!(
            use crate::types::*;
        )
    });
    // Error structures with members bound to headers get one reader each.
    let mut readers = std::collections::BTreeSet::new();
    for op in &ir.service.operations {
        for e in &op.errors {
            if super::http::error_has_bindings(super::http::members(ir, e)) {
                readers.insert(e.clone());
            }
        }
    }
    let readers = readers.iter().filter_map(|e| match &ir.types.get(e)?.kind {
        NamedKind::Struct(Struct {
            error: Some(info),
            members,
            ..
        }) => Some(super::http::error_reader(ir, e, &info.reader, members)),
        _ => None,
    });
    quote! {
        //! The typed error of each operation.

        #![allow(deprecated)]

        use smithy_client_runtime as rt;
        #types

        #(#errors)*
        #(#readers)*
    }
}

fn operation_error(ir: &CrateIr, op: &Operation) -> TokenStream {
    let name = ident(&op.error_type);
    let doc = doc_line(&format!(
        "An error [`{0}`](crate::operations::{0}) can return.",
        op.name
    ));
    let mut variants = Vec::new();
    let mut arms = Vec::new();
    let mut display = Vec::new();
    let mut source = Vec::new();
    let mut codes = Vec::new();
    let mut messages = Vec::new();
    let mut retry = Vec::new();
    for e in &op.errors {
        let Some(t) = ir.types.get(e) else { continue };
        let NamedKind::Struct(Struct {
            error: Some(info), ..
        }) = &t.kind
        else {
            continue;
        };
        let v = ident(e);
        let code = &info.code;
        let vdoc = doc_line(&format!("[`{e}`]: HTTP {}.", info.http_status));
        variants.push(quote! { #vdoc #v(#v), });
        let read = if super::http::error_has_bindings(super::http::members(ir, e)) {
            let f = ident(&info.reader);
            quote!(#f(response))
        } else {
            super::error_parse(ir.service.protocol)
        };
        arms.push(quote! { Some(#code) => #read.map_or_else(Self::Unhandled, Self::#v), });
        display.push(quote! { Self::#v(e) => e.fmt(f), });
        source.push(quote! { Self::#v(e) => Some(e), });
        codes.push(quote! { Self::#v(_) => Some(#code), });
        messages.push(quote! { Self::#v(e) => e.message(), });
        let kind = if info.throttling {
            quote!(Some(rt::retry::RetryKind::Throttling))
        } else if info.retryable {
            quote!(Some(rt::retry::RetryKind::ServerError))
        } else {
            quote!(None)
        };
        retry.push(quote! { Self::#v(_) => #kind, });
    }
    let from_response = if arms.is_empty() {
        quote!(Self::Unhandled(response.unhandled()))
    } else {
        quote! {
            match response.code() {
                #(#arms)*
                _ => Self::Unhandled(response.unhandled()),
            }
        }
    };
    quote! {
        #doc
        #[derive(Debug)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// An error the model does not list for this operation.
            Unhandled(rt::error::UnhandledError),
        }

        impl #name {
            /// The error code (`ResourceNotFoundException`), if known.
            pub fn code(&self) -> Option<&str> {
                match self {
                    #(#codes)*
                    Self::Unhandled(e) => e.code(),
                }
            }

            /// The message the service sent, if any.
            pub fn message(&self) -> Option<&str> {
                match self {
                    #(#messages)*
                    Self::Unhandled(e) => e.message(),
                }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    #(#display)*
                    Self::Unhandled(e) => e.fmt(f),
                }
            }
        }

        impl ::std::error::Error for #name {
            fn source(&self) -> Option<&(dyn ::std::error::Error + 'static)> {
                match self {
                    #(#source)*
                    Self::Unhandled(e) => Some(e),
                }
            }
        }

        impl rt::error::OperationError for #name {
            fn from_response(response: &rt::error::ErrorResponse<'_>) -> Self {
                #from_response
            }

            fn retry_kind(&self) -> Option<rt::retry::RetryKind> {
                match self {
                    #(#retry)*
                    Self::Unhandled(_) => None,
                }
            }
        }
    }
}
