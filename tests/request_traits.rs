//! Behaviour tests of the per-operation request traits, through the client
//! with an in-memory transport that records what is sent: `@auth` order with
//! SigV4 and `@httpBearerAuth` (token from config or environment), `@auth([])`
//! and `@optionalAuth` sent unsigned, `aws.auth#unsignedPayload`,
//! `@httpChecksumRequired` (Content-MD5) and `@requestCompression` (gzip),
//! and the operation's own error type deciding which errors are retried.

use smithy_client_runtime::client::{
    OperationRequest, OperationResponse, ServiceClient, ServiceInfo,
};
use smithy_client_runtime::error::{
    DeserializationError, ErrorResponse, OperationError, SerializationError, UnhandledError,
};
use smithy_client_runtime::operation::{AuthScheme, Operation};
use smithy_client_runtime::transport::{from_fn, Body};
use smithy_client_runtime::validation::{Context, Validate};
use smithy_client_runtime::wire::IdempotencyTokens;
use smithy_client_runtime::{Config, ConfigBuilder, Credentials, Error, RequestCompression};
use std::io::Read as _;
use std::sync::{Arc, Mutex};

static SERVICE: ServiceInfo = ServiceInfo {
    sdk_id: "Code Catalyst",
    endpoint_prefix: "codecatalyst",
    signing_name: Some("codecatalyst"),
    endpoint_rules: None,
    endpoint_discovery: None,
};

/// A request body of `n` bytes.
#[derive(Clone, Debug)]
struct Input(usize);

impl Validate for Input {
    fn validate_into(&self, _: &mut Context) {}
}

#[derive(Debug)]
struct Failed(UnhandledError);

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Failed {}

impl OperationError for Failed {
    fn from_response(response: &ErrorResponse<'_>) -> Self {
        Failed(response.unhandled())
    }
    fn retry_kind(&self) -> Option<smithy_client_runtime::retry::RetryKind> {
        None
    }
}

/// An operation for each combination of traits under test.
macro_rules! operation {
    ($name:ident, [$($auth:expr),*] $(, $konst:ident : $ty:ty = $value:expr)*) => {
        struct $name;
        impl Operation for $name {
            type Input = Input;
            type Output = ();
            type Error = Failed;
            const NAME: &'static str = stringify!($name);
            const METHOD: &'static str = "POST";
            const URI: &'static str = "/";
            const SUCCESS_CODE: u16 = 200;
            const AUTH: &'static [AuthScheme] = &[$($auth),*];
            $(const $konst: $ty = $value;)*
            fn request(
                input: &Input,
                _: &dyn IdempotencyTokens,
            ) -> Result<OperationRequest, SerializationError> {
                let mut b = OperationRequest::builder("POST");
                b.literal("/");
                b.payload(vec![b'a'; input.0], "application/octet-stream");
                b.finish()
            }
            fn response(_: &mut OperationResponse) -> Result<(), DeserializationError> {
                Ok(())
            }
        }
    };
}

operation!(SigV4ThenBearer, [AuthScheme::SigV4, AuthScheme::Bearer]);
operation!(BearerThenSigV4, [AuthScheme::Bearer, AuthScheme::SigV4]);
operation!(NoAuth, []);
operation!(OptionalSigV4, [AuthScheme::SigV4], OPTIONAL_AUTH: bool = true);
operation!(UnsignedPayload, [AuthScheme::SigV4], UNSIGNED_PAYLOAD: bool = true);
operation!(Md5, [], CHECKSUM_REQUIRED: bool = true);
operation!(Gzip, [], COMPRESSION: &'static [&'static str] = &["br", "gzip"], CHECKSUM_REQUIRED: bool = true);

/// What the transport received.
type Sent = Arc<Mutex<Vec<http::Request<Vec<u8>>>>>;

