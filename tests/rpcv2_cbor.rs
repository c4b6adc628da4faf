//! Behaviour tests of an rpcv2Cbor client (the `rpcv2-cbor` fixture crate):
//! the request a call sends, decoded by another CBOR implementation
//! (ciborium), the output it reads from bodies that implementation wrote,
//! an operation without input sending no body, and a modelled error.

use ciborium::value::Value;
use rpcv2_cbor::types::{ImageError, Level, Node, Shape, Square};
use rpcv2_cbor::Client;
use smithy_client_runtime::{BigDecimal, BigInteger, Blob, Config, Credentials, DateTime, Error};
use tests::Sent;

/// A client whose transport answers with `(status, body)` replies in order,
/// as an rpcv2Cbor service would, and records every request.
fn client(replies: Vec<(u16, Vec<u8>)>) -> (Sent, Client) {
    let replies = replies
        .into_iter()
        .map(|(status, body)| {
            let headers = vec![
                ("smithy-protocol", "rpc-v2-cbor"),
                ("content-type", "application/cbor"),
            ];
            (status, headers, body)
        })
        .collect();
    let (sent, transport) = tests::scripted(replies);
    let config = Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
        .http_client(transport)
        .build();
    (sent, Client::new(&config))
}

fn cbor(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).unwrap();
    out
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

/// The entry `key` of a CBOR map.
fn get<'a>(map: &'a Value, key: &str) -> &'a Value {
    map.as_map()
        .and_then(|m| m.iter().find(|(k, _)| k.as_text() == Some(key)))
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no `{key}` in {map:?}"))
}

