//! A restart must not break the demo: the Meta sandbox (kept in its file, as `make run` keeps it)
//! and the server binary both stop and start again, and the instance connected before is still
//! connected and answering.
use crate::{
    engine::Shop,
    helpers::{free_port, spawn_app_with, start_server, TestMeta},
};
use app::domain::automation::{AutomationKind, ResponseType};
use meta_sandbox::{AppRegistration, Sandbox};
use reqwest::{redirect::Policy, Client};
use serde_json::json;
use std::{net::SocketAddr, time::Duration};

fn registration() -> AppRegistration {
    AppRegistration {
        app_id: "100000000000001".into(),
        app_secret: "app-secret".into(),
        redirect_uris: vec!["http://127.0.0.1:3000/api/instagram/callback".into()],
    }
}

/// `(status, response_text)` of the report of `event_id`, once it is final (at most 20 s).
async fn final_report(shop: &Shop, event_id: &str) -> (String, Option<String>) {
    for _ in 0..200 {
        let row: Option<(String, Option<String>)> =
            sqlx::query_as("SELECT status, response_text FROM instagram_reports WHERE event_id = $1 AND part = 0")
                .bind(event_id)
                .fetch_optional(&shop.app.state.pg)
                .await
                .expect("report");
        if let Some(row) = row.filter(|(status, _)| status != "pending") {
            return row;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no final report for {event_id}");
}

#[tokio::test]
async fn instances_stay_connected_and_answering_when_the_sandbox_and_the_server_restart() {
    let folder = std::env::temp_dir().join(format!("insta-clerky-restart-{}", uuid::Uuid::new_v4().simple()));
    let state = folder.join("sandbox.json");
    let meta_addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().expect("address");
    let sandbox =
        Sandbox::kept_in(registration(), state.clone()).expect("fresh").serve_at(meta_addr).await.expect("serves");
    let base = format!("http://{meta_addr}");
    // This process only answers HTTP; the server binary does the engine's work.
    let app = spawn_app_with(|vars| {
        vars.insert("META_AUTHORIZE_URL".into(), format!("{base}/oauth/authorize"));
        vars.insert("META_API_BASE_URL".into(), base.clone());
        vars.insert("META_GRAPH_BASE_URL".into(), base.clone());
        vars.insert("ENGINE_WORKERS".into(), "0".into());
    })
    .await;
    let meta =
        TestMeta { base: base.clone(), http: Client::builder().redirect(Policy::none()).build().expect("client") };
    assert_eq!(app.sign_up("ana@loja.com", "senha-forte-1").await.status(), 302);
    let authorize = app.start_connect("Loja").await;
    let callback = meta.decide(&authorize, "allow", "loja.exemplo").await;
    assert!(app.callback(&callback).await.starts_with("/instances?connected="));
    let instance_id = app.instances().await[0]["id"].as_str().expect("id").to_owned();
    let shop = Shop { app, meta, instance_id };
    shop.automation(AutomationKind::Dm, &["preço"], "Oi {username}! Custa R$ 40.", ResponseType::Direct).await;

    let port = free_port();
    let log = folder.join("server.log");
    let mut vars = shop.app.vars.clone();
    vars.insert("ENGINE_WORKERS".into(), "2".into());
    let mut server = start_server(&vars, port, &log).await;
    let hook = json!({ "callback_url": format!("http://127.0.0.1:{port}/webhook/instagram"),
                       "verify_token": "verify-token", "retry_delays_ms": [0, 200, 500, 1000, 2000] });
    shop.meta.post_control("/_sandbox/webhook", hook).await;
    let before = shop.meta.dm("cliente.fiel", "loja.exemplo", "qual o preço?").await;
    assert_eq!(final_report(&shop, &before).await.0, "sent");

    // Both stop; both start again on the same data (the sandbox from its file).
    server.start_kill().expect("stop the server");
    server.wait().await.expect("stopped");
    sandbox.stop().await;
    let sandbox =
        Sandbox::kept_in(registration(), state).expect("kept").serve_at(meta_addr).await.expect("serves again");
    let _server = start_server(&vars, port, &log).await;

    // The follower writes again: the delivery reaches the server, the reply goes out with the
    // token issued before the restart, and the instance is still connected.
    let after = shop.meta.dm("cliente.fiel", "loja.exemplo", "e o preço do bolo?").await;
    assert_eq!(
        final_report(&shop, &after).await,
        ("sent".to_owned(), Some("Oi cliente.fiel! Custa R$ 40.".to_owned()))
    );
    let card = &shop.app.instances().await[0];
    assert_eq!(card["status"], "connected", "{card}");
    sandbox.stop().await;
    let _ = std::fs::remove_dir_all(folder);
}

/// Connections PostgreSQL dropped while they sat in the pool (a restart, a failover, an operator)
/// are never a page's error, though the pool no longer pings each one it hands out.
#[tokio::test]
async fn pages_answer_after_postgresql_dropped_every_connection_of_the_pool() {
    let app = crate::helpers::spawn_app().await;
    assert_eq!(app.sign_up("bia@loja.com", "senha-forte-1").await.status(), 302);
    for _ in 0..3 {
        assert_eq!(app.get("/instances").await.status(), 200);
    }
    let admin = sqlx::PgPool::connect(&std::env::var("DATABASE_URL").expect("DATABASE_URL")).await.expect("admin");
    let database: String =
        sqlx::query_scalar("SELECT current_database()").fetch_one(&app.state.pg).await.expect("database");
    let cut: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
    )
    .bind(&database)
    .fetch_all(&admin)
    .await
    .expect("terminate");
    assert!(!cut.is_empty() && cut.iter().all(|&done| done), "{cut:?}");
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    for attempt in 0..5 {
        let page = app.get("/instances").await;
        assert_eq!(page.status(), 200, "attempt {attempt}");
        let html = page.text().await.expect("page");
        assert!(html.contains("bia@loja.com") && !html.contains("role=\"alert\""), "attempt {attempt}: {html}");
    }
}
