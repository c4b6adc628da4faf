//! Runtime stage: the Endpoints 2.0 rules engine (`smithy.rules#endpointRuleSet`).
//!
//! Rule sets are interpreted, not compiled into Rust: a generated crate embeds
//! its model's rule set as compact JSON, parsed once per process into the tree
//! below. A client resolves the parameters that come from its config once, so
//! an operation without context parameters pays nothing per call; one with
//! them walks the tree (a few microseconds for AWS rule sets).
//!
//! The engine is total: any rule set that parses evaluates without panicking,
//! and a value the rules cannot use (an unset parameter given to a function,
//! a failed parse) makes the condition false, as the specification says.

mod functions;
mod partitions;

use crate::Document as Json;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

pub use partitions::{partition_of, Partition, Partitions};

/// A value inside the rules: parameters, function results, literals.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string.
    String(String),
    /// A boolean.
    Bool(bool),
    /// An integer literal (function arguments, endpoint properties).
    Int(i64),
    /// An array (`stringArray` parameters, `split`, literals).
    Array(Vec<Value>),
    /// A record (`parseURL`, `aws.partition`, `aws.parseArn` results,
    /// endpoint properties).
    Record(BTreeMap<String, Value>),
}

impl Value {
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// This value as JSON (for comparing with a test's expectation).
    pub fn to_json(&self) -> Json {
        match self {
            Value::String(s) => Json::String(s.clone()),
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => Json::from(*i),
            Value::Array(a) => Json::Array(a.iter().map(Value::to_json).collect()),
            Value::Record(r) => {
                Json::Object(r.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
        }
    }

    /// A value from JSON (a test's parameters); `None` for `null` and numbers
    /// that are not integers.
    pub fn from_json(json: &Json) -> Option<Value> {
        Some(match json {
            Json::String(s) => Value::String(s.clone()),
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => Value::Int(n.as_i64()?),
            Json::Array(a) => Value::Array(a.iter().filter_map(Value::from_json).collect()),
            Json::Object(o) => Value::Record(
                o.iter()
                    .filter_map(|(k, v)| Some((k.clone(), Value::from_json(v)?)))
                    .collect(),
            ),
            Json::Null => return None,
        })
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

/// Where an endpoint parameter's value comes from when the caller does not set it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    /// `String`.
    String,
    /// `Boolean`.
    Boolean,
    /// `stringArray`.
    StringArray,
}

/// One declared parameter of a rule set.
#[derive(Debug, Clone)]
pub struct Parameter {
    /// The parameter's name (`Region`).
    pub name: String,
    /// Its type.
    pub ty: ParamType,
    /// The built-in it is bound to (`AWS::Region`), if any.
    pub built_in: Option<String>,
    /// Its default value.
    pub default: Option<Value>,
    /// Whether resolution fails without a value.
    pub required: bool,
}

/// A rule set embedded in a generated crate as JSON text, parsed on first
/// use and kept for the life of the process.
pub struct EmbeddedRules {
    json: &'static str,
    parsed: std::sync::OnceLock<Result<RuleSet, RuleSetError>>,
}

impl EmbeddedRules {
    /// Rules from their JSON text (the trait's value).
    pub const fn new(json: &'static str) -> Self {
        EmbeddedRules {
            json,
            parsed: std::sync::OnceLock::new(),
        }
    }

    /// The parsed rules, or why they cannot be used.
    pub fn get(&self) -> Result<&RuleSet, &RuleSetError> {
        self.parsed
            .get_or_init(|| RuleSet::from_json_text(self.json))
            .as_ref()
    }
}

impl fmt::Debug for EmbeddedRules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmbeddedRules")
            .field("bytes", &self.json.len())
            .finish()
    }
}

/// A parsed `smithy.rules#endpointRuleSet`.
#[derive(Debug)]
pub struct RuleSet {
    parameters: Vec<Parameter>,
    rules: Vec<Rule>,
}

#[derive(Debug)]
enum Rule {
    Endpoint {
        conditions: Vec<Condition>,
        endpoint: EndpointTemplate,
    },
    Error {
        conditions: Vec<Condition>,
        message: Expr,
    },
    Tree {
        conditions: Vec<Condition>,
        rules: Vec<Rule>,
    },
}

#[derive(Debug)]
struct Condition {
    call: Expr,
    assign: Option<Slot>,
}

#[derive(Debug)]
struct EndpointTemplate {
    url: Expr,
    properties: Vec<(String, Expr)>,
    headers: Vec<(String, Vec<Expr>)>,
}

/// A variable's position in the evaluation scope: parameters first, then the
/// names conditions assign, each given its own slot at parse time.
type Slot = usize;

#[derive(Debug)]
enum Expr {
    Literal(Value),
    Template(Vec<Part>),
    Ref(Slot),
    Call(Function, Vec<Expr>),
    Array(Vec<Expr>),
    Record(Vec<(String, Expr)>),
}

#[derive(Debug)]
enum Part {
    Text(String),
    Ref(Slot, Vec<PathStep>),
}

#[derive(Debug, Clone)]
enum PathStep {
    Key(String),
    Index(usize),
}

#[derive(Debug, Clone, Copy)]
enum Function {
    IsSet,
    Not,
    BooleanEquals,
    StringEquals,
    GetAttr,
    Substring,
    UriEncode,
    ParseUrl,
    IsValidHostLabel,
    Split,
    Coalesce,
    Ite,
    Partition,
    ParseArn,
    IsVirtualHostableS3Bucket,
}

impl Function {
    fn named(name: &str) -> Option<Self> {
        Some(match name {
            "isSet" => Function::IsSet,
            "not" => Function::Not,
            "booleanEquals" => Function::BooleanEquals,
            "stringEquals" => Function::StringEquals,
            "getAttr" => Function::GetAttr,
            "substring" => Function::Substring,
            "uriEncode" => Function::UriEncode,
            "parseURL" => Function::ParseUrl,
            "isValidHostLabel" => Function::IsValidHostLabel,
            "split" => Function::Split,
            "coalesce" => Function::Coalesce,
            "ite" => Function::Ite,
            "aws.partition" => Function::Partition,
            "aws.parseArn" => Function::ParseArn,
            "aws.isVirtualHostableS3Bucket" => Function::IsVirtualHostableS3Bucket,
            _ => return None,
        })
    }

