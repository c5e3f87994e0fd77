//! What the reports page shows over many rows: totals and the chart from the rollups (exact as
//! rows come, change and go, folded or not), days in the reader's time zone with zeros, the pager
//! both ways with its total, free-text search, the automation filter, the filter's choices, and
//! the link from a row to its post on Instagram.
use crate::{
    engine::shop_with,
    helpers::{spawn_app, TestApp, JWT_SECRET},
};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

const AUTOMATION: &str = "0192f0c0-0000-7000-8000-00000000a001";

async fn signed_up(app: &TestApp, email: &str) -> String {
    assert_eq!(app.sign_up(email, "senha-forte-1").await.status(), 302);
    app.me().await["id"].as_str().expect("id").to_owned()
}

fn bearer(user_id: &str) -> String {
    let claims = json!({ "sub": user_id, "exp": chrono::Utc::now().timestamp() + 600 });
    encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(JWT_SECRET.as_bytes())).expect("jwt")
}

/// A page of `/api/reports` for `user`, read in the time zone `zone`.
async fn page_in(app: &TestApp, user: &str, zone: &str, params: &[(&str, &str)]) -> Value {
    let response = reqwest::Client::new()
        .get(app.url("/api/reports"))
        .query(params)
        .bearer_auth(bearer(user))
        .header("cookie", format!("ic_tz={zone}"))
        .header("accept", "application/json")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200, "{params:?}");
    response.json().await.expect("json")
}

async fn page(app: &TestApp, user: &str, query: &str) -> Value {
    page_in(app, user, "UTC", &[("query", query)]).await
}

fn totals(page: &Value) -> Vec<(String, i64)> {
    page["totals"]
        .as_array()
        .expect("totals")
        .iter()
        .map(|t| (t[0].as_str().unwrap_or_default().to_owned(), t[1].as_i64().unwrap_or_default()))
        .collect()
}

/// Per status, what the rows themselves say for `condition`.
async fn counted(app: &TestApp, condition: &str) -> Vec<(String, i64)> {
    sqlx::query_as(&format!(
        "SELECT status, count(*) FROM instagram_reports WHERE {condition} GROUP BY status
         ORDER BY array_position(ARRAY['sent','failed','pending','skipped'], status)"
    ))
    .fetch_all(&app.state.pg)
    .await
    .expect("count")
}

/// `count` rows for `user`, `minutes` apart going back from now; every fourth one by the
/// automation, every third a comment (answered publicly and privately: two rows), statuses in turn.
async fn insert_rows(app: &TestApp, user: &str, instance: &str, count: i32, minutes: i32) {
    sqlx::query(
        "INSERT INTO instagram_reports (id, instance_id, user_id, automation_id, interaction_type, event_id, part,
                                        user_id_instagram, username, interaction_text, response_text, status, \"timestamp\")
         SELECT gen_random_uuid(), $1, $2, CASE WHEN g % 4 = 0 THEN $5::uuid END,
                CASE WHEN g % 3 = 0 THEN 'comment' ELSE 'dm' END, $1 || '-' || g, p,
                '1254477777772919', 'cliente' || (g % 5),
                CASE WHEN g % 7 = 0 THEN 'qual o valor do frete?' ELSE 'oi, tudo bem' END, 'Oi!',
                (ARRAY['sent','failed','pending','skipped'])[1 + g % 4], now() - make_interval(mins => g * $4)
         FROM generate_series(1, $3) g, generate_series(0, 1) p
         WHERE p = 0 OR g % 3 = 0",
    )
    .bind(instance)
    .bind(user)
    .bind(count)
    .bind(minutes)
    .bind(AUTOMATION)
    .execute(&app.state.pg)
    .await
    .expect("rows");
}

async fn create_automation(app: &TestApp, user: &str, instance: &str) {
    sqlx::query(
        "INSERT INTO instagram_automations (id, user_id, instance_id, name, type, trigger_type, keywords, direct_reply)
         VALUES ($1::uuid, $2, $3, 'Frete', 'dm', 'keyword', '{frete}', 'Frete grátis!')",
    )
    .bind(AUTOMATION)
    .bind(user)
    .bind(instance)
    .execute(&app.state.pg)
    .await
    .expect("automation");
}

