//! Emit stage: the service client, with one method per operation returning a
//! request builder whose `send` validates, signs and sends the request.

use super::types::setter_param;
use super::{deprecated, doc_line, docs, member_docs, value_type};
use crate::ir::*;
use crate::names::ident;
use proc_macro2::TokenStream;
use quote::quote;

pub fn emit(ir: &CrateIr) -> TokenStream {
    let s = &ir.service;
    let sdk_id = s.sdk_id.clone().unwrap_or_else(|| s.name.clone());
    let prefix = s
        .endpoint_prefix
        .clone()
        .unwrap_or_else(|| crate::names::crate_name(&sdk_id).replace('-', ""));
    let signing = match &s.signing_name {
        Some(n) => quote!(Some(#n)),
        None => quote!(None),
    };
    let title = s.title.as_deref().unwrap_or(&s.name);
    let client_doc = doc_line(&format!("A client for {title}."));
    let env_var = format!(
        "AWS_ENDPOINT_URL_{}",
        sdk_id.to_ascii_uppercase().replace([' ', '-'], "_")
    );
    let configured = format!(
        "the config's `endpoint_url`, else `{env_var}`, else `AWS_ENDPOINT_URL` (or the shared \
         config's equivalents, when the config came from `Config::from_env`)"
    );
    let endpoint_doc = doc_line(&match &s.endpoint_rules {
        Some(_) => format!(
            "The endpoint comes from the service's endpoint rules, given the config's region, \
             `use_fips` and `use_dual_stack` settings and the configured endpoint URL ({configured}), \
             which the rules may accept or refuse (a custom endpoint with FIPS, for one)."
        ),
        None => format!(
            "The endpoint is {configured}, else `https://{prefix}.{{region}}.{{DNS suffix of the region's partition}}` \
             (`{prefix}-fips` with `use_fips`, the partition's dual-stack suffix with `use_dual_stack`)."
        ),
    });
    let rules = match &s.endpoint_rules {
        Some(_) => quote!(Some(&crate::endpoint::RULES)),
        None => quote!(None),
    };
    let (discovery, discover_fn) = match &s.endpoint_discovery {
        Some(d) => {
            let op = ident(&d.operation);
            let input = ident(&d.input);
            // Each field as a plain value, an unset one as its zero.
            let value = |(field, optional): &(String, bool), of: TokenStream| {
                let f = ident(field);
                if *optional {
                    quote!(#of.#f.unwrap_or_default())
                } else {
                    quote!(#of.#f)
                }
            };
            let list = value(&d.endpoints_field, quote!(output));
            let address = value(&d.address_field, quote!(e));
            let cache = value(&d.cache_field, quote!(e));
            let error = match &d.invalid_endpoint_error {
                Some(e) => quote!(Some(#e)),
                None => quote!(None),
            };
            let discovery = quote! {
                Some(rt::client::EndpointDiscovery {
                    discover: discover_endpoints,
                    invalid_endpoint_error: #error,
                })
            };
            let discover_fn = quote! {
                /// Asks the service for the endpoint of operations that require a
                /// discovered one.
                fn discover_endpoints(client: rt::client::ServiceClient) -> rt::client::DiscoveryFuture {
                    Box::pin(async move {
                        let output = client
                            .call::<crate::operations::#op>(&#input::builder().build_unchecked())
                            .await
                            .map_err(|e| e.to_string())?;
                        Ok(#list
                            .into_iter()
                            .map(|e| rt::client::DiscoveredEndpoint {
                                address: #address,
                                cache_minutes: #cache,
                            })
                            .collect())
                    })
                }
            };
            (discovery, Some(discover_fn))
        }
        None => (quote!(None), None),
    };
    let context_setters = super::endpoints::client_setters(s.endpoint_rules.as_ref());
    let methods = s.operations.iter().map(client_method);
    let (new, config, endpoint) = (
        ident(&s.client.new),
        ident(&s.client.config),
        ident(&s.client.endpoint),
    );
    let builders = s.operations.iter().map(|op| fluent_builder(ir, op));
    quote! {
        //! The service client: one method per operation.

        #![allow(deprecated)]

        use smithy_client_runtime as rt;
        use crate::error::*;
        use crate::types::*;

        static SERVICE: rt::client::ServiceInfo = rt::client::ServiceInfo {
            sdk_id: #sdk_id,
            endpoint_prefix: #prefix,
            signing_name: #signing,
            endpoint_rules: #rules,
            endpoint_discovery: #discovery,
        };

        #discover_fn

        #client_doc
        ///
        /// Cheap to clone; clones share the connection pool and credentials.
        #[derive(Clone, Debug)]
        pub struct Client {
            inner: rt::client::ServiceClient,
        }

        impl Client {
            /// A client using `config`.
            ///
            #endpoint_doc
            pub fn #new(config: &rt::Config) -> Self {
                Client { inner: rt::client::ServiceClient::new(config, &SERVICE) }
            }

            /// The configuration this client was made from.
            pub fn #config(&self) -> &rt::Config {
                self.inner.config()
            }

            /// The endpoint requests are sent to, or why there is none.
            pub fn #endpoint(&self) -> Result<&str, &rt::error::ConfigError> {
                self.inner.endpoint()
            }

            #context_setters

            #(#methods)*
        }

        #(#builders)*
    }
}

fn client_method(op: &Operation) -> TokenStream {
    let method = ident(&op.method);
    let builder = ident(&op.fluent_builder);
    let input = ident(&op.input);
    let doc = docs(op.docs.as_deref());
    let dep = deprecated(op.deprecated.as_ref());
    quote! {
        #doc
        #dep
        pub fn #method(&self) -> #builder {
            #builder { client: self.clone(), input: #input::builder() }
        }
    }
}

fn fluent_builder(ir: &CrateIr, op: &Operation) -> TokenStream {
    let name = ident(&op.fluent_builder);
    let op_name = ident(&op.name);
    let (input, output, error) = (ident(&op.input), ident(&op.output), ident(&op.error_type));
    let Some(NamedKind::Struct(input_struct)) = ir.types.get(&op.input).map(|t| &t.kind) else {
        return TokenStream::new();
    };
    let input_builder = ident(&input_struct.builder);
    let h = &input_struct.helpers;
    let (send, input_fn, with_input, into_paginator, build_unchecked) = (
        ident(&h.send),
        ident(&h.input),
        ident(&h.with_input),
        ident(&h.into_paginator),
        ident(&h.build_unchecked),
    );
    let setters = input_struct.members.iter().map(|m| {
        let field = ident(&m.field);
        let set_name = ident(&m.clearer);
        let (param, _) = setter_param(&m.ty, m.boxed);
        let value_ty = value_type(m);
        let mdoc = member_docs(m);
        let mdep = deprecated(m.deprecated.as_ref());
        let set_doc = doc_line(&format!("Sets or clears [`{0}`](Self::{0}).", m.field));
        quote! {
            #mdoc #mdep
            pub fn #field(mut self, value: #param) -> Self { self.input = self.input.#field(value); self }
            #set_doc
            #mdep
            pub fn #set_name(mut self, value: Option<#value_ty>) -> Self { self.input = self.input.#set_name(value); self }
        }
    });
    let doc = doc_line(&format!(
        "A [`{}`](crate::operations::{}) request, sent by [`{}`](Self::{}).",
        op.name, op.name, h.send, h.send
    ));
    let paginator = op.paginator.as_ref().map(|_| {
        let doc = doc_line(&format!(
            "Each page is validated, signed and retried like [`{0}`](Self::{0}).",
            h.send
        ));
        quote! {
            /// Pages through the results instead of sending one request: call
            /// [`pages`](rt::paginate::Paginator::pages) or
            /// [`items`](rt::paginate::Paginator::items) on the result for a stream.
            #doc
            pub fn #into_paginator(self) -> rt::paginate::Paginator<crate::operations::#op_name> {
                rt::paginate::Paginator::new(self.client.inner.clone(), self.input.#build_unchecked())
            }
        }
    });
    // A streaming input can be sent once, so its builder is not `Clone`.
    let streaming_input = op.streaming_input;
    let derive_clone = (!streaming_input).then(|| quote!(Clone,));
    let input_accessor = (!streaming_input).then(|| {
        quote! {
            /// The input as it stands.
            pub fn #input_fn(&self) -> #input {
                self.input.clone().#build_unchecked()
            }
        }
    });
    quote! {
        #doc
        #[derive(#derive_clone Debug)]
        pub struct #name {
            client: Client,
            input: #input_builder,
        }

        impl #name {
            #(#setters)*

            /// Replaces every member with those of `input`.
            pub fn #with_input(mut self, input: #input) -> Self {
                self.input = #input_builder::from(input);
                self
            }

            #input_accessor

            /// Validates the input (unless validation is off in the config), then
            /// sends it, retrying throttling, server and network errors.
            pub async fn #send(self) -> Result<#output, rt::Error<#error>> {
                let input = self.input.#build_unchecked();
                self.client.inner.call::<crate::operations::#op_name>(&input).await
            }

            #paginator
        }
    }
}
