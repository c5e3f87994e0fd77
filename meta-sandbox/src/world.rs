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
/// The record keeps the most recent calls and deliveries, so a long benchmark does not grow it
/// without bound (`Stats` counts everything).
const CALLS_KEPT: usize = 100_000;
pub const DELIVERIES_KEPT: usize = 20_000;

pub struct Code {
    pub account: usize,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub issued_at: i64,
    pub used: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TokenKind {
    ShortLived,
    LongLived,
}

#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct Token {
    pub account: usize,
    pub kind: TokenKind,
    pub scopes: Vec<String>,
    pub issued_at: i64,
    pub expires_at: i64,
    pub revoked: bool,
}

/// A direct message, inbound or sent by the business.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Message {
    pub account: usize,
    pub igsid: String,
    pub text: Option<String>,
    /// What the account sent, as sent (`message` of the Send API): its buttons and quick replies.
    pub content: Option<serde_json::Value>,
    pub from_business: bool,
    /// Unix milliseconds.
    pub at_ms: i64,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
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
    /// Add accounts and people with `add_account` and `add_person`, which keep the indexes.
    pub accounts: Vec<Account>,
    pub people: Vec<Person>,
    account_by_ig_id: HashMap<String, usize>,
    account_by_username: HashMap<String, usize>,
    media_owner: HashMap<String, usize>,
    person_by_username: HashMap<String, usize>,
    person_by_igsid: HashMap<String, usize>,
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
    /// The latest deliveries; `deliveries_dropped` older ones were let go.
    pub deliveries: VecDeque<Delivery>,
    deliveries_dropped: usize,
    pub delivery_faults: DeliveryFaults,
    /// Business-use-case quota of platform (non-messaging) calls per account and hour.
    pub platform_calls_per_hour: usize,
    /// Every Graph answer waits a random time in this range (milliseconds), as Meta's do.
    pub latency_ms: Option<(u64, u64)>,
    pub stats: Stats,
}

/// Counters over the whole run, for load tests: the call record keeps only the latest calls.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Stats {
    pub graph_calls: u64,
    pub messages_sent: u64,
    pub private_replies_sent: u64,
    pub public_replies_sent: u64,
    /// Sends whose `metadata` tag was already used by an earlier successful send.
    pub duplicate_tagged_sends: u64,
    /// Public replies of an account to a comment it had already replied to.
    pub duplicate_public_replies: u64,
    pub deliveries: u64,
    pub delivery_attempts: u64,
    #[serde(skip)]
    pub tags: std::collections::HashSet<String>,
    #[serde(skip)]
    pub replied_comments: std::collections::HashSet<String>,
}

/// Why a token is not usable, in Meta's 190 subcodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenProblem {
    Invalid,
    Expired { expired_at: i64 },
}

impl World {
    /// A world with Meta's three seeded test accounts and three followers.
    pub fn seeded() -> Self {
        let mut world = Self::empty();
        crate::accounts::seed().into_iter().for_each(|a| {
            world.add_account(a);
        });
        crate::people::seed().into_iter().for_each(|p| {
            world.add_person(p);
        });
        world
    }

    pub(crate) fn empty() -> Self {
        Self {
            clock_offset: 0,
            accounts: Vec::new(),
            people: Vec::new(),
            account_by_ig_id: HashMap::new(),
            account_by_username: HashMap::new(),
            media_owner: HashMap::new(),
            person_by_username: HashMap::new(),
            person_by_igsid: HashMap::new(),
            codes: HashMap::new(),
            tokens: HashMap::new(),
            messages: HashMap::new(),
            last_inbound: HashMap::new(),
            comments: HashMap::new(),
            subscriptions: HashMap::new(),
            webhook: None,
            faults: Vec::new(),
            calls: VecDeque::new(),
            deliveries: VecDeque::new(),
            deliveries_dropped: 0,
            delivery_faults: DeliveryFaults::default(),
            platform_calls_per_hour: 4800,
            latency_ms: None,
            stats: Stats::default(),
        }
    }

    /// Adds an account (or returns the one with that username).
    pub fn add_account(&mut self, account: Account) -> usize {
        if let Some(existing) = self.account_by_username(&account.username) {
            return existing;
        }
        let index = self.accounts.len();
        self.account_by_ig_id.insert(account.ig_id.clone(), index);
        self.account_by_username.insert(account.username.clone(), index);
        for media in &account.media {
            self.media_owner.insert(media.id.clone(), index);
        }
        self.accounts.push(account);
        index
    }

    /// Adds a person (or returns the one with that username).
    pub fn add_person(&mut self, person: Person) -> usize {
        if let Some(&existing) = self.person_by_username.get(&person.username) {
            return existing;
        }
        let index = self.people.len();
        self.person_by_username.insert(person.username.clone(), index);
        self.person_by_igsid.insert(person.igsid.clone(), index);
        self.people.push(person);
        index
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

    /// Keeps a delivery in the record and returns its id.
    pub fn record_delivery(&mut self, mut delivery: Delivery) -> usize {
        if self.deliveries.len() == DELIVERIES_KEPT {
            self.deliveries.pop_front();
            self.deliveries_dropped += 1;
        }
        delivery.id = self.deliveries_dropped + self.deliveries.len();
        let id = delivery.id;
        self.deliveries.push_back(delivery);
        self.stats.deliveries += 1;
        id
    }

    pub fn delivery_mut(&mut self, id: usize) -> Option<&mut Delivery> {
        let index = id.checked_sub(self.deliveries_dropped)?;
        self.deliveries.get_mut(index)
    }

    pub fn account_by_ig_id(&self, ig_id: &str) -> Option<usize> {
        self.account_by_ig_id.get(ig_id).copied()
    }

    pub fn account_by_username(&self, username: &str) -> Option<usize> {
        self.account_by_username.get(username).copied()
    }

    /// The account that owns a media id.
    pub fn media_owner(&self, media_id: &str) -> Option<usize> {
        self.media_owner.get(media_id).copied()
    }

    pub fn person(&self, username: &str) -> Option<&Person> {
        self.person_by_username.get(username).map(|&i| &self.people[i])
    }

    pub fn person_by_igsid(&self, igsid: &str) -> Option<&Person> {
        self.person_by_igsid.get(igsid).map(|&i| &self.people[i])
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
