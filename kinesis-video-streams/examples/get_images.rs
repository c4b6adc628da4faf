//! Example: save still images from a Kinesis video stream's archive to a folder.
//!
//! ```text
//! cargo run --example get_images -- --stream-name NAME --start 2024-05-01T10:00:00Z \
//!     --end 2024-05-01T10:01:00Z --out images [--format jpeg|png] [--sampling-interval MS] \
//!     [--width W --height H] [--max-images N] [--endpoint-url URL] [--region R] [--fips] [--dual-stack]
//! ```
//!
//! It pages through the whole range with the operation's item stream (one page
//! of up to 100 images in memory at a time); `--max-images` stops after N.
//!
//! Credentials and region come from the usual places (environment, then
//! `~/.aws/config` and `~/.aws/credentials`). Without `--endpoint-url` the data
//! endpoint is resolved through `GetDataEndpoint`. `--fips` and `--dual-stack`
//! choose the control plane's FIPS or dual-stack endpoint, which returns the
//! matching data endpoint.

use kinesis_video_streams::archived_media::types::{Format, ImageError, ImageSelectorType};
use kinesis_video_streams::archived_media::DateTime;
use kinesis_video_streams::{archived_media_client, ApiName, Config, ImageExt, Stream};
use std::path::PathBuf;
use std::process::ExitCode;

struct Args {
    stream: String,
    start: DateTime,
    end: DateTime,
    out: PathBuf,
    format: Format,
    sampling_interval: i32,
    size: Option<(i32, i32)>,
    max_images: Option<usize>,
    endpoint_url: Option<String>,
    region: Option<String>,
    fips: bool,
    dual_stack: bool,
}

const USAGE: &str = "usage: get_images --stream-name NAME --start RFC3339 --end RFC3339 --out DIR \
[--format jpeg|png] [--sampling-interval MS] [--width W --height H] [--max-images N] [--endpoint-url URL] [--region R] [--fips] [--dual-stack]";

fn parse_args() -> Result<Args, String> {
    let mut raw = std::env::args().skip(1);
    let mut get = std::collections::BTreeMap::new();
    let (mut fips, mut dual_stack) = (false, false);
    while let Some(flag) = raw.next() {
        if flag == "--help" || flag == "-h" {
            return Err(USAGE.into());
        }
        if flag == "--fips" || flag == "--dual-stack" {
            *(if flag == "--fips" {
                &mut fips
            } else {
                &mut dual_stack
            }) = true;
            continue;
        }
        let Some(name) = flag.strip_prefix("--") else {
            return Err(format!("unexpected argument `{flag}`\n{USAGE}"));
        };
        let value = raw
            .next()
            .ok_or_else(|| format!("`{flag}` needs a value\n{USAGE}"))?;
        get.insert(name.to_string(), value);
    }
    let mut take = |k: &str| get.remove(k);
    let required =
        |v: Option<String>, k: &str| v.ok_or_else(|| format!("--{k} is required\n{USAGE}"));
    let time = |v: String, k: &str| {
        DateTime::from_str(&v, aws_date_format())
            .map_err(|e| format!("--{k} `{v}` is not an RFC 3339 time: {e}"))
    };
    let number = |v: String, k: &str| {
        v.parse::<i32>()
            .map_err(|_| format!("--{k} `{v}` is not a whole number"))
    };
    let args = Args {
        stream: required(take("stream-name"), "stream-name")?,
        start: time(required(take("start"), "start")?, "start")?,
        end: time(required(take("end"), "end")?, "end")?,
        out: required(take("out"), "out")?.into(),
        format: match take("format")
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("jpeg" | "jpg") => Format::Jpeg,
            Some("png") => Format::Png,
            Some(other) => return Err(format!("--format `{other}` must be jpeg or png")),
        },
        sampling_interval: take("sampling-interval")
            .map(|v| number(v, "sampling-interval"))
            .transpose()?
            .unwrap_or(3000),
        size: match (take("width"), take("height")) {
            (Some(w), Some(h)) => Some((number(w, "width")?, number(h, "height")?)),
            (None, None) => None,
            _ => return Err("--width and --height go together".into()),
        },
        max_images: take("max-images")
            .map(|v| {
                v.parse::<usize>()
                    .map_err(|_| format!("--max-images `{v}` is not a whole number"))
            })
            .transpose()?,
        endpoint_url: take("endpoint-url"),
        region: take("region"),
        fips,
        dual_stack,
    };
    if let Some(k) = get.keys().next() {
        return Err(format!("unknown option --{k}\n{USAGE}"));
    }
    Ok(args)
}

