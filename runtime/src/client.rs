//! Runtime stage: the call driver every generated operation goes through:
//! validate, serialise, then per attempt sign, send and read, classify the
//! outcome, and retry with backoff while the standard mode allows.

use crate::config::{Config, RequestCompression};
use crate::endpoint::{EmbeddedRules, Endpoint, Params, Value as EndpointValue};
use crate::error::{
    ConfigError, Error, ErrorResponse, OperationError, ResponseError, ServiceError, TimeoutError,
    TimeoutKind,
};
use crate::error::{DeserializationError, SerializationError};
use crate::operation::{AuthScheme, Operation, WireFormat};
use crate::retry::{classify_response, RetryKind};
use crate::transport::{Body, TransportError, TransportErrorKind};
use crate::validation::Validate;
use crate::wire::IdempotencyTokens;
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};
use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

/// What generated code knows about a service, from its model.
#[derive(Debug)]
pub struct ServiceInfo {
    /// The service's sdkId (`Kinesis Video Archived Media`), which names its
    /// endpoint variable (`AWS_ENDPOINT_URL_KINESIS_VIDEO_ARCHIVED_MEDIA`).
    pub sdk_id: &'static str,
    /// The endpoint prefix (`kinesisvideo`) of the default regional endpoint.
    pub endpoint_prefix: &'static str,
    /// The SigV4 signing name, or `None` for an unsigned service.
    pub signing_name: Option<&'static str>,
    /// The model's endpoint rules; without them the endpoint is
    /// `https://{endpoint_prefix}.{region}.{the partition's DNS suffix}`.
    pub endpoint_rules: Option<&'static crate::endpoint::EmbeddedRules>,
    /// `aws.api#clientEndpointDiscovery`: how to ask the service for the
    /// endpoint of operations that require a discovered one.
    pub endpoint_discovery: Option<EndpointDiscovery>,
}

/// Endpoint discovery, as generated code describes it.
#[derive(Debug)]
pub struct EndpointDiscovery {
    /// Calls the service's discovery operation (`DescribeEndpoints`).
    pub discover: fn(ServiceClient) -> DiscoveryFuture,
    /// The error code that says a discovered endpoint is no longer valid:
    /// the client forgets it and discovers again on the next call.
    pub invalid_endpoint_error: Option<&'static str>,
}

/// What [`EndpointDiscovery::discover`] returns.
pub type DiscoveryFuture = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<Vec<DiscoveredEndpoint>, String>> + Send>,
>;

/// One endpoint the discovery operation returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveredEndpoint {
    /// The host (`query-cell2.timestream.us-east-1.amazonaws.com`), or a URL.
    pub address: String,
    /// How long the endpoint may be used, in minutes.
    pub cache_minutes: i64,
}

/// The endpoint discovered last, and until when it may be used.
type DiscoveredCache = Arc<tokio::sync::Mutex<Option<(Arc<Endpoint>, std::time::Instant)>>>;

/// A serialised request, before the endpoint, signing and transport are applied.
#[derive(Debug, Clone)]
pub struct OperationRequest {
    method: http::Method,
    /// The path and query, starting with `/`.
    path_and_query: String,
    headers: HeaderMap,
    body: RequestBody,
    host_prefix: Option<String>,
}

/// A request body: bytes every attempt can send, or a stream sent once.
#[derive(Debug, Clone)]
pub(crate) enum RequestBody {
    Bytes(Bytes),
    Stream(Arc<std::sync::Mutex<Option<Body>>>),
}

impl OperationRequest {
    /// Starts a request; generated operations fill in its bindings.
    pub fn builder(method: &'static str) -> crate::wire::RequestBuilder {
        crate::wire::RequestBuilder::new(method)
    }

    pub(crate) fn from_parts(
        method: http::Method,
        path_and_query: String,
        headers: HeaderMap,
        body: RequestBody,
        host_prefix: Option<String>,
    ) -> Self {
        OperationRequest {
            method,
            path_and_query,
            headers,
            body,
            host_prefix,
        }
    }

    /// The HTTP method.
    pub fn method(&self) -> &http::Method {
        &self.method
    }

    /// The path and query string, percent-encoded, starting with `/`.
    pub fn path_and_query(&self) -> &str {
        &self.path_and_query
    }

    /// The headers from the input's bindings and the body's media type.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body, when it is in memory (`None` for a streaming payload).
    pub fn body(&self) -> Option<&Bytes> {
        match &self.body {
            RequestBody::Bytes(b) => Some(b),
            RequestBody::Stream(_) => None,
        }
    }

    /// The `@endpoint` host prefix to put before the endpoint's host.
    pub fn host_prefix(&self) -> Option<&str> {
        self.host_prefix.as_deref()
    }

    fn set_body(&mut self, body: Bytes) {
        self.headers
            .insert(http::header::CONTENT_LENGTH, HeaderValue::from(body.len()));
        self.body = RequestBody::Bytes(body);
    }

    /// `@requestCompression`: compresses an in-memory body of at least the
    /// configured size with the first encoding this client supports, and adds
    /// the encoding after any the request already has (`custom, gzip`).
    fn compress(&mut self, encodings: &[&str], settings: &RequestCompression) {
        let RequestBody::Bytes(body) = &self.body else {
            return;
        };
        if settings.disabled || body.len() < settings.min_size_bytes {
            return;
        }
        let Some((encoding, compressed)) = encodings
            .iter()
            .find_map(|e| crate::compression::encode(e, body).map(|c| (*e, c)))
        else {
            return;
        };
        let value = match self.headers.get(http::header::CONTENT_ENCODING) {
            Some(v) if !v.is_empty() => format!("{}, {encoding}", v.to_str().unwrap_or_default()),
            _ => encoding.to_string(),
        };
        if let Ok(value) = HeaderValue::from_str(&value) {
            self.headers.insert(http::header::CONTENT_ENCODING, value);
            self.set_body(compressed.into());
        }
    }

