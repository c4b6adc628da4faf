//! Lowering output: the intermediate representation every emitter reads.
//!
//! Every decision is made before this point: Rust names, Rust types, whether a
//! field is optional or boxed, constraints with their exact bounds and messages,
//! wire names, HTTP bindings and paginator paths. Emitters only turn these nodes
//! into tokens; they never look at the JSON AST.

use std::collections::BTreeMap;

/// One generated crate: a service and every type its operations reach.
#[derive(Debug, Clone)]
pub struct CrateIr {
    pub crate_name: String,
    pub service: Service,
    /// Named Rust types (structures, unions, enums), keyed and sorted by Rust name.
    pub types: BTreeMap<String, NamedType>,
    /// The model's protocol test cases that apply to a client, sorted by test name.
    pub protocol_tests: Vec<ProtocolTest>,
    /// What the generator decided that the user should know: renames that
    /// resolve name collisions, operations left out.
    pub notes: Vec<crate::diagnostics::Diagnostic>,
    /// Operations of the service that were not generated, and why.
    pub left_out: Vec<LeftOut>,
}

/// An operation left out of the crate because it reaches a feature the
/// generator does not support.
#[derive(Debug, Clone)]
pub struct LeftOut {
    pub operation: String,
    /// Each problem, as the generator reports it.
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Service {
    pub id: String,
    pub name: String,
    pub version: Option<String>,
    pub title: Option<String>,
    pub docs: Option<String>,
    pub sdk_id: Option<String>,
    pub endpoint_prefix: Option<String>,
    /// The SigV4 signing name, when the service is signed.
    pub signing_name: Option<String>,
    pub protocol: Protocol,
    /// Sorted by Rust name.
    pub operations: Vec<Operation>,
    /// Errors every operation may return (the service's `errors` list).
    pub errors: Vec<String>,
    /// The client's own methods.
    pub client: ClientMethods,
    /// The model's endpoint rules, when it has them; without them the client
    /// uses `https://{endpoint_prefix}.{region}.{partition's DNS suffix}`.
    pub endpoint_rules: Option<EndpointRules>,
    /// `@xmlNamespace` of the service, declared on the root element of
    /// restXml request bodies whose structure has none of its own.
    pub xml_namespace: Option<(String, Option<String>)>,
    /// `aws.api#clientEndpointDiscovery`: how the client asks the service
    /// for the endpoint of operations that require one.
    pub endpoint_discovery: Option<EndpointDiscovery>,
}

/// The discovery operation and the path to the addresses it returns.
#[derive(Debug, Clone)]
pub struct EndpointDiscovery {
    /// The discovery operation's Rust type name (`DescribeEndpoints`).
    pub operation: String,
    /// Its input type, built empty.
    pub input: String,
    /// The output's list of endpoints, and each endpoint's address and
    /// cache period (minutes) fields.
    /// Each with whether the Rust field is an `Option`.
    pub endpoints_field: (String, bool),
    pub address_field: (String, bool),
    pub cache_field: (String, bool),
    /// The error code that says a discovered endpoint is no longer valid.
    pub invalid_endpoint_error: Option<String>,
}

/// A service's `smithy.rules#endpointRuleSet` and `smithy.rules#endpointTests`.
#[derive(Debug, Clone)]
pub struct EndpointRules {
    /// The rule set as compact JSON, which the runtime parses once per process
    /// and interprets.
    pub rules_json: String,
    /// The model's endpoint test cases, one `#[test]` each.
    pub tests: Vec<EndpointTest>,
    /// `@clientContextParams`, each a typed setter on the client.
    pub client_params: Vec<ClientParam>,
}

/// One case of `smithy.rules#endpointTests`.
#[derive(Debug, Clone)]
pub struct EndpointTest {
    /// The test function's name (`case_3`).
    pub function: String,
    pub docs: Option<String>,
    /// The case as compact JSON.
    pub case_json: String,
}

/// One `@clientContextParams` entry: a client method that sets it.
#[derive(Debug, Clone)]
pub struct ClientParam {
    /// The rule set's parameter name (`ForcePathStyle`).
    pub name: String,
    /// The client method (`with_force_path_style`).
    pub method: String,
    pub kind: EndpointParamKind,
    pub docs: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointParamKind {
    Bool,
    String,
    StringArray,
}

/// An endpoint parameter an operation sets for each call.
#[derive(Debug, Clone)]
pub struct EndpointParam {
    /// The rule set's parameter name.
    pub name: String,
    pub value: EndpointParamValue,
}

#[derive(Debug, Clone)]
pub enum EndpointParamValue {
    /// `@staticContextParams`: a constant (boolean, string or list of strings).
    Static(serde_json::Value),
    /// `@contextParam` (one field) or `@operationContextParams` (a path):
    /// read from the input.
    Input {
        steps: Vec<InputStep>,
        leaf: InputLeaf,
        /// True when the path fans out (`[*]`, `keys()`): the value is a list.
        many: bool,
    },
}

/// One step of a path over the input, from the input structure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputStep {
    /// A structure field; `optional` when the field is an `Option`.
    Field { field: String, optional: bool },
    /// Every element of a list (`[*]`).
    Each { sparse: bool },
    /// Every key of a map (`keys(…)`).
    Keys,
}

/// The kind of value a path ends at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputLeaf {
    /// A `String` or a string enum (read with `as_str`).
    Str,
    Bool,
}

