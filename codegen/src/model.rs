//! Parse stage, continued: merges several JSON AST files and the Smithy prelude into
//! one model keyed by absolute shape id.
//!
//! Merging happens before validation so that every later stage sees a single model,
//! whatever number of files it came from. `apply` statements are folded into their
//! targets here.

use crate::ast::ShapeKind;
use crate::ast::{AstMember, AstModel, AstRef, AstShape};
use crate::diagnostics::{Diagnostic, Diagnostics};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The merged model. Shapes are sorted by id, so every iteration is deterministic.
#[derive(Debug, Default)]
pub struct Model {
    pub shapes: BTreeMap<String, AstShape>,
}

impl Model {
    /// Looks up a shape by absolute id.
    pub fn shape(&self, id: &str) -> Option<&AstShape> {
        self.shapes.get(id)
    }

    /// The id of the model's service, when it has exactly one.
    pub fn only_service(&self) -> Option<String> {
        let mut services = self
            .shapes
            .iter()
            .filter(|(_, s)| s.kind == crate::ast::ShapeKind::Service);
        match (services.next(), services.next()) {
            (Some((id, _)), None) => Some(id.clone()),
            _ => None,
        }
    }

    /// Every operation bound to `service`, directly or through its resources.
    pub fn operations_of(&self, service: &str) -> Vec<String> {
        let mut out = std::collections::BTreeSet::new();
        let mut stack = vec![service.to_string()];
        let mut seen = std::collections::BTreeSet::new();
        while let Some(id) = stack.pop() {
            if !seen.insert(id.clone()) {
                continue;
            }
            let Some(s) = self.shape(&id) else { continue };
            let lifecycle = [&s.create, &s.put, &s.read, &s.update, &s.delete, &s.list];
            for r in s
                .operations
                .iter()
                .chain(&s.collection_operations)
                .chain(lifecycle.into_iter().flatten())
            {
                out.insert(r.target.clone());
            }
            stack.extend(s.resources.iter().map(|r| r.target.clone()));
        }
        out.into_iter().collect()
    }

    /// Every shape id an operation reaches through its input, output, errors
    /// and their members, including the operation itself.
    pub fn reachable_from(&self, op: &str) -> std::collections::BTreeSet<String> {
        let mut seen = std::collections::BTreeSet::new();
        let mut stack = vec![op.to_string()];
        while let Some(id) = stack.pop() {
            if !seen.insert(id.clone()) {
                continue;
            }
            let Some(s) = self.shape(&id) else { continue };
            let refs = s
                .input
                .iter()
                .chain(&s.output)
                .chain(&s.errors)
                .map(|r| &r.target);
            let members = s
                .members
                .iter()
                .map(|(_, m)| m)
                .chain(&s.member)
                .chain(&s.key)
                .chain(&s.value)
                .map(|m| &m.target);
            stack.extend(refs.chain(members).cloned());
        }
        seen
    }
}

/// Splits `ns#Name` into its two halves.
pub fn split_id(id: &str) -> Option<(&str, &str)> {
    let (ns, name) = id.split_once('#')?;
    let valid_part = |s: &str| {
        !s.is_empty()
            && s.split('.').all(|p| {
                let mut c = p.chars();
                matches!(c.next(), Some(ch) if ch.is_ascii_alphabetic() || ch == '_')
                    && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
            })
    };
    (valid_part(ns) && valid_part(name) && !name.contains('.')).then_some((ns, name))
}

/// The name part of a shape id (`Name` in `ns#Name`).
pub fn local_name(id: &str) -> &str {
    id.rsplit_once('#').map_or(id, |(_, n)| n)
}

