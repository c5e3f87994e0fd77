//! Reports: who sees which rows, keyset pages, the CSV's format, and a 100,000-row export whose
//! server memory stays flat.
use crate::helpers::{spawn_app, TestApp, JWT_SECRET};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use std::{collections::HashSet, process::Stdio, time::Duration};

async fn signed_up(app: &TestApp, email: &str) -> String {
    assert_eq!(app.sign_up(email, "senha-forte-1").await.status(), 302);
    app.me().await["id"].as_str().expect("id").to_owned()
}

/// `count` rows for `user` on `instance`, one second apart, newest first.
async fn insert_rows(app: &TestApp, user: &str, instance: &str, count: i32, text: &str) {
    sqlx::query(
        "INSERT INTO instagram_reports (id, instance_id, user_id, interaction_type, event_id, user_id_instagram,
                                        username, interaction_text, response_text, status, \"timestamp\")
         SELECT gen_random_uuid(), $1, $2, CASE WHEN g % 3 = 0 THEN 'comment' ELSE 'dm' END, $1 || '-' || g,
                '1254477777772919', 'cliente' || (g % 4), $4, 'Oi!', (ARRAY['sent','failed','skipped'])[1 + g % 3],
                now() - make_interval(secs => g)
         FROM generate_series(1, $3) g",
    )
    .bind(instance)
    .bind(user)
    .bind(count)
    .bind(text)
    .execute(&app.state.pg)
    .await
    .expect("rows");
}

