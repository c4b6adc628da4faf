//! Runtime stage: the JSON reader that generated response parsers drive.
//!
//! Generated code reads each structure straight from the bytes: it asks for an
//! object, matches each key against the model's wire names, and reads each value
//! as the model's type. Nothing goes through an intermediate tree or a visitor,
//! strings without escapes are borrowed until the field takes ownership, and
//! timestamps are read exactly from their digits. That is what makes a page of
//! small images cheaper to read here than through serde.
//!
//! The reader never panics on any input. Nesting is limited to [`MAX_DEPTH`]
//! levels so that a hostile body cannot exhaust the stack. Errors carry the
//! byte offset, line and column, and the member path (`Images[3].TimeStamp`).

use crate::DateTimeFormat as Format;
use crate::{BigDecimal, BigInteger, Blob, DateTime, Document, Text};
use std::borrow::Cow;
use std::fmt;

/// The shortest blob kept as a view of the response body's base64 text. A
/// shorter one is decoded at once: it allocates either way, and a few bytes
/// never keep a whole body alive.
pub const VIEW_MIN: usize = 256;

/// The most items [`Reader::list`] reserves from its first item's size, which
/// bounds what a misleading first item (a short one before a large other
/// member) can over-allocate.
const PRESIZE_MAX: usize = 1024;

/// How deeply objects and arrays may nest before the reader gives up.
pub const MAX_DEPTH: u32 = 128;

/// A type generated code knows how to read from restJson1 JSON.
pub trait ReadJson: Sized {
    /// Reads one value, leaving the reader after it.
    fn read_json(r: &mut Reader<'_>) -> std::result::Result<Self, ReadError>;
}

/// A structure, which generated code reads member by member into a value
/// that starts with every member absent.
///
/// Reading in place, rather than returning each structure and each large
/// member value, saves moving them through return slots: a page of a hundred
/// small images parses about a fifth faster.
pub trait ReadJsonMembers: Sized {
    /// The value before any member is read: optional members `None`, the
    /// others at their defaults.
    fn absent() -> Self;

    /// Reads an object into `out`, which holds [`absent`](Self::absent)'s
    /// value: each member the object has overwrites its field.
    fn read_members(r: &mut Reader<'_>, out: &mut Self) -> std::result::Result<(), ReadError>;
}

impl<T: ReadJsonMembers> ReadJson for T {
    #[inline]
    fn read_json(r: &mut Reader<'_>) -> std::result::Result<Self, ReadError> {
        let mut out = T::absent();
        T::read_members(r, &mut out)?;
        Ok(out)
    }
}

impl ReadJson for crate::Document {
    fn read_json(r: &mut Reader<'_>) -> std::result::Result<Self, ReadError> {
        r.document()
    }
}

/// Reads a whole JSON document as `T`. An empty body reads as `{}`, since
/// restJson1 services may send no body for an output without members.
pub fn from_slice<T: ReadJson>(body: &[u8]) -> std::result::Result<T, ReadError> {
    let body = if body
        .iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    {
        b"{}"
    } else {
        body
    };
    let text = std::str::from_utf8(body).map_err(|e| {
        ReadError::at(
            body,
            e.valid_up_to(),
            ReadErrorKind::Syntax,
            "the body is not valid UTF-8".into(),
        )
    })?;
    let mut r = Reader::new(text);
    let value = T::read_json(&mut r)?;
    r.finish()?;
    Ok(value)
}

/// Reads a whole JSON response body as `T`, like [`from_slice`], except that
/// blobs and large strings are views of `body` rather than copies.
pub fn from_bytes<T: ReadJson>(body: &bytes::Bytes) -> std::result::Result<T, ReadError> {
    if body.trim_ascii().is_empty() {
        return from_slice(b"{}");
    }
    let text = bytestring::ByteString::try_from(body.clone()).map_err(|e| {
        ReadError::at(
            body,
            e.valid_up_to(),
            ReadErrorKind::Syntax,
            "the body is not valid UTF-8".into(),
        )
    })?;
    let mut r = Reader {
        source: Some(&text),
        ..Reader::new(&text)
    };
    let value = T::read_json(&mut r)?;
    r.finish()?;
    Ok(value)
}

/// A cursor over JSON text.
///
/// The text is checked for UTF-8 once, up front (by the caller's `&str`), so
/// each string is then a slice cut at ASCII quotes, with no second check.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    text: &'a str,
    input: &'a [u8],
    /// The shared buffer `text` is, when views of it may outlive the reader.
    source: Option<&'a bytestring::ByteString>,
    pos: usize,
    depth: u32,
}

/// The state of an object being read; see [`Reader::next_key`].
#[derive(Debug)]
pub struct ObjectState {
    first: bool,
    done: bool,
    /// The member [`Reader::next_member`] expects next: the one after the
    /// last it matched.
    next: usize,
}

/// A member's wire name, prepared for [`Reader::next_member`] to recognise
/// it in the input with a few word compares instead of scanning the key and
/// then comparing it as a string.
#[derive(Debug)]
pub struct Key {
    name: &'static str,
    /// The name and its closing quote as little-endian words, and the masks
    /// of the bytes they cover (names of 32 bytes and more are compared as
    /// slices).
    words: [u64; 4],
    masks: [u64; 4],
}

impl Key {
    /// The key of a member whose wire name is `name`.
    pub const fn new(name: &'static str) -> Key {
        let bytes = name.as_bytes();
        let mut words = [0u64; 4];
        let mut masks = [0u64; 4];
        if bytes.len() < 32 {
            let mut i = 0;
            while i <= bytes.len() {
                let b = if i == bytes.len() { b'"' } else { bytes[i] };
                words[i / 8] |= (b as u64) << (8 * (i % 8));
                masks[i / 8] |= 0xff << (8 * (i % 8));
                i += 1;
            }
        }
        Key { name, words, masks }
    }

    /// The wire name.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// Whether `input` starts with this name and its closing quote.
    #[inline(always)]
    fn starts(&self, input: &[u8]) -> bool {
        if let (Some(window), true) = (input.get(..32), self.masks[0] != 0) {
            let mut diff = 0;
            for ((chunk, word), mask) in window.chunks_exact(8).zip(self.words).zip(self.masks) {
                let mut w = [0u8; 8];
                w.copy_from_slice(chunk);
                diff |= (u64::from_le_bytes(w) ^ word) & mask;
            }
            return diff == 0;
        }
        let n = self.name.len();
        input.get(..n) == Some(self.name.as_bytes()) && input.get(n) == Some(&b'"')
    }
}

/// The state of an array being read; see [`Reader::next_item`].
#[derive(Debug)]
pub struct ArrayState {
    first: bool,
    done: bool,
}

type Result<T> = std::result::Result<T, ReadError>;

impl<'a> Reader<'a> {
    /// A reader at the start of `text`.
    pub fn new(text: &'a str) -> Self {
        Reader {
            text,
            input: text.as_bytes(),
            source: None,
            pos: 0,
            depth: 0,
        }
    }

    /// A reader at the start of `source`, whose long blobs and [`Text`]
    /// strings share its buffer (unless `source` is short enough to be
    /// stored inline itself; then they are copies).
    pub fn with_source(source: &'a Text) -> Self {
        Reader {
            source: source.shared(),
            ..Reader::new(source)
        }
    }

