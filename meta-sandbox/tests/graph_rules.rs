//! Graph endpoints with Meta's rules: the messaging window, private replies, public replies,
//! subscriptions, media and comments, insights, rate limits and injected faults.
mod support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::{graph_error, sandbox, POST, REEL, SHOP_IG_ID};

fn dm(to: &str, text: &str) -> Value {
    json!({ "recipient": { "id": to }, "message": { "text": text } })
}

const FAN: &str = "1254477777772919"; // cliente.fiel

#[tokio::test]
async fn a_dm_goes_out_only_inside_the_24_hour_window() {
    let meta = sandbox().await;
    let token = meta.long_token().await;
    let closed = meta.graph(Method::POST, "/v24.0/me/messages", &token, Some(dm(FAN, "Oi!"))).await;
    let (status, error) = graph_error(closed).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        (error["type"].as_str(), error["code"].as_u64(), error["error_subcode"].as_u64(), error["message"].as_str()),
        (Some("IGApiException"), Some(10), Some(2_534_022), Some("This message is sent outside of allowed window."))
    );

    meta.follower_dm("cliente.fiel", "Quanto custa?").await;
    let path = format!("/v24.0/{SHOP_IG_ID}/messages");
    let sent = meta.graph(Method::POST, &path, &token, Some(dm(FAN, "Olá! Nossos preços começam em R$ 50."))).await;
    assert_eq!(sent.status(), StatusCode::OK);
    let body: Value = sent.json().await.expect("json");
    assert_eq!(body["recipient_id"], FAN);
    assert!(body["message_id"].as_str().expect("mid").starts_with("aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlE"));

    meta.advance(24 * 3600 + 1).await;
    let (status, error) = graph_error(meta.graph(Method::POST, &path, &token, Some(dm(FAN, "Ainda aí?"))).await).await;
    assert_eq!((status, error["error_subcode"].as_u64()), (StatusCode::FORBIDDEN, Some(2_534_022)));
}

#[tokio::test]
async fn text_is_limited_to_1000_bytes_not_characters() {
    let meta = sandbox().await;
    let token = meta.long_token().await;
    meta.follower_dm("cliente.fiel", "oi").await;
    let fits = "ç".repeat(500); // 1000 bytes
    let ok = meta.graph(Method::POST, "/v24.0/me/messages", &token, Some(dm(FAN, &fits))).await;
    assert_eq!(ok.status(), StatusCode::OK);
    let too_long = "ç".repeat(501);
    let (_, error) =
        graph_error(meta.graph(Method::POST, "/v24.0/me/messages", &token, Some(dm(FAN, &too_long))).await).await;
    assert_eq!(error["code"], 100);
    let (_, error) =
        graph_error(meta.graph(Method::POST, "/v24.0/me/messages", &token, Some(dm("999", "oi"))).await).await;
    assert_eq!((error["code"].as_u64(), error["error_subcode"].as_u64()), (Some(100), Some(2_534_014)));
}

