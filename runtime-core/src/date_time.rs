//! Runtime stage: the timestamp type Smithy `timestamp` shapes map to, and its
//! three wire formats (RFC 3339 `date-time`, IMF-fixdate `http-date`, and
//! `epoch-seconds`).
//!
//! It behaves as `aws_smithy_types::DateTime` does (the tests use that crate as
//! the oracle), without its dependency on the `time` crate; the
//! `aws-smithy-types` feature converts between the two.

use std::cmp::Ordering;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const NANOS_PER_SECOND: i128 = 1_000_000_000;

/// An instant: whole seconds since the Unix epoch plus nanoseconds (always
/// below one second, so an instant before 1970 has negative seconds and
/// positive nanoseconds).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    seconds: i64,
    nanos: u32,
}

/// The ways Smithy protocols write a timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// RFC 3339 in UTC, e.g. `2019-12-16T23:48:18Z`; reading refuses offsets.
    DateTime,
    /// RFC 3339; reading accepts offsets, e.g. `2019-12-16T23:48:18+01:00`.
    DateTimeWithOffset,
    /// IMF-fixdate, e.g. `Mon, 16 Dec 2019 23:48:18 GMT`.
    HttpDate,
    /// Seconds since the epoch, with a fraction when needed, e.g. `1576540098.52`.
    EpochSeconds,
}

/// A timestamp's text could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateTimeParseError(String);

/// A timestamp cannot be written in the format asked for (its year is
/// outside 1 to 9999).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateTimeFormatError(String);

/// A timestamp does not fit the type it is converted to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversionError(&'static str);

macro_rules! error_impls {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl std::error::Error for $t {}
    )*};
}
error_impls!(DateTimeParseError, DateTimeFormatError, ConversionError);

fn invalid(why: impl Into<String>) -> DateTimeParseError {
    DateTimeParseError(why.into())
}

impl DateTime {
    /// Whole seconds since the epoch.
    pub const fn from_secs(epoch_seconds: i64) -> Self {
        DateTime {
            seconds: epoch_seconds,
            nanos: 0,
        }
    }

    /// Seconds and nanoseconds since the epoch; nanoseconds of a second or
    /// more carry into the seconds.
    pub const fn from_secs_and_nanos(seconds: i64, nanos: u32) -> Self {
        DateTime {
            seconds: seconds.saturating_add((nanos / 1_000_000_000) as i64),
            nanos: nanos % 1_000_000_000,
        }
    }

    /// Milliseconds since the epoch.
    pub fn from_millis(epoch_millis: i64) -> Self {
        DateTime {
            seconds: epoch_millis.div_euclid(1000),
            nanos: epoch_millis.rem_euclid(1000) as u32 * 1_000_000,
        }
    }

    /// Nanoseconds since the epoch.
    pub fn from_nanos(epoch_nanos: i128) -> Result<Self, ConversionError> {
        let seconds = i64::try_from(epoch_nanos.div_euclid(NANOS_PER_SECOND))
            .map_err(|_| ConversionError("the nanoseconds are too many for a DateTime"))?;
        Ok(DateTime {
            seconds,
            nanos: epoch_nanos.rem_euclid(NANOS_PER_SECOND) as u32,
        })
    }

    /// Whole seconds plus a fraction of a second in `[0, 1)`.
    pub fn from_fractional_secs(epoch_seconds: i64, fraction: f64) -> Self {
        let nanos = (fraction * 1e9) as u32;
        DateTime::from_secs_and_nanos(epoch_seconds, nanos.min(1_000_000_000))
    }

    /// Seconds since the epoch as a float (precision is lost far from 1970).
    pub fn from_secs_f64(epoch_seconds: f64) -> Self {
        let floor = epoch_seconds.floor();
        DateTime::from_fractional_secs(floor as i64, epoch_seconds - floor)
    }

