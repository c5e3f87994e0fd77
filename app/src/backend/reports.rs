//! Report queries: one filter, built once with bind parameters, serves the table (keyset pages on
//! `("timestamp", id)` both ways), the totals, the chart and the CSV stream. Totals and the chart
//! come from the hourly rollups (see the migration `report_rollups`), except under a username or
//! free-text filter, which they cannot split by: those count the matching rows, up to a cap.
use super::error::Error;
use super::{auth::SignedIn, store::StoreError};
use crate::domain::error::FieldCode;
use crate::domain::id::{AutomationId, CommentId, InstanceId, MediaId, UserId};
use crate::domain::{
    automation::{AutomationKind, ResponseType},
    report::{
        Choice, DayCount, ReplyStatus, ReportChoices, ReportFilter, ReportPage, ReportRow, COUNT_CAP, PAGE_ROWS,
        ZONE_COOKIE,
    },
};
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::{Stream, StreamExt};
use sqlx::{PgPool, Postgres, QueryBuilder};
use std::{
    borrow::Cow,
    collections::{HashMap, HashSet},
};
use uuid::Uuid;

use super::store::access::Everyone;
/// Whose reports a query may see: the caller's own, or everyone's for an admin.
pub use super::store::access::Scope;

/// A time zone PostgreSQL knows, by its IANA name: days, periods and the chart are the reader's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Zone(String);

impl Zone {
    pub fn utc() -> Self {
        Self("UTC".into())
    }

    pub fn name(&self) -> &str {
        &self.0
    }

    /// The reader's zone, from the request's cookies.
    pub async fn of_request(pg: &PgPool, headers: &http::HeaderMap) -> Self {
        let cookies = headers.get(http::header::COOKIE).and_then(|v| v.to_str().ok());
        let locale = cookies.map(crate::i18n::Locale::from_cookie_header).unwrap_or_default();
        Self::from_cookies(pg, cookies, locale).await
    }

    /// The zone a `Cookie` header names, if PostgreSQL knows it; else `fallback`'s language's.
    pub async fn from_cookies(pg: &PgPool, cookies: Option<&str>, fallback: crate::i18n::Locale) -> Self {
        let named = cookies.into_iter().flat_map(|h| h.split(';')).find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == ZONE_COOKIE).then(|| crate::domain::url::decode(value))
        });
        let fallback = match fallback {
            crate::i18n::Locale::PtBr => "America/Sao_Paulo",
            crate::i18n::Locale::En => "UTC",
        };
        let known = known_zones(pg).await;
        let name = named.filter(|name| known.contains(name.as_str())).unwrap_or_else(|| fallback.to_owned());
        Self(name)
    }
}

/// The zone names PostgreSQL knows, read once: the list is part of its installation.
async fn known_zones(pg: &PgPool) -> &'static HashSet<String> {
    static KNOWN: tokio::sync::OnceCell<HashSet<String>> = tokio::sync::OnceCell::const_new();
    let loaded = KNOWN
        .get_or_try_init(|| async {
            let names: Vec<(String,)> = sqlx::query_as("SELECT name FROM pg_timezone_names").fetch_all(pg).await?;
            Ok::<_, sqlx::Error>(names.into_iter().map(|(n,)| n).collect())
        })
        .await;
    static NONE: std::sync::LazyLock<HashSet<String>> = std::sync::LazyLock::new(HashSet::new);
    loaded.unwrap_or(&NONE)
}

/// The reader's today, by PostgreSQL's clock (the one rows are stamped by).
async fn today(pg: &PgPool, zone: &Zone) -> Result<NaiveDate, StoreError> {
    let (day,): (NaiveDate,) =
        sqlx::query_as("SELECT (now() AT TIME ZONE $1)::date").bind(zone.name()).fetch_one(pg).await?;
    Ok(day)
}

const COLUMNS: &str =
    "id, \"timestamp\", interaction_type, instance_id, username, user_id_instagram, interaction_text, \
                       response_text, response_type, status, error, comment_id, media_id";

