//! Usernames for the people who wrote by DM (DMs do not carry them): asked of the profile API once
//! per person, in the background, and written on their reports.
use crate::backend::{
    instances,
    live::{self, Addressed},
    meta::MetaError,
    state::AppState,
    store::{
        access::System,
        pg::people::{self, Lookup},
        StoreError,
    },
};
use crate::domain::id::InstanceId;
use crate::domain::live::{LiveEvent, StatusCounts};
use chrono::{Duration, Utc};
use mongodb::bson::oid::ObjectId;

/// How long a claimed look-up is held before another process may try it.
const LEASE_SECONDS: f64 = 60.0;

pub(super) async fn lookup_round(state: &AppState, limit: i64) -> Result<usize, StoreError> {
    let due = people::claim_lookups(&state.pg, &System::ACTING, limit, LEASE_SECONDS).await?;
    let lookups = due.iter().map(|(instance_id, igsid)| async move {
        (instance_id.as_str(), igsid.as_str(), look_up(state, instance_id, igsid).await)
    });
    let outcomes = futures_util::future::join_all(lookups).await;
    let changed = people::settle(&state.pg, &System::ACTING, &outcomes).await?;
    // Open report pages show the usernames now: a change of no status, so all counts are zero.
    let events: Vec<Addressed> = changed
        .into_iter()
        .map(|(owner_id, instance_id)| Addressed {
            owner_id,
            event: LiveEvent::Interactions {
                instance_id: InstanceId::new(instance_id),
                counts: StatusCounts::default(),
            },
        })
        .collect();
    if let Err(error) = live::publish(&state.pg, &events).await {
        tracing::warn!("cannot announce usernames: {error}");
    }
    Ok(due.len())
}

async fn look_up(state: &AppState, instance_id: &str, igsid: &str) -> Lookup {
    let later = |d: Duration| Lookup::AskAgainAt(Utc::now() + d);
    let instance = match ObjectId::parse_str(instance_id) {
        Ok(oid) => state.directory.instance(&state.mongo, oid).await,
        Err(_) => return later(Duration::days(365)),
    };
    let Ok(Some(instance)) = instance else { return later(Duration::minutes(10)) };
    // Not connected: asked again once it may be.
    let Some(token) = instances::token(state, &instance) else { return later(Duration::hours(1)) };
    match state.meta.username_of(&token, igsid).await {
        Ok(Some(name)) => Lookup::Found(name),
        Ok(None) => later(Duration::days(1)),
        Err(error @ MetaError::Api { .. }) if !error.is_transient() => {
            // No consent (the person never wrote), or no such person: a day later at most.
            tracing::debug!("no username for a person of {instance_id}: {error}");
            later(Duration::days(1))
        }
        Err(_) => later(Duration::minutes(1)),
    }
}
