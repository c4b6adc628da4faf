//! Runtime stage: SigV4 request signing.
//!
//! The signer is the runtime's own: the canonical request is built in one
//! buffer (path normalised and encoded twice, query parameters decoded,
//! re-encoded and sorted, header values trimmed, repeated names joined), and
//! the day's signing key is derived once per (secret, day, region, service)
//! and reused. It follows `aws-sigv4`'s defaults exactly; `aws-sigv4` is kept
//! only as the test oracle (a dev-dependency, and the `sigv4-oracle` feature
//! for the fuzz target), so the default build does not compile it.

use crate::transport::Body;
use crate::Credentials;
use http::{HeaderName, HeaderValue};
use std::borrow::Cow;
use std::sync::Mutex;
use std::time::SystemTime;

/// Headers SigV4 leaves unsigned, as `aws-sigv4`'s defaults do: they change
/// on the way (proxies, tracing) or are the signature itself.
const UNSIGNED: [&str; 4] = [
    "authorization",
    "user-agent",
    "x-amzn-trace-id",
    "transfer-encoding",
];

/// The payload hash of a body that is not signed (a stream).
const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// The derived signing key of one (secret, day, region, service).
#[derive(Debug, Default)]
pub(crate) struct KeyCache(Mutex<Option<CachedKey>>);

#[derive(Debug)]
struct CachedKey {
    secret: String,
    date: String,
    region: String,
    name: String,
    /// The signing key, with its HMAC pads already hashed.
    key: ring::hmac::Key,
}

impl CachedKey {
    fn is_for(&self, secret: &str, date: &str, region: &str, name: &str) -> bool {
        self.date == date && self.region == region && self.name == name && self.secret == secret
    }
}

/// Why a request could not be signed.
#[derive(Debug)]
pub(crate) struct SigningError(String);

impl std::fmt::Display for SigningError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SigningError {}

/// Signs `request`, adding `Authorization`, `X-Amz-Date` and, with a session
/// token, `X-Amz-Security-Token`. A streamed body (`None`) is signed as
/// `UNSIGNED-PAYLOAD`, announced in `X-Amz-Content-Sha256`.
pub(crate) fn sign(
    request: &mut http::Request<Body>,
    body: Option<&[u8]>,
    credentials: &Credentials,
    name: &str,
    region: &str,
    time: SystemTime,
    keys: &KeyCache,
) -> Result<(), SigningError> {
    let date_time = amz_date_time(time)
        .ok_or_else(|| SigningError("the clock is outside the years 1970 to 9999".into()))?;
    let authorization = {
        let canonical = CanonicalRequest::new(request, credentials, &date_time, body)?;
        let date = &date_time[..8];
        let scope_parts = [date, "/", region, "/", name, "/aws4_request"];
        let canonical_hash = hex32(sha256(canonical.text.as_bytes()).as_ref());
        // The string to sign goes straight into the HMAC, piece by piece.
        let signature = keys.sign(
            credentials.secret_access_key(),
            date,
            region,
            name,
            ["AWS4-HMAC-SHA256\n", &date_time, "\n"]
                .into_iter()
                .chain(scope_parts)
                .chain(["\n"])
                .map(str::as_bytes)
                .chain([&canonical_hash[..]]),
        );
        let signed_headers = canonical.signed_headers();
        // Exact, so the buffer becomes the header value as it is: the fixed
        // text is 28 + 1 + 23 (scope) + 16 + 12 + 64 (signature) bytes.
        let len = 144
            + credentials.access_key_id().len()
            + region.len()
            + name.len()
            + signed_headers.len();
        let mut out = String::with_capacity(len);
        out.push_str("AWS4-HMAC-SHA256 Credential=");
        out.push_str(credentials.access_key_id());
        out.push('/');
        scope_parts.iter().for_each(|p| out.push_str(p));
        out.push_str(", SignedHeaders=");
        out.push_str(signed_headers);
        out.push_str(", Signature=");
        push_hex(&mut out, signature.as_ref());
        debug_assert_eq!(out.len(), len);
        out
    };
    let headers = request.headers_mut();
    if let Some(token) = credentials.session_token() {
        let mut v = HeaderValue::from_str(token)
            .map_err(|_| SigningError("the session token cannot be a header value".into()))?;
        v.set_sensitive(true);
        headers.insert(HeaderName::from_static("x-amz-security-token"), v);
    }
    if body.is_none() {
        headers.insert(
            HeaderName::from_static("x-amz-content-sha256"),
            HeaderValue::from_static(UNSIGNED_PAYLOAD),
        );
    }
    // `from_maybe_shared` takes the strings' buffers instead of copying them.
    let date_value = HeaderValue::from_maybe_shared(bytes::Bytes::from(date_time))
        .map_err(|_| SigningError("the date cannot be a header value".into()))?;
    headers.insert(HeaderName::from_static("x-amz-date"), date_value);
    let mut v =
        HeaderValue::from_maybe_shared(bytes::Bytes::from(authorization)).map_err(|_| {
            SigningError(format!(
                "the access key id {:?}, region {region:?} and signing name {name:?} must be \
             visible ASCII to make an Authorization header",
                credentials.access_key_id()
            ))
        })?;
    v.set_sensitive(true);
    headers.insert(http::header::AUTHORIZATION, v);
    Ok(())
}