/// Builds one model from parsed files (each with the name it was read from, for
/// error messages) plus the prelude. Conflicting definitions are reported, not
/// resolved silently.
pub fn merge(files: Vec<(String, AstModel)>) -> Result<Model, Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut model = Model { shapes: prelude() };
    let mut applies: Vec<(String, String, BTreeMap<String, Value>)> = Vec::new();
    for (file, ast) in files {
        if !matches!(ast.smithy.as_str(), "2.0" | "2" | "1.0" | "1") {
            diags.push(Diagnostic::model(
                &file,
                format!(
                    "unsupported Smithy IDL version `{}` (expected 2.0)",
                    ast.smithy
                ),
            ));
        }
        for (id, shape) in ast.shapes {
            // `apply` may name a member: `ns#Shape$member`.
            let shape_part = match shape.kind {
                ShapeKind::Apply => id.split('$').next().unwrap_or_default(),
                _ => id.as_str(),
            };
            if split_id(shape_part).is_none() {
                diags.push(Diagnostic::shape(
                    &id,
                    "is not an absolute shape id of the form `namespace#Name`",
                ));
                continue;
            }
            if shape.kind == crate::ast::ShapeKind::Apply {
                applies.push((file.clone(), id, shape.traits));
                continue;
            }
            match model.shapes.get(&id) {
                Some(existing) if *existing == shape => {}
                Some(_) if id.starts_with("smithy.api#") => diags.push(Diagnostic::shape(
                    &id,
                    format!("redefines a prelude shape (in {file})"),
                )),
                Some(_) => diags.push(Diagnostic::shape(
                    &id,
                    format!(
                        "is defined twice with different content (second definition in {file})"
                    ),
                )),
                None => {
                    model.shapes.insert(id, shape);
                }
            }
        }
    }
    // A member a shape only inherits from a mixin exists once mixins are
    // flattened: such applies wait until then (and make the member the
    // shape's own, as Smithy does).
    let mut inherited = Vec::new();
    for (file, id, traits) in applies {
        let (shape_id, member) = match id.split_once('$') {
            Some((s, m)) => (s.to_string(), Some(m.to_string())),
            None => (id.clone(), None),
        };
        let Some(shape) = model.shapes.get_mut(&shape_id) else {
            diags.push(Diagnostic::shape(
                &id,
                format!("`apply` in {file} targets a shape that does not exist"),
            ));
            continue;
        };
        let has_mixins = !shape.mixins.is_empty();
        let target: Option<&mut BTreeMap<String, Value>> = match &member {
            None => Some(&mut shape.traits),
            Some(m) => member_mut(shape, m).map(|mem| &mut mem.traits),
        };
        match target {
            Some(t) => t.extend(traits),
            None if has_mixins => inherited.push((file, id, shape_id, member, traits)),
            None => diags.push(Diagnostic::shape(
                &id,
                format!("`apply` in {file} targets a member that does not exist"),
            )),
        }
    }
    for (id, shape) in &model.shapes {
        if !shape.traits.contains_key("smithy.api#mixin") {
            continue;
        }
        let unit = |r: &Option<AstRef>| r.as_ref().is_none_or(|r| r.target == "smithy.api#Unit");
        if shape.kind == crate::ast::ShapeKind::Operation
            && !(unit(&shape.input) && unit(&shape.output))
        {
            diags.push(Diagnostic::shape(
                id,
                "is an operation mixin, so its input and output must be `smithy.api#Unit`",
            ));
        }
        if shape.kind == crate::ast::ShapeKind::Resource
            && !(shape.identifiers.is_empty() && shape.properties.is_empty())
        {
            diags.push(Diagnostic::shape(
                id,
                "is a resource mixin, which may not define identifiers or properties",
            ));
        }
    }
    flatten_mixins(&mut model, &mut diags);
    for (file, id, shape_id, member, traits) in inherited {
        let member = member.unwrap_or_default();
        match model
            .shapes
            .get_mut(&shape_id)
            .and_then(|shape| member_mut(shape, &member))
        {
            Some(m) => m.traits.extend(traits),
            None => diags.push(Diagnostic::shape(
                &id,
                format!("`apply` in {file} targets a member that does not exist"),
            )),
        }
    }
    type_traits(&mut model);
    diags.into_result(model)
}

