//! Validation stage, part one: reads the trait values the generator understands
//! into typed form, and classifies every other trait.
//!
//! A trait the generator knows but cannot act on yet is reported as unsupported
//! wherever it appears on a generated shape; a trait that only documents (tags,
//! examples) is accepted and ignored. Traits of unknown namespaces are custom
//! traits and are ignored, as Smithy requires of tools that do not know them.
//! Members a trait value has beyond its definition are ignored, as Smithy
//! warns of them without rejecting the model.

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct LengthTrait {
    pub min: Option<serde_json::Number>,
    pub max: Option<serde_json::Number>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct HttpTrait {
    pub method: String,
    pub uri: String,
    #[serde(default = "default_code")]
    pub code: u16,
}

fn default_code() -> u16 {
    200
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PaginatedTrait {
    pub input_token: Option<String>,
    pub output_token: Option<String>,
    pub items: Option<String>,
    pub page_size: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct RetryableTrait {
    #[serde(default)]
    pub throttling: bool,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct DeprecatedTrait {
    pub message: Option<String>,
    pub since: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct LegacyEnumValue {
    pub value: String,
    pub name: Option<String>,
    pub documentation: Option<String>,
    #[serde(default)]
    pub deprecated: bool,
    #[serde(default)]
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AwsServiceTrait {
    pub sdk_id: String,
    pub endpoint_prefix: Option<String>,
    pub arn_namespace: Option<String>,
    pub cloud_formation_name: Option<String>,
    pub cloud_trail_event_source: Option<String>,
    pub doc_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct EndpointTrait {
    pub host_prefix: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct SigV4Trait {
    pub name: String,
}

/// `aws.api#clientEndpointDiscovery` of a service.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct EndpointDiscoveryTrait {
    /// The operation that returns endpoints (`DescribeEndpoints`).
    pub operation: String,
    /// The error that says a discovered endpoint is no longer valid.
    pub error: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AwsQueryErrorTrait {
    pub code: String,
    pub http_response_code: u16,
}

/// `smithy.api#xmlNamespace`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct XmlNamespaceTrait {
    pub uri: String,
    pub prefix: Option<String>,
}

/// The traits of one shape or member, typed. Absent traits are `None`/`false`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Traits {
    pub documentation: Option<String>,
    pub required: bool,
    pub default: Option<Value>,
    pub client_optional: bool,
    pub input: bool,
    pub output: bool,
    pub sparse: bool,
    pub error: Option<String>,
    pub http_error: Option<u16>,
    pub retryable: Option<RetryableTrait>,
    pub sensitive: bool,
    pub deprecated: Option<DeprecatedTrait>,
    pub enum_value: Option<Value>,
    pub legacy_enum: Option<Vec<LegacyEnumValue>>,
    pub length: Option<LengthTrait>,
    pub range: Option<LengthTrait>,
    pub pattern: Option<String>,
    pub unique_items: bool,
    pub json_name: Option<String>,
    pub timestamp_format: Option<String>,
    pub http: Option<HttpTrait>,
    pub http_label: bool,
    pub http_query: Option<String>,
    pub http_query_params: bool,
    pub http_header: Option<String>,
    pub http_prefix_headers: Option<String>,
    pub http_payload: bool,
    pub http_response_code: bool,
    pub paginated: Option<PaginatedTrait>,
    pub streaming: bool,
    pub tags: Vec<String>,
    pub internal: bool,
    pub media_type: Option<String>,
    pub idempotency_token: bool,
    pub endpoint: Option<EndpointTrait>,
    pub host_label: bool,
    pub title: Option<String>,
    pub mixin: bool,
    pub aws_service: Option<AwsServiceTrait>,
    pub sigv4: Option<SigV4Trait>,
    /// Auth scheme traits applied to a service (`aws.auth#sigv4`,
    /// `smithy.api#httpBearerAuth` …), by trait id.
    pub auth_schemes: Vec<String>,
    /// `@auth`: the schemes a service or operation accepts, in order.
    pub auth: Option<Vec<String>>,
    pub optional_auth: bool,
    pub unsigned_payload: bool,
    pub checksum_required: bool,
    /// `@requestCompression` encodings.
    pub request_compression: Option<Vec<String>>,
    /// The protocol traits applied to a service (`aws.protocols#restJson1`,
    /// `aws.protocols#awsJson1_1` …), in shape id order.
    pub protocols: Vec<String>,
    /// `aws.protocols#awsQueryCompatible`: a service moved from awsQuery
    /// that still reports its awsQuery error codes.
    pub aws_query_compatible: bool,
    /// `aws.api#clientEndpointDiscovery` of a service.
    pub endpoint_discovery: Option<EndpointDiscoveryTrait>,
    /// `aws.api#clientDiscoveredEndpoint` of an operation: `Some(required)`.
    pub discovered_endpoint: Option<bool>,
    /// `aws.protocols#awsQueryError`: an error's awsQuery code.
    pub aws_query_error: Option<AwsQueryErrorTrait>,
    /// `@xmlName`: the element (or attribute) name in XML bodies, and the
    /// key in awsQuery and ec2Query requests.
    pub xml_name: Option<String>,
    /// `@xmlAttribute`: the member is an attribute of its structure's element.
    pub xml_attribute: bool,
    /// `@xmlFlattened`: a list's items (a map's entries) repeat the member's
    /// element instead of nesting in it.
    pub xml_flattened: bool,
    /// `@xmlNamespace`.
    pub xml_namespace: Option<XmlNamespaceTrait>,
    /// `aws.protocols#ec2QueryName`: the member's key in ec2Query requests.
    pub ec2_query_name: Option<String>,
    /// `aws.customizations#s3UnwrappedXmlOutput`: the response body's root
    /// element is the output's one body member itself.
    pub s3_unwrapped_xml_output: bool,
    /// Known traits whose behaviour the generator does not implement yet.
    pub unsupported: Vec<String>,
    /// `smithy.rules#endpointRuleSet`, as written (the runtime reads it).
    pub endpoint_rule_set: Option<Value>,
    /// `smithy.rules#endpointTests`: its test cases, as written.
    pub endpoint_tests: Vec<Value>,
    /// `smithy.rules#clientContextParams`: name → type and documentation.
    pub client_context_params: BTreeMap<String, ClientContextParam>,
    /// `smithy.rules#staticContextParams`: name → value.
    pub static_context_params: BTreeMap<String, Value>,
    /// `smithy.rules#contextParam`: the parameter a member binds.
    pub context_param: Option<String>,
    /// `smithy.rules#operationContextParams`: name → JMESPath over the input.
    pub operation_context_params: BTreeMap<String, String>,
}

/// One `smithy.rules#clientContextParams` entry.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct ClientContextParam {
    #[serde(rename = "type")]
    pub ty: String,
    pub documentation: Option<String>,
}

/// Traits that change nothing in generated code, or are handled elsewhere.
const IGNORED: &[&str] = &[
    "smithy.api#tags",
    "smithy.api#since",
    "smithy.api#examples",
    "smithy.api#externalDocumentation",
    "smithy.api#suppress",
    "smithy.api#private",
    "smithy.api#internal",
    "smithy.api#unstable",
    "smithy.api#recommended",
    "smithy.api#trait",
    "smithy.api#unitType",
    "smithy.api#box",
    "smithy.api#addedDefault",
    "smithy.api#readonly",
    "smithy.api#idempotent",
    "smithy.api#cors",
    "smithy.api#protocolDefinition",
    "smithy.api#authDefinition",
    "smithy.api#references",
    "smithy.api#resourceIdentifier",
    "smithy.api#property",
    "smithy.api#notProperty",
    "smithy.api#nestedProperties",
    "smithy.api#noReplace",
    "smithy.api#traitValidators",
    "smithy.api#requiresLength",
    "smithy.api#eventHeader",
    "smithy.api#eventPayload",
    "smithy.api#idRef",
    "aws.api#arn",
    "aws.api#arnReference",
    "aws.api#data",
    "aws.api#controlPlane",
    "aws.api#tagEnabled",
    "aws.api#taggable",
];

/// Known traits the generator cannot act on yet. Each is reported as
/// unsupported where it appears on a generated shape or member.
const UNSUPPORTED: &[&str] = &["aws.protocols#httpChecksum"];

/// Auth scheme traits. Each is recorded where it is applied; whether the
/// generator supports it matters only when an operation would have to use it.
pub const AUTH_SCHEMES: &[&str] = &[
    "aws.auth#sigv4",
    "aws.auth#sigv4a",
    "smithy.api#httpApiKeyAuth",
    "smithy.api#httpBasicAuth",
    "smithy.api#httpBearerAuth",
    "smithy.api#httpDigestAuth",
    "aws.auth#cognitoUserPools",
];

/// Protocol traits, whether the generator implements them or not (a
/// service's protocol is chosen in `protocol`).
const PROTOCOLS: &[&str] = &[
    "aws.protocols#restJson1",
    "aws.protocols#awsJson1_0",
    "aws.protocols#awsJson1_1",
    "aws.protocols#restXml",
    "aws.protocols#awsQuery",
    "aws.protocols#ec2Query",
    "smithy.protocols#rpcv2Cbor",
    "smithy.protocols#rpcv2Json",
];

/// Namespaces whose traits the generator is expected to know. A trait from one of
/// these that is in none of the lists above is reported, so that a new Smithy
/// feature never passes silently.
fn known_namespace(id: &str) -> bool {
    id.starts_with("smithy.api#") || id.starts_with("aws.protocols#") || id.starts_with("aws.auth#")
}

/// Parses a trait map. Returns the typed traits and one message per trait whose
/// value has the wrong shape (`(trait id, reason)`).
pub fn parse(raw: &BTreeMap<String, Value>) -> (Traits, Vec<(String, String)>) {
    let mut t = Traits::default();
    let mut errors = Vec::new();
    for (id, value) in raw {
        let res: Result<(), String> = (|| {
            match id.as_str() {
                "smithy.api#documentation" => t.documentation = Some(typed(value)?),
                "smithy.api#required" => t.required = marker(value)?,
                "smithy.api#default" => t.default = Some(value.clone()),
                "smithy.api#clientOptional" => t.client_optional = marker(value)?,
                "smithy.api#input" => t.input = marker(value)?,
                "smithy.api#output" => t.output = marker(value)?,
                "smithy.api#sparse" => t.sparse = marker(value)?,
                "smithy.api#error" => {
                    let v: String = typed(value)?;
                    if v != "client" && v != "server" {
                        return Err(format!("must be \"client\" or \"server\", found {v:?}"));
                    }
                    t.error = Some(v);
                }
                "smithy.api#httpError" => {
                    let code: u16 = typed(value)?;
                    if !(100..=599).contains(&code) {
                        return Err(format!("{code} is not an HTTP status code"));
                    }
                    t.http_error = Some(code);
                }
                "smithy.api#retryable" => t.retryable = Some(typed(value)?),
                "smithy.api#sensitive" => t.sensitive = marker(value)?,
                "smithy.api#deprecated" => t.deprecated = Some(typed(value)?),
                "smithy.api#enumValue" => t.enum_value = Some(value.clone()),
                "smithy.api#enum" => t.legacy_enum = Some(typed(value)?),
                "smithy.api#length" => t.length = Some(typed(value)?),
                "smithy.api#range" => t.range = Some(typed(value)?),
                "smithy.api#pattern" => t.pattern = Some(typed(value)?),
                "smithy.api#uniqueItems" => t.unique_items = marker(value)?,
                "smithy.api#jsonName" => t.json_name = Some(typed(value)?),
                "smithy.api#timestampFormat" => {
                    let v: String = typed(value)?;
                    if !matches!(v.as_str(), "epoch-seconds" | "date-time" | "http-date") {
                        return Err(format!("unknown timestamp format {v:?}"));
                    }
                    t.timestamp_format = Some(v);
                }
                "smithy.api#http" => t.http = Some(typed(value)?),
                "smithy.api#httpLabel" => t.http_label = marker(value)?,
                "smithy.api#httpQuery" => t.http_query = Some(typed(value)?),
                "smithy.api#httpQueryParams" => t.http_query_params = marker(value)?,
                "smithy.api#httpHeader" => t.http_header = Some(typed(value)?),
                "smithy.api#httpPrefixHeaders" => t.http_prefix_headers = Some(typed(value)?),
                "smithy.api#httpPayload" => t.http_payload = marker(value)?,
                "smithy.api#httpResponseCode" => t.http_response_code = marker(value)?,
                "smithy.api#paginated" => t.paginated = Some(typed(value)?),
                "smithy.api#streaming" => t.streaming = marker(value)?,
                "smithy.api#tags" => t.tags = typed(value)?,
                "smithy.api#internal" => t.internal = marker(value)?,
                "smithy.api#mediaType" => t.media_type = Some(typed(value)?),
                "smithy.api#idempotencyToken" => t.idempotency_token = marker(value)?,
                "smithy.api#endpoint" => t.endpoint = Some(typed(value)?),
                "smithy.api#hostLabel" => t.host_label = marker(value)?,
                "smithy.api#title" => t.title = Some(typed(value)?),
                "smithy.api#mixin" => t.mixin = true,
                "aws.api#service" => t.aws_service = Some(typed(value)?),
                "aws.auth#sigv4" => {
                    t.sigv4 = Some(typed(value)?);
                    t.auth_schemes.push(id.clone());
                }
                other if AUTH_SCHEMES.contains(&other) => t.auth_schemes.push(other.to_string()),
                "smithy.api#auth" => t.auth = Some(typed(value)?),
                "smithy.api#optionalAuth" => t.optional_auth = marker(value)?,
                "aws.auth#unsignedPayload" => t.unsigned_payload = marker(value)?,
                "smithy.api#httpChecksumRequired" => t.checksum_required = marker(value)?,
                "smithy.api#requestCompression" => {
                    #[derive(Deserialize)]
                    struct Compression {
                        encodings: Vec<String>,
                    }
                    let c: Compression = typed(value)?;
                    t.request_compression = Some(c.encodings);
                }
                "aws.protocols#awsQueryCompatible" => t.aws_query_compatible = marker(value)?,
                "aws.protocols#awsQueryError" => t.aws_query_error = Some(typed(value)?),
                "smithy.api#xmlName" => t.xml_name = Some(typed(value)?),
                "smithy.api#xmlAttribute" => t.xml_attribute = marker(value)?,
                "smithy.api#xmlFlattened" => t.xml_flattened = marker(value)?,
                "smithy.api#xmlNamespace" => t.xml_namespace = Some(typed(value)?),
                "aws.protocols#ec2QueryName" => t.ec2_query_name = Some(typed(value)?),
                "aws.customizations#s3UnwrappedXmlOutput" => {
                    t.s3_unwrapped_xml_output = marker(value)?
                }
                "aws.api#clientEndpointDiscovery" => t.endpoint_discovery = Some(typed(value)?),
                "aws.api#clientDiscoveredEndpoint" => {
                    #[derive(Deserialize)]
                    struct Discovered {
                        #[serde(default)]
                        required: bool,
                    }
                    t.discovered_endpoint = Some(typed::<Discovered>(value)?.required);
                }
                "smithy.rules#endpointRuleSet" => {
                    if !value.is_object() {
                        return Err("is not an object".into());
                    }
                    t.endpoint_rule_set = Some(value.clone());
                }
                "smithy.rules#endpointTests" => {
                    #[derive(Deserialize)]
                    #[serde(rename_all = "camelCase")]
                    struct Tests {
                        #[serde(default)]
                        test_cases: Vec<Value>,
                    }
                    t.endpoint_tests = typed::<Tests>(value)?.test_cases;
                }
                "smithy.rules#clientContextParams" => t.client_context_params = typed(value)?,
                "smithy.rules#staticContextParams" => {
                    #[derive(Deserialize)]
                    struct Static {
                        value: Value,
                    }
                    let params: BTreeMap<String, Static> = typed(value)?;
                    t.static_context_params =
                        params.into_iter().map(|(k, v)| (k, v.value)).collect();
                }
                "smithy.rules#contextParam" => {
                    #[derive(Deserialize)]
                    struct Context {
                        name: String,
                    }
                    t.context_param = Some(typed::<Context>(value)?.name);
                }
                "smithy.rules#operationContextParams" => {
                    #[derive(Deserialize)]
                    struct Path {
                        path: String,
                    }
                    let params: BTreeMap<String, Path> = typed(value)?;
                    t.operation_context_params =
                        params.into_iter().map(|(k, v)| (k, v.path)).collect();
                }
                other if PROTOCOLS.contains(&other) => t.protocols.push(other.to_string()),
                other if UNSUPPORTED.contains(&other) => t.unsupported.push(other.to_string()),
                other if IGNORED.contains(&other) => {}
                other if known_namespace(other) => t.unsupported.push(other.to_string()),
                // Custom traits, smithy.test, smithy.rules, smithy.waiters, aws.iam,
                // aws.cloudformation …: they do not change the client's types or wire.
                _ => {}
            }
            Ok(())
        })();
        if let Err(reason) = res {
            errors.push((id.clone(), reason));
        }
    }
    (t, errors)
}

fn typed<T: serde::de::DeserializeOwned>(value: &Value) -> Result<T, String> {
    serde_json::from_value(value.clone())
        .map_err(|e| format!("has a value of the wrong shape ({e})"))
}

/// Annotation traits are `{}` in the JSON AST (`true` is accepted too).
fn marker(value: &Value) -> Result<bool, String> {
    match value {
        Value::Object(m) if m.is_empty() => Ok(true),
        Value::Bool(true) => Ok(true),
        other => Err(format!(
            "is an annotation trait and must be {{}}, found {other}"
        )),
    }
}
