//! Meta's webhooks (CONTRACT.md §8, §9): the verification handshake and deliveries, on the
//! per-instance callback `/webhook/instagram/{instanceName}` and the app-level `/webhook/instagram`
//! (Meta's dashboard holds one URL per app). Both share one path: check, store, answer 200; the
//! workers route each entry to its instance by account id.
use app::backend::{
    auth, measure,
    meta::{events, signature},
    rate_limit::{self, Quota},
    security, AppState,
};
use axum::{
    body::Bytes,
    extract::{ConnectInfo, DefaultBodyLimit, Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, MethodRouter},
};
use secrecy::ExposeSecret;
use serde::Deserialize;
use std::net::SocketAddr;

/// `/webhook/instagram`; bigger bodies than `max_body` are answered 413 before they are read whole.
pub fn app_level(max_body: usize) -> MethodRouter<AppState> {
    get(verify).post(receive_app).layer(DefaultBodyLimit::max(max_body))
}

/// `/webhook/instagram/{instance_name}`.
pub fn per_instance(max_body: usize) -> MethodRouter<AppState> {
    get(verify_instance).post(receive_instance).layer(DefaultBodyLimit::max(max_body))
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
    let token_ok = handshake.verify_token.is_some_and(|t| security::same_secret(t.as_bytes(), expected));
    match (handshake.mode.as_deref(), handshake.challenge) {
        (Some("subscribe"), Some(challenge)) if token_ok => {
            ([(axum::http::header::CONTENT_TYPE, "text/plain; charset=utf-8")], challenge).into_response()
        }
        _ => (StatusCode::FORBIDDEN, "verification failed").into_response(),
    }
}

async fn receive_app(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    receive(&state, None, peer, &headers, body).await
}

async fn receive_instance(
    State(state): State<AppState>,
    Path(instance_name): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    receive(&state, Some(&instance_name), peer, &headers, body).await
}

/// Signature over the raw bytes first, then the JSON, then the instance; stored before the 200.
async fn receive(
    state: &AppState,
    instance_name: Option<&str>,
    peer: SocketAddr,
    headers: &HeaderMap,
    body: Bytes,
) -> Response {
    let signature = headers.get("x-hub-signature-256").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !signature::verify(&state.config.meta.webhook_secrets(), signature, &body) {
        measure::delivery("unsigned");
        return refuse_unsigned(state, peer, headers).await;
    }
    // Lone surrogate escapes (half an emoji) are repaired, not refused: the rest is someone's data.
    if serde_json::from_slice::<serde::de::IgnoredAny>(&body).is_err() && events::json_value(&body).is_err() {
        measure::delivery("invalid_json");
        return (StatusCode::BAD_REQUEST, "invalid JSON").into_response();
    }
    if let Some(name) = instance_name {
        match state.directory.instance_by_name(&state.mongo, name).await {
            Ok(Some(_)) => {}
            Ok(None) => {
                measure::delivery("unknown_instance");
                return (StatusCode::NOT_FOUND, "unknown instance").into_response();
            }
            Err(error) => return unavailable(&error),
        }
    }
    match state.acceptor.accept(instance_name, body, signature).await {
        Ok(id) => {
            tracing::debug!(delivery.id = %id, "delivery {id} stored");
            measure::delivery("stored");
            StatusCode::OK.into_response()
        }
        // Not stored, so not acknowledged: Meta delivers it again.
        Err(error) => unavailable(&error),
    }
}

/// 401, or 429 once an address keeps posting what Meta did not sign: Meta's own deliveries are
/// never counted, so a flood from elsewhere cannot slow them.
async fn refuse_unsigned(state: &AppState, peer: SocketAddr, headers: &HeaderMap) -> Response {
    let ip =
        auth::client_ip_of(&state.config, headers, Some(peer.ip())).map_or_else(|| "-".to_owned(), |ip| ip.to_string());
    let quota = Quota::per_minute(state.config.limits.unsigned_webhooks_per_ip_per_minute);
    match rate_limit::take(state, "unsigned-webhooks", &ip, quota).await {
        Ok(Err(limited)) => super::too_many_requests(limited),
        Ok(Ok(())) | Err(_) => (StatusCode::UNAUTHORIZED, "invalid signature").into_response(),
    }
}

fn unavailable(error: &dyn std::fmt::Display) -> Response {
    measure::delivery("not_stored");
    tracing::error!("webhook delivery not stored: {error}");
    (StatusCode::SERVICE_UNAVAILABLE, "try again").into_response()
}