    /// `@httpChecksumRequired`: the body's MD5 digest in `Content-MD5`.
    #[cfg(feature = "content-md5")]
    fn add_content_md5(&mut self) -> Result<(), SerializationError> {
        use md5::Digest as _;
        let RequestBody::Bytes(body) = &self.body else {
            return Err(SerializationError::new(
                "the operation requires a Content-MD5 checksum, which a streaming body cannot have: send the body from memory",
            ));
        };
        let digest = md5::Md5::digest(body);
        let value = crate::wire::base64(&digest);
        let value = HeaderValue::from_str(&value).map_err(|e| e.to_string())?;
        self.headers
            .insert(HeaderName::from_static("content-md5"), value);
        Ok(())
    }

    #[cfg(not(feature = "content-md5"))]
    fn add_content_md5(&mut self) -> Result<(), SerializationError> {
        Err(SerializationError::new(
            "the operation requires a Content-MD5 checksum: build smithy-client-runtime with its \
             `content-md5` feature (generated crates of services that need it turn it on)",
        ))
    }
}

/// Serialises an input into the request operation `O` sends: its bindings
/// (idempotency tokens from `tokens` where the caller left them unset), then
/// the body encodings the model asks for (compression first, then the
/// checksum of what is sent).
pub fn prepare<O: Operation>(
    input: &O::Input,
    compression: &RequestCompression,
    tokens: &dyn IdempotencyTokens,
) -> Result<OperationRequest, SerializationError> {
    let mut request = O::request(input, tokens)?;
    if !O::COMPRESSION.is_empty() {
        request.compress(O::COMPRESSION, compression);
    }
    if O::CHECKSUM_REQUIRED {
        request.add_content_md5()?;
    }
    Ok(request)
}

/// A successful response, for generated code to parse.
#[derive(Debug)]
pub struct OperationResponse {
    status: u16,
    headers: HeaderMap,
    body: Body,
}

impl OperationResponse {
    /// A response read whole into memory.
    pub fn new(status: u16, headers: HeaderMap, body: Bytes) -> Self {
        Self::streaming(status, headers, Body::from(body))
    }