impl KeyCache {
    /// The HMAC of `parts` (concatenated) under the day's signing key.
    fn sign<'p>(
        &self,
        secret: &str,
        date: &str,
        region: &str,
        name: &str,
        parts: impl Iterator<Item = &'p [u8]>,
    ) -> ring::hmac::Tag {
        let key = self.key(secret, date, region, name);
        let mut context = ring::hmac::Context::with_key(&key);
        parts.for_each(|p| context.update(p));
        context.sign()
    }

    /// The signing key for the day, derived (four HMACs) only when the
    /// secret, day, region or service changes.
    fn key(&self, secret: &str, date: &str, region: &str, name: &str) -> ring::hmac::Key {
        let mut cached = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match cached.as_ref() {
            Some(c) if c.is_for(secret, date, region, name) => c.key.clone(),
            _ => {
                let mut key = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
                for part in [region, name, "aws4_request"] {
                    key = hmac(&key, part.as_bytes());
                }
                let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key);
                *cached = Some(CachedKey {
                    secret: secret.to_string(),
                    date: date.to_string(),
                    region: region.to_string(),
                    name: name.to_string(),
                    key: key.clone(),
                });
                key
            }
        }
    }
}

/// SHA-256 and HMAC-SHA256 by ring, the TLS stack's crypto provider, so
/// signing adds no crate of its own.
fn sha256(data: &[u8]) -> ring::digest::Digest {
    ring::digest::digest(&ring::digest::SHA256, data)
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let tag = ring::hmac::sign(&ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key), data);
    let mut out = [0; 32];
    out.copy_from_slice(tag.as_ref());
    out
}

/// The canonical request, with where its signed-headers line sits.
struct CanonicalRequest {
    text: String,
    signed: std::ops::Range<usize>,
}

