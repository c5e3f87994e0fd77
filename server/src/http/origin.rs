//! Refuses cross-site requests: a browser's `Origin` must be the origin of `PUBLIC_URL`, on every
//! state-changing request and on the `/ws` upgrade (a WebSocket is not covered by CORS, so any
//! page could otherwise open one with the visitor's cookie and read their live events).
//! SameSite=Lax cookies already keep sessions out of cross-site POSTs; this also covers browsers
//! and sibling subdomains where SameSite falls short. Requests without `Origin` (scripts, Meta's
//! webhook deliveries) pass: they carry no ambient browser credentials.
use axum::{
    extract::{Request, State},
    http::{header, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use std::sync::Arc;

/// `public_origin` is the origin of `PUBLIC_URL`, worked out once when the router is built.
pub async fn same_origin(State(public_origin): State<Arc<str>>, request: Request, next: Next) -> Response {
    let checked =
        !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) || request.uri().path() == "/ws";
    let origin = request.headers().get(header::ORIGIN).map(|v| v.to_str().unwrap_or("?"));
    if checked && origin.is_some_and(|origin| !origin.eq_ignore_ascii_case(&public_origin)) {
        return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    /// What the middleware decides for a browser's `Origin` under this `PUBLIC_URL`.
    fn same(origin: &str, public_url: &str) -> bool {
        app::backend::security::origin(public_url).is_some_and(|public| origin.eq_ignore_ascii_case(&public))
    }

    #[test]
    fn only_the_public_urls_own_origin_is_the_same() {
        assert!(same("https://insta.clerky.com.br", "https://insta.clerky.com.br"));
        assert!(same("https://Insta.Clerky.com.br", "https://insta.clerky.com.br/app/"));
        assert!(same("http://127.0.0.1:3000", "http://127.0.0.1:3000"));
        assert!(!same("http://127.0.0.1:3001", "http://127.0.0.1:3000"), "another port");
        assert!(!same("http://insta.clerky.com.br", "https://insta.clerky.com.br"), "another scheme");
        assert!(!same("https://evil.clerky.com.br", "https://insta.clerky.com.br"), "a sibling subdomain");
        assert!(!same("https://insta.clerky.com.br.evil.example", "https://insta.clerky.com.br"));
        assert!(!same("null", "https://insta.clerky.com.br"));
    }
}
