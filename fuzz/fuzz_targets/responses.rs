//! Fuzz target: every response and error parser of the generated Kinesis
//! Video crates, on arbitrary bytes with an arbitrary status and headers. The
//! input is `[operation, status hi, status lo, header bits, body…]`, so a JSON
//! body from `tests/exchanges/` behind four bytes is a useful seed. Parsers
//! may reject anything; they must not panic.

#![no_main]

use kinesis_video::operations as control;
use kinesis_video_archived_media::operations as media;
use libfuzzer_sys::fuzz_target;
use smithy_client_runtime::client::OperationResponse;
use smithy_client_runtime::error::{ErrorResponse, OperationError};
use smithy_client_runtime::operation::Operation;

/// Headers the parsers read, switched on by the bits of one byte.
const HEADERS: [(&str, &str); 8] = [
    ("content-type", "video/mp4"),
    ("x-amzn-errortype", "ResourceNotFoundException:http://internal"),
    ("x-amzn-requestid", "req-1"),
    ("x-amzn-errortype", "ClientLimitExceededException"),
    ("content-type", "application/json"),
    ("x-amz-producer-start-timestamp", "not a number"),
    ("content-length", "3"),
    ("x-amzn-errortype", ""),
];

fn parse<O: Operation>(status: u16, headers: &http::HeaderMap, body: &[u8]) {
    let body = bytes::Bytes::copy_from_slice(body);
    let mut response = OperationResponse::new(status, headers.clone(), body.clone());
    let _ = O::response(&mut response);
    let error = ErrorResponse::new(status, headers, &body);
    let parsed = O::Error::from_response(&error);
    let _ = (parsed.to_string(), parsed.retry_kind());
}

fuzz_target!(|data: &[u8]| {
    let [op, hi, lo, bits, body @ ..] = data else {
        return;
    };
    let status = u16::from_be_bytes([*hi, *lo]) % 600;
    let mut headers = http::HeaderMap::new();
    for (i, (name, value)) in HEADERS.iter().enumerate() {
        if bits & (1 << i) != 0 {
            headers.append(*name, http::HeaderValue::from_static(value));
        }
    }
    match op % 7 {
        0 => parse::<media::GetImages>(status, &headers, body),
        1 => parse::<media::ListFragments>(status, &headers, body),
        2 => parse::<media::GetClip>(status, &headers, body),
        3 => parse::<media::GetMediaForFragmentList>(status, &headers, body),
        4 => parse::<media::GetHlsStreamingSessionUrl>(status, &headers, body),
        5 => parse::<media::GetDashStreamingSessionUrl>(status, &headers, body),
        _ => parse::<control::GetDataEndpoint>(status, &headers, body),
    }
});
