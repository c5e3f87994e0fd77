//! The sandbox answers as CONTRACT.md says Meta does: Business Login, tokens, `/me`, errors.
mod support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{graph_error, sandbox, Meta, APP_ID, REDIRECT, SCOPES, SECRET};

#[tokio::test]
async fn the_authorize_page_lists_test_accounts_and_requested_permissions() {
    let meta = sandbox().await;
    let valid = [
        ("client_id", APP_ID),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", SCOPES),
        ("state", "s"),
    ];
    let (status, page) = meta.authorize_page(&valid).await;
    assert_eq!(status, StatusCode::OK);
    for expected in
        ["@loja.exemplo", "@doces.da.bia", "instagram_business_manage_comments", "Permitir", "Cancelar", "Reel"]
    {
        assert!(page.contains(expected), "page lacks {expected}");
    }
    assert!(!page.contains("instagram_business_manage_insights"), "only requested permissions are listed");
}

#[tokio::test]
async fn the_authorize_page_refuses_what_meta_refuses() {
    let meta = sandbox().await;
    let with = |key: &'static str, value: &'static str| {
        let mut params =
            vec![("client_id", APP_ID), ("redirect_uri", REDIRECT), ("response_type", "code"), ("scope", SCOPES)];
        params.retain(|(k, _)| *k != key);
        params.push((key, value));
        params
    };
    let cases = [
        ("client_id", "123", "Invalid platform app"),
        // Meta compares exactly: a trailing slash is another URI.
        ("redirect_uri", "http://127.0.0.1:3000/api/instagram/callback/", "Invalid redirect_uri"),
        ("response_type", "token", "Invalid response_type"),
        ("scope", "business_basic,business_manage_messages", "Invalid Scopes: business_basic"),
        ("scope", "instagram_business_manage_messages", "instagram_business_basic is required"),
    ];
    for (key, value, message) in cases {
        let (status, page) = meta.authorize_page(&with(key, value)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{key}={value}");
        assert!(page.contains(message), "{key}={value}: {page}");
    }
}

#[tokio::test]
async fn allow_redirects_with_code_and_state_and_cancel_with_metas_error_parameters() {
    let meta = sandbox().await;
    let allowed = meta.decide("allow", "loja.exemplo", "abc 123").await;
    assert!(allowed.starts_with(&format!("{REDIRECT}?code=AQ")), "{allowed}");
    assert!(allowed.ends_with("&state=abc+123#_"), "{allowed}");

    let cancelled = meta.decide("cancel", "", "abc").await;
    assert_eq!(
        cancelled,
        format!("{REDIRECT}?error=access_denied&error_reason=user_denied&error_description=The+user+denied+your+request&state=abc")
    );
}

#[tokio::test]
async fn a_code_becomes_a_short_lived_token_once_in_the_flat_shape() {
    let meta = sandbox().await;
    let code = meta.code().await;
    let (status, body) = meta.exchange(&code, SECRET, REDIRECT).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["access_token"].as_str().expect("token").starts_with("IGAA"));
    // An unquoted integer above 2^53: clients must not read it as a float.
    assert_eq!(body["user_id"], json!(9_123_456_789_012_345_u64));
    assert!(body["user_id"].as_u64().expect("integer") > (1_u64 << 53));
    assert_eq!(
        body["permissions"],
        json!(["instagram_business_basic", "instagram_business_manage_messages", "instagram_business_manage_comments"])
    );

    let (status, body) = meta.exchange(&code, SECRET, REDIRECT).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({ "error_type": "OAuthException", "code": 400, "error_message": "Matching code was not found or was already used" })
    );
}

#[tokio::test]
async fn the_code_exchange_also_takes_multipart_fields_as_in_metas_curl_sample() {
    let meta = sandbox().await;
    let code = meta.code().await;
    let form = reqwest::multipart::Form::new()
        .text("client_id", APP_ID)
        .text("client_secret", SECRET)
        .text("grant_type", "authorization_code")
        .text("redirect_uri", REDIRECT)
        .text("code", code);
    let response = meta.http.post(meta.url("/oauth/access_token")).multipart(form).send().await.expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert!(body["access_token"].as_str().expect("token").starts_with("IGAA"));
}

#[tokio::test]
async fn the_code_exchange_checks_secret_redirect_and_age() {
    let meta = sandbox().await;
    let code = meta.code().await;
    let (status, body) = meta.exchange(&code, "wrong", REDIRECT).await;
    assert_eq!(
        (status, body["error_message"].as_str()),
        (StatusCode::BAD_REQUEST, Some("Error validating client secret"))
    );
    let (_, body) = meta.exchange(&code, SECRET, "http://127.0.0.1:3000/other").await;
    assert!(body["error_message"].as_str().expect("message").contains("redirect_uri is identical"));

    meta.advance(3601).await;
    let (status, body) = meta.exchange(&code, SECRET, REDIRECT).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error_type"], "OAuthException");
}

#[tokio::test]
async fn a_short_lived_token_becomes_a_sixty_day_token() {
    let meta = sandbox().await;
    let short = meta.short_token().await;
    for path in ["/access_token", "/v24.0/access_token"] {
        let query = [("grant_type", "ig_exchange_token"), ("client_secret", SECRET), ("access_token", &short)];
        let body: Value = meta.get(path, &query).await.json().await.expect("json");
        assert_eq!(body["token_type"], "bearer", "{path}");
        assert_eq!(body["expires_in"], 5_184_000, "{path}");
        assert_ne!(body["access_token"].as_str(), Some(short.as_str()));
    }
    let wrong = [("grant_type", "ig_exchange_token"), ("client_secret", "nope"), ("access_token", &short)];
    let (status, error) = graph_error(meta.get("/access_token", &wrong).await).await;
    assert_eq!((status, error["code"].as_u64()), (StatusCode::BAD_REQUEST, Some(101)));
}

