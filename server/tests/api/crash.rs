//! Nothing lost, nothing twice: the real server binary is killed (SIGKILL) during a burst of
//! deliveries and started again on the same data.
use crate::{
    engine::shop_with,
    helpers::{free_port, start_server},
};
use app::domain::automation::{AutomationKind, ResponseType};
use serde_json::{json, Value};
use std::{collections::HashSet, time::Duration};

const FOLLOWERS: usize = 8;
const MESSAGES_EACH: usize = 5;

/// Short leases and grace, so work a killed process held comes back within the test.
fn crash_vars(vars: &std::collections::HashMap<String, String>) -> std::collections::HashMap<String, String> {
    let mut vars = vars.clone();
    for (name, value) in [("JOB_LEASE_SECONDS", "2"), ("REPLY_CONFIRM_GRACE_SECONDS", "4"), ("ENGINE_WORKERS", "2")] {
        vars.insert(name.into(), value.into());
    }
    vars
}

#[tokio::test]
async fn a_server_killed_during_a_burst_loses_nothing_and_replies_once() {
    let shop = shop_with(|_| {}).await;
    shop.automation(AutomationKind::Dm, &["preço"], "Oi {username}!", ResponseType::Direct).await;
    let port = free_port();
    let log = std::env::temp_dir().join(format!("insta-clerky-crash-{port}.log"));
    let mut server = start_server(&crash_vars(&shop.app.vars), port, &log).await;
    // The sandbox delivers to the real binary from now on.
    let config = json!({ "callback_url": format!("http://127.0.0.1:{port}/webhook/instagram"),
                         "verify_token": "verify-token", "retry_delays_ms": [0, 200, 500, 1000] });
    shop.meta.post_control("/_sandbox/webhook", config).await;
    let followers: Vec<String> = (0..FOLLOWERS).map(|i| format!("crash.follower{i}")).collect();
    for name in &followers {
        shop.meta.post_control("/_sandbox/followers", json!({ "username": name })).await;
    }

    let mut sent_mids = Vec::new();
    for round in 0..MESSAGES_EACH {
        for name in &followers {
            sent_mids.push(shop.meta.dm(name, "loja.exemplo", &format!("qual o preço? ({round})")).await);
        }
        if round == 1 {
            // Mid-burst: deliveries are being acknowledged and replies sent right now.
            tokio::time::sleep(Duration::from_millis(150)).await;
            server.start_kill().expect("kill");
            server.wait().await.expect("killed");
        }
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _restarted = start_server(&crash_vars(&shop.app.vars), port, &log).await;

    let pg = &shop.app.state.pg;
    let expected = i64::try_from(sent_mids.len()).expect("small");
    let mut settled = false;
    for _ in 0..600 {
        let jobs: i64 = sqlx::query_scalar(
            "SELECT (SELECT count(*) FROM intake_queue)
                  + (SELECT count(*) FROM instagram_reports WHERE status = 'pending')",
        )
        .fetch_one(pg)
        .await
        .expect("work left");
        let sent: i64 = sqlx::query_scalar("SELECT count(*) FROM instagram_reports WHERE status = 'sent'")
            .fetch_one(pg)
            .await
            .expect("reports");
        let deliveries = shop.meta.deliveries().await;
        let all_acked = deliveries.iter().all(|d| d["acknowledged"] == true);
        if jobs == 0 && sent == expected && all_acked {
            settled = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(settled, "the restarted server did not finish the work; its log:\n{log_text}");

    // Nothing lost: every message the followers sent was stored and answered.
    let stored: Vec<String> = sqlx::query_scalar("SELECT message_id FROM instagram_messages WHERE NOT is_echo")
        .fetch_all(pg)
        .await
        .expect("q");
    let stored: HashSet<String> = stored.into_iter().collect();
    for mid in &sent_mids {
        assert!(stored.contains(mid), "message {mid} was lost");
    }
    // Nothing twice: one successful send per report, each tagged with its own report id.
    let sends = shop.meta.succeeded("POST", "/messages").await;
    let tags: Vec<&Value> = sends.iter().map(|c| &c["body"]["message"]["metadata"]).collect();
    let unique: HashSet<String> = tags.iter().map(|t| t.to_string()).collect();
    assert_eq!(unique.len(), tags.len(), "a reply was sent twice");
    assert_eq!(sends.len(), sent_mids.len(), "one reply per message");
    assert!(log_text.contains("serving on"), "the binary really ran");
    let retried =
        shop.meta.deliveries().await.iter().filter(|d| d["attempts"].as_array().is_some_and(|a| a.len() > 1)).count();
    assert!(retried > 0, "the kill happened during the burst: some deliveries found the server down");
}

#[tokio::test]
async fn a_server_killed_during_a_batched_burst_with_sends_in_flight_loses_nothing_and_replies_once() {
    let shop = shop_with(|_| {}).await;
    shop.automation(AutomationKind::Dm, &["preço"], "Oi {username}!", ResponseType::Direct).await;
    let port = free_port();
    let log = std::env::temp_dir().join(format!("insta-clerky-crash-batched-{port}.log"));
    let vars = crash_vars(&shop.app.vars);
    let mut server = start_server(&vars, port, &log).await;
    let config = json!({ "callback_url": format!("http://127.0.0.1:{port}/webhook/instagram"),
                         "verify_token": "verify-token", "retry_delays_ms": [0, 200, 500, 1000] });
    shop.meta.post_control("/_sandbox/webhook", config).await;
    // Meta answers after 50 to 150 ms, so sends are in flight when the process dies.
    shop.meta.post_control("/_sandbox/latency", json!({ "min_ms": 50, "max_ms": 150 })).await;
    shop.meta.post_control("/_sandbox/bulk", json!({ "accounts": 0, "followers": 40, "prefix": "queda" })).await;
    let events: Vec<Value> = (0..240)
        .map(|i| json!({ "kind": "dm", "from": format!("queda.seguidor{}", i % 40), "to": "loja.exemplo", "text": format!("qual o preço? {i}") }))
        .collect();
    let entries = shop.meta.record(json!(events)).await;
    let mids: Vec<String> =
        entries.iter().map(|e| e["messaging"][0]["message"]["mid"].as_str().expect("mid").to_owned()).collect();
    let before: Value = shop.meta.stats().await;

    // Meta-style: eight entries per POST, each POST retried until it is acknowledged.
    let url = format!("http://127.0.0.1:{port}/webhook/instagram");
    let bodies: Vec<String> =
        entries.chunks(8).map(|chunk| json!({ "object": "instagram", "entry": chunk }).to_string()).collect();
    let (acked, mut acks) = tokio::sync::mpsc::unbounded_channel();
    let poster = tokio::spawn(async move {
        let mut retried = 0;
        for body in bodies {
            let mut tries = 0;
            while crate::helpers::post_signed(&url, body.as_bytes()).await != 200 {
                tries += 1;
                assert!(tries < 300, "a delivery was never acknowledged");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            retried += usize::from(tries > 0);
            let _ = acked.send(());
            tokio::time::sleep(Duration::from_millis(15)).await;
        }
        retried
    });
    for _ in 0..12 {
        acks.recv().await.expect("acknowledged");
    }
    // Mid-burst: deliveries are arriving, intake batches and sends are under way.
    server.start_kill().expect("kill");
    server.wait().await.expect("killed");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let _restarted = start_server(&vars, port, &log).await;
    let retried = poster.await.expect("poster");

    let pg = &shop.app.state.pg;
    let mut settled = false;
    for _ in 0..600 {
        let (left, sent): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT count(*) FROM intake_queue)
                  + (SELECT count(*) FROM instagram_reports WHERE status = 'pending'),
                    (SELECT count(*) FROM instagram_reports WHERE status = 'sent')",
        )
        .fetch_one(pg)
        .await
        .expect("progress");
        if left == 0 && sent == 240 {
            settled = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(settled, "the restarted server did not finish the work; its log:\n{log_text}");
    let stored: HashSet<String> =
        sqlx::query_scalar::<_, String>("SELECT message_id FROM instagram_messages WHERE NOT is_echo")
            .fetch_all(pg)
            .await
            .expect("stored")
            .into_iter()
            .collect();
    assert!(mids.iter().all(|mid| stored.contains(mid)), "a message was lost");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after: Value = shop.meta.stats().await;
    let delta = |name: &str| after[name].as_i64().unwrap_or(0) - before[name].as_i64().unwrap_or(0);
    assert_eq!(delta("duplicate_tagged_sends"), 0, "a reply was sent twice");
    assert_eq!(delta("messages_sent"), 240, "one reply per message");
    assert!(retried > 0, "the kill happened during the burst: some deliveries found the server down");
    let in_doubt: i64 =
        sqlx::query_scalar("SELECT count(*) FROM instagram_reports WHERE attempts > 1").fetch_one(pg).await.expect("q");
    assert!(in_doubt > 0, "the kill caught replies in flight, whose outcome the ledger had to check");
}
