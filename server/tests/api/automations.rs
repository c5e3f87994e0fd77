//! The automation editor's server functions: validation, ownership, the test box, media.
use crate::{
    engine::{shop_with, Shop},
    helpers::TestApp,
};
use serde_json::{json, Value};

pub(crate) async fn save(app: &TestApp, instance_id: &str, id: Option<&str>, fields: &[(&str, &str)]) -> (u16, Value) {
    let mut form: Vec<(String, String)> = vec![("instance_id".into(), instance_id.into())];
    if let Some(id) = id {
        form.push(("id".into(), id.into()));
    }
    form.extend(fields.iter().map(|(k, v)| (format!("input[{k}]"), (*v).to_owned())));
    let response = app
        .client
        .post(app.url("/api/automations/save"))
        .header("accept", "application/json")
        .form(&form)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

const PRICE: [(&str, &str); 5] = [
    ("name", "Preço"),
    ("kind", "dm"),
    ("trigger", "keyword"),
    ("keywords", "preço, valor"),
    ("direct_reply", "Oi {username}, custa R$ 50."),
];

/// The instance's automations, as the automations page loads them.
async fn list(app: &TestApp, instance_id: &str) -> (u16, Value) {
    let response = app
        .client
        .get(app.url("/api/automations/overview"))
        .query(&[("instance_id", instance_id)])
        .header("accept", "application/json")
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json::<Value>().await.map(|page| page["automations"].clone()).unwrap_or(Value::Null))
}

