//! Behaviour tests against an independent implementation of the services:
//! moto (`moto[server]` from PyPI), installed by this file into a virtual
//! environment under `target/moto-venv` and started on 127.0.0.1 on a free
//! port for each test, stopped when it ends. The clients are the
//! `notifications` (awsQuery, shaped as SNS) and `storage` (restXml, shaped as
//! S3, path-style) fixture crates.
//!
//! Without `python3` the tests say so and pass, except in CI (`CI` set),
//! where they fail: CI has it.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use smithy_client_runtime::{Config, Credentials};

/// The moto release the tests were written against.
const MOTO: &str = "moto[server]==5.2.6";

/// One install at a time: the tests of this binary run in parallel.
static INSTALL: Mutex<()> = Mutex::new(());

/// A running moto server, killed when dropped.
struct Moto {
    child: Child,
    url: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

/// The venv's `moto_server`, installing moto first if needed; `None` (the
/// test then passes with a message) when there is no `python3` outside CI.
fn moto_server() -> Option<PathBuf> {
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let venv = target_dir().join("moto-venv");
    let server = venv.join("bin/moto_server");
    let stamp = venv.join("installed");
    if server.exists() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(MOTO) {
        return Some(server);
    }
    let python = match Command::new("python3").arg("--version").output() {
        Ok(o) if o.status.success() => "python3",
        _ => {
            let message = "the moto tests need python3 (with venv and pip) to install moto[server]";
            if std::env::var_os("CI").is_some() {
                panic!("{message}, and CI must have it");
            }
            eprintln!("skipped: {message}");
            return None;
        }
    };
    let run = |cmd: &mut Command, what: &str| {
        let out = cmd
            .output()
            .unwrap_or_else(|e| panic!("{what}: could not run it: {e}"));
        assert!(
            out.status.success(),
            "{what} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(
        Command::new(python).args(["-m", "venv"]).arg(&venv),
        "creating the moto virtual environment",
    );
    run(
        Command::new(venv.join("bin/pip")).args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            MOTO,
        ]),
        "installing moto[server] from PyPI",
    );
    std::fs::write(&stamp, MOTO).expect("write the install stamp");
    Some(server)
}

