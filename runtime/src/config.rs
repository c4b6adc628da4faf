//! Runtime stage: client configuration. One [`Config`] is shared by the clients
//! of every service; each client resolves its own endpoint from it.

use crate::credentials::{Cached, DefaultChain};
use crate::credentials::{Credentials, ProvideCredentials, SharedCredentialsProvider};
use crate::profile::ProfileSet;
use crate::retry::{RetryConfig, RetryQuota};
use crate::transport::{HttpClient, HyperClient};
use crate::validation::Validation;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The default time allowed to open a connection, as in the AWS SDKs.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_millis(3100);

/// The default grace period of stalled-stream protection: a body that moves
/// no data for this long ends the exchange, as in the AWS SDKs.
pub const DEFAULT_STALL_GRACE: Duration = Duration::from_secs(5);

/// The default time allowed for a response head to arrive after the request
/// was sent (botocore's read timeout).
pub const DEFAULT_RESPONSE_TIMEOUT: Duration = Duration::from_secs(60);

/// The default limit of a response body read into memory: far above the
/// largest GetImages page (100 images), far below what would exhaust memory.
pub const DEFAULT_MAX_RESPONSE_BODY: u64 = 512 * 1024 * 1024;

/// Settings shared by every client: region, credentials, endpoint override,
/// transport, timeouts, retries and validation. Cheap to clone.
///
/// [`Config::from_env`] reads the standard AWS environment variables and shared
/// files; [`Config::builder`] starts from nothing.
#[derive(Clone)]
pub struct Config {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub region: Option<String>,
    pub credentials: Option<Arc<Cached>>,
    pub endpoint_url: Option<String>,
    pub configured_endpoints: ConfiguredEndpoints,
    pub http_client: Arc<dyn HttpClient>,
    pub attempt_timeout: Option<Duration>,
    pub operation_timeout: Option<Duration>,
    pub stall_grace: Option<Duration>,
    pub response_timeout: Option<Duration>,
    pub max_response_body: u64,
    pub retry: RetryConfig,
    pub quota: RetryQuota,
    pub validation: Validation,
    pub compression: RequestCompression,
    pub idempotency_tokens: Arc<dyn crate::wire::IdempotencyTokens>,
    /// From `.bearer_token(..)`, for every service.
    pub bearer_token: Option<String>,
    /// `AWS_BEARER_TOKEN_<SERVICE>` variables, keyed by the part after the prefix.
    pub bearer_tokens: BTreeMap<String, String>,
    /// The `AWS::UseFIPS` endpoint parameter; `None` leaves the rules' default.
    pub use_fips: Option<bool>,
    /// The `AWS::UseDualStack` endpoint parameter.
    pub use_dual_stack: Option<bool>,
    /// The `AWS::Auth::AccountIdEndpointMode` endpoint parameter.
    pub account_id_endpoint_mode: Option<String>,
}

/// When requests of operations with `@requestCompression` are compressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestCompression {
    /// Never compress (`AWS_DISABLE_REQUEST_COMPRESSION`, the profile's
    /// `disable_request_compression`).
    pub disabled: bool,
    /// Smaller bodies are sent as they are: compressing them saves too little
    /// (`AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES`, the profile's
    /// `request_min_compression_size_bytes`; 10,240 by default, as in the AWS SDKs).
    pub min_size_bytes: usize,
}

impl Default for RequestCompression {
    fn default() -> Self {
        RequestCompression {
            disabled: false,
            min_size_bytes: 10_240,
        }
    }
}

/// The environment variable holding a service's bearer token
/// (`AWS_BEARER_TOKEN_CODECATALYST` for the sdkId `CodeCatalyst`).
pub(crate) fn bearer_token_variable(sdk_id: &str) -> String {
    format!("AWS_BEARER_TOKEN_{}", env_suffix(sdk_id))
}

/// A sdkId as environment variables spell it (`Kinesis Video` → `KINESIS_VIDEO`).
fn env_suffix(sdk_id: &str) -> String {
    sdk_id.to_ascii_uppercase().replace([' ', '-'], "_")
}

/// Endpoint URLs from the environment and the shared config, looked up per
/// service by its sdkId.
#[derive(Debug, Clone, Default)]
pub(crate) struct ConfiguredEndpoints {
    /// `AWS_ENDPOINT_URL_<SERVICE>` variables, keyed by the part after the prefix.
    env_services: BTreeMap<String, String>,
    env_global: Option<String>,
    /// `endpoint_url` keys of the selected profile's `services` section, keyed by service.
    profile_services: BTreeMap<String, String>,
    profile_global: Option<String>,
}

