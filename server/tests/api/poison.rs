//! Poison-proof intake: what people type (NUL, half an emoji) is stored and answered; an id or a
//! text no Instagram event has is refused for that event alone; an event PostgreSQL refuses, or a
//! delivery whose processing keeps failing, becomes a dead letter that admins see and run again,
//! and never holds up the rest of its delivery or anybody else's.
use crate::{
    engine::{shop_with, Shop},
    helpers::TestApp,
};
use app::{
    backend::engine,
    domain::automation::{AutomationKind, ResponseType},
};
use serde_json::{json, Value};
use std::time::Duration;

const ACCOUNT: &str = "17841405822304914"; // @loja.exemplo
const PERSON: &str = "1254477777772919"; // cliente.fiel, who wrote before: the window is open
const POST: &str = "17895695668004550";

async fn shop() -> Shop {
    let shop = shop_with(|_| {}).await;
    shop.automation(AutomationKind::Dm, &["preço"], "Oi! Começa em R$ 50.", ResponseType::Direct).await;
    shop.automation(AutomationKind::Comment, &["link"], "Te mandei no direct", ResponseType::Comment).await;
    // Opens the 24-hour window at the sandbox, as a real first message does.
    shop.meta.dm("cliente.fiel", "loja.exemplo", "oi").await;
    shop.meta.settle(&shop.app).await;
    shop
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn dm_entry(mid: &str, text: &str) -> Value {
    let now = now_ms();
    json!({"id": ACCOUNT, "time": now, "messaging": [{"sender": {"id": PERSON}, "recipient": {"id": ACCOUNT},
        "timestamp": now, "message": {"mid": mid, "text": text}}]})
}

/// A comment the sandbox knows (so it can be replied to) but has not delivered: the test does.
async fn comment_on_post(shop: &Shop, text: &str) -> Value {
    let entries =
        shop.meta.record(json!([{ "kind": "comment", "from": "outra.cliente", "media_id": POST, "text": text }])).await;
    entries[0].clone()
}

async fn drain(app: &TestApp) {
    engine::drain(&app.state, Duration::from_secs(10)).await.expect("drain");
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.state.pg).await.expect(sql)
}

async fn dead_letters(app: &TestApp) -> Vec<(String, String, bool, i32, Option<String>)> {
    sqlx::query_as(
        "SELECT kind, reason, retryable, attempts, resolved_at::text FROM dead_letters ORDER BY first_failed_at",
    )
    .fetch_all(&app.state.pg)
    .await
    .expect("dead letters")
}

/// The admin page's "Executar de novo", as its form posts it.
async fn run_again(admin: &TestApp, id: uuid::Uuid) -> reqwest::Response {
    let url = admin.url("/api/admin/dead_letters/run_again");
    let request = admin.client.post(url).header("accept", "application/json").form(&[("id", id.to_string())]);
    request.send().await.expect("request")
}

async fn admin_browser(app: &TestApp) -> TestApp {
    app.create_user("ops@clerky.com", "senha-forte-1", true).await;
    let admin = app.another_browser();
    assert_eq!(admin.sign_in("ops@clerky.com", "senha-forte-1").await.status(), 302);
    admin
}

#[tokio::test]
async fn nul_characters_and_half_emoji_are_stored_and_answered_like_any_text() {
    let shop = shop().await;
    // Exactly as Meta would relay them: a NUL a person typed, and an emoji cut in half.
    let body = format!(
        r#"{{"object":"instagram","entry":[{},{}]}}"#,
        dm_entry("mid-nul", "qual o pre\u{0}ço?"),
        dm_entry("mid-half", "PLACEHOLDER").to_string().replace("PLACEHOLDER", r"pre\u00e7o \ud83d por favor")
    );
    assert!(body.contains(r"\u0000") && body.contains(r"\ud83d"));
    shop.deliver_raw(&body).await;
    shop.meta.settle(&shop.app).await;

    let texts: Vec<String> = sqlx::query_scalar(
        "SELECT text FROM instagram_messages WHERE message_id IN ('mid-nul', 'mid-half') ORDER BY message_id",
    )
    .fetch_all(&shop.app.state.pg)
    .await
    .expect("texts");
    assert_eq!(texts, ["preço \u{fffd} por favor", "qual o preço?"], "NUL dropped, the lone surrogate replaced");
    let sent = count(
        &shop.app,
        "SELECT count(*) FROM instagram_reports WHERE event_id IN ('mid-nul', 'mid-half') AND status = 'sent'",
    )
    .await;
    assert_eq!(sent, 2, "both answered");
    let raw = count(
        &shop.app,
        r"SELECT count(*) FROM webhook_deliveries WHERE position(convert_to('\u0000', 'UTF8') IN body) > 0",
    )
    .await;
    assert_eq!(raw, 1, "the delivery keeps the exact bytes");
    assert!(dead_letters(&shop.app).await.is_empty());
}

