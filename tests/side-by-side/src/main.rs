//! Side-by-side benchmark: this project's GetImages client on the peer-bench
//! contract (`../shared/peer-bench/README.md`), against an in-memory replay
//! transport, so `peer-bench/run.sh` can run it beside the official SDK.
//!
//! The fixture is byte for byte peer-bench's `build_page`; the timed region is
//! P GetImages calls (or the paginator over P pages) plus decoding every image
//! into one reused buffer. `checksum` and `ts_ms_sum` prove both sides did the
//! same work.

use kinesis_video_archived_media::types::{Format, Image, ImageSelectorType};
use kinesis_video_archived_media::{Client, Config, Credentials, DateTime};
use smithy_client_runtime::bytes::Bytes;
use smithy_client_runtime::paginate::OnRepeatedToken;
use smithy_client_runtime::transport::{from_fn, Body, TransportError, TransportErrorKind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const IMAGES_PER_PAGE: usize = 100;
const ENDPOINT: &str = "http://localhost:1234";

struct Args {
    pages: usize,
    image_bytes: usize,
    paginate: bool,
    shared_body: bool,
}

fn usage() -> ! {
    eprintln!("usage: side-by-side [--pages P] [--image-bytes N] [--paginate] [--shared-body]");
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut a = Args {
        pages: 50,
        image_bytes: 65536,
        paginate: false,
        shared_body: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut number = || {
            it.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| usage())
        };
        match arg.as_str() {
            "--pages" => a.pages = number(),
            "--image-bytes" => a.image_bytes = number(),
            "--paginate" => a.paginate = true,
            "--shared-body" => a.shared_body = true,
            _ => usage(),
        }
    }
    if a.pages == 0 {
        usage()
    }
    a
}

/// peer-bench's deterministic bytes (xorshift64*), distinct per image slot.
fn pseudo_random_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(n + 8);
    while out.len() < n {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        out.extend_from_slice(&x.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(n);
    out
}

/// peer-bench's `build_page`, byte for byte.
fn build_page(page: usize, images_b64: &[String], next_token: Option<&str>) -> Bytes {
    let mut s = String::new();
    s.push_str("{\"Images\":[");
    for (i, b64) in images_b64.iter().enumerate() {
        let k = (page * IMAGES_PER_PAGE + i) as u64;
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!(
            "{{\"TimeStamp\":{}.{:03},\"ImageContent\":\"",
            1_700_000_000u64 + 3 * k,
            (k * 7) % 1000
        ));
        s.push_str(b64);
        s.push_str("\"}");
    }
    s.push(']');
    if let Some(t) = next_token {
        s.push_str(",\"NextToken\":\"");
        s.push_str(t);
        s.push('"');
    }
    s.push('}');
    Bytes::from(s)
}

/// Answers the i-th request with the i-th prebuilt response (as peer-bench's
/// replay client does), counting requests.
fn replay(
    bodies: Vec<Bytes>,
    count: Arc<AtomicUsize>,
) -> impl smithy_client_runtime::transport::HttpClient {
    let responses: Vec<_> = bodies
        .into_iter()
        .map(|body| {
            let response = http::Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .header("content-length", body.len())
                .header("x-amzn-requestid", "00000000-0000-0000-0000-000000000000")
                .body(())
                .expect("a valid response");
            std::sync::Mutex::new(Some(response.map(|()| Body::from(body))))
        })
        .collect();
    let responses = Arc::new(responses);
    from_fn(move |_request| {
        let i = count.fetch_add(1, Ordering::Relaxed);
        let response = responses.get(i).and_then(|r| r.lock().ok()?.take());
        async move {
            response.ok_or_else(|| {
                TransportError::new(TransportErrorKind::Other, "replay: no more responses")
            })
        }
    })
}

fn proc_status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

#[derive(Default)]
struct Tally {
    images: u64,
    b64_bytes: u64,
    checksum: u64,
    ts_ms_sum: u64,
    decode_time: Duration,
}

impl Tally {
    fn image(&mut self, img: &Image, buf: &mut Vec<u8>) {
        self.images += 1;
        let ts = img.time_stamp.as_ref().expect("TimeStamp present");
        let ms = ts.secs() as u64 * 1000 + (u64::from(ts.subsec_nanos()) + 500_000) / 1_000_000;
        self.ts_ms_sum = self.ts_ms_sum.wrapping_add(ms);
        let content = img.image_content.as_ref().expect("ImageContent present");
        self.b64_bytes += content.len() as u64;
        let t = Instant::now();
        buf.clear();
        smithy_client_runtime::base64::decode_append(content.as_bytes(), buf)
            .expect("valid base64");
        self.decode_time += t.elapsed();
        self.checksum += buf.len() as u64;
    }
}

fn request(client: &Client) -> kinesis_video_archived_media::client::GetImagesFluentBuilder {
    client
        .get_images()
        .stream_name("peer-bench-stream")
        .image_selector_type(ImageSelectorType::ProducerTimestamp)
        .start_timestamp(DateTime::from_secs(1_700_000_000))
        .end_timestamp(DateTime::from_secs(1_700_000_300))
        .sampling_interval(3000)
        .format(Format::Jpeg)
}