    /// Checks that only whitespace follows the value read.
    pub fn finish(&mut self) -> Result<()> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.syntax("unexpected text after the JSON value")),
        }
    }

    #[inline]
    fn peek(&mut self) -> Option<u8> {
        while let Some(&b) = self.input.get(self.pos) {
            if !matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                return Some(b);
            }
            self.pos += 1;
        }
        None
    }

    /// Whether a string is next.
    pub fn peek_is_string(&mut self) -> bool {
        self.peek() == Some(b'"')
    }

    /// Consumes `null` if it is next, and says whether it was.
    #[inline]
    pub fn null(&mut self) -> Result<bool> {
        if self.peek() == Some(b'n') {
            self.literal(b"null")?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// Reads `null` as `None`, anything else with `read`.
    #[inline]
    pub fn optional<T>(&mut self, read: impl FnOnce(&mut Self) -> Result<T>) -> Result<Option<T>> {
        if self.null()? {
            Ok(None)
        } else {
            read(self).map(Some)
        }
    }

    /// Starts reading an object: consumes `{`.
    #[inline]
    pub fn begin_object(&mut self) -> Result<ObjectState> {
        match self.peek() {
            Some(b'{') => {
                self.pos += 1;
                self.enter()?;
                Ok(ObjectState {
                    first: true,
                    done: false,
                    next: 0,
                })
            }
            other => Err(self.unexpected(other, "an object")),
        }
    }

    /// The next key of the object, positioned before its value, or `None`
    /// after the closing `}`. Every key returned must have its value read
    /// (or skipped with [`skip_value`](Self::skip_value)) before the next call.
    #[inline]
    pub fn next_key(&mut self, state: &mut ObjectState) -> Result<Option<Cow<'a, str>>> {
        if !self.key_start(state)? {
            return Ok(None);
        }
        let key = self.string_body()?;
        self.colon()?;
        Ok(Some(key))
    }

    /// The index in `keys` of the object's next key, `Some(keys.len())` for
    /// a key not among them, or `None` after the closing `}`. Like
    /// [`next_key`](Self::next_key), each key's value must be read or
    /// skipped before the next call.
    ///
    /// A service writes members in one order, mostly the model's: the key
    /// after the last one matched is tried first, then the three after it
    /// (wrapping around to the first), each compared in place; any other
    /// key is read and looked up.
    ///
    /// The commonest steps (the end of the object, or the expected key or
    /// the one after it, wrapping around, with no whitespace about them) are
    /// inlined into each generated reader, which spares a call per member;
    /// the rest is not, to keep the readers small.
    #[inline(always)]
    pub fn next_member(&mut self, state: &mut ObjectState, keys: &[Key]) -> Result<Option<usize>> {
        match self.compact_member(state, keys) {
            Some(found) => Ok(found),
            None => self.next_member_searched(state, keys),
        }
    }

    /// [`next_member`](Self::next_member) on compact input: `}`, or `,` (not
    /// before the first key), the expected key or the one after it, and
    /// `:`. `None` when the input is anything else, consuming nothing.
    #[inline(always)]
    fn compact_member(&mut self, state: &mut ObjectState, keys: &[Key]) -> Option<Option<usize>> {
        if state.done {
            return None;
        }
        // The separator, the quote and a window of 32 bytes for the key.
        let window = self.input.get(self.pos..self.pos + 34)?;
        let quote = match (window[0], state.first) {
            (b'}', _) => {
                state.done = true;
                return Some(self.leave());
            }
            (b'"', true) => 0,
            (b',', false) => 1,
            _ => return None,
        };
        if window[quote] != b'"' {
            return None;
        }
        let name = &window[quote + 1..];
        // Wrapping around: objects of one kind in a list start over. (Not
        // an iterator: the compiler leaves its loop out of line.)
        let wrap = |i: usize| if i >= keys.len() { i - keys.len() } else { i };
        let mut index = wrap(state.next);
        let mut key = keys.get(index)?;
        if !key.starts(name) {
            index = wrap(index + 1);
            key = keys.get(index)?;
            if !key.starts(name) {
                return None;
            }
        }
        // After the name and its closing quote. A name that fills the
        // window leaves no room for it: `get` fails and the search takes over.
        let colon = quote + 1 + key.name.len() + 1;
        if window.get(colon) != Some(&b':') {
            return None;
        }
        state.first = false;
        state.next = index + 1;
        self.pos += colon + 1;
        Some(Some(index))
    }

    /// The general [`next_member`](Self::next_member).
    #[inline(never)]
    fn next_member_searched(
        &mut self,
        state: &mut ObjectState,
        keys: &[Key],
    ) -> Result<Option<usize>> {
        if !self.key_start(state)? {
            return Ok(None);
        }
        let rest = self.input.get(self.pos..).unwrap_or_default();
        // The expected key and the three after it, wrapping around: objects
        // of one kind in a list start over at their first member.
        let mut candidate = state.next;
        let mut found = None;
        for _ in 0..keys.len().min(4) {
            if candidate >= keys.len() {
                candidate = 0;
            }
            if let Some(key) = keys.get(candidate).filter(|k| k.starts(rest)) {
                found = Some((candidate, key));
                break;
            }
            candidate += 1;
        }
        let index = match found {
            Some((i, k)) => {
                self.pos += k.name.len() + 1;
                i
            }
            None => {
                let key = self.string_body()?;
                keys.iter()
                    .position(|k| k.name == key)
                    .unwrap_or(keys.len())
            }
        };
        state.next = index + 1;
        self.colon()?;
        Ok(Some(index))
    }

    /// Consumes what comes before an object's next key, up to and including
    /// its opening quote; false after the closing `}`.
    #[inline(always)]
    fn key_start(&mut self, state: &mut ObjectState) -> Result<bool> {
        if state.done {
            return Ok(false);
        }
        let mut next = self.peek();
        if state.first {
            state.first = false;
            if next == Some(b'}') {
                state.done = true;
                return Ok(self.leave::<()>().is_some());
            }
        } else {
            match next {
                Some(b',') => {
                    self.pos += 1;
                    next = self.peek();
                }
                Some(b'}') => {
                    state.done = true;
                    return Ok(self.leave::<()>().is_some());
                }
                other => return Err(self.unexpected(other, "`,` or `}` after an object member")),
            }
        }
        if next != Some(b'"') {
            return Err(self.unexpected(next, "a string key"));
        }
        self.pos += 1;
        Ok(true)
    }

    /// Consumes the `:` after a key.
    #[inline(always)]
    fn colon(&mut self) -> Result<()> {
        match self.peek() {
            Some(b':') => {
                self.pos += 1;
                Ok(())
            }
            other => Err(self.unexpected(other, "`:` after an object key")),
        }
    }

    /// Starts reading an array: consumes `[`.
    #[inline]
    pub fn begin_array(&mut self) -> Result<ArrayState> {
        match self.peek() {
            Some(b'[') => {
                self.pos += 1;
                self.enter()?;
                Ok(ArrayState {
                    first: true,
                    done: false,
                })
            }
            other => Err(self.unexpected(other, "an array")),
        }
    }

    /// True when another item follows (the reader is then before it), false
    /// after the closing `]`.
    #[inline]
    pub fn next_item(&mut self, state: &mut ArrayState) -> Result<bool> {
        if state.done {
            return Ok(false);
        }
        let next = self.peek();
        if state.first {
            state.first = false;
            if next == Some(b']') {
                state.done = true;
                return Ok(self.leave::<()>().is_some());
            }
            return Ok(true);
        }
        match next {
            Some(b',') => {
                self.pos += 1;
                Ok(true)
            }
            Some(b']') => {
                state.done = true;
                Ok(self.leave::<()>().is_some())
            }
            other => Err(self.unexpected(other, "`,` or `]` after an array item")),
        }
    }

    #[inline]
    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.too_deep());
        }
        Ok(())
    }

    #[cold]
    fn too_deep(&mut self) -> ReadError {
        self.syntax(&format!(
            "objects and arrays nest more than {MAX_DEPTH} levels deep"
        ))
    }

    /// Consumes a closing bracket. Always returns `None`; the type lets both
    /// loops use it as their "no more" value.
    fn leave<T>(&mut self) -> Option<T> {
        self.pos += 1;
        self.depth = self.depth.saturating_sub(1);
        None
    }

    /// Reads a list. Dense lists drop `null` items, as Smithy asks clients to.
    #[inline]
    pub fn list<T>(&mut self, read: impl FnMut(&mut Self) -> Result<T>) -> Result<Vec<T>> {
        self.dense_items(read, |r, items, read| match read(r) {
            // Not `map_err(..)?`: on this path the compiler then copies
            // each item once more before the push.
            Ok(item) => {
                items.push(item);
                Ok(())
            }
            Err(e) => Err(e),
        })
    }

    /// Reads a dense list of structures, each but the first read in place
    /// in the list.
    #[inline]
    pub fn struct_list<T: ReadJsonMembers>(&mut self) -> Result<Vec<T>> {
        self.dense_items(T::read_json, |r, items, _| {
            items.resize_with(items.len() + 1, T::absent);
            match items.last_mut() {
                Some(item) => T::read_members(r, item),
                None => Ok(()),
            }
        })
    }

    /// The loop of a dense list: `read` reads the first item, which sizes
    /// the list, and `append` appends each item after it (with `read` or
    /// in place).
    #[inline]
    fn dense_items<T, F: FnMut(&mut Self) -> Result<T>>(
        &mut self,
        mut read: F,
        append: fn(&mut Self, &mut Vec<T>, &mut F) -> Result<()>,
    ) -> Result<Vec<T>> {
        let mut state = self.begin_array()?;
        let mut items = Vec::new();
        while self.next_item(&mut state)? {
            if self.null()? {
                continue;
            }
            let index = items.len();
            if index == 0 {
                let start = self.pos;
                let item = read(self).map_err(|e| e.in_index(index))?;
                // Sized before the first push: a page of similar items then
                // fills one allocation, with no regrowing or moving.
                items = Vec::with_capacity(1 + self.presize(start));
                items.push(item);
            } else {
                append(self, &mut items, &mut read).map_err(|e| e.in_index(index))?;
            }
        }
        Ok(items)
    }

    /// Reads an optional structure member into its field.
    #[inline]
    pub fn optional_struct_into<T: ReadJsonMembers>(
        &mut self,
        field: &mut Option<T>,
    ) -> Result<()> {
        if self.null()? {
            *field = None;
            Ok(())
        } else {
            T::read_members(self, field.insert(T::absent()))
        }
    }

    /// How many more items like the one just read (from `start`) the rest
    /// of the input could hold, up to [`PRESIZE_MAX`].
    #[inline]
    fn presize(&self, start: usize) -> usize {
        // One byte more per item for the comma between items.
        let span = self.pos.saturating_sub(start) + 1;
        let rest = self.input.len().saturating_sub(self.pos);
        (rest / span).min(PRESIZE_MAX)
    }

    /// Reads a sparse list, keeping `null` items as `None`.
    #[inline]
    pub fn sparse_list<T>(
        &mut self,
        mut read: impl FnMut(&mut Self) -> Result<T>,
    ) -> Result<Vec<Option<T>>> {
        let mut state = self.begin_array()?;
        let mut items = Vec::new();
        while self.next_item(&mut state)? {
            let index = items.len();
            items.push(self.optional(&mut read).map_err(|e| e.in_index(index))?);
        }
        Ok(items)
    }

    /// Reads a map. Dense maps drop entries whose value is `null`.
    #[inline]
    pub fn map<K: Ord, V>(
        &mut self,
        mut key: impl FnMut(Cow<'a, str>) -> K,
        mut read: impl FnMut(&mut Self) -> Result<V>,
    ) -> Result<std::collections::BTreeMap<K, V>> {
        let mut state = self.begin_object()?;
        let mut entries = std::collections::BTreeMap::new();
        while let Some(k) = self.next_key(&mut state)? {
            if self.null()? {
                continue;
            }
            let value = read(self).map_err(|e| e.in_key(&k))?;
            entries.insert(key(k), value);
        }
        Ok(entries)
    }

    /// Reads a sparse map, keeping `null` values as `None`.
    #[inline]
    pub fn sparse_map<K: Ord, V>(
        &mut self,
        mut key: impl FnMut(Cow<'a, str>) -> K,
        mut read: impl FnMut(&mut Self) -> Result<V>,
    ) -> Result<std::collections::BTreeMap<K, Option<V>>> {
        let mut state = self.begin_object()?;
        let mut entries = std::collections::BTreeMap::new();
        while let Some(k) = self.next_key(&mut state)? {
            let value = self.optional(&mut read).map_err(|e| e.in_key(&k))?;
            entries.insert(key(k), value);
        }
        Ok(entries)
    }

    /// Reads a string, borrowed from the input unless it has escapes.
    #[inline]
    pub fn str(&mut self) -> Result<Cow<'a, str>> {
        match self.peek() {
            Some(b'"') => {
                self.pos += 1;
                self.string_body()
            }
            other => Err(self.unexpected(other, "a string")),
        }
    }

    /// Reads a string into an owned `String`.
    #[inline]
    pub fn string(&mut self) -> Result<String> {
        self.str().map(Cow::into_owned)
    }

    /// The rest of a string whose opening quote has been consumed.
    #[inline]
    fn string_body(&mut self) -> Result<Cow<'a, str>> {
        let start = self.pos;
        let end = start + find_special(&self.input[start..]);
        match self.input.get(end) {
            Some(b'"') => {
                let text = self.utf8(start, end)?;
                self.pos = end + 1;
                Ok(Cow::Borrowed(text))
            }
            Some(b'\\') => self.escaped_string(start, end).map(Cow::Owned),
            Some(_) => {
                self.pos = end;
                Err(self.syntax("a control character inside a string must be escaped"))
            }
            None => {
                self.pos = end;
                Err(self.eof("inside a string"))
            }
        }
    }

    /// The text between two offsets that sit on ASCII bytes.
    #[inline]
    fn utf8(&mut self, start: usize, end: usize) -> Result<&'a str> {
        let text = self.text;
        text.get(start..end)
            .ok_or_else(|| self.syntax("a string is cut inside a UTF-8 character"))
    }

    /// The slow path for strings with escapes; `at` is the first backslash.
    fn escaped_string(&mut self, start: usize, mut at: usize) -> Result<String> {
        let mut out = String::with_capacity(at - start + 16);
        out.push_str(self.utf8(start, at)?);
        loop {
            // `at` is on a backslash.
            self.pos = at + 1;
            let escape = match self.input.get(self.pos) {
                Some(&b) => b,
                None => return Err(self.eof("inside a string")),
            };
            self.pos += 1;
            match escape {
                b'"' => out.push('"'),
                b'\\' => out.push('\\'),
                b'/' => out.push('/'),
                b'b' => out.push('\u{8}'),
                b'f' => out.push('\u{c}'),
                b'n' => out.push('\n'),
                b'r' => out.push('\r'),
                b't' => out.push('\t'),
                b'u' => {
                    let c = self.unicode_escape()?;
                    out.push(c);
                }
                _ => {
                    self.pos -= 1;
                    return Err(self.syntax("an invalid escape in a string"));
                }
            }
            let run = self.pos;
            at = run + find_special(&self.input[run..]);
            out.push_str(self.utf8(run, at)?);
            match self.input.get(at) {
                Some(b'"') => {
                    self.pos = at + 1;
                    return Ok(out);
                }
                Some(b'\\') => continue,
                Some(_) => {
                    self.pos = at;
                    return Err(self.syntax("a control character inside a string must be escaped"));
                }
                None => {
                    self.pos = at;
                    return Err(self.eof("inside a string"));
                }
            }
        }
    }

    /// Reads the four hex digits after `\u` (and a low surrogate's escape after
    /// a high surrogate).
    fn unicode_escape(&mut self) -> Result<char> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                let rest = &self.input[self.pos.min(self.input.len())..];
                if rest.len() < 2 && b"\\u".starts_with(rest) {
                    return Err(self.eof("inside a string"));
                }
                if self.input.get(self.pos..self.pos + 2) != Some(b"\\u") {
                    return Err(
                        self.syntax("a UTF-16 high surrogate escape is not followed by a low one")
                    );
                }
                self.pos += 2;
                let low = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&low) {
                    return Err(
                        self.syntax("a UTF-16 high surrogate escape is not followed by a low one")
                    );
                }
                0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00)
            }
            0xDC00..=0xDFFF => {
                return Err(self.syntax("a UTF-16 low surrogate escape without a high one"))
            }
            c => c,
        };
        char::from_u32(code).ok_or_else(|| self.syntax("an escape that is not a Unicode character"))
    }

    fn hex4(&mut self) -> Result<u32> {
        let digits = &self.input[self.pos.min(self.input.len())..];
        if digits.len() < 4 && digits.iter().all(u8::is_ascii_hexdigit) {
            return Err(self.eof("inside a string"));
        }
        let mut value = 0;
        for &d in digits.iter().take(4) {
            let v = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return Err(self.syntax("`\\u` must be followed by four hex digits")),
            };
            value = value * 16 + u32::from(v);
        }
        self.pos += 4;
        Ok(value)
    }

    fn literal(&mut self, word: &'static [u8]) -> Result<()> {
        let end = self.pos + word.len();
        match self.input.get(self.pos..end) {
            Some(w) if w == word => {
                self.pos = end;
                Ok(())
            }
            _ if self.input.len() < end
                && self.input[self.pos..].iter().zip(word).all(|(a, b)| a == b) =>
            {
                self.pos = self.input.len();
                Err(self.eof("inside a literal"))
            }
            _ => Err(self.syntax("an invalid literal (expected `true`, `false` or `null`)")),
        }
    }

    /// Reads `true` or `false`.
    pub fn bool(&mut self) -> Result<bool> {
        match self.peek() {
            Some(b't') => self.literal(b"true").map(|_| true),
            Some(b'f') => self.literal(b"false").map(|_| false),
            other => Err(self.unexpected(other, "a boolean")),
        }
    }

    /// The text of the number that is next, checked against JSON's grammar.
    pub fn number_text(&mut self) -> Result<&'a str> {
        match self.peek() {
            Some(b'-' | b'0'..=b'9') => {}
            other => return Err(self.unexpected(other, "a number")),
        }
        let input = self.input;
        let start = self.pos;
        let mut i = start;
        let digit = |i: usize| input.get(i).is_some_and(u8::is_ascii_digit);
        if input[i] == b'-' {
            i += 1;
        }
        if !digit(i) {
            return self.bad_number(i);
        }
        if input[i] == b'0' {
            i += 1;
        } else {
            while digit(i) {
                i += 1;
            }
        }
        if input.get(i) == Some(&b'.') {
            i += 1;
            if !digit(i) {
                return self.bad_number(i);
            }
            while digit(i) {
                i += 1;
            }
        }
        if matches!(input.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(input.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if !digit(i) {
                return self.bad_number(i);
            }
            while digit(i) {
                i += 1;
            }
        }
        self.pos = i;
        self.utf8(start, i)
    }

    fn bad_number<T>(&mut self, at: usize) -> std::result::Result<T, ReadError> {
        self.pos = at;
        if at >= self.input.len() {
            Err(self.eof("inside a number"))
        } else {
            Err(self.syntax("an invalid number"))
        }
    }

    /// Reads an integer that fits `T`.
    pub fn integer<T: TryFrom<i64>>(&mut self) -> std::result::Result<T, ReadError> {
        let start = self.peek().map(|_| self.pos);
        let text = self.number_text()?;
        let value = text.parse::<i64>().ok().and_then(|v| T::try_from(v).ok());
        value.ok_or_else(|| {
            self.pos = start.unwrap_or(self.pos);
            self.data(&format!(
                "expected an integer of type {}, found {text}",
                short_type_name::<T>()
            ))
        })
    }

    /// Reads a float, accepting `"NaN"`, `"Infinity"` and `"-Infinity"` as restJson1 writes them.
    pub fn f64(&mut self) -> Result<f64> {
        if self.peek() == Some(b'"') {
            let start = self.pos;
            return match &*self.str()? {
                "NaN" => Ok(f64::NAN),
                "Infinity" => Ok(f64::INFINITY),
                "-Infinity" => Ok(f64::NEG_INFINITY),
                other => {
                    let message = format!("expected a number, found the string {other:?}");
                    self.pos = start;
                    Err(self.data(&message))
                }
            };
        }
        let text = self.number_text()?;
        // JSON's grammar is a subset of Rust's float syntax, so this parses.
        Ok(text.parse().unwrap_or(f64::NAN))
    }

    /// Reads a float as `f32`; see [`f64`](Self::f64).
    pub fn f32(&mut self) -> Result<f32> {
        if self.peek() == Some(b'"') {
            return self.f64().map(|v| v as f32);
        }
        let text = self.number_text()?;
        Ok(text.parse().unwrap_or(f32::NAN))
    }

    /// Reads a `bigInteger`, keeping every digit: a number, or a string
    /// holding one (as rpcv2Json sends it).
    pub fn big_integer(&mut self) -> Result<BigInteger> {
        if self.peek_is_string() {
            let text = self.str()?;
            return BigInteger::new(text).ok_or_else(|| self.data("expected an integer"));
        }
        let text = self.number_text()?;
        BigInteger::new(text).ok_or_else(|| self.data("expected an integer"))
    }

    /// Reads a `bigDecimal`, keeping every digit: a number, or a string
    /// holding one (as rpcv2Json sends it).
    pub fn big_decimal(&mut self) -> Result<BigDecimal> {
        if self.peek_is_string() {
            let text = self.str()?;
            return BigDecimal::new(text).ok_or_else(|| self.data("expected a number"));
        }
        let text = self.number_text()?;
        BigDecimal::new(text).ok_or_else(|| self.data("expected a number"))
    }

    /// Reads a timestamp in epoch seconds, exact to the nanosecond.
    ///
    /// The common form (up to 18 integer digits, up to 9 fractional ones) is
    /// read in one pass over the digits; anything else (negative, exponent,
    /// more digits, malformed) goes the general way.
    #[inline(always)]
    pub fn epoch_seconds(&mut self) -> Result<DateTime> {
        match self.epoch_millis_compact() {
            Some(time) => Ok(time),
            None => self.epoch_seconds_decimal(),
        }
    }

    /// What services send today, inline in each reader: ten digits of
    /// seconds (2001 to 2286), a point and three of milliseconds, then
    /// neither a digit nor an exponent. `None`, consuming nothing, for any
    /// other text.
    #[inline(always)]
    fn epoch_millis_compact(&mut self) -> Option<DateTime> {
        let text = self.input.get(self.pos..self.pos + 15)?;
        let high = eight_digits(text).filter(|_| text[0] != b'0')?;
        let digit = |at: usize| Some(u32::from(text[at].wrapping_sub(b'0'))).filter(|d| *d <= 9);
        let (s8, s9) = (digit(8)?, digit(9)?);
        let (m0, m1, m2) = (digit(11)?, digit(12)?, digit(13)?);
        if text[10] != b'.' || text[14].is_ascii_digit() || text[14] | 0x20 == b'e' {
            return None;
        }
        self.pos += 14;
        let secs = high * 100 + u64::from(s8 * 10 + s9);
        let millis = m0 * 100 + m1 * 10 + m2;
        Some(DateTime::from_secs_and_nanos(
            secs as i64,
            millis * 1_000_000,
        ))
    }

    /// Epoch seconds in decimal of any length; exponents go to the general
    /// parser.
    #[inline(never)]
    fn epoch_seconds_decimal(&mut self) -> Result<DateTime> {
        let start = match self.peek() {
            Some(b'1'..=b'9') => self.pos,
            _ => return self.epoch_seconds_general(),
        };
        let input = self.input;
        let mut i = start;
        let mut secs: i64 = 0;
        // Today's times have ten digits: the first eight in one step.
        if let Some(eight) = input.get(i..).and_then(eight_digits) {
            secs = eight as i64;
            i += 8;
        }
        while let Some(&d) = input.get(i).filter(|d| d.is_ascii_digit()) {
            if i - start == 18 {
                return self.epoch_seconds_general();
            }
            secs = secs * 10 + i64::from(d - b'0');
            i += 1;
        }
        let mut nanos: u32 = 0;
        if input.get(i) == Some(&b'.') {
            i += 1;
            let fraction = i;
            while let Some(&d) = input.get(i).filter(|d| d.is_ascii_digit()) {
                if i - fraction == 9 {
                    return self.epoch_seconds_general();
                }
                nanos = nanos * 10 + u32::from(d - b'0');
                i += 1;
            }
            // Scaled once at the end: a division per digit would sit in the
            // chain of dependent steps.
            const SCALE: [u32; 9] = [
                100_000_000,
                10_000_000,
                1_000_000,
                100_000,
                10_000,
                1_000,
                100,
                10,
                1,
            ];
            match (i - fraction).checked_sub(1).and_then(|d| SCALE.get(d)) {
                Some(scale) => nanos *= scale,
                None => return self.epoch_seconds_general(),
            }
        }
        if matches!(input.get(i), Some(b'e' | b'E')) {
            return self.epoch_seconds_general();
        }
        self.pos = i;
        Ok(DateTime::from_secs_and_nanos(secs, nanos))
    }

    #[cold]
    fn epoch_seconds_general(&mut self) -> Result<DateTime> {
        let start = self.peek().map(|_| self.pos);
        let text = self.number_text()?;
        super::parse_epoch_seconds(text).map_err(|e| {
            self.pos = start.unwrap_or(self.pos);
            self.data(&e)
        })
    }

    /// Reads a timestamp written as an RFC 3339 `date-time` string.
    pub fn date_time(&mut self) -> Result<DateTime> {
        // Services may send an offset (`…-01:00`); the instant is what counts.
        self.text_timestamp(Format::DateTimeWithOffset, "an RFC 3339 date-time")
    }

    /// Reads a timestamp written as an IMF-fixdate `http-date` string.
    pub fn http_date(&mut self) -> Result<DateTime> {
        self.text_timestamp(Format::HttpDate, "an HTTP date")
    }

    fn text_timestamp(&mut self, format: Format, what: &str) -> Result<DateTime> {
        let start = self.peek().map(|_| self.pos);
        let text = self.str()?;
        DateTime::from_str(&text, format).map_err(|e| {
            let message = format!("{text:?} is not {what}: {e}");
            self.pos = start.unwrap_or(self.pos);
            self.data(&message)
        })
    }

    /// Reads a string as [`Text`]: a view of the source when the reader has
    /// one and the string has no escapes and is longer than `Text` stores
    /// inline, else a copy.
    pub fn text(&mut self) -> Result<Text> {
        Ok(match (self.str()?, self.source) {
            (Cow::Borrowed(s), Some(source)) => Text::part_of(source, s),
            (s, _) => Text::from(s),
        })
    }

    /// Reads an optional [`Text`] member into its field, as [`text`](Self::text)
    /// reads it.
    #[inline]
    pub fn optional_text_into(&mut self, field: &mut Option<Text>) -> Result<()> {
        // A short string without escapes (most short texts) is copied
        // into the field as the whole window of `INLINE` bytes it starts,
        // then cut to its length.
        if self.peek() == Some(b'"') {
            let start = self.pos + 1;
            if let Some(window) = self.text.get(start..start + crate::text::INLINE) {
                let len = find_special_swar(window.as_bytes());
                let part = window.get(..len);
                if let (Some(part), Some(b'"')) = (part, window.as_bytes().get(len)) {
                    field
                        .get_or_insert_with(Text::new)
                        .set_prefix_of(window, part);
                    self.pos = start + len + 1;
                    return Ok(());
                }
            }
        }
        if self.null()? {
            *field = None;
            return Ok(());
        }
        // Built in the field itself: returning a `Text` (40 bytes) through
        // `Result` and moving it here costs a tenth of a small image's parse.
        match (self.str()?, self.source) {
            (Cow::Borrowed(s), Some(source)) => {
                field.get_or_insert_with(Text::new).set_part_of(source, s)
            }
            (s, _) => *field = Some(Text::from(s)),
        }
        Ok(())
    }

    /// Reads a blob from its base64 text. With a source, the blob is a view
    /// of the text, checked when decoded; without one it is decoded (and
    /// checked) now.
    pub fn blob(&mut self) -> Result<Blob> {
        let start = self.peek().map(|_| self.pos);
        let text = self.str()?;
        if let (Cow::Borrowed(s), Some(source)) = (&text, self.source) {
            if s.len() >= VIEW_MIN {
                return Ok(Blob::from_base64(source.slice_ref(s).into_bytes()));
            }
        }
        crate::base64::decode(text.as_bytes())
            .map(Blob::new)
            .map_err(|e| {
                self.pos = start.unwrap_or(self.pos);
                self.data(&format!("invalid base64 in a blob: {e}"))
            })
    }

    /// Reads any JSON value as a document.
    pub fn document(&mut self) -> Result<Document> {
        Ok(match self.peek() {
            Some(b'{') => {
                let mut state = self.begin_object()?;
                let mut map = crate::document::Map::new();
                while let Some(key) = self.next_key(&mut state)? {
                    let value = self.document().map_err(|e| e.in_key(&key))?;
                    map.insert(key.into_owned(), value);
                }
                Document::Object(map)
            }
            Some(b'[') => {
                let mut state = self.begin_array()?;
                let mut items = Vec::new();
                while self.next_item(&mut state)? {
                    let index = items.len();
                    items.push(self.document().map_err(|e| e.in_index(index))?);
                }
                Document::Array(items)
            }
            Some(b'"') => Document::String(self.string()?),
            Some(b't' | b'f') => Document::Bool(self.bool()?),
            Some(b'n') => {
                self.literal(b"null")?;
                Document::Null
            }
            Some(b'-' | b'0'..=b'9') => {
                let text = self.number_text()?;
                match crate::document::Number::parse(text) {
                    Some(n) => Document::Number(n),
                    None => {
                        return Err(
                            self.data(&format!("the number {text} is out of range for a document"))
                        )
                    }
                }
            }
            other => return Err(self.unexpected(other, "a JSON value")),
        })
    }

    /// Skips any JSON value, checking its syntax.
    pub fn skip_value(&mut self) -> Result<()> {
        match self.peek() {
            Some(b'{') => {
                let mut state = self.begin_object()?;
                while self.next_key(&mut state)?.is_some() {
                    self.skip_value()?;
                }
            }
            Some(b'[') => {
                let mut state = self.begin_array()?;
                while self.next_item(&mut state)? {
                    self.skip_value()?;
                }
            }
            Some(b'"') => {
                self.str()?;
            }
            Some(b't' | b'f') => {
                self.bool()?;
            }
            Some(b'n') => self.literal(b"null")?,
            Some(b'-' | b'0'..=b'9') => {
                self.number_text()?;
            }
            other => return Err(self.unexpected(other, "a JSON value")),
        }
        Ok(())
    }

    /// An error for a value of the wrong kind (or a syntax error if `found`
    /// is not the start of any JSON value).
    #[cold]
    fn unexpected(&mut self, found: Option<u8>, expected: &str) -> ReadError {
        let found = match found {
            None => return self.eof(&format!("where it expects {expected}")),
            Some(b'{') => "an object",
            Some(b'[') => "an array",
            Some(b'"') => "a string",
            Some(b'-' | b'0'..=b'9') => "a number",
            Some(b't' | b'f') => "a boolean",
            Some(b'n') => "null",
            Some(b) => {
                let shown = if b.is_ascii_graphic() {
                    format!("`{}`", b as char)
                } else {
                    format!("byte 0x{b:02x}")
                };
                return self.syntax(&format!("expected {expected}, found {shown}"));
            }
        };
        // A key must be a string by JSON's grammar, not by the model's.
        let structural = expected.starts_with('`') || expected == "a string key";
        let message = format!("expected {expected}, found {found}");
        if structural {
            self.syntax(&message)
        } else {
            self.data(&message)
        }
    }

    #[cold]
    fn eof(&self, what: &str) -> ReadError {
        self.error(ReadErrorKind::Eof, format!("the input ends {what}"))
    }

    #[cold]
    fn syntax(&self, what: &str) -> ReadError {
        self.error(ReadErrorKind::Syntax, what.to_string())
    }

    #[cold]
    fn data(&self, what: &str) -> ReadError {
        self.error(ReadErrorKind::Data, what.to_string())
    }

    fn error(&self, kind: ReadErrorKind, message: String) -> ReadError {
        ReadError::at(self.input, self.pos, kind, message)
    }
}

