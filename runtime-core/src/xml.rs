//! Runtime stage, codecs: the XML reader restXml, awsQuery and ec2Query
//! responses are read with, a cursor over quick-xml's events that walks the
//! element tree in place (text borrowed from the body where it needs no
//! unescaping), as the JSON reader does.
//!
//! Responses are untrusted input, so the reader refuses what a response never
//! needs and an attacker would: a `<!DOCTYPE …>` is an error (it is where
//! entities are declared, so neither a billion-laughs expansion nor an
//! external entity can be defined), an entity reference other than XML's five
//! and character references is an error, and elements may nest at most
//! [`MAX_DEPTH`] levels. It never panics on any input.

use quick_xml::events::{BytesStart, Event};
use std::borrow::Cow;
use std::fmt;

/// How deep elements may nest before the body is refused.
pub const MAX_DEPTH: u32 = 128;

/// A body that is not the XML expected, with the byte offset where reading stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    message: String,
    position: u64,
    /// Where in the value, innermost first (`Size`, `[2]`, `Contents`).
    path: Vec<String>,
}

impl ReadError {
    fn new(message: impl Into<String>, position: u64) -> Self {
        ReadError {
            message: message.into(),
            position,
            path: Vec::new(),
        }
    }

    /// The error, inside member `name` (generated readers add the path).
    #[cold]
    pub fn in_member(mut self, name: &str) -> Self {
        self.path.push(name.to_owned());
        self
    }

    /// The error, inside the item at `index` of a list.
    #[cold]
    pub fn in_index(mut self, index: usize) -> Self {
        self.path.push(format!("[{index}]"));
        self
    }

    /// The member path, outermost first (`Contents[2].Size`).
    pub fn path(&self) -> String {
        let mut out = String::new();
        for part in self.path.iter().rev() {
            if !out.is_empty() && !part.starts_with('[') {
                out.push('.');
            }
            out.push_str(part);
        }
        out
    }

    /// What was wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The byte offset in the body where it was found.
    pub fn position(&self) -> u64 {
        self.position
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.message, self.position)?;
        if !self.path.is_empty() {
            write!(f, " (in `{}`)", self.path())?;
        }
        Ok(())
    }
}

impl std::error::Error for ReadError {}

/// The result of reading.
pub type Result<T> = std::result::Result<T, ReadError>;

/// An element the reader has entered: its name and attributes.
#[derive(Debug, Clone)]
pub struct Element<'a> {
    start: BytesStart<'a>,
    /// Where the element's start tag ends, for errors in its attributes.
    position: u64,
}

impl<'a> Element<'a> {
    /// The local name, without a namespace prefix (`Key` for `<s3:Key>`).
    pub fn name(&self) -> &str {
        self.start.local_name().into_inner()
    }

    /// The name as written, with its prefix if it has one.
    pub fn qualified_name(&self) -> &str {
        self.start.name().into_inner()
    }

    /// Whether the element is named `name` (its local name).
    pub fn is(&self, name: &str) -> bool {
        self.start.local_name().into_inner() == name
    }

    /// The value of the attribute written `name` (with its prefix, as
    /// `xsi:type`), references resolved and white space normalised as XML
    /// requires, or `None` when the element does not have it.
    pub fn attribute(&self, name: &str) -> Result<Option<Cow<'a, str>>> {
        for attribute in self.start.attributes() {
            let attribute = attribute
                .map_err(|e| ReadError::new(format!("malformed attribute: {e}"), self.position))?;
            if attribute.key.into_inner() == name {
                return attribute
                    .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .map(|v| Some(Cow::Owned(v.into_owned())))
                    .map_err(|e| {
                        ReadError::new(format!("attribute `{name}`: {e}"), self.position)
                    });
            }
        }
        Ok(None)
    }
}

/// A cursor over an XML document. After [`root`](Self::root) or
/// [`next_child`](Self::next_child) return an element, the reader is inside
/// it, and one of `next_child` (until it returns `None`), [`text`](Self::text)
/// or [`skip`](Self::skip) reads the rest of it.
pub struct Reader<'a> {
    events: quick_xml::Reader<&'a [u8]>,
    depth: u32,
    /// The element last entered was written empty (`<a/>`): it has no
    /// content and no end tag to read.
    empty: bool,
}

impl<'a> Reader<'a> {
    /// A reader of `body`, which must be UTF-8 (as AWS services send it).
    pub fn new(body: &'a [u8]) -> Result<Self> {
        let text = std::str::from_utf8(body)
            .map_err(|e| ReadError::new("the body is not UTF-8", e.valid_up_to() as u64))?;
        Ok(Self::from_str(text))
    }

