//! Control calls for load runs: many accounts and followers at once, events recorded as Instagram
//! would (windows opened, comments kept) and handed back for the caller to deliver at its own
//! pace, Meta's answer times, and counters over the whole run. Meta's rules still hold per
//! account: every account is a full account of the sandbox.
use crate::{
    accounts,
    followers::{failure, record_comment, record_dm, Failure},
    people,
    world::Stats,
    Sandbox,
};
use axum::{extract::State, http::StatusCode, routing::post, Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/_sandbox/bulk", post(bulk))
        .route("/_sandbox/events", post(events))
        .route("/_sandbox/latency", post(set_latency).delete(clear_latency))
        .route("/_sandbox/stats", axum::routing::get(stats))
}

/// At most this many accounts, followers or events per call.
const MAX_PER_CALL: usize = 100_000;

#[derive(Deserialize)]
struct Bulk {
    accounts: usize,
    followers: usize,
    /// Usernames are `{prefix}.loja{n}` and `{prefix}.seguidor{n}`.
    #[serde(default = "default_prefix")]
    prefix: String,
}

fn default_prefix() -> String {
    "carga".into()
}

/// Creates (or finds) `accounts` professional accounts, each with a post and a reel, and
/// `followers` people.
async fn bulk(State(sandbox): State<Sandbox>, Json(bulk): Json<Bulk>) -> Result<Json<Value>, Failure> {
    let prefix_ok = !bulk.prefix.is_empty()
        && bulk.prefix.len() <= 20
        && bulk.prefix.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !prefix_ok || bulk.accounts > MAX_PER_CALL || bulk.followers > MAX_PER_CALL {
        return Err(failure(
            StatusCode::UNPROCESSABLE_ENTITY,
            "prefix: 1 to 20 lowercase letters or digits; at most 100000 each",
        ));
    }
    let mut world = sandbox.world();
    let accounts: Vec<Value> = (0..bulk.accounts)
        .map(|n| {
            let serial = world.accounts.len();
            let index = world.add_account(accounts::numbered(&bulk.prefix, n, serial));
            let a = &world.accounts[index];
            json!({ "ig_id": a.ig_id, "username": a.username, "media": a.media.iter().map(|m| &m.id).collect::<Vec<_>>() })
        })
        .collect();
    let followers: Vec<Value> = (0..bulk.followers)
        .map(|n| {
            let username = format!("{}.seguidor{n}", bulk.prefix);
            let fresh = people::new_person(&username, world.people.len());
            let index = world.add_person(fresh);
            let p = &world.people[index];
            json!({ "username": p.username, "igsid": p.igsid })
        })
        .collect();
    Ok(Json(json!({ "accounts": accounts, "followers": followers })))
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum NewEvent {
    /// A follower's DM to an account (username or IG_ID).
    Dm { from: String, to: String, text: String },
    /// A follower's comment on a media.
    Comment { from: String, media_id: String, text: String },
}

#[derive(Deserialize)]
struct Events {
    events: Vec<NewEvent>,
    /// Also deliver them through the sandbox's webhooks (false: the caller delivers).
    #[serde(default)]
    deliver: bool,
}

/// Records events as the follower API does and returns each one's webhook `entry`, in order.
async fn events(State(sandbox): State<Sandbox>, Json(request): Json<Events>) -> Result<Json<Value>, Failure> {
    if request.events.len() > MAX_PER_CALL {
        return Err(failure(StatusCode::UNPROCESSABLE_ENTITY, "at most 100000 events per call"));
    }
    let mut world = sandbox.world();
    let mut recorded = Vec::with_capacity(request.events.len());
    for event in &request.events {
        let (from, text) = match event {
            NewEvent::Dm { from, text, .. } | NewEvent::Comment { from, text, .. } => (from, text),
        };
        if text.trim().is_empty() {
            return Err(failure(StatusCode::UNPROCESSABLE_ENTITY, "text is empty"));
        }
        let person = world
            .person(from)
            .or_else(|| world.person_by_igsid(from))
            .cloned()
            .ok_or_else(|| failure(StatusCode::NOT_FOUND, "no such follower"))?;
        let (_, event) = match event {
            NewEvent::Dm { to, text, .. } => {
                let account = world
                    .account_by_username(to)
                    .or_else(|| world.account_by_ig_id(to))
                    .ok_or_else(|| failure(StatusCode::NOT_FOUND, "no such account"))?;
                record_dm(&mut world, &person, account, text)
            }
            NewEvent::Comment { media_id, text, .. } => record_comment(&mut world, &person, media_id, text, None)?,
        };
        recorded.push(event);
    }
    drop(world);
    let entries: Vec<Value> = recorded.iter().map(crate::webhooks::Event::entry).collect();
    if request.deliver {
        recorded.into_iter().for_each(|event| sandbox.emit(event));
    }
    Ok(Json(json!({ "entries": entries })))
}

#[derive(Deserialize)]
struct Latency {
    min_ms: u64,
    max_ms: u64,
}

/// Every Graph and token call answers after a random time between `min_ms` and `max_ms`.
async fn set_latency(State(sandbox): State<Sandbox>, Json(latency): Json<Latency>) -> StatusCode {
    if latency.min_ms > latency.max_ms || latency.max_ms > 60_000 {
        return StatusCode::UNPROCESSABLE_ENTITY;
    }
    sandbox.world().latency_ms = Some((latency.min_ms, latency.max_ms));
    StatusCode::NO_CONTENT
}

async fn clear_latency(State(sandbox): State<Sandbox>) -> StatusCode {
    sandbox.world().latency_ms = None;
    StatusCode::NO_CONTENT
}

async fn stats(State(sandbox): State<Sandbox>) -> Json<Stats> {
    Json(sandbox.world().stats.clone())
}
