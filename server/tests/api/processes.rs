//! Several processes act as one: two real server binaries on the same PostgreSQL and MongoDB
//! share the per-account pace and the daily cap, a page on one hears live what the other
//! handled, and a scheduled job runs once however many processes there are.
use crate::{
    engine::{shop_with, Shop},
    helpers::{cookie_value, free_port, post_signed, set_cookie, start_server},
};
use app::domain::automation::{AutomationKind, ResponseType};
use futures_util::StreamExt;
use mongodb::bson::{doc, DateTime, Document};
use serde_json::{json, Value};
use std::{collections::HashMap, time::Duration};
use tokio::process::Child;
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, http::HeaderValue, Message};

struct Two {
    shop: Shop,
    ports: [u16; 2],
    _servers: [Child; 2],
}

/// The test app's instance (an automation answering every DM), served by two more processes.
async fn two_processes(each: [&[(&str, &str)]; 2]) -> Two {
    let shop = shop_with(|_| {}).await;
    shop.automation(AutomationKind::Dm, &[], "Oi! Já te respondo.", ResponseType::Direct).await;
    let ports = [free_port(), free_port()];
    let log = std::env::temp_dir().join(format!("insta-clerky-processes-{}.log", ports[0]));
    let vars = |extra: &[(&str, &str)]| {
        let mut vars: HashMap<String, String> = shop.app.vars.clone();
        vars.insert("RUST_LOG".into(), "warn".into());
        for (name, value) in extra {
            vars.insert((*name).to_owned(), (*value).to_owned());
        }
        vars
    };
    let (first, second) = (vars(each[0]), vars(each[1]));
    let (a, b) = tokio::join!(start_server(&first, ports[0], &log), start_server(&second, ports[1], &log));
    Two { shop, ports, _servers: [a, b] }
}

impl Two {
    fn webhook(&self, process: usize) -> String {
        format!("http://127.0.0.1:{}/webhook/instagram", self.ports[process])
    }

    /// `n` new followers each DM the shop once (recorded at the sandbox, so the window is
    /// open); the deliveries alternate between the two processes.
    async fn dms_to_both(&self, prefix: &str, n: usize) {
        self.shop.meta.post_control("/_sandbox/bulk", json!({ "accounts": 0, "followers": n, "prefix": prefix })).await;
        let events: Vec<Value> = (0..n)
            .map(|i| json!({ "kind": "dm", "from": format!("{prefix}.seguidor{i}"), "to": "loja.exemplo", "text": "oi!" }))
            .collect();
        let entries = self.shop.meta.record(json!(events)).await;
        for (i, entry) in entries.iter().enumerate() {
            let body = json!({ "object": "instagram", "entry": [entry] }).to_string();
            assert_eq!(post_signed(&self.webhook(i % 2), body.as_bytes()).await, 200);
        }
    }