    /// A reader of `text`.
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(text: &'a str) -> Self {
        let mut events = quick_xml::Reader::from_str(text);
        let config = events.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
        config.trim_text(false);
        Reader {
            events,
            depth: 0,
            empty: false,
        }
    }

    /// An error at the position reached, for what generated readers find
    /// wrong with a value.
    #[cold]
    pub fn invalid(&self, message: impl Into<String>) -> ReadError {
        ReadError::new(message, self.position())
    }

    /// An element whose start tag was just read.
    fn element(&self, start: BytesStart<'a>) -> Element<'a> {
        Element {
            start,
            position: self.position(),
        }
    }

    /// The byte offset reached.
    pub fn position(&self) -> u64 {
        self.events.buffer_position()
    }

    fn error<T>(&self, message: impl Into<String>) -> Result<T> {
        Err(ReadError::new(message, self.position()))
    }

    fn event(&mut self) -> Result<Event<'a>> {
        match self.events.read_event() {
            Ok(Event::DocType(_)) => self.error(
                "the body has a document type declaration (`<!DOCTYPE`), which responses never \
                 carry and which could declare entities; it is refused",
            ),
            Ok(event) => Ok(event),
            Err(e) => Err(ReadError::new(
                format!("malformed XML: {e}"),
                self.events.error_position(),
            )),
        }
    }

    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.error(format!("elements nest more than {MAX_DEPTH} levels deep"));
        }
        Ok(())
    }

    /// The document's root element, after the XML declaration, comments and
    /// processing instructions.
    pub fn root(&mut self) -> Result<Element<'a>> {
        loop {
            match self.event()? {
                Event::Start(start) => {
                    self.enter()?;
                    return Ok(self.element(start));
                }
                Event::Empty(start) => {
                    self.empty = true;
                    return Ok(self.element(start));
                }
                Event::Text(t) if t.bytes().all(|b| b.is_ascii_whitespace()) => {}
                Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
                Event::Eof => return self.error("the body has no root element"),
                _ => return self.error("the body has content before its root element"),
            }
        }
    }

    /// The next child element of the element the reader is in, entering it;
    /// `None` at the element's end tag, which leaves it. Text between
    /// children is passed over.
    pub fn next_child(&mut self) -> Result<Option<Element<'a>>> {
        if std::mem::take(&mut self.empty) {
            return Ok(None);
        }
        if self.depth == 0 {
            return Ok(None);
        }
        loop {
            match self.event()? {
                Event::Start(start) => {
                    self.enter()?;
                    return Ok(Some(self.element(start)));
                }
                Event::Empty(start) => {
                    self.empty = true;
                    return Ok(Some(self.element(start)));
                }
                Event::End(_) => {
                    self.depth -= 1;
                    return Ok(None);
                }
                Event::GeneralRef(r) => {
                    if let Err(m) = resolve(&r) {
                        return self.error(m);
                    }
                }
                Event::Text(_) | Event::CData(_) | Event::Comment(_) | Event::PI(_) => {}
                Event::Decl(_) | Event::DocType(_) => {
                    return self.error("a declaration inside an element")
                }
                Event::Eof => return self.error("the body ends inside an element"),
            }
        }
    }

    /// The text of the element the reader is in, up to its end tag, which
    /// leaves it: character data, CDATA sections and references, with line
    /// ends normalised as XML requires. An element inside it is an error.
    pub fn text(&mut self) -> Result<Cow<'a, str>> {
        if std::mem::take(&mut self.empty) || self.depth == 0 {
            return Ok(Cow::Borrowed(""));
        }
        let mut out: Option<Cow<'a, str>> = None;
        let push = |out: &mut Option<Cow<'a, str>>, piece: Cow<'a, str>| match out {
            None => *out = Some(piece),
            Some(text) => text.to_mut().push_str(&piece),
        };
        loop {
            match self.event()? {
                Event::Text(t) => push(&mut out, t.xml10_content()),
                Event::CData(c) => push(&mut out, c.into_inner()),
                Event::GeneralRef(r) => match resolve(&r) {
                    Ok(c) => out
                        .get_or_insert_with(|| Cow::Owned(String::with_capacity(32)))
                        .to_mut()
                        .push(c),
                    Err(m) => return self.error(m),
                },
                Event::Comment(_) | Event::PI(_) => {}
                Event::End(_) => {
                    self.depth -= 1;
                    return Ok(out.unwrap_or(Cow::Borrowed("")));
                }
                Event::Start(s) | Event::Empty(s) => {
                    let name = s.name().into_inner().to_owned();
                    return self.error(format!("expected text, found the element <{name}>"));
                }
                Event::Decl(_) | Event::DocType(_) => {
                    return self.error("a declaration inside an element")
                }
                Event::Eof => return self.error("the body ends inside an element"),
            }
        }
    }

    /// Passes over the rest of the element the reader is in, leaving it.
    pub fn skip(&mut self) -> Result<()> {
        if std::mem::take(&mut self.empty) || self.depth == 0 {
            return Ok(());
        }
        let target = self.depth - 1;
        while self.depth > target {
            match self.event()? {
                Event::Start(_) => self.enter()?,
                Event::End(_) => self.depth -= 1,
                Event::GeneralRef(r) => {
                    if let Err(m) = resolve(&r) {
                        return self.error(m);
                    }
                }
                Event::Eof => return self.error("the body ends inside an element"),
                Event::Decl(_) | Event::DocType(_) => {
                    return self.error("a declaration inside an element")
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The element's text as a `String`.
    pub fn string(&mut self) -> Result<String> {
        self.text().map(Cow::into_owned)
    }

    /// The element's text as a [`Text`](crate::Text).
    pub fn text_value(&mut self) -> Result<crate::Text> {
        self.text().map(crate::Text::from)
    }

    /// A value parsed from the element's text by `parse` (one of this
    /// module's `parse_…` functions), the error placed at the element.
    pub fn parse<T>(
        &mut self,
        parse: impl FnOnce(&str) -> std::result::Result<T, String>,
    ) -> Result<T> {
        let text = self.text()?;
        parse(&text).map_err(|m| ReadError::new(m, self.position()))
    }

    /// The items of a wrapped list: each child element named `member` is one
    /// item, read by `item`; other children are passed over.
    pub fn list<T>(
        &mut self,
        member: &str,
        mut item: impl FnMut(&mut Self, &Element<'a>) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        while let Some(child) = self.next_child()? {
            if child.is(member) {
                let value = item(self, &child).map_err(|e| e.in_index(out.len()))?;
                out.push(value);
            } else {
                self.skip()?;
            }
        }
        Ok(out)
    }

    /// A map entry, from the element the reader is in: its children named
    /// `key` and `value`, read by `read_key` and `read_value`. An entry
    /// without a value is `None`.
    pub fn entry<K, V>(
        &mut self,
        key: &str,
        value: &str,
        read_key: impl FnOnce(&mut Self, &Element<'a>) -> Result<K>,
        read_value: impl FnOnce(&mut Self, &Element<'a>) -> Result<V>,
    ) -> Result<Option<(K, V)>> {
        let (mut read_key, mut read_value) = (Some(read_key), Some(read_value));
        let (mut k, mut v) = (None, None);
        while let Some(child) = self.next_child()? {
            if child.is(key) {
                match read_key.take() {
                    Some(read) => k = Some(read(self, &child)?),
                    None => return self.error(format!("a map entry has two <{key}> elements")),
                }
            } else if child.is(value) {
                match read_value.take() {
                    Some(read) => v = Some(read(self, &child)?),
                    None => return self.error(format!("a map entry has two <{value}> elements")),
                }
            } else {
                self.skip()?;
            }
        }
        match (k, v) {
            (Some(k), Some(v)) => Ok(Some((k, v))),
            (None, _) => self.error(format!("a map entry has no <{key}> element")),
            (Some(_), None) => Ok(None),
        }
    }

    /// The entries of a wrapped map: each child element named `entry`, with
    /// its key and value (see [`entry`](Self::entry)).
    #[allow(clippy::type_complexity)]
    pub fn map<K: Ord, V>(
        &mut self,
        key: &str,
        value: &str,
        mut read_key: impl FnMut(&mut Self, &Element<'a>) -> Result<K>,
        mut read_value: impl FnMut(&mut Self, &Element<'a>) -> Result<V>,
    ) -> Result<std::collections::BTreeMap<K, V>> {
        let mut out = std::collections::BTreeMap::new();
        while let Some(child) = self.next_child()? {
            if child.is("entry") {
                if let Some((k, v)) = self.entry(key, value, &mut read_key, &mut read_value)? {
                    out.insert(k, v);
                }
            } else {
                self.skip()?;
            }
        }
        Ok(out)
    }

    /// Checks that nothing but comments, processing instructions and white
    /// space follows the root element.
    pub fn finish(&mut self) -> Result<()> {
        loop {
            match self.event()? {
                Event::Eof => return Ok(()),
                Event::Comment(_) | Event::PI(_) => {}
                Event::Text(t) if t.bytes().all(|b| b.is_ascii_whitespace()) => {}
                _ => return self.error("the body goes on after its root element"),
            }
        }
    }
}

/// A type generated code reads from an XML element.
pub trait ReadXml: Sized {
    /// Reads the value from `element`, which the reader has just entered,
    /// through its end tag.
    fn read_xml(r: &mut Reader<'_>, element: &Element<'_>) -> Result<Self>;
}

/// Reads `T` from a response body: from its root element, or with
/// `wrapper`, from the root's child of that name (awsQuery's
/// `<OperationResult>`), which an output without members may leave out.
pub fn from_body<T: ReadXml>(body: &[u8], wrapper: Option<&str>) -> Result<T> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return absent();
    }
    let mut r = Reader::new(body)?;
    let root = r.root()?;
    let value = match wrapper {
        None => T::read_xml(&mut r, &root)?,
        Some(name) => {
            let mut found = None;
            while let Some(child) = r.next_child()? {
                if found.is_none() && child.is(name) {
                    found = Some(T::read_xml(&mut r, &child)?);
                } else {
                    r.skip()?;
                }
            }
            match found {
                Some(v) => v,
                None => absent()?,
            }
        }
    };
    r.finish()?;
    Ok(value)
}

/// A value read from the body's root element itself by `read`, or `None`
/// for an empty body (S3's `@s3UnwrappedXmlOutput`).
pub fn from_root<T>(
    body: &[u8],
    read: impl FnOnce(&mut Reader<'_>, &Element<'_>) -> Result<T>,
) -> Result<Option<T>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let mut r = Reader::new(body)?;
    let root = r.root()?;
    let value = read(&mut r, &root)?;
    r.finish()?;
    Ok(Some(value))
}

/// `T` read from an empty element: every member absent.
fn absent<T: ReadXml>() -> Result<T> {
    let mut r = Reader::from_str("<absent/>");
    let root = r.root()?;
    T::read_xml(&mut r, &root)
}

/// The `<Error>` element of an error body, wherever the protocol puts it:
/// `<ErrorResponse><Error>` (awsQuery, restXml), `<Error>` alone (restXml
/// with `noErrorWrapping`, S3) or `<Response><Errors><Error>` (ec2Query).
/// Calls `read` with the reader inside it.
fn in_error<T>(
    body: &[u8],
    read: impl FnOnce(&mut Reader<'_>, &Element<'_>) -> Result<T>,
) -> Result<T> {
    let mut r = Reader::new(body)?;
    let root = r.root()?;
    if root.is("Error") {
        return read(&mut r, &root);
    }
    while let Some(child) = r.next_child()? {
        if child.is("Error") {
            return read(&mut r, &child);
        }
        if child.is("Errors") {
            while let Some(inner) = r.next_child()? {
                if inner.is("Error") {
                    return read(&mut r, &inner);
                }
                r.skip()?;
            }
        } else {
            r.skip()?;
        }
    }
    r.error("the error body has no <Error> element")
}

/// Reads a modelled error structure from an XML error body.
pub fn from_error_body<T: ReadXml>(body: &[u8]) -> Result<T> {
    in_error(body, T::read_xml)
}

/// The fields that identify an XML error: its `Code`, `Message` and the
/// request id (`RequestId` beside the `<Error>`, or `RequestID` in EC2's).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ErrorFields {
    /// `<Code>`: which error it is.
    pub code: Option<String>,
    /// `<Message>`.
    pub message: Option<String>,
    /// `<Type>`: `Sender` or `Receiver`, whose side the fault is.
    pub fault: Option<String>,
    /// The request id the service gave the call.
    pub request_id: Option<String>,
}

/// Reads [`ErrorFields`] from an error body; a body that is not XML gives none.
pub fn error_fields(body: &[u8]) -> ErrorFields {
    let mut out = ErrorFields::default();
    let _ = in_error(body, |r, _| {
        while let Some(child) = r.next_child()? {
            match child.name() {
                "Code" => out.code = Some(r.string()?),
                "Message" | "message" => out.message = Some(r.string()?),
                "Type" => out.fault = Some(r.string()?),
                "RequestId" | "RequestID" => out.request_id = Some(r.string()?),
                _ => r.skip()?,
            }
        }
        Ok(())
    });
    if out.request_id.is_none() {
        out.request_id = request_id(body);
    }
    out
}

/// The `RequestId` (or `RequestID`) child of the root, where awsQuery and
/// ec2Query put it.
fn request_id(body: &[u8]) -> Option<String> {
    let mut r = Reader::new(body).ok()?;
    r.root().ok()?;
    while let Some(child) = r.next_child().ok()? {
        if child.is("RequestId") || child.is("RequestID") {
            return r.string().ok();
        }
        r.skip().ok()?;
    }
    None
}

/// `true` or `false`.
pub fn parse_bool(text: &str) -> std::result::Result<bool, String> {
    match text.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(format!("expected true or false, found {other:?}")),
    }
}

/// An integer of type `T`.
pub fn parse_integer<T: std::str::FromStr>(text: &str) -> std::result::Result<T, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("expected an integer in range, found {text:?}"))
}

