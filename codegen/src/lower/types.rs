//! Lowering stage, types: every named shape an operation reaches, its
//! members, Rust types, defaults and enum values, and the boxing that breaks
//! cycles of structures.

use super::*;
use crate::ast::ShapeKind;

impl Lowering<'_> {
    /// The Rust name of a structure, union or enum shape; queues it for lowering.
    pub(super) fn named_ref(&mut self, id: &str, from_input: bool) -> Option<String> {
        let name = self.rust_type_name(id);
        let first_sight = self.seen.insert(id.to_string());
        let newly_validated = from_input && self.validated.insert(id.to_string());
        if first_sight || newly_validated {
            self.queue.push_back((id.to_string(), from_input));
        }
        Some(name)
    }

    pub(super) fn drain_queue(&mut self) {
        while let Some((id, from_input)) = self.queue.pop_front() {
            self.named_type(&id, from_input);
        }
        self.box_cycles();
    }

    pub(super) fn named_type(&mut self, id: &str, from_input: bool) {
        let Some(shape) = self.model.shape(id) else {
            return;
        };
        let name = self.rust_type_name(id);
        let t = &shape.typed;
        self.report_unsupported(id, None, t);
        let kind = match &shape.kind {
            ShapeKind::Structure => {
                let members = shape
                    .members
                    .iter()
                    .filter_map(|(n, m)| self.member(id, n, m, from_input || t.input, t.input))
                    .collect();
                let members = self.check_member_names(id, members);
                let error = t.error.as_ref().map(|fault| {
                    let fault = if fault == "server" {
                        Fault::Server
                    } else {
                        Fault::Client
                    };
                    let message_field = shape
                        .members
                        .iter()
                        .find(|(n, _)| n.eq_ignore_ascii_case("message"))
                        .map(|(n, _)| self.names.member(id, n).field);
                    ErrorInfo {
                        fault,
                        http_status: t.http_error.unwrap_or(if fault == Fault::Server {
                            500
                        } else {
                            400
                        }),
                        retryable: t.retryable.is_some(),
                        throttling: t.retryable.as_ref().is_some_and(|r| r.throttling),
                        code: self.protocol.error_code(crate::model::local_name(id), t),
                        message_field,
                        reader: self.names.error_reader(id),
                    }
                });
                NamedKind::Struct(Struct {
                    members,
                    error,
                    builder: self.names.builder(id),
                    helpers: self.names.helpers(id),
                })
            }
            ShapeKind::Union => {
                let variants: Vec<Member> = shape
                    .members
                    .iter()
                    .filter_map(|(n, m)| self.member(id, n, m, from_input, false))
                    .collect();
                if variants.is_empty() {
                    self.diags
                        .push(Diagnostic::shape(id, "is a union without members"));
                }
                NamedKind::Union(Union {
                    variants: self.check_member_names(id, variants),
                })
            }
            ShapeKind::Enum => NamedKind::Enum(Enum {
                values: self.enum_values(id, shape),
            }),
            ShapeKind::String => match &t.legacy_enum {
                Some(values) => NamedKind::Enum(Enum {
                    values: self.legacy_enum_values(id, values),
                }),
                None => return,
            },
            ShapeKind::IntEnum => {
                let values: Vec<EnumValue<i32>> = shape
                    .members
                    .iter()
                    .map(|(n, m)| {
                        let mt = &m.typed;
                        EnumValue {
                            variant: self.names.member(id, n).variant,
                            value: mt
                                .enum_value
                                .as_ref()
                                .and_then(|v| v.as_i64())
                                .unwrap_or_default() as i32,
                            internal: mt.internal,
                            docs: mt.documentation.clone(),
                            deprecated: deprecation(mt),
                        }
                    })
                    .collect();
                NamedKind::IntEnum(IntEnum { values })
            }
            other => {
                self.diags.push(Diagnostic::shape(
                    id,
                    format!("a {other} cannot be generated as a named type"),
                ));
                return;
            }
        };
        let validated = self.validated.contains(id);
        self.types.insert(
            name.clone(),
            NamedType {
                id: id.to_string(),
                name,
                docs: t.documentation.clone(),
                deprecated: deprecation(t),
                kind,
                validated,
                roles: Default::default(),
                xml_name: t
                    .xml_name
                    .clone()
                    .unwrap_or_else(|| crate::model::local_name(id).to_string()),
                xml_namespace: namespace(t),
            },
        );
    }

    pub(super) fn enum_values(&mut self, id: &str, shape: &AstShape) -> Vec<EnumValue<String>> {
        let values: Vec<EnumValue<String>> = shape
            .members
            .iter()
            .map(|(n, m)| {
                let mt = &m.typed;
                EnumValue {
                    variant: self.names.member(id, n).variant,
                    value: mt
                        .enum_value
                        .as_ref()
                        .and_then(|v| v.as_str())
                        .unwrap_or(n)
                        .to_string(),
                    internal: mt.internal,
                    docs: mt.documentation.clone(),
                    deprecated: deprecation(mt),
                }
            })
            .collect();
        values
    }

    pub(super) fn legacy_enum_values(
        &mut self,
        id: &str,
        values: &[traits::LegacyEnumValue],
    ) -> Vec<EnumValue<String>> {
        let out: Vec<EnumValue<String>> = values
            .iter()
            .map(|v| EnumValue {
                variant: self.names.member(id, &v.value).variant,
                value: v.value.clone(),
                internal: v.tags.iter().any(|t| t == "internal"),
                docs: v.documentation.clone(),
                deprecated: v.deprecated.then_some(Deprecation {
                    message: None,
                    since: None,
                }),
            })
            .collect();
        out
    }

    /// Two body members with the same JSON key cannot both be sent.
    pub(super) fn check_member_names(&mut self, id: &str, members: Vec<Member>) -> Vec<Member> {
        let mut wire: BTreeMap<String, String> = BTreeMap::new();
        for m in &members {
            if m.binding == Binding::Body {
                if let Some(prev) = wire.insert(m.wire_name.clone(), m.name.clone()) {
                    self.diags.push(Diagnostic::member(
                        id,
                        &m.name,
                        format!(
                            "its JSON name `{}` is also used by member `{prev}`",
                            m.wire_name
                        ),
                    ));
                }
            }
        }
        members
    }

    pub(super) fn member(
        &mut self,
        owner: &str,
        name: &str,
        m: &AstMember,
        from_input: bool,
        input_struct: bool,
    ) -> Option<Member> {
        let mt = &m.typed;
        self.report_unsupported(owner, Some(name), mt);
        let target = self.model.shape(&m.target)?;
        let tt = &target.typed;
        if target.kind != crate::ast::ShapeKind::Structure
            && target.kind != crate::ast::ShapeKind::Union
        {
            self.report_unsupported(&m.target, None, tt);
        }
        let mut ty = self.type_ref(&m.target, mt, from_input)?;
        let mut binding = if self.protocol.uses_http_bindings() {
            Self::binding(mt)
        } else {
            Binding::Body
        };
        // Labels and query parameters only exist in requests: in a structure
        // that is never an input, such a member travels in the JSON body.
        if !from_input
            && matches!(
                binding,
                Binding::Label | Binding::Query(_) | Binding::QueryParams
            )
        {
            binding = Binding::Body;
        }
        // Outside a JSON body, a timestamp without `@timestampFormat` is an
        // http-date in a header and a date-time in a label or query string.
        let explicit_format = mt.timestamp_format.is_some()
            || tt.timestamp_format.is_some()
            || target.member.as_ref().is_some_and(|item| {
                item.typed.timestamp_format.is_some()
                    || self
                        .model
                        .shape(&item.target)
                        .is_some_and(|t| t.typed.timestamp_format.is_some())
            });
        if !explicit_format {
            let format = match binding {
                Binding::Header(_) => Some(TimestampFormat::HttpDate),
                Binding::Label | Binding::Query(_) => Some(TimestampFormat::DateTime),
                _ => None,
            };
            if let Some(format) = format {
                match &mut ty.kind {
                    TypeKind::Timestamp(f) => *f = format,
                    TypeKind::List { item, .. } => {
                        if let TypeKind::Timestamp(f) = &mut item.kind {
                            *f = format;
                        }
                    }
                    _ => {}
                }
            }
        }
        if let Some(reason) = binding_problem(&binding, &ty) {
            self.diags.push(Diagnostic::member(owner, name, reason));
        }
        let default_json = mt.default.clone().or_else(|| {
            if m.traits.contains_key("smithy.api#default") {
                None
            } else {
                tt.default.clone()
            }
        });
        let default = match default_json {
            Some(serde_json::Value::Null) | None => None,
            Some(v) => self.default_value(owner, name, &ty, &v),
        };
        let optional = default.is_none() || mt.client_optional || input_struct;
        let names = self.names.member(owner, name);
        Some(Member {
            name: name.to_string(),
            field: names.field,
            clearer: names.clearer,
            variant: names.variant,
            default_fn: self.names.default_fn(owner, name),
            wire_name: self.protocol.wire_name(name, mt),
            xml: XmlWire {
                named: mt.xml_name.is_some(),
                attribute: mt.xml_attribute,
                flattened: mt.xml_flattened,
                namespace: namespace(mt),
            },
            query_key: self.protocol.query_key(name, mt),
            required: mt.required,
            default,
            optional,
            boxed: false,
            error_corrected: false,
            binding,
            docs: mt.documentation.clone().or(tt.documentation.clone()),
            deprecated: deprecation(mt),
            sensitive: mt.sensitive || tt.sensitive,
            media_type: tt.media_type.clone(),
            idempotency_token: mt.idempotency_token,
            ty,
        })
    }

    /// Resolves a member target to a Rust type, with the member's traits layered
    /// over the target's.
    pub(super) fn type_ref(
        &mut self,
        target_id: &str,
        member_traits: &Traits,
        from_input: bool,
    ) -> Option<TypeRef> {
        let target = self.model.shape(target_id)?;
        let tt = &target.typed;
        let pick = |m: &Option<traits::LengthTrait>, t: &Option<traits::LengthTrait>| {
            m.clone().or_else(|| t.clone())
        };
        let bounds = |l: Option<traits::LengthTrait>| {
            l.map(|l| Bounds {
                min: l.min.map(|n| Bound {
                    text: n.to_string(),
                    value: n.as_f64().unwrap_or_default(),
                }),
                max: l.max.map(|n| Bound {
                    text: n.to_string(),
                    value: n.as_f64().unwrap_or_default(),
                }),
            })
        };
        let pattern = member_traits
            .pattern
            .clone()
            .or(tt.pattern.clone())
            .and_then(|p| {
                pattern::normalize(&p).ok().map(|ecma| Pattern {
                    linear: pattern::linear(&ecma),
                    source: p,
                    ecma,
                })
            });
        let constraints = Constraints {
            length: bounds(pick(&member_traits.length, &tt.length)),
            range: bounds(pick(&member_traits.range, &tt.range)),
            pattern,
            unique_items: member_traits.unique_items
                || tt.unique_items
                || target.kind == crate::ast::ShapeKind::Set,
        };
        let mut names = CollectionNames::default();
        let kind = match target.kind {
            ShapeKind::Boolean => TypeKind::Bool,
            ShapeKind::Byte => TypeKind::Byte,
            ShapeKind::Short => TypeKind::Short,
            ShapeKind::Integer => TypeKind::Integer,
            ShapeKind::Long => TypeKind::Long,
            ShapeKind::Float => TypeKind::Float,
            ShapeKind::Double => TypeKind::Double,
            ShapeKind::BigInteger => TypeKind::BigInteger,
            ShapeKind::BigDecimal => TypeKind::BigDecimal,
            ShapeKind::Blob if tt.streaming => TypeKind::Stream,
            ShapeKind::Blob => TypeKind::Blob,
            ShapeKind::Document => TypeKind::Document,
            ShapeKind::Timestamp => TypeKind::Timestamp(
                match member_traits
                    .timestamp_format
                    .as_deref()
                    .or(tt.timestamp_format.as_deref())
                    .filter(|_| self.protocol.honours_timestamp_format())
                {
                    Some("date-time") => TimestampFormat::DateTime,
                    Some("http-date") => TimestampFormat::HttpDate,
                    Some("epoch-seconds") => TimestampFormat::EpochSeconds,
                    _ => self.protocol.body_timestamp_format(),
                },
            ),
            ShapeKind::String if tt.legacy_enum.is_some() => TypeKind::Named {
                name: self.named_ref(target_id, from_input)?,
                shape: NamedShape::Enum,
            },
            ShapeKind::String if is_large_text(tt.length.as_ref()) => TypeKind::Text,
            ShapeKind::String => TypeKind::String,
            ShapeKind::Enum => TypeKind::Named {
                name: self.named_ref(target_id, from_input)?,
                shape: NamedShape::Enum,
            },
            ShapeKind::IntEnum => TypeKind::Named {
                name: self.named_ref(target_id, from_input)?,
                shape: NamedShape::IntEnum,
            },
            ShapeKind::Structure => TypeKind::Named {
                name: self.named_ref(target_id, from_input)?,
                shape: NamedShape::Struct,
            },
            ShapeKind::Union if tt.streaming => {
                self.diags.push(
                    Diagnostic::shape(
                        target_id,
                        "is an event stream (a @streaming union); event streams are not supported by the generator yet",
                    )
                    .unsupported(),
                );
                return None;
            }
            ShapeKind::Union => TypeKind::Named {
                name: self.named_ref(target_id, from_input)?,
                shape: NamedShape::Union,
            },
            ShapeKind::List | ShapeKind::Set => {
                let m = target.member.as_ref()?;
                if let Some(name) = &m.typed.xml_name {
                    names.member = name.clone();
                }
                names.member_ns = namespace(&m.typed);
                let item = self.type_ref(&m.target, &m.typed, from_input)?;
                TypeKind::List {
                    item: Box::new(item),
                    sparse: tt.sparse,
                }
            }
            ShapeKind::Map => {
                let (k, v) = (target.key.as_ref()?, target.value.as_ref()?);
                if let Some(name) = &k.typed.xml_name {
                    names.key = name.clone();
                }
                if let Some(name) = &v.typed.xml_name {
                    names.value = name.clone();
                }
                names.key_ns = namespace(&k.typed);
                names.value_ns = namespace(&v.typed);
                let key = self.type_ref(&k.target, &k.typed, from_input)?;
                let value = self.type_ref(&v.target, &v.typed, from_input)?;
                TypeKind::Map {
                    key: Box::new(key),
                    value: Box::new(value),
                    sparse: tt.sparse,
                }
            }
            _ => return None,
        };
        Some(TypeRef {
            kind,
            constraints,
            names,
        })
    }

    pub(super) fn default_value(
        &mut self,
        owner: &str,
        member: &str,
        ty: &TypeRef,
        v: &serde_json::Value,
    ) -> Option<DefaultValue> {
        use serde_json::Value as J;
        let value = match (&ty.kind, v) {
            (TypeKind::Bool, J::Bool(b)) => Some(DefaultValue::Bool(*b)),
            (
                TypeKind::Byte | TypeKind::Short | TypeKind::Integer | TypeKind::Long,
                J::Number(n),
            ) => {
                let (min, max) = match ty.kind {
                    TypeKind::Byte => (i8::MIN as i64, i8::MAX as i64),
                    TypeKind::Short => (i16::MIN as i64, i16::MAX as i64),
                    TypeKind::Integer => (i32::MIN as i64, i32::MAX as i64),
                    _ => (i64::MIN, i64::MAX),
                };
                n.as_i64()
                    .filter(|i| (min..=max).contains(i))
                    .map(DefaultValue::Int)
            }
            (TypeKind::Float | TypeKind::Double, J::Number(n)) => {
                n.as_f64().map(DefaultValue::Float)
            }
            (TypeKind::String | TypeKind::Text, J::String(s)) => {
                Some(DefaultValue::String(s.clone()))
            }
            (
                TypeKind::Named {
                    name,
                    shape: NamedShape::Enum,
                },
                J::String(s),
            ) => {
                let values = self.enum_values_of(name);
                values
                    .into_iter()
                    .find(|(_, value)| value == s)
                    .map(|(variant, _)| DefaultValue::EnumVariant(variant))
            }
            (
                TypeKind::Named {
                    name,
                    shape: NamedShape::IntEnum,
                },
                J::Number(n),
            ) => {
                let values = self.int_enum_values_of(name);
                values
                    .into_iter()
                    .find(|(_, value)| Some(*value as i64) == n.as_i64())
                    .map(|(variant, _)| DefaultValue::IntEnum(variant))
            }
            (TypeKind::Timestamp(_), J::Number(n)) => {
                let text = n.to_string();
                parse_epoch(&text)
                    .map(|(seconds, nanos)| DefaultValue::Timestamp { seconds, nanos })
            }
            (TypeKind::Blob | TypeKind::Stream, J::String(s)) => {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD
                    .decode(s)
                    .ok()
                    .map(DefaultValue::Blob)
            }
            (TypeKind::List { .. }, J::Array(a)) if a.is_empty() => Some(DefaultValue::EmptyList),
            (TypeKind::Map { .. }, J::Object(o)) if o.is_empty() => Some(DefaultValue::EmptyMap),
            (TypeKind::Document, v) => Some(DefaultValue::Document(v.clone())),
            _ => None,
        };
        if value.is_none() {
            self.diags.push(Diagnostic::member(
                owner,
                member,
                format!("default value {v} does not fit the member's type"),
            ));
        }
        value
    }

    /// `(variant, value)` pairs of an enum already reached, by Rust name.
    pub(super) fn enum_values_of(&mut self, rust_name: &str) -> Vec<(String, String)> {
        let Some(id) = self.names.shape_of(rust_name).map(str::to_string) else {
            return Vec::new();
        };
        let Some(shape) = self.model.shape(&id) else {
            return Vec::new();
        };
        match shape.kind {
            ShapeKind::Enum => self
                .enum_values(&id, shape)
                .into_iter()
                .map(|v| (v.variant, v.value))
                .collect(),
            _ => shape
                .typed
                .legacy_enum
                .clone()
                .map(|vals| {
                    self.legacy_enum_values(&id, &vals)
                        .into_iter()
                        .map(|v| (v.variant, v.value))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    pub(super) fn int_enum_values_of(&self, rust_name: &str) -> Vec<(String, i32)> {
        let Some(id) = self.names.shape_of(rust_name) else {
            return Vec::new();
        };
        let Some(shape) = self.model.shape(id) else {
            return Vec::new();
        };
        shape
            .members
            .iter()
            .map(|(n, m)| {
                (
                    self.names.member(id, n).variant,
                    m.typed
                        .enum_value
                        .clone()
                        .and_then(|v| v.as_i64())
                        .unwrap_or_default() as i32,
                )
            })
            .collect()
    }

    /// Boxes every struct or union member that closes a cycle of direct
    /// (non-collection) references, so the Rust types have a finite size.
    pub(super) fn box_cycles(&mut self) {
        let direct = |ty: &TypeRef| match &ty.kind {
            TypeKind::Named {
                name,
                shape: NamedShape::Struct | NamedShape::Union,
            } => Some(name.clone()),
            _ => None,
        };
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (name, t) in &self.types {
            let members = match &t.kind {
                NamedKind::Struct(s) => &s.members,
                NamedKind::Union(u) => &u.variants,
                _ => continue,
            };
            edges.insert(
                name.clone(),
                members.iter().filter_map(|m| direct(&m.ty)).collect(),
            );
        }
        let reaches = |from: &str, to: &str| {
            let mut stack = vec![from.to_string()];
            let mut seen = BTreeSet::new();
            while let Some(n) = stack.pop() {
                if n == to {
                    return true;
                }
                if seen.insert(n.clone()) {
                    stack.extend(edges.get(&n).into_iter().flatten().cloned());
                }
            }
            false
        };
        let mut to_box = Vec::new();
        for (name, targets) in &edges {
            for target in targets {
                if reaches(target, name) {
                    to_box.push((name.clone(), target.clone()));
                }
            }
        }
        for (owner, target) in to_box {
            if let Some(t) = self.types.get_mut(&owner) {
                let members = match &mut t.kind {
                    NamedKind::Struct(s) => &mut s.members,
                    NamedKind::Union(u) => &mut u.variants,
                    _ => continue,
                };
                for m in members
                    .iter_mut()
                    .filter(|m| direct(&m.ty).as_deref() == Some(target.as_str()))
                {
                    m.boxed = true;
                }
            }
        }
    }
}

/// Whether a string shape's `@length` lets it reach [`super::LARGE_TEXT`]
/// characters.
fn is_large_text(length: Option<&crate::traits::LengthTrait>) -> bool {
    length
        .and_then(|l| l.max.as_ref())
        .and_then(serde_json::Number::as_f64)
        .is_some_and(|max| max >= super::LARGE_TEXT as f64)
}

/// `@xmlNamespace` as `(uri, prefix)`.
pub(super) fn namespace(t: &crate::traits::Traits) -> Option<(String, Option<String>)> {
    t.xml_namespace
        .as_ref()
        .map(|n| (n.uri.clone(), n.prefix.clone()))
}
