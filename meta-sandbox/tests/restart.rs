//! A sandbox kept in a file comes back after a restart with what Meta would still know: the
//! accounts, their tokens, followers and conversations (the 24-hour window), comments and the
//! webhook callback; so an instance connected before a restart keeps working after it.
mod support;

use meta_sandbox::{AppRegistration, Sandbox};
use reqwest::{redirect::Policy, Client, Method, StatusCode};
use serde_json::{json, Value};
use support::{items, Callback, Meta, APP_ID, POST, REDIRECT, SECRET};

const VERIFY: &str = "verify-me";

fn app() -> AppRegistration {
    AppRegistration { app_id: APP_ID.into(), app_secret: SECRET.into(), redirect_uris: vec![REDIRECT.into()] }
}

async fn serve(sandbox: Sandbox) -> Meta {
    let addr = sandbox.serve_here().await.expect("serves");
    Meta { base: format!("http://{addr}"), http: Client::builder().redirect(Policy::none()).build().expect("client") }
}

#[tokio::test]
async fn a_restarted_sandbox_keeps_tokens_followers_windows_comments_and_the_callback() {
    let folder = std::env::temp_dir().join(format!("sandbox-restart-{}-{}", std::process::id(), rand_suffix()));
    let path = folder.join("sandbox.json");
    let before = Sandbox::kept_in(app(), path.clone()).expect("a fresh state");
    let meta = serve(before.clone()).await;
    let callback = Callback::start(VERIFY).await;
    callback.register(&meta, VERIFY).await;
    let token = meta.long_token().await;
    meta.subscribe(&token, "messages,comments").await;
    meta.control("/_sandbox/followers", json!({ "username": "nova.cliente" })).await;
    meta.follower_dm("nova.cliente", "oi").await;
    let igsid = items(&callback, 1).await[0]["sender"]["id"].as_str().expect("igsid").to_owned();
    let url = format!("{}/_sandbox/followers/nova.cliente/comments", meta.base);
    let comment: Value = meta
        .http
        .post(url)
        .json(&json!({ "media_id": POST, "text": "Eu quero!" }))
        .send()
        .await
        .expect("comment")
        .json()
        .await
        .expect("json");
    let comment_id = comment["id"].as_str().expect("id").to_owned();
    before.save().expect("saved");

    // The sandbox stops and starts again from its file (on another port here).
    let after = serve(Sandbox::kept_in(app(), path.clone()).expect("the kept state")).await;
    let me = after.graph(Method::GET, "/v24.0/me?fields=user_id,username", &token, None).await;
    assert_eq!(me.status(), StatusCode::OK, "the token still works");
    // The window the follower opened is still open, and the comment still takes a private reply.
    let dm = json!({ "recipient": { "id": igsid }, "message": { "text": "Ainda aqui!" } });
    let sent = after.graph(Method::POST, "/v24.0/me/messages", &token, Some(dm)).await;
    assert_eq!(sent.status(), StatusCode::OK, "{}", sent.text().await.unwrap_or_default());
    let private = json!({ "recipient": { "comment_id": comment_id }, "message": { "text": "Te chamei no direct!" } });
    let replied = after.graph(Method::POST, "/v24.0/me/messages", &token, Some(private)).await;
    assert_eq!(replied.status(), StatusCode::OK, "{}", replied.text().await.unwrap_or_default());
    // The follower is known, and what they write still reaches the callback.
    after.follower_dm("nova.cliente", "voltei").await;
    let texts: Vec<String> =
        items(&callback, 3).await.iter().filter_map(|m| m["message"]["text"].as_str().map(str::to_owned)).collect();
    assert!(texts.iter().any(|t| t == "voltei"), "{texts:?}");
    let _ = std::fs::remove_dir_all(folder);
}

#[tokio::test]
async fn a_state_file_that_is_not_one_is_refused_and_left_alone() {
    let path = std::env::temp_dir().join(format!("sandbox-broken-{}-{}.json", std::process::id(), rand_suffix()));
    std::fs::write(&path, b"{ not json").expect("write");
    let refused = Sandbox::kept_in(app(), path.clone()).err().expect("refused");
    assert!(refused.contains("is not a sandbox state"), "{refused}");
    assert_eq!(std::fs::read(&path).expect("kept"), b"{ not json");
    let _ = std::fs::remove_file(path);
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
}
