//! The public API: keys made in the UI (shown once, stored hashed, revocable, rate limited), every
//! `/api/v1` operation doing what it says for the key's owner and refusing another user's ids,
//! and the OpenAPI document agreeing with what the routes answer.
use crate::{
    engine::{shop_with, Shop},
    helpers::{cookie_value, set_cookie, spawn_app_with, TestApp},
};
use app::domain::automation::{AutomationKind, ResponseType};
use reqwest::{Method, Response};
use serde_json::{json, Value};

const FIEL: &str = "1254477777772919"; // @cliente.fiel

/// Makes an API key on the caller's API page; returns the secret.
async fn make_key(app: &TestApp, name: &str) -> String {
    let response = app.post_form_json("/api/api_keys/create", &[("name", name)]).await;
    assert_eq!(response.status(), 200);
    let created: Value = response.json().await.expect("json");
    let secret = created["secret"].as_str().expect("secret").to_owned();
    assert!(secret.starts_with(created["key"]["prefix"].as_str().expect("prefix")), "{created}");
    secret
}

async fn call(app: &TestApp, key: Option<&str>, method: Method, path: &str, body: Option<&Value>) -> Response {
    // A client without cookies: what a script holds.
    let mut request = reqwest::Client::new().request(method, app.url(path));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    request.send().await.expect("request")
}

async fn json_of(response: Response, status: u16) -> Value {
    let got = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "{body}");
    body
}

fn dm_automation(name: &str, keyword: &str, reply: &str) -> Value {
    json!({ "name": name, "kind": "dm", "trigger": "keyword", "keywords": keyword, "direct_reply": reply })
}

#[tokio::test]
async fn a_key_is_shown_once_stored_hashed_reaches_its_owner_and_stops_when_revoked() {
    let app = spawn_app_with(|_| {}).await;
    assert_eq!(app.sign_up("ana@loja.com", "senha-forte-1").await.status(), 302);
    let key = make_key(&app, "CRM").await;

    let listed: Value = app.get("/api/api_keys").await.json().await.expect("json");
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert_eq!(listed[0]["name"], "CRM");
    assert!(!listed.to_string().contains(&key), "the list never shows the key again");
    let stored: Vec<(String, Vec<u8>)> =
        sqlx::query_as("SELECT prefix, key_hash FROM api_keys").fetch_all(&app.state.pg).await.expect("keys");
    assert_eq!(stored.len(), 1);
    assert!(key.starts_with(&stored[0].0) && stored[0].1.len() == 32, "a prefix and a SHA-256, not the key");
    let dump: String = sqlx::query_scalar("SELECT string_agg(t::text, ' ') FROM api_keys t")
        .fetch_one(&app.state.pg)
        .await
        .expect("dump");
    assert!(!dump.contains(&key[key.len() - 20..]), "no part of the secret is stored");

    let ok = call(&app, Some(&key), Method::GET, "/api/v1/instances", None).await;
    assert_eq!(json_of(ok, 200).await, json!([]));
    let used: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT last_used_at FROM api_keys").fetch_one(&app.state.pg).await.expect("used");
    assert!(used.is_some(), "the list says when a key was last used");

    // No key, a wrong one, or only the browser's session cookie: 401 in the API's error shape.
    for (case, response) in [
        ("no key", call(&app, None, Method::GET, "/api/v1/instances", None).await),
        ("unknown key", call(&app, Some("ick_AAAAAAAA_nope"), Method::GET, "/api/v1/instances", None).await),
        ("cookie only", app.client.get(app.url("/api/v1/instances")).send().await.expect("cookie")),
    ] {
        let body = json_of(response, 401).await;
        assert_eq!(body["error"]["code"], "unauthorized", "{case}");
    }

    let id = listed[0]["id"].as_str().expect("id");
    let bia = app.another_browser();
    assert_eq!(bia.sign_up("bia@loja.com", "senha-forte-1").await.status(), 302);
    let foreign = bia.post_form_json("/api/api_keys/revoke", &[("id", id)]).await;
    assert_eq!(foreign.status(), 404, "another user cannot revoke it");
    assert_eq!(call(&app, Some(&key), Method::GET, "/api/v1/instances", None).await.status(), 200);
    assert_eq!(app.post_form_json("/api/api_keys/revoke", &[("id", id)]).await.status(), 200);
    assert_eq!(call(&app, Some(&key), Method::GET, "/api/v1/instances", None).await.status(), 401);
    let listed: Value = app.get("/api/api_keys").await.json().await.expect("json");
    assert_eq!(listed, json!([]));
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log ORDER BY id").fetch_all(&app.state.pg).await.expect("audit");
    assert_eq!(actions, ["api_key.created", "api_key.revoked"]);

    // Control characters anywhere (path, query, JSON body) are refused in the API's own shape.
    let key = make_key(&app, "CRM 2").await;
    for (method, path, body) in [
        (Method::GET, "/api/v1/reports?automation=%1F", None),
        (Method::GET, "/api/v1/instances/%00", None),
        (Method::POST, "/api/v1/instances/x/automations", Some(json!({ "name": "Oi\u{0}", "kind": "dm" }))),
    ] {
        let refused = json_of(call(&app, Some(&key), method, path, body.as_ref()).await, 422).await;
        assert_eq!(refused["error"]["code"], "invalid", "{path}");
        assert_eq!(refused["error"]["fields"][0]["code"], "control_characters", "{path}: {refused}");
    }
    let empty = app.post_form_json("/api/api_keys/create", &[("name", "  ")]).await;
    assert_eq!(empty.status(), 422, "a key needs a name");
}

