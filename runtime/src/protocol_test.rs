//! Runtime stage, test support: the comparisons generated protocol tests make
//! (`smithy.test#httpRequestTests` and `httpResponseTests`). Not for use
//! outside generated tests.

#![allow(missing_docs)]

use crate::client::OperationRequest;
use crate::Document as Value;
use http::HeaderMap;
use std::fmt::Debug;

/// What a request case expects the client to send.
#[derive(Debug)]
pub struct ExpectedRequest<'a> {
    pub method: &'a str,
    /// The path, percent-encoded, without the query.
    pub uri: &'a str,
    /// `key=value` pairs (encoded) that must all be in the query string.
    pub query: &'a [&'a str],
    /// Keys that must not be in the query string.
    pub forbid_query: &'a [&'a str],
    /// Keys that must be in the query string.
    pub require_query: &'a [&'a str],
    /// Headers that must be sent with exactly these values.
    pub headers: &'a [(&'a str, &'a str)],
    pub forbid_headers: &'a [&'a str],
    pub require_headers: &'a [&'a str],
    /// The body, compared as JSON when the media type says so.
    pub body: Option<&'a str>,
    pub media_type: Option<&'a str>,
    /// The endpoint's host, and the host the request must go to.
    pub host: Option<&'a str>,
    pub resolved_host: Option<&'a str>,
}

impl ExpectedRequest<'_> {
    /// Every difference between the request and the expectation, or `Ok`.
    pub fn check(&self, request: &OperationRequest) -> Result<(), String> {
        let mut problems = Vec::new();
        if request.method().as_str() != self.method {
            problems.push(format!(
                "method: expected {}, sent {}",
                self.method,
                request.method()
            ));
        }
        let (path, query) = request
            .path_and_query()
            .split_once('?')
            .unwrap_or((request.path_and_query(), ""));
        // An endpoint with a path (`example.com/custom`) puts it before the
        // operation's path, as the client does when it sends.
        let base = self
            .host
            .and_then(|h| h.find('/').map(|i| h[i..].trim_end_matches('/')))
            .unwrap_or("");
        let path = format!("{base}{path}");
        if path != self.uri {
            problems.push(format!("path: expected {}, sent {path}", self.uri));
        }
        let mut sent: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
        for expected in self.query {
            match sent.iter().position(|p| p == expected) {
                Some(i) => {
                    sent.remove(i);
                }
                None => problems.push(format!("query: expected `{expected}` in `{query}`")),
            }
        }
        let keys: Vec<&str> = query
            .split('&')
            .map(|p| p.split_once('=').map_or(p, |(k, _)| k))
            .collect();
        for k in self.forbid_query {
            if keys.contains(k) {
                problems.push(format!("query: `{k}` must not be sent"));
            }
        }
        for k in self.require_query {
            if !keys.contains(k) {
                problems.push(format!("query: `{k}` must be sent"));
            }
        }
        let headers = request.headers();
        for (name, value) in self.headers {
            match crate::wire::header_text(headers, &name.to_ascii_lowercase()) {
                Some(v) if v == *value => {}
                Some(v) => problems.push(format!("header {name}: expected {value:?}, sent {v:?}")),
                None => problems.push(format!("header {name}: expected {value:?}, not sent")),
            }
        }
        for name in self.forbid_headers {
            if headers.contains_key(name.to_ascii_lowercase().as_str()) {
                problems.push(format!("header {name} must not be sent"));
            }
        }
        for name in self.require_headers {
            if !headers.contains_key(name.to_ascii_lowercase().as_str()) {
                problems.push(format!("header {name} must be sent"));
            }
        }
        if let Some(expected) = self.body {
            let sent = request.body().map(|b| b.to_vec()).unwrap_or_default();
            let json = self.media_type.is_some_and(|m| m.contains("json"));
            #[cfg(feature = "cbor")]
            let result = if self.media_type.is_some_and(|m| m.contains("cbor")) {
                compare_cbor(expected, &sent)
            } else {
                compare_body(expected, &sent, json)
            };
            #[cfg(not(feature = "cbor"))]
            let result = compare_body(expected, &sent, json);
            let result = if self
                .media_type
                .is_some_and(|m| m.contains("x-www-form-urlencoded"))
            {
                compare_form(expected, &sent)
            } else {
                result
            };
            #[cfg(feature = "xml")]
            let result = if self.media_type.is_some_and(|m| m.contains("xml")) {
                compare_xml(expected, &sent)
            } else {
                result
            };
            if let Err(e) = result {
                problems.push(e);
            }
        }
        if let (Some(host), Some(resolved)) = (self.host, self.resolved_host) {
            let host = host.split('/').next().unwrap_or(host);
            let actual = format!("{}{host}", request.host_prefix().unwrap_or(""));
            if actual != resolved {
                problems.push(format!("host: expected {resolved}, sent {actual}"));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("\n"))
        }
    }
}

