//! Fuzz target: the runtime's JSON reader against `serde_json` as the oracle.
//! On any input both accept or both reject, and what both accept reads as the
//! same value; what the reader accepts writes back as text both read as that
//! value again. (A body of only white space is `{}` to the reader, as restJson1
//! says, and is left out.) Numbers compare by value: serde_json here keeps
//! their text (`arbitrary_precision`, which the generator turns on), and
//! `1E0` written back as `1.0` is the same number.

#![no_main]

use libfuzzer_sys::fuzz_target;
use smithy_client_runtime::Document;

fuzz_target!(|data: &[u8]| {
    if data.iter().all(u8::is_ascii_whitespace) {
        return;
    }
    let ours = smithy_client_runtime::json::from_slice::<Document>(data);
    // serde_json keeping numbers' text accepts one beyond a double's range,
    // which it otherwise refuses, as the reader does in a document.
    let oracle = serde_json::from_slice::<serde_json::Value>(data)
        .ok()
        .filter(finite)
        .ok_or(());
    match (ours, oracle) {
        (Ok(a), Ok(b)) => {
            let input = String::from_utf8_lossy(data);
            let text = a.to_string();
            let again: serde_json::Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("wrote {text:?} for {input:?}, which is not JSON: {e}"));
            assert!(
                same(&again, &b),
                "different values for {input:?}: {again:?} and {b:?}"
            );
            assert_eq!(
                text.parse::<Document>().ok(),
                Some(a),
                "{input:?} written as {text:?} reads back differently"
            );
        }
        (Err(_), Err(_)) => {}
        (a, b) => panic!(
            "accept/reject differ for {:?}: reader {:?}, serde_json {:?}",
            String::from_utf8_lossy(data),
            a.map(|_| ()),
            b.map(|_| ())
        ),
    }
});

/// Every number of `v` is within a double's range.
fn finite(v: &serde_json::Value) -> bool {
    use serde_json::Value as V;
    match v {
        V::Number(n) => n.as_f64().is_some_and(f64::is_finite),
        V::Array(items) => items.iter().all(finite),
        V::Object(map) => map.values().all(finite),
        _ => true,
    }
}

/// Equal JSON values, numbers by value: integers exactly, others as doubles.
fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value as V;
    match (a, b) {
        (V::Number(x), V::Number(y)) => match (x.as_i64(), y.as_i64(), x.as_u64(), y.as_u64()) {
            (Some(i), Some(j), _, _) => i == j,
            (_, _, Some(i), Some(j)) => i == j,
            _ => x.as_f64() == y.as_f64(),
        },
        (V::Array(x), V::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (V::Object(x), V::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}