async fn page(app: &TestApp, query: &str, cursor: Option<&str>) -> (u16, Value) {
    let mut params = vec![("query", query.to_owned())];
    if let Some(cursor) = cursor {
        params.push(("cursor", cursor.to_owned()));
    }
    let response = app
        .client
        .get(app.url("/api/reports"))
        .query(&params)
        .header("accept", "application/json")
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn ids(page: &Value) -> Vec<String> {
    page["rows"]
        .as_array()
        .map(|rows| rows.iter().filter_map(|r| r["id"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

fn bearer(user_id: &str) -> String {
    let claims = json!({ "sub": user_id, "exp": chrono::Utc::now().timestamp() + 600 });
    encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(JWT_SECRET.as_bytes())).expect("jwt")
}

#[tokio::test]
async fn users_see_only_their_own_reports_and_admins_see_everyones() {
    let app = spawn_app().await;
    let ana = signed_up(&app, "ana@loja.com").await;
    let eve_browser = app.another_browser();
    let eve = signed_up(&eve_browser, "eve@loja.com").await;
    insert_rows(&app, &ana, "ana-instance", 3, "da Ana").await;
    insert_rows(&app, &eve, "eve-instance", 2, "da Eve").await;

    let (status, mine) = page(&eve_browser, "period=all", None).await;
    assert_eq!(status, 200);
    assert_eq!(ids(&mine).len(), 2);
    assert!(mine["rows"].as_array().is_some_and(|rows| rows.iter().all(|r| r["text"] == "da Eve")));
    assert_eq!(
        ids(&page(&eve_browser, "period=all&instance=ana-instance", None).await.1).len(),
        0,
        "asking for Ana's instance shows nothing"
    );
    assert_eq!(
        ids(&page(&eve_browser, &format!("period=all&owner={ana}"), None).await.1).len(),
        2,
        "owner is for admins only"
    );

    let csv = reqwest::Client::new()
        .get(app.url("/api/reports/export.csv?period=all"))
        .bearer_auth(bearer(&eve))
        .send()
        .await
        .expect("csv")
        .text()
        .await
        .expect("text");
    assert_eq!(csv.lines().count(), 3, "a script with a Bearer token exports only its user's rows");
    assert!(!csv.contains("da Ana"));
    let anonymous = reqwest::Client::new().get(app.url("/api/reports/export.csv")).send().await.expect("csv");
    assert_eq!(anonymous.status(), 401);
    assert_eq!(page(&app.another_browser(), "", None).await.0, 401);

    app.create_user("root@clerky.com", "senha-forte-1", true).await;
    let admin = app.another_browser();
    assert_eq!(admin.sign_in("root@clerky.com", "senha-forte-1").await.status(), 302);
    assert_eq!(ids(&page(&admin, "period=all", None).await.1).len(), 5);
    assert_eq!(ids(&page(&admin, &format!("period=all&owner={ana}"), None).await.1).len(), 3);
}

#[tokio::test]
async fn keyset_pages_cover_every_row_once_and_filters_combine() {
    let app = spawn_app().await;
    let ana = signed_up(&app, "ana@loja.com").await;
    insert_rows(&app, &ana, "ana-instance", 120, "oi").await;

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let (status, body) = page(&app, "period=all", cursor.as_deref()).await;
        assert_eq!(status, 200);
        seen.extend(ids(&body));
        pages += 1;
        match body["older"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!((pages, seen.len()), (3, 120));
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 120, "no row twice");
    let (_, first) = page(&app, "period=all", None).await;
    let totals: i64 = first["totals"].as_array().expect("totals").iter().filter_map(|t| t[1].as_i64()).sum();
    assert_eq!(totals, 120);
    let days: i64 = first["days"]
        .as_array()
        .expect("days")
        .iter()
        .map(|d| d["dm"].as_i64().unwrap_or(0) + d["comment"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(days, 120, "the chart counts every row");

    // Every third row is a sent comment; type, status and username combine.
    let (_, narrowed) = page(&app, "period=all&type=comment&status=sent&username=%40Cliente1", None).await;
    for row in narrowed["rows"].as_array().expect("rows") {
        assert_eq!(
            (row["kind"].as_str(), row["status"].as_str(), row["username"].as_str()),
            (Some("comment"), Some("sent"), Some("cliente1"))
        );
    }
    let expected: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM instagram_reports WHERE interaction_type = 'comment' AND status = 'sent' AND username = 'cliente1'",
    )
    .fetch_one(&app.state.pg)
    .await
    .expect("count");
    assert_eq!(i64::try_from(ids(&narrowed).len()).expect("small"), expected);
    assert!(expected > 0, "the filter selects something");
}

#[tokio::test]
async fn the_csv_is_excel_friendly_rfc_4180_with_iso_times() {
    let app = spawn_app().await;
    let ana = signed_up(&app, "ana@loja.com").await;
    sqlx::query(
        "INSERT INTO instagram_reports (id, instance_id, user_id, interaction_type, event_id, comment_id, media_id,
             user_id_instagram, username, interaction_text, response_text, response_type, status, error, \"timestamp\")
         VALUES ('0192f0c0-0000-7000-8000-000000000001', 'i1', $1, 'comment', 'c1', 'c1', 'm1', '1254477777772919',
                 'joão', $2, '=HYPERLINK(\"http://x\")', 'comment', 'failed', 'Erro, \"grave\"', '2026-11-23T12:34:56Z')",
    )
    .bind(&ana)
    .bind("Preço, \"promoção\"\nlinha 2 😀 ç")
    .execute(&app.state.pg)
    .await
    .expect("row");
    let response = app.get("/api/reports/export.csv?period=all").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(response.headers()["content-disposition"].to_str().unwrap_or("").starts_with("attachment; filename="));
    let bytes = response.bytes().await.expect("body");
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "a UTF-8 BOM for Excel");
    let text = std::str::from_utf8(&bytes[3..]).expect("utf-8");
    assert_eq!(
        text,
        "data_hora,tipo,instancia,comentario_id,usuario_id_instagram,midia_id,username,texto,resposta,resposta_tipo,status,motivo,id\r\n\
         2026-11-23T12:34:56Z,comment,i1,c1,1254477777772919,m1,joão,\"Preço, \"\"promoção\"\"\nlinha 2 😀 ç\",\
         \"'=HYPERLINK(\"\"http://x\"\")\",publica,failed,\"Erro, \"\"grave\"\"\",0192f0c0-0000-7000-8000-000000000001\r\n"
    );
    // For a spreadsheet set to pt-BR: `;` between cells, quotes where a cell holds one.
    let response = app.get("/api/reports/export.csv?period=all&separator=semicolon").await;
    assert_eq!(response.status(), 200);
    let bytes = response.bytes().await.expect("body");
    let text = std::str::from_utf8(&bytes[3..]).expect("utf-8");
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert!(lines[0].starts_with("data_hora;tipo;instancia;comentario_id;"), "{}", lines[0]);
    assert!(
        text.contains(";\"Erro, \"\"grave\"\"\";"),
        "a cell with a comma needs no quotes for `;`, but quotes stay quoted: {text}"
    );
    // The separator is not a filter: a bad one is a comma, and the filter still applies.
    let filtered =
        app.get("/api/reports/export.csv?period=all&status=sent&separator=tab").await.text().await.expect("csv");
    assert_eq!(filtered.trim_start_matches('\u{feff}').lines().count(), 1, "only the header: {filtered}");
}

/// Peak resident memory of a process so far (`VmHWM`), in KiB.
fn peak_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn a_100000_row_export_streams_in_bounded_memory() {
    const ROWS: i32 = 100_000;
    let app = spawn_app().await;
    let ana = signed_up(&app, "ana@loja.com").await;
    // About 400 bytes a row: a 40 MB file.
    insert_rows(&app, &ana, "ana-instance", ROWS, &"texto de exemplo ".repeat(22)).await;

    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port");
    let mut server = tokio::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .env_clear()
        .envs(&app.vars)
        .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("server binary");
    let pid = server.id().expect("pid");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if client.get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status() == 200) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let token = bearer(&ana);
    // Warm up: the first request loads what every request needs.
    let small = client
        .get(format!("{base}/api/reports/export.csv?period=all&username=nobody"))
        .bearer_auth(&token)
        .send()
        .await;
    assert_eq!(small.expect("warm-up").status(), 200);
    let before = peak_kib(pid);

    let mut response = client
        .get(format!("{base}/api/reports/export.csv?period=all"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("export");
    let (mut bytes, mut lines) = (0_usize, 0_usize);
    while let Some(chunk) = response.chunk().await.expect("chunk") {
        bytes += chunk.len();
        lines += chunk.iter().filter(|b| **b == b'\n').count();
    }
    let grown_kib = peak_kib(pid).saturating_sub(before);
    server.start_kill().expect("kill");

    assert_eq!(lines, usize::try_from(ROWS).expect("fits") + 1, "every row and the header");
    assert!(bytes > 40_000_000, "a big file: {bytes} bytes");
    assert!(grown_kib < 16 * 1024, "the server's peak memory grew {grown_kib} KiB for a {bytes}-byte export");
}
