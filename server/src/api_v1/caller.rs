//! Who calls `/api/v1`: an API key or a Clerky token, always as `Authorization: Bearer`. A
//! browser's session cookie is not enough here (the API is for programs), and each key counts
//! against its own quota of calls in the shared store, whichever process it reaches.
use super::error::ApiError;
use app::{
    backend::{
        auth::{self, SignedIn},
        rate_limit::{self, Quota},
        AppState,
    },
    domain::error::AppError,
};
use axum::{extract::FromRequestParts, http::request::Parts};

pub struct Caller(pub SignedIn);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if auth::bearer(&parts.headers).is_none() {
            return Err(AppError::NotSignedIn.into());
        }
        let who = auth::caller(state, &parts.headers).await?.ok_or(AppError::NotSignedIn)?;
        let bucket = match who.api_key() {
            Some(key) => format!("key:{key}"),
            None => format!("user:{}", who.id()),
        };
        let quota = Quota::per_minute(state.config.limits.api_calls_per_key_per_minute);
        match rate_limit::take(state, "api", &bucket, quota).await? {
            Ok(()) => Ok(Self(who)),
            Err(limited) => Err(ApiError::rate_limited(limited.retry_after_secs())),
        }
    }
}
