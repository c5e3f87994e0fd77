//! Reports: the caller's interactions (everyone's for admins), filtered by the page's URL.
use crate::domain::id::ReportId;
use crate::domain::{
    error::AppError,
    report::{ReportChoices, ReportPage},
};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// A page of the interactions `query` (the report page's query string) selects, newest first:
/// the rows older than `cursor`, or newer than `newer`, or the newest; days in the reader's zone.
#[server(endpoint = "reports", input = GetUrl)]
pub async fn list_reports(
    query: String,
    #[server(default)] cursor: Option<String>,
    #[server(default)] newer: Option<String>,
) -> Result<ReportPage, AppError> {
    use crate::{
        backend::{auth, reports, respond, state},
        domain::report::ReportFilter,
    };
    respond(
        async {
            let who = auth::require_user().await?;
            let state = state();
            let filter = ReportFilter::parse_query(&query).map_err(AppError::Invalid)?;
            let headers = use_context::<http::request::Parts>().map(|parts| parts.headers).unwrap_or_default();
            let zone = reports::Zone::of_request(&state.pg, &headers).await;
            let position = reports::Position::parse(cursor.as_deref(), newer.as_deref());
            let names = reports::instance_names(&state, &who);
            Ok(reports::page(&state.pg, &reports::Scope::of(&who), &filter, &zone, position, names).await?)
        }
        .await,
    )
}

/// What the report filter offers the caller: instances, automations and, for admins, owners.
#[server(endpoint = "reports/choices", input = GetUrl)]
pub async fn get_report_choices(query: String) -> Result<ReportChoices, AppError> {
    use crate::{
        backend::{auth, reports, respond, state},
        domain::report::ReportFilter,
    };
    respond(
        async {
            let who = auth::require_user().await?;
            // A refused field does not matter here: the choices depend on instance and owner only.
            let (filter, _) = ReportFilter::read_params(|name| {
                query
                    .split('&')
                    .filter_map(|p| p.split_once('='))
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| crate::domain::url::decode(v))
            });
            Ok(reports::choices(&state(), &who, &filter).await?)
        }
        .await,
    )
}

/// Tries a failed reply of the caller's again.
#[server(endpoint = "reports/retry")]
pub async fn retry_reply(id: ReportId) -> Result<(), AppError> {
    use crate::backend::{auth, engine, respond, state};
    respond(
        async {
            let who = auth::require_user().await?;
            let report = id.uuid().ok_or(AppError::NotFound)?;
            match engine::retry_reply(&state(), who.owner(), report).await? {
                None => Err(AppError::NotFound),
                Some(false) => Err(AppError::invalid("id", crate::domain::error::FieldCode::NotRetryable)),
                Some(true) => Ok(()),
            }
        }
        .await,
    )
}
