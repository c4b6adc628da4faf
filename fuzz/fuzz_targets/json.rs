//! Fuzz target: the runtime's JSON reader against `serde_json` as the oracle.
//! On any input both accept or both reject, and what both accept reads as the
//! same value; what the reader accepts writes back as text both read as that
//! value again. (A body of only white space is `{}` to the reader, as restJson1
//! says, and is left out.)

#![no_main]

use libfuzzer_sys::fuzz_target;
use smithy_client_runtime::Document;

fuzz_target!(|data: &[u8]| {
    if data.iter().all(u8::is_ascii_whitespace) {
        return;
    }
    let ours = smithy_client_runtime::json::from_slice::<Document>(data);
    let oracle = serde_json::from_slice::<serde_json::Value>(data);
    match (ours, oracle) {
        (Ok(a), Ok(b)) => {
            let input = String::from_utf8_lossy(data);
            let text = a.to_string();
            let again: serde_json::Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("wrote {text:?} for {input:?}, which is not JSON: {e}"));
            assert_eq!(again, b, "different values for {input:?}");
            assert_eq!(text.parse::<Document>().ok(), Some(a), "{input:?} written as {text:?} reads back differently");
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