impl CanonicalRequest {
    fn new(
        request: &http::Request<Body>,
        credentials: &Credentials,
        date_time: &str,
        body: Option<&[u8]>,
    ) -> Result<Self, SigningError> {
        let uri = request.uri();
        let path = canonical_path(uri.path());
        let query = uri.query().map(canonical_query);

        // Headers the signer sets replace any the request has.
        let set: [Option<(&str, Cow<'_, str>)>; 3] = [
            Some(("x-amz-date", Cow::Borrowed(date_time))),
            credentials
                .session_token()
                .map(|token| ("x-amz-security-token", Cow::Borrowed(token))),
            body.is_none()
                .then_some(("x-amz-content-sha256", Cow::Borrowed(UNSIGNED_PAYLOAD))),
        ];
        // One pass over the map (no lookup per name); a name's values come
        // in the order they were added, and the stable sort below keeps it
        // when it joins them.
        let mut headers: Vec<(&str, Cow<'_, str>)> =
            Vec::with_capacity(request.headers().len() + set.len() + 1);
        for (name, value) in request.headers() {
            let name = name.as_str();
            if UNSIGNED.contains(&name) || set.iter().flatten().any(|(n, _)| *n == name) {
                continue;
            }
            let value = value.to_str().map_err(|_| {
                SigningError(format!("the value of header `{name}` is not visible ASCII"))
            })?;
            headers.push((name, trim_all(value)));
        }
        if !headers.iter().any(|(n, _)| *n == "host") {
            let authority = uri
                .authority()
                .ok_or_else(|| SigningError(format!("the URL `{uri}` has no host")))?;
            let default_port = matches!(
                (uri.scheme_str(), uri.port_u16()),
                (Some("https"), Some(443)) | (Some("http"), Some(80))
            );
            let host = if default_port {
                authority.host()
            } else {
                authority.as_str()
            };
            headers.push(("host", Cow::Borrowed(host)));
        }
        headers.extend(set.into_iter().flatten());
        headers.sort_by(|a, b| a.0.cmp(b.0));
        headers.dedup_by(|next, kept| {
            if next.0 != kept.0 {
                return false;
            }
            let joined = kept.1.to_mut();
            joined.push(',');
            joined.push_str(&next.1);
            true
        });

        let mut text = String::with_capacity(
            256 + path.len()
                + query.as_ref().map_or(0, String::len)
                + headers
                    .iter()
                    .map(|(k, v)| 2 * k.len() + v.len() + 3)
                    .sum::<usize>(),
        );
        text.push_str(request.method().as_str());
        text.push('\n');
        text.push_str(&path);
        text.push('\n');
        text.push_str(query.as_deref().unwrap_or(""));
        text.push('\n');
        for (k, v) in &headers {
            text.push_str(k);
            text.push(':');
            text.push_str(v);
            text.push('\n');
        }
        text.push('\n');
        let start = text.len();
        for (i, (k, _)) in headers.iter().enumerate() {
            if i > 0 {
                text.push(';');
            }
            text.push_str(k);
        }
        let signed = start..text.len();
        text.push('\n');
        match body {
            Some(body) => push_hex(&mut text, sha256(body).as_ref()),
            None => text.push_str(UNSIGNED_PAYLOAD),
        }
        Ok(CanonicalRequest { text, signed })
    }

    fn signed_headers(&self) -> &str {
        &self.text[self.signed.clone()]
    }
}

/// The path with dot segments and empty segments removed (RFC 3986 5.2.4, as
/// `aws-sigv4` normalises), then percent-encoded again: every service but S3
/// signs the path encoded twice.
fn canonical_path(path: &str) -> Cow<'_, str> {
    let plain = path.starts_with('/')
        && !path.contains("//")
        && path.split('/').all(|s| s != "." && s != "..")
        && path.bytes().all(|b| is_unreserved(b) || b == b'/');
    if plain {
        return Cow::Borrowed(path);
    }
    let normalized: Cow<'_, str> = if path.is_empty() {
        Cow::Borrowed("/")
    } else if !(path.contains('.') || path.contains("//")) && path.starts_with('/') {
        Cow::Borrowed(path)
    } else {
        let mut segments: Vec<&str> = Vec::new();
        for segment in path.split('/') {
            match segment {
                "" | "." => {}
                ".." => {
                    segments.pop();
                }
                s => segments.push(s),
            }
        }
        let mut out = String::with_capacity(path.len() + 1);
        for s in &segments {
            out.push('/');
            out.push_str(s);
        }
        let ends_with_slash = ["/", "/.", "/./", "/..", "/../"]
            .iter()
            .any(|end| path.ends_with(end));
        if out.is_empty() || (ends_with_slash && !out.ends_with('/')) {
            out.push('/');
        }
        Cow::Owned(out)
    };
    let mut out = String::with_capacity(normalized.len() + 16);
    percent_encode(&mut out, normalized.as_bytes(), true);
    Cow::Owned(out)
}

