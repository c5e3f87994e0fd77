//! Webhook deliveries as Meta makes them (CONTRACT.md §8 to §10): the callback's verification
//! handshake, per-account subscriptions, signed and ASCII-escaped payloads, batching, retries for
//! up to 36 hours, and injected duplicates, delays and reordering.
use crate::Sandbox;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Fields an app can subscribe to for Instagram Login.
pub const FIELDS: [&str; 10] = [
    "messages",
    "message_edit",
    "message_reactions",
    "messaging_postbacks",
    "messaging_seen",
    "messaging_referral",
    "messaging_optins",
    "comments",
    "live_comments",
    "mentions",
];
/// Meta stops retrying a failed delivery after 36 hours.
const RETRY_FOR: Duration = Duration::from_secs(36 * 3600);
const MAX_BATCH: usize = 1000;

/// The app's callback, as saved in Meta's App Dashboard.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WebhookConfig {
    pub callback_url: String,
    pub verify_token: String,
    /// How long Meta waits for the callback (5 s at Meta).
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// Pauses between attempts; the last repeats until 36 hours have passed.
    #[serde(default = "default_retry_delays_ms")]
    pub retry_delays_ms: Vec<u64>,
    /// How long the sandbox waits for more events to batch into one POST.
    #[serde(default = "default_batch_window_ms")]
    pub batch_window_ms: u64,
}

fn default_timeout_ms() -> u64 {
    5000
}
fn default_retry_delays_ms() -> Vec<u64> {
    vec![0, 1000, 5000, 30_000, 120_000, 600_000, 3_600_000]
}
fn default_batch_window_ms() -> u64 {
    20
}

/// Delivery faults: duplicate, delay or reorder what comes next.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DeliveryFaults {
    /// Deliver each of the next N POSTs twice.
    #[serde(default)]
    pub duplicate: u32,
    /// Hold each of the next `delay_count` POSTs for `delay_ms`.
    #[serde(default)]
    pub delay_ms: u64,
    #[serde(default)]
    pub delay_count: u32,
    /// Deliver the next N events in reverse order, one POST each.
    #[serde(default)]
    pub reorder: u32,
    /// For this many seconds from now, every delivery is lost as if the callback had been down
    /// past Meta's 36 hours of retries: recorded as given up, never posted.
    #[serde(default)]
    pub drop_seconds: i64,
    /// Until when (sandbox clock, unix ms) deliveries are dropped; set from `drop_seconds`.
    #[serde(default, skip_deserializing)]
    pub drop_until_ms: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Attempt {
    pub at_ms: i64,
    pub status: Option<u16>,
    pub error: Option<String>,
    pub elapsed_ms: u64,
}

/// One POST to the callback and what became of it.
#[derive(Clone, Debug, Serialize)]
pub struct Delivery {
    pub id: usize,
    /// The exact bytes sent (JSON with non-ASCII escaped, as Meta sends it).
    pub body: String,
    pub signature: String,
    pub attempts: Vec<Attempt>,
    pub acknowledged: bool,
    pub gave_up: bool,
}

/// Something that happened on Instagram, to be delivered to the app.
#[derive(Clone, Debug)]
pub struct Event {
    pub account_ig_id: String,
    pub field: &'static str,
    pub payload: Payload,
}

#[derive(Clone, Debug)]
pub enum Payload {
    /// A `messaging` item; its entry's `time` is in milliseconds.
    Messaging { item: Value, time_ms: i64 },
    /// A `changes` item `{field, value}`; its entry's `time` is in seconds.
    Change { value: Value, time_s: i64 },
}

pub type Outbox = mpsc::UnboundedSender<Event>;

impl Event {
    /// The `entry` item Meta would deliver for this event.
    pub fn entry(&self) -> Value {
        match &self.payload {
            Payload::Messaging { item, time_ms } => {
                json!({ "id": self.account_ig_id, "time": time_ms, "messaging": [item] })
            }
            Payload::Change { value, time_s } => {
                json!({ "id": self.account_ig_id, "time": time_s, "changes": [{ "field": self.field, "value": value }] })
            }
        }
    }
}

