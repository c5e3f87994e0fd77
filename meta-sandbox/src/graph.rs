//! Graph API endpoints (CONTRACT.md §5 onwards), with Meta's usage headers on every answer.
use crate::{errors::GraphError, world::World, Sandbox};
use axum::{
    extract::{Path, Query, State},
    http::{header, HeaderMap, HeaderValue},
    response::{IntoResponse, Response},
    Json,
};
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// The legacy per-account quota the usage headers are computed against (calls per hour).
const CALLS_PER_HOUR: usize = 200;

/// `vNN.0`, as Meta's versioned paths.
pub fn check_version(version: &str) -> Result<(), GraphError> {
    let digits = version.strip_prefix('v').and_then(|v| v.strip_suffix(".0"));
    match digits {
        Some(d) if !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()) => Ok(()),
        _ => Err(GraphError::new(2500, format!("Unknown path components: /{version}"))),
    }
}

#[derive(Debug, Deserialize)]
pub struct FieldsQuery {
    fields: Option<String>,
    access_token: Option<String>,
}

/// The caller's token: `Authorization: Bearer` or `?access_token=` (both accepted by Meta).
fn caller_token<'a>(headers: &'a HeaderMap, query: Option<&'a str>) -> Option<&'a str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("OAuth ")))
        .or(query)
}

/// Resolves the token to an account index, counting the call for the usage headers.
fn authenticate(world: &mut World, token: Option<&str>) -> Result<usize, GraphError> {
    let now = world.now();
    let account = world.token(token.unwrap_or_default()).map_err(|p| GraphError::token(p, now))?.account;
    world.accounts[account].calls.push(now);
    Ok(account)
}

/// `X-App-Usage` and `X-Business-Use-Case-Usage`, in percent of the hourly quota.
fn with_usage(world: &mut World, account: usize, mut response: Response) -> Response {
    let now = world.now();
    let calls = &mut world.accounts[account].calls;
    calls.retain(|at| now - at < 3600);
    let percent = (calls.len() * 100 / CALLS_PER_HOUR).min(100);
    let app = json!({ "call_count": percent, "total_time": percent / 2, "total_cputime": percent / 2 });
    let business = json!({ world.accounts[account].ig_id.clone(): [{
        "type": "instagram", "call_count": percent, "total_cputime": percent / 2, "total_time": percent / 2,
        "estimated_time_to_regain_access": 0,
    }]});
    let headers = response.headers_mut();
    for (name, value) in [("x-app-usage", app), ("x-business-use-case-usage", business)] {
        if let Ok(value) = HeaderValue::from_str(&value.to_string()) {
            headers.insert(name, value);
        }
    }
    response
}

/// `GET /me?fields=...`: the account behind the token. `id` is app-scoped, `user_id` the IG_ID.
pub async fn me(State(sandbox): State<Sandbox>, headers: HeaderMap, Query(query): Query<FieldsQuery>) -> Response {
    let mut world = sandbox.world();
    let account = match authenticate(&mut world, caller_token(&headers, query.access_token.as_deref())) {
        Ok(account) => account,
        Err(error) => return error.into_response(),
    };
    let a = &world.accounts[account];
    let mut body = Map::new();
    body.insert("id".into(), a.app_scoped_id.clone().into());
    for field in query.fields.as_deref().unwrap_or_default().split(',').map(str::trim).filter(|f| !f.is_empty()) {
        let value = match field {
            "id" => a.app_scoped_id.clone().into(),
            "user_id" => a.ig_id.clone().into(),
            "username" => a.username.into(),
            "name" => a.name.into(),
            "account_type" => a.account_type.into(),
            "profile_picture_url" => a.picture_url().into(),
            "followers_count" => a.followers_count.into(),
            "follows_count" => a.follows_count.into(),
            "media_count" => a.media.len().into(),
            unknown => {
                let error = GraphError::invalid_parameter(format!(
                    "(#100) Tried accessing nonexisting field ({unknown}) on node type (User)"
                ));
                return with_usage(&mut world, account, error.into_response());
            }
        };
        body.insert(field.to_owned(), value);
    }
    let response = Json(Value::Object(body)).into_response();
    with_usage(&mut world, account, response)
}

pub async fn me_versioned(
    state: State<Sandbox>,
    Path(version): Path<String>,
    headers: HeaderMap,
    query: Query<FieldsQuery>,
) -> Response {
    match check_version(&version) {
        Ok(()) => me(state, headers, query).await,
        Err(error) => error.into_response(),
    }
}
