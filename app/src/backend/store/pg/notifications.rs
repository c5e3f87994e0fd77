//! Notifications and the e-mail preferences. A notification is written once per occurrence (its
//! `dedupe_key`); its e-mail goes out through a small leased queue on the same row, so a restart
//! or a second process never sends it twice.
use super::super::{
    access::{Owner, System},
    StoreError,
};
use crate::domain::id::{InstanceId, UserId};
use crate::domain::notification::{Notification, NotificationKind};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// A notification to raise.
#[derive(Debug, Clone)]
pub struct New {
    pub user_id: String,
    pub kind: NotificationKind,
    pub instance_id: Option<String>,
    pub instance_name: String,
    pub detail: Option<String>,
    /// The occurrence it tells of; raising it again does nothing.
    pub dedupe_key: String,
}

/// Writes what is new; returns the users who got a notification they did not have.
pub async fn raise(db: &mut PgConnection, _: &System, new: &[New]) -> Result<Vec<String>, StoreError> {
    if new.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = new.iter().map(|_| Uuid::now_v7()).collect();
    let column = |f: fn(&New) -> Option<String>| new.iter().map(f).collect::<Vec<_>>();
    let users: Vec<String> = sqlx::query_scalar(
        "INSERT INTO notifications (id, user_id, kind, instance_id, instance_name, detail, dedupe_key)
         SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
         ON CONFLICT (user_id, dedupe_key) DO NOTHING
         RETURNING user_id",
    )
    .bind(&ids)
    .bind(column(|n| Some(n.user_id.clone())))
    .bind(column(|n| Some(n.kind.as_str().to_owned())))
    .bind(column(|n| n.instance_id.clone()))
    .bind(column(|n| Some(n.instance_name.clone())))
    .bind(column(|n| n.detail.clone()))
    .bind(column(|n| Some(n.dedupe_key.clone())))
    .fetch_all(&mut *db)
    .await?;
    Ok(users)
}

type Row = (Uuid, String, Option<String>, String, Option<String>, DateTime<Utc>, Option<DateTime<Utc>>);

fn notification((id, kind, instance_id, instance_name, detail, created_at, read_at): Row) -> Option<Notification> {
    Some(Notification {
        id: id.into(),
        kind: NotificationKind::parse(&kind)?,
        instance_id: instance_id.map(InstanceId::new),
        instance_name,
        detail,
        created_at,
        read: read_at.is_some(),
    })
}

/// A user's newest notifications.
pub async fn newest(pg: &PgPool, owner: Owner<'_>, limit: i64) -> Result<Vec<Notification>, StoreError> {
    let user_id = owner.id();
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, kind, instance_id, instance_name, detail, created_at, read_at FROM notifications
         WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
    )
    .bind(user_id)
    .bind(limit)
    .fetch_all(pg)
    .await?;
    Ok(rows.into_iter().filter_map(notification).collect())
}

pub async fn unread(pg: &PgPool, owner: Owner<'_>) -> Result<i64, StoreError> {
    let user_id = owner.id();
    Ok(sqlx::query_scalar("SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL")
        .bind(user_id)
        .fetch_one(pg)
        .await?)
}

/// Marks one of the user's notifications read, or all of them with `None`; how many changed.
pub async fn mark_read(pg: &PgPool, owner: Owner<'_>, id: Option<Uuid>) -> Result<u64, StoreError> {
    let user_id = owner.id();
    let done = sqlx::query(
        "UPDATE notifications SET read_at = now()
         WHERE user_id = $1 AND read_at IS NULL AND ($2::uuid IS NULL OR id = $2)",
    )
    .bind(user_id)
    .bind(id)
    .execute(pg)
    .await?;
    Ok(done.rows_affected())
}

pub async fn exists(pg: &PgPool, owner: Owner<'_>, id: Uuid) -> Result<bool, StoreError> {
    let user_id = owner.id();
    Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM notifications WHERE user_id = $1 AND id = $2)")
        .bind(user_id)
        .bind(id)
        .fetch_one(pg)
        .await?)
}

/// A notification whose e-mail this process now sends, under a lease.
#[derive(Debug, Clone)]
pub struct ToMail {
    pub id: Uuid,
    pub attempts: i32,
    pub notification: Notification,
    pub user_id: UserId,
}

