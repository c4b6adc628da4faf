//! Parse stage, IDL in reverse: renders a JSON AST file of one namespace as
//! Smithy IDL 2.0, so a model kept as JSON AST has a readable twin that the
//! IDL reader loads back into the same model.

use crate::ast::{AstMember, AstModel, AstRef, AstShape};
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// Renders `model` (every shape in `namespace`) as an IDL file. Shape ids of
/// the namespace are written relative, prelude ids relative unless a shape
/// of the namespace has the same name, anything else absolute.
pub fn render(model: &AstModel, namespace: &str) -> String {
    let local: BTreeSet<&str> = model
        .shapes
        .keys()
        .filter_map(|id| id.strip_prefix(namespace)?.strip_prefix('#'))
        .collect();
    let w = Writer { namespace, local };
    let mut out = String::new();
    out.push_str("$version: \"2.0\"\n\n");
    for (key, value) in &model.metadata {
        let _ = writeln!(out, "metadata {} = {}", key_text(key), w.node(value, 0));
    }
    if !model.metadata.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(out, "namespace {namespace}");
    for (id, shape) in &model.shapes {
        let Some(name) = id.strip_prefix(namespace).and_then(|n| n.strip_prefix('#')) else {
            continue;
        };
        out.push('\n');
        if shape.kind == crate::ast::ShapeKind::Apply {
            for (trait_id, value) in &shape.traits {
                let _ = writeln!(out, "apply {name} {}", w.trait_text(trait_id, value, 0));
            }
            continue;
        }
        w.shape(&mut out, name, shape);
    }
    out
}

struct Writer<'a> {
    namespace: &'a str,
    local: BTreeSet<&'a str>,
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn key_text(key: &str) -> String {
    if is_identifier(key) {
        key.to_owned()
    } else {
        Value::String(key.to_owned()).to_string()
    }
}