/// The value of the eight decimal digits `bytes` starts with, if it does,
/// in a few word operations rather than eight dependent steps.
#[inline]
fn eight_digits(bytes: &[u8]) -> Option<u64> {
    let mut word = [0u8; 8];
    word.copy_from_slice(bytes.get(..8)?);
    let word = u64::from_le_bytes(word);
    let low = word.wrapping_sub(0x3030_3030_3030_3030);
    // A byte above `9` carries into its top bit once 0x46 is added.
    let high = word.wrapping_add(0x4646_4646_4646_4646);
    if (low | high) & 0x8080_8080_8080_8080 != 0 {
        return None;
    }
    // Pairs, then quads, then the whole: the first digit is the lowest byte.
    let pairs = (low * 10 + (low >> 8)) & 0x00ff_00ff_00ff_00ff;
    let quads = (pairs * 100 + (pairs >> 16)) & 0x0000_ffff_0000_ffff;
    Some((quads & 0xffff_ffff) * 10_000 + (quads >> 32))
}

/// The offset of the first `"`, `\` or control character in `bytes`, or its
/// length if there is none.
#[inline]
fn find_special(bytes: &[u8]) -> usize {
    // Most strings (keys, names, tokens) end within their first 64 bytes:
    // eight bytes at a time, inline. Longer ones (base64 images, documents)
    // go to the vectorised search.
    const HEAD: usize = 64;
    let head = &bytes[..bytes.len().min(HEAD)];
    let at = find_special_swar(head);
    if at < head.len() || bytes.len() == head.len() {
        return at;
    }
    HEAD + find_special_long(&bytes[HEAD..])
}

