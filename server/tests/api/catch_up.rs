//! Catch-up: deliveries Meta gave up on (the service down for ten minutes), and what came while
//! an instance was disconnected, are read back through the Graph API and go through the same
//! intake: every missed DM and comment recorded and answered once, however often it is read.
use crate::engine::{shop_with, Shop};
use app::{
    backend::{
        catch_up,
        store::{
            access::{Scope, System},
            mongo::instances,
        },
    },
    domain::automation::{AutomationKind, ResponseType},
};
use serde_json::json;
use std::time::Duration;

const POST: &str = "17895695668004550";

async fn reports(shop: &Shop) -> Vec<(String, String, String)> {
    sqlx::query_as("SELECT interaction_type, status, event_id FROM instagram_reports ORDER BY event_id")
        .fetch_all(&shop.app.state.pg)
        .await
        .expect("reports")
}

/// Waits until the sandbox made (or gave up) every delivery of what happened so far.
async fn deliveries_done(shop: &Shop, at_least: usize) {
    for _ in 0..200 {
        let all = shop.meta.deliveries().await;
        if all.len() >= at_least && all.iter().all(|d| d["acknowledged"] == true || d["gave_up"] == true) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the sandbox did not finish its deliveries");
}

#[tokio::test]
async fn after_ten_minutes_of_lost_deliveries_every_missed_dm_and_comment_is_answered_once() {
    let shop = shop_with(|_| {}).await;
    shop.automation(AutomationKind::Dm, &[], "Oi! Já te respondo.", ResponseType::Direct).await;
    shop.automation(AutomationKind::Comment, &[], "Obrigado pelo comentário!", ResponseType::Comment).await;
    // Meta's times have whole seconds: what is read back must not look older than the automations.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    // The service is up and beating, then every delivery of the next ten minutes is lost.
    assert_eq!(catch_up::after_downtime(&shop.app.state).await.expect("first beat"), 0);
    shop.meta.post_control("/_sandbox/faults/deliveries", json!({ "drop_seconds": 600 })).await;
    let first = shop.meta.dm("cliente.fiel", "loja.exemplo", "vocês abrem domingo?").await;
    let second = shop.meta.dm("outra.cliente", "loja.exemplo", "tem entrega?").await;
    let comment = shop.meta.comment("maria.souza", POST, "amei essa coleção").await;
    deliveries_done(&shop, 1).await;
    assert!(shop.meta.deliveries().await.iter().all(|d| d["gave_up"] == true), "Meta gave up on all of them");
    shop.meta.settle(&shop.app).await;
    assert!(reports(&shop).await.is_empty(), "nothing arrived");

    // Ten minutes later the service runs again: its beat is that old.
    shop.meta.post_control("/_sandbox/clock/advance", json!({ "seconds": 600 })).await;
    shop.app.state.clock.advance(chrono::Duration::minutes(10));
    assert_eq!(catch_up::after_downtime(&shop.app.state).await.expect("catch up"), 1, "one connected instance");
    shop.meta.settle(&shop.app).await;
    let mut expected = vec![
        ("comment".to_owned(), "sent".to_owned(), comment.clone()),
        ("dm".to_owned(), "sent".to_owned(), first.clone()),
        ("dm".to_owned(), "sent".to_owned(), second.clone()),
    ];
    expected.sort_by(|a, b| a.2.cmp(&b.2));
    assert_eq!(reports(&shop).await, expected);
    assert_eq!(shop.meta.succeeded("POST", "/messages").await.len(), 2);
    assert_eq!(shop.meta.succeeded("POST", &format!("/{comment}/replies")).await.len(), 1);

    // Read back again (a second gap, an overlap): recognised by their keys, answered no more.
    assert_eq!(catch_up::after_downtime(&shop.app.state).await.expect("no gap"), 0);
    let doc = instances::find(
        &shop.app.state.mongo,
        &Scope::system(&System::ACTING),
        &app::domain::id::InstanceId::new(shop.instance_id.as_str()),
    )
    .await
    .expect("instance");
    let again = catch_up::instance(&shop.app.state, &doc, shop.app.state.clock.now() - chrono::Duration::hours(1))
        .await
        .expect("again");
    assert_eq!((again.messages, again.comments), (2, 1), "the same events read");
    shop.meta.settle(&shop.app).await;
    assert_eq!(reports(&shop).await, expected, "and not recorded twice");
    assert_eq!(shop.meta.succeeded("POST", "/messages").await.len(), 2, "nor answered twice");
    assert_eq!(shop.meta.succeeded("POST", &format!("/{comment}/replies")).await.len(), 1);
    let stats = shop.meta.stats().await;
    assert_eq!(
        (stats["duplicate_tagged_sends"].as_u64(), stats["duplicate_public_replies"].as_u64()),
        (Some(0), Some(0))
    );
}

#[tokio::test]
async fn what_came_while_an_instance_was_disconnected_is_answered_when_it_reconnects() {
    let Shop { app, meta, instance_id } = shop_with(|_| {}).await;
    let shop = Shop { app, meta, instance_id };
    shop.automation(AutomationKind::Dm, &[], "Voltamos! Como posso ajudar?", ResponseType::Direct).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let disconnect = shop.app.post_form("/api/instances/disconnect", &[("id", &shop.instance_id)]).await;
    assert!(disconnect.status().as_u16() < 400);
    // Unsubscribed: Meta delivers nothing for the account.
    let missed = shop.meta.dm("cliente.fiel", "loja.exemplo", "alguém aí?").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(shop.meta.deliveries().await.iter().all(|d| !d["body"].as_str().unwrap_or_default().contains(&missed)));

    let authorize = shop
        .app
        .client
        .post(shop.app.url("/api/instances/reconnect"))
        .form(&[("id", shop.instance_id.as_str())])
        .send()
        .await
        .expect("reconnect");
    let authorize = authorize.headers()["location"].to_str().expect("ascii").to_owned();
    let callback = shop.meta.decide(&authorize, "allow", "loja.exemplo").await;
    assert!(shop.app.callback(&callback).await.starts_with("/instances?connected="));
    // The catch-up runs in the background; then the engine answers what it stored.
    let mut answered = Vec::new();
    for _ in 0..100 {
        shop.meta.settle(&shop.app).await;
        answered = reports(&shop).await;
        if !answered.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(answered, [("dm".to_owned(), "sent".to_owned(), missed)]);
    assert_eq!(shop.meta.succeeded("POST", "/messages").await.len(), 1);
}