/// The query with each parameter decoded (form encoding: `+` is a space),
/// encoded again the one SigV4 way, and sorted by name, then value.
fn canonical_query(query: &str) -> String {
    let mut params: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let encode = |s: &str| {
                let mut out = String::with_capacity(s.len());
                percent_encode(&mut out, form_decode(s).as_bytes(), false);
                out
            };
            (encode(k), encode(v))
        })
        .collect();
    params.sort_unstable();
    let mut out = String::with_capacity(query.len() + 16);
    for (i, (k, v)) in params.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a
/// byte (a `%` without two hex digits stays), and bytes that are not UTF-8
/// become U+FFFD.
fn form_decode(s: &str) -> Cow<'_, str> {
    if !s.bytes().any(|b| b == b'+' || b == b'%') {
        return Cow::Borrowed(s);
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = |b: Option<&u8>| b.and_then(|b| (*b as char).to_digit(16));
                match (hex(bytes.get(i + 1)), hex(bytes.get(i + 2))) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Percent-encodes every byte but the unreserved ones (and `/` when
/// `keep_slash`), with upper-case hex digits.
fn percent_encode(out: &mut String, bytes: &[u8], keep_slash: bool) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in bytes {
        if is_unreserved(b) || (keep_slash && b == b'/') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        }
    }
}

/// Trims spaces (only spaces) at both ends and folds runs of spaces into one.
fn trim_all(value: &str) -> Cow<'_, str> {
    let value = value.trim_matches(' ');
    if !value.contains("  ") {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len());
    let mut last_space = false;
    for c in value.chars() {
        if c == ' ' && last_space {
            continue;
        }
        last_space = c == ' ';
        out.push(c);
    }
    Cow::Owned(out)
}

/// A SHA-256 digest in lowercase hex.
fn hex32(digest: &[u8]) -> [u8; 64] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0; 64];
    for (pair, b) in out.chunks_exact_mut(2).zip(digest) {
        pair[0] = HEX[(b >> 4) as usize];
        pair[1] = HEX[(b & 15) as usize];
    }
    out
}

/// Appends a SHA-256 digest in lowercase hex.
fn push_hex(out: &mut String, digest: &[u8]) {
    // As one `str` (ASCII, so the check is quick): pushed as 64 `char`s,
    // it cost a tenth of signing.
    if let Ok(hex) = std::str::from_utf8(&hex32(digest)) {
        out.push_str(hex);
    }
}

/// `YYYYMMDDTHHMMSSZ` in UTC, for years 1970 to 9999.
fn amz_date_time(time: SystemTime) -> Option<String> {
    let secs = time.duration_since(SystemTime::UNIX_EPOCH).ok()?.as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days);
    if year > 9999 {
        return None;
    }
    let mut out = String::with_capacity(16);
    for (value, width) in [(year, 4), (month, 2), (day, 2)] {
        push_decimal(&mut out, value, width);
    }
    out.push('T');
    for value in [rest / 3600, rest % 3600 / 60, rest % 60] {
        push_decimal(&mut out, value, 2);
    }
    out.push('Z');
    Some(out)
}

fn push_decimal(out: &mut String, value: u64, width: u32) {
    for place in (0..width).rev() {
        out.push(char::from(b'0' + (value / 10u64.pow(place) % 10) as u8));
    }
}

/// The proleptic Gregorian (year, month, day) of a day count since 1970-01-01
/// (Howard Hinnant's `civil_from_days`, for non-negative counts).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// The oracle: `aws-sigv4`'s signer, for tests and the fuzz target.
#[cfg(any(test, feature = "sigv4-oracle"))]
mod oracle {
    use super::*;

