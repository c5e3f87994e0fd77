use crate::helpers::spawn_app;
use server::cli::{self, UserCommand};

#[tokio::test]
async fn only_admins_list_users() {
    let app = spawn_app().await;
    app.sign_up("user@loja.com", "senha-forte-1").await;
    let refused = app.get("/api/admin/users").await;
    assert_eq!(refused.status(), 403);
    assert_eq!(refused.json::<serde_json::Value>().await.expect("json"), serde_json::json!("Forbidden"));

    app.create_user("chefe@loja.com", "senha-forte-1", true).await;
    let admin = crate::helpers::browser();
    admin
        .post(app.url("/api/sign_in"))
        .form(&[("email", "chefe@loja.com"), ("password", "senha-forte-1")])
        .send()
        .await
        .expect("sign in");
    let users: Vec<serde_json::Value> =
        admin.get(app.url("/api/admin/users")).send().await.expect("list").json().await.expect("json");
    let emails: Vec<_> = users.iter().map(|u| u["email"].as_str().unwrap_or_default()).collect();
    assert_eq!(emails, ["user@loja.com", "chefe@loja.com"]);
    assert!(users.iter().all(|u| u.get("passwordHash").is_none() && u.get("password_hash").is_none()));
}

#[tokio::test]
async fn anonymous_callers_get_401_from_protected_functions() {
    let app = spawn_app().await;
    assert_eq!(app.get("/api/admin/users").await.status(), 401);
    assert_eq!(app.get("/api/instances").await.status(), 401);
}

#[tokio::test]
async fn the_cli_creates_users_makes_admins_and_refuses_duplicates() {
    let app = spawn_app().await;
    let create = |email: &str, if_missing| UserCommand::Create {
        email: email.to_owned(),
        name: "Operadora".into(),
        password: "senha-forte-1".into(),
        admin: false,
        premium: true,
        if_missing,
    };
    cli::run(&app.state, create("ops@loja.com", false)).await.expect("created");
    assert!(cli::run(&app.state, create("OPS@loja.com", false))
        .await
        .expect_err("duplicate")
        .contains("already has an account"));
    cli::run(&app.state, create("ops@loja.com", true)).await.expect("if-missing is idempotent");
    assert!(cli::run(&app.state, create("not-an-email", false)).await.is_err());

    assert_eq!(app.sign_in("ops@loja.com", "senha-forte-1").await.status(), 302);
    assert_eq!(app.me().await["role"], "user");
    assert_eq!(app.me().await["instance_quota"], serde_json::Value::Null, "premium has no quota");

    cli::run(&app.state, UserCommand::MakeAdmin { email: "ops@loja.com".into() }).await.expect("made admin");
    assert_eq!(app.me().await["role"], "admin");
    assert!(cli::run(&app.state, UserCommand::MakeAdmin { email: "ghost@loja.com".into() }).await.is_err());
    cli::run(&app.state, UserCommand::List).await.expect("list");
}

#[tokio::test]
async fn the_admin_page_lists_accounts_for_admins() {
    let app = spawn_app().await;
    app.create_user("chefe@loja.com", "senha-forte-1", true).await;
    app.sign_in("chefe@loja.com", "senha-forte-1").await;
    let response = app.get("/admin").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.expect("html");
    assert!(html.contains("<td>chefe@loja.com</td>"), "{html}");
    assert!(html.contains("Administrador"));
}

/// Every action the audit log records is told in the reader's language: a key made and revoked
/// (once shown as their stored names) among them.
#[tokio::test]
async fn the_audit_log_tells_every_action_in_words() {
    let app = spawn_app().await;
    app.create_user("chefe@loja.com", "senha-forte-1", true).await;
    app.sign_in("chefe@loja.com", "senha-forte-1").await;
    let created = app.post_form_json("/api/api_keys/create", &[("name", "script")]).await;
    let key = created.json::<serde_json::Value>().await.expect("json")["key"]["id"].as_str().expect("id").to_owned();
    assert_eq!(app.post_form_json("/api/api_keys/revoke", &[("id", &key)]).await.status(), 200);
    let html = app.get("/admin").await.text().await.expect("html");
    assert!(html.contains("criou uma chave de API") && html.contains("revogou uma chave de API"), "{html}");
    assert!(!html.contains(">api_key."), "a stored name shown as it is: {html}");
}

