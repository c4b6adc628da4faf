//! Runtime stage: `aws.partition`, over the AWS partitions data embedded in
//! this crate (`partitions.json`, Smithy's file unchanged; a test keeps it
//! equal to the shared reference copy).

use super::Value;
use crate::Document as Json;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const PARTITIONS_JSON: &str = include_str!("partitions.json");

/// One AWS partition (`aws`, `aws-cn`, `aws-us-gov` …) as `aws.partition`
/// returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct Partition {
    outputs: BTreeMap<String, Value>,
}

impl Partition {
    /// The partition's name (`aws-cn`).
    pub fn name(&self) -> &str {
        self.get_str("name").unwrap_or_default()
    }

    /// The DNS suffix of its regional endpoints (`amazonaws.com.cn`).
    pub fn dns_suffix(&self) -> &str {
        self.get_str("dnsSuffix").unwrap_or_default()
    }

    /// The DNS suffix of its dual-stack endpoints (`api.aws`).
    pub fn dual_stack_dns_suffix(&self) -> &str {
        self.get_str("dualStackDnsSuffix").unwrap_or_default()
    }

    fn get_str(&self, key: &str) -> Option<&str> {
        self.outputs.get(key).and_then(Value::as_str)
    }

    pub(super) fn into_value(self) -> Value {
        Value::Record(self.outputs)
    }
}

struct Entry {
    id: String,
    region_regex: Option<regex_lite::Regex>,
    regions: BTreeMap<String, BTreeMap<String, Value>>,
    outputs: BTreeMap<String, Value>,
}

/// A table of partitions, as in `partitions.json`.
#[derive(Default)]
pub struct Partitions(Vec<Entry>);

impl std::fmt::Debug for Partitions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|e| &e.id))
            .finish()
    }
}

impl Partitions {
    /// The partitions embedded in this crate (Smithy 1.73.0's data).
    pub fn embedded() -> &'static Partitions {
        static TABLE: OnceLock<Partitions> = OnceLock::new();
        TABLE.get_or_init(|| {
            let json: Json = PARTITIONS_JSON.parse().unwrap_or(Json::Null);
            Partitions::from_json(&json)
        })
    }

    /// A table from the JSON form of `partitions.json` (for tests that pin
    /// other data).
    pub fn from_json(json: &Json) -> Partitions {
        let list = json.get("partitions").and_then(Json::as_array);
        Partitions(
            list.into_iter()
                .flatten()
                .map(|p| Entry {
                    id: p
                        .get("id")
                        .and_then(Json::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    region_regex: p.get("regionRegex").and_then(Json::as_str).and_then(|r| {
                        // regex-lite's `\w` and `\d` are ASCII, as the data means them.
                        regex_lite::Regex::new(r).ok()
                    }),
                    regions: p
                        .get("regions")
                        .and_then(Json::as_object)
                        .into_iter()
                        .flatten()
                        .map(|(name, r)| (name.clone(), record(r)))
                        .collect(),
                    outputs: record(p.get("outputs").unwrap_or(&Json::Null)),
                })
                .collect(),
        )
    }

    /// The partition of a region: the one listing it, else the first whose
    /// region pattern matches, else `aws` (so a new region of the commercial
    /// partition works before this data knows it).
    pub fn lookup(&self, region: &str) -> Option<Partition> {
        let table = &self.0;
        let entry = table
            .iter()
            .find(|p| p.regions.contains_key(region))
            .or_else(|| {
                table
                    .iter()
                    .find(|p| p.region_regex.as_ref().is_some_and(|r| r.is_match(region)))
            })
            .or_else(|| table.iter().find(|p| p.id == "aws"))?;
        let mut outputs = entry.outputs.clone();
        if let Some(overrides) = entry.regions.get(region) {
            outputs.extend(overrides.clone());
        }
        Some(Partition { outputs })
    }
}

fn record(json: &Json) -> BTreeMap<String, Value> {
    json.as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != "description")
        .filter_map(|(k, v)| Some((k.clone(), Value::from_json(v)?)))
        .collect()
}

/// The partition of a region in the embedded data (see [`Partitions::lookup`]).
pub fn partition_of(region: &str) -> Option<Partition> {
    Partitions::embedded().lookup(region)
}
/// The embedded partitions as they were before AWS gave the isolated
/// partitions dual-stack endpoints: every `aws-iso*` partition without
/// dual-stack, its dual-stack suffix its plain one. Endpoint test cases of
/// models written before that change expect this data.
pub(super) fn iso_partitions_without_dual_stack() -> Partitions {
    let mut json: Json = PARTITIONS_JSON.parse().unwrap_or(Json::Null);
    for p in json
        .get_mut("partitions")
        .and_then(Json::as_array_mut)
        .into_iter()
        .flatten()
    {
        let iso = p
            .get("id")
            .and_then(Json::as_str)
            .is_some_and(|id| id.starts_with("aws-iso"));
        if let (true, Some(outputs)) = (iso, p.get_mut("outputs").and_then(Json::as_object_mut)) {
            let suffix = outputs.get("dnsSuffix").cloned().unwrap_or(Json::Null);
            outputs.insert("supportsDualStack".into(), Json::Bool(false));
            outputs.insert("dualStackDnsSuffix".into(), suffix);
        }
    }
    Partitions::from_json(&json)
}

#[cfg(test)]
pub(super) const PARTITIONS_JSON_FOR_TESTS: &str = PARTITIONS_JSON;