    /// Fuzzing support: signs a request to `uri` with `headers` and `body`
    /// with this module's signer and with `aws-sigv4`, and says where the two
    /// disagree. A request that HTTP cannot carry is not a disagreement.
    pub fn compare_with_aws_sigv4(
        uri: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<(), String> {
        let build = || -> Option<http::Request<Body>> {
            let mut b = http::Request::builder().method("POST").uri(uri);
            for (k, v) in headers {
                let name = HeaderName::from_bytes(k.as_bytes()).ok()?;
                let value = HeaderValue::from_str(v).ok()?;
                b = b.header(name, value);
            }
            b.body(Body::empty()).ok()
        };
        let (Some(mut ours), Some(mut reference)) = (build(), build()) else {
            return Ok(());
        };
        let time = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_123);
        let credentials = Credentials::new(
            "AKIDEXAMPLE",
            "SECRET/KEY+x",
            Some("t".into()),
            None,
            "fuzz",
        );
        let keys = KeyCache::default();
        for body in [Some(body), None] {
            let a = sign(
                &mut ours,
                body,
                &credentials,
                "svc",
                "us-east-1",
                time,
                &keys,
            );
            let b =
                sign_with_aws_sigv4(&mut reference, body, &credentials, "svc", "us-east-1", time);
            match (a, b) {
                (Ok(()), Ok(())) => {}
                (Err(_), Err(_)) => return Ok(()),
                (a, b) => return Err(format!("one signer failed: ours {a:?}, aws-sigv4 {b:?}")),
            }
            for h in [
                "authorization",
                "x-amz-date",
                "x-amz-security-token",
                "x-amz-content-sha256",
            ] {
                if ours.headers().get(h) != reference.headers().get(h) {
                    return Err(format!(
                        "{h}: ours {:?}, aws-sigv4 {:?}",
                        ours.headers().get(h),
                        reference.headers().get(h)
                    ));
                }
            }
        }
        Ok(())
    }

    /// `aws-sigv4`'s signer with its defaults.
    pub(crate) fn sign_with_aws_sigv4(
        request: &mut http::Request<Body>,
        body: Option<&[u8]>,
        credentials: &Credentials,
        name: &str,
        region: &str,
        time: SystemTime,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
        let identity = aws_credential_types::Credentials::new(
            credentials.access_key_id(),
            credentials.secret_access_key(),
            credentials.session_token().map(str::to_string),
            credentials.expiry(),
            "oracle",
        )
        .into();
        let mut settings = SigningSettings::default();
        if body.is_none() {
            settings.payload_checksum_kind =
                aws_sigv4::http_request::PayloadChecksumKind::XAmzSha256;
        }
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region(region)
            .name(name)
            .time(time)
            .settings(settings)
            .build()?
            .into();
        let headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .map(|(k, v)| Ok((k.as_str().to_string(), v.to_str()?.to_string())))
            .collect::<Result<_, http::header::ToStrError>>()?;
        let uri = request.uri().to_string();
        let signable = SignableRequest::new(
            request.method().as_str(),
            uri,
            headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            match body {
                Some(b) => SignableBody::Bytes(b),
                None => SignableBody::UnsignedPayload,
            },
        )?;
        let (instructions, _signature) = sign(signable, &params)?.into_parts();
        instructions.apply_to_request_http1x(request);
        Ok(())
    }
}

