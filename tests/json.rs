//! Behaviour tests of the restJson1 JSON mapping of generated types: request
//! bodies as the service expects them, and responses as services send them.

// The timestamps below are written with all nine fractional digits on purpose:
// they are the exact wire text the generated code must produce.
#![allow(clippy::excessive_precision)]

use kinesis_video_archived_media::types::*;
use kinesis_video_archived_media::DateTime;
use serde_json::json;

#[test]
fn get_images_input_serialises_to_the_expected_body() {
    let input = GetImagesInput::builder()
        .stream_name("my-stream")
        .image_selector_type(ImageSelectorType::ServerTimestamp)
        .start_timestamp(DateTime::from_secs_and_nanos(1_700_000_000, 500_000_000))
        .end_timestamp(DateTime::from_secs_and_nanos(1_700_000_060, 123_456_789))
        .sampling_interval(3000)
        .format(Format::Jpeg)
        .format_config(
            [(FormatConfigKey::JpegQuality, "80".to_string())]
                .into_iter()
                .collect(),
        )
        .width_pixels(640)
        .height_pixels(480)
        .max_results(25)
        .build()
        .unwrap();
    let body = String::from_utf8(smithy_client_runtime::json::to_vec(&input).unwrap()).unwrap();
    // Compare as JSON, and check the exact number text of the timestamps, which
    // must not have gone through a float. The expected value is parsed from
    // text as the body is, so the two compare alike whether or not serde_json
    // keeps numbers' digits (`arbitrary_precision`, which the generator turns on).
    let expected: serde_json::Value = serde_json::from_str(
        r#"{
            "StreamName": "my-stream",
            "ImageSelectorType": "SERVER_TIMESTAMP",
            "StartTimestamp": 1700000000.5,
            "EndTimestamp": 1700000060.123456789,
            "SamplingInterval": 3000,
            "Format": "JPEG",
            "FormatConfig": {"JPEGQuality": "80"},
            "WidthPixels": 640,
            "HeightPixels": 480,
            "MaxResults": 25
        }"#,
    )
    .unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap(),
        expected
    );
    assert!(
        body.contains("\"EndTimestamp\":1700000060.123456789"),
        "{body}"
    );
    assert!(body.contains("\"StartTimestamp\":1700000000.5"), "{body}");
    // Absent optional members are left out, not sent as null.
    assert!(
        !body.contains("StreamARN") && !body.contains("NextToken") && !body.contains("null"),
        "{body}"
    );
}

#[test]
fn get_images_response_parses_with_unknown_fields_errors_and_new_enum_values() {
    let body = br#"{
        "Images": [
            {"TimeStamp": 1700000000.123456789, "ImageContent": "iVBORw0KGgo=", "Extra": {"nested": [1, 2]}},
            {"TimeStamp": 1700000001, "Error": "NO_MEDIA"},
            {"TimeStamp": 1700000002.5, "Error": "MEDIA_ERROR"},
            {"TimeStamp": 1700000003, "Error": "FUTURE_ERROR_KIND"},
            {"TimeStamp": null, "Error": null, "ImageContent": null}
        ],
        "NextToken": "QUJDRA==",
        "SomethingNew": true
    }"#;
    let out: GetImagesOutput = smithy_client_runtime::json::from_slice(body).unwrap();
    let images = out.images.as_ref().unwrap();
    assert_eq!(images.len(), 5);
    assert_eq!(
        images[0].time_stamp,
        Some(DateTime::from_secs_and_nanos(1_700_000_000, 123_456_789))
    );
    assert_eq!(images[0].image_content.as_deref(), Some("iVBORw0KGgo="));
    assert_eq!(images[0].error, None);
    assert_eq!(images[1].error, Some(ImageError::NoMedia));
    assert_eq!(images[2].error, Some(ImageError::MediaError));
    assert_eq!(
        images[2].time_stamp,
        Some(DateTime::from_secs_and_nanos(1_700_000_002, 500_000_000))
    );
    let unknown = images[3].error.as_ref().unwrap();
    assert!(!unknown.is_known());
    assert_eq!(unknown.as_str(), "FUTURE_ERROR_KIND");
    assert_eq!(images[4], Image::builder().build().unwrap());
    assert_eq!(out.next_token.as_deref(), Some("QUJDRA=="));
    // An unknown value survives a round trip unchanged.
    let again: serde_json::Value =
        serde_json::from_slice(&smithy_client_runtime::json::to_vec(&images[3]).unwrap()).unwrap();
    assert_eq!(again["Error"], "FUTURE_ERROR_KIND");
}