    fn arity(self) -> (usize, usize) {
        match self {
            Function::IsSet | Function::Not | Function::UriEncode | Function::ParseUrl => (1, 1),
            Function::Partition | Function::ParseArn => (1, 1),
            Function::BooleanEquals | Function::StringEquals | Function::GetAttr => (2, 2),
            Function::IsValidHostLabel | Function::IsVirtualHostableS3Bucket => (2, 2),
            Function::Substring => (4, 4),
            Function::Split | Function::Ite => (3, 3),
            Function::Coalesce => (1, usize::MAX),
        }
    }
}

/// A rule set that cannot be used: what is wrong and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSetError(String);

impl fmt::Display for RuleSetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid endpoint rule set: {}", self.0)
    }
}

impl std::error::Error for RuleSetError {}

/// Why no endpoint could be resolved: the rules' own error message, a
/// missing required parameter, or no rule matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveError(String);

impl ResolveError {
    /// The message (for an error rule, exactly the rules' text).
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ResolveError {}

/// A resolved endpoint: the URL, headers to add, and properties such as
/// `authSchemes`.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    /// The URL requests go to (the operation's path is appended).
    pub url: String,
    /// Headers every request to this endpoint carries.
    pub headers: BTreeMap<String, Vec<String>>,
    /// The endpoint's properties (`authSchemes` …).
    pub properties: BTreeMap<String, Value>,
}

