//! Runtime stage, the half without a network stack: the value types Smithy
//! shapes map to, the JSON and CBOR codecs generated `ReadJson`/`WriteJson`
//! (`ReadCbor`/`WriteCbor`) impls drive, the XML reader, constraint checking and the endpoint
//! rules engine.
//!
//! Generated crates reach all of it through `smithy-client-runtime`, which
//! re-exports it; it is a crate of its own so that it compiles in parallel
//! with the TLS stack the rest of the runtime waits for.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod base64;
#[cfg(feature = "cbor")]
pub mod cbor;
pub mod date_time;
pub mod document;
pub mod endpoint;
pub mod json;
mod text;
pub mod validation;
mod values;
#[cfg(feature = "xml")]
pub mod xml;

pub use date_time::{DateTime, Format as DateTimeFormat};
pub use text::Text;
/// `Document` to and from `aws_smithy_types::Document` (feature `aws-smithy-types`;
/// `DateTime` and `Blob` convert with `From`/`TryFrom`).
#[cfg(feature = "aws-smithy-types")]
pub use values::aws::{document_from_aws, document_to_aws};
pub use values::{
    f32_text, float_text, BigDecimal, BigInteger, Blob, BuildError, Document, UnknownValue,
};

#[cfg(feature = "serde")]
#[doc(hidden)]
pub use serde;
