//! Emit stage, endpoints: the embedded rule set with the model's own endpoint
//! tests, each operation's endpoint parameters, and the client's
//! context-parameter setters.

use super::{doc_line, docs};
use crate::ir::*;
use crate::names::ident;
use proc_macro2::TokenStream;
use quote::quote;

/// `src/endpoint.rs`: the rule set as JSON the runtime interprets, and one
/// `#[test]` per case of the model's `smithy.rules#endpointTests`.
pub fn emit_module(rules: &EndpointRules) -> TokenStream {
    let json = &rules.rules_json;
    let tests = rules.tests.iter().map(|t| {
        let name = ident(&t.function);
        let doc = docs(t.docs.as_deref());
        let case = &t.case_json;
        quote! {
            #doc
            #[test]
            fn #name() {
                check(#case);
            }
        }
    });
    let test_mod = (!rules.tests.is_empty()).then(|| {
        quote! {
            /// The model's own endpoint test cases (`smithy.rules#endpointTests`).
            #[cfg(test)]
            mod tests {
                use smithy_client_runtime as rt;
                use rt::endpoint::CaseOutcome;

                fn check(case: &str) {
                    let rules = super::RULES.get().expect("the embedded endpoint rules parse");
                    let case: rt::Document = case.parse().expect("the embedded case is JSON");
                    match rt::endpoint::run_test_case(rules, &case) {
                        CaseOutcome::Passed => {}
                        // The case predates the partitions data the runtime
                        // embeds; it passes with the data of its time.
                        CaseOutcome::PredatesIsoDualStack(e) => {
                            eprintln!("older than the partitions data: {e}")
                        }
                        CaseOutcome::Failed(e) => panic!("{e}"),
                    }
                }

                #(#tests)*
            }
        }
    });
    quote! {
        //! Where requests go: the service's endpoint rules, which the runtime
        //! interprets (parsed once per process).

        /// The model's `smithy.rules#endpointRuleSet`.
        pub(crate) static RULES: smithy_client_runtime::endpoint::EmbeddedRules =
            smithy_client_runtime::endpoint::EmbeddedRules::new(#json);

        #test_mod
    }
}

/// The `Operation` items that set an operation's endpoint parameters
/// (nothing when it has none).
pub fn operation_items(op: &Operation) -> TokenStream {
    if op.endpoint_params.is_empty() {
        return TokenStream::new();
    }
    let uses_input = op
        .endpoint_params
        .iter()
        .any(|p| matches!(p.value, EndpointParamValue::Input { .. }));
    let input = if uses_input {
        quote!(input)
    } else {
        quote!(_input)
    };
    let sets = op.endpoint_params.iter().map(|p| {
        let name = &p.name;
        match &p.value {
            EndpointParamValue::Static(v) => {
                let value = static_value(v);
                quote!(params.set(#name, #value);)
            }
            EndpointParamValue::Input { steps, leaf, many } => {
                let value = match leaf {
                    InputLeaf::Str => quote!(rt::endpoint::Value::from(v.as_str())),
                    InputLeaf::Bool => quote!(rt::endpoint::Value::Bool(*v)),
                };
                if *many {
                    let chain = fan_out(steps);
                    quote! {
                        let values: Vec<rt::endpoint::Value> = #chain.map(|v| #value).collect();
                        if !values.is_empty() {
                            params.set(#name, rt::endpoint::Value::Array(values));
                        }
                    }
                } else {
                    let chain = optional_chain(steps);
                    quote! {
                        if let Some(v) = #chain {
                            params.set(#name, #value);
                        }
                    }
                }
            }
        }
    });
    quote! {
        const ENDPOINT_PARAMS: bool = true;
        fn endpoint_params(#input: &Self::Input, params: &mut rt::endpoint::Params) {
            #(#sets)*
        }
    }
}

/// An iterator over every value a fanning-out path reaches.
fn fan_out(steps: &[InputStep]) -> TokenStream {
    let mut chain = quote!(std::iter::once(input));
    for step in steps {
        chain = match step {
            InputStep::Field {
                field,
                optional: true,
            } => {
                let f = ident(field);
                quote!(#chain.filter_map(|v| v.#f.as_ref()))
            }
            InputStep::Field {
                field,
                optional: false,
            } => {
                let f = ident(field);
                quote!(#chain.map(|v| &v.#f))
            }
            InputStep::Each { sparse: false } => quote!(#chain.flat_map(|v| v.iter())),
            InputStep::Each { sparse: true } => quote!(#chain.flat_map(|v| v.iter().flatten())),
            InputStep::Keys => quote!(#chain.flat_map(|v| v.keys())),
        };
    }
    chain
}

/// An `Option` of the value a path of fields reaches.
fn optional_chain(steps: &[InputStep]) -> TokenStream {
    let mut chain: Option<TokenStream> = None;
    for step in steps {
        let InputStep::Field { field, optional } = step else {
            // Lowering gives a path through a list or map `many`.
            continue;
        };
        let f = ident(field);
        chain = Some(match (chain, optional) {
            (None, true) => quote!(input.#f.as_ref()),
            (None, false) => quote!(Some(&input.#f)),
            (Some(c), true) => quote!(#c.and_then(|v| v.#f.as_ref())),
            (Some(c), false) => quote!(#c.map(|v| &v.#f)),
        });
    }
    chain.unwrap_or_else(|| quote!(None::<&String>))
}

fn static_value(v: &serde_json::Value) -> TokenStream {
    match v {
        serde_json::Value::Bool(b) => quote!(rt::endpoint::Value::Bool(#b)),
        serde_json::Value::String(s) => quote!(rt::endpoint::Value::from(#s)),
        serde_json::Value::Array(items) => {
            let items = items.iter().map(static_value);
            quote!(rt::endpoint::Value::Array(vec![#(#items),*]))
        }
        // Validation accepts booleans, strings and lists of strings only.
        _ => quote!(rt::endpoint::Value::from("")),
    }
}

/// The client's `@clientContextParams` setters.
pub fn client_setters(rules: Option<&EndpointRules>) -> TokenStream {
    let Some(rules) = rules else {
        return TokenStream::new();
    };
    let setters = rules.client_params.iter().map(|p| {
        let method = ident(&p.method);
        let name = &p.name;
        let doc = match &p.docs {
            Some(d) => docs(Some(d)),
            None => doc_line(&format!("Sets the `{name}` endpoint parameter.")),
        };
        let note = doc_line(&format!(
            "The `{name}` parameter of the service's endpoint rules (`@clientContextParams`); \
             the endpoint is resolved again."
        ));
        let (arg, value) = match p.kind {
            EndpointParamKind::Bool => (quote!(value: bool), quote!(value)),
            EndpointParamKind::String => (quote!(value: impl Into<String>), quote!(value.into())),
            EndpointParamKind::StringArray => (
                quote!(value: impl IntoIterator<Item = impl Into<String>>),
                quote!(rt::endpoint::Value::Array(
                    value
                        .into_iter()
                        .map(|v| rt::endpoint::Value::String(v.into()))
                        .collect()
                )),
            ),
        };
        quote! {
            #doc
            ///
            #note
            pub fn #method(self, #arg) -> Self {
                Client { inner: self.inner.with_endpoint_param(#name, #value) }
            }
        }
    });
    quote!(#(#setters)*)
}
