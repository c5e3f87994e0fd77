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
    respond(
        async {
            let (state, who) = (state(), auth::require_user().await?);
            let created = api_keys::create(&state, &who, &name).await?;
            api_keys::hand_over_to_plain_form(&state, &who, &created)?;
            Ok(created)
        }
        .await,
    )
}

/// The secret of a key just made by a form without JavaScript, once (see
/// `backend::api_keys::hand_over_to_plain_form`); `None` otherwise.
#[server(endpoint = "api_keys/handed_over", input = GetUrl)]
pub async fn take_handed_over_api_key() -> Result<Option<String>, AppError> {
    use crate::backend::{api_keys, auth, respond, state};
    respond(async { Ok(api_keys::take_handed_over(&state(), &auth::require_user().await?)) }.await)
}

#[server(endpoint = "api_keys/revoke")]
pub async fn revoke_api_key(id: ApiKeyId) -> Result<(), AppError> {
    use crate::backend::{api_keys, auth, respond, state};
    respond(async { Ok(api_keys::revoke(&state(), &auth::require_user().await?, &id).await?) }.await)
}