fn config(builder: ConfigBuilder) -> (Config, Sent) {
    let sent: Sent = Default::default();
    let log = sent.clone();
    let transport = from_fn(move |request: http::Request<Body>| {
        let log = log.clone();
        async move {
            let (parts, body) = request.into_parts();
            let bytes = body.bytes().map(|b| b.to_vec()).unwrap_or_default();
            log.lock()
                .unwrap()
                .push(http::Request::from_parts(parts, bytes));
            Ok(http::Response::builder()
                .status(200)
                .body(Body::from("{}"))
                .unwrap())
        }
    });
    let config = builder
        .endpoint_url("http://127.0.0.1:9")
        .http_client(transport)
        .build();
    (config, sent)
}

fn signed() -> ConfigBuilder {
    Config::builder()
        .region("us-west-2")
        .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
}

fn header(request: &http::Request<Vec<u8>>, name: &str) -> Option<String> {
    request
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
}

async fn send<O>(config: &Config, input: Input) -> Result<(), Error<Failed>>
where
    O: Operation<Input = Input, Output = (), Error = Failed>,
{
    ServiceClient::new(config, &SERVICE).call::<O>(&input).await
}

#[tokio::test]
async fn the_first_scheme_with_an_identity_is_used() {
    let (both, sent) = config(signed().bearer_token("tok"));
    send::<SigV4ThenBearer>(&both, Input(1)).await.unwrap();
    send::<BearerThenSigV4>(&both, Input(1)).await.unwrap();
    let sent = sent.lock().unwrap();
    assert!(header(&sent[0], "authorization")
        .unwrap()
        .starts_with("AWS4-HMAC-SHA256 "));
    assert_eq!(
        header(&sent[1], "authorization").as_deref(),
        Some("Bearer tok")
    );
    assert_eq!(
        header(&sent[1], "x-amz-date"),
        None,
        "a bearer request is not signed"
    );
}

#[tokio::test]
async fn a_bearer_token_comes_from_the_services_variable() {
    let vars = [(
        "AWS_BEARER_TOKEN_CODE_CATALYST".to_string(),
        "from-env".to_string(),
    )];
    let (cfg, sent) = config(Config::from_vars(vars));
    send::<BearerThenSigV4>(&cfg, Input(1)).await.unwrap();
    assert_eq!(
        header(&sent.lock().unwrap()[0], "authorization").as_deref(),
        Some("Bearer from-env")
    );
}

#[tokio::test]
async fn a_credentials_provider_without_credentials_moves_on_to_the_next_scheme() {
    // `from_vars` installs the default chain, which finds no keys here.
    let vars = [
        ("AWS_REGION".to_string(), "us-west-2".to_string()),
        (
            "AWS_BEARER_TOKEN_CODE_CATALYST".to_string(),
            "tok".to_string(),
        ),
    ];
    let (cfg, sent) = config(Config::from_vars(vars));
    send::<SigV4ThenBearer>(&cfg, Input(1)).await.unwrap();
    assert_eq!(
        header(&sent.lock().unwrap()[0], "authorization").as_deref(),
        Some("Bearer tok")
    );
    // With SigV4 alone, the provider's own error is the answer.
    let err = send::<UnsignedPayload>(&cfg, Input(1)).await.unwrap_err();
    assert!(matches!(err, Error::Credentials(_)), "{err:?}");
}

#[tokio::test]
async fn without_any_identity_the_error_says_what_is_missing() {
    let (cfg, sent) = config(Config::builder());
    let err = send::<BearerThenSigV4>(&cfg, Input(1)).await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains("AWS_BEARER_TOKEN_CODE_CATALYST"), "{text}");
    assert!(text.contains("region"), "{text}");
    assert!(sent.lock().unwrap().is_empty());
}

#[tokio::test]
async fn no_auth_and_optional_auth_send_unsigned() {
    let (cfg, sent) = config(Config::builder().region("us-west-2"));
    send::<NoAuth>(&cfg, Input(1)).await.unwrap();
    send::<OptionalSigV4>(&cfg, Input(1)).await.unwrap();
    let (signed_cfg, signed_sent) = config(signed());
    send::<NoAuth>(&signed_cfg, Input(1)).await.unwrap();
    for r in sent
        .lock()
        .unwrap()
        .iter()
        .chain(signed_sent.lock().unwrap().iter())
    {
        assert_eq!(header(r, "authorization"), None);
    }
}