#[test]
fn empty_body_is_an_empty_output() {
    let out: GetImagesOutput = smithy_client_runtime::json::from_slice(b"").unwrap();
    assert_eq!(out, GetImagesOutput::builder().build().unwrap());
}

#[test]
fn defaults_fill_absent_and_null_members() {
    let out: ListFragmentsOutput = smithy_client_runtime::json::from_slice(
        r#"{"Fragments": [{"FragmentNumber": "91343852333181432392682062607743920146264291112"},
                          {"FragmentNumber": "2", "FragmentSizeInBytes": null, "FragmentLengthInMilliseconds": 2002,
                           "ProducerTimestamp": 1.000000001, "ServerTimestamp": -1.5}]}"#.as_bytes(),
    )
    .unwrap();
    let f = out.fragments.unwrap();
    assert_eq!(
        (
            f[0].fragment_size_in_bytes,
            f[0].fragment_length_in_milliseconds
        ),
        (0, 0)
    );
    assert_eq!(
        (
            f[1].fragment_size_in_bytes,
            f[1].fragment_length_in_milliseconds
        ),
        (0, 2002)
    );
    assert_eq!(
        f[1].producer_timestamp,
        Some(DateTime::from_secs_and_nanos(1, 1))
    );
    assert_eq!(
        f[1].server_timestamp,
        Some(DateTime::from_secs_and_nanos(-2, 500_000_000))
    );
    // Members with defaults are always written.
    let body: serde_json::Value = serde_json::from_slice(
        &smithy_client_runtime::json::to_vec(
            &Fragment::builder().fragment_number("7").build().unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        body,
        json!({"FragmentNumber": "7", "FragmentSizeInBytes": 0, "FragmentLengthInMilliseconds": 0})
    );
}

#[test]
fn malformed_bodies_are_errors_not_panics() {
    for body in [
        &b"{"[..],
        b"not json",
        b"{\"Images\": 5}",
        b"{\"Images\": [{\"TimeStamp\": \"yesterday\"}]}",
        b"[1,2]",
    ] {
        let parsed = smithy_client_runtime::json::from_slice::<GetImagesOutput>(body);
        assert!(
            parsed.is_err(),
            "{:?} should not parse",
            String::from_utf8_lossy(body)
        );
    }
    let e = smithy_client_runtime::json::from_slice::<GetImagesOutput>(
        b"{\"Images\": [{}, {\"TimeStamp\": \"yesterday\"}]}",
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "expected a number, found a string at line 1, column 31 (in `Images[1].TimeStamp`)"
    );
}

#[test]
fn modelled_errors_display_code_and_message() {
    let e: ResourceNotFoundException =
        smithy_client_runtime::json::from_slice(r#"{"Message": "no stream called x"}"#.as_bytes())
            .unwrap();
    assert_eq!(
        e.to_string(),
        "ResourceNotFoundException: no stream called x"
    );
    // Services spell the key in more than one way.
    for key in ["message", "errorMessage"] {
        let body = format!("{{\"{key}\": \"no stream called y\"}}");
        let e: ResourceNotFoundException =
            smithy_client_runtime::json::from_slice(body.as_bytes()).unwrap();
        assert_eq!(e.message(), Some("no stream called y"), "{key}");
    }
    use smithy_client_runtime::operation::ModeledError;
    assert_eq!(ResourceNotFoundException::HTTP_STATUS, 404);
    let flags = (
        ClientLimitExceededException::THROTTLING,
        ClientLimitExceededException::RETRYABLE,
        NotAuthorizedException::RETRYABLE,
    );
    assert_eq!(flags, (true, true, false));
}

#[test]
fn the_serde_feature_gives_a_protocol_independent_form() {
    // Member names as keys, timestamps as RFC 3339 text, enums as their
    // values; the wire form (epoch seconds here) is the JSON writer's job.
    let input = GetImagesInput::builder()
        .stream_name("my-stream")
        .image_selector_type(ImageSelectorType::ServerTimestamp)
        .start_timestamp(DateTime::from_secs_and_nanos(1_700_000_000, 500_000_000))
        .end_timestamp(DateTime::from_secs(1_700_000_060))
        .format(Format::Jpeg)
        .build()
        .unwrap();
    assert_eq!(
        serde_json::to_value(&input).unwrap(),
        json!({
            "StreamName": "my-stream",
            "ImageSelectorType": "SERVER_TIMESTAMP",
            "StartTimestamp": "2023-11-14T22:13:20.5Z",
            "EndTimestamp": "2023-11-14T22:14:20Z",
            "Format": "JPEG"
        })
    );
}
