//! Insights: synced once a day by the job, on demand at most every 15 minutes, charted on the
//! instance's page; a metric Meta no longer serves is absent, not an error.
use crate::engine::shop_with;
use app::backend::insights;
use serde_json::Value;

#[tokio::test]
async fn insights_sync_daily_refresh_with_a_cooldown_and_show_on_the_instance_page() {
    let shop = shop_with(|_| {}).await;
    let app = &shop.app;
    assert_eq!(insights::sync_due(&app.state).await.expect("sync"), 1, "the connected instance");
    assert_eq!(insights::sync_due(&app.state).await.expect("sync again"), 0, "once a day");

    let url = format!("/api/insights?instance={}", shop.instance_id);
    let view: Value = app
        .client
        .get(app.url(&url))
        .header("accept", "application/json")
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(view["instance_name"], "@loja.exemplo");
    let days = view["days"].as_array().expect("days");
    assert_eq!(days.len(), 1);
    assert_eq!(days[0]["followers"], 1520, "the account's followers_count");
    let reach = days[0]["reach"].as_i64().expect("reach");
    assert!((1216..=1216 + 18).contains(&reach), "{reach}");
    assert!(days[0]["views"].as_i64().is_some());
    assert_eq!(days[0]["profile_views"], Value::Null, "Meta refuses it as a removed metric: absent, no error");
    assert!(view["refresh_after"].is_string(), "just synced: the cooldown runs");

    let refresh =
        || app.client.post(app.url("/api/insights/refresh")).form(&[("id", shop.instance_id.as_str())]).send();
    let refused = refresh().await.expect("refresh");
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.expect("text").contains("refresh_cooldown"));
    app.state.clock.advance(chrono::Duration::minutes(20));
    assert!(refresh().await.expect("refresh").status().as_u16() < 400);
    let calls = shop.meta.succeeded("GET", "/insights").await;
    assert!(calls.len() >= 2, "read from Meta again");

    let page = app.get(&format!("/insights?instance={}", shop.instance_id)).await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.expect("page");
    for text in ["Seguidores", "1.520", "Alcance", "Visualizações", "A Meta não informa mais este número."] {
        assert!(page.contains(text), "{text} on the page");
    }
}