/// The text the free-text search looks in (the expression the trigram index is built on).
const SEARCHED: &str =
    "(coalesce(username, '') || ' ' || coalesce(interaction_text, '') || ' ' || coalesce(response_text, ''))";

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
        id: id.into(),
        at,
        kind: AutomationKind::parse(&kind).unwrap_or(AutomationKind::Dm),
        instance_name: names.get(&instance_id).cloned(),
        instance_id: instance_id.into(),
        username,
        user_id_instagram: user_id_instagram.into(),
        text,
        reply,
        reply_by: reply_by.as_deref().and_then(ResponseType::parse),
        // The table's check constraint allows only these.
        status: ReplyStatus::parse(&status).unwrap_or(ReplyStatus::Pending),
        error,
        comment_id: comment_id.map(CommentId::from),
        media_id: media_id.map(MediaId::from),
    }
}

/// The filter and the days it covers, in the reader's zone.
#[derive(Clone, Debug)]
pub struct Query<'a> {
    pub scope: &'a Scope,
    pub filter: &'a ReportFilter,
    pub zone: &'a Zone,
    pub today: NaiveDate,
}

impl Query<'_> {
    /// Whether the rollups can answer: they know no usernames or texts.
    fn by_rollups(&self) -> bool {
        self.filter.username.is_none() && self.filter.search.is_none()
    }

    /// `AND {column} >= start AND {column} < end` for the period's days, midnights in the zone.
    fn push_days(&self, query: &mut QueryBuilder<'_, Postgres>, column: &str) {
        let (first, last) = self.filter.days(self.today);
        if let Some(first) = first {
            query.push(format!(" AND {column} >= (CAST("));
            query
                .push_bind(first)
                .push(" AS date)::timestamp AT TIME ZONE ")
                .push_bind(self.zone.name().to_owned())
                .push(")");
        }
        if let Some(end) = last.and_then(|d| d.succ_opt()) {
            query.push(format!(" AND {column} < (CAST("));
            query
                .push_bind(end)
                .push(" AS date)::timestamp AT TIME ZONE ")
                .push_bind(self.zone.name().to_owned())
                .push(")");
        }
    }

    /// `AND ...` for what rows and rollups share: owner and instance.
    fn push_owner(&self, query: &mut QueryBuilder<'_, Postgres>) {
        // An admin may narrow everyone's reports to one owner; anyone else sees only their own.
        if let Some(user) = self.scope.owner().map(|id| UserId::new(id.to_hex())).or_else(|| self.filter.owner.clone())
        {
            query.push(" AND user_id = ").push_bind(user);
        }
        if let Some(instance) = &self.filter.instance {
            query.push(" AND instance_id = ").push_bind(instance.clone());
        }
    }

    fn automation(&self) -> Option<Uuid> {
        self.filter.automation.as_ref().and_then(AutomationId::uuid)
    }

    /// `WHERE ...` over the rollups: an instance's whole hours, or one automation's.
    fn push_rollups(&self, query: &mut QueryBuilder<'_, Postgres>) {
        query.push(" WHERE true");
        self.push_owner(query);
        match self.automation() {
            Some(automation) => query.push(" AND automation_id = ").push_bind(automation),
            None => query.push(" AND automation_id IS NULL"),
        };
        self.push_days(query, "hour");
    }

    /// `WHERE ...` over report rows, with every value bound.
    fn push_rows(&self, query: &mut QueryBuilder<'_, Postgres>) {
        self.push_unsearched(query);
        if let Some(pattern) = self.search_pattern() {
            query.push(format!(" AND {SEARCHED} ILIKE ")).push_bind(pattern);
        }
    }

    /// The search as a LIKE pattern that matches it literally anywhere.
    fn search_pattern(&self) -> Option<String> {
        self.filter.search.as_deref().map(|search| format!("%{}%", escape_like(search)))
    }

    /// `WHERE ...` over report rows, every filter but the text search.
    fn push_unsearched(&self, query: &mut QueryBuilder<'_, Postgres>) {
        query.push(" WHERE true");
        self.push_owner(query);
        if let Some(kind) = self.filter.kind {
            query.push(" AND interaction_type = ").push_bind(kind.as_str());
        }
        if let Some(automation) = self.automation() {
            query.push(" AND automation_id = ").push_bind(automation);
        }
        if let Some(status) = self.filter.status {
            query.push(" AND status = ").push_bind(status.as_str());
        }
        if let Some(username) = &self.filter.username {
            query.push(" AND lower(username) = lower(").push_bind(username.clone()).push(")");
        }
        self.push_days(query, "\"timestamp\"");
    }
}

/// Rows a text search looks through in time order before it takes the trigram index.
const SEARCH_WINDOW: i64 = 5_000;
/// The first rows it looks through, and the matches among them that say a word is rare.
const FIRST_WINDOW: i64 = 1_000;
const RARE_IN_FIRST: usize = 2;
/// Rows a common word is counted in, in time order, before the trigram index counts it.
const COUNT_WINDOW: i64 = 20_000;

