//! Runtime stage: the pagination driver behind every `@paginated` operation.
//!
//! A [`Paginator`] turns one request into a [`Pages`] stream (one output per
//! page) or an [`Items`] stream (the elements of each page's item list). Both
//! are `futures_core::Stream`s that fetch the next page only when the current
//! one has been consumed, so an item stream holds at most one page in memory.
//!
//! Pagination must never lose, repeat or hang:
//! - the stream ends when the output token is absent or empty;
//! - a token the service already sent in this run (not only the last one) ends
//!   the stream with [`Error::RepeatedToken`] instead of looping;
//! - `max_items` stops after exactly that many items, cutting inside a page;
//! - after every page, every item and every error, [`Pages::resume_token`] /
//!   [`Items::resume_token`] say where a new paginator should start so that it
//!   yields exactly the items not yet seen, even when a page was cut (after a
//!   repeated token there is no position to resume from, so it is `None`).
//!
//! Errors of a page arrive as an `Err` item (retries happen inside the page
//! request), after which the stream ends.

use crate::client::ServiceClient;
use crate::error::{Error, RepeatedTokenError};
use crate::operation::{ItemList, Paginated};
use crate::validation::Validate;
use futures_core::Stream;
use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Where a paginator starts: the service's continuation token for a page (none
/// for the first page), and how many items at the start of that page were
/// already read.
///
/// A plain service token converts into one (`"QUJD".into()`). To keep a
/// position across processes, store [`token`](Self::token) and
/// [`skip`](Self::skip) and rebuild it with [`new`](Self::new).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ResumeToken {
    token: Option<String>,
    skip: usize,
}

impl ResumeToken {
    /// The position `skip` items into the page that `token` fetches (`None`:
    /// the first page).
    pub fn new(token: Option<String>, skip: usize) -> Self {
        ResumeToken { token, skip }
    }

    /// The service's continuation token, or `None` for the first page.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// How many items at the start of that page were already read.
    pub fn skip(&self) -> usize {
        self.skip
    }
}

impl From<String> for ResumeToken {
    fn from(token: String) -> Self {
        ResumeToken {
            token: Some(token),
            skip: 0,
        }
    }
}

impl From<&str> for ResumeToken {
    fn from(token: &str) -> Self {
        token.to_string().into()
    }
}

impl fmt::Display for ResumeToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.token {
            Some(t) => write!(f, "page token {t:?}")?,
            None => f.write_str("the first page")?,
        }
        if self.skip > 0 {
            write!(f, ", after {} item(s)", self.skip)?;
        }
        Ok(())
    }
}

/// Pages through a `@paginated` operation. Made by the operation's request
/// builder (`client.get_images()….into_paginator()`).
pub struct Paginator<O: Paginated> {
    client: ServiceClient,
    input: O::Input,
    max_items: Option<usize>,
    start: ResumeToken,
    on_repeated_token: OnRepeatedToken,
}

/// What a paginator does when the service sends a continuation token it
/// already sent in this run (A, B, A).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum OnRepeatedToken {
    /// End the stream with [`Error::RepeatedToken`] naming the token, instead
    /// of looping (the default).
    #[default]
    Error,
    /// End the stream normally; the resume token points at the repeated page,
    /// so polling can go on later. For services that repeat a token on
    /// purpose, such as a log stream's forward token at its end.
    Stop,
    /// Keep requesting pages while a repeated token brings items; the caller
    /// ends the stream (with `max_items`, or by dropping it). A repeated token
    /// with an empty page ends it as `Stop` does, instead of polling at once.
    Continue,
}

impl<O: Paginated> fmt::Debug for Paginator<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Paginator")
            .field("operation", &O::NAME)
            .field("max_items", &self.max_items)
            .field("start", &self.start)
            .finish_non_exhaustive()
    }
}

type PageFuture<O> = Pin<
    Box<
        dyn Future<
                Output = Result<
                    <O as crate::operation::Operation>::Output,
                    Error<<O as crate::operation::Operation>::Error>,
                >,
            > + Send,
    >,
>;

