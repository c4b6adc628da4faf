//! Unit tests of the rules engine's functions and of the embedded partitions.

use super::*;

/// A document from `serde_json::json!` syntax.
macro_rules! json {
    ($($t:tt)+) => {
        serde_json::json!($($t)+).to_string().parse::<Json>().unwrap()
    };
}

#[test]
fn partitions_data_equals_the_shared_reference_copy() {
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/smithy/endpoints/partitions.json");
    let Ok(text) = std::fs::read_to_string(&shared) else {
        return; // ../shared is absent: nothing to compare with.
    };
    let ours: Json = partitions::PARTITIONS_JSON_FOR_TESTS.parse().unwrap();
    let theirs: Json = text.parse().unwrap();
    assert_eq!(
        ours,
        theirs,
        "runtime-core/src/endpoint/partitions.json is stale: copy {}",
        shared.display()
    );
}

#[test]
fn regions_find_their_partitions() {
    for (region, name, suffix) in [
        ("us-west-2", "aws", "amazonaws.com"),
        ("cn-north-1", "aws-cn", "amazonaws.com.cn"),
        ("us-iso-east-1", "aws-iso", "c2s.ic.gov"),
        ("us-gov-west-1", "aws-us-gov", "amazonaws.com"),
        ("eu-west-99", "aws", "amazonaws.com"),
        ("mars-east-1", "aws", "amazonaws.com"),
    ] {
        let p = partition_of(region).unwrap();
        assert_eq!((p.name(), p.dns_suffix()), (name, suffix), "{region}");
    }
}

#[test]
fn functions_follow_the_specification() {
    use functions::*;
    assert_eq!(substring("abcdef", 0, 4, false).as_deref(), Some("abcd"));
    assert_eq!(substring("abcdef", 0, 4, true).as_deref(), Some("cdef"));
    assert_eq!(substring("abc", 0, 4, false), None);
    assert_eq!(substring("ab\u{e9}d", 0, 2, false), None);
    assert_eq!(uri_encode("a b/c~"), "a%20b%2Fc~");
    assert!(is_valid_host_label("a-b", false) && !is_valid_host_label("-a", false));
    assert!(is_valid_host_label("a.b", true) && !is_valid_host_label("a..b", true));
    assert_eq!(
        split("a--b--c", "--", 2),
        Some(Value::Array(vec!["a".into(), "b--c".into()]))
    );
    assert_eq!(split("", "--", 0), Some(Value::Array(vec!["".into()])));
    assert_eq!(split("abc", "", 0), None);
    let url = parse_url("https://[2001:db8::1]:443/p").unwrap();
    assert_eq!(
        url.to_json(),
        json!({"scheme": "https", "authority": "[2001:db8::1]:443", "path": "/p",
            "normalizedPath": "/p/", "isIp": true})
    );
    assert_eq!(parse_url("https://example.com/path?q=1"), None);
    assert_eq!(parse_url("http://abc.com:a/foo"), None);
    let arn = parse_arn("arn:aws:s3:us-west-2:123:accesspoint/ap:x").unwrap();
    assert_eq!(
        arn.to_json().get("resourceId"),
        Some(&json!(["accesspoint", "ap", "x"]))
    );
    assert!(is_virtual_hostable_s3_bucket("my.bucket", true));
    assert!(!is_virtual_hostable_s3_bucket("my.bucket", false));
    assert!(!is_virtual_hostable_s3_bucket("192.168.0.1", true));
}

#[test]
fn templates_escape_braces_and_read_paths() {
    let rules = json!({
        "version": "1.0",
        "parameters": {"Region": {"type": "String", "required": true}},
        "rules": [{
            "type": "endpoint",
            "conditions": [{"fn": "aws.partition", "argv": [{"ref": "Region"}], "assign": "P"}],
            "endpoint": {"url": "https://x.{Region}.{P#dnsSuffix}/{{literal}}",
                "properties": {"authSchemes": [{"name": "sigv4", "signingRegion": "{Region}"}]},
                "headers": {"x-a": ["{P#name}"]}}
        }]
    });
    let set = RuleSet::from_json(&rules).unwrap();
    let mut params = Params::new();
    params.set("Region", "cn-north-1");
    let e = set.resolve(&params).unwrap();
    assert_eq!(e.url, "https://x.cn-north-1.amazonaws.com.cn/{literal}");
    assert_eq!(e.headers["x-a"], vec!["aws-cn".to_owned()]);
    assert_eq!(
        e.auth_scheme("sigv4").unwrap()["signingRegion"],
        Value::from("cn-north-1")
    );
    let err = set.resolve(&Params::new()).unwrap_err();
    assert!(err.message().contains("`Region` is required"), "{err}");
}

#[test]
fn isoe() {
    let p = partition_of("eu-isoe-west-1").unwrap();
    assert_eq!(p.name(), "aws-iso-e");
}

#[test]
fn rule_sets_with_bad_templates_or_paths_are_refused_when_parsed() {
    let with_url = |url: serde_json::Value| {
        json!({
            "version": "1.0",
            "parameters": {"R": {"type": "String"}},
            "rules": [{"type": "endpoint", "conditions": [], "endpoint": {"url": url}}]
        })
    };
    for bad in ["https://{R#}", "https://a}b"] {
        assert!(RuleSet::from_json(&with_url(bad.into())).is_err(), "{bad}");
    }
    let get_attr =
        |path: &str| with_url(serde_json::json!({"fn": "getAttr", "argv": [{"ref": "R"}, path]}));
    assert!(RuleSet::from_json(&get_attr("")).is_err());
    assert!(RuleSet::from_json(&get_attr("a[-1]")).is_err());
    assert!(RuleSet::from_json(&get_attr("a[0].b")).is_ok());
}

#[test]
fn an_auth_scheme_that_refers_to_an_unset_value_is_an_error_not_dropped() {
    let rules = json!({
        "version": "1.0",
        "parameters": {"R": {"type": "String"}},
        "rules": [{"type": "endpoint", "conditions": [], "endpoint": {"url": "https://x",
            "properties": {"authSchemes": [{"name": "sigv4", "signingRegion": "{R}"}]}}}]
    });
    let set = RuleSet::from_json(&rules).unwrap();
    let err = set.resolve(&Params::new()).unwrap_err();
    assert!(err.message().contains("authSchemes"), "{err}");
}
