//! The growth loop through the sandbox: a comment answered publicly (one of several variants)
//! and privately, replies in threads, matching modes, exclusions, once per person, the cooldown
//! and the loop guard, each part of an answer with its own report.
use crate::{
    automations::{codes, post, save},
    engine::{shop_with, Shop},
};
use app::domain::automation::{
    AutomationKind, Button, ButtonAction, DmSource, MatchMode, PerPerson, QuickReply, Trigger,
};
use serde_json::{json, Value};
use std::collections::HashSet;

const POST: &str = "17895695668004550";
const REEL: &str = "17918195224117851";

async fn shop() -> Shop {
    shop_with(|_| {}).await
}

/// `(part, status, error, response_type, response_text)` of every report of `event_id`.
async fn parts(shop: &Shop, event_id: &str) -> Vec<(i16, String, Option<String>, Option<String>, Option<String>)> {
    sqlx::query_as(
        "SELECT part, status, error, response_type, response_text FROM instagram_reports WHERE event_id = $1
         ORDER BY part",
    )
    .bind(event_id)
    .fetch_all(&shop.app.state.pg)
    .await
    .expect("reports")
}

/// Statuses and errors of every report, in the order of the events (one batch writes its
/// reports at one instant).
async fn outcomes(shop: &Shop) -> Vec<(String, Option<String>)> {
    sqlx::query_as("SELECT status, error FROM instagram_reports ORDER BY \"timestamp\", part")
        .fetch_all(&shop.app.state.pg)
        .await
        .expect("reports")
}

/// A follower replies in the thread of `parent` on `media`; returns the reply's id.
async fn reply_in_thread(shop: &Shop, follower: &str, media: &str, parent: &str, text: &str) -> String {
    let url = format!("{}/_sandbox/followers/{follower}/comments", shop.meta.base);
    let body = json!({ "media_id": media, "text": text, "parent_id": parent });
    let answer: Value = shop.meta.http.post(url).json(&body).send().await.expect("reply").json().await.expect("json");
    answer["id"].as_str().expect("id").to_owned()
}

async fn follower(shop: &Shop, username: &str) {
    let url = format!("{}/_sandbox/followers", shop.meta.base);
    let created = shop.meta.http.post(url).json(&json!({ "username": username })).send().await.expect("follower");
    assert!(created.status().is_success());
}

#[tokio::test]
async fn a_comment_gets_both_replies_each_with_its_own_report_and_never_twice() {
    let shop = shop().await;
    shop.automation_with(AutomationKind::Comment, &["eu quero"], |a| {
        a.public_replies = vec!["Te chamei no direct!".into(), "Olha o direct 😉".into()];
        a.direct_reply = Some("Oi @{username}! Aqui está o link: https://loja.exemplo/natal".into());
    })
    .await;

    let comment = shop.meta.comment("cliente.fiel", POST, "EU QUERO!").await;
    shop.meta.settle(&shop.app).await;

    let public = shop.meta.succeeded("POST", &format!("/{comment}/replies")).await;
    assert_eq!(public.len(), 1);
    let variant = public[0]["body"]["message"].as_str().expect("text").to_owned();
    assert!(["Te chamei no direct!", "Olha o direct 😉"].contains(&variant.as_str()), "{variant}");
    let private = shop.meta.succeeded("POST", "/messages").await;
    assert_eq!(private.len(), 1, "{private:?}");
    assert_eq!(private[0]["body"]["recipient"]["comment_id"], comment.as_str());
    assert_eq!(private[0]["body"]["message"]["text"], "Oi @cliente.fiel! Aqui está o link: https://loja.exemplo/natal");
    let direct_text = "Oi @cliente.fiel! Aqui está o link: https://loja.exemplo/natal".to_owned();
    assert_eq!(
        parts(&shop, &comment).await,
        vec![
            (0, "sent".into(), None, Some("comment".into()), Some(variant)),
            (1, "sent".into(), None, Some("direct".into()), Some(direct_text)),
        ]
    );

    // Meta delivers the same comment again: nothing more goes out, no report is added.
    let delivered = shop.meta.deliveries().await;
    let first = delivered.iter().find(|d| d["body"].to_string().contains(&comment)).expect("the comment's delivery");
    shop.deliver_raw(first["body"].as_str().expect("body")).await;
    shop.meta.settle(&shop.app).await;
    assert_eq!(shop.meta.succeeded("POST", "/replies").await.len(), 1);
    assert_eq!(shop.meta.succeeded("POST", "/messages").await.len(), 1);
    assert_eq!(parts(&shop, &comment).await.len(), 2);
    let stats = shop.meta.stats().await;
    assert_eq!(
        (stats["duplicate_public_replies"].as_u64(), stats["duplicate_tagged_sends"].as_u64()),
        (Some(0), Some(0))
    );
    // The report counts two replies sent, and one comment on its chart.
    let page: Value = shop
        .app
        .client
        .get(shop.app.url("/api/reports"))
        .query(&[("query", "period=all")])
        .header("accept", "application/json")
        .send()
        .await
        .expect("reports")
        .json()
        .await
        .expect("json");
    assert_eq!(page["totals"], json!([["sent", 2]]));
    assert_eq!((page["days"][0]["comment"].as_i64(), page["days"][0]["dm"].as_i64()), (Some(1), Some(0)));
}

