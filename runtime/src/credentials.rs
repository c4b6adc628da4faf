//! Runtime stage: where signing credentials come from. The built-in chain reads
//! the environment, then the shared files; any `aws-credential-types` provider
//! (such as `aws-config`'s full chain) can replace it. Whatever the source,
//! credentials are cached until shortly before they expire.

use crate::profile::ProfileSet;
use aws_credential_types::provider::{
    self, error::CredentialsError, ProvideCredentials, SharedCredentialsProvider,
};
use aws_credential_types::Credentials;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

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
    fn provide_credentials<'a>(&'a self) -> provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        provider::future::ProvideCredentials::ready(match &self.found {
            Ok(c) => Ok(c.clone()),
            Err(reason) => Err(CredentialsError::not_loaded(format!(
                "no credentials found ({reason}); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, \
                 add keys to ~/.aws/credentials, or pass a credentials provider"
            ))),
        })
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
    fn fresh(&self, now: SystemTime) -> Option<Credentials> {
        self.cached
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .filter(|c| c.expiry().is_none_or(|e| now + REFRESH_BEFORE_EXPIRY < e))
            .cloned()
    }

    pub async fn get(&self) -> Result<Credentials, CredentialsError> {
        if let Some(c) = self.fresh(SystemTime::now()) {
            return Ok(c);
        }
        let _refresh = self.refreshing.lock().await;
        // Another call may have refreshed them while this one waited.
        let now = SystemTime::now();
        if let Some(c) = self.fresh(now) {
            return Ok(c);
        }
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
            return Err(CredentialsError::provider_error(format!(
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
        use std::sync::Arc;
        #[derive(Debug)]
        struct Slow(Arc<AtomicUsize>);
        impl aws_credential_types::provider::ProvideCredentials for Slow {
            fn provide_credentials<'a>(
                &'a self,
            ) -> aws_credential_types::provider::future::ProvideCredentials<'a>
            where
                Self: 'a,
            {
                aws_credential_types::provider::future::ProvideCredentials::new(async move {
                    self.0.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    Ok(Credentials::new("A", "S", None, None, "slow"))
                })
            }
        }
        let calls = Arc::new(AtomicUsize::new(0));
        let cached = Arc::new(Cached::new(SharedCredentialsProvider::new(Slow(
            calls.clone(),
        ))));
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