/// A float: a number, `NaN`, `Infinity` or `-Infinity`.
pub fn parse_f64(text: &str) -> std::result::Result<f64, String> {
    match text.trim() {
        "NaN" => Ok(f64::NAN),
        "Infinity" => Ok(f64::INFINITY),
        "-Infinity" => Ok(f64::NEG_INFINITY),
        t => {
            // Rust's parser also takes `inf` and `nan`, which are not XML numbers.
            if t.bytes()
                .any(|b| b.is_ascii_alphabetic() && b != b'e' && b != b'E')
            {
                return Err(format!("expected a number, found {text:?}"));
            }
            t.parse()
                .map_err(|_| format!("expected a number, found {text:?}"))
        }
    }
}

/// A float of type `f32` (see [`parse_f64`]).
pub fn parse_f32(text: &str) -> std::result::Result<f32, String> {
    parse_f64(text).map(|v| v as f32)
}

/// A blob, from base64 text.
pub fn parse_blob(text: &str) -> std::result::Result<crate::Blob, String> {
    let clean: String = text.split_ascii_whitespace().collect();
    crate::base64::decode(clean.as_bytes())
        .map(crate::Blob::new)
        .map_err(|e| format!("expected base64, found {text:?} ({e})"))
}

/// A timestamp in `format`.
pub fn parse_date_time(
    text: &str,
    format: crate::DateTimeFormat,
) -> std::result::Result<crate::DateTime, String> {
    crate::DateTime::from_str(text.trim(), format).map_err(|e| e.to_string())
}