impl Endpoint {
    /// An endpoint that is just a URL (a model without rules, a data endpoint).
    pub fn url(url: impl Into<String>) -> Self {
        Endpoint {
            url: url.into(),
            headers: BTreeMap::new(),
            properties: BTreeMap::new(),
        }
    }

    /// The first auth scheme of `properties.authSchemes` with this name
    /// (`sigv4`, `sigv4a`, `bearer`), as its record of properties.
    pub fn auth_scheme(&self, name: &str) -> Option<&BTreeMap<String, Value>> {
        let Some(Value::Array(schemes)) = self.properties.get("authSchemes") else {
            return None;
        };
        schemes.iter().find_map(|s| match s {
            Value::Record(r) if r.get("name").and_then(Value::as_str) == Some(name) => Some(r),
            _ => None,
        })
    }
}

/// Parameter values by parameter name. Unset parameters take the rule set's
/// defaults.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params(BTreeMap<Arc<str>, Value>);

impl Params {
    /// No parameters set.
    pub fn new() -> Self {
        Params::default()
    }

    /// Sets a parameter (a later value replaces an earlier one).
    pub fn set(&mut self, name: &str, value: impl Into<Value>) -> &mut Self {
        self.0.insert(Arc::from(name), value.into());
        self
    }

    /// Sets a parameter when the value is present.
    pub fn set_opt(&mut self, name: &str, value: Option<impl Into<Value>>) -> &mut Self {
        if let Some(v) = value {
            self.set(name, v);
        }
        self
    }

    /// Removes a parameter.
    pub fn unset(&mut self, name: &str) -> &mut Self {
        self.0.remove(name);
        self
    }

    /// A parameter's value.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }
}

struct Parser {
    names: Vec<String>,
}

impl Parser {
    fn slot(&self, name: &str) -> Result<Slot, RuleSetError> {
        self.names
            .iter()
            .rposition(|n| n == name)
            .ok_or_else(|| RuleSetError(format!("`{name}` is neither a parameter nor assigned")))
    }

    fn rules(&mut self, json: &Json) -> Result<Vec<Rule>, RuleSetError> {
        let rules = json
            .as_array()
            .ok_or_else(|| RuleSetError("`rules` is not an array".into()))?;
        rules.iter().map(|r| self.rule(r)).collect()
    }

    fn rule(&mut self, json: &Json) -> Result<Rule, RuleSetError> {
        let scope = self.names.len();
        let conditions = match json.get("conditions") {
            None => Vec::new(),
            Some(c) => c
                .as_array()
                .ok_or_else(|| RuleSetError("`conditions` is not an array".into()))?
                .iter()
                .map(|c| self.condition(c))
                .collect::<Result<_, _>>()?,
        };
        let kind = json.get("type").and_then(Json::as_str).unwrap_or_default();
        let rule = match kind {
            "endpoint" => {
                let e = json
                    .get("endpoint")
                    .ok_or_else(|| RuleSetError("an endpoint rule has no `endpoint`".into()))?;
                let url = self.expr(e.get("url").unwrap_or(&Json::Null))?;
                let properties = match e.get("properties") {
                    Some(Json::Object(o)) => o
                        .iter()
                        .map(|(k, v)| Ok((k.clone(), self.literal_tree(v)?)))
                        .collect::<Result<_, RuleSetError>>()?,
                    _ => Vec::new(),
                };
                let headers = match e.get("headers") {
                    Some(Json::Object(o)) => o
                        .iter()
                        .map(|(k, v)| {
                            let values = v
                                .as_array()
                                .ok_or_else(|| {
                                    RuleSetError(format!("header `{k}` is not an array"))
                                })?
                                .iter()
                                .map(|v| self.expr(v))
                                .collect::<Result<_, _>>()?;
                            Ok((k.clone(), values))
                        })
                        .collect::<Result<_, RuleSetError>>()?,
                    _ => Vec::new(),
                };
                Rule::Endpoint {
                    conditions,
                    endpoint: EndpointTemplate {
                        url,
                        properties,
                        headers,
                    },
                }
            }
            "error" => Rule::Error {
                conditions,
                message: self.expr(json.get("error").unwrap_or(&Json::Null))?,
            },
            "tree" => Rule::Tree {
                conditions,
                rules: self.rules(json.get("rules").unwrap_or(&Json::Null))?,
            },
            other => return Err(RuleSetError(format!("unknown rule type `{other}`"))),
        };
        self.names.truncate(scope);
        Ok(rule)
    }

