//! Service glue stage: what Kinesis Video Streams needs beyond its Smithy
//! models. Archived-media operations must be sent to a per-stream data
//! endpoint that the control plane's `GetDataEndpoint` returns; [`DataEndpoints`]
//! resolves and caches it, and [`archived_media_client`] does it in one call.
//! [`ImageExt`] turns an image's base64 text into bytes.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use kinesis_video_streams::{archived_media, archived_media_client, ApiName, Config};
//! let config = Config::from_env().build();
//! let client = archived_media_client(&config, "my-stream", ApiName::GetImages).await?;
//! let page = client
//!     .get_images()
//!     .stream_name("my-stream")
//!     .image_selector_type(archived_media::types::ImageSelectorType::ServerTimestamp)
//!     .start_timestamp(archived_media::DateTime::from_secs(1_700_000_000))
//!     .end_timestamp(archived_media::DateTime::from_secs(1_700_000_060))
//!     .format(archived_media::types::Format::Jpeg)
//!     .sampling_interval(1000)
//!     .send()
//!     .await?;
//! # let _ = page; Ok(()) }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub use kinesis_video as control;
pub use kinesis_video::types::ApiName;
pub use kinesis_video_archived_media as archived_media;
pub use smithy_client_runtime::paginate::ResumeToken;
pub use smithy_client_runtime::validation::Validation;
pub use smithy_client_runtime::{Config, ConfigBuilder, Credentials, Error, RetryConfig};

use kinesis_video::error::GetDataEndpointError;
use kinesis_video_archived_media::types::Image;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The sdkId of the archived-media service, which names its endpoint variable.
const ARCHIVED_MEDIA_SDK_ID: &str = "Kinesis Video Archived Media";

/// How long a resolved data endpoint is reused before it is asked for again.
pub const DATA_ENDPOINT_TTL: Duration = Duration::from_secs(3600);

/// How many streams' endpoints a [`DataEndpoints`] keeps; past that, expired
/// entries go first, then the longest unused.
pub const DATA_ENDPOINT_CACHE_SIZE: usize = 1024;

/// One cached endpoint: its own lock, so that concurrent callers for one
/// stream resolve it once (single flight) without holding up other streams.
type Slot = Arc<tokio::sync::Mutex<Option<(Arc<str>, Instant)>>>;

/// The slots, with when each was last used.
type EndpointCache = HashMap<(Stream, ApiName), (Slot, Instant)>;

/// A stream, by name or by ARN.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Stream {
    /// The stream's name.
    Name(String),
    /// The stream's ARN.
    Arn(String),
}

impl From<&str> for Stream {
    /// A string starting with `arn:` is an ARN; anything else is a name.
    fn from(s: &str) -> Self {
        if s.starts_with("arn:") {
            Stream::Arn(s.to_string())
        } else {
            Stream::Name(s.to_string())
        }
    }
}

impl From<String> for Stream {
    fn from(s: String) -> Self {
        Stream::from(s.as_str())
    }
}

/// Resolves the data endpoint of a stream and API through the control plane's
/// `GetDataEndpoint`, and caches it for [`DATA_ENDPOINT_TTL`] (at most
/// [`DATA_ENDPOINT_CACHE_SIZE`] of them). Concurrent requests for the same
/// stream and API make one `GetDataEndpoint` call. Cheap to clone; clones
/// share the cache.
#[derive(Debug, Clone)]
pub struct DataEndpoints {
    config: Config,
    control: kinesis_video::Client,
    cache: Arc<Mutex<EndpointCache>>,
}

impl DataEndpoints {
    /// A resolver using `config` for the control plane (its region, credentials,
    /// and `AWS_ENDPOINT_URL_KINESIS_VIDEO` if set).
    pub fn new(config: &Config) -> Self {
        DataEndpoints {
            config: config.clone(),
            control: kinesis_video::Client::new(config),
            cache: Default::default(),
        }
    }

    /// The data endpoint for `stream` and `api`, from the cache or the control plane.
    pub async fn endpoint(
        &self,
        stream: impl Into<Stream>,
        api: ApiName,
    ) -> Result<Arc<str>, Error<GetDataEndpointError>> {
        let key = (stream.into(), api);
        let slot = self.slot(&key);
        let mut entry = slot.lock().await;
        if let Some((url, at)) = entry.as_ref() {
            if at.elapsed() < DATA_ENDPOINT_TTL {
                return Ok(url.clone());
            }
        }
        let request = self.control.get_data_endpoint().api_name(key.1.clone());
        let request = match &key.0 {
            Stream::Name(n) => request.stream_name(n.clone()),
            Stream::Arn(a) => request.stream_arn(a.clone()),
        };
        let output = request.send().await?;
        let url: Arc<str> = match output.data_endpoint {
            Some(url) if !url.is_empty() => url.into(),
            _ => {
                return Err(Error::Response(
                    smithy_client_runtime::error::ResponseError::new(
                        200,
                        None,
                        "GetDataEndpoint returned no DataEndpoint",
                    ),
                ))
            }
        };
        tracing::debug!(stream = ?key.0, api = %key.1.as_str(), endpoint = %url, "data endpoint resolved");
        *entry = Some((url.clone(), Instant::now()));
        Ok(url)
    }