/// A big integer.
pub fn parse_big_integer(text: &str) -> std::result::Result<crate::BigInteger, String> {
    crate::BigInteger::new(text.trim())
        .ok_or_else(|| format!("expected an integer, found {text:?}"))
}

/// A big decimal.
pub fn parse_big_decimal(text: &str) -> std::result::Result<crate::BigDecimal, String> {
    crate::BigDecimal::new(text.trim()).ok_or_else(|| format!("expected a number, found {text:?}"))
}

/// A namespace to declare on an element: `(uri, prefix)`; without a prefix
/// it is the default namespace (`xmlns="uri"`).
pub type Ns<'a> = Option<(&'a str, Option<&'a str>)>;

/// A type generated code writes as an XML element (restXml request bodies).
pub trait WriteXml {
    /// Writes the value as the element `name`, declaring `ns` on it.
    fn write_xml(&self, w: &mut Writer, name: &str, ns: Ns<'_>);
}

/// An XML document being written. Elements are written whole by the
/// generated code: [`start`](Self::start), attributes, [`close_start`](Self::close_start),
/// content, [`end`](Self::end); scalars in one call each.
#[derive(Debug, Default)]
pub struct Writer {
    out: String,
    failure: Option<String>,
}

impl Writer {
    /// An empty document.
    pub fn new() -> Self {
        Writer {
            out: String::with_capacity(256),
            failure: None,
        }
    }

