//! Connecting an Instagram account through Business Login (PRD "Fluxo OAuth"): start sends the
//! browser to Meta with a fresh state; finish checks that state and either saves the whole
//! connection or marks the instance `error` with a reason, never half of it.
use super::error::Error;
use super::{
    auth::SignedIn,
    crypto,
    meta::MetaError,
    state::AppState,
    store::{
        access::{Scope, System},
        mongo::{
            from_chrono,
            instances::{self, Connection, InstanceDoc},
        },
        pg::oauth_states::{self, StateProblem},
        StoreError,
    },
};
use crate::domain::error::FieldCode;
use crate::domain::id::InstanceId;
use crate::domain::{
    audit::AuditAction,
    error::AppError,
    instance::{instance_slug, parse_instance_name, ConnectionFailure, InstanceStatus},
};
use mongodb::bson::{oid::ObjectId, DateTime};
use rand::{distributions::Alphanumeric, Rng};

/// Creates an instance (`created`) and returns the authorize URL to send the browser to.
pub async fn start(state: &AppState, who: &SignedIn, name: &str) -> Result<String, Error> {
    let name = parse_instance_name(name).map_err(|e| AppError::Invalid(vec![e]))?;
    let suffix: String =
        rand::thread_rng().sample_iter(&Alphanumeric).take(6).map(|c| char::from(c).to_ascii_lowercase()).collect();
    let doc = InstanceDoc::new(who, instance_slug(&name, &suffix), name, state.clock.now());
    let lock = hold_quota(state, who, None).await?;
    instances::insert(&state.mongo, &doc).await?;
    lock.commit().await?;
    authorize(state, who, &doc).await
}

/// How long a connection may wait for the person to come back from Meta: the authorisation
/// link's own lifetime. After it the card says the connection was not finished, and a never
/// connected instance stops holding a place of the free quota.
pub const CONNECT_TIMEOUT: chrono::Duration = oauth_states::LIFETIME;

/// Refuses a free user who already holds the quota (`except`: the instance being reconnected);
/// else a lock of this user, held in PostgreSQL so every process honours it until it commits:
/// concurrent creates cannot all see room under the quota.
async fn hold_quota(
    state: &AppState,
    who: &SignedIn,
    except: Option<ObjectId>,
) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, Error> {
    let mut lock = state.pg.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(format!("instance-quota:{}", who.id()))
        .execute(&mut *lock)
        .await?;
    if !who.user().premium {
        let abandoned_before = from_chrono(state.clock.now() - CONNECT_TIMEOUT);
        let held = instances::count_for_owner(&state.mongo, who, abandoned_before, except).await?;
        if held >= u64::from(state.config.free_instance_quota) {
            return Err(Error::invalid("name", FieldCode::Quota));
        }
    }
    Ok(lock)
}

/// Runs Business Login again for an existing instance of the caller. One that never connected
/// (and may have stopped holding a place of the quota) needs a free place again.
pub async fn reconnect(state: &AppState, who: &SignedIn, instance_id: &InstanceId) -> Result<String, Error> {
    let doc = instances::find(&state.mongo, &Scope::own(who), instance_id).await?;
    let lock = match doc.instagram_account_id {
        None => Some(hold_quota(state, who, Some(doc.id)).await?),
        Some(_) => None,
    };
    super::instances::change_status(state, &doc, InstanceStatus::Connecting, None).await?;
    if let Some(lock) = lock {
        lock.commit().await?;
    }
    authorize(state, who, &doc).await
}

/// Ends the connections left waiting past [`CONNECT_TIMEOUT`] (the scheduled sweep).
pub async fn abandon_stale(state: &AppState) -> Result<u64, StoreError> {
    let before = from_chrono(state.clock.now() - CONNECT_TIMEOUT);
    let stale = instances::stale_connections(&state.mongo, &System::ACTING, before).await?;
    for doc in &stale {
        super::instances::change_status(state, doc, InstanceStatus::Error, Some(ConnectionFailure::ConnectTimeout))
            .await?;
    }
    Ok(stale.len() as u64)
}

async fn authorize(state: &AppState, who: &SignedIn, doc: &InstanceDoc) -> Result<String, Error> {
    let token = oauth_states::issue(&state.pg, who.owner(), doc.key(), state.clock.now()).await?;
    Ok(state.meta.authorize_url(&token))
}

/// What Meta sent back to `/api/instagram/callback`.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_reason: Option<String>,
}

/// How the callback ended, for the Instâncias page.
#[derive(Debug, PartialEq, Eq)]
pub enum Finished {
    Connected {
        instance_name: String,
    },
    /// Why, also stored on the card when an instance is known.
    Failed {
        reason: ConnectionFailure,
    },
}

impl Finished {
    pub fn redirect_path(&self) -> String {
        let query = match self {
            Self::Connected { instance_name } => [("connected", instance_name.as_str())],
            Self::Failed { reason } => [("error", reason.as_str())],
        };
        format!("/instances?{}", serde_urlencoded::to_string(query).unwrap_or_default())
    }
}

