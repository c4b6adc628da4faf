//! Runtime stage: JSON for restJson1 and awsJson bodies. Requests are written
//! by generated [`WriteJson`] impls driving [`write::Writer`]; responses are
//! read by generated [`ReadJson`] impls driving [`read::Reader`] (see that
//! module for why). The serde codecs below (`As::<…>`) serve the opt-in
//! `serde` feature of generated crates: `As::<Option<Vec<DateTimeText>>>`
//! writes an `Option<Vec<DateTime>>` with each timestamp as RFC 3339 text.

pub mod read;
pub mod write;

pub use read::{
    from_bytes, from_slice, Key, ReadError, ReadErrorKind, ReadJson, ReadJsonMembers, Reader,
};
pub use write::{to_vec, WriteJson, Writer};

use crate::DateTime;

#[cfg(feature = "serde")]
mod serde_codecs;
#[cfg(feature = "serde")]
pub use serde_codecs::*;

/// Parses epoch-seconds text exactly to the nanosecond: digits past the ninth
/// fractional one are dropped, rounding down (toward the past). Exponent
/// notation (`1.7e9`) goes through `f64`, within ±10^16 seconds.
pub fn parse_epoch_seconds(text: &str) -> Result<DateTime, String> {
    if let Some(t) = parse_decimal_epoch_seconds(text.as_bytes()) {
        return Ok(t);
    }
    match text.parse::<f64>() {
        Ok(f) if f.abs() < 1e16 && text.contains(['e', 'E']) => Ok(DateTime::from_secs_f64(f)),
        Ok(f) if f.is_finite() && text.contains(['e', 'E']) => {
            Err(format!("{text} is out of range for a timestamp"))
        }
        _ => Err(format!("{text} is not a timestamp in epoch seconds")),
    }
}

/// Plain decimal text (`1700000000`, `-1.5`, `1700000000.1234567891`), or
/// `None` for anything else.
fn parse_decimal_epoch_seconds(text: &[u8]) -> Option<DateTime> {
    let (negative, text) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let int_len = text.iter().take_while(|b| b.is_ascii_digit()).count();
    if int_len == 0 {
        return None;
    }
    let mut secs: i64 = 0;
    for &b in &text[..int_len] {
        secs = secs.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
    }
    let (mut nanos, mut dropped) = (0u32, false);
    if let Some(rest) = text.get(int_len..).filter(|r| !r.is_empty()) {
        let fraction = rest.strip_prefix(b".")?;
        if fraction.is_empty() || !fraction.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let mut scale = 100_000_000;
        for (k, &b) in fraction.iter().enumerate() {
            if k < 9 {
                nanos += u32::from(b - b'0') * scale;
                scale /= 10;
            } else {
                dropped |= b != b'0';
            }
        }
    }
    if !negative {
        return Some(DateTime::from_secs_and_nanos(secs, nanos));
    }
    // -(secs + fraction), rounded down to the nanosecond.
    let mut magnitude_nanos = nanos + u32::from(dropped);
    if magnitude_nanos == 1_000_000_000 {
        secs = secs.checked_add(1)?;
        magnitude_nanos = 0;
    }
    Some(if magnitude_nanos == 0 {
        DateTime::from_secs_and_nanos(secs.checked_neg()?, 0)
    } else {
        DateTime::from_secs_and_nanos(
            secs.checked_neg()?.checked_sub(1)?,
            1_000_000_000 - magnitude_nanos,
        )
    })
}
