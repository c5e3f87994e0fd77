//! Messages beyond text: quick replies, button and generic templates and media by URL, checked
//! as Meta checks them; a follower's tap on a quick reply or a postback button comes back to the
//! app as Meta delivers it.
mod support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{graph_error, items, sandbox, Callback, Meta};

const VERIFY: &str = "verify-me";

async fn connected() -> (Meta, Callback, String, String) {
    let meta = sandbox().await;
    let callback = Callback::start(VERIFY).await;
    callback.register(&meta, VERIFY).await;
    let token = meta.long_token().await;
    meta.subscribe(&token, "messages,messaging_postbacks").await;
    meta.follower_dm("cliente.fiel", "oi").await;
    let first = items(&callback, 1).await;
    let igsid = first[0]["sender"]["id"].as_str().expect("igsid").to_owned();
    (meta, callback, token, igsid)
}

async fn send(meta: &Meta, token: &str, igsid: &str, message: Value) -> (StatusCode, Value) {
    let body = json!({ "recipient": { "id": igsid }, "message": message });
    let response = meta.graph(Method::POST, "/v24.0/me/messages", token, Some(body)).await;
    let status = response.status();
    (status, response.json().await.expect("json"))
}

fn generic(elements: Value) -> Value {
    json!({ "attachment": { "type": "template", "payload": { "template_type": "generic", "elements": elements } } })
}

fn button_template(text: &str, buttons: Value) -> Value {
    json!({ "attachment": { "type": "template", "payload": { "template_type": "button", "text": text, "buttons": buttons } } })
}

#[tokio::test]
async fn every_shape_meta_takes_is_sent_and_echoed() {
    let (meta, callback, token, igsid) = connected().await;
    let quick = json!({ "text": "Qual tamanho?", "quick_replies": [
        { "content_type": "text", "title": "P", "payload": "SIZE_P" },
        { "content_type": "text", "title": "M", "payload": "SIZE_M" }] });
    let buttons = button_template(
        "Quer receber o link?",
        json!([
        { "type": "postback", "title": "Sim", "payload": "LINK" },
        { "type": "web_url", "title": "Ver o site", "url": "https://loja.exemplo" }]),
    );
    let generic = json!({ "attachment": { "type": "template", "payload": { "template_type": "generic", "elements": [
        { "title": "Bolo de cenoura", "subtitle": "R$ 40", "image_url": "https://loja.exemplo/bolo.jpg",
          "buttons": [{ "type": "postback", "title": "Quero", "payload": "BOLO" }] }] } } });
    let image = json!({ "attachment": { "type": "image", "payload": { "url": "https://loja.exemplo/promo.jpg" } } });
    for message in [&quick, &buttons, &generic, &image] {
        let (status, answer) = send(&meta, &token, &igsid, message.clone()).await;
        assert_eq!(status, StatusCode::OK, "{message}: {answer}");
        assert!(answer["message_id"].is_string());
    }
    let echoes: Vec<Value> =
        items(&callback, 5).await.into_iter().filter(|m| m["message"]["is_echo"] == true).collect();
    assert_eq!(echoes.len(), 4);
    assert_eq!(echoes[0]["message"]["quick_replies"][1]["payload"], "SIZE_M");
    assert_eq!(echoes[1]["message"]["attachments"][0]["payload"]["buttons"][0]["payload"], "LINK");
}

