//! Data-endpoint resolution under load: concurrent requests for one stream
//! make one `GetDataEndpoint` call (single flight), and the cache stays
//! within its size however many streams are asked for.

use kinesis_video_streams::{
    ApiName, Config, Credentials, DataEndpoints, DATA_ENDPOINT_CACHE_SIZE,
};
use smithy_client_runtime::transport::{from_fn, Body};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A control plane that answers `GetDataEndpoint` after `delay`, counting calls.
fn endpoints(delay: Duration) -> (DataEndpoints, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let transport = from_fn(move |_request: http::Request<Body>| {
        seen.fetch_add(1, Ordering::SeqCst);
        async move {
            tokio::time::sleep(delay).await;
            Ok(http::Response::builder()
                .status(200)
                .body(Body::from(r#"{"DataEndpoint":"https://data.example"}"#))
                .unwrap())
        }
    });
    let config = Config::builder()
        .region("us-west-2")
        .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
        .endpoint_url("https://control.example")
        .http_client(transport)
        .build();
    (DataEndpoints::new(&config), calls)
}

#[tokio::test]
async fn concurrent_callers_for_one_stream_resolve_it_once() {
    let (endpoints, calls) = endpoints(Duration::from_millis(20));
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let e = endpoints.clone();
        tasks.push(tokio::spawn(async move {
            e.endpoint("cam-1", ApiName::GetImages).await.unwrap()
        }));
    }
    for t in tasks {
        assert_eq!(&*t.await.unwrap(), "https://data.example");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    // Another stream, or another API, is another call.
    endpoints
        .endpoint("cam-2", ApiName::GetImages)
        .await
        .unwrap();
    endpoints.endpoint("cam-1", ApiName::GetClip).await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn the_cache_stays_within_its_size() {
    let (endpoints, calls) = endpoints(Duration::ZERO);
    let streams = DATA_ENDPOINT_CACHE_SIZE + 10;
    for i in 0..streams {
        endpoints
            .endpoint(format!("cam-{i}"), ApiName::GetImages)
            .await
            .unwrap();
    }
    assert_eq!(calls.load(Ordering::SeqCst), streams);
    assert!(
        endpoints.len() <= DATA_ENDPOINT_CACHE_SIZE,
        "{}",
        endpoints.len()
    );
    // The most recent stream is still cached.
    endpoints
        .endpoint(format!("cam-{}", streams - 1), ApiName::GetImages)
        .await
        .unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), streams);
}
