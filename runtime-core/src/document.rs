//! Runtime stage: `Document`, the value of Smithy's `document` type, owned by
//! the runtime so that the default tree needs no general-purpose JSON crate.
//! It reads and writes through the runtime's own JSON codec, and its numbers
//! keep the integer/float distinction the wire made.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// The members of a [`Document::Object`], sorted by key.
pub type Map = BTreeMap<String, Document>;

/// A Smithy `document`: untyped JSON-like data.
///
/// Parse one from JSON text with [`str::parse`], write one with `to_string()`
/// (compact JSON), build one with `From` (`Document::from("text")`,
/// `Document::from(3)`, `Document::from(vec![…])`).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Document {
    /// `null`.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Document>),
    /// An object.
    Object(Map),
}

/// A document's number: an integer as received, or a float.
///
/// Integers are `PosInt` when at least zero, so each value has one form and
/// equality is exact; an integer is never equal to a float of the same value
/// (`1` and `1.0` differ, as on the wire).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    /// An integer at least zero.
    PosInt(u64),
    /// An integer below zero.
    NegInt(i64),
    /// A float. JSON cannot hold NaN or the infinities: they are written as `null`.
    Float(f64),
}

impl Number {
    /// The value as a `u64`, if it is an integer in its range.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Number::PosInt(n) => Some(n),
            Number::NegInt(_) | Number::Float(_) => None,
        }
    }

    /// The value as an `i64`, if it is an integer in its range.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Number::PosInt(n) => i64::try_from(n).ok(),
            Number::NegInt(n) => Some(n),
            Number::Float(_) => None,
        }
    }

    /// The value as an `f64` (the nearest one for integers beyond 2^53).
    pub fn as_f64(&self) -> f64 {
        match *self {
            Number::PosInt(n) => n as f64,
            Number::NegInt(n) => n as f64,
            Number::Float(f) => f,
        }
    }

    /// Whether the value is a float rather than an integer.
    pub fn is_float(&self) -> bool {
        matches!(self, Number::Float(_))
    }

    /// JSON number text: integers in full, floats in their shortest
    /// round-trip form (with `.0` or an exponent, so they read back as
    /// floats), NaN and the infinities as `null`.
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        match *self {
            Number::PosInt(n) => out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes()),
            Number::NegInt(n) => out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes()),
            Number::Float(f) => write_float(f, out),
        }
    }

    /// Reads number text as JSON has it: integers within `u64`/`i64` stay
    /// integers, others become floats; `None` for text that is not a number
    /// or a float beyond `f64`.
    pub(crate) fn parse(text: &str) -> Option<Number> {
        let is_integer = !text.contains(['.', 'e', 'E']);
        if is_integer {
            if let Ok(n) = text.parse::<u64>() {
                return Some(Number::PosInt(n));
            }
            match text.parse::<i64>() {
                // `-0` keeps its sign, as a float.
                Ok(0) => return Some(Number::Float(-0.0)),
                Ok(n) => return Some(Number::NegInt(n)),
                Err(_) => {}
            }
        }
        text.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Number::Float)
    }
}

/// Writes a finite float in the shortest text that reads back to it, keeping a
/// fraction or exponent so it stays a float; a non-finite one as `null`.
pub(crate) fn write_float(f: f64, out: &mut Vec<u8>) {
    if f.is_finite() {
        write_shortest(f, f.abs(), out);
    } else {
        out.extend_from_slice(b"null");
    }
}

/// [`write_float`] for a finite `f32`, in its own shortest text (`0.1`, not
/// the widened `0.10000000149011612`).
pub(crate) fn write_f32(f: f32, out: &mut Vec<u8>) {
    write_shortest(f, f64::from(f.abs()), out);
}

fn write_shortest<F: fmt::Display + fmt::LowerExp>(f: F, magnitude: f64, out: &mut Vec<u8>) {
    use std::io::Write;
    let start = out.len();
    // `{}` is the shortest round-trip form but never uses an exponent, so
    // very large and very small values switch to `{:e}` to stay short.
    let _ = if magnitude != 0.0 && !(1e-5..1e16).contains(&magnitude) {
        write!(out, "{f:e}")
    } else {
        write!(out, "{f}")
    };
    if !out[start..].iter().any(|b| matches!(b, b'.' | b'e')) {
        out.extend_from_slice(b".0");
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Vec::new();
        self.write(&mut out);
        f.write_str(std::str::from_utf8(&out).map_err(|_| fmt::Error)?)
    }
}

