//! Runtime stage: the restJson1 HTTP bindings that generated operations call:
//! building a request's path, query, headers and body from bound members,
//! and reading bound members back out of a response's status and headers.
//!
//! Generated code decides which member goes where; this module knows how each
//! value is written as text (percent-encoding, header lists, timestamp formats,
//! special floats) and read back.

use crate::client::{OperationRequest, RequestBody};
use crate::stream::ByteStream;
use crate::{DateTime, DateTimeFormat};
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Builds an [`OperationRequest`] from the pieces generated code supplies.
#[derive(Debug)]
pub struct RequestBuilder {
    method: &'static str,
    path: String,
    query: String,
    /// Keys written by `@httpQuery` members, which win over `@httpQueryParams`.
    explicit_query: Vec<&'static str>,
    headers: HeaderMap,
    body: RequestBody,
    host_prefix: Option<String>,
}

impl RequestBuilder {
    /// A request with the given method and an empty path.
    pub fn new(method: &'static str) -> Self {
        RequestBuilder {
            method,
            path: String::new(),
            query: String::new(),
            explicit_query: Vec::new(),
            headers: HeaderMap::new(),
            body: RequestBody::Bytes(Bytes::new()),
            host_prefix: None,
        }
    }

    /// Appends literal path text from the URI template (`/foo/`).
    pub fn literal(&mut self, text: &str) {
        self.path.push_str(text);
    }

    /// Appends a label's value, percent-encoded. A greedy label (`{Key+}`)
    /// keeps its `/` separators.
    pub fn label(&mut self, member: &str, value: &str, greedy: bool) -> Result<(), String> {
        if value.is_empty() {
            return Err(format!(
                "the URI label `{member}` is empty; labels must have a value"
            ));
        }
        if greedy {
            for (i, segment) in value.split('/').enumerate() {
                if i > 0 {
                    self.path.push('/');
                }
                percent_encode_into(&mut self.path, segment);
            }
        } else {
            percent_encode_into(&mut self.path, value);
        }
        Ok(())
    }

    /// Adds a literal query parameter from the URI template (`?list-type=2`).
    pub fn query_literal(&mut self, key: &str, value: Option<&str>) {
        self.separator();
        self.query.push_str(key);
        if let Some(v) = value {
            self.query.push('=');
            self.query.push_str(v);
        }
    }

    /// Adds a query parameter from an `@httpQuery` member.
    pub fn query(&mut self, key: &'static str, value: &str) {
        if !self.explicit_query.contains(&key) {
            self.explicit_query.push(key);
        }
        self.push_query(key, value);
    }

    /// Adds a query parameter from an `@httpQueryParams` map, unless an
    /// `@httpQuery` member already set that key.
    pub fn query_param(&mut self, key: &str, value: &str) {
        if !self.explicit_query.contains(&key) {
            self.push_query(key, value);
        }
    }

    fn push_query(&mut self, key: &str, value: &str) {
        self.separator();
        percent_encode_into(&mut self.query, key);
        self.query.push('=');
        percent_encode_into(&mut self.query, value);
    }

    fn separator(&mut self) {
        if !self.query.is_empty() {
            self.query.push('&');
        }
    }