/// The periods, in days back from the page's edge, a rare word's page is looked for in (the
/// time's BRIN index narrows the trigram index's matches to them) before it is looked for in all.
const SEARCH_PERIODS_DAYS: [i32; 3] = [1, 8, 64];

/// `AND ...` limiting rows to `days` beyond the edge of the page at `position`, in the direction
/// it pages: every row left out is further from the edge than every row kept.
fn push_period(query: &mut QueryBuilder<'_, Postgres>, position: Position, days: i32) {
    match position {
        Position::Newest => query.push(" AND \"timestamp\" >= now() - make_interval(days => ").push_bind(days),
        Position::Older(at, _) => {
            query.push(" AND \"timestamp\" >= ").push_bind(at).push(" - make_interval(days => ").push_bind(days)
        }
        Position::Newer(at, _) => {
            query.push(" AND \"timestamp\" <= ").push_bind(at).push(" + make_interval(days => ").push_bind(days)
        }
    };
    query.push(")");
}

/// Runs `query` with bitmap scans only: through the indexes its text search or username can use
/// (the trigram index, the username index), never walking the time order, which for a rare word
/// reads every row. PostgreSQL cannot estimate how rare a word is, so it is told.
async fn by_bitmap<T>(pg: &PgPool, query: &mut QueryBuilder<'_, Postgres>) -> Result<Vec<T>, StoreError>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
{
    let mut tx = pg.begin().await?;
    sqlx::query("SELECT set_config('enable_indexscan', 'off', true), set_config('enable_seqscan', 'off', true)")
        .execute(&mut *tx)
        .await?;
    let rows = query.build_query_as().fetch_all(&mut *tx).await?;
    tx.commit().await?;
    Ok(rows)
}

/// `text` matched literally inside a LIKE pattern.
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// Instance names by id, for the instances the caller may see reports of.
pub async fn instance_names(state: &super::AppState, who: &SignedIn) -> Result<HashMap<String, String>, StoreError> {
    let docs = super::instances::listed(state, &Scope::of(who)).await?;
    Ok(docs.into_iter().map(|doc| (doc.id.to_hex(), doc.name)).collect())
}

/// What the filter offers the caller to choose from.
pub async fn choices(
    state: &super::AppState,
    who: &SignedIn,
    filter: &ReportFilter,
) -> Result<ReportChoices, StoreError> {
    use super::store::mongo::users;
    let mut choices = ReportChoices::default();
    let docs = if let Some(everyone) = Everyone::admin(who) {
        let emails: HashMap<_, _> =
            users::list(&state.mongo, &everyone).await?.into_iter().map(|u| (u.id, u.email)).collect();
        let docs = super::instances::listed(state, &Scope::of(who)).await?;
        choices.owners = emails.iter().map(|(id, email)| Choice { id: id.to_hex(), label: email.clone() }).collect();
        choices.owners.sort_by(|a, b| a.label.cmp(&b.label));
        choices.instances = docs
            .iter()
            .map(|doc| {
                let owner = emails.get(&doc.user_id).cloned().unwrap_or_else(|| doc.user_id.to_hex());
                Choice { id: doc.id.to_hex(), label: format!("{} ({owner})", doc.name) }
            })
            .collect();
        docs
    } else {
        let docs = super::instances::listed(state, &Scope::of(who)).await?;
        choices.instances = docs.iter().map(|doc| Choice { id: doc.id.to_hex(), label: doc.name.clone() }).collect();
        docs
    };
    let names: HashMap<_, _> = docs.iter().map(|doc| (doc.id.to_hex(), doc.name.clone())).collect();
    // The chosen instance's automations, else the owner's; an admin who chose neither gets none
    // (every automation of the service is no list to choose from).
    let owner = if who.is_admin() { filter.owner.clone() } else { Some(who.id().clone()) };
    let mut query = QueryBuilder::<Postgres>::new("SELECT id, name, instance_id FROM instagram_automations WHERE ");
    match (&filter.instance, owner) {
        (Some(instance), _) if names.contains_key(instance.as_str()) => {
            query.push("instance_id = ").push_bind(instance.clone());
        }
        (_, Some(owner)) => {
            query.push("user_id = ").push_bind(owner);
        }
        _ => return Ok(choices),
    }
    query.push(" ORDER BY instance_id, priority, created_at LIMIT 500");
    let rows: Vec<(Uuid, String, String)> = query.build_query_as().fetch_all(&state.pg).await?;
    choices.automations = rows
        .into_iter()
        .map(|(id, name, instance)| {
            let label = match names.get(&instance) {
                Some(instance) if filter.instance.is_none() => format!("{name} · {instance}"),
                _ => name,
            };
            Choice { id: id.to_string(), label }
        })
        .collect();
    Ok(choices)
}

/// Where a report's post or reel is on Instagram: its media's permalink, read from Meta with the
/// instance's token (reports keep the media id only). `NotFound` for another tenant's report or
/// one without media; admins may open anyone's.
pub async fn post_link(state: &super::AppState, who: &SignedIn, id: Uuid) -> Result<String, Error> {
    use super::store::mongo::instances;
    use crate::domain::{error::AppError, instance::InstanceStatus};
    let mut query = QueryBuilder::<Postgres>::new("SELECT instance_id, media_id FROM instagram_reports WHERE id = ");
    query.push_bind(id);
    let scope = Scope::of(who);
    if let Some(user) = scope.owner() {
        query.push(" AND user_id = ").push_bind(user.to_hex());
    }
    let found: Option<(InstanceId, Option<MediaId>)> = query.build_query_as().fetch_optional(&state.pg).await?;
    let (instance_id, Some(media_id)) = found.ok_or(AppError::NotFound)? else { return Err(AppError::NotFound.into()) };
    let instance = instances::find(&state.mongo, &scope, &instance_id).await?;
    if instance.status != InstanceStatus::Connected {
        return Err(Error::invalid("id", FieldCode::NotConnected));
    }
    let token = super::instances::token(state, &instance)
        .ok_or_else(|| Error::internal(format!("the token of instance {} cannot be decrypted", instance.id)))?;
    let link = state.meta.permalink(&token, &media_id).await.map_err(|e| {
        tracing::warn!(instance.id = %instance.id, "permalink of {media_id} unavailable: {e}");
        AppError::MetaUnavailable
    })?;
    // Only ever a link into Instagram: the answer decides where the browser goes.
    link.filter(|l| l.starts_with("https://www.instagram.com/") || l.starts_with("https://instagram.com/"))
        .ok_or(AppError::MetaUnavailable.into())
}

/// `{microseconds}.{id}` of a row: pages start after (or end before) it.
fn cursor_of(row: &Row) -> String {
    format!("{}.{}", row.1.timestamp_micros(), row.0)
}

fn parse_cursor(raw: &str) -> Option<(DateTime<Utc>, Uuid)> {
    let (micros, id) = raw.split_once('.')?;
    Some((DateTime::from_timestamp_micros(micros.parse().ok()?)?, Uuid::parse_str(id).ok()?))
}

/// Which page of the table: the newest, the one older than a row, or the one newer than a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    Newest,
    Older(DateTime<Utc>, Uuid),
    Newer(DateTime<Utc>, Uuid),
}

