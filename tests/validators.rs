//! Behaviour tests of generated validators: every constraint of GetImages and
//! ListFragments at its boundaries, with Smithy's exact messages and paths.

use kinesis_video_archived_media::types::*;
use kinesis_video_archived_media::{DateTime, Validate};
use smithy_client_runtime::validation::Constraint;

fn valid_images() -> GetImagesInputBuilder {
    GetImagesInput::builder()
        .stream_name("my-stream")
        .image_selector_type(ImageSelectorType::ProducerTimestamp)
        .start_timestamp(DateTime::from_secs(1_700_000_000))
        .end_timestamp(DateTime::from_secs(1_700_000_060))
        .format(Format::Jpeg)
}

/// The messages of every violation, in order.
fn messages(v: &impl Validate) -> Vec<String> {
    match v.validate() {
        Ok(()) => Vec::new(),
        Err(e) => e.violations.iter().map(|v| v.message.clone()).collect(),
    }
}

fn one(v: &impl Validate) -> String {
    let m = messages(v);
    assert_eq!(m.len(), 1, "expected exactly one violation, got {m:#?}");
    m.into_iter().next().unwrap()
}

#[test]
fn a_valid_input_passes() {
    assert_eq!(
        messages(&valid_images().build().unwrap()),
        Vec::<String>::new()
    );
}

#[test]
fn stream_name_length_boundaries() {
    let msg = |n: usize| {
        Some(format!("Value with length {n} at '/StreamName' failed to satisfy constraint: Member must have length between 1 and 256, inclusive"))
    };
    for (len, expected) in [(0, msg(0)), (1, None), (256, None), (257, msg(257))] {
        let input = valid_images().stream_name("a".repeat(len)).build().unwrap();
        let got = messages(&input).into_iter().find(|m| m.contains("length"));
        assert_eq!(got, expected, "length {len}");
    }
}

#[test]
fn length_counts_unicode_scalar_values_not_bytes() {
    // 256 two-byte characters: 512 bytes, but 256 scalar values. The pattern
    // rejects them (not ASCII), and the length check must not.
    let input = valid_images().stream_name("é".repeat(256)).build().unwrap();
    assert_eq!(messages(&input), vec!["Value at '/StreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9_.-]+$".to_string()]);
    let input = valid_images().stream_name("é".repeat(257)).build().unwrap();
    assert!(messages(&input)[0].starts_with("Value with length 257 at '/StreamName'"));
    // A four-byte emoji at the limit of FormatConfigValue (0..256) counts once.
    let config = [(FormatConfigKey::JpegQuality, "\u{1F600}".repeat(256))]
        .into_iter()
        .collect();
    let input = valid_images().format_config(config).build().unwrap();
    assert_eq!(one(&input), "Value at '/FormatConfig/JPEGQuality' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z_0-9]+$");
}

#[test]
fn stream_arn_length_and_pattern() {
    let good = "arn:aws:kinesisvideo:us-west-2:123456789012:stream/my-stream/1234567890";
    assert!(messages(&valid_images().stream_arn(good).build().unwrap()).is_empty());
    let bad = "arn:aws:s3:us-west-2:123456789012:stream/my-stream/1234567890";
    assert_eq!(
        one(&valid_images().stream_arn(bad).build().unwrap()),
        "Value at '/StreamARN' failed to satisfy constraint: Member must satisfy regular expression pattern: ^arn:[a-z\\d-]+:kinesisvideo:[a-z0-9-]+:[0-9]+:[a-z]+/[a-zA-Z0-9_.-]+/[0-9]+$"
    );
    let long = format!("{good}{}", "0".repeat(1025 - good.len()));
    assert_eq!(
        one(&valid_images().stream_arn(long).build().unwrap()),
        "Value with length 1025 at '/StreamARN' failed to satisfy constraint: Member must have length between 1 and 1024, inclusive"
    );
}

#[test]
fn numeric_ranges_at_their_boundaries() {
    type Set = fn(GetImagesInputBuilder, i64) -> GetImagesInputBuilder;
    let cases: [(&str, i64, i64, Set); 3] = [
        ("WidthPixels", 1, 3840, |b, v| {
            b.width_pixels(v as i32).height_pixels(100)
        }),
        ("HeightPixels", 1, 2160, |b, v| {
            b.height_pixels(v as i32).width_pixels(100)
        }),
        ("MaxResults", 1, 100, |b, v| b.max_results(v)),
    ];
    for (member, min, max, set) in cases {
        for (value, ok) in [(min - 1, false), (min, true), (max, true), (max + 1, false)] {
            let input = set(valid_images(), value).build().unwrap();
            let expected = (!ok).then(|| format!("Value at '/{member}' failed to satisfy constraint: Member must be between {min} and {max}, inclusive"));
            assert_eq!(
                messages(&input).into_iter().next(),
                expected,
                "{member} = {value}"
            );
        }
    }
}

