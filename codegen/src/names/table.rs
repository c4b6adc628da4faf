//! Naming stage, part two: every Rust name of one generated crate, decided
//! together before lowering, so that no legal model fails on naming.
//!
//! Each Rust namespace is a [`Scope`] filled in a fixed order. Model shapes and
//! members claim their natural names first; the names the generator adds
//! (builders, operation types and errors, request builders, helper methods)
//! claim theirs afterwards and move to a documented alternative when a model
//! name holds theirs. The order, and every alternative:
//!
//! | namespace | first | then | alternative when taken |
//! |---|---|---|---|
//! | types (crate-wide) | reserved: the prelude names generated code uses, `Client`, `Unhandled` | | |
//! | | shapes, by natural name (exact spellings first), then shape id | | `{Name}Value`, then `{Name}2`, `{Name}3` … |
//! | | unit inputs and outputs | `{Op}Input` | `{Op}OperationInput` |
//! | | operations | `{Op}`, `{Op}Error`, `{Op}FluentBuilder` | `{Op}Operation`, `{Op}OperationError`, `{Op}OperationFluentBuilder` |
//! | | builders | `{Type}Builder` | `{Type}Builder2` … |
//! | client methods | operations, by shape id | `get_images` | `get_images_2` … |
//! | | the client's own methods | `new`, `config`, `endpoint` | `with_config`, `client_config`, `client_endpoint` |
//! | members of a structure (fields, setters) | members, in model order | `stream_name` | `stream_name_2` … |
//! | | builder methods | `build`, `build_unchecked` | `try_build`, `build_without_checks` |
//! | | request-builder methods (operation inputs) | `send`, `input`, `with_input`, `into_paginator` | `send_request`, `as_input`, `replace_input`, `paginator` |
//! | | clearing setters | `set_{field}` | `set_{field}_option` |
//! | variants of a union or enum | members, in model order; `Unknown` reserved | `Jpeg` | `JpegValue`, then `Jpeg2` … |
//! | default-value functions | by type, then member | `{type}_{field}` | numbered |
//! | error readers | by type | `read_{type}` | numbered |
//!
//! Every rename caused by a collision is reported as a note naming the shape
//! (and member), the name it got and what holds its natural name. Keywords and
//! the trait functions users call on builders (`default`, `clone`, `from`) get
//! a trailing underscore by policy (see [`super::method`]); that is not a note.

use super::{method, snake, type_name, variant, Claimed, Scope, RESERVED_TYPES, RESERVED_VARIANTS};
use crate::ast::ShapeKind;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::ir::{ClientMethods, Helpers};
use crate::model::{local_name, Model};
use std::collections::{BTreeMap, BTreeSet};

/// The names of one operation.
#[derive(Debug, Clone)]
pub struct OperationNames {
    /// The marker type in `operations` (`GetImages`).
    pub marker: String,
    /// The client method (`get_images`).
    pub method: String,
    /// The typed error enum (`GetImagesError`).
    pub error: String,
    /// The request builder the client method returns (`GetImagesFluentBuilder`).
    pub fluent_builder: String,
}

/// The names of one member of a structure, union or enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberNames {
    /// Field and setter (`stream_name`).
    pub field: String,
    /// The setter that takes an `Option` (`set_stream_name`).
    pub clearer: String,
    /// Union or enum variant (`StreamName`).
    pub variant: String,
}

/// Every Rust name of a crate, looked up by shape id.
#[derive(Debug, Clone)]
pub struct NameTable {
    /// Shape id (or `{operation id}$Input`/`$Output` for a unit) → type name.
    types: BTreeMap<String, String>,
    builders: BTreeMap<String, String>,
    operations: BTreeMap<String, OperationNames>,
    /// Shape id → member name (for a legacy `@enum` string, the value) → names.
    members: BTreeMap<String, BTreeMap<String, MemberNames>>,
    helpers: BTreeMap<String, Helpers>,
    /// (Structure id, member name) → name of its default-value function.
    defaults: BTreeMap<(String, String), String>,
    readers: BTreeMap<String, String>,
    pub client: ClientMethods,
    /// One note per rename caused by a collision.
    pub notes: Diagnostics,
    /// Shapes whose names conflict in the service closure, which Smithy
    /// forbids (the model needs a `rename`).
    pub conflicts: Diagnostics,
}

