//! Benchmark: XML responses. First the runtime's XML reader (a cursor over
//! quick-xml's events) reading an S3 `ListObjectsV2` page of 1,000 keys into
//! a plain struct; then whole calls through generated clients (validate,
//! serialise, sign, in-memory transport, parse): that page through the
//! restXml `storage` fixture's ListObjectsV2, and an SNS-shaped `ListTopics`
//! page of 100 topics through the awsQuery `notifications` fixture. Each
//! against baselines measured in the same run on the same bytes: the SDK's
//! reader (`aws-smithy-xml`, on xmlparser) walked as its generated code walks
//! it, and quick-xml's bare event loop as a hand-written parser would drive
//! it, each into a plain struct. Run with `cargo bench -p tests --bench xml`.

use aws_smithy_xml::decode::{try_data, Document};
use quick_xml::events::Event;
use smithy_client_runtime::bytes::Bytes;
use smithy_client_runtime::xml::Reader;
use smithy_client_runtime::{Config, Credentials};
use std::hint::black_box;
use std::time::Duration;
use tests::measure;

/// What each reader fills.
#[derive(Debug, Default, PartialEq)]
struct Page {
    objects: Vec<Object>,
    truncated: bool,
    next_token: Option<String>,
}

#[derive(Debug, Default, PartialEq)]
struct Object {
    key: String,
    last_modified: String,
    etag: String,
    size: i64,
    storage_class: String,
}

fn page_xml(keys: usize) -> String {
    let mut out = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>my-bucket</Name><Prefix>photos/</Prefix><KeyCount>1000</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>"#,
    );
    for i in 0..keys {
        out.push_str(&format!(
            "<Contents><Key>photos/2026/12/07/camera-{:02}/image-{i:06}.jpg</Key><LastModified>2026-12-07T10:{:02}:{:02}.000Z</LastModified><ETag>&quot;{:032x}&quot;</ETag><Size>{}</Size><StorageClass>STANDARD</StorageClass></Contents>",
            i % 16,
            (i / 60) % 60,
            i % 60,
            (i as u128).wrapping_mul(0x9e37_79b9_7f4a_7c15),
            100_000 + i * 37,
        ));
    }
    out.push_str("</ListBucketResult>");
    out
}

fn ours(body: &str) -> Page {
    let mut r = Reader::from_str(body);
    let mut page = Page::default();
    r.root().unwrap();
    while let Some(el) = r.next_child().unwrap() {
        match el.name() {
            "Contents" => {
                let mut o = Object::default();
                while let Some(el) = r.next_child().unwrap() {
                    match el.name() {
                        "Key" => o.key = r.text().unwrap().into_owned(),
                        "LastModified" => o.last_modified = r.text().unwrap().into_owned(),
                        "ETag" => o.etag = r.text().unwrap().into_owned(),
                        "Size" => o.size = r.text().unwrap().parse().unwrap(),
                        "StorageClass" => o.storage_class = r.text().unwrap().into_owned(),
                        _ => r.skip().unwrap(),
                    }
                }
                page.objects.push(o);
            }
            "IsTruncated" => page.truncated = r.text().unwrap() == "true",
            "NextContinuationToken" => page.next_token = Some(r.text().unwrap().into_owned()),
            _ => r.skip().unwrap(),
        }
    }
    r.finish().unwrap();
    page
}

fn sdk(body: &str) -> Page {
    let mut doc = Document::new(body);
    let mut root = doc.root_element().unwrap();
    let mut page = Page::default();
    while let Some(mut tag) = root.next_tag() {
        match tag.start_el().local() {
            "Contents" => {
                let mut o = Object::default();
                while let Some(mut t) = tag.next_tag() {
                    match t.start_el().local() {
                        "Key" => o.key = try_data(&mut t).unwrap().into_owned(),
                        "LastModified" => o.last_modified = try_data(&mut t).unwrap().into_owned(),
                        "ETag" => o.etag = try_data(&mut t).unwrap().into_owned(),
                        "Size" => o.size = try_data(&mut t).unwrap().parse().unwrap(),
                        "StorageClass" => o.storage_class = try_data(&mut t).unwrap().into_owned(),
                        _ => {}
                    }
                }
                page.objects.push(o);
            }
            "IsTruncated" => page.truncated = try_data(&mut tag).unwrap() == "true",
            "NextContinuationToken" => {
                page.next_token = Some(try_data(&mut tag).unwrap().into_owned())
            }
            _ => {}
        }
    }
    page
}

