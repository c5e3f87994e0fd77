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
