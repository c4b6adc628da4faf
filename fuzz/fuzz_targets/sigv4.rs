//! Fuzz target: the runtime's SigV4 signer (and its fast path) against
//! `aws-sigv4` for arbitrary paths, queries, headers and bodies: both must
//! produce the same `Authorization`, `X-Amz-Date` and security token.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Request {
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fuzz_target!(|r: Request| {
    let mut uri = format!("https://svc.us-east-1.example.com/{}", r.path);
    for (i, (k, v)) in r.query.iter().enumerate() {
        uri.push(if i == 0 { '?' } else { '&' });
        uri.push_str(k);
        uri.push('=');
        uri.push_str(v);
    }
    if let Err(e) = smithy_client_runtime::signing::compare_with_aws_sigv4(&uri, &r.headers, &r.body) {
        panic!("{uri} {:?}: {e}", r.headers);
    }
});
