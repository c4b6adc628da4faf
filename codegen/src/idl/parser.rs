//! Parse stage, IDL: a recursive-descent reader of one Smithy IDL 2.0 (or
//! 1.0) file into statements whose shape ids are still as written. Names are
//! resolved later, once every file of the model is known (a relative id may
//! name a shape defined in another file of the namespace).
//!
//! The reader works on characters rather than a token stream because the IDL
//! is context-sensitive: `$` starts a control statement or an elided member,
//! `#` and `$` join shape ids, and documentation comments attach only when
//! they come right before a shape's or member's traits.

use serde_json::Number;

/// A byte range in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// A node value as written. `Id` is an unquoted shape id, which the IDL
/// treats as a string.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Id(String, Span),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

/// A shape id as written, with where.
#[derive(Debug, Clone, PartialEq)]
pub struct Ref {
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Trait {
    pub id: Ref,
    /// `None` for an annotation trait (`@sensitive`), which is `{}`.
    pub value: Option<Node>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub name: String,
    pub span: Span,
    /// `None` for an elided member (`$id`), whose target comes from a mixin
    /// or the resource named by `for`.
    pub target: Option<Ref>,
    pub docs: Option<String>,
    pub traits: Vec<Trait>,
    /// `= value`: a structure member's default or an enum member's value.
    pub value: Option<Node>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// Simple shapes.
    None,
    /// enum, intEnum, list, set, map, structure, union.
    Members(Vec<Member>),
    /// service and resource: a node object.
    Entity(Vec<(String, Node)>),
    Operation {
        input: Option<Io>,
        output: Option<Io>,
        errors: Option<Vec<Ref>>,
        span: Span,
    },
}

/// An operation's input or output: a shape id, or an inline structure.
#[derive(Debug, Clone, PartialEq)]
pub enum Io {
    Ref(Ref),
    Inline(Box<Shape>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    pub kind: String,
    pub name: String,
    pub span: Span,
    pub docs: Option<String>,
    pub traits: Vec<Trait>,
    pub mixins: Vec<Ref>,
    pub for_resource: Option<Ref>,
    pub body: Body,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Apply {
    pub target: Ref,
    pub traits: Vec<Trait>,
}

/// One parsed file, names unresolved.
#[derive(Debug, Clone, Default)]
pub struct File {
    pub version: Option<String>,
    /// Read as IDL 1.0.
    pub v1: bool,
    pub control: Vec<(String, Node, Span)>,
    pub metadata: Vec<(String, Node)>,
    pub namespace: Option<String>,
    pub uses: Vec<Ref>,
    pub shapes: Vec<Shape>,
    pub applies: Vec<Apply>,
}

/// A syntax error: where and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
}

use crate::validate::SIMPLE;
const MEMBERED: &[&str] = &[
    "enum",
    "intEnum",
    "list",
    "set",
    "map",
    "structure",
    "union",
];

/// Nesting deeper than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 64;

type Result<T> = std::result::Result<T, SyntaxError>;

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    /// Documentation comment lines seen in the current run of whitespace.
    docs: Vec<String>,
    depth: usize,
    errors: Vec<SyntaxError>,
    /// IDL 1.0 (a `$version` of 1, or none): 2.0 syntax is an error.
    v1: bool,
}

/// Parses one IDL file. Every error is reported: after one, the reader skips
/// to the next statement and goes on.
pub fn parse(text: &str) -> std::result::Result<File, Vec<SyntaxError>> {
    let mut p = Parser {
        text,
        pos: 0,
        docs: Vec::new(),
        depth: 0,
        errors: Vec::new(),
        v1: true,
    };
    let mut file = p.file();
    file.v1 = p.v1;
    if p.errors.is_empty() {
        Ok(file)
    } else {
        Err(p.errors)
    }
}

fn describe(node: &Node) -> String {
    match node {
        Node::Null => "null".into(),
        Node::Bool(b) => b.to_string(),
        Node::Number(n) => n.to_string(),
        Node::String(s) => format!("{s:?}"),
        Node::Id(s, _) => s.clone(),
        Node::Array(_) => "a list".into(),
        Node::Object(_) => "an object".into(),
    }
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn error<T>(&self, message: impl Into<String>) -> Result<T> {
        let end = self.pos + self.peek().map_or(0, char::len_utf8);
        Err(SyntaxError {
            span: Span {
                start: self.pos,
                end,
            },
            message: message.into(),
        })
    }

    /// What the reader found, for messages.
    fn found(&self) -> String {
        match self.peek() {
            None => "the end of the file".into(),
            Some(c) if is_ident_start(c) => {
                let word: String = self
                    .rest()
                    .chars()
                    .take_while(|c| is_ident_char(*c))
                    .collect();
                format!("`{word}`")
            }
            Some('\n') => "the end of the line".into(),
            Some(c) => format!("`{c}`"),
        }
    }

    /// Skips whitespace, commas and comments, keeping the documentation
    /// comments of this run (a run that holds anything else loses them).
    fn ws(&mut self) {
        loop {
            match self.peek() {
                Some(' ' | '\t' | '\r' | '\n' | ',') => {
                    self.bump();
                }
                Some('/') if self.rest().starts_with("///") => {
                    let line_end = self
                        .rest()
                        .find('\n')
                        .map_or(self.text.len(), |i| self.pos + i);
                    let line = &self.text[self.pos + 3..line_end];
                    let line = line.strip_suffix('\r').unwrap_or(line);
                    self.docs
                        .push(line.strip_prefix(' ').unwrap_or(line).to_owned());
                    self.pos = line_end;
                }
                // A plain comment is whitespace: documentation before it
                // still documents what follows.
                Some('/') if self.rest().starts_with("//") => {
                    self.pos = self
                        .rest()
                        .find('\n')
                        .map_or(self.text.len(), |i| self.pos + i);
                }
                _ => return,
            }
        }
    }

    /// Skips whitespace and forgets documentation comments.
    fn sp(&mut self) {
        self.ws();
        self.docs.clear();
    }

    /// Skips whitespace and takes the documentation comments just before
    /// what comes next.
    fn take_docs(&mut self) -> Option<String> {
        self.ws();
        let docs = std::mem::take(&mut self.docs);
        (!docs.is_empty()).then(|| docs.join("\n"))
    }

    /// Ends a statement: the rest of its line may hold a comment, which
    /// documents nothing (a `///` there is not for the next statement).
    fn end_of_statement(&mut self) {
        self.spaces();
        if self.rest().starts_with("//") {
            self.pos = self
                .rest()
                .find('\n')
                .map_or(self.text.len(), |i| self.pos + i);
        }
        self.docs.clear();
    }

    fn v2_only(&self, what: &str) -> Result<()> {
        if self.v1 {
            self.error(format!(
                "{what} need IDL version 2.0 (`$version: \"2.0\"`); this file is 1.0"
            ))
        } else {
            Ok(())
        }
    }

    /// The end of a statement's line: spaces, maybe a comment (which documents
    /// nothing), then a line break or the end of the file.
    fn line_end(&mut self, what: &str) -> Result<()> {
        self.end_of_statement();
        match self.peek() {
            None | Some('\n' | '\r') => Ok(()),
            _ => self.error(format!(
                "expected a line break after {what}, found {}",
                self.found()
            )),
        }
    }

    /// Spaces and tabs only (statements that must end on their line).
    fn spaces(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.bump();
        }
    }