    /// Reads `text` in `format`.
    pub fn from_str(text: &str, format: Format) -> Result<Self, DateTimeParseError> {
        match format {
            Format::DateTime => parse_rfc3339(text, false),
            Format::DateTimeWithOffset => parse_rfc3339(text, true),
            Format::HttpDate => parse_http_date(text),
            Format::EpochSeconds => parse_epoch_seconds(text),
        }
    }

    /// Writes the instant in `format`.
    pub fn fmt(&self, format: Format) -> Result<String, DateTimeFormatError> {
        match format {
            Format::DateTime | Format::DateTimeWithOffset => self.rfc3339(),
            Format::HttpDate => self.http_date(),
            Format::EpochSeconds => Ok(self.epoch_seconds()),
        }
    }

    /// Whole seconds since the epoch (rounded down).
    pub const fn secs(&self) -> i64 {
        self.seconds
    }

    /// Nanoseconds past [`secs`](Self::secs).
    pub const fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// Whether there is a fraction of a second.
    pub const fn has_subsec_nanos(&self) -> bool {
        self.nanos != 0
    }

    /// Nanoseconds since the epoch.
    pub const fn as_nanos(&self) -> i128 {
        self.seconds as i128 * NANOS_PER_SECOND + self.nanos as i128
    }

    /// Seconds since the epoch as a float.
    pub fn as_secs_f64(&self) -> f64 {
        self.seconds as f64 + f64::from(self.nanos) / 1e9
    }

    /// Milliseconds since the epoch (rounded down).
    pub fn to_millis(self) -> Result<i64, ConversionError> {
        self.seconds
            .checked_mul(1000)
            .and_then(|ms| ms.checked_add(i64::from(self.nanos / 1_000_000)))
            .ok_or(ConversionError(
                "the DateTime is too far from 1970 for i64 milliseconds",
            ))
    }

    fn epoch_seconds(&self) -> String {
        if self.nanos == 0 {
            return self.seconds.to_string();
        }
        let mut out = if self.seconds < 0 {
            format!(
                "-{}.{:09}",
                self.seconds.unsigned_abs() - 1,
                1_000_000_000 - self.nanos
            )
        } else {
            format!("{}.{:09}", self.seconds, self.nanos)
        };
        while out.ends_with('0') {
            out.pop();
        }
        out
    }

    /// (year, month, day, hour, minute, second) in UTC.
    fn civil(&self) -> (i64, u32, u32, u32, u32, u32) {
        let days = self.seconds.div_euclid(86_400);
        let rest = self.seconds.rem_euclid(86_400) as u32;
        let (y, m, d) = civil_from_days(days);
        (y, m, d, rest / 3600, rest % 3600 / 60, rest % 60)
    }

    fn rfc3339(&self) -> Result<String, DateTimeFormatError> {
        let (y, mo, d, h, mi, s) = self.civil();
        if !(1..=9999).contains(&y) {
            return Err(DateTimeFormatError(format!(
                "{} (epoch seconds) is outside the years 0001 to 9999 that RFC 3339 date-times can hold",
                self.epoch_seconds()
            )));
        }
        let mut out = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
        // Microseconds, as the AWS SDKs write them.
        let micros = self.nanos / 1000;
        if micros > 0 {
            let mut fraction = format!(".{micros:06}");
            while fraction.ends_with('0') {
                fraction.pop();
            }
            out.push_str(&fraction);
        }
        out.push('Z');
        Ok(out)
    }

    fn http_date(&self) -> Result<String, DateTimeFormatError> {
        const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let (y, mo, d, h, mi, s) = self.civil();
        if !(1..=9999).contains(&y) {
            return Err(DateTimeFormatError(format!(
                "{} (epoch seconds) is outside the years 0001 to 9999 that HTTP dates can hold",
                self.epoch_seconds()
            )));
        }
        let weekday = DAYS[self.seconds.div_euclid(86_400).rem_euclid(7) as usize];
        let month = MONTHS[mo as usize - 1];
        Ok(format!(
            "{weekday}, {d:02} {month} {y:04} {h:02}:{mi:02}:{s:02} GMT"
        ))
    }
}

