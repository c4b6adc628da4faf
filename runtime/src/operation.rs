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
    /// Serialises an input into the request's path, query, headers and body;
    /// `@idempotencyToken` members left unset get a token from `tokens`.
    fn request(
        input: &Self::Input,
        tokens: &dyn crate::wire::IdempotencyTokens,
    ) -> Result<crate::client::OperationRequest, crate::error::SerializationError>;
    /// True when the output has a `@streaming` payload: a successful response
    /// is handed over once its head arrives, and its body streams into the output.
    const STREAMING_OUTPUT: bool = false;
    /// The auth schemes the operation accepts, in the model's order of
    /// preference; empty for an operation sent unsigned (`@auth([])`).
    const AUTH: &'static [AuthScheme];
    /// `@optionalAuth`: without an identity for any scheme, the request is
    /// sent unsigned instead of failing.
    const OPTIONAL_AUTH: bool = false;
    /// `aws.auth#unsignedPayload`: SigV4 signs the request but not its body.
    const UNSIGNED_PAYLOAD: bool = false;
    /// `@httpChecksumRequired`: the request carries a `Content-MD5` header.
    const CHECKSUM_REQUIRED: bool = false;
    /// `@requestCompression` encodings, in the model's order of preference.
    const COMPRESSION: &'static [&'static str] = &[];
    /// True when the operation sets endpoint parameters from its input or
    /// its model (`@contextParam`, `@staticContextParams`,
    /// `@operationContextParams`), so each call resolves its own endpoint.
    const ENDPOINT_PARAMS: bool = false;
    /// How bodies are encoded, which decides how an error body is read.
    const WIRE_FORMAT: WireFormat = WireFormat::Json;
    /// Whether the operation is sent to an endpoint discovered from the
    /// service (`aws.api#clientDiscoveredEndpoint(required: true)`).
    const DISCOVERED_ENDPOINT: bool = false;
    /// Adds the operation's endpoint parameters.
    fn endpoint_params(_input: &Self::Input, _params: &mut crate::endpoint::Params) {}
    /// Parses a successful response; the error says what was wrong with it.
    fn response(
        response: &mut crate::client::OperationResponse,
    ) -> Result<Self::Output, crate::error::DeserializationError>;
}

/// How a request proves who sends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthScheme {
    /// `aws.auth#sigv4`: signed with the config's credentials.
    SigV4,
    /// `smithy.api#httpBearerAuth`: `Authorization: Bearer` with the config's token.
    Bearer,
}

/// The encoding of a protocol's bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WireFormat {
    /// restJson1, awsJson1_0, awsJson1_1.
    Json,
    /// rpcv2Cbor.
    Cbor,
    /// awsQuery, ec2Query and restXml responses.
    Xml,
}

/// An operation with `@paginated`: how to move from one page to the next.
pub trait Paginated: Operation {
    /// One item: an element of a paginated list, or an entry `(key, value)`
    /// of a paginated map.
    type Item;
    /// The page's collection of items (`Vec<Item>` or a map).
    type Items: ItemList<Item = Self::Item>;
    /// The continuation token of a page, if there is another one.
    fn next_token(output: &Self::Output) -> Option<&str>;
    /// The continuation token of a request.
    fn token(input: &Self::Input) -> Option<&str>;
    /// Sets (or clears) the continuation token of a request.
    fn set_token(input: &mut Self::Input, token: Option<String>);
    /// Sets the page size, saturating at the member type's limits. Does nothing
    /// for operations without a `pageSize` member.
    fn set_page_size(input: &mut Self::Input, size: i64);
    /// The page's items, if the page has them.
    fn items(output: &mut Self::Output) -> Option<&mut Self::Items>;
}

/// The items of a page, as a paginator trims and hands them out: a list, or
/// a map whose entries are the items (in key order, the same on every fetch
/// of a page, so a resume position counts the same entries).
pub trait ItemList: Default {
    /// One item.
    type Item;
    /// How many items there are.
    fn count(&self) -> usize;
    /// Drops the first `n` items.
    fn skip_first(&mut self, n: usize);
    /// Keeps only the first `n` items.
    fn keep_first(&mut self, n: usize);
    /// The items, in order.
    fn into_items(self) -> std::vec::IntoIter<Self::Item>;
}

impl<T> ItemList for Vec<T> {
    type Item = T;
    fn count(&self) -> usize {
        self.len()
    }
    fn skip_first(&mut self, n: usize) {
        self.drain(..n.min(self.len()));
    }
    fn keep_first(&mut self, n: usize) {
        self.truncate(n);
    }
    fn into_items(self) -> std::vec::IntoIter<T> {
        self.into_iter()
    }
}

impl<K: Ord + Clone, V> ItemList for std::collections::BTreeMap<K, V> {
    type Item = (K, V);
    fn count(&self) -> usize {
        self.len()
    }
    fn skip_first(&mut self, n: usize) {
        match self.keys().nth(n).cloned() {
            Some(first_kept) => *self = self.split_off(&first_kept),
            None => self.clear(),
        }
    }
    fn keep_first(&mut self, n: usize) {
        if let Some(first_dropped) = self.keys().nth(n).cloned() {
            self.split_off(&first_dropped);
        }
    }
    fn into_items(self) -> std::vec::IntoIter<(K, V)> {
        self.into_iter().collect::<Vec<_>>().into_iter()
    }
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

#[cfg(test)]
mod tests {
    use super::ItemList;
    use std::collections::BTreeMap;

    #[test]
    fn a_map_pages_its_entries_in_key_order() {
        let page = || -> BTreeMap<String, i32> {
            [("c", 3), ("a", 1), ("b", 2), ("d", 4)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect()
        };
        let mut skipped = page();
        skipped.skip_first(1);
        skipped.keep_first(2);
        assert_eq!(skipped.count(), 2);
        let items: Vec<(String, i32)> = skipped.into_items().collect();
        assert_eq!(items, [("b".to_string(), 2), ("c".to_string(), 3)]);
        let mut all_gone = page();
        all_gone.skip_first(10);
        assert_eq!(all_gone.count(), 0);
        let mut kept = page();
        kept.keep_first(10);
        assert_eq!(kept.count(), 4);
    }

    #[test]
    fn a_list_pages_its_elements_in_order() {
        let mut list = vec![1, 2, 3, 4];
        list.skip_first(1);
        list.keep_first(2);
        assert_eq!(list.into_items().collect::<Vec<_>>(), [2, 3]);
    }
}
