//! Runtime stage: `Text`, the string type of large string members, which
//! shares the response body's buffer instead of copying out of it (short
//! values are stored inline).

use bytes::Bytes;
use bytestring::ByteString;
use std::borrow::{Borrow, Cow};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

/// Strings up to this many bytes are stored inline: copying them costs less
/// than counting a reference to the body up and down (two atomic operations),
/// and they keep no part of the body alive.
pub(crate) const INLINE: usize = 32;

/// A large string member: one whose `@length` allows 64 Ki characters or more.
///
/// Read from a response body, it is a view of the body's buffer, so reading a
/// page of long strings copies nothing; a short value (32 bytes or fewer) is
/// copied into the `Text` itself instead, from a body or any other source
/// except [`from_static`](Self::from_static). It dereferences to `str`;
/// `String`, `&str` and `Cow<str>` convert into it, and
/// [`into_bytes`](Self::into_bytes) gives its bytes as `Bytes`.
#[derive(Clone)]
pub struct Text(Repr);

#[derive(Clone)]
enum Repr {
    Inline(arrayvec::ArrayString<INLINE>),
    Shared(ByteString),
}

impl Text {
    /// An empty string.
    pub const fn new() -> Self {
        Text(Repr::Inline(arrayvec::ArrayString::new_const()))
    }

    /// A `Text` of a static string, borrowed rather than copied.
    pub const fn from_static(s: &'static str) -> Self {
        Text(Repr::Shared(ByteString::from_static(s)))
    }

    /// The string, borrowed.
    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline(s) => s,
            Repr::Shared(s) => s,
        }
    }

    /// The string's bytes as `Bytes`: shared without copying when the text is
    /// a view of a larger buffer.
    pub fn into_bytes(self) -> Bytes {
        match self.0 {
            Repr::Inline(s) => Bytes::copy_from_slice(s.as_bytes()),
            Repr::Shared(s) => s.into_bytes(),
        }
    }

    /// `part` of `source`'s text as a `Text`: a view sharing `source`'s buffer,
    /// or a copy when it is short. `part` must lie inside `source`.
    #[inline]
    pub(crate) fn part_of(source: &ByteString, part: &str) -> Self {
        debug_assert!(source.as_bytes().as_ptr_range().contains(&part.as_ptr()) || part.is_empty());
        Text::inline(part).unwrap_or_else(|| Text(Repr::Shared(source.slice_ref(part))))
    }

    /// Makes this text `part` of `source`, as [`part_of`](Self::part_of)
    /// would, copying a short `part` straight into this text's own buffer.
    /// Building a new `Text` and moving it here instead was the costliest
    /// step of reading a page of small strings: the moves reread the copy's
    /// bytes in other widths than they were written, which the CPU cannot
    /// forward from its store buffer.
    #[inline]
    pub(crate) fn set_part_of(&mut self, source: &ByteString, part: &str) {
        if let Repr::Inline(inline) = &mut self.0 {
            inline.clear();
            if inline.try_push_str(part).is_ok() {
                return;
            }
        }
        *self = Text::part_of(source, part);
    }

    /// Makes this text `part`, a prefix of `window`, which is exactly
    /// [`INLINE`] bytes long, by copying the whole window and then cutting
    /// it: a copy of a size known when compiling is a few register moves,
    /// where a copy of `part.len()` bytes is a call to `memcpy`.
    #[inline]
    pub(crate) fn set_prefix_of(&mut self, window: &str, part: &str) {
        debug_assert!(window.len() == INLINE && window.starts_with(part));
        if let Repr::Inline(inline) = &mut self.0 {
            inline.clear();
            if inline.try_push_str(window).is_ok() {
                // `part` is a `str`, so its length is a character boundary.
                inline.truncate(part.len());
                return;
            }
        }
        *self = Text::from(part);
    }

    /// `s` stored inline, if it is short enough.
    #[inline]
    fn inline(s: &str) -> Option<Self> {
        arrayvec::ArrayString::from(s)
            .ok()
            .map(|s| Text(Repr::Inline(s)))
    }

    /// The shared buffer behind a text that is not stored inline.
    pub(crate) fn shared(&self) -> Option<&ByteString> {
        match &self.0 {
            Repr::Inline(_) => None,
            Repr::Shared(s) => Some(s),
        }
    }
}

impl Default for Text {
    fn default() -> Self {
        Text::new()
    }
}

impl Deref for Text {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self
    }
}

impl AsRef<[u8]> for Text {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text::inline(s).unwrap_or_else(|| Text(Repr::Shared(ByteString::from(s))))
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text::inline(&s).unwrap_or_else(|| Text(Repr::Shared(ByteString::from(s))))
    }
}

