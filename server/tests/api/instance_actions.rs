//! After connecting: disconnect, rename, delete, the token refresh job and the admin's view.
use crate::helpers::{spawn_app_with_sandbox, TestApp, TestMeta};
use app::backend::{instances, store::pg::audit};
use mongodb::bson::{doc, DateTime, Document};
use serde_json::Value;

async fn connected(app: &TestApp, meta: &TestMeta, email: &str, account: &str) -> String {
    assert_eq!(app.sign_up(email, "senha-forte-1").await.status(), 302);
    let authorize = app.start_connect("Loja").await;
    let callback = meta.decide(&authorize, "allow", account).await;
    assert!(app.callback(&callback).await.starts_with("/instances?connected="));
    app.instances().await[0]["id"].as_str().expect("id").to_owned()
}

async fn stored(app: &TestApp) -> Document {
    app.state.mongo.collection::<Document>("instagram_instances").find_one(doc! {}).await.expect("query").expect("doc")
}

/// Makes the stored token look `days` old, as the refresh rules see it.
async fn age_token(app: &TestApp, days: i64) {
    let then = DateTime::from_millis(DateTime::now().timestamp_millis() - days * 86_400_000);
    app.state
        .mongo
        .collection::<Document>("instagram_instances")
        .update_many(doc! {}, doc! { "$set": { "tokenObtainedAt": then } })
        .await
        .expect("age");
}

async fn actions(app: &TestApp) -> Vec<String> {
    audit::recent(&app.state.pg, &app::backend::store::access::System::ACTING.everyone(), 50)
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect()
}

#[tokio::test]
async fn the_owner_disconnects_renames_and_deletes_and_nobody_else_can() {
    let (app, meta) = spawn_app_with_sandbox().await;
    let id = connected(&app, &meta, "ana@loja.com", "loja.exemplo").await;
    let eve = app.another_browser();
    assert_eq!(eve.sign_up("eve@loja.com", "senha-forte-1").await.status(), 302);
    for (path, extra) in
        [("/api/instances/disconnect", None), ("/api/instances/rename", Some("Minha")), ("/api/instances/delete", None)]
    {
        let mut form = vec![("id", id.as_str())];
        if let Some(name) = extra {
            form.push(("name", name));
        }
        assert_eq!(eve.post_form(path, &form).await.status(), 404, "{path}");
    }
    assert_eq!(app.instances().await[0]["status"], "connected", "untouched by another user");

    assert!(
        app.post_form("/api/instances/rename", &[("id", &id), ("name", "Loja Centro")]).await.status().as_u16() < 400
    );
    assert_eq!(app.post_form("/api/instances/rename", &[("id", &id), ("name", " ")]).await.status(), 422);
    assert_eq!(app.instances().await[0]["name"], "Loja Centro");

    assert!(app.post_form("/api/instances/disconnect", &[("id", &id)]).await.status().as_u16() < 400);
    assert_eq!(app.instances().await[0]["status"], "disconnected");
    assert!(stored(&app).await.get("accessToken").is_none(), "a disconnected instance keeps no token");

    sqlx::query(
        "INSERT INTO instagram_automations (id, user_id, instance_id, name, type, trigger_type, keywords, direct_reply)
                 VALUES (gen_random_uuid(), 'u', $1, 'Preço', 'dm', 'keyword', '{preço}', 'Oi!')",
    )
    .bind(&id)
    .execute(&app.state.pg)
    .await
    .expect("automation");
    sqlx::query("INSERT INTO instagram_reports (id, instance_id, user_id, interaction_type, event_id, user_id_instagram, status, \"timestamp\")
                 VALUES (gen_random_uuid(), $1, 'u', 'dm', 'mid-1', '1254477777772919', 'sent', now())")
        .bind(&id).execute(&app.state.pg).await.expect("report");
    assert!(app.post_form("/api/instances/delete", &[("id", &id)]).await.status().as_u16() < 400);
    assert!(app.instances().await.is_empty());
    let count = |table: &'static str| {
        let pg = app.state.pg.clone();
        let id = id.clone();
        async move {
            sqlx::query_scalar::<_, i64>(&format!("SELECT count(*) FROM {table} WHERE instance_id = $1"))
                .bind(id)
                .fetch_one(&pg)
                .await
                .expect("count")
        }
    };
    assert_eq!(count("instagram_automations").await, 0, "its automations go");
    assert_eq!(count("instagram_reports").await, 1, "its reports stay");
    let log = actions(&app).await;
    for action in ["instance.deleted", "instance.disconnected", "instance.renamed"] {
        assert!(log.contains(&action.to_owned()), "{action} in {log:?}");
    }
}

