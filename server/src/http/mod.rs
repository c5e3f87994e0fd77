//! Plain axum routes outside Leptos.
pub mod error;
pub mod export_csv;
pub mod health;
pub mod instagram;
pub mod live_ws;
pub mod locale;
pub mod origin;
pub mod report_post;
pub mod security_headers;
pub mod text_input;
pub mod webhook;

use app::backend::rate_limit::Limited;
use axum::{
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};

/// 429 with how long to wait.
pub fn too_many_requests(limited: Limited) -> Response {
    let wait = limited.retry_after_secs().to_string();
    (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, wait)], "too many requests").into_response()
}
