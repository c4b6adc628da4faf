//! Parse stage: a serde mirror of the Smithy 2.0 JSON AST, with no interpretation.
//!
//! Everything here is a faithful copy of what the file says. Member order is kept
//! (structures serialise in model order), trait values stay raw JSON; the merge
//! stage parses them once into `typed` (what later stages read), and the
//! validation stage reports the ones whose values have the wrong shape.

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// A shape's type (the JSON AST `type`, the IDL statement keyword), decided
/// once when the model is read so later stages match on it, not on text. A
/// type Smithy does not define is kept as `Unknown` for validation to report.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ShapeKind {
    Blob,
    Boolean,
    String,
    Byte,
    Short,
    Integer,
    Long,
    Float,
    Double,
    BigInteger,
    BigDecimal,
    Timestamp,
    Document,
    Enum,
    IntEnum,
    List,
    Set,
    Map,
    Structure,
    Union,
    Service,
    Resource,
    Operation,
    /// `apply` statements of the JSON AST: traits for a shape defined elsewhere.
    Apply,
    Unknown(std::string::String),
}

impl ShapeKind {
    const NAMES: [(&'static str, ShapeKind); 24] = [
        ("blob", ShapeKind::Blob),
        ("boolean", ShapeKind::Boolean),
        ("string", ShapeKind::String),
        ("byte", ShapeKind::Byte),
        ("short", ShapeKind::Short),
        ("integer", ShapeKind::Integer),
        ("long", ShapeKind::Long),
        ("float", ShapeKind::Float),
        ("double", ShapeKind::Double),
        ("bigInteger", ShapeKind::BigInteger),
        ("bigDecimal", ShapeKind::BigDecimal),
        ("timestamp", ShapeKind::Timestamp),
        ("document", ShapeKind::Document),
        ("enum", ShapeKind::Enum),
        ("intEnum", ShapeKind::IntEnum),
        ("list", ShapeKind::List),
        ("set", ShapeKind::Set),
        ("map", ShapeKind::Map),
        ("structure", ShapeKind::Structure),
        ("union", ShapeKind::Union),
        ("service", ShapeKind::Service),
        ("resource", ShapeKind::Resource),
        ("operation", ShapeKind::Operation),
        ("apply", ShapeKind::Apply),
    ];

    /// The kind a type name stands for.
    pub fn parse(name: &str) -> ShapeKind {
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map_or_else(|| ShapeKind::Unknown(name.to_owned()), |(_, k)| k.clone())
    }

    /// The type name, as the JSON AST and the IDL write it.
    pub fn as_str(&self) -> &str {
        match self {
            ShapeKind::Unknown(name) => name,
            known => Self::NAMES
                .iter()
                .find(|(_, k)| k == known)
                .map_or("", |(n, _)| n),
        }
    }

    /// A simple shape (no members).
    pub fn is_simple(&self) -> bool {
        use ShapeKind::*;
        matches!(
            self,
            Blob | Boolean
                | String
                | Byte
                | Short
                | Integer
                | Long
                | Float
                | Double
                | BigInteger
                | BigDecimal
                | Timestamp
                | Document
        )
    }

    /// A service, resource or operation.
    pub fn is_service_shape(&self) -> bool {
        matches!(
            self,
            ShapeKind::Service | ShapeKind::Resource | ShapeKind::Operation
        )
    }
}

impl fmt::Display for ShapeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ShapeKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = std::string::String::deserialize(d)?;
        Ok(ShapeKind::parse(&name))
    }
}

/// One JSON AST file.
#[derive(Debug, Deserialize)]
pub struct AstModel {
    /// The IDL version, `"2.0"` (or `"1.0"`, read with 2.0 semantics).
    pub smithy: String,
    #[serde(default)]
    pub metadata: BTreeMap<String, Value>,
    #[serde(default)]
    pub shapes: BTreeMap<String, AstShape>,
}

/// A reference to another shape: `{ "target": "ns#Name" }`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AstRef {
    pub target: String,
}

/// A member of an aggregate shape.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AstMember {
    pub target: String,
    #[serde(default)]
    pub traits: BTreeMap<String, Value>,
    /// `traits`, typed: filled once by the merge stage, read by every later one.
    #[serde(skip)]
    pub typed: crate::traits::Traits,
}

/// Any shape. Which fields are meaningful depends on `kind`; the validation stage
/// reports fields that do not belong to the kind.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AstShape {
    #[serde(rename = "type")]
    pub kind: ShapeKind,
    #[serde(default)]
    pub traits: BTreeMap<String, Value>,
    /// `traits`, typed: filled once by the merge stage, read by every later one.
    #[serde(skip)]
    pub typed: crate::traits::Traits,
    #[serde(default)]
    pub mixins: Vec<AstRef>,
    /// Structure, union, enum and intEnum members, in model order.
    #[serde(default, deserialize_with = "ordered_members")]
    pub members: Vec<(String, AstMember)>,
    /// List and set member.
    pub member: Option<AstMember>,
    /// Map key and value.
    pub key: Option<AstMember>,
    pub value: Option<AstMember>,
    // Service fields.
    pub version: Option<String>,
    #[serde(default)]
    pub operations: Vec<AstRef>,
    #[serde(default)]
    pub resources: Vec<AstRef>,
    #[serde(default)]
    pub errors: Vec<AstRef>,
    #[serde(default)]
    pub rename: BTreeMap<String, String>,
    // Operation fields.
    pub input: Option<AstRef>,
    pub output: Option<AstRef>,
    // Resource fields.
    #[serde(default)]
    pub identifiers: BTreeMap<String, AstRef>,
    #[serde(default)]
    pub properties: BTreeMap<String, AstRef>,
    pub create: Option<AstRef>,
    pub put: Option<AstRef>,
    pub read: Option<AstRef>,
    pub update: Option<AstRef>,
    pub delete: Option<AstRef>,
    pub list: Option<AstRef>,
    #[serde(default)]
    pub collection_operations: Vec<AstRef>,
}

/// Reads a JSON object into a vector, keeping the order the file wrote it in
/// (serde_json's map type would sort it).
fn ordered_members<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, AstMember)>, D::Error> {
    struct Ordered;
    impl<'de> Visitor<'de> for Ordered {
        type Value = Vec<(String, AstMember)>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object of members")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some((name, member)) = map.next_entry::<String, AstMember>()? {
                if out.iter().any(|(n, _): &(String, AstMember)| *n == name) {
                    return Err(serde::de::Error::custom(format!(
                        "member `{name}` is defined twice"
                    )));
                }
                out.push((name, member));
            }
            Ok(out)
        }
    }
    d.deserialize_map(Ordered)
}

/// Parses one JSON AST document.
pub fn parse(text: &str) -> Result<AstModel, serde_json::Error> {
    serde_json::from_str(text)
}

impl AstShape {
    /// A resource's lifecycle operations by property name, in the JSON AST's
    /// order (`create`, `put`, `read`, `update`, `delete`, `list`).
    pub fn lifecycle(&self) -> [(&'static str, &Option<AstRef>); 6] {
        [
            ("create", &self.create),
            ("put", &self.put),
            ("read", &self.read),
            ("update", &self.update),
            ("delete", &self.delete),
            ("list", &self.list),
        ]
    }
}
