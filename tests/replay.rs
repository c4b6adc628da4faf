//! Test support: replays recorded HTTP exchanges (`tests/exchanges/*.json`)
//! through an in-memory transport or a real HTTP server on 127.0.0.1, and
//! checks every request the client sent against the recording.
//!
//! # Recording format
//!
//! ```json
//! {
//!   "description": "what the case shows",
//!   "exchanges": [
//!     {
//!       "request": {
//!         "method": "POST",
//!         "path": "/getImages",
//!         "host": "data",
//!         "headers": { "content-type": "application/json" },
//!         "json": { "StreamName": "cam" }
//!       },
//!       "response": {
//!         "status": 200,
//!         "headers": { "x-amzn-requestid": "req-1" },
//!         "json": { "Images": [] }
//!       }
//!     }
//!   ]
//! }
//! ```
//!
//! A request lists the headers that matter (compared case-insensitively by
//! name, exactly by value) and its body as `json` (compared as JSON) or `body`
//! (compared as text). `host` names which endpoint the request must reach:
//! `control` or `data` (default `data`). A response gives its body as `json`
//! or as raw text in `body`, which may be malformed on purpose; the text
//! `{{data_endpoint}}` in a response body is replaced by the data endpoint's URL.
//! Every request must also carry a well-formed SigV4 `Authorization` header for
//! the test credentials and the `kinesisvideo` signing name.

use bytes::Bytes;
use http_body_util::BodyExt;
use serde::Deserialize;
use smithy_client_runtime::transport::{from_fn, Body, HttpRequest, HttpResponse, TransportError};
use smithy_client_runtime::{Config, ConfigBuilder, Credentials, RetryConfig};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The access key every test signs with.
pub const ACCESS_KEY: &str = "AKIDEXAMPLE";
/// The session token of the test credentials.
pub const SESSION_TOKEN: &str = "session-token-example";
/// The region every test uses.
pub const REGION: &str = "us-west-2";

