//! The signed-in user's Instagram instances.
use crate::domain::id::InstanceId;
use crate::domain::{
    error::AppError,
    instance::{InstanceCard, WebhookInfo},
};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// The caller's own instances, oldest first.
#[server(endpoint = "instances", input = GetUrl)]
pub async fn list_instances() -> Result<Vec<InstanceCard>, AppError> {
    use crate::backend::{auth, instances, respond, state, store::access::Scope};
    respond(
        async {
            let who = auth::require_user().await?;
            let docs = instances::listed(&state(), &Scope::own(&who)).await?;
            Ok(instances::cards(&state(), &docs).await?)
        }
        .await,
    )
}

/// Creates an instance and sends the browser to Instagram's Business Login.
#[server(endpoint = "instances/create")]
pub async fn create_instance(name: String) -> Result<(), AppError> {
    use crate::backend::{auth, connect, respond, state};
    respond(
        async {
            let who = auth::require_user().await?;
            let url = connect::start(&state(), &who, &name).await?;
            leptos_axum::redirect(&url);
            Ok(())
        }
        .await,
    )
}

/// Runs Business Login again for one of the caller's instances.
#[server(endpoint = "instances/reconnect")]
pub async fn reconnect_instance(id: InstanceId) -> Result<(), AppError> {
    use crate::backend::{auth, connect, respond, state};
    respond(
        async {
            let who = auth::require_user().await?;
            let url = connect::reconnect(&state(), &who, &id).await?;
            leptos_axum::redirect(&url);
            Ok(())
        }
        .await,
    )
}

/// Sets the caller's instance to `disconnected`: its automations stop firing and its token is dropped.
#[server(endpoint = "instances/disconnect")]
pub async fn disconnect_instance(id: InstanceId) -> Result<(), AppError> {
    use crate::backend::{
        auth,
        instances::{self, Acting},
        respond, state,
    };
    respond(
        async { Ok(instances::disconnect(&state(), &auth::require_user().await?, &id, Acting::Owner).await?) }.await,
    )
}

#[server(endpoint = "instances/rename")]
pub async fn rename_instance(id: InstanceId, name: String) -> Result<(), AppError> {
    use crate::backend::{auth, instances, respond, state};
    respond(async { Ok(instances::rename(&state(), &auth::require_user().await?, &id, &name).await?) }.await)
}

/// Pauses or resumes every automation of the caller's instance.
#[server(endpoint = "instances/pause")]
pub async fn set_paused(id: InstanceId, paused: bool) -> Result<(), AppError> {
    use crate::backend::{auth, instances, respond, state};
    respond(async { Ok(instances::set_paused(&state(), &auth::require_user().await?, &id, paused).await?) }.await)
}

/// Sets the daily cap on automated replies of the caller's instance.
#[server(endpoint = "instances/daily_cap")]
pub async fn set_daily_cap(id: InstanceId, daily_reply_cap: String) -> Result<(), AppError> {
    use crate::backend::{auth, instances, respond, state};
    respond(
        async { Ok(instances::set_daily_cap(&state(), &auth::require_user().await?, &id, &daily_reply_cap).await?) }
            .await,
    )
}

/// Deletes the caller's instance and its automations; its reports are kept.
#[server(endpoint = "instances/delete")]
pub async fn delete_instance(id: InstanceId) -> Result<(), AppError> {
    use crate::backend::{
        auth,
        instances::{self, Acting},
        respond, state,
    };
    respond(async { Ok(instances::delete(&state(), &auth::require_user().await?, &id, Acting::Owner).await?) }.await)
}

/// Where Meta delivers this app's webhooks, and (for admins) the token its dashboard asks for.
#[server(endpoint = "instances/webhook", input = GetUrl)]
pub async fn webhook_settings() -> Result<WebhookInfo, AppError> {
    use crate::backend::{auth, respond, state};
    use secrecy::ExposeSecret;
    respond(
        async {
            let who = auth::require_user().await?;
            let state = state();
            Ok(WebhookInfo {
                base_url: format!("{}/webhook/instagram", state.config.public_url),
                verify_token: who.is_admin().then(|| state.config.meta.verify_token.expose_secret().to_owned()),
            })
        }
        .await,
    )
}
