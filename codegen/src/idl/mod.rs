//! Parse stage, IDL: reads Smithy IDL files into the same JSON AST model the
//! JSON loader reads, so everything after parsing is shared.
//!
//! Two steps: [`parser`] reads each file into statements with shape ids as
//! written; [`to_ast`] resolves every relative shape id (a `use`, then a shape
//! of the file's namespace defined in any file of the model, then the
//! prelude, then the namespace) and fills elided members (`$id`) from mixins
//! and the resource named by `for`.

pub mod parser;
pub mod write;

use crate::ast::{AstMember, AstModel, AstRef, AstShape};
use crate::diagnostics::{Diagnostic, Diagnostics};
use parser::{Body, File, Io, Member, Node, Ref, Shape, Span, SyntaxError, Trait};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The prelude's shapes (Smithy 1.73.0's `prelude.smithy`): the types and
/// the `smithy.api` traits a relative id can name.
const PRELUDE: &[&str] = &[
    "AuthTraitReference",
    "BigDecimal",
    "BigInteger",
    "Blob",
    "Boolean",
    "Byte",
    "ClosureId",
    "CommonMark",
    "Document",
    "Double",
    "EnumConstantBodyName",
    "EnumDefinition",
    "Example",
    "ExampleError",
    "Float",
    "HttpApiKeyLocations",
    "IdempotentErrors",
    "Identifier",
    "Integer",
    "LocalMixinTrait",
    "LocalMixinTraitList",
    "Long",
    "Namespaces",
    "NonEmptyString",
    "NonEmptyStringList",
    "NonEmptyStringMap",
    "PrimitiveBoolean",
    "PrimitiveByte",
    "PrimitiveDouble",
    "PrimitiveFloat",
    "PrimitiveInteger",
    "PrimitiveLong",
    "PrimitiveShort",
    "Reference",
    "Renames",
    "RequestCompressionEncodingsList",
    "Severity",
    "ShapeClosure",
    "ShapeClosures",
    "Short",
    "String",
    "StructurallyExclusive",
    "Timestamp",
    "TraitChangeType",
    "TraitDiffRule",
    "TraitDiffRules",
    "TraitShapeId",
    "TraitShapeIdList",
    "TraitValidator",
    "Unit",
    "addedDefault",
    "auth",
    "authDefinition",
    "box",
    "clientOptional",
    "cors",
    "default",
    "deprecated",
    "documentation",
    "endpoint",
    "enum",
    "enumValue",
    "error",
    "eventHeader",
    "eventPayload",
    "examples",
    "externalDocumentation",
    "hostLabel",
    "http",
    "httpApiKeyAuth",
    "httpBasicAuth",
    "httpBearerAuth",
    "httpChecksumRequired",
    "httpDigestAuth",
    "httpError",
    "httpHeader",
    "httpLabel",
    "httpPayload",
    "httpPrefixHeaders",
    "httpQuery",
    "httpQueryParams",
    "httpResponseCode",
    "idRef",
    "idempotencyToken",
    "idempotent",
    "input",
    "internal",
    "jsonName",
    "length",
    "longPoll",
    "mediaType",
    "metadata",
    "mixin",
    "nestedProperties",
    "noReplace",
    "notProperty",
    "optionalAuth",
    "output",
    "paginated",
    "pattern",
    "private",
    "property",
    "protocolDefinition",
    "range",
    "readonly",
    "recommended",
    "references",
    "requestCompression",
    "required",
    "requiresLength",
    "resourceIdentifier",
    "retryable",
    "sensitive",
    "since",
    "sparse",
    "streaming",
    "suppress",
    "tags",
    "timestampFormat",
    "title",
    "trait",
    "traitValidators",
    "uniqueItems",
    "unitType",
    "unstable",
    "xmlAttribute",
    "xmlFlattened",
    "xmlName",
    "xmlNamespace",
];

/// A parsed IDL file, with its name and text for messages.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub name: String,
    pub text: String,
    pub file: File,
}