#[tokio::test]
async fn only_admins_see_the_webhook_verify_token() {
    let app = spawn_app().await;
    app.sign_up("user@loja.com", "senha-forte-1").await;
    let settings = |client: reqwest::Client| {
        let url = app.url("/api/instances/webhook");
        async move {
            let response = client.get(url).header("accept", "application/json").send().await.expect("settings");
            assert_eq!(response.status(), 200);
            response.json::<serde_json::Value>().await.expect("json")
        }
    };
    let for_user = settings(app.client.clone()).await;
    assert_eq!(for_user["base_url"], "http://127.0.0.1:3000/webhook/instagram");
    assert_eq!(for_user["verify_token"], serde_json::Value::Null, "a plain user never receives the app's secret");
    let page = app.get("/instances").await.text().await.expect("html");
    assert!(!page.contains("verify-token"), "nor does the page carry it");

    app.create_user("chefe@loja.com", "senha-forte-1", true).await;
    let admin = app.another_browser();
    assert_eq!(admin.sign_in("chefe@loja.com", "senha-forte-1").await.status(), 302);
    assert_eq!(settings(admin.client.clone()).await["verify_token"], "verify-token");
}

#[tokio::test]
async fn the_health_view_counts_accounts_queues_and_how_meta_answered_for_admins_only() {
    use app::domain::automation::{AutomationKind, ResponseType};
    use mongodb::bson::{doc, DateTime};
    let shop = crate::engine::shop_with(|_| {}).await;
    shop.automation(AutomationKind::Dm, &[], "Oi!", ResponseType::Direct).await;
    shop.meta.dm("cliente.fiel", "loja.exemplo", "oi").await;
    shop.meta.settle(&shop.app).await;
    app::backend::measure::flush_graph_calls(&shop.app.state.pg).await.expect("flush");
    let oid = mongodb::bson::oid::ObjectId::parse_str(&shop.instance_id).expect("oid");
    let soon = DateTime::from_millis(DateTime::now().timestamp_millis() + 2 * 86_400_000);
    shop.app
        .state
        .mongo
        .collection::<mongodb::bson::Document>("instagram_instances")
        .update_one(doc! { "_id": oid }, doc! { "$set": { "tokenExpiresAt": soon } })
        .await
        .expect("expiry");
    assert_eq!(shop.app.get("/api/admin/health").await.status(), 403, "Ana is no admin");

    shop.app.create_user("chefe@loja.com", "senha-forte-1", true).await;
    let admin = shop.app.another_browser();
    admin.sign_in("chefe@loja.com", "senha-forte-1").await;
    let health: serde_json::Value = admin
        .client
        .get(admin.url("/api/admin/health"))
        .header("accept", "application/json")
        .send()
        .await
        .expect("health")
        .json()
        .await
        .expect("json");
    assert_eq!(
        (
            health["instances"].as_u64(),
            health["connected"].as_u64(),
            health["in_error"].as_u64(),
            health["expiring_soon"].as_u64()
        ),
        (Some(1), Some(1), Some(0), Some(1)),
        "{health}"
    );
    assert_eq!(health["intake"]["items"], 0);
    assert_eq!(health["outbox"]["items"], 0);
    let sends = health["meta"].as_array().into_iter().flatten().find(|m| m["endpoint"] == "POST /{ig-id}/messages");
    assert!(sends.is_some_and(|m| m["ok"].as_i64() >= Some(1)), "{health}");
    let page = admin.get("/admin").await.text().await.expect("page");
    assert!(
        page.contains("Saúde do serviço") && page.contains("Tokens expirando em 7 dias"),
        "the admin page shows it"
    );
}