#[tokio::test]
async fn totals_from_the_rollups_equal_the_rows_as_they_are_written_changed_and_deleted() {
    let app = spawn_app().await;
    let ana = signed_up(&app, "ana@loja.com").await;
    create_automation(&app, &ana, "ana-instance").await;
    insert_rows(&app, &ana, "ana-instance", 400, 37).await;
    insert_rows(&app, &ana, "ana-outra", 100, 11).await;
    let checks = [
        ("period=all", "true"),
        ("period=all&instance=ana-instance", "instance_id = 'ana-instance'"),
        ("period=all&type=comment&status=failed", "interaction_type = 'comment' AND status = 'failed'"),
        (&format!("period=all&automation={AUTOMATION}"), &format!("automation_id = '{AUTOMATION}'")),
        ("period=7d", "\"timestamp\" >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - interval '6 days'"),
        ("period=today&type=dm", "interaction_type = 'dm' AND \"timestamp\" >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"),
    ];
    let check = |when: &'static str| {
        let (app, ana, checks) = (&app, &ana, &checks);
        async move {
            for (query, condition) in checks {
                let shown = page(app, ana, query).await;
                let expected = counted(app, condition).await;
                assert_eq!(totals(&shown), expected, "{when}: {query}");
                assert_eq!(shown["total"].as_i64(), Some(expected.iter().map(|(_, n)| n).sum()), "{when}: {query}");
                assert_eq!(shown["capped"], false);
            }
        }
    };
    check("written, not folded").await;
    let deltas: i64 =
        sqlx::query_scalar("SELECT count(*) FROM report_rollup_deltas").fetch_one(&app.state.pg).await.expect("deltas");
    assert!(deltas > 0, "the rows' counts wait in the deltas");
    app::backend::reports::fold_rollups(&app.state.pg).await.expect("fold");
    check("folded").await;

    // The engine's changes: pending replies settle, a username is filled in, rows go with their
    // instance, an automation is deleted (its rows keep no automation).
    for change in [
        "UPDATE instagram_reports SET status = 'sent' WHERE status = 'pending' AND part = 0",
        "UPDATE instagram_reports SET username = 'outro'",
        "DELETE FROM instagram_reports WHERE instance_id = 'ana-outra' AND status = 'failed'",
        "DELETE FROM instagram_automations",
    ] {
        sqlx::query(change).execute(&app.state.pg).await.expect("change");
    }
    check("changed").await;
    app::backend::reports::fold_rollups(&app.state.pg).await.expect("fold");
    check("changed and folded").await;
    let by_automation = page(&app, &ana, &format!("period=all&automation={AUTOMATION}")).await;
    assert_eq!(by_automation["total"], 0, "a deleted automation's rows keep no automation");

    // Another user's rows are in no one else's counts.
    let eve_browser = app.another_browser();
    let eve = signed_up(&eve_browser, "eve@loja.com").await;
    assert_eq!(page(&app, &eve, "period=all").await["total"], 0);
    assert_eq!(page(&app, &eve, &format!("period=all&owner={ana}")).await["total"], 0, "owner is for admins only");
}