/// A form without JavaScript is answered with a redirect, so the secret reaches the page once, in
/// a cookie sealed for its owner that only `/api-keys` receives and that the page clears.
/// The first whole API key secret in `text`: `ick_`, 8 characters, `_`, 32 characters.
fn secret_in(text: &str) -> Option<String> {
    let key_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    text.match_indices("ick_").find_map(|(at, _)| {
        let word: String = text[at..].chars().take_while(|c| key_char(*c)).collect();
        let starts_word = !text[..at].chars().next_back().is_some_and(key_char);
        (starts_word && word.len() == 4 + 8 + 1 + 32 && word.as_bytes()[12] == b'_').then_some(word)
    })
}

#[tokio::test]
async fn a_key_made_without_javascript_is_shown_once_on_the_page_it_returns_to() {
    let app = spawn_app_with(|_| {}).await;
    assert_eq!(app.sign_up("ana@loja.com", "senha-forte-1").await.status(), 302);
    let form = |referer: String, name: &'static str| {
        let request = app.client.post(app.url("/api/api_keys/create")).header("referer", referer);
        async move { request.form(&[("name", name)]).send().await.expect("form") }
    };
    // A refusal comes back to the page with its error; the next try, sent from that page, comes
    // back without it, so the page shows the new secret and not the earlier refusal.
    let refused = form(app.url("/api-keys"), "  ").await;
    assert_eq!(refused.status(), 303);
    let with_error = refused.headers()["location"].to_str().expect("location").to_owned();
    assert!(with_error.starts_with("/api-keys?error="), "{with_error}");
    assert!(set_cookie(&refused, "ic_new_api_key").is_none());
    let made = form(app.url(&with_error), "Planilha").await;
    assert_eq!(made.status(), 303);
    assert_eq!(made.headers()["location"], "/api-keys", "back to the page, the earlier error gone");
    let handed = set_cookie(&made, "ic_new_api_key").expect("the secret's cookie").to_owned();
    for part in ["Path=/api-keys", "HttpOnly", "SameSite=Strict", "Max-Age=300"] {
        assert!(handed.contains(part), "{handed}");
    }
    let sealed = cookie_value(&handed).to_owned();
    assert!(secret_in(&sealed).is_none(), "the cookie carries the secret sealed: {handed}");

    // Another person presenting the cookie sees nothing: it is sealed for Ana.
    let bia = app.another_browser();
    assert_eq!(bia.sign_up("bia@loja.com", "senha-forte-1").await.status(), 302);
    let signed_in = bia.sign_in("bia@loja.com", "senha-forte-1").await;
    let session = cookie_value(set_cookie(&signed_in, "ic_session").expect("session")).to_owned();
    let cookies = format!("ic_session={session}; ic_new_api_key={sealed}");
    let stolen = reqwest::Client::new().get(app.url("/api-keys")).header("cookie", cookies).send();
    let stolen = stolen.await.expect("page");
    assert_eq!(stolen.status(), 200);
    let stolen = stolen.text().await.expect("html");
    assert!(stolen.contains("Nenhuma chave ainda.") && secret_in(&stolen).is_none(), "Bia's page: {stolen}");

    let page = app.get("/api-keys").await;
    assert_eq!(page.status(), 200);
    let cleared = set_cookie(&page, "ic_new_api_key").expect("the page clears the cookie").to_owned();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let html = page.text().await.expect("html");
    let secret = secret_in(&html).expect("the page shows the new secret");
    assert_eq!(call(&app, Some(&secret), Method::GET, "/api/v1/instances", None).await.status(), 200);

    let again = app.get("/api-keys").await.text().await.expect("html");
    assert!(!again.contains(&secret), "shown once");
    let listed: Value = app.get("/api/api_keys").await.json().await.expect("json");
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "one key made");

    // With JavaScript the answer carries the secret and no cookie is set.
    let scripted = app.post_form_json("/api/api_keys/create", &[("name", "Script")]).await;
    assert_eq!(scripted.status(), 200);
    assert!(set_cookie(&scripted, "ic_new_api_key").is_none());
}

