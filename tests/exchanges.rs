//! Behaviour tests: the generated clients against recorded HTTP exchanges
//! (`tests/exchanges/*.json`, format in `replay.rs`), each replayed twice:
//! through an in-memory transport and through the default hyper transport to a
//! server on 127.0.0.1. Both the requests sent and the values returned are checked.

use kinesis_video_archived_media::client::GetImagesFluentBuilder;
use kinesis_video_archived_media::error::{GetImagesError, ListFragmentsError};
use kinesis_video_archived_media::types::*;
use kinesis_video_archived_media::{Client, DateTime, Error};
use kinesis_video_streams::{ApiName, Config, DataEndpoints, ImageExt, RetryConfig, Validation};
use std::time::Duration;
use tests::replay::{Mode, Replay, ACCESS_KEY, REGION, SESSION_TOKEN};

const MODES: [Mode; 2] = [Mode::InMemory, Mode::Server];

fn get_images(client: &Client) -> GetImagesFluentBuilder {
    client
        .get_images()
        .stream_name("cam-1")
        .image_selector_type(ImageSelectorType::ProducerTimestamp)
        .start_timestamp(DateTime::from_secs(1_700_000_000))
        .end_timestamp(DateTime::from_secs(1_700_000_060))
        .sampling_interval(1000)
        .format(Format::Jpeg)
        .max_results(10)
}

/// Replays `file` in both modes, calling GetImages once with the standard input.
async fn get_images_each_mode(
    file: &str,
    session_token: bool,
    check: impl Fn(Mode, Result<GetImagesOutput, Error<GetImagesError>>),
) {
    for mode in MODES {
        let mut replay = Replay::start(file, mode).await;
        let config = replay
            .config(session_token)
            .endpoint_url(replay.data_url.clone())
            .build();
        let client = Client::new(&config);
        let result = get_images(&client).send().await;
        check(mode, result);
        replay.verify(session_token);
    }
}

fn check_page(page: &GetImagesOutput) {
    let images = page.images.as_ref().expect("images");
    assert_eq!(images.len(), 4);
    assert_eq!(
        images[0].time_stamp,
        Some(DateTime::from_fractional_secs(1_700_000_000, 0.5))
    );
    assert_eq!(images[0].error, None);
    assert_eq!(
        images[0].content_bytes().unwrap().unwrap(),
        b"\xff\xd8\xff\xe0 first image \xff\xd9"
    );
    assert_eq!(images[1].error, Some(ImageError::NoMedia));
    assert_eq!(images[1].image_content, None);
    assert_eq!(images[2].error, Some(ImageError::MediaError));
    let mut last = images[3].clone();
    assert_eq!(
        last.take_content_bytes().unwrap().unwrap(),
        b"\xff\xd8\xff\xe0 second image \xff\xd9"
    );
    assert_eq!(last.image_content, None, "taking the bytes frees the text");
    assert_eq!(page.next_token.as_deref(), Some("dG9rZW4tMg=="));
}

#[tokio::test]
async fn page_with_no_media_and_media_error() {
    get_images_each_mode("get_images_page", true, |_, r| check_page(&r.unwrap())).await;
}

#[tokio::test]
async fn signing_without_a_session_token() {
    get_images_each_mode("get_images_page", false, |_, r| check_page(&r.unwrap())).await;
}

/// Unwraps a service error, checking its status, request id and attempt count.
fn service_error(
    r: Result<GetImagesOutput, Error<GetImagesError>>,
    status: u16,
    attempts: u32,
) -> (GetImagesError, String) {
    let err = r.expect_err("an error");
    let text = err.to_string();
    assert_eq!(err.request_id(), Some("err-req-1"), "{text}");
    let Error::Service(e) = err else {
        panic!("not a service error: {text}")
    };
    assert_eq!((e.status(), e.attempts()), (status, attempts), "{text}");
    (e.into_error(), text)
}

