//! What owners and admins do to instances after connecting them: disconnect, rename, delete and
//! refresh the token. Every change is in the audit log; admins' entries say so.
use super::error::Error;
use super::{
    auth::SignedIn,
    crypto, directory, live,
    meta::MetaError,
    state::AppState,
    store::{
        access::{Scope, System},
        mongo::instances::{self, InstanceDoc},
        pg::audit::{self, Actor},
        StoreError,
    },
};
use crate::domain::error::FieldCode;
use crate::domain::id::InstanceId;
use crate::domain::{
    audit::AuditAction,
    error::AppError,
    instance::{parse_instance_name, ConnectionFailure, InstanceStatus},
    live::LiveEvent,
};
use mongodb::bson::DateTime;
use secrecy::SecretString;

/// With whose powers a caller acts on an instance.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Acting {
    /// The owner's: only their own; anyone else's looks missing.
    Owner,
    /// An admin's: any user's.
    Admin,
}

/// The instances `scope` reaches, read once per page render however many of its parts list them.
pub async fn listed(state: &AppState, scope: &Scope) -> Result<Vec<InstanceDoc>, StoreError> {
    match super::auth::RenderMemo::current() {
        Some(memo) => memo.instances(scope.owner(), || instances::list(&state.mongo, scope)).await,
        None => instances::list(&state.mongo, scope).await,
    }
}

/// Stores an instance's new status and announces it.
pub async fn change_status(
    state: &AppState,
    doc: &InstanceDoc,
    status: InstanceStatus,
    reason: Option<ConnectionFailure>,
) -> Result<(), StoreError> {
    instances::set_status(&state.mongo, doc, status, reason, state.clock.now()).await?;
    announce(state, doc, status, reason).await;
    if status == InstanceStatus::Error && reason == Some(ConnectionFailure::TokenInvalid) {
        super::notifications::connection_lost(state, doc).await;
    }
    Ok(())
}

/// The instance's Instagram token, if one is stored and readable with the configured keys.
pub fn token(state: &AppState, doc: &InstanceDoc) -> Option<SecretString> {
    let sealed = doc.access_token.as_ref()?;
    crypto::open(&state.config.token_keys, &doc.id.to_hex(), sealed).ok()
}

/// Tells the caches and the owner's open pages, in every process, that an instance changed.
pub async fn announce(state: &AppState, doc: &InstanceDoc, status: InstanceStatus, reason: Option<ConnectionFailure>) {
    directory::changed(state, "instances").await;
    let event = LiveEvent::InstanceStatus { instance_id: doc.instance_id(), status, reason };
    let addressed = live::Addressed { owner_id: doc.user_id.to_hex(), event };
    if let Err(error) = live::publish(&state.pg, &[addressed]).await {
        tracing::warn!(instance.id = %doc.id, "cannot announce the status of {}: {error}", doc.id);
    }
}

async fn load(state: &AppState, who: &SignedIn, id: &InstanceId, acting: Acting) -> Result<InstanceDoc, Error> {
    let scope = match acting {
        Acting::Owner => Scope::own(who),
        Acting::Admin => Scope::everyone(who).ok_or(AppError::Forbidden)?,
    };
    Ok(instances::find(&state.mongo, &scope, id).await?)
}

pub(super) async fn audit(
    state: &AppState,
    who: &SignedIn,
    acting: Acting,
    action: AuditAction,
    doc: &InstanceDoc,
    details: Option<&str>,
) -> Result<(), Error> {
    Ok(who.audit_as(acting == Acting::Admin, &state.pg, action, doc.key(), &doc.name, details).await?)
}

/// Unsubscribes the account at Meta, forgets its token and stops storing its events. Meta's
/// answer does not hold the disconnection up: an account Meta still delivers for is dropped at
/// intake, and the audit entry says the unsubscription failed.
pub async fn disconnect(state: &AppState, who: &SignedIn, id: &InstanceId, acting: Acting) -> Result<(), Error> {
    let doc = load(state, who, id, acting).await?;
    let unsubscribed = unsubscribe(state, &doc).await;
    instances::disconnect(&state.mongo, &doc, state.clock.now()).await?;
    announce(state, &doc, InstanceStatus::Disconnected, None).await;
    audit(state, who, acting, AuditAction::Disconnected, &doc, unsubscribed.err().as_deref()).await
}

/// Asks Meta to stop delivering the instance's events; the reason when it could not.
async fn unsubscribe(state: &AppState, doc: &InstanceDoc) -> Result<(), String> {
    let Some(token) = token(state, doc) else { return Ok(()) };
    state.meta.unsubscribe(&token).await.map_err(|error| {
        tracing::warn!(instance.id = %doc.id, "Meta did not unsubscribe {}: {}", doc.id, error.message());
        format!("unsubscribe failed: {}", error.message())
    })
}