impl ConfiguredEndpoints {
    /// The configured endpoint for a service: its own environment variable,
    /// then `AWS_ENDPOINT_URL`, then the profile's `services` section, then the
    /// profile's `endpoint_url`.
    pub fn for_service(&self, sdk_id: &str) -> Option<&str> {
        let env_key = env_suffix(sdk_id);
        let profile_key = sdk_id.to_ascii_lowercase().replace([' ', '-'], "_");
        self.env_services
            .get(&env_key)
            .or(self.env_global.as_ref())
            .or(self.profile_services.get(&profile_key))
            .or(self.profile_global.as_ref())
            .map(String::as_str)
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Config")
            .field("region", &i.region)
            .field("endpoint_url", &i.endpoint_url)
            .field("http_client", &i.http_client)
            .field("attempt_timeout", &i.attempt_timeout)
            .field("operation_timeout", &i.operation_timeout)
            .field("stall_grace", &i.stall_grace)
            .field("response_timeout", &i.response_timeout)
            .field("max_response_body", &i.max_response_body)
            .field("retry", &i.retry)
            .field("validation", &i.validation)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// A builder with nothing set: no region, no credentials, the default
    /// transport, timeouts and retries.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// A builder filled from the standard places, as the AWS CLI reads them:
    ///
    /// - region: `AWS_REGION`, `AWS_DEFAULT_REGION`, then the profile's `region`;
    /// - credentials: `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`,
    ///   then the profile's static keys;
    /// - endpoints: `AWS_ENDPOINT_URL_<SERVICE>` (the sdkId in upper snake case,
    ///   such as `AWS_ENDPOINT_URL_KINESIS_VIDEO`), `AWS_ENDPOINT_URL`, then the
    ///   profile's `services` section and `endpoint_url`, unless
    ///   `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is `true`;
    /// - FIPS and dual-stack endpoints: `AWS_USE_FIPS_ENDPOINT`,
    ///   `AWS_USE_DUALSTACK_ENDPOINT`, then the profile's `use_fips_endpoint`,
    ///   `use_dualstack_endpoint`; `AWS_ACCOUNT_ID_ENDPOINT_MODE`, then the
    ///   profile's `account_id_endpoint_mode`;
    /// - the profile is `AWS_PROFILE` (else `default`) in `~/.aws/config` and
    ///   `~/.aws/credentials` (or `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`).
    ///
    /// Anything set on the returned builder overrides these.
    pub fn from_env() -> ConfigBuilder {
        Self::from_vars(std::env::vars())
    }

    /// [`Config::from_env`] with the environment variables supplied by the caller.
    pub fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> ConfigBuilder {
        let vars: BTreeMap<String, String> = vars.into_iter().collect();
        let env = |k: &str| vars.get(k).cloned();
        let profiles = ProfileSet::load(&env);
        let profile = profiles.selected();
        let non_empty = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
        let region = non_empty(env("AWS_REGION"))
            .or_else(|| non_empty(env("AWS_DEFAULT_REGION")))
            .or_else(|| profile.and_then(|p| p.get("region").cloned()));
        let mut endpoints = ConfiguredEndpoints::default();
        let ignore = env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
            || profile
                .and_then(|p| p.get("ignore_configured_endpoint_urls"))
                .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        if !ignore {
            endpoints.env_global = non_empty(env("AWS_ENDPOINT_URL"));
            for (k, v) in &vars {
                if let Some(service) = k.strip_prefix("AWS_ENDPOINT_URL_") {
                    if !v.trim().is_empty() {
                        endpoints
                            .env_services
                            .insert(service.to_string(), v.clone());
                    }
                }
            }
            if let Some(p) = profile {
                endpoints.profile_global = p.get("endpoint_url").cloned();
                if let Some(section) = p.get("services").and_then(|s| profiles.services.get(s)) {
                    for (k, v) in section {
                        if let Some(service) = k.strip_suffix(".endpoint_url") {
                            endpoints
                                .profile_services
                                .insert(service.to_string(), v.clone());
                        }
                    }
                }
            }
        }
        let chain = DefaultChain::load(&env, &profiles);
        let bearer_tokens = vars
            .iter()
            .filter_map(|(k, v)| {
                let service = k.strip_prefix("AWS_BEARER_TOKEN_")?;
                (!v.trim().is_empty()).then(|| (service.to_string(), v.clone()))
            })
            .collect();
        let setting = |env_key: &str, profile_key: &str| {
            non_empty(env(env_key)).or_else(|| profile.and_then(|p| p.get(profile_key).cloned()))
        };
        let mut compression = RequestCompression::default();
        if let Some(v) = setting(
            "AWS_DISABLE_REQUEST_COMPRESSION",
            "disable_request_compression",
        ) {
            compression.disabled = v.trim().eq_ignore_ascii_case("true");
        }
        if let Some(v) = setting(
            "AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES",
            "request_min_compression_size_bytes",
        ) {
            // The AWS SDKs accept 0 to 10 MiB; anything else keeps the default.
            if let Ok(n) = v.trim().parse::<usize>() {
                if n <= 10 * 1024 * 1024 {
                    compression.min_size_bytes = n;
                }
            }
        }
        let flag = |env_key: &str, profile_key: &str| {
            setting(env_key, profile_key).and_then(|v| {
                match v.trim().to_ascii_lowercase().as_str() {
                    "true" => Some(true),
                    "false" => Some(false),
                    _ => None,
                }
            })
        };
        let use_fips = flag("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint");
        let use_dual_stack = flag("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint");
        let account_id_endpoint_mode =
            setting("AWS_ACCOUNT_ID_ENDPOINT_MODE", "account_id_endpoint_mode")
                .map(|v| v.trim().to_owned());
        ConfigBuilder {
            region,
            use_fips,
            use_dual_stack,
            account_id_endpoint_mode,
            credentials: Some(Arc::new(chain)),
            configured_endpoints: endpoints,
            bearer_tokens,
            compression,
            ..Default::default()
        }
    }

    /// The region, if one is configured.
    pub fn region(&self) -> Option<&str> {
        self.inner.region.as_deref()
    }

    /// Whether FIPS endpoints were asked for (`None`: not set anywhere).
    pub fn use_fips(&self) -> Option<bool> {
        self.inner.use_fips
    }

    /// Whether dual-stack endpoints were asked for (`None`: not set anywhere).
    pub fn use_dual_stack(&self) -> Option<bool> {
        self.inner.use_dual_stack
    }

    /// How much requests are checked before they are sent.
    pub fn validation(&self) -> Validation {
        self.inner.validation
    }

    /// The bearer token for the service with this sdkId: the builder's, else
    /// its `AWS_BEARER_TOKEN_<SERVICE>` variable (with `Config::from_env`).
    pub fn bearer_token(&self, sdk_id: &str) -> Option<&str> {
        self.inner.bearer_token.as_deref().or_else(|| {
            self.inner
                .bearer_tokens
                .get(&env_suffix(sdk_id))
                .map(String::as_str)
        })
    }

    /// When request bodies are compressed.
    pub fn request_compression(&self) -> &RequestCompression {
        &self.inner.compression
    }

    /// The endpoint URL set on the builder, if any.
    pub fn endpoint_url(&self) -> Option<&str> {
        self.inner.endpoint_url.as_deref()
    }

    /// The endpoint configured for the service with this sdkId: the builder's
    /// `endpoint_url`, else one from the environment or shared config. `None`
    /// means the service's default endpoint applies.
    pub fn configured_endpoint(&self, sdk_id: &str) -> Option<&str> {
        self.inner
            .endpoint_url
            .as_deref()
            .or_else(|| self.inner.configured_endpoints.for_service(sdk_id))
    }

    /// A copy of this configuration with changes; the transport, credential
    /// cache and retry quota stay shared with the original.
    pub fn to_builder(&self) -> ConfigBuilder {
        let i = &self.inner;
        ConfigBuilder {
            region: i.region.clone(),
            credentials: None,
            shared_credentials: i.credentials.clone(),
            endpoint_url: i.endpoint_url.clone(),
            configured_endpoints: i.configured_endpoints.clone(),
            http_client: Some(i.http_client.clone()),
            connect_timeout: None,
            attempt_timeout: i.attempt_timeout,
            operation_timeout: i.operation_timeout,
            stall_grace: Some(i.stall_grace),
            response_timeout: Some(i.response_timeout),
            max_response_body: Some(i.max_response_body),
            retry: i.retry.clone(),
            shared_quota: Some(i.quota.clone()),
            validation: i.validation,
            compression: i.compression.clone(),
            idempotency_tokens: Some(i.idempotency_tokens.clone()),
            bearer_token: i.bearer_token.clone(),
            bearer_tokens: i.bearer_tokens.clone(),
            use_fips: i.use_fips,
            use_dual_stack: i.use_dual_stack,
            account_id_endpoint_mode: i.account_id_endpoint_mode.clone(),
        }
    }
}

/// Builds a [`Config`].
#[derive(Default)]
pub struct ConfigBuilder {
    region: Option<String>,
    credentials: Option<SharedCredentialsProvider>,
    /// Set by `to_builder`: reuse the original's credential cache.
    shared_credentials: Option<Arc<Cached>>,
    endpoint_url: Option<String>,
    configured_endpoints: ConfiguredEndpoints,
    http_client: Option<Arc<dyn HttpClient>>,
    connect_timeout: Option<Duration>,
    attempt_timeout: Option<Duration>,
    operation_timeout: Option<Duration>,
    /// `None` means the default; `Some(None)` turns the check off.
    stall_grace: Option<Option<Duration>>,
    response_timeout: Option<Option<Duration>>,
    max_response_body: Option<u64>,
    retry: RetryConfig,
    shared_quota: Option<RetryQuota>,
    validation: Validation,
    compression: RequestCompression,
    idempotency_tokens: Option<Arc<dyn crate::wire::IdempotencyTokens>>,
    bearer_token: Option<String>,
    bearer_tokens: BTreeMap<String, String>,
    use_fips: Option<bool>,
    use_dual_stack: Option<bool>,
    account_id_endpoint_mode: Option<String>,
}

impl fmt::Debug for ConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigBuilder")
            .field("region", &self.region)
            .field("endpoint_url", &self.endpoint_url)
            .finish_non_exhaustive()
    }
}