impl<O> Paginator<O>
where
    O: Paginated + 'static,
    O::Input: Validate + Clone + Send + Sync + 'static,
    O::Output: Send + 'static,
    O::Error: Send + 'static,
{
    /// Used by generated request builders.
    #[doc(hidden)]
    pub fn new(client: ServiceClient, input: O::Input) -> Self {
        // A token already set on the request is where the caller wants to start.
        let start = ResumeToken {
            token: O::token(&input).map(str::to_string),
            skip: 0,
        };
        Paginator {
            client,
            input,
            max_items: None,
            start,
            on_repeated_token: OnRepeatedToken::default(),
        }
    }

    /// What to do when the service repeats a continuation token
    /// ([`OnRepeatedToken::Error`] unless set).
    pub fn on_repeated_token(mut self, policy: OnRepeatedToken) -> Self {
        self.on_repeated_token = policy;
        self
    }

    /// Asks for `size` items per page, through the operation's page-size
    /// member (saturating at its type's limits). Operations without one ignore it.
    pub fn page_size(mut self, size: i64) -> Self {
        O::set_page_size(&mut self.input, size);
        self
    }

    /// Stops after exactly `count` items, cutting the last page if needed.
    pub fn max_items(mut self, count: usize) -> Self {
        self.max_items = Some(count);
        self
    }

    /// Starts from a resume token from an earlier stream, or from a service
    /// continuation token. Without it, the paginator starts from the token set
    /// on the request, if any, else from the first page.
    pub fn starting_token(mut self, token: impl Into<ResumeToken>) -> Self {
        self.start = token.into();
        self
    }

    /// A stream of pages. With `max_items`, the last page's item list is cut.
    ///
    /// The input is validated once, at the config's level, without its
    /// continuation token: a token goes back to the service exactly as the
    /// service (or the caller's starting token) gave it.
    pub fn pages(mut self) -> Pages<O> {
        let mut seen = HashSet::new();
        if let Some(t) = &self.start.token {
            seen.insert(t.clone());
        }
        O::set_token(&mut self.input, None);
        let state = match self.input.validate_with(self.client.config().validation()) {
            Ok(()) => State::Ready,
            Err(e) => State::Invalid(e),
        };
        Pages {
            client: self.client,
            input: self.input,
            remaining: self.max_items,
            seen,
            page_token: self.start.token.clone(),
            skip: self.start.skip,
            resume: Some(self.start),
            in_flight: None,
            state,
            on_repeated_token: self.on_repeated_token,
        }
    }

    /// A stream of the items of every page, one page in memory at a time.
    pub fn items(self) -> Items<O> {
        Items {
            pages: self.pages(),
            current: Vec::new().into_iter(),
            page_token: None,
            offset: 0,
        }
    }
}

enum State {
    /// The next page (for `page_token`) is to be requested.
    Ready,
    /// The input is invalid: the error is to be yielded next.
    Invalid(crate::validation::ValidationError),
    /// A token repeated: the error is to be yielded next.
    Repeated(String),
    /// Nothing more will be yielded.
    Done,
}

/// The pages of a paginated operation; see [`Paginator::pages`].
///
/// When `max_items` cuts a page, the yielded output keeps the service's
/// continuation token, which points past the items that were cut off: to
/// continue, use [`resume_token`](Self::resume_token), not the output's token.
pub struct Pages<O: Paginated> {
    client: ServiceClient,
    input: O::Input,
    remaining: Option<usize>,
    seen: HashSet<String>,
    /// The token of the page to request next (or in flight).
    page_token: Option<String>,
    /// Items to drop from the start of that page (already read by an earlier run).
    skip: usize,
    resume: Option<ResumeToken>,
    in_flight: Option<PageFuture<O>>,
    state: State,
    on_repeated_token: OnRepeatedToken,
}

impl<O: Paginated> fmt::Debug for Pages<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages")
            .field("operation", &O::NAME)
            .field("resume", &self.resume)
            .finish_non_exhaustive()
    }
}

