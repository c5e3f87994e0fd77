//! Connecting Instagram accounts through Business Login, against the in-process Meta sandbox.
use crate::helpers::{spawn_app_with, spawn_app_with_sandbox, TestApp, TestMeta};
use app::backend::crypto;
use mongodb::bson::{doc, Document};
use secrecy::ExposeSecret;

async fn signed_up(app: &TestApp, email: &str) {
    assert_eq!(app.sign_up(email, "senha-forte-1").await.status(), 302);
}

/// A second browser with its own account on the same app.
async fn other_user(app: &TestApp, email: &str) -> TestApp {
    let other = app.another_browser();
    signed_up(&other, email).await;
    other
}

async fn connect(app: &TestApp, meta: &TestMeta, name: &str, account: &str) -> String {
    let authorize = app.start_connect(name).await;
    let callback = meta.decide(&authorize, "allow", account).await;
    app.callback(&callback).await
}

#[tokio::test]
async fn business_login_connects_the_account_and_subscribes_its_webhooks() {
    let (app, meta) = spawn_app_with_sandbox().await;
    signed_up(&app, "ana@loja.com").await;
    let authorize = app.start_connect("Loja Centro").await;
    assert!(authorize.starts_with(&format!("{}/oauth/authorize?", meta.base)));
    for scope in [
        "instagram_business_basic",
        "instagram_business_manage_messages",
        "instagram_business_manage_comments",
        "instagram_business_content_publish",
        "instagram_business_manage_insights",
    ] {
        assert!(authorize.contains(scope), "{scope}");
    }
    let created = app.instances().await;
    assert_eq!((created.len(), created[0]["status"].as_str()), (1, Some("created")));

    let callback = meta.decide(&authorize, "allow", "loja.exemplo").await;
    assert!(callback.starts_with("/api/instagram/callback?code="));
    let landing = app.callback(&callback).await;
    assert!(landing.starts_with("/instances?connected=loja-centro-"), "{landing}");

    let cards = app.instances().await;
    assert_eq!(cards.len(), 1);
    let card = &cards[0];
    assert_eq!((card["status"].as_str(), card["username"].as_str()), (Some("connected"), Some("loja.exemplo")));
    assert!(card["profile_picture_url"].as_str().expect("picture").ends_with("/_sandbox/pictures/loja.exemplo.svg"));
    assert!(card.get("access_token").is_none() && !card.to_string().contains("IGAA"), "no token reaches the browser");
    assert_eq!(card["token_expires_soon"], false);

    let subscriptions = meta.calls("/subscribed_apps").await;
    assert_eq!(subscriptions.len(), 1);
    assert!(subscriptions[0]["query"].to_string().contains("messages,messaging_postbacks,comments,live_comments"));
}

#[tokio::test]
async fn tokens_are_stored_encrypted_for_their_instance() {
    let (app, meta) = spawn_app_with_sandbox().await;
    signed_up(&app, "bia@loja.com").await;
    connect(&app, &meta, "Loja", "loja.exemplo").await;
    let stored = app
        .state
        .mongo
        .collection::<Document>("instagram_instances")
        .find_one(doc! {})
        .await
        .expect("query")
        .expect("doc");
    let sealed = stored.get_str("accessToken").expect("sealed token");
    assert!(sealed.starts_with("t1:"), "key id stored beside the ciphertext: {sealed}");
    assert!(!sealed.contains("IGAA") && !stored.to_string().contains("IGAA"));
    let id = stored.get_object_id("_id").expect("id").to_hex();
    let sealed = crypto::Sealed::stored(sealed.to_owned());
    let token = crypto::open(&app.state.config.token_keys, &id, &sealed).expect("decrypts for its instance");
    // The decrypted token is the live one Meta issued.
    let me =
        meta.http.get(format!("{}/v24.0/me", meta.base)).bearer_auth(token.expose_secret()).send().await.expect("me");
    assert_eq!(me.status(), 200);
    assert!(crypto::open(&app.state.config.token_keys, "another-instance", &sealed).is_err());
}

