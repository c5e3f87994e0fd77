//! Everything the sandbox remembers: its clock, accounts, followers, conversations, comments,
//! codes and tokens, webhook settings, injected faults and the records of calls and deliveries.
use crate::{
    accounts::Account,
    faults::Fault,
    people::Person,
    record::Call,
    webhooks::{Delivery, DeliveryFaults, WebhookConfig},
};
use rand::{distributions::Alphanumeric, Rng};
use std::collections::{HashMap, VecDeque};

pub const CODE_LIFETIME: i64 = 3600;
pub const SHORT_TOKEN_LIFETIME: i64 = 3600;
pub const LONG_TOKEN_LIFETIME: i64 = 5_184_000;
pub const REFRESH_MIN_AGE: i64 = 86_400;
/// A business may message a person within 24 hours of that person's last message.
pub const MESSAGING_WINDOW: i64 = 86_400;
/// One private reply per comment, within 7 days of it.
pub const PRIVATE_REPLY_WINDOW: i64 = 7 * 86_400;
/// The record keeps the most recent calls, so a long benchmark does not grow it without bound.
const CALLS_KEPT: usize = 100_000;

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

/// A direct message, inbound or sent by the business.
#[derive(Clone, Debug)]
pub struct Message {
    pub account: usize,
    pub igsid: String,
    pub text: Option<String>,
    pub from_business: bool,
    /// Unix milliseconds.
    pub at_ms: i64,
}

#[derive(Clone, Debug)]
pub struct Comment {
    pub id: String,
    pub account: usize,
    pub media_id: String,
    /// The commenter's IGSID, or the account's IG_ID for its own replies.
    pub from_id: String,
    pub from_username: String,
    pub text: String,
    pub parent_id: Option<String>,
    /// Unix seconds.
    pub at: i64,
    pub private_replied: bool,
    pub hidden: bool,
}

pub struct World {
    /// Seconds added to the real clock by the control API, so expiry can be tested.
    pub clock_offset: i64,
    pub accounts: Vec<Account>,
    pub people: Vec<Person>,
    pub codes: HashMap<String, Code>,
    pub tokens: HashMap<String, Token>,
    pub messages: HashMap<String, Message>,
    /// (account, IGSID) → unix seconds of the person's last message.
    pub last_inbound: HashMap<(usize, String), i64>,
    pub comments: HashMap<String, Comment>,
    /// Fields each account subscribed the app to (`/me/subscribed_apps`).
    pub subscriptions: HashMap<usize, Vec<String>>,
    pub webhook: Option<WebhookConfig>,
    pub faults: Vec<Fault>,
    pub calls: VecDeque<Call>,
    pub deliveries: Vec<Delivery>,
    pub delivery_faults: DeliveryFaults,
    /// Business-use-case quota of platform (non-messaging) calls per account and hour.
    pub platform_calls_per_hour: usize,
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
            people: crate::people::seed(),
            codes: HashMap::new(),
            tokens: HashMap::new(),
            messages: HashMap::new(),
            last_inbound: HashMap::new(),
            comments: HashMap::new(),
            subscriptions: HashMap::new(),
            webhook: None,
            faults: Vec::new(),
            calls: VecDeque::new(),
            deliveries: Vec::new(),
            delivery_faults: DeliveryFaults::default(),
            platform_calls_per_hour: 4800,
        }
    }

    /// Unix milliseconds on the sandbox's clock.
    pub fn now_ms(&self) -> i64 {
        let real = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or_default();
        real + self.clock_offset * 1000
    }

    /// Unix seconds on the sandbox's clock.
    pub fn now(&self) -> i64 {
        self.now_ms() / 1000
    }

    pub fn record_call(&mut self, call: Call) {
        if self.calls.len() == CALLS_KEPT {
            self.calls.pop_front();
        }
        self.calls.push_back(call);
    }

    pub fn account_by_ig_id(&self, ig_id: &str) -> Option<usize> {
        self.accounts.iter().position(|a| a.ig_id == ig_id)
    }

    pub fn account_by_username(&self, username: &str) -> Option<usize> {
        self.accounts.iter().position(|a| a.username == username)
    }

    /// The account that owns a media id.
    pub fn media_owner(&self, media_id: &str) -> Option<usize> {
        self.accounts.iter().position(|a| a.media.iter().any(|m| m.id == media_id))
    }

    pub fn person(&self, username: &str) -> Option<&Person> {
        self.people.iter().find(|p| p.username == username)
    }

    pub fn person_by_igsid(&self, igsid: &str) -> Option<&Person> {
        self.people.iter().find(|p| p.igsid == igsid)
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

impl World {
    /// The token as a Graph caller presents it: live, or Meta's 190 error.
    pub fn live_token(&self, token: Option<&str>) -> Result<Token, crate::errors::GraphError> {
        let now = self.now();
        self.token(token.unwrap_or_default()).cloned().map_err(|problem| crate::errors::GraphError::token(problem, now))
    }
}

pub fn random_string(len: usize) -> String {
    rand::thread_rng().sample_iter(&Alphanumeric).take(len).map(char::from).collect()
}
