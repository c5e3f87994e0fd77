//! Reports: the caller's interactions (everyone's for admins), filtered by the page's URL.
use crate::domain::{error::AppError, report::ReportPage};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// A page of the interactions `query` (the report page's query string) selects, newest first,
/// starting after `cursor`.
#[server(endpoint = "reports", input = GetUrl)]
pub async fn list_reports(query: String, #[server(default)] cursor: Option<String>) -> Result<ReportPage, AppError> {
    use crate::{
        backend::{auth, reports, respond, state},
        domain::report::ReportFilter,
    };
    respond(
        async {
            let who = auth::require_user().await?;
            let state = state();
            let filter = ReportFilter::parse_query(&query).map_err(AppError::Invalid)?;
            let names = reports::instance_names(&state, &who).await?;
            Ok(reports::page(&state.pg, &reports::Scope::of(&who), &filter, cursor.as_deref(), &names).await?)
        }
        .await,
    )
}

/// Tries a failed reply of the caller's again.
#[server(endpoint = "reports/retry")]
pub async fn retry_reply(id: String) -> Result<(), AppError> {
    use crate::backend::{auth, engine, respond, state};
    respond(
        async {
            let who = auth::require_user().await?;
            let report = uuid::Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
            match engine::retry_reply(&state(), &who.user_id().to_hex(), report).await? {
                None => Err(AppError::NotFound),
                Some(false) => Err(AppError::invalid("id", "not_retryable")),
                Some(true) => Ok(()),
            }
        }
        .await,
    )
}