#[tokio::test]
async fn invalid_argument() {
    get_images_each_mode("error_invalid_argument", true, |_, r| {
        let (e, text) = service_error(r, 400, 1);
        let GetImagesError::InvalidArgumentException(e) = e else { panic!("{e:?}") };
        assert_eq!(e.message(), Some("EndTimestamp must be within 300 seconds of StartTimestamp"));
        assert_eq!(
            text,
            "InvalidArgumentException: EndTimestamp must be within 300 seconds of StartTimestamp (HTTP 400, request id err-req-1)"
        );
    })
    .await;
}

#[tokio::test]
async fn no_data_retention() {
    get_images_each_mode("error_no_data_retention", true, |_, r| {
        let (e, _) = service_error(r, 400, 1);
        assert!(matches!(&e, GetImagesError::NoDataRetentionException(x) if x.message() == Some("the stream does not retain data")), "{e:?}");
    })
    .await;
}

#[tokio::test]
async fn not_authorized() {
    get_images_each_mode("error_not_authorized", true, |_, r| {
        let (e, _) = service_error(r, 401, 1);
        assert!(matches!(&e, GetImagesError::NotAuthorizedException(x) if x.message() == Some("not allowed to read cam-1")), "{e:?}");
        assert_eq!(e.code(), Some("NotAuthorizedException"));
    })
    .await;
}

#[tokio::test]
async fn resource_not_found() {
    get_images_each_mode("error_resource_not_found", true, |_, r| {
        let (e, _) = service_error(r, 404, 1);
        assert!(matches!(&e, GetImagesError::ResourceNotFoundException(x) if x.message() == Some("stream cam-1 not found")), "{e:?}");
    })
    .await;
}

#[tokio::test]
async fn client_limit_exceeded_is_retried_until_attempts_run_out() {
    get_images_each_mode("error_client_limit_exceeded", true, |_, r| {
        let (e, text) = service_error(r, 400, 3);
        assert!(matches!(&e, GetImagesError::ClientLimitExceededException(x) if x.message() == Some("too many requests")), "{e:?}");
        assert!(text.ends_with("after 3 attempts)"), "{text}");
    })
    .await;
}

#[tokio::test]
async fn unmodelled_error_is_unhandled_and_not_retried() {
    get_images_each_mode("error_unmodelled", true, |_, r| {
        let (e, text) = service_error(r, 403, 1);
        let GetImagesError::Unhandled(u) = &e else {
            panic!("{e:?}")
        };
        assert_eq!(
            (u.status(), u.code(), u.request_id()),
            (403, Some("AccessDeniedException"), Some("err-req-1"))
        );
        assert_eq!(
            u.message(),
            Some("User is not authorized to perform kinesisvideo:GetImages")
        );
        assert!(
            text.starts_with("AccessDeniedException: User is not authorized"),
            "{text}"
        );
    })
    .await;
}

#[tokio::test]
async fn server_error_then_success() {
    get_images_each_mode("server_error_then_success", true, |_, r| {
        check_page(&r.unwrap())
    })
    .await;
}

#[tokio::test]
async fn throttled_then_success() {
    get_images_each_mode("throttled_then_success", true, |_, r| {
        check_page(&r.unwrap())
    })
    .await;
}

#[tokio::test]
async fn retries_exhausted_on_server_errors() {
    get_images_each_mode("retries_exhausted", true, |_, r| {
        let (e, text) = service_error(r, 503, 3);
        let GetImagesError::Unhandled(u) = &e else { panic!("{e:?}") };
        assert_eq!((u.code(), u.message()), (None, None));
        assert_eq!(text, "unrecognised HTTP 503 error with no error code (HTTP 503, request id err-req-1, after 3 attempts)");
    })
    .await;
}

fn response_error(r: Result<GetImagesOutput, Error<GetImagesError>>, expected: &str) {
    let err = r.expect_err("a response error");
    let text = err.to_string();
    let Error::Response(e) = &err else {
        panic!("not a response error: {text}")
    };
    assert_eq!((e.status(), e.request_id()), (200, Some("bad-body-1")));
    assert!(
        text.starts_with(&format!("could not read the HTTP 200 response: {expected}")),
        "{text}"
    );
}

