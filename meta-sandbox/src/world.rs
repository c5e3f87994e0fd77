//! Everything the sandbox remembers: its clock, test accounts, codes, tokens and the call record.
use crate::{accounts::Account, record::Call};
use rand::{distributions::Alphanumeric, Rng};
use std::collections::HashMap;

pub const CODE_LIFETIME: i64 = 3600;
pub const SHORT_TOKEN_LIFETIME: i64 = 3600;
pub const LONG_TOKEN_LIFETIME: i64 = 5_184_000;
pub const REFRESH_MIN_AGE: i64 = 86_400;

pub struct Code {
    pub account: usize,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub issued_at: i64,
    pub used: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    ShortLived,
    LongLived,
}

#[derive(Clone)]
pub struct Token {
    pub account: usize,
    pub kind: TokenKind,
    pub scopes: Vec<String>,
    pub issued_at: i64,
    pub expires_at: i64,
    pub revoked: bool,
}

pub struct World {
    /// Seconds added to the real clock by the control API, so expiry can be tested.
    pub clock_offset: i64,
    pub accounts: Vec<Account>,
    pub codes: HashMap<String, Code>,
    pub tokens: HashMap<String, Token>,
    pub calls: Vec<Call>,
}

/// Why a token is not usable, in Meta's 190 subcodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenProblem {
    Invalid,
    Expired { expired_at: i64 },
}

impl World {
    pub fn seeded() -> Self {
        Self {
            clock_offset: 0,
            accounts: crate::accounts::seed(),
            codes: HashMap::new(),
            tokens: HashMap::new(),
            calls: Vec::new(),
        }
    }

    /// Unix seconds on the sandbox's clock.
    pub fn now(&self) -> i64 {
        let real = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or_default();
        real + self.clock_offset
    }

    pub fn issue_code(&mut self, account: usize, redirect_uri: &str, scopes: Vec<String>) -> String {
        let code = format!("AQ{}", random_string(180));
        let issued_at = self.now();
        self.codes.insert(
            code.clone(),
            Code { account, redirect_uri: redirect_uri.to_owned(), scopes, issued_at, used: false },
        );
        code
    }

    pub fn issue_token(&mut self, account: usize, kind: TokenKind, scopes: Vec<String>) -> (String, i64) {
        let token = format!("IGAA{}", random_string(if kind == TokenKind::LongLived { 180 } else { 150 }));
        let lifetime = if kind == TokenKind::LongLived { LONG_TOKEN_LIFETIME } else { SHORT_TOKEN_LIFETIME };
        let issued_at = self.now();
        let expires_at = issued_at + lifetime;
        self.tokens.insert(token.clone(), Token { account, kind, scopes, issued_at, expires_at, revoked: false });
        (token, lifetime)
    }

    /// The live token named `token`, or why it cannot be used.
    pub fn token(&self, token: &str) -> Result<&Token, TokenProblem> {
        let found = self.tokens.get(token).filter(|t| !t.revoked).ok_or(TokenProblem::Invalid)?;
        if found.expires_at <= self.now() {
            return Err(TokenProblem::Expired { expired_at: found.expires_at });
        }
        Ok(found)
    }
}

pub fn random_string(len: usize) -> String {
    rand::thread_rng().sample_iter(&Alphanumeric).take(len).map(char::from).collect()
}
