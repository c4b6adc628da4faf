//! Fault-injection tests: the generated Kinesis Video client with its default
//! transport against a raw TCP server on 127.0.0.1 that misbehaves on purpose,
//! one scripted behaviour per connection: a stall before the head, a body
//! that stalls halfway (in memory and streamed), a reset connection, a
//! truncated chunked body, a `Content-Length` that lies, a huge error body,
//! garbage instead of HTTP, and a slow drip that must succeed. Each test
//! checks the error's kind, that nothing hangs (every test has a deadline),
//! and how many connections were made.

use kinesis_video_archived_media::types::*;
use kinesis_video_archived_media::{Client, DateTime, Error};
use smithy_client_runtime::error::TimeoutKind;
use smithy_client_runtime::{Config, Credentials, RetryConfig};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

type Behaviour = Box<dyn FnOnce(TcpStream) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

/// A server that answers the n-th connection with the n-th behaviour (and
/// closes any further connection at once).
struct Server {
    url: String,
    connections: Arc<AtomicUsize>,
}

async fn serve(behaviours: Vec<Behaviour>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let count = connections.clone();
    let queue = Arc::new(Mutex::new(behaviours.into_iter()));
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            count.fetch_add(1, Ordering::SeqCst);
            let next = queue.lock().unwrap().next();
            tokio::spawn(async move {
                read_request(&mut socket).await;
                if let Some(behave) = next {
                    behave(socket).await;
                }
            });
        }
    });
    Server { url, connections }
}

/// Reads one request: the head, then `Content-Length` bytes of body.
async fn read_request(socket: &mut TcpStream) {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if socket.read(&mut byte).await.unwrap_or(0) == 0 {
            return;
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).to_ascii_lowercase();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    let _ = socket.read_exact(&mut body).await;
}

fn behaviour<F, Fut>(f: F) -> Behaviour
where
    F: FnOnce(TcpStream) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    Box::new(move |s| Box::pin(f(s)))
}

/// Writes `bytes`, then keeps the connection open without a word.
fn then_stall(bytes: Vec<u8>) -> Behaviour {
    behaviour(move |mut s| async move {
        let _ = s.write_all(&bytes).await;
        tokio::time::sleep(Duration::from_secs(3600)).await;
        drop(s);
    })
}

/// Writes `bytes` and closes the connection.
fn then_close(bytes: Vec<u8>) -> Behaviour {
    behaviour(move |mut s| async move {
        let _ = s.write_all(&bytes).await;
        let _ = s.shutdown().await;
    })
}

const IMAGES: &str = r#"{"Images":[{"TimeStamp":1700000001,"ImageContent":"aW1hZ2UgMQ=="},{"TimeStamp":1700000002,"ImageContent":"aW1hZ2UgMg=="}]}"#;

fn response(status: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nx-amzn-requestid: r\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

fn images_ok() -> Behaviour {
    then_close(response("200 OK", "application/json", IMAGES.as_bytes()))
}

/// A client with short grace periods, so each fault shows within a second.
fn client(url: &str) -> Client {
    let config = Config::builder()
        .region("us-west-2")
        .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
        .endpoint_url(url)
        .retry(
            RetryConfig::standard()
                .with_initial_backoff(Duration::from_millis(10))
                .with_max_backoff(Duration::from_millis(20)),
        )
        .stalled_stream_grace(Some(Duration::from_millis(300)))
        .response_timeout(Some(Duration::from_millis(500)))
        .max_response_body_bytes(1 << 20)
        .build();
    Client::new(&config)
}

async fn get_images(
    client: &Client,
) -> Result<GetImagesOutput, Error<kinesis_video_archived_media::error::GetImagesError>> {
    let call = client
        .get_images()
        .stream_name("cam-1")
        .image_selector_type(ImageSelectorType::ProducerTimestamp)
        .start_timestamp(DateTime::from_secs(1_700_000_000))
        .end_timestamp(DateTime::from_secs(1_700_000_060))
        .format(Format::Jpeg)
        .send();
    tokio::time::timeout(Duration::from_secs(20), call)
        .await
        .expect("the call must not hang")
}

/// A body an in-memory transport hands over whole skips the stall watchdog,
/// but the size limit still holds, with the same error and no retry.
#[tokio::test]
async fn an_in_memory_body_over_the_limit_is_refused_too() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let transport = smithy_client_runtime::transport::from_fn(move |_request| {
        counter.fetch_add(1, Ordering::SeqCst);
        async move {
            Ok(http::Response::builder()
                .status(500)
                .body(smithy_client_runtime::transport::Body::from(vec![
                    b' ';
                    2 << 20
                ]))
                .unwrap())
        }
    });
    let config = Config::builder()
        .region("us-west-2")
        .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
        .endpoint_url("https://kinesisvideo.example")
        .max_response_body_bytes(1 << 20)
        .http_client(transport)
        .build();
    let err = get_images(&Client::new(&config)).await.unwrap_err();
    assert!(matches!(err, Error::Response(_)), "{err}");
    assert!(err.to_string().contains("larger than the limit"), "{err}");
    assert_eq!(calls.load(Ordering::SeqCst), 1, "not retried");
}

