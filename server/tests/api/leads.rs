//! Leads to Clerky's CRM: a person's first DM or comment becomes one `lead.created` event and
//! later ones `lead.updated`, each a signed JSON POST to the instance's webhook, retried with
//! backoff while the receiver fails, delivered once, logged, replayable; the settings refused
//! where they would point inside our network, and nobody else's log or replay reachable.
use crate::engine::{shop_with, Shop};
use app::backend::leads;
use serde_json::{json, Value};
use std::time::Duration;

const POST: &str = "17895695668004550";
const SECRET: &str = "segredo-do-crm-0123456789";

async fn received(shop: &Shop) -> Vec<Value> {
    let url = format!("{}/_sandbox/crm/leads", shop.meta.base);
    let all: Value = shop.meta.http.get(url).send().await.expect("crm").json().await.expect("json");
    all["received"].as_array().cloned().unwrap_or_default()
}

async fn events(shop: &Shop) -> Vec<(String, String, String, i32, Option<String>)> {
    sqlx::query_as("SELECT kind, channel, status, attempts, last_error FROM lead_events ORDER BY created_at")
        .fetch_all(&shop.app.state.pg)
        .await
        .expect("events")
}

async fn shop() -> Shop {
    shop_with(|vars| {
        vars.insert("LEAD_WEBHOOK_ALLOW_PRIVATE".into(), "true".into());
        vars.insert("LEAD_RETRY_BASE_SECONDS".into(), "1".into());
    })
    .await
}