pub async fn finish(state: &AppState, who: &SignedIn, callback: Callback) -> Result<Finished, Error> {
    let failed = |reason: ConnectionFailure| Ok(Finished::Failed { reason });
    let Some(state_token) = callback.state.as_deref() else {
        // Meta may drop `state` on Cancel; without it no instance can be named, and a code
        // without a state is never exchanged.
        return failed(if callback.error.is_some() {
            ConnectionFailure::Denied
        } else {
            ConnectionFailure::StateInvalid
        });
    };
    let issued = match oauth_states::consume(&state.pg, state_token, who.owner(), state.clock.now()).await? {
        Ok(issued) => issued,
        Err(StateProblem::Expired { instance_id }) => {
            if let Ok(doc) = instances::find(&state.mongo, &Scope::own(who), &instance_id).await {
                super::instances::change_status(
                    state,
                    &doc,
                    InstanceStatus::Error,
                    Some(ConnectionFailure::StateExpired),
                )
                .await?;
            }
            return failed(ConnectionFailure::StateExpired);
        }
        Err(StateProblem::Used) => return failed(ConnectionFailure::StateUsed),
        Err(StateProblem::Unknown | StateProblem::OtherUser) => return failed(ConnectionFailure::StateInvalid),
    };
    let doc = instances::find(&state.mongo, &Scope::own(who), &issued.instance_id).await?;
    let outcome = match (&callback.error, &callback.code) {
        (Some(_), _) => Err(if callback.error_reason.as_deref() == Some("user_denied") {
            ConnectionFailure::Denied
        } else {
            ConnectionFailure::MetaRefused
        }),
        (None, None) => Err(ConnectionFailure::StateInvalid),
        (None, Some(code)) => connect_account(state, who, &doc, code).await?,
    };
    match outcome {
        Ok(instance_name) => Ok(Finished::Connected { instance_name }),
        Err(reason) => {
            super::instances::change_status(state, &doc, InstanceStatus::Error, Some(reason)).await?;
            super::instances::audit(
                state,
                who,
                super::instances::Acting::Owner,
                AuditAction::ConnectionFailed,
                &doc,
                Some(reason.as_str()),
            )
            .await?;
            let why = reason.as_str();
            tracing::info!(instance.id = %doc.id, reason = why, "connection of {} failed: {why}", doc.id);
            failed(reason)
        }
    }
}

/// Exchanges the code and saves the connection; the inner `Err` is a reason for the card.
async fn connect_account(
    state: &AppState,
    who: &SignedIn,
    doc: &InstanceDoc,
    code: &str,
) -> Result<Result<String, ConnectionFailure>, Error> {
    let meta = &state.meta;
    let reason = |e: MetaError| {
        if e.is_transient() {
            ConnectionFailure::MetaUnavailable
        } else {
            ConnectionFailure::MetaRefused
        }
    };
    let short = match meta.exchange_code(code).await {
        Ok(short) => short,
        Err(e) => return Ok(Err(reason(e))),
    };
    if !short.permissions.iter().any(|p| p == "instagram_business_basic") {
        return Ok(Err(ConnectionFailure::MissingPermissions));
    }
    let long = match meta.long_lived(&short.token).await {
        Ok(long) => long,
        Err(e) => return Ok(Err(reason(e))),
    };
    let profile = match meta.me(&long.token).await {
        Ok(profile) => profile,
        Err(e) => return Ok(Err(reason(e))),
    };
    // The same Instagram account twice: the owner's existing instance is reconnected; another
    // user's is never touched.
    let mut target = doc.clone();
    if let Some(existing) = instances::find_by_account(&state.mongo, &Scope::own(who), &profile.ig_id, doc.id).await? {
        if doc.status == InstanceStatus::Created && doc.instagram_account_id.is_none() {
            instances::delete(&state.mongo, doc).await?;
        }
        target = existing;
    } else if instances::account_held(&state.mongo, &profile.ig_id, doc.id).await? {
        return Ok(Err(ConnectionFailure::AccountTaken));
    }
    if let Err(e) = meta.subscribe(&long.token).await {
        return Ok(Err(reason(e)));
    }
    let sealed = crypto::seal(&state.config.token_keys, &target.id.to_hex(), &long.token).map_err(Error::internal)?;
    let expires = DateTime::from_millis(state.clock.now().timestamp_millis() + long.expires_in * 1000);
    let connection = Connection {
        ig_id: &profile.ig_id,
        username: &profile.username,
        page_name: profile.name.as_deref(),
        profile_picture_url: profile.profile_picture_url.as_deref(),
        sealed_token: &sealed,
        token_expires_at: expires,
    };
    match instances::save_connection(&state.mongo, &target, connection, state.clock.now()).await {
        Ok(()) => {}
        // Another connection of the same account was saved between the check above and now.
        Err(StoreError::Taken(_)) => return Ok(Err(ConnectionFailure::AccountTaken)),
        Err(other) => return Err(other.into()),
    }
    if target.id != doc.id {
        // The new card was folded into the existing instance of the same account.
        super::directory::changed(state, "instances").await;
    }
    super::instances::announce(state, &target, InstanceStatus::Connected, None).await;
    tracing::info!(instance.id = %target.id, "instance {} connected", target.id);
    if target.instagram_account_id.is_none() {
        let mut told = target.clone();
        told.username = Some(profile.username.clone());
        super::notifications::first_connection(state, &told).await;
    } else {
        // Back after a while: what came meanwhile is read from Meta.
        match instances::find(&state.mongo, &Scope::own(who), &target.instance_id()).await {
            Ok(saved) => super::catch_up::after_reconnect(state, saved),
            Err(error) => tracing::warn!(instance.id = %target.id, "cannot catch up on {}: {error}", target.id),
        }
    }
    let account = format!("@{}", profile.username);
    super::instances::audit(
        state,
        who,
        super::instances::Acting::Owner,
        AuditAction::Connected,
        &target,
        Some(&account),
    )
    .await?;
    Ok(Ok(target.instance_name))
}
