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

/// ring's TLS crypto, narrowed to what AWS endpoints and public CAs use:
/// AES-GCM suites, X25519 and NIST P-256/P-384 key exchange, and ECDSA and
/// RSA certificate signatures. ChaCha20-Poly1305 (every AWS endpoint
/// negotiates AES-GCM) and Ed25519 certificates (no public CA issues them)
/// are left out, and with them their code: tens of KiB of every binary.
fn crypto_provider() -> rustls::crypto::CryptoProvider {
    use rustls::crypto::ring::{cipher_suite, kx_group};
    use rustls::crypto::WebPkiSupportedAlgorithms;
    use rustls::SignatureScheme;
    use webpki::ring as alg;
    static SIGNATURES: WebPkiSupportedAlgorithms = WebPkiSupportedAlgorithms {
        all: &[
            alg::ECDSA_P256_SHA256,
            alg::ECDSA_P256_SHA384,
            alg::ECDSA_P384_SHA256,
            alg::ECDSA_P384_SHA384,
            alg::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
            alg::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
            alg::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
            alg::RSA_PKCS1_2048_8192_SHA256,
            alg::RSA_PKCS1_2048_8192_SHA384,
            alg::RSA_PKCS1_2048_8192_SHA512,
            alg::RSA_PKCS1_2048_8192_SHA256_ABSENT_PARAMS,
            alg::RSA_PKCS1_2048_8192_SHA384_ABSENT_PARAMS,
            alg::RSA_PKCS1_2048_8192_SHA512_ABSENT_PARAMS,
        ],
        // In TLS 1.2 a scheme does not fix the curve, so ECDSA accepts both.
        mapping: &[
            (
                SignatureScheme::ECDSA_NISTP384_SHA384,
                &[alg::ECDSA_P384_SHA384, alg::ECDSA_P256_SHA384],
            ),
            (
                SignatureScheme::ECDSA_NISTP256_SHA256,
                &[alg::ECDSA_P256_SHA256, alg::ECDSA_P384_SHA256],
            ),
            (
                SignatureScheme::RSA_PSS_SHA512,
                &[alg::RSA_PSS_2048_8192_SHA512_LEGACY_KEY],
            ),
            (
                SignatureScheme::RSA_PSS_SHA384,
                &[alg::RSA_PSS_2048_8192_SHA384_LEGACY_KEY],
            ),
            (
                SignatureScheme::RSA_PSS_SHA256,
                &[alg::RSA_PSS_2048_8192_SHA256_LEGACY_KEY],
            ),
            (
                SignatureScheme::RSA_PKCS1_SHA512,
                &[alg::RSA_PKCS1_2048_8192_SHA512],
            ),
            (
                SignatureScheme::RSA_PKCS1_SHA384,
                &[alg::RSA_PKCS1_2048_8192_SHA384],
            ),
            (
                SignatureScheme::RSA_PKCS1_SHA256,
                &[alg::RSA_PKCS1_2048_8192_SHA256],
            ),
        ],
    };
    rustls::crypto::CryptoProvider {
        cipher_suites: vec![
            cipher_suite::TLS13_AES_128_GCM_SHA256,
            cipher_suite::TLS13_AES_256_GCM_SHA384,
            cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            cipher_suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            cipher_suite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        ],
        kx_groups: vec![kx_group::X25519, kx_group::SECP256R1, kx_group::SECP384R1],
        signature_verification_algorithms: SIGNATURES,
        secure_random: &Randomness,
        key_provider: &NoClientKeys,
    }
}

/// The system's random numbers, through ring.
#[derive(Debug)]
struct Randomness;

impl rustls::crypto::SecureRandom for Randomness {
    fn fill(&self, buf: &mut [u8]) -> Result<(), rustls::crypto::GetRandomFailed> {
        use ring::rand::SecureRandom as _;
        ring::rand::SystemRandom::new()
            .fill(buf)
            .map_err(|_| rustls::crypto::GetRandomFailed)
    }
}

/// The client never presents a certificate, so it loads no private keys.
#[derive(Debug)]
struct NoClientKeys;