    /// Records that the value cannot be sent.
    pub fn fail(&mut self, reason: impl Into<String>) {
        if self.failure.is_none() {
            self.failure = Some(reason.into());
        }
    }

    /// `<name`, with `ns` declared: attributes may follow.
    pub fn start(&mut self, name: &str, ns: Ns<'_>) {
        self.out.push('<');
        self.out.push_str(name);
        if let Some((uri, prefix)) = ns {
            match prefix {
                Some(p) => {
                    self.out.push_str(" xmlns:");
                    self.out.push_str(p);
                }
                None => self.out.push_str(" xmlns"),
            }
            self.out.push_str("=\"");
            escape_into(&mut self.out, uri, true);
            self.out.push('"');
        }
    }

    /// An attribute of the element just started.
    pub fn attribute(&mut self, name: &str, value: &str) {
        self.out.push(' ');
        self.out.push_str(name);
        self.out.push_str("=\"");
        escape_into(&mut self.out, value, true);
        self.out.push('"');
    }

    /// Ends the start tag.
    pub fn close_start(&mut self) {
        self.out.push('>');
    }

    /// Character data, escaped.
    pub fn text(&mut self, value: &str) {
        escape_into(&mut self.out, value, false);
    }

    /// `</name>`.
    pub fn end(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// `<name>value</name>`.
    pub fn str(&mut self, name: &str, ns: Ns<'_>, value: &str) {
        self.start(name, ns);
        self.close_start();
        self.text(value);
        self.end(name);
    }

    /// A boolean element.
    pub fn bool(&mut self, name: &str, ns: Ns<'_>, value: bool) {
        self.str(name, ns, if value { "true" } else { "false" });
    }

    /// An integer element.
    pub fn int(&mut self, name: &str, ns: Ns<'_>, value: impl Into<i64>) {
        let mut buf = itoa::Buffer::new();
        let text = buf.format(value.into());
        self.str(name, ns, text);
    }

    /// A double element: its shortest form, or `NaN`, `Infinity`, `-Infinity`.
    pub fn f64(&mut self, name: &str, ns: Ns<'_>, value: f64) {
        self.str(name, ns, &float_text(value));
    }

    /// A float element, in its own shortest form.
    pub fn f32(&mut self, name: &str, ns: Ns<'_>, value: f32) {
        self.str(name, ns, &f32_text(value));
    }

    /// A blob element, as base64.
    pub fn blob(&mut self, name: &str, ns: Ns<'_>, value: &crate::Blob) {
        let text = value.to_base64();
        self.str(name, ns, &String::from_utf8_lossy(&text));
    }

    /// A timestamp element in `format`.
    pub fn date_time(
        &mut self,
        name: &str,
        ns: Ns<'_>,
        value: &crate::DateTime,
        format: crate::DateTimeFormat,
    ) {
        match value.fmt(format) {
            Ok(text) => self.str(name, ns, &text),
            Err(e) => self.fail(format!("a timestamp cannot be written: {e}")),
        }
    }

    /// The document, or why a value could not be written.
    pub fn finish(self) -> std::result::Result<Vec<u8>, String> {
        match self.failure {
            Some(reason) => Err(reason),
            None => Ok(self.out.into_bytes()),
        }
    }
}

/// A double as XML protocols write it (`NaN`, `Infinity`, `-Infinity`).
pub use crate::values::{f32_text, float_text};

/// Escapes `&`, `<`, `>` and a carriage return (which a reader would turn
/// into a line feed); in an attribute value also `"`, tab and line feed,
/// which a reader would turn into spaces.
fn escape_into(out: &mut String, text: &str, attribute: bool) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' if attribute => out.push_str("&#xA;"),
            '\t' if attribute => out.push_str("&#x9;"),
            c => out.push(c),
        }
    }
}

