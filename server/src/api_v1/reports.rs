//! `/api/v1/reports`: the interactions the report page's filters select, newest first, in pages
//! of 50 with a cursor. Days and periods are UTC.
use super::{
    caller::Caller,
    error::{ApiError, ErrorBody, Refusals},
};
use app::{
    backend::{reports, AppState},
    domain::{
        error::AppError,
        report::{ReportFilter, ReportRow},
    },
};
use axum::{
    extract::{RawQuery, State},
    Json,
};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

/// The filters, as the report page's address takes them.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Read from the raw query by `ReportFilter`; here for the document.
pub struct ReportQuery {
    /// An instance id (default: all of the caller's).
    instance: Option<String>,
    /// `dm` or `comment`.
    r#type: Option<String>,
    /// `today`, `7d`, `30d` (the default), `all` or `custom` (with `from` and `to`).
    period: Option<String>,
    /// A day, `YYYY-MM-DD`.
    from: Option<String>,
    to: Option<String>,
    /// `sent`, `failed`, `pending` or `skipped`.
    status: Option<String>,
    /// The person's @username, without the `@`.
    username: Option<String>,
    /// An automation id.
    automation: Option<String>,
    /// Words in the username, the text or the reply (3 to 100 characters).
    q: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ReportsPage {
    pub rows: Vec<ReportRow>,
    /// Where the next (older) page starts; none on the last page.
    pub next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/reports", tag = "reports", security(("bearer" = [])), params(ReportQuery),
    responses((status = 200, description = "OK", body = ReportsPage), Refusals, (status = 422, description = "A filter that does not parse", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Caller(who): Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<ReportsPage>, ApiError> {
    let raw = query.unwrap_or_default();
    let (cursor, filter_query): (Vec<&str>, Vec<&str>) = raw.split('&').partition(|p| p.starts_with("cursor="));
    let cursor = cursor.first().map(|p| app::domain::url::decode(&p["cursor=".len()..]));
    let filter = ReportFilter::parse_query(&filter_query.join("&")).map_err(AppError::Invalid)?;
    let names = reports::instance_names(&state, &who);
    let position = reports::Position::parse(cursor.as_deref(), None);
    let page = reports::page(&state.pg, &reports::Scope::of(&who), &filter, &reports::Zone::utc(), position, names)
        .await
        .map_err(AppError::from)?;
    Ok(Json(ReportsPage { rows: page.rows, next_cursor: page.older }))
}
