//! Runtime stage: value types that have no exact match in `std`.

use bytes::Bytes;
use std::fmt;

pub use crate::document::Document;

/// The value of an enum member this client does not know yet.
///
/// Services add enum values over time; a client built before the addition keeps
/// the received value here instead of failing. It cannot be constructed by users,
/// so a known value can never hide inside `Unknown`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue<T = String>(T);

impl<T> UnknownValue<T> {
    /// Used by generated code only.
    #[doc(hidden)]
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The value as received.
    pub fn value(&self) -> &T {
        &self.0
    }
}

impl UnknownValue<String> {
    /// The value as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<T: fmt::Display> fmt::Display for UnknownValue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A double as text outside JSON (headers, query strings, XML and form
/// bodies): its shortest form, or `NaN`, `Infinity`, `-Infinity`.
pub fn float_text(value: f64) -> std::borrow::Cow<'static, str> {
    match value {
        v if v.is_nan() => "NaN".into(),
        f64::INFINITY => "Infinity".into(),
        f64::NEG_INFINITY => "-Infinity".into(),
        v => v.to_string().into(),
    }
}

/// A float in its own shortest form (not widened to a double), or `NaN`,
/// `Infinity`, `-Infinity` (see [`float_text`]).
pub fn f32_text(value: f32) -> std::borrow::Cow<'static, str> {
    if value.is_finite() {
        value.to_string().into()
    } else {
        float_text(f64::from(value))
    }
}

macro_rules! big_number {
    ($name:ident, $doc:literal) => {
        #[doc = $doc]
        ///
        /// Kept as the decimal text received, so no digit is lost.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            /// Wraps decimal text. Returns `None` if it is not a JSON number.
            pub fn new(text: impl Into<String>) -> Option<Self> {
                let text = text.into();
                // Any size: checked against JSON's number grammar, not an f64.
                let mut r = crate::json::Reader::new(&text);
                let valid = r.number_text().is_ok()
                    && r.finish().is_ok()
                    && !text.starts_with(char::is_whitespace)
                    && !text.ends_with(char::is_whitespace);
                valid.then(|| Self(text))
            }
            /// The decimal text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
            /// The nearest `f64`, for range checks.
            pub fn to_f64(&self) -> f64 {
                self.0.parse().unwrap_or(f64::NAN)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        #[cfg(feature = "serde")]
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                crate::json::raw_number(&self.0)?.serialize(s)
            }
        }
    };
}

big_number!(BigInteger, "A Smithy `bigInteger`: an integer of any size.");
big_number!(
    BigDecimal,
    "A Smithy `bigDecimal`: a decimal number of any size and precision."
);

/// A builder was asked to build a value without all its required members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError {
    type_name: &'static str,
    missing: Vec<&'static str>,
}

impl BuildError {
    /// Used by generated builders.
    #[doc(hidden)]
    pub fn missing(type_name: &'static str, missing: Vec<&'static str>) -> Self {
        Self { type_name, missing }
    }

    /// The type that could not be built.
    pub fn type_name(&self) -> &str {
        self.type_name
    }

    /// The Smithy names of every required member that was not set.
    pub fn missing_members(&self) -> &[&'static str] {
        &self.missing
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot build {}: required member(s) not set: {}",
            self.type_name,
            self.missing.join(", ")
        )
    }
}

impl std::error::Error for BuildError {}

/// A Smithy `blob`: bytes.
///
/// A blob read from a JSON response is a view of the response body's base64
/// text: reading a page copies nothing, and the bytes are decoded (by a SIMD
/// decoder) only when asked for, into a buffer of the caller's
/// ([`decode_into`](Self::decode_into)) or a new one ([`to_vec`](Self::to_vec)).
/// Its base64 is checked then, so a malformed blob is an error at that point,
/// never silently empty. Blobs built by callers, read from CBOR or from an
/// HTTP payload hold their bytes.
#[derive(Clone)]
pub struct Blob(BlobRepr);