    /// A response whose body may still be arriving.
    pub fn streaming(status: u16, headers: HeaderMap, body: Body) -> Self {
        OperationResponse {
            status,
            headers,
            body,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body (empty for a streaming response, whose body is taken with
    /// [`take_stream`](Self::take_stream)).
    pub fn body(&self) -> &[u8] {
        self.body.bytes().map_or(&[], |b| b)
    }

    /// The body as a shared buffer (empty for a streaming response).
    pub fn body_bytes(&self) -> Bytes {
        self.body.bytes().cloned().unwrap_or_default()
    }

    /// Parses the JSON body (an empty body reads as `{}`).
    pub fn json<T: crate::json::ReadJson>(&self) -> Result<T, DeserializationError> {
        let empty = Bytes::new();
        let body = self.body.bytes().unwrap_or(&empty);
        crate::json::from_bytes(body)
            .map_err(|e| DeserializationError::new(describe_json_error(&e, body)))
    }

    /// Reads the output's body members: the JSON body when the output has
    /// any, else none (every member starts from its default).
    pub fn json_members<T: crate::json::ReadJson>(
        &self,
        has_body: bool,
    ) -> Result<T, DeserializationError> {
        if has_body {
            self.json()
        } else {
            crate::json::from_slice(b"{}").map_err(|e| DeserializationError::new(e.to_string()))
        }
    }

    /// Parses a JSON payload; `None` for an empty body.
    pub fn json_payload<T: crate::json::ReadJson>(
        &self,
    ) -> Result<Option<T>, DeserializationError> {
        if self.body().trim_ascii().is_empty() {
            return Ok(None);
        }
        self.json().map(Some)
    }

    /// Decodes the CBOR body (rpcv2Cbor; an empty body reads as an empty map).
    #[cfg(feature = "cbor")]
    pub fn cbor<T: crate::cbor::ReadCbor>(&self) -> Result<T, DeserializationError> {
        crate::cbor::from_slice(self.body()).map_err(|e| {
            DeserializationError::new(format!("the CBOR body does not match the model: {e}"))
        })
    }

    /// Reads the XML body: the root element's members, or with `wrapper`,
    /// those of the root's child of that name (awsQuery's
    /// `<OperationResult>`). An empty body reads as an output without members.
    #[cfg(feature = "xml")]
    pub fn xml<T: crate::xml::ReadXml>(
        &self,
        wrapper: Option<&str>,
    ) -> Result<T, DeserializationError> {
        crate::xml::from_body(self.body(), wrapper).map_err(|e| {
            DeserializationError::new(format!("the XML body does not match the model: {e}"))
        })
    }

    /// Reads the output's body members from the XML body's root element when
    /// the output has any, else none (every member starts from its default).
    #[cfg(feature = "xml")]
    pub fn xml_members<T: crate::xml::ReadXml>(
        &self,
        has_body: bool,
    ) -> Result<T, DeserializationError> {
        if has_body {
            self.xml(None)
        } else {
            crate::xml::from_body(b"", None).map_err(|e| DeserializationError::new(e.to_string()))
        }
    }

    /// Reads the body's root element itself with `read` (`@s3UnwrappedXmlOutput`);
    /// `None` for an empty body.
    #[cfg(feature = "xml")]
    pub fn xml_root<T>(
        &self,
        read: impl FnOnce(
            &mut crate::xml::Reader<'_>,
            &crate::xml::Element<'_>,
        ) -> Result<T, crate::xml::ReadError>,
    ) -> Result<Option<T>, DeserializationError> {
        crate::xml::from_root(self.body(), read).map_err(|e| {
            DeserializationError::new(format!("the XML body does not match the model: {e}"))
        })
    }

    /// Reads an XML payload (a structure or union bound with `@httpPayload`);
    /// `None` for an empty body.
    #[cfg(feature = "xml")]
    pub fn xml_payload<T: crate::xml::ReadXml>(&self) -> Result<Option<T>, DeserializationError> {
        if self.body().trim_ascii().is_empty() {
            return Ok(None);
        }
        self.xml(None).map(Some)
    }

    /// Takes the body as a stream, for a `@streaming` payload.
    pub fn take_stream(&mut self) -> crate::ByteStream {
        crate::ByteStream::from_body(std::mem::take(&mut self.body))
    }
}

fn describe_json_error(e: &crate::json::ReadError, body: &[u8]) -> String {
    use crate::json::ReadErrorKind;
    let what = match e.kind() {
        ReadErrorKind::Eof => "the JSON body ends early (truncated response?)",
        _ if !body.trim_ascii_start().starts_with(b"{") => "the body is not a JSON object",
        ReadErrorKind::Syntax => "the body is malformed JSON",
        _ => "the JSON body does not match the model",
    };
    format!("{what}: {e}")
}

/// A client of one service: the shared [`Config`] plus this service's endpoint.
/// Generated clients wrap it; it is cheap to clone (one reference count:
/// every fluent builder holds a clone).
#[derive(Clone)]
pub struct ServiceClient(Arc<Shared>);

#[derive(Clone)]
struct Shared {
    config: Config,
    service: &'static ServiceInfo,
    /// Endpoint parameters from the config and the client's context
    /// parameters; an operation with its own adds them per call.
    params: Arc<Params>,
    /// The endpoint of every call that adds no parameters, resolved once.
    endpoint: Result<Arc<Endpoint>, ConfigError>,
    /// The rules' `AWS::Auth::AccountId` parameter, set per call from the
    /// credentials.
    account_id_param: Option<Arc<str>>,
    keys: Arc<crate::signing::KeyCache>,
    discovered: DiscoveredCache,
    /// The `amz-sdk-request` value of each attempt, made once.
    request_info: Arc<[HeaderValue]>,
}

impl fmt::Debug for ServiceClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceClient")
            .field("service", &self.0.service.sdk_id)
            .field("endpoint", &self.0.endpoint.as_ref().map(|e| &e.url))
            .finish()
    }
}

impl ServiceClient {
    /// A client for `service`. Its endpoint comes from the model's endpoint
    /// rules, given the config's region, FIPS and dual-stack settings and
    /// configured endpoint URL (`endpoint_url`, else the service's or the
    /// global `AWS_ENDPOINT_URL*` variable or shared-config setting), which the
    /// rules treat as `SDK::Endpoint`. A service without rules uses the
    /// configured URL, else `https://{prefix}.{region}.{DNS suffix}`.
    pub fn new(config: &Config, service: &'static ServiceInfo) -> Self {
        let i = &config.inner;
        let mut params = Params::new();
        let mut account_id_param = None;
        if let Some(Ok(rules)) = service.endpoint_rules.map(EmbeddedRules::get) {
            for p in rules.parameters() {
                let name = p.name.as_str();
                let value: Option<EndpointValue> = match p.built_in.as_deref() {
                    Some("AWS::Region") => i.region.as_deref().map(Into::into),
                    Some("AWS::UseFIPS") => i.use_fips.map(Into::into),
                    Some("AWS::UseDualStack") => i.use_dual_stack.map(Into::into),
                    Some("SDK::Endpoint") => {
                        config.configured_endpoint(service.sdk_id).map(Into::into)
                    }
                    Some("AWS::Auth::AccountIdEndpointMode") => {
                        i.account_id_endpoint_mode.as_deref().map(Into::into)
                    }
                    Some("AWS::Auth::AccountId") => {
                        account_id_param = Some(Arc::from(name));
                        None
                    }
                    // Others (`AWS::S3::*` …) keep the rules' default unless a
                    // client context parameter sets them.
                    _ => None,
                };
                params.set_opt(name, value);
            }
        }
        let mut client = ServiceClient(Arc::new(Shared {
            config: config.clone(),
            service,
            params: Arc::new(params),
            endpoint: Err(ConfigError(String::new())),
            account_id_param,
            keys: Default::default(),
            discovered: Default::default(),
            request_info: {
                let max = config.inner.retry.max_attempts();
                (1..=max.min(REQUEST_INFO_CACHED))
                    .filter_map(|attempt| request_info(attempt, max))
                    .collect()
            },
        }));
        let endpoint = client.resolve(&client.0.params).map(Arc::new);
        Arc::make_mut(&mut client.0).endpoint = endpoint;
        client
    }

    /// This client with one more endpoint parameter (a `@clientContextParams`
    /// setting), its endpoint resolved again.
    pub fn with_endpoint_param(mut self, name: &str, value: impl Into<EndpointValue>) -> Self {
        let mut params = (*self.0.params).clone();
        params.set(name, value);
        let endpoint = self.resolve(&params).map(Arc::new);
        let shared = Arc::make_mut(&mut self.0);
        shared.params = Arc::new(params);
        shared.endpoint = endpoint;
        self
    }

