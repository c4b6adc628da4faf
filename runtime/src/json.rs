//! Runtime stage: JSON codecs for restJson1 bodies.
//!
//! Generated types derive serde's traits. Values whose JSON form is not their
//! serde default (timestamps, blobs, non-finite floats) are routed through a
//! codec named in a `#[serde(with = "As::<…>")]` attribute: `As::<Option<Vec<EpochSeconds>>>`
//! reads and writes an `Option<Vec<DateTime>>` with each timestamp as epoch seconds.
//! Codecs compose through `Option`, `Vec` and `BTreeMap` the way the types do.

use crate::{Blob, DateTime};
use aws_smithy_types::date_time::Format;
use base64::Engine as _;
use serde::de::{Deserialize, DeserializeOwned, Deserializer, Error as _};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::marker::PhantomData;

/// Writes a `T` in the JSON form the codec stands for.
pub trait SerializeAs<T: ?Sized> {
    /// Serialises `value`.
    fn serialize_as<S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error>;
}

/// Reads a `T` from the JSON form the codec stands for.
pub trait DeserializeAs<'de, T> {
    /// Deserialises a value.
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<T, D::Error>;
}

/// The adapter named in `#[serde(with = "As::<Codec>")]`.
pub struct As<C>(PhantomData<C>);

impl<C> As<C> {
    /// Called by serde's derive.
    pub fn serialize<T: ?Sized, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error>
    where
        C: SerializeAs<T>,
    {
        C::serialize_as(value, s)
    }

    /// Called by serde's derive.
    pub fn deserialize<'de, T, D: Deserializer<'de>>(d: D) -> Result<T, D::Error>
    where
        C: DeserializeAs<'de, T>,
    {
        C::deserialize_as(d)
    }
}

/// A value's own serde form.
pub struct Same;

impl<T: Serialize + ?Sized> SerializeAs<T> for Same {
    fn serialize_as<S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
        value.serialize(s)
    }
}

impl<'de, T: Deserialize<'de>> DeserializeAs<'de, T> for Same {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
        T::deserialize(d)
    }
}

/// Adapts a codec to serde's `Serialize` for one value.
pub struct Ser<'a, T: ?Sized, C>(&'a T, PhantomData<C>);

impl<'a, T: ?Sized, C> Ser<'a, T, C> {
    /// Wraps `value` to be written through codec `C`.
    pub fn new(value: &'a T) -> Self {
        Ser(value, PhantomData)
    }
}

impl<T: ?Sized, C: SerializeAs<T>> Serialize for Ser<'_, T, C> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        C::serialize_as(self.0, s)
    }
}

/// Adapts a codec to serde's `Deserialize` for one value.
pub struct De<T, C>(T, PhantomData<C>);

impl<T, C> De<T, C> {
    /// The value read.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<'de, T, C: DeserializeAs<'de, T>> Deserialize<'de> for De<T, C> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        C::deserialize_as(d).map(|v| De(v, PhantomData))
    }
}

impl<T, C: SerializeAs<T>> SerializeAs<Option<T>> for Option<C> {
    fn serialize_as<S: Serializer>(value: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => s.serialize_some(&Ser::<T, C>(v, PhantomData)),
            None => s.serialize_none(),
        }
    }
}

impl<'de, T, C: DeserializeAs<'de, T>> DeserializeAs<'de, Option<T>> for Option<C> {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<Option<T>, D::Error> {
        Ok(Option::<De<T, C>>::deserialize(d)?.map(|v| v.0))
    }
}

impl<T, C: SerializeAs<T>> SerializeAs<Vec<T>> for Vec<C> {
    fn serialize_as<S: Serializer>(value: &Vec<T>, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(value.len()))?;
        for v in value {
            seq.serialize_element(&Ser::<T, C>(v, PhantomData))?;
        }
        seq.end()
    }
}

impl<'de, T, C: DeserializeAs<'de, T>> DeserializeAs<'de, Vec<T>> for Vec<C> {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<Vec<T>, D::Error> {
        Ok(Vec::<De<T, C>>::deserialize(d)?.into_iter().map(|v| v.0).collect())
    }
}

impl<K: Serialize + Ord, T, C: SerializeAs<T>> SerializeAs<BTreeMap<K, T>> for BTreeMap<Same, C> {
    fn serialize_as<S: Serializer>(value: &BTreeMap<K, T>, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(value.len()))?;
        for (k, v) in value {
            map.serialize_entry(k, &Ser::<T, C>(v, PhantomData))?;
        }
        map.end()
    }
}

impl<'de, K: Deserialize<'de> + Ord, T, C: DeserializeAs<'de, T>> DeserializeAs<'de, BTreeMap<K, T>> for BTreeMap<Same, C> {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<BTreeMap<K, T>, D::Error> {
        Ok(BTreeMap::<K, De<T, C>>::deserialize(d)?.into_iter().map(|(k, v)| (k, v.0)).collect())
    }
}

/// Wraps already-formatted number text so serde_json writes it verbatim.
pub fn raw_number<E: serde::ser::Error>(text: &str) -> Result<Box<RawValue>, E> {
    RawValue::from_string(text.to_string()).map_err(E::custom)
}

/// Reads a JSON number as its exact text (no trip through `f64`).
pub fn number_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    with_number_text(d, |text| Ok(text.to_string()))
}

/// Reads a JSON number and hands its exact text to `f`, without copying it.
pub fn with_number_text<'de, D: Deserializer<'de>, T>(d: D, f: impl FnOnce(&str) -> Result<T, String>) -> Result<T, D::Error> {
    let raw = Box::<RawValue>::deserialize(d)?;
    let text = raw.get().trim();
    if text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        f(text).map_err(D::Error::custom)
    } else {
        Err(D::Error::custom(format!("expected a number, found {text}")))
    }
}