#[derive(Clone)]
enum BlobRepr {
    Bytes(Bytes),
    Base64(Bytes),
}

impl Blob {
    /// A blob of these bytes.
    pub fn new(bytes: impl Into<Bytes>) -> Self {
        Blob(BlobRepr::Bytes(bytes.into()))
    }

    /// A blob kept as base64 text until it is decoded. Used by the JSON reader.
    #[doc(hidden)]
    pub fn from_base64(text: Bytes) -> Self {
        Blob(BlobRepr::Base64(text))
    }

    /// Replaces `out`'s contents with the blob's bytes, reusing its capacity.
    pub fn decode_into(&self, out: &mut Vec<u8>) -> Result<(), crate::base64::Base64Error> {
        out.clear();
        match &self.0 {
            BlobRepr::Bytes(b) => {
                out.extend_from_slice(b);
                Ok(())
            }
            BlobRepr::Base64(text) => crate::base64::decode_append(text, out),
        }
    }

    /// The bytes, in a new buffer.
    pub fn to_vec(&self) -> Result<Vec<u8>, crate::base64::Base64Error> {
        match &self.0 {
            BlobRepr::Bytes(b) => Ok(b.to_vec()),
            BlobRepr::Base64(text) => crate::base64::decode(text),
        }
    }

    /// The bytes: shared without copying when the blob holds them, else decoded.
    pub fn into_bytes(self) -> Result<Bytes, crate::base64::Base64Error> {
        match self.0 {
            BlobRepr::Bytes(b) => Ok(b),
            BlobRepr::Base64(text) => crate::base64::decode(&text).map(Bytes::from),
        }
    }

    /// The bytes, borrowed when the blob holds them, else decoded.
    pub fn bytes(&self) -> Result<std::borrow::Cow<'_, [u8]>, crate::base64::Base64Error> {
        match &self.0 {
            BlobRepr::Bytes(b) => Ok(std::borrow::Cow::Borrowed(b)),
            BlobRepr::Base64(text) => crate::base64::decode(text).map(std::borrow::Cow::Owned),
        }
    }

    /// The bytes, if the blob holds them rather than base64 text.
    pub fn as_decoded(&self) -> Option<&[u8]> {
        match &self.0 {
            BlobRepr::Bytes(b) => Some(b),
            BlobRepr::Base64(_) => None,
        }
    }

    /// The base64 text as received, if the blob has not been decoded.
    pub fn base64_text(&self) -> Option<&[u8]> {
        match &self.0 {
            BlobRepr::Bytes(_) => None,
            BlobRepr::Base64(text) => Some(text),
        }
    }

    /// The base64 text: as received when the blob was never decoded, else
    /// encoded now. Text as received has no characters JSON must escape.
    pub fn to_base64(&self) -> std::borrow::Cow<'_, [u8]> {
        match &self.0 {
            BlobRepr::Bytes(b) => std::borrow::Cow::Owned(crate::base64::encode(b).into_bytes()),
            BlobRepr::Base64(text) => std::borrow::Cow::Borrowed(text),
        }
    }

    /// The number of bytes, worked out from the base64 text without decoding
    /// it (exact for well-formed base64).
    pub fn len(&self) -> usize {
        match &self.0 {
            BlobRepr::Bytes(b) => b.len(),
            BlobRepr::Base64(text) => crate::base64::decoded_len(text),
        }
    }

    /// Whether the blob has no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for Blob {
    fn default() -> Self {
        Blob::new(Bytes::new())
    }
}

impl From<Vec<u8>> for Blob {
    fn from(v: Vec<u8>) -> Self {
        Blob::new(v)
    }
}

impl From<Bytes> for Blob {
    fn from(v: Bytes) -> Self {
        Blob::new(v)
    }
}

impl From<&'static [u8]> for Blob {
    fn from(v: &'static [u8]) -> Self {
        Blob::new(v)
    }
}

