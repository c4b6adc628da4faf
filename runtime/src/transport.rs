//! Runtime stage: the HTTP transport. Generated clients hand a signed request to
//! an [`HttpClient`] and get a response back; the default is [`HyperClient`]
//! (hyper 1 over rustls), and tests or users can plug in their own, for example
//! an in-memory one made with [`from_fn`].

use bytes::Bytes;
use http_body::Frame;
use http_body_util::BodyExt;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

/// A boxed error from a transport or a body stream.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A boxed future, as returned by [`HttpClient::send`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An HTTP request as the transport sees it: method, full URI, headers, body.
pub type HttpRequest = http::Request<Body>;

/// An HTTP response as the transport returns it; the body may still be arriving.
pub type HttpResponse = http::Response<Body>;

/// Sends HTTP requests. Implement this to replace the network layer (a proxy,
/// a recorder, a test double); [`from_fn`] turns a closure into one.
pub trait HttpClient: Send + Sync + fmt::Debug + 'static {
    /// Sends one request and returns the response head and its (possibly
    /// still streaming) body. Errors are transport failures: DNS, connect,
    /// TLS, a reset connection. HTTP error statuses are responses, not errors.
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>>;
}

/// A failure to exchange a request and a response.
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    source: BoxError,
}

/// What kind of transport failure happened, which decides whether a retry can help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The connection could not be opened (DNS, refused, TLS handshake, connect timeout).
    Connect,
    /// The connection broke while the request or response was in flight.
    Io,
    /// The transport itself is misconfigured; retrying will not help.
    Other,
}

impl TransportError {
    /// A transport error of the given kind.
    pub fn new(kind: TransportErrorKind, source: impl Into<BoxError>) -> Self {
        Self {
            kind,
            source: source.into(),
        }
    }

    /// The kind of failure.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// Whether the failure is transient, so another attempt may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self.kind,
            TransportErrorKind::Connect | TransportErrorKind::Io
        )
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TransportErrorKind::Connect => "could not connect",
            TransportErrorKind::Io => "connection failed during the exchange",
            TransportErrorKind::Other => "transport error",
        };
        write!(f, "{what}: {}", self.source)?;
        // hyper's own messages are terse; the cause chain says what really happened.
        let mut cause = self.source.source();
        while let Some(c) = cause {
            write!(f, ": {c}")?;
            cause = c.source();
        }
        Ok(())
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.source.as_ref())
    }
}

/// A request or response body: bytes already in memory, or a stream of chunks.
pub struct Body(BodyInner);

enum BodyInner {
    Bytes(Bytes),
    Stream(Pin<Box<dyn http_body::Body<Data = Bytes, Error = BoxError> + Send>>),
}

impl Body {
    /// An empty body.
    pub fn empty() -> Self {
        Body(BodyInner::Bytes(Bytes::new()))
    }

    /// A body wrapping a stream of chunks (any `http_body::Body`).
    pub fn from_stream<B>(body: B) -> Self
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<BoxError>,
    {
        Body(BodyInner::Stream(Box::pin(body.map_err(Into::into))))
    }

    /// The bytes, when the body is already in memory.
    pub fn bytes(&self) -> Option<&Bytes> {
        match &self.0 {
            BodyInner::Bytes(b) => Some(b),
            BodyInner::Stream(_) => None,
        }
    }

    /// Reads the whole body into one buffer. An in-memory body is returned as is,
    /// without copying.
    pub async fn collect(self) -> Result<Bytes, BoxError> {
        match self.0 {
            BodyInner::Bytes(b) => Ok(b),
            BodyInner::Stream(s) => Ok(BodyExt::collect(s).await?.to_bytes()),
        }
    }
}

impl From<Bytes> for Body {
    fn from(b: Bytes) -> Self {
        Body(BodyInner::Bytes(b))
    }
}

impl From<Vec<u8>> for Body {
    fn from(b: Vec<u8>) -> Self {
        Body(BodyInner::Bytes(b.into()))
    }
}

impl From<String> for Body {
    fn from(s: String) -> Self {
        Body(BodyInner::Bytes(s.into()))
    }
}

impl From<&'static str> for Body {
    fn from(s: &'static str) -> Self {
        Body(BodyInner::Bytes(Bytes::from_static(s.as_bytes())))
    }
}

impl Default for Body {
    fn default() -> Self {
        Self::empty()
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            BodyInner::Bytes(b) => write!(f, "Body({} bytes)", b.len()),
            BodyInner::Stream(_) => f.write_str("Body(stream)"),
        }
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match &mut self.0 {
            BodyInner::Bytes(b) if b.is_empty() => Poll::Ready(None),
            BodyInner::Bytes(b) => Poll::Ready(Some(Ok(Frame::data(std::mem::take(b))))),
            BodyInner::Stream(s) => s.as_mut().poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.0 {
            BodyInner::Bytes(b) => b.is_empty(),
            BodyInner::Stream(s) => s.is_end_stream(),
        }
    }