async fn get_clip(
    client: &Client,
) -> Result<GetClipOutput, Error<kinesis_video_archived_media::error::GetClipError>> {
    let selector = ClipFragmentSelector::builder()
        .fragment_selector_type(ClipFragmentSelectorType::ServerTimestamp)
        .timestamp_range(
            ClipTimestampRange::builder()
                .start_timestamp(DateTime::from_secs(1_700_000_000))
                .end_timestamp(DateTime::from_secs(1_700_000_060))
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let call = client
        .get_clip()
        .stream_name("cam-1")
        .clip_fragment_selector(selector)
        .send();
    tokio::time::timeout(Duration::from_secs(20), call)
        .await
        .expect("the call must not hang")
}

fn image_count(output: &GetImagesOutput) -> usize {
    output.images.as_ref().map_or(0, Vec::len)
}

#[tokio::test]
async fn a_stall_before_the_head_is_a_response_timeout_and_is_retried() {
    let server = serve(vec![then_stall(Vec::new()), images_ok()]).await;
    let output = get_images(&client(&server.url)).await.unwrap();
    assert_eq!(image_count(&output), 2);
    assert_eq!(server.connections.load(Ordering::SeqCst), 2);

    let server = serve((0..3).map(|_| then_stall(Vec::new())).collect()).await;
    let err = get_images(&client(&server.url)).await.unwrap_err();
    assert!(
        matches!(&err, Error::Timeout(t) if t.kind() == TimeoutKind::Response),
        "{err}"
    );
    assert!(err.to_string().contains("attempt 3"), "{err}");
}

#[tokio::test]
async fn a_page_that_stalls_halfway_is_retried_and_every_image_arrives() {
    let full = response("200 OK", "application/json", IMAGES.as_bytes());
    let half = full[..full.len() - IMAGES.len() / 2].to_vec();
    let server = serve(vec![then_stall(half), images_ok()]).await;
    let output = get_images(&client(&server.url)).await.unwrap();
    assert_eq!(image_count(&output), 2);
    assert_eq!(server.connections.load(Ordering::SeqCst), 2);

    // When every attempt stalls, the error says so, and after how many bytes.
    let full = response("200 OK", "application/json", IMAGES.as_bytes());
    let half = full[..full.len() - 40].to_vec();
    let server = serve((0..3).map(|_| then_stall(half.clone())).collect()).await;
    let err = get_images(&client(&server.url)).await.unwrap_err();
    let Error::Timeout(t) = &err else {
        panic!("{err}")
    };
    assert_eq!(t.kind(), TimeoutKind::Stalled);
    assert_eq!(t.stalled().unwrap().bytes(), (IMAGES.len() - 40) as u64);
    assert!(err.to_string().contains("stalled"), "{err}");
}

#[tokio::test]
async fn a_clip_that_stalls_after_a_mebibyte_ends_with_a_stall_error() {
    let mib = vec![7u8; 1 << 20];
    let mut head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: video/mp4\r\ncontent-length: {}\r\n\r\n",
        4 << 20
    )
    .into_bytes();
    head.extend_from_slice(&mib);
    let server = serve(vec![then_stall(head)]).await;
    let mut clip = get_clip(&client(&server.url)).await.unwrap();
    let mut received = 0;
    let started = std::time::Instant::now();
    let err = loop {
        let next = tokio::time::timeout(Duration::from_secs(10), clip.payload.next())
            .await
            .expect("reading must not hang");
        match next {
            Some(Ok(chunk)) => received += chunk.len(),
            Some(Err(e)) => break e,
            None => panic!("the body cannot end"),
        }
    };
    assert_eq!(received, 1 << 20);
    assert_eq!(err.stalled().map(|s| s.bytes()), Some(1 << 20), "{err}");
    assert!(err.to_string().contains("stalled"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_connection_reset_mid_body_is_retried() {
    let full = response("200 OK", "application/json", IMAGES.as_bytes());
    let part = full[..full.len() - 30].to_vec();
    let reset = behaviour(move |mut s| async move {
        let _ = s.write_all(&part).await;
        // Linger 0: the close is a reset, not an orderly shutdown.
        let _ = s.set_zero_linger();
        drop(s);
    });
    let server = serve(vec![reset, images_ok()]).await;
    let output = get_images(&client(&server.url)).await.unwrap();
    assert_eq!(image_count(&output), 2);
    assert_eq!(server.connections.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_truncated_chunked_body_is_retried() {
    let mut truncated =
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
            .to_vec();
    truncated.extend_from_slice(format!("{:x}\r\n", IMAGES.len()).as_bytes());
    truncated.extend_from_slice(&IMAGES.as_bytes()[..20]);
    let server = serve(vec![then_close(truncated), images_ok()]).await;
    let output = get_images(&client(&server.url)).await.unwrap();
    assert_eq!(image_count(&output), 2);
    assert_eq!(server.connections.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_content_length_that_lies_is_retried() {
    let mut lie = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        IMAGES.len() + 100
    )
    .into_bytes();
    lie.extend_from_slice(IMAGES.as_bytes());
    let server = serve(vec![then_close(lie), images_ok()]).await;
    let output = get_images(&client(&server.url)).await.unwrap();
    assert_eq!(image_count(&output), 2);
    assert_eq!(server.connections.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_hundred_megabyte_error_body_is_a_response_error_not_an_abort() {
    let huge = behaviour(|mut s| async move {
        let head = format!(
            "HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            100_000_000
        );
        let _ = s.write_all(head.as_bytes()).await;
        let chunk = vec![b' '; 64 * 1024];
        for _ in 0..(100_000_000 / chunk.len()) {
            if s.write_all(&chunk).await.is_err() {
                return;
            }
        }
    });
    let server = serve(vec![huge]).await;
    let err = get_images(&client(&server.url)).await.unwrap_err();
    assert!(matches!(err, Error::Response(_)), "{err}");
    assert!(err.to_string().contains("larger than the limit"), "{err}");
    assert_eq!(server.connections.load(Ordering::SeqCst), 1, "not retried");
}

#[tokio::test]
async fn garbage_instead_of_http_is_a_transport_error() {
    let garbage = || then_close(b"\x00\x01 this is not HTTP at all \xff\xfe\r\n\r\n".to_vec());
    let server = serve(vec![garbage(), garbage(), garbage()]).await;
    let err = get_images(&client(&server.url)).await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err}");
    assert_eq!(server.connections.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_slow_drip_that_keeps_moving_succeeds() {
    // Ten chunks, each 100 ms apart: well within the 300 ms grace period,
    // though the whole body takes three times as long.
    let drip = behaviour(|mut s| async move {
        let head = "HTTP/1.1 200 OK\r\ncontent-type: video/mp4\r\ncontent-length: 10000\r\n\r\n";
        let _ = s.write_all(head.as_bytes()).await;
        for _ in 0..10 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if s.write_all(&[1u8; 1000]).await.is_err() {
                return;
            }
        }
    });
    let server = serve(vec![drip]).await;
    let clip = get_clip(&client(&server.url)).await.unwrap();
    let body = tokio::time::timeout(Duration::from_secs(10), clip.payload.collect())
        .await
        .expect("must not hang")
        .unwrap();
    assert_eq!(body.len(), 10_000);
}

#[tokio::test]
async fn the_operation_timeout_covers_a_streaming_body() {
    let slow = behaviour(|mut s| async move {
        let head = "HTTP/1.1 200 OK\r\ncontent-type: video/mp4\r\ncontent-length: 100000\r\n\r\n";
        let _ = s.write_all(head.as_bytes()).await;
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if s.write_all(&[1u8; 1000]).await.is_err() {
                return;
            }
        }
    });
    let server = serve(vec![slow]).await;
    let config = client(&server.url)
        .config()
        .to_builder()
        .operation_timeout(Duration::from_millis(700))
        .build();
    let clip = get_clip(&Client::new(&config)).await.unwrap();
    let err = tokio::time::timeout(Duration::from_secs(10), clip.payload.collect())
        .await
        .expect("must not hang")
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
}

/// Answers every request on a connection, keeping it open (HTTP/1.1 keep-alive).
fn keep_alive() -> Behaviour {
    behaviour(|mut s| async move {
        loop {
            let _ = s
                .write_all(&response("200 OK", "application/json", IMAGES.as_bytes()))
                .await;
            // The next request on the same connection, or the end.
            let mut probe = [0u8; 1];
            match s.peek(&mut probe).await {
                Ok(1..) => read_request(&mut s).await,
                _ => return,
            }
        }
    })
}

#[test]
fn one_client_works_from_runtimes_that_come_and_go() {
    // The server lives on its own runtime, on its own thread, for the whole test.
    let (url_tx, url_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let server = serve((0..10).map(|_| keep_alive()).collect()).await;
            url_tx.send(server.url.clone()).unwrap();
            tokio::time::sleep(Duration::from_secs(60)).await;
        });
    });
    let url = url_rx.recv().unwrap();
    let client = client(&url);
    // Each runtime's pooled connection dies with it; the next one must not
    // trip over it.
    for round in 0..3 {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let output = rt
            .block_on(get_images(&client))
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        assert_eq!(image_count(&output), 2);
        drop(rt);
    }
    // And from a multi-threaded runtime too.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let output = rt.block_on(get_images(&client)).unwrap();
    assert_eq!(image_count(&output), 2);
}

#[tokio::test]
async fn a_clip_saved_to_a_file_that_stalls_leaves_no_file_and_says_so() {
    let mut head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: video/mp4\r\ncontent-length: {}\r\n\r\n",
        4 << 20
    )
    .into_bytes();
    head.extend_from_slice(&vec![7u8; 1 << 20]);
    let server = serve(vec![then_stall(head)]).await;
    let clip = get_clip(&client(&server.url)).await.unwrap();
    let dir = std::env::temp_dir().join(format!("faults-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("clip.mp4");
    let started = std::time::Instant::now();
    let err = tokio::time::timeout(Duration::from_secs(30), clip.payload.write_to_file(&out))
        .await
        .expect("must fail within 30 s")
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("stalled") && text.contains("after 1048576 bytes"),
        "{text}"
    );
    assert!(text.contains("removed the partial file"), "{text}");
    assert!(!out.exists());
    assert!(!dir.join("clip.mp4.part").exists());
    assert!(started.elapsed() < Duration::from_secs(5));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_clip_saved_to_a_file_arrives_whole_under_its_name() {
    let server = serve(vec![then_close(response(
        "200 OK",
        "video/mp4",
        &[9u8; 5000],
    ))])
    .await;
    let clip = get_clip(&client(&server.url)).await.unwrap();
    let dir = std::env::temp_dir().join(format!("faults-ok-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("clip.mp4");
    assert_eq!(clip.payload.write_to_file(&out).await.unwrap(), 5000);
    assert_eq!(std::fs::read(&out).unwrap(), vec![9u8; 5000]);
    assert!(!dir.join("clip.mp4.part").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_connection_that_cannot_open_ends_at_the_connect_timeout() {
    // A listener with a backlog of one that never accepts: once its queue is
    // full, the kernel drops further handshakes and a connect waits.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..4 {
        if let Ok(Ok(s)) =
            tokio::time::timeout(Duration::from_millis(200), TcpStream::connect(addr)).await
        {
            fillers.push(s);
        }
    }
    let config = Config::builder()
        .region("us-west-2")
        .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
        .endpoint_url(format!("http://{addr}"))
        .connect_timeout(Duration::from_millis(300))
        .retry(RetryConfig::disabled())
        .build();
    let started = std::time::Instant::now();
    let err = get_images(&Client::new(&config)).await.unwrap_err();
    // The connect timeout, not a refusal: it took about 300 ms.
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "{:?}: {err}",
        started.elapsed()
    );
    assert!(
        matches!(&err, Error::Transport(t) if t.kind() == smithy_client_runtime::transport::TransportErrorKind::Connect),
        "{err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    drop((fillers, listener));
}