#[tokio::test]
async fn a_first_dm_is_one_lead_retried_until_the_crm_takes_it_and_later_messages_add_to_it() {
    let shop = shop().await;
    let app = &shop.app;
    // Nothing is a lead before a webhook is set.
    shop.meta.dm("cliente.fiel", "loja.exemplo", "oi, bom dia").await;
    shop.meta.settle(app).await;
    assert!(events(&shop).await.is_empty());

    let receiver = format!("{}/_sandbox/crm/leads", shop.meta.base);
    let saved = app
        .post_form_json(
            "/api/leads/webhook",
            &[("instance_id", &shop.instance_id), ("url", &receiver), ("secret", SECRET)],
        )
        .await;
    assert_eq!(saved.status(), 200, "{}", saved.text().await.unwrap_or_default());
    let sealed: String =
        sqlx::query_scalar("SELECT secret_sealed FROM lead_webhooks").fetch_one(&app.state.pg).await.expect("w");
    assert!(!sealed.contains(SECRET), "the secret is sealed at rest");

    shop.meta.post_control("/_sandbox/crm/fail", json!({ "times": 2 })).await;
    shop.meta.dm("cliente.fiel", "loja.exemplo", "quero saber o preço da camiseta").await;
    shop.meta.settle(app).await;
    assert_eq!(leads::deliver_due(&app.state).await.expect("run"), 0, "the CRM refused it");
    let first = events(&shop).await;
    assert_eq!(first.len(), 1);
    assert_eq!((first[0].0.as_str(), first[0].2.as_str(), first[0].3), ("lead.created", "pending", 1));
    assert_eq!(first[0].4.as_deref(), Some("HTTP 500"));
    assert_eq!(leads::deliver_due(&app.state).await.expect("run"), 0, "not before its backoff");
    // Backoff 1 s, then 2 s; two processes' runs at once send it once.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(leads::deliver_due(&app.state).await.expect("run"), 0);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (a, b) = tokio::join!(leads::deliver_due(&app.state), leads::deliver_due(&app.state));
    assert_eq!(a.expect("a") + b.expect("b"), 1);
    assert_eq!(events(&shop).await[0].2, "delivered");

    let posts = received(&shop).await;
    assert_eq!(posts.len(), 1, "one lead, never doubled: {posts:?}");
    let lead = &posts[0];
    assert_eq!(lead["event"], "lead.created");
    assert_eq!(lead["body"]["title"], "Lead do Instagram: @cliente.fiel");
    assert_eq!(lead["body"]["message"]["text"], "quero saber o preço da camiseta");
    assert_eq!(lead["body"]["person"]["profile_url"], "https://www.instagram.com/cliente.fiel");
    let body: String = sqlx::query_scalar("SELECT body FROM lead_events").fetch_one(&app.state.pg).await.expect("body");
    assert_eq!(
        lead["signature"].as_str(),
        Some(leads::signature(SECRET, body.as_bytes()).as_str()),
        "signed over the bytes sent"
    );

    // Her next message adds to the same lead; another person's comment on a post is a new one.
    shop.meta.dm("cliente.fiel", "loja.exemplo", "tem no tamanho M?").await;
    shop.meta.comment("maria.souza", POST, "amei, quanto custa?").await;
    shop.meta.settle(app).await;
    assert_eq!(leads::deliver_due(&app.state).await.expect("run"), 2);
    let posts = received(&shop).await;
    assert_eq!(posts.len(), 3);
    let update = posts.iter().find(|p| p["body"]["message"]["text"] == "tem no tamanho M?").expect("the addition");
    assert_eq!(
        (update["event"].as_str(), &update["body"]["lead_id"]),
        (Some("lead.updated"), &lead["body"]["lead_id"])
    );
    let comment = posts.iter().find(|p| p["body"]["message"]["channel"] == "comment").expect("the comment");
    assert_eq!(comment["event"], "lead.created");
    assert_eq!(comment["body"]["message"]["media_id"], POST, "the post it came from");
    assert_eq!(comment["body"]["title"], "Lead do Instagram: @maria.souza");

    // The log, newest first; a replay sends the same signed event again, once.
    let log: Value = app.get(&format!("/api/leads?instance={}", shop.instance_id)).await.json().await.expect("log");
    let deliveries = log["deliveries"].as_array().expect("deliveries");
    assert_eq!(deliveries.len(), 3);
    assert!(deliveries.iter().all(|d| d["status"] == "delivered"), "{log}");
    let created = deliveries.iter().find(|d| d["attempts"] == 3).expect("the one retried");
    assert_eq!(log["secret"], SECRET, "its owner sees the secret to give the CRM");
    let replayed = app.post_form_json("/api/leads/replay", &[("id", created["id"].as_str().expect("id"))]).await;
    assert_eq!(replayed.status(), 200);
    assert_eq!(leads::deliver_due(&app.state).await.expect("run"), 1);
    let posts = received(&shop).await;
    assert_eq!(posts.len(), 4);
    assert_eq!(posts[3]["delivery"], posts[0]["delivery"], "the same delivery id, for the CRM to recognise");
    assert_eq!(leads::deliver_due(&app.state).await.expect("run"), 0);

    // Someone else reaches none of it.
    let bia = app.another_browser();
    assert_eq!(bia.sign_up("bia@loja.com", "senha-forte-1").await.status(), 302);
    let id = created["id"].as_str().expect("id");
    assert_eq!(bia.get(&format!("/api/leads?instance={}", shop.instance_id)).await.status(), 404);
    assert_eq!(bia.post_form_json("/api/leads/replay", &[("id", id)]).await.status(), 404);
    let hijack = bia
        .post_form_json("/api/leads/webhook", &[("instance_id", &shop.instance_id), ("url", "https://evil.example/x")])
        .await;
    assert_eq!(hijack.status(), 404);
    assert_eq!(
        bia.post_form_json("/api/leads/webhook/remove", &[("instance_id", &shop.instance_id)]).await.status(),
        404
    );
    let url: String = sqlx::query_scalar("SELECT url FROM lead_webhooks").fetch_one(&app.state.pg).await.expect("url");
    assert_eq!(url, receiver);

    // Turned off: new messages are no leads, and nothing pending is left to send.
    assert_eq!(
        app.post_form_json("/api/leads/webhook/remove", &[("instance_id", &shop.instance_id)]).await.status(),
        200
    );
    shop.meta.dm("cliente.fiel", "loja.exemplo", "obrigada!").await;
    shop.meta.settle(app).await;
    assert_eq!(events(&shop).await.len(), 3);
}