/// The names of the client's own methods (moved when an operation takes one).
#[derive(Debug, Clone)]
pub struct ClientMethods {
    pub new: String,
    pub config: String,
    pub endpoint: String,
    /// `@clientContextParams` parameter name → its setter.
    pub context_params: BTreeMap<String, String>,
}

/// The names of the methods the generator adds to a structure's builder, and
/// to the request builder when the structure is an operation input.
#[derive(Debug, Clone)]
pub struct Helpers {
    pub build: String,
    pub build_unchecked: String,
    pub send: String,
    pub input: String,
    pub with_input: String,
    pub into_paginator: String,
}

impl Default for Helpers {
    fn default() -> Self {
        Helpers {
            build: "build".into(),
            build_unchecked: "build_unchecked".into(),
            send: "send".into(),
            input: "input".into(),
            with_input: "with_input".into(),
            into_paginator: "into_paginator".into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    RestJson1,
    AwsJson1_0,
    AwsJson1_1,
    RpcV2Cbor,
    RpcV2Json,
    AwsQuery,
    Ec2Query,
    RestXml,
}

impl Protocol {
    /// The protocol trait's shape id, as protocol tests name it.
    pub fn trait_id(self) -> &'static str {
        match self {
            Protocol::RestJson1 => "aws.protocols#restJson1",
            Protocol::AwsJson1_0 => "aws.protocols#awsJson1_0",
            Protocol::AwsJson1_1 => "aws.protocols#awsJson1_1",
            Protocol::RpcV2Cbor => "smithy.protocols#rpcv2Cbor",
            Protocol::RpcV2Json => "smithy.protocols#rpcv2Json",
            Protocol::AwsQuery => "aws.protocols#awsQuery",
            Protocol::Ec2Query => "aws.protocols#ec2Query",
            Protocol::RestXml => "aws.protocols#restXml",
        }
    }

    /// Whether `bigInteger` and `bigDecimal` values travel as JSON strings
    /// (rpcv2Json) rather than as numbers.
    pub fn big_numbers_as_strings(self) -> bool {
        self == Protocol::RpcV2Json
    }

    /// Whether form-encoded lists are always flattened (`Key.N`), and an
    /// empty one sends nothing (ec2Query), rather than `Key.member.N` unless
    /// `@xmlFlattened`, and `Key=` when empty (awsQuery).
    pub fn flattens_query_lists(self) -> bool {
        self == Protocol::Ec2Query
    }

    /// How the protocol encodes request bodies.
    pub fn request_format(self) -> BodyFormat {
        match self {
            Protocol::RpcV2Cbor => BodyFormat::Cbor,
            Protocol::AwsQuery | Protocol::Ec2Query => BodyFormat::Query,
            Protocol::RestXml => BodyFormat::Xml,
            _ => BodyFormat::Json,
        }
    }

    /// How the protocol encodes response bodies, errors' among them.
    pub fn response_format(self) -> BodyFormat {
        match self {
            Protocol::RpcV2Cbor => BodyFormat::Cbor,
            Protocol::AwsQuery | Protocol::Ec2Query | Protocol::RestXml => BodyFormat::Xml,
            _ => BodyFormat::Json,
        }
    }
}

/// The encoding of a protocol's bodies, which picks the codec emitted for
/// each type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFormat {
    Json,
    Cbor,
    Xml,
    /// `application/x-www-form-urlencoded` (awsQuery and ec2Query requests).
    Query,
}

