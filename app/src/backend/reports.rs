//! Report queries: one filter, built once with bind parameters, serves the table (keyset pages on
//! `("timestamp", id)`), the totals, the chart and the CSV stream.
use super::{auth::SignedIn, store::StoreError};
use crate::domain::{
    automation::{AutomationKind, ResponseType},
    report::{DayCount, ReportFilter, ReportPage, ReportRow},
};
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::{Stream, StreamExt};
use sqlx::{PgPool, Postgres, QueryBuilder};
use std::collections::HashMap;
use uuid::Uuid;

pub const PAGE_SIZE: i64 = 50;
/// The chart shows at most this many days (the most recent).
const CHART_DAYS: i64 = 366;

/// Whose reports a query may see.
#[derive(Clone, Debug)]
pub enum Scope {
    /// The caller's own.
    Own(String),
    /// Everyone's (admins), optionally one owner's through the filter.
    All,
}

impl Scope {
    pub fn of(who: &SignedIn) -> Self {
        if who.is_admin() {
            Self::All
        } else {
            Self::Own(who.user_id().to_hex())
        }
    }
}

const COLUMNS: &str =
    "id, \"timestamp\", interaction_type, instance_id, username, user_id_instagram, interaction_text, \
                       response_text, response_type, status, error, comment_id, media_id";

type Row = (
    Uuid,
    DateTime<Utc>,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn to_row(row: Row, names: &HashMap<String, String>) -> ReportRow {
    let (
        id,
        at,
        kind,
        instance_id,
        username,
        user_id_instagram,
        text,
        reply,
        reply_by,
        status,
        error,
        comment_id,
        media_id,
    ) = row;
    ReportRow {
        id: id.to_string(),
        at,
        kind: AutomationKind::parse(&kind).unwrap_or(AutomationKind::Dm),
        instance_name: names.get(&instance_id).cloned(),
        instance_id,
        username,
        user_id_instagram,
        text,
        reply,
        reply_by: reply_by.as_deref().and_then(ResponseType::parse),
        status,
        error,
        comment_id,
        media_id,
    }
}

/// `WHERE ...` for the scope and the filter, with every value bound.
fn push_filter(query: &mut QueryBuilder<'_, Postgres>, scope: &Scope, filter: &ReportFilter, now: DateTime<Utc>) {
    query.push(" WHERE true");
    match (scope, &filter.owner) {
        (Scope::Own(user), _) | (Scope::All, Some(user)) => {
            query.push(" AND user_id = ").push_bind(user.clone());
        }
        (Scope::All, None) => {}
    }
    if let Some(instance) = &filter.instance {
        query.push(" AND instance_id = ").push_bind(instance.clone());
    }
    if let Some(kind) = filter.kind {
        query.push(" AND interaction_type = ").push_bind(kind.as_str());
    }
    if let Some(status) = &filter.status {
        query.push(" AND status = ").push_bind(status.clone());
    }
    if let Some(username) = &filter.username {
        query.push(" AND lower(username) = lower(").push_bind(username.clone()).push(")");
    }
    let (start, end) = filter.range(now);
    if let Some(start) = start {
        query.push(" AND \"timestamp\" >= ").push_bind(start);
    }
    if let Some(end) = end {
        query.push(" AND \"timestamp\" < ").push_bind(end);
    }
}

/// Instance names by id, for the instances the caller may see reports of.
pub async fn instance_names(state: &super::AppState, who: &SignedIn) -> Result<HashMap<String, String>, StoreError> {
    use super::store::mongo::instances;
    let docs = if who.is_admin() {
        instances::list_all(&state.mongo, "", None).await?
    } else {
        instances::list_for_owner(&state.mongo, who.user_id()).await?
    };
    Ok(docs.into_iter().map(|doc| (doc.id.to_hex(), doc.name)).collect())
}

/// `{microseconds}.{id}` of the last row shown: the next page starts after it.
fn cursor_of(row: &ReportRow) -> String {
    format!("{}.{}", row.at.timestamp_micros(), row.id)
}

fn parse_cursor(raw: &str) -> Option<(DateTime<Utc>, Uuid)> {
    let (micros, id) = raw.split_once('.')?;
    Some((DateTime::from_timestamp_micros(micros.parse().ok()?)?, Uuid::parse_str(id).ok()?))
}

/// One page of rows, newest first, after `cursor`; with totals and the chart over the whole filter.
pub async fn page(
    pg: &PgPool,
    scope: &Scope,
    filter: &ReportFilter,
    cursor: Option<&str>,
    names: &HashMap<String, String>,
) -> Result<ReportPage, StoreError> {
    let now = Utc::now();
    let mut query = QueryBuilder::new(format!("SELECT {COLUMNS} FROM instagram_reports"));
    push_filter(&mut query, scope, filter, now);
    if let Some((at, id)) = cursor.and_then(parse_cursor) {
        query.push(" AND (\"timestamp\", id) < (").push_bind(at).push(", ").push_bind(id).push(")");
    }
    query.push(" ORDER BY \"timestamp\" DESC, id DESC LIMIT ").push_bind(PAGE_SIZE + 1);
    let mut rows: Vec<ReportRow> =
        query.build_query_as::<Row>().fetch_all(pg).await?.into_iter().map(|r| to_row(r, names)).collect();
    let next = if rows.len() > usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX) {
        rows.pop();
        rows.last().map(cursor_of)
    } else {
        None
    };

    let mut totals = QueryBuilder::new("SELECT status, count(*) FROM instagram_reports");
    push_filter(&mut totals, scope, filter, now);
    totals.push(" GROUP BY status");
    let totals: Vec<(String, i64)> = totals.build_query_as().fetch_all(pg).await?;

    let mut days = QueryBuilder::new(
        // Interactions, not replies: a comment answered publicly and privately is one comment.
        "SELECT (\"timestamp\" AT TIME ZONE 'UTC')::date AS day,
                count(*) FILTER (WHERE interaction_type = 'dm' AND part = 0),
                count(*) FILTER (WHERE interaction_type = 'comment' AND part = 0) FROM instagram_reports",
    );
    push_filter(&mut days, scope, filter, now);
    days.push(" GROUP BY day ORDER BY day DESC LIMIT ").push_bind(CHART_DAYS);
    let mut days: Vec<(NaiveDate, i64, i64)> = days.build_query_as().fetch_all(pg).await?;
    days.reverse();
    let days = days.into_iter().map(|(day, dm, comment)| DayCount { day, dm, comment }).collect();
    Ok(ReportPage { rows, next, totals, days })
}

