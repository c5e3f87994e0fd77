//! Nothing lost, nothing twice: the real server binary is killed (SIGKILL) during a burst of
//! deliveries and started again on the same data.
use crate::engine::shop_with;
use app::domain::automation::{AutomationKind, ResponseType};
use serde_json::{json, Value};
use std::{collections::HashSet, process::Stdio, time::Duration};
use tokio::process::{Child, Command};

const FOLLOWERS: usize = 8;
const MESSAGES_EACH: usize = 5;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

async fn start(vars: &std::collections::HashMap<String, String>, port: u16, log: &std::path::Path) -> Child {
    let log = std::fs::OpenOptions::new().create(true).append(true).open(log).expect("log file");
    let child = Command::new(env!("CARGO_BIN_EXE_server"))
        .env_clear()
        .envs(vars)
        .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env("JOB_LEASE_SECONDS", "2")
        .env("REPLY_CONFIRM_GRACE_SECONDS", "4")
        .env("ENGINE_WORKERS", "2")
        .env("RUST_LOG", "info")
        .stdout(Stdio::from(log.try_clone().expect("log")))
        .stderr(Stdio::from(log))
        .kill_on_drop(true)
        .spawn()
        .expect("the server binary starts");
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if client.get(format!("http://127.0.0.1:{port}/readyz")).send().await.is_ok_and(|r| r.status() == 200) {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not become ready");
}

#[tokio::test]
async fn a_server_killed_during_a_burst_loses_nothing_and_replies_once() {
    let shop = shop_with(|_| {}).await;
    shop.automation(AutomationKind::Dm, &["preço"], "Oi {username}!", ResponseType::Direct).await;
    let port = free_port();
    let log = std::env::temp_dir().join(format!("insta-clerky-crash-{port}.log"));
    let mut server = start(&shop.app.vars, port, &log).await;
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
    let _restarted = start(&shop.app.vars, port, &log).await;

    let pg = &shop.app.state.pg;
    let expected = i64::try_from(sent_mids.len()).expect("small");
    let mut settled = false;
    for _ in 0..600 {
        let jobs: i64 = sqlx::query_scalar(
            "SELECT (SELECT count(*) FROM webhook_deliveries WHERE processed_at IS NULL)
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