fn digits(bytes: &[u8]) -> Result<u32, DateTimeParseError> {
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) {
        return Err(invalid(format!(
            "`{}` is not a number",
            String::from_utf8_lossy(bytes)
        )));
    }
    Ok(bytes.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
}

/// Nanoseconds from fraction digits (any number; beyond nine are dropped).
fn fraction_nanos(bytes: &[u8]) -> Result<u32, DateTimeParseError> {
    let nine = &bytes[..bytes.len().min(9)];
    let n = digits(bytes).and(digits(nine))?;
    Ok(n * 10u32.pow(9 - nine.len() as u32))
}

fn instant(
    (y, mo, d): (i64, u32, u32),
    (h, mi, s, nanos): (u32, u32, u32, u32),
) -> Result<DateTime, DateTimeParseError> {
    if !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y, mo) {
        return Err(invalid(format!("{y:04}-{mo:02}-{d:02} is not a date")));
    }
    if h > 23 || mi > 59 || s > 59 {
        return Err(invalid(format!(
            "{h:02}:{mi:02}:{s:02} is not a time of day"
        )));
    }
    let secs = days_from_civil(y, mo, d) * 86_400 + i64::from(h * 3600 + mi * 60 + s);
    Ok(DateTime::from_secs_and_nanos(secs, nanos))
}

/// RFC 3339: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
fn parse_rfc3339(text: &str, offsets: bool) -> Result<DateTime, DateTimeParseError> {
    let s = text.as_bytes();
    let bad = || invalid(format!("`{text}` is not an RFC 3339 date-time"));
    if !offsets && s.last() != Some(&b'Z') {
        return Err(invalid(format!(
            "`{text}` has a time zone offset; Smithy date-times are in UTC (`Z`)"
        )));
    }
    if s.len() < 20
        || s[4] != b'-'
        || s[7] != b'-'
        || !matches!(s[10], b'T' | b't')
        || s[13] != b':'
        || s[16] != b':'
    {
        return Err(bad());
    }
    let date = (
        i64::from(digits(&s[0..4])?),
        digits(&s[5..7])?,
        digits(&s[8..10])?,
    );
    let (h, mi, sec) = (
        digits(&s[11..13])?,
        digits(&s[14..16])?,
        digits(&s[17..19])?,
    );
    let mut rest = &s[19..];
    let mut nanos = 0;
    if rest.first() == Some(&b'.') {
        let end = rest[1..]
            .iter()
            .position(|b| !b.is_ascii_digit())
            .map_or(rest.len(), |p| p + 1);
        nanos = fraction_nanos(&rest[1..end])?;
        rest = &rest[end..];
    }
    let offset = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (oh, om) = (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?);
            if oh > 23 || om > 59 {
                return Err(bad());
            }
            let minutes = i64::from(oh * 60 + om);
            if *sign == b'+' {
                minutes
            } else {
                -minutes
            }
        }
        _ => return Err(bad()),
    };
    let local = instant(date, (h, mi, sec, nanos))?;
    Ok(DateTime::from_secs_and_nanos(
        local.seconds - offset * 60,
        local.nanos,
    ))
}

/// IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`, with up to three digits of
/// a second's fraction (as the AWS SDKs read it).
fn parse_http_date(text: &str) -> Result<DateTime, DateTimeParseError> {
    let s = text.trim().as_bytes();
    let bad = || invalid(format!("`{text}` is not an HTTP date (IMF-fixdate)"));
    if !text.is_ascii()
        || s.len() < 29
        || s.len() > 33
        || !s.ends_with(b" GMT")
        || s[16] != b' '
        || s[19] != b':'
        || s[22] != b':'
    {
        return Err(bad());
    }
    let nanos = match s[25] {
        b'.' => {
            let fraction = &s[26..s.len() - 4];
            if fraction.len() > 3 {
                return Err(invalid(format!(
                    "`{text}`: an HTTP date has at most millisecond precision"
                )));
            }
            fraction_nanos(fraction)?
        }
        b' ' => 0,
        _ => return Err(bad()),
    };
    const MONTHS: [&[u8]; 12] = [
        b" Jan ", b" Feb ", b" Mar ", b" Apr ", b" May ", b" Jun ", b" Jul ", b" Aug ", b" Sep ",
        b" Oct ", b" Nov ", b" Dec ",
    ];
    let month = MONTHS
        .iter()
        .position(|m| *m == &s[7..12])
        .ok_or_else(bad)? as u32
        + 1;
    let date = (i64::from(digits(&s[12..16])?), month, digits(&s[5..7])?);
    let time = (
        digits(&s[17..19])?,
        digits(&s[20..22])?,
        digits(&s[23..25])?,
        nanos,
    );
    instant(date, time)
}