/// One recorded case.
#[derive(Debug, Clone, Deserialize)]
pub struct Recording {
    pub description: String,
    pub exchanges: Vec<Exchange>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Exchange {
    pub request: RecordedRequest,
    pub response: RecordedResponse,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub json: Option<serde_json::Value>,
    #[serde(default)]
    pub body: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RecordedResponse {
    pub status: u16,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub json: Option<serde_json::Value>,
    #[serde(default)]
    pub body: Option<String>,
}

impl Recording {
    /// Loads `tests/exchanges/{name}.json`.
    pub fn load(name: &str) -> Recording {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("exchanges")
            .join(format!("{name}.json"));
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not a valid recording: {e}", path.display()))
    }
}

/// A request as the transport saw it.
#[derive(Debug, Clone)]
pub struct Captured {
    pub method: String,
    /// `scheme://authority` the request went to.
    pub origin: String,
    pub path: String,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

/// How the exchanges are replayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Through `transport::from_fn`, without a socket.
    InMemory,
    /// Through the default hyper transport to a server on 127.0.0.1.
    Server,
}

/// A running replay: the endpoints to configure and the captured requests.
pub struct Replay {
    pub mode: Mode,
    pub recording: Recording,
    /// URL of the control-plane endpoint.
    pub control_url: String,
    /// URL of the data endpoint.
    pub data_url: String,
    captured: Arc<Mutex<Vec<Captured>>>,
    in_memory: Option<smithy_client_runtime::transport::FnClient<Handler>>,
}

type Handler = Box<dyn Fn(HttpRequest) -> ResponseFuture + Send + Sync>;
type ResponseFuture = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<HttpResponse, TransportError>> + Send>,
>;

/// Serves the recorded responses in order and records each request.
struct Responder {
    recording: Recording,
    data_url: String,
    captured: Arc<Mutex<Vec<Captured>>>,
}

impl Responder {
    fn respond(&self, captured: Captured) -> HttpResponse {
        let mut all = self.captured.lock().unwrap();
        let index = all.len();
        all.push(captured);
        let Some(exchange) = self.recording.exchanges.get(index) else {
            // More requests than the recording has: the test will fail on the count.
            return http::Response::builder()
                .status(599)
                .body(Body::from("unexpected request"))
                .unwrap();
        };
        let r = &exchange.response;
        let text = match (&r.json, &r.body) {
            (Some(j), _) => j.to_string(),
            (None, Some(b)) => b.clone(),
            (None, None) => String::new(),
        };
        let text = text.replace("{{data_endpoint}}", &self.data_url);
        let mut builder = http::Response::builder().status(r.status);
        for (k, v) in &r.headers {
            builder = builder.header(k, v);
        }
        builder.body(Body::from(text)).unwrap()
    }
}

impl Replay {
    /// Starts replaying `name` in `mode`.
    pub async fn start(name: &str, mode: Mode) -> Replay {
        let recording = Recording::load(name);
        let captured: Arc<Mutex<Vec<Captured>>> = Arc::default();
        match mode {
            Mode::InMemory => {
                let control_url = "https://kinesisvideo.us-west-2.amazonaws.com".to_string();
                let data_url =
                    "https://b-1234abcd.kinesisvideo.us-west-2.amazonaws.com".to_string();
                let responder = Arc::new(Responder {
                    recording: recording.clone(),
                    data_url: data_url.clone(),
                    captured: captured.clone(),
                });
                let handler: Handler = Box::new(move |request: HttpRequest| {
                    let responder = responder.clone();
                    Box::pin(async move {
                        let (parts, body) = request.into_parts();
                        let body = body.collect().await.unwrap();
                        let origin = format!(
                            "{}://{}",
                            parts.uri.scheme_str().unwrap_or(""),
                            parts.uri.authority().map_or("", |a| a.as_str())
                        );
                        let path = parts
                            .uri
                            .path_and_query()
                            .map_or("/", |p| p.as_str())
                            .to_string();
                        let captured = Captured {
                            method: parts.method.to_string(),
                            origin,
                            path,
                            headers: parts.headers,
                            body,
                        };
                        Ok(responder.respond(captured))
                    })
                });
                Replay {
                    mode,
                    recording,
                    control_url,
                    data_url,
                    captured,
                    in_memory: Some(from_fn(handler)),
                }
            }
            Mode::Server => {
                let control = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let data = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let control_url = format!("http://{}", control.local_addr().unwrap());
                let data_url = format!("http://{}", data.local_addr().unwrap());
                let responder = Arc::new(Responder {
                    recording: recording.clone(),
                    data_url: data_url.clone(),
                    captured: captured.clone(),
                });
                for (listener, origin) in [(control, control_url.clone()), (data, data_url.clone())]
                {
                    tokio::spawn(serve(listener, origin, responder.clone()));
                }
                Replay {
                    mode,
                    recording,
                    control_url,
                    data_url,
                    captured,
                    in_memory: None,
                }
            }
        }
    }

    /// A config for this replay: test credentials (with a session token unless
    /// `session_token` is false), fast retries, and the replay's transport.
    pub fn config(&mut self, session_token: bool) -> ConfigBuilder {
        let token = session_token.then(|| SESSION_TOKEN.to_string());
        let builder = Config::builder()
            .region(REGION)
            .credentials(Credentials::new(ACCESS_KEY, "secret", token, None, "test"))
            .retry(RetryConfig::standard().with_initial_backoff(Duration::from_millis(2)));
        self.with_transport(builder)
    }

    /// Installs the in-memory transport, if this replay uses one.
    pub fn with_transport(&mut self, builder: ConfigBuilder) -> ConfigBuilder {
        match self.in_memory.take() {
            Some(t) => builder.http_client(t),
            None => builder,
        }
    }

    /// The requests sent so far.
    pub fn captured(&self) -> Vec<Captured> {
        self.captured.lock().unwrap().clone()
    }

    /// Checks that the client sent exactly the recorded requests, each well signed.
    pub fn verify(&self, session_token: bool) {
        let captured = self.captured();
        let label = format!("{} ({:?})", self.recording.description, self.mode);
        assert_eq!(
            captured.len(),
            self.recording.exchanges.len(),
            "{label}: number of requests sent"
        );
        for (i, (got, exchange)) in captured.iter().zip(&self.recording.exchanges).enumerate() {
            let want = &exchange.request;
            let at = format!("{label}, request {}", i + 1);
            assert_eq!(got.method, want.method, "{at}: method");
            assert_eq!(got.path, want.path, "{at}: path");
            let origin = if want.host.as_deref() == Some("control") {
                &self.control_url
            } else {
                &self.data_url
            };
            assert_eq!(&got.origin, origin, "{at}: endpoint");
            for (k, v) in &want.headers {
                let value = got.headers.get(k.as_str()).map(|v| v.to_str().unwrap());
                assert_eq!(value, Some(v.as_str()), "{at}: header {k}");
            }
            match (&want.json, &want.body) {
                (Some(json), _) => {
                    let body: serde_json::Value = serde_json::from_slice(&got.body)
                        .unwrap_or_else(|e| panic!("{at}: body is not JSON: {e}"));
                    assert_eq!(&body, json, "{at}: JSON body");
                }
                (None, Some(text)) => {
                    assert_eq!(std::str::from_utf8(&got.body).unwrap(), text, "{at}: body")
                }
                (None, None) => {}
            }
            check_sigv4(&at, &got.headers, session_token);
        }
    }
}

/// Checks `Authorization`, `X-Amz-Date` and `X-Amz-Security-Token`.
pub fn check_sigv4(at: &str, headers: &http::HeaderMap, session_token: bool) {
    let get = |k: &str| headers.get(k).map(|v| v.to_str().unwrap().to_string());
    let date = get("x-amz-date").unwrap_or_else(|| panic!("{at}: no X-Amz-Date"));
    assert!(
        regress::Regex::new(r"^\d{8}T\d{6}Z$")
            .unwrap()
            .find(&date)
            .is_some(),
        "{at}: X-Amz-Date `{date}`"
    );
    let auth = get("authorization").unwrap_or_else(|| panic!("{at}: no Authorization"));
    let re = regress::Regex::new(
        r"^AWS4-HMAC-SHA256 Credential=([A-Z0-9]+)/(\d{8})/([a-z0-9-]+)/([a-z0-9]+)/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=[0-9a-f]{64}$",
    )
    .unwrap();
    let found = re
        .find(&auth)
        .unwrap_or_else(|| panic!("{at}: malformed Authorization `{auth}`"));
    let caps: Vec<&str> = (0..6)
        .map(|i| found.group(i).map_or("", |r| &auth[r]))
        .collect();
    assert_eq!(caps[1], ACCESS_KEY, "{at}: access key");
    assert_eq!(caps[2], &date[..8], "{at}: credential scope date");
    assert_eq!(caps[3], REGION, "{at}: region");
    assert_eq!(caps[4], "kinesisvideo", "{at}: signing name");
    let signed: Vec<&str> = caps[5].split(';').collect();
    for h in ["content-type", "host", "x-amz-date"] {
        assert!(signed.contains(&h), "{at}: `{h}` not signed in {signed:?}");
    }
    assert_eq!(
        get("x-amz-security-token").as_deref(),
        session_token.then_some(SESSION_TOKEN),
        "{at}: X-Amz-Security-Token"
    );
    assert_eq!(
        signed.contains(&"x-amz-security-token"),
        session_token,
        "{at}: session token signing"
    );
}

async fn serve(listener: tokio::net::TcpListener, origin: String, responder: Arc<Responder>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        let (responder, origin) = (responder.clone(), origin.clone());
        tokio::spawn(async move {
            let service =
                hyper::service::service_fn(move |request: http::Request<hyper::body::Incoming>| {
                    let (responder, origin) = (responder.clone(), origin.clone());
                    async move {
                        let (parts, body) = request.into_parts();
                        let body = body.collect().await?.to_bytes();
                        let path = parts
                            .uri
                            .path_and_query()
                            .map_or("/", |p| p.as_str())
                            .to_string();
                        let captured = Captured {
                            method: parts.method.to_string(),
                            origin,
                            path,
                            headers: parts.headers,
                            body,
                        };
                        let response = responder.respond(captured);
                        let (parts, body) = response.into_parts();
                        let bytes = body.collect().await.unwrap_or_default();
                        Ok::<_, hyper::Error>(http::Response::from_parts(
                            parts,
                            http_body_util::Full::new(bytes),
                        ))
                    }
                });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}
