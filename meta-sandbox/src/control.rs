//! `/_sandbox`: what tests and people use to drive the sandbox (never part of Meta's API).
use crate::{record::Call, Sandbox};
use axum::{
    extract::{Query, State},
    http::StatusCode,
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
        .map(|a| {
            json!({ "ig_id": a.ig_id, "app_scoped_id": a.app_scoped_id, "username": a.username, "name": a.name,
                    "account_type": a.account_type, "followers_count": a.followers_count, "media": a.media })
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
