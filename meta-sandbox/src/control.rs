//! `/_sandbox`: what tests and people use to drive the sandbox (never part of Meta's API).
use crate::{
    faults::Fault,
    record::Call,
    webhooks::{self, Delivery, DeliveryFaults, WebhookConfig},
    Sandbox,
};
use axum::{
    extract::{Path, Query, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use serde::Deserialize;
use serde_json::{json, Value};

pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route("/_sandbox/clock", get(clock))
        .route("/_sandbox/clock/advance", post(advance_clock))
        .route("/_sandbox/calls", get(calls).delete(clear_calls))
        .route("/_sandbox/accounts", get(accounts))
        .route("/_sandbox/tokens/revoke", post(revoke_token))
        .route("/_sandbox/webhook", get(webhook).post(register_webhook))
        .route("/_sandbox/deliveries", get(deliveries))
        .route("/_sandbox/faults", get(faults).post(add_fault).delete(clear_faults))
        .route("/_sandbox/faults/deliveries", post(delivery_faults))
        .route("/_sandbox/limits", post(limits))
        .route("/_sandbox/pictures/{file}", get(picture))
        .route("/_sandbox/media/{file}", get(media_picture))
}

/// `/_sandbox/pictures/{username}.svg`: the profile pictures `/me` points at.
async fn picture(State(sandbox): State<Sandbox>, Path(file): Path<String>) -> Response {
    let world = sandbox.world();
    let account = file.strip_suffix(".svg").and_then(|name| world.account_by_username(name));
    match account {
        Some(account) => {
            ([(header::CONTENT_TYPE, "image/svg+xml")], world.accounts[account].picture_svg()).into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `/_sandbox/media/{media_id}.svg`: the pictures `/media` points at.
async fn media_picture(State(sandbox): State<Sandbox>, Path(file): Path<String>) -> Response {
    let world = sandbox.world();
    let id = file.strip_suffix(".svg").unwrap_or_default();
    match world.accounts.iter().flat_map(|a| a.media.iter()).find(|m| m.id == id) {
        Some(media) => ([(header::CONTENT_TYPE, "image/svg+xml")], media.picture_svg()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn webhook(State(sandbox): State<Sandbox>) -> Json<Value> {
    Json(json!(sandbox.world().webhook))
}

/// Saves the app's callback after Meta's verification handshake against it.
async fn register_webhook(
    State(sandbox): State<Sandbox>,
    Json(config): Json<WebhookConfig>,
) -> Result<Json<Value>, (StatusCode, Json<Value>)> {
    match webhooks::register(&sandbox, config).await {
        Ok(()) => Ok(Json(json!({ "success": true }))),
        Err(message) => Err((StatusCode::BAD_REQUEST, Json(json!({ "error": message })))),
    }
}

#[derive(Deserialize)]
struct DeliveryFilter {
    /// Only deliveries whose body contains this text.
    contains: Option<String>,
}

async fn deliveries(State(sandbox): State<Sandbox>, Query(filter): Query<DeliveryFilter>) -> Json<Vec<Delivery>> {
    let world = sandbox.world();
    let matching = world
        .deliveries
        .iter()
        .filter(|d| filter.contains.as_deref().is_none_or(|text| d.body.contains(text)))
        .cloned()
        .collect();
    Json(matching)
}

async fn faults(State(sandbox): State<Sandbox>) -> Json<Vec<Fault>> {
    Json(sandbox.world().faults.clone())
}

/// Adds a fault: `{"endpoint": "messages", "kind": "server_error", "count": 2}` or
/// `{"endpoint": "*", "kind": "rate_limit", "share": 0.3, "seconds": 60}`.
async fn add_fault(State(sandbox): State<Sandbox>, Json(mut fault): Json<Fault>) -> Result<StatusCode, StatusCode> {
    let valid_share = fault.share.is_none_or(|s| (0.0..=1.0).contains(&s));
    if !valid_share || (fault.count.is_none() && fault.share.is_none()) {
        return Err(StatusCode::UNPROCESSABLE_ENTITY);
    }
    let mut world = sandbox.world();
    fault.until = fault.seconds.map(|s| world.now() + s);
    world.faults.push(fault);
    Ok(StatusCode::CREATED)
}

async fn clear_faults(State(sandbox): State<Sandbox>) -> StatusCode {
    let mut world = sandbox.world();
    world.faults.clear();
    world.delivery_faults = DeliveryFaults::default();
    StatusCode::NO_CONTENT
}

/// Duplicates, delays or reorders the next deliveries.
async fn delivery_faults(State(sandbox): State<Sandbox>, Json(mut faults): Json<DeliveryFaults>) -> StatusCode {
    let mut world = sandbox.world();
    if faults.drop_seconds > 0 {
        faults.drop_until_ms = world.now_ms() + faults.drop_seconds * 1000;
    }
    world.delivery_faults = faults;
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct Limits {
    platform_calls_per_hour: usize,
}

async fn limits(State(sandbox): State<Sandbox>, Json(limits): Json<Limits>) -> StatusCode {
    sandbox.world().platform_calls_per_hour = limits.platform_calls_per_hour;
    StatusCode::NO_CONTENT
}

async fn clock(State(sandbox): State<Sandbox>) -> Json<Value> {
    let world = sandbox.world();
    Json(json!({ "now": world.now(), "offset_seconds": world.clock_offset }))
}

#[derive(Deserialize)]
struct Advance {
    seconds: i64,
}

/// Moves the sandbox's clock forward, so code, token and window expiry can be tested at once.
async fn advance_clock(
    State(sandbox): State<Sandbox>,
    Json(advance): Json<Advance>,
) -> Result<Json<Value>, StatusCode> {
    if advance.seconds < 0 {
        return Err(StatusCode::UNPROCESSABLE_ENTITY);
    }
    let mut world = sandbox.world();
    world.clock_offset += advance.seconds;
    Ok(Json(json!({ "now": world.now(), "offset_seconds": world.clock_offset })))
}

#[derive(Deserialize)]
struct CallFilter {
    method: Option<String>,
    /// Calls whose path ends with this (so `/me` matches `/v24.0/me` too).
    path: Option<String>,
}

async fn calls(State(sandbox): State<Sandbox>, Query(filter): Query<CallFilter>) -> Json<Vec<Call>> {
    let world = sandbox.world();
    let matching = world
        .calls
        .iter()
        .filter(|c| filter.method.as_deref().is_none_or(|m| c.method.eq_ignore_ascii_case(m)))
        .filter(|c| filter.path.as_deref().is_none_or(|p| c.path.ends_with(p)))
        .cloned()
        .collect();
    Json(matching)
}

async fn clear_calls(State(sandbox): State<Sandbox>) -> StatusCode {
    sandbox.world().calls.clear();
    StatusCode::NO_CONTENT
}

async fn accounts(State(sandbox): State<Sandbox>) -> Json<Value> {
    let world = sandbox.world();
    let list: Vec<Value> = world
        .accounts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            json!({ "ig_id": a.ig_id, "app_scoped_id": a.app_scoped_id, "username": a.username, "name": a.name,
                    "account_type": a.account_type, "followers_count": a.followers_count, "media": a.media,
                    "subscribed_fields": world.subscriptions.get(&i) })
        })
        .collect();
    Json(Value::Array(list))
}

#[derive(Deserialize)]
struct Revoke {
    access_token: String,
}

/// Revokes a token as if the person removed the app or changed their password.
async fn revoke_token(State(sandbox): State<Sandbox>, Json(revoke): Json<Revoke>) -> StatusCode {
    match sandbox.world().tokens.get_mut(&revoke.access_token) {
        Some(token) => {
            token.revoked = true;
            StatusCode::NO_CONTENT
        }
        None => StatusCode::NOT_FOUND,
    }
}