    /// Resolves the endpoint for these parameters: through the model's rules,
    /// else the configured URL or the partition's regional endpoint.
    fn resolve(&self, params: &Params) -> Result<Endpoint, ConfigError> {
        let service = self.0.service;
        let i = &self.0.config.inner;
        let endpoint = match service.endpoint_rules {
            Some(rules) => {
                let rules = rules.get().map_err(|e| {
                    ConfigError(format!("the endpoint rules of {} cannot be used: {e}", service.sdk_id))
                })?;
                rules.resolve(params).map_err(|e| {
                    ConfigError(format!(
                        "no endpoint for {}: {} (the service's endpoint rules; check the region, \
                         `use_fips`, `use_dual_stack` and the configured endpoint URL)",
                        service.sdk_id,
                        e.message()
                    ))
                })?
            }
            None => match (self.0.config.configured_endpoint(service.sdk_id), &i.region) {
                (Some(url), _) => Endpoint::url(url),
                (None, Some(region)) => {
                    let partition = crate::endpoint::partition_of(region);
                    let (suffix, dual) = partition.as_ref().map_or(("amazonaws.com", "api.aws"), |p| {
                        (p.dns_suffix(), p.dual_stack_dns_suffix())
                    });
                    let fips = if i.use_fips == Some(true) { "-fips" } else { "" };
                    let suffix = if i.use_dual_stack == Some(true) { dual } else { suffix };
                    Endpoint::url(format!(
                        "https://{}{fips}.{region}.{suffix}",
                        service.endpoint_prefix
                    ))
                }
                (None, None) => {
                    return Err(ConfigError(format!(
                        "no region is configured for {}: set AWS_REGION, a `region` in the shared config, or `Config::builder().region(..)`",
                        service.sdk_id
                    )))
                }
            },
        };
        check_endpoint(&endpoint.url)?;
        tracing::debug!(service = service.sdk_id, endpoint = %endpoint.url, "endpoint resolved");
        Ok(endpoint)
    }

    /// The endpoint of one call: the client's, unless the operation sets
    /// endpoint parameters from its input or the rules read the account id.
    async fn endpoint_for(
        &self,
        discovered: bool,
        endpoint_params: Option<Params>,
    ) -> Result<Arc<Endpoint>, ConfigError> {
        if discovered {
            if let Some(discovery) = &self.0.service.endpoint_discovery {
                // A configured endpoint URL wins over discovery.
                if self
                    .0
                    .config
                    .configured_endpoint(self.0.service.sdk_id)
                    .is_none()
                {
                    return self.discovered_endpoint(discovery).await;
                }
            }
        }
        let account_id = match (&self.0.account_id_param, &self.0.config.inner.credentials) {
            (Some(_), Some(c))
                if self.0.config.inner.account_id_endpoint_mode.as_deref() != Some("disabled") =>
            {
                c.get()
                    .await
                    .ok()
                    .and_then(|c| c.account_id().map(str::to_owned))
            }
            _ => None,
        };
        if endpoint_params.is_none() && account_id.is_none() {
            return self.0.endpoint.clone();
        }
        let mut params = endpoint_params.unwrap_or_else(|| (*self.0.params).clone());
        if let (Some(name), Some(id)) = (&self.0.account_id_param, account_id) {
            params.set(name, id);
        }
        self.resolve(&params).map(Arc::new)
    }

    /// The endpoint discovered from the service, asked for when none is
    /// cached or the cached one expired; concurrent callers wait for one
    /// discovery call. The discovered host replaces the URL of the rules'
    /// endpoint, whose signing properties still apply.
    async fn discovered_endpoint(
        &self,
        discovery: &EndpointDiscovery,
    ) -> Result<Arc<Endpoint>, ConfigError> {
        let mut cached = self.0.discovered.lock().await;
        if let Some((endpoint, until)) = &*cached {
            if std::time::Instant::now() < *until {
                return Ok(endpoint.clone());
            }
        }
        let base = self.0.endpoint.clone()?;
        let sdk_id = self.0.service.sdk_id;
        let found = (discovery.discover)(self.clone())
            .await
            .map_err(|e| ConfigError(format!("endpoint discovery for {sdk_id} failed: {e}")))?;
        let Some(first) = found.into_iter().find(|e| !e.address.is_empty()) else {
            return Err(ConfigError(format!(
                "endpoint discovery for {sdk_id} returned no endpoint"
            )));
        };
        let url = if first.address.contains("://") {
            first.address
        } else {
            format!("https://{}", first.address)
        };
        check_endpoint(&url)?;
        let mut endpoint = (*base).clone();
        endpoint.url = url;
        let endpoint = Arc::new(endpoint);
        // At least a minute, at most a day, whatever the service says.
        let minutes = first.cache_minutes.clamp(1, 24 * 60) as u64;
        let until = std::time::Instant::now() + std::time::Duration::from_secs(minutes * 60);
        tracing::debug!(service = sdk_id, endpoint = %endpoint.url, minutes, "endpoint discovered");
        *cached = Some((endpoint.clone(), until));
        Ok(endpoint)
    }

    /// Forgets the discovered endpoint `url` when the service says it is no
    /// longer valid: the model's invalid-endpoint error, or HTTP 421
    /// (misdirected request). An endpoint discovered since is kept.
    async fn forget_discovered(&self, status: u16, code: Option<&str>, url: &str) {
        let invalid = self
            .0
            .service
            .endpoint_discovery
            .as_ref()
            .and_then(|d| d.invalid_endpoint_error);
        if status != 421 && (code.is_none() || code != invalid) {
            return;
        }
        let mut cached = self.0.discovered.lock().await;
        if cached.as_ref().is_some_and(|(e, _)| e.url == url) {
            *cached = None;
        }
    }

    /// The configuration this client was made from.
    pub fn config(&self) -> &Config {
        &self.0.config
    }

    /// The resolved endpoint URL.
    pub fn endpoint(&self) -> Result<&str, &ConfigError> {
        self.0.endpoint.as_ref().map(|e| e.url.as_str())
    }

    /// The resolved endpoint: URL, headers and properties (`authSchemes`).
    pub fn resolved_endpoint(&self) -> Result<&Endpoint, &ConfigError> {
        self.0.endpoint.as_deref()
    }

    /// Calls operation `O`: validates the input at the config's
    /// [`Validation`](crate::validation::Validation) level, then sends it with
    /// retries, within the operation timeout.
    pub async fn call<O>(&self, input: &O::Input) -> Result<O::Output, Error<O::Error>>
    where
        O: Operation,
        O::Input: Validate,
    {
        input
            .validate_with(self.0.config.inner.validation)
            .map_err(Error::Validation)?;
        self.call_validated::<O>(input).await
    }