#[tokio::test]
async fn a_receiver_that_keeps_failing_is_given_up_after_a_day_and_bad_settings_are_refused() {
    let shop = shop_with(|vars| {
        vars.insert("LEAD_RETRY_BASE_SECONDS".into(), "1".into());
    })
    .await;
    let app = &shop.app;
    let save = |url: &'static str, secret: &'static str| {
        let id = shop.instance_id.clone();
        async move {
            app.post_form_json("/api/leads/webhook", &[("instance_id", &id), ("url", url), ("secret", secret)]).await
        }
    };
    for (url, secret, field, code) in [
        ("http://crm.clerky.com.br/leads", "", "url", "url_https"),
        ("https://127.0.0.1:9/leads", "", "url", "url_private"),
        ("https://10.0.0.7/leads", "", "url", "url_private"),
        ("https://localhost/leads", "", "url", "url_private"),
        ("crm.clerky.com.br", "", "url", "url_invalid"),
        ("https://crm.clerky.com.br/leads", "curto", "secret", "secret_length"),
    ] {
        let response = save(url, secret).await;
        assert_eq!(response.status(), 422, "{url}");
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["Invalid"][0], json!({ "field": field, "code": code }), "{url} {secret}");
    }
    // A public receiver that refuses everything (nothing listens there): tried until its day ends.
    let saved = save("https://crm.invalid/leads", "").await;
    assert_eq!(saved.status(), 200);
    let log: Value = app.get(&format!("/api/leads?instance={}", shop.instance_id)).await.json().await.expect("log");
    assert!(log["secret"].as_str().is_some_and(|s| s.len() >= 32), "a secret is made when none is typed");
    shop.meta.dm("cliente.fiel", "loja.exemplo", "oi").await;
    shop.meta.settle(app).await;
    assert_eq!(leads::deliver_due(&app.state).await.expect("run"), 0);
    // A day later its retries are up:
    app.state.clock.advance(chrono::Duration::hours(24));
    assert_eq!(leads::deliver_due(&app.state).await.expect("run"), 0);
    let (status, attempts, error): (String, i32, Option<String>) =
        sqlx::query_as("SELECT status, attempts, last_error FROM lead_events")
            .fetch_one(&app.state.pg)
            .await
            .expect("event");
    assert_eq!((status.as_str(), attempts), ("failed", 2), "{error:?}");
    assert!(error.is_some());
}

#[tokio::test]
async fn a_dm_lead_waits_for_its_senders_username_before_it_goes() {
    let shop = shop().await;
    let app = &shop.app;
    let receiver = format!("{}/_sandbox/crm/leads", shop.meta.base);
    let saved =
        app.post_form_json("/api/leads/webhook", &[("instance_id", &shop.instance_id), ("url", &receiver)]).await;
    assert_eq!(saved.status(), 200);
    // A DM stored before the profile API named its sender.
    let user_id: String =
        sqlx::query_scalar("SELECT user_id FROM lead_webhooks").fetch_one(&app.state.pg).await.expect("u");
    sqlx::query(
        "INSERT INTO instagram_messages (id, instance_id, user_id, sender_id, recipient_id, message_id, text, \"timestamp\", raw_data)
         VALUES (gen_random_uuid(), $1, $2, '990000000000777', '17841405822304914', 'm_unnamed_1', 'oi', now(), '{}')",
    )
    .bind(&shop.instance_id)
    .bind(&user_id)
    .execute(&app.state.pg)
    .await
    .expect("message");
    assert_eq!(leads::deliver_due(&app.state).await.expect("run"), 0, "it waits for the username");
    sqlx::query(
        "INSERT INTO instagram_people (instance_id, igsid, username) VALUES ($1, '990000000000777', 'nova.cliente')",
    )
    .bind(&shop.instance_id)
    .execute(&app.state.pg)
    .await
    .expect("person");
    assert_eq!(leads::deliver_due(&app.state).await.expect("run"), 1);
    let posts = received(&shop).await;
    assert_eq!(posts[0]["body"]["title"], "Lead do Instagram: @nova.cliente");
}
