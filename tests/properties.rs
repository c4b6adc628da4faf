//! Property tests (proptest) over the generated Kinesis Video types: for every
//! structure, a JSON body shaped by the model (drawn from the lowered IR, so
//! every member, enum value, union variant and timestamp format is covered)
//! reads into the type; what the client writes for that value reads back
//! equal; and validating it, at every level, never panics.

use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestRunner};
use serde_json::{json, Map, Value};
use smithy_client_runtime::json::ReadJson;
use smithy_client_runtime::validation::{Validate, Validation};
use smithy_codegen::ir::*;
use std::path::Path;

/// The IR of a service in `model/`.
fn ir(service: &str) -> CrateIr {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let files = smithy_codegen::project::model_files(&root).unwrap();
    let model = smithy_codegen::load(&files).unwrap();
    smithy_codegen::lower::lower(&model, Some(service)).unwrap()
}

/// The IR of a fixture model.
fn fixture_ir(name: &str) -> CrateIr {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    let model = smithy_codegen::load(&[path]).unwrap();
    smithy_codegen::lower::lower(&model, None).unwrap()
}

/// JSON values of type `ty`, as a service (or a caller) may write them.
fn value(ir: &CrateIr, ty: &TypeRef, depth: u32) -> BoxedStrategy<Value> {
    let number = |v: f64| -> Value {
        if v.is_finite() {
            json!(v)
        } else if v > 0.0 {
            json!("Infinity")
        } else {
            json!("-Infinity")
        }
    };
    match &ty.kind {
        TypeKind::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        TypeKind::Byte => any::<i8>().prop_map(|v| json!(v)).boxed(),
        TypeKind::Short => any::<i16>().prop_map(|v| json!(v)).boxed(),
        TypeKind::Integer => any::<i32>().prop_map(|v| json!(v)).boxed(),
        TypeKind::Long | TypeKind::BigInteger => any::<i64>().prop_map(|v| json!(v)).boxed(),
        TypeKind::Float => prop_oneof![
            any::<f32>()
                .prop_filter("finite", |v| v.is_finite())
                .prop_map(|v| json!(v)),
            Just(f64::INFINITY).prop_map(number),
            Just(f64::NEG_INFINITY).prop_map(number),
        ]
        .boxed(),
        TypeKind::Double => prop_oneof![
            any::<f64>()
                .prop_filter("finite", |v| v.is_finite())
                .prop_map(|v| json!(v)),
            Just(f64::INFINITY).prop_map(number),
        ]
        .boxed(),
        // A big decimal is a JSON number; it has no infinities.
        TypeKind::BigDecimal => any::<f64>()
            .prop_filter("finite", |v| v.is_finite())
            .prop_map(|v| json!(v))
            .boxed(),
        TypeKind::String | TypeKind::Text => any::<String>().prop_map(Value::String).boxed(),
        TypeKind::Blob => proptest::collection::vec(any::<u8>(), 0..32)
            .prop_map(|b| {
                use base64::Engine as _;
                json!(base64::engine::general_purpose::STANDARD.encode(b))
            })
            .boxed(),
        TypeKind::Stream => Just(Value::Null).boxed(),
        TypeKind::Timestamp(format) => {
            let format = *format;
            (-2_000_000_000i64..4_000_000_000, 0u32..1000)
                .prop_map(move |(secs, millis)| {
                    let t = smithy_client_runtime::DateTime::from_secs_and_nanos(
                        secs,
                        millis * 1_000_000,
                    );
                    match format {
                        TimestampFormat::EpochSeconds => {
                            json!(secs as f64 + f64::from(millis) / 1000.0)
                        }
                        TimestampFormat::DateTime => json!(t
                            .fmt(smithy_client_runtime::DateTimeFormat::DateTime)
                            .unwrap()),
                        TimestampFormat::HttpDate => json!(t
                            .fmt(smithy_client_runtime::DateTimeFormat::HttpDate)
                            .unwrap()),
                    }
                })
                .boxed()
        }
        TypeKind::Document => document(2),
        TypeKind::List { item, sparse } => {
            let item = value(ir, item, depth + 1);
            let item = if *sparse {
                proptest::option::of(item)
                    .prop_map(|v| v.unwrap_or(Value::Null))
                    .boxed()
            } else {
                item
            };
            proptest::collection::vec(item, 0..4)
                .prop_map(Value::Array)
                .boxed()
        }
        TypeKind::Map {
            key,
            value: v,
            sparse,
        } => {
            let k = value(ir, key, depth + 1).prop_map(|k| match k {
                Value::String(s) => s,
                other => other.to_string(),
            });
            let v = value(ir, v, depth + 1);
            let v = if *sparse {
                proptest::option::of(v)
                    .prop_map(|v| v.unwrap_or(Value::Null))
                    .boxed()
            } else {
                v
            };
            proptest::collection::btree_map(k, v, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect()))
                .boxed()
        }
        TypeKind::Named { name, .. } => named(ir, name, depth),
    }
}