    async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(&self.shop.app.state.pg).await.expect(sql)
    }

    /// Waits until every report is final, for at most `seconds`.
    async fn settled(&self, reports: i64, seconds: u64) {
        for _ in 0..seconds * 10 {
            let done = self.count("SELECT count(*) FROM instagram_reports WHERE status <> 'pending'").await;
            if done >= reports {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the processes did not finish the work");
    }
}

#[tokio::test]
async fn the_outbound_pace_of_an_account_holds_across_two_processes() {
    let pace = [("META_SENDS_PER_SECOND", "5")];
    let two = two_processes([&pace, &pace]).await;
    two.dms_to_both("ritmo", 30).await;
    two.settled(30, 30).await;

    let sends: Vec<Value> = two.shop.meta.succeeded("POST", "/messages").await;
    assert_eq!(sends.len(), 30, "every DM answered once");
    let mut at: Vec<i64> = sends.iter().filter_map(|c| c["at_ms"].as_i64()).collect();
    at.sort_unstable();
    // Five a second, with a burst of one: at most 7 in any second (two processes pacing on their
    // own would send ten a second).
    let busiest = at.iter().map(|start| at.iter().filter(|t| **t >= *start && **t < start + 1000).count()).max();
    assert!(busiest.is_some_and(|n| n <= 7), "{busiest:?} sends in one second: {at:?}");
    assert!(at[29] - at[0] >= 5000, "30 sends at 5/s take more than 5 s: {} ms", at[29] - at[0]);
    let senders: std::collections::HashSet<&str> = sends.iter().filter_map(|c| c["user_agent"].as_str()).collect();
    assert_eq!(senders.len(), 2, "both processes sent for the account: {senders:?}");
}

#[tokio::test]
async fn the_daily_cap_holds_across_two_processes() {
    let two = two_processes([&[], &[]]).await;
    let form = [("id", two.shop.instance_id.as_str()), ("daily_reply_cap", "10")];
    assert!(two.shop.app.post_form("/api/instances/daily_cap", &form).await.status().as_u16() < 400);
    two.dms_to_both("limite", 30).await;
    two.settled(30, 30).await;

    assert_eq!(two.count("SELECT count(*) FROM instagram_reports WHERE status = 'sent'").await, 10);
    assert_eq!(
        two.count("SELECT count(*) FROM instagram_reports WHERE status = 'skipped' AND error = 'daily_cap'").await,
        20
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(two.shop.meta.succeeded("POST", "/messages").await.len(), 10, "Meta received ten replies");
}

#[tokio::test]
async fn a_page_open_on_one_process_hears_live_what_another_handled() {
    // The first process only serves pages; the second does all of the engine's work.
    let two = two_processes([&[("ENGINE_WORKERS", "0")], &[]]).await;
    let browser = two.shop.app.another_browser();
    let signed_in = browser.sign_in("ana@loja.com", "senha-forte-1").await;
    let session = cookie_value(set_cookie(&signed_in, "ic_session").expect("session")).to_owned();
    let mut request = format!("ws://127.0.0.1:{}/ws", two.ports[0]).into_client_request().expect("request");
    request.headers_mut().insert("cookie", HeaderValue::from_str(&format!("ic_session={session}")).expect("ascii"));
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.expect("socket on the first process");

    // One delivery to each process's webhook; only the second takes them in and answers.
    two.dms_to_both("aovivo", 2).await;

    let mut heard = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while tokio::time::Instant::now() < deadline {
        let Ok(Some(Ok(Message::Text(text)))) = tokio::time::timeout(Duration::from_millis(500), socket.next()).await
        else {
            continue;
        };
        let event: Value = serde_json::from_str(&text).expect("json");
        heard.push(event);
        let sent: u64 = heard.iter().map(|e| e["counts"]["sent"].as_u64().unwrap_or(0)).sum();
        if sent >= 2 {
            break;
        }
    }
    assert!(
        heard.iter().all(|e| e["type"] == "interactions" && e["instance_id"] == two.shop.instance_id.as_str()),
        "{heard:?}"
    );
    let sum = |status: &str| heard.iter().map(|e| e["counts"][status].as_u64().unwrap_or(0)).sum::<u64>();
    assert_eq!((sum("pending"), sum("sent")), (2, 2), "recorded, then sent, for both DMs: {heard:?}");
    let worked = two.count("SELECT count(*) FROM instagram_reports WHERE status = 'sent'").await;
    assert_eq!(worked, 2, "the page-only process did none of it, the other did all");

    // A status change made by yet another process (the test's own) reaches the page too.
    assert!(
        two.shop.app.post_form("/api/instances/disconnect", &[("id", &two.shop.instance_id)]).await.status().as_u16()
            < 400
    );
    let status = loop {
        let next = tokio::time::timeout(Duration::from_secs(5), socket.next()).await.expect("a status event");
        if let Some(Ok(Message::Text(text))) = next {
            let event: Value = serde_json::from_str(&text).expect("json");
            if event["type"] == "instance_status" {
                break event;
            }
        }
    };
    assert_eq!(status["status"], "disconnected");
}

#[tokio::test]
async fn a_scheduled_job_runs_once_across_two_processes() {
    let shop = shop_with(|_| {}).await;
    // The token is due for renewal (old enough here and at Meta), and Meta fails every refresh:
    // each run of the job leaves one failed call and one audit entry behind.
    shop.meta.advance(2 * 86_400).await;
    let then = DateTime::from_millis(DateTime::now().timestamp_millis() - 2 * 86_400_000);
    let soon = DateTime::from_millis(DateTime::now().timestamp_millis() + 10 * 86_400_000);
    shop.app
        .state
        .mongo
        .collection::<Document>("instagram_instances")
        .update_many(doc! {}, doc! { "$set": { "tokenObtainedAt": then, "tokenExpiresAt": soon } })
        .await
        .expect("age the token");
    shop.meta
        .post_control(
            "/_sandbox/faults",
            json!({ "endpoint": "refresh_access_token", "kind": "server_error", "count": 100 }),
        )
        .await;
    let ports = [free_port(), free_port()];
    let log = std::env::temp_dir().join(format!("insta-clerky-schedule-{}.log", ports[0]));
    let (_a, _b) =
        tokio::join!(start_server(&shop.app.vars, ports[0], &log), start_server(&shop.app.vars, ports[1], &log));
    // Both look at start and again every 5 seconds: long enough for a second run, were there one.
    tokio::time::sleep(Duration::from_secs(7)).await;

    let calls = shop.meta.calls("/refresh_access_token").await;
    assert_eq!(calls.len(), 1, "one refresh attempt in all: {calls:?}");
    let failed: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'token.refresh_failed'")
        .fetch_one(&shop.app.state.pg)
        .await
        .expect("audit");
    assert_eq!(failed, 1);
    let runs = app::backend::store::pg::schedules::runs(&shop.app.state.pg, "token_refresh").await.expect("runs");
    assert_eq!(runs, 1);
}