    /// [`call`](Self::call) for an input the caller has already validated (a
    /// paginator validates its input once, without the service's tokens).
    pub(crate) async fn call_validated<O>(
        &self,
        input: &O::Input,
    ) -> Result<O::Output, Error<O::Error>>
    where
        O: Operation,
    {
        use tracing::Instrument as _;
        let span = tracing::debug_span!(
            "operation",
            service = self.0.service.sdk_id,
            operation = O::NAME
        );
        self.call_in_span::<O>(input).instrument(span).await
    }

    async fn call_in_span<O>(&self, input: &O::Input) -> Result<O::Output, Error<O::Error>>
    where
        O: Operation,
    {
        let inner = &self.0.config.inner;
        let request = prepare::<O>(input, &inner.compression, inner.idempotency_tokens.as_ref())
            .map_err(Error::Serialization)?;
        let endpoint_params = O::ENDPOINT_PARAMS.then(|| {
            let mut params = (*self.0.params).clone();
            O::endpoint_params(input, &mut params);
            params
        });
        let traits = OperationTraits::of::<O>();
        let mut response = self
            .exchange(request, endpoint_params, &traits)
            .await
            .map_err(typed_error::<O::Error>)?;
        O::response(&mut response).map_err(|e| {
            Error::Response(ResponseError {
                status: response.status(),
                request_id: crate::error::request_id(response.headers()),
                reason: e.0,
                source: None,
            })
        })
    }

    /// Resolves the endpoint, then sends the request with retries within the
    /// operation timeout, up to a successful response. Nothing here depends on
    /// the operation's types, so it is compiled once rather than once per
    /// operation; the caller reads the output or the typed error.
    async fn exchange(
        &self,
        request: OperationRequest,
        endpoint_params: Option<Params>,
        traits: &OperationTraits,
    ) -> Result<OperationResponse, Error<UntypedError>> {
        let endpoint = self
            .endpoint_for(traits.discovered_endpoint, endpoint_params)
            .await
            .map_err(Error::Config)?;
        let limit = self.0.config.inner.operation_timeout;
        // The deadline goes on covering a streaming body after its head.
        let deadline = limit.map(|limit| (tokio::time::Instant::now() + limit, limit));
        // Boxed: called through its vtable, the loop's state machine is one
        // function in the binary instead of a copy inlined at each caller.
        let send: std::pin::Pin<Box<dyn std::future::Future<Output = _> + Send + '_>> =
            Box::pin(self.send(request, &endpoint, deadline, traits));
        match limit {
            None => send.await,
            Some(limit) => tokio::time::timeout(limit, send).await.unwrap_or_else(|_| {
                Err(Error::Timeout(TimeoutError::new(
                    TimeoutKind::Operation,
                    limit,
                    0,
                )))
            }),
        }
    }