/// Renders an error at `span` of a file: the file, line and column, the
/// line with a caret under the span, and the message.
///
/// Only the error's line is handed to the renderer, cut to a window around
/// the span and with control characters shown as `?`: any input must render
/// (the renderer's layout of very long or odd lines can fail).
pub fn render(name: &str, text: &str, span: Span, message: &str) -> String {
    use annotate_snippets::{Level, Renderer, Snippet};
    let start = floor_char(text, span.start.min(text.len()));
    let end = floor_char(text, span.end.clamp(start, text.len()));
    let (line, column) = line_column(text, start);
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let chars: Vec<char> = text[line_start..line_end].chars().collect();
    // Character positions of the span within its line.
    let from = text[line_start..start].chars().count();
    let to = (from + text[start..end.min(line_end)].chars().count()).max(from + 1);
    const WINDOW: usize = 100;
    let window_start = from.saturating_sub(WINDOW / 2);
    let window_end = (window_start + WINDOW)
        .max(to.min(window_start + WINDOW))
        .min(chars.len());
    let mut shown: String = chars[window_start.min(chars.len())..window_end]
        .iter()
        .map(|c| if c.is_control() { '?' } else { *c })
        .collect();
    let mut offset = from - window_start.min(from);
    if window_start > 0 {
        shown.insert(0, '…');
        offset += 1;
    }
    if window_end < chars.len() {
        shown.push('…');
    }
    let shown_len = shown.chars().count();
    let caret_len = (to - from).min(shown_len.saturating_sub(offset)).max(1);
    // Byte positions in `shown` for the renderer.
    let byte_at = |n: usize| shown.char_indices().nth(n).map_or(shown.len(), |(i, _)| i);
    let (a, b) = (byte_at(offset), byte_at(offset + caret_len));
    let title = format!("{message} (at {name}:{line}:{column})");
    let snippet = Snippet::source(&shown).origin(name).line_start(line);
    let snippet = if a < b {
        snippet.annotation(Level::Error.span(a..b))
    } else {
        snippet
    };
    let message = Level::Error.title(&title).snippet(snippet);
    let rendered = Renderer::plain().render(message).to_string();
    // The diagnostic already says "error:".
    rendered
        .strip_prefix("error: ")
        .unwrap_or(&rendered)
        .to_owned()
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The 1-based line and column of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..floor_char(text, offset.min(text.len()))];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Parses one IDL file; syntax errors are rendered with their place.
pub fn parse_file(name: &str, text: &str) -> Result<Parsed, Diagnostics> {
    match parser::parse(text) {
        Ok(file) => Ok(Parsed {
            name: name.to_owned(),
            text: text.to_owned(),
            file,
        }),
        Err(errors) => {
            let mut d = Diagnostics::default();
            for SyntaxError { span, message } in errors {
                let (line, column) = line_column(text, span.start);
                d.push(
                    Diagnostic::model(name, render(name, text, span, &message)).at(line, column),
                );
            }
            Err(d)
        }
    }
}

impl Parsed {
    fn namespace(&self) -> &str {
        self.file.namespace.as_deref().unwrap_or("")
    }

    fn control_string(&self, key: &str) -> Option<String> {
        self.file.control.iter().find_map(|(k, v, _)| match v {
            Node::String(s) if k == key => Some(s.clone()),
            _ => None,
        })
    }

    /// The suffixes of inline operation inputs and outputs.
    fn suffixes(&self) -> (String, String) {
        (
            self.control_string("operationInputSuffix")
                .unwrap_or_else(|| "Input".into()),
            self.control_string("operationOutputSuffix")
                .unwrap_or_else(|| "Output".into()),
        )
    }

    /// Every shape id this file defines (inline inputs and outputs included).
    pub fn defined_ids(&self) -> Vec<String> {
        let ns = self.namespace();
        let (input, output) = self.suffixes();
        let mut ids = Vec::new();
        for s in &self.file.shapes {
            ids.push(format!("{ns}#{}", s.name));
            if let Body::Operation {
                input: i,
                output: o,
                ..
            } = &s.body
            {
                if matches!(i, Some(Io::Inline(_))) {
                    ids.push(format!("{ns}#{}{input}", s.name));
                }
                if matches!(o, Some(Io::Inline(_))) {
                    ids.push(format!("{ns}#{}{output}", s.name));
                }
            }
        }
        ids
    }
}