    fn condition(&mut self, json: &Json) -> Result<Condition, RuleSetError> {
        let call = self.call(json)?;
        let assign = match json.get("assign").and_then(Json::as_str) {
            Some(name) => {
                self.names.push(name.to_owned());
                Some(self.names.len() - 1)
            }
            None => None,
        };
        Ok(Condition { call, assign })
    }

    fn call(&mut self, json: &Json) -> Result<Expr, RuleSetError> {
        let name = json
            .get("fn")
            .and_then(Json::as_str)
            .ok_or_else(|| RuleSetError(format!("expected a function call, found {json}")))?;
        let function = Function::named(name)
            .ok_or_else(|| RuleSetError(format!("unknown function `{name}`")))?;
        let argv = json
            .get("argv")
            .and_then(Json::as_array)
            .ok_or_else(|| RuleSetError(format!("`{name}` has no `argv` array")))?;
        let (min, max) = function.arity();
        if argv.len() < min || argv.len() > max {
            return Err(RuleSetError(format!(
                "`{name}` takes {min} arguments, given {}",
                argv.len()
            )));
        }
        let args: Vec<Expr> = argv
            .iter()
            .map(|a| self.expr(a))
            .collect::<Result<_, _>>()?;
        // A literal `getAttr` path is checked now, not when the rule runs.
        if let (Function::GetAttr, Some(Expr::Literal(Value::String(path)))) =
            (function, args.get(1))
        {
            if path.is_empty() {
                return Err(RuleSetError("`getAttr` has an empty path".into()));
            }
            parse_path(path)?;
        }
        Ok(Expr::Call(function, args))
    }

    fn expr(&mut self, json: &Json) -> Result<Expr, RuleSetError> {
        Ok(match json {
            Json::String(s) => self.template(s)?,
            Json::Bool(b) => Expr::Literal(Value::Bool(*b)),
            Json::Number(n) => Expr::Literal(Value::Int(
                n.as_i64()
                    .ok_or_else(|| RuleSetError(format!("{n} is not an integer")))?,
            )),
            Json::Array(a) => {
                Expr::Array(a.iter().map(|v| self.expr(v)).collect::<Result<_, _>>()?)
            }
            Json::Object(o) if o.contains_key("fn") => self.call(json)?,
            Json::Object(o) if o.contains_key("ref") => {
                let name = o["ref"]
                    .as_str()
                    .ok_or_else(|| RuleSetError("`ref` is not a string".into()))?;
                Expr::Ref(self.slot(name)?)
            }
            Json::Object(_) => self.literal_tree(json)?,
            Json::Null => return Err(RuleSetError("a value is missing".into())),
        })
    }

    /// A literal that may hold templates and references at any depth
    /// (endpoint properties).
    fn literal_tree(&mut self, json: &Json) -> Result<Expr, RuleSetError> {
        match json {
            Json::Object(o) if !o.contains_key("fn") && !o.contains_key("ref") => Ok(Expr::Record(
                o.iter()
                    .map(|(k, v)| Ok((k.clone(), self.literal_tree(v)?)))
                    .collect::<Result<_, RuleSetError>>()?,
            )),
            Json::Array(a) => Ok(Expr::Array(
                a.iter()
                    .map(|v| self.literal_tree(v))
                    .collect::<Result<_, _>>()?,
            )),
            _ => self.expr(json),
        }
    }

