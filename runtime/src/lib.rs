//! Runtime stage: the hand-written code that every generated client calls.
//!
//! Generated crates depend on this crate alone. It holds the configuration
//! ([`Config`]: region, credentials, endpoint, timeouts, retries), the call
//! driver ([`client`]) with SigV4 signing and the standard retry mode
//! ([`retry`]), the replaceable HTTP transport ([`transport`]), the error types
//! ([`error`]), the value types Smithy shapes map to ([`DateTime`], [`Blob`],
//! [`Document`], big numbers), the JSON codecs for restJson1 bodies ([`json`]),
//! constraint checking ([`validation`]), builder errors, and the operation
//! metadata traits ([`operation`]), and the pagination streams ([`paginate`]).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod base64;
#[cfg(feature = "cbor")]
pub mod cbor;
pub mod client;
mod compression;
mod config;
pub mod credentials;
pub mod endpoint;
pub mod error;
pub mod json;
pub mod operation;
pub mod paginate;
mod profile;
pub mod progress;
#[doc(hidden)]
pub mod protocol_test;
pub mod retry;
#[doc(hidden)]
pub mod signing;
mod stream;
pub mod transport;
pub mod validation;
mod values;
pub mod wire;

pub use config::{
    Config, ConfigBuilder, RequestCompression, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BODY,
    DEFAULT_RESPONSE_TIMEOUT, DEFAULT_STALL_GRACE,
};
pub use credentials::{Credentials, ProvideCredentials};
pub use error::Error;
pub use retry::RetryConfig;
pub use stream::{ByteStream, ByteStreamError};

pub use aws_smithy_types::{date_time::Format as DateTimeFormat, DateTime};
pub use values::{BigDecimal, BigInteger, Blob, BuildError, Document, Text, UnknownValue};

// Generated code reaches its dependencies through these, so a generated crate
// needs a single dependency line.
#[doc(hidden)]
pub use {bytes, bytestring, http, serde, serde_json};
