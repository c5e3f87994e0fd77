//! `GET /api/reports/export.csv?{filter}`: every interaction the filter selects, as CSV (UTF-8 with
//! a BOM for Excel, RFC 4180, ISO-8601 times), streamed from PostgreSQL through a small bounded
//! buffer, so memory stays flat whatever the number of rows. Session or Bearer token.
use app::{
    backend::{auth, reports, AppState},
    domain::report::ReportFilter,
};
use axum::{
    body::{Body, Bytes},
    extract::{RawQuery, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use futures_util::StreamExt;
use tokio::sync::mpsc;

/// Bytes gathered before they are handed to the connection.
const CHUNK: usize = 32 * 1024;
/// Chunks waiting for a slow client before reading from PostgreSQL pauses.
const BUFFERED_CHUNKS: usize = 4;

pub async fn export(State(state): State<AppState>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let who = match auth::caller(&state, &headers).await {
        Ok(Some(who)) => who,
        _ => return (StatusCode::UNAUTHORIZED, "sign in or send a Bearer token").into_response(),
    };
    let filter = ReportFilter::from_query(query.as_deref().unwrap_or_default());
    let scope = reports::Scope::of(&who);
    let names = match reports::instance_names(&state, &who).await {
        Ok(names) => names,
        Err(error) => {
            tracing::error!("CSV export failed before its first row: {error}");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let (sender, receiver) = mpsc::channel::<Result<Bytes, std::io::Error>>(BUFFERED_CHUNKS);
    tokio::spawn(async move {
        let mut buffer = Vec::with_capacity(CHUNK * 2);
        buffer.extend_from_slice("\u{feff}".as_bytes());
        let mut failed = reports::write_record(&mut buffer, reports::CSV_HEADER).err().map(|e| e.to_string());
        let mut query = reports::export_query(&scope, &filter);
        let mut rows = std::pin::pin!(reports::stream(&state.pg, &mut query, &names));
        while failed.is_none() {
            match rows.next().await {
                None => break,
                Some(Ok(row)) => {
                    failed = reports::write_record(&mut buffer, reports::csv_cells(&row)).err().map(|e| e.to_string())
                }
                Some(Err(error)) => failed = Some(error.to_string()),
            }
            if buffer.len() >= CHUNK && sender.send(Ok(Bytes::from(std::mem::take(&mut buffer)))).await.is_err() {
                return; // The client went away.
            }
        }
        let last = match failed {
            // Cut the download short: a truncated file must not look complete.
            Some(error) => {
                tracing::error!("CSV export stopped: {error}");
                Err(std::io::Error::other("export failed"))
            }
            None => Ok(Bytes::from(buffer)),
        };
        let _ = sender.send(last).await;
    });
    let body = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|chunk| (chunk, receiver))
    });
    let filename = format!("instagram-relatorio-{}.csv", chrono::Utc::now().format("%Y-%m-%d"));
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(body),
    )
        .into_response()
}
