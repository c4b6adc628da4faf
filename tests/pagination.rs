//! Behaviour tests: paginators against recorded multi-page exchanges
//! (`tests/exchanges/paging_*.json`), each replayed through the in-memory
//! transport and through the default transport to a server on 127.0.0.1. The
//! replay checks that every request carries the previous page's token and the
//! page size; the tests check which items come out, in which order, and the
//! resume tokens.

use futures_core::Stream;
use kinesis_video_archived_media::client::GetImagesFluentBuilder;
use kinesis_video_archived_media::error::GetImagesError;
use kinesis_video_archived_media::types::*;
use kinesis_video_archived_media::{Client, DateTime, Error, OnRepeatedToken, Validation};
use smithy_client_runtime::paginate::ResumeToken;
use std::pin::Pin;
use tests::replay::{Mode, Replay};

const MODES: [Mode; 2] = [Mode::InMemory, Mode::Server];

fn get_images(client: &Client) -> GetImagesFluentBuilder {
    client
        .get_images()
        .stream_name("cam-1")
        .image_selector_type(ImageSelectorType::ProducerTimestamp)
        .start_timestamp(DateTime::from_secs(1_700_000_000))
        .end_timestamp(DateTime::from_secs(1_700_000_060))
        .sampling_interval(1000)
        .format(Format::Jpeg)
        .max_results(10)
}

/// The image numbers (seconds after the start) of some images.
fn numbers(images: &[Image]) -> Vec<i64> {
    images
        .iter()
        .map(|i| i.time_stamp.unwrap().secs() - 1_700_000_000)
        .collect()
}

/// Drains a stream through the plain `Stream` trait, as combinators would.
async fn collect<S: Stream + Unpin>(mut stream: S) -> (Vec<S::Item>, S) {
    let mut out = Vec::new();
    while let Some(item) = std::future::poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await {
        out.push(item);
    }
    (out, stream)
}

async fn replay(name: &str, mode: Mode) -> (Replay, Client) {
    let mut replay = Replay::start(name, mode).await;
    let config = replay
        .config(true)
        .endpoint_url(replay.data_url.clone())
        .build();
    (replay, Client::new(&config))
}

fn assert_send<T: Send>(_: &T) {}

#[tokio::test]
async fn items_of_three_pages_come_once_in_order() {
    for mode in MODES {
        let (replay, client) = replay("paging_three_pages", mode).await;
        let mut items = get_images(&client).into_paginator().page_size(2).items();
        assert_send(&items);
        assert_eq!(items.resume_token(), Some(ResumeToken::default()));
        let mut seen = Vec::new();
        let mut resumes = Vec::new();
        while let Some(item) = items.next().await {
            seen.push(item.unwrap());
            resumes.push(items.resume_token());
        }
        assert_eq!(numbers(&seen), [1, 2, 3, 4, 5]);
        assert_eq!(
            resumes,
            [
                Some(ResumeToken::new(None, 1)),
                Some(ResumeToken::from("QQ==")),
                Some(ResumeToken::new(Some("QQ==".into()), 1)),
                Some(ResumeToken::from("Qg==")),
                None,
            ]
        );
        replay.verify(true);
    }
}

#[tokio::test]
async fn pages_of_three_pages_end_without_a_token() {
    for mode in MODES {
        let (replay, client) = replay("paging_three_pages", mode).await;
        let mut pages = get_images(&client).into_paginator().page_size(2).pages();
        assert_send(&pages);
        let mut sizes = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.unwrap();
            sizes.push(page.images.as_ref().map_or(0, Vec::len));
            let expected = page.next_token.clone().map(ResumeToken::from);
            assert_eq!(pages.resume_token(), expected.as_ref());
        }
        assert_eq!(sizes, [2, 2, 1]);
        assert!(
            pages.next().await.is_none(),
            "a finished stream stays finished"
        );
        replay.verify(true);
    }
}

#[tokio::test]
async fn max_items_cuts_mid_page_and_resuming_skips_what_was_read() {
    for mode in MODES {
        let (replay, client) = replay("paging_max_items", mode).await;
        let (first, items) = collect(
            get_images(&client)
                .into_paginator()
                .page_size(2)
                .max_items(3)
                .items(),
        )
        .await;
        let first: Vec<Image> = first.into_iter().map(Result::unwrap).collect();
        assert_eq!(numbers(&first), [1, 2, 3]);
        let resume = items.resume_token().expect("items are left");
        assert_eq!(resume, ResumeToken::new(Some("QQ==".into()), 1));
        let (rest, items) = collect(
            get_images(&client)
                .into_paginator()
                .page_size(2)
                .starting_token(resume)
                .items(),
        )
        .await;
        let rest: Vec<Image> = rest.into_iter().map(Result::unwrap).collect();
        assert_eq!(numbers(&rest), [4, 5]);
        assert_eq!(items.resume_token(), None);
        replay.verify(true);
    }
}