impl PartialEq for Blob {
    /// Compares the bytes; a blob whose base64 is malformed equals only a
    /// blob with the same text.
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (BlobRepr::Bytes(a), BlobRepr::Bytes(b)) => a == b,
            (BlobRepr::Base64(a), BlobRepr::Base64(b)) if a == b => true,
            _ => match (self.bytes(), other.bytes()) {
                (Ok(a), Ok(b)) => a == b,
                _ => false,
            },
        }
    }
}

impl Eq for Blob {}

impl std::hash::Hash for Blob {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match self.bytes() {
            Ok(b) => b.hash(state),
            Err(_) => self.base64_text().hash(state),
        }
    }
}

impl fmt::Debug for Blob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            BlobRepr::Bytes(b) if b.len() <= 64 => f.debug_tuple("Blob").field(b).finish(),
            _ => write!(f, "Blob({} bytes)", self.len()),
        }
    }
}

#[cfg(feature = "aws-smithy-types")]
pub(crate) mod aws {
    use super::*;

    impl From<aws_smithy_types::Blob> for Blob {
        fn from(b: aws_smithy_types::Blob) -> Self {
            Blob::new(b.into_inner())
        }
    }

    /// An `aws_smithy_types::Document` as this crate's [`Document`].
    pub fn document_from_aws(d: aws_smithy_types::Document) -> Document {
        use aws_smithy_types::{Document as D, Number as N};
        match d {
            D::Object(m) => Document::Object(
                m.into_iter()
                    .map(|(k, v)| (k, document_from_aws(v)))
                    .collect(),
            ),
            D::Array(a) => Document::Array(a.into_iter().map(document_from_aws).collect()),
            D::Number(N::PosInt(n)) => Document::from(n),
            D::Number(N::NegInt(n)) => Document::from(n),
            D::Number(N::Float(f)) => Document::from(f),
            D::String(s) => Document::String(s),
            D::Bool(b) => Document::Bool(b),
            D::Null => Document::Null,
        }
    }

    /// This crate's [`Document`] as an `aws_smithy_types::Document`.
    pub fn document_to_aws(d: &Document) -> aws_smithy_types::Document {
        use aws_smithy_types::{Document as D, Number as N};
        match d {
            Document::Object(m) => D::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), document_to_aws(v)))
                    .collect(),
            ),
            Document::Array(a) => D::Array(a.iter().map(document_to_aws).collect()),
            Document::Number(n) => D::Number(match *n {
                crate::document::Number::PosInt(u) => N::PosInt(u),
                crate::document::Number::NegInt(i) => N::NegInt(i),
                crate::document::Number::Float(f) => N::Float(f),
            }),
            Document::String(s) => D::String(s.clone()),
            Document::Bool(b) => D::Bool(*b),
            Document::Null => D::Null,
        }
    }

    impl TryFrom<Blob> for aws_smithy_types::Blob {
        type Error = crate::base64::Base64Error;

        /// Decodes a blob still held as base64 text.
        fn try_from(b: Blob) -> Result<Self, Self::Error> {
            b.into_bytes()
                .map(|bytes| aws_smithy_types::Blob::new(bytes.to_vec()))
        }
    }
}

#[cfg(all(test, feature = "aws-smithy-types"))]
mod aws_tests {
    use super::aws::{document_from_aws, document_to_aws};
    use super::*;

    #[test]
    fn documents_and_blobs_convert_both_ways() {
        let doc: Document = r#"{"a": [1, -2, 1.5, "x", true, null], "b": {}}"#.parse().unwrap();
        assert_eq!(document_from_aws(document_to_aws(&doc)), doc);
        let blob = Blob::from_base64(bytes::Bytes::from_static(b"aGk="));
        let theirs = aws_smithy_types::Blob::try_from(blob).unwrap();
        assert_eq!(theirs.as_ref(), b"hi");
        assert_eq!(Blob::from(theirs), Blob::new(&b"hi"[..]));
        let t = crate::DateTime::from_secs_and_nanos(-5, 7);
        let back: crate::DateTime = aws_smithy_types::DateTime::from(t).into();
        assert_eq!(back, t);
    }
}
