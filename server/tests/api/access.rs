//! The access matrix: every route the router serves (its plain routes, every registered server
//! function, every page) has an entry saying who may call it, and each is called as anonymous,
//! as another tenant holding the first tenant's ids and, for admin ones, as a plain user, and
//! must refuse. A route without an entry, or an entry without a route, fails the first test.
use crate::{
    engine::{shop_with, Shop},
    helpers::TestApp,
};
use app::domain::automation::{AutomationKind, ResponseType};
use reqwest::Response;
use std::collections::BTreeSet;

/// The first tenant's automation reply: seen anywhere by someone else, it leaked.
const SECRET_REPLY: &str = "Resposta secreta da Ana";

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Access {
    /// Anyone: health checks, the language switch, signing in and up, "who am I".
    Public,
    /// Meta, proven by the webhook signature (or the verify token of the handshake).
    Meta,
    /// A signed-in user, on their own data only.
    Owner,
    /// Admins only.
    Admin,
    /// The operators' metrics scraper, proven by the metrics token (a session is not enough).
    Scraper,
}
use Access::{Admin, Meta, Owner, Public, Scraper};

/// (method, path as the router names it, who, the form or query it is called with). `{instance}`,
/// `{automation}` and `{name}` are the first tenant's instance id, automation id and instance name.
const MATRIX: &[(&str, &str, Access, &str)] = &[
    // Plain routes.
    ("GET", "/healthz", Public, ""),
    ("GET", "/readyz", Public, ""),
    ("GET", "/metrics", Scraper, ""),
    ("GET", "/locale/{tag}", Public, ""),
    ("GET", "/api/instagram/callback", Owner, "code=abc&state=forged"),
    ("GET", "/ws", Owner, ""),
    ("GET", "/api/reports/export.csv", Owner, "instance={instance}"),
    ("GET", "/api/reports/{id}/post", Owner, ""),
    ("GET", "/webhook/instagram", Meta, "hub.mode=subscribe&hub.challenge=1&hub.verify_token=guess"),
    ("POST", "/webhook/instagram", Meta, ""),
    ("GET", "/webhook/instagram/{instance_name}", Meta, "hub.mode=subscribe&hub.challenge=1&hub.verify_token=guess"),
    ("POST", "/webhook/instagram/{instance_name}", Meta, ""),
    ("GET", "/api/v1/openapi.json", Public, ""),
    ("GET", "/api/v1/docs", Public, ""),
    // The REST API (a browser's session is not enough: it takes a key; see `api_v1`).
    ("GET", "/api/v1/instances", Owner, ""),
    ("GET", "/api/v1/instances/{instance_id}", Owner, ""),
    ("GET", "/api/v1/instances/{instance_id}/stats", Owner, ""),
    ("GET", "/api/v1/instances/{instance_id}/automations", Owner, ""),
    ("POST", "/api/v1/instances/{instance_id}/automations", Owner, ""),
    ("GET", "/api/v1/automations/{automation_id}", Owner, ""),
    ("PUT", "/api/v1/automations/{automation_id}", Owner, ""),
    ("DELETE", "/api/v1/automations/{automation_id}", Owner, ""),
    ("GET", "/api/v1/reports", Owner, "instance={instance}"),
    ("GET", "/api/v1/instances/{instance_id}/conversations", Owner, ""),
    ("GET", "/api/v1/instances/{instance_id}/conversations/{person_id}", Owner, ""),
    ("POST", "/api/v1/instances/{instance_id}/conversations/{person_id}/messages", Owner, ""),
    // Server functions.
    ("GET", "/api/me", Public, ""),
    ("POST", "/api/sign_in", Public, "email=ana%40loja.com&password=errada"),
    ("POST", "/api/sign_up", Public, "email=ana%40loja.com&name=Outra&password=senha-forte-2"),
    ("POST", "/api/sign_out", Public, ""),
    ("POST", "/api/confirm_email", Public, "token=not-a-token"),
    ("GET", "/api/demo", Public, ""),
    ("GET", "/api/instances", Owner, ""),
    ("GET", "/api/instances/webhook", Owner, ""),
    ("POST", "/api/instances/create", Owner, "name=Outra"),
    ("POST", "/api/instances/reconnect", Owner, "id={instance}"),
    ("POST", "/api/instances/disconnect", Owner, "id={instance}"),
    ("POST", "/api/instances/rename", Owner, "id={instance}&name=Roubada"),
    ("POST", "/api/instances/daily_cap", Owner, "id={instance}&daily_reply_cap=1"),
    ("POST", "/api/instances/pause", Owner, "id={instance}&paused=true"),
    ("POST", "/api/instances/delete", Owner, "id={instance}"),
    ("GET", "/api/automations/overview", Owner, "instance_id={instance}"),
    ("GET", "/api/automations/media", Owner, "instance_id={instance}"),
    (
        "POST",
        "/api/automations/save",
        Owner,
        "instance_id={instance}&id={automation}&input[name]=Roubada&input[kind]=dm&input[trigger]=all\
         &input[keywords]=&input[direct_reply]=oi&input[per_person]=once",
    ),
    ("POST", "/api/automations/active", Owner, "id={automation}&active=false"),
    ("POST", "/api/automations/delete", Owner, "id={automation}"),
    ("POST", "/api/automations/move", Owner, "id={automation}&direction=down"),
    ("POST", "/api/automations/ice_breakers", Owner, "instance_id={instance}"),
    ("POST", "/api/automations/try", Owner, "instance_id={instance}&kind=dm&text=pre%C3%A7o&username=a&media_id="),
    ("GET", "/api/reports", Owner, "query=instance%3D{instance}"),
    ("GET", "/api/reports/choices", Owner, "query=instance%3D{instance}"),
    ("GET", "/api/notifications", Owner, ""),
    ("GET", "/api/api_keys", Owner, ""),
    ("GET", "/api/comments/posts", Owner, "instance={instance}"),
    ("GET", "/api/comments/threads", Owner, "instance={instance}&media=17895695668004550"),
    ("POST", "/api/comments/reply", Owner, "instance_id={instance}&comment_id=17870000000000001&way=public&text=spam"),
    ("POST", "/api/comments/hide", Owner, "instance_id={instance}&comment_id=17870000000000001&hidden=true"),
    ("GET", "/api/leads", Owner, "instance={instance}"),
    ("POST", "/api/leads/webhook", Owner, "instance_id={instance}&url=https%3A%2F%2Fevil.example%2Fx"),
    ("POST", "/api/leads/webhook/remove", Owner, "instance_id={instance}"),
    ("POST", "/api/leads/replay", Owner, "id=0192f0c0-0000-7000-8000-000000000001"),
    ("POST", "/api/api_keys/create", Owner, "name=Roubada"),
    ("GET", "/api/api_keys/handed_over", Owner, ""),
    ("POST", "/api/api_keys/revoke", Owner, "id=0192f0c0-0000-7000-8000-000000000001"),
    ("GET", "/api/inbox", Owner, "instance={instance}"),
    ("GET", "/api/inbox/thread", Owner, "instance={instance}&person=1254477777772919"),
    ("POST", "/api/inbox/reply", Owner, "instance_id={instance}&person_id=1254477777772919&text=oi"),
    ("POST", "/api/inbox/resume", Owner, "instance_id={instance}&person_id=1254477777772919"),
    ("GET", "/api/insights", Owner, "instance={instance}"),
    ("POST", "/api/insights/refresh", Owner, "id={instance}"),
    ("GET", "/api/notifications/unread", Owner, ""),
    ("POST", "/api/notifications/read", Owner, ""),
    ("POST", "/api/notifications/prefs", Owner, "first_connection=on"),
    ("POST", "/api/reports/retry", Owner, "id=0192f0c0-0000-7000-8000-000000000001"),
    ("GET", "/api/admin/users", Admin, ""),
    ("GET", "/api/admin/health", Admin, ""),
    ("GET", "/api/admin/instances", Admin, "search="),
    ("POST", "/api/admin/instances/disconnect", Admin, "id={instance}"),
    ("POST", "/api/admin/instances/refresh", Admin, "id={instance}"),
    ("POST", "/api/admin/instances/delete", Admin, "id={instance}"),
    ("GET", "/api/admin/audit", Admin, ""),
    ("GET", "/api/admin/dead_letters", Admin, ""),
    ("POST", "/api/admin/dead_letters/run_again", Admin, "id=01a23197-b23b-7548-be43-2ea5981d8b93"),
    // Pages.
    ("GET", "/", Public, ""),
    ("GET", "/sign-in", Public, ""),
    ("GET", "/sign-up", Public, ""),
    ("GET", "/confirm-email", Public, ""),
    ("GET", "/help", Public, ""),
    ("GET", "/instances", Owner, ""),
    ("GET", "/automations", Owner, "instance={instance}"),
    ("GET", "/reports", Owner, "instance={instance}"),
    ("GET", "/admin", Admin, ""),
    ("GET", "/notifications", Owner, ""),
    ("GET", "/inbox", Owner, "instance={instance}"),
    ("GET", "/insights", Owner, "instance={instance}"),
    ("GET", "/api-keys", Owner, ""),
    ("GET", "/leads", Owner, "instance={instance}"),
    ("GET", "/comments", Owner, "instance={instance}"),
];

