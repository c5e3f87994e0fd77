//! Hostile text in every field that is shown anywhere (instance, automation and user names,
//! keywords, replies, usernames and texts that arrive by webhook, the admin's lists, the audit
//! log, the sandbox's pages) reaches each page inert: escaped, never markup.
use crate::{
    automations::save,
    engine::{shop_with, Shop},
    helpers::TestApp,
};
use app::domain::{
    url::encode,
    user::{Email, Role},
};
use serde_json::json;

const ACCOUNT: &str = "17841405822304914"; // @loja.exemplo
const POST: &str = "17895695668004550";
/// Leaves a textarea, a script and an attribute, then runs script if it is read as markup.
const HOSTILE: &str = "x</textarea></script>\"'><img src=x onerror=alert(1)>";
/// What the hostile text becomes if any page writes it unescaped.
const MARKUP: &str = "<img src=x onerror";

fn assert_inert(what: &str, html: &str) {
    if let Some(at) = html.find(MARKUP) {
        let start = html[..at].char_indices().rev().nth(120).map_or(0, |(i, _)| i);
        let context: String = html[start..].chars().take(240).collect();
        panic!("{what} writes hostile text as markup: …{context}…");
    }
}

async fn page(app: &TestApp, path: &str) -> String {
    let response = app.get(path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.expect("html")
}

#[tokio::test]
async fn hostile_text_is_inert_on_every_page() {
    let Shop { app, meta, instance_id } = shop_with(|_| {}).await;
    let keywords = format!("preço, {HOSTILE}");
    let reply = format!("Oi {{username}} {HOSTILE}");
    let (status, saved) = save(
        &app,
        &instance_id,
        None,
        &[("name", HOSTILE), ("kind", "dm"), ("trigger", "keyword"), ("keywords", &keywords), ("direct_reply", &reply)],
    )
    .await;
    assert_eq!(status, 200, "the hostile automation is valid text");
    let automation_id = saved["id"].as_str().expect("id").to_owned();
    let renamed = app.post_form("/api/instances/rename", &[("id", &instance_id), ("name", HOSTILE)]).await;
    assert!(renamed.status().is_redirection() || renamed.status() == 200, "{}", renamed.status());

    // What arrives by webhook: a comment from a hostile username with hostile text, a DM that
    // matches (its reply quotes the text back), and an event refused for its id (a dead letter).
    meta.dm("cliente.fiel", "loja.exemplo", &format!("preço {HOSTILE}")).await;
    meta.comment("outra.cliente", POST, HOSTILE).await;
    let now = chrono::Utc::now().timestamp_millis();
    let comment = json!({"field": "comments", "value": {"id": "18000000000000001", "text": HOSTILE,
        "from": {"id": "1254400000000001", "username": HOSTILE}, "media": {"id": POST, "media_product_type": "FEED"}}});
    let refused = json!({"sender": {"id": "1254400000000002"}, "recipient": {"id": ACCOUNT}, "timestamp": now,
        "message": {"mid": format!("{HOSTILE}{}", "m".repeat(600)), "text": HOSTILE}});
    let shop = Shop { app, meta, instance_id };
    shop.deliver(json!({"object": "instagram", "entry": [
        {"id": ACCOUNT, "time": now, "changes": [comment]},
        {"id": ACCOUNT, "time": now, "messaging": [refused]},
    ]}))
    .await;
    shop.meta.settle(&shop.app).await;
    let Shop { app, meta, instance_id } = shop;
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM instagram_reports WHERE interaction_text LIKE '%<img src=x%'")
            .fetch_one(&app.state.pg)
            .await
            .expect("reports");
    assert!(stored >= 2, "the hostile DM and comment are recorded as they were written");

    for path in [
        "/instances".to_owned(),
        format!("/automations?instance={instance_id}"),
        format!("/automations?instance={instance_id}&edit={automation_id}"),
        "/reports".to_owned(),
        format!("/reports?username={}", encode(HOSTILE)),
    ] {
        assert_inert(&path, &page(&app, &path).await);
    }

    // An admin with a hostile name sees every list, the audit log and the dead letters.
    let admin = app.another_browser();
    let email = Email::parse("admin@loja.com").expect("email");
    app::backend::accounts::create(&app.state, &email, HOSTILE, "senha-forte-1", Role::Admin, false)
        .await
        .expect("admin");
    assert_eq!(admin.sign_in("admin@loja.com", "senha-forte-1").await.status(), 302);
    let admin_page = page(&admin, "/admin").await;
    assert!(admin_page.contains("&lt;img src=x onerror"), "the admin page shows the hostile text, escaped");
    assert_inert("/admin", &admin_page);
    assert_inert("/reports (admin)", &page(&admin, "/reports").await);

    // The sandbox's own pages: the follower page and Meta's consent page list the same text.
    let follower = meta.http.get(format!("{}/_sandbox/follower", meta.base)).send().await.expect("follower page");
    assert_inert("the sandbox's follower page", &follower.text().await.expect("html"));
    let reconnect = app.post_form("/api/instances/reconnect", &[("id", &instance_id)]).await;
    let authorize = reconnect.headers()["location"].to_str().expect("authorize URL").to_owned();
    let consent = meta.http.get(&authorize).send().await.expect("consent page");
    assert_inert("the sandbox's consent page", &consent.text().await.expect("html"));
}