/// Every row of the filter, newest first, streamed from PostgreSQL as it reads them.
pub fn stream<'a>(
    pg: &'a PgPool,
    query: &'a mut QueryBuilder<'static, Postgres>,
    names: &'a HashMap<String, String>,
) -> impl Stream<Item = Result<ReportRow, StoreError>> + 'a {
    query.build_query_as::<Row>().fetch(pg).map(move |row| row.map(|r| to_row(r, names)).map_err(StoreError::from))
}

/// The query `stream` runs, built outside it so the stream may borrow it.
pub fn export_query(scope: &Scope, filter: &ReportFilter) -> QueryBuilder<'static, Postgres> {
    let mut query = QueryBuilder::new(format!("SELECT {COLUMNS} FROM instagram_reports"));
    push_filter(&mut query, scope, filter, Utc::now());
    query.push(" ORDER BY \"timestamp\" DESC, id DESC");
    query
}

/// The CSV's header: the PRD's report fields, how the reply went (`dm`, `publica`, `privada`),
/// then the reply's status and its reason.
pub const CSV_HEADER: [&str; 13] = [
    "data_hora",
    "tipo",
    "instancia",
    "comentario_id",
    "usuario_id_instagram",
    "midia_id",
    "username",
    "texto",
    "resposta",
    "resposta_tipo",
    "status",
    "motivo",
    "id",
];