/// A hand-written state machine over quick-xml's events: the floor.
fn bare(body: &str) -> Page {
    let mut r = quick_xml::Reader::from_str(body);
    let mut page = Page::default();
    let mut object: Option<Object> = None;
    let mut field = String::new();
    let mut text = String::new();
    loop {
        match r.read_event().unwrap() {
            Event::Start(s) => {
                field.clear();
                field.push_str(s.local_name().into_inner());
                text.clear();
                if field == "Contents" {
                    object = Some(Object::default());
                }
            }
            Event::Text(t) => text.push_str(&t),
            Event::GeneralRef(g) => text.push(match &*g {
                "quot" => '"',
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                _ => '\'',
            }),
            Event::End(e) => {
                let name = e.local_name().into_inner();
                match (name, object.as_mut()) {
                    ("Contents", _) => page.objects.extend(object.take()),
                    ("Key", Some(o)) => o.key = text.clone(),
                    ("LastModified", Some(o)) => o.last_modified = text.clone(),
                    ("ETag", Some(o)) => o.etag = text.clone(),
                    ("Size", Some(o)) => o.size = text.parse().unwrap(),
                    ("StorageClass", Some(o)) => o.storage_class = text.clone(),
                    ("IsTruncated", None) => page.truncated = text == "true",
                    ("NextContinuationToken", None) => page.next_token = Some(text.clone()),
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    page
}

fn topics_xml(count: usize) -> String {
    let mut out = String::from(
        r#"<ListTopicsResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ListTopicsResult><Topics>"#,
    );
    for i in 0..count {
        out.push_str(&format!(
            "<member><TopicArn>arn:aws:sns:us-east-1:123456789012:orders-{i:05}</TopicArn></member>"
        ));
    }
    out.push_str("</Topics><NextToken>AAFiZ2lwZW5uZXh0dG9rZW4=</NextToken></ListTopicsResult><ResponseMetadata><RequestId>f3c0a8e4-6c3d-5d2e-9c1b-0e3d1c2b3a49</RequestId></ResponseMetadata></ListTopicsResponse>");
    out
}

/// A topics page as a hand-written client would keep it.
#[derive(Debug, Default, PartialEq)]
struct Topics {
    arns: Vec<String>,
    next_token: Option<String>,
}

fn sdk_topics(body: &str) -> Topics {
    let mut doc = Document::new(body);
    let mut root = doc.root_element().unwrap();
    let mut out = Topics::default();
    while let Some(mut result) = root.next_tag() {
        if result.start_el().local() != "ListTopicsResult" {
            continue;
        }
        while let Some(mut tag) = result.next_tag() {
            match tag.start_el().local() {
                "Topics" => {
                    while let Some(mut member) = tag.next_tag() {
                        while let Some(mut t) = member.next_tag() {
                            if t.start_el().local() == "TopicArn" {
                                out.arns.push(try_data(&mut t).unwrap().into_owned());
                            }
                        }
                    }
                }
                "NextToken" => out.next_token = Some(try_data(&mut tag).unwrap().into_owned()),
                _ => {}
            }
        }
    }
    out
}

fn bare_topics(body: &str) -> Topics {
    let mut r = quick_xml::Reader::from_str(body);
    let mut out = Topics::default();
    let mut text = String::new();
    loop {
        match r.read_event().unwrap() {
            Event::Start(_) => text.clear(),
            Event::Text(t) => text.push_str(&t),
            Event::End(e) => match e.local_name().into_inner() {
                "TopicArn" => out.arns.push(text.clone()),
                "NextToken" => out.next_token = Some(text.clone()),
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// A client whose in-memory transport answers every call with `body`.
fn config(body: &str) -> Config {
    Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            None,
            None,
            "bench",
        ))
        .endpoint_url("https://service.us-east-1.amazonaws.com")
        .http_client(tests::canned(Bytes::from(body.to_owned())))
        .build()
}

/// Medians of five alternating runs of each, in µs per call.
fn medians(budget: Duration, fs: &mut [&mut dyn FnMut()]) -> Vec<f64> {
    let mut runs: Vec<Vec<Duration>> = vec![Vec::new(); fs.len()];
    for _ in 0..5 {
        for (f, r) in fs.iter_mut().zip(&mut runs) {
            r.push(measure(budget / 5, &mut **f));
        }
    }
    runs.into_iter()
        .map(|mut r| {
            r.sort();
            r[2].as_secs_f64() * 1e6
        })
        .collect()
}

fn report(name: &str, bytes: usize, t: &[f64]) {
    let mb = bytes as f64 / 1e6;
    println!(
        "{name} ({mb:.2} MB): client {:>7.1} µs/call {:>5.0} MB/s | output parsed alone {:>7.1} µs | aws-smithy-xml {:>7.1} µs | quick-xml bare loop {:>7.1} µs",
        t[0],
        mb * 1e6 / t[0],
        t[1],
        t[2],
        t[3],
    );
    println!(
        "    ratios: client {:.2}× aws-smithy-xml's throughput ({:.2}× the bare loop's); output parsed alone {:.2}× ({:.2}×)",
        t[2] / t[0],
        t[3] / t[0],
        t[2] / t[1],
        t[3] / t[1],
    );
}

fn client_cases(budget: Duration) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();

    let body = page_xml(1000);
    let client = storage::Client::new(&config(&body));
    let mut call = || {
        let page = runtime
            .block_on(client.list_objects_v2().bucket("my-bucket").send())
            .unwrap();
        assert_eq!(black_box(page).contents.map_or(0, |c| c.len()), 1000);
    };
    let mut alone = || {
        let page: storage::types::ListObjectsV2Output =
            smithy_client_runtime::xml::from_body(black_box(body.as_bytes()), None).unwrap();
        assert_eq!(black_box(page).contents.map_or(0, |c| c.len()), 1000);
    };
    let mut sdk_page = || {
        black_box(sdk(black_box(&body)));
    };
    let mut bare_page = || {
        black_box(bare(black_box(&body)));
    };
    let t = medians(
        budget,
        &mut [&mut call, &mut alone, &mut sdk_page, &mut bare_page],
    );
    report("restXml ListObjectsV2, 1,000 keys", body.len(), &t);

    let body = topics_xml(100);
    assert_eq!(sdk_topics(&body), bare_topics(&body));
    assert_eq!(sdk_topics(&body).arns.len(), 100);
    let client = notifications::Client::new(&config(&body));
    let mut call = || {
        let page = runtime.block_on(client.list_topics().send()).unwrap();
        assert_eq!(black_box(page).topics.map_or(0, |t| t.len()), 100);
    };
    let mut alone = || {
        let page: notifications::types::ListTopicsOutput = smithy_client_runtime::xml::from_body(
            black_box(body.as_bytes()),
            Some("ListTopicsResult"),
        )
        .unwrap();
        assert_eq!(black_box(page).topics.map_or(0, |t| t.len()), 100);
    };
    let mut sdk_page = || {
        black_box(sdk_topics(black_box(&body)));
    };
    let mut bare_page = || {
        black_box(bare_topics(black_box(&body)));
    };
    let t = medians(
        budget,
        &mut [&mut call, &mut alone, &mut sdk_page, &mut bare_page],
    );
    report("awsQuery ListTopics, 100 topics", body.len(), &t);
}

fn main() {
    // `cargo test --benches` runs bench binaries with `--bench` absent; keep that quick.
    let quick = !std::env::args().any(|a| a == "--bench");
    let budget = if quick {
        Duration::from_millis(50)
    } else {
        Duration::from_secs(5)
    };
    client_cases(budget);
    let body = page_xml(1000);
    let expected = ours(&body);
    assert_eq!(expected.objects.len(), 1000);
    assert_eq!(expected.objects[1].etag.len(), 34);
    assert_eq!(sdk(&body), expected, "the SDK's reader reads the same page");
    assert_eq!(
        bare(&body),
        expected,
        "the bare event loop reads the same page"
    );
    let mb = body.len() as f64 / 1e6;
    let ours_t = measure(budget, || {
        black_box(ours(black_box(&body)));
    });
    let sdk_t = measure(budget, || {
        black_box(sdk(black_box(&body)));
    });
    let bare_t = measure(budget, || {
        black_box(bare(black_box(&body)));
    });
    let rate = |t: Duration| mb / t.as_secs_f64();
    println!(
        "ListObjectsV2 1,000 keys ({mb:.2} MB): runtime reader {:>7.1} µs/page {:>6.0} MB/s | aws-smithy-xml {:>7.1} µs {:>6.0} MB/s | quick-xml bare loop {:>7.1} µs {:>6.0} MB/s",
        ours_t.as_secs_f64() * 1e6,
        rate(ours_t),
        sdk_t.as_secs_f64() * 1e6,
        rate(sdk_t),
        bare_t.as_secs_f64() * 1e6,
        rate(bare_t),
    );
    println!(
        "    ratios: runtime reader {:.2}× aws-smithy-xml's throughput, {:.2}× the bare loop's",
        sdk_t.as_secs_f64() / ours_t.as_secs_f64(),
        bare_t.as_secs_f64() / ours_t.as_secs_f64(),
    );
}