#[derive(Debug, Clone)]
pub struct Operation {
    pub id: String,
    /// The Smithy name (`GetImages`), also the Rust type name of the operation.
    pub name: String,
    /// The client method name (`get_images`).
    pub method: String,
    /// The Rust name of the operation's typed error enum (`GetImagesError`).
    pub error_type: String,
    /// The Rust name of the request builder the client method returns.
    pub fluent_builder: String,
    pub docs: Option<String>,
    pub deprecated: Option<Deprecation>,
    /// Rust type names of the input and output structures.
    pub input: String,
    pub output: String,
    /// Rust type names of the error structures, operation errors then service errors.
    pub errors: Vec<String>,
    pub http: HttpRoute,
    pub paginator: Option<Paginator>,
    /// True when the operation has no input structure (`smithy.api#Unit`), so
    /// the request has no body at all.
    pub input_unit: bool,
    /// The `@endpoint` host prefix, split into text and `@hostLabel` fields.
    pub host_prefix: Option<Vec<HostPart>>,
    /// The auth schemes the client can use, in the model's order of preference.
    pub auth: Vec<AuthKind>,
    /// Sent unsigned when no scheme has an identity (`@optionalAuth`, or
    /// `smithy.api#noAuth` among the schemes).
    pub optional_auth: bool,
    /// `aws.auth#unsignedPayload`.
    pub unsigned_payload: bool,
    /// `@httpChecksumRequired`: a `Content-MD5` header.
    pub checksum_required: bool,
    /// `@requestCompression` encodings.
    pub compression: Vec<String>,
    /// The input has a `@streaming` member: it can be sent once.
    pub streaming_input: bool,
    /// The output's payload is `@streaming`: the response is handed over
    /// once its head arrives.
    pub streaming_output: bool,
    /// `aws.api#clientDiscoveredEndpoint(required: true)`: the operation is
    /// sent to an endpoint discovered from the service. (An operation where
    /// discovery is optional uses the regular endpoint.)
    pub discovered_endpoint: bool,
    /// The element of the response body holding the output's members when
    /// it is not the root (awsQuery's `<GetThingResult>`).
    pub response_wrapper: Option<String>,
    /// `@s3UnwrappedXmlOutput`: the response body's root element is the
    /// output's one body member.
    pub unwrapped_output: bool,
    /// Endpoint parameters the operation sets (`@staticContextParams`,
    /// `@contextParam`, `@operationContextParams`), sorted by name.
    pub endpoint_params: Vec<EndpointParam>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    SigV4,
    Bearer,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostPart {
    Literal(String),
    /// A `{Label}` filled from the input field named here.
    Label {
        field: String,
        member: String,
    },
}

#[derive(Debug, Clone)]
pub struct HttpRoute {
    pub method: String,
    pub path: Vec<PathSegment>,
    /// Literal query parameters written in the URI (`/x?list-type=2`).
    pub query_literals: Vec<(String, Option<String>)>,
    pub code: u16,
    /// Headers the protocol sends with every request of the operation
    /// (`X-Amz-Target`), in order.
    pub headers: Vec<(String, String)>,
    pub body: BodyStyle,
}

/// How an operation's input becomes the request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyStyle {
    /// By the members' HTTP bindings: a JSON object of the members bound to
    /// the body, sent when there are any, or the `@httpPayload` member.
    Bindings,
    /// The whole input is the body, with this media type, in the service
    /// protocol's [`BodyFormat`]; an operation without input sends none when
    /// `unit_input_empty`.
    Document {
        content_type: String,
        unit_input_empty: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSegment {
    Literal(String),
    /// A `{Label}` or greedy `{Label+}`, bound to the input field named here.
    Label {
        field: String,
        member: String,
        greedy: bool,
    },
}

/// `@paginated`, merged with the service defaults and resolved to fields.
#[derive(Debug, Clone)]
pub struct Paginator {
    /// Input field that carries the continuation token.
    pub input_token: String,
    /// Path of output fields to the next token (one element unless nested).
    pub output_token: Vec<String>,
    /// Path of output fields to the items: a list, or a map whose entries
    /// are the items. With the collection's type.
    pub items: Option<(Vec<String>, TypeRef)>,
    /// Input field that sets the page size.
    pub page_size: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NamedType {
    pub id: String,
    pub name: String,
    pub docs: Option<String>,
    pub deprecated: Option<Deprecation>,
    pub kind: NamedKind,
    /// True when the type is reachable from an operation input, so it gets a validator.
    pub validated: bool,
    /// What the type is to the service's operations.
    pub roles: TypeRoles,
    /// The element name when the type is a whole XML document (a restXml
    /// input's body, or a payload): `@xmlName`, else the shape's name.
    pub xml_name: String,
    /// `@xmlNamespace` of the shape, declared when it is a whole document.
    pub xml_namespace: Option<(String, Option<String>)>,
}

/// The parts a named type plays: an operation's input or output, an error,
/// or none of these (a type nested in one).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TypeRoles {
    pub input: bool,
    pub output: bool,
    pub error: bool,
}

// A handful of these exist per crate; boxing the structure variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum NamedKind {
    Struct(Struct),
    Union(Union),
    Enum(Enum),
    IntEnum(IntEnum),
}

#[derive(Debug, Clone)]
pub struct Struct {
    pub members: Vec<Member>,
    pub error: Option<ErrorInfo>,
    /// The builder type's name (`GetImagesInputBuilder`).
    pub builder: String,
    /// Names of the builder's (and request builder's) own methods.
    pub helpers: Helpers,
}

#[derive(Debug, Clone)]
pub struct Union {
    /// Each variant is a member; `required` and `default` do not apply.
    pub variants: Vec<Member>,
}

#[derive(Debug, Clone)]
pub struct Enum {
    pub values: Vec<EnumValue<String>>,
}

#[derive(Debug, Clone)]
pub struct IntEnum {
    pub values: Vec<EnumValue<i32>>,
}

#[derive(Debug, Clone)]
pub struct EnumValue<T> {
    pub variant: String,
    pub value: T,
    /// Tagged `internal`: valid, but left out of validation messages.
    pub internal: bool,
    pub docs: Option<String>,
    pub deprecated: Option<Deprecation>,
}

#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub fault: Fault,
    pub http_status: u16,
    pub retryable: bool,
    pub throttling: bool,
    /// The code that identifies the error on the wire: its shape name, or
    /// `@awsQueryError`'s code in awsQuery.
    pub code: String,
    /// The field holding the error message (`Message` or `message`), if any.
    pub message_field: Option<String>,
    /// The function in `error` that reads the error with its header-bound members.
    pub reader: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Client,
    Server,
}