impl Position {
    /// From the page's `cursor` (older than) or `newer` (newer than) parameter; a garbled one is
    /// the newest page.
    pub fn parse(older: Option<&str>, newer: Option<&str>) -> Self {
        match (older.and_then(parse_cursor), newer.and_then(parse_cursor)) {
            (Some((at, id)), _) => Self::Older(at, id),
            (None, Some((at, id))) => Self::Newer(at, id),
            (None, None) => Self::Newest,
        }
    }
}

/// One page of rows at `position`, with totals and the chart over the whole filter. `names`
/// (the instances' names by id, for the rows) is looked up while the rows are read.
pub async fn page(
    pg: &PgPool,
    scope: &Scope,
    filter: &ReportFilter,
    zone: &Zone,
    position: Position,
    names: impl std::future::Future<Output = Result<HashMap<String, String>, StoreError>>,
) -> Result<ReportPage, StoreError> {
    let read = async {
        let today = today(pg, zone).await?;
        let q = Query { scope, filter, zone, today };
        let recent = match q.search_pattern() {
            Some(search) => Some(recent_matches(pg, &q, position, &search).await?),
            None => None,
        };
        // A word that fills a page among the most recent rows is counted there too.
        let dense = recent.as_ref().is_some_and(|rows| rows.len() > PAGE_ROWS);
        // The rows and the counts need nothing of each other: two connections look at once.
        futures_util::future::try_join(rows_at(pg, &q, position, recent), counts(pg, &q, dense)).await
    };
    let (names, ((rows, older, newer), Counted { totals, capped, days })) =
        futures_util::future::try_join(names, read).await?;
    let rows = rows.into_iter().map(|row| to_row(row, &names)).collect();
    let total = totals.iter().map(|(_, n)| n).sum();
    Ok(ReportPage { rows, older, newer, totals, total, capped, days, time_zone: zone.name().to_owned() })
}

