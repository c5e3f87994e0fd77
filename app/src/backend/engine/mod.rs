//! The automation engine (PRD "Processamento de Interações"): stored deliveries become
//! interactions (`intake`), and each inbound interaction gets at most one reply (`reply`).
//! Work goes through the PostgreSQL queue, so nothing acknowledged is lost in a crash.
mod intake;
mod reply;

use super::{
    state::AppState,
    store::{
        pg::jobs::{self, Job, JobKind},
        StoreError,
    },
};
use rand::Rng;
use std::time::Duration;

/// What one job asks of the queue afterwards.
#[derive(Debug)]
enum Step {
    Done,
    /// Run again after the delay; counts as an attempt.
    RetryIn(Duration, String),
    /// Not allowed yet (rate limit, waiting for an echo); does not count as an attempt.
    Postpone(Duration),
}

#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Idle,
    Ran,
}

/// Claims one due job, runs it and records the outcome. The worker loops over this; tests call
/// it (through `drain`) so nothing sleeps.
pub async fn run_once(state: &AppState) -> Result<Outcome, StoreError> {
    let lease = Duration::from_secs(u64::from(state.config.engine.job_lease_seconds));
    let Some(job) = jobs::claim_next(&state.pg, lease).await? else { return Ok(Outcome::Idle) };
    let step = match job.kind {
        JobKind::Delivery => intake::run(state, &job).await,
        JobKind::Reply => reply::run(state, &job).await,
    };
    match step {
        Ok(Step::Done) => jobs::complete(&state.pg, job.id).await?,
        Ok(Step::RetryIn(delay, why)) => jobs::retry_later(&state.pg, job.id, delay, &why).await?,
        Ok(Step::Postpone(delay)) => jobs::postpone(&state.pg, job.id, delay).await?,
        Err(error) => {
            // The database failed under us: try again later, never drop the work.
            tracing::warn!(job.id = %job.id, "job {} failed, will retry: {error}", job.id);
            let delay = backoff(state, job.attempts).max(Duration::from_secs(1));
            jobs::retry_later(&state.pg, job.id, delay, &error.to_string()).await?;
        }
    }
    Ok(Outcome::Ran)
}

/// Runs jobs until none is left or the next is further away than `patience`; for tests and
/// the command line.
pub async fn drain(state: &AppState, patience: Duration) -> Result<(), StoreError> {
    let started = tokio::time::Instant::now();
    loop {
        if run_once(state).await? == Outcome::Ran {
            continue;
        }
        match jobs::next_due_in(&state.pg).await? {
            None => return Ok(()),
            Some(wait) if started.elapsed() + wait > patience => return Ok(()),
            Some(wait) => tokio::time::sleep(wait.clamp(Duration::from_millis(5), Duration::from_millis(100))).await,
        }
    }
}

/// Exponential backoff with jitter: base × 2^(attempt − 1), ±50 %, at most ten minutes.
fn backoff(state: &AppState, attempt: i32) -> Duration {
    let base = u64::from(state.config.engine.reply_retry_base_ms);
    let exponent = u32::try_from(attempt.clamp(1, 20) - 1).unwrap_or(0);
    let nominal = base.saturating_mul(1 << exponent).min(600_000);
    let jittered = rand::thread_rng().gen_range(nominal / 2..=nominal + nominal / 2);
    Duration::from_millis(jittered)
}

/// The payload of a reply job.
#[derive(serde::Serialize, serde::Deserialize)]
struct ReplyJob {
    instance_id: String,
    kind: crate::domain::automation::AutomationKind,
    event_id: String,
}

impl ReplyJob {
    fn parse(job: &Job) -> Option<Self> {
        serde_json::from_value(job.payload.clone()).ok()
    }
}

/// Keeps an accepted delivery and queues its processing in one transaction: once this returns,
/// the delivery survives a crash. Wakes the workers.
pub async fn accept_delivery(
    state: &AppState,
    instance_name: Option<&str>,
    body: &[u8],
    signature: &str,
) -> Result<uuid::Uuid, StoreError> {
    use super::store::pg::deliveries;
    let mut tx = state.pg.begin().await?;
    let id = deliveries::store_raw(&mut tx, instance_name, body, signature).await?;
    jobs::enqueue(&mut *tx, JobKind::Delivery, &serde_json::json!({ "delivery_id": id })).await?;
    tx.commit().await?;
    state.wake.notify_waiters();
    Ok(id)
}
