//! What the service counts and times, each under one name, through the `metrics` facade: the
//! server installs the Prometheus recorder and serves `/metrics`; without one (the command line)
//! every call here is a no-op.
use std::time::Duration;

pub const WEBHOOK_DELIVERIES: &str = "insta_clerky_webhook_deliveries_total";
pub const REPLIES: &str = "insta_clerky_replies_total";
pub const JOB_DURATION: &str = "insta_clerky_job_duration_seconds";
pub const GRAPH_REQUESTS: &str = "insta_clerky_graph_requests_total";
pub const GRAPH_DURATION: &str = "insta_clerky_graph_request_duration_seconds";
pub const WEBSOCKET_CLIENTS: &str = "insta_clerky_websocket_clients";
pub const QUEUE_DEPTH: &str = "insta_clerky_queue_depth";
pub const QUEUE_OLDEST: &str = "insta_clerky_queue_oldest_seconds";
pub const DB_CONNECTIONS: &str = "insta_clerky_db_pool_connections";

/// The HELP text of each metric, once per process.
pub fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_counter!(WEBHOOK_DELIVERIES, "Webhook POSTs by outcome (stored, unsigned, invalid_json, ...)");
    describe_counter!(REPLIES, "Automated replies recorded, by status (sent, failed, retry)");
    describe_histogram!(JOB_DURATION, Unit::Seconds, "Engine work by job: an intake batch, one send, a record batch");
    describe_counter!(GRAPH_REQUESTS, "Calls to Meta's APIs by endpoint and HTTP status");
    describe_histogram!(GRAPH_DURATION, Unit::Seconds, "Latency of calls to Meta's APIs by endpoint");
    describe_gauge!(WEBSOCKET_CLIENTS, "Browsers connected to this process for live updates");
    describe_gauge!(QUEUE_DEPTH, "Items waiting, by queue (intake, outbox, dead_letters), across every process");
    describe_gauge!(QUEUE_OLDEST, Unit::Seconds, "Age of the oldest waiting item, by queue");
    describe_gauge!(DB_CONNECTIONS, "PostgreSQL connections of this process, by state (in_use, idle, max)");
}

/// A webhook POST answered: `stored` (acknowledged) or why not.
pub fn delivery(outcome: &'static str) {
    metrics::counter!(WEBHOOK_DELIVERIES, "outcome" => outcome).increment(1);
}

pub fn replies(status: &'static str, count: usize) {
    if count > 0 {
        metrics::counter!(REPLIES, "status" => status).increment(u64::try_from(count).unwrap_or(u64::MAX));
    }
}

pub fn job(job: &'static str, took: Duration) {
    metrics::histogram!(JOB_DURATION, "job" => job).record(took.as_secs_f64());
}

/// `endpoint` is a route name like `POST /{ig-id}/messages`, never a URL (which carries ids).
pub fn graph_call(endpoint: &'static str, status: String, took: Duration) {
    let outcome = match status.as_bytes().first() {
        Some(b'2') => "ok",
        Some(b'4') => "refused",
        _ => "failed",
    };
    if let Ok(mut tally) = GRAPH_TALLY.lock() {
        *tally.entry((endpoint, outcome)).or_default() += 1;
    }
    metrics::counter!(GRAPH_REQUESTS, "endpoint" => endpoint, "status" => status).increment(1);
    metrics::histogram!(GRAPH_DURATION, "endpoint" => endpoint).record(took.as_secs_f64());
}

/// Graph calls counted by this process since the last flush, by (endpoint, outcome): what the
/// admin's health view sums across processes (`graph_call_minutes`).
static GRAPH_TALLY: std::sync::Mutex<std::collections::BTreeMap<(&'static str, &'static str), i64>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

/// Writes this process's Graph call counts to PostgreSQL (one statement); on failure they are
/// kept for the next flush.
pub async fn flush_graph_calls(pg: &sqlx::PgPool) -> Result<(), super::store::StoreError> {
    let taken = GRAPH_TALLY.lock().map(|mut tally| std::mem::take(&mut *tally)).unwrap_or_default();
    let rows: Vec<(&str, &str, i64)> = taken.iter().map(|((e, o), n)| (*e, *o, *n)).collect();
    if let Err(error) = super::store::pg::graph_calls::add(pg, &rows).await {
        if let Ok(mut tally) = GRAPH_TALLY.lock() {
            for (key, n) in taken {
                *tally.entry(key).or_default() += n;
            }
        }
        return Err(error);
    }
    Ok(())
}

/// Counts a live socket for as long as it is held.
pub struct SocketOpen(());

impl SocketOpen {
    pub fn count() -> Self {
        metrics::gauge!(WEBSOCKET_CLIENTS).increment(1.0);
        Self(())
    }
}

impl Drop for SocketOpen {
    fn drop(&mut self) {
        metrics::gauge!(WEBSOCKET_CLIENTS).decrement(1.0);
    }
}

/// Sets the gauges that are read when scraped rather than kept: the shared queues, and this
/// process's pool.
pub fn set_depths(depths: &super::store::pg::queues::Depths, pool: &sqlx::PgPool) {
    for (queue, depth) in [("intake", depths.intake), ("outbox", depths.outbox), ("dead_letters", depths.dead_letters)]
    {
        metrics::gauge!(QUEUE_DEPTH, "queue" => queue).set(depth.items as f64);
        metrics::gauge!(QUEUE_OLDEST, "queue" => queue).set(depth.oldest_seconds.unwrap_or(0.0));
    }
    let (size, idle) = (pool.size(), u32::try_from(pool.num_idle()).unwrap_or(u32::MAX));
    metrics::gauge!(DB_CONNECTIONS, "state" => "in_use").set(f64::from(size.saturating_sub(idle)));
    metrics::gauge!(DB_CONNECTIONS, "state" => "idle").set(f64::from(idle));
    metrics::gauge!(DB_CONNECTIONS, "state" => "max").set(f64::from(pool.options().get_max_connections()));
}