#[tokio::test]
async fn each_key_has_its_own_quota_and_hears_429_with_retry_after() {
    let app = spawn_app_with(|vars| {
        vars.insert("API_CALLS_PER_KEY_PER_MINUTE".into(), "3".into());
    })
    .await;
    assert_eq!(app.sign_up("ana@loja.com", "senha-forte-1").await.status(), 302);
    let (first, second) = (make_key(&app, "CRM").await, make_key(&app, "Zapier").await);
    for _ in 0..3 {
        assert_eq!(call(&app, Some(&first), Method::GET, "/api/v1/instances", None).await.status(), 200);
    }
    let limited = call(&app, Some(&first), Method::GET, "/api/v1/instances", None).await;
    let wait: u64 = limited.headers()["retry-after"].to_str().expect("ascii").parse().expect("seconds");
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(json_of(limited, 429).await["error"]["code"], "rate_limited");
    assert_eq!(call(&app, Some(&second), Method::GET, "/api/v1/instances", None).await.status(), 200, "another key");
}

/// Ana's shop: a connected instance, an automation, a follower's conversation with its report,
/// and an API key.
async fn ana() -> (Shop, String, String) {
    let shop = shop_with(|_| {}).await;
    shop.automation(AutomationKind::Dm, &["preço"], "Custa R$ 10, viu?", ResponseType::Direct).await;
    shop.meta.dm("cliente.fiel", "loja.exemplo", "qual o preço?").await;
    shop.meta.settle(&shop.app).await;
    let key = make_key(&shop.app, "CRM").await;
    let automation: String = sqlx::query_scalar("SELECT id::text FROM instagram_automations")
        .fetch_one(&shop.app.state.pg)
        .await
        .expect("automation");
    (shop, key, automation)
}

