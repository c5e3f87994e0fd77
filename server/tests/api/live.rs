//! `/ws`: live events reach the owner's open pages (and admins'), authenticated by the session.
use crate::helpers::{cookie_value, set_cookie, spawn_app_with_sandbox, TestApp, TestMeta};
use futures_util::StreamExt;
use serde_json::Value;
use std::time::Duration;
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, http::HeaderValue, Error, Message};

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub(crate) async fn open(app: &TestApp, session: Option<&str>) -> Result<Socket, Error> {
    open_from(app, session, None).await
}

async fn open_from(app: &TestApp, session: Option<&str>, origin: Option<&str>) -> Result<Socket, Error> {
    let url = app.url("/ws").replacen("http://", "ws://", 1);
    let mut request = url.into_client_request()?;
    if let Some(origin) = origin {
        request.headers_mut().insert("origin", HeaderValue::from_str(origin).expect("ascii"));
    }
    if let Some(token) = session {
        let cookie = HeaderValue::from_str(&format!("ic_session={token}")).expect("ascii");
        request.headers_mut().insert("cookie", cookie);
    }
    tokio_tungstenite::connect_async(request).await.map(|(socket, _)| socket)
}

/// Signs up in `app`'s browser and returns the session token.
pub(crate) async fn session(app: &TestApp, email: &str) -> String {
    let response = app.sign_up(email, "senha-forte-1").await;
    cookie_value(set_cookie(&response, "ic_session").expect("session cookie")).to_owned()
}

async fn next_event(socket: &mut Socket, within: Duration) -> Option<Value> {
    loop {
        match tokio::time::timeout(within, socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => return serde_json::from_str(&text).ok(),
            Ok(Some(Ok(_))) => {}
            _ => return None,
        }
    }
}

async fn connect_instance(app: &TestApp, meta: &TestMeta) -> String {
    let authorize = app.start_connect("Loja").await;
    let callback = meta.decide(&authorize, "allow", "loja.exemplo").await;
    assert!(app.callback(&callback).await.starts_with("/instances?connected="));
    app.instances().await[0]["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn a_socket_opens_only_from_the_sites_own_origin() {
    let app = crate::helpers::spawn_app().await;
    let token = session(&app, "ana@loja.com").await;
    let refused = |result: Result<Socket, Error>| matches!(result, Err(Error::Http(r)) if r.status() == 403);
    assert!(refused(open_from(&app, Some(&token), Some("https://evil.example")).await), "another site's page");
    assert!(refused(open_from(&app, Some(&token), Some(&app.address)).await), "the host reached is not the site");
    let public = app.vars["PUBLIC_URL"].clone();
    assert!(open_from(&app, Some(&token), Some(&public)).await.is_ok(), "the app's own page");
    assert!(open(&app, Some(&token)).await.is_ok(), "a script without Origin");
}

#[tokio::test]
async fn status_changes_reach_the_owner_and_admins_but_nobody_else() {
    let (app, meta) = spawn_app_with_sandbox().await;
    assert!(matches!(open(&app, None).await, Err(Error::Http(response)) if response.status() == 401));
    assert!(open(&app, Some("forged")).await.is_err(), "an unknown session is refused");

    let owner = session(&app, "ana@loja.com").await;
    let mut owner_socket = open(&app, Some(&owner)).await.expect("owner's socket");
    let id = connect_instance(&app, &meta).await;
    let connected = next_event(&mut owner_socket, Duration::from_secs(5)).await.expect("an event");
    assert_eq!(connected["type"], "instance_status");
    assert_eq!(connected["instance_id"], id.as_str());
    assert_eq!(connected["status"], "connected");
    let told = next_event(&mut owner_socket, Duration::from_secs(5)).await.expect("the bell's event");
    assert_eq!(told, serde_json::json!({ "type": "notified" }), "a first connection is a notification");

    let eve = app.another_browser();
    let eve_session = session(&eve, "eve@loja.com").await;
    let mut eve_socket = open(&app, Some(&eve_session)).await.expect("eve's socket");
    app.create_user("root@clerky.com", "senha-forte-1", true).await;
    let admin = app.another_browser();
    let response = admin.sign_in("root@clerky.com", "senha-forte-1").await;
    let admin_session = cookie_value(set_cookie(&response, "ic_session").expect("cookie")).to_owned();
    let mut admin_socket = open(&app, Some(&admin_session)).await.expect("admin's socket");

    assert!(app.post_form("/api/instances/disconnect", &[("id", &id)]).await.status().as_u16() < 400);
    for socket in [&mut owner_socket, &mut admin_socket] {
        let event = next_event(socket, Duration::from_secs(5)).await.expect("an event");
        assert_eq!(
            (event["status"].as_str(), event["instance_id"].as_str()),
            (Some("disconnected"), Some(id.as_str()))
        );
    }
    assert_eq!(next_event(&mut eve_socket, Duration::from_millis(500)).await, None, "another user hears nothing");
}
