//! Test support: helpers shared by the test files in this directory.

pub mod replay;

/// Benchmark support: runs `f` repeatedly for about `budget` (at least five
/// times, after one warm-up call) and returns the mean time per call.
pub fn measure(budget: std::time::Duration, mut f: impl FnMut()) -> std::time::Duration {
    f();
    let start = std::time::Instant::now();
    let mut n = 0u32;
    while start.elapsed() < budget || n < 5 {
        f();
        n += 1;
    }
    start.elapsed() / n
}

/// Every request a [`scripted`] transport received, with its body.
pub type Sent = std::sync::Arc<std::sync::Mutex<Vec<http::Request<Vec<u8>>>>>;

/// A canned response: status, headers and body.
pub type Reply = (u16, Vec<(&'static str, &'static str)>, Vec<u8>);

/// An in-memory transport that answers with `replies` in order (a request
/// past the last one fails the test) and records every request.
pub fn scripted(replies: Vec<Reply>) -> (Sent, impl smithy_client_runtime::transport::HttpClient) {
    use smithy_client_runtime::transport::{from_fn, Body};
    let sent: Sent = Default::default();
    let log = sent.clone();
    let replies = std::sync::Arc::new(std::sync::Mutex::new(std::collections::VecDeque::from(
        replies,
    )));
    let transport = from_fn(move |request: http::Request<Body>| {
        let log = log.clone();
        let reply = replies.lock().unwrap().pop_front();
        async move {
            let (parts, body) = request.into_parts();
            let bytes = body.bytes().map(|b| b.to_vec()).unwrap_or_default();
            log.lock()
                .unwrap()
                .push(http::Request::from_parts(parts, bytes));
            let (status, headers, body) = reply.expect("no reply left for this request");
            let mut response = http::Response::builder().status(status);
            for (k, v) in headers {
                response = response.header(k, v);
            }
            Ok(response.body(Body::from(body)).unwrap())
        }
    });
    (sent, transport)
}

/// An in-memory transport that answers every request with `200` and `body`.
pub fn canned(
    body: smithy_client_runtime::bytes::Bytes,
) -> impl smithy_client_runtime::transport::HttpClient {
    smithy_client_runtime::transport::from_fn(move |_request| {
        let body = body.clone();
        async move {
            Ok(http::Response::builder()
                .status(200)
                .body(smithy_client_runtime::transport::Body::from(body))
                .unwrap())
        }
    })
}
