//! Bad input is answered with its field and the right status, never a panic or a 500, and
//! changes nothing: NUL and other control characters in any text, dates no calendar has.
use crate::engine::{shop_with, Shop};
use serde_json::{json, Value};

async fn json_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn refused(field: &str, code: &str) -> Value {
    json!({ "Invalid": [{ "field": field, "code": code }] })
}

#[tokio::test]
async fn nul_bytes_in_any_text_are_refused_by_field_and_change_nothing() {
    let Shop { app, meta: _meta, instance_id } = shop_with(|_| {}).await;
    let post = |path: &'static str, form: Vec<(&'static str, String)>| {
        let request = app.client.post(app.url(path)).header("accept", "application/json").form(&form);
        async move { json_of(request.send().await.expect("post")).await }
    };
    let rename = post("/api/instances/rename", vec![("id", instance_id.clone()), ("name", "Loja\0Nova".into())]).await;
    assert_eq!(rename, (422, refused("name", "control_characters")));
    assert_eq!(app.instances().await[0]["name"], "Loja", "a refused rename changes nothing");

    let save = post(
        "/api/automations/save",
        vec![
            ("instance_id", instance_id.clone()),
            ("input[name]", "Preço".into()),
            ("input[kind]", "dm".into()),
            ("input[trigger]", "keyword".into()),
            ("input[keywords]", "preço\u{1}".into()),
            ("input[direct_reply]", "Oi".into()),
        ],
    )
    .await;
    assert_eq!(save, (422, refused("keywords", "control_characters")));
    let rules: i64 =
        sqlx::query_scalar("SELECT count(*) FROM instagram_automations").fetch_one(&app.state.pg).await.expect("count");
    assert_eq!(rules, 0);

    let sign_up = app
        .another_browser()
        .client
        .post(app.url("/api/sign_up"))
        .header("accept", "application/json")
        .form(&[("email", "nova@loja.com"), ("name", "Nova\0"), ("password", "senha-forte-1")])
        .send()
        .await
        .expect("sign up");
    assert_eq!(json_of(sign_up).await, (422, refused("name", "control_characters")));

    let reports =
        app.client.get(app.url("/api/reports?query=username%3Dana%2500")).header("accept", "application/json");
    assert_eq!(json_of(reports.send().await.expect("reports")).await.0, 422, "a NUL inside the filter too");
    let csv = app.get("/api/reports/export.csv?username=ana%00").await;
    assert_eq!(csv.status(), 422);
    // Line breaks and tabs are text.
    let multiline =
        post("/api/instances/rename", vec![("id", instance_id.clone()), ("name", "Loja\tCentro".into())]).await;
    assert_ne!(multiline.0, 500);
}

#[tokio::test]
async fn a_date_beyond_the_calendar_is_a_field_error_on_the_api_the_csv_and_the_page() {
    let Shop { app, .. } = shop_with(|_| {}).await;
    let far = "period=custom&to=%2B262143-12-31";
    let api = app
        .client
        .get(app.url("/api/reports"))
        .query(&[("query", "period=custom&to=+262143-12-31")])
        .header("accept", "application/json")
        .send()
        .await
        .expect("reports");
    assert_eq!(json_of(api).await, (422, refused("to", "invalid_date")));

    let csv = app.get(&format!("/api/reports/export.csv?{far}")).await;
    assert_eq!(csv.status(), 422, "never a 200 that looks like an empty file");
    assert_eq!(csv.json::<Value>().await.expect("json"), refused("to", "invalid_date"));

    let page = app.get(&format!("/reports?{far}")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("Use uma data real entre 01/01/2000 e 31/12/2100."), "the page says what is wrong");

    let reversed = app.get("/api/reports/export.csv?period=custom&from=2026-11-02&to=2026-11-01").await;
    assert_eq!(reversed.json::<Value>().await.expect("json"), refused("to", "date_order"));
}
