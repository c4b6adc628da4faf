//! Runtime stage: signing credentials and where they come from. The built-in
//! chain reads the environment, then the shared files; any
//! [`ProvideCredentials`] can replace it (with the `aws-credential-types`
//! feature, any provider of the AWS SDK's, such as `aws-config`'s full chain).
//! Whatever the source, credentials are cached until shortly before they
//! expire.

use crate::profile::ProfileSet;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// AWS access keys for signing requests, with an optional session token and
/// expiry. Cheap to clone; `Debug` never shows the secret or the token.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials(Arc<Keys>);

#[derive(PartialEq, Eq)]
struct Keys {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    expiry: Option<SystemTime>,
    provider_name: &'static str,
    account_id: Option<String>,
}

impl Credentials {
    /// Credentials from their parts; `provider_name` says where they came from
    /// (shown in logs and errors).
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
        expiry: Option<SystemTime>,
        provider_name: &'static str,
    ) -> Self {
        Credentials(Arc::new(Keys {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token,
            expiry,
            provider_name,
            account_id: None,
        }))
    }

    /// The same credentials, naming the AWS account they belong to (used by
    /// endpoints that route by account).
    pub fn with_account_id(self, account_id: impl Into<String>) -> Self {
        let keys = &self.0;
        Credentials(Arc::new(Keys {
            access_key_id: keys.access_key_id.clone(),
            secret_access_key: keys.secret_access_key.clone(),
            session_token: keys.session_token.clone(),
            expiry: keys.expiry,
            provider_name: keys.provider_name,
            account_id: Some(account_id.into()),
        }))
    }

    /// The AWS account the credentials belong to, if known.
    pub fn account_id(&self) -> Option<&str> {
        self.0.account_id.as_deref()
    }

    /// The access key id.
    pub fn access_key_id(&self) -> &str {
        &self.0.access_key_id
    }

    /// The secret access key.
    pub fn secret_access_key(&self) -> &str {
        &self.0.secret_access_key
    }

    /// The session token of temporary credentials.
    pub fn session_token(&self) -> Option<&str> {
        self.0.session_token.as_deref()
    }

    /// When the credentials stop working, if they do.
    pub fn expiry(&self) -> Option<SystemTime> {
        self.0.expiry
    }

    /// Where the credentials came from.
    pub fn provider_name(&self) -> &'static str {
        self.0.provider_name
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("provider_name", &self.0.provider_name)
            .field("access_key_id", &self.0.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .field("expiry", &self.0.expiry)
            .finish()
    }
}

/// Credentials could not be loaded.
#[derive(Debug)]
pub struct CredentialsError {
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl CredentialsError {
    /// An error saying what is missing or wrong, and what to do.
    pub fn new(message: impl Into<String>) -> Self {
        CredentialsError {
            message: message.into(),
            source: None,
        }
    }

    /// An error caused by another.
    pub fn with_source(
        message: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        CredentialsError {
            message: message.into(),
            source: Some(source.into()),
        }
    }
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CredentialsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// What [`ProvideCredentials::provide_credentials`] returns.
pub type CredentialsFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Credentials, CredentialsError>> + Send + 'a>>;

/// A source of credentials: asked again shortly before the last ones expire.
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// Loads credentials.
    fn provide_credentials(&self) -> CredentialsFuture<'_>;
}

impl ProvideCredentials for Credentials {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        let c = self.clone();
        Box::pin(async move { Ok(c) })
    }
}

pub(crate) type SharedCredentialsProvider = Arc<dyn ProvideCredentials>;

/// Interoperation with the AWS SDK's `aws-credential-types` (feature
/// `aws-credential-types`), for `aws-config` users.
#[cfg(feature = "aws-credential-types")]
mod aws {
    use super::*;

    impl From<aws_credential_types::Credentials> for Credentials {
        fn from(c: aws_credential_types::Credentials) -> Self {
            let ours = Credentials::new(
                c.access_key_id(),
                c.secret_access_key(),
                c.session_token().map(str::to_string),
                c.expiry(),
                "aws-credential-types",
            );
            match c.account_id() {
                Some(id) => ours.with_account_id(id.as_str()),
                None => ours,
            }
        }
    }