    fn template(&self, text: &str) -> Result<Expr, RuleSetError> {
        if !text.contains(['{', '}']) {
            return Ok(Expr::Literal(Value::String(text.to_owned())));
        }
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(i) = rest.find(['{', '}']) {
            literal.push_str(&rest[..i]);
            let tail = &rest[i..];
            if tail.starts_with("{{") || tail.starts_with("}}") {
                literal.push_str(&tail[..1]);
                rest = &tail[2..];
            } else if tail.starts_with('}') {
                return Err(RuleSetError(format!(
                    "template `{text}` has an unmatched `}}` (write `}}}}` for a literal one)"
                )));
            } else {
                let end = tail.find('}').ok_or_else(|| {
                    RuleSetError(format!("template `{text}` has an unclosed `{{`"))
                })?;
                let inner = &tail[1..end];
                if !literal.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut literal)));
                }
                let path = match inner.split_once('#') {
                    Some((_, "")) => {
                        return Err(RuleSetError(format!(
                            "template `{text}` has an empty path after `#`"
                        )))
                    }
                    Some((name, path)) => (name, parse_path(path)?),
                    None => (inner, Vec::new()),
                };
                parts.push(Part::Ref(self.slot(path.0)?, path.1));
                rest = &tail[end + 1..];
            }
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            parts.push(Part::Text(literal));
        }
        Ok(Expr::Template(parts))
    }
}

fn parse_path(path: &str) -> Result<Vec<PathStep>, RuleSetError> {
    let mut steps = Vec::new();
    if path.is_empty() {
        return Ok(steps);
    }
    for part in path.split('.') {
        let (key, mut indexes) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            steps.push(PathStep::Key(key.to_owned()));
        }
        while let Some(rest) = indexes.strip_prefix('[') {
            let end = rest
                .find(']')
                .ok_or_else(|| RuleSetError(format!("path `{path}` has an unclosed `[`")))?;
            let index = rest[..end]
                .parse()
                .map_err(|_| RuleSetError(format!("path `{path}` has a bad index")))?;
            steps.push(PathStep::Index(index));
            indexes = &rest[end + 1..];
        }
        if !indexes.is_empty() {
            return Err(RuleSetError(format!("path `{path}` is malformed")));
        }
    }
    Ok(steps)
}

fn get_path<'v>(value: &'v Value, path: &[PathStep]) -> Option<&'v Value> {
    path.iter().try_fold(value, |v, step| match (v, step) {
        (Value::Record(r), PathStep::Key(k)) => r.get(k),
        (Value::Array(a), PathStep::Index(i)) => a.get(*i),
        _ => None,
    })
}

impl RuleSet {
    /// Parses a rule set from its JSON form (the trait's value).
    pub fn from_json(json: &Json) -> Result<RuleSet, RuleSetError> {
        let params = json
            .get("parameters")
            .and_then(Json::as_object)
            .ok_or_else(|| RuleSetError("no `parameters` object".into()))?;
        let mut parameters = Vec::new();
        for (name, p) in params {
            let ty = match p
                .get("type")
                .and_then(Json::as_str)
                .map(str::to_ascii_lowercase)
            {
                Some(t) if t == "string" => ParamType::String,
                Some(t) if t == "boolean" => ParamType::Boolean,
                Some(t) if t == "stringarray" => ParamType::StringArray,
                other => {
                    return Err(RuleSetError(format!(
                        "parameter `{name}` has an unknown type {other:?}"
                    )))
                }
            };
            parameters.push(Parameter {
                name: name.clone(),
                ty,
                built_in: p.get("builtIn").and_then(Json::as_str).map(str::to_owned),
                default: p.get("default").and_then(Value::from_json),
                required: p.get("required").and_then(Json::as_bool).unwrap_or(false),
            });
        }
        let mut parser = Parser {
            names: parameters.iter().map(|p| p.name.clone()).collect(),
        };
        let rules = parser.rules(json.get("rules").unwrap_or(&Json::Null))?;
        Ok(RuleSet { parameters, rules })
    }

