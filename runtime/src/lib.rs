//! Runtime stage: the hand-written code that every generated client calls.
//!
//! Generated crates depend on this crate alone. It holds the configuration
//! ([`Config`]: region, credentials, endpoint, timeouts, retries), the call
//! driver ([`client`]) with SigV4 signing and the standard retry mode
//! ([`retry`]), the replaceable HTTP transport ([`transport`]), the error types
//! ([`error`]), the operation metadata traits ([`operation`]) and the
//! pagination streams ([`paginate`]). It re-exports `smithy-client-core`: the
//! value types Smithy shapes map to ([`DateTime`], [`Blob`], [`Text`],
//! [`Document`], big numbers), the JSON and CBOR codecs ([`json`], `cbor`),
//! constraint checking ([`validation`]) and the endpoint rules engine
//! ([`endpoint`]). That half needs no network stack, so it compiles while the
//! TLS crates do.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "cbor")]
pub use smithy_client_core::cbor;
#[cfg(feature = "xml")]
pub use smithy_client_core::xml;
pub use smithy_client_core::{base64, date_time, document, endpoint, json, validation};
pub mod client;
mod compression;
mod config;
pub mod credentials;
pub mod error;
pub mod operation;
pub mod paginate;
mod profile;
pub mod progress;
#[cfg(feature = "protocol-test")]
#[doc(hidden)]
pub mod protocol_test;
#[cfg(feature = "xml")]
pub mod query;
pub mod retry;
#[doc(hidden)]
pub mod signing;
mod stream;
pub mod transport;
pub mod wire;

pub use config::{
    Config, ConfigBuilder, RequestCompression, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BODY,
    DEFAULT_RESPONSE_TIMEOUT, DEFAULT_STALL_GRACE,
};
pub use credentials::{Credentials, ProvideCredentials};
pub use error::Error;
pub use retry::RetryConfig;
pub use stream::{ByteStream, ByteStreamError};

#[cfg(feature = "aws-smithy-types")]
pub use smithy_client_core::{document_from_aws, document_to_aws};
pub use smithy_client_core::{
    BigDecimal, BigInteger, Blob, BuildError, DateTime, DateTimeFormat, Document, Text,
    UnknownValue,
};

// Generated code reaches its dependencies through these, so a generated crate
// needs a single dependency line.
#[cfg(feature = "serde")]
#[doc(hidden)]
pub use smithy_client_core::serde;
#[doc(hidden)]
pub use {bytes, http};

/// Random bytes from the operating system (through ring, the TLS provider's
/// own source), for idempotency tokens and retry jitter. Should the source
/// ever fail, the clock's nanoseconds mixed by a splitmix step stand in:
/// neither use needs secrecy, only spread.
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    use ring::rand::SecureRandom as _;
    let mut out = [0u8; N];
    if ring::rand::SystemRandom::new().fill(&mut out).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let mut x = nanos;
        for chunk in out.chunks_mut(8) {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
        }
    }
    out
}
