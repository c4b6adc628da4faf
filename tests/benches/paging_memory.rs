//! Benchmark: peak memory of an item stream over many large GetImages pages.
//!
//! Each run happens in a fresh child process (this binary, re-run with
//! `--child N`), which streams N pages of 100 images × 64 KiB through the
//! in-memory transport, reads every image's content, and reports its peak
//! resident set (`VmHWM`). The parent compares 1 page with many: the item
//! stream holds one page at a time, so the peak must stay within 3× of the
//! single-page run. Run with `cargo bench -p tests --bench paging_memory`
//! (1,000 pages); `cargo test` runs it with 20 pages.

use bytes::{BufMut, Bytes, BytesMut};
use kinesis_video_archived_media::types::{Format, ImageSelectorType};
use kinesis_video_archived_media::{Client, Config, Credentials, DateTime};
use smithy_client_runtime::transport::{from_fn, Body};
use std::process::Command;

const IMAGES_PER_PAGE: usize = 100;
const IMAGE_SIZE: usize = 64 * 1024;

/// `"Images":[…]` for one page, shared by every page.
fn images_json() -> Bytes {
    let content = "QUJD".repeat(IMAGE_SIZE / 4);
    let mut out = BytesMut::with_capacity(IMAGES_PER_PAGE * (IMAGE_SIZE + 64));
    out.put_slice(b"\"Images\":[");
    for i in 0..IMAGES_PER_PAGE {
        if i > 0 {
            out.put_u8(b',');
        }
        out.put_slice(
            format!(
                "{{\"TimeStamp\":{},\"ImageContent\":\"{content}\"}}",
                1_700_000_000 + i
            )
            .as_bytes(),
        );
    }
    out.put_u8(b']');
    out.freeze()
}

/// A transport serving `pages` pages: page `i` answers the token `p{i}`.
fn client(pages: usize) -> Client {
    let images = images_json();
    let transport = from_fn(
        move |request: smithy_client_runtime::transport::HttpRequest| {
            let images = images.clone();
            async move {
                let body = request
                    .into_body()
                    .collect()
                    .await
                    .expect("an in-memory request body");
                let input: serde_json::Value =
                    serde_json::from_slice(&body).expect("the client sends JSON");
                let index: usize = input["NextToken"]
                    .as_str()
                    .map_or(0, |t| t[1..].parse().expect("a token this transport gave"));
                // Each page is a fresh buffer, as if it had come off the network.
                let mut page = BytesMut::with_capacity(images.len() + 64);
                page.put_u8(b'{');
                if index + 1 < pages {
                    page.put_slice(format!("\"NextToken\":\"p{}\",", index + 1).as_bytes());
                }
                page.put_slice(&images);
                page.put_u8(b'}');
                Ok(http::Response::builder()
                    .status(200)
                    .body(Body::from(page.freeze()))
                    .expect("a valid response"))
            }
        },
    );
    let config = Config::builder()
        .region("us-west-2")
        .credentials(Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            None,
            None,
            "bench",
        ))
        .endpoint_url("https://b-1234abcd.kinesisvideo.us-west-2.amazonaws.com")
        .http_client(transport)
        .build();
    Client::new(&config)
}

/// The process's peak resident set in KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Streams `pages` pages and prints `images bytes peak_kib`.
fn child(pages: usize) {
    // The client's progress guards need the runtime's timers.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime");
    let (images, bytes) = runtime.block_on(async {
        let mut items = client(pages)
            .get_images()
            .stream_name("cam-1")
            .image_selector_type(ImageSelectorType::ServerTimestamp)
            .start_timestamp(DateTime::from_secs(1_700_000_000))
            .end_timestamp(DateTime::from_secs(1_700_100_000))
            .format(Format::Jpeg)
            .into_paginator()
            .page_size(IMAGES_PER_PAGE as i64)
            .items();
        let (mut images, mut bytes) = (0usize, 0usize);
        if pages > 0 {
            while let Some(image) = items.next().await {
                let image = image.expect("every page parses");
                bytes += image.image_content.map_or(0, |c| c.len());
                images += 1;
            }
        }
        (images, bytes)
    });
    assert_eq!(images, pages * IMAGES_PER_PAGE, "every image arrives once");
    println!("{images} {bytes} {}", peak_rss_kib());
}

fn run_child(pages: usize) -> (usize, u64) {
    let exe = std::env::current_exe().expect("the bench binary's path");
    let out = Command::new(exe)
        .args(["--child", &pages.to_string()])
        .output()
        .expect("the child runs");
    assert!(
        out.status.success(),
        "child for {pages} pages failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let fields: Vec<u64> = text
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    assert_eq!(fields.len(), 3, "unexpected child output: {text}");
    (fields[1] as usize, fields[2])
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(args[i + 1].parse().expect("a page count"));
        return;
    }
    let quick = !args.iter().any(|a| a == "--bench");
    let many = if quick { 20 } else { 1000 };
    let mib = |kib: u64| kib as f64 / 1024.0;
    let (_, idle) = run_child(0);
    let (one_bytes, one) = run_child(1);
    let (many_bytes, peak) = run_child(many);
    println!(
        "GetImages item stream, pages of {IMAGES_PER_PAGE} × {} KiB, in-memory transport:",
        IMAGE_SIZE / 1024
    );
    println!(
        "    no page read (transport ready): peak RSS {:>7.1} MiB",
        mib(idle)
    );
    println!(
        "    1 page    ({:>5.1} MB read): peak RSS {:>7.1} MiB",
        one_bytes as f64 / 1e6,
        mib(one)
    );
    println!(
        "    {many} pages ({:>5.1} MB read): peak RSS {:>7.1} MiB  = {:.2}× the single page (limit 3×)",
        many_bytes as f64 / 1e6,
        mib(peak),
        peak as f64 / one as f64
    );
    assert!(
        peak <= 3 * one,
        "streaming {many} pages peaked at {peak} KiB, over 3× the {one} KiB of one page"
    );
}
