//! Runtime stage: the hand-written code that every generated client calls.
//!
//! Generated crates depend on this crate alone. It holds the value types Smithy
//! shapes map to ([`DateTime`], [`Blob`], [`Document`], big numbers), the JSON
//! codecs for restJson1 bodies ([`json`]), constraint checking ([`validation`]),
//! builder errors, and the operation metadata traits ([`operation`]).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod json;
pub mod operation;
pub mod validation;
mod values;

pub use aws_smithy_types::{Blob, DateTime};
pub use values::{BigDecimal, BigInteger, BuildError, Document, UnknownValue};

// Generated code reaches its dependencies through these, so a generated crate
// needs a single dependency line.
#[doc(hidden)]
pub use {regex, serde, serde_json};
