//! The one error type of the plain routes: each refusal answered with its own status and the
//! same JSON body server functions answer with (a database outage is 503, never 401).
use app::{backend::rate_limit::Limited, domain::error::AppError};
use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};

#[derive(Debug)]
pub enum HttpError {
    App(AppError),
    TooMany(Limited),
}

impl From<AppError> for HttpError {
    fn from(error: AppError) -> Self {
        Self::App(error)
    }
}

impl From<app::backend::error::Error> for HttpError {
    fn from(error: app::backend::error::Error) -> Self {
        Self::App(error.into())
    }
}

impl From<app::backend::store::StoreError> for HttpError {
    fn from(error: app::backend::store::StoreError) -> Self {
        Self::App(error.into())
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        match self {
            Self::TooMany(limited) => super::too_many_requests(limited),
            Self::App(error) => {
                let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                (status, Json(error)).into_response()
            }
        }
    }
}

/// The signed-in caller of a plain route: 401 without one, 503 when the stores cannot say.
pub async fn signed_in(
    state: &app::backend::AppState,
    headers: &axum::http::HeaderMap,
) -> Result<app::backend::auth::SignedIn, HttpError> {
    Ok(app::backend::auth::caller(state, headers).await?.ok_or(AppError::NotSignedIn)?)
}

/// Takes one of `who`'s `quota` under `name`: 429 when spent, 503 when the store cannot count.
pub async fn take(
    state: &app::backend::AppState,
    name: &str,
    key: &str,
    quota: app::backend::rate_limit::Quota,
) -> Result<(), HttpError> {
    app::backend::rate_limit::take(state, name, key, quota).await?.map_err(HttpError::TooMany)
}
