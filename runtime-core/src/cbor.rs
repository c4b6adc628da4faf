//! Runtime stage: CBOR for rpcv2Cbor bodies, on `minicbor`. Generated code
//! implements [`WriteCbor`] for what it sends and [`ReadCbor`] for what it
//! receives, member by member, with the protocol's rules: timestamps are
//! tag 1 around epoch seconds, blobs are byte strings, floats keep NaN and
//! the infinities, and definite and indefinite lengths are both accepted.

use crate::document::Number;
use crate::{BigDecimal, BigInteger, Blob, DateTime, Document};
use minicbor::data::{Tag, Type};
use minicbor::{Decoder, Encoder};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

/// Nesting deeper than this is refused, so no body can exhaust the stack.
const MAX_DEPTH: u32 = 256;

/// The CBOR tag of an epoch-seconds timestamp.
const EPOCH_TAG: u64 = 1;
/// Bignums (RFC 8949 §3.4.3): positive, and negative (`-1 - n`).
const POSITIVE_BIGNUM: u64 = 2;
const NEGATIVE_BIGNUM: u64 = 3;
/// A decimal fraction, `[exponent, mantissa]` (§3.4.4).
const DECIMAL_FRACTION: u64 = 4;
/// The longest bignum read: converting one to decimal takes time quadratic
/// in its length, so a body cannot make the client spin.
const MAX_BIGNUM_BYTES: usize = 1024;

/// A type generated code writes as CBOR.
pub trait WriteCbor {
    /// Writes the value.
    fn write_cbor(&self, w: &mut Writer);
}

/// A type generated code reads from CBOR.
pub trait ReadCbor: Sized {
    /// Reads one value.
    fn read_cbor(r: &mut Reader<'_>) -> Result<Self, ReadError>;
}

/// Encodes `value`, or says why it cannot be sent.
pub fn to_vec<T: WriteCbor + ?Sized>(value: &T) -> Result<Vec<u8>, String> {
    let mut w = Writer::new();
    value.write_cbor(&mut w);
    match w.failure {
        Some(reason) => Err(reason),
        None => Ok(w.into_bytes()),
    }
}

/// Decodes a `T` from a whole body. An empty body is an empty map, as the
/// protocol allows for an output without members.
pub fn from_slice<T: ReadCbor>(bytes: &[u8]) -> Result<T, ReadError> {
    const EMPTY_MAP: &[u8] = &[0xbf, 0xff];
    let bytes = if bytes.is_empty() { EMPTY_MAP } else { bytes };
    let mut r = Reader::new(bytes);
    let value = T::read_cbor(&mut r)?;
    if r.d.position() != bytes.len() {
        return Err(r.error("trailing bytes after the value"));
    }
    Ok(value)
}

/// Writes CBOR into memory. Writing to a `Vec` cannot fail, so nothing here
/// returns an error.
pub struct Writer {
    e: Encoder<Vec<u8>>,
    /// Why the value cannot be sent (an unknown union variant), if it cannot.
    failure: Option<String>,
}

impl Default for Writer {
    fn default() -> Self {
        Self::new()
    }
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Writer {
            e: Encoder::new(Vec::new()),
            failure: None,
        }
    }

    /// The bytes written.
    pub fn into_bytes(self) -> Vec<u8> {
        self.e.into_writer()
    }

    /// Records that the value cannot be sent; [`to_vec`] returns the reason.
    pub fn fail(&mut self, reason: &str) {
        self.failure.get_or_insert_with(|| reason.to_string());
    }

    /// Starts a map of unknown length; [`end`](Self::end) closes it.
    pub fn begin_map(&mut self) {
        let _ = self.e.begin_map();
    }

    /// Closes what [`begin_map`](Self::begin_map) started.
    pub fn end(&mut self) {
        let _ = self.e.end();
    }

    /// Starts a map of `len` entries.
    pub fn map(&mut self, len: usize) {
        let _ = self.e.map(len as u64);
    }

    /// Starts an array of `len` items.
    pub fn array(&mut self, len: usize) {
        let _ = self.e.array(len as u64);
    }

    /// A text string.
    pub fn str(&mut self, v: &str) {
        let _ = self.e.str(v);
    }