#[tokio::test]
async fn malformed_json() {
    get_images_each_mode("malformed_json", true, |_, r| {
        response_error(r, "the body is malformed JSON")
    })
    .await;
}

#[tokio::test]
async fn truncated_body() {
    get_images_each_mode("truncated_body", true, |_, r| {
        response_error(r, "the JSON body ends early")
    })
    .await;
}

#[tokio::test]
async fn body_that_is_not_json() {
    get_images_each_mode("not_json", true, |_, r| {
        response_error(r, "the body is not a JSON object")
    })
    .await;
}

#[tokio::test]
async fn unknown_enum_value_is_preserved() {
    get_images_each_mode("unknown_enum", true, |_, r| {
        let page = r.unwrap();
        let error = page.images.unwrap()[0].error.clone().unwrap();
        assert!(!error.is_known());
        assert_eq!(error.as_str(), "FRAME_TOO_OLD");
    })
    .await;
}

#[tokio::test]
async fn validation_failure_never_reaches_the_server() {
    for mode in MODES {
        let mut replay = Replay::start("validation_failure", mode).await;
        let invalid = |config: &Config| {
            Client::new(config)
                .get_images()
                .stream_name("not a valid name!")
                .start_timestamp(DateTime::from_secs(1_700_000_000))
                .width_pixels(0)
                .send()
        };
        let violations = |err: &Error<GetImagesError>| {
            let Error::Validation(v) = err else {
                panic!("{err}")
            };
            v.violations
                .iter()
                .map(|v| v.path.clone())
                .collect::<Vec<_>>()
        };
        // The default level checks required members and lower bounds: the
        // pattern of StreamName is the service's to enforce.
        let config = replay
            .config(true)
            .endpoint_url(replay.data_url.clone())
            .build();
        let err = invalid(&config).await.expect_err("invalid");
        assert_eq!(
            violations(&err),
            [
                "/ImageSelectorType",
                "/EndTimestamp",
                "/Format",
                "/WidthPixels"
            ],
            "{err}"
        );
        assert!(
            err.to_string()
                .starts_with("invalid request, not sent: 4 validation errors detected."),
            "{err}"
        );
        // Strict checks every constraint.
        let strict = config.to_builder().validation(Validation::Strict).build();
        let err = invalid(&strict).await.expect_err("invalid");
        assert_eq!(
            violations(&err),
            [
                "/StreamName",
                "/ImageSelectorType",
                "/EndTimestamp",
                "/Format",
                "/WidthPixels"
            ],
            "{err}"
        );
        replay.verify(true);

        // With validation off, the same request goes out and the server decides:
        // the in-memory transport records it; the real one finds nothing listening.
        let mut replay = Replay::start("validation_failure", mode).await;
        let config = replay
            .config(true)
            .endpoint_url("http://127.0.0.1:9")
            .validation(Validation::Off)
            .retry(RetryConfig::disabled())
            .build();
        let err = Client::new(&config)
            .get_images()
            .stream_name("not a valid name!")
            .send()
            .await
            .expect_err("refused");
        match mode {
            Mode::InMemory => {
                let sent = replay.captured();
                assert_eq!(sent.len(), 1, "{err}");
                assert_eq!(
                    sent[0].body.as_ref(),
                    br#"{"StreamName":"not a valid name!"}"#
                );
            }
            Mode::Server => assert!(matches!(err, Error::Transport(_)), "{err}"),
        }
    }
}

#[tokio::test]
async fn data_endpoint_is_resolved_once_and_cached() {
    for mode in MODES {
        let mut replay = Replay::start("data_endpoint", mode).await;
        let vars = [
            ("AWS_REGION", REGION),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_SESSION_TOKEN", SESSION_TOKEN),
            ("AWS_CONFIG_FILE", "/nonexistent/config"),
            ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials"),
            (
                "AWS_ENDPOINT_URL_KINESIS_VIDEO",
                replay.control_url.as_str(),
            ),
        ];
        let builder = Config::from_vars(vars.map(|(k, v)| (k.to_string(), v.to_string())))
            .retry(RetryConfig::standard().with_initial_backoff(Duration::from_millis(2)));
        let config = replay.with_transport(builder).build();
        let endpoints = DataEndpoints::new(&config);
        for _ in 0..2 {
            let client = endpoints
                .archived_media_client("cam-1", ApiName::GetImages)
                .await
                .unwrap();
            assert_eq!(client.endpoint().unwrap(), replay.data_url);
            check_page(&get_images(&client).send().await.unwrap());
        }
        replay.verify(true);
    }
}

