//! Headers every response carries: no framing, no MIME sniffing, no referrer to other sites, HSTS
//! when the public URL is https, a Content-Security-Policy (pages set their own, with the render's
//! nonce), and `Cache-Control: no-store` on anything answered to a signed-in caller, so a shared
//! computer's cache or a proxy never keeps someone's reports.
use app::backend::{config::Config, security};
use axum::{
    extract::{Request, State},
    http::{header, HeaderValue},
    middleware::Next,
    response::Response,
};
use std::sync::Arc;

/// What the headers depend on, read once from the configuration (every response passes here).
pub struct Rules {
    session_cookie: &'static str,
    https: bool,
}

impl Rules {
    pub fn of(config: &Config) -> Arc<Self> {
        Arc::new(Self { session_cookie: security::session_cookie_name(config), https: config.secure_cookies() })
    }
}

pub async fn add(State(rules): State<Arc<Rules>>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let static_file = path.starts_with("/pkg/") || path == "/favicon.ico";
    let credentials =
        request.headers().contains_key(header::AUTHORIZATION) || auth_cookie(request.headers(), rules.session_cookie);
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name, value: &'static str| {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(headers, header::CONTENT_SECURITY_POLICY, security::NON_PAGE_POLICY);
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    // Not `no-referrer`: under it Chromium sends `Origin: null` with a form's POST, and the
    // same-origin check would refuse every form of a browser without JavaScript.
    set(headers, header::REFERRER_POLICY, "same-origin");
    if rules.https {
        set(headers, header::STRICT_TRANSPORT_SECURITY, "max-age=31536000");
    }
    if credentials && !static_file {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

fn auth_cookie(headers: &axum::http::HeaderMap, name: &str) -> bool {
    app::backend::auth::cookie(headers, name).is_some_and(|v| !v.is_empty())
}