#[cfg(feature = "sigv4-oracle")]
pub use oracle::compare_with_aws_sigv4;
#[cfg(test)]
use oracle::{compare_with_aws_sigv4 as compare, sign_with_aws_sigv4};

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn request(uri: &str, headers: &[(&str, &str)]) -> http::Request<Body> {
        let mut b = http::Request::builder().method("POST").uri(uri);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(Body::empty()).unwrap()
    }

    /// The fast path and `aws-sigv4` sign the same requests identically.
    #[test]
    fn amz_date_time_matches_the_calendar() {
        let mut secs: u64 = 0;
        // Steps of an odd number of seconds cover every month, leap day and
        // time of day over four centuries.
        while secs < 13_000_000_000 {
            let time = SystemTime::UNIX_EPOCH + Duration::from_secs(secs);
            let text = aws_smithy_types::DateTime::from_secs(secs as i64)
                .fmt(aws_smithy_types::date_time::Format::DateTime)
                .unwrap();
            let expected: String = text.chars().filter(|c| *c != '-' && *c != ':').collect();
            assert_eq!(amz_date_time(time).unwrap(), expected, "{secs}");
            secs += 86_399 * 7 + 13;
        }
        let far = SystemTime::UNIX_EPOCH + Duration::from_secs(300_000_000_000);
        assert_eq!(amz_date_time(far), None);
    }

    #[test]
    fn signatures_match_aws_sigv4() {
        let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_123);
        let keys = KeyCache::default();
        let cases: &[(&str, &[(&str, &str)])] = &[
            (
                "https://kinesisvideo.us-west-2.amazonaws.com/getImages",
                &[("content-type", "application/json")],
            ),
            (
                "https://b-1.kinesisvideo.us-west-2.amazonaws.com:443/getImages",
                &[("content-type", "application/json"), ("user-agent", "x")],
            ),
            (
                "http://127.0.0.1:8080/a/b-c_d.e~f",
                &[
                    ("content-type", "application/json"),
                    ("amz-sdk-request", "attempt=1; max=3"),
                    ("x-custom", "v"),
                ],
            ),
            ("http://localhost:80/", &[]),
            ("https://h.example/x?b=2&a=1&a=0&c&d=", &[]),
            ("https://h.example/x?q=a+b%20c%2Fd&e=%zz&f=%C3%A9&g=*", &[]),
            ("https://h.example/a%20b/%2F%25/caf%C3%A9", &[]),
            ("https://h.example/a/../b/./c//d/", &[]),
            ("https://h.example/a/..", &[]),
            ("https://h.example/x", &[("x-a", "  two  spaces   here ")]),
            (
                "https://h.example/x",
                &[("x-a", "1"), ("x-a", "2"), ("x-b", "\tt")],
            ),
            (
                "https://h.example/x",
                &[("host", "other.example"), ("x-amz-date", "old")],
            ),
            (
                "https://h.example:8443/x",
                &[("x-amzn-trace-id", "t"), ("authorization", "a")],
            ),
        ];
        for token in [None, Some("token/with+chars=")] {
            let credentials = Credentials::new(
                "AKIDEXAMPLE",
                "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                token.map(str::to_string),
                None,
                "test",
            );
            for (uri, headers) in cases {
                for body in [Some(&b""[..]), Some(br#"{"StreamName":"cam-1"}"#), None] {
                    let mut ours = request(uri, headers);
                    sign(
                        &mut ours,
                        body,
                        &credentials,
                        "kinesisvideo",
                        "us-west-2",
                        time,
                        &keys,
                    )
                    .unwrap();
                    let mut reference = request(uri, headers);
                    sign_with_aws_sigv4(
                        &mut reference,
                        body,
                        &credentials,
                        "kinesisvideo",
                        "us-west-2",
                        time,
                    )
                    .unwrap();
                    for h in [
                        "authorization",
                        "x-amz-date",
                        "x-amz-security-token",
                        "x-amz-content-sha256",
                    ] {
                        assert_eq!(
                            ours.headers().get(h),
                            reference.headers().get(h),
                            "{uri} {headers:?} {h} token={token:?} body={body:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_fuzz_comparison_agrees_on_odd_requests() {
        let h = |k: &str, v: &str| (k.to_string(), v.to_string());
        for (uri, headers) in [
            (
                "https://h.example/%7e/a%2fb?x=%7E&x=~&y",
                vec![h("x-a", "b ,  c")],
            ),
            ("https://h.example/./../..", vec![h("X-Upper", "v")]),
            ("https://h.example", vec![h("x-amz-security-token", "old")]),
        ] {
            compare(uri, &headers, b"body").unwrap();
        }
    }

    #[test]
    fn a_header_value_that_is_not_ascii_is_an_error() {
        let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_123);
        let c = Credentials::new("AKID", "SECRET", None, None, "test");
        let mut r = request("https://h.example/x", &[]);
        r.headers_mut()
            .insert("x-a", HeaderValue::from_bytes("é".as_bytes()).unwrap());
        let e = sign(
            &mut r,
            Some(b""),
            &c,
            "svc",
            "us-east-1",
            time,
            &KeyCache::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("x-a"), "{e}");
    }
}