/// Resolves names in one file and builds its JSON AST. `defined` holds every
/// shape id of the whole model.
pub fn to_ast(p: &Parsed, defined: &BTreeSet<String>) -> Result<AstModel, Diagnostics> {
    let mut cx = Convert {
        p,
        defined,
        uses: BTreeMap::new(),
        diags: Diagnostics::default(),
    };
    for u in &p.file.uses {
        let name = u.text.rsplit('#').next().unwrap_or_default().to_owned();
        if let Some(previous) = cx.uses.get(&name) {
            if previous != &u.text {
                cx.error(
                    u.span,
                    format!("`use {}` conflicts with `use {previous}`", u.text),
                );
            }
        }
        cx.uses.insert(name, u.text.clone());
    }
    let ns = p.namespace().to_owned();
    for s in &p.file.shapes {
        if let Some(used) = cx.uses.get(&s.name) {
            let message = format!("the shape name `{}` conflicts with `use {used}`", s.name);
            cx.error(s.span, message);
        }
    }
    let mut shapes: BTreeMap<String, AstShape> = BTreeMap::new();
    let (input_suffix, output_suffix) = p.suffixes();
    for s in &p.file.shapes {
        let id = format!("{ns}#{}", s.name);
        if shapes.contains_key(&id) {
            cx.error(
                s.span,
                format!("the shape `{}` is defined twice in this file", s.name),
            );
            continue;
        }
        let mut shape = cx.shape(s);
        if let Body::Operation {
            input,
            output,
            errors,
            ..
        } = &s.body
        {
            for (io, suffix, marker, slot) in [
                (input, &input_suffix, "smithy.api#input", 0),
                (output, &output_suffix, "smithy.api#output", 1),
            ] {
                let target = match io {
                    // Left out: Smithy reads a missing input or output as `Unit`.
                    None => continue,
                    Some(Io::Ref(r)) => cx.resolve(r),
                    Some(Io::Inline(inline)) => {
                        let inline_id = format!("{ns}#{}{suffix}", s.name);
                        let mut inline_shape = cx.shape(inline);
                        inline_shape
                            .traits
                            .insert(marker.into(), Value::Object(Default::default()));
                        if shapes.contains_key(&inline_id) {
                            cx.error(
                                inline.span,
                                format!(
                                    "the inline shape `{inline_id}` conflicts with another shape"
                                ),
                            );
                        }
                        shapes.insert(inline_id.clone(), inline_shape);
                        inline_id
                    }
                };
                let r = Some(AstRef { target });
                if slot == 0 {
                    shape.input = r;
                } else {
                    shape.output = r;
                }
            }
            if let Some(errors) = errors {
                shape.errors = errors
                    .iter()
                    .map(|e| AstRef {
                        target: cx.resolve(e),
                    })
                    .collect();
            }
        }
        if shapes.contains_key(&id) {
            cx.error(
                s.span,
                format!(
                    "the shape `{}` conflicts with an inline input or output",
                    s.name
                ),
            );
        }
        shapes.insert(id, shape);
    }
    // `apply` statements: onto this file's shapes directly, else kept for
    // the merge stage (the target is in another file).
    let mut applies: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
    for a in &p.file.applies {
        let target = cx.resolve(&a.target);
        let traits = cx.traits(&a.traits, None);
        let (shape_id, member) = match target.split_once('$') {
            Some((s, m)) => (s.to_owned(), Some(m.to_owned())),
            None => (target.clone(), None),
        };
        let place = shapes.get_mut(&shape_id).and_then(|shape| match &member {
            None => Some(&mut shape.traits),
            Some(m) => member_traits(shape, m),
        });
        let place = match place {
            Some(place) => place,
            None => applies.entry(target).or_default(),
        };
        for (k, v) in traits {
            merge_trait(place, k, v);
        }
    }
    for (target, traits) in applies {
        shapes.insert(
            target,
            AstShape {
                kind: crate::ast::ShapeKind::Apply,
                traits,
                ..crate::model::empty_shape("")
            },
        );
    }
    let metadata = p
        .file
        .metadata
        .iter()
        .map(|(k, v)| (k.clone(), cx.node(v)))
        .collect();
    cx.diags.into_result(())?;
    Ok(AstModel {
        smithy: p.file.version.clone().unwrap_or_else(|| "1.0".into()),
        metadata,
        shapes,
    })
}

