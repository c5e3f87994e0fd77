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

/// `public_url` is `PUBLIC_URL`, shared with the middleware once.
pub async fn same_origin(State(public_url): State<Arc<str>>, request: Request, next: Next) -> Response {
    let checked =
        !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) || request.uri().path() == "/ws";
    let origin = request.headers().get(header::ORIGIN).map(|v| v.to_str().unwrap_or("?"));
    if checked && origin.is_some_and(|origin| !same(origin, &public_url)) {
        return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
    }
    next.run(request).await
}

/// Whether `origin` (`scheme://host[:port]`) is the origin of `public_url`.
fn same(origin: &str, public_url: &str) -> bool {
    let public = public_url.split_once("://").map(|(scheme, rest)| (scheme, rest.split('/').next().unwrap_or(rest)));
    let origin = origin.split_once("://");
    matches!((origin, public), (Some((s1, a1)), Some((s2, a2))) if s1.eq_ignore_ascii_case(s2) && a1.eq_ignore_ascii_case(a2))
}

#[cfg(test)]
mod tests {
    use super::same;

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
