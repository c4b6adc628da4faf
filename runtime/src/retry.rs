//! Runtime stage: the standard retry mode of the AWS SDKs. A failed attempt is
//! retried when it was throttled (a throttling error code, 429, or an error the
//! model marks `@retryable(throttling: true)`), a transient server error (500,
//! 502, 503, 504, a transient error code, or a `@retryable` error), a broken
//! connection or a timeout; never another 5xx (501 says the request is not
//! supported) or another 4xx. The wait before attempt n is a random
//! fraction of `initial_backoff * 2^(n-2)`, capped by `max_backoff` ("full
//! jitter"). A shared quota stops retry storms when a service is down.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Retry settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryConfig {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
}

impl Default for RetryConfig {
    /// The standard mode: 3 attempts, backoff starting at 1 s, capped at 20 s.
    fn default() -> Self {
        RetryConfig {
            max_attempts: 3,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(20),
        }
    }
}

impl RetryConfig {
    /// The standard mode.
    pub fn standard() -> Self {
        Self::default()
    }

    /// No retries: one attempt only.
    pub fn disabled() -> Self {
        Self::default().with_max_attempts(1)
    }

    /// The total number of attempts, the first included (at least 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The upper bound of the first backoff; later ones double.
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The largest backoff between two attempts.
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The total number of attempts.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The wait before attempt `next` (2 for the first retry).
    pub(crate) fn backoff(&self, next: u32) -> Duration {
        let exp = next.saturating_sub(2).min(30);
        let ceiling = self
            .initial_backoff
            .saturating_mul(1u32 << exp)
            .min(self.max_backoff);
        ceiling.mul_f64(fastrand::f64())
    }
}

/// Why a failed attempt may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryKind {
    /// The service asked the client to slow down.
    Throttling,
    /// A 5xx response or an error the model marks retryable.
    ServerError,
    /// The connection failed, or the attempt timed out.
    Transient,
}

/// Error codes that mean "slow down", from the AWS SDKs' standard list, plus
/// Kinesis Video's own.
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
    "ClientLimitExceededException",
];

const TRANSIENT_CODES: &[&str] = &[
    "RequestTimeout",
    "RequestTimeoutException",
    "PriorRequestNotComplete",
];

/// Statuses the standard mode retries as transient.
const TRANSIENT_STATUSES: &[u16] = &[500, 502, 503, 504];

/// Classifies an error response by status and error code, for errors the model
/// does not describe.
pub(crate) fn classify_response(status: u16, code: Option<&str>) -> Option<RetryKind> {
    if let Some(code) = code {
        if THROTTLING_CODES.contains(&code) {
            return Some(RetryKind::Throttling);
        }
        if TRANSIENT_CODES.contains(&code) {
            return Some(RetryKind::Transient);
        }
    }
    match status {
        429 => Some(RetryKind::Throttling),
        s if TRANSIENT_STATUSES.contains(&s) => Some(RetryKind::ServerError),
        _ => None,
    }
}

/// The standard mode's retry quota: every retry spends tokens (more after a
/// timeout), every success returns some, and no retry happens once the bucket
/// is empty. Shared by the clients made from one [`crate::Config`].
#[derive(Debug, Clone)]
pub(crate) struct RetryQuota(Arc<AtomicU32>);

const QUOTA_CAPACITY: u32 = 500;
const RETRY_COST: u32 = 5;
const TIMEOUT_RETRY_COST: u32 = 10;

impl Default for RetryQuota {
    fn default() -> Self {
        RetryQuota(Arc::new(AtomicU32::new(QUOTA_CAPACITY)))
    }
}

impl RetryQuota {
    /// Takes the cost of one retry; `None` when the quota is spent.
    pub fn acquire(&self, timeout: bool) -> Option<u32> {
        let cost = if timeout {
            TIMEOUT_RETRY_COST
        } else {
            RETRY_COST
        };
        self.0
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| t.checked_sub(cost))
            .ok()
            .map(|_| cost)
    }

    /// Returns tokens after a success: what its retries cost, or 1 for a
    /// first-try success.
    pub fn release(&self, spent: u32) {
        let back = if spent == 0 { 1 } else { spent };
        let _ = self
            .0
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                Some((t + back).min(QUOTA_CAPACITY))
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let r = RetryConfig::standard()
            .with_initial_backoff(Duration::from_secs(1))
            .with_max_backoff(Duration::from_secs(3));
        for _ in 0..100 {
            assert!(r.backoff(2) <= Duration::from_secs(1));
            assert!(r.backoff(3) <= Duration::from_secs(2));
            assert!(r.backoff(9) <= Duration::from_secs(3));
        }
    }

    #[test]
    fn classification() {
        assert_eq!(
            classify_response(400, Some("ClientLimitExceededException")),
            Some(RetryKind::Throttling)
        );
        for status in [500, 502, 503, 504] {
            assert_eq!(
                classify_response(status, None),
                Some(RetryKind::ServerError)
            );
        }
        for status in [501, 505, 507, 400, 403, 404, 409] {
            assert_eq!(classify_response(status, None), None, "{status}");
        }
        assert_eq!(
            classify_response(400, Some("RequestTimeout")),
            Some(RetryKind::Transient)
        );
        assert_eq!(
            classify_response(500, Some("ThrottlingException")),
            Some(RetryKind::Throttling)
        );
        assert_eq!(classify_response(429, None), Some(RetryKind::Throttling));
        assert_eq!(
            classify_response(404, Some("ResourceNotFoundException")),
            None
        );
    }

    #[test]
    fn quota_empties_and_refills() {
        let q = RetryQuota::default();
        let mut n = 0;
        while q.acquire(false).is_some() {
            n += 1;
        }
        assert_eq!(n, QUOTA_CAPACITY / RETRY_COST);
        q.release(5);
        assert!(q.acquire(false).is_some());
    }
}
