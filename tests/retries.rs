//! The standard retry mode, class by class, through the generated client with
//! an in-memory transport: which statuses, error codes and failures are
//! retried, and which return at once.

use kinesis_video_archived_media::types::*;
use kinesis_video_archived_media::{Client, DateTime, Error};
use smithy_client_runtime::transport::{from_fn, Body, TransportError, TransportErrorKind};
use smithy_client_runtime::{Config, Credentials, RetryConfig};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// What the transport does on one attempt.
#[derive(Clone, Copy)]
enum Answer {
    Status(u16, Option<&'static str>),
    Fail(TransportErrorKind),
    Hang,
    Ok,
}

/// Calls GetImages against a transport that gives `first` on the first
/// attempt and success after; returns the outcome and the attempts made.
async fn call(first: Answer, retry: RetryConfig) -> (Result<(), String>, usize) {
    let attempts = Arc::new(AtomicUsize::new(0));
    let seen = attempts.clone();
    let transport = from_fn(move |_request: http::Request<Body>| {
        let n = seen.fetch_add(1, Ordering::SeqCst);
        let answer = if n == 0 { first } else { Answer::Ok };
        async move {
            let (status, code) = match answer {
                Answer::Ok => (200, None),
                Answer::Status(s, c) => (s, c),
                Answer::Fail(kind) => return Err(TransportError::new(kind, "injected")),
                Answer::Hang => {
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    (200, None)
                }
            };
            let mut response = http::Response::builder().status(status);
            if let Some(code) = code {
                response = response.header("x-amzn-errortype", code);
            }
            Ok(response.body(Body::from(r#"{"Images":[]}"#)).unwrap())
        }
    });
    let config = Config::builder()
        .region("us-west-2")
        .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
        .endpoint_url("https://data.example")
        .http_client(transport)
        .attempt_timeout(Duration::from_millis(200))
        .retry(
            retry
                .with_initial_backoff(Duration::from_millis(1))
                .with_max_backoff(Duration::from_millis(2)),
        )
        .build();
    let outcome = Client::new(&config)
        .get_images()
        .stream_name("cam-1")
        .image_selector_type(ImageSelectorType::ProducerTimestamp)
        .start_timestamp(DateTime::from_secs(1_700_000_000))
        .end_timestamp(DateTime::from_secs(1_700_000_060))
        .format(Format::Jpeg)
        .send()
        .await
        .map(|_| ())
        .map_err(|e: Error<_>| e.to_string());
    (outcome, attempts.load(Ordering::SeqCst))
}

async fn retried(first: Answer) -> bool {
    let (outcome, attempts) = call(first, RetryConfig::standard()).await;
    match attempts {
        2 => {
            assert!(outcome.is_ok(), "{outcome:?}");
            true
        }
        1 => {
            assert!(outcome.is_err());
            false
        }
        n => panic!("{n} attempts"),
    }
}

#[tokio::test]
async fn transient_statuses_are_retried_and_no_other_5xx() {
    for status in [500, 502, 503, 504] {
        assert!(retried(Answer::Status(status, None)).await, "{status}");
    }
    for status in [501, 505, 507, 511] {
        assert!(!retried(Answer::Status(status, None)).await, "{status}");
    }
}

#[tokio::test]
async fn throttling_is_retried_and_no_other_4xx() {
    assert!(retried(Answer::Status(429, None)).await);
    for code in [
        "ThrottlingException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "ClientLimitExceededException",
        "RequestTimeout",
    ] {
        assert!(retried(Answer::Status(400, Some(code))).await, "{code}");
    }
    for (status, code) in [
        (400, Some("InvalidArgumentException")),
        (403, Some("NotAuthorizedException")),
        (404, Some("ResourceNotFoundException")),
        (400, None),
        (409, None),
    ] {
        assert!(
            !retried(Answer::Status(status, code)).await,
            "{status} {code:?}"
        );
    }
}

#[tokio::test]
async fn broken_connections_and_timeouts_are_retried() {
    assert!(retried(Answer::Fail(TransportErrorKind::Connect)).await);
    assert!(retried(Answer::Fail(TransportErrorKind::Io)).await);
    assert!(!retried(Answer::Fail(TransportErrorKind::Other)).await);
    assert!(retried(Answer::Hang).await);
}

#[tokio::test]
async fn disabled_retries_make_one_attempt() {
    let (outcome, attempts) = call(Answer::Status(503, None), RetryConfig::disabled()).await;
    assert!(outcome.is_err());
    assert_eq!(attempts, 1);
}

#[tokio::test]
async fn the_adaptive_mode_retries_throttling_too() {
    let (outcome, attempts) = call(
        Answer::Status(400, Some("ThrottlingException")),
        RetryConfig::adaptive(),
    )
    .await;
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(attempts, 2);
}