    async fn send(
        &self,
        request: OperationRequest,
        endpoint: &Endpoint,
        deadline: Option<(tokio::time::Instant, std::time::Duration)>,
        traits: &OperationTraits,
    ) -> Result<OperationResponse, Error<UntypedError>> {
        let inner = &self.0.config.inner;
        // Checked here and moved into the first attempt; a retry (rare)
        // parses it again rather than every call counting references to it.
        let mut uri = Some(request_uri(&endpoint.url, &request)?);
        let extra_headers = endpoint_headers(endpoint).map_err(Error::Config)?;
        let auth = self.auth(endpoint, traits).await?;
        let max_attempts = inner.retry.max_attempts();
        let mut spent = 0;
        let mut attempt = 1;
        let adaptive = inner.retry.is_adaptive();
        loop {
            if adaptive {
                inner.quota.rate_limit().await;
            }
            // Credentials are cached; a later attempt gets them refreshed if
            // they are about to expire.
            let credentials = match (&auth, &inner.credentials) {
                (Auth::SigV4 { .. }, Some(c)) if attempt > 1 => {
                    Some(c.get().await.map_err(Error::Credentials)?)
                }
                (Auth::SigV4 { first, .. }, _) => Some(first.clone()),
                _ => None,
            };
            let mut http_request =
                http::Request::builder()
                    .method(request.method.clone())
                    .uri(match uri.take() {
                        Some(uri) => uri,
                        None => request_uri(&endpoint.url, &request)?,
                    });
            if let Some(headers) = http_request.headers_mut() {
                // Room for the signature headers too, so signing never regrows the map.
                headers.reserve(request.headers.len() + 6);
                for (name, value) in &request.headers {
                    headers.append(name, value.clone());
                }
                for (name, value) in &extra_headers {
                    headers.append(name, value.clone());
                }
                // The auth scheme's header wins over a modelled one, as a
                // SigV4 signature does.
                if let Auth::Bearer(token) = &auth {
                    headers.insert(http::header::AUTHORIZATION, token.clone());
                }
                headers.insert(
                    http::header::USER_AGENT,
                    HeaderValue::from_static(USER_AGENT),
                );
                let info = usize::try_from(attempt - 1)
                    .ok()
                    .and_then(|i| self.0.request_info.get(i).cloned())
                    .or_else(|| request_info(attempt, max_attempts));
                if let Some(info) = info {
                    headers.insert(HeaderName::from_static("amz-sdk-request"), info);
                }
            }
            // A one-shot stream is sent by the first attempt only; a later
            // attempt reports why the call failed instead.
            let (body, payload) = match &request.body {
                RequestBody::Bytes(b) => (Body::from(b.clone()), Some(&b[..])),
                RequestBody::Stream(s) => {
                    match s.lock().unwrap_or_else(|e| e.into_inner()).take() {
                        Some(b) => (b, None),
                        None => return Err(Error::Config(ConfigError(
                            "the streaming request body was already sent and cannot be sent again"
                                .into(),
                        ))),
                    }
                }
            };
            let mut http_request = http_request.body(body).map_err(|e| {
                Error::Config(ConfigError(format!("could not build the request: {e}")))
            })?;
            if let (Auth::SigV4 { name, region, .. }, Some(credentials)) = (&auth, credentials) {
                let now = SystemTime::now();
                // `aws.auth#unsignedPayload`: the body is not part of the signature.
                let payload = if traits.unsigned_payload {
                    None
                } else {
                    payload
                };
                crate::signing::sign(
                    &mut http_request,
                    payload,
                    &credentials,
                    name,
                    region,
                    now,
                    &self.0.keys,
                )
                .map_err(|e| {
                    Error::Config(ConfigError(format!("could not sign the request: {e}")))
                })?;
            }
            tracing::debug!(attempt, method = %request.method, "sending attempt");
            let outcome = self
                .attempt(http_request, traits.streaming_output, deadline)
                .await;
            if let Ok((status, headers, _)) = &outcome {
                tracing::debug!(
                    attempt,
                    status,
                    request_id = crate::error::request_id(headers).as_deref(),
                    "response"
                );
            }
            let (failure, retry) = match outcome {
                Ok((status, headers, body)) if (200..300).contains(&status) => {
                    inner.quota.release(spent);
                    if adaptive {
                        inner.quota.record(false);
                    }
                    return Ok(OperationResponse::streaming(status, headers, body));
                }
                Ok((status, headers, body)) => {
                    // `attempt` read every unsuccessful body whole, streaming
                    // operation or not.
                    let body = body.bytes().cloned().unwrap_or_default();
                    let error_response =
                        ErrorResponse::read(traits.wire_format, status, &headers, &body);
                    if traits.discovered_endpoint {
                        self.forget_discovered(status, error_response.code(), &endpoint.url)
                            .await;
                    }
                    let kind = (traits.retry_kind)(&error_response)
                        .or_else(|| classify_response(status, error_response.code()));
                    let code = error_response.wire_code().map(str::to_string);
                    let request_id = crate::error::request_id(&headers);
                    (
                        Error::Service(ServiceError {
                            error: UntypedError {
                                wire_format: traits.wire_format,
                                status,
                                headers: Box::new(headers),
                                body,
                            },
                            code,
                            status,
                            request_id,
                            attempts: attempt,
                        }),
                        kind.map(|k| (k, false)),
                    )
                }
                Err(AttemptError::Transport(e)) => {
                    let kind = e.is_transient().then_some((RetryKind::Transient, false));
                    (Error::Transport(e), kind)
                }
                Err(AttemptError::Timeout(kind, after)) => (
                    Error::Timeout(TimeoutError::new(kind, after, attempt)),
                    Some((RetryKind::Transient, true)),
                ),
                Err(AttemptError::Stalled(stalled)) => (
                    Error::Timeout(TimeoutError {
                        after: stalled.grace(),
                        stalled: Some(stalled),
                        ..TimeoutError::new(TimeoutKind::Stalled, Default::default(), attempt)
                    }),
                    Some((RetryKind::Transient, true)),
                ),
                Err(AttemptError::TooLarge(status, headers, e)) => {
                    return Err(Error::Response(ResponseError {
                        status,
                        request_id: crate::error::request_id(&headers),
                        reason: e.to_string(),
                        source: Some(Box::new(e)),
                    }))
                }
            };
            if adaptive {
                inner
                    .quota
                    .record(matches!(retry, Some((RetryKind::Throttling, _))));
            }
            let Some((kind, timed_out)) = retry else {
                tracing::debug!(attempt, error = %failure, "not retried: the error is not transient");
                return Err(failure);
            };
            // A one-shot stream went with the first attempt; another attempt
            // could not send it, so the first failure is the answer.
            if matches!(request.body, RequestBody::Stream(_)) {
                tracing::debug!(attempt, error = %failure, "not retried: the request body was a one-shot stream");
                return Err(failure);
            }
            if attempt >= max_attempts {
                tracing::debug!(attempt, error = %failure, "not retried: no attempts left");
                return Err(failure);
            }
            let Some(cost) = inner.quota.acquire(timed_out) else {
                tracing::debug!(attempt, error = %failure, "not retried: the retry quota is spent");
                return Err(failure);
            };
            spent += cost;
            attempt += 1;
            let backoff = inner.retry.backoff(attempt);
            tracing::debug!(
                next_attempt = attempt,
                reason = ?kind,
                backoff_ms = backoff.as_millis() as u64,
                error = %failure,
                "retrying"
            );
            tokio::time::sleep(backoff).await;
        }
    }