    /// Adds a header from an `@httpHeader` or `@httpPrefixHeaders` member.
    pub fn header(&mut self, name: &str, value: &str) -> Result<(), String> {
        let header = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("`{name}` is not a valid HTTP header name"))?;
        let v = HeaderValue::from_str(value).map_err(|_| {
            format!("the value of header `{name}` contains characters HTTP headers cannot carry")
        })?;
        self.headers.insert(header, v);
        Ok(())
    }

    fn default_content_type(&mut self, content_type: &'static str) {
        self.headers
            .entry(http::header::CONTENT_TYPE)
            .or_insert(HeaderValue::from_static(content_type));
    }

    /// Sets a JSON body (the body members, or a structure, union or document payload).
    pub fn json_body(&mut self, body: Vec<u8>) {
        self.default_content_type("application/json");
        self.body = RequestBody::Bytes(body.into());
    }

    /// Writes `value` as the JSON body.
    pub fn json<T: crate::json::WriteJson + ?Sized>(&mut self, value: &T) -> Result<(), String> {
        let body = crate::json::to_vec(value)
            .map_err(|e| format!("could not serialise the request body: {e}"))?;
        self.json_body(body);
        Ok(())
    }

    /// Writes `value` as an awsQuery or ec2Query form body naming the
    /// operation (`Action`) and API version (`Version`); `None` for an
    /// operation without input.
    #[cfg(feature = "xml")]
    pub fn form<T: crate::query::WriteQuery + ?Sized>(
        &mut self,
        action: &str,
        version: &str,
        value: Option<&T>,
    ) -> Result<(), String> {
        let mut w = crate::query::Writer::new(action, version);
        if let Some(value) = value {
            value.write_query(&mut w, "");
        }
        let body = w
            .finish()
            .map_err(|e| format!("could not serialise the request body: {e}"))?;
        self.default_content_type("application/x-www-form-urlencoded");
        self.body = RequestBody::Bytes(body.into());
        Ok(())
    }

    /// Writes `value` as the XML body, the element `name` declaring `ns`
    /// (restXml: the input's body members, or a structure or union payload).
    #[cfg(feature = "xml")]
    pub fn xml<T: crate::xml::WriteXml + ?Sized>(
        &mut self,
        value: &T,
        name: &str,
        ns: crate::xml::Ns<'_>,
    ) -> Result<(), String> {
        let mut w = crate::xml::Writer::new();
        value.write_xml(&mut w, name, ns);
        let body = w
            .finish()
            .map_err(|e| format!("could not serialise the request body: {e}"))?;
        self.default_content_type("application/xml");
        self.body = RequestBody::Bytes(body.into());
        Ok(())
    }

    /// Encodes `value` as the CBOR body (rpcv2Cbor).
    #[cfg(feature = "cbor")]
    pub fn cbor<T: crate::cbor::WriteCbor + ?Sized>(&mut self, value: &T) -> Result<(), String> {
        let body = crate::cbor::to_vec(value)?;
        self.default_content_type("application/cbor");
        self.body = RequestBody::Bytes(body.into());
        Ok(())
    }

    /// Sets a blob or string payload, with the media type to send unless a
    /// header member already set `Content-Type`.
    pub fn payload(&mut self, body: impl Into<Bytes>, content_type: &'static str) {
        self.default_content_type(content_type);
        self.body = RequestBody::Bytes(body.into());
    }

    /// Sets a `@streaming` payload. Bytes in memory are sent as they are; a
    /// one-shot stream is sent once.
    pub fn stream(&mut self, body: &ByteStream, content_type: &'static str) -> Result<(), String> {
        self.default_content_type(content_type);
        self.body = match body.bytes() {
            Some(b) => RequestBody::Bytes(b.clone()),
            None => match body.take_body() {
                Some(b) => RequestBody::Stream(std::sync::Arc::new(std::sync::Mutex::new(Some(b)))),
                None => return Err(
                    "the streaming payload was already sent; build a new input to send it again"
                        .into(),
                ),
            },
        };
        Ok(())
    }

    /// Sets the `@endpoint` host prefix (`foo.` or `foo.{label}.` filled in).
    pub fn host_prefix(&mut self, prefix: String) -> Result<(), String> {
        let valid = prefix.trim_end_matches('.').split('.').all(|part| {
            !part.is_empty()
                && part.len() <= 63
                && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
        if !valid {
            return Err(format!(
                "the host prefix `{prefix}` is not a valid DNS name; check the host label members"
            ));
        }
        self.host_prefix = Some(prefix);
        Ok(())
    }

    /// Finishes the request. A body of known length gets `Content-Length`.
    pub fn finish(mut self) -> Result<OperationRequest, crate::error::SerializationError> {
        if self.path.is_empty() {
            self.path.push('/');
        }
        if !self.query.is_empty() {
            self.path.push('?');
            self.path.push_str(&self.query);
        }
        if let RequestBody::Bytes(b) = &self.body {
            if !b.is_empty() {
                self.headers
                    .insert(http::header::CONTENT_LENGTH, decimal_header(b.len()));
            }
        }
        let method = http::Method::from_bytes(self.method.as_bytes())
            .map_err(|e| format!("invalid HTTP method {}: {e}", self.method))?;
        Ok(OperationRequest::from_parts(
            method,
            self.path,
            self.headers,
            self.body,
            self.host_prefix,
        ))
    }
}

/// `n` in decimal as a header value, in one allocation of its exact size
/// (`HeaderValue::from(usize)` makes two: a growable buffer, then the shared
/// header over it).
fn decimal_header(n: usize) -> HeaderValue {
    HeaderValue::from_str(itoa::Buffer::new().format(n)).unwrap_or_else(|_| HeaderValue::from(n))
}

/// Percent-encodes everything but RFC 3986's unreserved characters, as the
/// restJson1 protocol requires of labels and query strings.
pub fn percent_encode_into(out: &mut String, text: &str) {
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

/// A timestamp as text in the given format.
pub fn fmt_timestamp(value: &DateTime, format: DateTimeFormat) -> Result<String, String> {
    value
        .fmt(format)
        .map_err(|e| format!("timestamp {value:?} cannot be written: {e}"))
}

/// A double as restJson1 writes it outside JSON (`NaN`, `Infinity`, `-Infinity`).
pub fn fmt_f64(value: f64) -> Cow<'static, str> {
    smithy_client_core::float_text(value)
}

/// A float as restJson1 writes it outside JSON.
pub fn fmt_f32(value: f32) -> Cow<'static, str> {
    match value {
        v if v.is_nan() => "NaN".into(),
        f32::INFINITY => "Infinity".into(),
        f32::NEG_INFINITY => "-Infinity".into(),
        v => v.to_string().into(),
    }
}

