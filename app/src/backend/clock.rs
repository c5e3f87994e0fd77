//! The service's time. Rules that depend on it (Meta's 24-hour and 7-day windows, expiries,
//! cooldowns, timeouts, retry deadlines) read it here and hand it to the store as a parameter,
//! never as SQL's `now()`, so a test moves time forward as the Meta sandbox's clock moves,
//! instead of rewriting stored rows.
use chrono::{DateTime, Duration, Utc};
use std::sync::{
    atomic::{AtomicI64, Ordering},
    Arc,
};

/// The system's clock, plus how far a test has moved it (nothing, in production). Clones share
/// it: every part of one process reads the same time.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    ahead_millis: Arc<AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::milliseconds(self.ahead_millis.load(Ordering::Relaxed))
    }

    /// Moves this process's time forward by `by` (tests: "eleven minutes later").
    pub fn advance(&self, by: Duration) {
        self.ahead_millis.fetch_add(by.num_milliseconds(), Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moved_time_is_shared_by_every_clone_and_only_moves_forward_by_what_was_asked() {
        let clock = Clock::default();
        let other = clock.clone();
        let before = clock.now();
        other.advance(Duration::hours(25));
        let moved = clock.now() - before;
        assert!(moved >= Duration::hours(25) && moved < Duration::hours(25) + Duration::seconds(5), "{moved}");
        assert!(Clock::default().now() < clock.now() - Duration::hours(24), "a new clock is not moved");
    }
}