#[tokio::test]
async fn cancel_at_meta_marks_the_instance_error_and_it_can_try_again() {
    let (app, meta) = spawn_app_with_sandbox().await;
    signed_up(&app, "caio@loja.com").await;
    let authorize = app.start_connect("Loja").await;
    let callback = meta.decide(&authorize, "cancel", "").await;
    assert!(callback.contains("error=access_denied"));
    assert_eq!(app.callback(&callback).await, "/instances?error=denied");
    let card = &app.instances().await[0];
    assert_eq!((card["status"].as_str(), card["error_reason"].as_str()), (Some("error"), Some("denied")));
    assert!(card["username"].is_null(), "nothing half-saved");

    let id = card["id"].as_str().expect("id").to_owned();
    let again = app.post_form("/api/instances/reconnect", &[("id", &id)]).await;
    let authorize = again.headers()["location"].to_str().expect("ascii").to_owned();
    let callback = meta.decide(&authorize, "allow", "loja.exemplo").await;
    app.callback(&callback).await;
    let card = &app.instances().await[0];
    assert_eq!((card["status"].as_str(), card["error_reason"].as_str()), (Some("connected"), None));
}

#[tokio::test]
async fn a_state_is_single_use_short_lived_and_bound_to_its_user() {
    let (app, meta) = spawn_app_with_sandbox().await;
    signed_up(&app, "dan@loja.com").await;
    let authorize = app.start_connect("Loja").await;
    let callback = meta.decide(&authorize, "allow", "loja.exemplo").await;

    // Another signed-in user presenting this state changes nothing of Dan's.
    let eve = other_user(&app, "eve@loja.com").await;
    assert_eq!(eve.callback(&callback).await, "/instances?error=state_invalid");
    assert_eq!(app.instances().await[0]["status"], "created");

    assert!(app.callback(&callback).await.starts_with("/instances?connected="));
    assert_eq!(app.callback(&callback).await, "/instances?error=state_used", "reused");

    let forged = callback.replace("state=", "state=x");
    assert_eq!(app.callback(&forged).await, "/instances?error=state_invalid");
    let without_state = callback.split("&state=").next().expect("code part").to_owned();
    assert_eq!(
        app.callback(&without_state).await,
        "/instances?error=state_invalid",
        "a code without state is never exchanged"
    );
}

#[tokio::test]
async fn an_expired_state_is_refused_and_the_card_says_so() {
    let (app, meta) = spawn_app_with_sandbox().await;
    signed_up(&app, "fabi@loja.com").await;
    let authorize = app.start_connect("Loja").await;
    let callback = meta.decide(&authorize, "allow", "loja.exemplo").await;
    // Eleven minutes later:
    app.state.clock.advance(chrono::Duration::minutes(11));
    assert_eq!(app.callback(&callback).await, "/instances?error=state_expired");
    let card = &app.instances().await[0];
    assert_eq!((card["status"].as_str(), card["error_reason"].as_str()), (Some("error"), Some("state_expired")));
    assert_eq!(meta.calls("/oauth/access_token").await.len(), 0, "the code was never exchanged");
}

#[tokio::test]
async fn the_same_account_reconnects_for_its_owner_and_is_refused_to_others() {
    let (app, meta) = spawn_app_with_sandbox().await;
    signed_up(&app, "gil@loja.com").await;
    app.state
        .mongo
        .collection::<Document>("users")
        .update_many(doc! {}, doc! { "$set": { "premium": true } })
        .await
        .expect("premium");
    connect(&app, &meta, "Primeira", "loja.exemplo").await;
    let landing = connect(&app, &meta, "Segunda", "loja.exemplo").await;
    assert!(landing.starts_with("/instances?connected=primeira-"), "the existing instance is reconnected: {landing}");
    let cards = app.instances().await;
    assert_eq!(cards.len(), 1, "{cards:#?}");

    let hugo = other_user(&app, "hugo@loja.com").await;
    assert_eq!(connect(&hugo, &meta, "Minha", "loja.exemplo").await, "/instances?error=account_taken");
    let card = &hugo.instances().await[0];
    assert_eq!((card["status"].as_str(), card["username"].as_str()), (Some("error"), None));
    assert_eq!(app.instances().await[0]["status"], "connected", "the owner's instance is untouched");
}

#[tokio::test]
async fn a_free_account_holds_its_quota_of_instances() {
    let (app, _meta) = spawn_app_with_sandbox().await;
    signed_up(&app, "ivo@loja.com").await;
    app.start_connect("Primeira").await;
    let refused = app.post_form("/api/instances/create", &[("name", "Segunda")]).await;
    assert_eq!(refused.status(), 422);
    assert_eq!(
        refused.json::<serde_json::Value>().await.expect("json"),
        serde_json::json!({ "Invalid": [{ "field": "name", "code": "quota" }] })
    );
    let blank = app.post_form("/api/instances/create", &[("name", "  ")]).await;
    assert_eq!(blank.status(), 422);
}