impl<O> Pages<O>
where
    O: Paginated + 'static,
    O::Input: Validate + Clone + Send + Sync + 'static,
    O::Output: Send + 'static,
    O::Error: Send + 'static,
{
    /// Where a new paginator should start to read exactly what this stream
    /// has not yielded yet, or `None` when nothing is left.
    pub fn resume_token(&self) -> Option<&ResumeToken> {
        self.resume.as_ref()
    }

    /// The next page, or `None` at the end (`StreamExt::next` without the import).
    pub async fn next(&mut self) -> Option<Result<O::Output, Error<O::Error>>>
    where
        O::Input: Unpin,
    {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    fn request(&mut self) -> PageFuture<O> {
        let client = self.client.clone();
        let mut input = self.input.clone();
        O::set_token(&mut input, self.page_token.clone());
        Box::pin(async move { client.call_validated::<O>(&input).await })
    }

    /// Trims a fetched page (the skip of a resumed start, `max_items`), moves
    /// the position on, and checks the next token.
    fn accept(&mut self, output: &mut O::Output) {
        let mut dropped = 0;
        let mut count = 0;
        if let Some(items) = O::items(output) {
            dropped = self.skip.min(items.count());
            items.skip_first(dropped);
            count = items.count();
        }
        self.skip = 0;
        let next = O::next_token(output)
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        if let Some(remaining) = self.remaining {
            if count >= remaining {
                if let Some(items) = O::items(output) {
                    items.keep_first(remaining);
                }
                self.remaining = Some(0);
                self.state = State::Done;
                // Resume inside this page when it was cut, else at the next one.
                self.resume = if count > remaining {
                    Some(ResumeToken {
                        token: self.page_token.clone(),
                        skip: dropped + remaining,
                    })
                } else {
                    next.map(|t| ResumeToken {
                        token: Some(t),
                        skip: 0,
                    })
                };
                return;
            }
            self.remaining = Some(remaining - count);
        }
        match next {
            None => {
                self.state = State::Done;
                self.resume = None;
            }
            Some(token) => {
                let repeated = !self.seen.insert(token.clone());
                if repeated && self.on_repeated_token == OnRepeatedToken::Error {
                    // Resuming from a token that loops would only loop again.
                    self.resume = None;
                    self.state = State::Repeated(token);
                } else if repeated
                    && (self.on_repeated_token == OnRepeatedToken::Stop || count == 0)
                {
                    // `Continue` stops too when a repeated token brings nothing:
                    // requesting it again at once would spin.
                    self.state = State::Done;
                    self.resume = Some(ResumeToken {
                        token: Some(token),
                        skip: 0,
                    });
                } else {
                    self.resume = Some(ResumeToken {
                        token: Some(token.clone()),
                        skip: 0,
                    });
                    self.page_token = Some(token);
                }
            }
        }
    }
}

impl<O> Stream for Pages<O>
where
    O: Paginated + 'static,
    O::Input: Validate + Clone + Send + Sync + Unpin + 'static,
    O::Output: Send + 'static,
    O::Error: Send + 'static,
{
    type Item = Result<O::Output, Error<O::Error>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        match std::mem::replace(&mut this.state, State::Ready) {
            State::Done => {
                this.state = State::Done;
                return Poll::Ready(None);
            }
            State::Repeated(token) => {
                this.state = State::Done;
                return Poll::Ready(Some(Err(Error::RepeatedToken(RepeatedTokenError {
                    token,
                }))));
            }
            State::Invalid(e) => {
                this.state = State::Done;
                return Poll::Ready(Some(Err(Error::Validation(e))));
            }
            State::Ready => {}
        }
        if this.remaining == Some(0) {
            this.state = State::Done;
            return Poll::Ready(None);
        }
        let mut future = match this.in_flight.take() {
            Some(f) => f,
            None => this.request(),
        };
        match future.as_mut().poll(cx) {
            Poll::Pending => {
                this.in_flight = Some(future);
                Poll::Pending
            }
            Poll::Ready(Err(e)) => {
                // The resume token still points at this page.
                this.state = State::Done;
                Poll::Ready(Some(Err(e)))
            }
            Poll::Ready(Ok(mut output)) => {
                this.accept(&mut output);
                Poll::Ready(Some(Ok(output)))
            }
        }
    }
}

/// The items of every page of a paginated operation; see [`Paginator::items`].
pub struct Items<O: Paginated> {
    pages: Pages<O>,
    /// The unread items of the current page: the only page held.
    current: std::vec::IntoIter<O::Item>,
    /// The token that fetched the current page, and how many of its items
    /// (counting those skipped on resume) precede `current`.
    page_token: Option<String>,
    offset: usize,
}

impl<O: Paginated> fmt::Debug for Items<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items")
            .field("operation", &O::NAME)
            .field("unread_in_page", &self.current.len())
            .finish_non_exhaustive()
    }
}

impl<O> Items<O>
where
    O: Paginated + 'static,
    O::Input: Validate + Clone + Send + Sync + 'static,
    O::Output: Send + 'static,
    O::Error: Send + 'static,
{
    /// Where a new paginator should start to read exactly the items this
    /// stream has not yielded yet, or `None` when nothing is left.
    pub fn resume_token(&self) -> Option<ResumeToken> {
        if self.current.len() > 0 {
            Some(ResumeToken {
                token: self.page_token.clone(),
                skip: self.offset,
            })
        } else {
            self.pages.resume_token().cloned()
        }
    }

    /// The next item, or `None` at the end (`StreamExt::next` without the import).
    pub async fn next(&mut self) -> Option<Result<O::Item, Error<O::Error>>>
    where
        O::Input: Unpin,
        O::Item: Unpin,
    {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }
}

impl<O> Stream for Items<O>
where
    O: Paginated + 'static,
    O::Input: Validate + Clone + Send + Sync + Unpin + 'static,
    O::Output: Send + 'static,
    O::Error: Send + 'static,
    O::Item: Unpin,
{
    type Item = Result<O::Item, Error<O::Error>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.current.next() {
                this.offset += 1;
                return Poll::Ready(Some(Ok(item)));
            }
            let token = this.pages.page_token.clone();
            let skip = this.pages.skip;
            match Pin::new(&mut this.pages).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(mut output))) => {
                    // The rest of the output is dropped here: only the items stay.
                    this.current = O::items(&mut output)
                        .map(std::mem::take)
                        .unwrap_or_default()
                        .into_items();
                    this.page_token = token;
                    this.offset = skip;
                }
            }
        }
    }
}
