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
}