    /// A boolean.
    pub fn bool(&mut self, v: bool) {
        let _ = self.e.bool(v);
    }

    /// Any integer, in its shortest form.
    pub fn int(&mut self, v: impl Into<i64>) {
        let _ = self.e.i64(v.into());
    }

    /// A single-precision float (NaN and the infinities as they are).
    pub fn f32(&mut self, v: f32) {
        let _ = self.e.f32(v);
    }

    /// A double-precision float (NaN and the infinities as they are).
    pub fn f64(&mut self, v: f64) {
        let _ = self.e.f64(v);
    }

    /// `null`.
    pub fn null(&mut self) {
        let _ = self.e.null();
    }

    /// A blob, as a byte string.
    pub fn bytes(&mut self, v: &Blob) {
        // Only a blob taken from a JSON response can hold malformed base64;
        // it is sent as the text it holds rather than dropped.
        match v.bytes() {
            Ok(bytes) => {
                let _ = self.e.bytes(&bytes);
            }
            Err(_) => {
                let _ = self.e.bytes(&v.to_base64());
            }
        }
    }

    /// A timestamp: tag 1 around epoch seconds, fractional when needed.
    pub fn timestamp(&mut self, v: &DateTime) {
        let _ = self.e.tag(Tag::new(EPOCH_TAG));
        if v.subsec_nanos() == 0 {
            let _ = self.e.i64(v.secs());
        } else {
            let _ = self
                .e
                .f64(v.secs() as f64 + f64::from(v.subsec_nanos()) / 1e9);
        }
    }

    /// A big integer: a plain integer when it fits, else a bignum.
    pub fn big_integer(&mut self, v: &BigInteger) {
        match split_number(v.as_str()) {
            Some((negative, digits, 0)) => self.integer_digits(negative, &digits),
            _ => self.fail(&format!("the bigInteger {} is not an integer", v.as_str())),
        }
    }

    /// A big decimal, as a decimal fraction `[exponent, mantissa]`.
    pub fn big_decimal(&mut self, v: &BigDecimal) {
        let Some((negative, digits, exponent)) = split_number(v.as_str()) else {
            return self.fail(&format!("the bigDecimal {} cannot be written", v.as_str()));
        };
        let _ = self.e.tag(Tag::new(DECIMAL_FRACTION));
        self.array(2);
        self.int(exponent);
        self.integer_digits(negative, &digits);
    }

    /// The integer `±digits`: plain when it fits 64 bits, else a bignum.
    fn integer_digits(&mut self, negative: bool, digits: &str) {
        if let Ok(n) = digits.parse::<u64>() {
            match (negative, n) {
                (false, n) => {
                    let _ = self.e.u64(n);
                }
                (true, 0) => self.int(0),
                // -1 - (n - 1) = -n, in CBOR's negative form.
                (true, n) => {
                    if let Ok(v) = minicbor::data::Int::try_from(-i128::from(n)) {
                        let _ = self.e.int(v);
                    }
                }
            }
            return;
        }
        let mut magnitude = decimal_to_bytes(digits);
        if negative {
            // A negative bignum holds n - 1 for -n; n > u64::MAX here, so
            // subtracting one never borrows past the top byte.
            for b in magnitude.iter_mut().rev() {
                let (v, borrow) = b.overflowing_sub(1);
                *b = v;
                if !borrow {
                    break;
                }
            }
        }
        let tag = if negative {
            NEGATIVE_BIGNUM
        } else {
            POSITIVE_BIGNUM
        };
        let _ = self.e.tag(Tag::new(tag));
        let _ = self.e.bytes(&magnitude);
    }

    /// A document, as the CBOR value of the same shape.
    pub fn document(&mut self, v: &Document) {
        match v {
            Document::Null => self.null(),
            Document::Bool(b) => self.bool(*b),
            Document::Number(Number::PosInt(u)) => {
                let _ = self.e.u64(*u);
            }
            Document::Number(Number::NegInt(i)) => self.int(*i),
            Document::Number(Number::Float(f)) => self.f64(*f),
            Document::String(s) => self.str(s),
            Document::Array(items) => {
                self.array(items.len());
                for item in items {
                    self.document(item);
                }
            }
            Document::Object(entries) => {
                self.map(entries.len());
                for (k, item) in entries {
                    self.str(k);
                    self.document(item);
                }
            }
        }
    }
}