#[tokio::test]
async fn one_private_reply_per_comment_within_seven_days() {
    let meta = sandbox().await;
    let token = meta.long_token().await;
    let comment = meta.follower_comment("cliente.fiel", REEL, "preço?").await;
    let private = json!({ "recipient": { "comment_id": comment }, "message": { "text": "Te chamei no direct!" } });
    let first = meta.graph(Method::POST, "/v24.0/me/messages", &token, Some(private.clone())).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.json::<Value>().await.expect("json")["recipient_id"], FAN);

    let (_, error) = graph_error(meta.graph(Method::POST, "/v24.0/me/messages", &token, Some(private)).await).await;
    assert_eq!((error["code"].as_u64(), error["error_subcode"].as_u64()), (Some(100), Some(2_534_025)));

    let old = meta.follower_comment("outra.cliente", POST, "quero").await;
    meta.advance(7 * 86_400 + 1).await;
    let late = json!({ "recipient": { "comment_id": old }, "message": { "text": "Oi" } });
    let (_, error) = graph_error(meta.graph(Method::POST, "/v24.0/me/messages", &token, Some(late)).await).await;
    assert_eq!(error["error_subcode"], 2_534_025);

    // A private reply does not open the window: a plain DM is still refused.
    let (status, _) =
        graph_error(meta.graph(Method::POST, "/v24.0/me/messages", &token, Some(dm(FAN, "E aí?"))).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn public_replies_thread_under_the_top_level_comment() {
    let meta = sandbox().await;
    let token = meta.long_token().await;
    let top = meta.follower_comment("cliente.fiel", REEL, "Quanto custa?").await;
    let reply = meta.graph(Method::POST, &format!("/v24.0/{top}/replies?message=R%24%2050"), &token, None).await;
    assert_eq!(reply.status(), StatusCode::OK);
    let reply_id = reply.json::<Value>().await.expect("json")["id"].as_str().expect("id").to_owned();

    // Replying to a reply lands under the top-level comment.
    let nested = meta
        .graph(
            Method::POST,
            &format!("/v24.0/{reply_id}/replies"),
            &token,
            Some(json!({ "message": "Mais detalhes no direct" })),
        )
        .await;
    assert_eq!(nested.status(), StatusCode::OK);
    let replies: Value = meta
        .graph(Method::GET, &format!("/v24.0/{top}/replies?fields=id,text,parent_id,from"), &token, None)
        .await
        .json()
        .await
        .expect("json");
    let data = replies["data"].as_array().expect("data");
    assert_eq!(data.len(), 2);
    assert!(data.iter().all(|r| r["parent_id"] == top.as_str() && r["from"]["id"] == SHOP_IG_ID));

    let (_, error) =
        graph_error(meta.graph(Method::POST, "/v24.0/17800000000000000/replies?message=x", &token, None).await).await;
    assert_eq!((error["code"].as_u64(), error["error_subcode"].as_u64()), (Some(100), Some(33)));
}

#[tokio::test]
async fn a_comment_is_hidden_and_shown_by_its_accounts_moderation_call() {
    let meta = sandbox().await;
    let token = meta.long_token().await;
    let comment = meta.follower_comment("cliente.fiel", REEL, "spam spam").await;
    let hide = meta.graph(Method::POST, &format!("/v24.0/{comment}?hide=true"), &token, None).await;
    assert_eq!(hide.json::<Value>().await.expect("json"), json!({ "success": true }));
    let fields = format!("/v24.0/{comment}?fields=id,hidden");
    let read: Value = meta.graph(Method::GET, &fields, &token, None).await.json().await.expect("json");
    assert_eq!(read["hidden"], true, "{read}");
    let (_, error) =
        graph_error(meta.graph(Method::POST, &format!("/v24.0/{comment}/replies?message=oi"), &token, None).await)
            .await;
    assert_eq!(error["code"], 100, "a hidden comment takes no reply");
    let show = meta.graph(Method::POST, &format!("/v24.0/{comment}?hide=false"), &token, None).await;
    assert_eq!(show.status(), StatusCode::OK);
    let read: Value = meta.graph(Method::GET, &fields, &token, None).await.json().await.expect("json");
    assert_eq!(read["hidden"], false);
    let (_, error) =
        graph_error(meta.graph(Method::POST, &format!("/v24.0/{comment}?hide=maybe"), &token, None).await).await;
    assert_eq!(error["code"], 100);
    let bia = meta.long_token_for("doces.da.bia", support::SCOPES).await;
    let (_, error) =
        graph_error(meta.graph(Method::POST, &format!("/v24.0/{comment}?hide=true"), &bia, None).await).await;
    assert_eq!(error["error_subcode"], 33, "another account's comment is invisible");
}

#[tokio::test]
async fn another_accounts_objects_are_invisible() {
    let meta = sandbox().await;
    let bia = meta.long_token_for("doces.da.bia", support::SCOPES).await;
    let comment = meta.follower_comment("cliente.fiel", REEL, "oi").await;
    let (_, error) =
        graph_error(meta.graph(Method::POST, &format!("/v24.0/{comment}/replies?message=x"), &bia, None).await).await;
    assert_eq!(error["error_subcode"], 33);
    let (_, error) = graph_error(meta.graph(Method::GET, &format!("/v24.0/{REEL}/comments"), &bia, None).await).await;
    assert_eq!(error["error_subcode"], 33);
}

#[tokio::test]
async fn permissions_not_granted_are_refused_with_code_200() {
    let meta = sandbox().await;
    let basic = meta.long_token_for("loja.exemplo", "instagram_business_basic").await;
    meta.follower_dm("cliente.fiel", "oi").await;
    let (_, error) =
        graph_error(meta.graph(Method::POST, "/v24.0/me/messages", &basic, Some(dm(FAN, "Oi"))).await).await;
    assert_eq!(error["code"], 200);
    let (_, error) = graph_error(meta.graph(Method::GET, "/v24.0/me/insights?metric=reach", &basic, None).await).await;
    assert_eq!(error["code"], 200);
}

#[tokio::test]
async fn subscriptions_take_known_fields_only() {
    let meta = sandbox().await;
    let token = meta.long_token().await;
    let (_, error) = graph_error(
        meta.graph(Method::POST, "/v24.0/me/subscribed_apps?subscribed_fields=messages,feed", &token, None).await,
    )
    .await;
    assert!(error["message"].as_str().expect("message").contains("subscribed_fields[1]"));
    meta.subscribe(&token, "messages,comments").await;
    let listed: Value =
        meta.graph(Method::GET, "/v24.0/me/subscribed_apps", &token, None).await.json().await.expect("json");
    assert_eq!(listed, json!({ "data": [{ "subscribed_fields": ["messages", "comments"] }] }));
    let removed = meta.graph(Method::DELETE, &format!("/v24.0/{SHOP_IG_ID}/subscribed_apps"), &token, None).await;
    assert_eq!(removed.json::<Value>().await.expect("json"), json!({ "success": true }));
    let listed: Value =
        meta.graph(Method::GET, "/v24.0/me/subscribed_apps", &token, None).await.json().await.expect("json");
    assert_eq!(listed, json!({ "data": [] }));
}

#[tokio::test]
async fn media_and_comments_page_like_meta() {
    let meta = sandbox().await;
    let token = meta.long_token().await;
    let first: Value = meta
        .graph(Method::GET, "/v24.0/me/media?fields=id,media_product_type,permalink&limit=2", &token, None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(first["data"].as_array().expect("data").len(), 2);
    assert_eq!(
        first["data"][0],
        json!({ "id": REEL, "media_product_type": "REELS", "permalink": "https://www.instagram.com/reel/117851/" })
    );
    let next = first["paging"]["next"].as_str().expect("next page");
    let after = next.split("after=").nth(1).expect("cursor");
    let second: Value = meta
        .graph(Method::GET, &format!("/v24.0/me/media?limit=2&after={after}"), &token, None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(second["data"].as_array().expect("data").len(), 1);
    assert!(second["paging"].get("next").is_none(), "no next on the last page");

    meta.follower_comment("cliente.fiel", REEL, "Lindo!").await;
    let comments: Value =
        meta.graph(Method::GET, &format!("/v24.0/{REEL}/comments"), &token, None).await.json().await.expect("json");
    let only = &comments["data"][0];
    assert_eq!(only.as_object().map(|o| o.len()), Some(3), "default fields are timestamp, text, id: {only}");
    assert_eq!(only["text"], "Lindo!");
    assert!(only["timestamp"].as_str().expect("timestamp").ends_with("+0000"));
    let (_, error) = graph_error(meta.graph(Method::GET, "/v24.0/me/media?fields=id,bogus", &token, None).await).await;
    assert_eq!(error["code"], 100);
}

#[tokio::test]
async fn insights_answer_current_metrics_and_refuse_removed_ones() {
    let meta = sandbox().await;
    let token =
        meta.long_token_for("loja.exemplo", "instagram_business_basic,instagram_business_manage_insights").await;
    let body: Value = meta
        .graph(Method::GET, "/v24.0/me/insights?metric=reach,views&period=day&metric_type=total_value", &token, None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(body["data"][0]["name"], "reach");
    assert!(body["data"][1]["total_value"]["value"].is_u64());
    assert_eq!(body["data"][0]["id"], format!("{SHOP_IG_ID}/insights/reach/day"));
    let (status, error) =
        graph_error(meta.graph(Method::GET, "/v24.0/me/insights?metric=impressions", &token, None).await).await;
    assert_eq!((status, error["code"].as_u64()), (StatusCode::BAD_REQUEST, Some(100)));
}

#[tokio::test]
async fn the_business_use_case_quota_throttles_with_code_80002() {
    let meta = sandbox().await;
    let token = meta.long_token().await;
    assert_eq!(
        meta.control("/_sandbox/limits", json!({ "platform_calls_per_hour": 3 })).await.status(),
        StatusCode::NO_CONTENT
    );
    for _ in 0..3 {
        assert_eq!(meta.graph(Method::GET, "/v24.0/me", &token, None).await.status(), StatusCode::OK);
    }
    let throttled = meta.graph(Method::GET, "/v24.0/me", &token, None).await;
    let usage: Value =
        serde_json::from_str(throttled.headers()["x-business-use-case-usage"].to_str().expect("ascii")).expect("json");
    assert_eq!(usage[SHOP_IG_ID][0]["call_count"], 100);
    assert!(usage[SHOP_IG_ID][0]["estimated_time_to_regain_access"].as_u64().expect("minutes") > 0);
    let (_, error) = graph_error(throttled).await;
    assert_eq!(error["code"], 80002);
}

#[tokio::test]
async fn injected_faults_fail_the_next_calls_as_meta_fails() {
    let meta = sandbox().await;
    let token = meta.long_token().await;
    meta.follower_dm("cliente.fiel", "oi").await;
    let fault = |kind: &str| json!({ "endpoint": "messages", "kind": kind, "count": 1, "delay_ms": 300 });
    let send = || meta.graph(Method::POST, "/v24.0/me/messages", &token, Some(dm(FAN, "Oi")));

    assert_eq!(meta.control("/_sandbox/faults", fault("server_error")).await.status(), StatusCode::CREATED);
    let (status, error) = graph_error(send().await).await;
    assert_eq!(
        (status, error["code"].as_u64(), error["is_transient"].as_bool()),
        (StatusCode::INTERNAL_SERVER_ERROR, Some(2), Some(true))
    );
    assert_eq!(send().await.status(), StatusCode::OK, "only the next call fails");

    meta.control("/_sandbox/faults", fault("rate_limit")).await;
    let (_, error) = graph_error(send().await).await;
    assert_eq!((error["code"].as_u64(), error["error_subcode"].as_u64()), (Some(613), Some(2_534_040)));

    meta.control("/_sandbox/faults", fault("invalid_token")).await;
    let (_, error) = graph_error(send().await).await;
    assert_eq!((error["code"].as_u64(), error["error_subcode"].as_u64()), (Some(190), Some(460)));

    meta.control("/_sandbox/faults", fault("timeout")).await;
    let started = Instant::now();
    assert_eq!(send().await.status(), StatusCode::GATEWAY_TIMEOUT);
    assert!(started.elapsed() >= Duration::from_millis(300));

    // A share of calls for a period: all of them at share 1.
    meta.control("/_sandbox/faults", json!({ "endpoint": "*", "kind": "server_error", "share": 1.0, "seconds": 60 }))
        .await;
    assert_eq!(meta.graph(Method::GET, "/v24.0/me", &token, None).await.status(), StatusCode::INTERNAL_SERVER_ERROR);
    meta.advance(61).await;
    assert_eq!(meta.graph(Method::GET, "/v24.0/me", &token, None).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_record_answers_exactly_one_dm_to_this_person_with_this_text() {
    let meta = sandbox().await;
    let token = meta.long_token().await;
    meta.follower_dm("cliente.fiel", "oi").await;
    meta.graph(Method::POST, "/v24.0/me/messages", &token, Some(dm(FAN, "Olá, tudo bem?"))).await;
    let calls: Vec<Value> =
        meta.get("/_sandbox/calls", &[("method", "POST"), ("path", "/messages")]).await.json().await.expect("json");
    let to_fan: Vec<_> = calls
        .iter()
        .filter(|c| c["body"]["recipient"]["id"] == FAN && c["body"]["message"]["text"] == "Olá, tudo bem?")
        .collect();
    assert_eq!(to_fan.len(), 1);
    assert_eq!(to_fan[0]["status"], 200);
}