#[tokio::test]
async fn the_chart_shows_every_day_of_the_period_in_the_readers_zone() {
    let app = spawn_app().await;
    let ana = signed_up(&app, "ana@loja.com").await;
    // 01:30 UTC two days ago is 22:30 of the day before in São Paulo (UTC-3).
    sqlx::query(
        "INSERT INTO instagram_reports (id, instance_id, user_id, interaction_type, event_id, user_id_instagram, status, \"timestamp\")
         VALUES (gen_random_uuid(), 'ana-instance', $1, 'dm', 'e1', '1254477777772919', 'sent',
                 (date_trunc('day', now() AT TIME ZONE 'UTC') - interval '2 days' + interval '90 minutes') AT TIME ZONE 'UTC')",
    )
    .bind(&ana)
    .execute(&app.state.pg)
    .await
    .expect("row");
    let utc_today: chrono::NaiveDate = chrono::Utc::now().date_naive();
    let day = |back: u64| (utc_today - chrono::Days::new(back)).to_string();
    let chart = |page: &Value| -> Vec<(String, i64)> {
        page["days"]
            .as_array()
            .expect("days")
            .iter()
            .map(|d| (d["day"].as_str().unwrap_or_default().to_owned(), d["dm"].as_i64().unwrap_or_default()))
            .collect()
    };
    let in_utc = page_in(&app, &ana, "UTC", &[("query", "period=7d")]).await;
    assert_eq!(in_utc["time_zone"], "UTC");
    let days = chart(&in_utc);
    assert_eq!(days.len(), 7, "every day of the week, zeros included: {days:?}");
    assert_eq!(days.iter().filter(|(_, n)| *n > 0).collect::<Vec<_>>(), vec![&(day(2), 1)]);
    assert_eq!(days.last().map(|d| d.0.clone()), Some(day(0)));

    let in_sao_paulo = page_in(&app, &ana, "America%2FSao_Paulo", &[("query", "period=7d")]).await;
    assert_eq!(in_sao_paulo["time_zone"], "America/Sao_Paulo");
    let days = chart(&in_sao_paulo);
    assert_eq!(days.len(), 7);
    assert_eq!(days.iter().filter(|(_, n)| *n > 0).map(|d| d.0.clone()).collect::<Vec<_>>(), vec![day(3)]);
    // A custom period is the reader's days too: São Paulo's day 3 holds it, UTC's does not.
    let custom = format!("period=custom&from={}&to={}", day(3), day(3));
    assert_eq!(page_in(&app, &ana, "America%2FSao_Paulo", &[("query", &custom)]).await["total"], 1);
    assert_eq!(page_in(&app, &ana, "UTC", &[("query", &custom)]).await["total"], 0);
    // A zone PostgreSQL does not know is the language's (pt-BR: São Paulo), never an error.
    assert_eq!(
        page_in(&app, &ana, "Mars%2FOlympus", &[("query", "period=7d")]).await["time_zone"],
        "America/Sao_Paulo"
    );
}

#[tokio::test]
async fn pages_go_back_and_forth_with_a_total_and_search_finds_text() {
    let app = spawn_app().await;
    let ana = signed_up(&app, "ana@loja.com").await;
    create_automation(&app, &ana, "ana-instance").await;
    insert_rows(&app, &ana, "ana-instance", 110, 1).await;
    let rows = |page: &Value| -> Vec<String> {
        page["rows"].as_array().expect("rows").iter().filter_map(|r| r["id"].as_str().map(str::to_owned)).collect()
    };
    let at = |older: Option<&str>, newer: Option<&str>| {
        let mut params = vec![("query", "period=all")];
        params.extend(older.map(|c| ("cursor", c)));
        params.extend(newer.map(|c| ("newer", c)));
        let (app, ana) = (&app, &ana);
        let params: Vec<(String, String)> = params.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        async move {
            let borrowed: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            page_in(app, ana, "UTC", &borrowed).await
        }
    };
    let first = at(None, None).await;
    let all_rows: i64 = 110 + 110 / 3;
    assert_eq!(first["total"], all_rows);
    assert_eq!(first["newer"], Value::Null, "the first page has nothing newer");
    let second = at(first["older"].as_str(), None).await;
    let third = at(second["older"].as_str(), None).await;
    assert_eq!(third["older"], Value::Null, "146 rows: three pages");
    assert_eq!(rows(&first).len() + rows(&second).len() + rows(&third).len(), 146);
    let back = at(None, third["newer"].as_str()).await;
    assert_eq!(rows(&back), rows(&second), "previous from the third page is the second");
    let back = at(None, back["newer"].as_str()).await;
    assert_eq!(rows(&back), rows(&first), "and previous again is the first");
    assert_eq!(back["newer"], Value::Null);

    // Search looks in the username, the text and the reply, case-insensitively, literally.
    let found = page(&app, &ana, "period=all&q=FRETE").await;
    let expected = counted(&app, "interaction_text ILIKE '%frete%'").await;
    assert_eq!(totals(&found), expected);
    assert!(found["rows"].as_array().expect("rows").iter().all(|r| r["text"] == "qual o valor do frete?"));
    assert_eq!(
        page(&app, &ana, "period=all&q=cliente3").await["total"],
        counted(&app, "username = 'cliente3'").await.iter().map(|c| c.1).sum::<i64>()
    );
    assert_eq!(page(&app, &ana, "period=all&q=100%25").await["total"], 0, "% is a character, not a wildcard");
    // A common word fills a page from the most recent rows; a rare one came through the index.
    let common = page(&app, &ana, "period=all&q=tudo%20bem").await;
    assert_eq!(common["rows"].as_array().map(Vec::len), Some(50));
    assert_eq!(totals(&common), counted(&app, "interaction_text ILIKE '%tudo bem%'").await);
    let short = reqwest::Client::new()
        .get(app.url("/api/reports"))
        .query(&[("query", "q=oi")])
        .bearer_auth(bearer(&ana))
        .header("accept", "application/json")
        .send()
        .await
        .expect("request");
    assert_eq!(short.status(), 422);
    assert!(short.text().await.unwrap_or_default().contains("search_too_short"));
}