#[derive(Debug, Clone)]
pub struct Deprecation {
    pub message: Option<String>,
    pub since: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Member {
    /// The Smithy member name (`StreamARN`), used in validation paths.
    pub name: String,
    /// The Rust field and setter name (`stream_arn`).
    pub field: String,
    /// The setter taking an `Option` (`set_stream_arn`).
    pub clearer: String,
    /// The function in `types::defaults` that returns the `@default` value,
    /// for a member that is not optional.
    pub default_fn: String,
    /// The Rust variant name, for union members (`StreamArn`).
    pub variant: String,
    /// The member's name in the body, as the protocol spells it: the JSON
    /// key (`@jsonName` in restJson1), the CBOR key, or the XML element or
    /// attribute name (`@xmlName`).
    pub wire_name: String,
    /// How the member travels in XML bodies.
    pub xml: XmlWire,
    /// The member's key in awsQuery and ec2Query requests (`@xmlName`, or
    /// for ec2Query `@ec2QueryName` or the capitalised name).
    pub query_key: String,
    pub ty: TypeRef,
    pub required: bool,
    pub default: Option<DefaultValue>,
    /// Whether the Rust field is `Option<T>`. False only for members with a default.
    pub optional: bool,
    /// Whether the value is boxed to break a cycle of structures.
    pub boxed: bool,
    /// A required member of a structure only ever received that the body
    /// left out is read as its type's zero value (Smithy's client error
    /// correction), so one omission does not make the output unusable.
    pub error_corrected: bool,
    pub binding: Binding,
    pub docs: Option<String>,
    pub deprecated: Option<Deprecation>,
    pub sensitive: bool,
    /// `@mediaType` of a string or blob target: a header carries such a string
    /// base64-encoded, and a payload is sent with this `Content-Type`.
    pub media_type: Option<String>,
    /// `@idempotencyToken`: filled with a fresh UUID when the caller leaves it unset.
    pub idempotency_token: bool,
}

/// A member's XML traits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XmlWire {
    /// The member has `@xmlName` (a payload's element takes the member's
    /// name only then, else its target's).
    pub named: bool,
    /// `@xmlAttribute`: an attribute of the structure's element.
    pub attribute: bool,
    /// `@xmlFlattened`: a list's items (a map's entries) repeat the member's
    /// element instead of nesting inside it.
    pub flattened: bool,
    /// `@xmlNamespace`: `(uri, prefix)`.
    pub namespace: Option<(String, Option<String>)>,
}

