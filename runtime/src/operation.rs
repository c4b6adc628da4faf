//! Runtime stage: the metadata every generated operation carries, which the
//! client and the paginator drive.

/// An operation of a service: its types and its HTTP route.
pub trait Operation {
    /// The input structure.
    type Input;
    /// The output structure.
    type Output;
    /// The typed error: one variant per modelled error, plus unhandled.
    type Error: crate::error::OperationError;
    /// The Smithy operation name (`GetImages`).
    const NAME: &'static str;
    /// The HTTP method.
    const METHOD: &'static str;
    /// The URI template from `@http` (`/getImages`).
    const URI: &'static str;
    /// The HTTP status code of a successful response.
    const SUCCESS_CODE: u16;
    /// Serialises an input into the request's path, query, headers and body.
    fn request(input: &Self::Input) -> Result<crate::client::OperationRequest, String>;
    /// True when the output has a `@streaming` payload: a successful response
    /// is handed over once its head arrives, and its body streams into the output.
    const STREAMING_OUTPUT: bool = false;
    /// Parses a successful response; the error says what was wrong with it.
    fn response(response: &mut crate::client::OperationResponse) -> Result<Self::Output, String>;
}

/// An operation with `@paginated`: how to move from one page to the next.
pub trait Paginated: Operation {
    /// The element type of the paginated item list.
    type Item;
    /// The continuation token of a page, if there is another one.
    fn next_token(output: &Self::Output) -> Option<&str>;
    /// The continuation token of a request.
    fn token(input: &Self::Input) -> Option<&str>;
    /// Sets (or clears) the continuation token of a request.
    fn set_token(input: &mut Self::Input, token: Option<String>);
    /// Sets the page size, saturating at the member type's limits. Does nothing
    /// for operations without a `pageSize` member.
    fn set_page_size(input: &mut Self::Input, size: i64);
    /// The page's item list, if the page has one.
    fn items(output: &mut Self::Output) -> Option<&mut Vec<Self::Item>>;
}

/// A modelled error structure (`@error`).
pub trait ModeledError: std::error::Error {
    /// The error's shape name, as the service sends it (`ResourceNotFoundException`).
    const CODE: &'static str;
    /// The HTTP status from `@httpError` (or 400 for client, 500 for server faults).
    const HTTP_STATUS: u16;
    /// True for `@error("server")`.
    const SERVER_FAULT: bool;
    /// True when the error has `@retryable`.
    const RETRYABLE: bool;
    /// True when the error has `@retryable(throttling: true)`.
    const THROTTLING: bool;
    /// The message the service sent, if any.
    fn message(&self) -> Option<&str>;
}