/// `AND (timestamp, id) beyond the edge` for the page at `position`; returns the `ORDER BY ...
/// LIMIT ` it pages in.
fn push_keyset(query: &mut QueryBuilder<'_, Postgres>, position: Position) -> String {
    let (op, order) = match position {
        Position::Newest => (None, "DESC"),
        Position::Older(..) => (Some("<"), "DESC"),
        Position::Newer(..) => (Some(">"), "ASC"),
    };
    if let (Some(op), Position::Older(at, id) | Position::Newer(at, id)) = (op, position) {
        query.push(format!(" AND (\"timestamp\", id) {op} (")).push_bind(at).push(", ").push_bind(id).push(")");
    }
    format!(" ORDER BY \"timestamp\" {order}, id {order} LIMIT ")
}

/// Rows looked for per page: one more than shown says there are more.
fn page_limit() -> i64 {
    i64::try_from(PAGE_ROWS + 1).unwrap_or(i64::MAX)
}

/// The matches of a text search among the most recent rows of the other filters at `position`:
/// a common word fills a page there (more than [`PAGE_ROWS`] come back), where the trigram index
/// would hold every match of it. The first [`FIRST_WINDOW`] rows are looked through first: a word
/// found there at most [`RARE_IN_FIRST`] times is rare (the index finds it faster than a longer
/// look), one that fills the page there needs no more.
async fn recent_matches(pg: &PgPool, q: &Query<'_>, position: Position, search: &str) -> Result<Vec<Row>, StoreError> {
    let within = |window: i64| {
        let mut recent = QueryBuilder::new(format!("SELECT {COLUMNS} FROM (SELECT * FROM instagram_reports"));
        q.push_unsearched(&mut recent);
        let order = push_keyset(&mut recent, position);
        recent.push(format!("{order}{window}) AS r WHERE {SEARCHED} ILIKE ")).push_bind(search.to_owned());
        recent.push(order).push_bind(page_limit());
        recent
    };
    let first: Vec<Row> = within(FIRST_WINDOW).build_query_as().fetch_all(pg).await?;
    if first.len() <= RARE_IN_FIRST || first.len() > PAGE_ROWS {
        return Ok(first);
    }
    Ok(within(SEARCH_WINDOW).build_query_as().fetch_all(pg).await?)
}

/// The rows of the page at `position` and the cursors of the pages older and newer. `recent` is
/// what [`recent_matches`] found at `position` for a text search.
async fn rows_at(
    pg: &PgPool,
    q: &Query<'_>,
    position: Position,
    recent: Option<Vec<Row>>,
) -> Result<(Vec<Row>, Option<String>, Option<String>), StoreError> {
    let fetch = |position: Position, recent: Option<Vec<Row>>| async move {
        // The page's rows, within `days` of its edge or from all rows.
        let rows_within = |days: Option<i32>| {
            let mut query = QueryBuilder::new(format!("SELECT {COLUMNS} FROM instagram_reports"));
            q.push_rows(&mut query);
            if let Some(days) = days {
                push_period(&mut query, position, days);
            }
            let order = push_keyset(&mut query, position);
            query.push(order).push_bind(page_limit());
            query
        };
        let rows: Vec<Row> = match q.search_pattern() {
            None => rows_within(None).build_query_as().fetch_all(pg).await?,
            // A common word fills its page among the most recent rows; a rare one is looked for
            // through the trigram index (walking the time order would look in every row), over
            // periods growing back from the page's edge, then all rows: the index names every
            // match, but each one read is a page of the table, so ordering them all costs as
            // many reads as there are matches (10,000 for a word in one row of 1,000 at 10M
            // rows). A period that fills the page holds the newest matches.
            Some(search) => {
                let recent = match recent {
                    Some(recent) => recent,
                    None => recent_matches(pg, q, position, &search).await?,
                };
                if recent.len() > PAGE_ROWS {
                    recent
                } else {
                    let mut rows = Vec::new();
                    for days in SEARCH_PERIODS_DAYS.map(Some).into_iter().chain([None]) {
                        rows = by_bitmap(pg, &mut rows_within(days)).await?;
                        if rows.len() > PAGE_ROWS {
                            break;
                        }
                    }
                    rows
                }
            }
        };
        Ok::<_, StoreError>(rows)
    };
    let mut rows = fetch(position, recent).await?;
    let more = rows.len() > PAGE_ROWS;
    rows.truncate(PAGE_ROWS);
    Ok(match position {
        Position::Newest => (rows.last().filter(|_| more).map(cursor_of), None, rows),
        Position::Older(..) => (rows.last().filter(|_| more).map(cursor_of), rows.first().map(cursor_of), rows),
        // Fewer than a page newer: that is the newest page, whole.
        Position::Newer(..) if !more => {
            let mut rows = fetch(Position::Newest, None).await?;
            let more = rows.len() > PAGE_ROWS;
            rows.truncate(PAGE_ROWS);
            (rows.last().filter(|_| more).map(cursor_of), None, rows)
        }
        Position::Newer(..) => {
            rows.reverse();
            (rows.last().map(cursor_of), rows.first().map(cursor_of), rows)
        }
    })
    .map(|(older, newer, rows)| (rows, older, newer))
}