#[tokio::test]
async fn the_refresh_job_renews_day_old_tokens_that_expire_soon() {
    let (app, meta) = spawn_app_with_sandbox().await;
    connected(&app, &meta, "bia@loja.com", "loja.exemplo").await;
    let before = stored(&app).await;

    // A fresh 60-day token is not due within 30 days, and not a day old: nothing is asked of Meta.
    let run = instances::refresh_due(&app.state).await.expect("run");
    assert_eq!((run.ran, run.refreshed, run.failed), (true, 0, 0));
    assert!(meta.calls("/refresh_access_token").await.is_empty());

    // 35 days later (for both clocks) it is due and old enough.
    meta.advance(35 * 86_400).await;
    age_token(&app, 35).await;
    app.state
        .mongo
        .collection::<Document>("instagram_instances")
        .update_many(
            doc! {},
            doc! { "$set": {
            "tokenExpiresAt": DateTime::from_millis(DateTime::now().timestamp_millis() + 25 * 86_400_000) } },
        )
        .await
        .expect("expiry");
    let run = instances::refresh_due(&app.state).await.expect("run");
    assert_eq!((run.refreshed, run.failed), (1, 0));
    assert_eq!(meta.calls("/refresh_access_token").await.len(), 1);
    let after = stored(&app).await;
    assert_ne!(before.get_str("accessToken").ok(), after.get_str("accessToken").ok(), "a new sealed token");
    let expires = after.get_datetime("tokenExpiresAt").expect("expiry").timestamp_millis();
    assert!(expires > DateTime::now().timestamp_millis() + 59 * 86_400_000, "about 60 days from now");
    assert_eq!(after.get_str("status").ok(), Some("connected"));
    let entries =
        audit::recent(&app.state.pg, &app::backend::store::access::System::ACTING.everyone(), 10).await.expect("audit");
    assert_eq!((entries[0].action.as_str(), entries[0].actor_email.as_deref()), ("token.refreshed", None));
}

#[tokio::test]
async fn an_expired_token_puts_the_instance_in_error_with_a_prompt_to_reconnect() {
    let (app, meta) = spawn_app_with_sandbox().await;
    connected(&app, &meta, "caio@loja.com", "loja.exemplo").await;
    meta.advance(61 * 86_400).await;
    age_token(&app, 61).await;
    let expired = DateTime::from_millis(DateTime::now().timestamp_millis() - 86_400_000);
    app.state
        .mongo
        .collection::<Document>("instagram_instances")
        .update_many(doc! {}, doc! { "$set": { "tokenExpiresAt": expired } })
        .await
        .expect("expiry");
    let run = instances::refresh_due(&app.state).await.expect("run");
    assert_eq!((run.refreshed, run.failed), (0, 1));
    let card = &app.instances().await[0];
    assert_eq!((card["status"].as_str(), card["error_reason"].as_str()), (Some("error"), Some("token_invalid")));
    let entries =
        audit::recent(&app.state.pg, &app::backend::store::access::System::ACTING.everyone(), 10).await.expect("audit");
    assert_eq!(entries[0].action, "token.refresh_failed");
    assert!(entries[0].details.as_deref().unwrap_or_default().contains("Session has expired"));
}

