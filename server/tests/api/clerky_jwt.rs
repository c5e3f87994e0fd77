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

fn token_with(claims: serde_json::Value) -> String {
    encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(JWT_SECRET.as_bytes())).expect("encode")
}

#[tokio::test]
async fn an_empty_bearer_a_token_without_exp_or_one_that_lives_too_long_get_401() {
    let app = spawn_app().await;
    let id = user_id(&app).await;
    for header in ["Bearer", "Bearer ", "bearer  "] {
        let response = reqwest::Client::new()
            .get(app.url("/api/me"))
            .header("authorization", header)
            .header("accept", "application/json")
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 401, "{header:?} is a broken token, not an anonymous caller");
    }
    let now = chrono::Utc::now().timestamp();
    assert_eq!(me_with(&app, &token_with(json!({ "sub": id }))).await.status(), 401, "no exp");
    let for_years = token_with(json!({ "sub": id, "exp": now + 3 * 365 * 86400 }));
    assert_eq!(me_with(&app, &for_years).await.status(), 401, "beyond the maximum lifetime");
    let for_a_day = token_with(json!({ "sub": id, "exp": now + 23 * 3600 }));
    assert_eq!(me_with(&app, &for_a_day).await.status(), 200, "within it");
    let with_aud = token_with(json!({ "sub": id, "exp": now + 600, "aud": "anything" }));
    assert_eq!(me_with(&app, &with_aud).await.status(), 200, "aud is not checked unless configured");
}

#[tokio::test]
async fn a_configured_issuer_and_audience_are_required() {
    let app = spawn_app_with(|vars| {
        vars.insert("CLERKY_JWT_ISSUER".into(), "https://api.clerky.com.br".into());
        vars.insert("CLERKY_JWT_AUDIENCE".into(), "insta-clerky".into());
    })
    .await;
    let id = user_id(&app).await;
    let exp = chrono::Utc::now().timestamp() + 600;
    let iss = "https://api.clerky.com.br";
    let cases = [
        (json!({ "sub": id, "exp": exp, "iss": iss, "aud": "insta-clerky" }), 200),
        (json!({ "sub": id, "exp": exp, "iss": iss, "aud": ["other", "insta-clerky"] }), 200),
        (json!({ "sub": id, "exp": exp, "aud": "insta-clerky" }), 401),
        (json!({ "sub": id, "exp": exp, "iss": "https://evil.example", "aud": "insta-clerky" }), 401),
        (json!({ "sub": id, "exp": exp, "iss": iss }), 401),
        (json!({ "sub": id, "exp": exp, "iss": iss, "aud": "whatsapp-clerky" }), 401),
    ];
    for (claims, status) in cases {
        assert_eq!(me_with(&app, &token_with(claims.clone())).await.status(), status, "{claims}");
    }
}