/// Every route the app serves, as (method, path).
fn served() -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    for (path, _) in server::router::plain_routes(1024) {
        let methods: &[&str] = if path.starts_with("/webhook/") { &["GET", "POST"] } else { &["GET"] };
        for method in methods {
            routes.insert(((*method).to_owned(), path.to_owned()));
        }
    }
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        routes.insert((method.to_string(), path.to_owned()));
    }
    // The REST API, as its document describes it (the document is made from its routes).
    let doc = server::api_v1::docs::document();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in item.as_object().into_iter().flatten().map(|(m, _)| m.to_uppercase()) {
            routes.insert((method, path.clone()));
        }
    }
    for route in server::router::page_routes() {
        routes.insert(("GET".to_owned(), route.path().to_owned()));
    }
    routes
}

#[tokio::test]
async fn every_route_has_an_entry_in_the_matrix_and_every_entry_a_route() {
    let listed: BTreeSet<(String, String)> =
        MATRIX.iter().map(|(method, path, _, _)| ((*method).to_owned(), (*path).to_owned())).collect();
    let served = served();
    let missing: Vec<_> = served.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&served).collect();
    assert!(missing.is_empty(), "routes without an entry in the access matrix: {missing:?}");
    assert!(stale.is_empty(), "entries for routes that are not served: {stale:?}");
}