    fn expect(&mut self, c: char, what: &str) -> Result<()> {
        if self.peek() == Some(c) {
            self.bump();
            Ok(())
        } else {
            self.error(format!("expected {what}, found {}", self.found()))
        }
    }

    fn keyword_here(&self, word: &str) -> bool {
        self.rest().starts_with(word)
            && !self.rest()[word.len()..]
                .chars()
                .next()
                .is_some_and(|c| is_ident_char(c) || c == '#' || c == '.' || c == '$')
    }

    fn identifier(&mut self, what: &str) -> Result<(String, Span)> {
        let start = self.pos;
        match self.peek() {
            Some(c) if is_ident_start(c) => {}
            _ => return self.error(format!("expected {what}, found {}", self.found())),
        }
        while self.peek().is_some_and(is_ident_char) {
            self.bump();
        }
        let word = &self.text[start..self.pos];
        if word.chars().all(|c| c == '_') {
            return Err(SyntaxError {
                span: Span {
                    start,
                    end: self.pos,
                },
                message: format!("expected {what}: `{word}` needs a letter or digit"),
            });
        }
        Ok((
            word.to_owned(),
            Span {
                start,
                end: self.pos,
            },
        ))
    }

    fn namespace(&mut self) -> Result<(String, Span)> {
        let (mut ns, mut span) = self.identifier("a namespace")?;
        while self.peek() == Some('.') {
            self.bump();
            let (part, s) = self.identifier("a namespace part after `.`")?;
            ns.push('.');
            ns.push_str(&part);
            span.end = s.end;
        }
        Ok((ns, span))
    }