impl ConfigBuilder {
    /// The AWS region (`us-west-2`), used for signing and the default endpoint.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// A source of credentials. Its credentials are cached until five
    /// minutes before they expire.
    pub fn credentials_provider(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.credentials = Some(Arc::new(provider));
        self.shared_credentials = None;
        self
    }

    /// Any `aws-credential-types` provider, for example `aws-config`'s default
    /// chain (SSO, assumed roles, instance metadata). Needs the
    /// `aws-credential-types` feature.
    #[cfg(feature = "aws-credential-types")]
    pub fn aws_credentials_provider(
        self,
        provider: impl aws_credential_types::provider::ProvideCredentials + 'static,
    ) -> Self {
        self.credentials_provider(crate::credentials::AwsCredentialsProvider(provider))
    }

    /// Fixed credentials.
    pub fn credentials(self, credentials: Credentials) -> Self {
        self.credentials_provider(credentials)
    }

    /// Sends every request to this URL instead of the service's regional
    /// endpoint (a local emulator, a VPC endpoint, a stream's data endpoint).
    /// Overrides endpoints from the environment and the shared config.
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self
    }

    /// Replaces the transport (the default is [`HyperClient`]).
    pub fn http_client(mut self, client: impl HttpClient) -> Self {
        self.http_client = Some(Arc::new(client));
        self
    }

    /// The time allowed to open a connection with the default transport (3.1 s
    /// unless set). Has no effect when a transport is supplied.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The time allowed for one attempt, from sending the request to having read
    /// the whole response. A timed-out attempt is retried. Unset by default.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// The time allowed for a whole call, all attempts and backoff included,
    /// and for a streaming response, reading its body too. Unset by default.
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = Some(timeout);
        self
    }

    /// Stalled-stream protection: a request or response body that moves no
    /// data for `grace` (5 s by default) ends the attempt with a timeout error
    /// that says it stalled and after how many bytes; a non-streaming
    /// response is then retried. `None` turns the protection off.
    pub fn stalled_stream_grace(mut self, grace: Option<Duration>) -> Self {
        self.stall_grace = Some(grace);
        self
    }

    /// The time allowed for the response head to arrive once the request is
    /// sent (60 s by default); an attempt without one is retried. `None`
    /// waits as long as the service takes.
    pub fn response_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.response_timeout = Some(timeout);
        self
    }

    /// The largest response body read into memory (512 MiB by default);
    /// a larger one is a response error, not an out-of-memory abort. Streaming
    /// payloads are not limited: they never sit in memory whole.
    pub fn max_response_body_bytes(mut self, limit: u64) -> Self {
        self.max_response_body = Some(limit);
        self
    }

    /// Replaces the retry settings (standard mode, 3 attempts, by default).
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// How much to check requests against the model's constraints before
    /// sending them: [`Validation::Standard`] by default (required members and
    /// lower bounds, which no service change can break), [`Validation::Strict`]
    /// for every constraint, or [`Validation::Off`] to leave all checking to
    /// the service. Pagination tokens are sent back as the service returned
    /// them at every level.
    pub fn validation(mut self, level: Validation) -> Self {
        self.validation = level;
        self
    }

    /// The token for services that authenticate with `Authorization: Bearer`
    /// (`@httpBearerAuth`). Without it, such a service's token comes from its
    /// `AWS_BEARER_TOKEN_<SERVICE>` variable.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.bearer_token = Some(token.into());
        self
    }

    /// Where the values of `@idempotencyToken` members left unset come from:
    /// random version-4 UUIDs by default; [`crate::wire::FixedToken`] gives the
    /// same token every time, for recordings and tests.
    pub fn idempotency_tokens(mut self, tokens: impl crate::wire::IdempotencyTokens) -> Self {
        self.idempotency_tokens = Some(Arc::new(tokens));
        self
    }

    /// When to compress the bodies of operations with `@requestCompression`.
    pub fn request_compression(mut self, settings: RequestCompression) -> Self {
        self.compression = settings;
        self
    }

    /// Sends requests to FIPS 140 endpoints (the `AWS::UseFIPS` endpoint
    /// parameter). Overrides `AWS_USE_FIPS_ENDPOINT` and the profile's
    /// `use_fips_endpoint`. A service or partition without FIPS endpoints
    /// makes each call fail with the endpoint rules' message.
    pub fn use_fips(mut self, enabled: bool) -> Self {
        self.use_fips = Some(enabled);
        self
    }

    /// Sends requests to dual-stack (IPv4 and IPv6) endpoints (the
    /// `AWS::UseDualStack` endpoint parameter). Overrides
    /// `AWS_USE_DUALSTACK_ENDPOINT` and the profile's `use_dualstack_endpoint`.
    pub fn use_dual_stack(mut self, enabled: bool) -> Self {
        self.use_dual_stack = Some(enabled);
        self
    }

    /// Whether endpoints may be chosen by account id (`preferred`, the
    /// default; `required`; `disabled`), for services whose rules use it.
    /// Overrides `AWS_ACCOUNT_ID_ENDPOINT_MODE` and the profile's
    /// `account_id_endpoint_mode`.
    pub fn account_id_endpoint_mode(mut self, mode: impl Into<String>) -> Self {
        self.account_id_endpoint_mode = Some(mode.into());
        self
    }

    /// Finishes the configuration. Nothing here can fail: a missing region or
    /// missing credentials are reported by the first call that needs them.
    pub fn build(self) -> Config {
        let credentials = match (self.credentials, self.shared_credentials) {
            (Some(p), _) => Some(Arc::new(Cached::new(p))),
            (None, Some(shared)) => Some(shared),
            (None, None) => None,
        };
        let http_client = self.http_client.unwrap_or_else(|| {
            Arc::new(HyperClient::new(Some(
                self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
            )))
        });
        let quota = self.shared_quota.unwrap_or_default();
        Config {
            inner: Arc::new(Inner {
                region: self.region,
                credentials,
                endpoint_url: self.endpoint_url,
                configured_endpoints: self.configured_endpoints,
                http_client,
                attempt_timeout: self.attempt_timeout,
                operation_timeout: self.operation_timeout,
                stall_grace: self.stall_grace.unwrap_or(Some(DEFAULT_STALL_GRACE)),
                response_timeout: self
                    .response_timeout
                    .unwrap_or(Some(DEFAULT_RESPONSE_TIMEOUT)),
                max_response_body: self.max_response_body.unwrap_or(DEFAULT_MAX_RESPONSE_BODY),
                retry: self.retry,
                quota,
                validation: self.validation,
                compression: self.compression,
                idempotency_tokens: self
                    .idempotency_tokens
                    .unwrap_or_else(|| Arc::new(crate::wire::RandomTokens)),
                bearer_token: self.bearer_token,
                bearer_tokens: self.bearer_tokens,
                use_fips: self.use_fips,
                use_dual_stack: self.use_dual_stack,
                account_id_endpoint_mode: self.account_id_endpoint_mode,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_endpoint_variable_wins_over_global() {
        let mut e = ConfiguredEndpoints {
            env_global: Some("http://global".into()),
            ..Default::default()
        };
        e.env_services
            .insert("KINESIS_VIDEO".into(), "http://kv".into());
        e.profile_services.insert(
            "kinesis_video_archived_media".into(),
            "http://profile".into(),
        );
        assert_eq!(e.for_service("Kinesis Video"), Some("http://kv"));
        assert_eq!(
            e.for_service("Kinesis Video Archived Media"),
            Some("http://global")
        );
        e.env_global = None;
        assert_eq!(
            e.for_service("Kinesis Video Archived Media"),
            Some("http://profile")
        );
    }
}