/// `-?digits(.digits{1,9})?`.
fn parse_epoch_seconds(text: &str) -> Result<DateTime, DateTimeParseError> {
    let bad = || invalid(format!("`{text}` is not epoch seconds"));
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (text, None),
    };
    let seconds: i64 = whole.parse().map_err(|_| bad())?;
    let Some(fraction) = fraction else {
        return Ok(DateTime::from_secs(seconds));
    };
    if fraction.len() > 9 {
        return Err(invalid(format!(
            "`{text}`: epoch seconds have at most nine decimal places"
        )));
    }
    let nanos = fraction_nanos(fraction.as_bytes()).map_err(|_| bad())?;
    if nanos != 0 && whole.starts_with('-') {
        let seconds = seconds.checked_sub(1).ok_or_else(bad)?;
        return Ok(DateTime::from_secs_and_nanos(
            seconds,
            1_000_000_000 - nanos,
        ));
    }
    Ok(DateTime::from_secs_and_nanos(seconds, nanos))
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard
/// Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

impl PartialOrd for DateTime {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for DateTime {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.seconds, self.nanos).cmp(&(other.seconds, other.nanos))
    }
}

impl fmt::Display for DateTime {
    /// RFC 3339, or epoch seconds for a year outside 1 to 9999.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.rfc3339() {
            Ok(text) => f.write_str(&text),
            Err(_) => f.write_str(&self.epoch_seconds()),
        }
    }
}

impl fmt::Debug for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl From<SystemTime> for DateTime {
    fn from(time: SystemTime) -> Self {
        match time.duration_since(UNIX_EPOCH) {
            Ok(d) => DateTime::from_secs_and_nanos(
                i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                d.subsec_nanos(),
            ),
            Err(e) => {
                let before = e.duration();
                let nanos = -(before.as_nanos() as i128);
                DateTime::from_nanos(nanos).unwrap_or(DateTime::from_secs(i64::MIN))
            }
        }
    }
}

impl TryFrom<DateTime> for SystemTime {
    type Error = ConversionError;

    fn try_from(t: DateTime) -> Result<Self, ConversionError> {
        let overflow = ConversionError("the DateTime is outside what SystemTime can hold");
        if t.seconds >= 0 {
            UNIX_EPOCH
                .checked_add(Duration::new(t.seconds.unsigned_abs(), t.nanos))
                .ok_or(overflow)
        } else {
            let before = Duration::new(t.seconds.unsigned_abs(), 0)
                .checked_sub(Duration::new(0, t.nanos))
                .ok_or(ConversionError(
                    "the DateTime is outside what SystemTime can hold",
                ))?;
            UNIX_EPOCH.checked_sub(before).ok_or(overflow)
        }
    }
}

#[cfg(feature = "aws-smithy-types")]
mod aws {
    use super::*;

    impl From<aws_smithy_types::DateTime> for DateTime {
        fn from(t: aws_smithy_types::DateTime) -> Self {
            DateTime::from_secs_and_nanos(t.secs(), t.subsec_nanos())
        }
    }