fn named(ir: &CrateIr, name: &str, depth: u32) -> BoxedStrategy<Value> {
    let Some(t) = ir.types.get(name) else {
        return Just(json!({})).boxed();
    };
    match &t.kind {
        NamedKind::Enum(e) => {
            let known: Vec<Value> = e.values.iter().map(|v| json!(v.value)).collect();
            prop_oneof![
                proptest::sample::select(known),
                "[A-Z_]{1,8}".prop_map(Value::String),
            ]
            .boxed()
        }
        NamedKind::IntEnum(e) => {
            let known: Vec<Value> = e.values.iter().map(|v| json!(v.value)).collect();
            prop_oneof![
                proptest::sample::select(known),
                any::<i32>().prop_map(|v| json!(v))
            ]
            .boxed()
        }
        NamedKind::Union(u) if depth < 4 => {
            let variants: Vec<BoxedStrategy<Value>> = u
                .variants
                .iter()
                .map(|v| {
                    let wire = v.wire_name.clone();
                    value(ir, &v.ty, depth + 1)
                        .prop_map(move |x| json!({ wire.clone(): x }))
                        .boxed()
                })
                .collect();
            proptest::strategy::Union::new(variants).boxed()
        }
        NamedKind::Struct(s) if depth < 4 => {
            let members: Vec<BoxedStrategy<(String, Option<Value>)>> = s
                .members
                .iter()
                .filter(|m| m.binding == Binding::Body && m.ty.kind != TypeKind::Stream)
                .map(|m| {
                    let wire = m.wire_name.clone();
                    proptest::option::of(value(ir, &m.ty, depth + 1))
                        .prop_map(move |v| (wire.clone(), v))
                        .boxed()
                })
                .collect();
            members
                .prop_map(|fields| {
                    let map: Map<String, Value> = fields
                        .into_iter()
                        .filter_map(|(k, v)| v.map(|v| (k, v)))
                        .collect();
                    Value::Object(map)
                })
                .boxed()
        }
        _ => Just(json!({})).boxed(),
    }
}

fn document(depth: u32) -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|v| json!(v)),
        "[a-z]{0,6}".prop_map(Value::String),
    ];
    if depth == 0 {
        return leaf.boxed();
    }
    prop_oneof![
        leaf,
        proptest::collection::vec(document(depth - 1), 0..3).prop_map(Value::Array),
        proptest::collection::btree_map("[a-z]{1,4}", document(depth - 1), 0..3)
            .prop_map(|m| Value::Object(m.into_iter().collect())),
    ]
    .boxed()
}