/// A rare word is looked for over periods growing back from the page's edge (a day, eight, 64,
/// then all): the pages must still be its matches newest first, whole, across those periods.
#[tokio::test]
async fn a_word_gets_its_newest_matches_whether_the_most_recent_rows_hold_it_seldom_or_often() {
    let app = spawn_app().await;
    let ana = signed_up(&app, "ana@loja.com").await;
    // 5,000 rows a second apart. "raro" twice among the newest 1,000 and 57 times further back;
    // "medio" 10 times among them and 50 further back; "comum" in every ninth row.
    sqlx::query(
        "INSERT INTO instagram_reports (id, instance_id, user_id, interaction_type, event_id, part,
                                        user_id_instagram, interaction_text, status, \"timestamp\")
         SELECT gen_random_uuid(), 'ana-instance', $1, 'dm', gen_random_uuid()::text, 0, '1254477777772919',
                concat_ws(' ', 'oi',
                    CASE WHEN g IN (300, 700) OR (g > 1000 AND g % 70 = 0) THEN 'raro' END,
                    CASE WHEN (g <= 1000 AND g % 100 = 0) OR (g > 1000 AND g % 80 = 0) THEN 'medio' END,
                    CASE WHEN g % 9 = 0 THEN 'comum' END),
                'skipped', now() - make_interval(secs => g)
         FROM generate_series(1, 5000) g",
    )
    .bind(&ana)
    .execute(&app.state.pg)
    .await
    .expect("rows");
    for (word, matches) in [("raro", 59), ("medio", 60), ("comum", 555)] {
        let expected: Vec<String> = sqlx::query_scalar(
            "SELECT id::text FROM instagram_reports WHERE interaction_text LIKE '%' || $1 || '%'
             ORDER BY \"timestamp\" DESC, id DESC",
        )
        .bind(word)
        .fetch_all(&app.state.pg)
        .await
        .expect("ids");
        assert_eq!(expected.len(), matches, "{word}");
        let found = page(&app, &ana, &format!("period=all&q={word}")).await;
        let ids: Vec<&str> = found["rows"].as_array().expect("rows").iter().filter_map(|r| r["id"].as_str()).collect();
        assert_eq!(ids, expected[..50], "{word}: the newest 50 matches, newest first");
        assert_eq!(found["total"], matches, "{word}");
        assert!(found["older"].is_string(), "{word}: a next page");
    }
}