/// Base64, for blobs and `@mediaType` strings in headers.
pub fn base64(bytes: &[u8]) -> String {
    crate::base64::encode(bytes)
}

/// Joins the items of a list header. Items holding a comma or a quote are
/// quoted, so the list can be split again.
pub fn join_header_list<'a>(items: impl IntoIterator<Item = Cow<'a, str>>) -> String {
    let mut out = String::new();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        if item.contains([',', '"']) || item.trim() != item {
            out.push('"');
            for c in item.chars() {
                if c == '"' || c == '\\' {
                    out.push('\\');
                }
                out.push(c);
            }
            out.push('"');
        } else {
            out.push_str(&item);
        }
    }
    out
}

/// Joins http-date timestamps for a list header; they are never quoted.
pub fn join_http_dates(items: &[DateTime]) -> Result<String, String> {
    let mut out = Vec::with_capacity(items.len());
    for t in items {
        out.push(fmt_timestamp(t, DateTimeFormat::HttpDate)?);
    }
    Ok(out.join(", "))
}

/// Where the values of `@idempotencyToken` members the caller left unset
/// come from ([`Config::builder().idempotency_tokens(..)`](crate::ConfigBuilder::idempotency_tokens)).
pub trait IdempotencyTokens: Send + Sync + std::fmt::Debug + 'static {
    /// A token for one request.
    fn token(&self) -> String;
}

/// Random version-4 UUIDs: the default.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomTokens;

impl IdempotencyTokens for RandomTokens {
    fn token(&self) -> String {
        idempotency_token()
    }
}

/// The same token every time (the all-zero version-4 UUID unless given), as
/// protocol tests and reproducible recordings want.
#[derive(Debug, Clone)]
pub struct FixedToken(pub String);

