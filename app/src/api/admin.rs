//! What only admins may read and do: every account, every instance, the audit log.
use crate::domain::id::{DeadLetterId, InstanceId};
use crate::domain::{
    audit::AuditEntry,
    dead_letter::DeadLetterView,
    error::AppError,
    instance::{InstanceCard, InstanceStatus},
    user::UserSummary,
};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

/// Every account, oldest first. Admins only.
#[server(endpoint = "admin/users", input = GetUrl)]
pub async fn list_users() -> Result<Vec<UserSummary>, AppError> {
    use crate::backend::{auth, respond, state, store::mongo::users};
    respond(
        async {
            let everyone = auth::everyone(&auth::require_admin().await?)?;
            Ok(users::list(&state().mongo, &everyone).await?.iter().map(|u| u.summary()).collect())
        }
        .await,
    )
}

/// An instance with its owner, for the admin's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminInstance {
    pub card: InstanceCard,
    pub owner_email: String,
}

/// Every user's instances, newest first, filtered by a search text and a status.
#[server(endpoint = "admin/instances", input = GetUrl)]
pub async fn admin_list_instances(
    search: String,
    status: Option<InstanceStatus>,
) -> Result<Vec<AdminInstance>, AppError> {
    use crate::backend::{
        auth, respond, state,
        store::{
            access::Scope,
            mongo::{instances, users},
        },
    };
    respond(
        async {
            let everyone = auth::everyone(&auth::require_admin().await?)?;
            let state = state();
            let owners: std::collections::HashMap<_, _> =
                users::list(&state.mongo, &everyone).await?.into_iter().map(|u| (u.id, u.email)).collect();
            Ok(instances::search(&state.mongo, &Scope::all(everyone), &search, status)
                .await?
                .into_iter()
                .map(|doc| AdminInstance {
                    owner_email: owners.get(&doc.user_id).cloned().unwrap_or_else(|| doc.user_id.to_hex()),
                    card: doc.card(state.config.engine.daily_reply_cap, state.clock.now()),
                })
                .collect())
        }
        .await,
    )
}

#[server(endpoint = "admin/instances/disconnect")]
pub async fn admin_disconnect_instance(id: InstanceId) -> Result<(), AppError> {
    use crate::backend::{
        auth,
        instances::{self, Acting},
        respond, state,
    };
    respond(
        async { Ok(instances::disconnect(&state(), &auth::require_admin().await?, &id, Acting::Admin).await?) }.await,
    )
}

#[server(endpoint = "admin/instances/refresh")]
pub async fn admin_refresh_instance(id: InstanceId) -> Result<(), AppError> {
    use crate::backend::{auth, instances, respond, state};
    respond(async { Ok(instances::force_refresh(&state(), &auth::require_admin().await?, &id).await?) }.await)
}

#[server(endpoint = "admin/instances/delete")]
pub async fn admin_delete_instance(id: InstanceId) -> Result<(), AppError> {
    use crate::backend::{
        auth,
        instances::{self, Acting},
        respond, state,
    };
    respond(async { Ok(instances::delete(&state(), &auth::require_admin().await?, &id, Acting::Admin).await?) }.await)
}

/// The 200 most recent audit entries.
#[server(endpoint = "admin/audit", input = GetUrl)]
pub async fn audit_log() -> Result<Vec<AuditEntry>, AppError> {
    use crate::backend::{auth, respond, state, store::pg::audit};
    respond(
        async {
            let everyone = auth::everyone(&auth::require_admin().await?)?;
            Ok(audit::recent(&state().pg, &everyone, 200).await?)
        }
        .await,
    )
}

/// What the engine could not process: open ones first, then the latest resolved. Admins only.
#[server(endpoint = "admin/dead_letters", input = GetUrl)]
pub async fn list_dead_letters() -> Result<Vec<DeadLetterView>, AppError> {
    use crate::backend::{
        auth, respond, state,
        store::{access::Scope, mongo::instances, pg::dead_letters},
    };
    respond(
        async {
            let everyone = auth::everyone(&auth::require_admin().await?)?;
            let state = state();
            // Named the way people know them, found by instance or by Instagram account.
            let mut names = std::collections::HashMap::new();
            for doc in instances::list(&state.mongo, &Scope::all(everyone)).await? {
                let label = match &doc.username {
                    Some(username) => format!("{} (@{username})", doc.name),
                    None => doc.name.clone(),
                };
                if let Some(account) = &doc.instagram_account_id {
                    names.insert(account.clone(), label.clone());
                }
                names.insert(doc.id.to_hex(), label);
            }
            Ok(dead_letters::recent(&state.pg, &everyone, 200)
                .await?
                .into_iter()
                .map(|d| {
                    let instance =
                        [&d.instance_id, &d.account_id].into_iter().flatten().find_map(|key| names.get(key).cloned());
                    DeadLetterView {
                        instance,
                        id: d.id.into(),
                        kind: d.kind,
                        summary: d.summary,
                        reason: d.reason,
                        detail: d.detail,
                        instance_id: d.instance_id.map(InstanceId::new),
                        account_id: d.account_id,
                        retryable: d.retryable,
                        attempts: d.attempts,
                        first_failed_at: d.first_failed_at,
                        last_failed_at: d.last_failed_at,
                        resolved_at: d.resolved_at,
                    }
                })
                .collect())
        }
        .await,
    )
}

/// Runs a dead letter's work again now, once its cause is fixed. Admins only; audited.
#[server(endpoint = "admin/dead_letters/run_again")]
pub async fn run_dead_letter_again(id: DeadLetterId) -> Result<(), AppError> {
    use crate::backend::{
        auth,
        engine::{self, RunAgainError},
        respond, state,
        store::pg::dead_letters,
    };
    use crate::domain::audit::AuditAction;
    respond(
        async {
            let who = auth::require_admin().await?;
            let everyone = auth::everyone(&who)?;
            let id = id.uuid().ok_or(AppError::NotFound)?;
            let state = state();
            let letter = dead_letters::find(&state.pg, &everyone, id).await?.ok_or(AppError::NotFound)?;
            let target: String = letter.summary.chars().take(80).collect();
            let outcome = engine::run_again(&state, &everyone, id, &who.user().email).await;
            let details = outcome.as_ref().err().map(ToString::to_string);
            let action =
                if outcome.is_ok() { AuditAction::DeadLetterRunAgain } else { AuditAction::DeadLetterFailedAgain };
            who.audit_as(true, &state.pg, action, &id.to_string(), &target, details.as_deref()).await?;
            match outcome {
                Ok(()) => Ok(()),
                Err(RunAgainError::NotFound) => Err(AppError::NotFound),
                Err(RunAgainError::NotRetryable(_)) => {
                    Err(AppError::invalid("dead_letter", crate::domain::error::FieldCode::NotRetryable))
                }
                Err(RunAgainError::FailedAgain(_)) => {
                    Err(AppError::invalid("dead_letter", crate::domain::error::FieldCode::FailedAgain))
                }
                Err(RunAgainError::Store(error)) => Err(error.into()),
            }
        }
        .await,
    )
}

/// The service's health: accounts, the engine's queues and how Meta answered lately. Admins only.
#[server(endpoint = "admin/health", input = GetUrl)]
pub async fn service_health() -> Result<crate::domain::health::Health, AppError> {
    use crate::backend::{auth, health, respond_part, state};
    respond_part(
        async {
            let who = auth::require_admin().await?;
            Ok(health::health(&state(), &who).await?)
        }
        .await,
    )
}