impl Document {
    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Document::Null)
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Document::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Document::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The number as a `u64`, if this is an integer in its range.
    pub fn as_u64(&self) -> Option<u64> {
        self.as_number().and_then(Number::as_u64)
    }

    /// The number as an `i64`, if this is an integer in its range.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    /// The number as an `f64`, if this is a number.
    pub fn as_f64(&self) -> Option<f64> {
        self.as_number().map(Number::as_f64)
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Document::String(s) => Some(s),
            _ => None,
        }
    }

    /// The items, if this is an array.
    pub fn as_array(&self) -> Option<&Vec<Document>> {
        match self {
            Document::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The items, mutably, if this is an array.
    pub fn as_array_mut(&mut self) -> Option<&mut Vec<Document>> {
        match self {
            Document::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Document::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The members, mutably, if this is an object.
    pub fn as_object_mut(&mut self) -> Option<&mut Map> {
        match self {
            Document::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The member named `key`, if this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Document> {
        self.as_object()?.get(key)
    }

    /// The member named `key`, mutably, if this is an object that has it.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Document> {
        self.as_object_mut()?.get_mut(key)
    }

    /// Compact JSON text.
    pub fn to_json(&self) -> Vec<u8> {
        let mut w = crate::json::Writer::default();
        w.document(self);
        w.into_bytes()
    }
}

static NULL: Document = Document::Null;

impl std::ops::Index<&str> for Document {
    type Output = Document;

    /// The member named `key`, or `null` when this is not an object or has no such member.
    fn index(&self, key: &str) -> &Document {
        self.get(key).unwrap_or(&NULL)
    }
}

impl std::ops::Index<usize> for Document {
    type Output = Document;

    /// The item at `index`, or `null` when this is not an array or is shorter.
    fn index(&self, index: usize) -> &Document {
        self.as_array().and_then(|a| a.get(index)).unwrap_or(&NULL)
    }
}

impl fmt::Display for Document {
    /// Compact JSON.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(std::str::from_utf8(&self.to_json()).map_err(|_| fmt::Error)?)
    }
}

impl FromStr for Document {
    type Err = crate::json::ReadError;

    /// Reads JSON text (one value, whitespace around it allowed).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut r = crate::json::Reader::new(text);
        let doc = r.document()?;
        r.finish()?;
        Ok(doc)
    }
}

impl From<bool> for Document {
    fn from(b: bool) -> Self {
        Document::Bool(b)
    }
}

impl From<String> for Document {
    fn from(s: String) -> Self {
        Document::String(s)
    }
}

impl From<&str> for Document {
    fn from(s: &str) -> Self {
        Document::String(s.to_owned())
    }
}

impl From<Number> for Document {
    fn from(n: Number) -> Self {
        Document::Number(n)
    }
}

impl From<Vec<Document>> for Document {
    fn from(items: Vec<Document>) -> Self {
        Document::Array(items)
    }
}

impl From<Map> for Document {
    fn from(members: Map) -> Self {
        Document::Object(members)
    }
}

impl<T: Into<Document>> From<Option<T>> for Document {
    /// `None` is `null`.
    fn from(v: Option<T>) -> Self {
        v.map_or(Document::Null, Into::into)
    }
}

macro_rules! from_unsigned {
    ($($t:ty),*) => {$(
        impl From<$t> for Number {
            fn from(n: $t) -> Self {
                Number::PosInt(n as u64)
            }
        }
        impl From<$t> for Document {
            fn from(n: $t) -> Self {
                Document::Number(n.into())
            }
        }
    )*};
}

macro_rules! from_signed {
    ($($t:ty),*) => {$(
        impl From<$t> for Number {
            fn from(n: $t) -> Self {
                if n >= 0 {
                    Number::PosInt(n as u64)
                } else {
                    Number::NegInt(n as i64)
                }
            }
        }
        impl From<$t> for Document {
            fn from(n: $t) -> Self {
                Document::Number(n.into())
            }
        }
    )*};
}

from_unsigned!(u8, u16, u32, u64, usize);
from_signed!(i8, i16, i32, i64, isize);

impl From<f64> for Number {
    fn from(f: f64) -> Self {
        Number::Float(f)
    }
}

impl From<f32> for Number {
    fn from(f: f32) -> Self {
        Number::Float(f64::from(f))
    }
}

impl From<f64> for Document {
    fn from(f: f64) -> Self {
        Document::Number(f.into())
    }
}

impl From<f32> for Document {
    fn from(f: f32) -> Self {
        Document::Number(f.into())
    }
}

#[cfg(feature = "serde")]
mod serde_impls {
    use super::{Document, Number};
    use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

    impl Serialize for Number {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match *self {
                Number::PosInt(n) => s.serialize_u64(n),
                Number::NegInt(n) => s.serialize_i64(n),
                Number::Float(f) if f.is_finite() => s.serialize_f64(f),
                Number::Float(_) => s.serialize_unit(),
            }
        }
    }

    impl Serialize for Document {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self {
                Document::Null => s.serialize_unit(),
                Document::Bool(b) => s.serialize_bool(*b),
                Document::Number(n) => n.serialize(s),
                Document::String(v) => s.serialize_str(v),
                Document::Array(items) => {
                    let mut seq = s.serialize_seq(Some(items.len()))?;
                    for item in items {
                        seq.serialize_element(item)?;
                    }
                    seq.end()
                }
                Document::Object(members) => {
                    let mut map = s.serialize_map(Some(members.len()))?;
                    for (k, v) in members {
                        map.serialize_entry(k, v)?;
                    }
                    map.end()
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Document {
        text.parse().unwrap()
    }

    #[test]
    fn json_text_reads_and_writes_back_unchanged() {
        for text in [
            r#"{"a":[1,-2,1.5,"x\"\n\u0001",true,null],"b":{}}"#,
            "18446744073709551615",
            "-9223372036854775808",
            "0.1",
            "1.0",
            "-0.0",
            "1e300",
            "1.5e-7",
            "123456789012345.0",
            r#""é😀\\""#,
            "[]",
        ] {
            assert_eq!(doc(text).to_string(), text, "{text}");
        }
    }

    #[test]
    fn numbers_keep_integer_or_float_as_received() {
        assert_eq!(doc("1"), Document::from(1));
        assert_eq!(doc("-1"), Document::Number(Number::NegInt(-1)));
        assert_eq!(doc("-0").to_string(), "-0.0");
        assert_eq!(doc("1.0"), Document::from(1.0));
        assert_ne!(doc("1"), doc("1.0"));
        // Beyond u64 and i64: the nearest float, as JSON parsers commonly do.
        assert_eq!(
            doc("18446744073709551616"),
            Document::from(18446744073709551616.0)
        );
        assert_eq!(
            doc("-9223372036854775809").as_f64(),
            Some(-9223372036854775809.0)
        );
        assert!("1e400".parse::<Document>().is_err());
        assert_eq!(Document::from(f64::NAN).to_string(), "null");
        assert_eq!(Document::from(i64::MIN).as_i64(), Some(i64::MIN));
        assert_eq!(Document::from(u64::MAX).as_i64(), None);
    }

    #[test]
    fn floats_read_back_to_the_same_value() {
        for f in [
            0.1,
            1.0 / 3.0,
            1e16,
            9.999e15,
            1e-5,
            9.99e-6,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            -2.5,
        ] {
            let text = Document::from(f).to_string();
            assert_eq!(doc(&text), Document::from(f), "{f} as {text}");
        }
    }

    #[test]
    fn accessors_and_bad_text() {
        let d = doc(r#"{"k":{"n":[true]}}"#);
        assert_eq!(
            d.get("k")
                .and_then(|k| k.get("n"))
                .and_then(Document::as_array)
                .map(Vec::len),
            Some(1)
        );
        assert_eq!(d.get("missing"), None);
        assert_eq!(d["k"]["n"][0], Document::Bool(true));
        assert!(d["k"]["x"][3].is_null());
        assert_eq!(Document::default(), Document::Null);
        assert!("{".parse::<Document>().is_err());
        assert!("1 2".parse::<Document>().is_err());
    }
}
