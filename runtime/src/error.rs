//! Runtime stage: what a call can fail with. Every failure says what went
//! wrong and, where the caller can act on it, what to do; a service error
//! keeps its HTTP status and request id for support cases.

use crate::credentials::CredentialsError;
use crate::transport::{BoxError, TransportError};
use crate::validation::ValidationError;
use bytes::Bytes;
use std::fmt;
use std::time::Duration;

/// The error of a call to operation with typed error `E`.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error<E> {
    /// The input broke the model's constraints; nothing was sent.
    Validation(ValidationError),
    /// The input could not be written as a request; nothing was sent.
    Serialization(SerializationError),
    /// The client is not configured well enough to send (no region, a bad
    /// endpoint URL).
    Config(ConfigError),
    /// No credentials could be loaded.
    Credentials(CredentialsError),
    /// No response arrived: DNS, connect, TLS or a broken connection, after the
    /// last attempt.
    Transport(TransportError),
    /// The attempt or the whole call ran out of time.
    Timeout(TimeoutError),
    /// A response arrived but could not be read as the operation's output.
    Response(ResponseError),
    /// The service answered with an error.
    Service(ServiceError<E>),
    /// A paginator stopped because the service sent a continuation token it
    /// had already sent in the same run, which would otherwise loop forever.
    RepeatedToken(RepeatedTokenError),
}

impl<E> Error<E> {
    /// The service's error, if the service answered with one.
    pub fn service_error(&self) -> Option<&E> {
        match self {
            Error::Service(e) => Some(e.error()),
            _ => None,
        }
    }

    /// The request id of the last response (`x-amzn-requestid`), if one arrived.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Service(e) => e.request_id(),
            Error::Response(e) => e.request_id(),
            _ => None,
        }
    }
}

impl<E: fmt::Display> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Validation(e) => write!(f, "invalid request, not sent: {e}"),
            Error::Serialization(e) => e.fmt(f),
            Error::Config(e) => e.fmt(f),
            Error::Credentials(e) => {
                write!(f, "could not load credentials: {e}")?;
                let mut cause = std::error::Error::source(e);
                while let Some(c) = cause {
                    write!(f, ": {c}")?;
                    cause = c.source();
                }
                Ok(())
            }
            Error::Transport(e) => e.fmt(f),
            Error::Timeout(e) => e.fmt(f),
            Error::Response(e) => e.fmt(f),
            Error::Service(e) => e.fmt(f),
            Error::RepeatedToken(e) => e.fmt(f),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Validation(e) => Some(e),
            Error::Serialization(e) => Some(e),
            Error::Config(e) => Some(e),
            Error::Credentials(e) => Some(e),
            Error::Transport(e) => Some(e),
            Error::Timeout(e) => Some(e),
            Error::Response(e) => Some(e),
            Error::Service(e) => Some(e.error()),
            Error::RepeatedToken(e) => Some(e),
        }
    }
}

/// The service sent a continuation token a second time in one pagination run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepeatedTokenError {
    pub(crate) token: String,
}

impl RepeatedTokenError {
    /// The token that came back.
    pub fn token(&self) -> &str {
        &self.token
    }
}

impl fmt::Display for RepeatedTokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the service sent the continuation token {:?} a second time in this run; stopping instead of reading the same pages again",
            self.token
        )
    }
}

impl std::error::Error for RepeatedTokenError {}

/// An input that cannot be written as a request (an empty `@httpLabel`, a
/// header value HTTP cannot carry); nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerializationError(pub(crate) String);

impl SerializationError {
    /// What could not be written, and why.
    pub fn new(reason: impl Into<String>) -> Self {
        SerializationError(reason.into())
    }
}

impl From<String> for SerializationError {
    fn from(reason: String) -> Self {
        SerializationError(reason)
    }
}

impl fmt::Display for SerializationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the request could not be written, nothing was sent: {}",
            self.0
        )
    }
}

impl std::error::Error for SerializationError {}

/// A successful response that could not be read into the operation's output:
/// what was wrong with it (a malformed or truncated body, a header that does
/// not parse). The client reports it as [`Error::Response`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeserializationError(pub(crate) String);

impl DeserializationError {
    /// What could not be read, and why.
    pub fn new(reason: impl Into<String>) -> Self {
        DeserializationError(reason.into())
    }

    /// The reason, without a prefix.
    pub fn reason(&self) -> &str {
        &self.0
    }
}

impl From<String> for DeserializationError {
    fn from(reason: String) -> Self {
        DeserializationError(reason)
    }
}

impl fmt::Display for DeserializationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the response could not be read: {}", self.0)
    }
}

impl std::error::Error for DeserializationError {}

