//! Deliveries to the app's callback: handshake, signatures, payload shapes, echoes, batching,
//! retries and injected duplicates, delays and reordering.
mod support;

use meta_sandbox::{escape_non_ascii, signature_sha256};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{sandbox, Callback, Meta, REEL, SECRET, SHOP_IG_ID};

const VERIFY: &str = "verify-me";

/// A sandbox whose app has a registered callback and a subscribed, connected account.
async fn connected() -> (Meta, Callback, String) {
    let meta = sandbox().await;
    let callback = Callback::start(VERIFY).await;
    callback.register(&meta, VERIFY).await;
    let token = meta.long_token().await;
    meta.subscribe(&token, "messages,comments").await;
    (meta, callback, token)
}

#[tokio::test]
async fn saving_the_callback_runs_metas_handshake_and_fails_like_meta() {
    let meta = sandbox().await;
    let callback = Callback::start(VERIFY).await;
    let wrong =
        meta.control("/_sandbox/webhook", json!({ "callback_url": callback.url, "verify_token": "other" })).await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    let message = wrong.json::<Value>().await.expect("json")["error"].as_str().expect("error").to_owned();
    assert!(message.starts_with("The URL couldn't be validated. Response does not match challenge"), "{message}");
    assert_eq!(meta.get("/_sandbox/webhook", &[]).await.json::<Value>().await.expect("json"), Value::Null, "not saved");

    let unreachable = meta
        .control("/_sandbox/webhook", json!({ "callback_url": "http://127.0.0.1:9/webhook", "verify_token": VERIFY }))
        .await;
    assert_eq!(unreachable.status(), StatusCode::BAD_REQUEST);

    callback.register(&meta, VERIFY).await;
    assert_eq!(
        meta.get("/_sandbox/webhook", &[]).await.json::<Value>().await.expect("json")["callback_url"],
        callback.url
    );
}

#[tokio::test]
async fn a_follower_dm_arrives_signed_escaped_and_in_metas_shape() {
    let (meta, callback, _) = connected().await;
    let mid = meta.follower_dm("cliente.fiel", "Qual o preço? ❤️").await;
    let received = callback.wait_for(1).await;
    let delivery = &received[0];

    let signature = delivery.headers["x-hub-signature-256"].to_str().expect("ascii");
    assert_eq!(signature, signature_sha256(SECRET, &delivery.body), "HMAC-SHA256 of the raw body with the app secret");
    assert!(delivery.headers["x-hub-signature"].to_str().expect("ascii").starts_with("sha1="));
    assert_eq!(delivery.headers["user-agent"], "facebookexternalua");
    assert_eq!(delivery.headers["content-type"], "application/json");

    let raw = std::str::from_utf8(&delivery.body).expect("utf8");
    assert!(raw.is_ascii(), "non-ASCII is escaped: {raw}");
    assert!(raw.contains(r"pre\u00e7o? \u2764\ufe0f"), "{raw}");
    assert_eq!(raw, escape_non_ascii(raw));

    let body: Value = serde_json::from_slice(&delivery.body).expect("json");
    assert_eq!(body["object"], "instagram");
    let entry = &body["entry"][0];
    assert_eq!(entry["id"], SHOP_IG_ID);
    assert!(entry["time"].as_i64().expect("time") > 1_000_000_000_000, "messaging times are milliseconds");
    let item = &entry["messaging"][0];
    assert_eq!(item["sender"]["id"], "1254477777772919");
    assert_eq!(item["recipient"]["id"], SHOP_IG_ID);
    assert_eq!(item["message"], json!({ "mid": mid, "text": "Qual o preço? ❤️" }));
}

