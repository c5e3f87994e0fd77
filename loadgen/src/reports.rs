//! `make bench-reports`: one user with many report rows (1,000,000 by default) over 90 days, three
//! instances and four automations; then, against the release server, the time every filter
//! combination of the reports API takes (sequential, p50/p95/max), the full CSV export (time,
//! size, the server's peak memory before and after), and server rendering under 16 clients
//! (pages/s and latency per page).
use crate::{setup, Args};
use reqwest::Client;
use serde_json::{json, Value};
use sqlx::PgPool;
use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

const INSTANCES: [&str; 3] = ["bench-loja-centro", "bench-loja-norte", "bench-loja-sul"];
const AUTOMATIONS: [&str; 4] = [
    "0192f0c0-0000-7000-8000-0000000b0001",
    "0192f0c0-0000-7000-8000-0000000b0002",
    "0192f0c0-0000-7000-8000-0000000b0003",
    "0192f0c0-0000-7000-8000-0000000b0004",
];
/// Rows per INSERT while seeding.
const SEED_CHUNK: i64 = 100_000;
/// Requests per filter combination.
const SAMPLES: usize = 100;
/// Clients rendering pages at once.
const CLIENTS: usize = 16;

pub async fn run(args: &Args, pg: &PgPool, rows: i64) -> Result<(), String> {
    let app = args.app.first().ok_or("no --app")?.clone();
    let client = setup::sign_up(&app, &args.mail_api, 0).await?;
    let me = get_json(&client, &format!("{app}/api/me"), &[]).await?;
    let user = me["id"].as_str().ok_or("who am I?")?.to_owned();

    let seeded: i64 = sqlx::query_scalar("SELECT count(*) FROM instagram_reports WHERE user_id = $1")
        .bind(&user)
        .fetch_one(pg)
        .await
        .map_err(err)?;
    if seeded < rows {
        let started = Instant::now();
        seed(pg, &user, seeded, rows).await?;
        println!("seeded {} report rows in {:.1} s", rows - seeded, started.elapsed().as_secs_f64());
    } else {
        println!("{seeded} report rows from an earlier run");
    }
    let rollups: i64 = sqlx::query_scalar("SELECT count(*) FROM report_rollups").fetch_one(pg).await.map_err(err)?;
    println!("rollups: {rollups} rows for {rows} report rows");

    let mut figures = Vec::new();
    println!("== the reports API, {SAMPLES} requests per filter, one after another");
    for (name, query) in filters() {
        let timing = sequential(&client, &format!("{app}/api/reports"), &[("query", query.as_str())]).await?;
        println!("{}", timing.line(&name));
        figures.push(json!({ "what": "api", "filter": name, "query": query, "ms": timing.json() }));
    }
    let first = get_json(&client, &format!("{app}/api/reports"), &[("query", "period=all")]).await?;
    if let Some(cursor) = first["older"].as_str() {
        let timing =
            sequential(&client, &format!("{app}/api/reports"), &[("query", "period=all"), ("cursor", cursor)]).await?;
        println!("{}", timing.line("everything, second page"));
        figures.push(json!({ "what": "api", "filter": "everything, second page", "ms": timing.json() }));
    }

    println!("== the CSV export of every row");
    let peak_before = args.server_pid.map(peak_kib);
    let started = Instant::now();
    let mut response = client.get(format!("{app}/api/reports/export.csv?period=all")).send().await.map_err(err)?;
    let (mut bytes, mut lines) = (0usize, 0usize);
    while let Some(chunk) = response.chunk().await.map_err(err)? {
        bytes += chunk.len();
        lines += chunk.iter().filter(|b| **b == b'\n').count();
    }
    let took = started.elapsed().as_secs_f64();
    let peak_after = args.server_pid.map(peak_kib);
    let memory = match (peak_before, peak_after) {
        (Some(before), Some(after)) => {
            format!(", server peak memory {} MiB before, {} MiB after", before / 1024, after / 1024)
        }
        _ => String::new(),
    };
    println!(
        "csv: {} rows, {:.0} MB in {took:.2} s ({:.0} rows/s){memory}",
        lines.saturating_sub(1),
        bytes as f64 / 1e6,
        lines as f64 / took
    );
    figures.push(json!({ "what": "csv", "rows": lines.saturating_sub(1), "bytes": bytes, "seconds": took,
                         "peak_kib_before": peak_before, "peak_kib_after": peak_after }));

    println!("== server rendering, {CLIENTS} clients, {} s per page", args.duration);
    let perf = crate::measure::Perf::start("pages", 'r');
    let anonymous = Client::builder().redirect(reqwest::redirect::Policy::none()).build().map_err(err)?;
    for (page, who) in [
        ("/sign-in", &anonymous),
        ("/instances", &client),
        ("/automations", &client),
        ("/reports", &client),
        ("/reports?period=all&status=failed", &client),
    ] {
        let cpu = crate::measure::Cpu::sample();
        let (rate, timing) = concurrent(who, &format!("{app}{page}"), Duration::from_secs(args.duration)).await?;
        // Where each page's time goes, in CPU time per page by process.
        let pages = timing.millis.len().max(1) as f64;
        let per_page: BTreeMap<String, f64> = cpu.millis_since().into_iter().map(|(k, ms)| (k, ms / pages)).collect();
        let spent = per_page.iter().map(|(k, ms)| format!("{k} {ms:.2}")).collect::<Vec<_>>().join(", ");
        println!("{} ({rate:.0} pages/s; CPU ms per page: {spent})", timing.line(page));
        figures.push(json!({ "what": "page", "page": page, "pages_per_second": rate, "ms": timing.json(),
                             "cpu_ms_per_page": per_page }));
    }
    perf.finish();
    let machine = crate::measure::machine(pg).await;
    if let Some(dir) = args.json.parent() {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    let out = json!({ "machine": machine.line(), "rows": rows, "rollups": rollups, "figures": figures });
    std::fs::write(&args.json, serde_json::to_string_pretty(&out).map_err(err)?).map_err(err)?;
    println!("figures written to {}", args.json.display());
    Ok(())
}

/// The filter combinations a person uses, as the page's query strings.
fn filters() -> Vec<(String, String)> {
    let (instance, automation) = (INSTANCES[1], AUTOMATIONS[2]);
    [
        ("everything", "period=all".to_owned()),
        ("last 30 days (the default)", String::new()),
        ("today", "period=today".to_owned()),
        ("comments", "period=all&type=comment".to_owned()),
        ("failed replies", "period=all&status=failed".to_owned()),
        ("pending DMs", "period=all&type=dm&status=pending".to_owned()),
        ("one instance", format!("period=all&instance={instance}")),
        ("one instance, failed comments, 7 days", format!("period=7d&instance={instance}&type=comment&status=failed")),
        ("one automation", format!("period=all&automation={automation}")),
        ("custom period", "period=custom&from=2026-10-01&to=2026-10-31".to_owned()),
        ("one @username", "period=all&username=cliente4242".to_owned()),
        ("free text, rare", "period=all&q=reembolso".to_owned()),
        ("free text, common", "period=all&q=pre%C3%A7o".to_owned()),
    ]
    .into_iter()
    .map(|(name, query)| (name.to_owned(), query))
    .collect()
}

/// The rows, as the engine would have written them: types, statuses, parts, automations, 20,000
/// people and a few texts, spread over the last 90 days.
async fn seed(pg: &PgPool, user: &str, from: i64, to: i64) -> Result<(), String> {
    for (i, automation) in AUTOMATIONS.iter().enumerate() {
        sqlx::query(
            "INSERT INTO instagram_automations (id, user_id, instance_id, name, type, trigger_type, keywords, direct_reply)
             VALUES ($1::uuid, $2, $3, $4, 'dm', 'keyword', '{preço}', 'Segue o link!') ON CONFLICT (id) DO NOTHING",
        )
        .bind(automation)
        .bind(user)
        .bind(INSTANCES[i % INSTANCES.len()])
        .bind(format!("Automação {}", i + 1))
        .execute(pg)
        .await
        .map_err(err)?;
    }
    let mut start = from;
    while start < to {
        let end = (start + SEED_CHUNK).min(to);
        sqlx::query(
            "INSERT INTO instagram_reports (id, instance_id, user_id, automation_id, interaction_type, event_id, part,
                 comment_id, media_id, user_id_instagram, username, interaction_text, response_text, response_type,
                 status, error, \"timestamp\", received_at, completed_at)
             SELECT gen_random_uuid(), ($3::text[])[1 + g % 3], $2,
                    CASE WHEN g % 10 < 4 THEN ($4::uuid[])[1 + g % 4] END,
                    CASE WHEN g % 5 < 2 THEN 'comment' ELSE 'dm' END, 'bench-' || g, 0,
                    CASE WHEN g % 5 < 2 THEN 'c' || g END, CASE WHEN g % 5 < 2 THEN '17895695668004550' END,
                    (1000000 + g % 20000)::text, 'cliente' || (g % 20000),
                    (ARRAY['qual o preço?', 'oi, tudo bem?', 'quero o link', 'tem frete grátis?', 'amei ❤️',
                           'pode me mandar o catálogo?', 'qual o horário?', 'obrigada!'])[1 + g % 8]
                        || CASE WHEN g % 997 = 0 THEN ' e o reembolso?' ELSE '' END,
                    CASE WHEN g % 10 < 4 THEN 'Segue o link!' END,
                    CASE WHEN g % 10 < 4 THEN 'direct' END,
                    CASE WHEN g % 10 >= 4 THEN 'skipped' WHEN g % 100 < 5 THEN 'failed' WHEN g % 100 < 7 THEN 'pending' ELSE 'sent' END,
                    CASE WHEN g % 10 >= 4 THEN 'no_match' WHEN g % 100 < 5 THEN 'outside_window' END,
                    now() - make_interval(secs => (g::float8 / $5) * 90 * 86400),
                    now() - make_interval(secs => (g::float8 / $5) * 90 * 86400),
                    now() - make_interval(secs => (g::float8 / $5) * 90 * 86400)
             FROM generate_series($1::int8, $6::int8 - 1) g",
        )
        .bind(start)
        .bind(user)
        .bind(INSTANCES.to_vec())
        .bind(AUTOMATIONS.to_vec())
        .bind(to as f64)
        .bind(end)
        .execute(pg)
        .await
        .map_err(err)?;
        start = end;
    }
    sqlx::query("VACUUM ANALYZE instagram_reports").execute(pg).await.map_err(err)?;
    // The server's scheduled job folds the seeded rows' counts into the rollups within seconds.
    for _ in 0..120 {
        let waiting: i64 =
            sqlx::query_scalar("SELECT count(*) FROM report_rollup_deltas").fetch_one(pg).await.map_err(err)?;
        if waiting == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    sqlx::query("VACUUM ANALYZE report_rollups").execute(pg).await.map_err(err)?;
    Ok(())
}

struct Timing {
    millis: Vec<f64>,
}

impl Timing {
    fn new(mut millis: Vec<f64>) -> Self {
        millis.sort_by(f64::total_cmp);
        Self { millis }
    }

    fn at(&self, share: f64) -> f64 {
        let last = self.millis.len().saturating_sub(1);
        self.millis.get(((last as f64) * share).round() as usize).copied().unwrap_or_default()
    }

    fn line(&self, name: &str) -> String {
        format!(
            "{name:<40} p50 {:>7.2} ms  p95 {:>7.2} ms  max {:>7.2} ms  ({} requests)",
            self.at(0.5),
            self.at(0.95),
            self.at(1.0),
            self.millis.len()
        )
    }

    fn json(&self) -> Value {
        json!({ "p50": self.at(0.5), "p95": self.at(0.95), "p99": self.at(0.99), "max": self.at(1.0), "n": self.millis.len() })
    }
}

async fn sequential(client: &Client, url: &str, query: &[(&str, &str)]) -> Result<Timing, String> {
    let mut millis = Vec::with_capacity(SAMPLES);
    // Two to warm up: the first request of a filter plans its statements.
    for i in 0..SAMPLES + 2 {
        let started = Instant::now();
        let response = client.get(url).query(query).header("accept", "application/json").send().await.map_err(err)?;
        let status = response.status();
        let body = response.bytes().await.map_err(err)?;
        if !status.is_success() {
            return Err(format!("{url} {query:?}: HTTP {status}: {}", String::from_utf8_lossy(&body)));
        }
        if i >= 2 {
            millis.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    Ok(Timing::new(millis))
}

/// `CLIENTS` clients fetching `url` back to back for `length`: pages per second and latencies.
async fn concurrent(client: &Client, url: &str, length: Duration) -> Result<(f64, Timing), String> {
    let started = Instant::now();
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (client, url) = (client.clone(), url.to_owned());
            tokio::spawn(async move {
                let mut millis = Vec::new();
                while started.elapsed() < length {
                    let at = Instant::now();
                    let response = client.get(&url).send().await.map_err(err)?;
                    let status = response.status();
                    response.bytes().await.map_err(err)?;
                    if status != 200 {
                        return Err(format!("{url}: HTTP {status}"));
                    }
                    millis.push(at.elapsed().as_secs_f64() * 1000.0);
                }
                Ok::<_, String>(millis)
            })
        })
        .collect();
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.map_err(err)??);
    }
    let rate = all.len() as f64 / started.elapsed().as_secs_f64();
    Ok((rate, Timing::new(all)))
}

async fn get_json(client: &Client, url: &str, query: &[(&str, &str)]) -> Result<Value, String> {
    let response = client.get(url).query(query).header("accept", "application/json").send().await.map_err(err)?;
    response.json().await.map_err(err)
}

/// The process's peak resident memory (VmHWM), in KiB.
fn peak_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn err(error: impl std::fmt::Display) -> String {
    error.to_string()
}
