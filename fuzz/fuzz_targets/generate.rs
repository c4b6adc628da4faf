//! Fuzz target: the model loader and the generator on arbitrary JSON AST text
//! (seeded with the fixture models). Any model may be rejected, with a report;
//! nothing may panic.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let options = smithy_codegen::Options::default();
    if let Err(report) = smithy_codegen::generate_from_texts(&[("fuzz.json", text)], None, &options) {
        let _ = report.to_string();
    }
});