impl NameTable {
    /// The type name of a shape (or synthetic unit input/output id).
    pub fn type_name(&self, id: &str) -> Option<&str> {
        self.types.get(id).map(String::as_str)
    }

    /// The shape id a type name belongs to.
    pub fn shape_of(&self, type_name: &str) -> Option<&str> {
        self.types
            .iter()
            .find(|(_, n)| *n == type_name)
            .map(|(id, _)| id.as_str())
    }

    pub fn builder(&self, id: &str) -> String {
        self.builders
            .get(id)
            .cloned()
            .unwrap_or_else(|| format!("{}Builder", self.types.get(id).map_or("", |s| s)))
    }

    pub fn operation(&self, id: &str) -> Option<&OperationNames> {
        self.operations.get(id)
    }

    /// The names of a member; members the table did not see (a shape outside
    /// the closure) get their natural names.
    pub fn member(&self, shape: &str, member: &str) -> MemberNames {
        self.members
            .get(shape)
            .and_then(|m| m.get(member))
            .cloned()
            .unwrap_or_else(|| natural_member(member))
    }

    pub fn helpers(&self, id: &str) -> Helpers {
        self.helpers.get(id).cloned().unwrap_or_default()
    }

    pub fn default_fn(&self, shape: &str, member: &str) -> String {
        self.defaults
            .get(&(shape.to_string(), member.to_string()))
            .cloned()
            .unwrap_or_else(|| format!("{}_{}", snake(shape), method(member)))
    }

    pub fn error_reader(&self, id: &str) -> String {
        self.readers
            .get(id)
            .cloned()
            .unwrap_or_else(|| format!("read_{}", snake(local_name(id))))
    }
}

fn natural_member(member: &str) -> MemberNames {
    let field = method(member);
    MemberNames {
        clearer: format!("set_{}", field.trim_end_matches('_')),
        variant: variant(member),
        field,
    }
}

/// What a shape becomes in Rust.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Structure,
    Union,
    Enum,
    LegacyEnum,
}

fn role(model: &Model, id: &str) -> Option<Role> {
    let shape = model.shape(id)?;
    if id == "smithy.api#Unit" {
        return None;
    }
    match shape.kind {
        ShapeKind::Structure => Some(Role::Structure),
        ShapeKind::Union if !shape.traits.contains_key("smithy.api#streaming") => Some(Role::Union),
        ShapeKind::Enum | ShapeKind::IntEnum => Some(Role::Enum),
        ShapeKind::String if shape.traits.contains_key("smithy.api#enum") => Some(Role::LegacyEnum),
        _ => None,
    }
}