#[tokio::test]
async fn only_one_process_runs_the_refresh_at_a_time() {
    let (app, meta) = spawn_app_with_sandbox().await;
    connected(&app, &meta, "dan@loja.com", "loja.exemplo").await;
    let mut other_process = app.state.pg.acquire().await.expect("connection");
    let held: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(0x1C7E_F7E5_i64)
        .fetch_one(&mut *other_process)
        .await
        .expect("lock");
    assert!(held);
    let run = instances::refresh_due(&app.state).await.expect("run");
    assert!(!run.ran, "another process holds the lock");
    sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(0x1C7E_F7E5_i64)
        .execute(&mut *other_process)
        .await
        .expect("unlock");
    assert!(instances::refresh_due(&app.state).await.expect("run").ran);
}

#[tokio::test]
async fn admins_see_filter_and_act_on_every_instance_with_an_audit_trail() {
    let (app, meta) = spawn_app_with_sandbox().await;
    connected(&app, &meta, "gil@loja.com", "loja.exemplo").await;
    let other = app.another_browser();
    connected(&other, &meta, "hugo@loja.com", "doces.da.bia").await;

    assert_eq!(app.get("/api/admin/instances?search=").await.status(), 403, "users are not admins");
    app.create_user("chefe@loja.com", "senha-forte-1", true).await;
    let admin = app.another_browser();
    assert_eq!(admin.sign_in("chefe@loja.com", "senha-forte-1").await.status(), 302);
    let list = |query: &'static str| {
        let admin = &admin;
        async move {
            let response = admin
                .client
                .get(admin.url(&format!("/api/admin/instances?{query}")))
                .header("accept", "application/json")
                .send()
                .await;
            response.expect("request").json::<Vec<Value>>().await.expect("json")
        }
    };
    assert_eq!(list("search=").await.len(), 2);
    let found = list("search=DOCES").await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["owner_email"], "hugo@loja.com");
    assert_eq!(found[0]["card"]["username"], "doces.da.bia");
    assert_eq!(list("search=&status=error").await.len(), 0);

    let id = found[0]["card"]["id"].as_str().expect("id").to_owned();
    assert!(admin.post_form("/api/admin/instances/disconnect", &[("id", &id)]).await.status().as_u16() < 400);
    assert_eq!(list("search=&status=disconnected").await.len(), 1);
    assert_eq!(other.instances().await[0]["status"], "disconnected");

    let entries =
        audit::recent(&app.state.pg, &app::backend::store::access::System::ACTING.everyone(), 10).await.expect("audit");
    assert_eq!(
        (entries[0].action.as_str(), entries[0].actor_email.as_deref()),
        ("admin.instance.disconnected", Some("chefe@loja.com"))
    );
    let readable: Vec<Value> = admin
        .client
        .get(admin.url("/api/admin/audit"))
        .header("accept", "application/json")
        .send()
        .await
        .expect("audit")
        .json()
        .await
        .expect("json");
    assert_eq!(readable[0]["action"], "admin.instance.disconnected");
    assert_eq!(app.get("/api/admin/audit").await.status(), 403);
}

/// What the sandbox says the account is subscribed to, asked with a token of its own.
async fn subscribed_fields(meta: &TestMeta) -> Value {
    let accounts: Vec<Value> = meta
        .http
        .get(format!("{}/_sandbox/accounts", meta.base))
        .send()
        .await
        .expect("accounts")
        .json()
        .await
        .expect("json");
    let account = accounts.iter().find(|a| a["username"] == "loja.exemplo").expect("the account");
    account["subscribed_fields"].clone()
}

