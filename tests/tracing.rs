//! Observability: the client reports each operation, attempt, retry decision,
//! endpoint and credential refresh as `tracing` spans and events, and never a
//! secret or a signature.

use kinesis_video_archived_media::types::*;
use kinesis_video_archived_media::{Client, DateTime};
use smithy_client_runtime::transport::{from_fn, Body};
use smithy_client_runtime::{Config, Credentials, RetryConfig};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Records every span and event as one line of text.
#[derive(Clone, Default)]
struct Recorder {
    lines: Arc<Mutex<Vec<String>>>,
    next: Arc<AtomicUsize>,
}

struct Line(String);

impl Visit for Line {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={value:?}", field.name()));
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut line = Line(format!("span {}", span.metadata().name()));
        span.record(&mut line);
        self.lines.lock().unwrap().push(line.0);
        Id::from_u64(self.next.fetch_add(1, Ordering::SeqCst) as u64 + 1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        let mut line = Line("record".into());
        values.record(&mut line);
        self.lines.lock().unwrap().push(line.0);
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut line = Line(format!("event {}", event.metadata().target()));
        event.record(&mut line);
        self.lines.lock().unwrap().push(line.0);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn operations_attempts_and_retries_are_traced_without_secrets() {
    let recorder = Recorder::default();
    let lines = recorder.lines.clone();
    tracing::subscriber::with_default(recorder, || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let attempts = Arc::new(AtomicUsize::new(0));
            let transport = from_fn(move |_request: http::Request<Body>| {
                let n = attempts.fetch_add(1, Ordering::SeqCst);
                async move {
                    let status = if n == 0 { 503 } else { 200 };
                    Ok(http::Response::builder()
                        .status(status)
                        .header("x-amzn-requestid", format!("req-{n}"))
                        .body(Body::from(r#"{"Images":[]}"#))
                        .unwrap())
                }
            });
            let config = Config::builder()
                .region("us-west-2")
                .credentials(Credentials::new(
                    "AKIDTRACING",
                    "SECRET-KEY-VALUE",
                    Some("SESSION-TOKEN-VALUE".into()),
                    None,
                    "test",
                ))
                .endpoint_url("https://data.example")
                .http_client(transport)
                .retry(RetryConfig::standard().with_initial_backoff(Duration::from_millis(1)))
                .build();
            Client::new(&config)
                .get_images()
                .stream_name("cam-1")
                .image_selector_type(ImageSelectorType::ProducerTimestamp)
                .start_timestamp(DateTime::from_secs(1_700_000_000))
                .end_timestamp(DateTime::from_secs(1_700_000_060))
                .format(Format::Jpeg)
                .send()
                .await
                .unwrap();
        });
    });
    let lines = lines.lock().unwrap();
    let all = lines.join("\n");
    let has = |needle: &str| lines.iter().any(|l| l.contains(needle));
    assert!(
        has("span operation") && has("operation=\"GetImages\""),
        "{all}"
    );
    assert!(has("endpoint resolved"), "{all}");
    assert!(has("credentials refreshed"), "{all}");
    assert!(has("attempt=1") && has("attempt=2"), "{all}");
    assert!(has("retrying") && has("reason=ServerError"), "{all}");
    assert!(has("status=503") && has("request_id=\"req-1\""), "{all}");
    for secret in [
        "SECRET-KEY-VALUE",
        "SESSION-TOKEN-VALUE",
        "AWS4-HMAC-SHA256",
        "Signature=",
    ] {
        assert!(!all.contains(secret), "{secret} leaked:\n{all}");
    }
}