/// Timestamps as epoch seconds: a JSON number, fractional to the nanosecond,
/// read and written exactly.
pub struct EpochSeconds;

impl SerializeAs<DateTime> for EpochSeconds {
    fn serialize_as<S: Serializer>(value: &DateTime, s: S) -> Result<S::Ok, S::Error> {
        let text = value.fmt(Format::EpochSeconds).map_err(serde::ser::Error::custom)?;
        raw_number::<S::Error>(&text)?.serialize(s)
    }
}

impl<'de> DeserializeAs<'de, DateTime> for EpochSeconds {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<DateTime, D::Error> {
        with_number_text(d, parse_epoch_seconds)
    }
}

/// Parses exact epoch-seconds text, accepting exponent notation as a fallback.
pub fn parse_epoch_seconds(text: &str) -> Result<DateTime, String> {
    if let Some(t) = parse_plain_epoch_seconds(text.as_bytes()) {
        return Ok(t);
    }
    if let Ok(t) = DateTime::from_str(text, Format::EpochSeconds) {
        return Ok(t);
    }
    match text.parse::<f64>() {
        Ok(f) if f.is_finite() && text.contains(['e', 'E']) => Ok(DateTime::from_secs_f64(f)),
        _ => Err(format!("{text} is not a timestamp in epoch seconds")),
    }
}

/// The common case in one pass: non-negative seconds with at most nine
/// fractional digits (`1700000000`, `1700000000.123`).
fn parse_plain_epoch_seconds(text: &[u8]) -> Option<DateTime> {
    let mut secs: i64 = 0;
    let mut i = 0;
    while i < text.len() && text[i].is_ascii_digit() {
        secs = secs.checked_mul(10)?.checked_add(i64::from(text[i] - b'0'))?;
        i += 1;
    }
    if i == 0 {
        return None;
    }
    let mut nanos: u32 = 0;
    if i < text.len() {
        if text[i] != b'.' || i + 1 == text.len() || text.len() - i - 1 > 9 {
            return None;
        }
        let mut scale = 100_000_000;
        for &b in &text[i + 1..] {
            if !b.is_ascii_digit() {
                return None;
            }
            nanos += u32::from(b - b'0') * scale;
            scale /= 10;
        }
    }
    Some(DateTime::from_secs_and_nanos(secs, nanos))
}

/// Timestamps as RFC 3339 `date-time` strings.
pub struct DateTimeText;

/// Timestamps as IMF-fixdate `http-date` strings.
pub struct HttpDate;

macro_rules! text_timestamp {
    ($codec:ident, $format:expr, $what:literal) => {
        impl SerializeAs<DateTime> for $codec {
            fn serialize_as<S: Serializer>(value: &DateTime, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&value.fmt($format).map_err(serde::ser::Error::custom)?)
            }
        }

        impl<'de> DeserializeAs<'de, DateTime> for $codec {
            fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<DateTime, D::Error> {
                let text = std::borrow::Cow::<str>::deserialize(d)?;
                DateTime::from_str(&text, $format)
                    .map_err(|e| D::Error::custom(format!("{text:?} is not {}: {e}", $what)))
            }
        }
    };
}

text_timestamp!(DateTimeText, Format::DateTime, "an RFC 3339 date-time");
text_timestamp!(HttpDate, Format::HttpDate, "an HTTP date");

/// Blobs as base64 text.
pub struct Base64;

impl SerializeAs<Blob> for Base64 {
    fn serialize_as<S: Serializer>(value: &Blob, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(value.as_ref()))
    }
}

impl<'de> DeserializeAs<'de, Blob> for Base64 {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<Blob, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map(Blob::new)
            .map_err(|e| D::Error::custom(format!("invalid base64 in a blob: {e}")))
    }
}

/// Floats, with `"NaN"`, `"Infinity"` and `"-Infinity"` as strings, as restJson1 writes them.
pub struct Float;

macro_rules! float_codec {
    ($t:ty) => {
        impl SerializeAs<$t> for Float {
            fn serialize_as<S: Serializer>(value: &$t, s: S) -> Result<S::Ok, S::Error> {
                if value.is_nan() {
                    s.serialize_str("NaN")
                } else if value.is_infinite() {
                    s.serialize_str(if *value > 0.0 { "Infinity" } else { "-Infinity" })
                } else {
                    value.serialize(s)
                }
            }
        }

        impl<'de> DeserializeAs<'de, $t> for Float {
            fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<$t, D::Error> {
                #[derive(serde::Deserialize)]
                #[serde(untagged)]
                enum Repr<'a> {
                    Number($t),
                    #[serde(borrow)]
                    Text(std::borrow::Cow<'a, str>),
                }
                match Repr::deserialize(d)? {
                    Repr::Number(n) => Ok(n),
                    Repr::Text(t) => match &*t {
                        "NaN" => Ok(<$t>::NAN),
                        "Infinity" => Ok(<$t>::INFINITY),
                        "-Infinity" => Ok(<$t>::NEG_INFINITY),
                        other => Err(D::Error::custom(format!("expected a number, found {other:?}"))),
                    },
                }
            }
        }
    };
}

float_codec!(f32);
float_codec!(f64);

/// Reads a string-valued enum without copying when the input allows it.
pub fn enum_text<'de, D: Deserializer<'de>>(d: D) -> Result<std::borrow::Cow<'de, str>, D::Error> {
    std::borrow::Cow::<'de, str>::deserialize(d)
}

/// Parses a restJson1 response body. An empty body is read as `{}`.
pub fn from_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, serde_json::Error> {
    let trimmed = body.iter().all(u8::is_ascii_whitespace);
    serde_json::from_slice(if trimmed { b"{}" } else { body })
}
