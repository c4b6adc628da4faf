//! Runtime stage: value types that have no exact match in `std`.

use std::fmt;

/// A Smithy `document`: untyped JSON-like data.
pub type Document = serde_json::Value;

/// The value of an enum member this client does not know yet.
///
/// Services add enum values over time; a client built before the addition keeps
/// the received value here instead of failing. It cannot be constructed by users,
/// so a known value can never hide inside `Unknown`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue<T = String>(T);

impl<T> UnknownValue<T> {
    /// Used by generated code only.
    #[doc(hidden)]
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The value as received.
    pub fn value(&self) -> &T {
        &self.0
    }
}

impl UnknownValue<String> {
    /// The value as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<T: fmt::Display> fmt::Display for UnknownValue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

macro_rules! big_number {
    ($name:ident, $doc:literal) => {
        #[doc = $doc]
        ///
        /// Kept as the decimal text received, so no digit is lost.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            /// Wraps decimal text. Returns `None` if it is not a JSON number.
            pub fn new(text: impl Into<String>) -> Option<Self> {
                let text = text.into();
                // Any size: checked against JSON's number grammar, not an f64.
                let mut r = crate::json::Reader::new(&text);
                let valid = r.number_text().is_ok()
                    && r.finish().is_ok()
                    && !text.starts_with(char::is_whitespace)
                    && !text.ends_with(char::is_whitespace);
                valid.then(|| Self(text))
            }
            /// The decimal text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
            /// The nearest `f64`, for range checks.
            pub fn to_f64(&self) -> f64 {
                self.0.parse().unwrap_or(f64::NAN)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                crate::json::raw_number(&self.0)?.serialize(s)
            }
        }
    };
}

big_number!(BigInteger, "A Smithy `bigInteger`: an integer of any size.");
big_number!(
    BigDecimal,
    "A Smithy `bigDecimal`: a decimal number of any size and precision."
);

/// A builder was asked to build a value without all its required members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError {
    type_name: &'static str,
    missing: Vec<&'static str>,
}

impl BuildError {
    /// Used by generated builders.
    #[doc(hidden)]
    pub fn missing(type_name: &'static str, missing: Vec<&'static str>) -> Self {
        Self { type_name, missing }
    }

    /// The type that could not be built.
    pub fn type_name(&self) -> &str {
        self.type_name
    }

    /// The Smithy names of every required member that was not set.
    pub fn missing_members(&self) -> &[&'static str] {
        &self.missing
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot build {}: required member(s) not set: {}",
            self.type_name,
            self.missing.join(", ")
        )
    }
}

impl std::error::Error for BuildError {}
