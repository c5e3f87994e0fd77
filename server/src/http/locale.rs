//! `/locale/{tag}?next=/path`: remembers the chosen language in a cookie and returns to the page.
use app::{backend::AppState, domain::user::local_path, i18n::Locale};
use axum::{
    extract::{Path, Query, State},
    http::{header, HeaderValue},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

pub async fn switch(State(state): State<AppState>, Path(tag): Path<String>, Query(query): Query<Next>) -> Response {
    let locale = Locale::from_tag(&tag);
    let secure = if state.config.secure_cookies() { "; Secure" } else { "" };
    let cookie = format!("{}={}; Path=/; Max-Age=31536000; SameSite=Lax{secure}", Locale::COOKIE, locale.tag());
    let mut response = Redirect::to(&local_path(query.next.as_deref())).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}