#[tokio::test]
async fn an_oversized_id_or_text_is_refused_alone_and_every_other_entry_goes_through() {
    let shop = shop().await;
    let comment = comment_on_post(&shop, "manda o link").await;
    // One POST, Meta-style: a good DM, a DM with an id of 5,000 characters, a DM of 100 kB, a good
    // comment, and an entry for an account nobody here connected.
    let body = json!({"object": "instagram", "entry": [
        dm_entry("mid-good", "preço?"),
        dm_entry(&"A".repeat(5000), "preço?"),
        dm_entry("mid-huge", &"preço ".repeat(20_000)),
        comment,
        {"id": "17841400000000777", "time": now_ms(), "messaging": [{"sender": {"id": PERSON}, "recipient": {"id": "17841400000000777"},
            "timestamp": now_ms(), "message": {"mid": "mid-other-shop", "text": "preço?"}}]}]});
    shop.deliver(body).await;
    shop.meta.settle(&shop.app).await;

    assert_eq!(
        count(&shop.app, "SELECT count(*) FROM instagram_reports WHERE status = 'sent'").await,
        2,
        "the good DM and the comment were answered"
    );
    assert_eq!(count(&shop.app, "SELECT count(*) FROM instagram_messages WHERE message_id = 'mid-good'").await, 1);
    let mut refused: Vec<(String, String, bool, i32, Option<String>)> = dead_letters(&shop.app).await;
    refused.sort();
    assert_eq!(
        refused.iter().map(|d| (d.0.as_str(), d.1.as_str(), d.2)).collect::<Vec<_>>(),
        [("event", "id_too_long", false), ("event", "text_too_long", false)],
        "each refusal is recorded with its reason; the other account's entry is not ours to keep"
    );
    let summary: String = sqlx::query_scalar("SELECT summary FROM dead_letters WHERE reason = 'id_too_long'")
        .fetch_one(&shop.app.state.pg)
        .await
        .expect("summary");
    assert!(summary.starts_with("messages: id AAAA") && summary.contains("5000 bytes"), "{summary}");
    assert_eq!(count(&shop.app, "SELECT count(*) FROM intake_queue").await, 0);
}

#[tokio::test]
async fn an_event_postgresql_refuses_becomes_a_dead_letter_that_an_admin_runs_again_once_fixed() {
    let shop = shop().await;
    // A storage failure the payload checks cannot foresee (a constraint added in production, a
    // corrupt index): PostgreSQL refuses one message.
    sqlx::raw_sql(
        "CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN IF NEW.text LIKE '%veneno%' THEN RAISE EXCEPTION 'value refused by storage'; END IF; RETURN NEW; END $$;
         CREATE TRIGGER refuse_poison BEFORE INSERT ON instagram_messages FOR EACH ROW EXECUTE FUNCTION refuse_poison();",
    )
    .execute(&shop.app.state.pg)
    .await
    .expect("trigger");
    let other = comment_on_post(&shop, "manda o link").await;
    shop.deliver(json!({"object": "instagram", "entry": [dm_entry("mid-before", "preço?"), dm_entry("mid-poison", "preço veneno"),
        dm_entry("mid-after", "preço!")]})).await;
    // Another customer's delivery, in the same batch.
    shop.deliver(json!({"object": "instagram", "entry": [other]})).await;
    drain(&shop.app).await;
    shop.meta.settle(&shop.app).await;

    for mid in ["mid-before", "mid-after"] {
        let sent = count(
            &shop.app,
            &format!("SELECT count(*) FROM instagram_reports WHERE event_id = '{mid}' AND status = 'sent'"),
        )
        .await;
        assert_eq!(sent, 1, "{mid} went through");
    }
    assert_eq!(
        count(
            &shop.app,
            "SELECT count(*) FROM instagram_reports WHERE interaction_type = 'comment' AND status = 'sent'"
        )
        .await,
        1
    );
    let letters = dead_letters(&shop.app).await;
    assert_eq!(letters.len(), 1, "{letters:?}");
    assert_eq!((letters[0].0.as_str(), letters[0].1.as_str(), letters[0].2), ("event", "storage_error", true));
    let id: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM dead_letters").fetch_one(&shop.app.state.pg).await.expect("id");

    // The admin page shows what, why, when and how often; people who are not admins cannot run it.
    let admin = admin_browser(&shop.app).await;
    let page = admin.get("/admin").await.text().await.expect("html");
    assert!(page.contains("Falhas de processamento") && page.contains("messages: mid mid-poison"), "{page}");
    assert!(page.contains("Não pôde ser gravado") && page.contains("value refused by storage"));
    let refused = shop.app.post_form("/api/admin/dead_letters/run_again", &[("id", &id.to_string())]).await;
    assert_eq!(refused.status(), 403, "only admins");

    // Run again while the cause is still there: it fails again, counted, still open.
    let again = run_again(&admin, id).await;
    assert_eq!(again.status(), 422);
    assert_eq!(dead_letters(&shop.app).await[0].3, 2, "how often it failed");

    sqlx::raw_sql("DROP TRIGGER refuse_poison ON instagram_messages").execute(&shop.app.state.pg).await.expect("fix");
    let fixed = run_again(&admin, id).await;
    assert_eq!(fixed.status(), 200, "{}", fixed.text().await.unwrap_or_default());
    shop.meta.settle(&shop.app).await;
    assert_eq!(
        count(&shop.app, "SELECT count(*) FROM instagram_reports WHERE event_id = 'mid-poison' AND status = 'sent'")
            .await,
        1,
        "stored and answered once its cause was fixed"
    );
    assert!(dead_letters(&shop.app).await[0].4.is_some(), "resolved");
    let audited = count(&shop.app, "SELECT count(*) FROM audit_log WHERE action LIKE 'admin.dead_letter.%'").await;
    assert_eq!(audited, 2);
}