/// Decides every name of the crate generated for `service` with `operations`.
pub fn decide(model: &Model, service: &str, operations: &[String]) -> NameTable {
    let service_shape = model.shape(service);
    let renames = service_shape.map(|s| s.rename.clone()).unwrap_or_default();
    let service_errors: Vec<String> = service_shape
        .map(|s| s.errors.iter().map(|e| e.target.clone()).collect())
        .unwrap_or_default();
    let mut reach = BTreeSet::new();
    for id in operations.iter().chain(&service_errors) {
        reach.extend(model.reachable_from(id));
    }
    let mut d = Decider {
        notes: Diagnostics::default(),
    };

    // Types.
    let mut types = Scope::types();
    for r in RESERVED_TYPES {
        types.reserve(
            r,
            match *r {
                "Client" => "the service client",
                "Unhandled" => "the operation errors' variant for unmodelled errors",
                _ => "a Rust prelude name generated code uses",
            },
        );
    }
    let mut named: Vec<(String, bool, &String)> = reach
        .iter()
        .filter(|id| role(model, id).is_some())
        .map(|id| {
            let local = renames.get(id).map_or(local_name(id), String::as_str);
            let natural = type_name(local);
            let exact = natural == local;
            (natural, !exact, id)
        })
        .collect();
    named.sort();
    // Smithy requires shape names to be unique, ignoring case, in a service
    // closure (a service's `rename` resolves a conflict).
    let mut conflicts = Diagnostics::default();
    let mut by_name: BTreeMap<String, &String> = BTreeMap::new();
    for id in named.iter().map(|(_, _, id)| *id) {
        let local = renames.get(id).map_or(local_name(id), String::as_str);
        if let Some(first) = by_name.insert(local.to_lowercase(), id) {
            by_name.insert(local.to_lowercase(), first);
            conflicts.push(Diagnostic::shape(
                id,
                format!(
                    "has the same name as `{first}` in the closure of `{service}`, which Smithy forbids; give one of them another name with the service's `rename`"
                ),
            ));
        }
    }
    let mut type_names = BTreeMap::new();
    for (natural, _, id) in &named {
        let candidates = [natural.clone(), format!("{natural}Value")];
        let name = d.claim(&mut types, id, None, &candidates, "its Rust type");
        type_names.insert((*id).clone(), name);
    }
    let mut ops: Vec<(&String, String)> = operations
        .iter()
        .filter(|op| {
            model
                .shape(op)
                .is_some_and(|s| s.kind == crate::ast::ShapeKind::Operation)
        })
        .map(|op| (op, type_name(local_name(op))))
        .collect();
    ops.sort();
    for (op, base) in &ops {
        let shape = model.shape(op);
        for (suffix, target) in [
            ("Input", shape.and_then(|s| s.input.as_ref())),
            ("Output", shape.and_then(|s| s.output.as_ref())),
        ] {
            if target.is_none_or(|t| t.target == "smithy.api#Unit") {
                let id = format!("{op}${suffix}");
                let candidates = [
                    format!("{base}{suffix}"),
                    format!("{base}Operation{suffix}"),
                ];
                let name = d.claim(
                    &mut types,
                    op,
                    None,
                    &candidates,
                    &format!("its unit {}", suffix.to_lowercase()),
                );
                type_names.insert(id, name);
            }
        }
    }
    let mut op_names: BTreeMap<String, OperationNames> = BTreeMap::new();
    let mut claim_op = |d: &mut Decider, what: &str, suffix: &str| -> BTreeMap<String, String> {
        ops.iter()
            .map(|(op, base)| {
                let candidates = [
                    format!("{base}{suffix}"),
                    format!("{base}Operation{suffix}"),
                ];
                (
                    (*op).clone(),
                    d.claim(&mut types, op, None, &candidates, what),
                )
            })
            .collect()
    };
    let markers = claim_op(&mut d, "its operation type", "");
    let errors = claim_op(&mut d, "its error type", "Error");
    let fluent = claim_op(&mut d, "its request builder", "FluentBuilder");
    let mut builders = BTreeMap::new();
    let mut structures: Vec<(&String, &String)> = type_names
        .iter()
        .filter(|(id, _)| id.contains('$') || role(model, id) == Some(Role::Structure))
        .map(|(id, name)| (name, id))
        .collect();
    structures.sort();
    for (name, id) in &structures {
        let builder = d.claim(
            &mut types,
            id,
            None,
            &[format!("{name}Builder")],
            "its builder",
        );
        builders.insert((*id).clone(), builder);
    }

    // Client methods.
    let mut client = Scope::snake();
    for (op, _) in &ops {
        let natural = method(local_name(op));
        let name = d.claim(&mut client, op, None, &[natural], "its client method");
        op_names.insert(
            (*op).clone(),
            OperationNames {
                marker: markers[*op].clone(),
                method: name,
                error: errors[*op].clone(),
                fluent_builder: fluent[*op].clone(),
            },
        );
    }
    let mut client_helper = |natural: &str, other: &str| {
        d.claim(
            &mut client,
            service,
            None,
            &[natural.into(), other.into()],
            &format!("the client's `{natural}`"),
        )
    };
    let (new, config, endpoint) = (
        client_helper("new", "with_config"),
        client_helper("config", "client_config"),
        client_helper("endpoint", "client_endpoint"),
    );
    let context_params = model
        .shape(service)
        .and_then(|s| s.traits.get("smithy.rules#clientContextParams"))
        .and_then(|v| v.as_object())
        .into_iter()
        .flatten()
        .map(|(param, _)| {
            let natural = snake(param);
            let method = d.claim(
                &mut client,
                service,
                Some(param),
                &[format!("with_{natural}"), format!("with_{natural}_param")],
                &format!("the client's `with_{natural}`"),
            );
            (param.clone(), method)
        })
        .collect();
    let client_names = ClientMethods {
        new,
        config,
        endpoint,
        context_params,
    };

    // Members, variants and helper methods.
    // Operation input id → whether one of its operations is paginated.
    let mut inputs: BTreeMap<String, bool> = BTreeMap::new();
    for (op, _) in &ops {
        let shape = model.shape(op);
        let paginated = shape.is_some_and(|s| s.traits.contains_key("smithy.api#paginated"));
        let input = match shape.and_then(|s| s.input.as_ref()) {
            Some(r) if r.target != "smithy.api#Unit" => r.target.clone(),
            _ => format!("{op}$Input"),
        };
        *inputs.entry(input).or_default() |= paginated;
    }
    let mut members = BTreeMap::new();
    let mut helpers = BTreeMap::new();
    for id in type_names.keys() {
        let shape = model.shape(id);
        match role(model, id) {
            Some(Role::Structure) | None => {
                let names: Vec<String> = shape
                    .map(|s| s.members.iter().map(|(n, _)| n.clone()).collect())
                    .unwrap_or_default();
                let (m, h) = d.structure(id, &names, inputs.get(id).copied());
                members.insert(id.clone(), m);
                helpers.insert(id.clone(), h);
            }
            Some(Role::Union) | Some(Role::Enum) => {
                let names: Vec<String> = shape
                    .map(|s| s.members.iter().map(|(n, _)| n.clone()).collect())
                    .unwrap_or_default();
                let keyed: Vec<(String, String)> =
                    names.iter().map(|n| (n.clone(), n.clone())).collect();
                members.insert(id.clone(), d.variants(id, &keyed));
            }
            Some(Role::LegacyEnum) => {
                let values = shape
                    .and_then(|s| s.traits.get("smithy.api#enum"))
                    .and_then(|v| {
                        serde_json::from_value::<Vec<crate::traits::LegacyEnumValue>>(v.clone())
                            .ok()
                    })
                    .unwrap_or_default();
                let keyed: Vec<(String, String)> = values
                    .iter()
                    .map(|v| (v.value.clone(), legacy_variant_base(v)))
                    .collect();
                members.insert(id.clone(), d.variants(id, &keyed));
            }
        }
    }

    // Free functions.
    let mut defaults_scope = Scope::snake();
    let mut defaults = BTreeMap::new();
    for (name, id) in &structures {
        let Some(shape) = model.shape(id) else {
            continue;
        };
        for (member, m) in &shape.members {
            let has_default = m.traits.contains_key("smithy.api#default")
                || model
                    .shape(&m.target)
                    .is_some_and(|t| t.traits.contains_key("smithy.api#default"));
            if !has_default {
                continue;
            }
            let field = &members[*id][member].field;
            let natural = format!("{}_{}", snake(name), field.trim_end_matches('_'));
            let f = defaults_scope.claim(id, &[natural]).name;
            defaults.insert(((*id).clone(), member.clone()), f);
        }
    }
    let mut readers_scope = Scope::snake();
    let mut readers = BTreeMap::new();
    for (name, id) in &structures {
        if model
            .shape(id)
            .is_some_and(|s| s.traits.contains_key("smithy.api#error"))
        {
            let r = readers_scope
                .claim(id, &[format!("read_{}", snake(name))])
                .name;
            readers.insert((*id).clone(), r);
        }
    }

    NameTable {
        types: type_names,
        builders,
        operations: op_names,
        members,
        helpers,
        defaults,
        readers,
        client: client_names,
        notes: d.notes.sorted(),
        conflicts,
    }
}