/// A configuration problem found when sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub(crate) String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// Which timeout expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// One attempt took longer than the attempt timeout (and retries ran out).
    Attempt,
    /// The whole call took longer than the operation timeout.
    Operation,
    /// No response head arrived within the response timeout (and retries ran out).
    Response,
    /// A request or response body moved no data for the stall grace period
    /// (and retries ran out); [`TimeoutError::stalled`] says which and when.
    Stalled,
}

/// A timeout expired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeoutError {
    pub(crate) kind: TimeoutKind,
    pub(crate) after: Duration,
    pub(crate) attempts: u32,
    pub(crate) stalled: Option<crate::progress::StalledError>,
}

impl TimeoutError {
    pub(crate) fn new(kind: TimeoutKind, after: Duration, attempts: u32) -> Self {
        TimeoutError {
            kind,
            after,
            attempts,
            stalled: None,
        }
    }

    /// Which timeout expired.
    pub fn kind(&self) -> TimeoutKind {
        self.kind
    }

    /// For a stall, which body stalled and after how many bytes.
    pub fn stalled(&self) -> Option<&crate::progress::StalledError> {
        self.stalled.as_ref()
    }

    /// The timeout's length.
    pub fn after(&self) -> Duration {
        self.after
    }
}

impl fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            TimeoutKind::Attempt => write!(
                f,
                "the attempt timeout of {:?} expired on attempt {}",
                self.after, self.attempts
            )?,
            TimeoutKind::Operation => {
                write!(f, "the operation timeout of {:?} expired", self.after)?
            }
            TimeoutKind::Response => write!(
                f,
                "no response arrived within the response timeout of {:?} on attempt {}",
                self.after, self.attempts
            )?,
            TimeoutKind::Stalled => match &self.stalled {
                Some(s) => write!(f, "{s} on attempt {}", self.attempts)?,
                None => write!(f, "a body stalled on attempt {}", self.attempts)?,
            },
        }
        f.write_str("; raise it in the Config if the network or the service is slow")
    }
}

impl std::error::Error for TimeoutError {}

/// A response that could not be read: a body that is not the JSON the model
/// describes, or a body that broke off.
#[derive(Debug)]
pub struct ResponseError {
    pub(crate) status: u16,
    pub(crate) request_id: Option<String>,
    pub(crate) reason: String,
    pub(crate) source: Option<BoxError>,
}

impl ResponseError {
    /// A response that does not say what the caller needs, with the reason.
    pub fn new(status: u16, request_id: Option<String>, reason: impl Into<String>) -> Self {
        ResponseError {
            status,
            request_id,
            reason: reason.into(),
            source: None,
        }
    }

    /// The HTTP status of the response.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The request id (`x-amzn-requestid`), if the response had one.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not read the HTTP {} response: {}",
            self.status, self.reason
        )?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ResponseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as _)
    }
}

/// An error response from the service, with the operation's typed error.
#[derive(Debug)]
pub struct ServiceError<E> {
    pub(crate) error: E,
    pub(crate) code: Option<String>,
    pub(crate) status: u16,
    pub(crate) request_id: Option<String>,
    pub(crate) attempts: u32,
}

impl<E> ServiceError<E> {
    /// The typed error.
    pub fn error(&self) -> &E {
        &self.error
    }

    /// Takes the typed error.
    pub fn into_error(self) -> E {
        self.error
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The error code the service sent: for a service moved from awsQuery,
    /// its awsQuery code (`AWS.SimpleQueueService.NonExistentQueue`), else
    /// the code that chose the typed error.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The request id (`x-amzn-requestid`).
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// How many attempts were made, retries included.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

impl<E: fmt::Display> fmt::Display for ServiceError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (HTTP {}", self.error, self.status)?;
        if let Some(id) = &self.request_id {
            write!(f, ", request id {id}")?;
        }
        if self.attempts > 1 {
            write!(f, ", after {} attempts", self.attempts)?;
        }
        f.write_str(")")
    }
}

impl<E: std::error::Error + 'static> std::error::Error for ServiceError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// An error the model does not describe for this operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnhandledError {
    status: u16,
    code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
}

impl UnhandledError {
    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The error code, if the response named one.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The message, if the body had one.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The request id (`x-amzn-requestid`).
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}

impl fmt::Display for UnhandledError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.code, &self.message) {
            (Some(c), Some(m)) => write!(f, "{c}: {m}"),
            (Some(c), None) => f.write_str(c),
            (None, Some(m)) => write!(f, "unrecognised HTTP {} error: {m}", self.status),
            (None, None) => write!(
                f,
                "unrecognised HTTP {} error with no error code",
                self.status
            ),
        }
    }
}

impl std::error::Error for UnhandledError {}