#[tokio::test]
async fn an_expired_short_lived_token_gets_190_with_subcode_463() {
    let meta = sandbox().await;
    let short = meta.short_token().await;
    meta.advance(3601).await;
    let query = [("grant_type", "ig_exchange_token"), ("client_secret", SECRET), ("access_token", &short)];
    let response = meta.get("/access_token", &query).await;
    assert_eq!(response.headers()["content-type"], "text/javascript; charset=UTF-8");
    assert!(response.headers()["www-authenticate"].to_str().expect("ascii").contains("invalid_token"));
    let (status, error) = graph_error(response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        (error["type"].as_str(), error["code"].as_u64(), error["error_subcode"].as_u64()),
        (Some("OAuthException"), Some(190), Some(463))
    );
    assert!(error["fbtrace_id"].is_string());
}

#[tokio::test]
async fn refresh_needs_a_day_old_live_long_lived_token() {
    let meta = sandbox().await;
    let long = meta.long_token().await;
    let (status, error) = graph_error(refresh(&meta, &long).await).await;
    assert_eq!((status, error["code"].as_u64()), (StatusCode::BAD_REQUEST, Some(100)), "too young");

    meta.advance(25 * 3600).await;
    let response = refresh(&meta, &long).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["expires_in"], 5_184_000);

    meta.advance(61 * 86_400).await;
    let (_, error) = graph_error(refresh(&meta, &long).await).await;
    assert_eq!((error["code"].as_u64(), error["error_subcode"].as_u64()), (Some(190), Some(463)), "expired");
}

async fn refresh(meta: &Meta, token: &str) -> reqwest::Response {
    meta.get("/refresh_access_token", &[("grant_type", "ig_refresh_token"), ("access_token", token)]).await
}

#[tokio::test]
async fn a_revoked_token_is_invalid_everywhere() {
    let meta = sandbox().await;
    let long = meta.long_token().await;
    let revoke = meta.http.post(meta.url("/_sandbox/tokens/revoke")).json(&json!({ "access_token": long })).send();
    assert_eq!(revoke.await.expect("request").status(), StatusCode::NO_CONTENT);
    let response = meta.http.get(meta.url("/v24.0/me")).bearer_auth(&long).send().await.expect("request");
    let (_, error) = graph_error(response).await;
    assert_eq!(error["code"], 190);
    assert!(error.get("error_subcode").is_none());
}

#[tokio::test]
async fn me_tells_the_app_scoped_id_apart_from_the_ig_id_and_reports_usage() {
    let meta = sandbox().await;
    let token = meta.long_token().await;
    let fields = "user_id,username,name,account_type,profile_picture_url,followers_count,follows_count,media_count";
    let response = meta.http.get(meta.url("/v24.0/me")).query(&[("fields", fields)]).bearer_auth(&token).send().await;
    let response = response.expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    let usage: Value = serde_json::from_str(response.headers()["x-app-usage"].to_str().expect("ascii")).expect("json");
    assert!(usage["call_count"].is_u64());
    let business: Value =
        serde_json::from_str(response.headers()["x-business-use-case-usage"].to_str().expect("ascii")).expect("json");
    assert_eq!(business["17841405822304914"][0]["type"], "instagram");
    let me: Value = response.json().await.expect("json");
    assert_eq!(me["id"], "28978671838402975");
    assert_eq!(me["user_id"], "17841405822304914");
    assert_eq!(me["username"], "loja.exemplo");
    assert_eq!(me["account_type"], "BUSINESS");
    assert_eq!(me["media_count"], 3);
    let picture_url = me["profile_picture_url"].as_str().expect("picture url").to_owned();
    assert_eq!(picture_url, meta.url("/_sandbox/pictures/loja.exemplo.svg"));
    let picture = meta.http.get(&picture_url).send().await.expect("picture");
    assert_eq!(picture.headers()["content-type"], "image/svg+xml");
    assert!(picture.text().await.expect("svg").starts_with("<svg"));

    // The token may also come as a query parameter.
    let by_query: Value =
        meta.get("/me", &[("fields", "username"), ("access_token", &token)]).await.json().await.expect("json");
    assert_eq!(by_query, json!({ "id": "28978671838402975", "username": "loja.exemplo" }));

    let (status, error) = graph_error(meta.get("/me", &[("fields", "email"), ("access_token", &token)]).await).await;
    assert_eq!((status, error["code"].as_u64()), (StatusCode::BAD_REQUEST, Some(100)));
    let (_, error) = graph_error(meta.get("/v24/me", &[("access_token", &token)]).await).await;
    assert!(error["message"].as_str().expect("message").contains("Unknown path components"));
}

#[tokio::test]
async fn every_call_is_recorded_without_secrets() {
    let meta = sandbox().await;
    meta.long_token().await;
    let calls: Vec<Value> = meta.get("/_sandbox/calls", &[("path", "/access_token")]).await.json().await.expect("json");
    assert_eq!(calls.len(), 2, "{calls:#?}");
    let exchange = &calls[0];
    assert_eq!((exchange["method"].as_str(), exchange["path"].as_str()), (Some("POST"), Some("/oauth/access_token")));
    assert_eq!(exchange["body"]["client_secret"], "[redacted]");
    assert_eq!(exchange["body"]["redirect_uri"], REDIRECT);
    assert_eq!(exchange["status"], 200);
    let long = &calls[1];
    assert_eq!(long["path"], "/access_token");
    assert!(long["query"].as_array().expect("pairs").contains(&json!(["access_token", "[redacted]"])));
    let text = serde_json::to_string(&calls).expect("json");
    assert!(!text.contains(SECRET) && !text.contains("IGAA"), "{text}");
}
