//! Runtime stage: JSON for restJson1 and awsJson bodies. Requests are written
//! by generated [`WriteJson`] impls driving [`write::Writer`]; responses are
//! read by generated [`ReadJson`] impls driving [`read::Reader`] (see that
//! module for why). The serde codecs below (`As::<…>`) serve the opt-in
//! `serde` feature of generated crates: `As::<Option<Vec<DateTimeText>>>`
//! writes an `Option<Vec<DateTime>>` with each timestamp as RFC 3339 text.

pub mod read;
pub mod write;

pub use read::{from_bytes, from_slice, ReadError, ReadErrorKind, ReadJson, Reader};
pub use write::{to_vec, WriteJson, Writer};

use crate::{Blob, DateTime};
use aws_smithy_types::date_time::Format;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::marker::PhantomData;

/// Writes a `T` in the JSON form the codec stands for.
pub trait SerializeAs<T: ?Sized> {
    /// Serialises `value`.
    fn serialize_as<S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error>;
}

/// The adapter named in `#[serde(serialize_with = "As::<Codec>::serialize")]`.
pub struct As<C>(PhantomData<C>);

impl<C> As<C> {
    /// Called by serde's derive.
    pub fn serialize<T: ?Sized, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error>
    where
        C: SerializeAs<T>,
    {
        C::serialize_as(value, s)
    }
}

/// A value's own serde form.
pub struct Same;

impl<T: Serialize + ?Sized> SerializeAs<T> for Same {
    fn serialize_as<S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
        value.serialize(s)
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

impl<T, C: SerializeAs<T>> SerializeAs<Option<T>> for Option<C> {
    fn serialize_as<S: Serializer>(value: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => s.serialize_some(&Ser::<T, C>(v, PhantomData)),
            None => s.serialize_none(),
        }
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

impl<K: Serialize + Ord, T, C: SerializeAs<T>> SerializeAs<BTreeMap<K, T>> for BTreeMap<Same, C> {
    fn serialize_as<S: Serializer>(value: &BTreeMap<K, T>, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(value.len()))?;
        for (k, v) in value {
            map.serialize_entry(k, &Ser::<T, C>(v, PhantomData))?;
        }
        map.end()
    }
}

/// Wraps already-formatted number text so serde_json writes it verbatim.
pub fn raw_number<E: serde::ser::Error>(text: &str) -> Result<Box<RawValue>, E> {
    RawValue::from_string(text.to_string()).map_err(E::custom)
}

/// Parses epoch-seconds text exactly to the nanosecond: digits past the ninth
/// fractional one are dropped, rounding down (toward the past). Exponent
/// notation (`1.7e9`) goes through `f64`, within ±10^16 seconds.
pub fn parse_epoch_seconds(text: &str) -> Result<DateTime, String> {
    if let Some(t) = parse_decimal_epoch_seconds(text.as_bytes()) {
        return Ok(t);
    }
    match text.parse::<f64>() {
        Ok(f) if f.abs() < 1e16 && text.contains(['e', 'E']) => Ok(DateTime::from_secs_f64(f)),
        Ok(f) if f.is_finite() && text.contains(['e', 'E']) => {
            Err(format!("{text} is out of range for a timestamp"))
        }
        _ => Err(format!("{text} is not a timestamp in epoch seconds")),
    }
}

/// Plain decimal text (`1700000000`, `-1.5`, `1700000000.1234567891`), or
/// `None` for anything else.
fn parse_decimal_epoch_seconds(text: &[u8]) -> Option<DateTime> {
    let (negative, text) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let int_len = text.iter().take_while(|b| b.is_ascii_digit()).count();
    if int_len == 0 {
        return None;
    }
    let mut secs: i64 = 0;
    for &b in &text[..int_len] {
        secs = secs.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
    }
    let (mut nanos, mut dropped) = (0u32, false);
    if let Some(rest) = text.get(int_len..).filter(|r| !r.is_empty()) {
        let fraction = rest.strip_prefix(b".")?;
        if fraction.is_empty() || !fraction.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let mut scale = 100_000_000;
        for (k, &b) in fraction.iter().enumerate() {
            if k < 9 {
                nanos += u32::from(b - b'0') * scale;
                scale /= 10;
            } else {
                dropped |= b != b'0';
            }
        }
    }
    if !negative {
        return Some(DateTime::from_secs_and_nanos(secs, nanos));
    }
    // -(secs + fraction), rounded down to the nanosecond.
    let mut magnitude_nanos = nanos + u32::from(dropped);
    if magnitude_nanos == 1_000_000_000 {
        secs = secs.checked_add(1)?;
        magnitude_nanos = 0;
    }
    Some(if magnitude_nanos == 0 {
        DateTime::from_secs_and_nanos(secs.checked_neg()?, 0)
    } else {
        DateTime::from_secs_and_nanos(
            secs.checked_neg()?.checked_sub(1)?,
            1_000_000_000 - magnitude_nanos,
        )
    })
}

/// Timestamps as RFC 3339 `date-time` strings.
pub struct DateTimeText;

impl SerializeAs<DateTime> for DateTimeText {
    fn serialize_as<S: Serializer>(value: &DateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(
            &value
                .fmt(Format::DateTime)
                .map_err(serde::ser::Error::custom)?,
        )
    }
}

/// Blobs as base64 text.
pub struct Base64;

impl SerializeAs<Blob> for Base64 {
    fn serialize_as<S: Serializer>(value: &Blob, s: S) -> Result<S::Ok, S::Error> {
        let text = value.to_base64();
        s.serialize_str(std::str::from_utf8(&text).map_err(serde::ser::Error::custom)?)
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
                    s.serialize_str(if *value > 0.0 {
                        "Infinity"
                    } else {
                        "-Infinity"
                    })
                } else {
                    value.serialize(s)
                }
            }
        }
    };
}

float_codec!(f32);
float_codec!(f64);