#[tokio::test]
async fn a_connection_left_behind_times_out_and_frees_the_quota() {
    let (app, _meta) = spawn_app_with_sandbox().await;
    signed_up(&app, "ivo@loja.com").await;
    app.start_connect("Primeira").await;
    let first = app.instances().await[0]["id"].as_str().expect("id").to_owned();
    // The person never came back from Meta; eleven minutes later:
    app.state.clock.advance(chrono::Duration::minutes(11));
    let abandoned = app::backend::connect::abandon_stale(&app.state).await.expect("sweep");
    assert_eq!(abandoned, 1);
    let card = &app.instances().await[0];
    assert_eq!((card["status"].as_str(), card["error_reason"].as_str()), (Some("error"), Some("connect_timeout")));
    // It holds no place of the quota: a new connection may start.
    app.start_connect("Segunda").await;
    // The abandoned one needs a place again to reconnect: the new one holds it.
    let again = app.post_form("/api/instances/reconnect", &[("id", &first)]).await;
    assert_eq!(again.status(), 422, "{}", again.text().await.unwrap_or_default());
    assert_eq!(app::backend::connect::abandon_stale(&app.state).await.expect("sweep"), 0, "a fresh one is left alone");
}

#[tokio::test]
async fn nobody_reconnects_or_sees_another_users_instance() {
    let (app, _meta) = spawn_app_with_sandbox().await;
    signed_up(&app, "jo@loja.com").await;
    app.start_connect("Da Jo").await;
    let id = app.instances().await[0]["id"].as_str().expect("id").to_owned();
    let kai = other_user(&app, "kai@loja.com").await;
    assert_eq!(kai.instances().await.len(), 0);
    assert_eq!(kai.post_form("/api/instances/reconnect", &[("id", &id)]).await.status(), 404);
    assert_eq!(app.instances().await[0]["status"], "created");
}

#[tokio::test]
async fn a_signed_out_callback_goes_to_sign_in() {
    let app = spawn_app_with(|_| {}).await;
    let response = app.get("/api/instagram/callback?code=x&state=y").await;
    assert_eq!(response.headers()["location"], "/sign-in?next=/instances");
}

#[tokio::test]
async fn concurrent_creates_cannot_exceed_the_quota() {
    let (app, _meta) = spawn_app_with_sandbox().await;
    signed_up(&app, "ana@loja.com").await;
    let creates = (0..5).map(|n| {
        let name = format!("Loja {n}");
        let client = app.client.clone();
        let url = app.url("/api/instances/create");
        async move { client.post(url).form(&[("name", name)]).send().await.expect("create").status().as_u16() }
    });
    let mut statuses = futures_util::future::join_all(creates).await;
    statuses.sort_unstable();
    assert_eq!(statuses, [302, 422, 422, 422, 422], "one create fits the quota of one");
    assert_eq!(app.instances().await.len(), 1);
}

#[tokio::test]
async fn two_users_racing_for_one_account_cannot_both_hold_it() {
    let (app, meta) = spawn_app_with_sandbox().await;
    signed_up(&app, "ana@loja.com").await;
    let bia = other_user(&app, "bia@loja.com").await;
    let mut callbacks = Vec::new();
    for browser in [&app, &bia] {
        let authorize = browser.start_connect("Loja").await;
        callbacks.push(meta.decide(&authorize, "allow", "loja.exemplo").await);
    }
    let (first, second) = tokio::join!(app.callback(&callbacks[0]), bia.callback(&callbacks[1]));
    let connected = [&first, &second].iter().filter(|to| to.starts_with("/instances?connected=")).count();
    assert_eq!(connected, 1, "{first} / {second}");
    assert!([&first, &second].iter().any(|to| to.contains("error=account_taken")), "{first} / {second}");
    let holders = app
        .state
        .mongo
        .collection::<Document>("instagram_instances")
        .count_documents(doc! { "instagramAccountId": "17841405822304914" })
        .await
        .expect("count");
    assert_eq!(holders, 1);
}