/// The typed error of one operation: one variant per modelled error plus an
/// unhandled one. Implemented by generated code.
pub trait OperationError: std::error::Error + Sized + Send + Sync + 'static {
    /// Reads an error response.
    fn from_response(response: &ErrorResponse<'_>) -> Self;
    /// Whether the model marks this error retryable, and how.
    fn retry_kind(&self) -> Option<crate::retry::RetryKind>;
}

/// An error response, as generated code sees it while choosing a variant.
#[derive(Debug)]
pub struct ErrorResponse<'a> {
    status: u16,
    code: Option<String>,
    /// `x-amzn-query-error: Code;Fault`, from a service moved from awsQuery.
    query_error: Option<(String, String)>,
    request_id: Option<String>,
    headers: &'a http::HeaderMap,
    body: &'a Bytes,
    message: Option<String>,
}

/// The fields of an error body used to identify it, read by the same JSON
/// reader as every other body.
#[derive(Default)]
struct ErrorBody {
    code: Option<String>,
    type_: Option<String>,
    message: Option<String>,
    message_upper: Option<String>,
    error_message: Option<String>,
}

impl crate::json::ReadJson for ErrorBody {
    fn read_json(r: &mut crate::json::Reader<'_>) -> Result<Self, crate::json::ReadError> {
        let mut out = ErrorBody::default();
        let mut state = r.begin_object()?;
        while let Some(key) = r.next_key(&mut state)? {
            let slot = match &*key {
                "code" => &mut out.code,
                "__type" => &mut out.type_,
                "message" => &mut out.message,
                "Message" => &mut out.message_upper,
                "errorMessage" => &mut out.error_message,
                _ => {
                    r.skip_value()?;
                    continue;
                }
            };
            // A field of another type (a numeric `code`, a nested object) is
            // not the error's code or message: skipped, the rest still read.
            if r.peek_is_string() {
                *slot = Some(r.string()?);
            } else {
                r.skip_value()?;
            }
        }
        Ok(out)
    }
}

impl<'a> ErrorResponse<'a> {
    /// Resolves the error code: the `X-Amzn-ErrorType` header, else the body's
    /// `code`, else its `__type`; in each, anything after `:` and anything up to
    /// `#` is dropped (`aws.protocoltests#FooError:http://…` is `FooError`).
    pub fn new(status: u16, headers: &'a http::HeaderMap, body: &'a Bytes) -> Self {
        let parsed: Option<ErrorBody> = crate::json::from_slice(body).ok();
        let header_code = headers
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let code = header_code
            .or_else(|| parsed.as_ref().and_then(|b| b.code.clone()))
            .or_else(|| parsed.as_ref().and_then(|b| b.type_.clone()));
        let message = parsed.and_then(|b| b.message.or(b.message_upper).or(b.error_message));
        Self::with_fields(status, headers, body, code, message)
    }

    /// Reads an error response whose body is in `format`: JSON as
    /// [`new`](Self::new) does; CBOR with the code from `__type`.
    pub fn read(
        format: crate::operation::WireFormat,
        status: u16,
        headers: &'a http::HeaderMap,
        body: &'a Bytes,
    ) -> Self {
        match format {
            #[cfg(feature = "cbor")]
            crate::operation::WireFormat::Cbor => {
                let (code, message) = crate::cbor::Reader::error_fields(body);
                Self::with_fields(status, headers, body, code, message)
            }
            #[cfg(feature = "xml")]
            crate::operation::WireFormat::Xml => {
                let fields = crate::xml::error_fields(body);
                let mut response =
                    Self::with_fields(status, headers, body, fields.code, fields.message);
                if response.request_id.is_none() {
                    response.request_id = fields.request_id;
                }
                if response.query_error.is_none() {
                    if let (Some(code), Some(fault)) = (response.code.clone(), fields.fault) {
                        response.query_error = Some((code, fault));
                    }
                }
                response
            }
            _ => Self::new(status, headers, body),
        }
    }