/// Merges a trait applied twice: lists concatenate (as Smithy does for
/// `apply`); anything else, the later value wins.
fn merge_trait(traits: &mut BTreeMap<String, Value>, id: String, value: Value) {
    match (traits.get_mut(&id), value) {
        (Some(Value::Array(existing)), Value::Array(more)) => existing.extend(more),
        (_, value) => {
            traits.insert(id, value);
        }
    }
}

fn member_traits<'s>(
    shape: &'s mut AstShape,
    name: &str,
) -> Option<&'s mut BTreeMap<String, Value>> {
    let member = match name {
        "member" if shape.member.is_some() => shape.member.as_mut(),
        "key" if shape.key.is_some() => shape.key.as_mut(),
        "value" if shape.value.is_some() => shape.value.as_mut(),
        _ => shape
            .members
            .iter_mut()
            .find(|(n, _)| n == name)
            .map(|(_, m)| m),
    }?;
    Some(&mut member.traits)
}

/// Where a member is written (else where its shape is).
fn member_span(members: &[Member], name: &str, shape: Span) -> Span {
    members
        .iter()
        .find(|m| m.name == name)
        .map_or(shape, |m| m.span)
}

/// The target a member elided with `$name` stands for, found in the
/// resource its structure is `for`, then in its mixins.
pub const ELIDED: &str = "\u{0}elided";

struct Convert<'a> {
    p: &'a Parsed,
    defined: &'a BTreeSet<String>,
    uses: BTreeMap<String, String>,
    diags: Diagnostics,
}

