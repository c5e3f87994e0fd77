//! The control calls load runs use: bulk accounts and followers that are full accounts (Business
//! Login, Meta's rules), events recorded for the caller to deliver, Meta-like answer times, and
//! counters that catch a reply sent twice.
mod support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::Instant;
use support::{graph_error, sandbox, SCOPES};

#[tokio::test]
async fn bulk_accounts_of_different_prefixes_are_different_accounts() {
    let meta = sandbox().await;
    let mut ids = std::collections::HashSet::new();
    for prefix in ["um", "dois"] {
        let made: Value = meta
            .control("/_sandbox/bulk", json!({ "accounts": 2, "followers": 0, "prefix": prefix }))
            .await
            .json()
            .await
            .expect("json");
        for account in made["accounts"].as_array().expect("accounts") {
            assert!(ids.insert(account["ig_id"].as_str().expect("ig_id").to_owned()), "{account} shares an IG_ID");
            for media in account["media"].as_array().expect("media") {
                assert!(ids.insert(media.as_str().expect("id").to_owned()), "{account} shares a media id");
            }
        }
    }
    let again: Value = meta
        .control("/_sandbox/bulk", json!({ "accounts": 1, "followers": 0, "prefix": "um" }))
        .await
        .json()
        .await
        .expect("json");
    assert!(
        ids.contains(again["accounts"][0]["ig_id"].as_str().expect("ig_id")),
        "asking again finds the same account"
    );
}

#[tokio::test]
async fn bulk_accounts_log_in_and_follow_metas_rules_like_any_other() {
    let meta = sandbox().await;
    let made: Value = meta
        .control("/_sandbox/bulk", json!({ "accounts": 300, "followers": 50, "prefix": "teste" }))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(made["accounts"].as_array().map(Vec::len), Some(300));
    assert_eq!(made["followers"].as_array().map(Vec::len), Some(50));
    let account = &made["accounts"][299];
    let follower = &made["followers"][49];
    assert_eq!(account["username"], "teste.loja299");
    assert_eq!(account["media"].as_array().map(Vec::len), Some(2));

    let token = meta.long_token_for("teste.loja299", SCOPES).await;
    let me: Value =
        meta.graph(Method::GET, "/v24.0/me?fields=user_id,username", &token, None).await.json().await.expect("json");
    assert_eq!(me["user_id"], account["ig_id"]);

    let dm = json!({ "recipient": { "id": follower["igsid"] }, "message": { "text": "Oi!", "metadata": "ic:1" } });
    let (status, error) =
        graph_error(meta.graph(Method::POST, "/v24.0/me/messages", &token, Some(dm.clone())).await).await;
    assert_eq!((status, error["error_subcode"].as_u64()), (StatusCode::FORBIDDEN, Some(2_534_022)), "no window yet");

    // The follower writes first (recorded, not delivered): the window opens.
    let events = json!({ "events": [
        { "kind": "dm", "from": follower["username"], "to": account["username"], "text": "quero o link" },
        { "kind": "comment", "from": follower["igsid"], "media_id": account["media"][0], "text": "preço?" }] });
    let recorded: Value = meta.control("/_sandbox/events", events).await.json().await.expect("json");
    let entries = recorded["entries"].as_array().expect("entries");
    assert_eq!(entries[0]["id"], account["ig_id"]);
    assert_eq!(entries[0]["messaging"][0]["message"]["text"], "quero o link");
    assert_eq!(entries[1]["changes"][0]["value"]["from"]["id"], follower["igsid"]);
    assert!(meta.deliveries().await.is_empty(), "nothing is delivered unless asked");

    let sent = meta.graph(Method::POST, "/v24.0/me/messages", &token, Some(dm.clone())).await;
    assert_eq!(sent.status(), StatusCode::OK);
    let again = meta.graph(Method::POST, "/v24.0/me/messages", &token, Some(dm)).await;
    assert_eq!(again.status(), StatusCode::OK, "Meta itself sends a DM twice when asked twice");
    let comment_id = entries[1]["changes"][0]["value"]["id"].as_str().expect("comment id").to_owned();
    for _ in 0..2 {
        let reply = json!({ "message": "Te mandei no direct" });
        let path = format!("/v24.0/{comment_id}/replies");
        assert_eq!(meta.graph(Method::POST, &path, &token, Some(reply)).await.status(), StatusCode::OK);
    }
    let stats: Value = meta.get("/_sandbox/stats", &[]).await.json().await.expect("json");
    assert_eq!((stats["messages_sent"].as_u64(), stats["duplicate_tagged_sends"].as_u64()), (Some(2), Some(1)));
    assert_eq!((stats["public_replies_sent"].as_u64(), stats["duplicate_public_replies"].as_u64()), (Some(2), Some(1)));
}

#[tokio::test]
async fn graph_answers_can_take_as_long_as_metas() {
    let meta = sandbox().await;
    let token = meta.long_token().await;
    assert_eq!(meta.control("/_sandbox/latency", json!({ "min_ms": 150, "max_ms": 100 })).await.status(), 422);
    assert_eq!(meta.control("/_sandbox/latency", json!({ "min_ms": 120, "max_ms": 150 })).await.status(), 204);
    let started = Instant::now();
    let me = meta.graph(Method::GET, "/v24.0/me", &token, None).await;
    assert_eq!(me.status(), StatusCode::OK);
    assert!(started.elapsed().as_millis() >= 120, "{:?}", started.elapsed());
    let cleared = meta.http.delete(meta.url("/_sandbox/latency")).send().await.expect("request");
    assert_eq!(cleared.status(), 204);
    let started = Instant::now();
    meta.graph(Method::GET, "/v24.0/me", &token, None).await;
    assert!(started.elapsed().as_millis() < 120);
}