/// Meta escapes every non-ASCII character (`\u00e7`, surrogate pairs for emoji), so an app that
/// re-serialises the parsed JSON computes another signature.
pub fn escape_non_ascii(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

pub fn signature_sha256(secret: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    format!("sha256={}", hex(&mac.finalize().into_bytes()))
}

fn signature_sha1(secret: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<sha1::Sha1> as Mac>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    format!("sha1={}", hex(&mac.finalize().into_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Saves the callback after Meta's handshake: a GET with `hub.challenge` that must come back as
/// the whole body with status 200. Returns the dashboard's error otherwise.
pub async fn register(sandbox: &Sandbox, config: WebhookConfig) -> Result<(), String> {
    let challenge = rand::random::<u32>().to_string();
    let response = sandbox
        .http
        .get(&config.callback_url)
        .query(&[
            ("hub.mode", "subscribe"),
            ("hub.challenge", challenge.as_str()),
            ("hub.verify_token", config.verify_token.as_str()),
        ])
        .timeout(Duration::from_millis(config.timeout_ms))
        .send()
        .await
        .map_err(|e| {
            format!("The URL couldn't be validated. Callback verification failed with the following errors: {e}")
        })?;
    let status = response.status().as_u16();
    let body = response.text().await.unwrap_or_default();
    if status != 200 || body != challenge {
        return Err(format!(
            "The URL couldn't be validated. Response does not match challenge, expected value=\"{challenge}\", received=\"{}\" (HTTP {status})",
            body.chars().take(200).collect::<String>()
        ));
    }
    sandbox.world().webhook = Some(config);
    Ok(())
}

/// Runs until the sandbox is dropped: batches queued events into POSTs and sends them.
pub async fn run(sandbox: Sandbox, mut events: mpsc::UnboundedReceiver<Event>) {
    while let Some(first) = events.recv().await {
        let window = sandbox.world().webhook.as_ref().map_or(0, |w| w.batch_window_ms);
        tokio::time::sleep(Duration::from_millis(window)).await;
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match events.try_recv() {
                Ok(event) => batch.push(event),
                Err(_) => break,
            }
        }
        for (body, hold) in plan(&sandbox, batch) {
            let sandbox = sandbox.clone();
            tokio::spawn(async move {
                if hold > 0 {
                    tokio::time::sleep(Duration::from_millis(hold)).await;
                }
                deliver(&sandbox, body).await;
            });
        }
    }
}

/// Turns a batch into POST bodies, applying subscriptions and delivery faults.
fn plan(sandbox: &Sandbox, batch: Vec<Event>) -> Vec<(String, u64)> {
    let mut world = sandbox.world();
    if world.webhook.is_none() {
        return Vec::new();
    }
    let subscribed: Vec<Event> = batch
        .into_iter()
        .filter(|event| {
            world
                .account_by_ig_id(&event.account_ig_id)
                .and_then(|account| world.subscriptions.get(&account))
                .is_some_and(|fields| fields.iter().any(|f| f == event.field))
        })
        .collect();
    if subscribed.is_empty() {
        return Vec::new();
    }
    let faults = &mut world.delivery_faults;
    let mut groups: Vec<Vec<Event>> = if faults.reorder > 0 {
        let n = usize::try_from(faults.reorder).unwrap_or(usize::MAX).min(subscribed.len());
        faults.reorder -= u32::try_from(n).unwrap_or(0);
        let mut reversed: Vec<Vec<Event>> = subscribed.into_iter().map(|e| vec![e]).collect();
        reversed[..n].reverse();
        reversed
    } else {
        vec![subscribed]
    };
    let mut bodies = Vec::new();
    for group in groups.drain(..) {
        let entries: Vec<Value> = group.iter().map(Event::entry).collect();
        let body = escape_non_ascii(&json!({ "object": "instagram", "entry": entries }).to_string());
        let hold = if faults.delay_count > 0 {
            faults.delay_count -= 1;
            faults.delay_ms
        } else {
            0
        };
        if faults.duplicate > 0 {
            faults.duplicate -= 1;
            bodies.push((body.clone(), hold));
        }
        bodies.push((body, hold));
    }
    bodies
}

/// Sends one body until the callback answers 2xx in time, or 36 hours have passed.
async fn deliver(sandbox: &Sandbox, body: String) {
    let Some(config) = sandbox.world().webhook.clone() else { return };
    let secret = sandbox.app.app_secret.clone();
    let signature = signature_sha256(&secret, body.as_bytes());
    let id = sandbox.world().record_delivery(Delivery {
        id: 0,
        body: body.clone(),
        signature: signature.clone(),
        attempts: Vec::new(),
        acknowledged: false,
        gave_up: false,
    });
    {
        let mut world = sandbox.world();
        if world.now_ms() < world.delivery_faults.drop_until_ms {
            if let Some(delivery) = world.delivery_mut(id) {
                delivery.gave_up = true;
            }
            return;
        }
    }
    let started = Instant::now();
    let mut delays = config.retry_delays_ms.iter().copied();
    let mut last_delay = 0;
    loop {
        let attempt_started = Instant::now();
        let result = sandbox
            .http
            .post(&config.callback_url)
            .header("content-type", "application/json")
            .header("user-agent", "facebookexternalua")
            .header("facebook-api-version", "unversioned")
            .header("x-hub-signature", signature_sha1(&secret, body.as_bytes()))
            .header("x-hub-signature-256", &signature)
            .timeout(Duration::from_millis(config.timeout_ms))
            .body(body.clone())
            .send()
            .await;
        let elapsed_ms = u64::try_from(attempt_started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let (status, error) = match &result {
            Ok(response) => (Some(response.status().as_u16()), None),
            Err(e) if e.is_timeout() => (None, Some("timeout".to_owned())),
            Err(e) => (None, Some(e.to_string())),
        };
        let ok = status.is_some_and(|s| (200..300).contains(&s));
        {
            let mut world = sandbox.world();
            let at_ms = world.now_ms();
            world.stats.delivery_attempts += 1;
            if let Some(delivery) = world.delivery_mut(id) {
                delivery.attempts.push(Attempt { at_ms, status, error, elapsed_ms });
                delivery.acknowledged = ok;
            }
        }
        if ok {
            return;
        }
        let delay = delays.next().unwrap_or(last_delay);
        last_delay = delay;
        if started.elapsed() + Duration::from_millis(delay) > RETRY_FOR {
            if let Some(delivery) = sandbox.world().delivery_mut(id) {
                delivery.gave_up = true;
            }
            return;
        }
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_is_escaped_like_meta_including_surrogate_pairs() {
        let json = json!({ "text": "preço ❤️ 😀" }).to_string();
        assert_eq!(escape_non_ascii(&json), r#"{"text":"pre\u00e7o \u2764\ufe0f \ud83d\ude00"}"#);
        let back: Value = serde_json::from_str(&escape_non_ascii(&json)).expect("still JSON");
        assert_eq!(back["text"], "preço ❤️ 😀");
    }

    #[test]
    fn signatures_are_lowercase_hex_hmacs_of_the_raw_body() {
        // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog"), a published test vector.
        assert_eq!(
            signature_sha256("key", b"The quick brown fox jumps over the lazy dog"),
            "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
    }
}