/// An element as a tree, for comparing documents by what they say rather
/// than by how they are spelled (white space between elements, attribute
/// order, quoting and escapes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The name as written, with its prefix.
    pub name: String,
    /// Attributes (namespace declarations among them), sorted by name.
    pub attributes: Vec<(String, String)>,
    /// Child elements, in order.
    pub children: Vec<Node>,
    /// The text of an element without children.
    pub text: String,
}

/// Puts children in an order that does not depend on how a writer ordered
/// what has no order: structure members are sorted by name (a stable sort,
/// so the items of a flattened list keep their order), and a run of
/// same-named elements that are map entries (each of exactly two differently
/// named children, a key and a value) is sorted by content, since a map's
/// entries have no order either.
fn canonical_order(children: &mut [Node]) {
    children.sort_by(|a, b| a.name.cmp(&b.name));
    let is_entry = |n: &Node| n.children.len() == 2 && n.children[0].name != n.children[1].name;
    let mut start = 0;
    while start < children.len() {
        let mut end = start + 1;
        while end < children.len() && children[end].name == children[start].name {
            end += 1;
        }
        let run = &mut children[start..end];
        if run.len() > 1 && run.iter().all(is_entry) {
            run.sort_by_key(|n| format!("{n:?}"));
        }
        start = end;
    }
}

