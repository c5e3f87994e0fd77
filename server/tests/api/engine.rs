//! The automation engine end to end: the sandbox delivers real signed webhooks to the app, the
//! app's jobs run, and the sandbox's record shows exactly what Meta received.
use crate::helpers::{spawn_app_with_sandbox_and, TestApp, TestMeta};
use app::{
    backend::{
        directory, engine,
        live::Broadcast,
        store::{access::System, pg::automations},
    },
    domain::{
        automation::{AutomationKind, DmSource, MatchMode, PerPerson, ResponseType, Trigger},
        automation_draft::AutomationDraft,
        live::{LiveEvent, StatusCounts},
    },
};
use meta_sandbox::signature_sha256;
use mongodb::bson::{doc, Document};
use serde_json::{json, Value};
use std::time::Duration;

const ACCOUNT: &str = "17841405822304914"; // @loja.exemplo
const POST: &str = "17895695668004550";

pub struct Shop {
    pub app: TestApp,
    pub meta: TestMeta,
    pub instance_id: String,
}

async fn shop() -> Shop {
    shop_with(|_| {}).await
}

pub async fn shop_with(change: impl FnOnce(&mut std::collections::HashMap<String, String>)) -> Shop {
    let (app, meta) = spawn_app_with_sandbox_and(|vars| {
        vars.insert("REPLY_RETRY_BASE_MS".into(), "20".into());
        change(vars);
    })
    .await;
    assert_eq!(app.sign_up("ana@loja.com", "senha-forte-1").await.status(), 302);
    let authorize = app.start_connect("Loja").await;
    let callback = meta.decide(&authorize, "allow", "loja.exemplo").await;
    assert!(app.callback(&callback).await.starts_with("/instances?connected="));
    let instance_id = app.instances().await[0]["id"].as_str().expect("id").to_owned();
    meta.register_callback(&app).await;
    Shop { app, meta, instance_id }
}

impl Shop {
    /// An automation answering `keywords` (none: every message, once a day per person) with
    /// `reply`, by DM or publicly.
    pub async fn automation(&self, kind: AutomationKind, keywords: &[&str], reply: &str, response: ResponseType) {
        self.automation_with(kind, keywords, |draft| match response {
            ResponseType::Direct => draft.direct_reply = Some(reply.to_owned()),
            ResponseType::Comment => draft.public_replies = vec![reply.to_owned()],
        })
        .await;
    }

    /// An automation as [`Shop::automation`] makes it, without a reply, then as `change` says.
    pub async fn automation_with(
        &self,
        kind: AutomationKind,
        keywords: &[&str],
        change: impl FnOnce(&mut AutomationDraft),
    ) {
        let keywords: Vec<String> = keywords.iter().map(|k| (*k).to_owned()).collect();
        let trigger = if keywords.is_empty() { Trigger::All } else { Trigger::Keyword };
        let mut draft = AutomationDraft {
            name: "Preço".to_owned(),
            kind,
            dm_source: DmSource::Messages,
            trigger,
            match_mode: MatchMode::Contains,
            keywords,
            exclude_keywords: Vec::new(),
            direct_reply: None,
            public_replies: Vec::new(),
            buttons: Vec::new(),
            quick_replies: Vec::new(),
            cards: Vec::new(),
            attachment: None,
            per_person: if trigger == Trigger::All { PerPerson::Hours(24) } else { PerPerson::Always },
            media_ids: Vec::new(),
        };
        change(&mut draft);
        let user =
            self.app.state.mongo.collection::<Document>("users").find_one(doc! {}).await.expect("q").expect("user");
        let user_id: app::domain::id::UserId = user.get_object_id("_id").expect("id").to_hex().into();
        automations::insert(
            &self.app.state.pg,
            System::ACTING.owner(&user_id),
            System::ACTING.tenant(&self.instance_id),
            &draft,
        )
        .await
        .expect("automation");
        directory::rules_changed(&self.app.state, &self.instance_id).await;
        // Automations never answer events older than themselves; the sandbox's clock is this one.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    pub async fn reports(&self) -> Vec<(String, Option<String>, Option<String>, Option<String>)> {
        sqlx::query_as("SELECT status, error, response_text, username FROM instagram_reports ORDER BY created_at")
            .fetch_all(&self.app.state.pg)
            .await
            .expect("reports")
    }

    async fn status(&self) -> String {
        self.app.instances().await[0]["status"].as_str().unwrap_or_default().to_owned()
    }

    /// Posts a hand-made delivery, signed as Meta signs.
    pub async fn deliver(&self, payload: Value) {
        self.deliver_raw(&payload.to_string()).await;
    }

