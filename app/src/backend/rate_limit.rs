//! Sign-in attempts allowed per client address and per account, to slow password guessing.
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::{net::IpAddr, num::NonZeroU32};

pub struct SignInLimits {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_account: DefaultKeyedRateLimiter<String>,
}

impl SignInLimits {
    pub fn new(per_ip_per_minute: u32, per_account_per_minute: u32) -> Self {
        let quota = |n: u32| Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN));
        Self {
            per_ip: RateLimiter::keyed(quota(per_ip_per_minute)),
            per_account: RateLimiter::keyed(quota(per_account_per_minute)),
        }
    }

    /// Counts one attempt; false when either the address or the account is over its quota.
    pub fn allow(&self, ip: Option<IpAddr>, account: &str) -> bool {
        let ip_ok = ip.is_none_or(|ip| self.per_ip.check_key(&ip).is_ok());
        ip_ok && self.per_account.check_key(&account.to_owned()).is_ok()
    }

    /// Forgets keys whose quota has refilled, so memory stays bounded.
    pub fn sweep(&self) {
        self.per_ip.retain_recent();
        self.per_account.retain_recent();
    }
}

/// Keeps each Instagram account inside Meta's sending limits (CONTRACT.md §12): Send API calls
/// per second, and private replies per hour.
pub struct OutboundLimits {
    sends: DefaultKeyedRateLimiter<String>,
    private_replies: DefaultKeyedRateLimiter<String>,
}

impl OutboundLimits {
    pub fn new(sends_per_second: u32, private_replies_per_hour: u32) -> Self {
        let nonzero = |n: u32| NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        Self {
            sends: RateLimiter::keyed(Quota::per_second(nonzero(sends_per_second))),
            private_replies: RateLimiter::keyed(Quota::per_hour(nonzero(private_replies_per_hour))),
        }
    }

    /// Takes one send for `account` (a private reply counts against both limits); otherwise how
    /// long until one is allowed.
    pub fn take(&self, account: &str, private_reply: bool) -> Result<(), std::time::Duration> {
        use governor::clock::{Clock, DefaultClock};
        let key = account.to_owned();
        let wait = |limiter: &DefaultKeyedRateLimiter<String>| {
            limiter.check_key(&key).map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
        };
        if private_reply {
            wait(&self.private_replies)?;
        }
        wait(&self.sends)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_limited_whatever_address_tries_it() {
        let limits = SignInLimits::new(100, 2);
        let ip = |n| Some(IpAddr::from([10, 0, 0, n]));
        assert!(limits.allow(ip(1), "ana@loja.com"));
        assert!(limits.allow(ip(2), "ana@loja.com"));
        assert!(!limits.allow(ip(3), "ana@loja.com"));
        assert!(limits.allow(ip(3), "bia@loja.com"));
    }

    #[test]
    fn an_address_is_limited_whatever_account_it_tries() {
        let limits = SignInLimits::new(2, 100);
        let ip = Some(IpAddr::from([10, 0, 0, 1]));
        assert!(limits.allow(ip, "a@x.com"));
        assert!(limits.allow(ip, "b@x.com"));
        assert!(!limits.allow(ip, "c@x.com"));
    }

    #[test]
    fn each_account_has_its_own_sending_pace_and_private_replies_count_twice() {
        let limits = OutboundLimits::new(2, 1);
        assert!(limits.take("a", false).is_ok());
        assert!(limits.take("a", false).is_ok());
        let wait = limits.take("a", false).expect_err("third send in the same second");
        assert!(wait > std::time::Duration::ZERO && wait <= std::time::Duration::from_secs(1));
        assert!(limits.take("b", false).is_ok(), "another account is not slowed down");
        assert!(limits.take("b", true).is_ok());
        let wait = limits.take("b", true).expect_err("one private reply an hour");
        assert!(wait > std::time::Duration::from_secs(60));
    }
}