    /// Parses a rule set from JSON text.
    pub fn from_json_text(text: &str) -> Result<RuleSet, RuleSetError> {
        let json: Json = text
            .parse()
            .map_err(|e: crate::json::ReadError| RuleSetError(e.to_string()))?;
        RuleSet::from_json(&json)
    }

    /// The declared parameters.
    pub fn parameters(&self) -> &[Parameter] {
        &self.parameters
    }

    /// Resolves an endpoint for these parameter values.
    pub fn resolve(&self, params: &Params) -> Result<Endpoint, ResolveError> {
        self.resolve_with(params, Partitions::embedded())
    }

    /// [`resolve`](Self::resolve) with other partition data.
    pub fn resolve_with(
        &self,
        params: &Params,
        partitions: &Partitions,
    ) -> Result<Endpoint, ResolveError> {
        let mut scope = Scope {
            values: Vec::with_capacity(self.parameters.len() + 8),
            partitions,
        };
        for p in &self.parameters {
            let value = params.get(&p.name).cloned().or_else(|| p.default.clone());
            if value.is_none() && p.required {
                return Err(ResolveError(format!(
                    "the endpoint parameter `{}` is required but not set",
                    p.name
                )));
            }
            scope.values.push(value);
        }
        match eval_rules(&self.rules, &mut scope) {
            Some(result) => result,
            None => Err(ResolveError(
                "no endpoint rule matched the parameters".to_owned(),
            )),
        }
    }
}

/// The values in scope (parameters, then assigned names, by slot) and the
/// partition data `aws.partition` reads.
struct Scope<'p> {
    values: Vec<Option<Value>>,
    partitions: &'p Partitions,
}

fn eval_rules(rules: &[Rule], scope: &mut Scope) -> Option<Result<Endpoint, ResolveError>> {
    for rule in rules {
        let depth = scope.values.len();
        let result = eval_rule(rule, scope);
        scope.values.truncate(depth);
        if result.is_some() {
            return result;
        }
    }
    None
}

fn eval_rule(rule: &Rule, scope: &mut Scope) -> Option<Result<Endpoint, ResolveError>> {
    let conditions = match rule {
        Rule::Endpoint { conditions, .. }
        | Rule::Error { conditions, .. }
        | Rule::Tree { conditions, .. } => conditions,
    };
    for c in conditions {
        let value = eval(&c.call, scope);
        let holds = !matches!(value, None | Some(Value::Bool(false)));
        if !holds {
            return None;
        }
        if c.assign.is_some() {
            scope.values.push(value);
        }
    }
    match rule {
        Rule::Tree { rules, .. } => Some(eval_rules(rules, scope).unwrap_or_else(|| {
            // A tree whose conditions hold is final: no later rule is tried.
            Err(ResolveError(
                "no endpoint rule matched the parameters".to_owned(),
            ))
        })),
        Rule::Error { message, .. } => Some(Err(ResolveError(
            eval(message, scope)
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_else(|| "the endpoint rules gave an error".to_owned()),
        ))),
        Rule::Endpoint { endpoint, .. } => Some(eval_endpoint(endpoint, scope)),
    }
}

