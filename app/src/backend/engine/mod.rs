//! The automation engine (PRD "Processamento de Interações"). A delivery is acknowledged once it is
//! stored (`accept`); intake turns stored deliveries into messages, comments and reports, many per
//! transaction (`intake`); the outbox sends pending replies at each account's pace, concurrently
//! across accounts (`send`, `outcomes`); usernames come from the profile API once per person
//! (`people`). Every queue and limit lives in PostgreSQL, so any number of server processes share
//! the work, and nothing acknowledged is lost in a crash.
pub mod accept;
pub(crate) mod decide;
mod intake;
mod outcomes;
mod people;
mod send;

pub use accept::{AcceptError, Acceptor};

use super::{
    measure,
    state::AppState,
    store::{
        access::{Everyone, Owner, System},
        pg::{
            daily_caps, dead_letters, deliveries,
            outbox::{self, Claimed},
            reports,
        },
        StoreError,
    },
};
use crate::domain::report::ReplyReason;
use chrono::{DateTime, Utc};
use mongodb::bson::oid::ObjectId;
use rand::Rng;
use std::{collections::HashSet, sync::Arc, time::Duration};
use tokio::sync::{mpsc, Semaphore};
use tokio_util::sync::CancellationToken;

/// Deliveries per intake transaction at most.
const INTAKE_BATCH: i64 = 500;
/// Accounts looked at per outbox round.
const CLAIM_ACCOUNTS: i64 = 500;
/// Calls to Meta in flight per process at most.
const SENDS_IN_FLIGHT: usize = 1024;
/// Outcomes recorded per transaction at most.
const RECORD_BATCH: usize = 1000;
/// Profile look-ups per round.
const LOOKUPS: i64 = 64;
/// An idle loop looks again this often, for work another process queued.
const IDLE: Duration = Duration::from_millis(250);

/// What became of one claimed reply.
enum Outcome {
    Sent { item: Claimed, reply_id: String, text: String },
    Failed { item: Claimed, reason: ReplyReason, retries_ran_out: bool },
    Later { item: Claimed, at: DateTime<Utc>, error: Option<ReplyReason>, started: send::Started, counts: bool },
}

impl Outcome {
    fn item(&self) -> &Claimed {
        match self {
            Self::Sent { item, .. } | Self::Failed { item, .. } | Self::Later { item, .. } => item,
        }
    }

    fn failed(item: Claimed, reason: ReplyReason) -> Self {
        Self::Failed { item, reason, retries_ran_out: false }
    }

    /// Nothing was sent and nothing counted: the same reply again after `delay`.
    fn wait(item: Claimed, delay: chrono::Duration, error: Option<ReplyReason>) -> Self {
        let started = item.earlier_start.map_or(send::Started::Clear, send::Started::Restore);
        Self::Later { at: Utc::now() + delay, error, started, counts: false, item }
    }
}

/// What a committed intake run leaves to do.
struct Woken {
    touched: HashSet<ObjectId>,
    replies: bool,
}

