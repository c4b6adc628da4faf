//! Runtime stage: the standard and AWS functions of the endpoint rules
//! language, each total (a value it cannot use gives `None`, never a panic).

use super::Value;
use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};

/// `substring`: characters `start..stop` of an ASCII string, counted from the
/// end when `reverse`; `None` for non-ASCII input or a range out of bounds.
pub(super) fn substring(input: &str, start: usize, stop: usize, reverse: bool) -> Option<String> {
    if start >= stop || input.len() < stop || !input.is_ascii() {
        return None;
    }
    let (from, to) = if reverse {
        (input.len() - stop, input.len() - start)
    } else {
        (start, stop)
    };
    Some(input[from..to].to_owned())
}

/// `uriEncode`: percent-encodes every byte but RFC 3986's unreserved set.
pub(super) fn uri_encode(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for b in input.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `isValidHostLabel`: an RFC 1123 label (letters, digits and `-`, not
/// starting with `-`, at most 63 characters), or with `allow_dots` a
/// dot-separated sequence of them.
pub(super) fn is_valid_host_label(value: &str, allow_dots: bool) -> bool {
    if allow_dots {
        return value.split('.').all(|l| is_valid_host_label(l, false));
    }
    let bytes = value.as_bytes();
    (1..=63).contains(&bytes.len())
        && bytes[0].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
}

/// `aws.isVirtualHostableS3Bucket`: a bucket name that can be a DNS label of
/// an S3 host: 3 to 63 lowercase letters, digits, `-` (and `.` when
/// `allow_dots`), starting and ending with a letter or digit, not an IPv4
/// address.
pub(super) fn is_virtual_hostable_s3_bucket(value: &str, allow_dots: bool) -> bool {
    if allow_dots {
        if value.parse::<Ipv4Addr>().is_ok() || value.contains("..") {
            return false;
        }
        if !(3..=63).contains(&value.len()) {
            return false;
        }
        return value.split('.').all(|l| is_bucket_label(l, 1));
    }
    (3..=63).contains(&value.len()) && is_bucket_label(value, 3)
}

fn is_bucket_label(label: &str, min: usize) -> bool {
    let b = label.as_bytes();
    let ok = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    b.len() >= min
        && b.len() <= 63
        && ok(&b[0])
        && ok(&b[b.len() - 1])
        && b.iter().all(|c| ok(c) || *c == b'-')
}

/// `split`: parts of `input` around `delimiter`; `limit` 0 means no limit,
/// otherwise at most `limit` parts (the last holds the rest). An empty
/// delimiter is refused.
pub(super) fn split(input: &str, delimiter: &str, limit: usize) -> Option<Value> {
    if delimiter.is_empty() {
        return None;
    }
    let parts: Vec<Value> = if limit == 0 {
        input.split(delimiter).map(Value::from).collect()
    } else {
        input.splitn(limit, delimiter).map(Value::from).collect()
    };
    Some(Value::Array(parts))
}

/// `parseURL`: an `http` or `https` URL without query or fragment, as the
/// record `{scheme, authority, path, normalizedPath, isIp}`.
pub(super) fn parse_url(url: &str) -> Option<Value> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "http" && scheme != "https" {
        return None;
    }
    if rest.contains(['?', '#']) {
        return None;
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if authority.is_empty() || authority.contains(['@', ' ']) {
        return None;
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let end = v6.find(']')?;
        (&authority[..end + 2], &v6[end + 1..])
    } else {
        match authority.rfind(':') {
            Some(i) => (&authority[..i], &authority[i..]),
            None => (authority, ""),
        }
    };
    if let Some(port) = port.strip_prefix(':') {
        if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) || port.len() > 5 {
            return None;
        }
    } else if !port.is_empty() {
        return None;
    }
    let is_ip = match host.strip_prefix('[') {
        Some(v6) => v6.strip_suffix(']')?.parse::<Ipv6Addr>().is_ok(),
        None => host.parse::<Ipv4Addr>().is_ok(),
    };
    if host.is_empty() {
        return None;
    }
    let normalized = match (path.starts_with('/'), path.ends_with('/')) {
        _ if path.is_empty() => "/".to_owned(),
        (true, true) => path.to_owned(),
        (true, false) => format!("{path}/"),
        (false, true) => format!("/{path}"),
        (false, false) => format!("/{path}/"),
    };
    let mut record = BTreeMap::new();
    record.insert("scheme".to_owned(), Value::from(scheme));
    record.insert("authority".to_owned(), Value::from(authority));
    record.insert("path".to_owned(), Value::from(path));
    record.insert("normalizedPath".to_owned(), Value::String(normalized));
    record.insert("isIp".to_owned(), Value::Bool(is_ip));
    Some(Value::Record(record))
}

/// `aws.parseArn`: `arn:partition:service:region:account:resource` as a
/// record; the resource is split on `:` and `/` into `resourceId`.
pub(super) fn parse_arn(arn: &str) -> Option<Value> {
    let mut parts = arn.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    let partition = parts.next()?;
    let service = parts.next()?;
    let region = parts.next()?;
    let account = parts.next()?;
    let resource = parts.next()?;
    if partition.is_empty() || service.is_empty() || resource.is_empty() {
        return None;
    }
    let ids = resource.split([':', '/']).map(Value::from).collect();
    let mut record = BTreeMap::new();
    record.insert("partition".to_owned(), Value::from(partition));
    record.insert("service".to_owned(), Value::from(service));
    record.insert("region".to_owned(), Value::from(region));
    record.insert("accountId".to_owned(), Value::from(account));
    record.insert("resourceId".to_owned(), Value::Array(ids));
    Some(Value::Record(record))
}
