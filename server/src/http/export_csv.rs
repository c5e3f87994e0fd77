//! `GET /api/reports/export.csv?{filter}`: every interaction the filter selects, as CSV (UTF-8 with
//! a BOM for Excel, RFC 4180, ISO-8601 times), streamed from PostgreSQL through a small bounded
//! buffer, so memory stays flat whatever the number of rows. Session or Bearer token.
use super::error::{signed_in, take, HttpError};
use app::{
    backend::{rate_limit::Quota, reports, AppState},
    domain::{error::AppError, report::ReportFilter},
};
use axum::{
    body::{Body, Bytes},
    extract::{RawQuery, State},
    http::{header, HeaderMap},
    response::{IntoResponse, Response},
};
use futures_util::StreamExt;
use tokio::sync::mpsc;

/// Bytes gathered before they are handed to the connection.
const CHUNK: usize = 32 * 1024;
/// Chunks waiting for a slow client before reading from PostgreSQL pauses.
const BUFFERED_CHUNKS: usize = 4;

enum Chunk {
    Rows(Bytes),
    /// The end of the file: everything the filter selects was written.
    Last(Bytes),
}

pub async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, HttpError> {
    let who = signed_in(&state, &headers).await?;
    let quota = Quota::per_minute(state.config.limits.exports_per_user_per_minute);
    take(&state, "exports", who.id().as_str(), quota).await?;
    // `separator` says how the file is written; every other parameter is the report's filter.
    let raw = query.as_deref().unwrap_or_default();
    let separator = reports::Separator::parse(
        raw.split('&').filter_map(|p| p.split_once('=')).find(|(k, _)| *k == "separator").map(|(_, v)| v),
    );
    let filter_query: String = raw.split('&').filter(|p| !p.starts_with("separator=")).collect::<Vec<_>>().join("&");
    let filter = ReportFilter::parse_query(&filter_query).map_err(AppError::Invalid)?;
    let scope = reports::Scope::of(&who);
    let names = reports::instance_names(&state, &who).await?;
    let zone = reports::Zone::of_request(&state.pg, &headers).await;
    let (sender, receiver) = mpsc::channel::<Chunk>(BUFFERED_CHUNKS);
    tokio::spawn(async move {
        let mut writer = reports::CsvWriter::new(separator, "\u{feff}".as_bytes());
        let mut failed = writer.record(reports::CSV_HEADER).err().map(|e| e.to_string());
        let mut query = match reports::export_query(&state.pg, &scope, &filter, &zone).await {
            Ok(query) => query,
            Err(error) => return tracing::error!("CSV export failed before its first row: {error}"),
        };
        let mut rows = std::pin::pin!(reports::stream(&state.pg, &mut query, &names));
        while failed.is_none() {
            match rows.next().await {
                None => break,
                Some(Ok(row)) => {
                    let cells = reports::csv_cells(&row);
                    failed = writer.record(cells.iter().map(|c| c.as_bytes())).err().map(|e| e.to_string());
                }
                Some(Err(error)) => failed = Some(error.to_string()),
            }
            if writer.pending() >= CHUNK {
                let chunk = match writer.take() {
                    Ok(chunk) => chunk,
                    Err(error) => {
                        failed = Some(error.to_string());
                        break;
                    }
                };
                if sender.send(Chunk::Rows(Bytes::from(chunk))).await.is_err() {
                    return; // The client went away.
                }
            }
        }
        match failed.map_or_else(|| writer.take().map_err(|e| e.to_string()), Err) {
            Err(error) => tracing::error!("CSV export stopped: {error}"),
            Ok(last) => {
                let _ = sender.send(Chunk::Last(Bytes::from(last))).await;
            }
        }
    });
    let filename = format!("instagram-relatorio-{}.csv", chrono::Utc::now().format("%Y-%m-%d"));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(file_body(receiver)),
    )
        .into_response())
}

/// The download ends cleanly only after the last chunk: if the export fails, or its task dies
/// in any way, the body ends with an error and the connection is cut, so a truncated file never
/// looks complete.
fn file_body(receiver: mpsc::Receiver<Chunk>) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
    futures_util::stream::unfold(Some(receiver), |receiver| async move {
        let mut receiver = receiver?;
        match receiver.recv().await {
            Some(Chunk::Rows(bytes)) => Some((Ok(bytes), Some(receiver))),
            Some(Chunk::Last(bytes)) => Some((Ok(bytes), None)),
            None => Some((Err(std::io::Error::other("the export stopped before its end")), None)),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_of(chunks: Vec<Chunk>) -> Vec<Result<Bytes, String>> {
        let (sender, receiver) = mpsc::channel(8);
        for chunk in chunks {
            sender.send(chunk).await.expect("room");
        }
        drop(sender);
        file_body(receiver).map(|item| item.map_err(|e| e.to_string())).collect().await
    }

    #[tokio::test]
    async fn a_file_ends_cleanly_only_after_its_last_chunk() {
        let complete = body_of(vec![Chunk::Rows("a\n".into()), Chunk::Last("b\n".into())]).await;
        assert_eq!(complete, vec![Ok(Bytes::from("a\n")), Ok(Bytes::from("b\n"))]);
        let cut = body_of(vec![Chunk::Rows("a\n".into())]).await;
        assert_eq!(cut.len(), 2);
        assert!(cut[1].is_err(), "an export that stopped early ends in an error, not a clean end");
        assert!(body_of(vec![]).await[0].is_err(), "an export that never wrote is not an empty file");
    }
}