struct Tenant {
    instance: String,
    report: String,
    automation: String,
    name: String,
}

fn fill(template: &str, of: &Tenant) -> String {
    template.replace("{instance}", &of.instance).replace("{automation}", &of.automation).replace("{name}", &of.name)
}

fn concrete(path: &str, of: &Tenant) -> String {
    path.replace("{tag}", "en")
        .replace("{instance_name}", &of.name)
        .replace("{id}", &of.report)
        .replace("{instance_id}", &of.instance)
        .replace("{automation_id}", &of.automation)
        .replace("{person_id}", "1254477777772919")
}

async fn call(client: &TestApp, method: &str, path: &str, params: &str) -> Response {
    let json = path.starts_with("/api/") && path != "/api/instagram/callback" && !path.ends_with(".csv");
    let mut request = if method == "GET" {
        let url = if params.is_empty() { client.url(path) } else { client.url(&format!("{path}?{params}")) };
        client.client.get(url)
    } else {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        client
            .client
            .request(method, client.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(params.to_owned())
    };
    if json {
        request = request.header("accept", "application/json");
    }
    if path == "/ws" {
        request = request
            .header("connection", "upgrade")
            .header("upgrade", "websocket")
            .header("sec-websocket-version", "13")
            .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==");
    }
    request.send().await.expect("request")
}

/// A refusal to someone not signed in: 401 from the API, the sign-in page for pages.
fn refused_anonymous(response: &Response) -> bool {
    let to_sign_in =
        response.headers().get("location").and_then(|v| v.to_str().ok()).is_some_and(|l| l.starts_with("/sign-in"));
    response.status() == 401 || (response.status().is_redirection() && to_sign_in)
}

#[tokio::test]
async fn every_route_refuses_whoever_it_is_not_for() {
    let Shop { app, meta: _meta, instance_id } = shop_with(|vars| {
        vars.insert("METRICS_TOKEN".into(), "metrics-token-of-the-operators".into());
    })
    .await;
    let rename = app.post_form("/api/instances/rename", &[("id", &instance_id), ("name", "Loja da Ana")]).await;
    assert!(rename.status().as_u16() < 400);
    let shop = Shop { app, meta: _meta, instance_id };
    shop.automation(AutomationKind::Dm, &["preço"], SECRET_REPLY, ResponseType::Direct).await;
    let Shop { app, meta: _meta, instance_id } = shop;
    let automation: String = sqlx::query_scalar("SELECT id::text FROM instagram_automations")
        .fetch_one(&app.state.pg)
        .await
        .expect("automation");
    let name = app.instances().await[0]["instance_name"].as_str().expect("instance_name").to_owned();
    // A comment of hers on a post: its report opens the post on Instagram, for her only.
    let report: String = sqlx::query_scalar(
        "INSERT INTO instagram_reports (id, instance_id, user_id, interaction_type, comment_id, media_id,
             user_id_instagram, status, error, \"timestamp\", event_id)
         SELECT gen_random_uuid(), instance_id, user_id, 'comment', '17870000000000001', '17918195224117851',
             '1254477777772919', 'skipped', 'no_match', now(), '17870000000000001'
         FROM instagram_automations RETURNING id::text",
    )
    .fetch_one(&app.state.pg)
    .await
    .expect("a report");
    let ana = Tenant { instance: instance_id.clone(), report, automation: automation.clone(), name };

    let anonymous = app.another_browser();
    let bia = app.another_browser();
    assert_eq!(bia.sign_up("bia@loja.com", "senha-forte-1").await.status(), 302);
    let mut failures = Vec::new();
    for (method, path, access, params) in MATRIX {
        let (path, params) = (concrete(path, &ana), fill(params, &ana));
        match access {
            Public => {
                let response = call(&anonymous, method, &path, &params).await;
                if response.status().is_server_error() {
                    failures.push(format!("{method} {path}: {} for anyone", response.status()));
                }
            }
            Scraper => {
                for (who, client) in [("anyone", &anonymous), ("a signed-in user", &bia)] {
                    let response = call(client, method, &path, &params).await;
                    if response.status() != 401 {
                        failures.push(format!("{method} {path}: {} for {who}", response.status()));
                    }
                }
            }
            Meta => {
                let response = call(&anonymous, method, &path, &params).await;
                if !matches!(response.status().as_u16(), 401 | 403) {
                    failures.push(format!("{method} {path}: {} without Meta's signature", response.status()));
                }
            }
            Owner | Admin => {
                let response = call(&anonymous, method, &path, &params).await;
                if !refused_anonymous(&response) {
                    failures.push(format!("{method} {path}: {} for anonymous", response.status()));
                }
                let response = call(&bia, method, &path, &params).await;
                let status = response.status();
                let body = response.text().await.unwrap_or_default();
                // Her ids may come back where she typed them (a link keeps its filter); what
                // only the first tenant's data holds must not.
                let leaks = ["Loja da Ana", SECRET_REPLY, "loja.exemplo"].iter().any(|mark| body.contains(mark));
                let refused = matches!(status.as_u16(), 401 | 403 | 404 | 422) || status.is_redirection();
                // Her own socket opens (what it carries is tested in `live`); the admin page
                // says she has no access.
                let ok = match access {
                    Admin if path == "/admin" => status == 403 || body.contains("Você não tem acesso a esta página"),
                    Admin => status == 403,
                    _ => refused || status.as_u16() == 101 || (status.is_success() && !leaks),
                };
                if !ok || leaks {
                    failures.push(format!("{method} {path}: {status} for another tenant (leaks: {leaks})"));
                }
            }
        }
    }
    // Bad input is the caller's mistake, never a 500: every server function called without its
    // arguments, or with an argument that does not parse.
    for (method, path, _, _) in MATRIX.iter().filter(|(_, path, _, _)| path.starts_with("/api/") && !path.contains('.'))
    {
        for params in ["", "id=%FF%FE&name=%C3"] {
            let response = call(&bia, method, path, params).await;
            if response.status().is_server_error() {
                failures
                    .push(format!("{method} {path}?{params}: {} for arguments that do not parse", response.status()));
            }
        }
    }
    assert!(failures.is_empty(), "refusals missing:\n{}", failures.join("\n"));

    // And nothing of the first tenant's changed.
    let cards = app.instances().await;
    assert_eq!(
        (cards.len(), cards[0]["name"].as_str(), cards[0]["status"].as_str()),
        (1, Some("Loja da Ana"), Some("connected"))
    );
    let active: Vec<bool> = sqlx::query_scalar("SELECT is_active FROM instagram_automations")
        .fetch_all(&app.state.pg)
        .await
        .expect("rules");
    assert_eq!(active, vec![true], "the automation is there, unchanged");
}
