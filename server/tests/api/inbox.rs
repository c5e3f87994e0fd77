//! The inbox: a conversation's history both ways (their DMs, the automation's reply, what the
//! account wrote in the Instagram app), a manual reply inside the 24-hour window and refused
//! outside it, and the automations paused after a human reply until resumed.
use crate::{
    engine::{shop_with, Shop},
    helpers::TestApp,
};
use app::domain::automation::{AutomationKind, ResponseType};
use serde_json::{json, Value};

const ACCOUNT: &str = "17841405822304914"; // @loja.exemplo
const FIEL: &str = "1254477777772919"; // @cliente.fiel

async fn get(app: &TestApp, path: &str) -> Value {
    let response = app.client.get(app.url(path)).header("accept", "application/json").send().await.expect("get");
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.expect("json")
}

async fn reply(shop: &Shop, text: &str) -> reqwest::Response {
    let form = [("instance_id", shop.instance_id.as_str()), ("person_id", FIEL), ("text", text)];
    let request = shop.app.client.post(shop.app.url("/api/inbox/reply")).header("accept", "application/json");
    request.form(&form).send().await.expect("reply")
}

async fn statuses(shop: &Shop) -> Vec<(Option<String>, String, Option<String>)> {
    sqlx::query_as(
        "SELECT r.response_text, r.status, r.error FROM instagram_reports r WHERE r.user_id_instagram = $1
         ORDER BY r.created_at, r.part",
    )
    .bind(FIEL)
    .fetch_all(&shop.app.state.pg)
    .await
    .expect("reports")
}