/// Reads a whole document as a [`Node`] tree, its children in a canonical
/// order (see `canonical_order`), for comparing documents.
pub fn tree(body: &[u8]) -> Result<Node> {
    fn element(r: &mut Reader<'_>, el: &Element<'_>) -> Result<Node> {
        let mut attributes = Vec::new();
        for a in el.start.attributes() {
            let a =
                a.map_err(|e| ReadError::new(format!("malformed attribute: {e}"), el.position))?;
            let value = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| ReadError::new(format!("malformed attribute: {e}"), el.position))?;
            attributes.push((a.key.into_inner().to_owned(), value.into_owned()));
        }
        attributes.sort();
        let mut node = Node {
            name: el.qualified_name().to_owned(),
            attributes,
            children: Vec::new(),
            text: String::new(),
        };
        if std::mem::take(&mut r.empty) {
            return Ok(node);
        }
        loop {
            match r.event()? {
                Event::Start(start) => {
                    r.enter()?;
                    let child = r.element(start);
                    node.children.push(element(r, &child)?);
                }
                Event::Empty(start) => {
                    r.empty = true;
                    let child = r.element(start);
                    node.children.push(element(r, &child)?);
                }
                Event::Text(t) => node.text.push_str(&t.xml10_content()),
                Event::CData(c) => node.text.push_str(&c),
                Event::GeneralRef(g) => match resolve(&g) {
                    Ok(c) => node.text.push(c),
                    Err(m) => return r.error(m),
                },
                Event::End(_) => {
                    r.depth -= 1;
                    break;
                }
                Event::Eof => return r.error("the body ends inside an element"),
                _ => {}
            }
        }
        // Text beside child elements is layout, not a value.
        if !node.children.is_empty() && node.text.trim().is_empty() {
            node.text.clear();
        }
        canonical_order(&mut node.children);
        Ok(node)
    }
    let mut r = Reader::new(body)?;
    let root = r.root()?;
    let node = element(&mut r, &root)?;
    r.finish()?;
    Ok(node)
}