    impl From<DateTime> for aws_smithy_types::DateTime {
        fn from(t: DateTime) -> Self {
            aws_smithy_types::DateTime::from_secs_and_nanos(t.secs(), t.subsec_nanos())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_types::date_time::Format as AwsFormat;
    use aws_smithy_types::DateTime as Aws;

    const FORMATS: [(Format, AwsFormat); 4] = [
        (Format::DateTime, AwsFormat::DateTime),
        (Format::DateTimeWithOffset, AwsFormat::DateTimeWithOffset),
        (Format::HttpDate, AwsFormat::HttpDate),
        (Format::EpochSeconds, AwsFormat::EpochSeconds),
    ];

    /// Every format writes what aws-smithy-types writes, over instants from
    /// before year 1 to after 9999, with and without fractions.
    #[test]
    fn formatting_matches_aws_smithy_types() {
        let mut secs: i64 = -62_200_000_000;
        let mut step = 0u32;
        while secs < 253_500_000_000 {
            for nanos in [0, 1, 999, 1000, 500_000_000, 123_456_789, 999_999_999] {
                let ours = DateTime::from_secs_and_nanos(secs, nanos);
                let aws = Aws::from_secs_and_nanos(secs, nanos);
                for (f, af) in FORMATS {
                    assert_eq!(ours.fmt(f).ok(), aws.fmt(af).ok(), "{secs} {nanos} {f:?}");
                }
                assert_eq!(ours.to_string(), aws.to_string());
                assert_eq!(ours.as_secs_f64(), aws.as_secs_f64());
            }
            step += 1;
            secs += 86_399 * 151 + i64::from(step % 97) * 3_607;
        }
    }

    /// Reading agrees with aws-smithy-types on well-formed and malformed text.
    #[test]
    fn parsing_matches_aws_smithy_types() {
        let cases = [
            "1985-04-12T23:20:50.52Z",
            "1985-04-12T23:20:50Z",
            "1985-04-12t23:20:50z",
            "1985-04-12T23:20:50.123456789Z",
            "1985-04-12T23:20:50.1234567891Z",
            "1985-04-12T23:20:50-02:00",
            "1985-04-12T23:20:50+14:30",
            "1985-04-12 23:20:50Z",
            "1985-02-29T23:20:50Z",
            "2000-02-29T23:20:50Z",
            "1985-04-12T24:00:00Z",
            "1985-13-12T23:20:50Z",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999999Z",
            "1985-04-12T23:20:50.Z",
            "1985-04-12T23:20Z",
            "",
            "Mon, 16 Dec 2019 23:48:18 GMT",
            "Mon, 16 Dec 2019 23:48:18.1 GMT",
            "Mon, 16 Dec 2019 23:48:18.123 GMT",
            "Mon, 16 Dec 2019 23:48:18.1234 GMT",
            "Mon, 16 Dex 2019 23:48:18 GMT",
            "Mon, 31 Apr 2019 23:48:18 GMT",
            "Mon, 16 Dec 2019 23:48:18 UTC",
            "  Mon, 16 Dec 2019 23:48:18 GMT  ",
            "Mon, 16 Dec 0000 23:48:18 GMT",
            "1576540098",
            "1576540098.52",
            "-1.5",
            "-0.000000001",
            "1.1234567890",
            "1.+5",
            "1.-5",
            "+1",
            "1e5",
            "-9223372036854775808.5",
        ];
        for text in cases {
            for (f, af) in FORMATS {
                let ours = DateTime::from_str(text, f).ok();
                let aws = Aws::from_str(text, af).ok();
                assert_eq!(
                    ours.map(|t| (t.secs(), t.subsec_nanos())),
                    aws.map(|t| (t.secs(), t.subsec_nanos())),
                    "{text:?} {f:?}"
                );
            }
        }
    }

    #[test]
    fn system_time_round_trips() {
        for (secs, nanos) in [(0, 0), (1_700_000_000, 5), (-1, 999_999_999), (-86_401, 1)] {
            let t = DateTime::from_secs_and_nanos(secs, nanos);
            let back: DateTime = SystemTime::try_from(t).unwrap().into();
            assert_eq!(back, t);
        }
        assert!(DateTime::from_secs_and_nanos(-1, 1) < DateTime::from_secs(0));
    }
}
