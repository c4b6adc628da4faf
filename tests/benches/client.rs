//! Benchmark: decoding GetImages responses through the whole client path
//! (validate, serialise, sign, in-memory transport, classify, parse), against a
//! baseline measured in the same run: `serde_json` parsing the same bytes into
//! a plain struct. The same pages also go through an awsJson1_1 client (the
//! `aws-json` fixture's GetImages-shaped operation), and the page as CBOR
//! through an rpcv2Cbor client against ciborium. Run with `cargo bench -p
//! tests --bench client`; a case name (`large`, `tiny`, `empty`, `awsjson`,
//! `cbor`, `endpoint`; `=tiny` for that case alone) picks cases, and `--client-only` times only the client path
//! (for `perf record`).

use kinesis_video_archived_media::types::{Format, ImageSelectorType};
use kinesis_video_archived_media::{Client, Config, Credentials, DateTime};
use smithy_client_runtime::bytes::Bytes;
use std::hint::black_box;
use std::time::Duration;
use tests::measure;

/// What a hand-written client would parse the page into.
#[derive(serde::Deserialize)]
#[allow(dead_code, non_snake_case)]
struct PlainPage {
    Images: Option<Vec<PlainImage>>,
    NextToken: Option<String>,
}

#[derive(serde::Deserialize)]
#[allow(dead_code, non_snake_case)]
struct PlainImage {
    TimeStamp: Option<f64>,
    Error: Option<String>,
    ImageContent: Option<String>,
}

/// A page of `count` images, each with `size` characters of base64 content.
fn page(count: usize, size: usize) -> Bytes {
    let content: String = "QUJD".repeat(size / 4);
    let images: Vec<serde_json::Value> = (0..count)
        .map(|i| serde_json::json!({ "TimeStamp": 1_700_000_000.0 + i as f64 * 0.2, "ImageContent": content }))
        .collect();
    serde_json::to_vec(&serde_json::json!({ "Images": images, "NextToken": "dG9rZW4tMg==" }))
        .unwrap()
        .into()
}

fn client_for(body: Bytes) -> Client {
    let transport = tests::canned(body);
    let config = Config::builder()
        .region("us-west-2")
        .credentials(Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            Some("token".into()),
            None,
            "bench",
        ))
        .endpoint_url("https://b-1234abcd.kinesisvideo.us-west-2.amazonaws.com")
        .http_client(transport)
        .build();
    Client::new(&config)
}

/// The GetImages request every KVS case sends.
fn get_images(client: &Client) -> kinesis_video_archived_media::client::GetImagesFluentBuilder {
    client
        .get_images()
        .stream_name("cam-1")
        .image_selector_type(ImageSelectorType::ServerTimestamp)
        .start_timestamp(DateTime::from_secs(1_700_000_000))
        .end_timestamp(DateTime::from_secs(1_700_000_020))
        .sampling_interval(200)
        .format(Format::Jpeg)
        .max_results(100)
}

fn case(name: &str, count: usize, size: usize, budget: Duration) {
    let body = page(count, size);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let client = client_for(body.clone());
    let call = || {
        let page = runtime.block_on(get_images(&client).send());
        assert_eq!(
            black_box(page).unwrap().images.map_or(0, |i| i.len()),
            count
        );
    };
    let baseline = || {
        let page: PlainPage = serde_json::from_slice(black_box(&body)).unwrap();
        assert_eq!(black_box(page).Images.map_or(0, |i| i.len()), count);
    };
    let parse_only = || {
        let page: kinesis_video_archived_media::types::GetImagesOutput =
            smithy_client_runtime::json::from_bytes(black_box(&body)).unwrap();
        assert_eq!(black_box(page).images.map_or(0, |i| i.len()), count);
    };
    compare(
        name,
        body.len(),
        "serde_json",
        budget,
        call,
        baseline,
        parse_only,
    );
}

/// The page and every image decoded into one reused buffer: the client (its
/// images are views of the body, decoded by the runtime's SIMD base64)
/// against serde_json parsing into owned strings and the `base64` crate
/// decoding them, as a hand-written client would.
fn decode_case(name: &str, count: usize, size: usize, budget: Duration) {
    use kinesis_video_streams::ImageExt as _;
    let body = page(count, size);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let client = client_for(body.clone());
    let mut buf = Vec::with_capacity(size);
    let mut decoded = 0usize;
    let call = || {
        let page = runtime.block_on(get_images(&client).send()).unwrap();
        for image in page.images.iter().flatten() {
            image.decode_content_into(&mut buf).unwrap().unwrap();
            decoded += black_box(&buf).len();
        }
    };
    let mut plain_buf = Vec::with_capacity(size);
    let baseline = || {
        use base64::Engine as _;
        let page: PlainPage = serde_json::from_slice(black_box(&body)).unwrap();
        for image in page.Images.iter().flatten() {
            plain_buf.clear();
            base64::engine::general_purpose::STANDARD
                .decode_vec(image.ImageContent.as_deref().unwrap(), &mut plain_buf)
                .unwrap();
            black_box(&plain_buf);
        }
    };
    let mut types_buf = Vec::with_capacity(size);
    let parse_only = || {
        let page: kinesis_video_archived_media::types::GetImagesOutput =
            smithy_client_runtime::json::from_bytes(black_box(&body)).unwrap();
        for image in page.images.iter().flatten() {
            image.decode_content_into(&mut types_buf).unwrap().unwrap();
            black_box(&types_buf);
        }
    };
    compare(
        name,
        body.len(),
        "serde_json + base64",
        budget,
        call,
        baseline,
        parse_only,
    );
    assert!(decoded > 0);
}