    impl From<Credentials> for aws_credential_types::Credentials {
        fn from(c: Credentials) -> Self {
            let mut b = aws_credential_types::Credentials::builder()
                .access_key_id(c.access_key_id())
                .secret_access_key(c.secret_access_key())
                .provider_name(c.provider_name());
            if let Some(t) = c.session_token() {
                b = b.session_token(t);
            }
            if let Some(e) = c.expiry() {
                b = b.expiry(e);
            }
            if let Some(a) = c.account_id() {
                b = b.account_id(a);
            }
            b.build()
        }
    }

    /// An `aws-credential-types` provider (such as `aws-config`'s default
    /// chain) as a [`ProvideCredentials`]; see
    /// [`ConfigBuilder::aws_credentials_provider`](crate::ConfigBuilder::aws_credentials_provider).
    #[derive(Debug)]
    pub struct AwsCredentialsProvider<P>(pub P);

    impl<P> ProvideCredentials for AwsCredentialsProvider<P>
    where
        P: aws_credential_types::provider::ProvideCredentials,
    {
        fn provide_credentials(&self) -> CredentialsFuture<'_> {
            Box::pin(async move {
                self.0
                    .provide_credentials()
                    .await
                    .map(Credentials::from)
                    .map_err(|e| CredentialsError::with_source(e.to_string(), e))
            })
        }
    }
}

#[cfg(feature = "aws-credential-types")]
pub use aws::AwsCredentialsProvider;

/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and (if set)
/// `AWS_SESSION_TOKEN`, then from the selected profile's static keys in the
/// shared files. Read once, when the configuration is loaded.
#[derive(Debug)]
pub(crate) struct DefaultChain {
    found: Result<Credentials, String>,
}

impl DefaultChain {
    pub fn load(env: &dyn Fn(&str) -> Option<String>, profiles: &ProfileSet) -> Self {
        DefaultChain {
            found: from_env(env).or_else(|env_reason| {
                from_profile(profiles).map_err(|p| format!("{env_reason}; {p}"))
            }),
        }
    }
}

fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Credentials, String> {
    let get = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    match (get("AWS_ACCESS_KEY_ID"), get("AWS_SECRET_ACCESS_KEY")) {
        (Some(id), Some(secret)) => Ok(Credentials::new(
            id,
            secret,
            get("AWS_SESSION_TOKEN"),
            None,
            "Environment",
        )),
        (Some(_), None) => Err("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not".into()),
        (None, Some(_)) => Err("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not".into()),
        (None, None) => Err("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set".into()),
    }
}

fn from_profile(profiles: &ProfileSet) -> Result<Credentials, String> {
    let name = &profiles.name;
    let mut reason = String::new();
    for p in &profiles.problems {
        reason.push_str(p);
        reason.push_str("; ");
    }
    let Some(props) = profiles.selected() else {
        return Err(format!(
            "{reason}profile `{name}` is not in the shared config or credentials file"
        ));
    };
    match (
        props.get("aws_access_key_id"),
        props.get("aws_secret_access_key"),
    ) {
        (Some(id), Some(secret)) => Ok(Credentials::new(
            id,
            secret,
            props.get("aws_session_token").cloned(),
            None,
            "Profile",
        )),
        _ => {
            let other = [
                "role_arn",
                "sso_session",
                "sso_start_url",
                "credential_process",
                "web_identity_token_file",
            ]
            .into_iter()
            .find(|k| props.contains_key(*k));
            Err(match other {
                Some(k) => format!(
                    "{reason}profile `{name}` uses `{k}`, which the built-in provider does not resolve; \
                     pass aws-config's credentials provider to `Config::builder().credentials_provider(..)`"
                ),
                None => format!("{reason}profile `{name}` has no aws_access_key_id and aws_secret_access_key"),
            })
        }
    }
}

impl ProvideCredentials for DefaultChain {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        let found = match &self.found {
            Ok(c) => Ok(c.clone()),
            Err(reason) => Err(CredentialsError::new(format!(
                "no credentials found ({reason}); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, \
                 add keys to ~/.aws/credentials, or pass a credentials provider"
            ))),
        };
        Box::pin(async move { found })
    }
}