    /// A shape id: `Name`, `ns.a#Name`, either with `$member`.
    fn shape_id(&mut self, what: &str) -> Result<Ref> {
        let start = self.pos;
        match self.peek() {
            Some(c) if is_ident_start(c) => {}
            _ => return self.error(format!("expected {what}, found {}", self.found())),
        }
        let (mut text, _) = self.namespace()?;
        if self.peek() == Some('#') {
            self.bump();
            let (name, _) = self.identifier("a shape name after `#`")?;
            text.push('#');
            text.push_str(&name);
        } else if text.contains('.') {
            return self.error(format!(
                "expected `#` after the namespace `{text}` of a shape id, found {}",
                self.found()
            ));
        }
        if self.peek() == Some('$') {
            self.bump();
            let (member, _) = self.identifier("a member name after `$`")?;
            text.push('$');
            text.push_str(&member);
        }
        Ok(Ref {
            text,
            span: Span {
                start,
                end: self.pos,
            },
        })
    }

    fn file(&mut self) -> File {
        let mut file = File::default();
        self.sp();
        // Control statements.
        while self.peek() == Some('$') {
            let start = self.pos;
            self.bump();
            let r = (|| {
                let key = self.node_key()?;
                self.spaces();
                self.expect(':', "`:` after a control statement's key")?;
                self.spaces();
                let value = self.node()?;
                self.line_end("a control statement")?;
                Ok((key, value))
            })();
            match r {
                Ok((key, value)) => {
                    let span = Span {
                        start,
                        end: self.pos,
                    };
                    if file.control.iter().any(|(k, _, _)| *k == key) {
                        self.errors.push(SyntaxError {
                            span,
                            message: format!("the control statement `${key}` is given twice"),
                        });
                    }
                    if key == "version" {
                        match &value {
                            Node::String(v) if matches!(v.as_str(), "1" | "1.0" | "2" | "2.0") => {
                                self.v1 = v.starts_with('1');
                                file.version = Some(v.clone());
                            }
                            other => self.errors.push(SyntaxError {
                                span,
                                message: format!(
                                    "`$version` must be the string \"1.0\" or \"2.0\", found {}",
                                    describe(other)
                                ),
                            }),
                        }
                    }
                    file.control.push((
                        key,
                        value,
                        Span {
                            start,
                            end: self.pos,
                        },
                    ));
                }
                Err(e) => self.recover(e),
            }
            self.sp();
        }
        // Metadata.
        while self.keyword_here("metadata") {
            self.pos += "metadata".len();
            let r = (|| {
                if !matches!(self.peek(), Some(' ' | '\t')) {
                    return self.error(format!(
                        "expected a space after `metadata`, found {}",
                        self.found()
                    ));
                }
                self.spaces();
                let key = self.node_key()?;
                self.spaces();
                self.expect('=', "`=` after a metadata key")?;
                self.spaces();
                let value = self.node()?;
                self.line_end("a metadata statement")?;
                Ok((key, value))
            })();
            match r {
                Ok(kv) => file.metadata.push(kv),
                Err(e) => self.recover(e),
            }
            self.sp();
        }
        self.docs.clear();
        if self.keyword_here("namespace") {
            self.pos += "namespace".len();
            self.spaces();
            match self
                .namespace()
                .and_then(|ns| self.line_end("the namespace").map(|()| ns))
            {
                Ok((ns, _)) => file.namespace = Some(ns),
                Err(e) => self.recover(e),
            }
            self.ws();
            if self.keyword_here("use") {
                self.docs.clear();
            }
            while self.keyword_here("use") {
                self.pos += "use".len();
                self.spaces();
                let r = self
                    .shape_id("an absolute shape id after `use`")
                    .and_then(|r| self.line_end("a `use` statement").map(|()| r));
                match r {
                    Ok(r) if r.text.contains('#') && !r.text.contains('$') => file.uses.push(r),
                    Ok(r) => self.errors.push(SyntaxError {
                        span: r.span,
                        message: format!(
                            "`use` needs the absolute id of a shape (`ns#Name`, no member), found `{}`",
                            r.text
                        ),
                    }),
                    Err(e) => self.recover(e),
                }
                self.ws();
                if self.keyword_here("use") {
                    self.docs.clear();
                }
            }
        }
        loop {
            let docs = self.take_docs();
            if self.peek().is_none() {
                break;
            }
            if file.namespace.is_none() {
                let e = self.error::<()>(format!(
                    "expected a `namespace` statement before shapes, found {}",
                    self.found()
                ));
                self.recover(e.unwrap_err());
                continue;
            }
            let before = self.pos;
            let r = if self.keyword_here("apply") {
                self.apply().map(|a| file.applies.push(a))
            } else {
                self.shape_statement(docs)
                    .map(|shape| file.shapes.push(shape))
            }
            .and_then(|()| self.line_end("a shape statement"));
            if let Err(e) = r {
                self.recover(e);
                if self.pos == before {
                    // Never stand still on an error.
                    self.bump();
                }
            }
        }
        file
    }