    /// The cache slot for `key`, made if needed; keeps the cache within its size.
    fn slot(&self, key: &(Stream, ApiName)) -> Slot {
        let mut cache = self.lock();
        let now = Instant::now();
        if let Some((slot, used)) = cache.get_mut(key) {
            *used = now;
            return slot.clone();
        }
        if cache.len() >= DATA_ENDPOINT_CACHE_SIZE {
            // Expired entries first (a slot being resolved is locked: keep it).
            cache.retain(|_, (slot, _)| {
                slot.try_lock().map_or(true, |e| {
                    e.as_ref()
                        .is_some_and(|(_, at)| at.elapsed() < DATA_ENDPOINT_TTL)
                })
            });
            if cache.len() >= DATA_ENDPOINT_CACHE_SIZE {
                if let Some(oldest) = cache
                    .iter()
                    .min_by_key(|(_, (_, used))| *used)
                    .map(|(k, _)| k.clone())
                {
                    cache.remove(&oldest);
                }
            }
        }
        let slot = Slot::default();
        cache.insert(key.clone(), (slot.clone(), now));
        slot
    }

    /// How many endpoints are cached.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no endpoint is cached.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// An archived-media client bound to the data endpoint of `stream` and
    /// `api`. When an endpoint is configured for the archived-media service
    /// (`endpoint_url` on the config, or `AWS_ENDPOINT_URL_KINESIS_VIDEO_ARCHIVED_MEDIA`),
    /// that endpoint is used and the control plane is not called.
    pub async fn archived_media_client(
        &self,
        stream: impl Into<Stream>,
        api: ApiName,
    ) -> Result<archived_media::Client, Error<GetDataEndpointError>> {
        if self
            .config
            .configured_endpoint(ARCHIVED_MEDIA_SDK_ID)
            .is_some()
        {
            return Ok(archived_media::Client::new(&self.config));
        }
        let url = self.endpoint(stream, api).await?;
        // The data endpoint is used as the control plane returned it: it is
        // already the FIPS or dual-stack one when the control plane was, so
        // the archived-media rules must not see those flags with a custom
        // endpoint (which they refuse).
        let config = self
            .config
            .to_builder()
            .endpoint_url(url.as_ref())
            .use_fips(false)
            .use_dual_stack(false)
            .build();
        Ok(archived_media::Client::new(&config))
    }

    /// Forgets every cached endpoint, for example after the data endpoint
    /// stopped answering.
    pub fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, EndpointCache> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// An archived-media client for `stream` and `api` in one call: resolves the
/// data endpoint through `GetDataEndpoint` (unless an archived-media endpoint
/// is configured). Keep a [`DataEndpoints`] to reuse resolved endpoints.
pub async fn archived_media_client(
    config: &Config,
    stream: impl Into<Stream>,
    api: ApiName,
) -> Result<archived_media::Client, Error<GetDataEndpointError>> {
    DataEndpoints::new(config)
        .archived_media_client(stream, api)
        .await
}

/// An image's content is base64 text on the wire, held as a view of the
/// response body; these decode it (with the runtime's SIMD decoder).
pub trait ImageExt {
    /// Replaces `out`'s contents with the image's bytes, reusing its
    /// capacity: the way to walk a page without allocating per image.
    /// `None` when the image has no content.
    fn decode_content_into(&self, out: &mut Vec<u8>) -> Option<Result<(), Base64Error>>;

    /// Decodes the content into a new buffer, leaving the text in place.
    fn content_bytes(&self) -> Option<Result<Vec<u8>, Base64Error>>;

    /// Takes the content out and decodes it, releasing this image's hold on
    /// the response body.
    fn take_content_bytes(&mut self) -> Option<Result<Vec<u8>, Base64Error>>;
}

pub use smithy_client_runtime::base64::Base64Error;

impl ImageExt for Image {
    fn decode_content_into(&self, out: &mut Vec<u8>) -> Option<Result<(), Base64Error>> {
        let text = self.image_content.as_ref()?;
        out.clear();
        Some(smithy_client_runtime::base64::decode_append(
            text.as_bytes(),
            out,
        ))
    }

    fn content_bytes(&self) -> Option<Result<Vec<u8>, Base64Error>> {
        let text = self.image_content.as_ref()?;
        Some(smithy_client_runtime::base64::decode(text.as_bytes()))
    }

    fn take_content_bytes(&mut self) -> Option<Result<Vec<u8>, Base64Error>> {
        let text = self.image_content.take()?;
        Some(smithy_client_runtime::base64::decode(text.as_bytes()))
    }
}
