//! Runtime stage: the JSON writer of request bodies. Generated code
//! implements [`WriteJson`] for the types a request sends, member by member,
//! so the wire form lives in codec impls beside the types rather than in
//! attributes on them: timestamps in the member's format, blobs as base64,
//! NaN and the infinities as strings, big numbers verbatim.

use crate::DateTimeFormat as Format;
use crate::{BigDecimal, BigInteger, Blob, DateTime, Document};

/// A type generated code writes as JSON.
pub trait WriteJson {
    /// Writes the value.
    fn write_json(&self, w: &mut Writer);
}

/// Encodes `value`, or says why it cannot be sent (an unknown union
/// variant, a timestamp outside the format's range).
pub fn to_vec<T: WriteJson + ?Sized>(value: &T) -> Result<Vec<u8>, String> {
    // Most request bodies fit; growing from empty would reallocate the
    // body five or six times on the way.
    let mut w = Writer {
        out: Vec::with_capacity(256),
        ..Writer::default()
    };
    value.write_json(&mut w);
    match w.failure {
        Some(reason) => Err(reason),
        None => Ok(w.out),
    }
}

/// Writes JSON into memory. Writing to a `Vec` cannot fail; a value that
/// cannot be written records why, and [`to_vec`] returns it.
#[derive(Debug, Default)]
pub struct Writer {
    out: Vec<u8>,
    /// Whether the next key or item needs a comma before it.
    comma: bool,
    failure: Option<String>,
}

impl Writer {
    /// Records that the value cannot be sent.
    pub fn fail(&mut self, reason: impl Into<String>) {
        if self.failure.is_none() {
            self.failure = Some(reason.into());
        }
    }

    fn separate(&mut self) {
        if self.comma {
            self.out.push(b',');
        }
    }

    /// `{`; members follow as [`key`](Self::key) and a value.
    pub fn begin_object(&mut self) {
        self.out.push(b'{');
        self.comma = false;
    }

    /// `}`.
    pub fn end_object(&mut self) {
        self.out.push(b'}');
        self.comma = true;
    }

    /// `[`; each item follows [`item`](Self::item).
    pub fn begin_array(&mut self) {
        self.out.push(b'[');
        self.comma = false;
    }

    /// `]`.
    pub fn end_array(&mut self) {
        self.out.push(b']');
        self.comma = true;
    }

    /// A member's key; its value comes next.
    pub fn key(&mut self, key: &str) {
        self.separate();
        self.string(key);
        self.out.push(b':');
        self.comma = false;
    }

    /// Before each item of an array.
    pub fn item(&mut self) {
        self.separate();
        self.comma = false;
    }

    fn done(&mut self) {
        self.comma = true;
    }

    fn string(&mut self, v: &str) {
        write_escaped(v, &mut self.out);
    }

    /// A string.
    pub fn str(&mut self, v: &str) {
        self.string(v);
        self.done();
    }

    /// A boolean.
    pub fn bool(&mut self, v: bool) {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        self.done();
    }

    /// An integer.
    pub fn int(&mut self, v: impl Into<i64>) {
        self.out
            .extend_from_slice(itoa::Buffer::new().format(v.into()).as_bytes());
        self.done();
    }

    /// `null`.
    pub fn null(&mut self) {
        self.out.extend_from_slice(b"null");
        self.done();
    }

    fn non_finite(&mut self, nan: bool, positive: bool) {
        self.str(match (nan, positive) {
            (true, _) => "NaN",
            (false, true) => "Infinity",
            (false, false) => "-Infinity",
        });
    }

    /// A double; NaN and the infinities as the strings the protocols use.
    pub fn f64(&mut self, v: f64) {
        if v.is_finite() {
            crate::document::write_float(v, &mut self.out);
            self.done();
        } else {
            self.non_finite(v.is_nan(), v > 0.0);
        }
    }

    /// A float, written in its own shortest form (not widened to `f64`).
    pub fn f32(&mut self, v: f32) {
        if v.is_finite() {
            crate::document::write_f32(v, &mut self.out);
            self.done();
        } else {
            self.non_finite(v.is_nan(), v > 0.0);
        }
    }

    /// A blob, as base64 text.
    pub fn blob(&mut self, v: &Blob) {
        // Base64 needs no escaping; text as received goes back untouched.
        self.out.push(b'"');
        self.out.extend_from_slice(&v.to_base64());
        self.out.push(b'"');
        self.done();
    }

    /// A big number, as its digits.
    pub fn big_integer(&mut self, v: &BigInteger) {
        self.out.extend_from_slice(v.as_str().as_bytes());
        self.done();
    }

    /// A big decimal, as its digits.
    pub fn big_decimal(&mut self, v: &BigDecimal) {
        self.out.extend_from_slice(v.as_str().as_bytes());
        self.done();
    }

    /// A document, as it is.
    pub fn document(&mut self, v: &Document) {
        match v {
            Document::Null => self.out.extend_from_slice(b"null"),
            Document::Bool(b) => self
                .out
                .extend_from_slice(if *b { b"true" } else { b"false" }),
            Document::Number(n) => n.write(&mut self.out),
            Document::String(s) => self.string(s),
            Document::Array(items) => {
                self.begin_array();
                for item in items {
                    self.item();
                    self.document(item);
                }
                self.out.push(b']');
            }
            Document::Object(members) => {
                self.begin_object();
                for (k, item) in members {
                    self.key(k);
                    self.document(item);
                }
                self.out.push(b'}');
            }
        }
        self.done();
    }

