//! What a scenario did, from the outside (acknowledgement times), from PostgreSQL (reports and
//! their times) and from the sandbox (what Meta received), with where the CPU went.
use crate::{
    traffic::{Scenario, Sent},
    Args,
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Value};
use sqlx::PgPool;
use std::{collections::HashMap, time::Duration};

#[derive(Serialize)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub memory_gib: f64,
    pub kernel: String,
    pub postgres: String,
    pub fsync: String,
    pub synchronous_commit: String,
}

impl Machine {
    pub fn line(&self) -> String {
        format!(
            "machine: {} ({} cores), {:.0} GiB, Linux {}; {}; fsync={} synchronous_commit={}",
            self.cpu, self.cores, self.memory_gib, self.kernel, self.postgres, self.fsync, self.synchronous_commit
        )
    }
}

pub async fn machine(pg: &PgPool) -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").and_then(|r| r.split_once(':')).map(|(_, v)| v.trim().to_owned()))
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let kib: f64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default().trim().to_owned();
    let setting = |name: &'static str| async move {
        sqlx::query_scalar::<_, String>(&format!("SHOW {name}")).fetch_one(pg).await.unwrap_or_default()
    };
    let version: String =
        sqlx::query_scalar("SELECT split_part(version(), ' on ', 1)").fetch_one(pg).await.unwrap_or_default();
    Machine {
        cpu,
        cores,
        memory_gib: kib / 1024.0 / 1024.0,
        kernel,
        postgres: version,
        fsync: setting("fsync").await,
        synchronous_commit: setting("synchronous_commit").await,
    }
}

/// CPU time per process group since a sample, as a share of the whole machine.
pub struct Cpu {
    at: std::time::Instant,
    machine: u64,
    groups: HashMap<&'static str, u64>,
}

/// Which group a process belongs to, by its name.
fn group(comm: &str, pid: u32) -> Option<&'static str> {
    if pid == std::process::id() {
        return Some("loadgen");
    }
    match comm {
        "server" => Some("server"),
        "meta-sandbox" => Some("sandbox"),
        "postgres" => Some("postgres"),
        name if name.starts_with("secantus") || name.starts_with("python") => Some("mongodb"),
        _ => None,
    }
}

impl Cpu {
    pub fn sample() -> Self {
        let mut groups = HashMap::new();
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
            let Some((comm, rest)) = stat.split_once(" (").and_then(|(_, r)| r.rsplit_once(") ")) else { continue };
            let Some(group) = group(comm, pid) else { continue };
            let fields: Vec<&str> = rest.split_whitespace().collect();
            // utime and stime are fields 14 and 15 of stat; here, after pid and comm, 11 and 12.
            let ticks: u64 = fields.get(11..13).into_iter().flatten().filter_map(|f| f.parse::<u64>().ok()).sum();
            *groups.entry(group).or_default() += ticks;
        }
        let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
        let machine = stat
            .lines()
            .next()
            .map(|l| l.split_whitespace().skip(1).filter_map(|f| f.parse::<u64>().ok()).sum())
            .unwrap_or(0);
        Self { at: std::time::Instant::now(), machine, groups }
    }

    /// Percent of the machine (all cores) each group used since `self`, and how much stayed idle.
    pub fn since(self) -> HashMap<String, f64> {
        let now = Self::sample();
        let total = now.machine.saturating_sub(self.machine).max(1) as f64;
        let mut shares: HashMap<String, f64> =
            self.ticks_until(&now).map(|(group, ticks)| (group, ticks as f64 * 100.0 / total)).collect();
        let used: f64 = shares.values().sum();
        shares.insert("other_or_idle".into(), (100.0 - used).max(0.0));
        shares.insert("seconds".into(), self.at.elapsed().as_secs_f64());
        shares
    }

    /// CPU milliseconds each group used since `self`: unlike a share of the machine, steady when
    /// a neighbour on the host takes cycles away.
    pub fn millis_since(self) -> HashMap<String, f64> {
        // Linux counts `stat` times in USER_HZ, 100 per second on every architecture it runs on.
        const MILLIS_PER_TICK: f64 = 10.0;
        let now = Self::sample();
        self.ticks_until(&now).map(|(group, ticks)| (group, ticks as f64 * MILLIS_PER_TICK)).collect()
    }

    /// The ticks each group used between `self` and `now`.
    fn ticks_until<'a>(&'a self, now: &'a Self) -> impl Iterator<Item = (String, u64)> + 'a {
        now.groups.iter().map(|(group, ticks)| {
            let before = self.groups.get(group).copied().unwrap_or(0);
            ((*group).to_owned(), ticks.saturating_sub(before))
        })
    }
}