#[tokio::test]
async fn a_rare_word_pages_through_matches_of_every_age_in_time_order() {
    let app = spawn_app().await;
    let ana = signed_up(&app, "ana@loja.com").await;
    // Among rows without the word, too many for the most recent rows to hold a page of matches
    // anywhere: 30 matches within hours, 100 from twenty days ago and 60 from 200 days ago. Every
    // page but the last fills within one of the periods, so a period on the wrong side of the
    // page's edge would show.
    let rows = |count: i32, text: &'static str, days: i32, seconds_apart: f64| {
        let (pg, ana) = (&app.state.pg, &ana);
        async move {
            sqlx::query(
                "INSERT INTO instagram_reports (id, instance_id, user_id, interaction_type, event_id, part,
                                                user_id_instagram, interaction_text, status, \"timestamp\")
                 SELECT gen_random_uuid(), 'ana-instance', $1, 'dm', gen_random_uuid()::text, 0, '1254477777772919',
                        $2, 'skipped', now() - make_interval(days => $3, secs => g * $4)
                 FROM generate_series(1, $5) g",
            )
            .bind(ana)
            .bind(text)
            .bind(days)
            .bind(seconds_apart)
            .bind(count)
            .execute(pg)
            .await
            .expect("rows");
        }
    };
    rows(6_000, "oi, tudo bem", 0, 1.0).await;
    rows(30, "quero o reembolso", 0, 600.0).await;
    rows(15_000, "oi, tudo bem", 20, 0.4).await;
    rows(100, "quero o reembolso", 20, 60.0).await;
    rows(60, "quero o reembolso", 200, 60.0).await;
    let expected: Vec<String> = sqlx::query_scalar(
        "SELECT id::text FROM instagram_reports WHERE interaction_text LIKE '%reembolso%'
         ORDER BY \"timestamp\" DESC, id DESC",
    )
    .fetch_all(&app.state.pg)
    .await
    .expect("ids");
    assert_eq!(expected.len(), 190);
    let ids = |page: &Value| -> Vec<String> {
        page["rows"].as_array().expect("rows").iter().filter_map(|r| r["id"].as_str().map(str::to_owned)).collect()
    };
    let query = "period=all&q=reembolso";
    let first = page(&app, &ana, query).await;
    assert_eq!(ids(&first), expected[..50], "the 30 recent matches, then the 20 newest of twenty days ago");
    assert_eq!(first["total"], 190);
    let mut pages = vec![first];
    while let Some(older) = pages.last().and_then(|p| p["older"].as_str().map(str::to_owned)) {
        pages.push(page_in(&app, &ana, "UTC", &[("query", query), ("cursor", &older)]).await);
    }
    let seen: Vec<Vec<String>> = pages.iter().map(ids).collect();
    let wanted: Vec<Vec<String>> = expected.chunks(50).map(<[String]>::to_vec).collect();
    assert_eq!(seen, wanted, "four pages, newest first, 200 days old included");
    for (i, later) in pages.iter().enumerate().skip(1) {
        let newer = later["newer"].as_str().expect("a newer page");
        let back = page_in(&app, &ana, "UTC", &[("query", query), ("newer", newer)]).await;
        assert_eq!(ids(&back), seen[i - 1], "previous from page {} is page {i}", i + 1);
    }
}

#[tokio::test]
async fn a_search_with_more_matches_than_it_counts_says_so_and_draws_no_chart() {
    let app = spawn_app().await;
    let ana = signed_up(&app, "ana@loja.com").await;
    create_automation(&app, &ana, "ana-instance").await;
    insert_rows(&app, &ana, "ana-instance", 1300, 1).await;
    let found = page(&app, &ana, "period=all&q=tudo").await;
    assert_eq!((found["capped"].as_bool(), found["total"].as_i64()), (Some(true), Some(1000)));
    assert_eq!(found["days"], json!([]), "no chart of a part");
    assert_eq!(found["rows"].as_array().map(Vec::len), Some(50), "the rows still page");
    let rare = page(&app, &ana, "period=all&q=frete").await;
    assert_eq!(rare["capped"], false);
    assert_eq!(totals(&rare), counted(&app, "interaction_text ILIKE '%frete%'").await);
    let charted: i64 = rare["days"]
        .as_array()
        .expect("days")
        .iter()
        .map(|d| d["dm"].as_i64().unwrap_or(0) + d["comment"].as_i64().unwrap_or(0))
        .sum();
    let first_parts: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM instagram_reports WHERE interaction_text ILIKE '%frete%' AND part = 0",
    )
    .fetch_one(&app.state.pg)
    .await
    .expect("count");
    assert_eq!(charted, first_parts, "the chart counts interactions, not the second part of an answer");
}

