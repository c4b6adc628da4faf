//! Validation stage: checks the merged model before anything is lowered, and
//! collects every problem instead of stopping at the first.
//!
//! This pass checks what holds for any model: shape kinds, references, trait
//! values, patterns and bounds. What depends on generating one service (name
//! collisions, unsupported features on reachable shapes, HTTP and paginator
//! checks) is found during lowering and reported in the same list.

use crate::ast::ShapeKind;
use crate::ast::{AstMember, AstShape};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::Model;
use crate::pattern;
use crate::traits::{self, Traits};

/// The simple shape types (IDL keywords and JSON AST `type` values).
pub(crate) const SIMPLE: &[&str] = &[
    "blob",
    "boolean",
    "string",
    "byte",
    "short",
    "integer",
    "long",
    "float",
    "double",
    "bigInteger",
    "bigDecimal",
    "timestamp",
    "document",
];

/// Checks the whole model.
pub fn validate(model: &Model) -> Diagnostics {
    let mut d = Diagnostics::default();
    for (id, shape) in &model.shapes {
        if id.starts_with("smithy.api#") {
            continue;
        }
        check_shape(model, id, shape, &mut d);
    }
    d
}

fn check_shape(model: &Model, id: &str, shape: &AstShape, d: &mut Diagnostics) {
    let kind = shape.kind.as_str();
    if let crate::ast::ShapeKind::Unknown(kind) = &shape.kind {
        d.push(Diagnostic::shape(
            id,
            format!("has unknown shape type `{kind}`"),
        ));
        return;
    }
    let traits = check_traits(id, None, &shape.traits, d);
    check_constraints(model, id, None, &shape.kind, &traits, d);

    let target_exists = |t: &str| model.shapes.contains_key(t);
    let check_ref = |what: &str, target: &str, d: &mut Diagnostics| {
        if !target_exists(target) {
            d.push(Diagnostic::shape(
                id,
                format!("{what} targets `{target}`, which is not defined"),
            ));
        }
    };
    for m in &shape.mixins {
        check_ref("mixin", &m.target, d);
    }
    let mut members: Vec<(&str, &AstMember)> =
        shape.members.iter().map(|(n, m)| (n.as_str(), m)).collect();
    match &shape.kind {
        ShapeKind::List | ShapeKind::Set => match &shape.member {
            Some(m) => members.push(("member", m)),
            None => d.push(Diagnostic::shape(
                id,
                format!("is a {kind} without a `member`"),
            )),
        },
        ShapeKind::Map => {
            for (name, m) in [("key", &shape.key), ("value", &shape.value)] {
                match m {
                    Some(m) => members.push((name, m)),
                    None => d.push(Diagnostic::shape(
                        id,
                        format!("is a map without a `{name}`"),
                    )),
                }
            }
        }
        ShapeKind::Operation => {
            for (what, r) in [("input", &shape.input), ("output", &shape.output)] {
                if let Some(r) = r {
                    check_ref(what, &r.target, d);
                }
            }
            for e in &shape.errors {
                check_ref("errors", &e.target, d);
            }
        }
        ShapeKind::Service | ShapeKind::Resource => {
            for r in shape
                .operations
                .iter()
                .chain(&shape.resources)
                .chain(&shape.errors)
                .chain(&shape.collection_operations)
            {
                check_ref("a reference", &r.target, d);
            }
            for r in [
                &shape.create,
                &shape.put,
                &shape.read,
                &shape.update,
                &shape.delete,
                &shape.list,
            ]
            .into_iter()
            .flatten()
            {
                check_ref("a lifecycle operation", &r.target, d);
            }
            for r in shape.identifiers.values().chain(shape.properties.values()) {
                check_ref("an identifier or property", &r.target, d);
            }
        }
        _ => {}
    }
    if !shape.members.is_empty()
        && !matches!(
            shape.kind,
            ShapeKind::Structure | ShapeKind::Union | ShapeKind::Enum | ShapeKind::IntEnum
        )
    {
        d.push(Diagnostic::shape(
            id,
            format!("is a {kind} and cannot have `members`"),
        ));
    }

    for (name, member) in members {
        let mt = check_traits(id, Some(name), &member.traits, d);
        let Some(target) = model.shapes.get(&member.target) else {
            d.push(Diagnostic::member(
                id,
                name,
                format!("targets `{}`, which is not defined", member.target),
            ));
            continue;
        };
        match &shape.kind {
            ShapeKind::Enum | ShapeKind::IntEnum => {
                if member.target != "smithy.api#Unit" {
                    d.push(Diagnostic::member(
                        id,
                        name,
                        "an enum member must target smithy.api#Unit",
                    ));
                }
                match (kind, &mt.enum_value) {
                    ("enum", Some(v)) if !v.is_string() => d.push(Diagnostic::member(
                        id,
                        name,
                        "enumValue of an enum must be a string",
                    )),
                    ("intEnum", None) => d.push(Diagnostic::member(
                        id,
                        name,
                        "an intEnum member needs an integer enumValue",
                    )),
                    ("intEnum", Some(v))
                        if v.as_i64().and_then(|v| i32::try_from(v).ok()).is_none() =>
                    {
                        d.push(Diagnostic::member(
                            id,
                            name,
                            "enumValue of an intEnum must be a 32-bit integer",
                        ))
                    }
                    _ => {}
                }
                continue;
            }
            _ => {}
        }
        if target.kind.is_service_shape() {
            d.push(Diagnostic::member(
                id,
                name,
                format!(
                    "targets the {} `{}`, which is not a value shape",
                    target.kind, member.target
                ),
            ));
            continue;
        }
        if shape.kind == ShapeKind::Map
            && name == "key"
            && target.kind != crate::ast::ShapeKind::String
            && target.kind != crate::ast::ShapeKind::Enum
        {
            d.push(Diagnostic::member(
                id,
                name,
                format!(
                    "a map key must target a string or enum, not a {}",
                    target.kind
                ),
            ));
        }
        check_constraints(model, id, Some(name), &target.kind, &mt, d);
    }
}