#[tokio::test]
async fn an_unsigned_payload_is_left_out_of_the_signature() {
    let (cfg, sent) = config(signed());
    send::<UnsignedPayload>(&cfg, Input(3)).await.unwrap();
    send::<SigV4ThenBearer>(&cfg, Input(3)).await.unwrap();
    let sent = sent.lock().unwrap();
    assert_eq!(
        header(&sent[0], "x-amz-content-sha256").as_deref(),
        Some("UNSIGNED-PAYLOAD")
    );
    assert!(header(&sent[0], "authorization")
        .unwrap()
        .starts_with("AWS4-HMAC-SHA256 "));
    assert_ne!(
        header(&sent[1], "x-amz-content-sha256").as_deref(),
        Some("UNSIGNED-PAYLOAD")
    );
}

#[tokio::test]
async fn a_required_checksum_is_the_bodys_md5() {
    let (cfg, sent) = config(Config::builder());
    send::<Md5>(&cfg, Input(3)).await.unwrap();
    // MD5("aaa") = 47bce5c74f589f4867dbd57e9ca9f808
    assert_eq!(
        header(&sent.lock().unwrap()[0], "content-md5").as_deref(),
        Some("R7zlx09Yn0hn29V+nKn4CA==")
    );
}

#[tokio::test]
async fn large_bodies_are_gzipped_and_the_checksum_covers_what_is_sent() {
    use md5::Digest as _;
    let (cfg, sent) = config(Config::builder());
    send::<Gzip>(&cfg, Input(20_000)).await.unwrap();
    send::<Gzip>(&cfg, Input(100)).await.unwrap();
    let sent = sent.lock().unwrap();
    // `br` is not supported, so the next encoding the model lists is used.
    assert_eq!(
        header(&sent[0], "content-encoding").as_deref(),
        Some("gzip")
    );
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(&sent[0].body()[..])
        .read_to_end(&mut plain)
        .unwrap();
    assert_eq!(plain, vec![b'a'; 20_000]);
    assert_eq!(
        header(&sent[0], "content-length").as_deref(),
        Some(sent[0].body().len().to_string().as_str())
    );
    let md5 = base64_md5(&md5::Md5::digest(sent[0].body()));
    assert_eq!(header(&sent[0], "content-md5"), Some(md5));
    // Below the minimum size, the body goes as it is.
    assert_eq!(header(&sent[1], "content-encoding"), None);
    assert_eq!(sent[1].body().len(), 100);
}

#[tokio::test]
async fn compression_follows_the_settings() {
    let (off, sent) = config(Config::builder().request_compression(RequestCompression {
        disabled: true,
        ..Default::default()
    }));
    send::<Gzip>(&off, Input(20_000)).await.unwrap();
    let vars = [(
        "AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES".to_string(),
        "50".to_string(),
    )];
    let (small, small_sent) = config(Config::from_vars(vars));
    send::<Gzip>(&small, Input(100)).await.unwrap();
    assert_eq!(header(&sent.lock().unwrap()[0], "content-encoding"), None);
    assert_eq!(
        header(&small_sent.lock().unwrap()[0], "content-encoding").as_deref(),
        Some("gzip")
    );
}

fn base64_md5(digest: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(digest)
}

/// A request body whose source sends one chunk, then nothing more.
struct OneChunkThenSilence(Option<bytes::Bytes>);

impl http_body::Body for OneChunkThenSilence {
    type Data = bytes::Bytes;
    type Error = std::convert::Infallible;
    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<bytes::Bytes>, Self::Error>>> {
        match self.0.take() {
            Some(chunk) => std::task::Poll::Ready(Some(Ok(http_body::Frame::data(chunk)))),
            None => std::task::Poll::Pending,
        }
    }
}

struct StalledUpload;

