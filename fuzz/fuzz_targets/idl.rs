//! Fuzz target: the IDL reader, name resolution and the generator on
//! arbitrary text (seeded with Smithy's IDL loader tests and the fixtures'
//! IDL). Any file may be rejected, with a report; nothing may panic or hang.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let options = smithy_codegen::Options::default();
    if let Err(report) =
        smithy_codegen::generate_from_texts(&[("fuzz.smithy", text)], None, &options)
    {
        let _ = report.to_string();
    }
});