/// Why a body could not be read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    message: String,
    position: usize,
}

impl ReadError {
    /// An error without a position (a value that decoded but does not fit).
    pub fn new(message: impl Into<String>) -> Self {
        ReadError {
            message: message.into(),
            position: 0,
        }
    }

    /// What was wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The byte offset in the body.
    pub fn position(&self) -> usize {
        self.position
    }

    /// The same error, said to be in member `name`.
    pub fn in_member(mut self, name: &str) -> Self {
        self.message = format!("{name}: {}", self.message);
        self
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.position)
    }
}

impl std::error::Error for ReadError {}

type Result<T, E = ReadError> = std::result::Result<T, E>;

/// Reads CBOR, one value at a time.
pub struct Reader<'a> {
    d: Decoder<'a>,
    depth: u32,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader {
            d: Decoder::new(bytes),
            depth: 0,
        }
    }

    /// An error at the current position.
    pub fn error(&self, message: impl Into<String>) -> ReadError {
        ReadError {
            message: message.into(),
            position: self.d.position(),
        }
    }

    fn wrap(&self, e: minicbor::decode::Error) -> ReadError {
        error_at(self.d.position(), e)
    }

    fn datatype(&self) -> Result<Type> {
        self.d.datatype().map_err(|e| self.wrap(e))
    }

    /// Reads a `null` (or `undefined`) and says so; otherwise reads nothing.
    pub fn null(&mut self) -> Result<bool> {
        match self.datatype()? {
            Type::Null => self.d.null().map_err(|e| self.wrap(e))?,
            Type::Undefined => self.d.undefined().map_err(|e| self.wrap(e))?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// A value that may be `null`.
    pub fn optional<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<Option<T>> {
        if self.null()? {
            Ok(None)
        } else {
            f(self).map(Some)
        }
    }

    /// Skips one value, whatever it is.
    pub fn skip(&mut self) -> Result<()> {
        self.d.skip().map_err(|e| self.wrap(e))
    }

    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(format!("values nest deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    /// Reads a map, definite or indefinite, calling `f` with each key with
    /// the reader on its value (which `f` must read or skip).
    pub fn map(&mut self, mut f: impl FnMut(&mut Self, &str) -> Result<()>) -> Result<()> {
        let kind = self.datatype()?;
        if kind != Type::Map && kind != Type::MapIndef {
            return Err(self.error(format!("expected a map, found {kind}")));
        }
        self.enter()?;
        let len = self.d.map().map_err(|e| self.wrap(e))?;
        let mut read = 0u64;
        loop {
            match len {
                Some(n) if read == n => break,
                None if self.datatype()? == Type::Break => {
                    self.skip_break()?;
                    break;
                }
                _ => {}
            }
            let key = self.str()?;
            f(self, &key)?;
            read += 1;
        }
        self.depth -= 1;
        Ok(())
    }

    /// Reads an array of a dense list: `null` items, which a service should
    /// not send, are skipped.
    pub fn dense_array<T>(&mut self, mut f: impl FnMut(&mut Self) -> Result<T>) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.items(|r| {
            if !r.null()? {
                out.push(f(r)?);
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// Reads an array, definite or indefinite, with `f` reading each item.
    pub fn array<T>(&mut self, mut f: impl FnMut(&mut Self) -> Result<T>) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.items(|r| {
            out.push(f(r)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// Calls `each` with the reader on every item of an array.
    fn items(&mut self, mut each: impl FnMut(&mut Self) -> Result<()>) -> Result<()> {
        let kind = self.datatype()?;
        if kind != Type::Array && kind != Type::ArrayIndef {
            return Err(self.error(format!("expected an array, found {kind}")));
        }
        self.enter()?;
        let len = self.d.array().map_err(|e| self.wrap(e))?;
        let mut read = 0u64;
        loop {
            match len {
                Some(n) if read == n => break,
                None if self.datatype()? == Type::Break => {
                    self.skip_break()?;
                    break;
                }
                _ => {}
            }
            each(self)?;
            read += 1;
        }
        self.depth -= 1;
        Ok(())
    }

    /// Reads a map with text keys into a sorted map, with `f` reading each value.
    pub fn entries<T>(
        &mut self,
        mut f: impl FnMut(&mut Self) -> Result<T>,
    ) -> Result<BTreeMap<String, T>> {
        let mut out = BTreeMap::new();
        self.map(|r, key| {
            let value = f(r)?;
            out.insert(key.to_owned(), value);
            Ok(())
        })?;
        Ok(out)
    }

    fn skip_break(&mut self) -> Result<()> {
        // A break is one byte; `skip` refuses it, so step over it.
        self.d.set_position(self.d.position() + 1);
        Ok(())
    }

    /// A text string, definite or in chunks.
    pub fn str(&mut self) -> Result<Cow<'a, str>> {
        match self.datatype()? {
            Type::String => self.d.str().map(Cow::Borrowed).map_err(|e| self.wrap(e)),
            Type::StringIndef => {
                let at = self.d.position();
                let mut out = String::new();
                let chunks = self.d.str_iter().map_err(|e| error_at(at, e))?;
                for chunk in chunks {
                    out.push_str(chunk.map_err(|e| error_at(at, e))?);
                }
                Ok(Cow::Owned(out))
            }
            other => Err(self.error(format!("expected a text string, found {other}"))),
        }
    }

    /// A byte string, definite or in chunks.
    pub fn bytes(&mut self) -> Result<Blob> {
        self.byte_vec().map(Blob::new)
    }

    fn byte_vec(&mut self) -> Result<Vec<u8>> {
        match self.datatype()? {
            Type::Bytes => self.d.bytes().map(<[u8]>::to_vec).map_err(|e| self.wrap(e)),
            Type::BytesIndef => {
                let at = self.d.position();
                let mut out = Vec::new();
                let chunks = self.d.bytes_iter().map_err(|e| error_at(at, e))?;
                for chunk in chunks {
                    out.extend_from_slice(chunk.map_err(|e| error_at(at, e))?);
                }
                Ok(out)
            }
            other => Err(self.error(format!("expected a byte string, found {other}"))),
        }
    }

    /// A boolean.
    pub fn bool(&mut self) -> Result<bool> {
        self.d.bool().map_err(|e| self.wrap(e))
    }

    /// An integer of any CBOR width that fits `T`.
    pub fn integer<T: TryFrom<i64>>(&mut self) -> Result<T> {
        let start = self.d.position();
        let v = self.d.i64().map_err(|e| self.wrap(e))?;
        T::try_from(v).map_err(|_| ReadError {
            message: format!(
                "the integer {v} does not fit {}",
                std::any::type_name::<T>()
            ),
            position: start,
        })
    }

    /// A float of any CBOR width (half, single, double), or an integer.
    pub fn f64(&mut self) -> Result<f64> {
        match self.datatype()? {
            Type::F16 => {
                let at = self.d.position();
                let input = self.d.input();
                let Some(bits) = input.get(at + 1..at + 3) else {
                    return Err(self.error("the body ends in the middle of a value"));
                };
                self.d.set_position(at + 3);
                Ok(f16_to_f64(u16::from_be_bytes([bits[0], bits[1]])))
            }
            Type::F32 | Type::F64 => self.d.f64().map_err(|e| self.wrap(e)),
            Type::U8 | Type::U16 | Type::U32 | Type::I8 | Type::I16 | Type::I32 | Type::I64 => {
                self.integer::<i64>().map(|v| v as f64)
            }
            Type::U64 => self.d.u64().map(|v| v as f64).map_err(|e| self.wrap(e)),
            other => Err(self.error(format!("expected a number, found {other}"))),
        }
    }

    /// A float, narrowed to `f32`.
    pub fn f32(&mut self) -> Result<f32> {
        self.f64().map(|v| v as f32)
    }

    /// A timestamp: tag 1 around epoch seconds (an untagged number is
    /// accepted too).
    pub fn timestamp(&mut self) -> Result<DateTime> {
        if self.datatype()? == Type::Tag {
            let tag = self.d.tag().map_err(|e| self.wrap(e))?;
            if u64::from(tag) != EPOCH_TAG {
                return Err(self.error(format!(
                    "expected a timestamp (tag 1), found tag {}",
                    u64::from(tag)
                )));
            }
        }
        match self.datatype()? {
            Type::F16 | Type::F32 | Type::F64 => {
                let secs = self.f64()?;
                if !secs.is_finite() {
                    return Err(self.error("a timestamp must be a finite number"));
                }
                // A double holds today's epoch seconds to about 0.1 µs:
                // rounded to microseconds, a sent `.123` reads back exact.
                let micros = (secs * 1e6).round() as i64;
                Ok(DateTime::from_secs_and_nanos(
                    micros.div_euclid(1_000_000),
                    (micros.rem_euclid(1_000_000) as u32) * 1_000,
                ))
            }
            _ => self.integer::<i64>().map(DateTime::from_secs),
        }
    }

    /// A big integer: a plain integer of any width or a bignum (a decimal
    /// string is accepted too).
    pub fn big_integer(&mut self) -> Result<BigInteger> {
        let text = self.integer_text()?;
        BigInteger::new(text).ok_or_else(|| self.error("not an integer"))
    }

    /// A big decimal: a decimal fraction, an integer or bignum, or a float.
    pub fn big_decimal(&mut self) -> Result<BigDecimal> {
        let text = match self.datatype()? {
            Type::Tag => {
                let at = self.d.position();
                let tag = u64::from(self.d.tag().map_err(|e| self.wrap(e))?);
                if tag == DECIMAL_FRACTION {
                    let parts = self.array(|r| r.integer_text())?;
                    let [exponent, mantissa] = parts.as_slice() else {
                        return Err(self.error("a decimal fraction needs [exponent, mantissa]"));
                    };
                    format!("{mantissa}e{exponent}")
                } else {
                    self.d.set_position(at);
                    self.integer_text()?
                }
            }
            Type::F16 | Type::F32 | Type::F64 => {
                let v = self.f64()?;
                if !v.is_finite() {
                    return Err(self.error("a bigDecimal must be finite"));
                }
                format!("{v:?}")
            }
            _ => self.integer_text()?,
        };
        BigDecimal::new(text).ok_or_else(|| self.error("not a number"))
    }

    /// The decimal text of an integer of any width, a bignum, or a string.
    fn integer_text(&mut self) -> Result<String> {
        match self.datatype()? {
            Type::Tag => {
                let tag = u64::from(self.d.tag().map_err(|e| self.wrap(e))?);
                let bytes = self.byte_vec()?;
                if bytes.len() > MAX_BIGNUM_BYTES {
                    return Err(
                        self.error(format!("a bignum longer than {MAX_BIGNUM_BYTES} bytes"))
                    );
                }
                let magnitude = bytes_to_decimal(&bytes);
                match tag {
                    POSITIVE_BIGNUM => Ok(magnitude),
                    // -1 - n
                    NEGATIVE_BIGNUM => Ok(format!("-{}", decimal_add_one(&magnitude))),
                    other => Err(self.error(format!("expected a bignum, found tag {other}"))),
                }
            }
            Type::String | Type::StringIndef => Ok(self.str()?.into_owned()),
            _ => {
                let v = self.d.int().map_err(|e| self.wrap(e))?;
                Ok(i128::from(v).to_string())
            }
        }
    }

    /// Any value, as a document.
    pub fn document(&mut self) -> Result<Document> {
        Ok(match self.datatype()? {
            Type::Null | Type::Undefined => {
                self.null()?;
                Document::Null
            }
            Type::Bool => Document::Bool(self.bool()?),
            Type::U8 | Type::U16 | Type::U32 | Type::I8 | Type::I16 | Type::I32 | Type::I64 => {
                Document::from(self.integer::<i64>()?)
            }
            Type::U64 => Document::from(self.d.u64().map_err(|e| self.wrap(e))?),
            // NaN and the infinities stay floats here; JSON writes them as null.
            Type::F16 | Type::F32 | Type::F64 => Document::from(self.f64()?),
            Type::String | Type::StringIndef => Document::String(self.str()?.into_owned()),
            Type::Bytes | Type::BytesIndef => {
                Document::String(crate::base64::encode(&self.byte_vec()?))
            }
            Type::Array | Type::ArrayIndef => Document::Array(self.array(|r| r.document())?),
            Type::Map | Type::MapIndef => {
                let mut out = crate::document::Map::new();
                self.map(|r, key| {
                    let v = r.document()?;
                    out.insert(key.to_owned(), v);
                    Ok(())
                })?;
                Document::Object(out)
            }
            Type::Tag => {
                // Tags wrap a value; a run of them is stepped over in a loop,
                // not by recursion, so no body can exhaust the stack.
                while self.datatype()? == Type::Tag {
                    self.d.tag().map_err(|e| self.wrap(e))?;
                }
                self.document()?
            }
            other => return Err(self.error(format!("cannot read {other} as a document"))),
        })
    }

    /// Any value, kept as CBOR says it (tags, byte strings, float values),
    /// for protocol tests to compare bodies.
    #[doc(hidden)]
    pub fn value(&mut self) -> Result<Value> {
        Ok(match self.datatype()? {
            Type::Null | Type::Undefined => {
                self.null()?;
                Value::Null
            }
            Type::Bool => Value::Bool(self.bool()?),
            Type::F16 | Type::F32 | Type::F64 => Value::Float(self.f64()?),
            Type::String | Type::StringIndef => Value::Text(self.str()?.into_owned()),
            Type::Bytes | Type::BytesIndef => Value::Bytes(self.byte_vec()?),
            Type::Array | Type::ArrayIndef => Value::Array(self.array(|r| r.value())?),
            Type::Map | Type::MapIndef => {
                let mut entries = Vec::new();
                self.map(|r, key| {
                    entries.push((key.to_owned(), r.value()?));
                    Ok(())
                })?;
                Value::Map(entries)
            }
            Type::Tag => {
                self.enter()?;
                let tag = u64::from(self.d.tag().map_err(|e| self.wrap(e))?);
                let inner = self.value()?;
                self.depth -= 1;
                Value::Tag(tag, Box::new(inner))
            }
            _ => Value::Int(i128::from(self.d.int().map_err(|e| self.wrap(e))?)),
        })
    }

    /// The error code and message of an error body (`__type`, `message`
    /// or `Message`), reading nothing else.
    #[doc(hidden)]
    pub fn error_fields(bytes: &[u8]) -> (Option<String>, Option<String>) {
        let mut r = Reader::new(bytes);
        let (mut code, mut message) = (None, None);
        let _ = r.map(|r, key| {
            match key {
                "__type" => code = r.optional(|r| r.str().map(Cow::into_owned))?,
                "message" | "Message" | "errorMessage" => {
                    message = r.optional(|r| r.str().map(Cow::into_owned))?
                }
                _ => r.skip()?,
            }
            Ok(())
        });
        (code, message)
    }
}

/// A decoding error of `minicbor`, at `position`.
fn error_at(position: usize, e: minicbor::decode::Error) -> ReadError {
    let message = if e.is_end_of_input() {
        "the body ends in the middle of a value".to_string()
    } else {
        e.to_string()
    };
    ReadError { message, position }
}

/// A decoded CBOR value (maps with text keys, as Smithy bodies have).
#[derive(Debug, Clone)]
#[doc(hidden)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Text(String),
    Bytes(Vec<u8>),
    Array(Vec<Value>),
    Map(Vec<(String, Value)>),
    Tag(u64, Box<Value>),
}

impl PartialEq for Value {
    /// Numbers compare by value whatever their width or kind (NaN equals
    /// NaN); maps compare without regard to order.
    fn eq(&self, other: &Self) -> bool {
        use Value::*;
        match (self, other) {
            (Null, Null) => true,
            (Bool(a), Bool(b)) => a == b,
            (Int(a), Int(b)) => a == b,
            (Float(a), Float(b)) => a == b || (a.is_nan() && b.is_nan()),
            (Int(a), Float(b)) | (Float(b), Int(a)) => *a as f64 == *b,
            (Text(a), Text(b)) => a == b,
            (Bytes(a), Bytes(b)) => a == b,
            (Array(a), Array(b)) => a == b,
            (Map(a), Map(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| b.iter().any(|(k2, v2)| k == k2 && v == v2))
            }
            (Tag(a, x), Tag(b, y)) => a == b && x == y,
            _ => false,
        }
    }
}

/// Splits JSON number text into sign, the digits of the mantissa (no
/// leading zeros) and the power of ten it is multiplied by:
/// `-12.5e3` is `(true, "125", 2)`.
fn split_number(text: &str) -> Option<(bool, String, i64)> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let (number, exponent) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], rest[i + 1..].parse::<i64>().ok()?),
        None => (rest, 0),
    };
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    if int.is_empty() || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits: String = int.chars().chain(frac.chars()).collect();
    let digits = digits.trim_start_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let exponent = exponent.checked_sub(i64::try_from(frac.len()).ok()?)?;
    Some((negative && digits != "0", digits.to_string(), exponent))
}

/// Decimal digits as big-endian bytes.
fn decimal_to_bytes(digits: &str) -> Vec<u8> {
    let mut out: Vec<u8> = vec![0];
    for d in digits.bytes() {
        let mut carry = u32::from(d - b'0');
        for b in out.iter_mut().rev() {
            let v = u32::from(*b) * 10 + carry;
            *b = (v & 0xff) as u8;
            carry = v >> 8;
        }
        while carry > 0 {
            out.insert(0, (carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    out
}

/// Big-endian bytes as decimal digits.
fn bytes_to_decimal(bytes: &[u8]) -> String {
    let mut number: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    let mut digits = Vec::new();
    while !number.is_empty() {
        let mut rem = 0u32;
        for b in number.iter_mut() {
            let v = (rem << 8) | u32::from(*b);
            *b = (v / 10) as u8;
            rem = v % 10;
        }
        digits.push(b'0' + rem as u8);
        let zeros = number.iter().take_while(|b| **b == 0).count();
        number.drain(..zeros);
    }
    if digits.is_empty() {
        return "0".into();
    }
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

/// Decimal digits plus one.
fn decimal_add_one(digits: &str) -> String {
    let mut out: Vec<u8> = digits.bytes().collect();
    for d in out.iter_mut().rev() {
        if *d == b'9' {
            *d = b'0';
        } else {
            *d += 1;
            return String::from_utf8(out).unwrap_or_default();
        }
    }
    out.insert(0, b'1');
    String::from_utf8(out).unwrap_or_default()
}

/// A half-precision float (IEEE 754 binary16) as `f64`.
fn f16_to_f64(bits: u16) -> f64 {
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = (bits >> 10) & 0x1f;
    let frac = f64::from(bits & 0x3ff);
    sign * match exp {
        0 => frac * 2f64.powi(-24),
        0x1f if frac == 0.0 => f64::INFINITY,
        0x1f => f64::NAN,
        e => (1.0 + frac / 1024.0) * 2f64.powi(i32::from(e) - 15),
    }
}

impl<T: WriteCbor + ?Sized> WriteCbor for Box<T> {
    fn write_cbor(&self, w: &mut Writer) {
        (**self).write_cbor(w);
    }
}

impl<T: ReadCbor> ReadCbor for Box<T> {
    fn read_cbor(r: &mut Reader<'_>) -> Result<Self> {
        T::read_cbor(r).map(Box::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_singles_doubles_and_integers_read_as_numbers() {
        for (bytes, want) in [
            (&[0xf9, 0x3c, 0x00][..], 1.0),
            (&[0xf9, 0xc0, 0x00][..], -2.0),
            (&[0xf9, 0x00, 0x01][..], 5.960464477539063e-8),
            (&[0xf9, 0x7c, 0x00][..], f64::INFINITY),
            (&[0xfa, 0x47, 0xc3, 0x50, 0x00][..], 100000.0),
            (&[0x18, 0x64][..], 100.0),
            (&[0x38, 0x63][..], -100.0),
        ] {
            assert_eq!(Reader::new(bytes).f64().unwrap(), want, "{bytes:x?}");
        }
        assert!(Reader::new(&[0xf9, 0x7e, 0x00]).f64().unwrap().is_nan());
    }

    #[test]
    fn documents_keep_non_finite_floats_and_write_them_back() {
        // [NaN (f32), -Infinity (f16)]
        let bytes = [0x82, 0xfa, 0xff, 0xff, 0xff, 0xff, 0xf9, 0xfc, 0x00];
        let doc = Reader::new(&bytes).document().unwrap();
        let items = doc.as_array().unwrap();
        assert!(items[0].as_f64().unwrap().is_nan());
        assert_eq!(items[1], Document::from(f64::NEG_INFINITY));
        let mut w = Writer::new();
        w.document(&doc);
        let again = Reader::new(&w.into_bytes()).document().unwrap();
        assert_eq!(format!("{again:?}"), format!("{doc:?}"));
        // JSON cannot hold them: its text has `null`.
        assert_eq!(doc.to_string(), "[null,null]");
    }

    #[test]
    fn indefinite_maps_arrays_and_strings_read_like_definite_ones() {
        // {_ "a": [_ 1, 2], "b": (_ "x", "y")}
        let bytes = [
            0xbf, 0x61, b'a', 0x9f, 0x01, 0x02, 0xff, 0x61, b'b', 0x7f, 0x61, b'x', 0x61, b'y',
            0xff, 0xff,
        ];
        let mut r = Reader::new(&bytes);
        let doc = r.document().unwrap();
        assert_eq!(
            doc,
            r#"{"a": [1, 2], "b": "xy"}"#.parse::<Document>().unwrap()
        );
    }

    #[test]
    fn timestamps_round_trip_with_their_fraction() {
        for t in [
            DateTime::from_secs(1_700_000_000),
            DateTime::from_secs_and_nanos(1_700_000_000, 123_000_000),
            DateTime::from_secs_and_nanos(-1, 500_000_000),
        ] {
            let mut w = Writer::new();
            w.timestamp(&t);
            let bytes = w.into_bytes();
            assert_eq!(Reader::new(&bytes).timestamp().unwrap(), t);
        }
    }

    #[test]
    fn big_numbers_are_integers_bignums_and_decimal_fractions() {
        let int = |text: &str| {
            let mut w = Writer::new();
            w.big_integer(&BigInteger::new(text).unwrap());
            let bytes = w.into_bytes();
            (bytes.clone(), Reader::new(&bytes).big_integer().unwrap())
        };
        assert_eq!(int("123").0, [0x18, 0x7b]);
        assert_eq!(int("-1").0, [0x20]);
        // 2^64 is the smallest positive bignum; -2^64 - 1 the smallest negative one.
        assert_eq!(
            int("18446744073709551616").0,
            [0xc2, 0x49, 1, 0, 0, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(
            int("-18446744073709551617").0,
            [0xc3, 0x49, 1, 0, 0, 0, 0, 0, 0, 0, 0]
        );
        for text in [
            "0",
            "-18446744073709551616",
            "123456789012345678901234567890",
            "-98765432109876543210987654321",
        ] {
            assert_eq!(int(text).1.as_str(), text);
        }
        let mut w = Writer::new();
        w.big_decimal(&BigDecimal::new("-12.50").unwrap());
        let bytes = w.into_bytes();
        // 4([-2, -1250])
        assert_eq!(bytes, [0xc4, 0x82, 0x21, 0x39, 0x04, 0xe1]);
        assert_eq!(
            Reader::new(&bytes).big_decimal().unwrap().as_str(),
            "-1250e-2"
        );
        assert_eq!(
            Reader::new(&[0xf9, 0x3e, 0x00])
                .big_decimal()
                .unwrap()
                .as_str(),
            "1.5"
        );
        let mut huge = vec![0xc2, 0x5a, 0, 0, 0x10, 0];
        huge.extend(vec![0xff; 4096]);
        assert!(Reader::new(&huge).big_integer().is_err());
    }

    #[test]
    fn bad_input_is_an_error_never_a_panic() {
        let deep = vec![0x81; 10_000];
        assert!(Reader::new(&deep).document().is_err());
        let mut tags = vec![0xc6; 100_000];
        tags.push(0x00);
        assert_eq!(Reader::new(&tags).document().unwrap(), Document::from(0));
        for bytes in [
            &[0xbf][..],
            &[0x9f, 0x01],
            &[0x7f, 0x61],
            &[0xf9, 0x3c],
            &[0xc1],
        ] {
            assert!(Reader::new(bytes).document().is_err(), "{bytes:x?}");
        }
        let (code, message) =
            Reader::error_fields(&[0xa1, 0x66, b'_', b'_', b't', b'y', b'p', b'e', 0x61, b'X']);
        assert_eq!((code.as_deref(), message), (Some("X"), None));
    }
}
