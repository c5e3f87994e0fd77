//! Meta's webhooks (CONTRACT.md §8, §9): the verification handshake and deliveries, on the
//! per-instance callback `/webhook/instagram/{instanceName}` and the app-level `/webhook/instagram`
//! (Meta's dashboard holds one URL per app). Both share one path: check, store, answer 200; the
//! workers route each entry to its instance by account id.
use app::backend::{
    meta::{events, signature},
    AppState,
};
use axum::{
    body::Bytes,
    extract::{DefaultBodyLimit, Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use secrecy::ExposeSecret;
use serde::Deserialize;

pub fn routes(max_body: usize) -> Router<AppState> {
    Router::new()
        .route("/webhook/instagram", get(verify).post(receive_app))
        .route("/webhook/instagram/{instance_name}", get(verify_instance).post(receive_instance))
        // Bigger bodies are answered 413 before they are read whole.
        .layer(DefaultBodyLimit::max(max_body))
}

#[derive(Deserialize)]
struct Handshake {
    #[serde(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    challenge: Option<String>,
}

async fn verify(State(state): State<AppState>, Query(handshake): Query<Handshake>) -> Response {
    answer_handshake(&state, handshake)
}

async fn verify_instance(
    State(state): State<AppState>,
    Path(_instance_name): Path<String>,
    Query(handshake): Query<Handshake>,
) -> Response {
    answer_handshake(&state, handshake)
}

/// The challenge as the whole plain-text body when the mode and token are right; 403 otherwise.
fn answer_handshake(state: &AppState, handshake: Handshake) -> Response {
    let expected = state.config.meta.verify_token.expose_secret().as_bytes();
    let token_ok = handshake.verify_token.is_some_and(|t| constant_time_eq(t.as_bytes(), expected));
    match (handshake.mode.as_deref(), handshake.challenge) {
        (Some("subscribe"), Some(challenge)) if token_ok => {
            ([(axum::http::header::CONTENT_TYPE, "text/plain; charset=utf-8")], challenge).into_response()
        }
        _ => (StatusCode::FORBIDDEN, "verification failed").into_response(),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn receive_app(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    receive(&state, None, &headers, body).await
}

async fn receive_instance(
    State(state): State<AppState>,
    Path(instance_name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    receive(&state, Some(&instance_name), &headers, body).await
}

/// Signature over the raw bytes first, then the JSON, then the instance; stored before the 200.
async fn receive(state: &AppState, instance_name: Option<&str>, headers: &HeaderMap, body: Bytes) -> Response {
    let signature = headers.get("x-hub-signature-256").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !signature::verify(&state.config.meta.webhook_secrets(), signature, &body) {
        return (StatusCode::UNAUTHORIZED, "invalid signature").into_response();
    }
    // Lone surrogate escapes (half an emoji) are repaired, not refused: the rest is someone's data.
    if serde_json::from_slice::<serde::de::IgnoredAny>(&body).is_err() && events::json_value(&body).is_err() {
        return (StatusCode::BAD_REQUEST, "invalid JSON").into_response();
    }
    if let Some(name) = instance_name {
        match state.directory.instance_by_name(&state.mongo, name).await {
            Ok(Some(_)) => {}
            Ok(None) => return (StatusCode::NOT_FOUND, "unknown instance").into_response(),
            Err(error) => return unavailable(&error),
        }
    }
    match state.acceptor.accept(instance_name, body, signature).await {
        Ok(id) => {
            tracing::debug!(delivery.id = %id, "delivery {id} stored");
            StatusCode::OK.into_response()
        }
        // Not stored, so not acknowledged: Meta delivers it again.
        Err(error) => unavailable(&error),
    }
}

fn unavailable(error: &dyn std::fmt::Display) -> Response {
    tracing::error!("webhook delivery not stored: {error}");
    (StatusCode::SERVICE_UNAVAILABLE, "try again").into_response()
}
