//! Lowering stage, protocols: the decisions a wire protocol makes about a
//! service, asked by lowering in one place each, so that adding a protocol
//! is a new implementation of [`ClientProtocol`], not branches across the
//! generator: restJson1, restXml, awsJson1_0/1_1, rpcv2Cbor, rpcv2Json,
//! awsQuery and ec2Query.

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
    /// Whether `@timestampFormat` changes a body member's format (the RPC v2
    /// protocols always send epoch seconds).
    fn honours_timestamp_format(&self) -> bool {
        true
    }
    /// A member's key in a form-encoded request (awsQuery, ec2Query).
    fn query_key(&self, member: &str, traits: &Traits) -> String {
        xml_name(member, traits)
    }
    /// The code that identifies an error shape named `name` on the wire.
    fn error_code(&self, name: &str, traits: &Traits) -> String {
        let _ = traits;
        name.to_owned()
    }
    /// The element of a response body that holds the output's members, when
    /// it is not the root (awsQuery's `<OperationResult>`).
    fn response_wrapper(&self, operation: &str) -> Option<String> {
        let _ = operation;
        None
    }
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

/// `aws.protocols#restXml`: HTTP bindings as in restJson1, with XML bodies
/// whose elements take their `@xmlName`, and timestamps as date-times.
pub struct RestXml;

impl ClientProtocol for RestXml {
    fn id(&self) -> &'static str {
        "aws.protocols#restXml"
    }

    fn ir(&self) -> ir::Protocol {
        ir::Protocol::RestXml
    }

    fn uses_http_bindings(&self) -> bool {
        true
    }

    fn wire_name(&self, member: &str, traits: &Traits) -> String {
        xml_name(member, traits)
    }

    fn body_timestamp_format(&self) -> TimestampFormat {
        TimestampFormat::DateTime
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

/// `smithy.protocols#rpcv2Cbor` and `smithy.protocols#rpcv2Json`: every
/// operation is `POST /service/{Service}/operation/{Operation}`, the input is
/// the body, `@jsonName` and `@timestampFormat` are ignored (timestamps are
/// epoch seconds), and the two differ in the body's format.
pub struct RpcV2 {
    id: &'static str,
    ir: ir::Protocol,
    /// The `smithy-protocol` header's value.
    name: &'static str,
    content_type: &'static str,
}

/// `smithy.protocols#rpcv2Cbor`.
pub const RPC_V2_CBOR: RpcV2 = RpcV2 {
    id: "smithy.protocols#rpcv2Cbor",
    ir: ir::Protocol::RpcV2Cbor,
    name: "rpc-v2-cbor",
    content_type: "application/cbor",
};

/// `smithy.protocols#rpcv2Json`.
pub const RPC_V2_JSON: RpcV2 = RpcV2 {
    id: "smithy.protocols#rpcv2Json",
    ir: ir::Protocol::RpcV2Json,
    name: "rpc-v2-json",
    content_type: "application/json",
};

impl ClientProtocol for RpcV2 {
    fn id(&self) -> &'static str {
        self.id
    }

    fn ir(&self) -> ir::Protocol {
        self.ir
    }

    fn uses_http_bindings(&self) -> bool {
        false
    }

    fn wire_name(&self, member: &str, _: &Traits) -> String {
        member.to_owned()
    }

    fn body_timestamp_format(&self) -> TimestampFormat {
        TimestampFormat::EpochSeconds
    }

    fn honours_timestamp_format(&self) -> bool {
        false
    }

    fn rpc_request(&self, service: &str, operation: &str) -> Option<RpcRequest> {
        Some(RpcRequest {
            uri: format!("/service/{service}/operation/{operation}"),
            headers: vec![
                ("smithy-protocol".into(), self.name.into()),
                ("Accept".into(), self.content_type.into()),
            ],
            content_type: self.content_type,
            unit_input_empty: true,
        })
    }
}

