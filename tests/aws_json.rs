//! Behaviour tests of an awsJson1_1 client (the `aws-json` fixture crate):
//! the request a call sends, the output it reads, the awsQuery-compatible
//! error code it reports, and endpoint discovery (one discovery call, the
//! cached endpoint reused, forgotten when the service says it is invalid).

use aws_json::Client;
use smithy_client_runtime::{Config, Credentials, Error};
use tests::Sent;

/// A canned response with a text body: status, headers and body.
type TextReply = (u16, Vec<(&'static str, &'static str)>, &'static str);

/// A client whose transport answers with `replies` in order and records
/// every request.
fn client(replies: Vec<TextReply>) -> (Sent, Client) {
    let replies = replies
        .into_iter()
        .map(|(status, headers, body)| (status, headers, body.as_bytes().to_vec()))
        .collect();
    let (sent, transport) = tests::scripted(replies);
    let config = Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
        .http_client(transport)
        .build();
    (sent, Client::new(&config))
}

fn header<'a>(request: &'a http::Request<Vec<u8>>, name: &str) -> Option<&'a str> {
    request.headers().get(name).and_then(|v| v.to_str().ok())
}

const JSON: (&str, &str) = ("content-type", "application/x-amz-json-1.1");

#[tokio::test]
async fn a_call_is_a_post_to_the_root_named_by_its_target_with_every_member_in_the_body() {
    let (sent, client) = client(vec![(
        200,
        vec![JSON],
        r#"{"MessageId":"m-1","SentAt":1700000000.5}"#,
    )]);
    let output = client
        .send_message()
        .queue_url("https://queues/1")
        .message_body("hi")
        .delay_seconds(5)
        .send()
        .await
        .unwrap();
    assert_eq!(output.message_id.as_deref(), Some("m-1"));
    assert_eq!(
        output.sent_at,
        Some(smithy_client_runtime::DateTime::from_secs_and_nanos(
            1_700_000_000,
            500_000_000
        ))
    );
    let sent = sent.lock().unwrap();
    let request = &sent[0];
    assert_eq!(request.method(), "POST");
    assert_eq!(request.uri(), "https://queues.us-east-1.amazonaws.com/");
    assert_eq!(header(request, "x-amz-target"), Some("Queues.SendMessage"));
    assert_eq!(
        header(request, "content-type"),
        Some("application/x-amz-json-1.1")
    );
    assert_eq!(header(request, "x-amzn-query-mode"), Some("true"));
    assert!(header(request, "authorization").is_some_and(|a| a.contains("/queues/aws4_request")));
    // `@jsonName` and `@httpHeader` mean nothing to awsJson: the member is
    // in the body under its own name.
    assert_eq!(header(request, "x-body"), None);
    let body: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"QueueUrl": "https://queues/1", "MessageBody": "hi", "DelaySeconds": 5})
    );
}

#[tokio::test]
async fn a_required_member_the_service_left_out_reads_as_its_zero_value() {
    let (_, client) = client(vec![(200, vec![JSON], "{}")]);
    let output = client.send_message().queue_url("q").send().await.unwrap();
    assert_eq!(output.message_id.as_deref(), Some(""));
    assert_eq!(output.sent_at, None);
}

#[tokio::test]
async fn an_error_chosen_by_its_type_reports_the_awsquery_code_the_service_sent() {
    let (_, client) = client(vec![(
        400,
        vec![
            JSON,
            (
                "x-amzn-query-error",
                "AWS.SimpleQueueService.NonExistentQueue;Sender",
            ),
        ],
        r#"{"__type":"smithy.example#QueueDoesNotExist","message":"no such queue"}"#,
    )]);
    let err = client
        .send_message()
        .queue_url("q")
        .send()
        .await
        .unwrap_err();
    let Error::Service(e) = &err else {
        panic!("expected a service error, got {err:?}");
    };
    assert!(matches!(
        e.error(),
        aws_json::error::SendMessageError::QueueDoesNotExist(_)
    ));
    assert_eq!(e.code(), Some("AWS.SimpleQueueService.NonExistentQueue"));
}