#[test]
fn next_token_length_and_pattern() {
    let msg = |n: usize| {
        format!("Value with length {n} at '/NextToken' failed to satisfy constraint: Member must have length between 1 and 4096, inclusive")
    };
    assert_eq!(
        messages(&valid_images().next_token("").build().unwrap())[0],
        msg(0)
    );
    assert!(messages(&valid_images().next_token("QUJD").build().unwrap()).is_empty());
    assert!(messages(&valid_images().next_token("a".repeat(4096)).build().unwrap()).is_empty());
    assert_eq!(
        messages(&valid_images().next_token("a".repeat(4097)).build().unwrap())[0],
        msg(4097)
    );
    assert_eq!(
        one(&valid_images().next_token("abc===").build().unwrap()),
        "Value at '/NextToken' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9+/]+={0,2}$"
    );
}

#[test]
fn format_config_map_length_key_enum_and_value_constraints() {
    let empty = valid_images()
        .format_config(Default::default())
        .build()
        .unwrap();
    assert_eq!(one(&empty), "Value with length 0 at '/FormatConfig' failed to satisfy constraint: Member must have length between 1 and 1, inclusive");
    let ok = [(FormatConfigKey::JpegQuality, "80".to_string())]
        .into_iter()
        .collect();
    assert!(messages(&valid_images().format_config(ok).build().unwrap()).is_empty());
    let at_max = [(FormatConfigKey::JpegQuality, "9".repeat(256))]
        .into_iter()
        .collect();
    assert!(messages(&valid_images().format_config(at_max).build().unwrap()).is_empty());
    let too_long = [(FormatConfigKey::JpegQuality, "9".repeat(257))]
        .into_iter()
        .collect();
    assert_eq!(
        one(&valid_images().format_config(too_long).build().unwrap()),
        "Value with length 257 at '/FormatConfig/JPEGQuality' failed to satisfy constraint: Member must have length between 0 and 256, inclusive"
    );
    // An unknown key breaks the key's enum (reported at the map, as Smithy does)
    // and the map's length together.
    let two: std::collections::BTreeMap<_, _> = [
        (FormatConfigKey::JpegQuality, "1".to_string()),
        (FormatConfigKey::from("Bogus"), "1".to_string()),
    ]
    .into_iter()
    .collect();
    assert_eq!(
        messages(&valid_images().format_config(two).build().unwrap()),
        vec![
            "Value with length 2 at '/FormatConfig' failed to satisfy constraint: Member must have length between 1 and 1, inclusive".to_string(),
            "Value at '/FormatConfig' failed to satisfy constraint: Member must satisfy enum value set: [JPEGQuality]".to_string(),
        ]
    );
}

#[test]
fn required_and_enum_membership_all_reported_at_once() {
    let input: GetImagesInput = smithy_client_runtime::json::from_slice(
        r#"{"ImageSelectorType": "SOMETIMES", "Format": "GIF"}"#.as_bytes(),
    )
    .unwrap();
    let err = input.validate().unwrap_err();
    let found: Vec<(&str, &Constraint)> = err
        .violations
        .iter()
        .map(|v| (v.path.as_str(), &v.constraint))
        .collect();
    assert_eq!(
        found,
        vec![
            ("/ImageSelectorType", &Constraint::Enum),
            ("/StartTimestamp", &Constraint::Required),
            ("/EndTimestamp", &Constraint::Required),
            ("/Format", &Constraint::Enum),
        ]
    );
    assert_eq!(err.violations[0].message, "Value at '/ImageSelectorType' failed to satisfy constraint: Member must satisfy enum value set: [PRODUCER_TIMESTAMP, SERVER_TIMESTAMP]");
    assert_eq!(
        err.violations[1].message,
        "Value at '/StartTimestamp' failed to satisfy constraint: Member must not be null"
    );
    assert!(err.to_string().starts_with("4 validation errors detected."));
}

#[test]
fn builders_report_every_missing_required_member() {
    let err = GetImagesInput::builder()
        .stream_name("s")
        .build()
        .unwrap_err();
    assert_eq!(
        err.missing_members(),
        [
            "ImageSelectorType",
            "StartTimestamp",
            "EndTimestamp",
            "Format"
        ]
    );
    assert_eq!(err.to_string(), "cannot build GetImagesInput: required member(s) not set: ImageSelectorType, StartTimestamp, EndTimestamp, Format");
}

fn valid_fragments() -> ListFragmentsInputBuilder {
    ListFragmentsInput::builder().stream_name("s")
}