impl Convert<'_> {
    fn error(&mut self, span: Span, message: String) {
        let text = render(&self.p.name, &self.p.text, span, &message);
        let (line, column) = line_column(&self.p.text, span.start);
        self.diags
            .push(Diagnostic::model(&self.p.name, text).at(line, column));
    }

    /// A shape id as written, made absolute.
    fn resolve(&mut self, r: &Ref) -> String {
        self.resolve_text(&r.text)
    }

    fn resolve_text(&self, text: &str) -> String {
        if text.contains('#') {
            return text.to_owned();
        }
        let (name, member) = match text.split_once('$') {
            Some((n, m)) => (n, Some(m)),
            None => (text, None),
        };
        let ns = self.p.namespace();
        let local = format!("{ns}#{name}");
        let absolute = if let Some(used) = self.uses.get(name) {
            used.clone()
        } else if self.defined.contains(&local) {
            local
        } else if PRELUDE.contains(&name) {
            format!("smithy.api#{name}")
        } else {
            local
        };
        match member {
            Some(m) => format!("{absolute}${m}"),
            None => absolute,
        }
    }

    fn node(&mut self, node: &Node) -> Value {
        match node {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Number(n) => Value::Number(n.clone()),
            Node::String(s) => Value::String(s.clone()),
            Node::Id(text, span) => {
                let id = self.resolve_text(text);
                let shape = id.split('$').next().unwrap_or_default();
                // A `use` or an absolute id names a shape on purpose (trait
                // shapes such as `aws.protocols#restJson1` need not be loaded).
                let name = text.split('$').next().unwrap_or_default();
                let known = text.contains('#')
                    || self.uses.contains_key(name)
                    || self.defined.contains(shape)
                    || shape
                        .strip_prefix("smithy.api#")
                        .is_some_and(|n| PRELUDE.contains(&n));
                if !known {
                    let message = format!(
                        "the unquoted value `{text}` is read as a shape id, but no shape `{id}` exists (quote it if it is a string)"
                    );
                    self.error(*span, message);
                }
                Value::String(id)
            }
            Node::Array(items) => Value::Array(items.iter().map(|n| self.node(n)).collect()),
            Node::Object(pairs) => Value::Object(
                pairs
                    .iter()
                    .map(|(k, v)| (k.clone(), self.node(v)))
                    .collect(),
            ),
        }
    }

    fn traits(&mut self, traits: &[Trait], docs: Option<&String>) -> BTreeMap<String, Value> {
        let mut out = BTreeMap::new();
        if let Some(d) = docs {
            out.insert(
                "smithy.api#documentation".to_owned(),
                Value::String(d.clone()),
            );
        }
        for t in traits {
            let id = self.resolve(&t.id);
            if id == "smithy.api#mixin" && self.p.file.v1 {
                self.error(t.id.span, "the `@mixin` trait needs IDL version 2.0".into());
            }
            let value = match &t.value {
                None => Value::Object(Default::default()),
                Some(v) => self.node(v),
            };
            if out.contains_key(&id) && !(id == "smithy.api#documentation" && docs.is_some()) {
                self.error(t.id.span, format!("the trait `{id}` is applied twice"));
            }
            out.insert(id, value);
        }
        out
    }

    fn member(&mut self, m: &Member, kind: &str) -> AstMember {
        let mut traits = self.traits(&m.traits, m.docs.as_ref());
        let target = match (&m.target, kind) {
            (Some(t), _) => self.resolve(t),
            (None, "enum" | "intEnum") => "smithy.api#Unit".to_owned(),
            (None, _) => ELIDED.to_owned(),
        };
        match (&m.value, kind) {
            (Some(v), "enum" | "intEnum") => {
                traits.insert("smithy.api#enumValue".into(), self.node(v));
            }
            (Some(v), _) => {
                traits.insert("smithy.api#default".into(), self.node(v));
            }
            (None, "enum") if !traits.contains_key("smithy.api#enumValue") => {
                traits.insert("smithy.api#enumValue".into(), Value::String(m.name.clone()));
            }
            _ => {}
        }
        AstMember {
            target,
            traits,
            typed: Default::default(),
        }
    }

    fn shape(&mut self, s: &Shape) -> AstShape {
        let mut shape = AstShape {
            kind: crate::ast::ShapeKind::parse(&s.kind),
            traits: self.traits(&s.traits, s.docs.as_ref()),
            mixins: s
                .mixins
                .iter()
                .map(|m| AstRef {
                    target: self.resolve(m),
                })
                .collect(),
            ..crate::model::empty_shape("")
        };
        match &s.body {
            Body::None | Body::Operation { .. } => {}
            Body::Members(members) => {
                let converted: Vec<(String, AstMember)> = members
                    .iter()
                    .map(|m| (m.name.clone(), self.member(m, &s.kind)))
                    .collect();
                match s.kind.as_str() {
                    "list" | "set" => {
                        for (name, m) in converted {
                            if name == "member" {
                                shape.member = Some(m);
                            } else {
                                let span = member_span(members, &name, s.span);
                                self.error(
                                    span,
                                    format!("a {} has only `member`, not `{name}`", s.kind),
                                );
                            }
                        }
                    }
                    "map" => {
                        for (name, m) in converted {
                            match name.as_str() {
                                "key" => shape.key = Some(m),
                                "value" => shape.value = Some(m),
                                _ => {
                                    let span = member_span(members, &name, s.span);
                                    self.error(
                                        span,
                                        format!("a map has only `key` and `value`, not `{name}`"),
                                    );
                                }
                            }
                        }
                    }
                    _ => shape.members = converted,
                }
                if let Some(r) = &s.for_resource {
                    // Recorded for elision; not part of the JSON AST.
                    let resource = self.resolve(r);
                    shape
                        .traits
                        .insert(FOR_RESOURCE.into(), Value::String(resource));
                }
            }
            Body::Entity(pairs) => self.entity(s, pairs, &mut shape),
        }
        shape
    }

    fn entity(&mut self, s: &Shape, pairs: &[(String, Node)], shape: &mut AstShape) {
        for (key, value) in pairs {
            // A shape id, written bare or quoted (Smithy accepts both here).
            let one = |cx: &mut Self, v: &Node| match v {
                Node::Id(t, _) | Node::String(t) => Some(AstRef {
                    target: cx.resolve_text(t),
                }),
                _ => {
                    cx.error(
                        s.span,
                        format!("the {}'s `{key}` must be a shape id", s.kind),
                    );
                    None
                }
            };
            let refs = |cx: &mut Self, v: &Node| -> Vec<AstRef> {
                match v {
                    Node::Array(items) => items.iter().filter_map(|i| one(cx, i)).collect(),
                    _ => {
                        cx.error(
                            s.span,
                            format!("the {}'s `{key}` must be a list of shape ids", s.kind),
                        );
                        Vec::new()
                    }
                }
            };
            let map = |cx: &mut Self, v: &Node| -> BTreeMap<String, AstRef> {
                match v {
                    Node::Object(pairs) => pairs
                        .iter()
                        .filter_map(|(k, v)| Some((k.clone(), one(cx, v)?)))
                        .collect(),
                    _ => {
                        cx.error(
                            s.span,
                            format!("the {}'s `{key}` must be an object of shape ids", s.kind),
                        );
                        BTreeMap::new()
                    }
                }
            };
            match (s.kind.as_str(), key.as_str()) {
                ("service", "version") => {
                    if let Node::String(v) = value {
                        shape.version = Some(v.clone());
                    }
                }
                (_, "operations") => shape.operations = refs(self, value),
                (_, "resources") => shape.resources = refs(self, value),
                ("service", "errors") => shape.errors = refs(self, value),
                ("service", "rename") => {
                    if let Node::Object(pairs) = value {
                        shape.rename = pairs
                            .iter()
                            .filter_map(|(k, v)| match v {
                                Node::String(n) => Some((self.resolve_text(k), n.clone())),
                                _ => None,
                            })
                            .collect();
                    }
                }
                ("resource", "identifiers") => shape.identifiers = map(self, value),
                ("resource", "properties") => {
                    if self.p.file.v1 {
                        self.error(s.span, "resource `properties` need IDL version 2.0".into());
                    }
                    shape.properties = map(self, value)
                }
                ("resource", "create") => shape.create = one(self, value),
                ("resource", "put") => shape.put = one(self, value),
                ("resource", "read") => shape.read = one(self, value),
                ("resource", "update") => shape.update = one(self, value),
                ("resource", "delete") => shape.delete = one(self, value),
                ("resource", "list") => shape.list = one(self, value),
                ("resource", "collectionOperations") => {
                    shape.collection_operations = refs(self, value)
                }
                _ => self.error(s.span, format!("a {} has no property `{key}`", s.kind)),
            }
        }
    }
}