/// For `T` (the IR's type `name`): reading, writing and reading again is the
/// identity, and validation never panics.
fn round_trip<T>(ir: &CrateIr, name: &str, validate: fn(&T))
where
    T: ReadJson + smithy_client_runtime::json::WriteJson + PartialEq + std::fmt::Debug,
{
    let mut runner = TestRunner::new(RunnerConfig {
        cases: 128,
        failure_persistence: None,
        ..RunnerConfig::default()
    });
    runner
        .run(&named(ir, name, 0), |body| {
            let text = serde_json::to_vec(&body).unwrap();
            let first: T = smithy_client_runtime::json::from_slice(&text)
                .map_err(|e| TestCaseError::fail(format!("{name} does not read {body}: {e}")))?;
            let written = smithy_client_runtime::json::to_vec(&first)
                .map_err(|e| TestCaseError::fail(format!("{name} does not write: {e}")))?;
            let second: T = smithy_client_runtime::json::from_slice(&written).map_err(|e| {
                TestCaseError::fail(format!(
                    "{name}: what the client wrote does not read back: {e}: {}",
                    String::from_utf8_lossy(&written)
                ))
            })?;
            prop_assert_eq!(&first, &second, "{} from {}", name, body);
            validate(&first);
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
}

/// Validation at every level, which must not panic, whatever it finds.
fn validate_all<T: Validate>(value: &T) {
    for level in [Validation::Standard, Validation::Strict, Validation::Off] {
        let _ = value.validate_with(level);
    }
}

macro_rules! round_trips {
    ($ir:expr, $krate:ident; validated: $($v:ident),*; read only: $($r:ident),* $(,)?) => {
        $( round_trip::<$krate::types::$v>(&$ir, stringify!($v), validate_all); )*
        $( round_trip::<$krate::types::$r>(&$ir, stringify!($r), |_| {}); )*
    };
}

#[test]
fn archived_media_types_round_trip_and_validate() {
    use kinesis_video_archived_media as media;
    let ir = ir("com.amazonaws.kinesisvideoarchivedmedia#AWSAcuityReader");
    round_trips!(ir, media;
        validated: ClipFragmentSelector, ClipTimestampRange, DashFragmentSelector,
            DashTimestampRange, FragmentSelector, GetClipInput, GetDashStreamingSessionUrlInput,
            GetHlsStreamingSessionUrlInput, GetImagesInput, GetMediaForFragmentListInput,
            HlsFragmentSelector, HlsTimestampRange, ListFragmentsInput, TimestampRange;
        read only: Fragment, GetDashStreamingSessionUrlOutput, GetHlsStreamingSessionUrlOutput,
            GetImagesOutput, Image, ListFragmentsOutput,
    );
}

#[test]
fn control_plane_types_round_trip_and_validate() {
    use kinesis_video as control;
    let ir = ir("com.amazonaws.kinesisvideo#KinesisVideo_20170930");
    round_trips!(ir, control; validated: GetDataEndpointInput; read only: GetDataEndpointOutput);
}

#[test]
fn every_shape_type_of_the_kitchen_sink_round_trips_and_validates() {
    // The crate of `tests/fixtures/all-features.json`, checked in under
    // `tests/generated/` and kept fresh like `generated/`.
    let ir = fixture_ir("all-features.json");
    round_trips!(ir, kitchen_sink;
        validated: Address, CombineInput, CreateOrderInput, Customer, EvaluateInput,
            GetHlsStreamingSessionUrlInput, GetItemInput, GetSettingsInput, Item,
            ListNestedInput, ListThingsInput, Order, Point, PutCollectionsInput,
            RecordEventInput, SetModeInput, SetPriorityInput, TreeNode, ValidateThingInput;
        read only: AccessDeniedError, CombineOutput, CreateOrderOutput, EvaluateOutput,
            GetHlsStreamingSessionUrlOutput, GetItemOutput, GetSettingsOutput, ListNestedOutput,
            ListThingsOutput, NotFoundError, Page, PutCollectionsOutput, RecordEventOutput,
            ResultValue, ServiceUnavailableError, SetModeOutput, SetPriorityOutput, Settings,
            Thing, ThrottlingError, ValidateThingOutput,
    );
}
