//! What only admins may read.
use crate::domain::{error::AppError, user::UserSummary};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

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
