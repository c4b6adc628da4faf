//! Lowering stage, protocols: the decisions a wire protocol makes about a
//! service, asked by lowering in one place each, so that adding a protocol
//! is a new implementation of [`ClientProtocol`], not branches across the
//! generator. restJson1 is the first implementation.

use crate::ir::{self, TimestampFormat};
use crate::traits::Traits;

/// What lowering needs to know about a service's protocol.
pub trait ClientProtocol: Sync {
    /// The protocol trait's shape id (`aws.protocols#restJson1`).
    fn id(&self) -> &'static str;
    /// The protocol as the IR records it.
    fn ir(&self) -> ir::Protocol;
    /// Whether operations are bound to HTTP with `@http`, `@httpLabel` …
    /// (a protocol without bindings routes every operation itself).
    fn uses_http_bindings(&self) -> bool;
    /// The key a member has in the body (`@jsonName` where the protocol
    /// honours it).
    fn wire_name(&self, member: &str, traits: &Traits) -> String;
    /// The timestamp format of a body member without `@timestampFormat`.
    fn body_timestamp_format(&self) -> TimestampFormat;
}

/// `aws.protocols#restJson1`.
pub struct RestJson1;

impl ClientProtocol for RestJson1 {
    fn id(&self) -> &'static str {
        "aws.protocols#restJson1"
    }

    fn ir(&self) -> ir::Protocol {
        ir::Protocol::RestJson1
    }

    fn uses_http_bindings(&self) -> bool {
        true
    }

    fn wire_name(&self, member: &str, traits: &Traits) -> String {
        traits
            .json_name
            .clone()
            .unwrap_or_else(|| member.to_owned())
    }

    fn body_timestamp_format(&self) -> TimestampFormat {
        TimestampFormat::EpochSeconds
    }
}

/// Every protocol the generator implements, in order of preference when a
/// service supports several.
pub const PROTOCOLS: &[&dyn ClientProtocol] = &[&RestJson1];

/// The protocol the client of a service with these traits speaks, or why
/// there is none.
pub fn for_service(traits: &Traits) -> Result<&'static dyn ClientProtocol, String> {
    let applied = |id: &str| match id {
        "aws.protocols#restJson1" => traits.rest_json1,
        other => traits.other_protocols.iter().any(|p| p == other),
    };
    PROTOCOLS
        .iter()
        .copied()
        .find(|p| applied(p.id()))
        .ok_or_else(|| {
            let found = if traits.other_protocols.is_empty() {
                "no protocol trait".to_string()
            } else {
                traits.other_protocols.join(", ")
            };
            let supported: Vec<&str> = PROTOCOLS.iter().map(|p| p.id()).collect();
            format!(
                "uses {found}; the generator supports {}",
                supported.join(", ")
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_service_gets_the_protocol_it_applies_or_a_reason() {
        let mut t = Traits::default();
        let e = for_service(&t).err().unwrap();
        assert_eq!(
            e,
            "uses no protocol trait; the generator supports aws.protocols#restJson1"
        );
        t.other_protocols.push("aws.protocols#awsJson1_1".into());
        let e = for_service(&t).err().unwrap();
        assert!(e.starts_with("uses aws.protocols#awsJson1_1;"), "{e}");
        t.rest_json1 = true;
        assert_eq!(for_service(&t).unwrap().id(), "aws.protocols#restJson1");
    }
}