#[tokio::test]
async fn disconnecting_or_deleting_unsubscribes_at_meta_and_stops_storing_events() {
    let (app, meta) = spawn_app_with_sandbox().await;
    let id = connected(&app, &meta, "ana@loja.com", "loja.exemplo").await;
    assert_ne!(subscribed_fields(&meta).await, Value::Null, "connecting subscribes");
    assert!(app.post_form("/api/instances/disconnect", &[("id", &id)]).await.status().as_u16() < 400);
    let unsubscribed = meta.succeeded("DELETE", "/me/subscribed_apps").await;
    assert_eq!(unsubscribed.len(), 1, "disconnecting tells Meta");
    assert_eq!(subscribed_fields(&meta).await, Value::Null);

    // Should Meta deliver anyway (a retry already under way), nothing of it is stored.
    let now = chrono::Utc::now().timestamp_millis();
    let body = serde_json::json!({"object": "instagram", "entry": [{"id": "17841405822304914", "time": now,
        "messaging": [{"sender": {"id": "1254477777772919"}, "recipient": {"id": "17841405822304914"},
        "timestamp": now, "message": {"mid": "m_after_disconnect", "text": "preço"}}]}]});
    let status = crate::helpers::post_signed(&app.url("/webhook/instagram"), body.to_string().as_bytes()).await;
    assert_eq!(status, 200);
    app::backend::engine::drain(&app.state, std::time::Duration::from_secs(10)).await.expect("drain");
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM instagram_messages").fetch_one(&app.state.pg).await.expect("count");
    assert_eq!(stored, 0, "a disconnected instance's events are not stored");

    // Reconnected, then deleted: Meta is told again.
    let reconnect = app.post_form("/api/instances/reconnect", &[("id", &id)]).await;
    let authorize = reconnect.headers()["location"].to_str().expect("authorize").to_owned();
    let callback = meta.decide(&authorize, "allow", "loja.exemplo").await;
    assert!(app.callback(&callback).await.starts_with("/instances?connected="));
    assert_ne!(subscribed_fields(&meta).await, Value::Null);
    assert!(app.post_form("/api/instances/delete", &[("id", &id)]).await.status().as_u16() < 400);
    assert_eq!(meta.succeeded("DELETE", "/me/subscribed_apps").await.len(), 2, "deleting tells Meta");
    assert_eq!(subscribed_fields(&meta).await, Value::Null);
}

#[tokio::test]
async fn connections_and_automation_changes_are_in_the_audit_log() {
    let (app, meta) = crate::helpers::spawn_app_with_sandbox_and(|vars| {
        vars.insert("FREE_INSTANCE_QUOTA".into(), "2".into());
    })
    .await;
    let id = connected(&app, &meta, "ana@loja.com", "loja.exemplo").await;
    // A refused connection is there too, with its reason.
    let authorize = app.start_connect("Outra").await;
    let cancelled = meta.decide(&authorize, "cancel", "doces.da.bia").await;
    app.callback(&cancelled).await;
    let form = [
        ("instance_id", id.as_str()),
        ("input[name]", "Preço"),
        ("input[kind]", "dm"),
        ("input[trigger]", "keyword"),
        ("input[keywords]", "preço"),
        ("input[direct_reply]", "Custa R$ 40."),
    ];
    let saved: Value = app.post_form("/api/automations/save", &form).await.json().await.expect("json");
    let automation = saved["id"].as_str().expect("id").to_owned();
    let mut edited = form.to_vec();
    edited.push(("id", &automation));
    app.post_form("/api/automations/save", &edited).await;
    app.post_form("/api/automations/active", &[("id", automation.as_str()), ("active", "false")]).await;
    app.post_form("/api/automations/delete", &[("id", automation.as_str())]).await;

    let entries =
        audit::recent(&app.state.pg, &app::backend::store::access::System::ACTING.everyone(), 50).await.expect("audit");
    let mut seen: Vec<(String, Option<String>, Option<String>)> =
        entries.into_iter().map(|e| (e.action, e.target_name, e.details)).collect();
    seen.reverse();
    assert_eq!(
        seen,
        [
            ("instance.connected", Some("Loja"), Some("@loja.exemplo")),
            ("instance.connection_failed", Some("Outra"), Some("denied")),
            ("automation.created", Some("Preço"), Some("Loja")),
            ("automation.updated", Some("Preço"), Some("Loja")),
            ("automation.deactivated", Some("Preço"), None),
            ("automation.deleted", Some("Preço"), None),
        ]
        .map(|(a, n, d)| (a.to_owned(), n.map(str::to_owned), d.map(str::to_owned)))
    );
    assert!(audit::recent(&app.state.pg, &app::backend::store::access::System::ACTING.everyone(), 50)
        .await
        .expect("audit")
        .iter()
        .all(|e| e.actor_email.as_deref() == Some("ana@loja.com")));
}
