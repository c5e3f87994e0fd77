//! The caller's API keys: listed, made (the secret is in the answer, once) and revoked.
use crate::domain::id::ApiKeyId;
use crate::domain::{
    api_key::{ApiKeyView, CreatedKey},
    error::AppError,
};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[server(endpoint = "api_keys", input = GetUrl)]
pub async fn list_api_keys() -> Result<Vec<ApiKeyView>, AppError> {
    use crate::backend::{api_keys, auth, respond, state};
    respond(async { Ok(api_keys::list(&state(), &auth::require_user().await?).await?) }.await)
}

#[server(endpoint = "api_keys/create")]
pub async fn create_api_key(name: String) -> Result<CreatedKey, AppError> {
    use crate::backend::{api_keys, auth, respond, state};
    respond(async { Ok(api_keys::create(&state(), &auth::require_user().await?, &name).await?) }.await)
}

#[server(endpoint = "api_keys/revoke")]
pub async fn revoke_api_key(id: ApiKeyId) -> Result<(), AppError> {
    use crate::backend::{api_keys, auth, respond, state};
    respond(async { Ok(api_keys::revoke(&state(), &auth::require_user().await?, &id).await?) }.await)
}
