//! Server-only code shared by the server functions and the server binary.
pub mod accounts;
pub mod api_keys;
pub mod auth;
pub mod automations;
pub mod catch_up;
pub mod clock;
pub mod comments;
pub mod config;
pub mod connect;
pub mod crypto;
pub mod directory;
pub mod engine;
pub mod error;
pub mod health;
pub mod inbox;
pub mod insights;
pub mod instances;
pub mod leads;
pub mod live;
pub mod mail;
pub mod measure;
pub mod meta;
pub mod notifications;
pub mod password;
pub mod proxies;
pub mod rate_limit;
pub mod reports;
pub mod security;
pub mod state;
pub mod store;

pub use state::{state, AppState};

use crate::domain::error::AppError;

/// [`respond`] for a server function that fills one part of a page (the media picker): called
/// over HTTP its error has its status, but rendering a page, a failing part shows its own message
/// and must not turn the whole page into an error.
pub fn respond_part<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    let called_directly = leptos::prelude::use_context::<http::request::Parts>()
        .is_some_and(|parts| parts.uri.path().starts_with("/api/"));
    if called_directly {
        respond(result)
    } else {
        result
    }
}

/// Gives a server function's error its HTTP status, so scripts see 401, 403, 422 or 429. A
/// browser without JavaScript (a plain form's POST, which accepts HTML and says where it came
/// from) is sent back to its page instead, with the error in `?error=` for the page to show; and
/// when a later try succeeds, back to that page without the earlier error.
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() else { return result };
    let parts = leptos::prelude::use_context::<http::request::Parts>();
    match &result {
        Err(error) => {
            if let Some(back) = parts.as_ref().and_then(|p| back_to_form(p, Some(error))) {
                send_back(&options, &back);
                return result;
            }
            if let Ok(status) = http::StatusCode::from_u16(error.status()) {
                options.set_status(status);
            }
        }
        Ok(_) => {
            // A function that says where to go (sign-in, connect) keeps its own redirect.
            let redirects = || options.0.read().map_or(true, |sent| sent.headers.contains_key(http::header::LOCATION));
            if let Some(back) = parts.as_ref().and_then(|p| back_to_form(p, None)).filter(|_| !redirects()) {
                send_back(&options, &back);
            }
        }
    }
    result
}

fn send_back(options: &leptos_axum::ResponseOptions, back: &str) {
    if let Ok(location) = http::HeaderValue::from_str(back) {
        options.set_status(http::StatusCode::SEE_OTHER);
        options.insert_header(http::header::LOCATION, location);
    }
}

/// A browser's own form POST, without JavaScript: it accepts HTML, where a page's script asks for
/// the server function's answer. leptos_axum answers it with a redirect back to its page.
pub fn is_plain_form(parts: &http::request::Parts) -> bool {
    let accepts_html =
        parts.headers.get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"));
    parts.method == http::Method::POST && accepts_html
}

/// Where a plain form's POST goes back to: its page (the same site only) with `error=` replaced
/// by `error`, or, on success, removed. `None` for a script or a page with JavaScript, which read
/// the answer themselves, and for a success from a page that shows no earlier error (leptos_axum
/// sends that back to the page as it was).
fn back_to_form(parts: &http::request::Parts, error: Option<&AppError>) -> Option<String> {
    if !is_plain_form(parts) {
        return None;
    }
    let referer = parts.headers.get(http::header::REFERER)?.to_str().ok()?;
    let path = referer.split_once("://").map(|(_, rest)| rest.find('/').map_or("/", |i| &rest[i..]))?;
    let (page, query) = path.split_once('?').unwrap_or((path, ""));
    let is_error = |p: &&str| p.starts_with("error=");
    if error.is_none() && !query.split('&').any(|p| is_error(&p)) {
        return None;
    }
    let mut kept: Vec<String> = query.split('&').filter(|p| !p.is_empty() && !is_error(p)).map(str::to_owned).collect();
    if let Some(error) = error {
        kept.push(format!("error={}", crate::domain::url::encode(&serde_json::to_string(error).ok()?)));
    }
    let page = crate::domain::user::local_path(Some(page));
    Some(if kept.is_empty() { page } else { format!("{page}?{}", kept.join("&")) })
}