    /// Posts these exact bytes as a delivery, signed as Meta signs.
    pub async fn deliver_raw(&self, body: &str) {
        let body = body.to_owned();
        let response = self
            .app
            .client
            .post(self.app.url("/webhook/instagram"))
            .header("content-type", "application/json")
            .header("x-hub-signature-256", signature_sha256("app-secret", body.as_bytes()))
            .body(body)
            .send()
            .await
            .expect("deliver");
        assert_eq!(response.status(), 200);
    }
}

/// Sums the `Interactions` events heard (they come through PostgreSQL, a moment after the
/// commit) until `enough` holds or five seconds pass.
pub async fn live_counts(
    live: &mut tokio::sync::broadcast::Receiver<Broadcast>,
    enough: impl Fn(&StatusCounts) -> bool,
) -> StatusCounts {
    let mut sum = StatusCounts::default();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !enough(&sum) && tokio::time::Instant::now() < deadline {
        if let Ok(Ok(Broadcast::Event(event))) = tokio::time::timeout(Duration::from_millis(200), live.recv()).await {
            if let LiveEvent::Interactions { counts, .. } = &event.event {
                sum.pending += counts.pending;
                sum.sent += counts.sent;
                sum.failed += counts.failed;
                sum.skipped += counts.skipped;
            }
        }
    }
    sum
}

#[tokio::test]
async fn a_keyword_dm_gets_exactly_one_dm_and_one_report() {
    let shop = shop().await;
    shop.automation(AutomationKind::Dm, &["preço"], "Oi @{username}! Começa em R$ 50.", ResponseType::Direct).await;
    let mut live = shop.app.state.live.subscribe();

    shop.meta.dm("cliente.fiel", "loja.exemplo", "Qual o PRECO?").await;
    shop.meta.dm("outra.cliente", "loja.exemplo", "bom dia").await;
    shop.meta.settle(&shop.app).await;

    let sent = shop.meta.succeeded("POST", "/messages").await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["body"]["recipient"]["id"], "1254477777772919");
    assert_eq!(sent[0]["body"]["message"]["text"], "Oi @cliente.fiel! Começa em R$ 50.");
    let mut reports = shop.reports().await;
    reports.sort();
    assert_eq!(
        reports,
        vec![
            (
                "sent".to_owned(),
                None,
                Some("Oi @cliente.fiel! Começa em R$ 50.".to_owned()),
                Some("cliente.fiel".to_owned())
            ),
            ("skipped".to_owned(), Some("no_match".to_owned()), None, Some("outra.cliente".to_owned())),
        ]
    );
    let (replied, reply): (bool, Option<String>) = sqlx::query_as(
        "SELECT replied, reply_text FROM instagram_messages WHERE NOT is_echo AND text = 'Qual o PRECO?'",
    )
    .fetch_one(&shop.app.state.pg)
    .await
    .expect("message");
    assert!(replied);
    assert_eq!(reply.as_deref(), Some("Oi @cliente.fiel! Começa em R$ 50."));
    let echoes: i64 = sqlx::query_scalar("SELECT count(*) FROM instagram_messages WHERE is_echo")
        .fetch_one(&shop.app.state.pg)
        .await
        .expect("echoes");
    assert_eq!(echoes, 1, "the echo of our reply is recorded, and answered by nothing");

    let seen = live_counts(&mut live, |c| c.sent >= 1 && c.skipped >= 1).await;
    assert!(seen.sent >= 1 && seen.skipped >= 1, "open pages heard of the skipped and the sent report: {seen:?}");
    let last_event = shop.app.instances().await[0]["last_event_at"].clone();
    assert!(last_event.is_string(), "the card shows the last event: {last_event}");
}

#[tokio::test]
async fn a_comment_gets_a_public_reply_and_another_a_private_reply() {
    let shop = shop().await;
    shop.automation(AutomationKind::Comment, &["quanto custa"], "Te respondi aqui!", ResponseType::Comment).await;
    shop.automation(AutomationKind::Comment, &["link"], "Te chamei no direct", ResponseType::Direct).await;

    let public = shop.meta.comment("cliente.fiel", POST, "Quanto custa?").await;
    let private = shop.meta.comment("outra.cliente", POST, "manda o link").await;
    shop.meta.settle(&shop.app).await;

    let replies = shop.meta.succeeded("POST", &format!("/{public}/replies")).await;
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0]["body"]["message"], "Te respondi aqui!");
    let dms = shop.meta.succeeded("POST", "/messages").await;
    assert_eq!(dms.len(), 1, "{dms:?}");
    assert_eq!(dms[0]["body"]["recipient"]["comment_id"], private.as_str());
    assert_eq!(shop.meta.succeeded("POST", "/replies").await.len(), 1, "our own reply is never answered");
    let reports = shop.reports().await;
    assert_eq!(reports.iter().filter(|r| r.0 == "sent").count(), 2, "{reports:?}");
    let own_comments: i64 = sqlx::query_scalar("SELECT count(*) FROM instagram_comments WHERE from_user_id = $1")
        .bind(ACCOUNT)
        .fetch_one(&shop.app.state.pg)
        .await
        .expect("count");
    assert_eq!(own_comments, 1, "the public reply came back as the account's own comment");
}