#[tokio::test]
async fn a_discovered_operation_goes_to_the_discovered_endpoint_found_once() {
    let (sent, client) = client(vec![
        (
            200,
            vec![JSON],
            r#"{"Endpoints":[{"Address":"cell-7.queues.us-east-1.amazonaws.com","CachePeriodInMinutes":10}]}"#,
        ),
        (200, vec![JSON], r#"{"Rows":["a"]}"#),
        (200, vec![JSON], r#"{"Rows":["b"]}"#),
        (200, vec![JSON], r#"{"MessageId":"m"}"#),
    ]);
    let first = client.query().query_string("x").send().await.unwrap();
    assert_eq!(first.rows, Some(vec!["a".to_string()]));
    let second = client.query().send().await.unwrap();
    assert_eq!(second.rows, Some(vec!["b".to_string()]));
    // An operation that needs no discovery keeps the regular endpoint.
    client.send_message().queue_url("q").send().await.unwrap();
    let sent = sent.lock().unwrap();
    let calls: Vec<(String, &str)> = sent
        .iter()
        .map(|r| {
            (
                r.uri().to_string(),
                header(r, "x-amz-target").unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        calls,
        [
            (
                "https://queues.us-east-1.amazonaws.com/".to_string(),
                "Queues.DescribeEndpoints"
            ),
            (
                "https://cell-7.queues.us-east-1.amazonaws.com/".to_string(),
                "Queues.Query"
            ),
            (
                "https://cell-7.queues.us-east-1.amazonaws.com/".to_string(),
                "Queues.Query"
            ),
            (
                "https://queues.us-east-1.amazonaws.com/".to_string(),
                "Queues.SendMessage"
            ),
        ]
    );
    // The discovered endpoint is still signed for the service.
    assert!(header(&sent[1], "authorization").is_some_and(|a| a.contains("/queues/aws4_request")));
}

#[tokio::test]
async fn an_invalid_endpoint_error_or_a_421_makes_the_next_call_discover_again() {
    // The model's invalid-endpoint error (whatever the status), and a
    // misdirected request (421, whatever the body), each forget the endpoint.
    for (status, body) in [
        (
            400,
            r#"{"__type":"InvalidEndpointException","Message":"moved"}"#,
        ),
        (421, "{}"),
    ] {
        let discovered = |cell: &'static str| (200, vec![JSON], cell);
        let (sent, client) = client(vec![
            discovered(
                r#"{"Endpoints":[{"Address":"cell-1.example.com","CachePeriodInMinutes":10}]}"#,
            ),
            (status, vec![JSON], body),
            discovered(
                r#"{"Endpoints":[{"Address":"cell-2.example.com","CachePeriodInMinutes":10}]}"#,
            ),
            (200, vec![JSON], r#"{"Rows":[]}"#),
        ]);
        let err = client.query().send().await.unwrap_err();
        assert!(
            matches!(&err, Error::Service(e) if e.status() == status),
            "{err:?}"
        );
        client.query().send().await.unwrap();
        let sent = sent.lock().unwrap();
        let hosts: Vec<&str> = sent.iter().map(|r| r.uri().host().unwrap()).collect();
        assert_eq!(
            hosts,
            [
                "queues.us-east-1.amazonaws.com",
                "cell-1.example.com",
                "queues.us-east-1.amazonaws.com",
                "cell-2.example.com"
            ],
            "after HTTP {status}"
        );
    }
}

#[tokio::test]
async fn a_failed_discovery_says_so_and_sends_nothing_else() {
    let (sent, client) = client(vec![(
        403,
        vec![JSON],
        r#"{"__type":"AccessDeniedException","message":"not allowed"}"#,
    )]);
    let err = client.query().send().await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("endpoint discovery for Queues failed") && text.contains("not allowed"),
        "{text}"
    );
    assert_eq!(sent.lock().unwrap().len(), 1);
}
