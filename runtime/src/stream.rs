//! Runtime stage: `@streaming` blobs. A [`ByteStream`] is either bytes already
//! in memory or a body that arrives (or is sent) chunk by chunk, so a large
//! media payload never has to sit in memory whole.

use crate::transport::{Body, BoxError};
use bytes::Bytes;
use std::fmt;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};

/// A stream of bytes: the payload of a `@streaming` blob member.
///
/// In an output it is the response body as it arrives: read it with
/// [`next`](Self::next) (or as a `futures_core::Stream`), write it to a file
/// with [`write_to_file`](Self::write_to_file), or gather it with
/// [`collect`](Self::collect). In an input, build it from bytes (which can be
/// re-sent on a retry) or from a stream of chunks with
/// [`from_body`](Self::from_body) (sent once; a failed attempt is not retried).
pub struct ByteStream(Inner);

enum Inner {
    Bytes(Bytes),
    /// A body that can be read once. The mutex lets a request take it out of an
    /// input it only borrows; it is never contended.
    Body(Mutex<Option<Body>>),
}

/// A failure while reading a streamed body: the connection broke or the
/// sender's stream failed.
#[derive(Debug)]
pub struct ByteStreamError(BoxError);

impl fmt::Display for ByteStreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the streamed body failed: {}", self.0)?;
        let mut cause = self.0.source();
        while let Some(c) = cause {
            write!(f, ": {c}")?;
            cause = c.source();
        }
        Ok(())
    }
}

impl ByteStreamError {
    /// When the body stalled (stalled-stream protection): after how many bytes.
    pub fn stalled(&self) -> Option<&crate::progress::StalledError> {
        self.0.downcast_ref()
    }

    /// Whether the operation timeout expired while the body was arriving.
    pub fn is_timeout(&self) -> bool {
        self.0.is::<crate::progress::DeadlineError>()
    }
}

impl std::error::Error for ByteStreamError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.0.as_ref())
    }
}

impl ByteStream {
    /// A stream of the given bytes, already in memory.
    pub fn new(bytes: impl Into<Bytes>) -> Self {
        ByteStream(Inner::Bytes(bytes.into()))
    }

    /// A stream of static bytes.
    pub fn from_static(bytes: &'static [u8]) -> Self {
        Self::new(Bytes::from_static(bytes))
    }

    /// A stream that reads `body` chunk by chunk. It can be read (or sent) once.
    pub fn from_body(body: Body) -> Self {
        match body.bytes() {
            Some(b) => Self::new(b.clone()),
            None => ByteStream(Inner::Body(Mutex::new(Some(body)))),
        }
    }

    /// The bytes, when they are already in memory.
    pub fn bytes(&self) -> Option<&Bytes> {
        match &self.0 {
            Inner::Bytes(b) => Some(b),
            Inner::Body(_) => None,
        }
    }

