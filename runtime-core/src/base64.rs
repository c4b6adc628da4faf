//! Runtime stage: base64, for blobs in JSON bodies and headers.
//!
//! One SIMD codec (base64-simd picks AVX2, SSE4.1 or NEON at run time) so the
//! megabytes of image text a GetImages page carries decode at memory speed.

use std::fmt;

const ENGINE: base64_simd::Base64 = base64_simd::STANDARD;

/// Text that is not well-formed padded standard base64.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Base64Error {
    len: usize,
}

impl fmt::Display for Base64Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} bytes of text are not valid base64 (standard alphabet, padded)",
            self.len
        )
    }
}

impl std::error::Error for Base64Error {}

/// Encodes bytes as padded standard base64.
pub fn encode(bytes: &[u8]) -> String {
    ENGINE.encode_to_string(bytes)
}

/// Decodes padded standard base64 into a new buffer.
pub fn decode(text: &[u8]) -> Result<Vec<u8>, Base64Error> {
    ENGINE
        .decode_to_vec(text)
        .map_err(|_| Base64Error { len: text.len() })
}

/// Decodes padded standard base64, appending to `out`.
pub fn decode_append(text: &[u8], out: &mut Vec<u8>) -> Result<(), Base64Error> {
    let start = out.len();
    ENGINE.decode_append(text, out).map_err(|_| {
        out.truncate(start);
        Base64Error { len: text.len() }
    })
}

/// The decoded length of well-formed base64 text, without decoding it.
pub fn decoded_len(text: &[u8]) -> usize {
    let pad = text.iter().rev().take(2).filter(|&&b| b == b'=').count();
    (text.len() / 4 * 3).saturating_sub(pad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_lengths() {
        for n in 0..70 {
            let bytes: Vec<u8> = (0..n as u8).map(|b| b.wrapping_mul(37)).collect();
            let text = encode(&bytes);
            assert_eq!(decode(text.as_bytes()).unwrap(), bytes);
            assert_eq!(decoded_len(text.as_bytes()), n);
            let mut out = b"old".to_vec();
            out.clear();
            decode_append(text.as_bytes(), &mut out).unwrap();
            assert_eq!(out, bytes);
        }
    }

    #[test]
    fn malformed_text_is_an_error_and_leaves_the_buffer() {
        for bad in ["a", "ab=c", "####", "YQ", "YQ==="] {
            let mut out = b"keep".to_vec();
            assert!(decode_append(bad.as_bytes(), &mut out).is_err(), "{bad}");
            assert_eq!(out, b"keep");
        }
    }
}