#[tokio::test]
async fn echoes_own_comments_and_non_text_events_produce_nothing() {
    let shop = shop().await;
    shop.automation(AutomationKind::Dm, &[], "Oi!", ResponseType::Direct).await;
    shop.automation(AutomationKind::Comment, &[], "Obrigado!", ResponseType::Comment).await;
    let now = chrono::Utc::now().timestamp_millis();
    let messaging =
        |item: Value| json!({"object": "instagram", "entry": [{"id": ACCOUNT, "time": now, "messaging": [item]}]});
    let person = json!({"id": "1254477777772919"});
    let me = json!({"id": ACCOUNT});
    for item in [
        json!({"sender": me, "recipient": person, "timestamp": now, "message": {"mid": "e1", "text": "Oi", "is_echo": true}}),
        json!({"sender": person, "recipient": me, "timestamp": now, "message": {"mid": "e2", "is_deleted": true}}),
        json!({"sender": person, "recipient": me, "timestamp": now, "message": {"mid": "e3", "is_unsupported": true}}),
        // (An image without text is a DM an `all` automation answers: see `growth`.)
        json!({"sender": person, "recipient": me, "timestamp": now, "message_edit": {"mid": "e1", "num_edit": 0}}),
        json!({"sender": person, "recipient": me, "timestamp": now, "reaction": {"mid": "e1", "action": "react", "reaction": "love"}}),
        json!({"sender": person, "recipient": me, "timestamp": now, "read": {"mid": "e1"}}),
    ] {
        shop.deliver(messaging(item)).await;
    }
    shop.deliver(json!({"object": "instagram", "entry": [{"id": ACCOUNT, "time": now / 1000, "changes": [
        {"field": "comments", "value": {"from": {"id": ACCOUNT, "username": "loja.exemplo"}, "media": {"id": POST}, "id": "c-own", "text": "Obrigado!"}}]}]}))
        .await;
    // Meta's dashboard Test button: entry id "0", an account nobody has.
    shop.deliver(json!({"object": "instagram", "entry": [{"id": "0", "time": now / 1000, "changes": [
        {"field": "comments", "value": {"from": {"id": "232323232", "username": "test"}, "media": {"id": "123123123"}, "id": "17865799348089039", "text": "This is an example."}}]}]}))
        .await;
    engine::drain(&shop.app.state, Duration::from_secs(5)).await.expect("drain");

    assert!(shop.meta.succeeded("POST", "/messages").await.is_empty());
    assert!(shop.meta.succeeded("POST", "/replies").await.is_empty());
    assert!(shop.reports().await.is_empty(), "nothing to report: {:?}", shop.reports().await);
    let (stored, waiting): (i64, i64) =
        sqlx::query_as("SELECT (SELECT count(*) FROM webhook_deliveries), (SELECT count(*) FROM intake_queue)")
            .fetch_one(&shop.app.state.pg)
            .await
            .expect("count");
    assert_eq!((stored, waiting), (8, 0), "every delivery was kept and processed");
}

#[tokio::test]
async fn events_older_than_the_automation_are_not_answered() {
    let shop = shop().await;
    shop.automation(AutomationKind::Dm, &["preço"], "Oi!", ResponseType::Direct).await;
    let hour_ago = chrono::Utc::now().timestamp_millis() - 3_600_000;
    shop.deliver(json!({"object": "instagram", "entry": [{"id": ACCOUNT, "time": hour_ago, "messaging": [
        {"sender": {"id": "1254477777772919"}, "recipient": {"id": ACCOUNT}, "timestamp": hour_ago,
         "message": {"mid": "old-1", "text": "preço?"}}]}]}))
        .await;
    engine::drain(&shop.app.state, Duration::from_secs(5)).await.expect("drain");
    assert!(shop.meta.succeeded("POST", "/messages").await.is_empty());
    assert_eq!(shop.reports().await[0].1.as_deref(), Some("no_match"));
}