impl Default for FixedToken {
    fn default() -> Self {
        FixedToken("00000000-0000-4000-8000-000000000000".into())
    }
}

impl IdempotencyTokens for FixedToken {
    fn token(&self) -> String {
        self.0.clone()
    }
}

/// A fresh idempotency token: a random version-4 UUID.
pub fn idempotency_token() -> String {
    let bytes = crate::random_bytes::<16>();
    let (hi, lo) = bytes.split_at(8);
    let word = |b: &[u8]| b.iter().fold(0u64, |w, &x| w << 8 | u64::from(x));
    let (hi, lo) = (word(hi), word(lo));
    let hi = (hi & !0xF000) | 0x4000;
    let lo = (lo & !(0xC000_0000_0000_0000)) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xFFFF,
        hi & 0xFFFF,
        lo >> 48,
        lo & 0xFFFF_FFFF_FFFF
    )
}

// ---- Responses ----------------------------------------------------------

/// The text of a header, with repeated headers joined by `, `; `None` when absent.
pub fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    let mut values = headers.get_all(name).iter();
    let first = values.next()?;
    let mut out = String::from_utf8_lossy(first.as_bytes()).into_owned();
    for v in values {
        out.push_str(", ");
        out.push_str(&String::from_utf8_lossy(v.as_bytes()));
    }
    Some(out)
}

/// Splits a list header into its items, unquoting quoted items.
pub fn split_header_list(text: &str) -> Result<Vec<String>, String> {
    let mut items = Vec::new();
    let mut rest = text.trim_start();
    if rest.is_empty() {
        return Ok(items);
    }
    loop {
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut item = String::new();
            let mut chars = quoted.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => match chars.next() {
                        Some((_, e)) => item.push(e),
                        None => break,
                    },
                    '"' => {
                        end = Some(i + 1);
                        break;
                    }
                    c => item.push(c),
                }
            }
            let Some(end) = end else {
                return Err(format!("unterminated quoted item in header list {text:?}"));
            };
            items.push(item);
            rest = quoted[end..].trim_start();
            match rest.strip_prefix(',') {
                Some(r) => rest = r.trim_start(),
                None if rest.is_empty() => return Ok(items),
                None => return Err(format!("malformed header list {text:?}")),
            }
        } else {
            match rest.split_once(',') {
                Some((item, r)) => {
                    items.push(item.trim().to_string());
                    rest = r.trim_start();
                }
                None => {
                    items.push(rest.trim().to_string());
                    return Ok(items);
                }
            }
        }
    }
}

/// Splits a header of http-date timestamps, whose own commas are not separators.
pub fn split_http_dates(text: &str) -> Result<Vec<DateTime>, String> {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    if parts.len() % 2 != 0 {
        return Err(format!("{text:?} is not a list of HTTP dates"));
    }
    parts
        .chunks(2)
        .map(|p| parse_timestamp(&format!("{}, {}", p[0], p[1]), DateTimeFormat::HttpDate))
        .collect()
}

/// Reads a timestamp written in `format`.
pub fn parse_timestamp(text: &str, format: DateTimeFormat) -> Result<DateTime, String> {
    let text = text.trim();
    if format == DateTimeFormat::EpochSeconds {
        return crate::json::parse_epoch_seconds(text);
    }
    DateTime::from_str(text, format)
        .map_err(|e| format!("{text:?} is not a timestamp in the {format:?} format: {e}"))
}

/// Reads a boolean (`true` or `false`).
pub fn parse_bool(text: &str) -> Result<bool, String> {
    match text.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(format!("{other:?} is not a boolean")),
    }
}

/// Reads an integer of any width.
pub fn parse_int<T: std::str::FromStr>(text: &str) -> Result<T, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("{text:?} is not an integer of the expected size"))
}