/// Times the client path, the baseline and the generated output type parsed
/// alone, in alternating rounds so that all see the same machine
/// conditions, and prints the medians. With `--client-only`, times only the
/// client path (for profilers).
fn compare(
    name: &str,
    body_len: usize,
    baseline_name: &str,
    budget: Duration,
    mut call: impl FnMut(),
    mut baseline: impl FnMut(),
    mut parse_only: impl FnMut(),
) {
    if std::env::args().any(|a| a == "--client-only") {
        let t = measure(budget, &mut call);
        println!("{name}: client {:.1} µs/call", t.as_secs_f64() * 1e6);
        return;
    }
    let (mut ours, mut theirs, mut types) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..5 {
        ours.push(measure(budget / 5, &mut call));
        theirs.push(measure(budget / 5, &mut baseline));
        types.push(measure(budget / 5, &mut parse_only));
    }
    ours.sort();
    theirs.sort();
    types.sort();
    let (ours, theirs, types) = (ours[2], theirs[2], types[2]);
    let mb = body_len as f64 / 1e6;
    let rate = |d: Duration| mb / d.as_secs_f64();
    println!(
        "{name}: {:.2} MB body | client {:>8.1} MB/s {:>9.1} µs/call | {baseline_name} baseline {:>8.1} MB/s {:>9.1} µs/call | throughput ratio {:.2}×",
        mb,
        rate(ours),
        ours.as_secs_f64() * 1e6,
        rate(theirs),
        theirs.as_secs_f64() * 1e6,
        rate(ours) / rate(theirs),
    );
    println!(
        "    (generated output type parsed alone: {:.1} µs/call, {:.2}× the {baseline_name} baseline's throughput)",
        types.as_secs_f64() * 1e6,
        theirs.as_secs_f64() / types.as_secs_f64()
    );
}

/// Endpoint resolution through the KVS control plane's rules (what happens
/// once per client: calls of operations without context parameters reuse
/// the result), against the fixed template the client used before rules.
fn endpoint_case(budget: Duration) {
    use smithy_client_runtime::endpoint::{Params, RuleSet};
    let model: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../model/kinesis-video.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let service = model["shapes"]
        .as_object()
        .unwrap()
        .values()
        .find(|s| s["type"] == "service")
        .unwrap();
    let rules = service["traits"]["smithy.rules#endpointRuleSet"]
        .to_string()
        .parse()
        .unwrap();
    let rules = RuleSet::from_json(&rules).unwrap();
    let mut params = Params::new();
    params
        .set("Region", "us-west-2")
        .set("UseFIPS", false)
        .set("UseDualStack", false);
    let resolve = || {
        let e = rules.resolve(black_box(&params)).unwrap();
        assert_eq!(black_box(e).url.len(), 44);
    };
    let template = || {
        let url = format!(
            "https://{}.{}.amazonaws.com",
            black_box("kinesisvideo"),
            black_box("us-west-2")
        );
        assert_eq!(black_box(url).len(), 44);
    };
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        ours.push(measure(budget / 5, resolve));
        theirs.push(measure(budget / 5, template));
    }
    ours.sort();
    theirs.sort();
    println!(
        "endpoint (rules)        : resolve {:.2} µs (once per client; a KVS call reuses it) | format! template baseline {:.3} µs | ratio {:.0}×",
        ours[2].as_secs_f64() * 1e6,
        theirs[2].as_secs_f64() * 1e6,
        ours[2].as_secs_f64() / theirs[2].as_secs_f64(),
    );
}

/// The awsJson1_1 client on the same page, against the same baseline.
fn aws_json_case(name: &str, count: usize, size: usize, budget: Duration) {
    let body = page(count, size);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let client = aws_json::Client::new(&fixture_config(body.clone()));
    let call = || {
        let page = runtime.block_on(
            client
                .get_images()
                .stream_name("cam-1")
                .start_timestamp(DateTime::from_secs(1_700_000_000))
                .max_results(100)
                .send(),
        );
        assert_eq!(
            black_box(page).unwrap().images.map_or(0, |i| i.len()),
            count
        );
    };
    let baseline = || {
        let page: PlainPage = serde_json::from_slice(black_box(&body)).unwrap();
        assert_eq!(black_box(page).Images.map_or(0, |i| i.len()), count);
    };
    let parse_only = || {
        let page: aws_json::types::GetImagesOutput =
            smithy_client_runtime::json::from_slice(black_box(&body)).unwrap();
        assert_eq!(black_box(page).images.map_or(0, |i| i.len()), count);
    };
    compare(
        name,
        body.len(),
        "serde_json",
        budget,
        call,
        baseline,
        parse_only,
    );
}

