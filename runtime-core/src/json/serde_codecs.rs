//! Runtime stage: the serde codecs behind the `serde` feature of generated
//! crates (`As::<Option<Vec<DateTimeText>>>` writes an
//! `Option<Vec<DateTime>>` with each timestamp as RFC 3339 text).

use crate::DateTimeFormat as Format;
use crate::{Blob, DateTime};
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