/// A row as CSV cells: ISO-8601 UTC times, and a leading `'` on cells a spreadsheet would run
/// as a formula.
pub fn csv_cells(row: &ReportRow) -> [String; 13] {
    let cell = |value: Option<&str>| defuse(value.unwrap_or_default());
    [
        row.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        row.kind.as_str().to_owned(),
        cell(row.instance_name.as_deref().or(Some(&row.instance_id))),
        cell(row.comment_id.as_deref()),
        cell(Some(&row.user_id_instagram)),
        cell(row.media_id.as_deref()),
        cell(row.username.as_deref()),
        cell(row.text.as_deref()),
        cell(row.reply.as_deref()),
        row.reply_part().unwrap_or_default().to_owned(),
        row.status.clone(),
        cell(row.error.as_deref()),
        row.id.clone(),
    ]
}

fn defuse(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

/// How cells are separated: `,` (RFC 4180), or `;`, which a spreadsheet set to pt-BR (where `,`
/// is the decimal mark) opens in columns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Separator {
    #[default]
    Comma,
    Semicolon,
}

impl Separator {
    /// The `separator` parameter of the export (`semicolon`, or anything else for a comma).
    pub fn parse(raw: Option<&str>) -> Self {
        if raw == Some("semicolon") {
            Self::Semicolon
        } else {
            Self::Comma
        }
    }

    fn byte(self) -> u8 {
        match self {
            Self::Comma => b',',
            Self::Semicolon => b';',
        }
    }
}

/// Appends one RFC 4180 record (quotes where needed, CRLF line end), cells separated by `separator`.
pub fn write_record<I, S>(out: &mut Vec<u8>, separator: Separator, cells: I) -> Result<(), csv::Error>
where
    I: IntoIterator<Item = S>,
    S: AsRef<[u8]>,
{
    let mut writer =
        csv::WriterBuilder::new().delimiter(separator.byte()).terminator(csv::Terminator::CRLF).from_writer(out);
    writer.write_record(cells)?;
    writer.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(text: &str) -> ReportRow {
        ReportRow {
            id: "0192f0c0-0000-7000-8000-000000000001".into(),
            at: DateTime::from_timestamp(1_732_300_000, 0).unwrap_or_default(),
            kind: AutomationKind::Comment,
            instance_id: "abc".into(),
            instance_name: Some("Loja, Centro".into()),
            username: Some("cliente.fiel".into()),
            user_id_instagram: "1254477777772919".into(),
            text: Some(text.into()),
            reply: Some("Oi \"você\"!".into()),
            reply_by: Some(ResponseType::Comment),
            status: "sent".into(),
            error: None,
            comment_id: Some("17870913679156914".into()),
            media_id: Some("17918195224117851".into()),
        }
    }

    fn csv_of(row: &ReportRow) -> String {
        let mut out = Vec::new();
        write_record(&mut out, Separator::Comma, csv_cells(row)).expect("writes");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn cells_are_quoted_as_rfc_4180_says() {
        let line = csv_of(&row("preço, por favor?\nlinha 2 😀"));
        assert_eq!(
            line,
            "2024-11-22T18:26:40Z,comment,\"Loja, Centro\",17870913679156914,1254477777772919,17918195224117851,\
             cliente.fiel,\"preço, por favor?\nlinha 2 😀\",\"Oi \"\"você\"\"!\",publica,sent,,0192f0c0-0000-7000-8000-000000000001\r\n"
        );
    }

    #[test]
    fn formulas_are_defused() {
        for text in ["=HYPERLINK(\"http://x\")", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(csv_cells(&row(text))[7], format!("'{text}"));
        }
        assert_eq!(csv_cells(&row("preço = R$ 50"))[7], "preço = R$ 50", "only a leading sign is a formula");
    }

    #[test]
    fn cursors_round_trip() {
        let row = row("x");
        assert_eq!(parse_cursor(&cursor_of(&row)).map(|(at, id)| (at, id.to_string())), Some((row.at, row.id)));
        assert_eq!(parse_cursor("garbage"), None);
    }
}