#[tokio::test]
async fn a_delivery_whose_processing_keeps_failing_stops_after_bounded_runs_and_can_be_run_again() {
    let shop = shop().await;
    // PostgreSQL refuses this delivery's message (so its batch fails and it runs alone), and each
    // run alone fails at its very end (taking it off the queue), however its events are isolated,
    // until the bound of runs is reached.
    sqlx::raw_sql(
        "CREATE FUNCTION refuse_stuck() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN IF NEW.message_id = 'mid-stuck' THEN RAISE EXCEPTION 'value refused by storage'; END IF;
               RETURN NEW; END $$;
         CREATE TRIGGER refuse_stuck BEFORE INSERT ON instagram_messages FOR EACH ROW EXECUTE FUNCTION refuse_stuck();
         CREATE FUNCTION refuse_finish() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN IF OLD.attempts BETWEEN 1 AND 5 AND position('mid-stuck'::bytea IN
                  (SELECT body FROM webhook_deliveries WHERE id = OLD.delivery_id)) > 0
              THEN RAISE EXCEPTION 'disk full'; END IF; RETURN OLD; END $$;
         CREATE TRIGGER refuse_finish BEFORE DELETE ON intake_queue FOR EACH ROW EXECUTE FUNCTION refuse_finish();",
    )
    .execute(&shop.app.state.pg)
    .await
    .expect("trigger");
    shop.deliver(json!({"object": "instagram", "entry": [dm_entry("mid-stuck", "preço?")]})).await;
    shop.deliver(json!({"object": "instagram", "entry": [dm_entry("mid-fine", "preço?")]})).await;
    drain(&shop.app).await;
    shop.meta.settle(&shop.app).await;

    assert_eq!(
        count(&shop.app, "SELECT count(*) FROM instagram_reports WHERE event_id = 'mid-fine' AND status = 'sent'")
            .await,
        1,
        "the delivery that shared its batch went through"
    );
    let letters = dead_letters(&shop.app).await;
    assert_eq!(letters.len(), 1, "{letters:?}");
    assert_eq!((letters[0].0.as_str(), letters[0].1.as_str(), letters[0].2), ("delivery", "processing_failed", true));
    let runs = count(&shop.app, "SELECT attempts::bigint FROM dead_letters").await;
    assert_eq!(runs, 5, "one batch run and four alone, then it stopped");
    assert_eq!(count(&shop.app, "SELECT count(*) FROM intake_queue").await, 0, "out of the queue");
    assert_eq!(count(&shop.app, "SELECT count(*) FROM instagram_reports WHERE event_id = 'mid-stuck'").await, 0);

    sqlx::raw_sql("DROP TRIGGER refuse_finish ON intake_queue; DROP TRIGGER refuse_stuck ON instagram_messages")
        .execute(&shop.app.state.pg)
        .await
        .expect("fix");
    let admin = admin_browser(&shop.app).await;
    let id: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM dead_letters").fetch_one(&shop.app.state.pg).await.expect("id");
    let ran = run_again(&admin, id).await;
    assert_eq!(ran.status(), 200, "{}", ran.text().await.unwrap_or_default());
    shop.meta.settle(&shop.app).await;
    assert_eq!(
        count(&shop.app, "SELECT count(*) FROM instagram_reports WHERE event_id = 'mid-stuck' AND status = 'sent'")
            .await,
        1
    );
}