impl Operation for StalledUpload {
    type Input = Input;
    type Output = ();
    type Error = Failed;
    const NAME: &'static str = "StalledUpload";
    const METHOD: &'static str = "PUT";
    const URI: &'static str = "/";
    const SUCCESS_CODE: u16 = 200;
    const AUTH: &'static [AuthScheme] = &[];
    fn request(
        input: &Input,
        _: &dyn IdempotencyTokens,
    ) -> Result<OperationRequest, SerializationError> {
        let source = OneChunkThenSilence(Some(vec![b'u'; input.0].into()));
        let stream = smithy_client_runtime::ByteStream::from_body(Body::from_stream(source));
        let mut b = OperationRequest::builder("PUT");
        b.literal("/");
        b.stream(&stream, "application/octet-stream")?;
        b.finish()
    }
    fn response(_: &mut OperationResponse) -> Result<(), DeserializationError> {
        Ok(())
    }
}

#[tokio::test]
async fn an_upload_that_stalls_ends_with_a_stall_error_and_is_not_retried() {
    let attempts = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = attempts.clone();
    // The transport reads the whole request body before it answers.
    let transport = from_fn(move |request: http::Request<Body>| {
        seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        async move {
            let _ = request.into_body().collect().await;
            Ok(http::Response::builder()
                .status(200)
                .body(Body::from("{}"))
                .unwrap())
        }
    });
    let config = Config::builder()
        .endpoint_url("http://127.0.0.1:9")
        .http_client(transport)
        .stalled_stream_grace(Some(std::time::Duration::from_millis(200)))
        .build();
    let call = send::<StalledUpload>(&config, Input(1000));
    let err = tokio::time::timeout(std::time::Duration::from_secs(10), call)
        .await
        .expect("must not hang")
        .unwrap_err();
    let Error::Timeout(t) = &err else {
        panic!("{err}")
    };
    let stalled = t.stalled().expect("a stall");
    assert_eq!(
        stalled.direction(),
        smithy_client_runtime::progress::Direction::Upload
    );
    assert_eq!(stalled.bytes(), 1000);
    assert!(err.to_string().contains("request body stalled"), "{err}");
    assert_eq!(attempts.load(std::sync::atomic::Ordering::SeqCst), 1);
}

/// Puts the idempotency token it is given in a header; fails for input 0.
struct Tokened;

impl Operation for Tokened {
    type Input = Input;
    type Output = ();
    type Error = Failed;
    const NAME: &'static str = "Tokened";
    const METHOD: &'static str = "POST";
    const URI: &'static str = "/";
    const SUCCESS_CODE: u16 = 200;
    const AUTH: &'static [AuthScheme] = &[];
    fn request(
        input: &Input,
        tokens: &dyn IdempotencyTokens,
    ) -> Result<OperationRequest, SerializationError> {
        if input.0 == 0 {
            return Err(SerializationError::new("the URI label `Name` is empty"));
        }
        let mut b = OperationRequest::builder("POST");
        b.literal("/");
        b.header("x-token", &tokens.token())?;
        b.finish()
    }
    fn response(_: &mut OperationResponse) -> Result<(), DeserializationError> {
        Ok(())
    }
}

#[tokio::test]
async fn idempotency_tokens_come_from_the_config() {
    let (random, sent) = config(Config::builder());
    send::<Tokened>(&random, Input(1)).await.unwrap();
    send::<Tokened>(&random, Input(1)).await.unwrap();
    let (fixed, fixed_sent) = config(
        Config::builder()
            .idempotency_tokens(smithy_client_runtime::wire::FixedToken("tok-7".into())),
    );
    send::<Tokened>(&fixed, Input(1)).await.unwrap();
    let sent = sent.lock().unwrap();
    let (a, b) = (
        header(&sent[0], "x-token").unwrap(),
        header(&sent[1], "x-token").unwrap(),
    );
    assert_ne!(a, b, "random tokens differ");
    assert_eq!(a.len(), 36);
    assert_eq!(
        header(&fixed_sent.lock().unwrap()[0], "x-token").as_deref(),
        Some("tok-7")
    );
}

