//! Injected failures: the next N calls of an endpoint, or a share of them for a while, fail the
//! way Meta fails (5xx, time-outs, rate limits, dead tokens).
use crate::{errors::GraphError, Sandbox};
use axum::{
    extract::{Request, State},
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Response},
};
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    ServerError,
    Timeout,
    RateLimit,
    InvalidToken,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Fault {
    /// The last path segment of the endpoint (`messages`, `replies`, `me`, `access_token`,
    /// `subscribed_apps`, `media`, `comments`, `insights`, ...), or `*` for every Graph call.
    pub endpoint: String,
    pub kind: FaultKind,
    /// Fail the next `count` calls...
    #[serde(default)]
    pub count: Option<u32>,
    /// ...or this share of calls (0 to 1) for `seconds`.
    #[serde(default)]
    pub share: Option<f64>,
    #[serde(default)]
    pub seconds: Option<i64>,
    /// How long a `timeout` keeps the caller waiting before a 504 (default 30 s).
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// Sandbox clock time after which a share-based fault stops.
    #[serde(default)]
    pub until: Option<i64>,
}

/// The endpoint name faults are keyed on.
fn endpoint_of(path: &str) -> &str {
    let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or_default();
    if last.chars().all(|c| c.is_ascii_digit()) {
        "node"
    } else {
        last
    }
}

/// Decides whether this call fails, consuming one use of a counted fault.
fn draw(sandbox: &Sandbox, endpoint: &str) -> Option<(FaultKind, u64)> {
    let mut world = sandbox.world();
    let now = world.now();
    world.faults.retain(|f| f.count != Some(0) && f.until.is_none_or(|until| until > now));
    let fault = world.faults.iter_mut().find(|f| f.endpoint == "*" || f.endpoint == endpoint)?;
    let fires = match (fault.count.as_mut(), fault.share) {
        (Some(count), _) => {
            *count -= 1;
            true
        }
        (None, Some(share)) => rand::thread_rng().gen_bool(share.clamp(0.0, 1.0)),
        (None, None) => true,
    };
    fires.then(|| (fault.kind, fault.delay_ms.unwrap_or(30_000)))
}

pub async fn inject(State(sandbox): State<Sandbox>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if path.starts_with("/_sandbox") || path.starts_with("/oauth/authorize") {
        return next.run(request).await;
    }
    let latency = sandbox.world().latency_ms;
    let response = fail_or_run(&sandbox, &path, request, next).await;
    // Meta acts at once and answers later: an echo can arrive before the answer (CONTRACT.md §7).
    if let Some((min, max)) = latency {
        let wait = if max > min { rand::thread_rng().gen_range(min..=max) } else { min };
        tokio::time::sleep(Duration::from_millis(wait)).await;
    }
    response
}

async fn fail_or_run(sandbox: &Sandbox, path: &str, request: Request, next: Next) -> Response {
    let endpoint = endpoint_of(path);
    let Some((kind, delay_ms)) = draw(sandbox, endpoint) else { return next.run(request).await };
    let messaging = matches!(endpoint, "messages" | "replies");
    match kind {
        FaultKind::ServerError => {
            let mut error = GraphError::new(2, "An unexpected error has occurred. Please retry your request later.");
            error.status = StatusCode::INTERNAL_SERVER_ERROR;
            error.transient = true;
            error.into_response()
        }
        FaultKind::Timeout => {
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
            (StatusCode::GATEWAY_TIMEOUT, "").into_response()
        }
        FaultKind::RateLimit if messaging => {
            GraphError::new(613, "Calls to this api have exceeded the rate limit.").subcode(2_534_040).into_response()
        }
        FaultKind::RateLimit => GraphError::new(4, "(#4) Application request limit reached").into_response(),
        FaultKind::InvalidToken => GraphError::new(190, "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.").subcode(460).into_response(),
    }
}