    fn size_hint(&self) -> http_body::SizeHint {
        match &self.0 {
            BodyInner::Bytes(b) => http_body::SizeHint::with_exact(b.len() as u64),
            BodyInner::Stream(s) => s.size_hint(),
        }
    }
}

/// A transport made from a closure, for tests and in-memory use.
///
/// ```
/// use smithy_client_runtime::transport::{from_fn, Body};
/// let transport = from_fn(|_request| async {
///     Ok(http::Response::builder().status(200).body(Body::from("{}")).unwrap())
/// });
/// # let _ = transport;
/// ```
pub fn from_fn<F, Fut>(f: F) -> FnClient<F>
where
    F: Fn(HttpRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<HttpResponse, TransportError>> + Send + 'static,
{
    FnClient(f)
}

/// The transport [`from_fn`] returns.
pub struct FnClient<F>(F);

impl<F> fmt::Debug for FnClient<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FnClient")
    }
}

impl<F, Fut> HttpClient for FnClient<F>
where
    F: Fn(HttpRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<HttpResponse, TransportError>> + Send + 'static,
{
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin((self.0)(request))
    }
}

type HyperInner = hyper_util::client::legacy::Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    Body,
>;

/// The default transport: HTTP/1.1 over rustls with the platform's root
/// certificates, with a connection pool and a connect timeout. Plain `http://`
/// URLs work too, for local endpoints.
///
/// Each `HyperClient` has its own connection pool, shared by its clones (and
/// so by every client made from one [`Config`](crate::Config)). It is built on
/// first use: the root certificates are read once per process, on a blocking
/// thread, never inside an async task. Connections run on the runtime that
/// opened them; one whose runtime has shut down is closed, and the pool opens
/// a new one instead of reusing it.
#[derive(Clone)]
pub struct HyperClient {
    connect_timeout: Option<Duration>,
    inner: Arc<tokio::sync::OnceCell<Result<HyperInner, String>>>,
}

impl fmt::Debug for HyperClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HyperClient")
    }
}

impl HyperClient {
    /// A client whose connection attempts give up after `connect_timeout`.
    ///
    /// Loading the root certificates can fail (an unreadable certificate
    /// store); that failure is reported by every `send`, so building a client
    /// never fails.
    pub fn new(connect_timeout: Option<Duration>) -> Self {
        HyperClient {
            connect_timeout,
            inner: Arc::new(tokio::sync::OnceCell::new()),
        }
    }

    /// The hyper client, built on first use.
    async fn client(&self) -> &Result<HyperInner, String> {
        self.inner
            .get_or_init(|| async {
                let tls = tls_config().await?;
                Ok(Self::build(self.connect_timeout, tls))
            })
            .await
    }

    fn build(connect_timeout: Option<Duration>, tls: rustls::ClientConfig) -> HyperInner {
        let mut http = hyper_util::client::legacy::connect::HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(connect_timeout);
        http.set_nodelay(true);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .pool_idle_timeout(Duration::from_secs(90))
                .pool_timer(hyper_util::rt::TokioTimer::new())
                .build(https);
        client
    }
}

/// The TLS settings with the platform's root certificates, read once per
/// process on a blocking thread; a failure is reported by every request.
async fn tls_config() -> Result<rustls::ClientConfig, String> {
    static TLS: tokio::sync::OnceCell<Result<rustls::ClientConfig, String>> =
        tokio::sync::OnceCell::const_new();
    TLS.get_or_init(|| async {
        let load = || {
            use hyper_rustls::ConfigBuilderExt as _;
            rustls::ClientConfig::builder()
                .with_native_roots()
                .map(|b| b.with_no_client_auth())
                .map_err(|e| format!("could not load the platform's root certificates: {e}"))
        };
        tokio::task::spawn_blocking(load)
            .await
            .unwrap_or_else(|e| Err(format!("loading the root certificates failed: {e}")))
    })
    .await
    .clone()
}

impl HttpClient for HyperClient {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(async move {
            let client = match self.client().await {
                Ok(c) => c,
                Err(e) => return Err(TransportError::new(TransportErrorKind::Other, e.clone())),
            };
            match client.request(request).await {
                Ok(response) => Ok(response.map(Body::from_stream)),
                Err(e) => {
                    let kind = if e.is_connect() {
                        TransportErrorKind::Connect
                    } else {
                        TransportErrorKind::Io
                    };
                    Err(TransportError::new(kind, e))
                }
            }
        })
    }
}