pub async fn rename(state: &AppState, who: &SignedIn, id: &InstanceId, name: &str) -> Result<(), Error> {
    let name = parse_instance_name(name).map_err(|e| AppError::Invalid(vec![e]))?;
    let doc = load(state, who, id, Acting::Owner).await?;
    instances::rename(&state.mongo, &doc, &name, state.clock.now()).await?;
    directory::changed(state, "instances").await;
    audit(state, who, Acting::Owner, AuditAction::Renamed, &doc, Some(&name)).await
}

/// Pauses (or resumes) every automation of the instance: while paused, events are still recorded,
/// each with the reason it got no reply.
pub async fn set_paused(state: &AppState, who: &SignedIn, id: &InstanceId, paused: bool) -> Result<(), Error> {
    let doc = load(state, who, id, Acting::Owner).await?;
    instances::set_paused(&state.mongo, &doc, paused, state.clock.now()).await?;
    directory::changed(state, "instances").await;
    let action = if paused { AuditAction::Paused } else { AuditAction::Resumed };
    audit(state, who, Acting::Owner, action, &doc, None).await
}

/// Sets how many automated replies a day the instance may send.
pub async fn set_daily_cap(state: &AppState, who: &SignedIn, id: &InstanceId, cap: &str) -> Result<(), Error> {
    let cap = crate::domain::instance::parse_daily_cap(cap).map_err(|e| AppError::Invalid(vec![e]))?;
    let doc = load(state, who, id, Acting::Owner).await?;
    instances::set_daily_cap(&state.mongo, &doc, cap, state.clock.now()).await?;
    directory::changed(state, "instances").await;
    audit(state, who, Acting::Owner, AuditAction::DailyCapSet, &doc, Some(&cap.to_string())).await
}

/// Deletes the instance and its automations; its reports stay, as the history of what happened.
pub async fn delete(state: &AppState, who: &SignedIn, id: &InstanceId, acting: Acting) -> Result<(), Error> {
    let doc = load(state, who, id, acting).await?;
    let unsubscribed = unsubscribe(state, &doc).await;
    sqlx::query("DELETE FROM instagram_automations WHERE instance_id = $1")
        .bind(doc.id.to_hex())
        .execute(&state.pg)
        .await?;
    instances::delete(&state.mongo, &doc).await?;
    directory::changed(state, "instances").await;
    directory::rules_changed(state, &doc.id.to_hex()).await;
    audit(state, who, acting, AuditAction::Deleted, &doc, unsubscribed.err().as_deref()).await
}

/// An admin's "refresh now": asks Meta whatever the schedule says (Meta still refuses tokens
/// younger than a day).
pub async fn force_refresh(state: &AppState, who: &SignedIn, id: &InstanceId) -> Result<(), Error> {
    let doc = load(state, who, id, Acting::Admin).await?;
    let outcome = refresh_token(state, &doc).await;
    let details = outcome.as_ref().err().map(MetaError::message);
    let action = if outcome.is_ok() { AuditAction::TokenRefreshed } else { AuditAction::TokenRefreshFailed };
    audit(state, who, Acting::Admin, action, &doc, details.as_deref()).await?;
    outcome.map_err(|e| {
        if e.is_transient() {
            AppError::MetaUnavailable.into()
        } else {
            Error::invalid("token", FieldCode::MetaRefused)
        }
    })
}

/// Exchanges the instance's long-lived token for a fresh one. A dead token (190) puts the
/// instance in `error` with a prompt to reconnect.
pub async fn refresh_token(state: &AppState, doc: &InstanceDoc) -> Result<(), MetaError> {
    let keys = &state.config.token_keys;
    let id = doc.id.to_hex();
    let Some(token) = token(state, doc) else {
        return Err(MetaError::unexpected("no readable token stored"));
    };
    match state.meta.refresh(&token).await {
        Ok(fresh) => {
            let sealed = crypto::seal(keys, &id, &fresh.token).map_err(|e| MetaError::Unexpected(e.to_string()))?;
            let expires = DateTime::from_millis(state.clock.now().timestamp_millis() + fresh.expires_in * 1000);
            instances::save_refreshed_token(&state.mongo, doc, &sealed, expires, state.clock.now())
                .await
                .map_err(|e| MetaError::Unexpected(e.to_string()))?;
            announce(state, doc, doc.status, None).await;
            Ok(())
        }
        Err(error) => {
            if error.is_token_invalid() {
                let _ = change_status(state, doc, InstanceStatus::Error, Some(ConnectionFailure::TokenInvalid)).await;
            }
            Err(error)
        }
    }
}

