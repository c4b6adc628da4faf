//! Runtime stage: request body compression (`@requestCompression`).
//!
//! Compression is an optimisation a client may skip, so it sits behind the
//! default `request-compression` feature; without it, bodies go out as they are.

/// The body compressed with `encoding`, or `None` for an encoding this
/// client does not support (the next one the model lists is tried).
#[cfg(feature = "request-compression")]
pub(crate) fn encode(encoding: &str, body: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write as _;
    match encoding {
        "gzip" => {
            let mut encoder = flate2::write::GzEncoder::new(
                Vec::with_capacity(body.len() / 2),
                flate2::Compression::default(),
            );
            encoder.write_all(body).ok()?;
            encoder.finish().ok()
        }
        _ => None,
    }
}

#[cfg(not(feature = "request-compression"))]
pub(crate) fn encode(_encoding: &str, _body: &[u8]) -> Option<Vec<u8>> {
    None
}
