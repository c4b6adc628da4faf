//! Naming stage: the one place where Smithy names become Rust names.
//!
//! Casing is heck's; this module decides where the word boundaries are (heck
//! alone splits `StreamARNs` into `stream_ar_ns` and `IPv4` into `i_pv4`) and
//! applies one keyword policy. [`table`] then decides every name of a crate
//! together, with a [`Scope`] per Rust namespace, so that two names can never
//! collide. Every emitter takes names from the IR, which got them from here, so
//! a rule changed here changes everywhere at once.

pub mod table;

pub use table::NameTable;

use heck::{ToSnakeCase, ToUpperCamelCase};
use std::collections::BTreeMap;

/// Acronyms written in a mixed case that heck would split in the wrong place.
/// Each is matched case-sensitively and only where a word may start and end.
/// All-capital acronyms (`ARN`, `HLS`, `URL`) need no entry: heck keeps an
/// upper-case run together already.
const ACRONYMS: &[&str] = &[
    "ARNs", "IDs", "URLs", "URIs", "ACLs", "APIs", "AMIs", "CIDRs", "IPs", "IPv4", "IPv6", "iOS",
    "macOS", "OAuth", "MBps", "Gbps", "Mbps", "GiB", "MiB", "KiB", "TiB",
];

/// Rust keywords of every edition, plus the reserved ones. A snake-case name
/// equal to one of these gets a trailing underscore (`type` → `type_`).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Trait functions that generated code and users call on builders and clients
/// by name (`XBuilder::default()`, `builder.clone()`, `XBuilder::from(x)`). A
/// member or operation method of that name would shadow them, so it gets a
/// trailing underscore like a keyword (`default` → `default_`).
const TRAIT_FUNCTIONS: &[&str] = &["default", "clone", "from"];

/// Type names that generated code uses from the standard prelude, or that are
/// keywords in type position, plus the names of the service client and of the
/// operation errors' catch-all variant. A shape with one of these names gets
/// `Value` appended (`Result` → `ResultValue`) so it cannot shadow them.
pub(crate) const RESERVED_TYPES: &[&str] = &[
    "Client",
    "Unhandled",
    "AsRef",
    "Self",
    "Option",
    "Result",
    "String",
    "Vec",
    "Box",
    "Some",
    "None",
    "Ok",
    "Err",
    "Default",
    "Clone",
    "Debug",
    "PartialEq",
    "Eq",
    "Hash",
    "Send",
    "Sync",
    "Sized",
    "Copy",
    "From",
    "Into",
    "Iterator",
];

/// Enum variant names the generator itself uses.
pub(crate) const RESERVED_VARIANTS: &[&str] = &["Unknown", "Self"];

/// Splits an identifier into words, honouring the acronym table, and returns
/// them joined by `_` in their original case.
fn split_words(ident: &str) -> String {
    let chars: Vec<char> = ident.chars().collect();
    let mut out = String::new();
    let mut plain = String::new();
    let mut i = 0;
    let flush = |plain: &mut String, out: &mut String| {
        if !plain.is_empty() {
            let snake = plain.to_snake_case();
            if !snake.is_empty() {
                if !out.is_empty() {
                    out.push('_');
                }
                out.push_str(&snake);
            }
            plain.clear();
        }
    };
    while i < chars.len() {
        let at_start = i == 0
            || !chars[i - 1].is_alphanumeric()
            || chars[i].is_uppercase()
            || (chars[i - 1].is_lowercase() && !chars[i].is_lowercase());
        let acronym = at_start.then(|| {
            ACRONYMS
                .iter()
                .filter(|a| {
                    let a: Vec<char> = a.chars().collect();
                    let end = i + a.len();
                    end <= chars.len()
                        && chars[i..end] == a[..]
                        && (end == chars.len()
                            || !chars[end].is_alphanumeric()
                            || chars[end].is_uppercase()
                            || (chars[end].is_ascii_digit() && !a.last().unwrap().is_ascii_digit()))
                })
                .max_by_key(|a| a.len())
        });
        if let Some(Some(a)) = acronym {
            flush(&mut plain, &mut out);
            if !out.is_empty() {
                out.push('_');
            }
            out.push_str(&a.to_lowercase());
            i += a.chars().count();
        } else {
            plain.push(chars[i]);
            i += 1;
        }
    }
    flush(&mut plain, &mut out);
    out
}