pub async fn sandbox_stats(sandbox: &str) -> Result<Value, String> {
    reqwest::get(format!("{sandbox}/_sandbox/stats"))
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| format!("sandbox stats: {e}"))?
        .json()
        .await
        .map_err(|e| e.to_string())
}

/// Waits until no delivery waits for intake and no reply waits to be sent.
pub async fn wait_for_work(pg: &PgPool, longest: Duration) {
    let started = std::time::Instant::now();
    while started.elapsed() < longest {
        let left: Result<(i64, i64), _> = sqlx::query_as(
            "SELECT (SELECT count(*) FROM intake_queue),
                    (SELECT count(*) FROM instagram_reports WHERE status = 'pending')",
        )
        .fetch_one(pg)
        .await;
        if matches!(left, Ok((0, 0))) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Waits for the tail of a scenario (echoes, username look-ups) before the next one starts, then
/// vacuums the engine's tables and checkpoints: each scenario starts from the same state instead
/// of paying for the maintenance its predecessors left behind (its own it pays for).
pub async fn quiet(pg: &PgPool, longest: Duration) {
    settle(pg, longest).await;
    for sql in [
        "VACUUM (ANALYZE) instagram_reports, instagram_messages, instagram_comments, instagram_people,
             webhook_deliveries, intake_queue, outbound_accounts, daily_reply_counts",
        "CHECKPOINT",
    ] {
        if let Err(error) = sqlx::query(sql).execute(pg).await {
            eprintln!("bench: {sql}: {error}");
        }
    }
}

async fn settle(pg: &PgPool, longest: Duration) {
    tokio::time::sleep(Duration::from_secs(2)).await;
    wait_for_work(pg, longest).await;
    let started = std::time::Instant::now();
    while started.elapsed() < longest {
        let due: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM instagram_people WHERE username IS NULL AND next_lookup_at <= now()",
        )
        .fetch_one(pg)
        .await
        .unwrap_or(0);
        if due == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// `perf` sampling the whole machine while a scenario runs, when `BENCH_PERF_DIR` names where to
/// put what it found: by process, and the costliest functions.
pub struct Perf {
    child: Option<std::process::Child>,
    data: std::path::PathBuf,
    report: std::path::PathBuf,
}

impl Perf {
    pub fn start(label: &str, scenario: char) -> Self {
        let Ok(dir) = std::env::var("BENCH_PERF_DIR") else {
            return Self { child: None, data: Default::default(), report: Default::default() };
        };
        let name = format!("{}-{scenario}", label.replace(' ', "-"));
        let data = std::path::Path::new(&dir).join(format!("perf-{name}.data"));
        let report = std::path::Path::new(&dir).join(format!("profile-{name}.txt"));
        let child = std::process::Command::new("perf")
            .args(["record", "-a", "-e", "cpu-clock", "-F", "499", "-o"])
            .arg(&data)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .ok();
        Self { child, data, report }
    }

    pub fn finish(mut self) {
        let Some(mut child) = self.child.take() else { return };
        let _ = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status();
        let _ = child.wait();
        let report = |sort: &str, limit: &str| {
            std::process::Command::new("perf")
                .args(["report", "--stdio", "--sort", sort, "--percent-limit", limit, "-i"])
                .arg(&self.data)
                .output()
                .map(|o| {
                    String::from_utf8_lossy(&o.stdout).lines().filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n")
                })
                .unwrap_or_default()
        };
        let text = format!("{}\n\n{}\n", report("comm", "0.5"), report("comm,dso,symbol", "0.3"));
        let _ = std::fs::write(&self.report, text);
        println!("profile written to {}", self.report.display());
    }
}

/// Starts PostgreSQL's statement and WAL statistics afresh for a scenario (when the cluster has
/// `pg_stat_statements`; the figures say what PostgreSQL spent its time on).
pub async fn reset_postgres_stats(pg: &PgPool) {
    let _ = sqlx::query("SELECT pg_stat_reset_shared('wal')").execute(pg).await;
    let _ = sqlx::query("SELECT pg_stat_statements_reset()").execute(pg).await;
}

/// WAL written since the reset, and the statements that took the most time.
pub async fn postgres_stats(pg: &PgPool) -> Value {
    let wal: Option<(i64, i64, f64, i64, f64)> =
        sqlx::query_as("SELECT wal_records, wal_fpi, wal_bytes::float8, wal_sync, wal_sync_time FROM pg_stat_wal")
            .fetch_optional(pg)
            .await
            .ok()
            .flatten();
    let statements: Vec<(f64, i64, i64, String)> = sqlx::query_as(
        "SELECT total_exec_time, calls, rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 100)
         FROM pg_stat_statements WHERE query NOT LIKE '%bench_events%' ORDER BY total_exec_time DESC LIMIT 12",
    )
    .fetch_all(pg)
    .await
    .unwrap_or_default();
    json!({
        "wal": wal.map(|(records, fpi, bytes, syncs, sync_ms)| json!({
            "records": records, "full_page_images": fpi, "megabytes": bytes / 1e6, "syncs": syncs, "sync_ms": sync_ms })),
        "statements": statements.into_iter().map(|(ms, calls, rows, query)| json!({
            "total_ms": ms.round(), "calls": calls, "rows": rows, "query": query })).collect::<Vec<_>>(),
    })
}

/// The reports of a scenario's events.
pub struct Reports {
    pub reported: i64,
    pub sent: i64,
    pub failed: i64,
    pub skipped: i64,
    pub pending: i64,
    pub last_completed: Option<DateTime<Utc>>,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
}

pub async fn reports(pg: &PgPool, ids: &[String]) -> Result<Reports, String> {
    let mut db = pg.acquire().await.map_err(|e| e.to_string())?;
    let err = |e: sqlx::Error| e.to_string();
    sqlx::query("CREATE TEMP TABLE IF NOT EXISTS bench_events (id text PRIMARY KEY)")
        .execute(&mut *db)
        .await
        .map_err(err)?;
    sqlx::query("TRUNCATE bench_events").execute(&mut *db).await.map_err(err)?;
    for chunk in ids.chunks(50_000) {
        sqlx::query("INSERT INTO bench_events SELECT DISTINCT unnest($1::text[]) ON CONFLICT DO NOTHING")
            .bind(chunk)
            .execute(&mut *db)
            .await
            .map_err(err)?;
    }
    type Row = (i64, i64, i64, i64, i64, Option<DateTime<Utc>>, Option<f64>, Option<f64>);
    let row: Row = sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE r.status = 'sent'), count(*) FILTER (WHERE r.status = 'failed'),
                count(*) FILTER (WHERE r.status = 'skipped'), count(*) FILTER (WHERE r.status = 'pending'),
                max(r.completed_at),
                percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM r.completed_at - r.received_at) * 1000),
                percentile_cont(0.99) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM r.completed_at - r.received_at) * 1000)
         FROM bench_events e JOIN instagram_reports r ON r.event_id = e.id",
    )
    .fetch_one(&mut *db)
    .await
    .map_err(err)?;
    Ok(Reports {
        reported: row.0,
        sent: row.1,
        failed: row.2,
        skipped: row.3,
        pending: row.4,
        last_completed: row.5,
        p50_ms: row.6,
        p99_ms: row.7,
    })
}