/// A structure's `for` resource, carried as a pseudo-trait until elided
/// members are filled, then removed.
const FOR_RESOURCE: &str = "\u{0}for";

/// Fills elided members (`$name`) across all files: from the resource a
/// structure is `for` (its identifiers, then properties), then from its
/// mixins (their own members, then theirs). Removes the markers.
pub fn fill_elided(models: &mut [(String, AstModel)]) -> Diagnostics {
    let mut diags = Diagnostics::default();
    let elided = |m: &AstMember| m.target == ELIDED;
    let marked = |s: &AstShape| {
        s.traits.contains_key(FOR_RESOURCE)
            || s.members.iter().any(|(_, m)| elided(m))
            || [&s.member, &s.key, &s.value]
                .into_iter()
                .flatten()
                .any(elided)
    };
    if !models.iter().any(|(_, m)| m.shapes.values().any(marked)) {
        return diags;
    }
    // A mixin may itself have elided members; each pass fills what the
    // previous ones made known, until nothing changes.
    let mut unresolved: Vec<(String, String)> = Vec::new();
    for _pass in 0..8 {
        unresolved.clear();
        let mut filled = 0;
        // Every shape, for lookups (cloned so files can be edited after).
        let all: BTreeMap<String, AstShape> = models
            .iter()
            .flat_map(|(_, m)| m.shapes.iter().map(|(k, v)| (k.clone(), v.clone())))
            .collect();
        for (_, model) in models.iter_mut() {
            for (id, shape) in model.shapes.iter_mut() {
                let resource = match shape.traits.get(FOR_RESOURCE) {
                    Some(Value::String(r)) => Some(r.clone()),
                    _ => None,
                };
                let mixins: Vec<String> = shape.mixins.iter().map(|m| m.target.clone()).collect();
                let mut members: Vec<(String, &mut AstMember)> = shape
                    .members
                    .iter_mut()
                    .map(|(n, m)| (n.clone(), m))
                    .collect();
                members.extend(shape.member.as_mut().map(|m| ("member".to_owned(), m)));
                members.extend(shape.key.as_mut().map(|m| ("key".to_owned(), m)));
                members.extend(shape.value.as_mut().map(|m| ("value".to_owned(), m)));
                for (name, member) in members {
                    if member.target != ELIDED {
                        continue;
                    }
                    let from_resource = resource.as_ref().and_then(|r| {
                        let res = all.get(r)?;
                        res.identifiers
                            .get(&name)
                            .or_else(|| res.properties.get(&name))
                            .map(|t| t.target.clone())
                    });
                    let from_mixin = mixins.iter().find_map(|m| mixin_member(&all, m, &name, 0));
                    if let (Some(r), Some(m)) = (&from_resource, &from_mixin) {
                        if r != m {
                            diags.push(Diagnostic::member(
                                id,
                                &name,
                                format!(
                                    "is elided, but its resource gives it `{r}` and a mixin `{m}`: the member conflicts with an inherited mixin member"
                                ),
                            ));
                        }
                    }
                    match from_resource.or(from_mixin) {
                        Some(target) => {
                            member.target = target;
                            filled += 1;
                        }
                        None => unresolved.push((id.clone(), name)),
                    }
                }
            }
        }
        if unresolved.is_empty() || filled == 0 {
            break;
        }
    }
    for (id, name) in unresolved {
        diags.push(Diagnostic::member(
            &id,
            &name,
            "is elided (`$name`), but no mixin or `for` resource of its shape has such a member",
        ));
    }
    for (_, model) in models.iter_mut() {
        for shape in model.shapes.values_mut() {
            shape.traits.remove(FOR_RESOURCE);
        }
    }
    diags.sorted()
}

