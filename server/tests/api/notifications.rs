//! Notifications: each kind raised where it happens, shown under the bell (live), e-mailed once
//! to the owner, never twice however often it is noticed, and not e-mailed when turned off.
use crate::{
    engine::{shop_with, Shop},
    helpers::{cookie_value, set_cookie, TestApp},
    live::open,
};
use app::{
    backend::notifications,
    domain::automation::{AutomationKind, ResponseType},
};
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::time::Duration;

const ANA: &str = "ana@loja.com";

async fn bell(app: &TestApp) -> Value {
    let response = app.client.get(app.url("/api/notifications")).header("accept", "application/json").send().await;
    let response = response.expect("request");
    assert_eq!(response.status(), 200);
    response.json().await.expect("json")
}

fn kinds(page: &Value) -> Vec<String> {
    page["items"].as_array().into_iter().flatten().filter_map(|n| n["kind"].as_str().map(str::to_owned)).collect()
}

/// The notification e-mails Ana received, by subject.
async fn notices(app: &TestApp) -> Vec<(String, String)> {
    app.mails_to(ANA).await.into_iter().filter(|(subject, _)| subject.starts_with("Insta-Clerky: ")).collect()
}

/// Runs the e-mail job twice, as two restarts would: nothing goes out twice.
async fn mail_twice(app: &TestApp) {
    notifications::send_mail(&app.state).await.expect("mail");
    notifications::send_mail(&app.state).await.expect("mail again");
}

#[tokio::test]
async fn a_first_connection_is_told_under_the_bell_and_by_one_e_mail() {
    let Shop { app, meta: _meta, instance_id } = shop_with(|_| {}).await;
    let page = bell(&app).await;
    assert_eq!(kinds(&page), ["first_connection"]);
    assert_eq!(page["unread"], 1);
    assert_eq!(page["items"][0]["instance_name"], "@loja.exemplo");
    assert_eq!(page["items"][0]["instance_id"], instance_id.as_str());

    mail_twice(&app).await;
    app.wait_for_mails(ANA, 2).await; // the confirmation link, then the notice
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mails = notices(&app).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].0, "Insta-Clerky: Instância conectada");
    assert!(mails[0].1.contains("@loja.exemplo está conectada"), "{}", mails[0].1);
    assert!(mails[0].1.contains("/notifications"), "says where to turn it off");

    // Reconnecting the same instance is not a first connection again.
    let authorize = app
        .client
        .post(app.url("/api/instances/reconnect"))
        .form(&[("id", instance_id.as_str())])
        .send()
        .await
        .expect("reconnect");
    let authorize = authorize.headers()["location"].to_str().expect("ascii").to_owned();
    let callback = _meta.decide(&authorize, "allow", "loja.exemplo").await;
    assert!(app.callback(&callback).await.starts_with("/instances?connected="));
    assert_eq!(kinds(&bell(&app).await), ["first_connection"]);

    // Read: one, then the count is zero; another person cannot touch it.
    let id = page["items"][0]["id"].as_str().expect("id").to_owned();
    let other = app.another_browser();
    assert_eq!(other.sign_up("bia@loja.com", "senha-forte-1").await.status(), 302);
    let refused = other.client.post(other.url("/api/notifications/read")).form(&[("id", id.as_str())]).send().await;
    assert_eq!(refused.expect("request").status(), 404);
    assert_eq!(bell(&app).await["unread"], 1, "still unread for Ana");
    let read = app.client.post(app.url("/api/notifications/read")).form(&[("id", id.as_str())]).send().await;
    assert!(read.expect("request").status().as_u16() < 400);
    let page = bell(&app).await;
    assert_eq!((page["unread"].as_u64(), page["items"][0]["read"].as_bool()), (Some(0), Some(true)));
    assert!(bell(&other).await["items"].as_array().is_some_and(Vec::is_empty), "Bia sees none of Ana's");
}

#[tokio::test]
async fn a_lost_connection_is_told_once_however_many_replies_fail() {
    let shop = shop_with(|_| {}).await;
    shop.automation(AutomationKind::Dm, &[], "Oi!", ResponseType::Direct).await;
    shop.meta
        .post_control("/_sandbox/faults", json!({ "endpoint": "messages", "kind": "invalid_token", "count": 2 }))
        .await;
    shop.meta.dm("cliente.fiel", "loja.exemplo", "oi").await;
    shop.meta.dm("outra.cliente", "loja.exemplo", "oi").await;
    shop.meta.settle(&shop.app).await;
    let page = bell(&shop.app).await;
    assert_eq!(kinds(&page), ["connection_lost", "first_connection"], "{page}");
    mail_twice(&shop.app).await;
    shop.app.wait_for_mails(ANA, 3).await;
    let subjects: Vec<String> = notices(&shop.app).await.into_iter().map(|(s, _)| s).collect();
    assert_eq!(subjects, ["Insta-Clerky: Conexão perdida", "Insta-Clerky: Instância conectada"]);
}