#[derive(Serialize)]
pub struct ScenarioResult {
    pub scenario: String,
    pub title: String,
    pub events: usize,
    pub events_per_post: usize,
    pub offered_per_second: f64,
    pub acknowledged_per_second: f64,
    pub ack_p50_ms: f64,
    pub ack_p99_ms: f64,
    pub ack_max_ms: f64,
    pub failed_posts: usize,
    pub end_to_end_per_second: f64,
    pub end_to_end_seconds: f64,
    pub receipt_to_report_p50_ms: f64,
    pub receipt_to_report_p99_ms: f64,
    pub replies_sent: i64,
    pub replies_failed: i64,
    pub skipped: i64,
    pub lost: i64,
    pub duplicated: i64,
    pub graph_calls: i64,
    pub cpu_percent_of_machine: HashMap<String, f64>,
    /// WAL and the costliest statements during the scenario.
    pub postgres: Value,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (p / 100.0 * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

impl ScenarioResult {
    #[expect(clippy::too_many_arguments, reason = "one call site, each part measured elsewhere")]
    pub fn new(
        scenario: &Scenario,
        sent: &Sent,
        sent_for: Duration,
        started_at: DateTime<Utc>,
        reports: Reports,
        before: Value,
        after: Value,
        cpu: HashMap<String, f64>,
        postgres: Value,
    ) -> Self {
        let delta = |name: &str| after[name].as_i64().unwrap_or(0) - before[name].as_i64().unwrap_or(0);
        let e2e = reports.last_completed.map_or(0.0, |last| (last - started_at).num_milliseconds() as f64 / 1000.0);
        let acked = i64::try_from(sent.acknowledged_events).unwrap_or(i64::MAX);
        Self {
            scenario: scenario.key.to_string(),
            title: scenario.title.to_owned(),
            events: sent.offered_events,
            events_per_post: scenario.per_post,
            offered_per_second: sent.offered_events as f64 / sent.scheduled.as_secs_f64().max(0.001),
            acknowledged_per_second: sent.acknowledged_events as f64 / sent_for.as_secs_f64().max(0.001),
            ack_p50_ms: percentile(&sent.latencies_ms, 50.0),
            ack_p99_ms: percentile(&sent.latencies_ms, 99.0),
            ack_max_ms: sent.latencies_ms.last().copied().unwrap_or(0.0),
            failed_posts: sent.failed_posts,
            end_to_end_per_second: if e2e > 0.0 { reports.reported as f64 / e2e } else { 0.0 },
            end_to_end_seconds: e2e,
            receipt_to_report_p50_ms: reports.p50_ms.unwrap_or(0.0),
            receipt_to_report_p99_ms: reports.p99_ms.unwrap_or(0.0),
            replies_sent: reports.sent,
            replies_failed: reports.failed,
            skipped: reports.skipped,
            lost: (acked - (reports.reported - reports.pending)).max(0),
            duplicated: delta("duplicate_tagged_sends") + delta("duplicate_public_replies"),
            graph_calls: delta("graph_calls"),
            cpu_percent_of_machine: cpu,
            postgres,
        }
    }

    pub fn line(&self, label: &str) -> String {
        let cpu = |name: &str| self.cpu_percent_of_machine.get(name).copied().unwrap_or(0.0);
        let wal = &self.postgres["wal"];
        let wal = if wal.is_object() {
            format!(
                "; WAL {:.0} MB, {} syncs ({:.0} ms)",
                wal["megabytes"].as_f64().unwrap_or(0.0),
                wal["syncs"],
                wal["sync_ms"].as_f64().unwrap_or(0.0)
            )
        } else {
            String::new()
        };
        format!(
            "[{label}] ({}) {}: offered {:.0}/s, acked {:.0}/s, ack p50 {:.1} ms p99 {:.1} ms max {:.1} ms; \
             end to end {:.0} events/s ({} events in {:.1} s); receipt to report p50 {:.0} ms p99 {:.0} ms; \
             replies {} sent {} failed; lost {}; duplicated {}; cpu % of machine: server {:.0}, postgres {:.0}, \
             sandbox {:.0}, loadgen {:.0}, mongodb {:.0}{wal}",
            self.scenario,
            self.title,
            self.offered_per_second,
            self.acknowledged_per_second,
            self.ack_p50_ms,
            self.ack_p99_ms,
            self.ack_max_ms,
            self.end_to_end_per_second,
            self.events,
            self.end_to_end_seconds,
            self.receipt_to_report_p50_ms,
            self.receipt_to_report_p99_ms,
            self.replies_sent,
            self.replies_failed,
            self.lost,
            self.duplicated,
            cpu("server"),
            cpu("postgres"),
            cpu("sandbox"),
            cpu("loadgen"),
            cpu("mongodb"),
        )
    }
}

pub fn write_json(args: &Args, machine: &Machine, results: &[ScenarioResult]) -> Result<(), String> {
    if let Some(folder) = args.json.parent() {
        std::fs::create_dir_all(folder).map_err(|e| e.to_string())?;
    }
    let figures = json!({
        "label": args.label,
        "processes": args.app.len(),
        "accounts": args.accounts,
        "followers": args.followers,
        "duration_seconds": args.duration,
        "machine": machine,
        "scenarios": results,
    });
    let text = serde_json::to_string_pretty(&figures).map_err(|e| e.to_string())?;
    std::fs::write(&args.json, text).map_err(|e| e.to_string())?;
    println!("figures written to {}", args.json.display());
    Ok(())
}