impl From<Box<str>> for Text {
    fn from(s: Box<str>) -> Self {
        Text::from(String::from(s))
    }
}

impl From<Cow<'_, str>> for Text {
    fn from(s: Cow<'_, str>) -> Self {
        match s {
            Cow::Borrowed(s) => Text::from(s),
            Cow::Owned(s) => Text::from(s),
        }
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Self {
        Text::from(s.as_str())
    }
}

impl From<ByteString> for Text {
    fn from(s: ByteString) -> Self {
        Text::inline(&s).unwrap_or(Text(Repr::Shared(s)))
    }
}

impl From<Text> for String {
    fn from(t: Text) -> Self {
        t.as_str().to_owned()
    }
}

impl TryFrom<Bytes> for Text {
    type Error = std::str::Utf8Error;

    /// Checks that the bytes are UTF-8 and shares them (a short string is
    /// copied instead).
    fn try_from(bytes: Bytes) -> Result<Self, Self::Error> {
        ByteString::try_from(bytes).map(Text::from)
    }
}

impl TryFrom<Vec<u8>> for Text {
    type Error = std::string::FromUtf8Error;

    /// Checks that the bytes are UTF-8 and keeps them.
    fn try_from(bytes: Vec<u8>) -> Result<Self, Self::Error> {
        String::from_utf8(bytes).map(Text::from)
    }
}

impl std::str::FromStr for Text {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Text::from(s))
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

impl<T: AsRef<str> + ?Sized> PartialEq<T> for Text {
    fn eq(&self, other: &T) -> bool {
        self.as_str() == other.as_ref()
    }
}

impl Eq for Text {}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for Text {
    /// Hashes as `str` does, so a `&str` finds a `Text` key in a map.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

macro_rules! eq_str {
    ($($t:ty),*) => {$(
        impl PartialEq<Text> for $t {
            fn eq(&self, other: &Text) -> bool {
                AsRef::<str>::as_ref(self) == other.as_str()
            }
        }
    )*};
}
eq_str!(str, &str, String, std::borrow::Cow<'_, str>);

#[cfg(feature = "serde")]
impl serde::Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E>(self, s: &str) -> Result<Text, E> {
                Ok(Text::from(s))
            }
            fn visit_string<E>(self, s: String) -> Result<Text, E> {
                Ok(Text::from(s))
            }
        }
        d.deserialize_string(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_inline_and_long_text_shares_the_buffer() {
        let body = ByteString::from(format!(
            "\"{}\" \"{}\"",
            "a".repeat(INLINE),
            "b".repeat(INLINE + 1)
        ));
        let short = Text::part_of(&body, &body[1..1 + INLINE]);
        let long = Text::part_of(&body, &body[INLINE + 4..2 * INLINE + 5]);
        assert!(short.shared().is_none());
        assert_eq!(&*short, "a".repeat(INLINE));
        let shared = long.shared().expect("a view");
        assert_eq!(shared.as_ptr(), body[INLINE + 4..].as_ptr());
        assert_eq!(long, "b".repeat(INLINE + 1));
    }

    #[test]
    fn text_compares_hashes_and_converts_as_its_string() {
        use std::collections::HashMap;
        let long = "x".repeat(100);
        let texts = [Text::new(), Text::from("é"), Text::from(long.clone())];
        assert_eq!(texts[0], "");
        assert_eq!(texts[1], "é");
        assert_eq!(texts[2], long);
        assert_eq!(Text::from(Cow::Borrowed("é")), texts[1]);
        assert_eq!(texts[1], Cow::Borrowed("é"));
        assert_eq!(texts[1], texts[1].clone());
        assert_eq!(Text::from_static("static"), "static");
        assert_eq!(Text::try_from(b"ok".to_vec()).unwrap(), "ok");
        assert!(Text::try_from(Bytes::from_static(b"short"))
            .unwrap()
            .shared()
            .is_none());
        assert!(texts[0] < texts[1] && texts[2] < texts[1]);
        let map: HashMap<Text, u8> = texts.iter().cloned().zip(0..).collect();
        assert_eq!(map["é"], 1);
        assert_eq!(map[long.as_str()], 2);
        assert_eq!(String::from(texts[2].clone()), long);
        assert_eq!(&texts[1].clone().into_bytes()[..], "é".as_bytes());
        assert_eq!(format!("{:?} {}", texts[1], texts[1]), "\"é\" é");
        assert!(Text::try_from(Bytes::from_static(b"\xff")).is_err());
        assert_eq!(Text::try_from(Bytes::from_static(b"ok")).unwrap(), "ok");
    }
}
