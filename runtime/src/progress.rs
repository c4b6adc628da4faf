//! Runtime stage: progress guards on bodies in flight, so that no exchange
//! can hang.
//!
//! A response body is wrapped in a [`Guarded`] body that ends with a
//! [`StalledError`] when no data arrives for the grace period (the AWS SDKs'
//! stalled-stream protection), with a deadline error when an optional
//! absolute deadline passes (the operation timeout, which goes on covering a
//! streaming body after its head arrived), and with a size error when a body
//! read into memory grows past its limit. A request body is wrapped in a
//! [`Watched`] body that records when the transport last took data from it; a
//! watchdog next to the exchange ends the attempt when the upload stalls, or
//! when no response head arrives within the response timeout after it.

use crate::transport::{Body, BoxError};
use bytes::Bytes;
use http_body::Frame;
use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::{Instant, Sleep};

/// Which way a stalled body was going.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Direction {
    /// The request body: the service stopped reading it, or its source
    /// stopped producing.
    Upload,
    /// The response body: the service stopped sending it.
    Download,
}

/// A body made no progress for the grace period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StalledError {
    pub(crate) direction: Direction,
    pub(crate) bytes: u64,
    pub(crate) grace: Duration,
}

impl StalledError {
    /// Which body stalled.
    pub fn direction(&self) -> Direction {
        self.direction
    }

    /// How many bytes went through before it stalled.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// How long it made no progress.
    pub fn grace(&self) -> Duration {
        self.grace
    }
}

impl fmt::Display for StalledError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (what, verb) = match self.direction {
            Direction::Upload => ("request", "taken"),
            Direction::Download => ("response", "received"),
        };
        write!(
            f,
            "the {what} body stalled: no data {verb} for {:?} after {} bytes",
            self.grace, self.bytes
        )
    }
}

impl std::error::Error for StalledError {}

/// A body went on past an absolute deadline (the operation timeout).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadlineError {
    pub(crate) after: Duration,
    pub(crate) bytes: u64,
}

impl fmt::Display for DeadlineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the operation timeout of {:?} expired while the body was arriving, after {} bytes",
            self.after, self.bytes
        )
    }
}

impl std::error::Error for DeadlineError {}

/// A body read into memory grew past its limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooLargeError {
    pub(crate) limit: u64,
}

impl fmt::Display for TooLargeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the response body is larger than the limit of {} bytes (raise it with `Config::builder().max_response_body_bytes(..)`)",
            self.limit
        )
    }
}

impl std::error::Error for TooLargeError {}

/// What a [`Guarded`] body enforces.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Stall grace period; `None` turns stall detection off.
    pub grace: Option<Duration>,
    /// An absolute deadline and the timeout it comes from.
    pub deadline: Option<(Instant, Duration)>,
    /// The most bytes the body may have.
    pub max_bytes: Option<u64>,
}

/// A response body under a progress guard.
pub(crate) struct Guarded {
    inner: Body,
    limits: Limits,
    bytes: u64,
    stall: Option<Pin<Box<Sleep>>>,
    deadline: Option<Pin<Box<Sleep>>>,
    done: bool,
}

impl Guarded {
    pub(crate) fn wrap(inner: Body, limits: Limits) -> Body {
        // A body already in memory cannot stall or grow.
        if inner.bytes().is_some() && limits.max_bytes.is_none() {
            return inner;
        }
        Body::from_stream(Guarded {
            inner,
            stall: limits.grace.map(|g| Box::pin(tokio::time::sleep(g))),
            deadline: limits
                .deadline
                .map(|(at, _)| Box::pin(tokio::time::sleep_until(at))),
            limits,
            bytes: 0,
            done: false,
        })
    }

    fn fail(&mut self, e: BoxError) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        self.done = true;
        Poll::Ready(Some(Err(e)))
    }
}