#[test]
fn list_fragments_constraints() {
    for (value, ok) in [(0, false), (1, true), (1000, true), (1001, false)] {
        let input = valid_fragments().max_results(value).build().unwrap();
        let expected = (!ok).then(|| "Value at '/MaxResults' failed to satisfy constraint: Member must be between 1 and 1000, inclusive".to_string());
        assert_eq!(
            messages(&input).into_iter().next(),
            expected,
            "MaxResults = {value}"
        );
    }
    // Nested required members are reported with their full path.
    let selector = FragmentSelector::builder()
        .fragment_selector_type(FragmentSelectorType::from("LATER"))
        .timestamp_range(
            TimestampRange::builder()
                .start_timestamp(DateTime::from_secs(1))
                .end_timestamp(DateTime::from_secs(2))
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let input = valid_fragments()
        .fragment_selector(selector)
        .stream_name("")
        .build()
        .unwrap();
    assert_eq!(
        messages(&input),
        vec![
            "Value with length 0 at '/StreamName' failed to satisfy constraint: Member must have length between 1 and 256, inclusive".to_string(),
            "Value at '/StreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9_.-]+$".to_string(),
            "Value at '/FragmentSelector/FragmentSelectorType' failed to satisfy constraint: Member must satisfy enum value set: [PRODUCER_TIMESTAMP, SERVER_TIMESTAMP]".to_string(),
        ]
    );
    let input: ListFragmentsInput = smithy_client_runtime::json::from_slice(
        r#"{"FragmentSelector": {"TimestampRange": {}}}"#.as_bytes(),
    )
    .unwrap();
    let paths: Vec<String> = input
        .validate()
        .unwrap_err()
        .violations
        .into_iter()
        .map(|v| v.path)
        .collect();
    assert_eq!(
        paths,
        [
            "/FragmentSelector/FragmentSelectorType",
            "/FragmentSelector/TimestampRange/StartTimestamp",
            "/FragmentSelector/TimestampRange/EndTimestamp"
        ]
    );
}

#[test]
fn unanchored_pattern_from_a_fixture_model_matches_inside_a_longer_string() {
    // The fixture declares `@pattern("[0-9]+")`: Smithy patterns are not anchored,
    // so "abc123def" satisfies it and "abcdef" does not.
    let model = smithy_codegen::load(&[concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/constraints.json"
    )])
    .unwrap();
    let ir = smithy_codegen::lower::lower(&model, None).unwrap();
    let pattern = ir
        .types
        .values()
        .filter_map(|t| match &t.kind {
            smithy_codegen::ir::NamedKind::Struct(s) => Some(s.members.iter()),
            _ => None,
        })
        .flatten()
        .find_map(|m| {
            m.ty.constraints
                .pattern
                .clone()
                .filter(|p| !p.source.starts_with('^'))
        })
        .expect("the constraints fixture has an unanchored pattern");
    let source: &'static str = Box::leak(pattern.source.clone().into_boxed_str());
    let ecma: &'static str = Box::leak(pattern.ecma.clone().into_boxed_str());
    let linear: Option<&'static str> = pattern
        .linear
        .clone()
        .map(|l| &*Box::leak(l.into_boxed_str()));
    assert!(linear.is_some(), "a regular pattern gets a linear form");
    let compiled = smithy_client_runtime::validation::Pattern::new(source, ecma, linear);
    let check = |s: &str| {
        use smithy_client_runtime::validation::{Context, Validation};
        let mut cx = Context::new(Validation::Strict);
        cx.pattern(s, &compiled);
        cx.finish().is_ok()
    };
    assert!(
        check("abc123def"),
        "{} must match inside a longer string",
        pattern.source
    );
    assert!(!check("abcdef"));
}

#[test]
fn the_default_level_checks_only_what_no_service_change_can_break() {
    use kinesis_video_archived_media::Validation;
    let levels = |input: &GetImagesInput| {
        [Validation::Standard, Validation::Strict, Validation::Off].map(|level| {
            input
                .validate_with(level)
                .err()
                .map(|e| e.violations.into_iter().map(|v| v.path).collect::<Vec<_>>())
        })
    };
    // A value the service added after this client was generated.
    let newer_format = valid_images().format(Format::from("WEBP")).build().unwrap();
    assert_eq!(
        levels(&newer_format),
        [None, Some(vec!["/Format".to_string()]), None]
    );
    // A pattern and a maximum the service may relax.
    let relaxed = valid_images()
        .stream_name("name with spaces")
        .stream_arn(format!("arn:{}", "a".repeat(1100)))
        .build()
        .unwrap();
    assert_eq!(
        levels(&relaxed),
        [
            None,
            Some(vec![
                "/StreamName".to_string(),
                "/StreamARN".to_string(),
                "/StreamARN".to_string()
            ]),
            None
        ]
    );
    // Minima are checked by default.
    let below = valid_images()
        .stream_name("")
        .width_pixels(0)
        .build()
        .unwrap();
    assert_eq!(
        levels(&below)[0],
        Some(vec!["/StreamName".to_string(), "/WidthPixels".to_string()])
    );
    // And so are required members (`send` checks the input as it stands).
    let missing = GetImagesInput::builder().stream_name("cam").build();
    assert!(missing.is_err(), "the builder reports missing members too");
}