fn check_traits(
    id: &str,
    member: Option<&str>,
    raw: &std::collections::BTreeMap<String, serde_json::Value>,
    d: &mut Diagnostics,
) -> Traits {
    let (t, errors) = traits::parse(raw);
    for (trait_id, reason) in errors {
        d.push(Diagnostic::at_member(
            id,
            member,
            format!("trait `{trait_id}` {reason}"),
        ));
    }
    t
}

/// Checks that constraint traits fit the shape type and have sane values.
fn check_constraints(
    _model: &Model,
    id: &str,
    member: Option<&str>,
    kind: &ShapeKind,
    t: &Traits,
    d: &mut Diagnostics,
) {
    let diag = |reason: String| Diagnostic::at_member(id, member, reason);
    if let Some(len) = &t.length {
        // An enum is a string with a fixed set of values; its length and
        // pattern constrain the value (AWS models put them there).
        if !matches!(
            kind,
            ShapeKind::String
                | ShapeKind::Enum
                | ShapeKind::Blob
                | ShapeKind::List
                | ShapeKind::Set
                | ShapeKind::Map
        ) {
            d.push(diag(format!(
                "`smithy.api#length` does not apply to a {kind}"
            )));
        }
        let as_u64 = |n: &Option<serde_json::Number>| n.as_ref().map(|n| n.as_u64());
        if matches!(as_u64(&len.min), Some(None)) || matches!(as_u64(&len.max), Some(None)) {
            d.push(diag(
                "`smithy.api#length` bounds must be non-negative integers".into(),
            ));
        }
        if len.min.is_none() && len.max.is_none() {
            d.push(diag("`smithy.api#length` needs `min` or `max`".into()));
        }
        if let (Some(Some(min)), Some(Some(max))) = (as_u64(&len.min), as_u64(&len.max)) {
            if min > max {
                d.push(diag(format!(
                    "`smithy.api#length` min {min} is greater than max {max}"
                )));
            }
        }
    }
    if let Some(range) = &t.range {
        if !matches!(
            kind,
            ShapeKind::Byte
                | ShapeKind::Short
                | ShapeKind::Integer
                | ShapeKind::Long
                | ShapeKind::Float
                | ShapeKind::Double
                | ShapeKind::BigInteger
                | ShapeKind::BigDecimal
                | ShapeKind::IntEnum
        ) {
            d.push(diag(format!(
                "`smithy.api#range` does not apply to a {kind}"
            )));
        }
        if range.min.is_none() && range.max.is_none() {
            d.push(diag("`smithy.api#range` needs `min` or `max`".into()));
        }
        if let (Some(min), Some(max)) = (&range.min, &range.max) {
            if min.as_f64() > max.as_f64() {
                d.push(diag(format!(
                    "`smithy.api#range` min {min} is greater than max {max}"
                )));
            }
        }
    }
    if let Some(p) = &t.pattern {
        if *kind != ShapeKind::String && *kind != ShapeKind::Enum {
            d.push(diag(format!(
                "`smithy.api#pattern` does not apply to a {kind}"
            )));
        }
        if let Err(e) = pattern::normalize(p) {
            d.push(diag(format!(
                "`smithy.api#pattern` {p:?} is not a valid ECMA-262 regular expression {e}"
            )));
        }
    }
    if t.unique_items && !matches!(kind, ShapeKind::List | ShapeKind::Set) {
        d.push(diag(format!(
            "`smithy.api#uniqueItems` does not apply to a {kind}"
        )));
    }
}
