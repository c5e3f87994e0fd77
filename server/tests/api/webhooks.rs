//! The webhook edge: Meta's handshake, and which deliveries are refused before anything is stored.
use crate::helpers::{spawn_app_with, TestApp};
use meta_sandbox::signature_sha256;

async fn stored(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM webhook_deliveries").fetch_one(&app.state.pg).await.expect("count")
}

async fn post(app: &TestApp, path: &str, body: &[u8], signature: Option<String>) -> reqwest::Response {
    let mut request = app.client.post(app.url(path)).header("content-type", "application/json").body(body.to_vec());
    if let Some(signature) = signature {
        request = request.header("x-hub-signature-256", signature);
    }
    request.send().await.expect("request")
}

#[tokio::test]
async fn the_handshake_echoes_the_challenge_only_for_the_right_token_on_both_callbacks() {
    let app = spawn_app_with(|_| {}).await;
    for path in ["/webhook/instagram", "/webhook/instagram/any-instance"] {
        let ok =
            app.get(&format!("{path}?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=verify-token")).await;
        assert_eq!(ok.status(), 200, "{path}");
        assert!(ok.headers()["content-type"].to_str().unwrap_or_default().starts_with("text/plain"));
        assert_eq!(ok.text().await.expect("body"), "1158201444");
        for query in [
            "hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong",
            "hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=verify-token",
            "hub.challenge=1",
        ] {
            assert_eq!(app.get(&format!("{path}?{query}")).await.status(), 403, "{path}?{query}");
        }
    }
}

#[tokio::test]
async fn bad_deliveries_are_refused_with_the_right_status_and_nothing_is_stored() {
    let app = spawn_app_with(|vars| {
        vars.insert("WEBHOOK_MAX_BYTES".into(), "2048".into());
    })
    .await;
    let body = br#"{"object":"instagram","entry":[]}"#;
    let sign = |bytes: &[u8]| Some(signature_sha256("app-secret", bytes));

    assert_eq!(post(&app, "/webhook/instagram", body, None).await.status(), 401, "no signature");
    let wrong = Some(signature_sha256("another-secret", body));
    assert_eq!(post(&app, "/webhook/instagram", body, wrong).await.status(), 401, "wrong secret");
    let tampered = br#"{"object":"instagram","entry":[{}]}"#;
    assert_eq!(post(&app, "/webhook/instagram", tampered, sign(body)).await.status(), 401, "body changed");

    let big = format!(r#"{{"object":"instagram","entry":[],"pad":"{}"}}"#, "x".repeat(4096));
    assert_eq!(post(&app, "/webhook/instagram", big.as_bytes(), sign(big.as_bytes())).await.status(), 413);
    assert_eq!(post(&app, "/webhook/instagram", b"{not json", sign(b"{not json")).await.status(), 400);
    assert_eq!(post(&app, "/webhook/instagram/no-such-instance", body, sign(body)).await.status(), 404);
    assert_eq!(stored(&app).await, 0, "nothing refused was kept");

    let accepted = post(&app, "/webhook/instagram", body, sign(body)).await;
    assert_eq!(accepted.status(), 200);
    assert_eq!(stored(&app).await, 1, "an acknowledged delivery is stored");
    let raw: Vec<u8> =
        sqlx::query_scalar("SELECT body FROM webhook_deliveries").fetch_one(&app.state.pg).await.expect("body");
    assert_eq!(raw, body.to_vec(), "kept byte for byte");
}