#[tokio::test]
async fn max_items_also_cuts_the_last_page_of_a_page_stream() {
    for mode in MODES {
        let (_replay, client) = replay("paging_max_items", mode).await;
        let (pages, stream) = collect(
            get_images(&client)
                .into_paginator()
                .page_size(2)
                .max_items(3)
                .pages(),
        )
        .await;
        let sizes: Vec<usize> = pages
            .into_iter()
            .map(|p| p.unwrap().images.map_or(0, |i| i.len()))
            .collect();
        assert_eq!(sizes, [2, 1]);
        assert_eq!(
            stream.resume_token(),
            Some(&ResumeToken::new(Some("QQ==".into()), 1))
        );
    }
}

#[tokio::test]
async fn a_failed_page_then_a_resume_yields_every_item_exactly_once() {
    for mode in MODES {
        let (replay, client) = replay("paging_failure_then_resume", mode).await;
        let (first, items) =
            collect(get_images(&client).into_paginator().page_size(2).items()).await;
        assert_eq!(first.len(), 3, "two images, then the error, then the end");
        let mut all: Vec<Image> = Vec::new();
        let mut results = first.into_iter();
        all.extend(results.by_ref().take(2).map(Result::unwrap));
        match results.next() {
            Some(Err(Error::Service(e))) => {
                assert!(
                    matches!(e.error(), GetImagesError::InvalidArgumentException(_)),
                    "{e}"
                );
                assert_eq!(e.request_id(), Some("p-2-failed"));
            }
            other => panic!("expected the service error, got {other:?}"),
        }
        let resume = items.resume_token().expect("pages are left");
        assert_eq!(resume, ResumeToken::from("QQ=="));
        let (rest, _) = collect(
            get_images(&client)
                .into_paginator()
                .page_size(2)
                .starting_token(resume)
                .items(),
        )
        .await;
        all.extend(rest.into_iter().map(Result::unwrap));
        assert_eq!(numbers(&all), [1, 2, 3, 4, 5]);
        replay.verify(true);
    }
}

/// Reads every item; returns the image numbers and the error that ended the stream.
async fn items_until_error(name: &str, mode: Mode) -> (Vec<i64>, Option<Error<GetImagesError>>) {
    let (replay, client) = replay(name, mode).await;
    let (results, items) = collect(get_images(&client).into_paginator().page_size(2).items()).await;
    replay.verify(true);
    assert_eq!(
        items.resume_token(),
        None,
        "nothing to resume after the end or a repeated token"
    );
    let mut images = Vec::new();
    let mut error = None;
    for r in results {
        match r {
            Ok(image) => images.push(image),
            Err(e) => {
                assert!(error.is_none(), "only one error, at the end");
                error = Some(e);
            }
        }
    }
    (numbers(&images), error)
}