/// How long before expiry cached credentials are refreshed.
const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(300);

/// Wraps a provider and caches what it returns until five minutes before expiry
/// (forever for credentials without an expiry).
///
/// Refreshing is single-flight: when many calls find the credentials about to
/// expire at once, one asks the provider and the others wait for its answer.
#[derive(Debug)]
pub(crate) struct Cached {
    provider: SharedCredentialsProvider,
    cached: Mutex<Option<Credentials>>,
    refreshing: tokio::sync::Mutex<()>,
}

impl Cached {
    pub fn new(provider: SharedCredentialsProvider) -> Self {
        Cached {
            provider,
            cached: Mutex::new(None),
            refreshing: tokio::sync::Mutex::new(()),
        }
    }

    /// The cached credentials, unless they are missing or about to expire.
    /// The clock is read only for credentials that expire.
    fn fresh(&self) -> Option<Credentials> {
        self.cached
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .filter(|c| {
                c.expiry()
                    .is_none_or(|e| SystemTime::now() + REFRESH_BEFORE_EXPIRY < e)
            })
            .cloned()
    }

    pub async fn get(&self) -> Result<Credentials, CredentialsError> {
        if let Some(c) = self.fresh() {
            return Ok(c);
        }
        let _refresh = self.refreshing.lock().await;
        // Another call may have refreshed them while this one waited.
        if let Some(c) = self.fresh() {
            return Ok(c);
        }
        let now = SystemTime::now();
        tracing::debug!("refreshing credentials");
        let fresh = match self.provider.provide_credentials().await {
            Ok(c) => c,
            Err(e) => {
                tracing::debug!(error = %e, "credentials refresh failed");
                return Err(e);
            }
        };
        // Never the keys themselves: only where they came from and when they expire.
        tracing::debug!(expiry = ?fresh.expiry(), "credentials refreshed");
        if fresh.expiry().is_some_and(|e| e <= now) {
            return Err(CredentialsError::new(format!(
                "the credentials provider returned credentials that expired at {:?}",
                fresh.expiry()
            )));
        }
        *self.cached.lock().unwrap_or_else(|e| e.into_inner()) = Some(fresh.clone());
        Ok(fresh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_callers_share_one_refresh() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        #[derive(Debug)]
        struct Slow(Arc<AtomicUsize>);
        impl ProvideCredentials for Slow {
            fn provide_credentials(&self) -> CredentialsFuture<'_> {
                Box::pin(async move {
                    self.0.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    Ok(Credentials::new("A", "S", None, None, "slow"))
                })
            }
        }
        let calls = Arc::new(AtomicUsize::new(0));
        let cached = Arc::new(Cached::new(Arc::new(Slow(calls.clone()))));
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let c = cached.clone();
                tokio::spawn(async move { c.get().await.unwrap() })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap().access_key_id(), "A");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn environment_wins_over_profile() {
        let mut profiles = ProfileSet {
            name: "default".into(),
            ..Default::default()
        };
        profiles.merge(
            "[default]\naws_access_key_id = P\naws_secret_access_key = PS\n",
            false,
        );
        let chain = DefaultChain::load(
            &env(&[
                ("AWS_ACCESS_KEY_ID", "E"),
                ("AWS_SECRET_ACCESS_KEY", "ES"),
                ("AWS_SESSION_TOKEN", "T"),
            ]),
            &profiles,
        );
        let c = chain.found.unwrap();
        assert_eq!((c.access_key_id(), c.session_token()), ("E", Some("T")));
        let chain = DefaultChain::load(&env(&[]), &profiles);
        assert_eq!(chain.found.unwrap().access_key_id(), "P");
    }

    #[test]
    fn missing_credentials_explain_every_source() {
        let mut profiles = ProfileSet {
            name: "sso".into(),
            ..Default::default()
        };
        profiles.merge("[profile sso]\nsso_session = corp\n", true);
        let err = DefaultChain::load(&env(&[]), &profiles).found.unwrap_err();
        assert!(
            err.contains("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"),
            "{err}"
        );
        assert!(err.contains("uses `sso_session`"), "{err}");
    }
}