/// `aws.protocols#awsQuery` and `aws.protocols#ec2Query`: every operation is
/// `POST /` with a form body naming the operation and API version, members
/// keyed by their XML names; responses and errors are XML. The two differ
/// in keys (ec2Query capitalises them, or takes `@ec2QueryName`), in lists
/// (ec2Query always flattens them) and in where the output's members are.
pub struct Query {
    id: &'static str,
    ir: ir::Protocol,
}

/// `aws.protocols#awsQuery`.
pub const AWS_QUERY: Query = Query {
    id: "aws.protocols#awsQuery",
    ir: ir::Protocol::AwsQuery,
};

/// `aws.protocols#ec2Query`.
pub const EC2_QUERY: Query = Query {
    id: "aws.protocols#ec2Query",
    ir: ir::Protocol::Ec2Query,
};

impl ClientProtocol for Query {
    fn id(&self) -> &'static str {
        self.id
    }

    fn ir(&self) -> ir::Protocol {
        self.ir
    }

    fn uses_http_bindings(&self) -> bool {
        false
    }

    /// The element name in XML responses.
    fn wire_name(&self, member: &str, traits: &Traits) -> String {
        xml_name(member, traits)
    }

    fn body_timestamp_format(&self) -> TimestampFormat {
        TimestampFormat::DateTime
    }

    fn query_key(&self, member: &str, traits: &Traits) -> String {
        if self.ir == ir::Protocol::Ec2Query {
            if let Some(name) = &traits.ec2_query_name {
                return name.clone();
            }
            let name = traits.xml_name.as_deref().unwrap_or(member);
            let mut chars = name.chars();
            return chars.next().map_or(String::new(), |first| {
                first.to_uppercase().chain(chars).collect()
            });
        }
        xml_name(member, traits)
    }

    fn error_code(&self, name: &str, traits: &Traits) -> String {
        match &traits.aws_query_error {
            Some(e) if self.ir == ir::Protocol::AwsQuery => e.code.clone(),
            _ => name.to_owned(),
        }
    }

    fn response_wrapper(&self, operation: &str) -> Option<String> {
        (self.ir == ir::Protocol::AwsQuery).then(|| format!("{operation}Result"))
    }

    fn rpc_request(&self, _service: &str, _operation: &str) -> Option<RpcRequest> {
        Some(RpcRequest {
            uri: "/".into(),
            headers: Vec::new(),
            content_type: "application/x-www-form-urlencoded",
            unit_input_empty: false,
        })
    }
}

/// A member's XML name: `@xmlName`, else the member's own.
fn xml_name(member: &str, traits: &Traits) -> String {
    traits.xml_name.clone().unwrap_or_else(|| member.to_owned())
}

/// Every protocol the generator implements, in order of preference when a
/// service supports several.
pub const PROTOCOLS: &[&dyn ClientProtocol] = &[
    &RestJson1,
    &AWS_JSON_1_1,
    &AWS_JSON_1_0,
    &RPC_V2_CBOR,
    &RPC_V2_JSON,
    &AWS_QUERY,
    &EC2_QUERY,
    &RestXml,
];

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
            "uses no protocol trait; the generator supports aws.protocols#restJson1, aws.protocols#awsJson1_1, aws.protocols#awsJson1_0, smithy.protocols#rpcv2Cbor, smithy.protocols#rpcv2Json, aws.protocols#awsQuery, aws.protocols#ec2Query, aws.protocols#restXml"
        );
        t.protocols.push("smithy.example#customProtocol".into());
        let e = for_service(&t).err().unwrap();
        assert!(e.starts_with("uses smithy.example#customProtocol;"), "{e}");
        t.protocols.push("aws.protocols#awsJson1_0".into());
        assert_eq!(for_service(&t).unwrap().id(), "aws.protocols#awsJson1_0");
        t.protocols.push("aws.protocols#restJson1".into());
        assert_eq!(for_service(&t).unwrap().id(), "aws.protocols#restJson1");
    }
}