#[tokio::test]
async fn the_api_lists_creates_changes_and_deletes_and_sends_a_dm_under_metas_rules() {
    let (shop, key, automation) = ana().await;
    let (app, id) = (&shop.app, shop.instance_id.as_str());
    let secret = key.clone();
    let key = Some(key.as_str());

    let instances = json_of(call(app, key, Method::GET, "/api/v1/instances", None).await, 200).await;
    assert_eq!((instances[0]["id"].as_str(), instances[0]["status"].as_str()), (Some(id), Some("connected")));
    let stats = json_of(call(app, key, Method::GET, &format!("/api/v1/instances/{id}/stats"), None).await, 200).await;
    assert_eq!(stats["interactions_total"], 1, "{stats}");
    assert_eq!(stats["interactions_today"], 1);
    assert_eq!(stats["replies_today"], 1);
    assert_eq!(stats["webhooks_received"], 1, "the DM; the reply's echo is the account's own");
    let cap = stats["daily_reply_cap"].as_i64().expect("cap");
    assert_eq!(stats["replies_remaining"], cap - 1);

    // Automations, with the editor's validation.
    let path = format!("/api/v1/instances/{id}/automations");
    let refused = json_of(call(app, key, Method::POST, &path, Some(&json!({ "kind": "dm" }))).await, 422).await;
    assert_eq!(refused["error"]["code"], "invalid");
    let fields: Vec<&str> =
        refused["error"]["fields"].as_array().expect("fields").iter().filter_map(|f| f["field"].as_str()).collect();
    assert!(fields.contains(&"name") && fields.contains(&"trigger"), "{refused}");
    let not_json = reqwest::Client::new()
        .post(app.url(&path))
        .bearer_auth(&secret)
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .await
        .expect("post");
    assert_eq!(json_of(not_json, 422).await["error"]["fields"][0]["code"], "invalid_json");
    let created =
        call(app, key, Method::POST, &path, Some(&dm_automation("Entrega", "entrega", "Entregamos em 2 dias"))).await;
    let created = json_of(created, 201).await;
    let new_id = created["automation"]["id"].as_str().expect("id").to_owned();
    assert_eq!(created["automation"]["keywords"], json!(["entrega"]));
    let listed = json_of(call(app, key, Method::GET, &path, None).await, 200).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(2));
    let changed = dm_automation("Entrega", "entrega, frete", "Entregamos em 1 dia");
    let one = format!("/api/v1/automations/{new_id}");
    let updated = json_of(call(app, key, Method::PUT, &one, Some(&changed)).await, 200).await;
    assert_eq!(updated["automation"]["direct_reply"], "Entregamos em 1 dia");
    let got = json_of(call(app, key, Method::GET, &one, None).await, 200).await;
    assert_eq!(got["keywords"], json!(["entrega", "frete"]));
    assert_eq!(call(app, key, Method::DELETE, &one, None).await.status(), 204);
    assert_eq!(json_of(call(app, key, Method::GET, &one, None).await, 404).await["error"]["code"], "not_found");
    assert_eq!(call(app, key, Method::GET, &format!("/api/v1/automations/{automation}"), None).await.status(), 200);

    // Reports, with the page's filters and a cursor.
    let reports =
        json_of(call(app, key, Method::GET, &format!("/api/v1/reports?instance={id}&type=dm"), None).await, 200).await;
    assert_eq!(reports["rows"][0]["reply"], "Custa R$ 10, viu?", "{reports}");
    assert_eq!(reports["next_cursor"], Value::Null);
    let comments = json_of(call(app, key, Method::GET, "/api/v1/reports?type=comment", None).await, 200).await;
    assert_eq!(comments["rows"], json!([]));
    let bad =
        json_of(call(app, key, Method::GET, "/api/v1/reports?from=2026-02-31&period=custom", None).await, 422).await;
    assert_eq!(bad["error"]["fields"][0]["field"], "from");

    // Conversations, read without marking them read, and a DM with a link button.
    let conversations = format!("/api/v1/instances/{id}/conversations");
    let list = json_of(call(app, key, Method::GET, &conversations, None).await, 200).await;
    assert_eq!((list[0]["person_id"].as_str(), list[0]["unread"].as_i64()), (Some(FIEL), Some(1)));
    let thread = json_of(call(app, key, Method::GET, &format!("{conversations}/{FIEL}"), None).await, 200).await;
    assert_eq!(thread["messages"].as_array().map(Vec::len), Some(2), "{thread}");
    let list = json_of(call(app, key, Method::GET, &conversations, None).await, 200).await;
    assert_eq!(list[0]["unread"], 1, "a script reading does not mark it read");
    let send = format!("{conversations}/{FIEL}/messages");
    let four = json!({ "text": "Veja", "buttons": (0..4).map(|i| json!({ "title": format!("B{i}"), "action": "link", "url": "https://loja.com" })).collect::<Vec<_>>() });
    let refused = json_of(call(app, key, Method::POST, &send, Some(&four)).await, 422).await;
    assert_eq!(refused["error"]["fields"][0]["code"], "too_many_buttons");
    let message = json!({ "text": "Nosso catálogo:", "buttons": [{ "title": "Abrir", "action": "link", "url": "https://loja.com/catalogo" }] });
    assert_eq!(json_of(call(app, key, Method::POST, &send, Some(&message)).await, 202).await["queued"], 1);
    shop.meta.settle(app).await;
    let sent = shop.meta.succeeded("POST", "/messages").await;
    let template =
        sent.iter().find(|c| c.to_string().contains("loja.com/catalogo")).expect("the button template went to Meta");
    assert!(template.to_string().contains("web_url"), "{template}");
    let statuses: Vec<String> = sqlx::query_scalar("SELECT status FROM instagram_reports WHERE automation_id IS NULL")
        .fetch_all(&app.state.pg)
        .await
        .expect("reports");
    assert_eq!(statuses, ["sent"], "sent once, through the outbox, with a report");
}