    /// The next chunk, `None` at the end.
    pub async fn next(&mut self) -> Option<Result<Bytes, ByteStreamError>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_chunk(cx)).await
    }

    /// Reads the rest of the stream into memory.
    pub async fn collect(self) -> Result<Bytes, ByteStreamError> {
        match self.0 {
            Inner::Bytes(b) => Ok(b),
            Inner::Body(m) => match m.into_inner().unwrap_or_else(|e| e.into_inner()) {
                Some(body) => body.collect().await.map_err(ByteStreamError),
                None => Ok(Bytes::new()),
            },
        }
    }

    /// Writes the stream to `writer` as it arrives; returns the bytes written.
    pub async fn copy_to<W>(mut self, writer: &mut W) -> std::io::Result<u64>
    where
        W: tokio::io::AsyncWrite + Unpin + ?Sized,
    {
        use tokio::io::AsyncWriteExt as _;
        let mut written = 0;
        while let Some(chunk) = self.next().await {
            let chunk = chunk.map_err(std::io::Error::other)?;
            writer.write_all(&chunk).await?;
            written += chunk.len() as u64;
        }
        writer.flush().await?;
        Ok(written)
    }

    /// Writes the stream to the file at `path` as it arrives; returns the
    /// bytes written. The bytes go to `<path>.part` first, renamed to `path`
    /// once the stream has ended: a stream that fails (stalls, breaks off)
    /// leaves no file behind, and the error says the partial file was removed.
    pub async fn write_to_file(self, path: impl AsRef<std::path::Path>) -> std::io::Result<u64> {
        let path = path.as_ref();
        let mut partial = path.as_os_str().to_owned();
        partial.push(".part");
        let partial = std::path::PathBuf::from(partial);
        let written = async {
            let mut file = tokio::fs::File::create(&partial).await?;
            let n = self.copy_to(&mut file).await?;
            file.sync_all().await?;
            Ok::<_, std::io::Error>(n)
        }
        .await;
        match written {
            Ok(n) => {
                tokio::fs::rename(&partial, path).await?;
                Ok(n)
            }
            Err(e) => {
                let note = match tokio::fs::remove_file(&partial).await {
                    Ok(()) => format!("; removed the partial file {}", partial.display()),
                    Err(_) => String::new(),
                };
                Err(std::io::Error::new(e.kind(), format!("{e}{note}")))
            }
        }
    }

    /// The body to send for a request. Bytes are shared, so every attempt can
    /// send them; a one-shot body is handed out once.
    pub(crate) fn take_body(&self) -> Option<Body> {
        match &self.0 {
            Inner::Bytes(b) => Some(Body::from(b.clone())),
            Inner::Body(m) => m.lock().unwrap_or_else(|e| e.into_inner()).take(),
        }
    }

    fn poll_chunk(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, ByteStreamError>>> {
        let this = self.get_mut();
        match &mut this.0 {
            Inner::Bytes(b) if b.is_empty() => Poll::Ready(None),
            Inner::Bytes(b) => Poll::Ready(Some(Ok(std::mem::take(b)))),
            Inner::Body(m) => {
                let slot = m.get_mut().unwrap_or_else(|e| e.into_inner());
                let Some(body) = slot.as_mut() else {
                    return Poll::Ready(None);
                };
                loop {
                    let frame = match Pin::new(&mut *body).poll_frame(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(f) => f,
                    };
                    match frame {
                        None => {
                            *slot = None;
                            return Poll::Ready(None);
                        }
                        Some(Err(e)) => {
                            *slot = None;
                            return Poll::Ready(Some(Err(ByteStreamError(e))));
                        }
                        // Trailers carry no payload bytes.
                        Some(Ok(frame)) => match frame.into_data() {
                            Ok(data) if data.is_empty() => continue,
                            Ok(data) => return Poll::Ready(Some(Ok(data))),
                            Err(_) => continue,
                        },
                    }
                }
            }
        }
    }
}

use http_body::Body as _;

impl futures_core::Stream for ByteStream {
    type Item = Result<Bytes, ByteStreamError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.poll_chunk(cx)
    }
}

impl Default for ByteStream {
    fn default() -> Self {
        Self::new(Bytes::new())
    }
}

impl From<Bytes> for ByteStream {
    fn from(b: Bytes) -> Self {
        Self::new(b)
    }
}

impl From<Vec<u8>> for ByteStream {
    fn from(b: Vec<u8>) -> Self {
        Self::new(b)
    }
}

impl From<&'static str> for ByteStream {
    fn from(s: &'static str) -> Self {
        Self::from_static(s.as_bytes())
    }
}

/// Streams compare equal only when both are in memory with the same bytes; a
/// live stream cannot be compared without consuming it.
impl PartialEq for ByteStream {
    fn eq(&self, other: &Self) -> bool {
        matches!((self.bytes(), other.bytes()), (Some(a), Some(b)) if a == b)
    }
}

impl fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Inner::Bytes(b) => write!(f, "ByteStream({} bytes)", b.len()),
            Inner::Body(_) => f.write_str("ByteStream(streaming)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<ByteStream>();
    }

    #[tokio::test]
    async fn in_memory_stream_yields_its_bytes_once() {
        let mut s = ByteStream::from_static(b"abc");
        assert_eq!(s.next().await.unwrap().unwrap(), &b"abc"[..]);
        assert!(s.next().await.is_none());
    }
}