/// The variant base name of a legacy `@enum` value: its `name`, else the value
/// with every character that cannot be in an identifier replaced by `_`.
pub fn legacy_variant_base(v: &crate::traits::LegacyEnumValue) -> String {
    v.name.clone().unwrap_or_else(|| {
        v.value
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { '_' })
            .collect()
    })
}

struct Decider {
    notes: Diagnostics,
}

impl Decider {
    /// Claims in `scope` and notes a rename.
    fn claim(
        &mut self,
        scope: &mut Scope,
        id: &str,
        member: Option<&str>,
        candidates: &[String],
        what: &str,
    ) -> String {
        let holder_id = match member {
            Some(m) => format!("{id}${m}"),
            None => id.to_string(),
        };
        let Claimed { name, displaced_by } = scope.claim(&holder_id, candidates);
        if let Some(holder) = displaced_by {
            let natural = &candidates[0];
            let holder = if holder == holder_id {
                "another of its names".to_string()
            } else if holder.contains('#') {
                format!("`{holder}`")
            } else {
                holder
            };
            self.notes.push(
                Diagnostic::at_member(
                    id,
                    member,
                    format!("{what} is `{name}`: `{natural}` is taken by {holder}"),
                )
                .note(),
            );
        }
        name
    }

    /// Fields, setters and helper methods of a structure. `input` is `None`
    /// for a structure that is no operation's input, else whether one of those
    /// operations is paginated.
    fn structure(
        &mut self,
        id: &str,
        members: &[String],
        input: Option<bool>,
    ) -> (BTreeMap<String, MemberNames>, Helpers) {
        let mut scope = Scope::snake();
        let mut fields = Vec::new();
        for m in members {
            let natural = method(m);
            let field = self.claim(&mut scope, id, Some(m), &[natural], "its field");
            fields.push((m, field));
        }
        let mut helper = |this: &mut Self, natural: &str, other: &str, on: bool| {
            if !on {
                return natural.to_string();
            }
            let what = format!("the builders' `{natural}`");
            this.claim(&mut scope, id, None, &[natural.into(), other.into()], &what)
        };
        let is_input = input.is_some();
        let helpers = Helpers {
            build: helper(self, "build", "try_build", true),
            build_unchecked: helper(self, "build_unchecked", "build_without_checks", true),
            send: helper(self, "send", "send_request", is_input),
            input: helper(self, "input", "as_input", is_input),
            with_input: helper(self, "with_input", "replace_input", is_input),
            into_paginator: helper(self, "into_paginator", "paginator", input == Some(true)),
        };
        let mut out = BTreeMap::new();
        for (m, field) in fields {
            let base = field.trim_end_matches('_');
            let candidates = [format!("set_{base}"), format!("set_{base}_option")];
            let clearer = self.claim(&mut scope, id, Some(m), &candidates, "its clearing setter");
            out.insert(
                m.clone(),
                MemberNames {
                    field,
                    clearer,
                    variant: variant(m),
                },
            );
        }
        (out, helpers)
    }

    /// Variants of a union or enum, keyed by member name (or legacy enum
    /// value), each with the identifier its variant name comes from.
    fn variants(
        &mut self,
        id: &str,
        members: &[(String, String)],
    ) -> BTreeMap<String, MemberNames> {
        let mut scope = Scope::types();
        for r in RESERVED_VARIANTS {
            scope.reserve(r, "a variant the generator adds");
        }
        let mut out = BTreeMap::new();
        for (key, base) in members {
            let natural = variant(base);
            let candidates = [natural.clone(), format!("{natural}Value")];
            let v = self.claim(&mut scope, id, Some(key), &candidates, "its variant");
            let mut names = natural_member(key);
            names.variant = v;
            out.insert(key.clone(), names);
        }
        out
    }
}
