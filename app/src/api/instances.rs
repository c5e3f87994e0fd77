//! The signed-in user's Instagram instances.
use crate::domain::{error::AppError, instance::InstanceCard};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// The caller's own instances, oldest first.
#[server(endpoint = "instances", input = GetUrl)]
pub async fn list_instances() -> Result<Vec<InstanceCard>, AppError> {
    use crate::backend::{auth, respond, state, store::mongo::instances};
    respond(
        async {
            let who = auth::require_user().await?;
            let docs = instances::list_for_owner(&state().mongo, who.user_id()).await?;
            Ok(docs.iter().map(|doc| doc.card()).collect())
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
pub async fn reconnect_instance(id: String) -> Result<(), AppError> {
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