/// Starts moto on a free port of 127.0.0.1 and waits until it answers.
fn start() -> Option<Moto> {
    let server = moto_server()?;
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener.local_addr().unwrap().port()
    };
    let child = Command::new(&server)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("could not start {}: {e}", server.display()));
    let moto = Moto {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        assert!(
            Instant::now() < deadline,
            "moto did not start on {addr} within 60 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(moto)
}

fn config(moto: &Moto) -> Config {
    Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new("testing", "testing", None, None, "moto"))
        .endpoint_url(&moto.url)
        .build()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sns_topics_subscriptions_pages_and_a_typed_not_found_error_through_awsquery() {
    use notifications::error::GetTopicAttributesError;
    use notifications::Client;
    let Some(moto) = start() else { return };
    let client = Client::new(&config(&moto));

    let created = client
        .create_topic()
        .name("orders")
        .attributes([("DisplayName".to_string(), "Orders & returns".to_string())].into())
        .send()
        .await
        .unwrap();
    let arn = created.topic_arn.expect("a topic ARN");
    assert!(arn.ends_with(":orders"), "{arn}");

    // The attribute map travels as `Attributes.entry.1.key` and comes back
    // from `<Attributes><entry><key>…`, the escaped `&` intact.
    let attributes = client
        .get_topic_attributes()
        .topic_arn(&arn)
        .send()
        .await
        .unwrap()
        .attributes
        .expect("attributes");
    assert_eq!(
        attributes.get("DisplayName").map(String::as_str),
        Some("Orders & returns")
    );
    assert_eq!(attributes.get("TopicArn"), Some(&arn));

    // Subscriptions, listed by topic. Email ones: moto delivers nothing for
    // them, where an HTTP subscriber would have it send requests off this
    // machine.
    for i in 0..3 {
        let sub = client
            .subscribe()
            .topic_arn(&arn)
            .protocol("email")
            .endpoint(format!("user{i}@example.com"))
            .return_subscription_arn(true)
            .send()
            .await
            .unwrap();
        assert!(sub.subscription_arn.unwrap().starts_with(&arn));
    }
    let subs = client
        .list_subscriptions_by_topic()
        .topic_arn(&arn)
        .send()
        .await
        .unwrap()
        .subscriptions
        .unwrap_or_default();
    let mut endpoints: Vec<String> = subs.into_iter().filter_map(|s| s.endpoint).collect();
    endpoints.sort();
    assert_eq!(
        endpoints,
        [
            "user0@example.com",
            "user1@example.com",
            "user2@example.com"
        ]
    );

    let published = client
        .publish()
        .topic_arn(&arn)
        .message("hello <world>")
        .send()
        .await
        .unwrap();
    assert!(published.message_id.is_some_and(|id| !id.is_empty()));

    // moto pages topics 100 at a time: 120 more make two pages, and the
    // paginator sends each page's NextToken back untouched.
    for i in 0..120 {
        client
            .create_topic()
            .name(format!("bulk-{i:03}"))
            .send()
            .await
            .unwrap();
    }
    let mut paginator = client.list_topics().into_paginator().pages();
    let mut pages = 0;
    let mut topics = Vec::new();
    while let Some(page) = paginator.next().await {
        let page = page.unwrap();
        pages += 1;
        topics.extend(
            page.topics
                .unwrap_or_default()
                .into_iter()
                .filter_map(|t| t.topic_arn),
        );
    }
    assert_eq!(pages, 2);
    assert_eq!(topics.len(), 121);
    assert!(topics.contains(&arn));

    // A topic that does not exist is the typed error, with awsQuery's code.
    client.delete_topic().topic_arn(&arn).send().await.unwrap();
    let err = client
        .get_topic_attributes()
        .topic_arn(&arn)
        .send()
        .await
        .unwrap_err();
    match err.service_error() {
        Some(GetTopicAttributesError::NotFoundException(e)) => {
            assert!(e.message.as_deref().is_some_and(|m| !m.is_empty()));
        }
        other => panic!("expected NotFoundException, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_bucket_put_get_list_and_typed_errors_through_restxml() {
    use storage::error::{GetObjectError, ListObjectsV2Error};
    use storage::Client;
    let Some(moto) = start() else { return };
    let client = Client::new(&config(&moto));

    client
        .create_bucket()
        .bucket("photos")
        .send()
        .await
        .unwrap();

    // A streamed upload with metadata headers, read back byte for byte.
    let body: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let put = client
        .put_object()
        .bucket("photos")
        .key("2026/12/cat & dog.jpg")
        .content_type("image/jpeg")
        .metadata([("camera".to_string(), "front".to_string())].into())
        .body(body.clone().into())
        .send()
        .await
        .unwrap();
    assert!(put.e_tag.is_some());
    let got = client
        .get_object()
        .bucket("photos")
        .key("2026/12/cat & dog.jpg")
        .send()
        .await
        .unwrap();
    assert_eq!(got.content_length, Some(body.len() as i64));
    assert_eq!(got.content_type.as_deref(), Some("image/jpeg"));
    assert_eq!(
        got.metadata.unwrap().get("camera").map(String::as_str),
        Some("front")
    );
    assert_eq!(got.e_tag, put.e_tag);
    assert_eq!(&got.body.collect().await.unwrap()[..], &body[..]);

    // A listing of flattened <Contents>, three pages of two through the
    // paginator, each continuation token sent back as it came.
    for i in 0..5 {
        client
            .put_object()
            .bucket("photos")
            .key(format!("list/{i}.txt"))
            .body(format!("object {i}").into_bytes().into())
            .send()
            .await
            .unwrap();
    }
    let mut paginator = client
        .list_objects_v2()
        .bucket("photos")
        .prefix("list/")
        .max_keys(2)
        .into_paginator()
        .pages();
    let (mut pages, mut keys) = (0, Vec::new());
    while let Some(page) = paginator.next().await {
        let page = page.unwrap();
        pages += 1;
        for object in page.contents.unwrap_or_default() {
            assert!(object.last_modified.is_some() && object.size.is_some());
            keys.push(object.key.unwrap());
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(
        keys,
        [
            "list/0.txt",
            "list/1.txt",
            "list/2.txt",
            "list/3.txt",
            "list/4.txt"
        ]
    );

    // Typed errors from unwrapped `<Error>` bodies.
    let err = client
        .get_object()
        .bucket("photos")
        .key("missing")
        .send()
        .await
        .unwrap_err();
    match err.service_error() {
        Some(GetObjectError::NoSuchKey(_)) => {}
        other => panic!("expected NoSuchKey, got {other:?}"),
    }
    let err = client
        .list_objects_v2()
        .bucket("no-such-bucket")
        .send()
        .await
        .unwrap_err();
    match err.service_error() {
        Some(ListObjectsV2Error::NoSuchBucket(e)) => {
            assert_eq!(e.bucket_name.as_deref(), Some("no-such-bucket"));
        }
        other => panic!("expected NoSuchBucket, got {other:?}"),
    }

    client
        .delete_object()
        .bucket("photos")
        .key("list/0.txt")
        .send()
        .await
        .unwrap();
    let head = client
        .head_object()
        .bucket("photos")
        .key("list/0.txt")
        .send()
        .await;
    assert!(head.is_err(), "a deleted object has no head");
}