/// Takes up to `limit` e-mails that are due (new, retried, or whose sender's lease ran out).
pub async fn claim_mail(
    pg: &PgPool,
    _: &System,
    lease: chrono::Duration,
    limit: i64,
) -> Result<Vec<ToMail>, StoreError> {
    let rows: Vec<MailRow> = sqlx::query_as(
        "UPDATE notifications n SET email_status = 'sending', email_next_at = now() + $1,
             email_attempts = n.email_attempts + 1
         FROM (SELECT id FROM notifications WHERE email_status IN ('pending', 'sending') AND email_next_at <= now()
               ORDER BY email_next_at LIMIT $2 FOR UPDATE SKIP LOCKED) due
         WHERE n.id = due.id
         RETURNING n.id, n.user_id, n.kind, n.instance_id, n.instance_name, n.detail, n.created_at, n.email_attempts",
    )
    .bind(lease)
    .bind(limit)
    .fetch_all(pg)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let notification =
                notification((row.id, row.kind, row.instance_id, row.instance_name, row.detail, row.created_at, None))?;
            Some(ToMail { id: row.id, attempts: row.email_attempts, notification, user_id: row.user_id })
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct MailRow {
    id: Uuid,
    user_id: UserId,
    kind: String,
    instance_id: Option<String>,
    instance_name: String,
    detail: Option<String>,
    created_at: DateTime<Utc>,
    email_attempts: i32,
}

/// How a claimed e-mail ended.
pub enum MailEnd<'a> {
    Sent,
    /// Not sent, by the user's preference or because the server sends no e-mail.
    Off(&'a str),
    Retry {
        at: DateTime<Utc>,
        error: &'a str,
    },
    Failed(&'a str),
}

pub async fn mail_done(pg: &PgPool, _: &System, id: Uuid, end: MailEnd<'_>) -> Result<(), StoreError> {
    let (status, at, error) = match end {
        MailEnd::Sent => ("sent", None, None),
        MailEnd::Off(why) => ("off", None, Some(why)),
        MailEnd::Retry { at, error } => ("pending", Some(at), Some(error)),
        MailEnd::Failed(error) => ("failed", None, Some(error)),
    };
    sqlx::query(
        "UPDATE notifications SET email_status = $2, email_next_at = COALESCE($3, email_next_at), email_error = $4
         WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(at)
    .bind(error)
    .execute(pg)
    .await?;
    Ok(())
}

/// The kinds a user does not want by e-mail, and the language of their e-mail.
pub async fn prefs(pg: &PgPool, owner: Owner<'_>) -> Result<(Vec<NotificationKind>, String), StoreError> {
    let user_id = owner.id();
    let row: Option<(Vec<String>, String)> =
        sqlx::query_as("SELECT email_off, locale FROM notification_prefs WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(pg)
            .await?;
    let (off, locale) = row.unwrap_or_else(|| (Vec::new(), "pt-BR".to_owned()));
    Ok((off.iter().filter_map(|k| NotificationKind::parse(k)).collect(), locale))
}

pub async fn save_prefs(
    pg: &PgPool,
    owner: Owner<'_>,
    email_off: &[NotificationKind],
    locale: &str,
) -> Result<(), StoreError> {
    let user_id = owner.id();
    let off: Vec<&str> = email_off.iter().map(|k| k.as_str()).collect();
    sqlx::query(
        "INSERT INTO notification_prefs (user_id, email_off, locale) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO UPDATE SET email_off = $2, locale = $3, updated_at = now()",
    )
    .bind(user_id)
    .bind(&off)
    .bind(locale)
    .execute(pg)
    .await?;
    Ok(())
}

/// The automations of the failed replies `reports` whose replies failed at least `at_least`
/// times since `since`: (id, owner, instance, name).
pub async fn failing_automations(
    db: &mut PgConnection,
    _: &System,
    reports: &[Uuid],
    since: DateTime<Utc>,
    at_least: i64,
) -> Result<Vec<(Uuid, String, String, String)>, StoreError> {
    if reports.is_empty() {
        return Ok(Vec::new());
    }
    Ok(sqlx::query_as(
        "SELECT a.id, a.user_id, a.instance_id, a.name FROM instagram_automations a
         WHERE a.id IN (SELECT automation_id FROM instagram_reports WHERE id = ANY($1)) AND (SELECT count(*) FROM (
             SELECT 1 FROM instagram_reports r
             WHERE r.automation_id = a.id AND r.status = 'failed' AND r.\"timestamp\" >= $2 LIMIT $3) enough) >= $3",
    )
    .bind(reports)
    .bind(since)
    .bind(at_least)
    .fetch_all(&mut *db)
    .await?)
}