#[tokio::test]
async fn the_filter_offers_the_callers_instances_and_automations_and_admins_every_owner() {
    let shop = shop_with(|_| {}).await;
    let ana = shop.app.me().await["id"].as_str().expect("id").to_owned();
    create_automation(&shop.app, &ana, &shop.instance_id).await;
    let choices = |app: &TestApp, query: &str| {
        let url = app.url(&format!("/api/reports/choices?query={}", app::domain::url::encode(query)));
        let client = app.client.clone();
        async move {
            let response = client.get(url).header("accept", "application/json").send().await.expect("request");
            assert_eq!(response.status(), 200);
            response.json::<Value>().await.expect("json")
        }
    };
    let labels = |list: &Value| -> Vec<String> {
        list.as_array().expect("list").iter().filter_map(|c| c["label"].as_str().map(str::to_owned)).collect()
    };
    let mine = choices(&shop.app, "").await;
    assert_eq!(labels(&mine["instances"]), ["Loja"]);
    assert_eq!(labels(&mine["automations"]), ["Frete · Loja"]);
    assert_eq!(labels(&mine["owners"]), Vec::<String>::new(), "owners are for admins");

    let eve = shop.app.another_browser();
    signed_up(&eve, "eve@loja.com").await;
    let hers = choices(&eve, &format!("instance={}", shop.instance_id)).await;
    assert_eq!((labels(&hers["instances"]), labels(&hers["automations"])), (vec![], vec![]), "nothing of Ana's");

    shop.app.create_user("root@clerky.com", "senha-forte-1", true).await;
    let admin = shop.app.another_browser();
    assert_eq!(admin.sign_in("root@clerky.com", "senha-forte-1").await.status(), 302);
    let every = choices(&admin, "").await;
    assert_eq!(labels(&every["instances"]), ["Loja (ana@loja.com)"], "every instance, with its owner");
    assert_eq!(labels(&every["owners"]), ["ana@loja.com", "eve@loja.com", "root@clerky.com"]);
    assert_eq!(labels(&every["automations"]), Vec::<String>::new(), "an admin picks an owner or instance first");
    let of_ana = choices(&admin, &format!("owner={ana}")).await;
    assert_eq!(labels(&of_ana["automations"]), ["Frete · Loja"]);
}

#[tokio::test]
async fn a_row_links_to_its_post_on_instagram_for_its_owner_only() {
    let shop = shop_with(|_| {}).await;
    let ana = shop.app.me().await["id"].as_str().expect("id").to_owned();
    let report = |media: &'static str| {
        let (pg, instance, ana) = (shop.app.state.pg.clone(), shop.instance_id.clone(), ana.clone());
        async move {
            sqlx::query_scalar::<_, String>(
                "INSERT INTO instagram_reports (id, instance_id, user_id, interaction_type, comment_id, media_id,
                     event_id, user_id_instagram, status, \"timestamp\")
                 VALUES (gen_random_uuid(), $1, $2, 'comment', $3 || '1', $3, $3 || '1', '1254477777772919', 'skipped', now())
                 RETURNING id::text",
            )
            .bind(instance)
            .bind(ana)
            .bind(media)
            .fetch_one(&pg)
            .await
            .expect("report")
        }
    };
    let on_post = report("17895695668004550").await;
    let response = shop.app.get(&format!("/api/reports/{on_post}/post")).await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers().get("location").and_then(|v| v.to_str().ok()),
        Some("https://www.instagram.com/p/004550/"),
        "the post's permalink, as Meta gives it"
    );
    // A media the account does not have: Meta says it does not exist; the page says so.
    let elsewhere = report("17800000000000000").await;
    let response = shop.app.get(&format!("/api/reports/{elsewhere}/post")).await;
    assert_eq!(response.status(), 303);
    let back = response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(back.starts_with("/reports?error="), "{back}");

    let eve = shop.app.another_browser();
    signed_up(&eve, "eve@loja.com").await;
    assert_eq!(eve.get(&format!("/api/reports/{on_post}/post")).await.status(), 404);
    assert_eq!(eve.get("/api/reports/not-an-id/post").await.status(), 404);
    let anonymous = shop.app.another_browser().get(&format!("/api/reports/{on_post}/post")).await;
    assert!(anonymous.headers().get("location").is_some_and(|l| l.to_str().is_ok_and(|l| l.starts_with("/sign-in"))));
}
