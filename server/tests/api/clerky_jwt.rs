//! Bearer tokens issued by the main Clerky backend (HS256, subject = user id).
use crate::helpers::{spawn_app, spawn_app_with, TestApp, JWT_SECRET};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::json;

fn token(alg: Algorithm, secret: &str, sub: &str, exp_offset: i64) -> String {
    let claims = json!({ "sub": sub, "exp": chrono::Utc::now().timestamp() + exp_offset });
    encode(&Header::new(alg), &claims, &EncodingKey::from_secret(secret.as_bytes())).expect("encode")
}

/// As a script calls the API: a Bearer token, JSON accepted, no cookies.
async fn me_with(app: &TestApp, token: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(app.url("/api/me"))
        .bearer_auth(token)
        .header("accept", "application/json")
        .send()
        .await
        .expect("request")
}

async fn user_id(app: &TestApp) -> String {
    app.sign_up("jwt@loja.com", "senha-forte-1").await;
    app.me().await["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn a_valid_clerky_token_identifies_the_user() {
    let app = spawn_app().await;
    let id = user_id(&app).await;
    let response = me_with(&app, &token(Algorithm::HS256, JWT_SECRET, &id, 600)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<serde_json::Value>().await.expect("json")["email"], "jwt@loja.com");
}

#[tokio::test]
async fn forged_expired_or_foreign_tokens_get_401() {
    let app = spawn_app().await;
    let id = user_id(&app).await;
    let cases = [
        ("wrong secret", token(Algorithm::HS256, "another-secret-that-is-long-enough-000", &id, 600)),
        ("expired", token(Algorithm::HS256, JWT_SECRET, &id, -3600)),
        ("other algorithm", token(Algorithm::HS512, JWT_SECRET, &id, 600)),
        ("unknown user", token(Algorithm::HS256, JWT_SECRET, "65f000000000000000000000", 600)),
        ("not a jwt", "garbage".to_owned()),
    ];
    for (case, token) in cases {
        assert_eq!(me_with(&app, &token).await.status(), 401, "{case}");
    }
    let unsigned = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.", {
        use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
        URL_SAFE_NO_PAD.encode(json!({ "sub": id, "exp": 9_999_999_999_i64 }).to_string())
    });
    assert_eq!(me_with(&app, &unsigned).await.status(), 401, "alg none");
}

#[tokio::test]
async fn without_a_configured_secret_bearer_tokens_are_refused() {
    let app = spawn_app_with(|vars| {
        vars.remove("CLERKY_JWT_SECRET");
    })
    .await;
    let id = user_id(&app).await;
    assert_eq!(me_with(&app, &token(Algorithm::HS256, JWT_SECRET, &id, 600)).await.status(), 401);
}