    /// Records an error and skips to the next line that starts at column 0
    /// with a letter or `@`: the likely start of the next statement.
    fn recover(&mut self, e: SyntaxError) {
        self.errors.push(e);
        if self.errors.len() > 100 {
            self.pos = self.text.len();
            return;
        }
        loop {
            match self.rest().find('\n') {
                None => {
                    self.pos = self.text.len();
                    return;
                }
                Some(i) => {
                    self.pos += i + 1;
                    match self.peek() {
                        Some(c) if is_ident_start(c) || c == '@' || c == '$' => return,
                        _ => {}
                    }
                }
            }
        }
    }

    fn traits(&mut self) -> Result<Vec<Trait>> {
        let mut traits = Vec::new();
        while self.peek() == Some('@') {
            traits.push(self.one_trait()?);
            self.sp();
        }
        Ok(traits)
    }

    fn one_trait(&mut self) -> Result<Trait> {
        {
            self.bump();
            let id = self.shape_id("a trait's shape id after `@`")?;
            let value = if self.peek() == Some('(') {
                self.bump();
                self.sp();
                if self.peek() == Some(')') {
                    self.bump();
                    Some(Node::Object(Vec::new()))
                } else {
                    let v = self.trait_body()?;
                    self.sp();
                    self.expect(')', "`)` to close the trait's value")?;
                    Some(v)
                }
            } else {
                None
            };
            Ok(Trait { id, value })
        }
    }

    /// A trait's value: a node, or `key: value` pairs without braces.
    fn trait_body(&mut self) -> Result<Node> {
        // `key:` (an identifier or string followed by `:`) starts the structured form.
        let save = self.pos;
        let structured = match self.peek() {
            Some('"') if !self.rest().starts_with("\"\"\"") => {
                self.string().is_ok() && {
                    self.sp();
                    self.peek() == Some(':')
                }
            }
            Some(c) if is_ident_start(c) => {
                let _ = self.shape_id("");
                self.sp();
                self.peek() == Some(':')
            }
            _ => false,
        };
        self.pos = save;
        if !structured {
            return self.node();
        }
        let mut pairs: Vec<(String, Node)> = Vec::new();
        while self.peek() != Some(')') && self.peek().is_some() {
            let key_span = self.pos;
            let key = self.node_key()?;
            self.sp();
            self.expect(':', "`:` after a key")?;
            self.sp();
            let value = self.node()?;
            if pairs.iter().any(|(k, _)| *k == key) {
                return Err(SyntaxError {
                    span: Span {
                        start: key_span,
                        end: key_span + key.len(),
                    },
                    message: format!("the key `{key}` appears twice"),
                });
            }
            pairs.push((key, value));
            self.sp();
        }
        Ok(Node::Object(pairs))
    }

    fn node_key(&mut self) -> Result<String> {
        match self.peek() {
            Some('"') => self.string(),
            Some(c) if is_ident_start(c) => Ok(self.identifier("a key")?.0),
            _ => self.error(format!(
                "expected a key (an identifier or a string), found {}",
                self.found()
            )),
        }
    }

