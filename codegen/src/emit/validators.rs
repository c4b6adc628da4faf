//! Emit stage: `Validate` implementations for every type reachable from an
//! operation input. Each constraint becomes a direct check at its member;
//! patterns are compiled once per process into statics shared by all members
//! that use the same pattern.

use crate::ir::*;
use crate::names::ident;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::BTreeMap;

pub fn emit(ir: &CrateIr) -> TokenStream {
    let mut cx = Cx::default();
    // Name the pattern statics in sorted order of their source, before any use.
    let mut sources = std::collections::BTreeSet::new();
    for t in ir.types.values().filter(|t| t.validated) {
        let members = match &t.kind {
            NamedKind::Struct(s) => &s.members,
            NamedKind::Union(u) => &u.variants,
            _ => continue,
        };
        for m in members {
            collect_patterns(&m.ty, &mut sources);
        }
    }
    for (i, p) in sources.into_iter().enumerate() {
        cx.patterns
            .insert(p.source.clone(), (format!("PATTERN_{i}"), p.clone()));
    }
    // Validation messages list every value but those marked `@internal`.
    for t in ir.types.values() {
        let public: Vec<String> = match &t.kind {
            NamedKind::Enum(e) => e
                .values
                .iter()
                .filter(|v| !v.internal)
                .map(|v| v.value.clone())
                .collect(),
            NamedKind::IntEnum(e) => e
                .values
                .iter()
                .filter(|v| !v.internal)
                .map(|v| v.value.to_string())
                .collect(),
            _ => continue,
        };
        cx.public_values.insert(t.name.clone(), public);
    }
    let mut impls = Vec::new();
    for t in ir.types.values().filter(|t| t.validated) {
        match &t.kind {
            NamedKind::Struct(s) => impls.push(cx.structure(t, s)),
            NamedKind::Union(u) => impls.push(cx.union(t, u)),
            NamedKind::Enum(_) | NamedKind::IntEnum(_) => {}
        }
    }
    let statics = cx.patterns.values().map(|(name, p)| {
        let name = format_ident!("{}", name);
        let (source, ecma) = (&p.source, &p.ecma);
        let linear = match &p.linear {
            Some(l) => quote!(Some(#l)),
            None => quote!(None),
        };
        quote! {
            static #name: rt::validation::Pattern =
                rt::validation::Pattern::new(#source, #ecma, #linear);
        }
    });
    quote! {
        //! Constraint validators for every shape reachable from an operation input.
        //!
        //! Each `validate_into` checks its members in model order and descends into
        //! nested structures, unions, lists and maps, so one call reports every
        //! violation in the value.

        #![allow(unused_variables, clippy::needless_borrow, clippy::single_match, deprecated)]

        use smithy_client_runtime as rt;
        use crate::types::*;

        #(#statics)*
        #(#impls)*
    }
}

#[derive(Default)]
struct Cx {
    /// Pattern source → (static name, the pattern).
    patterns: BTreeMap<String, (String, Pattern)>,
    /// Enum and intEnum names → the values validation messages list.
    public_values: BTreeMap<String, Vec<String>>,
}

impl Cx {
    fn structure(&mut self, t: &NamedType, s: &Struct) -> TokenStream {
        let name = ident(&t.name);
        let mut checks = Vec::new();
        for m in &s.members {
            let field = ident(&m.field);
            let member_name = &m.name;
            let value_checks = self.checks(&m.ty, quote!(v));
            let required = m.required && m.optional;
            let body = match (m.optional, value_checks) {
                (true, Some(c)) if required => {
                    quote! { match &self.#field { Some(v) => { #c } None => cx.required(), } }
                }
                (true, Some(c)) => quote! { if let Some(v) = &self.#field { #c } },
                (true, None) if required => {
                    quote! { if self.#field.is_none() { cx.required(); } }
                }
                (true, None) => continue,
                (false, Some(c)) => quote! { let v = &self.#field; #c },
                (false, None) => continue,
            };
            checks.push(quote! {
                let mark = cx.enter(#member_name);
                #body
                cx.leave(mark);
            });
        }
        quote! {
            impl rt::validation::Validate for #name {
                fn validate_into(&self, cx: &mut rt::validation::Context) {
                    #(#checks)*
                }
            }
        }
    }

    fn union(&mut self, t: &NamedType, u: &Union) -> TokenStream {
        let name = ident(&t.name);
        let mut arms = Vec::new();
        for v in &u.variants {
            let variant = ident(&v.variant);
            let member_name = &v.name;
            if let Some(c) = self.checks(&v.ty, quote!(v)) {
                arms.push(quote! {
                    Self::#variant(v) => {
                        let mark = cx.enter(#member_name);
                        #c
                        cx.leave(mark);
                    }
                });
            }
        }
        // A union without constraints in any variant has nothing to check.
        let body = (!arms.is_empty()).then(|| {
            quote! {
                match self {
                    #(#arms)*
                    _ => {}
                }
            }
        });
        quote! {
            impl rt::validation::Validate for #name {
                fn validate_into(&self, cx: &mut rt::validation::Context) {
                    #body
                }
            }
        }
    }

    fn pattern_static(&self, p: &Pattern) -> proc_macro2::Ident {
        format_ident!("{}", self.patterns[&p.source].0)
    }

    /// Checks for a value `v: &T` at the current path, or `None` if the type
    /// has no constraints anywhere inside it.
    fn checks(&mut self, ty: &TypeRef, v: TokenStream) -> Option<TokenStream> {
        let c = &ty.constraints;
        let mut out = Vec::new();
        if let Some(len) = &c.length {
            let measure = match &ty.kind {
                TypeKind::String | TypeKind::Text => quote!(#v.chars().count()),
                TypeKind::Named {
                    shape: NamedShape::Enum,
                    ..
                } => quote!(#v.as_str().chars().count()),
                TypeKind::Blob => quote!(#v.len()),
                _ => quote!(#v.len()),
            };
            let b = |b: &Option<Bound>| match b {
                Some(b) => {
                    let (n, text) = (b.value as usize, &b.text);
                    quote!(Some((#n, #text)))
                }
                None => quote!(None),
            };
            let (min, max) = (b(&len.min), b(&len.max));
            out.push(quote! { cx.length(#measure, #min, #max); });
        }
        if let Some(range) = &c.range {
            let float = matches!(
                ty.kind,
                TypeKind::Float | TypeKind::Double | TypeKind::BigInteger | TypeKind::BigDecimal
            );
            let value = match &ty.kind {
                TypeKind::BigInteger | TypeKind::BigDecimal => quote!(#v.to_f64()),
                TypeKind::Named {
                    shape: NamedShape::IntEnum,
                    ..
                } => quote!(i64::from(#v.value())),
                TypeKind::Float => quote!(f64::from(*#v)),
                TypeKind::Double | TypeKind::Long => quote!(*#v),
                _ => quote!(i64::from(*#v)),
            };
            let bound = |b: &Option<Bound>, up: bool| match b {
                Some(b) if float => {
                    let (n, text) = (b.value, &b.text);
                    quote!(Some((#n, #text)))
                }
                Some(b) => {
                    // An integer must lie inside fractional bounds: round them inward.
                    let n = if up { b.value.ceil() } else { b.value.floor() } as i64;
                    let text = &b.text;
                    quote!(Some((#n, #text)))
                }
                None => quote!(None),
            };
            let (min, max) = (bound(&range.min, true), bound(&range.max, false));
            let f = if float {
                quote!(range_float)
            } else {
                quote!(range_int)
            };
            out.push(quote! { cx.#f(#value, #min, #max); });
        }
        if let Some(p) = &c.pattern {
            let stat = self.pattern_static(p);
            let text = match &ty.kind {
                TypeKind::Named { .. } => quote!(#v.as_str()),
                _ => quote!(#v),
            };
            out.push(quote! { cx.pattern(#text, &#stat); });
        }
        if c.unique_items {
            out.push(quote! { cx.unique(#v); });
        }
        match &ty.kind {
            TypeKind::Named {
                name,
                shape: NamedShape::Enum | NamedShape::IntEnum,
            } => {
                let allowed = self.public_values.get(name).into_iter().flatten();
                out.push(quote! { if !#v.is_known() { cx.enum_value(&[#(#allowed),*]); } });
            }
            TypeKind::Named {
                shape: NamedShape::Struct | NamedShape::Union,
                ..
            } => {
                out.push(quote! { rt::validation::Validate::validate_into(#v, cx); });
            }
            TypeKind::List { item, sparse } => {
                if let Some(inner) = self.checks(item, quote!(item)) {
                    let body = if *sparse {
                        quote! { if let Some(item) = item { #inner } }
                    } else {
                        inner
                    };
                    out.push(quote! {
                        for (i, item) in #v.iter().enumerate() {
                            let mark = cx.enter_index(i);
                            #body
                            cx.leave(mark);
                        }
                    });
                }
            }
            TypeKind::Map { key, value, sparse } => {
                // Key violations are reported at the map itself, as Smithy does.
                let key_checks = self.checks(key, quote!(key));
                let value_checks = self.checks(value, quote!(value));
                if key_checks.is_some() || value_checks.is_some() {
                    let key_part = key_checks.map(|k| quote! { #k });
                    let key_text = quote!(key.as_str());
                    let value_part = value_checks.map(|vc| {
                        let vc = if *sparse {
                            quote! { if let Some(value) = value { #vc } }
                        } else {
                            vc
                        };
                        quote! {
                            let mark = cx.enter(#key_text);
                            #vc
                            cx.leave(mark);
                        }
                    });
                    out.push(quote! {
                        for (key, value) in #v.iter() {
                            #key_part
                            #value_part
                        }
                    });
                }
            }
            _ => {}
        }
        (!out.is_empty()).then(|| quote! { #(#out)* })
    }
}

fn collect_patterns<'a>(ty: &'a TypeRef, out: &mut std::collections::BTreeSet<&'a Pattern>) {
    if let Some(p) = &ty.constraints.pattern {
        out.insert(p);
    }
    match &ty.kind {
        TypeKind::List { item, .. } => collect_patterns(item, out),
        TypeKind::Map { key, value, .. } => {
            collect_patterns(key, out);
            collect_patterns(value, out);
        }
        _ => {}
    }
}