#[tokio::test]
async fn a_repeated_token_ends_the_stream_with_an_error_naming_it() {
    for mode in MODES {
        let (numbers, error) = items_until_error("paging_repeated_token", mode).await;
        assert_eq!(numbers, [1, 2, 3, 4]);
        match error {
            Some(Error::RepeatedToken(e)) => {
                assert_eq!(e.token(), "QQ==");
                assert!(e.to_string().contains("\"QQ==\""), "{e}");
            }
            other => panic!("expected a repeated-token error, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_token_cycle_a_b_a_ends_the_stream_with_an_error() {
    for mode in MODES {
        let (numbers, error) = items_until_error("paging_token_cycle", mode).await;
        assert_eq!(numbers, [1, 2, 3, 4, 5]);
        assert!(matches!(error, Some(Error::RepeatedToken(e)) if e.token() == "QQ=="));
    }
}

#[tokio::test]
async fn an_empty_token_ends_the_stream() {
    for mode in MODES {
        let (numbers, error) = items_until_error("paging_empty_token", mode).await;
        assert_eq!(numbers, [1, 2]);
        assert!(error.is_none());
    }
}

#[tokio::test]
async fn list_fragments_pages_the_same_way() {
    for mode in MODES {
        let (replay, client) = replay("paging_list_fragments", mode).await;
        let selector = FragmentSelector::builder()
            .fragment_selector_type(FragmentSelectorType::ServerTimestamp)
            .timestamp_range(
                TimestampRange::builder()
                    .start_timestamp(DateTime::from_secs(1_700_000_000))
                    .end_timestamp(DateTime::from_secs(1_700_000_060))
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        let paginator = client
            .list_fragments()
            .stream_name("cam-1")
            .fragment_selector(selector)
            .into_paginator();
        let (fragments, _) = collect(paginator.page_size(2).items()).await;
        let sizes: Vec<i64> = fragments
            .into_iter()
            .map(|f| f.unwrap().fragment_size_in_bytes)
            .collect();
        assert_eq!(sizes, [1001, 1002, 1003]);
        replay.verify(true);
    }
}

#[tokio::test]
async fn a_token_set_on_the_request_is_where_paging_starts() {
    for mode in MODES {
        // After the first paginator fails on page 2, the recording serves pages 2 and 3.
        let (replay, client) = replay("paging_failure_then_resume", mode).await;
        let (first, _) = collect(get_images(&client).into_paginator().page_size(2).items()).await;
        assert_eq!(first.len(), 3);
        let items = get_images(&client)
            .next_token("QQ==")
            .into_paginator()
            .page_size(2)
            .items();
        assert_eq!(items.resume_token(), Some(ResumeToken::from("QQ==")));
        let (rest, _) = collect(items).await;
        let rest: Vec<Image> = rest.into_iter().map(Result::unwrap).collect();
        assert_eq!(numbers(&rest), [3, 4, 5]);
        replay.verify(true);
    }
}

#[tokio::test]
async fn a_validation_failure_is_the_first_item_and_nothing_is_sent() {
    let (replay, client) = replay("paging_empty_token", Mode::InMemory).await;
    let (results, items) =
        collect(get_images(&client).stream_name("").into_paginator().items()).await;
    assert_eq!(results.len(), 1);
    assert!(matches!(&results[0], Err(Error::Validation(_))));
    assert_eq!(items.resume_token(), Some(ResumeToken::default()));
    assert!(replay.captured().is_empty());
}

#[tokio::test]
async fn the_services_tokens_go_back_untouched_at_every_validation_level() {
    // NextToken's @pattern is base64; these tokens are not. The client still
    // sends each back exactly as it came, whatever the validation level.
    for level in [Validation::Standard, Validation::Strict, Validation::Off] {
        for mode in MODES {
            let mut replay = Replay::start("paging_plain_tokens", mode).await;
            let config = replay
                .config(true)
                .endpoint_url(replay.data_url.clone())
                .validation(level)
                .build();
            let client = Client::new(&config);
            let (items, _) =
                collect(get_images(&client).into_paginator().page_size(2).items()).await;
            let images: Vec<Image> = items.into_iter().map(Result::unwrap).collect();
            assert_eq!(numbers(&images), [1, 2, 3, 4, 5], "{level:?}");
            replay.verify(true);
        }
    }
}

#[tokio::test]
async fn a_starting_token_the_pattern_refuses_is_sent_too() {
    let mut replay = Replay::start("paging_plain_tokens", Mode::InMemory).await;
    let strict = replay
        .config(true)
        .endpoint_url(replay.data_url.clone())
        .validation(Validation::Strict)
        .build();
    let client = Client::new(&strict);
    // Consume page 1 so that the recording expects `tok-1` next.
    let (first, _) = collect(
        get_images(&client)
            .into_paginator()
            .page_size(2)
            .max_items(2)
            .pages(),
    )
    .await;
    assert_eq!(first.len(), 1);
    let (rest, _) = collect(
        get_images(&client)
            .into_paginator()
            .page_size(2)
            .starting_token("tok-1")
            .items(),
    )
    .await;
    let rest: Vec<Image> = rest.into_iter().map(Result::unwrap).collect();
    assert_eq!(numbers(&rest), [3, 4, 5]);
    replay.verify(true);
}

#[tokio::test]
async fn a_repeated_token_can_stop_the_stream_for_polling_later() {
    for mode in MODES {
        let (replay, client) = replay("paging_polled_token", mode).await;
        let paginator = || {
            get_images(&client)
                .into_paginator()
                .page_size(2)
                .on_repeated_token(OnRepeatedToken::Stop)
        };
        let (first, items) = collect(paginator().items()).await;
        let first: Vec<Image> = first.into_iter().map(Result::unwrap).collect();
        assert_eq!(numbers(&first), [1, 2]);
        let resume = items
            .resume_token()
            .expect("the stream can be polled again");
        assert_eq!(resume, ResumeToken::from("fwd-1"));
        // Polling again from the same token reads what arrived since.
        let (later, items) = collect(paginator().starting_token(resume).items()).await;
        let later: Vec<Image> = later.into_iter().map(Result::unwrap).collect();
        assert_eq!(numbers(&later), [3]);
        assert_eq!(items.resume_token(), Some(ResumeToken::from("fwd-1")));
        replay.verify(true);
    }
}

#[tokio::test]
async fn a_repeated_token_can_be_followed() {
    for mode in MODES {
        let (replay, client) = replay("paging_repeated_with_items", mode).await;
        let (items, _) = collect(
            get_images(&client)
                .into_paginator()
                .page_size(2)
                .on_repeated_token(OnRepeatedToken::Continue)
                .max_items(5)
                .items(),
        )
        .await;
        let items: Vec<Image> = items.into_iter().map(Result::unwrap).collect();
        assert_eq!(numbers(&items), [1, 2, 3, 4, 5]);
        replay.verify(true);
    }
}

#[tokio::test]
async fn following_a_repeated_token_stops_at_an_empty_page_instead_of_spinning() {
    let (replay, client) = replay("paging_polled_token", Mode::InMemory).await;
    let (items, stream) = collect(
        get_images(&client)
            .into_paginator()
            .page_size(2)
            .on_repeated_token(OnRepeatedToken::Continue)
            .items(),
    )
    .await;
    let items: Vec<Image> = items.into_iter().map(Result::unwrap).collect();
    assert_eq!(numbers(&items), [1, 2]);
    assert_eq!(stream.resume_token(), Some(ResumeToken::from("fwd-1")));
    assert_eq!(
        replay.captured().len(),
        2,
        "the third page is not requested"
    );
}