/// `snake_case` for fields, methods, functions and modules, with the keyword policy.
pub fn snake(ident: &str) -> String {
    let mut s = split_words(ident);
    if s.is_empty() {
        s.push('_');
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    if KEYWORDS.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

/// `snake_case` for members (fields and their setters) and client methods:
/// [`snake`], and a trailing underscore for [`TRAIT_FUNCTIONS`].
pub fn method(ident: &str) -> String {
    let mut s = snake(ident);
    if TRAIT_FUNCTIONS.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

/// `UpperCamelCase` without the reserved-name policy (used for pieces of names).
fn pascal_raw(ident: &str) -> String {
    let s = split_words(ident).to_upper_camel_case();
    if s.starts_with(|c: char| c.is_ascii_digit()) || s.is_empty() {
        format!("Value{s}")
    } else {
        s
    }
}

/// `UpperCamelCase` for type names, before collisions are resolved (a
/// reserved name such as `Result` is resolved by the [`Scope`]).
pub fn type_name(ident: &str) -> String {
    pascal_raw(ident)
}

/// `UpperCamelCase` for enum and union variants, before collisions are resolved.
pub fn variant(ident: &str) -> String {
    pascal_raw(ident)
}

/// One Rust namespace, filled in a fixed order so the outcome is
/// deterministic. A name is claimed by trying candidates in order (the natural
/// name first); when all are taken, the first candidate gets `2`, `3`, …
#[derive(Debug, Clone)]
pub struct Scope {
    /// Name → what holds it, for the notes that explain a rename.
    taken: BTreeMap<String, String>,
    /// Put between a name and its number: `Foo2`, `foo_2`.
    separator: &'static str,
}

/// The outcome of [`Scope::claim`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub name: String,
    /// What holds the natural (first) candidate, when the name is another one.
    pub displaced_by: Option<String>,
}

impl Scope {
    /// A namespace of `UpperCamelCase` names (numbered `Foo2`).
    pub fn types() -> Self {
        Scope {
            taken: BTreeMap::new(),
            separator: "",
        }
    }

    /// A namespace of `snake_case` names (numbered `foo_2`).
    pub fn snake() -> Self {
        Scope {
            taken: BTreeMap::new(),
            separator: "_",
        }
    }

    /// Takes `name` for something outside the model (`holder` says what, in notes).
    pub fn reserve(&mut self, name: &str, holder: &str) {
        self.taken
            .entry(name.to_string())
            .or_insert_with(|| holder.to_string());
    }

    /// Whether `name` is free.
    pub fn is_free(&self, name: &str) -> bool {
        !self.taken.contains_key(name)
    }

    /// Claims the first free candidate for `holder`.
    pub fn claim(&mut self, holder: &str, candidates: &[String]) -> Claimed {
        let natural = candidates.first().cloned().unwrap_or_default();
        let chosen = candidates
            .iter()
            .find(|c| self.is_free(c))
            .cloned()
            .unwrap_or_else(|| {
                let base = natural.trim_end_matches('_');
                (2..)
                    .map(|n| format!("{base}{}{n}", self.separator))
                    .find(|c| self.is_free(c))
                    .expect("some number is free")
            });
        let displaced_by = (chosen != natural).then(|| self.taken[&natural].clone());
        self.taken.insert(chosen.clone(), holder.to_string());
        Claimed {
            name: chosen,
            displaced_by,
        }
    }
}

/// `SCREAMING_SNAKE_CASE` for constants.
pub fn constant(ident: &str) -> String {
    let s = split_words(ident).to_uppercase();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{s}")
    } else {
        s
    }
}

/// `kebab-case` for crate names (`Kinesis Video Archived Media` →
/// `kinesis-video-archived-media`).
pub fn crate_name(ident: &str) -> String {
    split_words(ident).replace('_', "-")
}

/// A name that can be spliced into generated code as an identifier.
pub fn ident(name: &str) -> proc_macro2::Ident {
    proc_macro2::Ident::new(name, proc_macro2::Span::call_site())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_table() {
        let cases = [
            ("StreamName", "stream_name"),
            ("StreamARN", "stream_arn"),
            ("StreamARNs", "stream_arns"),
            ("HLSMaxResults", "hls_max_results"),
            (
                "MaxMediaPlaylistFragmentResults",
                "max_media_playlist_fragment_results",
            ),
            ("GetHLSStreamingSessionURL", "get_hls_streaming_session_url"),
            (
                "GetDASHStreamingSessionURL",
                "get_dash_streaming_session_url",
            ),
            ("JPEGQuality", "jpeg_quality"),
            ("TimeStamp", "time_stamp"),
            ("NextToken", "next_token"),
            ("FragmentSizeInBytes", "fragment_size_in_bytes"),
            ("APIName", "api_name"),
            ("ImageContent", "image_content"),
            ("IPv4Address", "ipv4_address"),
            ("SourceIPv6", "source_ipv6"),
            ("VolumeIDs", "volume_ids"),
            ("IDs", "ids"),
            ("S3Key", "s3_key"),
            ("MD5OfBody", "md5_of_body"),
            ("EC2InstanceId", "ec2_instance_id"),
            ("iOSVersion", "ios_version"),
            ("already_snake", "already_snake"),
            ("camelCase", "camel_case"),
            ("PRODUCER_TIMESTAMP", "producer_timestamp"),
            ("Identifiers", "identifiers"),
            ("Apis", "apis"),
            ("type", "type_"),
            ("Type", "type_"),
            ("self", "self_"),
            ("Self", "self_"),
            ("async", "async_"),
            ("gen", "gen_"),
            ("try", "try_"),
            ("Match", "match_"),
            ("1stPlace", "_1st_place"),
            ("a", "a"),
        ];
        for (input, expected) in cases {
            assert_eq!(snake(input), expected, "snake({input:?})");
        }
    }

    #[test]
    fn type_name_table() {
        let cases = [
            ("GetImagesInput", "GetImagesInput"),
            ("AWSAcuityReader", "AwsAcuityReader"),
            ("KinesisVideo_20170930", "KinesisVideo20170930"),
            ("HLSFragmentSelector", "HlsFragmentSelector"),
            ("StreamARNs", "StreamArns"),
            ("IPv4Config", "Ipv4Config"),
            ("Result", "Result"),
            ("Error", "Error"),
            ("lowercase", "Lowercase"),
        ];
        for (input, expected) in cases {
            assert_eq!(type_name(input), expected, "type_name({input:?})");
        }
    }

    #[test]
    fn variant_table() {
        let cases = [
            ("PRODUCER_TIMESTAMP", "ProducerTimestamp"),
            ("JPEGQuality", "JpegQuality"),
            ("JPEG", "Jpeg"),
            ("NO_MEDIA", "NoMedia"),
            ("GET_HLS_STREAMING_SESSION_URL", "GetHlsStreamingSessionUrl"),
            ("UNKNOWN", "Unknown"),
            ("1080p", "Value1080p"),
            ("t2.micro", "T2Micro"),
        ];
        for (input, expected) in cases {
            assert_eq!(variant(input), expected, "variant({input:?})");
        }
    }

    #[test]
    fn methods_avoid_keywords_and_trait_functions() {
        for (input, expected) in [
            ("Default", "default_"),
            ("clone", "clone_"),
            ("From", "from_"),
            ("Type", "type_"),
            ("Input", "input"),
            ("Eq", "eq"),
        ] {
            assert_eq!(method(input), expected, "method({input:?})");
        }
    }

    #[test]
    fn scope_claims_in_order_and_numbers_when_every_candidate_is_taken() {
        let mut s = Scope::types();
        s.reserve("Result", "the Rust prelude");
        let natural = |n: &str| vec![n.to_string(), format!("{n}Value")];
        assert_eq!(s.claim("a#Result", &natural("Result")).name, "ResultValue");
        let c = s.claim("a#Foo", &natural("Foo"));
        assert_eq!((c.name.as_str(), c.displaced_by), ("Foo", None));
        let c = s.claim("a#Foo_", &natural("Foo"));
        assert_eq!(c.name, "FooValue");
        assert_eq!(c.displaced_by.as_deref(), Some("a#Foo"));
        assert_eq!(s.claim("b#Foo", &natural("Foo")).name, "Foo2");
        assert_eq!(s.claim("c#Foo", &natural("Foo")).name, "Foo3");
        let mut s = Scope::snake();
        assert_eq!(s.claim("x", &["type_".into()]).name, "type_");
        assert_eq!(s.claim("y", &["type_".into()]).name, "type_2");
    }

    #[test]
    fn constants_and_crates() {
        assert_eq!(constant("StreamARN"), "STREAM_ARN");
        assert_eq!(constant("ImageSelectorType"), "IMAGE_SELECTOR_TYPE");
        assert_eq!(
            crate_name("Kinesis Video Archived Media"),
            "kinesis-video-archived-media"
        );
        assert_eq!(crate_name("Kinesis Video"), "kinesis-video");
        assert_eq!(crate_name("AWSAcuityReader"), "aws-acuity-reader");
    }
}