    fn node(&mut self) -> Result<Node> {
        if self.depth >= MAX_DEPTH {
            return self.error(format!("values nest deeper than {MAX_DEPTH} levels"));
        }
        self.depth += 1;
        let node = self.node_inner();
        self.depth -= 1;
        node
    }

    fn node_inner(&mut self) -> Result<Node> {
        match self.peek() {
            Some('[') => {
                self.bump();
                self.sp();
                let mut items = Vec::new();
                while self.peek() != Some(']') {
                    if self.peek().is_none() {
                        return self
                            .error("expected `]` to close the list, found the end of the file");
                    }
                    items.push(self.node()?);
                    self.sp();
                }
                self.bump();
                Ok(Node::Array(items))
            }
            Some('{') => {
                self.bump();
                self.sp();
                let mut pairs: Vec<(String, Node)> = Vec::new();
                while self.peek() != Some('}') {
                    if self.peek().is_none() {
                        return self
                            .error("expected `}` to close the object, found the end of the file");
                    }
                    let key_start = self.pos;
                    let key = self.node_key()?;
                    self.sp();
                    self.expect(':', "`:` after an object key")?;
                    self.sp();
                    let value = self.node()?;
                    if pairs.iter().any(|(k, _)| *k == key) {
                        return Err(SyntaxError {
                            span: Span {
                                start: key_start,
                                end: key_start + key.len().max(1),
                            },
                            message: format!("the key `{key}` appears twice in this object"),
                        });
                    }
                    pairs.push((key, value));
                    self.sp();
                }
                self.bump();
                Ok(Node::Object(pairs))
            }
            Some('"') => {
                if self.rest().starts_with("\"\"\"") {
                    self.text_block().map(Node::String)
                } else {
                    self.string().map(Node::String)
                }
            }
            Some(c) if c == '-' || c.is_ascii_digit() => self.number(),
            Some(c) if is_ident_start(c) => {
                let r = self.shape_id("a value")?;
                Ok(match r.text.as_str() {
                    "true" => Node::Bool(true),
                    "false" => Node::Bool(false),
                    "null" => Node::Null,
                    _ => Node::Id(r.text, r.span),
                })
            }
            _ => self.error(format!("expected a value, found {}", self.found())),
        }
    }

    fn number(&mut self) -> Result<Node> {
        let start = self.pos;
        if self.peek() == Some('-') {
            self.bump();
        }
        let digits = |p: &mut Self| {
            let s = p.pos;
            while p.peek().is_some_and(|c| c.is_ascii_digit()) {
                p.bump();
            }
            p.pos - s
        };
        let int_start = self.pos;
        if digits(self) == 0 {
            return self.error("expected digits in a number");
        }
        if self.text[int_start..self.pos].len() > 1 && self.text[int_start..].starts_with('0') {
            return Err(SyntaxError {
                span: Span {
                    start,
                    end: self.pos,
                },
                message: "a number may not start with 0".into(),
            });
        }
        if self.peek() == Some('.') {
            self.bump();
            if digits(self) == 0 {
                return self.error("expected digits after the decimal point");
            }
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            self.bump();
            if matches!(self.peek(), Some('+' | '-')) {
                self.bump();
            }
            if digits(self) == 0 {
                return self.error("expected digits in the exponent");
            }
        }
        if self.peek().is_some_and(|c| is_ident_char(c) || c == '.') {
            return self.error(format!("unexpected {} after a number", self.found()));
        }
        let text = &self.text[start..self.pos];
        let number = serde_json::from_str::<Number>(text)
            .ok()
            .or_else(|| text.parse::<f64>().ok().and_then(Number::from_f64));
        match number {
            Some(n) => Ok(Node::Number(n)),
            None => Err(SyntaxError {
                span: Span {
                    start,
                    end: self.pos,
                },
                message: format!("`{text}` is not a number this reader can represent"),
            }),
        }
    }