/// The rollups and the deltas not yet folded into them: together, the exact counts.
const ROLLUPS: &str = "(SELECT * FROM report_rollups UNION ALL SELECT * FROM report_rollup_deltas) AS r";

/// One day's counts, per type (dm, comment) and status (in [`ReplyStatus::ALL`]' order): report rows,
/// and interactions (a row's part 0, what the chart counts).
#[derive(Clone, Copy, Debug, Default)]
struct DayCounts {
    rows: [[i64; 4]; 2],
    first: [[i64; 4]; 2],
}

/// What the filter adds up to: rows per status, the chart, and whether counting stopped at
/// [`COUNT_CAP`] (a username or text filter). One pass over the rollups (or the matching rows)
/// serves both.
struct Counted {
    totals: Vec<(ReplyStatus, i64)>,
    capped: bool,
    days: Vec<DayCount>,
}

async fn counts(pg: &PgPool, q: &Query<'_>, dense: bool) -> Result<Counted, StoreError> {
    let zone = q.zone.name().to_owned();
    let mut by_day: HashMap<NaiveDate, DayCounts> = HashMap::new();
    let mut capped = false;
    if q.by_rollups() {
        let sums: Vec<String> = ROLLUP_COLUMNS.iter().map(|c| format!("coalesce(sum({c}), 0)::int8 AS {c}")).collect();
        let mut query = QueryBuilder::new("SELECT (hour AT TIME ZONE ");
        query.push_bind(zone).push(format!(")::date AS day, {} FROM {ROLLUPS}", sums.join(", ")));
        q.push_rollups(&mut query);
        query.push(" GROUP BY day");
        let rows: Vec<sqlx::postgres::PgRow> = query.build().fetch_all(pg).await?;
        for row in rows {
            use sqlx::Row as _;
            let mut day = DayCounts::default();
            for (i, column) in ROLLUP_COLUMNS.iter().enumerate() {
                let n: i64 = row.try_get(*column)?;
                let (kind, status) = ((i / 4) % 2, i % 4);
                if i < 8 {
                    day.rows[kind][status] = n;
                } else {
                    day.first[kind][status] = n;
                }
            }
            by_day.insert(row.try_get("day")?, day);
        }
        // The rollups count every type and status: the filter's are kept.
        let kinds: [bool; 2] = match q.filter.kind {
            Some(AutomationKind::Dm) => [true, false],
            Some(AutomationKind::Comment) => [false, true],
            None => [true, true],
        };
        for day in by_day.values_mut() {
            for (kind, kept) in kinds.iter().enumerate() {
                for (status, name) in ReplyStatus::ALL.iter().enumerate() {
                    if !kept || q.filter.status.is_some_and(|s| s != *name) {
                        day.rows[kind][status] = 0;
                        day.first[kind][status] = 0;
                    }
                }
            }
        }
    } else {
        let counted = |source: &str| {
            let mut query = QueryBuilder::new("SELECT (\"timestamp\" AT TIME ZONE ");
            query.push_bind(zone.clone()).push(format!(
                ")::date AS day, interaction_type, status, part = 0, count(*) \
                 FROM (SELECT \"timestamp\", interaction_type, status, part FROM {source}"
            ));
            query
        };
        let over_cap =
            |rows: &[(NaiveDate, String, String, bool, i64)]| rows.iter().map(|r| r.4).sum::<i64>() > COUNT_CAP;
        // A common word reaches the cap among the most recent rows, in time order: a few
        // thousand rows read, where the trigram index's bitmap would hold every match.
        let mut recent = Vec::new();
        if let (true, Some(search)) = (dense, q.search_pattern()) {
            let mut query = counted("(SELECT * FROM instagram_reports");
            q.push_unsearched(&mut query);
            query.push(format!(" ORDER BY \"timestamp\" DESC LIMIT {COUNT_WINDOW}) AS r WHERE {SEARCHED} ILIKE "));
            query.push_bind(search).push(" LIMIT ").push_bind(COUNT_CAP + 1).push(") AS m GROUP BY 1, 2, 3, 4");
            recent = query.build_query_as().fetch_all(pg).await?;
        }
        let rows = if over_cap(&recent) {
            recent
        } else {
            let mut query = counted("instagram_reports");
            q.push_rows(&mut query);
            query.push(" LIMIT ").push_bind(COUNT_CAP + 1).push(") AS m GROUP BY 1, 2, 3, 4");
            by_bitmap(pg, &mut query).await?
        };
        capped = over_cap(&rows);
        for (day, kind, status, first, n) in rows {
            let kind = usize::from(kind == "comment");
            let Some(status) = ReplyStatus::ALL.iter().position(|s| s.as_str() == status) else { continue };
            let counts = by_day.entry(day).or_default();
            counts.rows[kind][status] += n;
            if first {
                counts.first[kind][status] += n;
            }
        }
    }
    let mut totals: Vec<(ReplyStatus, i64)> = ReplyStatus::ALL
        .iter()
        .enumerate()
        .map(|(status, name)| (*name, by_day.values().map(|d| d.rows[0][status] + d.rows[1][status]).sum()))
        .filter(|(_, n)| *n != 0)
        .collect();
    if capped {
        // The one beyond the cap only said there are more.
        if let Some(largest) = totals.iter_mut().max_by_key(|(_, n)| *n) {
            largest.1 -= 1;
        }
    }
    // Beyond the cap the page says the counts stopped; a chart would show a part only.
    let days = if capped {
        Vec::new()
    } else {
        // A period without a start charts from its first day with data.
        let first_data = by_day.keys().min().copied();
        let chart_days = match q.filter.days(q.today).0 {
            Some(_) => q.filter.chart_days(q.today, None),
            None => q.filter.chart_days(q.today, first_data),
        };
        chart_days
            .into_iter()
            .map(|day| {
                let counts = by_day.get(&day).copied().unwrap_or_default();
                DayCount { day, dm: counts.first[0].iter().sum(), comment: counts.first[1].iter().sum() }
            })
            .collect()
    };
    Ok(Counted { totals, capped, days })
}