/// Parses every shape's and member's traits once into their typed form.
/// A value of the wrong shape leaves that trait absent here; validation
/// reports it.
fn type_traits(model: &mut Model) {
    for shape in model.shapes.values_mut() {
        shape.typed = crate::traits::parse(&shape.traits).0;
        let members = shape
            .members
            .iter_mut()
            .map(|(_, m)| m)
            .chain(shape.member.as_mut())
            .chain(shape.key.as_mut())
            .chain(shape.value.as_mut());
        for m in members {
            m.typed = crate::traits::parse(&m.traits).0;
        }
    }
}

/// Copies mixin members and traits into the shapes that use them, so later stages
/// never see a mixin. A member redeclared locally keeps the mixin's position and
/// adds its own traits; the mixin's `localTraits` stay with the mixin.
fn flatten_mixins(model: &mut Model, diags: &mut Diagnostics) {
    let ids: Vec<String> = model
        .shapes
        .iter()
        .filter(|(_, s)| !s.mixins.is_empty())
        .map(|(id, _)| id.clone())
        .collect();
    for id in ids {
        let mut stack = Vec::new();
        if let Some(flat) = flattened(model, &id, &mut stack, diags) {
            model.shapes.insert(id, flat);
        }
    }
}

fn flattened(
    model: &Model,
    id: &str,
    stack: &mut Vec<String>,
    diags: &mut Diagnostics,
) -> Option<AstShape> {
    let shape = model.shapes.get(id)?;
    if stack.iter().any(|s| s == id) {
        diags.push(Diagnostic::shape(id, "is part of a cycle of mixins"));
        return None;
    }
    if shape.mixins.is_empty() {
        return Some(shape.clone());
    }
    stack.push(id.to_string());
    let mut members: Vec<(String, AstMember)> = Vec::new();
    let mut traits = BTreeMap::new();
    let mut out = shape.clone();
    for mixin in &shape.mixins {
        let Some(m) = flattened(model, &mixin.target, stack, diags) else {
            continue;
        };
        if !m.traits.contains_key("smithy.api#mixin") {
            diags.push(Diagnostic::shape(
                id,
                format!(
                    "uses `{}` as a mixin, but it has no smithy.api#mixin trait",
                    mixin.target
                ),
            ));
        }
        if m.kind != shape.kind {
            diags.push(Diagnostic::shape(
                id,
                format!(
                    "is a {} but uses the {} `{}` as a mixin; mixins must be of the same type",
                    shape.kind, m.kind, mixin.target
                ),
            ));
        }
        // A member two mixins both give must have one target.
        for (name, member) in &m.members {
            if let Some((_, other)) = members.iter().find(|(n, _)| n == name) {
                if other.target != member.target {
                    diags.push(Diagnostic::member(
                        id,
                        name,
                        format!(
                            "conflicts with an inherited mixin member: `{}` from `{}` is not `{}`",
                            member.target, mixin.target, other.target
                        ),
                    ));
                }
            }
        }
        let local: Vec<String> = m
            .traits
            .get("smithy.api#mixin")
            .and_then(|v| v.get("localTraits"))
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default();
        for (k, v) in &m.traits {
            if k != "smithy.api#mixin" && !local.contains(k) {
                traits.insert(k.clone(), v.clone());
            }
        }
        for (name, member) in m.members {
            if !members.iter().any(|(n, _)| *n == name) {
                members.push((name, member));
            }
        }
        // A list's member, a map's key and value, an operation's input,
        // output and errors come from the mixin unless the shape has its own
        // (a member redeclared keeps the mixin's traits under its own).
        for (own, inherited) in [
            (&mut out.member, m.member),
            (&mut out.key, m.key),
            (&mut out.value, m.value),
        ] {
            match (own.as_mut(), inherited) {
                (None, Some(i)) => *own = Some(i),
                (Some(o), Some(i)) => {
                    let mut t = i.traits;
                    t.extend(std::mem::take(&mut o.traits));
                    o.traits = t;
                }
                _ => {}
            }
        }
        if out.input.is_none() {
            out.input = m.input;
        }
        if out.output.is_none() {
            out.output = m.output;
        }
        for e in m.errors {
            if !out.errors.contains(&e) {
                out.errors.push(e);
            }
        }
    }
    stack.pop();
    for (name, member) in &shape.members {
        match members.iter_mut().find(|(n, _)| n == name) {
            Some((_, inherited)) if inherited.target != member.target => {
                diags.push(Diagnostic::member(
                    id,
                    name,
                    format!(
                        "conflicts with an inherited mixin member: it targets `{}`, the mixin's targets `{}`",
                        member.target, inherited.target
                    ),
                ));
            }
            Some((_, inherited)) => inherited.traits.extend(member.traits.clone()),
            None => members.push((name.clone(), member.clone())),
        }
    }
    traits.extend(shape.traits.clone());
    out.members = members;
    out.traits = traits;
    out.mixins = Vec::new();
    Some(out)
}