    /// The response with the code (sanitised) and message its body gave.
    fn with_fields(
        status: u16,
        headers: &'a http::HeaderMap,
        body: &'a Bytes,
        code: Option<String>,
        message: Option<String>,
    ) -> Self {
        let query_error = headers
            .get("x-amzn-query-error")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(';'))
            .map(|(code, fault)| (code.trim().to_string(), fault.trim().to_string()))
            .filter(|(code, _)| !code.is_empty());
        ErrorResponse {
            status,
            code: code
                .map(|c| sanitize_code(&c).to_string())
                .filter(|c| !c.is_empty()),
            query_error,
            request_id: request_id(headers),
            headers,
            body,
            message,
        }
    }

    /// Decodes the CBOR body as a modelled error structure; a body that
    /// does not decode yields an [`UnhandledError`].
    #[cfg(feature = "cbor")]
    pub fn parse_cbor<T: crate::cbor::ReadCbor>(&self) -> Result<T, UnhandledError> {
        crate::cbor::from_slice(self.body).map_err(|_| self.unhandled())
    }

    /// Reads the XML error body's `<Error>` element as a modelled error
    /// structure; a body that does not read yields an [`UnhandledError`].
    #[cfg(feature = "xml")]
    pub fn parse_xml<T: crate::xml::ReadXml>(&self) -> Result<T, UnhandledError> {
        crate::xml::from_error_body(self.body).map_err(|_| self.unhandled())
    }

    /// The response headers, for error members bound to headers.
    pub fn headers(&self) -> &http::HeaderMap {
        self.headers
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The resolved error code, which chooses the typed error.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The code to report: the awsQuery code of a service moved from
    /// awsQuery (`x-amzn-query-error`), else [`code`](Self::code).
    pub fn wire_code(&self) -> Option<&str> {
        self.query_error
            .as_ref()
            .map(|(code, _)| code.as_str())
            .or(self.code())
    }

    /// The awsQuery fault (`Sender` or `Receiver`): an awsQuery error body's
    /// `<Type>`, or the `x-amzn-query-error` header of a service moved from
    /// awsQuery, when it sent one.
    pub fn query_fault(&self) -> Option<&str> {
        self.query_error.as_ref().map(|(_, fault)| fault.as_str())
    }

    /// Parses the body as a modelled error structure. A body that does not
    /// parse yields the response as an [`UnhandledError`] instead, which still
    /// carries the code, message and request id.
    pub fn parse<T: crate::json::ReadJson>(&self) -> Result<T, UnhandledError> {
        crate::json::from_slice(self.body).map_err(|_| self.unhandled())
    }

    /// The response as an [`UnhandledError`].
    pub fn unhandled(&self) -> UnhandledError {
        UnhandledError {
            status: self.status,
            code: self.wire_code().map(str::to_string),
            message: self.message.clone(),
            request_id: self.request_id.clone(),
        }
    }
}

/// `x-amzn-requestid`, or the `x-amz-request-id` some services send.
pub(crate) fn request_id(headers: &http::HeaderMap) -> Option<String> {
    // Constant names: looking a header up by `&str` parses the name each time.
    const AMZN: http::HeaderName = http::HeaderName::from_static("x-amzn-requestid");
    const AMZ: http::HeaderName = http::HeaderName::from_static("x-amz-request-id");
    headers
        .get(AMZN)
        .or_else(|| headers.get(AMZ))
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn sanitize_code(code: &str) -> &str {
    let code = code.split(':').next().unwrap_or(code);
    code.rsplit('#').next().unwrap_or(code).trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(header: Option<&str>, body: &str) -> Option<String> {
        let mut headers = http::HeaderMap::new();
        if let Some(h) = header {
            headers.insert("x-amzn-errortype", h.parse().unwrap());
        }
        let body = Bytes::from(body.to_string());
        ErrorResponse::new(400, &headers, &body).code
    }

    #[test]
    fn error_code_resolution_order_and_sanitising() {
        assert_eq!(
            resolve(
                Some("FooError:http://internal.amazon.com/"),
                r#"{"code":"Bar"}"#
            )
            .as_deref(),
            Some("FooError")
        );
        assert_eq!(
            resolve(
                None,
                r#"{"code":"aws.protocoltests.restjson#FooError","__type":"Baz"}"#
            )
            .as_deref(),
            Some("FooError")
        );
        assert_eq!(
            resolve(
                None,
                r#"{"__type":"aws.protocoltests.restjson#FooError:http://x"}"#
            )
            .as_deref(),
            Some("FooError")
        );
        assert_eq!(resolve(None, "<html>bad gateway</html>"), None);
        // A numeric `code` does not hide the `__type` beside it.
        assert_eq!(
            resolve(None, r#"{"code":400,"__type":"ns#ThrottlingException"}"#).as_deref(),
            Some("ThrottlingException")
        );
        let mut headers = http::HeaderMap::new();
        headers.insert(
            "x-amzn-query-error",
            "AWS.Queue.Missing;Sender".parse().unwrap(),
        );
        let body = Bytes::from_static(br#"{"__type":"com.x#QueueDoesNotExist"}"#);
        let r = ErrorResponse::new(400, &headers, &body);
        assert_eq!(r.code(), Some("QueueDoesNotExist"));
        assert_eq!(r.wire_code(), Some("AWS.Queue.Missing"));
        assert_eq!(r.query_fault(), Some("Sender"));
        assert_eq!(r.unhandled().code(), Some("AWS.Queue.Missing"));
        assert_eq!(resolve(None, ""), None);
    }
}