#[tokio::test]
async fn public_replies_spread_over_their_variants() {
    let shop = shop().await;
    let variants = ["Te chamei no direct!", "Olha o direct 😉", "Enviado, confere lá!"];
    shop.automation_with(AutomationKind::Comment, &["quero"], |a| {
        a.public_replies = variants.iter().map(|v| (*v).to_owned()).collect();
    })
    .await;
    for (n, who) in ["fa.um", "fa.dois", "fa.tres", "fa.quatro"].into_iter().enumerate() {
        follower(&shop, who).await;
        for i in 0..6 {
            shop.meta.comment(who, if (n + i) % 2 == 0 { POST } else { REEL }, &format!("quero {i}")).await;
        }
    }
    shop.meta.settle(&shop.app).await;
    let sent: Vec<String> = shop
        .meta
        .succeeded("POST", "/replies")
        .await
        .iter()
        .filter_map(|c| c["body"]["message"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(sent.len(), 24);
    let used: HashSet<&str> = sent.iter().map(String::as_str).collect();
    assert_eq!(used, variants.into_iter().collect::<HashSet<_>>(), "every variant is used");
}

#[tokio::test]
async fn a_reply_in_a_thread_is_answered_under_the_top_level_comment() {
    let shop = shop().await;
    shop.automation_with(AutomationKind::Comment, &["link"], |a| {
        a.public_replies = vec!["Te chamei no direct!".into()]
    })
    .await;
    let top = shop.meta.comment("cliente.fiel", POST, "Que lindo!").await;
    let reply = reply_in_thread(&shop, "outra.cliente", POST, &top, "manda o link").await;
    shop.meta.settle(&shop.app).await;

    assert_eq!(shop.meta.calls(&format!("/{reply}/replies")).await, Vec::<Value>::new(), "never to the reply itself");
    let posted = shop.meta.succeeded("POST", &format!("/{top}/replies")).await;
    assert_eq!(posted.len(), 1, "under the top-level comment");
    let (status, target): (String, Option<String>) =
        sqlx::query_as("SELECT status, reply_target FROM instagram_reports WHERE event_id = $1")
            .bind(&reply)
            .fetch_one(&shop.app.state.pg)
            .await
            .expect("report");
    assert_eq!((status.as_str(), target.as_deref()), ("sent", Some(top.as_str())));
}

#[tokio::test]
async fn keywords_match_exactly_by_their_start_and_never_with_an_excluded_word() {
    let shop = shop().await;
    shop.automation_with(AutomationKind::Dm, &["eu quero"], |a| {
        a.match_mode = MatchMode::Exact;
        a.direct_reply = Some("Exato".into());
    })
    .await;
    shop.automation_with(AutomationKind::Dm, &["preço"], |a| {
        a.match_mode = MatchMode::StartsWith;
        a.exclude_keywords = vec!["atacado".into()];
        a.direct_reply = Some("Começa com".into());
    })
    .await;
    for text in ["Eu quero!", "eu quero o link", "Preço do bolo?", "qual o preço?", "preço no atacado"] {
        shop.meta.dm("cliente.fiel", "loja.exemplo", text).await;
    }
    shop.meta.settle(&shop.app).await;
    let mut texts: Vec<String> = shop
        .meta
        .succeeded("POST", "/messages")
        .await
        .iter()
        .filter_map(|c| c["body"]["message"]["text"].as_str().map(str::to_owned))
        .collect();
    // The replies go out concurrently: in any order.
    texts.sort();
    assert_eq!(texts, ["Começa com", "Exato"]);
    let skipped = outcomes(&shop).await.into_iter().filter(|o| o.1.as_deref() == Some("no_match")).count();
    assert_eq!(skipped, 3);
}

#[tokio::test]
async fn once_per_person_answers_each_person_once_and_all_answers_once_a_day() {
    let shop = shop().await;
    shop.automation_with(AutomationKind::Dm, &["cupom"], |a| {
        a.per_person = PerPerson::Once;
        a.direct_reply = Some("Seu cupom: NATAL10".into());
    })
    .await;
    shop.meta.dm("cliente.fiel", "loja.exemplo", "quero o cupom").await;
    shop.meta.settle(&shop.app).await;
    shop.meta.dm("cliente.fiel", "loja.exemplo", "cupom de novo?").await;
    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    shop.meta.dm("outra.cliente", "loja.exemplo", "tem cupom?").await;
    shop.meta.settle(&shop.app).await;
    // A day later, still once.
    shop.meta.advance(26 * 3600).await;
    shop.meta.dm("cliente.fiel", "loja.exemplo", "e o cupom?").await;
    shop.meta.settle(&shop.app).await;
    assert_eq!(
        outcomes(&shop).await,
        vec![
            ("sent".into(), None),
            ("skipped".into(), Some("once_per_person".into())),
            ("sent".into(), None),
            ("skipped".into(), Some("once_per_person".into())),
        ]
    );
}

#[tokio::test]
async fn an_all_automation_answers_a_person_again_only_after_its_hours() {
    let shop = shop().await;
    // `all` gets once every 24 hours by default.
    shop.automation_with(AutomationKind::Dm, &[], |a| a.direct_reply = Some("Oi! Já te respondo.".into())).await;
    // Two messages in one batch: the first is answered.
    shop.meta.dm("cliente.fiel", "loja.exemplo", "oi").await;
    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    shop.meta.dm("cliente.fiel", "loja.exemplo", "tudo bem?").await;
    shop.meta.settle(&shop.app).await;
    shop.meta.dm("cliente.fiel", "loja.exemplo", "alô?").await;
    shop.meta.settle(&shop.app).await;
    shop.meta.advance(25 * 3600).await;
    shop.meta.dm("cliente.fiel", "loja.exemplo", "bom dia").await;
    shop.meta.settle(&shop.app).await;
    assert_eq!(
        outcomes(&shop).await,
        vec![
            ("sent".into(), None),
            ("skipped".into(), Some("once_per_person".into())),
            ("skipped".into(), Some("once_per_person".into())),
            ("sent".into(), None),
        ]
    );
}

#[tokio::test]
async fn the_loop_guard_stops_an_automation_answering_one_person_over_and_over() {
    let shop = shop().await;
    // Another account's bot that keeps saying the keyword.
    shop.automation_with(AutomationKind::Dm, &["oi"], |a| a.direct_reply = Some("Oi! Como posso ajudar?".into())).await;
    for i in 0..12 {
        shop.meta.dm("cliente.fiel", "loja.exemplo", &format!("Oi! Mensagem automática {i}")).await;
        if i % 4 == 3 {
            shop.meta.settle(&shop.app).await;
        }
    }
    shop.meta.settle(&shop.app).await;
    let all = outcomes(&shop).await;
    assert_eq!(all.iter().filter(|o| o.0 == "sent").count(), 10, "{all:?}");
    assert_eq!(all.iter().filter(|o| o.1.as_deref() == Some("loop_guard")).count(), 2, "{all:?}");
    // Someone else is still answered, and so is the same person an hour later.
    shop.meta.dm("outra.cliente", "loja.exemplo", "oi").await;
    shop.meta.advance(3700).await;
    shop.meta.dm("cliente.fiel", "loja.exemplo", "oi de novo").await;
    shop.meta.settle(&shop.app).await;
    assert_eq!(outcomes(&shop).await.iter().filter(|o| o.0 == "sent").count(), 12);
}

#[tokio::test]
async fn editing_keeps_every_chosen_post_the_picker_cannot_show() {
    let shop = shop().await;
    let beyond_first_page = "17999999999999999";
    let (status, saved) = save(
        &shop.app,
        &shop.instance_id,
        None,
        &[
            ("name", "Só no reel"),
            ("kind", "comment"),
            ("trigger", "keyword"),
            ("keywords", "link"),
            ("public_replies", "Te chamei no direct!"),
            ("media_ids][0", REEL),
            ("media_ids][1", beyond_first_page),
        ],
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    let id = saved["id"].as_str().expect("id").to_owned();
    let editor = |shop: &Shop| {
        let url = shop.app.url(&format!("/automations?instance={}&edit={id}", shop.instance_id));
        let request = shop.app.client.get(url);
        async move { request.send().await.expect("page").text().await.expect("html") }
    };
    let html = editor(&shop).await;
    assert!(html.contains(&format!(r#"value="{REEL}" checked"#)), "the shown post is ticked");
    assert!(
        html.contains(&format!(r#"type="hidden" name="input[media_ids][3]" value="{beyond_first_page}""#)),
        "the post beyond the list is kept: {}",
        html.split("media-picker").nth(1).unwrap_or_default()
    );

    // Media cannot load: every chosen post is kept, and only the picker says so; the page is
    // still a page (200), while the picker's own call answers 503.
    shop.meta
        .post_control("/_sandbox/faults", json!({ "endpoint": "media", "kind": "server_error", "count": 10 }))
        .await;
    let url = shop.app.url(&format!("/automations?instance={}&edit={id}", shop.instance_id));
    let page = shop.app.client.get(url).send().await.expect("page");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("Não foi possível carregar as publicações"), "the picker's own message");
    let media = shop.app.get(&format!("/api/automations/media?instance_id={}", shop.instance_id)).await;
    assert_eq!(media.status(), 503);
    for (i, kept) in [REEL, beyond_first_page].iter().enumerate() {
        assert!(
            html.contains(&format!(r#"type="hidden" name="input[media_ids][{i}]" value="{kept}""#)),
            "{kept} kept while media cannot load"
        );
    }
}

/// A follower sends a DM of `kind` (`story_reply`, `story_mention`, `image`) through the sandbox.
async fn dm_of(shop: &Shop, follower: &str, kind: &str, text: &str) -> String {
    let url = format!("{}/_sandbox/followers/{follower}/messages", shop.meta.base);
    let body = json!({ "to": "loja.exemplo", "text": text, "kind": kind });
    let answer: Value = shop.meta.http.post(url).json(&body).send().await.expect("dm").json().await.expect("json");
    answer["mid"].as_str().expect("mid").to_owned()
}

/// `(status, error, response_text)` of the report of `event_id`'s first part.
async fn report_of(shop: &Shop, event_id: &str) -> (String, Option<String>, Option<String>) {
    sqlx::query_as("SELECT status, error, response_text FROM instagram_reports WHERE event_id = $1 AND part = 0")
        .bind(event_id)
        .fetch_one(&shop.app.state.pg)
        .await
        .expect("report")
}

#[tokio::test]
async fn story_replies_story_mentions_and_attachments_reach_the_automations_listening_to_them() {
    let shop = shop().await;
    shop.automation_with(AutomationKind::Dm, &["quero"], |a| {
        a.dm_source = DmSource::StoryReplies;
        a.direct_reply = Some("Que bom que gostou do story! O link: https://loja.exemplo/story".into());
    })
    .await;
    shop.automation_with(AutomationKind::Dm, &[], |a| {
        a.dm_source = DmSource::StoryMentions;
        a.per_person = PerPerson::Once;
        a.direct_reply = Some("Obrigada pela menção, @{username}! 💜".into());
    })
    .await;
    shop.automation_with(AutomationKind::Dm, &[], |a| a.direct_reply = Some("Oi! Já te respondo.".into())).await;

    let story_reply = dm_of(&shop, "cliente.fiel", "story_reply", "Quero!").await;
    let mention = dm_of(&shop, "outra.cliente", "story_mention", "").await;
    let image = dm_of(&shop, "maria.souza", "image", "").await;
    shop.meta.settle(&shop.app).await;

    assert_eq!(
        report_of(&shop, &story_reply).await,
        ("sent".into(), None, Some("Que bom que gostou do story! O link: https://loja.exemplo/story".into()))
    );
    assert_eq!(report_of(&shop, &mention).await.2.as_deref(), Some("Obrigada pela menção, @outra.cliente! 💜"));
    assert_eq!(report_of(&shop, &mention).await.0, "sent", "a mention opens the window");
    assert_eq!(report_of(&shop, &image).await, ("sent".into(), None, Some("Oi! Já te respondo.".into())), "any DM");
    let texts: Vec<Option<String>> =
        sqlx::query_scalar("SELECT interaction_text FROM instagram_reports WHERE event_id = ANY($1) ORDER BY event_id")
            .bind(vec![mention.clone(), image.clone()])
            .fetch_all(&shop.app.state.pg)
            .await
            .expect("texts");
    assert_eq!(texts, vec![None, None], "no text is made up for an image or a mention");

    // A plain message is not a story reply; a keyword automation never answers a bare image.
    let plain = shop.meta.dm("maria.souza", "loja.exemplo", "quero").await;
    shop.meta.settle(&shop.app).await;
    assert_eq!(report_of(&shop, &plain).await.1.as_deref(), Some("once_per_person"), "only `all` fits, used already");
}

#[tokio::test]
async fn comments_on_ads_and_live_videos_are_answered_as_meta_allows() {
    let shop = shop().await;
    shop.automation_with(AutomationKind::Comment, &["quero"], |a| {
        a.media_ids = vec![POST.into()];
        a.public_replies = vec!["Te chamei no direct!".into()];
        a.direct_reply = Some("O link: https://loja.exemplo/oferta".into());
    })
    .await;
    let now = chrono::Utc::now().timestamp();
    let comment = |field: &str, id: &str, media: Value| {
        json!({"object": "instagram", "entry": [{"id": "17841405822304914", "time": now, "changes": [{"field": field,
            "value": {"from": {"id": "1254477777772919", "username": "cliente.fiel"}, "media": media, "id": id,
                      "text": "eu quero"}}]}]})
    };
    // An ad promoting the post: its comment names the ad's media and the post it promotes.
    shop.deliver(comment(
        "comments",
        "17890000000000101",
        json!({"id": "120210000000000001",
        "media_product_type": "AD", "original_media_id": POST, "ad_id": "120210000000000002"}),
    ))
    .await;
    // A live video: Meta takes no public reply there, the private one still goes.
    shop.deliver(comment("live_comments", "17890000000000102", json!({"id": POST, "media_product_type": "LIVE"})))
        .await;
    app::backend::engine::drain(&shop.app.state, std::time::Duration::from_secs(10)).await.expect("drain");
    let rows: Vec<(String, i16, Option<String>, Option<uuid::Uuid>)> = sqlx::query_as(
        "SELECT event_id, part, response_type, automation_id FROM instagram_reports ORDER BY event_id, part",
    )
    .fetch_all(&shop.app.state.pg)
    .await
    .expect("reports");
    let shape: Vec<(&str, i16, Option<&str>, bool)> =
        rows.iter().map(|(e, p, t, a)| (e.as_str(), *p, t.as_deref(), a.is_some())).collect();
    assert_eq!(
        shape,
        vec![
            ("17890000000000101", 0, Some("comment"), true),
            ("17890000000000101", 1, Some("direct"), true),
            ("17890000000000102", 0, Some("direct"), true),
        ]
    );
}

/// The id of the automation named `name`.
async fn automation_id(shop: &Shop, name: &str) -> String {
    sqlx::query_scalar("SELECT id::text FROM instagram_automations WHERE name = $1")
        .bind(name)
        .fetch_one(&shop.app.state.pg)
        .await
        .expect("automation")
}

/// A follower taps what a message of the account offered, through the sandbox.
async fn tap(shop: &Shop, follower: &str, payload: &str) -> String {
    let url = format!("{}/_sandbox/followers/{follower}/taps", shop.meta.base);
    let answer =
        shop.meta.http.post(url).json(&json!({ "to": "loja.exemplo", "payload": payload })).send().await.expect("tap");
    assert!(answer.status().is_success(), "{}", answer.text().await.unwrap_or_default());
    answer.json::<Value>().await.expect("json")["mid"].as_str().expect("mid").to_owned()
}

#[tokio::test]
async fn a_button_and_a_quick_reply_run_their_follow_ups_once_each() {
    let shop = shop().await;
    shop.automation_with(AutomationKind::Dm, &[], |a| {
        a.name = "O link".into();
        a.trigger = Trigger::FollowUp;
        a.per_person = PerPerson::Always;
        a.direct_reply = Some("Aqui está: https://loja.exemplo/natal".into());
    })
    .await;
    shop.automation_with(AutomationKind::Dm, &[], |a| {
        a.name = "Tamanho M".into();
        a.trigger = Trigger::FollowUp;
        a.per_person = PerPerson::Always;
        a.direct_reply = Some("Separei um M para você!".into());
    })
    .await;
    let link = automation_id(&shop, "O link").await;
    let size = automation_id(&shop, "Tamanho M").await;
    shop.automation_with(AutomationKind::Comment, &["eu quero"], |a| {
        a.public_replies = vec!["Te chamei no direct!".into()];
        a.direct_reply = Some("Quer receber o link?".into());
        a.buttons = vec![
            Button { title: "Sim".into(), action: ButtonAction::FollowUp { automation_id: link.clone().into() } },
            Button { title: "Ver a loja".into(), action: ButtonAction::Link { url: "https://loja.exemplo".into() } },
        ];
    })
    .await;
    shop.automation_with(AutomationKind::Dm, &["tamanho"], |a| {
        a.direct_reply = Some("Qual tamanho?".into());
        a.quick_replies = vec![QuickReply { title: "M".into(), automation_id: size.clone().into() }];
    })
    .await;

    // The comment gets the private reply with its buttons, as a button template.
    let comment = shop.meta.comment("cliente.fiel", POST, "Eu quero!").await;
    shop.meta.settle(&shop.app).await;
    let sent = shop.meta.succeeded("POST", "/messages").await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    let template = &sent[0]["body"]["message"]["attachment"]["payload"];
    assert_eq!(template["text"], "Quer receber o link?");
    assert_eq!(
        template["buttons"][0],
        json!({ "type": "postback", "title": "Sim", "payload": format!("ic:auto:{link}") })
    );
    assert_eq!(template["buttons"][1]["url"], "https://loja.exemplo");

    // Tapping "Sim" runs the follow-up; Meta delivering the tap again sends nothing more.
    let tapped = tap(&shop, "cliente.fiel", &format!("ic:auto:{link}")).await;
    shop.meta.settle(&shop.app).await;
    let again = shop.meta.deliveries().await;
    let tap_delivery = again.iter().find(|d| d["body"].as_str().is_some_and(|b| b.contains(&tapped))).expect("tap");
    shop.deliver_raw(tap_delivery["body"].as_str().expect("body")).await;
    shop.meta.settle(&shop.app).await;
    let texts: Vec<String> = shop
        .meta
        .succeeded("POST", "/messages")
        .await
        .iter()
        .filter_map(|c| c["body"]["message"]["text"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(texts, ["Aqui está: https://loja.exemplo/natal"], "once, as a plain DM");
    assert_eq!(
        report_of(&shop, &tapped).await,
        ("sent".into(), None, Some("Aqui está: https://loja.exemplo/natal".into()))
    );
    let tap_text: Option<String> =
        sqlx::query_scalar("SELECT interaction_text FROM instagram_reports WHERE event_id = $1")
            .bind(&tapped)
            .fetch_one(&shop.app.state.pg)
            .await
            .expect("text");
    assert_eq!(tap_text.as_deref(), Some("Sim"), "the report says what was tapped");
    assert_eq!(parts(&shop, &comment).await.len(), 2);

    // A quick reply, the same way.
    shop.meta.dm("outra.cliente", "loja.exemplo", "tem tamanho M?").await;
    shop.meta.settle(&shop.app).await;
    let asked = shop.meta.succeeded("POST", "/messages").await;
    let question = asked.iter().find(|c| c["body"]["message"]["text"] == "Qual tamanho?").expect("the question");
    assert_eq!(question["body"]["message"]["quick_replies"][0]["payload"], format!("ic:auto:{size}"));
    let picked = tap(&shop, "outra.cliente", &format!("ic:auto:{size}")).await;
    shop.meta.settle(&shop.app).await;
    assert_eq!(report_of(&shop, &picked).await.2.as_deref(), Some("Separei um M para você!"));

    // A follow-up turned off answers nothing, and the report says why.
    sqlx::query("UPDATE instagram_automations SET is_active = false WHERE name = 'Tamanho M'")
        .execute(&shop.app.state.pg)
        .await
        .expect("off");
    app::backend::directory::rules_changed(&shop.app.state, &shop.instance_id).await;
    let late = tap(&shop, "outra.cliente", &format!("ic:auto:{size}")).await;
    shop.meta.settle(&shop.app).await;
    assert_eq!(report_of(&shop, &late).await.1.as_deref(), Some("follow_up_unavailable"));
}

#[tokio::test]
async fn the_editor_refuses_follow_ups_that_are_not_the_instances_dm_automations() {
    let shop = shop().await;
    let (_, comment) = save(
        &shop.app,
        &shop.instance_id,
        None,
        &[
            ("name", "Comentário"),
            ("kind", "comment"),
            ("trigger", "keyword"),
            ("keywords", "x"),
            ("public_replies", "Oi"),
        ],
    )
    .await;
    let comment = comment["id"].as_str().expect("id").to_owned();
    let (status, error) = save(
        &shop.app,
        &shop.instance_id,
        None,
        &[
            ("name", "Pergunta"),
            ("kind", "dm"),
            ("trigger", "keyword"),
            ("keywords", "link"),
            ("direct_reply", "Quer o link?"),
            ("buttons][0][title", "Sim"),
            ("buttons][0][action", "follow_up"),
            ("buttons][0][automation_id", &comment),
            ("quick_replies][0][title", "Não"),
            ("quick_replies][0][automation_id", "0192f0c0-0000-7000-8000-000000000001"),
        ],
    )
    .await;
    assert_eq!(status, 422, "{error}");
    assert_eq!(
        codes(&error),
        [("buttons", "follow_up_unknown"), ("quick_replies", "follow_up_unknown")]
            .map(|(f, c)| (f.to_owned(), c.to_owned()))
    );
}

#[tokio::test]
async fn ice_breakers_are_registered_at_meta_and_a_tap_runs_their_follow_up() {
    let shop = shop().await;
    shop.automation_with(AutomationKind::Dm, &[], |a| {
        a.name = "Preços".into();
        a.trigger = Trigger::FollowUp;
        a.per_person = PerPerson::Always;
        a.direct_reply = Some("Os bolos começam em R$ 40.".into());
    })
    .await;
    let prices = automation_id(&shop, "Preços").await;
    let form = [
        ("instance_id", shop.instance_id.as_str()),
        ("questions[0][question]", "Quais os preços?"),
        ("questions[0][automation_id]", prices.as_str()),
        ("questions[1][question]", ""),
        ("questions[1][automation_id]", ""),
    ];
    let (status, saved) = post(&shop.app, "/api/automations/ice_breakers", &form).await;
    assert_eq!(status, 200, "{saved}");
    let registered = shop.meta.succeeded("POST", "/messenger_profile").await;
    assert_eq!(registered.len(), 1);
    assert_eq!(
        registered[0]["body"]["ice_breakers"][0]["call_to_actions"],
        json!([{ "question": "Quais os preços?", "payload": format!("ic:auto:{prices}") }])
    );
    let overview: Value = shop
        .app
        .client
        .get(shop.app.url("/api/automations/overview"))
        .header("accept", "application/json")
        .send()
        .await
        .expect("overview")
        .json()
        .await
        .expect("json");
    assert_eq!(overview["ice_breakers"][0]["question"], "Quais os preços?");

    // Someone who never wrote taps the question: the follow-up answers.
    follower(&shop, "nova.cliente").await;
    let tapped = tap(&shop, "nova.cliente", &format!("ic:auto:{prices}")).await;
    shop.meta.settle(&shop.app).await;
    assert_eq!(report_of(&shop, &tapped).await, ("sent".into(), None, Some("Os bolos começam em R$ 40.".into())));

    // Too many, too long, or pointing elsewhere: a field message, nothing sent to Meta.
    let bad = |question: String, target: String| {
        let (app, instance_id) = (&shop.app, shop.instance_id.clone());
        async move {
            let form = [
                ("instance_id", instance_id.as_str()),
                ("questions[0][question]", question.as_str()),
                ("questions[0][automation_id]", target.as_str()),
            ];
            let (status, error) = post(app, "/api/automations/ice_breakers", &form).await;
            (status, error["Invalid"][0]["code"].clone())
        }
    };
    assert_eq!(bad("a".repeat(81), prices.clone()).await, (422, json!("question_length")));
    assert_eq!(
        bad("Preços?".into(), "0192f0c0-0000-7000-8000-000000000001".into()).await,
        (422, json!("follow_up_unknown"))
    );
    assert_eq!(shop.meta.succeeded("POST", "/messenger_profile").await.len(), 1);

    // None: removed at Meta too.
    let (status, _) = post(&shop.app, "/api/automations/ice_breakers", &[("instance_id", &shop.instance_id)]).await;
    assert_eq!(status, 200);
    assert_eq!(shop.meta.succeeded("DELETE", "/messenger_profile").await.len(), 1);
}

/// `(status, error, response_text, reply_extras)` of the report of the DM `event_id`.
async fn dm_report(shop: &Shop, event_id: &str) -> (String, Option<String>, Option<String>, Option<Value>) {
    sqlx::query_as(
        "SELECT status, error, response_text, reply_extras FROM instagram_reports WHERE event_id = $1 AND part = 0",
    )
    .bind(event_id)
    .fetch_one(&shop.app.state.pg)
    .await
    .expect("report")
}

/// The message of the last DM the account sent.
async fn last_sent(shop: &Shop) -> Value {
    let sent = shop.meta.succeeded("POST", "/messages").await;
    sent.last().expect("a DM")["body"]["message"].clone()
}

#[tokio::test]
async fn a_carousel_and_files_built_in_the_editor_are_sent_as_metas_shapes() {
    let shop = shop().await;
    shop.automation_with(AutomationKind::Dm, &[], |a| {
        a.name = "Encomenda".into();
        a.trigger = Trigger::FollowUp;
        a.per_person = PerPerson::Always;
        a.direct_reply = Some("Anotado! Entregamos amanhã.".into());
    })
    .await;
    let order = automation_id(&shop, "Encomenda").await;
    let dm = |name: &'static str, keyword: &'static str| {
        vec![("name", name), ("kind", "dm"), ("trigger", "keyword"), ("keywords", keyword)]
    };
    let mut carousel = dm("Cardápio", "cardápio");
    carousel.extend([
        ("dm_format", "cards"),
        ("cards][0][title", "Bolo de cenoura"),
        ("cards][0][subtitle", "R$ 40, com cobertura"),
        ("cards][0][image_url", "https://loja.exemplo/bolo.jpg"),
        ("cards][0][buttons][0][title", "Quero"),
        ("cards][0][buttons][0][action", "follow_up"),
        ("cards][0][buttons][0][automation_id", &order),
        ("cards][0][buttons][1][title", "Ver fotos"),
        ("cards][0][buttons][1][action", "link"),
        ("cards][0][buttons][1][url", "https://loja.exemplo/bolo"),
        ("cards][1][title", "Brigadeiro"),
        ("quick_replies][0][title", "Encomendar"),
        ("quick_replies][0][automation_id", &order),
    ]);
    let (status, saved) = save(&shop.app, &shop.instance_id, None, &carousel).await;
    assert_eq!(status, 200, "{saved}");
    let mut catalog = dm("Catálogo", "catálogo");
    catalog.extend([
        ("dm_format", "media"),
        ("media_kind", "file"),
        ("media_url", "https://loja.exemplo/catalogo.pdf"),
    ]);
    assert_eq!(save(&shop.app, &shop.instance_id, None, &catalog).await.0, 200);
    let mut promo = dm("Promoção", "promoção");
    promo.extend([
        ("dm_format", "media"),
        ("media_kind", "image"),
        ("media_url", "https://cdn.loja.invalid/promo.jpg"),
    ]);
    assert_eq!(save(&shop.app, &shop.instance_id, None, &promo).await.0, 200);

    // The carousel goes out as a generic template, its quick reply under it.
    let asked = shop.meta.dm("cliente.fiel", "loja.exemplo", "me manda o cardápio").await;
    shop.meta.settle(&shop.app).await;
    let message = last_sent(&shop).await;
    let payload = &message["attachment"]["payload"];
    assert_eq!(payload["template_type"], "generic");
    assert_eq!(
        payload["elements"][0],
        json!({ "title": "Bolo de cenoura", "subtitle": "R$ 40, com cobertura", "image_url": "https://loja.exemplo/bolo.jpg",
                "buttons": [{ "type": "postback", "title": "Quero", "payload": format!("ic:auto:{order}") },
                            { "type": "web_url", "title": "Ver fotos", "url": "https://loja.exemplo/bolo" }] })
    );
    assert_eq!(payload["elements"][1], json!({ "title": "Brigadeiro" }));
    assert_eq!(message["quick_replies"][0]["payload"], format!("ic:auto:{order}"));
    assert!(message.get("text").is_none(), "a template carries no text of its own");
    let (status, error, text, extras) = dm_report(&shop, &asked).await;
    assert_eq!((status.as_str(), error, text.as_deref()), ("sent", None, Some("Bolo de cenoura · Brigadeiro")));
    assert_eq!(extras.expect("kept")["elements"][0]["title"], "Bolo de cenoura", "the report keeps what was sent");

    // A card's button runs its follow-up, once however often Meta delivers the tap.
    let tapped = tap(&shop, "cliente.fiel", &format!("ic:auto:{order}")).await;
    shop.meta.settle(&shop.app).await;
    let deliveries = shop.meta.deliveries().await;
    let again = deliveries.iter().find(|d| d["body"].as_str().is_some_and(|b| b.contains(&tapped))).expect("tap");
    shop.deliver_raw(again["body"].as_str().expect("body")).await;
    shop.meta.settle(&shop.app).await;
    let answered = shop.meta.succeeded("POST", "/messages").await;
    assert_eq!(answered.iter().filter(|c| c["body"]["message"]["text"] == "Anotado! Entregamos amanhã.").count(), 1);
    assert_eq!(dm_report(&shop, &tapped).await.2.as_deref(), Some("Anotado! Entregamos amanhã."));

    // A document goes out as a file attachment.
    let wanted = shop.meta.dm("cliente.fiel", "loja.exemplo", "tem catálogo?").await;
    shop.meta.settle(&shop.app).await;
    assert_eq!(
        last_sent(&shop).await["attachment"],
        json!({ "type": "file", "payload": { "url": "https://loja.exemplo/catalogo.pdf" } })
    );
    assert_eq!(dm_report(&shop, &wanted).await.0, "sent");

    // A file Meta cannot fetch fails once, with Meta's reason, and is not tried again.
    let promo = shop.meta.dm("cliente.fiel", "loja.exemplo", "promoção!").await;
    shop.meta.settle(&shop.app).await;
    let (status, error, text, _) = dm_report(&shop, &promo).await;
    assert_eq!((status.as_str(), text.as_deref()), ("failed", Some("https://cdn.loja.invalid/promo.jpg")));
    assert_eq!(error.as_deref(), Some("attachment_failed"), "Meta's reason, as a code the reports translate");
    let tries = shop.meta.calls("/messages").await;
    assert_eq!(tries.iter().filter(|c| c["body"].to_string().contains("loja.invalid")).count(), 1, "no retry");
    // The reports say why in the reader's language, never in Meta's English.
    let page = shop.app.get("/reports?status=failed").await.text().await.expect("html");
    assert!(page.contains("o Instagram não conseguiu baixar o arquivo"), "the translated reason");
    assert!(!page.contains("Failed to fetch"), "Meta's own text stays out of the page");
}

#[tokio::test]
async fn the_editor_refuses_a_carousel_it_cannot_send() {
    let shop = shop().await;
    let comment = [
        ("name", "Comentário"),
        ("kind", "comment"),
        ("trigger", "keyword"),
        ("keywords", "quero"),
        ("public_replies", "Te chamei no direct!"),
        ("dm_format", "cards"),
        ("cards][0][title", "Bolo"),
    ];
    let (status, error) = save(&shop.app, &shop.instance_id, None, &comment).await;
    assert_eq!((status, codes(&error)), (422, vec![("dm_format".to_owned(), "private_reply_text_only".to_owned())]));
    let unknown = [
        ("name", "Cardápio"),
        ("kind", "dm"),
        ("trigger", "keyword"),
        ("keywords", "cardápio"),
        ("dm_format", "cards"),
        ("cards][0][title", "Bolo"),
        ("cards][0][buttons][0][title", "Quero"),
        ("cards][0][buttons][0][action", "follow_up"),
        ("cards][0][buttons][0][automation_id", "0192f0c0-0000-7000-8000-000000000001"),
    ];
    let (status, error) = save(&shop.app, &shop.instance_id, None, &unknown).await;
    assert_eq!((status, codes(&error)), (422, vec![("cards".to_owned(), "follow_up_unknown".to_owned())]));
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM instagram_automations")
        .fetch_one(&shop.app.state.pg)
        .await
        .expect("count");
    assert_eq!(count, 0, "nothing refused was kept");
}

#[tokio::test]
async fn the_instance_card_counts_todays_replies_active_automations_and_says_the_last_failure() {
    let shop = shop().await;
    shop.automation(AutomationKind::Dm, &["preço"], "Custa R$ 40.", app::domain::automation::ResponseType::Direct)
        .await;
    shop.automation_with(AutomationKind::Dm, &["promoção"], |a| {
        a.name = "Promoção".into();
        a.attachment = Some(app::domain::automation::Attachment {
            kind: app::domain::automation::MediaKind::Image,
            url: "https://cdn.loja.invalid/promo.jpg".into(),
        });
    })
    .await;
    shop.automation_with(AutomationKind::Dm, &["desligada"], |a| {
        a.name = "Desligada".into();
        a.direct_reply = Some("Nunca".into());
    })
    .await;
    sqlx::query("UPDATE instagram_automations SET is_active = false WHERE name = 'Desligada'")
        .execute(&shop.app.state.pg)
        .await
        .expect("off");
    shop.meta.dm("cliente.fiel", "loja.exemplo", "qual o preço?").await;
    shop.meta.dm("outra.cliente", "loja.exemplo", "tem promoção?").await;
    shop.meta.settle(&shop.app).await;
    let card = &shop.app.instances().await[0];
    assert_eq!((card["replies_today"].as_i64(), card["active_automations"].as_i64()), (Some(1), Some(2)), "{card}");
    assert_eq!(card["last_failure"][0], "attachment_failed", "{card}");
    assert!(card["token_days_left"].as_i64().is_some_and(|d| d > 50), "{card}");
    let page = shop.app.get("/instances").await.text().await.expect("html");
    assert!(page.contains("o Instagram não conseguiu baixar o arquivo"), "the card says why, in words");
    assert!(page.contains(&format!(r#"href="/reports?instance={}""#, shop.instance_id)));
    assert!(page.contains("Desconectar agora"), "disconnecting asks first");
}

#[tokio::test]
async fn a_paused_instance_records_everything_and_answers_nothing_until_resumed() {
    let shop = shop().await;
    shop.automation(AutomationKind::Dm, &["preço"], "Custa R$ 40.", app::domain::automation::ResponseType::Direct)
        .await;
    let pause = |paused: &'static str| {
        let app = &shop.app;
        let id = shop.instance_id.clone();
        async move { app.post_form("/api/instances/pause", &[("id", id.as_str()), ("paused", paused)]).await.status() }
    };
    assert_eq!(pause("true").await, 302);
    assert_eq!(shop.app.instances().await[0]["automations_paused"], true);
    let held = shop.meta.dm("cliente.fiel", "loja.exemplo", "qual o preço?").await;
    shop.meta.settle(&shop.app).await;
    assert_eq!(report_of(&shop, &held).await.0, "skipped");
    assert_eq!(report_of(&shop, &held).await.1.as_deref(), Some("instance_paused"));
    assert!(shop.meta.succeeded("POST", "/messages").await.is_empty(), "nothing sent while paused");
    // Someone else cannot switch it.
    let eve = shop.app.another_browser();
    assert_eq!(eve.sign_up("eve@loja.com", "senha-forte-1").await.status(), 302);
    let refused =
        eve.post_form("/api/instances/pause", &[("id", shop.instance_id.as_str()), ("paused", "false")]).await;
    assert_eq!(refused.status(), 404);
    assert_eq!(pause("false").await, 302);
    let answered = shop.meta.dm("cliente.fiel", "loja.exemplo", "e agora, qual o preço?").await;
    shop.meta.settle(&shop.app).await;
    assert_eq!(report_of(&shop, &answered).await.0, "sent");
    let actions: Vec<String> = app::backend::store::pg::audit::recent(
        &shop.app.state.pg,
        &app::backend::store::access::System::ACTING.everyone(),
        20,
    )
    .await
    .expect("audit")
    .into_iter()
    .map(|e| e.action)
    .collect();
    assert!(actions.contains(&"instance.paused".to_owned()) && actions.contains(&"instance.resumed".to_owned()));
}

#[tokio::test]
async fn a_failed_reply_is_tried_again_from_its_row_by_its_owner_only() {
    let shop = shop_with(|vars| {
        vars.insert("REPLY_MAX_ATTEMPTS".into(), "1".into());
    })
    .await;
    shop.automation(AutomationKind::Dm, &["preço"], "Custa R$ 40.", app::domain::automation::ResponseType::Direct)
        .await;
    shop.meta
        .post_control("/_sandbox/faults", json!({ "endpoint": "messages", "kind": "server_error", "count": 1 }))
        .await;
    let asked = shop.meta.dm("cliente.fiel", "loja.exemplo", "qual o preço?").await;
    shop.meta.settle(&shop.app).await;
    assert_eq!(report_of(&shop, &asked).await.0, "failed");
    let id: String = sqlx::query_scalar("SELECT id::text FROM instagram_reports WHERE event_id = $1")
        .bind(&asked)
        .fetch_one(&shop.app.state.pg)
        .await
        .expect("id");
    // Another user cannot; a row that did not fail cannot be tried again.
    let eve = shop.app.another_browser();
    assert_eq!(eve.sign_up("eve@loja.com", "senha-forte-1").await.status(), 302);
    assert_eq!(eve.post_form("/api/reports/retry", &[("id", &id)]).await.status(), 404);
    let page = shop.app.get("/reports?status=failed").await.text().await.expect("html");
    assert!(page.contains("Tentar de novo"), "the failed row offers to try again");
    assert!(shop.app.post_form("/api/reports/retry", &[("id", &id)]).await.status().is_redirection());
    shop.meta.settle(&shop.app).await;
    assert_eq!(report_of(&shop, &asked).await, ("sent".into(), None, Some("Custa R$ 40.".into())));
    assert_eq!(shop.app.post_form("/api/reports/retry", &[("id", &id)]).await.status(), 422, "sent: nothing to retry");
    let sent = shop.meta.succeeded("POST", "/messages").await;
    assert_eq!(sent.len(), 1, "exactly one reply went out");
}
