//! Lowering stage, protocols: the decisions a wire protocol makes about a
//! service, asked by lowering in one place each, so that adding a protocol
//! is a new implementation of [`ClientProtocol`], not branches across the
//! generator: restJson1, awsJson1_0/1_1 and rpcv2Cbor.

use crate::ir::{self, TimestampFormat};
use crate::traits::Traits;

/// What lowering needs to know about a service's protocol.
pub trait ClientProtocol: Sync {
    /// The protocol trait's shape id (`aws.protocols#restJson1`).
    fn id(&self) -> &'static str;
    /// The protocol as the IR records it.
    fn ir(&self) -> ir::Protocol;
    /// Whether operations are bound to HTTP with `@http`, `@httpLabel` …
    /// (a protocol without bindings routes every operation itself, and
    /// every member is in the body).
    fn uses_http_bindings(&self) -> bool;
    /// The key a member has in the body (`@jsonName` where the protocol
    /// honours it).
    fn wire_name(&self, member: &str, traits: &Traits) -> String;
    /// The timestamp format of a body member without `@timestampFormat`.
    fn body_timestamp_format(&self) -> TimestampFormat;
    /// The request of an operation of a protocol without HTTP bindings:
    /// where it goes, the headers naming it, and the body's media type.
    /// `service` and `operation` are the shapes' local names.
    fn rpc_request(&self, service: &str, operation: &str) -> Option<RpcRequest> {
        let _ = (service, operation);
        None
    }
}

/// Where an RPC protocol sends an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcRequest {
    pub uri: String,
    /// Headers every request of the operation carries, in order.
    pub headers: Vec<(String, String)>,
    /// The media type of the body.
    pub content_type: &'static str,
    /// Whether an operation without input sends no body (else `{}`).
    pub unit_input_empty: bool,
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

/// `aws.protocols#awsJson1_0` and `aws.protocols#awsJson1_1`: every
/// operation is `POST /` named by `X-Amz-Target`, and the input is the
/// body. The two differ only in the media type.
pub struct AwsJson {
    id: &'static str,
    ir: ir::Protocol,
    content_type: &'static str,
}

/// `aws.protocols#awsJson1_0`.
pub const AWS_JSON_1_0: AwsJson = AwsJson {
    id: "aws.protocols#awsJson1_0",
    ir: ir::Protocol::AwsJson1_0,
    content_type: "application/x-amz-json-1.0",
};

/// `aws.protocols#awsJson1_1`.
pub const AWS_JSON_1_1: AwsJson = AwsJson {
    id: "aws.protocols#awsJson1_1",
    ir: ir::Protocol::AwsJson1_1,
    content_type: "application/x-amz-json-1.1",
};

impl ClientProtocol for AwsJson {
    fn id(&self) -> &'static str {
        self.id
    }

    fn ir(&self) -> ir::Protocol {
        self.ir
    }

    fn uses_http_bindings(&self) -> bool {
        false
    }

    /// awsJson ignores `@jsonName`.
    fn wire_name(&self, member: &str, _: &Traits) -> String {
        member.to_owned()
    }

    fn body_timestamp_format(&self) -> TimestampFormat {
        TimestampFormat::EpochSeconds
    }

    fn rpc_request(&self, service: &str, operation: &str) -> Option<RpcRequest> {
        Some(RpcRequest {
            uri: "/".into(),
            headers: vec![("X-Amz-Target".into(), format!("{service}.{operation}"))],
            content_type: self.content_type,
            unit_input_empty: false,
        })
    }
}

/// `smithy.protocols#rpcv2Cbor`: every operation is `POST
/// /service/{Service}/operation/{Operation}`, and the input is a CBOR body.
pub struct RpcV2Cbor;

impl ClientProtocol for RpcV2Cbor {
    fn id(&self) -> &'static str {
        "smithy.protocols#rpcv2Cbor"
    }

    fn ir(&self) -> ir::Protocol {
        ir::Protocol::RpcV2Cbor
    }

    fn uses_http_bindings(&self) -> bool {
        false
    }

    fn wire_name(&self, member: &str, _: &Traits) -> String {
        member.to_owned()
    }

    /// Timestamps are always tagged epoch seconds in CBOR.
    fn body_timestamp_format(&self) -> TimestampFormat {
        TimestampFormat::EpochSeconds
    }

    fn rpc_request(&self, service: &str, operation: &str) -> Option<RpcRequest> {
        Some(RpcRequest {
            uri: format!("/service/{service}/operation/{operation}"),
            headers: vec![
                ("smithy-protocol".into(), "rpc-v2-cbor".into()),
                ("Accept".into(), "application/cbor".into()),
            ],
            content_type: "application/cbor",
            unit_input_empty: true,
        })
    }
}

/// Every protocol the generator implements, in order of preference when a
/// service supports several.
pub const PROTOCOLS: &[&dyn ClientProtocol] =
    &[&RestJson1, &AWS_JSON_1_1, &AWS_JSON_1_0, &RpcV2Cbor];

/// The protocol the client of a service with these traits speaks, or why
/// there is none.
pub fn for_service(traits: &Traits) -> Result<&'static dyn ClientProtocol, String> {
    PROTOCOLS
        .iter()
        .copied()
        .find(|p| traits.protocols.iter().any(|t| t == p.id()))
        .ok_or_else(|| {
            let found = if traits.protocols.is_empty() {
                "no protocol trait".to_string()
            } else {
                traits.protocols.join(", ")
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
            "uses no protocol trait; the generator supports aws.protocols#restJson1, aws.protocols#awsJson1_1, aws.protocols#awsJson1_0, smithy.protocols#rpcv2Cbor"
        );
        t.protocols.push("aws.protocols#restXml".into());
        let e = for_service(&t).err().unwrap();
        assert!(e.starts_with("uses aws.protocols#restXml;"), "{e}");
        t.protocols.push("aws.protocols#awsJson1_0".into());
        assert_eq!(for_service(&t).unwrap().id(), "aws.protocols#awsJson1_0");
        t.protocols.push("aws.protocols#restJson1".into());
        assert_eq!(for_service(&t).unwrap().id(), "aws.protocols#restJson1");
    }
}