#[tokio::test]
async fn a_duplicated_delivery_and_racing_workers_send_one_reply() {
    let shop = shop().await;
    shop.automation(AutomationKind::Dm, &["preço"], "Oi!", ResponseType::Direct).await;
    shop.meta.post_control("/_sandbox/faults/deliveries", json!({ "duplicate": 3 })).await;
    shop.meta.dm("cliente.fiel", "loja.exemplo", "preço").await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    shop.meta.wait_acknowledged().await;
    let bodies: Vec<Value> = shop.meta.deliveries().await.into_iter().map(|d| d["body"].clone()).collect();
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[0], bodies[1], "Meta delivered the same event twice");
    // Two workers race over the same jobs.
    let (a, b) = tokio::join!(
        engine::drain(&shop.app.state, Duration::from_secs(5)),
        engine::drain(&shop.app.state, Duration::from_secs(5))
    );
    a.expect("drain");
    b.expect("drain");
    shop.meta.settle(&shop.app).await;
    assert_eq!(shop.meta.succeeded("POST", "/messages").await.len(), 1);
    assert_eq!(shop.reports().await.len(), 1);
}

#[tokio::test]
async fn deliveries_out_of_order_are_each_answered() {
    let shop = shop().await;
    shop.automation(AutomationKind::Dm, &["preço"], "Oi!", ResponseType::Direct).await;
    shop.automation(AutomationKind::Comment, &["preço"], "Respondido", ResponseType::Comment).await;
    // The first POST is held back, so it arrives after the ones sent later.
    shop.meta.post_control("/_sandbox/faults/deliveries", json!({ "delay_ms": 400, "delay_count": 1 })).await;
    shop.meta.dm("cliente.fiel", "loja.exemplo", "preço 1").await;
    tokio::time::sleep(Duration::from_millis(60)).await;
    shop.meta.comment("outra.cliente", POST, "preço 2").await;
    tokio::time::sleep(Duration::from_millis(60)).await;
    shop.meta.dm("maria.souza", "loja.exemplo", "preço 3").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    shop.meta.settle(&shop.app).await;

    let arrived: Vec<Vec<u8>> = sqlx::query_scalar("SELECT body FROM webhook_deliveries ORDER BY received_at")
        .fetch_all(&shop.app.state.pg)
        .await
        .expect("deliveries");
    let position = |text: &str| arrived.iter().position(|body| String::from_utf8_lossy(body).contains(text));
    assert!(
        position("o 3").zip(position("o 1")).is_some_and(|(third, first)| third < first),
        "the earlier DM arrived last"
    );
    assert_eq!(shop.meta.succeeded("POST", "/messages").await.len(), 2);
    assert_eq!(shop.meta.succeeded("POST", "/replies").await.len(), 1);
    assert_eq!(shop.reports().await.iter().filter(|r| r.0 == "sent").count(), 3);
}

#[tokio::test]
async fn a_transient_failure_is_retried_to_success() {
    let shop = shop().await;
    shop.automation(AutomationKind::Dm, &["preço"], "Oi!", ResponseType::Direct).await;
    shop.meta
        .post_control("/_sandbox/faults", json!({ "endpoint": "messages", "kind": "server_error", "count": 2 }))
        .await;
    shop.meta.dm("cliente.fiel", "loja.exemplo", "preço").await;
    shop.meta.settle(&shop.app).await;

    let attempts: Vec<Value> = shop.meta.calls("/messages").await;
    assert_eq!(attempts.iter().map(|c| c["status"].as_u64().unwrap_or(0)).collect::<Vec<_>>(), vec![500, 500, 200]);
    let (status, tries): (String, i32) = sqlx::query_as("SELECT status, attempts FROM instagram_reports")
        .fetch_one(&shop.app.state.pg)
        .await
        .expect("report");
    assert_eq!((status.as_str(), tries), ("sent", 3));
}

#[tokio::test]
async fn a_permanent_failure_is_recorded_with_metas_message_and_not_retried() {
    let shop = shop().await;
    shop.automation(AutomationKind::Comment, &[], "Te chamei no direct", ResponseType::Direct).await;
    // A comment older than 7 days can no longer get a private reply.
    let comment = shop.meta.comment("cliente.fiel", POST, "oi").await;
    shop.meta.post_control("/_sandbox/clock/advance", json!({ "seconds": 8 * 86_400 })).await;
    shop.meta.settle(&shop.app).await;
    let calls = shop.meta.calls("/messages").await;
    assert_eq!(calls.len(), 1, "not retried: {calls:?}");
    assert_eq!(calls[0]["body"]["recipient"]["comment_id"], comment.as_str());
    let reports = shop.reports().await;
    assert_eq!(reports[0].0, "failed");
    assert_eq!(reports[0].1.as_deref(), Some("private_reply_used"), "{reports:?}");
}