/// Every documented operation, concretely: (method, path with Ana's ids, body).
fn operations(doc: &Value, instance: &str, automation: &str) -> Vec<(String, String, String, Value)> {
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("item") {
            let concrete = path
                .replace("{instance_id}", instance)
                .replace("{automation_id}", automation)
                .replace("{person_id}", FIEL);
            let body = match (method.as_str(), path.as_str()) {
                ("post", p) if p.ends_with("/messages") => json!({ "text": "Oi, aqui é da loja" }),
                ("post" | "put", _) => dm_automation("Pelo API", "api", "Resposta pela API"),
                _ => Value::Null,
            };
            all.push((method.to_uppercase(), path.clone(), concrete, body));
            let _ = operation;
        }
    }
    // Deleting goes last, so the other operations find the automation.
    all.sort_by_key(|(method, ..)| method == "DELETE");
    all
}

#[tokio::test]
async fn every_operation_refuses_another_users_ids_and_an_admins_key_is_no_admin() {
    let (shop, ana_key, automation) = ana().await;
    let app = &shop.app;
    let doc: Value = reqwest::get(app.url("/api/v1/openapi.json")).await.expect("doc").json().await.expect("json");
    let bia = app.another_browser();
    bia.create_user("bia@loja.com", "senha-forte-1", true).await;
    assert_eq!(bia.sign_in("bia@loja.com", "senha-forte-1").await.status(), 302);
    let bia_key = make_key(&bia, "Admin script").await;
    let mut failures = Vec::new();
    for (method, path, concrete, body) in operations(&doc, &shop.instance_id, &automation) {
        let body = (!body.is_null()).then_some(&body);
        let response =
            call(app, Some(&bia_key), Method::from_bytes(method.as_bytes()).expect("method"), &concrete, body).await;
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        let leaks = ["Loja", "cliente.fiel", "Custa R$ 10"].iter().any(|mark| text.contains(mark));
        let documented = doc["paths"][&path][method.to_lowercase()]["responses"].get(status.to_string()).is_some();
        let fine = documented && (status == 404 || (status == 200 && !leaks));
        if !fine {
            failures.push(format!("{method} {path}: {status} {text}"));
        }
    }
    assert!(failures.is_empty(), "another user's ids reached:\n{}", failures.join("\n"));
    // Nothing of Ana's changed, and her own key still sees it all.
    let rules: i64 =
        sqlx::query_scalar("SELECT count(*) FROM instagram_automations").fetch_one(&app.state.pg).await.expect("n");
    assert_eq!(rules, 1);
    let manual: i64 = sqlx::query_scalar("SELECT count(*) FROM instagram_reports WHERE automation_id IS NULL")
        .fetch_one(&app.state.pg)
        .await
        .expect("n");
    assert_eq!(manual, 0, "no DM went out in her name");
    let path = format!("/api/v1/instances/{}", shop.instance_id);
    assert_eq!(call(app, Some(&ana_key), Method::GET, &path, None).await.status(), 200);
}