impl http_body::Body for Guarded {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.bytes += data.len() as u64;
                    if let Some(limit) = this.limits.max_bytes.filter(|l| this.bytes > *l) {
                        return this.fail(Box::new(TooLargeError { limit }));
                    }
                    if let (Some(timer), Some(grace)) = (&mut this.stall, this.limits.grace) {
                        timer.as_mut().reset(Instant::now() + grace);
                    }
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(None) => {
                this.done = true;
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(e))) => this.fail(e),
            Poll::Pending => {
                if let Some(timer) = &mut this.deadline {
                    if timer.as_mut().poll(cx).is_ready() {
                        let after = this.limits.deadline.map_or(Duration::ZERO, |(_, d)| d);
                        let bytes = this.bytes;
                        return this.fail(Box::new(DeadlineError { after, bytes }));
                    }
                }
                if let (Some(timer), Some(grace)) = (&mut this.stall, this.limits.grace) {
                    if timer.as_mut().poll(cx).is_ready() {
                        let bytes = this.bytes;
                        return this.fail(Box::new(StalledError {
                            direction: Direction::Download,
                            bytes,
                            grace,
                        }));
                    }
                }
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.done || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

use std::future::Future as _;

/// How far a request body has gone: when the transport last took data from
/// it, how much, and whether it is all sent.
#[derive(Debug)]
pub(crate) struct Upload {
    state: Mutex<(Instant, u64, bool)>,
}

impl Upload {
    /// `(last progress, bytes taken, finished)`.
    pub(crate) fn snapshot(&self) -> (Instant, u64, bool) {
        *self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn record(&self, bytes: u64, finished: bool) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.0 = Instant::now();
        s.1 += bytes;
        s.2 |= finished;
    }
}

/// What the watchdog sees of a request body's progress.
#[derive(Debug)]
pub(crate) enum Progress {
    /// A body in memory, which goes in one frame: it counts as sent when the
    /// watchdog first looks, and the socket's own backpressure is the
    /// watchdog's to see. No clock is read and nothing is allocated for it,
    /// so an exchange that ends at its first poll (an in-memory transport)
    /// pays nothing for the watchdog.
    Sent(u64),
    /// A streamed body, reporting through its [`Watched`] wrapper.
    Streamed(Arc<Upload>),
}

/// A request body that reports its progress to an [`Upload`].
pub(crate) struct Watched {
    inner: Body,
    upload: Arc<Upload>,
}

impl Watched {
    /// The body to send, and the progress the watchdog watches.
    pub(crate) fn wrap(inner: Body) -> (Body, Progress) {
        if let Some(bytes) = inner.bytes() {
            let len = bytes.len() as u64;
            return (inner, Progress::Sent(len));
        }
        let upload = Arc::new(Upload {
            state: Mutex::new((Instant::now(), 0, false)),
        });
        let progress = Progress::Streamed(upload.clone());
        (Body::from_stream(Watched { inner, upload }), progress)
    }
}

impl http_body::Body for Watched {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                let n = frame.data_ref().map_or(0, |d| d.len() as u64);
                this.upload.record(n, false);
            }
            Poll::Ready(None) => this.upload.record(0, true),
            _ => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// Why the watchdog ended an exchange.
pub(crate) enum Watchdog {
    Stalled(StalledError),
    /// No response head within the response timeout after the request was sent.
    NoResponse(Duration),
}

/// Waits until the upload stalls for `grace`, or, once it is finished, until
/// `response_timeout` passes without the exchange having ended (it is raced
/// against the exchange, which drops it when the head arrives).
pub(crate) async fn watch(
    progress: &Progress,
    grace: Option<Duration>,
    response_timeout: Option<Duration>,
) -> Watchdog {
    let sent_at = Instant::now();
    loop {
        let (last, bytes, finished) = match progress {
            Progress::Sent(bytes) => (sent_at, *bytes, true),
            Progress::Streamed(upload) => upload.snapshot(),
        };
        let limit = if finished { response_timeout } else { grace };
        let Some(limit) = limit else {
            if finished {
                return std::future::pending().await;
            }
            // No stall detection: wait for the upload to finish.
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let deadline = last + limit;
        if Instant::now() >= deadline {
            return if finished {
                Watchdog::NoResponse(limit)
            } else {
                Watchdog::Stalled(StalledError {
                    direction: Direction::Upload,
                    bytes,
                    grace: limit,
                })
            };
        }
        tokio::time::sleep_until(deadline).await;
    }
}
