//! Behaviour tests for the media operations: GetClip and
//! GetMediaForFragmentList (streaming payloads with a `Content-Type` header),
//! and the HLS and DASH session URLs, against recorded exchanges replayed in
//! memory and through a server on 127.0.0.1. One more test shows that a clip
//! is handed over while its body is still arriving.

use bytes::Bytes;
use kinesis_video_archived_media::error::GetClipError;
use kinesis_video_archived_media::types::*;
use kinesis_video_archived_media::{Client, DateTime, Error};
use smithy_client_runtime::transport::{from_fn, Body};
use smithy_client_runtime::{Config, Credentials};
use std::convert::Infallible;
use tests::replay::{Mode, Replay};

const MODES: [Mode; 2] = [Mode::InMemory, Mode::Server];

fn clip_selector() -> ClipFragmentSelector {
    ClipFragmentSelector::builder()
        .fragment_selector_type(ClipFragmentSelectorType::ProducerTimestamp)
        .timestamp_range(
            ClipTimestampRange::builder()
                .start_timestamp(DateTime::from_secs(1_700_000_000))
                .end_timestamp(DateTime::from_secs(1_700_000_010))
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn get_clip_streams_the_mp4_payload() {
    for mode in MODES {
        let mut replay = Replay::start("get_clip", mode).await;
        let config = replay
            .config(true)
            .endpoint_url(replay.data_url.clone())
            .build();
        let out = Client::new(&config)
            .get_clip()
            .stream_name("cam-1")
            .clip_fragment_selector(clip_selector())
            .send()
            .await
            .unwrap();
        assert_eq!(out.content_type.as_deref(), Some("video/mp4"));
        let bytes = out.payload.collect().await.unwrap();
        assert_eq!(
            &bytes[..],
            "\0\0\0\u{18}ftypmp42 fake mp4 clip bytes".as_bytes()
        );
        replay.verify(true);
    }
}

#[tokio::test]
async fn get_clip_writes_to_a_file() {
    let mut replay = Replay::start("get_clip", Mode::Server).await;
    let config = replay
        .config(true)
        .endpoint_url(replay.data_url.clone())
        .build();
    let out = Client::new(&config)
        .get_clip()
        .stream_name("cam-1")
        .clip_fragment_selector(clip_selector())
        .send()
        .await
        .unwrap();
    let path = std::env::temp_dir().join(format!("get-clip-test-{}.mp4", std::process::id()));
    let written = out.payload.write_to_file(&path).await.unwrap();
    let saved = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(written as usize, saved.len());
    assert!(saved.starts_with(b"\0\0\0\x18ftypmp42"));
    replay.verify(true);
}

#[tokio::test]
async fn get_clip_error_is_typed() {
    for mode in MODES {
        let mut replay = Replay::start("get_clip_error", mode).await;
        let config = replay
            .config(true)
            .endpoint_url(replay.data_url.clone())
            .build();
        let err = Client::new(&config)
            .get_clip()
            .stream_name("cam-1")
            .clip_fragment_selector(clip_selector())
            .send()
            .await
            .unwrap_err();
        match err.service_error() {
            Some(GetClipError::InvalidMediaFrameException(e)) => {
                assert_eq!(
                    e.message(),
                    Some("frame 3 of fragment 9134 cannot be decoded")
                )
            }
            other => panic!("expected InvalidMediaFrameException, got {other:?}"),
        }
        assert_eq!(err.request_id(), Some("clip-2"));
        replay.verify(true);
    }
}

#[tokio::test]
async fn get_media_for_fragment_list_streams_mkv() {
    for mode in MODES {
        let mut replay = Replay::start("get_media_for_fragment_list", mode).await;
        let config = replay
            .config(true)
            .endpoint_url(replay.data_url.clone())
            .build();
        let mut out = Client::new(&config)
            .get_media_for_fragment_list()
            .stream_name("cam-1")
            .fragments(vec![
                "91343852333181432392682062607743920146264420838".into(),
                "91343852333181432397633822764885441725874549018".into(),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(out.content_type.as_deref(), Some("video/webm"));
        let mut received = Vec::new();
        while let Some(chunk) = out.payload.next().await {
            received.extend_from_slice(&chunk.unwrap());
        }
        assert_eq!(received, "\u{1a}E\u{df}\u{a3} fake mkv bytes".as_bytes());
        replay.verify(true);
    }
}

#[tokio::test]
async fn get_media_for_fragment_list_validates_the_fragment_list() {
    let config = Config::builder()
        .region("us-west-2")
        .credentials(Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            None,
            None,
            "test",
        ))
        .endpoint_url("http://127.0.0.1:9")
        .build();
    let err = Client::new(&config)
        .get_media_for_fragment_list()
        .stream_name("cam-1")
        .fragments(vec![])
        .send()
        .await
        .unwrap_err();
    let Error::Validation(v) = err else {
        panic!("expected a validation error, got {err:?}");
    };
    assert_eq!(v.violations[0].path, "/Fragments");
}

#[tokio::test]
async fn hls_session_url() {
    for mode in MODES {
        let mut replay = Replay::start("get_hls_streaming_session_url", mode).await;
        let config = replay
            .config(true)
            .endpoint_url(replay.data_url.clone())
            .build();
        let out = Client::new(&config)
            .get_hls_streaming_session_url()
            .stream_arn("arn:aws:kinesisvideo:us-west-2:123456789012:stream/cam-1/1700000000000")
            .playback_mode(HlsPlaybackMode::OnDemand)
            .hls_fragment_selector(
                HlsFragmentSelector::builder()
                    .fragment_selector_type(HlsFragmentSelectorType::ServerTimestamp)
                    .timestamp_range(
                        HlsTimestampRange::builder()
                            .start_timestamp(DateTime::from_secs(1_700_000_000))
                            .end_timestamp(DateTime::from_secs(1_700_003_600))
                            .build()
                            .unwrap(),
                    )
                    .build()
                    .unwrap(),
            )
            .container_format(ContainerFormat::FragmentedMp4)
            .discontinuity_mode(HlsDiscontinuityMode::OnDiscontinuity)
            .display_fragment_timestamp(HlsDisplayFragmentTimestamp::Always)
            .expires(3600)
            .max_media_playlist_fragment_results(1000)
            .send()
            .await
            .unwrap();
        assert!(out
            .hls_streaming_session_url
            .unwrap()
            .ends_with("getHLSMasterPlaylist.m3u8?SessionToken=abc"));
        replay.verify(true);
    }
}

#[tokio::test]
async fn dash_session_url() {
    for mode in MODES {
        let mut replay = Replay::start("get_dash_streaming_session_url", mode).await;
        let config = replay
            .config(true)
            .endpoint_url(replay.data_url.clone())
            .build();
        let out = Client::new(&config)
            .get_dash_streaming_session_url()
            .stream_name("cam-1")
            .playback_mode(DashPlaybackMode::Live)
            .display_fragment_number(DashDisplayFragmentNumber::Always)
            .display_fragment_timestamp(DashDisplayFragmentTimestamp::Never)
            .expires(300)
            .send()
            .await
            .unwrap();
        assert!(out
            .dash_streaming_session_url
            .unwrap()
            .ends_with("getDASHManifest.mpd?SessionToken=abc"));
        replay.verify(true);
    }
}

/// The clip's output arrives once the response head does; its body is read
/// afterwards, chunk by chunk, while the sender is still producing it.
#[tokio::test]
async fn clip_is_handed_over_before_its_body_ends() {
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(1);
    let rx = std::sync::Mutex::new(Some(rx));
    let transport = from_fn(move |_request| {
        let rx = rx.lock().unwrap().take().expect("one request");
        async move {
            let frames = futures_stream(rx);
            Ok(http::Response::builder()
                .status(200)
                .header("content-type", "video/mp4")
                .body(Body::from_stream(frames))
                .unwrap())
        }
    });
    let config = Config::builder()
        .region("us-west-2")
        .credentials(Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            None,
            None,
            "test",
        ))
        .endpoint_url("https://data.example.com")
        .http_client(transport)
        .build();
    let mut out = Client::new(&config)
        .get_clip()
        .stream_name("cam-1")
        .clip_fragment_selector(clip_selector())
        .send()
        .await
        .unwrap();
    // Nothing has been sent yet: the output exists before any payload byte.
    tx.send(Bytes::from_static(b"first")).await.unwrap();
    assert_eq!(&out.payload.next().await.unwrap().unwrap()[..], b"first");
    tx.send(Bytes::from_static(b"second")).await.unwrap();
    assert_eq!(&out.payload.next().await.unwrap().unwrap()[..], b"second");
    drop(tx);
    assert!(out.payload.next().await.is_none());
}

/// A body whose chunks come from a channel, as an `http_body::Body`.
fn futures_stream(
    rx: tokio::sync::mpsc::Receiver<Bytes>,
) -> http_body_util::StreamBody<ChannelStream> {
    http_body_util::StreamBody::new(ChannelStream(rx))
}

struct ChannelStream(tokio::sync::mpsc::Receiver<Bytes>);

impl futures_core::Stream for ChannelStream {
    type Item = Result<http_body::Frame<Bytes>, Infallible>;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.0
            .poll_recv(cx)
            .map(|c| c.map(|b| Ok(http_body::Frame::data(b))))
    }
}