#[tokio::test]
async fn a_conversation_shows_both_ways_takes_a_manual_reply_and_pauses_the_automations() {
    let shop = shop_with(|_| {}).await;
    shop.automation(AutomationKind::Dm, &["preço"], "Custa R$ 10", ResponseType::Direct).await;
    shop.meta.dm("cliente.fiel", "loja.exemplo", "qual o preço?").await;
    shop.meta.settle(&shop.app).await;

    let inbox = get(&shop.app, &format!("/api/inbox?instance={}", shop.instance_id)).await;
    let conversations = inbox["conversations"].as_array().expect("list");
    assert_eq!(conversations.len(), 1, "{inbox}");
    assert_eq!(conversations[0]["person_id"], FIEL);
    assert_eq!(conversations[0]["username"], "cliente.fiel");
    assert_eq!(conversations[0]["unread"], 1);
    assert_eq!(
        (conversations[0]["last_from_person"].as_bool(), conversations[0]["window_open"].as_bool()),
        (Some(false), Some(true))
    );
    assert_eq!(conversations[0]["last_text"], "Custa R$ 10");
    let search = get(&shop.app, &format!("/api/inbox?instance={}&q=pre%C3%A7o", shop.instance_id)).await;
    assert_eq!(search["conversations"].as_array().map(Vec::len), Some(1), "found by a word of theirs");
    let none = get(&shop.app, &format!("/api/inbox?instance={}&q=entrega", shop.instance_id)).await;
    assert_eq!(none["conversations"].as_array().map(Vec::len), Some(0));

    // Someone of the shop answers from the Instagram app: the echo names no report of ours.
    let now = chrono::Utc::now().timestamp_millis();
    shop.deliver(json!({ "object": "instagram", "entry": [{ "id": ACCOUNT, "time": now, "messaging": [{
        "sender": { "id": ACCOUNT }, "recipient": { "id": FIEL }, "timestamp": now,
        "message": { "mid": "m_from_the_app_1", "text": "Oi! Aqui é a Ana, da loja.", "is_echo": true } }] }] }))
        .await;
    shop.meta.settle(&shop.app).await;
    let thread = get(&shop.app, &format!("/api/inbox/thread?instance={}&person={FIEL}", shop.instance_id)).await;
    let messages: Vec<(bool, bool, &str)> = thread["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| {
            (
                m["from_person"].as_bool().unwrap_or_default(),
                m["automated"].as_bool().unwrap_or_default(),
                m["text"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        messages,
        [(true, false, "qual o preço?"), (false, true, "Custa R$ 10"), (false, false, "Oi! Aqui é a Ana, da loja.")]
    );
    assert!(thread["paused_until"].is_string(), "a human answered: paused {thread}");
    let read = get(&shop.app, &format!("/api/inbox?instance={}", shop.instance_id)).await;
    assert_eq!(read["conversations"][0]["unread"], 0, "reading it marked it read");

    // While paused the automation stays out of it.
    shop.meta.dm("cliente.fiel", "loja.exemplo", "e o preço do grande?").await;
    shop.meta.settle(&shop.app).await;
    assert_eq!(statuses(&shop).await.last().map(|r| r.2.clone()), Some(Some("human_took_over".to_owned())));

    // A manual reply goes out through the outbox, once.
    assert!(reply(&shop, "O grande custa R$ 15 😊").await.status().is_success());
    shop.meta.settle(&shop.app).await;
    let sent = shop.meta.succeeded("POST", "/messages").await;
    assert_eq!(sent.len(), 2, "the automated reply and the manual one");
    assert_eq!(sent[1]["body"]["message"]["text"], "O grande custa R$ 15 😊");
    assert_eq!(
        statuses(&shop).await.last().map(|r| (r.0.clone(), r.1.clone())),
        Some((Some("O grande custa R$ 15 😊".to_owned()), "sent".to_owned()))
    );
    let thread = get(&shop.app, &format!("/api/inbox/thread?instance={}&person={FIEL}", shop.instance_id)).await;
    let last = thread["messages"].as_array().and_then(|m| m.last().cloned()).expect("a last message");
    assert_eq!((last["text"].as_str(), last["automated"].as_bool()), (Some("O grande custa R$ 15 😊"), Some(false)));

    // Resumed by hand: the automation answers again.
    let form = [("instance_id", shop.instance_id.as_str()), ("person_id", FIEL)];
    let resumed = shop
        .app
        .client
        .post(shop.app.url("/api/inbox/resume"))
        .header("accept", "application/json")
        .form(&form)
        .send()
        .await;
    assert!(resumed.expect("resume").status().is_success());
    shop.meta.dm("cliente.fiel", "loja.exemplo", "qual o preço do médio?").await;
    shop.meta.settle(&shop.app).await;
    assert_eq!(statuses(&shop).await.last().map(|r| r.1.clone()), Some("sent".to_owned()));
    assert_eq!(shop.meta.succeeded("POST", "/messages").await.len(), 3);
}

#[tokio::test]
async fn outside_the_window_the_composer_says_why_and_nothing_is_sent() {
    let shop = shop_with(|_| {}).await;
    shop.meta.dm("cliente.fiel", "loja.exemplo", "oi").await;
    shop.meta.settle(&shop.app).await;
    // A day and an hour later:
    shop.app.state.clock.advance(chrono::Duration::hours(25));
    let thread = get(&shop.app, &format!("/api/inbox/thread?instance={}&person={FIEL}", shop.instance_id)).await;
    assert_eq!(thread["window_open"], false);
    let refused = reply(&shop, "oi, ainda quer?").await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.expect("text").contains("window_closed"));
    shop.meta.settle(&shop.app).await;
    assert!(shop.meta.succeeded("POST", "/messages").await.is_empty());
    let page =
        shop.app.get(&format!("/inbox?instance={}&person={FIEL}", shop.instance_id)).await.text().await.expect("page");
    assert!(page.contains("A janela de 24 horas da Meta fechou"), "the composer says why");

    // Another person cannot read or answer it.
    let other = shop.app.another_browser();
    assert_eq!(other.sign_up("bia@loja.com", "senha-forte-1").await.status(), 302);
    let theirs = other
        .client
        .get(other.url(&format!("/api/inbox?instance={}", shop.instance_id)))
        .header("accept", "application/json")
        .send()
        .await;
    assert_eq!(theirs.expect("get").status(), 404);
}