#[tokio::test]
async fn an_expired_token_puts_the_instance_in_error_and_stops_replies() {
    let shop = shop().await;
    shop.automation(AutomationKind::Dm, &[], "Oi!", ResponseType::Direct).await;
    let mut live = shop.app.state.live.subscribe();
    shop.meta
        .post_control("/_sandbox/faults", json!({ "endpoint": "messages", "kind": "invalid_token", "count": 1 }))
        .await;
    shop.meta.dm("cliente.fiel", "loja.exemplo", "oi").await;
    shop.meta.settle(&shop.app).await;

    assert_eq!(shop.status().await, "error");
    assert_eq!(shop.app.instances().await[0]["error_reason"], "token_invalid");
    assert_eq!(shop.reports().await[0].0, "failed");
    let mut saw_error = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !saw_error && tokio::time::Instant::now() < deadline {
        if let Ok(Ok(Broadcast::Event(event))) = tokio::time::timeout(Duration::from_millis(200), live.recv()).await {
            saw_error |= matches!(&event.event, LiveEvent::InstanceStatus { status, .. } if status.as_str() == "error");
        }
    }
    assert!(saw_error, "open pages hear about it");

    shop.meta.dm("outra.cliente", "loja.exemplo", "oi de novo").await;
    shop.meta.settle(&shop.app).await;
    assert_eq!(shop.meta.calls("/messages").await.len(), 1, "no more sends with a dead token");
    assert_eq!(shop.reports().await[1].1.as_deref(), Some("instance_not_connected"));
}

#[tokio::test]
async fn the_daily_cap_skips_replies_beyond_it() {
    let shop = shop().await;
    shop.automation(AutomationKind::Dm, &[], "Oi!", ResponseType::Direct).await;
    let set_cap = |app: &TestApp, cap: &str| {
        let form = [("id", shop.instance_id.clone()), ("daily_reply_cap", cap.to_owned())];
        let request = app.client.post(app.url("/api/instances/daily_cap")).form(&form);
        async move { request.send().await.expect("request").status().as_u16() }
    };
    for bad in ["0", "100001", "muitas"] {
        assert_eq!(set_cap(&shop.app, bad).await, 422, "{bad}");
    }
    let eve = shop.app.another_browser();
    assert_eq!(eve.sign_up("eve@loja.com", "senha-forte-1").await.status(), 302);
    assert_eq!(set_cap(&eve, "1").await, 404, "not someone else's instance");
    assert!(set_cap(&shop.app, "2").await < 400);
    assert_eq!(shop.app.instances().await[0]["daily_reply_cap"], 2);
    for follower in ["cliente.fiel", "outra.cliente", "maria.souza"] {
        shop.meta.dm(follower, "loja.exemplo", "oi").await;
    }
    shop.meta.settle(&shop.app).await;
    assert_eq!(shop.meta.succeeded("POST", "/messages").await.len(), 2);
    let reports = shop.reports().await;
    let capped: Vec<_> = reports.iter().filter(|r| r.0 == "skipped").collect();
    assert_eq!(capped.len(), 1, "{reports:?}");
    assert_eq!(capped[0].1.as_deref(), Some("daily_cap"));
}

#[tokio::test]
async fn a_disconnected_instance_hears_nothing_and_rule_changes_apply_at_once() {
    let shop = shop().await;
    shop.meta.dm("cliente.fiel", "loja.exemplo", "preço").await;
    shop.meta.settle(&shop.app).await;
    assert_eq!(shop.reports().await[0].1.as_deref(), Some("no_match"));

    shop.automation(AutomationKind::Dm, &["preço"], "Oi!", ResponseType::Direct).await;
    shop.meta.dm("outra.cliente", "loja.exemplo", "preço").await;
    shop.meta.settle(&shop.app).await;
    assert_eq!(shop.meta.succeeded("POST", "/messages").await.len(), 1, "the new automation answered at once");

    let disconnect = shop.app.post_form("/api/instances/disconnect", &[("id", &shop.instance_id)]).await;
    assert!(disconnect.status().as_u16() < 400);
    shop.meta.dm("maria.souza", "loja.exemplo", "preço").await;
    shop.meta.settle(&shop.app).await;
    assert_eq!(shop.meta.succeeded("POST", "/messages").await.len(), 1, "no reply once disconnected");
    assert_eq!(shop.reports().await.len(), 2, "and nothing recorded: Meta was told to stop delivering");
}
