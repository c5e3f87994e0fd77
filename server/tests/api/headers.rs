//! Every response's security headers: pages with a nonce policy their own scripts satisfy, no
//! framing, no referrer, HSTS on https, and nothing cached for a signed-in caller.
use crate::helpers::{spawn_app, spawn_app_with};
use reqwest::Response;

fn header(response: &Response, name: &str) -> String {
    response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_page_allows_only_its_own_nonced_scripts_and_cannot_be_framed() {
    let app = spawn_app().await;
    let response = app.get("/sign-in").await;
    assert_eq!(response.status(), 200);
    let policy = header(&response, "content-security-policy");
    assert_eq!(header(&response, "x-frame-options"), "DENY");
    assert_eq!(header(&response, "referrer-policy"), "no-referrer");
    assert_eq!(header(&response, "x-content-type-options"), "nosniff");
    assert_eq!(header(&response, "strict-transport-security"), "", "no HSTS on plain http");
    let html = response.text().await.expect("html");
    for directive in ["frame-ancestors 'none'", "'strict-dynamic'", "'wasm-unsafe-eval'", "object-src 'none'"] {
        assert!(policy.contains(directive), "{directive} in {policy}");
    }
    assert!(!policy.contains("'unsafe-inline'") && !policy.contains("'unsafe-eval'"), "{policy}");
    let nonce = policy.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a nonce");
    let tags: Vec<&str> = html.split("<script").skip(1).map(|rest| rest.split('>').next().unwrap_or("")).collect();
    assert!(!tags.is_empty(), "the page hydrates with scripts");
    for tag in tags {
        assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "a script without the policy's nonce: <script{tag}>");
    }
    let again = header(&app.get("/sign-in").await, "content-security-policy");
    assert_ne!(again, policy, "each render has its own nonce");
}

#[tokio::test]
async fn nothing_answered_to_a_signed_in_caller_is_cached() {
    let app = spawn_app().await;
    let anonymous = app.get("/api/instances").await;
    assert_eq!(header(&anonymous, "content-security-policy"), app::backend::security::NON_PAGE_POLICY);
    app.sign_up("ana@loja.com", "senha-forte-1").await;
    for path in ["/instances", "/reports", "/api/instances", "/api/reports/export.csv"] {
        let response = app.client.get(app.url(path)).header("accept", "application/json").send().await.expect("get");
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(header(&response, "cache-control"), "no-store", "{path}");
    }
}

#[tokio::test]
async fn an_https_public_url_adds_hsts() {
    let app = spawn_app_with(|vars| {
        vars.insert("PUBLIC_URL".into(), "https://insta.example.com".into());
    })
    .await;
    let response = app.get("/sign-in").await;
    assert_eq!(header(&response, "strict-transport-security"), "max-age=31536000");
    assert!(header(&response, "content-security-policy").contains("connect-src 'self' wss://insta.example.com"));
}