#[tokio::test]
async fn an_input_that_cannot_be_written_is_a_serialization_error() {
    let (cfg, sent) = config(Config::builder());
    let err = send::<Tokened>(&cfg, Input(0)).await.unwrap_err();
    assert!(matches!(err, Error::Serialization(_)), "{err:?}");
    assert!(err.to_string().contains("label `Name` is empty"), "{err}");
    assert!(sent.lock().unwrap().is_empty());
}

/// An operation whose modelled error `BusyNow` is retryable (as `@retryable`
/// marks it), under a code no standard list knows and a status no rule
/// retries, so only the operation's error type can ask for the retry.
#[derive(Debug)]
struct Modelled(Option<String>);

impl std::fmt::Display for Modelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl std::error::Error for Modelled {}

impl OperationError for Modelled {
    fn from_response(response: &ErrorResponse<'_>) -> Self {
        Modelled(response.code().map(str::to_string))
    }
    fn retry_kind(&self) -> Option<smithy_client_runtime::retry::RetryKind> {
        (self.0.as_deref() == Some("BusyNow"))
            .then_some(smithy_client_runtime::retry::RetryKind::Throttling)
    }
}

struct WithModelledErrors;

impl Operation for WithModelledErrors {
    type Input = Input;
    type Output = ();
    type Error = Modelled;
    const NAME: &'static str = "WithModelledErrors";
    const METHOD: &'static str = "POST";
    const URI: &'static str = "/";
    const SUCCESS_CODE: u16 = 200;
    const AUTH: &'static [AuthScheme] = &[];
    fn request(
        _: &Input,
        _: &dyn IdempotencyTokens,
    ) -> Result<OperationRequest, SerializationError> {
        let mut b = OperationRequest::builder("POST");
        b.literal("/");
        b.finish()
    }
    fn response(_: &mut OperationResponse) -> Result<(), DeserializationError> {
        Ok(())
    }
}

/// Answers with a 400 carrying each code in turn, then 200; counts requests.
fn failing_with(codes: &'static [&'static str]) -> (Config, Arc<Mutex<usize>>) {
    let count = Arc::new(Mutex::new(0));
    let seen = count.clone();
    let transport = from_fn(move |_request: http::Request<Body>| {
        let n = {
            let mut seen = seen.lock().unwrap();
            *seen += 1;
            *seen - 1
        };
        async move {
            let response = match codes.get(n) {
                Some(code) => http::Response::builder()
                    .status(400)
                    .header("x-amzn-errortype", *code)
                    .body(Body::from("{}")),
                None => http::Response::builder().status(200).body(Body::from("{}")),
            };
            Ok(response.unwrap())
        }
    });
    let config = Config::builder()
        .endpoint_url("http://127.0.0.1:9")
        .retry(
            smithy_client_runtime::retry::RetryConfig::standard()
                .with_initial_backoff(std::time::Duration::from_millis(1))
                .with_max_backoff(std::time::Duration::from_millis(1)),
        )
        .http_client(transport)
        .build();
    (config, count)
}

#[tokio::test]
async fn the_operations_error_type_decides_which_service_errors_are_retried() {
    let call = |config: Config| async move {
        ServiceClient::new(&config, &SERVICE)
            .call::<WithModelledErrors>(&Input(0))
            .await
    };
    // Retryable by the model: retried, and the second attempt succeeds.
    let (config, count) = failing_with(&["BusyNow"]);
    call(config).await.unwrap();
    assert_eq!(*count.lock().unwrap(), 2);
    // Not retryable: one attempt, and the typed error is read from the response.
    let (config, count) = failing_with(&["Refused"]);
    let err = call(config).await.unwrap_err();
    assert_eq!(*count.lock().unwrap(), 1);
    let Error::Service(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.error().0.as_deref(), Some("Refused"));
    assert_eq!((e.status(), e.attempts()), (400, 1));
    // Retryable until the attempts run out: the last response's typed error.
    let (config, count) = failing_with(&["BusyNow", "BusyNow", "BusyNow"]);
    let err = call(config).await.unwrap_err();
    assert_eq!(*count.lock().unwrap(), 3);
    let Error::Service(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!((e.error().0.as_deref(), e.attempts()), (Some("BusyNow"), 3));
}
