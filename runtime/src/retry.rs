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
    adaptive: bool,
}

impl Default for RetryConfig {
    /// The standard mode: 3 attempts, backoff starting at 1 s, capped at 20 s.
    fn default() -> Self {
        RetryConfig {
            max_attempts: 3,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(20),
            adaptive: false,
        }
    }
}

impl RetryConfig {
    /// The standard mode.
    pub fn standard() -> Self {
        Self::default()
    }

    /// The adaptive mode: the standard mode plus client-side rate limiting.
    /// After a throttling response, every client made from the config sends
    /// more slowly (a token bucket whose rate follows the AWS SDKs' CUBIC
    /// curve), then speeds up again as requests succeed.
    pub fn adaptive() -> Self {
        RetryConfig {
            adaptive: true,
            ..Self::default()
        }
    }

    /// Whether client-side rate limiting is on.
    pub fn is_adaptive(&self) -> bool {
        self.adaptive
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
        let r = u64::from_le_bytes(crate::random_bytes::<8>());
        // 53 random bits: a uniform fraction in [0, 1).
        ceiling.mul_f64((r >> 11) as f64 / (1u64 << 53) as f64)
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
/// is empty. Shared by the clients made from one [`crate::Config`], with the
/// adaptive mode's rate limiter.
#[derive(Debug, Clone)]
pub(crate) struct RetryQuota(Arc<AtomicU32>, Arc<std::sync::Mutex<RateLimiter>>);

const QUOTA_CAPACITY: u32 = 500;
const RETRY_COST: u32 = 5;
const TIMEOUT_RETRY_COST: u32 = 10;

impl Default for RetryQuota {
    fn default() -> Self {
        RetryQuota(
            Arc::new(AtomicU32::new(QUOTA_CAPACITY)),
            Arc::new(std::sync::Mutex::new(RateLimiter::new())),
        )
    }
}

impl RetryQuota {
    fn limiter(&self) -> std::sync::MutexGuard<'_, RateLimiter> {
        self.1.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adaptive mode: waits for the rate limiter's token before an attempt.
    pub async fn rate_limit(&self) {
        let wait = self.limiter().acquire(now_secs());
        if wait > 0.0 {
            tokio::time::sleep(Duration::from_secs_f64(wait)).await;
        }
    }

    /// Adaptive mode: tells the rate limiter how an attempt went.
    pub fn record(&self, throttled: bool) {
        self.limiter().update(throttled, now_secs());
    }
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

/// Seconds on a monotonic clock (tokio's, so paused-time tests can drive it).
fn now_secs() -> f64 {
    static START: std::sync::OnceLock<tokio::time::Instant> = std::sync::OnceLock::new();
    let start = *START.get_or_init(tokio::time::Instant::now);
    tokio::time::Instant::now()
        .saturating_duration_since(start)
        .as_secs_f64()
}

/// The adaptive mode's client-side rate limiter, as the AWS SDKs define it: a
/// token bucket that is off until the first throttling response, whose fill
/// rate then drops to `beta` times the rate that was measured and recovers
/// along a cubic curve while requests succeed.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    enabled: bool,
    fill_rate: f64,
    max_capacity: f64,
    capacity: f64,
    last_refill: Option<f64>,
    measured_rate: f64,
    rate_bucket: f64,
    requests: u64,
    last_max_rate: f64,
    last_throttle: f64,
    time_window: f64,
}

const SMOOTH: f64 = 0.8;
const BETA: f64 = 0.7;
const SCALE: f64 = 0.4;
const MIN_FILL_RATE: f64 = 0.5;
const MIN_CAPACITY: f64 = 1.0;

impl RateLimiter {
    fn new() -> Self {
        RateLimiter {
            enabled: false,
            fill_rate: 0.0,
            max_capacity: 0.0,
            capacity: 0.0,
            last_refill: None,
            measured_rate: 0.0,
            rate_bucket: 0.0,
            requests: 0,
            last_max_rate: 0.0,
            last_throttle: 0.0,
            time_window: 0.0,
        }
    }

    fn refill(&mut self, now: f64) {
        if let Some(last) = self.last_refill {
            self.capacity = (self.capacity + (now - last) * self.fill_rate).min(self.max_capacity);
        }
        self.last_refill = Some(now);
    }

    /// Takes one token; returns how long to wait for it (0 when it is there).
    fn acquire(&mut self, now: f64) -> f64 {
        if !self.enabled {
            return 0.0;
        }
        self.refill(now);
        // The token is spent now; a debt is paid off by waiting.
        self.capacity -= 1.0;
        if self.capacity >= 0.0 {
            0.0
        } else {
            -self.capacity / self.fill_rate
        }
    }

    fn update(&mut self, throttled: bool, now: f64) {
        self.update_measured_rate(now);
        let rate = if throttled {
            let rate = if self.enabled {
                self.measured_rate.min(self.fill_rate)
            } else {
                self.measured_rate
            };
            self.last_max_rate = rate;
            self.time_window = (self.last_max_rate * (1.0 - BETA) / SCALE).cbrt();
            self.last_throttle = now;
            self.enabled = true;
            rate * BETA
        } else {
            self.time_window = (self.last_max_rate * (1.0 - BETA) / SCALE).cbrt();
            SCALE * (now - self.last_throttle - self.time_window).powi(3) + self.last_max_rate
        };
        if self.enabled {
            let new_rate = rate.min(2.0 * self.measured_rate);
            self.refill(now);
            self.fill_rate = new_rate.max(MIN_FILL_RATE);
            self.max_capacity = new_rate.max(MIN_CAPACITY);
            self.capacity = self.capacity.min(self.max_capacity);
        }
    }

    fn update_measured_rate(&mut self, now: f64) {
        let bucket = (now * 2.0).floor() / 2.0;
        self.requests += 1;
        if bucket > self.rate_bucket {
            let current = self.requests as f64 / (bucket - self.rate_bucket);
            self.measured_rate = current * SMOOTH + self.measured_rate * (1.0 - SMOOTH);
            self.requests = 0;
            self.rate_bucket = bucket;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_limiter_is_off_until_throttled_then_slows_and_recovers() {
        let mut r = RateLimiter::new();
        // 20 requests a second for 5 s, all fine: no limit.
        let mut t = 0.0;
        while t < 5.0 {
            assert_eq!(r.acquire(t), 0.0);
            r.update(false, t);
            t += 0.05;
        }
        // A throttle: the fill rate drops to 70 % of the measured ~20/s.
        r.update(true, t);
        assert!(r.enabled);
        assert!((r.fill_rate - 0.7 * r.last_max_rate).abs() < 1e-9);
        assert!(r.fill_rate > 10.0 && r.fill_rate < 16.0, "{}", r.fill_rate);
        // Sending faster than the fill rate now waits.
        let waits: f64 = (0..40).map(|i| r.acquire(t + i as f64 * 0.01)).sum();
        assert!(waits > 0.0);
        // Successes over the following seconds bring the rate back up.
        let throttled_rate = r.fill_rate;
        for i in 0..200 {
            r.update(false, t + 1.0 + i as f64 * 0.05);
        }
        assert!(
            r.fill_rate > throttled_rate,
            "{} > {throttled_rate}",
            r.fill_rate
        );
    }

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
