//! The record of every call the sandbox received, so tests can assert what the app sent.
use crate::Sandbox;
use axum::{
    body::{to_bytes, Body},
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use serde::Serialize;

const SECRET_PARAMETERS: [&str; 3] = ["access_token", "client_secret", "code"];

#[derive(Clone, Debug, Serialize)]
pub struct Call {
    /// Sandbox clock, unix seconds.
    pub at: i64,
    /// The same moment in milliseconds, for pacing checks.
    pub at_ms: i64,
    /// The caller's `User-Agent` (which server process sent it).
    pub user_agent: Option<String>,
    pub method: String,
    pub path: String,
    /// Query parameters, with tokens, secrets and codes replaced by `[redacted]`.
    pub query: Vec<(String, String)>,
    /// Body parameters (form or JSON), likewise redacted.
    pub body: serde_json::Value,
    pub status: u16,
}

pub async fn record(State(sandbox): State<Sandbox>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if path.starts_with("/_sandbox") {
        return next.run(request).await;
    }
    let method = request.method().to_string();
    let user_agent = request.headers().get("user-agent").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let query = request.uri().query().map(parse_pairs).unwrap_or_default();
    // When the call arrived, which is when Meta applies it (its answer may come later).
    let at_ms = sandbox.world().now_ms();
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, 1 << 20).await.unwrap_or_default();
    let body_value = body_value(&bytes);
    let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let mut world = sandbox.world();
    let status = response.status().as_u16();
    world.record_call(Call { at: at_ms / 1000, at_ms, user_agent, method, path, query, body: body_value, status });
    response
}

fn parse_pairs(raw: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(raw)
        .unwrap_or_default()
        .into_iter()
        .map(|(key, value)| {
            let value = if SECRET_PARAMETERS.contains(&key.as_str()) { "[redacted]".to_owned() } else { value };
            (key, value)
        })
        .collect()
}

fn body_value(bytes: &[u8]) -> serde_json::Value {
    if bytes.is_empty() {
        return serde_json::Value::Null;
    }
    if let Ok(mut json) = serde_json::from_slice::<serde_json::Value>(bytes) {
        if let Some(object) = json.as_object_mut() {
            for key in SECRET_PARAMETERS {
                if object.contains_key(key) {
                    object.insert(key.to_owned(), "[redacted]".into());
                }
            }
        }
        return json;
    }
    let text = String::from_utf8_lossy(bytes);
    let pairs = parse_pairs(&text);
    serde_json::Value::Object(pairs.into_iter().map(|(k, v)| (k, serde_json::Value::String(v))).collect())
}