    /// The text written so far.
    pub fn into_bytes(self) -> Vec<u8> {
        self.out
    }

    /// A timestamp as epoch seconds: a number, fractional to the nanosecond.
    pub fn epoch_seconds(&mut self, v: &DateTime) {
        if v.subsec_nanos() == 0 {
            self.int(v.secs());
            return;
        }
        match v.fmt(Format::EpochSeconds) {
            Ok(text) => {
                self.out.extend_from_slice(text.as_bytes());
                self.done();
            }
            Err(e) => self.timestamp_failure(e),
        }
    }

    /// A timestamp as an RFC 3339 `date-time` string.
    pub fn date_time(&mut self, v: &DateTime) {
        match v.fmt(Format::DateTime) {
            Ok(text) => self.str(&text),
            Err(e) => self.timestamp_failure(e),
        }
    }

    /// A timestamp as an IMF-fixdate `http-date` string.
    pub fn http_date(&mut self, v: &DateTime) {
        match v.fmt(Format::HttpDate) {
            Ok(text) => self.str(&text),
            Err(e) => self.timestamp_failure(e),
        }
    }

    fn timestamp_failure(&mut self, e: impl std::fmt::Display) {
        self.fail(format!("a timestamp cannot be written: {e}"));
        self.null();
    }
}

/// A JSON string: quotes, backslashes and control characters escaped (the
/// short forms where JSON has them), everything else as it is.
fn write_escaped(v: &str, out: &mut Vec<u8>) {
    out.reserve(v.len() + 2);
    out.push(b'"');
    let bytes = v.as_bytes();
    // Nearly every string (every key, most values) has nothing to escape:
    // found eight bytes at a time, it is copied whole.
    if super::read::find_special_swar(bytes) == bytes.len() {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            b'\n' => b'n',
            b'\r' => b'r',
            b'\t' => b't',
            0x08 => b'b',
            0x0c => b'f',
            0x00..=0x1f => 0,
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        start = i + 1;
        if short == 0 {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xf)]);
        } else {
            out.push(b'\\');
            out.push(short);
        }
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

impl WriteJson for Document {
    fn write_json(&self, w: &mut Writer) {
        w.document(self);
    }
}

impl<T: WriteJson + ?Sized> WriteJson for Box<T> {
    fn write_json(&self, w: &mut Writer) {
        (**self).write_json(w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Sample;

    impl WriteJson for Sample {
        fn write_json(&self, w: &mut Writer) {
            w.begin_object();
            w.key("a\"b");
            w.begin_array();
            for v in [1.5, f64::NAN, f64::NEG_INFINITY] {
                w.item();
                w.f64(v);
            }
            w.end_array();
            w.key("f");
            w.f32(0.1);
            w.key("e");
            w.begin_object();
            w.end_object();
            w.key("t");
            w.epoch_seconds(&DateTime::from_secs_and_nanos(1, 500_000_000));
            w.key("d");
            w.date_time(&DateTime::from_secs(0));
            w.key("b");
            w.blob(&Blob::new(b"hi".to_vec()));
            w.end_object();
        }
    }

    #[test]
    fn strings_round_trip_with_a_special_character_anywhere() {
        for len in 0..20 {
            for at in 0..=len {
                for special in ['"', '\\', '\n', '\u{1}', '\u{1f}', '\u{7f}', 'é', 'a'] {
                    let mut s: String = "x".repeat(len);
                    s.insert(at, special);
                    let mut w = Writer::default();
                    w.str(&s);
                    let text = String::from_utf8(w.out.clone()).unwrap();
                    let back = crate::json::read::Reader::new(&text).string();
                    assert_eq!(back.as_deref(), Ok(&*s), "{text}");
                }
            }
        }
    }

    #[test]
    fn writes_valid_json_with_the_protocol_forms() {
        let text = String::from_utf8(to_vec(&Sample).unwrap()).unwrap();
        assert_eq!(
            text,
            r#"{"a\"b":[1.5,"NaN","-Infinity"],"f":0.1,"e":{},"t":1.5,"d":"1970-01-01T00:00:00Z","b":"aGk="}"#
        );
        serde_json::from_str::<serde_json::Value>(&text).unwrap();
    }

    #[test]
    fn floats_are_written_in_their_own_shortest_form_and_stay_floats() {
        let text = |write: &dyn Fn(&mut Writer)| {
            let mut w = Writer::default();
            write(&mut w);
            String::from_utf8(w.into_bytes()).unwrap()
        };
        assert_eq!(text(&|w| w.f32(3.4028235e38)), "3.4028235e38");
        assert_eq!(text(&|w| w.f32(1e-7)), "1e-7");
        assert_eq!(text(&|w| w.f32(16777216.0)), "16777216.0");
        assert_eq!(text(&|w| w.f64(1e16)), "1e16");
        assert_eq!(text(&|w| w.f64(-2.0)), "-2.0");
        assert_eq!(text(&|w| w.int(-7)), "-7");
    }
}
