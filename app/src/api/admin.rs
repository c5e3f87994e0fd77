//! What only admins may read and do: every account, every instance, the audit log.
use crate::domain::{
    audit::AuditEntry,
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
            auth::require_admin().await?;
            Ok(users::list(&state().mongo).await?.iter().map(|u| u.summary()).collect())
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
        store::mongo::{instances, users},
    };
    respond(
        async {
            auth::require_admin().await?;
            let state = state();
            let owners: std::collections::HashMap<_, _> =
                users::list(&state.mongo).await?.into_iter().map(|u| (u.id, u.email)).collect();
            Ok(instances::list_all(&state.mongo, &search, status)
                .await?
                .into_iter()
                .map(|doc| AdminInstance {
                    owner_email: owners.get(&doc.user_id).cloned().unwrap_or_else(|| doc.user_id.to_hex()),
                    card: doc.card(state.config.engine.daily_reply_cap),
                })
                .collect())
        }
        .await,
    )
}

#[server(endpoint = "admin/instances/disconnect")]
pub async fn admin_disconnect_instance(id: String) -> Result<(), AppError> {
    use crate::backend::{
        auth,
        instances::{self, Scope},
        respond, state,
    };
    respond(async { instances::disconnect(&state(), &auth::require_admin().await?, &id, Scope::Admin).await }.await)
}

#[server(endpoint = "admin/instances/refresh")]
pub async fn admin_refresh_instance(id: String) -> Result<(), AppError> {
    use crate::backend::{auth, instances, respond, state};
    respond(async { instances::force_refresh(&state(), &auth::require_admin().await?, &id).await }.await)
}

#[server(endpoint = "admin/instances/delete")]
pub async fn admin_delete_instance(id: String) -> Result<(), AppError> {
    use crate::backend::{
        auth,
        instances::{self, Scope},
        respond, state,
    };
    respond(async { instances::delete(&state(), &auth::require_admin().await?, &id, Scope::Admin).await }.await)
}

/// The 200 most recent audit entries.
#[server(endpoint = "admin/audit", input = GetUrl)]
pub async fn audit_log() -> Result<Vec<AuditEntry>, AppError> {
    use crate::backend::{auth, respond, state, store::pg::audit};
    respond(
        async {
            auth::require_admin().await?;
            Ok(audit::recent(&state().pg, 200).await?)
        }
        .await,
    )
}