#[tokio::test]
async fn a_wrong_shape_gets_metas_invalid_parameter() {
    let (meta, _callback, token, igsid) = connected().await;
    let thirteen: Vec<Value> = (0..14)
        .map(|i| json!({ "content_type": "text", "title": format!("T{i}"), "payload": format!("P{i}") }))
        .collect();
    let cases = [
        (json!({ "text": "?", "quick_replies": thirteen }), "quick_replies"),
        (
            json!({ "text": "?", "quick_replies": [{ "content_type": "text", "title": "a".repeat(21), "payload": "X" }] }),
            "title",
        ),
        (json!({ "text": "?", "quick_replies": [{ "content_type": "text", "title": "Sim" }] }), "payload"),
        (button_template("?", json!([])), "buttons"),
        (
            button_template(
                "?",
                json!([{ "type": "postback", "title": "A", "payload": "A" }, { "type": "postback", "title": "B", "payload": "B" },
            { "type": "postback", "title": "C", "payload": "C" }, { "type": "postback", "title": "D", "payload": "D" }]),
            ),
            "buttons",
        ),
        (button_template(&"a".repeat(641), json!([{ "type": "postback", "title": "A", "payload": "A" }])), "text"),
        (button_template("?", json!([{ "type": "web_url", "title": "Site", "url": "loja.exemplo" }])), "url"),
        (button_template("?", json!([{ "type": "call", "title": "Ligar" }])), "type"),
        (json!({ "attachment": { "type": "image", "payload": {} } }), "url"),
        (generic(json!([])), "elements"),
        (generic(json!((0..11).map(|i| json!({ "title": format!("Card {i}") })).collect::<Vec<_>>())), "elements"),
        (generic(json!([{ "title": "a".repeat(81) }])), "title"),
        (generic(json!([{ "title": "Bolo", "subtitle": "b".repeat(81) }])), "subtitle"),
        (generic(json!([{ "title": "Bolo", "image_url": "bolo.jpg" }])), "image_url"),
        (generic(json!([{ "title": "Bolo", "buttons": [{ "type": "web_url", "title": "Ver", "url": "x" }] }])), "url"),
        (
            json!({ "text": "Oi", "attachment": { "type": "image", "payload": { "url": "https://loja.exemplo/a.jpg" } } }),
            "Only one",
        ),
        (json!({ "attachment": { "type": "hologram", "payload": {} } }), "type"),
    ];
    for (message, names) in cases {
        let body = json!({ "recipient": { "id": igsid }, "message": message });
        let (status, error) =
            graph_error(meta.graph(Method::POST, "/v24.0/me/messages", &token, Some(body)).await).await;
        assert_eq!((status, error["code"].as_u64()), (StatusCode::BAD_REQUEST, Some(100)), "{message}");
        assert!(error["message"].as_str().is_some_and(|m| m.contains(names)), "{error} names {names}");
    }
}

#[tokio::test]
async fn a_file_meta_cannot_fetch_or_of_another_kind_is_refused_with_its_subcode() {
    let (meta, _callback, token, igsid) = connected().await;
    let file = |kind: &str, url: &str| json!({ "attachment": { "type": kind, "payload": { "url": url } } });
    for (message, subcode) in [
        (file("image", "https://cdn.loja.invalid/promo.jpg"), 2_018_008),
        (file("image", "https://loja.exemplo/catalogo.pdf"), 2_018_047),
        (file("file", "https://loja.exemplo/promo.PNG?v=2"), 2_018_047),
    ] {
        let (status, error) = send(&meta, &token, &igsid, message.clone()).await;
        assert_eq!(
            (status, error["error"]["code"].as_u64(), error["error"]["error_subcode"].as_u64()),
            (StatusCode::BAD_REQUEST, Some(100), Some(subcode)),
            "{message}: {error}"
        );
    }
    for fine in [
        file("video", "https://loja.exemplo/receita.mp4"),
        file("audio", "https://loja.exemplo/recado.mp4"),
        file("file", "https://loja.exemplo/catalogo.pdf"),
        file("image", "https://loja.exemplo/foto?id=3"),
    ] {
        let (status, answer) = send(&meta, &token, &igsid, fine.clone()).await;
        assert_eq!(status, StatusCode::OK, "{fine}: {answer}");
    }
}

#[tokio::test]
async fn the_follower_page_draws_cards_and_files_as_instagram_does() {
    let (meta, _callback, token, igsid) = connected().await;
    let cards = generic(json!([
        { "title": "Bolo de cenoura", "subtitle": "R$ 40", "image_url": "https://loja.exemplo/bolo.jpg",
          "buttons": [{ "type": "postback", "title": "Quero", "payload": "ic:auto:b" },
                      { "type": "web_url", "title": "Ver", "url": "https://loja.exemplo/bolo" }] },
        { "title": "Brigadeiro" }]));
    for message in
        [cards, json!({ "attachment": { "type": "image", "payload": { "url": "https://loja.exemplo/promo.jpg" } } })]
    {
        let (status, answer) = send(&meta, &token, &igsid, message).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }
    let page = meta.get("/_sandbox/follower", &[("as", "cliente.fiel")]).await.text().await.expect("html");
    for drawn in [
        r#"<img src="https://loja.exemplo/bolo.jpg""#,
        "<strong>Bolo de cenoura</strong><div>R$ 40</div>",
        "<strong>Brigadeiro</strong>",
        r#"<a href="https://loja.exemplo/bolo" rel="noopener">Ver</a>"#,
        r#"name="payload" value="ic:auto:b""#,
        r#"<img src="https://loja.exemplo/promo.jpg" alt="imagem""#,
    ] {
        assert!(page.contains(drawn), "{drawn} in {page}");
    }
}