/// The character an entity or character reference stands for: XML's five
/// predefined entities and `&#…;` only, since no DTD can declare others.
fn resolve(r: &quick_xml::events::BytesRef<'_>) -> std::result::Result<char, String> {
    if r.is_char_ref() {
        return match r.resolve_char_ref() {
            Ok(Some(c)) => Ok(c),
            _ => Err(format!(
                "`&{};` is not a valid character reference",
                r.as_ref()
            )),
        };
    }
    match r.as_ref() {
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "amp" => Ok('&'),
        "apos" => Ok('\''),
        "quot" => Ok('"'),
        other => Err(format!(
            "`&{other};` is not one of XML's predefined entities, and responses are read \
             without a DTD that could declare it"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every (path, text) pair of leaf elements, depth first.
    fn leaves(body: &str) -> Result<Vec<(String, String)>> {
        fn walk(r: &mut Reader<'_>, path: &str, out: &mut Vec<(String, String)>) -> Result<()> {
            while let Some(child) = r.next_child()? {
                let path = format!("{path}/{}", child.name());
                if child.is("leaf") || child.name().starts_with('v') {
                    out.push((path, r.text()?.into_owned()));
                } else {
                    walk(r, &path, out)?;
                }
            }
            Ok(())
        }
        let mut r = Reader::from_str(body);
        let root = r.root()?;
        let mut out = Vec::new();
        walk(&mut r, root.name(), &mut out)?;
        r.finish()?;
        Ok(out)
    }

    #[test]
    fn walks_elements_and_reads_text() {
        let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment -->
<r xmlns="https://example.com/">
  <a><v1>one</v1><v2/><v3>  spaced  </v3></a>
  <s3:b xmlns:s3="x"><v4>&lt;&amp;&gt;&apos;&quot;&#65;&#x42;</v4></s3:b>
  <v5><![CDATA[<raw> & ]]>text</v5>
  <v6>a<!-- c -->b<?pi?>c</v6>
  <v7>line&#13;
end
crlf</v7>
</r>
"#;
        let got = leaves(&body.replace("end\n", "end\r\n")).unwrap();
        let want = [
            ("r/a/v1", "one"),
            ("r/a/v2", ""),
            ("r/a/v3", "  spaced  "),
            ("r/b/v4", "<&>'\"AB"),
            ("r/v5", "<raw> & text"),
            ("r/v6", "abc"),
            // A literal CR LF becomes LF; an escaped CR stays.
            ("r/v7", "line\r\nend\ncrlf"),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn text_is_borrowed_when_it_needs_no_unescaping() {
        let mut r = Reader::from_str("<r><k>plain</k><e>a&amp;b</e></r>");
        r.root().unwrap();
        r.next_child().unwrap().unwrap();
        assert!(matches!(r.text().unwrap(), Cow::Borrowed("plain")));
        r.next_child().unwrap().unwrap();
        assert_eq!(r.text().unwrap(), "a&b");
        assert!(r.next_child().unwrap().is_none());
        r.finish().unwrap();
    }

    #[test]
    fn attributes_by_qualified_name() {
        let mut r = Reader::from_str(
            r#"<r xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser" id="a&amp;b
c"/>"#,
        );
        let root = r.root().unwrap();
        assert_eq!(root.name(), "r");
        assert_eq!(
            root.attribute("xsi:type").unwrap().as_deref(),
            Some("CanonicalUser")
        );
        // References resolved, a line end normalised to a space.
        assert_eq!(root.attribute("id").unwrap().as_deref(), Some("a&b c"));
        assert_eq!(root.attribute("type").unwrap(), None);
        assert!(r.next_child().unwrap().is_none());
        r.finish().unwrap();
    }

    #[test]
    fn skip_passes_over_whole_elements() {
        let mut r = Reader::from_str("<r><x><y><z/>t</y></x><k>v</k><e/></r>");
        r.root().unwrap();
        assert!(r.next_child().unwrap().unwrap().is("x"));
        r.skip().unwrap();
        assert!(r.next_child().unwrap().unwrap().is("k"));
        assert_eq!(r.text().unwrap(), "v");
        assert!(r.next_child().unwrap().unwrap().is("e"));
        r.skip().unwrap();
        assert!(r.next_child().unwrap().is_none());
        r.finish().unwrap();
    }

    #[test]
    fn billion_laughs_is_refused() {
        let body = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<lolz>&lol3;</lolz>"#;
        let e = Reader::from_str(body).root().unwrap_err();
        assert!(e.message().contains("DOCTYPE"), "{e}");
    }

    #[test]
    fn external_entities_are_refused() {
        let body = r#"<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>"#;
        let e = Reader::from_str(body).root().unwrap_err();
        assert!(e.message().contains("DOCTYPE"), "{e}");
        // Without a DTD, a reference to an undeclared entity is an error, not
        // silently dropped text.
        let mut r = Reader::from_str("<r><k>a&xxe;b</k></r>");
        r.root().unwrap();
        r.next_child().unwrap();
        let e = r.text().unwrap_err();
        assert!(e.message().contains("`&xxe;`"), "{e}");
        let mut r = Reader::from_str("<r>&xxe;<k/></r>");
        r.root().unwrap();
        assert!(r.next_child().is_err());
        let mut r = Reader::from_str("<r><k>&xxe;</k></r>");
        r.root().unwrap();
        assert!(r.skip().is_err());
    }

    #[test]
    fn nesting_is_limited() {
        let depth = MAX_DEPTH as usize;
        let ok = format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
        let mut r = Reader::from_str(&ok);
        r.root().unwrap();
        r.skip().unwrap();
        r.finish().unwrap();
        let deep = format!("{}{}", "<a>".repeat(depth + 1), "</a>".repeat(depth + 1));
        let mut r = Reader::from_str(&deep);
        r.root().unwrap();
        let e = r.skip().unwrap_err();
        assert!(e.message().contains("nest more than 128"), "{e}");
        // The same through next_child.
        let mut r = Reader::from_str(&deep);
        r.root().unwrap();
        let e = loop {
            match r.next_child() {
                Ok(Some(_)) => continue,
                Ok(None) => panic!("ended"),
                Err(e) => break e,
            }
        };
        assert!(e.message().contains("nest more than"), "{e}");
    }

    #[test]
    fn malformed_bodies_are_errors() {
        for body in [
            "",
            "   ",
            "text",
            "<r>",
            "<r><k>v</r>",
            "<r></x>",
            "<r><k>v</k>",
            "<r/><s/>",
            "<r/>trailing",
            "<r><k>&#0;</k></r>",
            "<r><k>&#xD800;</k></r>",
            "<r><k>a & b</k></r>",
            "<r><v><x/></v></r>",
        ] {
            let result = leaves(body);
            assert!(result.is_err(), "{body:?} gave {result:?}");
        }
        assert!(Reader::new(b"<r>\xff</r>").is_err());
    }
}
