//! Fuzz target: the runtime's CBOR reader (rpcv2Cbor bodies). On any input,
//! decoding a generated output type, an error body's fields or a document
//! returns a value or an error and never panics; a document that decodes
//! is written back and reads as the same value.

#![no_main]

use libfuzzer_sys::fuzz_target;
use smithy_client_runtime::cbor::{self, Reader, Writer};

fuzz_target!(|data: &[u8]| {
    let _ = cbor::from_slice::<rpcv2_cbor::types::GetImagesOutput>(data);
    let _ = cbor::from_slice::<rpcv2_cbor::types::PutFrameOutput>(data);
    let _ = cbor::from_slice::<rpcv2_cbor::types::PutFrameInput>(data);
    if let Ok(doc) = Reader::new(data).document() {
        let mut w = Writer::new();
        w.document(&doc);
        let bytes = w.into_bytes();
        let again = Reader::new(&bytes).document().expect("a written document reads back");
        // Documents keep NaN (CBOR carries it), which is not equal to itself:
        // their debug texts, where NaN is `NaN`, then stand in.
        assert!(
            doc == again || format!("{doc:?}") == format!("{again:?}"),
            "{doc:?} read back as {again:?}"
        );
    }
});
