//! `GET /api/reports/{id}/post`: the post or reel a report's comment was on, opened on Instagram.
//! A link in the report row, so it answers a browser: a redirect to Instagram, or back to the
//! reports page with the error in `?error=` (how pages show a plain request's error).
use super::error::HttpError;
use app::{
    backend::{auth, reports, AppState},
    domain::{error::AppError, url::encode},
};
use axum::{
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};

pub async fn open(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let who = match auth::caller(&state, &headers).await.map_err(AppError::from) {
        Ok(Some(who)) => who,
        Ok(None) | Err(AppError::NotSignedIn) => return Redirect::to("/sign-in?next=%2Freports").into_response(),
        Err(error) => return HttpError::from(error).into_response(),
    };
    let Ok(id) = uuid::Uuid::parse_str(&id) else { return StatusCode::NOT_FOUND.into_response() };
    match reports::post_link(&state, &who, id).await.map_err(AppError::from) {
        Ok(link) => Redirect::to(&link).into_response(),
        Err(AppError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(error) => {
            let error = serde_json::to_string(&error).unwrap_or_default();
            Redirect::to(&format!("/reports?error={}", encode(&error))).into_response()
        }
    }
}