fn eval_endpoint(e: &EndpointTemplate, scope: &Scope) -> Result<Endpoint, ResolveError> {
    let url = match eval(&e.url, scope) {
        Some(Value::String(s)) => s,
        _ => return Err(ResolveError("the endpoint rules gave no URL".to_owned())),
    };
    let mut properties = BTreeMap::new();
    for (k, v) in &e.properties {
        match eval(v, scope) {
            Some(v) => {
                properties.insert(k.clone(), v);
            }
            // A property must not silently lose an auth scheme.
            None => {
                return Err(ResolveError(format!(
                    "the endpoint property `{k}` refers to a value that is not set"
                )))
            }
        }
    }
    let mut headers = BTreeMap::new();
    for (name, values) in &e.headers {
        let values = values
            .iter()
            .filter_map(|v| match eval(v, scope) {
                Some(Value::String(s)) => Some(s),
                _ => None,
            })
            .collect();
        headers.insert(name.clone(), values);
    }
    Ok(Endpoint {
        url,
        headers,
        properties,
    })
}

fn eval(expr: &Expr, scope: &Scope) -> Option<Value> {
    match expr {
        Expr::Literal(v) => Some(v.clone()),
        Expr::Ref(slot) => scope.values.get(*slot).cloned().flatten(),
        Expr::Template(parts) => {
            let mut out = String::new();
            for part in parts {
                match part {
                    Part::Text(t) => out.push_str(t),
                    Part::Ref(slot, path) => {
                        let value = scope.values.get(*slot)?.as_ref()?;
                        match get_path(value, path)? {
                            Value::String(s) => out.push_str(s),
                            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                            Value::Int(i) => out.push_str(&i.to_string()),
                            _ => return None,
                        }
                    }
                }
            }
            Some(Value::String(out))
        }
        Expr::Array(items) => Some(Value::Array(
            items
                .iter()
                .map(|i| eval(i, scope))
                .collect::<Option<_>>()?,
        )),
        Expr::Record(fields) => Some(Value::Record(
            fields
                .iter()
                .map(|(k, v)| Some((k.clone(), eval(v, scope)?)))
                .collect::<Option<_>>()?,
        )),
        Expr::Call(f, args) => call(*f, args, scope),
    }
}

fn call(f: Function, args: &[Expr], scope: &Scope) -> Option<Value> {
    let arg = |i: usize| eval(&args[i], scope);
    let string = |i: usize| match arg(i) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    };
    let boolean = |i: usize| arg(i).and_then(|v| v.as_bool());
    let int = |i: usize| match arg(i) {
        Some(Value::Int(n)) => Some(n),
        _ => None,
    };
    match f {
        Function::IsSet => Some(Value::Bool(arg(0).is_some())),
        Function::Not => Some(Value::Bool(!boolean(0)?)),
        Function::BooleanEquals => Some(Value::Bool(boolean(0)? == boolean(1)?)),
        Function::StringEquals => Some(Value::Bool(string(0)? == string(1)?)),
        Function::GetAttr => {
            let value = arg(0)?;
            let path = match &args[1] {
                Expr::Literal(Value::String(p)) => parse_path(p).ok()?,
                other => parse_path(eval(other, scope)?.as_str()?).ok()?,
            };
            get_path(&value, &path).cloned()
        }
        Function::Substring => {
            let (start, stop) = (
                usize::try_from(int(1)?).ok()?,
                usize::try_from(int(2)?).ok()?,
            );
            functions::substring(&string(0)?, start, stop, boolean(3)?).map(Value::String)
        }
        Function::UriEncode => Some(Value::String(functions::uri_encode(&string(0)?))),
        Function::ParseUrl => functions::parse_url(&string(0)?),
        Function::IsValidHostLabel => Some(Value::Bool(functions::is_valid_host_label(
            &string(0)?,
            boolean(1)?,
        ))),
        Function::Split => {
            let limit = usize::try_from(int(2)?).ok()?;
            functions::split(&string(0)?, &string(1)?, limit)
        }
        Function::Coalesce => args.iter().find_map(|a| eval(a, scope)),
        Function::Ite => {
            if boolean(0)? {
                arg(1)
            } else {
                arg(2)
            }
        }
        Function::Partition => scope
            .partitions
            .lookup(&string(0)?)
            .map(Partition::into_value),
        Function::ParseArn => functions::parse_arn(&string(0)?),
        Function::IsVirtualHostableS3Bucket => Some(Value::Bool(
            functions::is_virtual_hostable_s3_bucket(&string(0)?, boolean(1)?),
        )),
    }
}