pub(crate) async fn post(app: &TestApp, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let response =
        app.client.post(app.url(path)).header("accept", "application/json").form(form).send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub(crate) fn codes(error: &Value) -> Vec<(String, String)> {
    error["Invalid"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|e| (e["field"].as_str().unwrap_or("").to_owned(), e["code"].as_str().unwrap_or("").to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

async fn shop() -> Shop {
    shop_with(|_| {}).await
}

#[tokio::test]
async fn the_server_checks_every_field_and_says_which() {
    let shop = shop().await;
    let (status, error) = save(
        &shop.app,
        &shop.instance_id,
        None,
        &[
            ("name", " "),
            ("kind", "dm"),
            ("trigger", "keyword"),
            ("keywords", ""),
            ("direct_reply", &"ã".repeat(501)),
            ("public_replies", "Obrigado!"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        codes(&error),
        [
            ("name", "required"),
            ("keywords", "required"),
            ("direct_reply", "too_long_bytes"),
            ("public_replies", "comment_only")
        ]
        .map(|(f, c)| (f.to_owned(), c.to_owned()))
    );
    let (_, listed) = list(&shop.app, &shop.instance_id).await;
    assert_eq!(listed, Value::Array(vec![]), "nothing was saved");
}

#[tokio::test]
async fn saving_listing_editing_toggling_and_deleting_with_a_warning_for_shared_keywords() {
    let shop = shop().await;
    let (status, saved) = save(&shop.app, &shop.instance_id, None, &PRICE).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["shared_keywords"], Value::Array(vec![]));
    let id = saved["id"].as_str().expect("id").to_owned();

    let mut again = PRICE;
    again[0] = ("name", "Valores");
    again[3] = ("keywords", "VALOR, frete");
    let (status, second) = save(&shop.app, &shop.instance_id, None, &again).await;
    assert_eq!(status, 200);
    assert_eq!(second["shared_keywords"], serde_json::json!(["VALOR"]), "warned, not refused");

    let mut edited = PRICE;
    edited[3] = ("keywords", "preço");
    assert_eq!(save(&shop.app, &shop.instance_id, Some(&id), &edited).await.0, 200);
    let (_, listed) = list(&shop.app, &shop.instance_id).await;
    assert_eq!(listed[0]["keywords"], serde_json::json!(["preço"]));
    assert_eq!(listed[0]["is_active"], true);
    assert_eq!((listed[0]["replies_today"].as_i64(), listed[0]["replies_total"].as_i64()), (Some(0), Some(0)));

    assert_eq!(post(&shop.app, "/api/automations/active", &[("id", &id), ("active", "false")]).await.0, 200);
    assert_eq!(list(&shop.app, &shop.instance_id).await.1[0]["is_active"], false);
    assert_eq!(post(&shop.app, "/api/automations/delete", &[("id", &id)]).await.0, 200);
    assert_eq!(list(&shop.app, &shop.instance_id).await.1.as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn another_user_can_neither_see_nor_change_an_automation() {
    let shop = shop().await;
    let (_, saved) = save(&shop.app, &shop.instance_id, None, &PRICE).await;
    let id = saved["id"].as_str().expect("id").to_owned();
    let eve = shop.app.another_browser();
    assert_eq!(eve.sign_up("eve@loja.com", "senha-forte-1").await.status(), 302);

    assert_eq!(list(&eve, &shop.instance_id).await.0, 404);
    assert_eq!(save(&eve, &shop.instance_id, None, &PRICE).await.0, 404);
    assert_eq!(save(&eve, &shop.instance_id, Some(&id), &PRICE).await.0, 404);
    assert_eq!(post(&eve, "/api/automations/active", &[("id", &id), ("active", "false")]).await.0, 404);
    assert_eq!(post(&eve, "/api/automations/delete", &[("id", &id)]).await.0, 404);
    let trial = [("instance_id", shop.instance_id.as_str()), ("kind", "dm"), ("text", "preço")];
    assert_eq!(post(&eve, "/api/automations/try", &trial).await.0, 404);
    assert_eq!(eve.get(&format!("/api/automations/media?instance_id={}", shop.instance_id)).await.status(), 404);

    let (_, mine) = list(&shop.app, &shop.instance_id).await;
    assert_eq!((mine[0]["name"].as_str(), mine[0]["is_active"].as_bool()), (Some("Preço"), Some(true)), "untouched");
}

#[tokio::test]
async fn the_test_box_uses_the_engines_matcher_and_sends_nothing() {
    let shop = shop().await;
    save(&shop.app, &shop.instance_id, None, &PRICE).await;
    let trial = |text: &'static str| {
        let form = [
            ("instance_id", shop.instance_id.clone()),
            ("kind", "dm".into()),
            ("text", text.into()),
            ("username", "@ana".into()),
        ];
        let request =
            shop.app.client.post(shop.app.url("/api/automations/try")).header("accept", "application/json").form(&form);
        async move { request.send().await.expect("request").json::<Value>().await.expect("json") }
    };
    let hit = trial("qual o PRECO?").await;
    assert_eq!(hit["automation"], "Preço");
    assert_eq!(hit["keyword"], "preco");
    assert_eq!(hit["direct_reply"], "Oi ana, custa R$ 50.");
    assert_eq!(hit["public_reply"], Value::Null, "a DM has no public reply");
    assert_eq!(trial("bom dia").await["automation"], Value::Null);
    assert!(shop.meta.calls("/messages").await.is_empty());
}

#[tokio::test]
async fn the_media_picker_lists_the_accounts_posts_and_a_limited_automation_fires_only_there() {
    let shop = shop().await;
    let media: Value = shop
        .app
        .client
        .get(shop.app.url(&format!("/api/automations/media?instance_id={}", shop.instance_id)))
        .header("accept", "application/json")
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    let ids: Vec<&str> = media.as_array().expect("list").iter().filter_map(|m| m["id"].as_str()).collect();
    assert_eq!(ids, ["17918195224117851", "17895695668004550", "17902231457700112"]);
    assert!(media[0]["thumbnail_url"].as_str().is_some_and(|u| u.ends_with("/_sandbox/media/17918195224117851.svg")));

    let (status, _) = save(
        &shop.app,
        &shop.instance_id,
        None,
        &[
            ("name", "Só no reel"),
            ("kind", "comment"),
            ("trigger", "all"),
            ("keywords", ""),
            ("public_replies", "Obrigado!"),
            // `input[media_ids][0]`, as the picker's first checkbox is named.
            ("media_ids][0", "17918195224117851"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    shop.meta.comment("cliente.fiel", "17918195224117851", "lindo").await;
    shop.meta.comment("cliente.fiel", "17895695668004550", "lindo também").await;
    shop.meta.settle(&shop.app).await;
    let replies = shop.meta.succeeded("POST", "/replies").await;
    assert_eq!(replies.len(), 1, "only the chosen reel's comment is answered");
}

/// What the test box answers for a sample.
async fn try_sample(shop: &Shop, kind: &str, text: &str, username: &str, media_id: &str) -> Value {
    let form = [
        ("instance_id", shop.instance_id.as_str()),
        ("kind", kind),
        ("text", text),
        ("username", username),
        ("media_id", media_id),
    ];
    let (status, outcome) = post(&shop.app, "/api/automations/try", &form).await;
    assert_eq!(status, 200, "{outcome}");
    outcome
}

fn names(listed: &Value) -> Vec<String> {
    listed.as_array().into_iter().flatten().filter_map(|a| a["name"].as_str().map(str::to_owned)).collect()
}

#[tokio::test]
async fn automations_are_tried_in_the_order_shown_and_the_user_reorders_them() {
    let shop = shop().await;
    let form = |name: &'static str, trigger: &'static str, keywords: &'static str, reply: &'static str| {
        [("name", name), ("kind", "dm"), ("trigger", trigger), ("keywords", keywords), ("direct_reply", reply)]
    };
    save(&shop.app, &shop.instance_id, None, &form("Boas-vindas", "all", "", "Oi! Já te respondo.")).await;
    save(&shop.app, &shop.instance_id, None, &form("Preço", "keyword", "preço", "Começa em R$ 50.")).await;
    let (_, third) =
        save(&shop.app, &shop.instance_id, None, &form("Promoção", "keyword", "preço, promoção", "Hoje 10% off!"))
            .await;
    let (_, listed) = list(&shop.app, &shop.instance_id).await;
    assert_eq!(names(&listed), ["Preço", "Promoção", "Boas-vindas"], "a keyword automation goes before the `all` one");
    assert_eq!(try_sample(&shop, "dm", "qual o preço?", "", "").await["automation"], "Preço");

    let third = third["id"].as_str().expect("id").to_owned();
    let (status, _) = post(&shop.app, "/api/automations/move", &[("id", &third), ("direction", "up")]).await;
    assert_eq!(status, 200);
    let (_, listed) = list(&shop.app, &shop.instance_id).await;
    assert_eq!(names(&listed), ["Promoção", "Preço", "Boas-vindas"]);
    assert_eq!(try_sample(&shop, "dm", "qual o preço?", "", "").await["automation"], "Promoção");
    // The engine follows the same order.
    shop.meta.dm("cliente.fiel", "loja.exemplo", "qual o preço?").await;
    shop.meta.settle(&shop.app).await;
    let sent = shop.meta.succeeded("POST", "/messages").await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["body"]["message"]["text"], "Hoje 10% off!");

    // Already first: nothing moves; a wrong direction is the caller's mistake.
    let (status, _) = post(&shop.app, "/api/automations/move", &[("id", &third), ("direction", "up")]).await;
    assert_eq!(status, 200);
    assert_eq!(names(&list(&shop.app, &shop.instance_id).await.1), ["Promoção", "Preço", "Boas-vindas"]);
    let (status, error) = post(&shop.app, "/api/automations/move", &[("id", &third), ("direction", "sideways")]).await;
    assert_eq!((status, codes(&error)), (422, vec![("direction".to_owned(), "invalid".to_owned())]));
}

#[tokio::test]
async fn the_test_box_explains_why_nothing_or_not_now() {
    let shop = shop().await;
    let (_, off) = save(&shop.app, &shop.instance_id, None, &PRICE).await;
    let off = off["id"].as_str().expect("id").to_owned();
    post(&shop.app, "/api/automations/active", &[("id", &off), ("active", "false")]).await;
    let missed = try_sample(&shop, "dm", "qual o preço?", "", "").await;
    assert_eq!((missed["automation"].clone(), missed["missed"].clone()), (Value::Null, json!(["Preço", "inactive"])));
    assert_eq!(try_sample(&shop, "comment", "qual o preço?", "", "").await["missed"], json!(["Preço", "other_type"]));
    assert_eq!(try_sample(&shop, "dm", "bom dia", "", "").await["missed"], Value::Null, "no words fit");

    let reel_only = [
        ("name", "Só no reel"),
        ("kind", "comment"),
        ("trigger", "keyword"),
        ("keywords", "link"),
        ("public_replies", "Te chamei no direct!"),
        ("media_ids][0", "17918195224117851"),
    ];
    save(&shop.app, &shop.instance_id, None, &reel_only).await;
    let on_post = try_sample(&shop, "comment", "manda o link", "", "17895695668004550").await;
    assert_eq!(on_post["missed"], json!(["Só no reel", "other_posts"]));
    let on_reel = try_sample(&shop, "comment", "manda o link", "", "17918195224117851").await;
    assert_eq!((on_reel["automation"].clone(), on_reel["held_back"].clone()), (json!("Só no reel"), Value::Null));

    let once = [
        ("name", "Cupom"),
        ("kind", "dm"),
        ("trigger", "keyword"),
        ("keywords", "cupom"),
        ("direct_reply", "NATAL10"),
        ("per_person", "once"),
    ];
    save(&shop.app, &shop.instance_id, None, &once).await;
    shop.meta.dm("cliente.fiel", "loja.exemplo", "quero o cupom").await;
    shop.meta.settle(&shop.app).await;
    assert_eq!(try_sample(&shop, "dm", "cupom?", "@cliente.fiel", "").await["held_back"], "once_per_person");
    assert_eq!(try_sample(&shop, "dm", "cupom?", "outra.cliente", "").await["held_back"], Value::Null);

    let (status, _) =
        post(&shop.app, "/api/instances/daily_cap", &[("id", &shop.instance_id), ("daily_reply_cap", "1")]).await;
    assert_eq!(status, 200);
    assert_eq!(try_sample(&shop, "dm", "cupom?", "outra.cliente", "").await["held_back"], "daily_cap");
    post(&shop.app, "/api/instances/disconnect", &[("id", &shop.instance_id)]).await;
    assert_eq!(try_sample(&shop, "dm", "cupom?", "outra.cliente", "").await["held_back"], "instance_not_connected");
}