/// The rollups' counts: report rows per type and status, then interactions (part 0).
const ROLLUP_COLUMNS: [&str; 16] = [
    "dm_sent",
    "dm_failed",
    "dm_pending",
    "dm_skipped",
    "comment_sent",
    "comment_failed",
    "comment_pending",
    "comment_skipped",
    "first_dm_sent",
    "first_dm_failed",
    "first_dm_pending",
    "first_dm_skipped",
    "first_comment_sent",
    "first_comment_failed",
    "first_comment_pending",
    "first_comment_skipped",
];

/// Folds the deltas into the rollups, in one statement: a reader sees either both or neither.
/// One process at a time (the scheduled job); concurrent writers' deltas wait for the next fold.
pub async fn fold_rollups(pg: &PgPool) -> Result<u64, StoreError> {
    let done = sqlx::query(&format!(
        "WITH moved AS (DELETE FROM report_rollup_deltas RETURNING *)
             INSERT INTO report_rollups AS r
             SELECT user_id, instance_id, hour, automation_id, {sums} FROM moved GROUP BY 1, 2, 3, 4
             ON CONFLICT ON CONSTRAINT report_rollups_key DO UPDATE SET {sets}",
        sums = ROLLUP_COLUMNS.iter().map(|c| format!("sum({c})")).collect::<Vec<_>>().join(", "),
        sets = ROLLUP_COLUMNS.iter().map(|c| format!("{c} = r.{c} + excluded.{c}")).collect::<Vec<_>>().join(", "),
    ))
    .execute(pg)
    .await?;
    Ok(done.rows_affected())
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
pub async fn export_query(
    pg: &PgPool,
    scope: &Scope,
    filter: &ReportFilter,
    zone: &Zone,
) -> Result<QueryBuilder<'static, Postgres>, StoreError> {
    let today = today(pg, zone).await?;
    let mut query = QueryBuilder::new(format!("SELECT {COLUMNS} FROM instagram_reports"));
    Query { scope, filter, zone, today }.push_rows(&mut query);
    query.push(" ORDER BY \"timestamp\" DESC, id DESC");
    Ok(query)
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
/// as a formula. Borrowed where they can be: an export writes a million of them.
pub fn csv_cells(row: &ReportRow) -> [Cow<'_, str>; 13] {
    fn cell(value: Option<&str>) -> Cow<'_, str> {
        defuse(value.unwrap_or_default())
    }
    [
        Cow::Owned(row.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        Cow::Borrowed(row.kind.as_str()),
        cell(row.instance_name.as_deref().or(Some(row.instance_id.as_str()))),
        cell(row.comment_id.as_ref().map(CommentId::as_str)),
        cell(Some(row.user_id_instagram.as_str())),
        cell(row.media_id.as_ref().map(MediaId::as_str)),
        cell(row.username.as_deref()),
        cell(row.text.as_deref()),
        cell(row.reply.as_deref()),
        Cow::Borrowed(row.reply_part().unwrap_or_default()),
        Cow::Borrowed(row.status.as_str()),
        cell(row.error.as_deref()),
        Cow::Borrowed(row.id.as_str()),
    ]
}

fn defuse(value: &str) -> Cow<'_, str> {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
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

/// RFC 4180 records (quotes where needed, CRLF line ends) into memory, taken out in chunks: one
/// writer per chunk of an export, not one per row.
pub struct CsvWriter {
    separator: Separator,
    writer: csv::Writer<Vec<u8>>,
}

impl CsvWriter {
    /// A writer whose output starts with `prefix` (the BOM Excel looks for).
    pub fn new(separator: Separator, prefix: &[u8]) -> Self {
        Self { separator, writer: Self::over(separator, prefix.to_vec()) }
    }

    fn over(separator: Separator, out: Vec<u8>) -> csv::Writer<Vec<u8>> {
        csv::WriterBuilder::new()
            .delimiter(separator.byte())
            .terminator(csv::Terminator::CRLF)
            .buffer_capacity(16 * 1024)
            .from_writer(out)
    }

    pub fn record<I, S>(&mut self, cells: I) -> Result<(), csv::Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        self.writer.write_record(cells)
    }

    /// About how many bytes are waiting to be taken (the writer's own buffer aside).
    pub fn pending(&self) -> usize {
        self.writer.get_ref().len()
    }

    /// Everything written so far.
    pub fn take(&mut self) -> Result<Vec<u8>, csv::Error> {
        let writer = std::mem::replace(&mut self.writer, Self::over(self.separator, Vec::with_capacity(64 * 1024)));
        writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))
    }
}

/// Appends one record to `out`, cells separated by `separator`.
pub fn write_record<I, S>(out: &mut Vec<u8>, separator: Separator, cells: I) -> Result<(), csv::Error>
where
    I: IntoIterator<Item = S>,
    S: AsRef<[u8]>,
{
    let mut writer = CsvWriter::new(separator, b"");
    writer.record(cells)?;
    out.extend(writer.take()?);
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
            status: ReplyStatus::Sent,
            error: None,
            comment_id: Some("17870913679156914".into()),
            media_id: Some("17918195224117851".into()),
        }
    }

    fn csv_of(row: &ReportRow) -> String {
        let mut out = Vec::new();
        write_record(&mut out, Separator::Comma, csv_cells(row).iter().map(|c| c.as_bytes())).expect("writes");
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
        let at = DateTime::from_timestamp_micros(1_732_300_100_123_456).expect("a time");
        let id = Uuid::now_v7();
        let row: Row =
            (id, at, "dm".into(), "i".into(), None, "p".into(), None, None, None, "sent".into(), None, None, None);
        assert_eq!(parse_cursor(&cursor_of(&row)), Some((at, id)));
        assert_eq!(parse_cursor("garbage"), None);
    }
}