impl Woken {
    async fn after_commit(self, state: &AppState) {
        state.directory.touch(self.touched);
        if let Err(error) = state.directory.flush_touched(&state.mongo, false).await {
            tracing::warn!("cannot record instances' last events: {error}");
        }
        if self.replies {
            state.wake_outbox.notify_one();
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

/// One intake step: a batch of fresh deliveries, or else one that failed before, alone.
pub async fn intake_once(state: &AppState) -> Result<bool, StoreError> {
    let started = std::time::Instant::now();
    if intake::run_batch(state, INTAKE_BATCH).await? > 0 {
        measure::job("intake", started.elapsed());
        return Ok(true);
    }
    let started = std::time::Instant::now();
    let ran = intake::run_suspect(state).await?;
    if ran {
        measure::job("intake_alone", started.elapsed());
    }
    Ok(ran)
}

/// One outbox step, start to end: claims what is due, sends it and records the outcomes.
pub async fn send_once(state: &AppState) -> Result<usize, StoreError> {
    let claimed = claim(state).await?;
    let count = claimed.len();
    let outcomes = futures_util::future::join_all(claimed.into_iter().map(|item| send::send(state, item))).await;
    outcomes::record(state, &outcomes).await?;
    Ok(count)
}

async fn claim(state: &AppState) -> Result<Vec<Claimed>, StoreError> {
    let lease = Duration::from_secs(u64::from(state.config.engine.job_lease_seconds));
    outbox::claim(&state.pg, &System::ACTING, &state.pace, CLAIM_ACCOUNTS, lease).await
}

/// One round of username look-ups.
pub async fn lookup_once(state: &AppState) -> Result<usize, StoreError> {
    let started = std::time::Instant::now();
    let done = people::lookup_round(state, LOOKUPS).await?;
    if done > 0 {
        measure::job("lookups", started.elapsed());
    }
    Ok(done)
}

/// Runs every stage until nothing is left or what is next is further away than `patience`; for
/// tests and the command line, so nothing there sleeps on a guess.
pub async fn drain(state: &AppState, patience: Duration) -> Result<(), StoreError> {
    let started = tokio::time::Instant::now();
    loop {
        let mut busy = intake_once(state).await?;
        busy |= send_once(state).await? > 0;
        busy |= lookup_once(state).await? > 0;
        if busy {
            continue;
        }
        state.directory.flush_touched(&state.mongo, true).await?;
        let (waiting, _) = deliveries::waiting(&state.pg).await?;
        let next = [
            (waiting > 0).then_some(()).and(deliveries::next_lease_end(&state.pg).await?),
            outbox::next_wake(&state.pg).await?,
        ]
        .into_iter()
        .flatten()
        .min();
        let Some(next) = next else { return Ok(()) };
        let wait = (next - Utc::now()).to_std().unwrap_or_default();
        if started.elapsed() + wait > patience {
            return Ok(());
        }
        tokio::time::sleep(wait.clamp(Duration::from_millis(5), Duration::from_millis(100))).await;
    }
}

/// Intake until shutdown: woken when a delivery is stored here, looking anyway every `IDLE`
/// for deliveries other processes stored or leases that ran out.
pub async fn run_intake(state: AppState, shutdown: CancellationToken) {
    while !shutdown.is_cancelled() {
        let idle = match intake_once(&state).await {
            Ok(busy) => !busy,
            Err(error) => {
                tracing::warn!("intake: {error}");
                sleep_or_shutdown(&shutdown, Duration::from_secs(1)).await;
                true
            }
        };
        if idle {
            tokio::select! {
                () = shutdown.cancelled() => {}
                () = state.wake_intake.notified() => {}
                () = tokio::time::sleep(IDLE) => {}
            }
        }
    }
}

/// The outbox until shutdown: claims due replies, sends each in its own task (many accounts at
/// once, each at its pace) and hands the outcomes to one recorder that writes them in batches.
/// On shutdown it stops claiming and lets the sends in flight finish and be recorded.
pub async fn run_outbox(state: AppState, shutdown: CancellationToken) {
    let (outcomes, received) = mpsc::unbounded_channel();
    let recorder = tokio::spawn(record_outcomes(state.clone(), received));
    let in_flight = Arc::new(Semaphore::new(SENDS_IN_FLIGHT));
    while !shutdown.is_cancelled() {
        let claimed = match claim(&state).await {
            Ok(claimed) => claimed,
            Err(error) => {
                tracing::warn!("outbox: {error}");
                sleep_or_shutdown(&shutdown, Duration::from_secs(1)).await;
                continue;
            }
        };
        let idle = claimed.is_empty();
        for item in claimed {
            let Ok(permit) = in_flight.clone().acquire_owned().await else { break };
            let (state, outcomes) = (state.clone(), outcomes.clone());
            tokio::spawn(async move {
                let outcome = send::send(&state, item).await;
                drop(permit);
                let _ = outcomes.send(outcome);
            });
        }
        if idle {
            let until_next = match outbox::next_wake(&state.pg).await {
                Ok(Some(at)) => (at - Utc::now()).to_std().unwrap_or_default().min(IDLE),
                _ => IDLE,
            };
            // Jitter, so processes woken at the same moment do not keep colliding on one account.
            let jitter = Duration::from_millis(rand::thread_rng().gen_range(0..5));
            tokio::select! {
                () = shutdown.cancelled() => {}
                () = state.wake_outbox.notified() => {}
                () = tokio::time::sleep(until_next + jitter) => {}
            }
        }
    }
    // Every permit back means every send finished and handed in its outcome.
    let _ = in_flight.acquire_many(u32::try_from(SENDS_IN_FLIGHT).unwrap_or(u32::MAX)).await;
    drop(outcomes);
    let _ = recorder.await;
}

async fn record_outcomes(state: AppState, mut received: mpsc::UnboundedReceiver<Outcome>) {
    while let Some(first) = received.recv().await {
        let mut batch = vec![first];
        while batch.len() < RECORD_BATCH {
            match received.try_recv() {
                Ok(outcome) => batch.push(outcome),
                Err(_) => break,
            }
        }
        // The database may be down a moment; a reply left unrecorded is not lost (its lease runs
        // out and the ledger checks before sending again), but recording it spares that wait.
        for attempt in 1..=10_u64 {
            let started = std::time::Instant::now();
            match outcomes::record(&state, &batch).await {
                Ok(()) => {
                    measure::job("record", started.elapsed());
                    break;
                }
                Err(error) => {
                    tracing::warn!("cannot record {} reply outcomes (attempt {attempt}): {error}", batch.len());
                    tokio::time::sleep(Duration::from_millis(200 * attempt)).await;
                }
            }
        }
    }
}

/// Username look-ups until shutdown.
pub async fn run_lookups(state: AppState, shutdown: CancellationToken) {
    while !shutdown.is_cancelled() {
        let done = lookup_once(&state).await.unwrap_or_else(|error| {
            tracing::warn!("username look-ups: {error}");
            0
        });
        if done == 0 {
            sleep_or_shutdown(&shutdown, Duration::from_secs(1)).await;
        }
    }
}

async fn sleep_or_shutdown(shutdown: &CancellationToken, wait: Duration) {
    tokio::select! {
        () = shutdown.cancelled() => {}
        () = tokio::time::sleep(wait) => {}
    }
}

/// Why a dead letter could not be run again.
#[derive(Debug, thiserror::Error)]
pub enum RunAgainError {
    #[error("no such dead letter")]
    NotFound,
    #[error("this failure cannot be run again: {}", .0.as_str())]
    NotRetryable(dead_letters::Reason),
    #[error("it failed again: {0}")]
    FailedAgain(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Runs a dead letter's work again, now; resolved when it goes through (a reply: when it is
/// queued again, the outbox sending it at its pace).
pub async fn run_again(state: &AppState, everyone: &Everyone, id: uuid::Uuid, by: &str) -> Result<(), RunAgainError> {
    use dead_letters::Kind;
    let letter = dead_letters::find(&state.pg, everyone, id).await?.ok_or(RunAgainError::NotFound)?;
    if !letter.retryable {
        return Err(RunAgainError::NotRetryable(letter.reason));
    }
    let outcome = match (letter.kind, letter.delivery_id, letter.report_id) {
        (Kind::Event, Some(delivery), _) => {
            intake::run_event_again(state, delivery, letter.entry_index.unwrap_or(-1), letter.item_index.unwrap_or(-1))
                .await
        }
        (Kind::Delivery, Some(delivery), _) => match deliveries::load(&state.pg, &System::ACTING, delivery).await? {
            Some(delivery) => intake::run_alone(state, &[intake::parse(delivery)]).await,
            None => Err(StoreError::NotFound),
        },
        (Kind::Reply, _, Some(report)) => requeue(state, report).await,
        _ => Err(StoreError::NotFound),
    };
    let mut tx = state.pg.begin().await.map_err(StoreError::from)?;
    match outcome {
        Ok(()) => {
            dead_letters::resolve(&mut tx, everyone, id, by).await?;
            tx.commit().await.map_err(StoreError::from)?;
            Ok(())
        }
        Err(error) => {
            let failure = dead_letters::Failure {
                kind: letter.kind,
                delivery_id: letter.delivery_id,
                entry_index: letter.entry_index,
                item_index: letter.item_index,
                report_id: letter.report_id,
                account_id: letter.account_id.as_deref(),
                instance_id: letter.instance_id.as_deref(),
                summary: &letter.summary,
                reason: letter.reason,
                detail: Some(&error.to_string()),
                retryable: true,
                attempts: 1,
            };
            dead_letters::record(&mut tx, &System::ACTING, &[failure]).await?;
            tx.commit().await.map_err(StoreError::from)?;
            Err(RunAgainError::FailedAgain(error.to_string()))
        }
    }
}

/// The owner tries a failed reply of theirs again (from its report row): pending again, sent by
/// the outbox under the same ledger, so it still goes out at most once. `None` when the report is
/// not theirs; `Some(false)` when it is not a failed reply.
pub async fn retry_reply(state: &AppState, owner: Owner<'_>, report: uuid::Uuid) -> Result<Option<bool>, StoreError> {
    let row: Option<(String, Option<String>)> =
        sqlx::query_as("SELECT status, response_text FROM instagram_reports WHERE id = $1 AND user_id = $2")
            .bind(report)
            .bind(owner.id())
            .fetch_optional(&state.pg)
            .await?;
    match row {
        None => Ok(None),
        Some((status, Some(_))) if status == "failed" => {
            requeue(state, report).await?;
            Ok(Some(true))
        }
        Some(_) => Ok(Some(false)),
    }
}

/// A failed reply pending again, its daily-cap slot taken back.
async fn requeue(state: &AppState, report: uuid::Uuid) -> Result<(), StoreError> {
    let mut tx = state.pg.begin().await?;
    let (instance_id, _) = reports::reopen(&mut tx, &System::ACTING, report).await?.ok_or(StoreError::NotFound)?;
    let wanted = [daily_caps::Wanted { instance_id: &instance_id, replies: 1, cap: i32::MAX }];
    daily_caps::reserve(&mut tx, &System::ACTING, &wanted).await?;
    outbox::wake(&mut tx, &System::ACTING, &[(instance_id, Utc::now())]).await?;
    tx.commit().await?;
    state.wake_outbox.notify_one();
    Ok(())
}