fn header<'a>(request: &'a http::Request<Vec<u8>>, name: &str) -> Option<&'a str> {
    request.headers().get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn every_kind_of_member_is_sent_as_the_protocol_says_and_read_back() {
    let reply = Value::Map(vec![
        (text("Id"), text("f-1")),
        (
            text("Echo"),
            Value::Map(vec![
                (
                    text("Tree"),
                    Value::Map(vec![
                        (text("Value"), text("a")),
                        (text("Next"), Value::Map(vec![(text("Value"), text("b"))])),
                    ]),
                ),
                (
                    text("Shape"),
                    Value::Map(vec![(text("Circle"), Value::Float(1.5))]),
                ),
            ]),
        ),
    ]);
    let (sent, client) = client(vec![(200, cbor(&reply))]);
    let output = client
        .put_frame()
        .data(Blob::new(b"\x00\xff".to_vec()))
        .count(-7)
        .ratio(f64::NAN)
        .small(f32::INFINITY)
        .flag(true)
        .at(DateTime::from_secs_and_nanos(1_700_000_000, 250_000_000))
        .kind(ImageError::NoMedia)
        .level(Level::High)
        .shape(Shape::Square(Square::builder().side(2.0).build().unwrap()))
        .tags([("k".to_string(), "v".to_string())].into_iter().collect())
        .notes([("gone".to_string(), None)].into_iter().collect())
        .labels(vec![Some("x".into()), None])
        .huge(BigInteger::new("18446744073709551616").unwrap())
        .exact(BigDecimal::new("1.25").unwrap())
        .tree(
            Node::builder()
                .value("root")
                .next(Node::builder().value("leaf").build().unwrap())
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(output.id.as_deref(), Some("f-1"));
    let echo = output.echo.unwrap();
    assert_eq!(echo.shape, Some(Shape::Circle(1.5)));
    let tree = echo.tree.unwrap();
    assert_eq!(tree.value.as_deref(), Some("a"));
    assert_eq!(tree.next.unwrap().value.as_deref(), Some("b"));

    let sent = sent.lock().unwrap();
    let request = &sent[0];
    assert_eq!(request.method(), "POST");
    assert_eq!(
        request.uri(),
        "https://frames.us-east-1.amazonaws.com/service/Frames/operation/PutFrame"
    );
    assert_eq!(header(request, "smithy-protocol"), Some("rpc-v2-cbor"));
    assert_eq!(header(request, "content-type"), Some("application/cbor"));
    assert_eq!(header(request, "accept"), Some("application/cbor"));
    let body: Value = ciborium::from_reader(&request.body()[..]).unwrap();
    assert_eq!(get(&body, "Data"), &Value::Bytes(vec![0, 0xff]));
    assert_eq!(get(&body, "Count"), &Value::Integer((-7).into()));
    assert!(matches!(get(&body, "Ratio"), Value::Float(f) if f.is_nan()));
    assert_eq!(get(&body, "Small"), &Value::Float(f64::INFINITY));
    assert_eq!(get(&body, "Flag"), &Value::Bool(true));
    assert_eq!(
        get(&body, "At"),
        &Value::Tag(1, Box::new(Value::Float(1_700_000_000.25)))
    );
    assert_eq!(get(&body, "Kind"), &text("NO_MEDIA"));
    assert_eq!(get(&body, "Level"), &Value::Integer(2.into()));
    assert_eq!(
        get(get(get(&body, "Shape"), "Square"), "Side"),
        &Value::Float(2.0)
    );
    assert_eq!(get(get(&body, "Tags"), "k"), &text("v"));
    assert_eq!(get(get(&body, "Notes"), "gone"), &Value::Null);
    assert_eq!(
        get(&body, "Labels"),
        &Value::Array(vec![text("x"), Value::Null])
    );
    assert_eq!(get(get(get(&body, "Tree"), "Next"), "Value"), &text("leaf"));
    // Big numbers: 2^64 as a positive bignum, 1.25 as the decimal fraction [-2, 125].
    assert_eq!(
        get(&body, "Huge"),
        &Value::Tag(2, Box::new(Value::Bytes(vec![1, 0, 0, 0, 0, 0, 0, 0, 0])))
    );
    assert_eq!(
        get(&body, "Exact"),
        &Value::Tag(
            4,
            Box::new(Value::Array(vec![
                Value::Integer((-2).into()),
                Value::Integer(125.into())
            ]))
        )
    );
    // An input member the caller left unset is not sent, default or not:
    // the service applies its own.
    assert!(body
        .as_map()
        .unwrap()
        .iter()
        .all(|(k, _)| k.as_text() != Some("Retries")));
}

#[tokio::test]
async fn an_operation_without_input_sends_no_body_and_accepts_an_empty_reply() {
    let (sent, client) = client(vec![(200, Vec::new())]);
    client.ping().send().await.unwrap();
    let sent = sent.lock().unwrap();
    assert!(sent[0].body().is_empty());
    assert_eq!(header(&sent[0], "content-type"), None);
    assert_eq!(sent[0].uri().path(), "/service/Frames/operation/Ping");
}

#[tokio::test]
async fn a_page_written_with_indefinite_lengths_reads_like_a_definite_one() {
    // {_ "Images": [_ {_ "TimeStamp": 1(1700000000.5), "Error": "NO_MEDIA"}], "NextToken": "t"}
    let body = [
        &[0xbf, 0x66][..],
        b"Images",
        &[0x9f, 0xbf, 0x69],
        b"TimeStamp",
        &[0xc1, 0xfb],
        &1_700_000_000.5f64.to_be_bytes(),
        &[0x65],
        b"Error",
        &[0x68],
        b"NO_MEDIA",
        &[0xff, 0xff, 0x69],
        b"NextToken",
        &[0x61, b't', 0xff],
    ]
    .concat();
    let (_, client) = client(vec![(200, body)]);
    let page = client.get_images().stream_name("cam").send().await.unwrap();
    assert_eq!(page.next_token.as_deref(), Some("t"));
    let image = &page.images.unwrap()[0];
    assert_eq!(
        image.time_stamp,
        Some(DateTime::from_secs_and_nanos(1_700_000_000, 500_000_000))
    );
    assert_eq!(image.error, Some(ImageError::NoMedia));
}

#[tokio::test]
async fn an_error_is_chosen_by_its_type_and_a_bad_body_says_where() {
    let error = Value::Map(vec![
        (text("__type"), text("smithy.example#ResourceNotFound")),
        (text("Message"), text("no such stream")),
    ]);
    let (_, client) = client(vec![(400, cbor(&error)), (200, vec![0xbf, 0x66, b'I'])]);
    let err = client
        .get_images()
        .stream_name("cam")
        .send()
        .await
        .unwrap_err();
    let Error::Service(e) = &err else {
        panic!("{err:?}")
    };
    let rpcv2_cbor::error::GetImagesError::ResourceNotFound(found) = e.error() else {
        panic!("{err:?}")
    };
    assert_eq!(found.message.as_deref(), Some("no such stream"));
    let err = client
        .get_images()
        .stream_name("cam")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("the CBOR body does not match the model"),
        "{err}"
    );
}