/// Reads a double, accepting `NaN`, `Infinity` and `-Infinity`.
pub fn parse_f64(text: &str) -> Result<f64, String> {
    match text.trim() {
        "NaN" => Ok(f64::NAN),
        "Infinity" => Ok(f64::INFINITY),
        "-Infinity" => Ok(f64::NEG_INFINITY),
        t => t.parse().map_err(|_| format!("{t:?} is not a number")),
    }
}

/// Reads a float, accepting `NaN`, `Infinity` and `-Infinity`.
pub fn parse_f32(text: &str) -> Result<f32, String> {
    match text.trim() {
        "NaN" => Ok(f32::NAN),
        "Infinity" => Ok(f32::INFINITY),
        "-Infinity" => Ok(f32::NEG_INFINITY),
        t => t.parse().map_err(|_| format!("{t:?} is not a number")),
    }
}

/// Decodes base64 (a blob or a `@mediaType` string in a header).
pub fn parse_base64(text: &str) -> Result<Vec<u8>, String> {
    crate::base64::decode(text.trim().as_bytes())
        .map_err(|_| format!("{text:?} is not valid base64"))
}

/// Decodes a base64 `@mediaType` string.
pub fn parse_base64_text(text: &str) -> Result<String, String> {
    String::from_utf8(parse_base64(text)?)
        .map_err(|_| format!("{text:?} does not decode to UTF-8 text"))
}

/// Every header whose name starts with `prefix` (case-insensitively), keyed by
/// the rest of its name.
pub fn prefix_headers(headers: &HeaderMap, prefix: &str) -> BTreeMap<String, String> {
    let prefix = prefix.to_ascii_lowercase();
    let mut out = BTreeMap::new();
    for name in headers.keys() {
        if let Some(rest) = name.as_str().strip_prefix(&prefix) {
            if let Some(text) = header_text(headers, name.as_str()) {
                out.insert(rest.to_string(), text);
            }
        }
    }
    out
}

/// Reads a text payload.
pub fn text_payload(body: &[u8]) -> Result<String, String> {
    String::from_utf8(body.to_vec()).map_err(|_| "the text payload is not valid UTF-8".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lists_round_trip_through_quoting() {
        let items = ["a", "b,c", "\"def\"", " x "];
        let joined = join_header_list(items.iter().map(|s| Cow::Borrowed(*s)));
        assert_eq!(joined, r#"a, "b,c", "\"def\"", " x ""#);
        assert_eq!(split_header_list(&joined).unwrap(), items);
        assert_eq!(split_header_list("").unwrap(), Vec::<String>::new());
        assert!(split_header_list("\"open").is_err());
    }

    #[test]
    fn content_lengths_are_written_in_decimal() {
        for n in [0, 1, 9, 10, 99, 100, 12_345, u32::MAX as usize, usize::MAX] {
            assert_eq!(decimal_header(n), HeaderValue::from(n), "{n}");
        }
    }

    #[test]
    fn labels_and_queries_are_percent_encoded() {
        let mut b = RequestBuilder::new("GET");
        b.literal("/a/");
        b.label("Key", "x y/z", true).unwrap();
        b.query("q", "1 2&3");
        b.query_param("q", "ignored");
        b.query_param("r", "é");
        let r = b.finish().unwrap();
        assert_eq!(r.path_and_query(), "/a/x%20y/z?q=1%202%263&r=%C3%A9");
        assert!(RequestBuilder::new("GET").label("K", "", false).is_err());
    }

    #[test]
    fn idempotency_tokens_are_version_4_uuids() {
        let t = idempotency_token();
        assert_eq!(t.len(), 36);
        assert_eq!(&t[14..15], "4");
        assert!("89ab".contains(&t[19..20]));
    }

    #[test]
    fn http_date_lists_split_on_every_second_comma() {
        let v = split_http_dates("Mon, 16 Dec 2019 23:48:18 GMT, Mon, 16 Dec 2019 23:48:18 GMT")
            .unwrap();
        assert_eq!(v.len(), 2);
    }
}
