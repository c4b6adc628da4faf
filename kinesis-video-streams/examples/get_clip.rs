//! Example: save an MP4 clip of a Kinesis video stream's archive to a file.
//!
//! ```text
//! cargo run --example get_clip -- --stream-name NAME --start 2024-05-01T10:00:00Z \
//!     --end 2024-05-01T10:01:00Z --out clip.mp4 [--server-timestamps] \
//!     [--endpoint-url URL] [--region R] [--fips] [--dual-stack]
//! ```
//!
//! The clip is written as it arrives, chunk by chunk, so a clip of any size
//! (the service caps one at 100 MB or 200 fragments) never sits in memory
//! whole. Credentials and region come from the usual places (environment,
//! then `~/.aws/config` and `~/.aws/credentials`). Without `--endpoint-url`
//! the data endpoint is resolved through `GetDataEndpoint`. `--fips` and `--dual-stack`
//! choose the control plane's FIPS or dual-stack endpoint, which returns the
//! matching data endpoint.

use kinesis_video_streams::archived_media::types::{
    ClipFragmentSelector, ClipFragmentSelectorType, ClipTimestampRange,
};
use kinesis_video_streams::archived_media::{DateTime, DateTimeFormat};
use kinesis_video_streams::{archived_media_client, ApiName, Config, Stream};
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: get_clip --stream-name NAME --start RFC3339 --end RFC3339 --out FILE \
[--server-timestamps] [--endpoint-url URL] [--region R] [--fips] [--dual-stack]";

struct Args {
    stream: String,
    start: DateTime,
    end: DateTime,
    out: PathBuf,
    server_timestamps: bool,
    endpoint_url: Option<String>,
    region: Option<String>,
    fips: bool,
    dual_stack: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut raw = std::env::args().skip(1);
    let mut get = std::collections::BTreeMap::new();
    let mut server_timestamps = false;
    let (mut fips, mut dual_stack) = (false, false);
    while let Some(flag) = raw.next() {
        match flag.as_str() {
            "--help" | "-h" => return Err(USAGE.into()),
            "--server-timestamps" => server_timestamps = true,
            "--fips" => fips = true,
            "--dual-stack" => dual_stack = true,
            _ => {
                let Some(name) = flag.strip_prefix("--") else {
                    return Err(format!("unexpected argument `{flag}`\n{USAGE}"));
                };
                let value = raw
                    .next()
                    .ok_or_else(|| format!("`{flag}` needs a value\n{USAGE}"))?;
                get.insert(name.to_string(), value);
            }
        }
    }
    let mut take = |k: &str| get.remove(k);
    let required =
        |v: Option<String>, k: &str| v.ok_or_else(|| format!("--{k} is required\n{USAGE}"));
    let time = |v: String, k: &str| {
        DateTime::from_str(&v, DateTimeFormat::DateTime)
            .map_err(|e| format!("--{k} `{v}` is not an RFC 3339 time: {e}"))
    };
    let args = Args {
        stream: required(take("stream-name"), "stream-name")?,
        start: time(required(take("start"), "start")?, "start")?,
        end: time(required(take("end"), "end")?, "end")?,
        out: required(take("out"), "out")?.into(),
        server_timestamps,
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
    let client = archived_media_client(&config, args.stream.as_str(), ApiName::GetClip).await?;
    let selector = ClipFragmentSelector::builder()
        .fragment_selector_type(if args.server_timestamps {
            ClipFragmentSelectorType::ServerTimestamp
        } else {
            ClipFragmentSelectorType::ProducerTimestamp
        })
        .timestamp_range(
            ClipTimestampRange::builder()
                .start_timestamp(args.start)
                .end_timestamp(args.end)
                .build()?,
        )
        .build()?;
    let mut request = client.get_clip().clip_fragment_selector(selector);
    request = match Stream::from(args.stream.as_str()) {
        Stream::Name(name) => request.stream_name(name),
        Stream::Arn(arn) => request.stream_arn(arn),
    };
    let clip = request.send().await?;

    // Written to `<out>.part` first and renamed at the end: a clip that
    // stalls (no data for the config's grace period, 5 s by default) or breaks
    // off leaves no file behind, and the error says so.
    let written = clip
        .payload
        .write_to_file(&args.out)
        .await
        .map_err(|e| format!("{e} (saving {})", args.out.display()))?;
    println!(
        "saved {written} bytes of {} to {}",
        clip.content_type.as_deref().unwrap_or("media"),
        args.out.display()
    );
    Ok(())
}
