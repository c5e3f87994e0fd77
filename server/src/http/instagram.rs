//! `GET /api/instagram/callback`: where Business Login returns (the PRD's META_REDIRECT_URI).
use super::error::HttpError;
use app::{
    backend::{
        auth,
        connect::{self, Callback},
        AppState,
    },
    domain::error::AppError,
};
use axum::{
    extract::{Query, State},
    http::HeaderMap,
    response::{IntoResponse, Redirect, Response},
};

pub async fn callback(State(state): State<AppState>, headers: HeaderMap, Query(callback): Query<Callback>) -> Response {
    let who = match auth::caller(&state, &headers).await.map_err(AppError::from) {
        Ok(Some(who)) => who,
        // The state is bound to a signed-in user: without the session nothing can be checked.
        Ok(None) | Err(AppError::NotSignedIn) => return Redirect::to("/sign-in?next=/instances").into_response(),
        Err(error) => return HttpError::from(error).into_response(),
    };
    match connect::finish(&state, &who, callback).await {
        Ok(finished) => Redirect::to(&finished.redirect_path()).into_response(),
        Err(_) => Redirect::to("/instances?error=internal").into_response(),
    }
}