#[cfg(test)]
mod tests;

/// How a case of a model's `smithy.rules#endpointTests` came out.
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseOutcome {
    /// The rules gave what the case expects.
    Passed,
    /// The case fails with the embedded partitions data and passes with that
    /// data as it was before AWS gave the isolated partitions (`aws-iso*`)
    /// dual-stack endpoints: the case is older than the data, not wrong about
    /// the rules. Holds the failure with today's data.
    PredatesIsoDualStack(String),
    /// The rules gave something else: what was expected and what came out.
    Failed(String),
}

/// Runs one case of a model's `smithy.rules#endpointTests` against a rule
/// set: the case's `params` resolve to its expected endpoint (URL, headers,
/// properties) or to its expected error message. Generated crates' endpoint
/// tests and `cargo xtask endpoint-tests` both call this.
#[doc(hidden)]
pub fn run_test_case(rules: &RuleSet, case: &Json) -> CaseOutcome {
    static BEFORE: std::sync::OnceLock<Partitions> = std::sync::OnceLock::new();
    match check_test_case_with(rules, case, Partitions::embedded()) {
        Ok(()) => CaseOutcome::Passed,
        Err(e) => {
            let before = BEFORE.get_or_init(partitions::iso_partitions_without_dual_stack);
            match check_test_case_with(rules, case, before) {
                Ok(()) => CaseOutcome::PredatesIsoDualStack(e),
                Err(_) => CaseOutcome::Failed(e),
            }
        }
    }
}

/// Checks one endpoint test case against a rule set with the given partition data.
#[doc(hidden)]
pub fn check_test_case_with(
    rules: &RuleSet,
    case: &Json,
    partitions: &Partitions,
) -> Result<(), String> {
    let mut params = Params::new();
    if let Some(given) = case.get("params").and_then(Json::as_object) {
        for (name, value) in given {
            if let Some(value) = Value::from_json(value) {
                params.set(name, value);
            }
        }
    }
    let expect = case.get("expect").unwrap_or(&Json::Null);
    let result = rules.resolve_with(&params, partitions);
    if let Some(message) = expect.get("error").and_then(Json::as_str) {
        return match result {
            Err(e) if e.message() == message => Ok(()),
            Err(e) => Err(format!(
                "expected the error {message:?}, got the error {:?}",
                e.message()
            )),
            Ok(e) => Err(format!(
                "expected the error {message:?}, got the endpoint {}",
                e.url
            )),
        };
    }
    let want = expect
        .get("endpoint")
        .ok_or("the case expects neither an endpoint nor an error")?;
    let got =
        result.map_err(|e| format!("expected an endpoint, got the error {:?}", e.message()))?;
    let url = want.get("url").and_then(Json::as_str).unwrap_or_default();
    if got.url != url {
        return Err(format!("expected the URL {url}, got {}", got.url));
    }
    let want_headers = want
        .get("headers")
        .cloned()
        .unwrap_or(Json::Object(Default::default()));
    let got_headers = Json::Object(
        got.headers
            .iter()
            .map(|(k, values)| {
                let values = values.iter().map(|v| Json::from(v.as_str())).collect();
                (k.clone(), Json::Array(values))
            })
            .collect(),
    );
    if want_headers != got_headers {
        return Err(format!(
            "expected the headers {want_headers}, got {got_headers}"
        ));
    }
    let want_properties = want
        .get("properties")
        .cloned()
        .unwrap_or(Json::Object(Default::default()));
    let got_properties = Value::Record(got.properties).to_json();
    if want_properties != got_properties {
        return Err(format!(
            "expected the properties {want_properties}, got {got_properties}"
        ));
    }
    Ok(())
}