fn member_mut<'a>(shape: &'a mut AstShape, name: &str) -> Option<&'a mut AstMember> {
    if let Some((_, m)) = shape.members.iter_mut().find(|(n, _)| n == name) {
        return Some(m);
    }
    match name {
        "member" => shape.member.as_mut(),
        "key" => shape.key.as_mut(),
        "value" => shape.value.as_mut(),
        _ => None,
    }
}

/// The Smithy 2.0 prelude shapes that models may target without defining them.
fn prelude() -> BTreeMap<String, AstShape> {
    let simple: &[(&str, &str, Option<Value>)] = &[
        ("String", "string", None),
        ("Blob", "blob", None),
        ("BigInteger", "bigInteger", None),
        ("BigDecimal", "bigDecimal", None),
        ("Timestamp", "timestamp", None),
        ("Document", "document", None),
        ("Boolean", "boolean", None),
        ("PrimitiveBoolean", "boolean", Some(json!(false))),
        ("Byte", "byte", None),
        ("PrimitiveByte", "byte", Some(json!(0))),
        ("Short", "short", None),
        ("PrimitiveShort", "short", Some(json!(0))),
        ("Integer", "integer", None),
        ("PrimitiveInteger", "integer", Some(json!(0))),
        ("Long", "long", None),
        ("PrimitiveLong", "long", Some(json!(0))),
        ("Float", "float", None),
        ("PrimitiveFloat", "float", Some(json!(0))),
        ("Double", "double", None),
        ("PrimitiveDouble", "double", Some(json!(0))),
    ];
    let mut out = BTreeMap::new();
    for (name, kind, default) in simple {
        let mut shape = empty_shape(kind);
        if let Some(d) = default {
            shape.traits.insert("smithy.api#default".into(), d.clone());
        }
        out.insert(format!("smithy.api#{name}"), shape);
    }
    let mut unit = empty_shape("structure");
    unit.traits.insert("smithy.api#unitType".into(), json!({}));
    out.insert("smithy.api#Unit".into(), unit);
    out
}

/// A shape of `kind` with nothing else set.
pub(crate) fn empty_shape(kind: &str) -> AstShape {
    AstShape {
        kind: crate::ast::ShapeKind::parse(kind),
        traits: BTreeMap::new(),
        typed: Default::default(),
        mixins: Vec::new(),
        members: Vec::new(),
        member: None,
        key: None,
        value: None,
        version: None,
        operations: Vec::new(),
        resources: Vec::new(),
        errors: Vec::new(),
        rename: BTreeMap::new(),
        input: None,
        output: None,
        identifiers: BTreeMap::new(),
        properties: BTreeMap::new(),
        create: None,
        put: None,
        read: None,
        update: None,
        delete: None,
        list: None,
        collection_operations: Vec::new(),
    }
}

impl Model {
    /// The model as a JSON AST document: every shape but the prelude's, with
    /// keys sorted, fields that are empty left out. The form `cargo xtask ast`
    /// prints and the IDL loader tests compare.
    pub fn to_json(&self) -> Value {
        let prelude = prelude();
        let shapes: serde_json::Map<String, Value> = self
            .shapes
            .iter()
            .filter(|(id, _)| !prelude.contains_key(*id))
            .map(|(id, s)| (id.clone(), shape_json(s)))
            .collect();
        json!({ "smithy": "2.0", "shapes": shapes })
    }
}