async fn run(args: &Args) {
    // ---- fixture (untimed) ----
    let images_b64: Vec<String> = (0..IMAGES_PER_PAGE)
        .map(|i| {
            smithy_client_runtime::base64::encode(&pseudo_random_bytes(
                args.image_bytes,
                i as u64 + 1,
            ))
        })
        .collect();
    let mut bodies = Vec::with_capacity(args.pages);
    if args.shared_body {
        let mid = build_page(0, &images_b64, Some("tok-next"));
        for p in 0..args.pages {
            bodies.push(if p + 1 == args.pages {
                build_page(p, &images_b64, None)
            } else {
                mid.clone()
            });
        }
    } else {
        for p in 0..args.pages {
            let tok = (p + 1 < args.pages).then(|| format!("tok-{:06}", p + 1));
            bodies.push(build_page(p, &images_b64, tok.as_deref()));
        }
    }
    let json_bytes: u64 = bodies.iter().map(|b| b.len() as u64).sum();
    drop(images_b64);
    let requests = Arc::new(AtomicUsize::new(0));
    let config = Config::builder()
        .region("us-west-2")
        .credentials(Credentials::new(
            "AKIDPEERBENCHTEST",
            "peer/bench/test/secret/key",
            None,
            None,
            "peer-bench",
        ))
        .endpoint_url(ENDPOINT)
        .http_client(replay(bodies, requests.clone()))
        .build();
    let client = Client::new(&config);
    let rss_before_kb = proc_status_kb("VmRSS:");

    // ---- timed region ----
    let mut tally = Tally::default();
    let mut buf: Vec<u8> = Vec::with_capacity(args.image_bytes + 16);
    let start = Instant::now();
    if args.paginate {
        let policy = if args.shared_body {
            OnRepeatedToken::Continue
        } else {
            OnRepeatedToken::Error
        };
        let mut items = request(&client)
            .into_paginator()
            .on_repeated_token(policy)
            .max_items(args.pages * IMAGES_PER_PAGE)
            .items();
        while let Some(item) = items.next().await {
            let img = item.unwrap_or_else(|e| panic!("GetImages (paginator) failed: {e:?}"));
            tally.image(&img, &mut buf);
        }
    } else {
        let mut token: Option<String> = None;
        for _ in 0..args.pages {
            let mut req = request(&client);
            if let Some(t) = token.take() {
                req = req.next_token(t);
            }
            let out = req
                .send()
                .await
                .unwrap_or_else(|e| panic!("GetImages failed: {e:?}"));
            for img in out.images.iter().flatten() {
                tally.image(img, &mut buf);
            }
            token = out.next_token;
        }
        assert!(
            token.is_none(),
            "last page unexpectedly carried a NextToken"
        );
    }
    let elapsed = start.elapsed().as_secs_f64();
    // ---- end timed region ----

    let expected_images = (args.pages * IMAGES_PER_PAGE) as u64;
    assert_eq!(
        requests.load(Ordering::Relaxed),
        args.pages,
        "request count"
    );
    assert_eq!(tally.images, expected_images, "image count");
    assert_eq!(
        tally.checksum,
        expected_images * args.image_bytes as u64,
        "decoded length"
    );
    if !args.shared_body {
        let expected_ts: u64 = (0..expected_images)
            .map(|k| 1_700_000_000_000u64 + 3000 * k + (k * 7) % 1000)
            .fold(0u64, |a, b| a.wrapping_add(b));
        assert_eq!(tally.ts_ms_sum, expected_ts, "TimeStamp round trip");
    }
    let client_secs = (elapsed - tally.decode_time.as_secs_f64()).max(1e-9);
    println!("client=side-by-side (this project's kinesis-video-archived-media)");
    println!(
        "mode={} body={}",
        if args.paginate { "paginate" } else { "loop" },
        if args.shared_body {
            "shared"
        } else {
            "distinct"
        }
    );
    println!("pages={}", args.pages);
    println!("images={}", tally.images);
    println!("image_bytes={}", args.image_bytes);
    println!("json_bytes={json_bytes}");
    println!("base64_bytes={}", tally.b64_bytes);
    println!("ts_ms_sum={}", tally.ts_ms_sum);
    println!("elapsed_s={elapsed:.4}");
    println!("decode_s={:.4}", tally.decode_time.as_secs_f64());
    println!("mb_per_s={:.1}", json_bytes as f64 / elapsed / 1e6);
    println!(
        "mb_per_s_excl_decode={:.1}",
        json_bytes as f64 / client_secs / 1e6
    );
    println!("us_per_call={:.2}", elapsed * 1e6 / args.pages as f64);
    println!("rss_before_timed_kb={rss_before_kb}");
    println!("vmhwm_kb={}", proc_status_kb("VmHWM:"));
    println!("checksum={}", tally.checksum);
}

fn main() {
    let args = parse_args();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(run(&args));
}