impl Writer<'_> {
    /// A shape id as short as it can be written without changing meaning.
    fn id(&self, id: &str) -> String {
        let (shape, member) = match id.split_once('$') {
            Some((s, m)) => (s, Some(m)),
            None => (id, None),
        };
        let short = match shape.split_once('#') {
            Some((ns, name)) if ns == self.namespace => Some(name),
            Some(("smithy.api", name)) if !self.local.contains(name) => Some(name),
            _ => None,
        };
        let base = short.unwrap_or(shape);
        match member {
            Some(m) => format!("{base}${m}"),
            None => base.to_owned(),
        }
    }

    fn trait_id(&self, id: &str) -> String {
        match id.strip_prefix("smithy.api#") {
            Some(name) if !self.local.contains(name) => name.to_owned(),
            _ => self.id(id),
        }
    }

    /// `@id`, `@id(value)` or `@id(key: value, …)`.
    fn trait_text(&self, id: &str, value: &Value, indent: usize) -> String {
        let name = self.trait_id(id);
        match value {
            Value::Object(o) if o.is_empty() => format!("@{name}"),
            Value::Object(o) => {
                let pad = "    ".repeat(indent + 1);
                let body: Vec<String> = o
                    .iter()
                    .map(|(k, v)| format!("{pad}{}: {}", key_text(k), self.node(v, indent + 1)))
                    .collect();
                format!("@{name}(\n{}\n{})", body.join("\n"), "    ".repeat(indent))
            }
            other => format!("@{name}({})", self.node(other, indent)),
        }
    }

    /// A node value: strings always quoted (so none is read as a shape id).
    fn node(&self, value: &Value, indent: usize) -> String {
        let pad = "    ".repeat(indent + 1);
        let close = "    ".repeat(indent);
        match value {
            Value::Array(items) if items.is_empty() => "[]".into(),
            Value::Array(items) => {
                let body: Vec<String> = items
                    .iter()
                    .map(|v| format!("{pad}{}", self.node(v, indent + 1)))
                    .collect();
                format!("[\n{}\n{close}]", body.join("\n"))
            }
            Value::Object(o) if o.is_empty() => "{}".into(),
            Value::Object(o) => {
                let body: Vec<String> = o
                    .iter()
                    .map(|(k, v)| format!("{pad}{}: {}", key_text(k), self.node(v, indent + 1)))
                    .collect();
                format!("{{\n{}\n{close}}}", body.join("\n"))
            }
            other => other.to_string(),
        }
    }

    /// Documentation as `///` lines, then the other traits, one per line.
    fn traits(
        &self,
        out: &mut String,
        traits: &std::collections::BTreeMap<String, Value>,
        indent: usize,
    ) {
        let pad = "    ".repeat(indent);
        if let Some(Value::String(doc)) = traits.get("smithy.api#documentation") {
            for line in doc.split('\n') {
                let line = line.trim_end_matches('\r');
                if line.is_empty() {
                    let _ = writeln!(out, "{pad}///");
                } else {
                    let _ = writeln!(out, "{pad}/// {line}");
                }
            }
        }
        for (id, value) in traits {
            let skip = id == "smithy.api#documentation" && value.is_string();
            if !skip {
                let _ = writeln!(out, "{pad}{}", self.trait_text(id, value, indent));
            }
        }
    }

    fn refs(&self, refs: &[AstRef]) -> String {
        let ids: Vec<String> = refs.iter().map(|r| self.id(&r.target)).collect();
        format!("[{}]", ids.join(", "))
    }

    fn shape(&self, out: &mut String, name: &str, s: &AstShape) {
        self.traits(out, &s.traits, 0);
        let mixins = if s.mixins.is_empty() {
            String::new()
        } else {
            format!(" with {}", self.refs(&s.mixins))
        };
        let _ = write!(out, "{} {name}{mixins}", s.kind);
        match s.kind.as_str() {
            "structure" | "union" | "enum" | "intEnum" => {
                let members: Vec<(&str, &AstMember)> =
                    s.members.iter().map(|(n, m)| (n.as_str(), m)).collect();
                self.members(out, s.kind.as_str(), &members);
            }
            "list" | "set" => {
                let members: Vec<(&str, &AstMember)> =
                    s.member.iter().map(|m| ("member", m)).collect();
                self.members(out, s.kind.as_str(), &members);
            }
            "map" => {
                let members: Vec<(&str, &AstMember)> = s
                    .key
                    .iter()
                    .map(|m| ("key", m))
                    .chain(s.value.iter().map(|m| ("value", m)))
                    .collect();
                self.members(out, s.kind.as_str(), &members);
            }
            "operation" => {
                let mut body = Vec::new();
                if let Some(i) = &s.input {
                    body.push(format!("    input: {}", self.id(&i.target)));
                }
                if let Some(o) = &s.output {
                    body.push(format!("    output: {}", self.id(&o.target)));
                }
                if !s.errors.is_empty() {
                    body.push(format!("    errors: {}", self.refs(&s.errors)));
                }
                self.body(out, &body);
            }
            "service" | "resource" => {
                let mut body = Vec::new();
                if let Some(v) = &s.version {
                    body.push(format!("    version: {}", Value::String(v.clone())));
                }
                for (key, map) in [
                    ("identifiers", &s.identifiers),
                    ("properties", &s.properties),
                ] {
                    if !map.is_empty() {
                        let entries: Vec<String> = map
                            .iter()
                            .map(|(k, r)| {
                                format!("        {}: {}", key_text(k), self.id(&r.target))
                            })
                            .collect();
                        body.push(format!("    {key}: {{\n{}\n    }}", entries.join("\n")));
                    }
                }
                for (key, r) in s.lifecycle() {
                    if let Some(r) = r {
                        body.push(format!("    {key}: {}", self.id(&r.target)));
                    }
                }
                for (key, list) in [
                    ("operations", &s.operations),
                    ("collectionOperations", &s.collection_operations),
                    ("resources", &s.resources),
                    ("errors", &s.errors),
                ] {
                    if !list.is_empty() {
                        body.push(format!("    {key}: {}", self.refs(list)));
                    }
                }
                if !s.rename.is_empty() {
                    let entries: Vec<String> = s
                        .rename
                        .iter()
                        .map(|(k, v)| {
                            format!(
                                "        {}: {}",
                                Value::String(k.clone()),
                                Value::String(v.clone())
                            )
                        })
                        .collect();
                    body.push(format!("    rename: {{\n{}\n    }}", entries.join("\n")));
                }
                self.body(out, &body);
            }
            _ => out.push('\n'),
        }
    }

    fn body(&self, out: &mut String, lines: &[String]) {
        if lines.is_empty() {
            out.push_str(" {}\n");
        } else {
            let _ = writeln!(out, " {{\n{}\n}}", lines.join("\n"));
        }
    }

    fn members(&self, out: &mut String, kind: &str, members: &[(&str, &AstMember)]) {
        if members.is_empty() {
            out.push_str(" {}\n");
            return;
        }
        out.push_str(" {\n");
        for (i, (name, m)) in members.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            let mut traits = m.traits.clone();
            // `= value`: an enum member's value, a structure member's default.
            let assigned = match kind {
                "enum" | "intEnum" => traits.remove("smithy.api#enumValue"),
                "structure" | "union" => traits.remove("smithy.api#default"),
                _ => None,
            };
            self.traits(out, &traits, 1);
            let head = match kind {
                "enum" | "intEnum" => format!("    {name}"),
                _ => format!("    {name}: {}", self.id(&m.target)),
            };
            match assigned {
                Some(v) => {
                    let _ = writeln!(out, "{head} = {}", self.node(&v, 1));
                }
                None => {
                    let _ = writeln!(out, "{head}");
                }
            }
        }
        out.push_str("}\n");
    }
}