/// The search over a long string: memchr finds the closing quote or a
/// backslash (SIMD picked at run time), then one pass over what it skipped
/// looks for control characters, which are rare enough that only their
/// presence is tested per block.
#[inline(never)]
fn find_special_long(bytes: &[u8]) -> usize {
    let end = memchr::memchr2(b'"', b'\\', bytes).unwrap_or(bytes.len());
    let span = &bytes[..end];
    for (i, block) in span.chunks(256).enumerate() {
        // No early exit inside the block, so the compiler vectorises it.
        if block.iter().fold(u8::MAX, |low, &b| low.min(b)) < 0x20 {
            let at = block.iter().position(|&b| b < 0x20).unwrap_or(0);
            return i * 256 + at;
        }
    }
    end
}

/// The same search eight bytes at a time: short strings (most keys and
/// values) never fill a block.
#[inline]
pub(crate) fn find_special_swar(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let quote = w ^ (ONES * u64::from(b'"'));
        let backslash = w ^ (ONES * u64::from(b'\\'));
        // Each term sets a byte's high bit when that byte is a quote, a
        // backslash or below 0x20; borrows can only add false hits above a
        // true one, so the lowest hit is exact.
        let hits = ((quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (w.wrapping_sub(ONES * 0x20) & !w))
            & HIGH;
        if hits != 0 {
            return offset + (hits.trailing_zeros() / 8) as usize;
        }
        offset += 8;
    }
    for &b in chunks.remainder() {
        if b == b'"' || b == b'\\' || b < 0x20 {
            return offset;
        }
        offset += 1;
    }
    offset
}