/// The XML names inside a list or map: `@xmlName` on the list's member or
/// the map's key and value (`member`, `key` and `value` without one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionNames {
    pub member: String,
    pub key: String,
    pub value: String,
    /// `@xmlNamespace` of the list's member, the map's key and its value.
    pub member_ns: Option<(String, Option<String>)>,
    pub key_ns: Option<(String, Option<String>)>,
    pub value_ns: Option<(String, Option<String>)>,
}

impl Default for CollectionNames {
    fn default() -> Self {
        CollectionNames {
            member: "member".into(),
            key: "key".into(),
            value: "value".into(),
            member_ns: None,
            key_ns: None,
            value_ns: None,
        }
    }
}

/// Where a member travels in an HTTP message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Binding {
    Body,
    Label,
    Query(String),
    QueryParams,
    Header(String),
    PrefixHeaders(String),
    Payload,
    ResponseCode,
}

/// A Rust type with the constraints of the member and shape it came from.
#[derive(Debug, Clone)]
pub struct TypeRef {
    pub kind: TypeKind,
    pub constraints: Constraints,
    /// The XML names of a list's items or a map's entries (the defaults for
    /// any other type).
    pub names: CollectionNames,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    Bool,
    Byte,
    Short,
    Integer,
    Long,
    Float,
    Double,
    BigInteger,
    BigDecimal,
    String,
    /// A string the model allows to be large (see
    /// [`LARGE_TEXT`](crate::lower::LARGE_TEXT)): held as `rt::Text`, a view of
    /// the response body, so reading it copies nothing.
    Text,
    Blob,
    /// A `@streaming` blob: the whole HTTP payload, read or sent as it flows.
    Stream,
    Timestamp(TimestampFormat),
    Document,
    /// A generated type, by Rust name.
    Named {
        name: String,
        shape: NamedShape,
    },
    List {
        item: Box<TypeRef>,
        sparse: bool,
    },
    Map {
        key: Box<TypeRef>,
        value: Box<TypeRef>,
        sparse: bool,
    },
}

/// What kind of generated type a `Named` refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamedShape {
    Struct,
    Union,
    Enum,
    IntEnum,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampFormat {
    EpochSeconds,
    DateTime,
    HttpDate,
}