/// How one run of the refresh job went.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct RefreshRun {
    /// False when another server process held the lock and this one did nothing.
    pub ran: bool,
    pub refreshed: usize,
    pub failed: usize,
}

/// Refreshes every token at least a day old that expires within the configured days. Runs in one
/// process at a time: a PostgreSQL advisory lock, held on one connection for the whole run.
pub async fn refresh_due(state: &AppState) -> Result<RefreshRun, Error> {
    const LOCK: i64 = 0x1C7E_F7E5; // "refresh instagram tokens"
    let mut lock = state.pg.acquire().await?;
    let acquired: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)").bind(LOCK).fetch_one(&mut *lock).await?;
    if !acquired {
        return Ok(RefreshRun::default());
    }
    let result = refresh_candidates(state).await;
    sqlx::query("SELECT pg_advisory_unlock($1)").bind(LOCK).execute(&mut *lock).await?;
    result
}

async fn refresh_candidates(state: &AppState) -> Result<RefreshRun, Error> {
    let now = state.clock.now().timestamp_millis();
    let day = 86_400_000;
    let within = i64::from(state.config.token_refresh_within_days) * day;
    let due = instances::refresh_candidates(
        &state.mongo,
        &System::ACTING,
        DateTime::from_millis(now - day),
        DateTime::from_millis(now + within),
    )
    .await?;
    let mut run = RefreshRun { ran: true, ..RefreshRun::default() };
    for doc in due {
        let outcome = refresh_token(state, &doc).await;
        let (action, details) = match &outcome {
            Ok(()) => (AuditAction::TokenRefreshed, None),
            Err(error) => (AuditAction::TokenRefreshFailed, Some(error.message())),
        };
        audit::record(&state.pg, &Actor::SYSTEM, action, &doc.id.to_hex(), &doc.name, details.as_deref()).await?;
        match outcome {
            Ok(()) => run.refreshed += 1,
            Err(error) => {
                run.failed += 1;
                tracing::warn!(instance.id = %doc.id, "token refresh of {} failed: {error}", doc.id);
            }
        }
    }
    Ok(run)
}

/// The cards of `docs`, with today's replies, active automations and latest failure of each.
pub async fn cards(
    state: &AppState,
    docs: &[crate::backend::store::mongo::instances::InstanceDoc],
) -> Result<Vec<crate::domain::instance::InstanceCard>, Error> {
    let tenants: Vec<_> = docs.iter().map(|d| d.tenant()).collect();
    let mut stats = crate::backend::store::pg::instance_stats::of(&state.pg, &tenants).await?;
    let default_cap = state.config.engine.daily_reply_cap;
    Ok(docs
        .iter()
        .map(|doc| {
            let figures = stats.remove(&doc.id.to_hex()).unwrap_or_default();
            crate::domain::instance::InstanceCard {
                replies_today: figures.replies_today,
                active_automations: figures.active_automations,
                last_failure: figures.last_failure,
                ..doc.card(default_cap, state.clock.now())
            }
        })
        .collect())
}

/// One of the caller's instances as its card shows it.
pub async fn card(
    state: &AppState,
    who: &SignedIn,
    id: &InstanceId,
) -> Result<crate::domain::instance::InstanceCard, Error> {
    let doc = instances::find(&state.mongo, &Scope::own(who), id).await?;
    cards(state, std::slice::from_ref(&doc)).await?.pop().ok_or(AppError::NotFound.into())
}

/// One of the caller's instances' figures.
pub async fn stats(
    state: &AppState,
    who: &SignedIn,
    id: &InstanceId,
) -> Result<crate::domain::instance::InstanceStats, Error> {
    let doc = instances::find(&state.mongo, &Scope::own(who), id).await?;
    let card = cards(state, std::slice::from_ref(&doc)).await?.pop().ok_or(AppError::NotFound)?;
    let (interactions_total, interactions_today, webhooks_received) =
        super::store::pg::instance_stats::totals(&state.pg, doc.tenant()).await?;
    Ok(crate::domain::instance::InstanceStats {
        replies_remaining: (i64::from(card.daily_reply_cap) - card.replies_today).max(0),
        instance_id: card.id,
        interactions_total,
        interactions_today,
        replies_today: card.replies_today,
        daily_reply_cap: card.daily_reply_cap,
        webhooks_received,
    })
}