fn short_type_name<T>() -> &'static str {
    let name = std::any::type_name::<T>();
    name.rsplit("::").next().unwrap_or(name)
}

/// Why a JSON body could not be read.
///
/// Boxed, so that every `Result` the reader returns stays as small as its
/// success value; errors are rare and reading is the hot path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError(Box<ErrorInner>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct ErrorInner {
    kind: ReadErrorKind,
    message: String,
    offset: usize,
    line: usize,
    column: usize,
    /// Innermost first, as the error travels outwards.
    path: Vec<PathPart>,
}

/// The class of a [`ReadError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReadErrorKind {
    /// The input ends before the value does (a truncated body).
    Eof,
    /// The input is not JSON.
    Syntax,
    /// The input is JSON but does not fit the model.
    Data,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PathPart {
    Member(&'static str),
    Key(String),
    Index(usize),
}

impl ReadError {
    /// An error at byte `pos` of `input`, with its line and column.
    fn at(input: &[u8], pos: usize, kind: ReadErrorKind, message: String) -> Self {
        let offset = pos.min(input.len());
        let before = &input[..offset];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = offset
            - before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1)
            + 1;
        ReadError(Box::new(ErrorInner {
            kind,
            message,
            offset,
            line,
            column,
            path: Vec::new(),
        }))
    }

    /// The class of error.
    pub fn kind(&self) -> ReadErrorKind {
        self.0.kind
    }

    /// The byte offset where reading stopped.
    pub fn offset(&self) -> usize {
        self.0.offset
    }

    /// The member path where reading stopped (`Images[3].TimeStamp`), empty at the top level.
    pub fn path(&self) -> String {
        let mut out = String::new();
        for part in self.0.path.iter().rev() {
            match part {
                PathPart::Member(m) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(m);
                }
                PathPart::Key(k) => out.push_str(&format!("[{k:?}]")),
                PathPart::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }

    /// Notes that the error happened inside member `name`. Used by generated code.
    #[cold]
    pub fn in_member(mut self, name: &'static str) -> Self {
        self.0.path.push(PathPart::Member(name));
        self
    }

    #[cold]
    fn in_index(mut self, index: usize) -> Self {
        self.0.path.push(PathPart::Index(index));
        self
    }

    #[cold]
    fn in_key(mut self, key: &str) -> Self {
        self.0.path.push(PathPart::Key(key.to_string()));
        self
    }

    /// An error for a value that is well-formed JSON but not what the model
    /// allows (for example a union with two members set). Used by generated code.
    #[cold]
    pub fn invalid(r: &Reader<'_>, message: &str) -> Self {
        r.data(message)
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {}, column {}",
            self.0.message, self.0.line, self.0.column
        )?;
        if !self.0.path.is_empty() {
            write!(f, " (in `{}`)", self.path())?;
        }
        Ok(())
    }
}