#[tokio::test]
async fn list_fragments() {
    for mode in MODES {
        let mut replay = Replay::start("list_fragments", mode).await;
        let config = replay
            .config(true)
            .endpoint_url(replay.data_url.clone())
            .build();
        let selector = FragmentSelector::builder()
            .fragment_selector_type(FragmentSelectorType::ServerTimestamp)
            .timestamp_range(
                TimestampRange::builder()
                    .start_timestamp(DateTime::from_secs(1_700_000_000))
                    .end_timestamp(DateTime::from_secs(1_700_000_060))
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        let result: Result<ListFragmentsOutput, Error<ListFragmentsError>> = Client::new(&config)
            .list_fragments()
            .stream_name("cam-1")
            .max_results(2)
            .fragment_selector(selector)
            .send()
            .await;
        let page = result.unwrap();
        let fragments = page.fragments.unwrap();
        assert_eq!(fragments.len(), 1);
        assert_eq!(fragments[0].fragment_size_in_bytes, 1024);
        assert_eq!(
            fragments[0].producer_timestamp,
            Some(DateTime::from_fractional_secs(1_700_000_000, 0.123))
        );
        assert_eq!(page.next_token.as_deref(), Some("bmV4dA=="));
        replay.verify(true);
    }
}

/// A transport that answers every request after `delay`, counting requests.
fn slow_transport(
    delay: Duration,
    count: std::sync::Arc<std::sync::atomic::AtomicU32>,
) -> impl smithy_client_runtime::transport::HttpClient {
    smithy_client_runtime::transport::from_fn(move |_| {
        count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        async move {
            tokio::time::sleep(delay).await;
            Ok(http::Response::builder()
                .status(200)
                .body(smithy_client_runtime::transport::Body::from("{}"))
                .unwrap())
        }
    })
}

fn timeout_config(
    transport: impl smithy_client_runtime::transport::HttpClient,
) -> kinesis_video_streams::ConfigBuilder {
    Config::builder()
        .region(REGION)
        .credentials(kinesis_video_streams::Credentials::new(
            ACCESS_KEY, "secret", None, None, "test",
        ))
        .endpoint_url("https://data.example")
        .retry(RetryConfig::standard().with_initial_backoff(Duration::from_millis(1)))
        .http_client(transport)
}

#[tokio::test]
async fn attempt_timeout_is_retried_then_reported() {
    let count = std::sync::Arc::default();
    let config = timeout_config(slow_transport(
        Duration::from_secs(5),
        std::sync::Arc::clone(&count),
    ))
    .attempt_timeout(Duration::from_millis(20))
    .build();
    let err = get_images(&Client::new(&config))
        .send()
        .await
        .expect_err("timeout");
    assert!(
        matches!(&err, Error::Timeout(t) if t.kind() == smithy_client_runtime::error::TimeoutKind::Attempt),
        "{err}"
    );
    assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 3);
    assert!(
        err.to_string()
            .starts_with("the attempt timeout of 20ms expired on attempt 3"),
        "{err}"
    );
}

#[tokio::test]
async fn operation_timeout_bounds_the_whole_call() {
    let count = std::sync::Arc::default();
    let config = timeout_config(slow_transport(
        Duration::from_secs(5),
        std::sync::Arc::clone(&count),
    ))
    .operation_timeout(Duration::from_millis(30))
    .build();
    let started = std::time::Instant::now();
    let err = get_images(&Client::new(&config))
        .send()
        .await
        .expect_err("timeout");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(
        matches!(&err, Error::Timeout(t) if t.kind() == smithy_client_runtime::error::TimeoutKind::Operation),
        "{err}"
    );
    assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 1);
}