/// Compares CBOR bodies as values: the expected one is base64, as the
/// suites write it; map order and integer widths do not matter.
#[cfg(feature = "cbor")]
fn compare_cbor(expected: &str, sent: &[u8]) -> Result<(), String> {
    let expected = crate::wire::parse_base64(expected)
        .map_err(|e| format!("the expected body is not base64: {e}"))?;
    if expected.is_empty() || sent.is_empty() {
        return if expected == sent {
            Ok(())
        } else {
            Err(format!("body: expected {expected:x?}, sent {sent:x?}"))
        };
    }
    // Values keep their tags, byte strings and float values, so a missing
    // timestamp tag or a blob sent as text is a difference.
    let decode = |bytes: &[u8]| crate::cbor::Reader::new(bytes).value();
    let e = decode(&expected).map_err(|e| format!("the expected body is not CBOR: {e}"))?;
    let s =
        decode(sent).map_err(|err| format!("body: expected CBOR {e:?}, sent {sent:x?} ({err})"))?;
    if e != s {
        return Err(format!("body: expected {e:?}, sent {s:?}"));
    }
    Ok(())
}

/// Compares XML bodies as trees: names, attributes in any order, and text,
/// not the white space between elements.
#[cfg(feature = "xml")]
fn compare_xml(expected: &str, sent: &[u8]) -> Result<(), String> {
    let sent_text = String::from_utf8_lossy(sent);
    if expected.trim().is_empty() || sent.trim_ascii().is_empty() {
        return if expected.trim().is_empty() && sent.trim_ascii().is_empty() {
            Ok(())
        } else {
            Err(format!("body: expected {expected:?}, sent {sent_text:?}"))
        };
    }
    let e = crate::xml::tree(expected.trim().as_bytes())
        .map_err(|e| format!("the expected body is not XML: {e}"))?;
    let s = crate::xml::tree(sent)
        .map_err(|err| format!("body: expected XML {expected:?}, sent {sent_text:?} ({err})"))?;
    if e != s {
        return Err(format!("body: expected {expected:?}, sent {sent_text:?}"));
    }
    Ok(())
}

/// Compares form bodies as their decoded `key=value` pairs, in any order.
fn compare_form(expected: &str, sent: &[u8]) -> Result<(), String> {
    fn pairs(text: &str) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = text
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                let decode =
                    |s: &str| percent_decode(&s.replace('+', " ")).unwrap_or_else(|| s.to_string());
                (decode(k), decode(v))
            })
            .collect();
        out.sort();
        out
    }
    let sent_text = String::from_utf8_lossy(sent);
    let (e, s) = (pairs(expected.trim()), pairs(&sent_text));
    if e != s {
        let missing: Vec<_> = e.iter().filter(|p| !s.contains(p)).collect();
        let extra: Vec<_> = s.iter().filter(|p| !e.contains(p)).collect();
        return Err(format!(
            "body: expected {expected:?}, sent {sent_text:?} (missing {missing:?}, unexpected {extra:?})"
        ));
    }
    Ok(())
}

/// `%XX` sequences decoded; `None` when one is malformed or the result is
/// not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn compare_body(expected: &str, sent: &[u8], json: bool) -> Result<(), String> {
    let sent_text = String::from_utf8_lossy(sent);
    if json && !expected.trim().is_empty() {
        let e: Value = expected
            .parse()
            .map_err(|e| format!("the expected body is not JSON: {e}"))?;
        let s: Value = std::str::from_utf8(sent)
            .map_err(|err| err.to_string())
            .and_then(|text| {
                text.parse()
                    .map_err(|err: crate::json::ReadError| err.to_string())
            })
            .map_err(|err| format!("body: expected JSON {e}, sent {sent_text:?} ({err})"))?;
        if !json_eq(&e, &s) {
            return Err(format!("body: expected {e}, sent {s}"));
        }
        return Ok(());
    }
    if expected.as_bytes() != sent {
        return Err(format!("body: expected {expected:?}, sent {sent_text:?}"));
    }
    Ok(())
}

/// JSON equality where numbers compare by value (`1` equals `1.0`).
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y || x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// A header map from `(name, value)` pairs.
pub fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (k, v) in pairs {
        if let (Ok(k), Ok(v)) = (
            http::HeaderName::from_bytes(k.as_bytes()),
            http::HeaderValue::from_str(v),
        ) {
            map.append(k, v);
        }
    }
    map
}

/// Panics unless `expected` and `actual` are equal. Values holding NaN are
/// compared by their debug text, where NaN equals NaN.
pub fn assert_same<T: PartialEq + Debug>(expected: &T, actual: &T) {
    if expected == actual {
        return;
    }
    let (e, a) = (format!("{expected:?}"), format!("{actual:?}"));
    if !(e.contains("NaN") && e == a) {
        panic!("expected {expected:#?}\n   got {actual:#?}");
    }
}

/// Panics unless validating `input` finds exactly the expected `(path,
/// message)` violations, in any order.
pub fn assert_violations<T: crate::validation::Validate>(input: &T, expected: &[(&str, &str)]) {
    let found: Vec<(String, String)> = match input.validate() {
        Ok(()) => Vec::new(),
        Err(e) => e
            .violations
            .into_iter()
            .map(|v| (v.path, v.message))
            .collect(),
    };
    let mut missing: Vec<String> = Vec::new();
    let mut rest = found.clone();
    for (path, message) in expected {
        match rest.iter().position(|(p, m)| p == path && m == message) {
            Some(i) => {
                rest.remove(i);
            }
            None => missing.push(format!("{path}: {message}")),
        }
    }
    if !missing.is_empty() || !rest.is_empty() {
        let found: Vec<String> = found.iter().map(|(p, m)| format!("{p}: {m}")).collect();
        panic!(
            "expected violations [{}], found [{}]",
            missing.join(" | "),
            found.join(" | ")
        );
    }
}