    fn string(&mut self) -> Result<String> {
        let start = self.pos;
        self.expect('"', "a string")?;
        let mut out = String::new();
        loop {
            match self.bump() {
                None => {
                    return Err(SyntaxError {
                        span: Span {
                            start,
                            end: self.pos,
                        },
                        message: "this string is never closed (expected `\"`)".into(),
                    })
                }
                Some('"') => return Ok(out),
                Some('\\') => self.escape(&mut out)?,
                // Line breaks read as `\n`, whatever the file uses.
                Some('\r') if self.peek() == Some('\n') => {}
                Some('\r') => out.push('\n'),
                Some(c) => out.push(c),
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<()> {
        let at = self.pos - 1;
        match self.bump() {
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('/') => out.push('/'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            // An escaped line break continues the line.
            Some('\n') => {}
            Some('\r') if self.peek() == Some('\n') => {
                self.bump();
            }
            Some('u') => {
                let hex = |p: &mut Self| -> Result<u32> {
                    let s = p.pos;
                    for _ in 0..4 {
                        if !p.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
                            return Err(SyntaxError {
                                span: Span { start: at, end: p.pos },
                                message: "`\\u` needs four hexadecimal digits".into(),
                            });
                        }
                        p.bump();
                    }
                    Ok(u32::from_str_radix(&p.text[s..p.pos], 16).unwrap_or(0))
                };
                let first = hex(self)?;
                let c = if (0xD800..0xDC00).contains(&first) && self.rest().starts_with("\\u") {
                    self.pos += 2;
                    let second = hex(self)?;
                    // A high surrogate needs a low one after it.
                    (0xDC00..=0xDFFF).contains(&second).then(|| {
                        char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
                    }).flatten()
                } else {
                    char::from_u32(first)
                };
                match c {
                    Some(c) => out.push(c),
                    None => {
                        return Err(SyntaxError {
                            span: Span { start: at, end: self.pos },
                            message: "this `\\u` escape is not a Unicode scalar value".into(),
                        })
                    }
                }
            }
            _ => {
                return Err(SyntaxError {
                    span: Span { start: at, end: self.pos },
                    message: "unknown escape in a string (expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)".into(),
                })
            }
        }
        Ok(())
    }

    /// A text block: `"""`, a line break, lines whose common indentation is
    /// removed (the closing `"""` line counts), then `"""`.
    fn text_block(&mut self) -> Result<String> {
        let start = self.pos;
        self.pos += 3;
        if self.peek() == Some('\r') {
            self.bump();
        }
        if self.peek() != Some('\n') {
            return self.error("a text block's `\"\"\"` must be followed by a line break");
        }
        self.bump();
        let body_start = self.pos;
        let end = loop {
            match self.peek() {
                None => {
                    return Err(SyntaxError {
                        span: Span {
                            start,
                            end: self.pos,
                        },
                        message: "this text block is never closed (expected `\"\"\"`)".into(),
                    })
                }
                Some('\\') => {
                    self.bump();
                    self.bump();
                }
                Some('"') if self.rest().starts_with("\"\"\"") => break self.pos,
                _ => {
                    self.bump();
                }
            }
        };
        self.pos += 3;
        let raw = self.text[body_start..end]
            .replace("\r\n", "\n")
            .replace('\r', "\n");
        let lines: Vec<&str> = raw.split('\n').collect();
        let last = lines.len() - 1;
        // The indentation shared by every non-blank line, and by the closing line.
        let indent = lines
            .iter()
            .enumerate()
            .filter(|(i, l)| *i == last || !l.trim_matches(' ').is_empty())
            .map(|(_, l)| l.len() - l.trim_start_matches(' ').len())
            .min()
            .unwrap_or(0);
        let mut body = String::new();
        for (i, line) in lines.iter().enumerate() {
            // Only spaces are indentation, as in Smithy.
            let stripped = if line.trim_matches(' ').is_empty() {
                ""
            } else {
                &line[indent.min(line.len())..]
            };
            let stripped = stripped.trim_end_matches(' ');
            body.push_str(stripped);
            if i != last {
                body.push('\n');
            }
        }
        // Escapes are read after the indentation is removed.
        let mut out = String::new();
        let mut chars = Parser {
            text: &body,
            pos: 0,
            docs: Vec::new(),
            depth: 0,
            errors: Vec::new(),
            v1: false,
        };
        while let Some(c) = chars.bump() {
            if c == '\\' {
                chars.escape(&mut out).map_err(|e| SyntaxError {
                    span: Span {
                        start,
                        end: self.pos,
                    },
                    message: e.message,
                })?;
            } else {
                out.push(c);
            }
        }
        Ok(out)
    }

    fn apply(&mut self) -> Result<Apply> {
        self.pos += "apply".len();
        self.spaces();
        let target = self.shape_id("the shape id `apply` targets")?;
        self.sp();
        if self.peek() == Some('{') {
            self.bump();
            self.sp();
            let traits = self.traits()?;
            self.expect(
                '}',
                "`}` to close the apply block (only traits may appear in it)",
            )?;
            Ok(Apply { target, traits })
        } else if self.peek() == Some('@') {
            let one = self.one_trait()?;
            Ok(Apply {
                target,
                traits: vec![one],
            })
        } else {
            self.error(format!(
                "expected a trait or `{{` after `apply {}`, found {}",
                target.text,
                self.found()
            ))
        }
    }

    fn shape_statement(&mut self, docs: Option<String>) -> Result<Shape> {
        let traits = self.traits()?;
        let start = self.pos;
        let (kind, kind_span) = self.identifier("a shape type (structure, string, operation …)")?;
        let known = SIMPLE.contains(&kind.as_str())
            || MEMBERED.contains(&kind.as_str())
            || matches!(kind.as_str(), "service" | "resource" | "operation");
        if !known {
            return Err(SyntaxError {
                span: kind_span,
                message: format!(
                    "`{kind}` is not a shape type (expected structure, string, operation, apply …)"
                ),
            });
        }
        match kind.as_str() {
            "enum" | "intEnum" if self.v1 => {
                return Err(SyntaxError {
                    span: kind_span,
                    message: format!("`{kind}` shapes need IDL version 2.0 (`$version: \"2.0\"`)"),
                });
            }
            "set" if !self.v1 => {
                return Err(SyntaxError {
                    span: kind_span,
                    message: "`set` is IDL 1.0; in 2.0 use a `list` with `@uniqueItems`".into(),
                })
            }
            _ => {}
        }
        if !matches!(self.peek(), Some(' ' | '\t')) {
            return self.error(format!(
                "expected a space and a shape name after `{kind}`, found {}",
                self.found()
            ));
        }
        self.spaces();
        let (name, name_span) = self.identifier("a shape name")?;
        let mut shape = Shape {
            kind,
            name,
            span: Span {
                start,
                end: name_span.end,
            },
            docs,
            traits,
            mixins: Vec::new(),
            for_resource: None,
            body: Body::None,
        };
        self.spaces();
        self.shape_rest(&mut shape)?;
        Ok(shape)
    }

    /// After the name: `for`, `with`, and the body.
    fn shape_rest(&mut self, shape: &mut Shape) -> Result<()> {
        let kind = shape.kind.clone();
        if matches!(
            kind.as_str(),
            "structure" | "union" | "list" | "set" | "map"
        ) && self.keyword_here("for")
        {
            self.v2_only("`for` (target elision)")?;
            self.pos += 3;
            self.spaces();
            shape.for_resource = Some(self.shape_id("a resource after `for`")?);
            self.spaces();
        }
        self.spaces();
        if self.keyword_here("with") {
            self.v2_only("mixins (`with`)")?;
            self.pos += 4;
            self.sp();
            self.expect('[', "`[` after `with`")?;
            self.sp();
            while self.peek() != Some(']') {
                shape.mixins.push(self.shape_id("a mixin's shape id")?);
                self.sp();
            }
            if shape.mixins.is_empty() {
                return self.error("expected at least one mixin's shape id in `with [...]`");
            }
            self.bump();
        }
        if SIMPLE.contains(&kind.as_str()) {
            return Ok(());
        }
        let docs_before = std::mem::take(&mut self.docs);
        self.sp();
        drop(docs_before);
        shape.body = match kind.as_str() {
            "service" | "resource" => {
                if self.peek() != Some('{') {
                    return self.error(format!(
                        "expected `{{` to open the {kind}'s body, found {}",
                        self.found()
                    ));
                }
                match self.node()? {
                    Node::Object(pairs) => Body::Entity(pairs),
                    _ => unreachable!("a `{{` always reads as an object"),
                }
            }
            "operation" => self.operation_body()?,
            _ => Body::Members(self.members(&kind)?),
        };
        Ok(())
    }

    fn members(&mut self, kind: &str) -> Result<Vec<Member>> {
        self.expect('{', &format!("`{{` to open the {kind}'s members"))?;
        let mut members = Vec::new();
        loop {
            let docs = self.take_docs();
            if self.peek() == Some('}') {
                if members.is_empty() && matches!(kind, "enum" | "intEnum") {
                    return self.error(format!("an {kind} needs at least one member"));
                }
                self.bump();
                return Ok(members);
            }
            if self.peek().is_none() {
                return self.error(format!(
                    "expected `}}` to close the {kind}'s members, found the end of the file"
                ));
            }
            let traits = self.traits()?;
            let start = self.pos;
            let elided = self.peek() == Some('$');
            if elided && matches!(kind, "enum" | "intEnum") {
                return self.error("an enum's members cannot be elided (`$name`)");
            }
            if elided {
                self.v2_only("elided members (`$name`)")?;
                self.bump();
            }
            let (name, span) = self.identifier("a member name")?;
            let target = if elided || matches!(kind, "enum" | "intEnum") {
                None
            } else {
                self.sp();
                self.expect(':', &format!("`:` and a target after the member `{name}`"))?;
                self.sp();
                Some(self.shape_id("the member's target shape id")?)
            };
            if members.iter().any(|m: &Member| m.name == name) {
                return Err(SyntaxError {
                    span,
                    message: format!("the member `{name}` is defined twice"),
                });
            }
            self.spaces();
            let value = if self.peek() == Some('=') {
                self.v2_only("`=` assignments (defaults and enum values)")?;
                self.bump();
                // The value is on the same line, and the line ends after it.
                self.spaces();
                let value = self.node()?;
                self.spaces();
                if self.peek() == Some(',') {
                    self.bump();
                }
                self.line_end("a member's value")?;
                Some(value)
            } else {
                None
            };
            members.push(Member {
                name,
                span: Span {
                    start,
                    end: span.end,
                },
                target,
                docs,
                traits,
                value,
            });
        }
    }

    fn operation_body(&mut self) -> Result<Body> {
        let open = self.pos;
        self.expect('{', "`{` to open the operation's body")?;
        self.sp();
        let (mut input, mut output, mut errors) = (None, None, None);
        while self.peek() != Some('}') {
            let (key, key_span) = self.identifier("`input`, `output` or `errors`")?;
            self.sp();
            let duplicate = match key.as_str() {
                "input" => input.is_some(),
                "output" => output.is_some(),
                "errors" => errors.is_some(),
                _ => {
                    return Err(SyntaxError {
                        span: key_span,
                        message: format!(
                            "an operation has `input`, `output` and `errors`, not `{key}`"
                        ),
                    })
                }
            };
            if duplicate {
                return Err(SyntaxError {
                    span: key_span,
                    message: format!("the operation's `{key}` is given twice"),
                });
            }
            if key == "errors" {
                self.expect(':', "`:` after `errors`")?;
                self.sp();
                self.expect('[', "`[` to open the list of errors")?;
                self.sp();
                let mut list = Vec::new();
                while self.peek() != Some(']') {
                    list.push(self.shape_id("an error's shape id")?);
                    self.sp();
                }
                self.bump();
                errors = Some(list);
            } else {
                let io = if self.rest().starts_with(":=") {
                    self.v2_only("inline input and output (`:=`)")?;
                    self.pos += 2;
                    let docs = self.take_docs();
                    let traits = self.traits()?;
                    let mut shape = Shape {
                        kind: "structure".into(),
                        name: String::new(),
                        span: key_span,
                        docs,
                        traits,
                        mixins: Vec::new(),
                        for_resource: None,
                        body: Body::None,
                    };
                    self.shape_rest(&mut shape)?;
                    Io::Inline(Box::new(shape))
                } else {
                    self.expect(':', &format!("`:` or `:=` after `{key}`"))?;
                    self.sp();
                    Io::Ref(self.shape_id(&format!("the {key} shape id"))?)
                };
                if key == "input" {
                    input = Some(io);
                } else {
                    output = Some(io);
                }
            }
            self.sp();
            if self.peek().is_none() {
                return self.error(
                    "expected `}` to close the operation's body, found the end of the file",
                );
            }
        }
        self.bump();
        Ok(Body::Operation {
            input,
            output,
            errors,
            span: Span {
                start: open,
                end: self.pos,
            },
        })
    }
}