fn shape_json(s: &AstShape) -> Value {
    let mut o = serde_json::Map::new();
    o.insert("type".into(), json!(s.kind.as_str()));
    let target = |r: &AstRef| json!({ "target": r.target });
    let member = |m: &AstMember| {
        let mut v = json!({ "target": m.target });
        if !m.traits.is_empty() {
            v["traits"] = json!(m.traits);
        }
        v
    };
    let refs = |list: &[AstRef]| Value::Array(list.iter().map(target).collect());
    if !s.mixins.is_empty() {
        o.insert("mixins".into(), refs(&s.mixins));
    }
    if !s.members.is_empty() {
        let members: serde_json::Map<String, Value> = s
            .members
            .iter()
            .map(|(n, m)| (n.clone(), member(m)))
            .collect();
        o.insert("members".into(), Value::Object(members));
    }
    for (key, m) in [("member", &s.member), ("key", &s.key), ("value", &s.value)] {
        if let Some(m) = m {
            o.insert(key.into(), member(m));
        }
    }
    if let Some(v) = &s.version {
        o.insert("version".into(), json!(v));
    }
    for (key, list) in [
        ("operations", &s.operations),
        ("resources", &s.resources),
        ("errors", &s.errors),
        ("collectionOperations", &s.collection_operations),
    ] {
        if !list.is_empty() {
            o.insert(key.into(), refs(list));
        }
    }
    if !s.rename.is_empty() {
        o.insert("rename".into(), json!(s.rename));
    }
    for (key, map) in [
        ("identifiers", &s.identifiers),
        ("properties", &s.properties),
    ] {
        if !map.is_empty() {
            let m: serde_json::Map<String, Value> =
                map.iter().map(|(k, r)| (k.clone(), target(r))).collect();
            o.insert(key.into(), Value::Object(m));
        }
    }
    for (key, r) in [("input", &s.input), ("output", &s.output)]
        .into_iter()
        .chain(s.lifecycle())
    {
        if let Some(r) = r {
            o.insert(key.into(), target(r));
        }
    }
    if !s.traits.is_empty() {
        o.insert("traits".into(), json!(s.traits));
    }
    Value::Object(o)
}

impl Model {
    /// [`Model::to_json`] as pretty-printed text, with every structure's
    /// members in model order (JSON objects are otherwise sorted by key).
    pub fn to_json_text(&self) -> String {
        let prelude = prelude();
        let mut out = String::from("{\n  \"smithy\": \"2.0\",\n  \"shapes\": {");
        let mut first = true;
        for (id, shape) in self
            .shapes
            .iter()
            .filter(|(id, _)| !prelude.contains_key(*id))
        {
            out.push_str(if first { "\n" } else { ",\n" });
            first = false;
            let Value::Object(fields) = shape_json(shape) else {
                continue;
            };
            out.push_str(&format!("    {}: {{", json!(id)));
            let mut first_field = true;
            for (key, value) in &fields {
                out.push_str(if first_field { "\n" } else { ",\n" });
                first_field = false;
                out.push_str(&format!("      {}: ", json!(key)));
                match (key.as_str(), value) {
                    ("members", Value::Object(members)) => {
                        out.push('{');
                        let mut first_member = true;
                        for (name, _) in &shape.members {
                            if let Some(m) = members.get(name) {
                                out.push_str(if first_member { "\n" } else { ",\n" });
                                first_member = false;
                                out.push_str(&format!(
                                    "        {}: {}",
                                    json!(name),
                                    indented(m, 8)
                                ));
                            }
                        }
                        out.push_str("\n      }");
                    }
                    _ => out.push_str(&indented(value, 6)),
                }
            }
            out.push_str("\n    }");
        }
        out.push_str("\n  }\n}\n");
        out
    }
}

/// Pretty JSON whose continuation lines are indented by `by` spaces.
fn indented(value: &Value, by: usize) -> String {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    let pad = " ".repeat(by);
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l.to_owned()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