#[tokio::test]
async fn a_token_about_to_expire_is_told_once_per_token_with_the_days_left() {
    let Shop { app, meta: _meta, instance_id: _ } = shop_with(|_| {}).await;
    expire_in_three_days(&app);
    assert_eq!(notifications::find_expiring(&app.state).await.expect("scan"), 1);
    assert_eq!(notifications::find_expiring(&app.state).await.expect("scan again"), 1);
    let page = bell(&app).await;
    assert_eq!(kinds(&page), ["token_expiring", "first_connection"]);
    assert_eq!(page["items"][0]["detail"], "2", "whole days left");
    mail_twice(&app).await;
    app.wait_for_mails(ANA, 3).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mails = notices(&app).await;
    let subjects: Vec<&str> = mails.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(subjects, ["Insta-Clerky: Acesso ao Instagram expirando", "Insta-Clerky: Instância conectada"]);
    assert!(mails[0].1.contains("expira em 2 dia(s)"), "{}", mails[0].1);
}

#[tokio::test]
async fn a_kind_turned_off_stays_under_the_bell_and_is_not_e_mailed() {
    let Shop { app, meta: _meta, instance_id: _ } = shop_with(|_| {}).await;
    // Only first connections by e-mail.
    let saved = app.client.post(app.url("/api/notifications/prefs")).form(&[("first_connection", "on")]).send().await;
    assert!(saved.expect("prefs").status().as_u16() < 400);
    assert_eq!(
        bell(&app).await["email_off"],
        json!(["token_expiring", "connection_lost", "daily_cap_reached", "automation_failing"])
    );
    expire_in_three_days(&app);
    notifications::find_expiring(&app.state).await.expect("scan");
    mail_twice(&app).await;
    app.wait_for_mails(ANA, 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let subjects: Vec<String> = notices(&app).await.into_iter().map(|(s, _)| s).collect();
    assert_eq!(subjects, ["Insta-Clerky: Instância conectada"]);
    let status: String = sqlx::query_scalar("SELECT email_status FROM notifications WHERE kind = 'token_expiring'")
        .fetch_one(&app.state.pg)
        .await
        .expect("status");
    assert_eq!(status, "off");
    assert_eq!(kinds(&bell(&app).await), ["token_expiring", "first_connection"], "still under the bell");
}

/// Fifty-seven days after connecting, its 60-day token has three days left (a minute less).
fn expire_in_three_days(app: &TestApp) {
    app.state.clock.advance(chrono::Duration::days(57) + chrono::Duration::minutes(1));
}

#[tokio::test]
async fn reaching_the_daily_cap_is_told_once_that_day_and_live() {
    let shop = shop_with(|vars| {
        vars.insert("DAILY_REPLY_CAP".into(), "1".into());
    })
    .await;
    shop.automation(AutomationKind::Dm, &[], "Oi!", ResponseType::Direct).await;
    let signed_in = shop.app.another_browser().sign_in(ANA, "senha-forte-1").await;
    let session = cookie_value(set_cookie(&signed_in, "ic_session").expect("a session")).to_owned();
    let mut socket = open(&shop.app, Some(&session)).await.expect("socket");
    for follower in ["cliente.fiel", "outra.cliente", "maria.souza"] {
        shop.meta.dm(follower, "loja.exemplo", "oi").await;
    }
    shop.meta.settle(&shop.app).await;
    let page = bell(&shop.app).await;
    assert_eq!(kinds(&page), ["daily_cap_reached", "first_connection"], "{page}");
    let mut notified = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !notified && tokio::time::Instant::now() < deadline {
        if let Ok(Some(Ok(message))) = tokio::time::timeout(Duration::from_millis(200), socket.next()).await {
            notified |= message.to_text().unwrap_or_default().contains(r#""type":"notified""#);
        }
    }
    assert!(notified, "the bell hears of it live");
    mail_twice(&shop.app).await;
    shop.app.wait_for_mails(ANA, 3).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let subjects: Vec<String> = notices(&shop.app).await.into_iter().map(|(s, _)| s).collect();
    assert_eq!(subjects, ["Insta-Clerky: Limite diário atingido", "Insta-Clerky: Instância conectada"]);
}

#[tokio::test]
async fn an_automation_failing_again_and_again_is_told_once_with_its_name() {
    let shop = shop_with(|vars| {
        vars.insert("REPLY_MAX_ATTEMPTS".into(), "1".into());
    })
    .await;
    shop.automation(AutomationKind::Dm, &[], "Oi!", ResponseType::Direct).await;
    shop.meta
        .post_control("/_sandbox/faults", json!({ "endpoint": "messages", "kind": "server_error", "count": 10 }))
        .await;
    for follower in ["cliente.fiel", "outra.cliente"] {
        shop.meta.dm(follower, "loja.exemplo", "oi").await;
    }
    shop.meta.settle(&shop.app).await;
    assert_eq!(kinds(&bell(&shop.app).await), ["first_connection"], "two failures are not yet 'again and again'");
    shop.meta.dm("maria.souza", "loja.exemplo", "oi").await;
    shop.meta.settle(&shop.app).await;
    let failed: i64 = sqlx::query_scalar("SELECT count(*) FROM instagram_reports WHERE status = 'failed'")
        .fetch_one(&shop.app.state.pg)
        .await
        .expect("count");
    assert_eq!(failed, 3);
    let page = bell(&shop.app).await;
    assert_eq!(kinds(&page), ["automation_failing", "first_connection"], "{page}");
    assert_eq!(page["items"][0]["detail"], "Preço");
    mail_twice(&shop.app).await;
    shop.app.wait_for_mails(ANA, 3).await;
    let mails = notices(&shop.app).await;
    assert_eq!(mails[0].0, "Insta-Clerky: Automação falhando");
    assert!(mails[0].1.contains("/reports?instance="), "links to the failed replies: {}", mails[0].1);
}