impl std::error::Error for ReadError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn read<T>(
        text: &str,
        f: impl FnOnce(&mut Reader<'_>) -> Result<T>,
    ) -> std::result::Result<T, ReadError> {
        let mut r = Reader::new(text);
        let v = f(&mut r)?;
        r.finish()?;
        Ok(v)
    }

    #[test]
    fn strings_borrow_when_plain_and_unescape_otherwise() {
        assert!(matches!(
            Reader::new(r#""plain text""#).str().unwrap(),
            Cow::Borrowed("plain text")
        ));
        let s = read(r#"  "a\"b\\c\/d\n\t\u00e9\ud83d\ude00 end" "#, |r| {
            r.string()
        })
        .unwrap();
        assert_eq!(s, "a\"b\\c/d\n\té😀 end");
        assert_eq!(
            read(r#""long enough to cross a word: 0123456789\u0041""#, |r| r
                .string())
            .unwrap(),
            "long enough to cross a word: 0123456789A"
        );
        assert_eq!(
            read("\"caf\u{e9} \u{1F600}\"", |r| r.string()).unwrap(),
            "café 😀"
        );
    }

    #[test]
    fn bad_strings_are_errors() {
        for (text, kind) in [
            ("\"abc", ReadErrorKind::Eof),
            ("\"abc\\", ReadErrorKind::Eof),
            ("\"ab\u{1}c\"", ReadErrorKind::Syntax),
            (r#""\x""#, ReadErrorKind::Syntax),
            (r#""\ud800""#, ReadErrorKind::Syntax),
            (r#""\udc00""#, ReadErrorKind::Syntax),
            (r#""\u12""#, ReadErrorKind::Syntax),
            ("42", ReadErrorKind::Data),
        ] {
            assert_eq!(
                read(text, |r| r.string()).unwrap_err().kind(),
                kind,
                "{text}"
            );
        }
        #[derive(Debug)]
        struct S;
        impl ReadJson for S {
            fn read_json(r: &mut Reader<'_>) -> Result<Self> {
                r.string().map(|_| S)
            }
        }
        let e = from_slice::<S>(&[b'"', b'a', 0xff, b'"']).unwrap_err();
        assert_eq!((e.kind(), e.offset()), (ReadErrorKind::Syntax, 2));
    }

    #[test]
    fn blobs_and_text_from_a_body_are_views_of_it() {
        let (blob, bad, long) = (
            "aGVs".repeat(100),
            "not base64!".repeat(30),
            "long text ".repeat(30),
        );
        let body = bytes::Bytes::from(format!(
            r#"["{blob}", "{bad}", "{long}", "a\u0041", "short", "aGk="]"#
        ));
        let text = Text::try_from(body.clone()).unwrap();
        let mut r = Reader::with_source(&text);
        let mut state = r.begin_array().unwrap();
        assert!(r.next_item(&mut state).unwrap());
        let b = r.blob().unwrap();
        assert_eq!(b.base64_text(), Some(blob.as_bytes()));
        assert_eq!(b.len(), 300);
        let mut out = b"old".to_vec();
        b.decode_into(&mut out).unwrap();
        assert_eq!(out, "hel".repeat(100).as_bytes());
        assert_eq!(b, Blob::new("hel".repeat(100).into_bytes()));
        // Malformed base64 is kept and reported when decoded, never emptied.
        assert!(r.next_item(&mut state).unwrap());
        let b = r.blob().unwrap();
        assert!(b.to_vec().is_err());
        assert!(b.decode_into(&mut out).is_err());
        assert!(r.next_item(&mut state).unwrap());
        let t = r.text().unwrap();
        assert_eq!(&*t, long);
        let inside = body.as_ptr_range();
        assert!(
            inside.contains(&t.as_bytes().as_ptr()),
            "a view, not a copy"
        );
        // An escaped string cannot be a view; it is unescaped into its own buffer.
        assert!(r.next_item(&mut state).unwrap());
        assert_eq!(&*r.text().unwrap(), "aA");
        // A short string is copied, keeping no part of the body alive; a
        // short blob is decoded at once.
        assert!(r.next_item(&mut state).unwrap());
        let short = r.text().unwrap();
        assert_eq!(short, "short");
        assert!(!inside.contains(&short.as_bytes().as_ptr()));
        assert!(r.next_item(&mut state).unwrap());
        assert_eq!(r.blob().unwrap().as_decoded(), Some(&b"hi"[..]));
        assert!(!r.next_item(&mut state).unwrap());
        // Without a source, a blob is decoded (and checked) at once.
        assert!(read(r#""bm90IGJhc2U2NA""#, |r| r.blob()).is_err());
    }

    #[test]
    fn a_body_read_in_place_must_be_utf8() {
        struct Texts(Vec<Text>);
        impl ReadJson for Texts {
            fn read_json(r: &mut Reader<'_>) -> Result<Self> {
                r.list(|r| r.text()).map(Texts)
            }
        }
        let read = |body: &'static [u8]| {
            from_bytes::<Texts>(&bytes::Bytes::from_static(body)).map(|t| t.0)
        };
        assert_eq!(read("[\"é\", \"ok\"]".as_bytes()).unwrap().len(), 2);
        for bad in [
            &b"[\"\xff\"]"[..],
            b"[\"a\xc3\"]",
            b"[1, \xe9]",
            b"[\"a\\n\xff\"]",
        ] {
            assert!(read(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn eight_digits_reads_exactly_eight_decimal_digits() {
        for text in ["00000000", "12345678", "99999999", "17000000", "10000001"] {
            let want = text.parse::<u64>().unwrap();
            assert_eq!(eight_digits(text.as_bytes()), Some(want));
            assert_eq!(eight_digits(format!("{text}9.5").as_bytes()), Some(want));
        }
        assert_eq!(eight_digits(b"1234567"), None);
        for at in 0..8 {
            for bad in [
                0u8, b' ', b'.', b'/', b':', b'e', 0x7f, 0x80, 0xaf, 0xb9, 0xba, 0xff,
            ] {
                let mut bytes = *b"12345678";
                bytes[at] = bad;
                assert_eq!(eight_digits(&bytes), None, "{bytes:?}");
            }
        }
    }

    #[test]
    fn next_member_finds_keys_in_any_order_and_spelling() {
        let long = "a member name well beyond thirty-two bytes long";
        let names = [
            "a",
            "fifteen_bytes__",
            "sixteen_bytes___",
            "thirty-one bytes of member name",
            "thirty-two bytes of member name!",
            long,
            "",
        ];
        let keys: Vec<Key> = names.iter().map(|n| Key::new(n)).collect();
        let members = |body: &str| -> Result<Vec<usize>> {
            let mut r = Reader::new(body);
            let mut state = r.begin_object()?;
            let mut seen = Vec::new();
            while let Some(i) = r.next_member(&mut state, &keys)? {
                r.skip_value()?;
                seen.push(i);
            }
            r.finish()?;
            Ok(seen)
        };
        let object = |order: &[usize], sep: &str| {
            let members: Vec<String> = order
                .iter()
                .map(|&i| format!("{:?}{sep}:{i}", names.get(i).copied().unwrap_or("other")))
                .collect();
            format!("{{{}}}", members.join(","))
        };
        let orders: [&[usize]; 5] = [
            &[0, 1, 2, 3, 4, 5, 6],
            &[6, 5, 4, 3, 2, 1, 0],
            &[3, 0, 5, 7, 1],
            &[7, 7, 2, 2],
            &[],
        ];
        for order in orders {
            for sep in ["", " ", "\n\t "] {
                let want: Vec<usize> = order.iter().map(|&i| i.min(names.len())).collect();
                // At the start of a long input and as its last bytes.
                let body = object(order, sep);
                assert_eq!(members(&body).unwrap(), want, "{body}");
                let body = format!("{body}{}", " ".repeat(40));
                assert_eq!(members(&body).unwrap(), want, "{body}");
            }
        }
        // Escaped spellings, and names that only start like a key.
        assert_eq!(
            members(r#"{"\u0061":1,"sixteen_bytes":2,"ab":3,"fifteen_bytes___":4}"#).unwrap(),
            [0, 7, 7, 7]
        );
        // Cut or malformed objects are errors, not panics.
        for bad in [
            r#"{"a""#,
            r#"{"a"1}"#,
            r#"{"sixteen_bytes___"#,
            "{\"a\":1 \"b\":2}",
            "{a:1}",
        ] {
            assert!(members(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn members_read_in_place_overwrite_what_an_earlier_key_set() {
        #[derive(Debug, PartialEq)]
        struct Inner {
            text: Option<Text>,
        }
        impl ReadJsonMembers for Inner {
            fn absent() -> Self {
                Inner { text: None }
            }
            fn read_members(r: &mut Reader<'_>, out: &mut Self) -> Result<()> {
                let mut state = r.begin_object()?;
                while let Some(key) = r.next_key(&mut state)? {
                    match &*key {
                        "t" => r.optional_text_into(&mut out.text)?,
                        _ => r.skip_value()?,
                    }
                }
                Ok(())
            }
        }
        #[derive(Debug, PartialEq)]
        struct Outer {
            inner: Option<Inner>,
            list: Option<Vec<Inner>>,
        }
        impl ReadJsonMembers for Outer {
            fn absent() -> Self {
                Outer {
                    inner: None,
                    list: None,
                }
            }
            fn read_members(r: &mut Reader<'_>, out: &mut Self) -> Result<()> {
                let mut state = r.begin_object()?;
                while let Some(key) = r.next_key(&mut state)? {
                    match &*key {
                        "i" => r
                            .optional_struct_into(&mut out.inner)
                            .map_err(|e| e.in_member("i"))?,
                        "l" => {
                            out.list = r
                                .optional(|r| r.struct_list())
                                .map_err(|e| e.in_member("l"))?
                        }
                        _ => r.skip_value()?,
                    }
                }
                Ok(())
            }
        }
        let long = "a string longer than the inline buffer holds";
        let read = |body: String| from_bytes::<Outer>(&bytes::Bytes::from(body));
        let text = |s: &str| Some(Text::from(s));
        // Short after long, long after short, null after either, an escape.
        for (values, want) in [
            (vec![format!("{long:?}"), "\"short\"".into()], text("short")),
            (vec!["\"short\"".into(), format!("{long:?}")], text(long)),
            (vec!["\"short\"".into(), "null".into()], None),
            (vec![format!("{long:?}"), "null".into()], None),
            (vec!["\"long\"".into(), "\"e\\u00e9\"".into()], text("eé")),
        ] {
            let members: Vec<String> = values.iter().map(|v| format!("\"t\":{v}")).collect();
            let object = format!("{{{}}}", members.join(","));
            let out = read(format!(r#"{{"i":{object},"l":[{object},null,{object}]}}"#)).unwrap();
            assert_eq!(out.inner, Some(Inner { text: want.clone() }), "{object}");
            let list = out.list.unwrap();
            assert_eq!(list.len(), 2);
            assert!(list.iter().all(|i| i.text == want), "{object}");
        }
        // A structure sent twice is read afresh the second time.
        let out = read(r#"{"i":{"t":"x"},"i":{},"i":null}"#.into()).unwrap();
        assert_eq!(out.inner, None);
        let out = read(r#"{"i":{"t":"x"},"i":{}}"#.into()).unwrap();
        assert_eq!(out.inner, Some(Inner { text: None }));
        // Errors name the item and member they are in.
        let e = read(r#"{"l":[{"t":"a"},{"t":1}]}"#.into()).unwrap_err();
        assert_eq!(e.path(), "l[1]", "{e}");
        let e = read(r#"{"i":{"t":[]}}"#.into()).unwrap_err();
        assert_eq!(e.path(), "i", "{e}");
    }

    #[test]
    fn short_texts_read_into_a_field_match_the_general_path() {
        // Every length around the inline buffer's, with multibyte characters
        // where the copied window would end, and with the string at the very
        // end of the input (no full window after it).
        let pieces = ["a", "é", "😀", "\\\"", "\\u00e9", "\u{1}"];
        for len in 0..40 {
            for piece in pieces {
                for tail in ["", "}", "} 😀😀😀😀😀😀😀😀😀😀", "}ééééééééééééééééééé"]
                {
                    let value = format!("{}{piece}", "x".repeat(len));
                    let body = format!("\"{value}\"{tail}");
                    let want = Reader::new(&body).text();
                    let source = Text::from(format!("{body}{}", " ".repeat(40)));
                    for mut r in [Reader::new(&body), Reader::with_source(&source)] {
                        let mut field = Some(Text::from("an earlier value, longer than inline"));
                        let got = r.optional_text_into(&mut field);
                        match (&want, got) {
                            (Ok(want), Ok(())) => {
                                assert_eq!(field.as_deref(), Some(&**want), "{body}");
                                assert_eq!(r.peek(), tail.bytes().next(), "{body}");
                            }
                            (Err(want), Err(got)) => {
                                assert_eq!(want.to_string(), got.to_string(), "{body}")
                            }
                            (want, got) => panic!("{body}: {want:?} but {got:?}"),
                        }
                    }
                }
            }
        }
        let mut field = Some(Text::from("x"));
        Reader::new("null").optional_text_into(&mut field).unwrap();
        assert_eq!(field, None);
    }

    #[test]
    fn find_special_finds_the_first_hit_in_long_strings() {
        for len in [63, 64, 65, 127, 128, 200, 319, 320, 321, 700] {
            for at in [
                0, 1, 31, 32, 62, 63, 64, 65, 127, 150, 199, 319, 320, 321, 577, 699,
            ] {
                if at >= len {
                    continue;
                }
                for special in [b'"', b'\\', 0x00, 0x1f] {
                    let mut bytes = vec![b'A'; len];
                    bytes[at] = special;
                    assert_eq!(find_special(&bytes), at, "{len} {at} {special}");
                    // A later hit of another kind does not move the first.
                    if at + 300 < len {
                        bytes[at + 300] = if special == b'"' { 0x01 } else { b'"' };
                        assert_eq!(find_special(&bytes), at, "{len} {at} {special} +");
                    }
                }
            }
            // Bytes next to the special ones are not hits.
            assert_eq!(find_special(&vec![0x20; len]), len);
            assert_eq!(find_special(&vec![b'#'; len]), len);
            assert_eq!(find_special(&vec![b']'; len]), len);
            assert_eq!(find_special(&vec![0xff; len]), len);
        }
    }

    #[test]
    fn find_special_finds_the_first_hit_in_every_position() {
        for len in 0..20 {
            for at in 0..len {
                for special in [b'"', b'\\', 0x00, 0x1f] {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = special;
                    if at + 1 < len {
                        bytes[at + 1] = b'"';
                    }
                    assert_eq!(find_special(&bytes), at, "{bytes:?}");
                }
            }
            assert_eq!(find_special(&vec![0xe9; len]), len);
        }
    }

    #[test]
    fn numbers_follow_the_json_grammar() {
        for ok in ["0", "-0", "12", "-12.5", "1e5", "1E+5", "1.5e-3"] {
            assert_eq!(
                read(ok, |r| r.number_text().map(str::to_owned)).unwrap(),
                ok
            );
        }
        for bad in ["01", "-", "1.", ".5", "1e", "+1", "1.e3"] {
            assert!(
                read(bad, |r| r.number_text().map(str::to_owned)).is_err(),
                "{bad}"
            );
        }
        assert_eq!(read("-128", |r| r.integer::<i8>()).unwrap(), -128);
        assert_eq!(
            read("128", |r| r.integer::<i8>()).unwrap_err().kind(),
            ReadErrorKind::Data
        );
        assert_eq!(
            read("1.5", |r| r.integer::<i32>()).unwrap_err().kind(),
            ReadErrorKind::Data
        );
        assert!(read(r#""NaN""#, |r| r.f64()).unwrap().is_nan());
        assert_eq!(
            read(r#""-Infinity""#, |r| r.f32()).unwrap(),
            f32::NEG_INFINITY
        );
        assert_eq!(read("2.5e1", |r| r.f64()).unwrap(), 25.0);
        assert_eq!(
            read(r#""nope""#, |r| r.f64()).unwrap_err().kind(),
            ReadErrorKind::Data
        );
    }

    #[test]
    fn epoch_seconds_are_exact() {
        let t = read("1700000000.123456789", |r| r.epoch_seconds()).unwrap();
        assert_eq!((t.secs(), t.subsec_nanos()), (1_700_000_000, 123_456_789));
        let t = read("1.7e9", |r| r.epoch_seconds()).unwrap();
        assert_eq!(t.secs(), 1_700_000_000);
        for (text, secs, nanos) in [
            ("0", 0, 0),
            ("-1.5", -2, 500_000_000),
            ("12.000000001", 12, 1),
            ("123456789012345678", 123456789012345678, 0),
        ] {
            let t = read(text, |r| r.epoch_seconds()).unwrap();
            assert_eq!((t.secs(), t.subsec_nanos()), (secs, nanos), "{text}");
        }
        for (text, secs, nanos) in [
            ("1700000000.1234567891", 1_700_000_000, 123_456_789),
            ("1700000000.1230000000", 1_700_000_000, 123_000_000),
            ("-1.0000000001", -2, 999_999_999),
            ("-1.0000000000", -1, 0),
            ("-0.5", -1, 500_000_000),
        ] {
            let t = read(text, |r| r.epoch_seconds()).unwrap();
            assert_eq!((t.secs(), t.subsec_nanos()), (secs, nanos), "{text}");
        }
        // The fast path agrees with the general one at every length of
        // either part.
        for int in [
            "1",
            "12",
            "1234567",
            "12345678",
            "123456789",
            "1700000000",
            "99999999999",
        ] {
            for frac in [
                "", ".1", ".12", ".123", ".1234", ".12345", ".123456", ".1234567",
            ] {
                for frac in [frac.to_string(), format!("{frac}89").replace("..", ".")] {
                    let text = format!("{int}{frac}");
                    let want = super::super::parse_epoch_seconds(&text).unwrap();
                    // At the end of the input, and followed by more (where
                    // the ten-and-three-digit shape is read inline).
                    for input in [
                        text.clone(),
                        format!("{text} "),
                        format!("{text}\n{}", " ".repeat(20)),
                    ] {
                        let t = read(&input, |r| r.epoch_seconds()).unwrap();
                        assert_eq!(t, want, "{input:?}");
                    }
                }
            }
        }
        assert_eq!(
            read("1e300", |r| r.epoch_seconds()).unwrap_err().kind(),
            ReadErrorKind::Data
        );
        for bad in ["1.", "01", "1.x", "\"1\""] {
            assert!(read(bad, |r| r.epoch_seconds()).is_err(), "{bad}");
        }
        // Near the inline shape: exponents, a leading zero, a sign, a short
        // or long fraction, and bytes that only look like digits.
        for text in [
            "1700000000.123e1 ",
            "1700000000.123E-1 ",
            "1700000000.12 ",
            "1700000000.1234 ",
            "-1700000000.123 ",
            "170000000.123 ",
            "17000000000.123 ",
        ] {
            let want = super::super::parse_epoch_seconds(text.trim()).unwrap();
            assert_eq!(read(text, |r| r.epoch_seconds()).unwrap(), want, "{text}");
        }
        for bad in [
            "0700000000.123 ",
            "1700000000:123 ",
            "170000000/.123 ",
            "1700000000.1/3 ",
        ] {
            assert!(read(bad, |r| r.epoch_seconds()).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_list_is_sized_from_its_first_item_within_a_bound() {
        // A page of like items fits the first allocation.
        let page = format!("[{}]", vec!["12345"; 100].join(","));
        let items = read(&page, |r| r.list(|r| r.integer::<i32>())).unwrap();
        assert_eq!(items.len(), 100);
        assert!(items.capacity() <= 101, "{}", items.capacity());
        // One spaced out takes a little more than it needs, never much more.
        let spaced = format!("[{}]", vec!["12345"; 100].join(",    "));
        let items = read(&spaced, |r| r.list(|r| r.integer::<i32>())).unwrap();
        assert!(items.capacity() <= 200, "{}", items.capacity());
        // A short first item before a long tail reserves at most the bound.
        let skewed = format!("[[1],\"{}\"]", "x".repeat(1 << 20));
        let (first, _) = read(&skewed, |r| {
            let mut state = r.begin_array()?;
            r.next_item(&mut state)?;
            let first = r.list(|r| r.integer::<i32>())?;
            r.next_item(&mut state)?;
            let tail = r.string()?;
            r.next_item(&mut state)?;
            Ok((first, tail))
        })
        .unwrap();
        assert_eq!(first, vec![1]);
        assert!(first.capacity() <= PRESIZE_MAX + 1, "{}", first.capacity());
    }

    #[test]
    fn collections_skip_nulls_unless_sparse() {
        assert_eq!(
            read("[1, null, 2]", |r| r.list(|r| r.integer::<i32>())).unwrap(),
            vec![1, 2]
        );
        assert_eq!(
            read("[1, null]", |r| r.sparse_list(|r| r.integer::<i32>())).unwrap(),
            vec![Some(1), None]
        );
        let m = read(r#"{"a": 1, "b": null}"#, |r| {
            r.map(Cow::into_owned, |r| r.integer::<i32>())
        })
        .unwrap();
        assert_eq!(m.len(), 1);
        let m = read(r#"{"a": 1, "b": null}"#, |r| {
            r.sparse_map(Cow::into_owned, |r| r.integer::<i32>())
        })
        .unwrap();
        assert_eq!(m.get("b"), Some(&None));
        assert_eq!(
            read("[]", |r| r.list(|r| r.bool())).unwrap(),
            Vec::<bool>::new()
        );
    }

    #[test]
    fn malformed_structure_is_a_syntax_error_and_truncation_is_eof() {
        for text in [
            "[1,]",
            "[1 2]",
            "{\"a\" 1}",
            "{\"a\":1,}",
            "{,}",
            "{1:2}",
            "[1]]",
            "tru",
            "nul x",
        ] {
            let e = read(text, |r| r.skip_value()).unwrap_err();
            assert_ne!(e.kind(), ReadErrorKind::Data, "{text}: {e}");
        }
        for text in ["[1,", "{\"a\":", "{\"a\":[1, 2", "tr", "-", "\"abc"] {
            assert_eq!(
                read(text, |r| r.skip_value()).unwrap_err().kind(),
                ReadErrorKind::Eof,
                "{text}"
            );
        }
    }

    #[test]
    fn a_finished_object_or_array_stays_finished() {
        let mut r = Reader::new("{}}]");
        let mut state = r.begin_object().unwrap();
        assert!(r.next_key(&mut state).unwrap().is_none());
        assert!(r.next_key(&mut state).unwrap().is_none());
        let mut r = Reader::new("[]]");
        let mut state = r.begin_array().unwrap();
        assert!(!r.next_item(&mut state).unwrap());
        assert!(!r.next_item(&mut state).unwrap());
        assert_eq!(
            read("\"\\ud83d", |r| r.string()).unwrap_err().kind(),
            ReadErrorKind::Eof
        );
        assert_eq!(
            read("\"\\ud83d\\", |r| r.string()).unwrap_err().kind(),
            ReadErrorKind::Eof
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let text = "[".repeat(100_000);
        let e = read(&text, |r| r.skip_value()).unwrap_err();
        assert!(e.to_string().contains("nest more than"), "{e}");
        let ok = format!("{}{}", "[".repeat(100), "]".repeat(100));
        read(&ok, |r| r.skip_value()).unwrap();
    }

    #[test]
    fn big_numbers_keep_every_digit_at_any_size() {
        let digits = "9".repeat(400);
        assert_eq!(read(&digits, |r| r.big_integer()).unwrap().as_str(), digits);
        assert_eq!(
            read("1e400", |r| r.big_decimal()).unwrap().as_str(),
            "1e400"
        );
        assert!(BigInteger::new(" 1").is_none() && BigInteger::new("1x").is_none());
    }

    #[test]
    fn documents_keep_every_value() {
        let text =
            r#"{"a": [1, 2.5, "x", true, null, {"b": -3}], "big": 123456789012345678901234567890}"#;
        let doc = read(text, |r| r.document()).unwrap();
        assert_eq!(doc["a"][5]["b"], Document::from(-3));
        assert_eq!(doc["a"][1], Document::from(2.5));
    }

    #[test]
    fn errors_name_the_place() {
        let e = read("{\n  \"a\": [1, \"x\"]\n}", |r| {
            let mut state = r.begin_object()?;
            while let Some(_key) = r.next_key(&mut state)? {
                r.list(|r| r.integer::<i32>())
                    .map_err(|e| e.in_member("a"))?;
            }
            Ok(())
        })
        .unwrap_err();
        assert_eq!(e.path(), "a[1]");
        assert_eq!(
            e.to_string(),
            "expected a number, found a string at line 2, column 12 (in `a[1]`)"
        );
    }
}
