//! Rate limits held in PostgreSQL, so every server process counts against the same quota: sign-in
//! and sign-up attempts, server-function calls, CSV exports and WebSocket connections per user,
//! and unsigned webhook posts per address. A refusal carries how long to wait, which the edges
//! answer as 429 with `Retry-After`.
use super::error::Error;
use super::{state::AppState, store::pg::rate_limits};
use crate::domain::error::AppError;
use std::time::Duration;

/// So many requests per period, with bursts of up to `burst` at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    pub count: u32,
    pub per: Duration,
    pub burst: u32,
}

impl Quota {
    pub const fn per_minute(count: u32) -> Self {
        Self { count, per: Duration::from_secs(60), burst: count }
    }

    pub const fn per_hour(count: u32) -> Self {
        Self { count, per: Duration::from_secs(3600), burst: count }
    }

    /// The time one request's token takes to come back, and how far ahead a burst may run.
    fn gcra(self) -> (Duration, Duration) {
        let emission = self.per / self.count.max(1);
        (emission, emission * self.burst.max(1).saturating_sub(1))
    }
}

/// Over a quota: try again after `retry_after`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("rate limited for {retry_after:?}")]
pub struct Limited {
    pub retry_after: Duration,
}

impl Limited {
    /// `Retry-After`'s value: whole seconds, rounded up.
    pub fn retry_after_secs(&self) -> u64 {
        self.retry_after.as_secs() + u64::from(self.retry_after.subsec_nanos() > 0)
    }

    /// The server function's error, with `Retry-After` set on its response.
    pub fn into_app_error(self) -> AppError {
        if let (Some(options), Ok(value)) = (
            leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
            http::HeaderValue::from_str(&self.retry_after_secs().to_string()),
        ) {
            options.insert_header(http::header::RETRY_AFTER, value);
        }
        AppError::RateLimited
    }
}

/// Counts one request of `what` for `who` against `quota`.
pub async fn take(state: &AppState, what: &str, who: &str, quota: Quota) -> Result<Result<(), Limited>, Error> {
    let (emission, tolerance) = quota.gcra();
    let key = format!("{what}:{who}");
    let wait = rate_limits::take(&state.pg, &key, emission, tolerance).await?;
    Ok(wait.map_or(Ok(()), |retry_after| Err(Limited { retry_after })))
}

/// As [`take`], for server functions: a refusal is `RateLimited` with `Retry-After`.
pub async fn enforce(state: &AppState, what: &str, who: &str, quota: Quota) -> Result<(), Error> {
    Ok(take(state, what, who, quota).await?.map_err(Limited::into_app_error)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quota_spreads_its_tokens_and_allows_its_burst() {
        assert_eq!(Quota::per_minute(60).gcra(), (Duration::from_secs(1), Duration::from_secs(59)));
        let steady = Quota { count: 10, per: Duration::from_secs(1), burst: 1 };
        assert_eq!(steady.gcra(), (Duration::from_millis(100), Duration::ZERO));
        assert_eq!(Limited { retry_after: Duration::from_millis(1200) }.retry_after_secs(), 2);
        assert_eq!(Limited { retry_after: Duration::from_secs(3) }.retry_after_secs(), 3);
    }
}