impl rustls::crypto::KeyProvider for NoClientKeys {
    fn load_private_key(
        &self,
        _key: rustls::pki_types::PrivateKeyDer<'static>,
    ) -> Result<Arc<dyn rustls::sign::SigningKey>, rustls::Error> {
        Err(rustls::Error::General(
            "client certificates are not supported".into(),
        ))
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
            rustls::ClientConfig::builder_with_provider(Arc::new(crypto_provider()))
                .with_safe_default_protocol_versions()
                .map_err(|e| format!("could not set up TLS: {e}"))?
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

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

    /// Test certificates for `localhost` under their own CA, one pair per key
    /// type (made with openssl; see `runtime/tests/tls`).
    fn pki(
        kind: &str,
    ) -> (
        CertificateDer<'static>,
        CertificateDer<'static>,
        PrivateKeyDer<'static>,
    ) {
        let read = |name: &str| {
            let path = format!("{}/tests/tls/{kind}-{name}.der", env!("CARGO_MANIFEST_DIR"));
            std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
        };
        (
            CertificateDer::from(read("ca")),
            CertificateDer::from(read("leaf")),
            PrivatePkcs8KeyDer::from(read("leaf.key")).into(),
        )
    }

    /// Runs a handshake in memory between the client's TLS config (trusting
    /// `kind`'s CA) and a server with ring's full provider limited to
    /// `suites`, returning the suite agreed on or the error.
    fn handshake(
        kind: &str,
        versions: &[&'static rustls::SupportedProtocolVersion],
        suites: &[rustls::SupportedCipherSuite],
    ) -> Result<rustls::SupportedCipherSuite, rustls::Error> {
        let (ca, leaf, key) = pki(kind);
        let mut roots = rustls::RootCertStore::empty();
        roots.add(ca).unwrap();
        let client = rustls::ClientConfig::builder_with_provider(Arc::new(crypto_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let server_provider = rustls::crypto::CryptoProvider {
            cipher_suites: suites.to_vec(),
            ..rustls::crypto::ring::default_provider()
        };
        let server = rustls::ServerConfig::builder_with_provider(Arc::new(server_provider))
            .with_protocol_versions(versions)
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![leaf], key)
            .unwrap();
        let mut client =
            rustls::ClientConnection::new(Arc::new(client), "localhost".try_into().unwrap())
                .unwrap();
        let mut server = rustls::ServerConnection::new(Arc::new(server)).unwrap();
        for _ in 0..10 {
            let mut wire = Vec::new();
            client.write_tls(&mut wire).unwrap();
            server.read_tls(&mut &wire[..]).unwrap();
            server.process_new_packets()?;
            wire.clear();
            server.write_tls(&mut wire).unwrap();
            client.read_tls(&mut &wire[..]).unwrap();
            client.process_new_packets()?;
            if !client.is_handshaking() && !server.is_handshaking() {
                return Ok(client.negotiated_cipher_suite().unwrap());
            }
        }
        panic!("the handshake did not finish")
    }

    #[test]
    fn the_tls_config_agrees_with_servers_on_aes_gcm_over_tls_1_3_and_1_2() {
        let all = rustls::crypto::ring::ALL_CIPHER_SUITES;
        let ours = crypto_provider().cipher_suites;
        for kind in ["ec", "rsa"] {
            for version in [&rustls::version::TLS13, &rustls::version::TLS12] {
                let suite = handshake(kind, &[version], all).unwrap();
                assert_eq!(suite.version(), version, "{kind}");
                assert!(ours.contains(&suite), "{kind}: {suite:?}");
                assert!(format!("{suite:?}").contains("_GCM_"), "{kind}: {suite:?}");
            }
        }
    }

    #[test]
    fn what_the_tls_config_leaves_out_fails_the_handshake() {
        use rustls::crypto::ring::cipher_suite as cs;
        let chacha = [cs::TLS13_CHACHA20_POLY1305_SHA256];
        assert!(handshake("ec", &[&rustls::version::TLS13], &chacha).is_err());
        let all = rustls::crypto::ring::ALL_CIPHER_SUITES;
        assert!(handshake("ed25519", &[&rustls::version::TLS13], all).is_err());
    }
}
