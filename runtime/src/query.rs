//! Runtime stage, codecs: the form-encoded request bodies of awsQuery and
//! ec2Query (`Action=…&Version=…&Name.member.1=…`). Generated `WriteQuery`
//! impls decide each value's key (the protocol's list, map and flattening
//! rules); this module encodes keys and values and writes scalars as the
//! protocols spell them.

use crate::{BigDecimal, BigInteger, Blob, DateTime, DateTimeFormat};

/// A type generated code writes as query parameters.
pub trait WriteQuery {
    /// Writes the value's parameters, each key under `prefix` (see [`key`]).
    fn write_query(&self, w: &mut Writer, prefix: &str);
}

/// `prefix.name`, or `name` at the top level.
pub fn key(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        let mut k = String::with_capacity(prefix.len() + 1 + name.len());
        k.push_str(prefix);
        k.push('.');
        k.push_str(name);
        k
    }
}

/// `prefix.index` (list items and map entries count from 1).
pub fn indexed(prefix: &str, index: usize) -> String {
    format!("{prefix}.{}", index + 1)
}

/// An `application/x-www-form-urlencoded` body being written.
#[derive(Debug)]
pub struct Writer {
    out: String,
    failure: Option<String>,
}

impl Writer {
    /// A body naming the operation (`Action`) and the API version (`Version`).
    pub fn new(action: &str, version: &str) -> Self {
        let mut w = Writer {
            out: String::with_capacity(128),
            failure: None,
        };
        w.str("Action", action);
        w.str("Version", version);
        w
    }

    /// Records that the value cannot be sent.
    pub fn fail(&mut self, reason: impl Into<String>) {
        if self.failure.is_none() {
            self.failure = Some(reason.into());
        }
    }

    /// `key=` with no value (an empty list in awsQuery).
    pub fn empty(&mut self, key: &str) {
        self.str(key, "");
    }

    /// A string value.
    pub fn str(&mut self, key: &str, value: &str) {
        if !self.out.is_empty() {
            self.out.push('&');
        }
        crate::wire::percent_encode_into(&mut self.out, key);
        self.out.push('=');
        crate::wire::percent_encode_into(&mut self.out, value);
    }

    /// A boolean, `true` or `false`.
    pub fn bool(&mut self, key: &str, value: bool) {
        self.str(key, if value { "true" } else { "false" });
    }

    /// An integer.
    pub fn int(&mut self, key: &str, value: impl Into<i64>) {
        let mut buf = itoa::Buffer::new();
        self.str(key, buf.format(value.into()));
    }

    /// A double: its shortest form, or `NaN`, `Infinity`, `-Infinity`.
    pub fn f64(&mut self, key: &str, value: f64) {
        let text = crate::wire::fmt_f64(value);
        self.str(key, &text);
    }

    /// A float, in its own shortest form.
    pub fn f32(&mut self, key: &str, value: f32) {
        self.str(key, &smithy_client_core::f32_text(value));
    }

    /// A blob, as base64.
    pub fn blob(&mut self, key: &str, value: &Blob) {
        let text = value.to_base64();
        self.str(key, &String::from_utf8_lossy(&text));
    }

    /// A big integer, as its digits.
    pub fn big_integer(&mut self, key: &str, value: &BigInteger) {
        self.str(key, value.as_str());
    }

    /// A big decimal, as its digits.
    pub fn big_decimal(&mut self, key: &str, value: &BigDecimal) {
        self.str(key, value.as_str());
    }

    /// A timestamp in `format` (date-time unless the model says otherwise).
    pub fn date_time(&mut self, key: &str, value: &DateTime, format: DateTimeFormat) {
        match crate::wire::fmt_timestamp(value, format) {
            Ok(text) => self.str(key, &text),
            Err(e) => self.fail(e),
        }
    }

    /// The body, or why a value could not be written.
    pub fn finish(self) -> Result<Vec<u8>, String> {
        match self.failure {
            Some(reason) => Err(reason),
            None => Ok(self.out.into_bytes()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_values_are_encoded() {
        let mut w = Writer::new("Send", "2020-01-08");
        w.str(&key("", "Name"), "a b&c=d/é");
        w.empty(&key("", "List"));
        w.bool(&indexed(&key("Outer", "Flag"), 0), true);
        w.int("N", -3i32);
        w.f64("F", f64::NAN);
        w.f32("G", 1.5);
        w.date_time("T", &DateTime::from_secs(0), DateTimeFormat::DateTime);
        assert_eq!(
            String::from_utf8(w.finish().unwrap()).unwrap(),
            "Action=Send&Version=2020-01-08&Name=a%20b%26c%3Dd%2F%C3%A9&List=&Outer.Flag.1=true&N=-3&F=NaN&G=1.5&T=1970-01-01T00%3A00%3A00Z"
        );
    }

    #[test]
    fn a_failure_is_reported() {
        let mut w = Writer::new("A", "1");
        w.fail("no");
        w.fail("second");
        assert_eq!(w.finish().unwrap_err(), "no");
    }
}