    /// One exchange: send, then read the whole body, within the attempt
    /// timeout and under the progress guards (a stalled upload or download, no
    /// response head in time, a body too large). A successful streaming
    /// response is returned as soon as its head arrives; its body, still
    /// guarded against stalls and the operation deadline, is read by the caller.
    async fn attempt(
        &self,
        request: http::Request<Body>,
        streaming: bool,
        deadline: Option<(tokio::time::Instant, std::time::Duration)>,
    ) -> Result<(u16, HeaderMap, Body), AttemptError> {
        use crate::progress::{watch, Guarded, Limits, Watchdog, Watched};
        let inner = &self.0.config.inner;
        let (parts, body) = request.into_parts();
        let (body, progress) = Watched::wrap(body);
        let request = http::Request::from_parts(parts, body);
        let exchange = async {
            let exchange = inner.http_client.send(request);
            let watchdog = watch(&progress, inner.stall_grace, inner.response_timeout);
            let response = match first(exchange, watchdog).await {
                First::A(response) => response.map_err(AttemptError::Transport)?,
                First::B(why) => {
                    return Err(match why {
                        Watchdog::Stalled(e) => AttemptError::Stalled(e),
                        Watchdog::NoResponse(after) => {
                            AttemptError::Timeout(TimeoutKind::Response, after)
                        }
                    });
                }
            };
            let (parts, body) = response.into_parts();
            let status = parts.status.as_u16();
            if streaming && parts.status.is_success() {
                let limits = Limits {
                    grace: inner.stall_grace,
                    deadline,
                    max_bytes: None,
                };
                return Ok((status, parts.headers, Guarded::wrap(body, limits)));
            }
            // A body already in memory (an in-memory transport, a replay) can
            // neither stall nor arrive late: skip the watchdog and its timer.
            if let Some(bytes) = body.bytes() {
                let limit = inner.max_response_body;
                if bytes.len() as u64 > limit {
                    let large = crate::progress::TooLargeError { limit };
                    return Err(AttemptError::TooLarge(status, parts.headers, large));
                }
                return Ok((status, parts.headers, body));
            }
            let limits = Limits {
                grace: inner.stall_grace,
                deadline: None,
                max_bytes: Some(inner.max_response_body),
            };
            match Guarded::wrap(body, limits).collect().await {
                Ok(body) => Ok((status, parts.headers, Body::from(body))),
                Err(e) => Err(match e.downcast::<crate::progress::StalledError>() {
                    Ok(stalled) => AttemptError::Stalled(*stalled),
                    Err(e) => match e.downcast::<crate::progress::TooLargeError>() {
                        Ok(large) => AttemptError::TooLarge(status, parts.headers, *large),
                        // A body cut short is a broken connection: transient.
                        Err(e) => {
                            AttemptError::Transport(TransportError::new(TransportErrorKind::Io, e))
                        }
                    },
                }),
            }
        };
        match inner.attempt_timeout {
            None => exchange.await,
            Some(limit) => tokio::time::timeout(limit, exchange)
                .await
                .unwrap_or(Err(AttemptError::Timeout(TimeoutKind::Attempt, limit))),
        }
    }
}

/// How one call authenticates, chosen from the operation's schemes.
enum Auth<'a> {
    SigV4 {
        name: &'a str,
        region: &'a str,
        /// The credentials resolved when the scheme was chosen.
        first: crate::Credentials,
    },
    /// The whole `Authorization` header value, marked sensitive.
    Bearer(HeaderValue),
    Anonymous,
}

impl ServiceClient {
    /// The first of the operation's auth schemes the config has an identity
    /// for (credentials are resolved here, so a provider that has none moves
    /// on to the next scheme); unsigned when the operation has none or its auth
    /// is optional.
    async fn auth<'a>(
        &'a self,
        endpoint: &'a Endpoint,
        traits: &OperationTraits,
    ) -> Result<Auth<'a>, Error<UntypedError>> {
        let inner = &self.0.config.inner;
        let mut missing = Vec::new();
        let mut credentials_error = None;
        // The endpoint's `authSchemes` may name the signing name and region
        // (a global endpoint signs for its home region).
        let sigv4 = endpoint.auth_scheme("sigv4");
        if sigv4.is_none()
            && endpoint.auth_scheme("sigv4a").is_some()
            && traits.auth.contains(&AuthScheme::SigV4)
            && !traits.optional_auth
        {
            return Err(Error::Config(ConfigError(format!(
                "the endpoint {} requires SigV4a signing, which this client does not support yet",
                endpoint.url
            ))));
        }
        let text = |key: &str| {
            sigv4
                .and_then(|s| s.get(key))
                .and_then(EndpointValue::as_str)
        };
        let signing_name = text("signingName").or(self.0.service.signing_name);
        let signing_region = text("signingRegion").or(inner.region.as_deref());
        for scheme in traits.auth {
            match scheme {
                AuthScheme::SigV4 => match (signing_name, signing_region, &inner.credentials) {
                    (Some(name), Some(region), Some(provider)) => match provider.get().await {
                        Ok(first) => return Ok(Auth::SigV4 { name, region, first }),
                        Err(e) => {
                            missing.push(format!("credentials ({e})"));
                            credentials_error = Some(e);
                        }
                    },
                    (_, None, _) => missing.push(format!(
                        "a region to sign requests to {} (set AWS_REGION or `Config::builder().region(..)`)",
                        self.0.service.sdk_id
                    )),
                    _ => missing.push(
                        "credentials (use `Config::from_env()` or `Config::builder().credentials_provider(..)`)".to_string(),
                    ),
                },
                AuthScheme::Bearer => match self.0.config.bearer_token(self.0.service.sdk_id) {
                    Some(token) => {
                        let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
                            .map_err(|_| {
                                Error::Config(ConfigError(
                                    "the bearer token is not a valid header value".into(),
                                ))
                            })?;
                        value.set_sensitive(true);
                        return Ok(Auth::Bearer(value));
                    }
                    None => missing.push(format!(
                        "a bearer token (set {} or `Config::builder().bearer_token(..)`)",
                        crate::config::bearer_token_variable(self.0.service.sdk_id)
                    )),
                },
            }
        }
        if traits.auth.is_empty() || traits.optional_auth {
            return Ok(Auth::Anonymous);
        }
        // SigV4 alone, with a provider that failed: its error says the most.
        if let (Some(e), [_]) = (credentials_error, traits.auth) {
            return Err(Error::Credentials(e));
        }
        Err(Error::Config(ConfigError(format!(
            "{} needs {} to authenticate",
            traits.name,
            missing.join(", or ")
        ))))
    }
}

/// Attempts whose `amz-sdk-request` value a client makes once.
const REQUEST_INFO_CACHED: u32 = 8;

/// The `amz-sdk-request` value of an attempt.
fn request_info(attempt: u32, max_attempts: u32) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!("attempt={attempt}; max={max_attempts}")).ok()
}