fn mixin_member(
    all: &BTreeMap<String, AstShape>,
    id: &str,
    name: &str,
    depth: usize,
) -> Option<String> {
    if depth > 32 {
        return None;
    }
    let shape = all.get(id)?;
    let own = shape
        .members
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, m)| m)
        .or(match name {
            "member" => shape.member.as_ref(),
            "key" => shape.key.as_ref(),
            "value" => shape.value.as_ref(),
            _ => None,
        });
    match own {
        Some(m) if m.target != ELIDED => Some(m.target.clone()),
        _ => shape
            .mixins
            .iter()
            .find_map(|m| mixin_member(all, &m.target, name, depth + 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `idl` fuzz target: the renderer's layout of this input
    /// panicked.
    #[test]
    fn odd_lines_render_without_panicking() {
        let mut text = String::from("$version: \"2.0\"\nnamespace smithy.ex\"\u{0}ple\n");
        text.push_str(&"x".repeat(300));
        text.push_str(" @\n\tstructure \u{1}A {\n");
        for span in [
            Span { start: 0, end: 0 },
            Span { start: 40, end: 41 },
            Span {
                start: 45,
                end: 200,
            },
            Span {
                start: 300,
                end: 5000,
            },
            Span {
                start: text.len(),
                end: text.len(),
            },
        ] {
            let r = render("f.smithy", &text, span, "message");
            assert!(r.contains("f.smithy"), "{r}");
        }
        let _ = parse_file("f.smithy", &text);
    }
}