fn aws_date_format() -> kinesis_video_streams::archived_media::DateTimeFormat {
    kinesis_video_streams::archived_media::DateTimeFormat::DateTime
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    // One thread is plenty for one stream; built by hand rather than with
    // `#[tokio::main]`, which would compile tokio's proc-macro crate.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let mut config = Config::from_env();
    if let Some(r) = &args.region {
        config = config.region(r);
    }
    if let Some(url) = &args.endpoint_url {
        config = config.endpoint_url(url);
    }
    // Both reach the control plane's endpoint rules (GetDataEndpoint then
    // returns the matching data endpoint); without the flags, the
    // environment's AWS_USE_FIPS_ENDPOINT and AWS_USE_DUALSTACK_ENDPOINT apply.
    if args.fips {
        config = config.use_fips(true);
    }
    if args.dual_stack {
        config = config.use_dual_stack(true);
    }
    let config = config.build();
    let client = archived_media_client(&config, args.stream.as_str(), ApiName::GetImages).await?;
    std::fs::create_dir_all(&args.out)
        .map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    let extension = if args.format == Format::Png {
        "png"
    } else {
        "jpg"
    };

    let (mut saved, mut no_media, mut media_error, mut bytes) = (0usize, 0usize, 0usize, 0usize);
    let mut request = client
        .get_images()
        .image_selector_type(ImageSelectorType::ProducerTimestamp)
        .start_timestamp(args.start)
        .end_timestamp(args.end)
        .sampling_interval(args.sampling_interval)
        .format(args.format.clone());
    request = match Stream::from(args.stream.as_str()) {
        Stream::Name(name) => request.stream_name(name),
        Stream::Arn(arn) => request.stream_arn(arn),
    };
    if let Some((w, h)) = args.size {
        request = request.width_pixels(w).height_pixels(h);
    }
    let mut paginator = request.into_paginator().page_size(100);
    if let Some(n) = args.max_images {
        paginator = paginator.max_items(n);
    }
    let mut images = paginator.items();
    while let Some(image) = images.next().await {
        let mut image = match image {
            Ok(image) => image,
            Err(e) => {
                let at = images
                    .resume_token()
                    .map_or_else(|| "the end".to_string(), |t| t.to_string());
                return Err(format!(
                    "{e}\n(saved {saved} image(s) so far; the next image to read is at {at})"
                )
                .into());
            }
        };
        let when = image.time_stamp.map(|t| {
            t.fmt(aws_date_format())
                .unwrap_or_else(|_| t.secs().to_string())
        });
        let when = when.unwrap_or_else(|| "unknown-time".into());
        match &image.error {
            Some(ImageError::NoMedia) => {
                no_media += 1;
                println!("{when}: NO_MEDIA (no frame at this time)");
                continue;
            }
            Some(ImageError::MediaError) => {
                media_error += 1;
                println!("{when}: MEDIA_ERROR (the frame could not be decoded)");
                continue;
            }
            Some(other) => {
                media_error += 1;
                println!("{when}: {other}");
                continue;
            }
            None => {}
        }
        let Some(content) = image.take_content_bytes() else {
            continue;
        };
        let content = content.map_err(|e| format!("image at {when} is not valid base64: {e}"))?;
        let path = args
            .out
            .join(format!("{}.{extension}", when.replace(':', "-")));
        std::fs::write(&path, &content)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        saved += 1;
        bytes += content.len();
    }
    println!(
        "saved {saved} image(s), {bytes} bytes, to {}; {no_media} NO_MEDIA, {media_error} MEDIA_ERROR",
        args.out.display()
    );
    Ok(())
}