/// The endpoint plus the request's path and query, with any `@endpoint` host
/// prefix put before the endpoint's host.
fn request_uri(
    endpoint: &str,
    request: &OperationRequest,
) -> Result<http::Uri, Error<UntypedError>> {
    let endpoint = endpoint.trim_end_matches('/');
    let path = &request.path_and_query;
    let uri = match request.host_prefix() {
        None => [endpoint, path].concat(),
        Some(prefix) => {
            let (scheme, rest) = endpoint.split_once("://").unwrap_or(("https", endpoint));
            [scheme, "://", prefix, rest, path].concat()
        }
    };
    // From the `String` itself: parsing a `&str` would copy it first. Its
    // capacity is its length (`concat` sizes it exactly), so its buffer
    // becomes the URI's without another allocation.
    http::Uri::try_from(uri).map_err(|e| {
        Error::Config(ConfigError(format!(
            "invalid request URI from the endpoint {endpoint} and the path {}: {e}",
            request.path_and_query
        )))
    })
}

/// What the send loop needs to know of an operation, as values rather than
/// associated items, so the loop is compiled once for every operation.
struct OperationTraits {
    name: &'static str,
    auth: &'static [AuthScheme],
    optional_auth: bool,
    unsigned_payload: bool,
    streaming_output: bool,
    wire_format: WireFormat,
    discovered_endpoint: bool,
    /// How the operation's modelled errors classify an error response.
    retry_kind: fn(&ErrorResponse<'_>) -> Option<RetryKind>,
}

impl OperationTraits {
    fn of<O: Operation>() -> Self {
        OperationTraits {
            name: O::NAME,
            auth: O::AUTH,
            optional_auth: O::OPTIONAL_AUTH,
            unsigned_payload: O::UNSIGNED_PAYLOAD,
            streaming_output: O::STREAMING_OUTPUT,
            wire_format: O::WIRE_FORMAT,
            discovered_endpoint: O::DISCOVERED_ENDPOINT,
            retry_kind: modelled_retry_kind::<O::Error>,
        }
    }
}

fn modelled_retry_kind<E: OperationError>(response: &ErrorResponse<'_>) -> Option<RetryKind> {
    E::from_response(response).retry_kind()
}

/// A service's error response before the operation's typed error is read
/// from it (by [`typed_error`], outside the send loop).
struct UntypedError {
    wire_format: WireFormat,
    status: u16,
    // Boxed to keep every `Result` of the send loop small.
    headers: Box<HeaderMap>,
    body: Bytes,
}

impl fmt::Display for UntypedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let response =
            ErrorResponse::read(self.wire_format, self.status, &self.headers, &self.body);
        response.unhandled().fmt(f)
    }
}

/// The send loop's error with the service's error read as `E`.
fn typed_error<E: OperationError>(error: Error<UntypedError>) -> Error<E> {
    match error {
        Error::Service(e) => {
            let UntypedError {
                wire_format,
                status,
                headers,
                body,
            } = &e.error;
            let error =
                E::from_response(&ErrorResponse::read(*wire_format, *status, headers, body));
            Error::Service(ServiceError {
                error,
                code: e.code,
                status: e.status,
                request_id: e.request_id,
                attempts: e.attempts,
            })
        }
        Error::Validation(e) => Error::Validation(e),
        Error::Serialization(e) => Error::Serialization(e),
        Error::Config(e) => Error::Config(e),
        Error::Credentials(e) => Error::Credentials(e),
        Error::Transport(e) => Error::Transport(e),
        Error::Timeout(e) => Error::Timeout(e),
        Error::Response(e) => Error::Response(e),
        Error::RepeatedToken(e) => Error::RepeatedToken(e),
    }
}

enum AttemptError {
    Transport(TransportError),
    Timeout(TimeoutKind, std::time::Duration),
    Stalled(crate::progress::StalledError),
    TooLarge(u16, HeaderMap, crate::progress::TooLargeError),
}

const USER_AGENT: &str = concat!(
    "smithy-client-runtime/",
    env!("CARGO_PKG_VERSION"),
    " lang/rust"
);

/// The headers an endpoint asks every request to carry.
fn endpoint_headers(endpoint: &Endpoint) -> Result<Vec<(HeaderName, HeaderValue)>, ConfigError> {
    let mut out = Vec::new();
    for (name, values) in &endpoint.headers {
        let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            ConfigError(format!(
                "the endpoint rules name an invalid header `{name}`"
            ))
        })?;
        for value in values {
            let value = HeaderValue::from_str(value).map_err(|_| {
                ConfigError(format!(
                    "the endpoint rules give header `{name}` an invalid value"
                ))
            })?;
            out.push((header.clone(), value));
        }
    }
    Ok(out)
}

fn check_endpoint(url: &str) -> Result<Arc<str>, ConfigError> {
    let parsed: http::Uri = url
        .parse()
        .map_err(|e| ConfigError(format!("the endpoint URL `{url}` is not a valid URL: {e}")))?;
    match (parsed.scheme_str(), parsed.authority()) {
        (Some("https" | "http"), Some(_)) if parsed.query().is_none() => Ok(Arc::from(url)),
        _ => Err(ConfigError(format!(
            "the endpoint URL `{url}` must be an absolute http:// or https:// URL without a query"
        ))),
    }
}

/// Which of two futures finished first.
enum First<A, B> {
    A(A),
    B(B),
}

/// Runs two futures until one finishes, polling `a` first (what
/// `tokio::select!` does, without compiling tokio's proc-macro crate).
async fn first<A: std::future::Future, B: std::future::Future>(
    a: A,
    b: B,
) -> First<A::Output, B::Output> {
    use std::task::Poll;
    let (mut a, mut b) = (std::pin::pin!(a), std::pin::pin!(b));
    std::future::poll_fn(|cx| {
        if let Poll::Ready(v) = a.as_mut().poll(cx) {
            return Poll::Ready(First::A(v));
        }
        if let Poll::Ready(v) = b.as_mut().poll(cx) {
            return Poll::Ready(First::B(v));
        }
        Poll::Pending
    })
    .await
}