impl PartialEq for TypeRef {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Constraints {
    pub length: Option<Bounds>,
    pub range: Option<Bounds>,
    pub pattern: Option<Pattern>,
    pub unique_items: bool,
}

impl Constraints {
    pub fn is_empty(&self) -> bool {
        self.length.is_none()
            && self.range.is_none()
            && self.pattern.is_none()
            && !self.unique_items
    }
}

/// Inclusive bounds as written in the model (kept as text so messages show them
/// exactly), with their numeric values.
#[derive(Debug, Clone, PartialEq)]
pub struct Bounds {
    pub min: Option<Bound>,
    pub max: Option<Bound>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bound {
    /// The number as the model wrote it (`1`, `1.5`).
    pub text: String,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pattern {
    /// The ECMA-262 pattern from the model, for messages.
    pub source: String,
    /// The same expression in strict Unicode-mode ECMA-262 syntax, which
    /// regress compiles (see `pattern::normalize`).
    pub ecma: String,
    /// For a pattern without lookaround and backreferences, the same
    /// expression for a linear-time automaton (see `pattern::linear`).
    pub linear: Option<String>,
}

/// A `@default` value, already checked against the member's type.
#[derive(Debug, Clone, PartialEq)]
pub enum DefaultValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    /// The Rust variant of a string enum.
    EnumVariant(String),
    IntEnum(String),
    /// Epoch seconds, exact.
    Timestamp {
        seconds: i64,
        nanos: u32,
    },
    Blob(Vec<u8>),
    EmptyList,
    EmptyMap,
    Document(serde_json::Value),
}

/// One case of `smithy.test#httpRequestTests` or `httpResponseTests` that
/// applies to a client, ready to become a Rust test.
#[derive(Debug, Clone)]
pub struct ProtocolTest {
    /// The case id from the model.
    pub id: String,
    /// The Rust test function name (unique in the crate).
    pub test_fn: String,
    /// The Rust name of the operation the case exercises.
    pub operation: String,
    /// Which trait the case comes from: `request` (`httpRequestTests`),
    /// `response` (`httpResponseTests`) or `malformed` (`httpMalformedRequestTests`).
    pub category: &'static str,
    pub docs: Option<String>,
    pub kind: ProtocolTestKind,
}

#[derive(Debug, Clone)]
pub enum ProtocolTestKind {
    Request(RequestTest),
    Response(ResponseTest),
    /// A response test on an error structure, run through the operation's error type.
    Error {
        error: String,
        test: ResponseTest,
    },
    /// A case whose parameters do not fit the model; the test reports this.
    Invalid(String),
    /// An `httpMalformedRequestTests` case that expects a `ValidationException`:
    /// the body is decoded into the input, validated, and the violations
    /// compared with the expected `(path, message)` list.
    Malformed {
        body: String,
        violations: Vec<(String, String)>,
    },
}

#[derive(Debug, Clone)]
pub struct RequestTest {
    pub method: String,
    pub uri: String,
    pub host: Option<String>,
    pub resolved_host: Option<String>,
    pub query_params: Vec<String>,
    pub forbid_query_params: Vec<String>,
    pub require_query_params: Vec<String>,
    pub headers: Vec<(String, String)>,
    pub forbid_headers: Vec<String>,
    pub require_headers: Vec<String>,
    pub body: Option<String>,
    pub body_media_type: Option<String>,
    /// The input, typed.
    pub params: Value,
}

#[derive(Debug, Clone)]
pub struct ResponseTest {
    pub code: u16,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    pub body_media_type: Option<String>,
    /// The expected output or error structure, typed.
    pub params: Value,
    /// The error code and awsQuery fault an error case expects the client
    /// to expose (`vendorParams` of `ErrorCodeParams`).
    pub error_code: Option<String>,
    pub query_fault: Option<String>,
}

/// A test parameter, checked against its Smithy type.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// A bigInteger or bigDecimal, as decimal text.
    BigNumber(String),
    Blob(Vec<u8>),
    Timestamp {
        seconds: i64,
        nanos: u32,
    },
    Document(serde_json::Value),
    /// A structure: the members present, by Rust field name.
    Struct(Vec<(String, Value)>),
    /// A union variant, by Rust variant name.
    Union(String, Box<Value>),
    /// List items; `None` is a null in a sparse list.
    List(Vec<Option<Value>>),
    /// Map entries; `None` is a null in a sparse map.
    Map(Vec<(String, Option<Value>)>),
}
