//! The admin's health view, from the shared stores only, so every process shows the same.
use super::error::Error;
use super::{
    auth::SignedIn,
    notifications::EXPIRING_WITHIN_DAYS,
    state::AppState,
    store::{
        access::Scope,
        mongo::instances,
        pg::{graph_calls, queues},
    },
};
use crate::domain::health::{Health, QueueHealth};

/// How far back the view looks at Meta's answers.
const META_MINUTES: i32 = 15;

pub async fn health(state: &AppState, who: &SignedIn) -> Result<Health, Error> {
    let everyone = super::auth::everyone(who)?;
    let soon = state.clock.now() + chrono::Duration::days(EXPIRING_WITHIN_DAYS);
    let (all, connected, in_error, expiring) = instances::health_counts(
        &state.mongo,
        &Scope::all(everyone),
        mongodb::bson::DateTime::from_millis(soon.timestamp_millis()),
    )
    .await?;
    let depths = queues::depths(&state.pg).await?;
    let queue = |d: queues::Depth| QueueHealth { items: d.items, oldest_seconds: d.oldest_seconds };
    let count = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    Ok(Health {
        instances: count(all),
        connected: count(connected),
        in_error: count(in_error),
        expiring_soon: count(expiring),
        intake: queue(depths.intake),
        outbox: queue(depths.outbox),
        dead_letters: queue(depths.dead_letters),
        meta: graph_calls::recent(&state.pg, &everyone, META_MINUTES).await?,
        meta_minutes: META_MINUTES.unsigned_abs(),
    })
}
