//! Health, readiness, request ids, start-up errors, logs and graceful shutdown.
use crate::helpers::{base_vars, spawn_app};
use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

#[tokio::test]
async fn healthz_answers_and_readyz_checks_both_databases_and_migrations() {
    let app = spawn_app().await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 200);
    assert!(health.headers().contains_key("x-request-id"));

    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    assert_eq!(
        ready.json::<serde_json::Value>().await.expect("json"),
        serde_json::json!({ "postgres": "ok", "migrations": "ok", "mongodb": "ok" })
    );

    app.state.pg.close().await;
    let down = app.get("/readyz").await;
    assert_eq!(down.status(), 503);
    assert_eq!(down.json::<serde_json::Value>().await.expect("json")["postgres"], "unreachable");
}

#[tokio::test]
async fn readyz_reports_a_migration_missing_from_the_database() {
    let app = spawn_app().await;
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = (SELECT max(version) FROM _sqlx_migrations)")
        .execute(&app.state.pg)
        .await
        .expect("forget a migration");
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.json::<serde_json::Value>().await.expect("json")["migrations"], "pending");
}

#[tokio::test]
async fn a_missing_variable_stops_start_up_with_one_line_naming_it() {
    let mut vars = base_vars().await;
    vars.remove("SESSION_SECRET");
    let output = Command::new(env!("CARGO_BIN_EXE_server"))
        .env_clear()
        .envs(&vars)
        .current_dir(std::env::temp_dir()) // no .env file here
        .output()
        .expect("run server");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("SESSION_SECRET is not set: expected at least 32 random characters"), "{stderr}");
}

/// Runs the real binary with JSON logs, makes a request, then stops it with SIGTERM.
#[tokio::test]
async fn the_binary_logs_json_with_request_ids_and_stops_gracefully_on_sigterm() {
    let mut vars = base_vars().await;
    let port = {
        let socket = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
        socket.local_addr().expect("addr").port()
    };
    vars.insert("LISTEN_ADDR".into(), format!("127.0.0.1:{port}"));
    vars.insert("LOG_FORMAT".into(), "json".into());
    vars.insert("RUST_LOG".into(), "info".into());
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .env_clear()
        .envs(&vars)
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .current_dir(std::env::temp_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start server");

    let client = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/healthz");
    let deadline = Instant::now() + Duration::from_secs(30);
    let request_id = loop {
        if let Ok(response) = client.get(&url).send().await {
            break response.headers()["x-request-id"].to_str().expect("ascii").to_owned();
        }
        assert!(Instant::now() < deadline, "server did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };

    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().expect("kill").success());
    let started = Instant::now();
    let status = child.wait().expect("wait");
    assert!(status.success(), "exit status {status}");
    assert!(started.elapsed() < Duration::from_secs(10));

    let lines: Vec<serde_json::Value> = BufReader::new(child.stdout.take().expect("stdout"))
        .lines()
        .map(|line| serde_json::from_str(&line.expect("line")).expect("every log line is JSON"))
        .collect();
    let with_id = lines.iter().filter(|l| l["span"]["request_id"] == request_id.as_str()).count();
    assert!(with_id >= 1, "a log line carries the request id {request_id}: {lines:#?}");
    assert!(lines.iter().any(|l| l["message"] == "stopped"), "{lines:#?}");
}

/// A database outage is the service's failure (503, the same error everywhere), never the
/// caller's (401): while PostgreSQL is unreachable a signed-in person's export, live socket and
/// server functions, and a script's API call with its key, are each answered 503.
#[tokio::test]
async fn a_database_outage_is_answered_503_on_every_edge_never_401() {
    let app = spawn_app().await;
    assert_eq!(app.sign_up("ana@example.com", "senha-forte-1").await.status(), 302);
    let created = app.post_form_json("/api/api_keys/create", &[("name", "script")]).await;
    assert_eq!(created.status(), 200);
    let key = created.json::<serde_json::Value>().await.expect("json")["secret"].as_str().expect("secret").to_owned();
    assert_eq!(app.get("/api/reports/export.csv").await.status(), 200, "the export works before the outage");

    app.state.pg.close().await;
    let export = app.get("/api/reports/export.csv").await;
    assert_eq!(export.status(), 503);
    assert_eq!(export.json::<serde_json::Value>().await.expect("json"), "Unavailable");
    let socket = app
        .client
        .get(app.url("/ws"))
        .header("connection", "upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .send()
        .await
        .expect("request");
    assert_eq!(socket.status(), 503);
    let me = app.client.get(app.url("/api/me")).header("accept", "application/json").send().await.expect("me");
    assert_eq!(me.status(), 503);
    assert_eq!(me.json::<serde_json::Value>().await.expect("json"), "Unavailable");
    let api = app.client.get(app.url("/api/v1/instances")).bearer_auth(&key).send().await.expect("api");
    assert_eq!(api.status(), 503);
    assert_eq!(api.json::<serde_json::Value>().await.expect("json")["error"]["code"], "unavailable");
}
