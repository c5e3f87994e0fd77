//! Rate limits, answered 429 with `Retry-After` and counted in PostgreSQL, so every process
//! shares them: sign-ups per address and overall, server-function calls, CSV exports and
//! WebSocket connections per user, and unsigned webhook posts per address.
use crate::helpers::{free_port, post_signed, spawn_app_with, start_server, TestApp};
use reqwest::{Client, Response};
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, http::HeaderValue};

fn retry_after(response: &Response) -> u64 {
    let value = response.headers().get("retry-after").and_then(|v| v.to_str().ok());
    value.and_then(|v| v.parse().ok()).expect("a Retry-After in seconds")
}

async fn api_get(app: &TestApp, path: &str) -> Response {
    app.client.get(app.url(path)).header("accept", "application/json").send().await.expect("request")
}

#[tokio::test]
async fn sign_ups_are_limited_per_address_and_overall() {
    let app = spawn_app_with(|vars| {
        vars.insert("SIGN_UP_PER_IP_PER_HOUR".into(), "2".into());
    })
    .await;
    for n in 0..2 {
        assert_eq!(app.another_browser().sign_up(&format!("p{n}@loja.com"), "senha-forte-1").await.status(), 302);
    }
    let refused = app.another_browser().sign_up("p2@loja.com", "senha-forte-1").await;
    assert_eq!(refused.status(), 429);
    assert!(retry_after(&refused) > 60, "the address waits for the hour's next token");
    let users = app.state.mongo.collection::<mongodb::bson::Document>("users");
    assert_eq!(users.count_documents(mongodb::bson::doc! {}).await.expect("count"), 2, "nothing was created");

    let everyone = spawn_app_with(|vars| {
        vars.insert("SIGN_UP_PER_MINUTE".into(), "1".into());
    })
    .await;
    assert_eq!(everyone.another_browser().sign_up("a@loja.com", "senha-forte-1").await.status(), 302);
    assert_eq!(everyone.another_browser().sign_up("b@loja.com", "senha-forte-1").await.status(), 429);
}

#[tokio::test]
async fn a_users_calls_exports_and_sockets_are_limited_and_nobody_elses() {
    let app = spawn_app_with(|vars| {
        vars.insert("CALLS_PER_USER_PER_MINUTE".into(), "3".into());
        vars.insert("EXPORTS_PER_USER_PER_MINUTE".into(), "1".into());
        vars.insert("SOCKETS_PER_USER_PER_MINUTE".into(), "1".into());
    })
    .await;
    let response = app.sign_up("ana@loja.com", "senha-forte-1").await;
    let session =
        crate::helpers::cookie_value(crate::helpers::set_cookie(&response, "ic_session").expect("cookie")).to_owned();
    for _ in 0..3 {
        assert_eq!(api_get(&app, "/api/instances").await.status(), 200);
    }
    let refused = api_get(&app, "/api/instances").await;
    assert_eq!(refused.status(), 429);
    assert!((1..=20).contains(&retry_after(&refused)), "one call's token comes back in 20 s");
    assert_eq!(refused.json::<serde_json::Value>().await.expect("json"), serde_json::json!("RateLimited"));
    assert_eq!(app.get("/reports").await.status(), 200, "pages render: their calls run in process");

    let bia = app.another_browser();
    assert_eq!(bia.sign_up("bia@loja.com", "senha-forte-1").await.status(), 302);
    assert_eq!(api_get(&bia, "/api/instances").await.status(), 200, "another user has a quota of her own");

    assert_eq!(app.get("/api/reports/export.csv").await.status(), 200);
    let second = app.get("/api/reports/export.csv").await;
    assert_eq!(second.status(), 429);
    assert!(retry_after(&second) >= 1);

    let socket = || {
        let mut request = app.url("/ws").replacen("http://", "ws://", 1).into_client_request().expect("request");
        request.headers_mut().insert("cookie", HeaderValue::from_str(&format!("ic_session={session}")).expect("ascii"));
        tokio_tungstenite::connect_async(request)
    };
    let _open = socket().await.expect("the first socket");
    match socket().await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => assert_eq!(response.status(), 429),
        other => panic!("a second socket within the minute is refused: {:?}", other.map(|_| ())),
    }
}

#[tokio::test]
async fn unsigned_webhook_floods_are_limited_per_address_across_processes_and_meta_still_gets_through() {
    let app = spawn_app_with(|vars| {
        vars.insert("UNSIGNED_WEBHOOKS_PER_IP_PER_MINUTE".into(), "3".into());
    })
    .await;
    let ports = [free_port(), free_port()];
    let log = std::env::temp_dir().join(format!("insta-clerky-limits-{}.log", ports[0]));
    let mut vars = app.vars.clone();
    vars.insert("RUST_LOG".into(), "warn".into());
    vars.insert("ENGINE_WORKERS".into(), "0".into());
    let (_a, _b) = tokio::join!(start_server(&vars, ports[0], &log), start_server(&vars, ports[1], &log));
    let unsigned = |process: usize| {
        let url = format!("http://127.0.0.1:{}/webhook/instagram", ports[process]);
        async move {
            Client::new()
                .post(url)
                .header("content-type", "application/json")
                .header("x-hub-signature-256", "sha256=00")
                .body(r#"{"object":"instagram","entry":[]}"#)
                .send()
                .await
                .expect("post")
        }
    };
    // Three refusals in all, alternating between the processes, then the address is limited on both.
    for process in [0, 1, 0] {
        assert_eq!(unsigned(process).await.status(), 401);
    }
    for process in [1, 0] {
        let limited = unsigned(process).await;
        assert_eq!(limited.status(), 429, "process {process}");
        assert!(retry_after(&limited) >= 1);
    }
    let url = format!("http://127.0.0.1:{}/webhook/instagram", ports[1]);
    let signed = post_signed(&url, br#"{"object":"instagram","entry":[]}"#).await;
    assert_eq!(signed, 200, "Meta's signed deliveries are never limited");
}
