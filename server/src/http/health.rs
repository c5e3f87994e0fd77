//! `/healthz` (the process answers) and `/readyz` (its databases answer and are migrated).
use app::backend::{store, AppState};
use axum::{extract::State, http::StatusCode, Json};
use serde_json::{json, Value};

pub async fn live() -> &'static str {
    "ok"
}

pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let (postgres, migrations) = match store::pg::migrations_applied(&state.pg).await {
        Ok(applied) => ("ok", if applied { "ok" } else { "pending" }),
        Err(error) => {
            tracing::warn!("readiness: PostgreSQL: {error}");
            ("unreachable", "unknown")
        }
    };
    let mongodb = match store::mongo::ping(&state.mongo).await {
        Ok(()) => "ok",
        Err(error) => {
            tracing::warn!("readiness: MongoDB: {error}");
            "unreachable"
        }
    };
    let ready = postgres == "ok" && migrations == "ok" && mongodb == "ok";
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(json!({ "postgres": postgres, "migrations": migrations, "mongodb": mongodb })))
}