#[tokio::test]
async fn a_tap_comes_back_as_a_postback_or_a_quick_reply_and_only_for_what_was_offered() {
    let (meta, callback, token, igsid) = connected().await;
    send(
        &meta,
        &token,
        &igsid,
        button_template("Quer o link?", json!([{ "type": "postback", "title": "Sim", "payload": "ic:auto:1" }])),
    )
    .await;
    send(
        &meta,
        &token,
        &igsid,
        json!({ "text": "Tamanho?", "quick_replies": [{ "content_type": "text", "title": "M", "payload": "SIZE_M" }] }),
    )
    .await;
    let tap = |payload: &str| {
        meta.control("/_sandbox/followers/cliente.fiel/taps", json!({ "to": "loja.exemplo", "payload": payload }))
    };
    assert_eq!(tap("ic:auto:1").await.status(), StatusCode::OK);
    assert_eq!(tap("SIZE_M").await.status(), StatusCode::OK);
    assert_eq!(tap("NEVER_OFFERED").await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let items: Vec<Value> = items(&callback, 5).await.into_iter().filter(|m| m["message"]["is_echo"] != true).collect();
    let postback = items.iter().find(|m| m.get("postback").is_some()).expect("a postback");
    assert_eq!(
        (postback["postback"]["title"].as_str(), postback["postback"]["payload"].as_str()),
        (Some("Sim"), Some("ic:auto:1"))
    );
    assert!(postback["postback"]["mid"].is_string());
    let quick = items.iter().find(|m| m["message"]["quick_reply"].is_object()).expect("a quick reply");
    assert_eq!(
        (quick["message"]["text"].as_str(), quick["message"]["quick_reply"]["payload"].as_str()),
        (Some("M"), Some("SIZE_M"))
    );

    // The follower page shows the message with its buttons to tap.
    let page = meta.get("/_sandbox/follower", &[("as", "cliente.fiel")]).await.text().await.expect("html");
    assert!(page.contains("Quer o link?") && page.contains(r#"name="payload" value="ic:auto:1""#), "{page}");
}

#[tokio::test]
async fn ice_breakers_are_kept_checked_and_tapped_like_postbacks() {
    let (meta, callback, token, _) = connected().await;
    let profile = |body: Value| meta.graph(Method::POST, "/v24.0/me/messenger_profile", &token, Some(body));
    let questions = json!([{ "call_to_actions": [{ "question": "Quais os preços?", "payload": "ic:auto:9" }], "locale": "default" }]);
    let saved = profile(json!({ "platform": "instagram", "ice_breakers": questions })).await;
    assert_eq!(saved.json::<Value>().await.expect("json"), json!({ "success": true }));
    let read: Value = meta
        .graph(Method::GET, "/v24.0/me/messenger_profile?fields=ice_breakers&platform=instagram", &token, None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(read["data"][0]["ice_breakers"], questions);
    let five: Vec<Value> = (0..5).map(|i| json!({ "question": format!("P{i}?"), "payload": format!("{i}") })).collect();
    for wrong in [
        json!({ "platform": "facebook", "ice_breakers": questions }),
        json!({ "platform": "instagram", "ice_breakers": [{ "call_to_actions": five }] }),
        json!({ "platform": "instagram", "ice_breakers": [{ "call_to_actions": [{ "question": "a".repeat(81), "payload": "x" }] }] }),
    ] {
        let (status, error) = graph_error(profile(wrong.clone()).await).await;
        assert_eq!((status, error["code"].as_u64()), (StatusCode::BAD_REQUEST, Some(100)), "{wrong}");
    }
    // Someone who never wrote taps the question: a postback with the question as title.
    meta.control("/_sandbox/followers", json!({ "username": "nova.cliente" })).await;
    let tap = meta
        .control("/_sandbox/followers/nova.cliente/taps", json!({ "to": "loja.exemplo", "payload": "ic:auto:9" }))
        .await;
    assert_eq!(tap.status(), StatusCode::OK);
    let postback = items(&callback, 2).await.into_iter().find(|m| m.get("postback").is_some()).expect("a postback");
    assert_eq!(postback["postback"]["title"], "Quais os preços?");
    let page = meta.get("/_sandbox/follower", &[("as", "nova.cliente")]).await.text().await.expect("html");
    assert!(page.contains("Perguntas frequentes de @loja.exemplo"), "{page}");
    let removed = meta
        .graph(Method::DELETE, "/v24.0/me/messenger_profile", &token, Some(json!({ "fields": ["ice_breakers"] })))
        .await;
    assert_eq!(removed.status(), StatusCode::OK);
}