/// Resolves a `$ref` into the document's components.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/")) {
        Some(name) => &doc["components"]["schemas"][name],
        None => schema,
    }
}

/// What `body` lacks of `schema`'s required properties (objects, and each item of arrays).
fn missing(doc: &Value, schema: &Value, body: &Value) -> Vec<String> {
    let schema = resolve(doc, schema);
    if let (Some(items), Some(values)) = (schema.get("items"), body.as_array()) {
        return values.iter().flat_map(|v| missing(doc, items, v)).collect();
    }
    let required = schema["required"].as_array().cloned().unwrap_or_default();
    let mut absent: Vec<String> =
        required.iter().filter_map(Value::as_str).filter(|name| body.get(name).is_none()).map(str::to_owned).collect();
    if let (Some(properties), Some(object)) = (schema["properties"].as_object(), body.as_object()) {
        absent.extend(object.keys().filter(|k| !properties.contains_key(*k)).map(|k| format!("undocumented {k}")));
    }
    absent
}

#[tokio::test]
async fn the_openapi_document_agrees_with_what_every_route_answers() {
    let (shop, key, automation) = ana().await;
    let app = &shop.app;
    let doc: Value = reqwest::get(app.url("/api/v1/openapi.json")).await.expect("doc").json().await.expect("json");
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "{}", doc["openapi"]);
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    let mut failures = Vec::new();
    for (method, path, concrete, body) in operations(&doc, &shop.instance_id, &automation) {
        let operation = &doc["paths"][&path][method.to_lowercase()];
        let sent = (!body.is_null()).then_some(&body);
        let response = call(app, Some(&key), Method::from_bytes(method.as_bytes()).expect("m"), &concrete, sent).await;
        let status = response.status().as_u16().to_string();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        let Some(documented) = operation["responses"].get(&status) else {
            failures.push(format!("{method} {path}: answered {status}, which the document does not list"));
            continue;
        };
        if let Some(schema) = documented["content"]["application/json"].get("schema") {
            let absent = missing(&doc, schema, &body);
            if !absent.is_empty() {
                failures.push(format!("{method} {path}: {status} body differs from its schema: {absent:?}"));
            }
        }
        // Without a key, every operation says 401, as documented.
        let anonymous = call(app, None, Method::from_bytes(method.as_bytes()).expect("m"), &concrete, None).await;
        if anonymous.status() != 401 || operation["responses"].get("401").is_none() {
            failures.push(format!("{method} {path}: {} without a key", anonymous.status()));
        }
    }
    // A method the document does not give a path is not served either.
    let instances = call(app, Some(&key), Method::DELETE, "/api/v1/instances", None).await;
    if instances.status() != 405 {
        failures.push(format!("DELETE /api/v1/instances: {}", instances.status()));
    }
    assert!(failures.is_empty(), "the document and the routes disagree:\n{}", failures.join("\n"));

    let docs = app.client.get(app.url("/api/v1/docs")).send().await.expect("docs");
    assert_eq!(docs.status(), 200);
    let html = docs.text().await.expect("html");
    for path in doc["paths"].as_object().expect("paths").keys() {
        assert!(html.contains(path.as_str()), "the documentation page shows {path}");
    }
    assert!(!html.contains("<script") && !html.contains("https://"), "it needs no script and no CDN");
}
