//! Insights (seed 04): each connected instance's followers, reach, views and profile views,
//! synced once a day by the `insights` job and on the owner's demand, at most every
//! [`REFRESH_COOLDOWN_MINUTES`] (Meta's quota is per account and hour).
use super::error::Error;
use super::{
    auth::SignedIn,
    instances,
    state::AppState,
    store::{
        access::{Scope, System},
        mongo::instances as stored,
        pg::insights,
        StoreError,
    },
};
use crate::domain::error::FieldCode;
use crate::domain::id::InstanceId;
use crate::domain::{error::AppError, insight::InsightsView, instance::InstanceStatus};
use chrono::Duration;

pub const REFRESH_COOLDOWN_MINUTES: i64 = 15;
/// Days the page charts.
const DAYS: i64 = 30;
/// Instances synced per run of the job at most (the rest on the next run).
const PER_RUN: usize = 200;

/// Syncs one instance's figures of today.
pub async fn sync(state: &AppState, doc: &stored::InstanceDoc) -> Result<(), Error> {
    let (Some(ig_id), Some(token)) = (doc.instagram_account_id.as_deref(), instances::token(state, doc)) else {
        return Err(Error::invalid("id", FieldCode::NotConnected));
    };
    let figures = state.meta.day_figures(&token, ig_id).await.map_err(|error| {
        tracing::warn!(instance.id = %doc.id, "cannot read the insights of {}: {error}", doc.id);
        AppError::MetaUnavailable
    })?;
    insights::save(&state.pg, &System::ACTING, &doc.id.to_hex(), &doc.user_id.to_hex(), state.clock.now(), &figures)
        .await?;
    Ok(())
}

/// The job: every connected instance not synced today yet. Returns how many were synced.
pub async fn sync_due(state: &AppState) -> Result<usize, StoreError> {
    let connected = stored::with_status(&state.mongo, &System::ACTING, InstanceStatus::Connected).await?;
    let ids: Vec<String> = connected.iter().map(|d| d.id.to_hex()).collect();
    let done = insights::synced_on(&state.pg, &System::ACTING, &ids, state.clock.now().date_naive()).await?;
    let mut synced = 0;
    for doc in connected.iter().filter(|d| !done.contains(&d.id.to_hex())).take(PER_RUN) {
        if sync(state, doc).await.is_ok() {
            synced += 1;
        }
    }
    Ok(synced)
}

/// The owner's view of one of their instances.
pub async fn view(state: &AppState, who: &SignedIn, instance_id: &InstanceId) -> Result<InsightsView, Error> {
    let doc = stored::find(&state.mongo, &Scope::own(who), instance_id).await?;
    let (days, synced_at) = insights::recent(&state.pg, who.id(), doc.tenant(), DAYS).await?;
    Ok(InsightsView {
        instance_id: instance_id.clone(),
        instance_name: doc.display_name(),
        days,
        synced_at,
        refresh_after: synced_at
            .map(|at| at + Duration::minutes(REFRESH_COOLDOWN_MINUTES))
            .filter(|at| *at > state.clock.now()),
    })
}

/// The owner asks for fresh figures now.
pub async fn refresh(state: &AppState, who: &SignedIn, instance_id: &InstanceId) -> Result<(), Error> {
    let doc = stored::find(&state.mongo, &Scope::own(who), instance_id).await?;
    let (_, synced_at) = insights::recent(&state.pg, who.id(), doc.tenant(), 1).await?;
    if synced_at.is_some_and(|at| state.clock.now() - at < Duration::minutes(REFRESH_COOLDOWN_MINUTES)) {
        return Err(Error::invalid("id", FieldCode::RefreshCooldown));
    }
    sync(state, &doc).await
}
