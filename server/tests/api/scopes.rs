//! The store's proofs: what a scope made from each caller reaches, with real sessions and keys.
//! The access matrix checks the routes; this checks the store itself, so a new route built on it
//! inherits the limits.
use crate::helpers::{cookie_value, set_cookie, spawn_app_with_sandbox, TestApp};
use app::backend::{
    auth::{self, SignedIn},
    security::session_cookie_name,
    store::{
        access::{Everyone, Scope, System},
        mongo::instances,
        pg::{automations, notifications},
        StoreError,
    },
};
use http::{header, HeaderMap, HeaderValue};

/// The caller as the store sees them, from a session cookie or a bearer key.
async fn caller(app: &TestApp, header_name: header::HeaderName, value: String) -> SignedIn {
    let mut headers = HeaderMap::new();
    headers.insert(header_name, HeaderValue::from_str(&value).expect("header"));
    auth::caller(&app.state, &headers).await.expect("caller").expect("signed in")
}

async fn signed_in(app: &TestApp, email: &str, password: &str) -> SignedIn {
    let response = app.sign_in(email, password).await;
    let name = session_cookie_name(&app.state.config);
    let cookie = cookie_value(set_cookie(&response, name).expect("a session")).to_owned();
    caller(app, header::COOKIE, format!("{name}={cookie}")).await
}

#[tokio::test]
async fn each_scope_reaches_what_its_proof_allows_and_nothing_else() {
    let (ana_browser, meta) = spawn_app_with_sandbox().await;
    ana_browser.create_user("ana@example.com", "senha-muito-boa-1", false).await;
    ana_browser.create_user("bob@example.com", "senha-muito-boa-2", false).await;
    ana_browser.create_user("root@example.com", "senha-muito-boa-3", true).await;
    let ana = signed_in(&ana_browser, "ana@example.com", "senha-muito-boa-1").await;
    let bob = signed_in(&ana_browser.another_browser(), "bob@example.com", "senha-muito-boa-2").await;
    let root = signed_in(&ana_browser.another_browser(), "root@example.com", "senha-muito-boa-3").await;
    let authorize = ana_browser.start_connect("Loja da Ana").await;
    let back = meta.decide(&authorize, "allow", "loja.exemplo").await;
    ana_browser.callback(&back).await;
    let db = &ana_browser.state.mongo;
    let pg = &ana_browser.state.pg;

    // Ana's own scope finds her instance; Bob's, holding its id, finds nothing, lists nothing,
    // counts nothing, and may not write to it.
    let own = instances::list(db, &Scope::own(&ana)).await.expect("list");
    assert_eq!(own.len(), 1);
    let id = own[0].instance_id();
    assert_eq!(instances::find(db, &Scope::own(&ana), &id).await.expect("found").instance_id(), id);
    assert!(matches!(instances::find(db, &Scope::own(&bob), &id).await, Err(StoreError::NotFound)));
    assert!(instances::list(db, &Scope::own(&bob)).await.expect("list").is_empty());
    assert!(instances::search(db, &Scope::own(&bob), "", None).await.expect("search").is_empty());
    let soon = mongodb::bson::DateTime::now();
    assert_eq!(instances::health_counts(db, &Scope::own(&bob), soon).await.expect("counts").0, 0);
    let account = own[0].instagram_account_id.clone().expect("connected");
    let other = mongodb::bson::oid::ObjectId::new();
    assert!(instances::find_by_account(db, &Scope::own(&bob), &account, other).await.expect("by account").is_none());
    assert!(instances::find_by_account(db, &Scope::own(&ana), &account, other).await.expect("by account").is_some());

    // Everyone's: an admin signed in, not a plain user, and not the admin's own API key.
    assert!(Scope::everyone(&bob).is_none() && Everyone::admin(&bob).is_none());
    let everyone = Scope::everyone(&root).expect("an admin reaches everyone");
    assert_eq!(instances::find(db, &everyone, &id).await.expect("found").instance_id(), id);
    assert_eq!(instances::search(db, &everyone, "ana", None).await.expect("search").len(), 1);
    assert_eq!(Scope::of(&bob).owner(), Some(bob.user_id()));
    assert_eq!(Scope::of(&root).owner(), None);
    let key = app::backend::api_keys::create(&ana_browser.state, &root, "script").await.expect("key");
    let by_key = caller(&ana_browser, header::AUTHORIZATION, format!("Bearer {}", key.secret)).await;
    assert_eq!(by_key.user_id(), root.user_id());
    assert!(Scope::everyone(&by_key).is_none(), "an admin's key reaches only the admin's own data");
    assert!(matches!(instances::find(db, &Scope::of(&by_key), &id).await, Err(StoreError::NotFound)));

    // The engine reaches every instance; its documents carry the proof PostgreSQL's rows take.
    let doc = instances::find(db, &Scope::system(&System::ACTING), &id).await.expect("found");
    assert_eq!(doc.tenant(), System::ACTING.tenant(id.as_str()));
    assert!(automations::list(pg, doc.tenant()).await.expect("automations").is_empty());

    // A person's own rows: Bob's owner proof never reads Ana's notifications.
    let ana_has = notifications::newest(pg, ana.owner(), 10).await.expect("newest");
    assert!(!ana_has.is_empty(), "the first connection notified Ana");
    assert!(notifications::newest(pg, bob.owner(), 10).await.expect("newest").is_empty());
    let first = ana_has[0].id.uuid().expect("uuid");
    assert!(!notifications::exists(pg, bob.owner(), first).await.expect("exists"));
    assert_eq!(notifications::mark_read(pg, bob.owner(), Some(first)).await.expect("mark"), 0);
    assert!(notifications::exists(pg, ana.owner(), first).await.expect("exists"));
}

/// Only the engine, the scheduled jobs, the operator's command line and tests act as the system:
/// a page or a server function that reached for `System::ACTING` would skip every check.
#[test]
fn only_the_engine_and_the_jobs_act_as_the_system() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace").to_path_buf();
    let allowed = [
        "app/src/backend/engine/",
        "app/src/backend/directory.rs",
        "app/src/backend/catch_up.rs",
        "app/src/backend/insights.rs",
        "app/src/backend/notifications.rs",
        "app/src/backend/leads.rs",
        "app/src/backend/instances.rs",
        "app/src/backend/connect.rs",
        "server/src/cli.rs",
    ];
    let mut offenders = Vec::new();
    let mut stack = vec![root.join("app/src"), root.join("server/src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let relative = path.strip_prefix(&root).expect("inside").to_string_lossy().replace('\\', "/");
            if relative.ends_with("store/access.rs") || allowed.iter().any(|a| relative.starts_with(a)) {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read");
            if text.contains("System::ACTING") {
                offenders.push(relative);
            }
        }
    }
    assert!(offenders.is_empty(), "these act as the system outside the engine and the jobs: {offenders:?}");
}