/// The config of a fixture client whose every call gets `body` back.
fn fixture_config(body: Bytes) -> Config {
    Config::builder()
        .region("us-west-2")
        .credentials(Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            None,
            None,
            "bench",
        ))
        .http_client(tests::canned(body))
        .build()
}

/// The same page as CBOR (tag 1 timestamps), written by ciborium.
fn cbor_page(count: usize, size: usize) -> Bytes {
    use ciborium::value::Value;
    let content: String = "QUJD".repeat(size / 4);
    let images: Vec<Value> = (0..count)
        .map(|i| {
            Value::Map(vec![
                (
                    Value::Text("TimeStamp".into()),
                    Value::Tag(1, Box::new(Value::Float(1_700_000_000.0 + i as f64 * 0.2))),
                ),
                (
                    Value::Text("ImageContent".into()),
                    Value::Text(content.clone()),
                ),
            ])
        })
        .collect();
    let page = Value::Map(vec![
        (Value::Text("Images".into()), Value::Array(images)),
        (
            Value::Text("NextToken".into()),
            Value::Text("dG9rZW4tMg==".into()),
        ),
    ]);
    let mut out = Vec::new();
    ciborium::into_writer(&page, &mut out).unwrap();
    out.into()
}

/// The rpcv2Cbor client (its codec on minicbor) on a CBOR page, against
/// ciborium decoding the same bytes into the plain struct; the generated
/// codec alone against ciborium is the choice of CBOR crate measured.
fn cbor_case(name: &str, count: usize, size: usize, budget: Duration) {
    let body = cbor_page(count, size);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let client = rpcv2_cbor::Client::new(&fixture_config(body.clone()));
    let call = || {
        let page = runtime.block_on(
            client
                .get_images()
                .stream_name("cam-1")
                .start_timestamp(DateTime::from_secs(1_700_000_000))
                .max_results(100)
                .send(),
        );
        assert_eq!(
            black_box(page).unwrap().images.map_or(0, |i| i.len()),
            count
        );
    };
    let baseline = || {
        let page: PlainPage = ciborium::from_reader(black_box(&body[..])).unwrap();
        assert_eq!(black_box(page).Images.map_or(0, |i| i.len()), count);
    };
    let parse_only = || {
        let page: rpcv2_cbor::types::GetImagesOutput =
            smithy_client_runtime::cbor::from_slice(black_box(&body)).unwrap();
        assert_eq!(black_box(page).images.map_or(0, |i| i.len()), count);
    };
    compare(
        name,
        body.len(),
        "ciborium",
        budget,
        call,
        baseline,
        parse_only,
    );
}

fn main() {
    // `cargo test --benches` runs bench binaries with `--bench` absent; keep that quick.
    let quick = !std::env::args().any(|a| a == "--bench");
    let budget = if quick {
        Duration::from_millis(50)
    } else {
        Duration::from_secs(5)
    };
    // A plain argument picks the cases whose name contains it (`large`,
    // `tiny`); one led by `=` picks the case of exactly that name (`=tiny`).
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted = |tag: &str| {
        filter.is_empty()
            || filter.iter().any(|f| match f.strip_prefix('=') {
                Some(exact) => tag == exact,
                None => tag.contains(f.as_str()),
            })
    };
    if wanted("large") {
        case("GetImages 100 × 64 KiB (large)", 100, 64 * 1024, budget);
    }
    if wanted("decode large") {
        decode_case(
            "GetImages 100 × 64 KiB decoded (decode large)",
            100,
            64 * 1024,
            budget,
        );
    }
    if wanted("empty") {
        case("GetImages empty page  (empty)", 0, 0, budget);
    }
    if wanted("tiny") {
        case("GetImages 100 × 16 B   (tiny) ", 100, 16, budget);
    }
    if wanted("awsjson large") {
        aws_json_case(
            "awsJson1_1 100 × 64 KiB (awsjson large)",
            100,
            64 * 1024,
            budget,
        );
    }
    if wanted("awsjson tiny") {
        aws_json_case("awsJson1_1 100 × 16 B   (awsjson tiny) ", 100, 16, budget);
    }
    if wanted("cbor large") {
        cbor_case(
            "rpcv2Cbor 100 × 64 KiB  (cbor large)   ",
            100,
            64 * 1024,
            budget,
        );
    }
    if wanted("cbor tiny") {
        cbor_case("rpcv2Cbor 100 × 16 B    (cbor tiny)    ", 100, 16, budget);
    }
    if wanted("endpoint") {
        endpoint_case(budget);
    }
}