#[tokio::test]
async fn nothing_arrives_for_an_account_that_did_not_subscribe() {
    let meta = sandbox().await;
    let callback = Callback::start(VERIFY).await;
    callback.register(&meta, VERIFY).await;
    let token = meta.long_token().await;
    meta.follower_dm("cliente.fiel", "oi").await;
    meta.subscribe(&token, "comments").await;
    meta.follower_dm("cliente.fiel", "oi de novo").await;
    meta.follower_comment("cliente.fiel", REEL, "agora sim").await;
    let received = callback.wait_for(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(callback.received().len(), 1, "only the comment, after subscribing to comments");
    let body: Value = serde_json::from_slice(&received[0].body).expect("json");
    assert_eq!(body["entry"][0]["changes"][0]["field"], "comments");
}

#[tokio::test]
async fn what_the_app_sends_comes_back_as_echo_and_own_comment() {
    let (meta, callback, token) = connected().await;
    meta.follower_dm("cliente.fiel", "oi").await;
    callback.wait_for_entries(1).await;
    let sent: Value = meta
        .graph(
            Method::POST,
            "/v24.0/me/messages",
            &token,
            Some(json!({ "recipient": { "id": "1254477777772919" }, "message": { "text": "Olá!" } })),
        )
        .await
        .json()
        .await
        .expect("json");
    let entries = callback.wait_for_entries(2).await;
    let item = &entries[1]["messaging"][0];
    assert_eq!(item["sender"]["id"], SHOP_IG_ID);
    assert_eq!(item["recipient"]["id"], "1254477777772919");
    assert_eq!(item["message"]["is_echo"], true);
    assert_eq!(item["message"]["mid"], sent["message_id"], "the echo carries the sent message's id");

    let comment = meta.follower_comment("outra.cliente", REEL, "Quanto custa?").await;
    meta.graph(Method::POST, &format!("/v24.0/{comment}/replies?message=R%24%2050"), &token, None).await;
    let entries = callback.wait_for_entries(4).await;
    let own = &entries[3];
    assert!(own["time"].as_i64().expect("time") < 10_000_000_000, "comment times are seconds");
    let value = &own["changes"][0]["value"];
    assert_eq!(value["from"]["id"], SHOP_IG_ID, "the account's own reply comes back as a comment");
    assert_eq!(value["parent_id"], comment.as_str());
    assert_eq!(value["media"], json!({ "id": REEL, "media_product_type": "REELS" }));
}

#[tokio::test]
async fn a_reply_in_a_thread_carries_its_parent() {
    let (meta, callback, _) = connected().await;
    let top = meta.follower_comment("cliente.fiel", REEL, "Quanto custa?").await;
    let reply = meta
        .control(
            "/_sandbox/followers/outra.cliente/comments",
            json!({ "media_id": REEL, "text": "também quero saber", "parent_id": top }),
        )
        .await;
    assert!(reply.status().is_success());
    let entries = callback.wait_for_entries(2).await;
    let value = &entries[1]["changes"][0]["value"];
    assert_eq!(value["parent_id"], top.as_str());
    assert_eq!(value["from"]["username"], "outra.cliente");
}

#[tokio::test]
async fn events_ready_together_are_batched_into_one_post() {
    let (meta, callback, _) = connected().await;
    meta.control(
        "/_sandbox/webhook",
        json!({ "callback_url": callback.url, "verify_token": VERIFY, "batch_window_ms": 300 }),
    )
    .await;
    for text in ["um", "dois", "três"] {
        meta.follower_dm("cliente.fiel", text).await;
    }
    callback.wait_for(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let bodies = callback.bodies();
    assert_eq!(bodies.len(), 1, "{bodies:#?}");
    let texts: Vec<_> = bodies[0]["entry"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["messaging"][0]["message"]["text"].clone())
        .collect();
    assert_eq!(texts, [json!("um"), json!("dois"), json!("três")]);
}

#[tokio::test]
async fn a_failed_or_slow_delivery_is_retried_until_acknowledged() {
    let (meta, callback, _) = connected().await;
    callback.answer_with(&[500, 503]);
    meta.follower_dm("cliente.fiel", "oi").await;
    let received = callback.wait_for(3).await;
    assert_eq!(received[0].body, received[2].body, "the same bytes every time");
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let record = meta.deliveries().await;
    let statuses: Vec<_> =
        record[0]["attempts"].as_array().expect("attempts").iter().map(|a| a["status"].clone()).collect();
    assert_eq!(statuses, [json!(500), json!(503), json!(200)]);
    assert_eq!(record[0]["acknowledged"], true);

    // Slower than the timeout (1 s in these tests) counts as a failure too.
    callback.delay(&[1500]);
    meta.follower_dm("cliente.fiel", "de novo").await;
    callback.wait_for(5).await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let record = meta.deliveries().await;
    let attempts = record[1]["attempts"].as_array().expect("attempts");
    assert_eq!(attempts[0]["error"], "timeout");
    assert_eq!(attempts[1]["status"], 200);
    assert_eq!(record[1]["acknowledged"], true);
}

#[tokio::test]
async fn deliveries_can_be_duplicated_reordered_and_delayed() {
    let (meta, callback, _) = connected().await;
    meta.control("/_sandbox/faults/deliveries", json!({ "duplicate": 1 })).await;
    meta.follower_dm("cliente.fiel", "duplicada").await;
    let received = callback.wait_for(2).await;
    assert_eq!(received[0].body, received[1].body);

    meta.control(
        "/_sandbox/webhook",
        json!({ "callback_url": callback.url, "verify_token": VERIFY, "batch_window_ms": 300 }),
    )
    .await;
    meta.control("/_sandbox/faults/deliveries", json!({ "reorder": 3 })).await;
    for text in ["primeira", "segunda", "terceira"] {
        meta.follower_dm("cliente.fiel", text).await;
    }
    callback.wait_for(5).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let texts: Vec<_> =
        callback.bodies()[2..].iter().map(|b| b["entry"][0]["messaging"][0]["message"]["text"].clone()).collect();
    assert_eq!(texts, [json!("terceira"), json!("segunda"), json!("primeira")]);

    meta.control("/_sandbox/faults/deliveries", json!({ "delay_ms": 700, "delay_count": 1 })).await;
    let started = std::time::Instant::now();
    meta.follower_dm("cliente.fiel", "atrasada").await;
    callback.wait_for(6).await;
    assert!(started.elapsed() >= std::time::Duration::from_millis(700));
}

#[tokio::test]
async fn the_follower_page_sends_dms_and_comments() {
    let (meta, callback, _) = connected().await;
    let page = meta.get("/_sandbox/follower", &[]).await.text().await.expect("html");
    assert!(page.contains("Agir como seguidor") && page.contains("@loja.exemplo"));
    let sent = meta
        .http
        .post(meta.url("/_sandbox/follower/message"))
        .form(&[("username", "maria.souza"), ("to", "loja.exemplo"), ("text", "Vocês entregam?")])
        .send()
        .await
        .expect("request");
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let commented = meta
        .http
        .post(meta.url("/_sandbox/follower/comment"))
        .form(&[("username", "maria.souza"), ("media_id", REEL), ("text", "Amei")])
        .send()
        .await
        .expect("request");
    assert_eq!(commented.status(), StatusCode::SEE_OTHER);
    let entries = callback.wait_for_entries(2).await;
    assert_eq!(entries[0]["messaging"][0]["message"]["text"], "Vocês entregam?");
    assert_eq!(entries[1]["changes"][0]["value"]["text"], "Amei");

    let created = meta.control("/_sandbox/followers", json!({ "username": "novo.cliente" })).await;
    let person: Value = created.json().await.expect("json");
    assert_eq!(person["username"], "novo.cliente");
    assert!(person["igsid"].as_str().expect("igsid").len() >= 15);
}
