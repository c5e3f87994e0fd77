//! `instagram_messages` and `instagram_comments`: every message and comment a delivery carried,
//! once each (Meta re-delivers; the unique keys make a second copy a no-op). Written many rows
//! per statement, in key order, so concurrent batches never wait on each other in a cycle.
use super::super::{access::System, StoreError};
use crate::domain::id::{CommentId, MediaId};
use crate::{
    backend::meta::events::{CommentEvent, MessageEvent},
    domain::automation::AutomationKind,
};
use chrono::{DateTime, Utc};
use sqlx::{types::Json, PgExecutor};
use std::collections::HashSet;
use uuid::Uuid;

/// Which instance and owner an interaction belongs to.
#[derive(Clone, Copy)]
pub struct Owner<'a> {
    pub instance_id: &'a str,
    pub user_id: &'a str,
}

fn at(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// `(instance_id, event id)` of the rows a statement inserted.
pub type Inserted = HashSet<(String, String)>;

/// A message to store; `reply_to` is the report an echo of ours names.
pub struct NewMessage<'a> {
    pub owner: Owner<'a>,
    pub event: &'a MessageEvent,
    pub reply_to: Option<Uuid>,
}

/// Stores messages; returns those that were not there yet.
pub async fn insert_messages(
    db: impl PgExecutor<'_>,
    _: &System,
    rows: &mut [NewMessage<'_>],
) -> Result<Inserted, StoreError> {
    if rows.is_empty() {
        return Ok(Inserted::new());
    }
    rows.sort_by(|a, b| (a.owner.instance_id, &a.event.mid).cmp(&(b.owner.instance_id, &b.event.mid)));
    let ids: Vec<Uuid> = rows.iter().map(|_| Uuid::now_v7()).collect();
    let inserted: Vec<(String, String)> = sqlx::query_as(
        "INSERT INTO instagram_messages
            (id, instance_id, user_id, sender_id, recipient_id, message_id, text, \"timestamp\", raw_data, is_echo,
             reply_report_id)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                              $8::timestamptz[], $9::jsonb[], $10::bool[], $11::uuid[])
         ON CONFLICT (instance_id, message_id) DO NOTHING RETURNING instance_id, message_id",
    )
    .bind(&ids)
    .bind(rows.iter().map(|r| r.owner.instance_id).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.owner.user_id).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.event.sender_id.as_str()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.event.recipient_id.as_str()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.event.mid.as_str()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.event.text.as_deref()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| at(r.event.timestamp_ms)).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| Json(&r.event.raw)).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.event.is_echo).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.reply_to).collect::<Vec<_>>())
    .fetch_all(db)
    .await?;
    Ok(inserted.into_iter().collect())
}

/// Stores comments; returns those that were not there yet.
pub async fn insert_comments(
    db: impl PgExecutor<'_>,
    _: &System,
    rows: &mut [(Owner<'_>, &CommentEvent)],
) -> Result<Inserted, StoreError> {
    if rows.is_empty() {
        return Ok(Inserted::new());
    }
    rows.sort_by(|a, b| (a.0.instance_id, &a.1.id).cmp(&(b.0.instance_id, &b.1.id)));
    let ids: Vec<Uuid> = rows.iter().map(|_| Uuid::now_v7()).collect();
    let inserted: Vec<(String, String)> = sqlx::query_as(
        "INSERT INTO instagram_comments
            (id, instance_id, user_id, comment_id, post_id, media_id, from_user_id, from_username, text, \"timestamp\", raw_data,
             parent_id)
         SELECT id, instance_id, user_id, comment_id, media_id, media_id, from_user_id, from_username, text, at, raw, parent_id
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                     $9::timestamptz[], $10::jsonb[], $11::text[])
              AS c(id, instance_id, user_id, comment_id, media_id, from_user_id, from_username, text, at, raw, parent_id)
         ON CONFLICT (instance_id, comment_id) DO NOTHING RETURNING instance_id, comment_id",
    )
    .bind(&ids)
    .bind(rows.iter().map(|(o, _)| o.instance_id).collect::<Vec<_>>())
    .bind(rows.iter().map(|(o, _)| o.user_id).collect::<Vec<_>>())
    .bind(rows.iter().map(|(_, c)| c.id.as_str()).collect::<Vec<_>>())
    .bind(rows.iter().map(|(_, c)| c.media_id.as_ref().map(MediaId::as_str)).collect::<Vec<_>>())
    .bind(rows.iter().map(|(_, c)| c.from_id.as_str()).collect::<Vec<_>>())
    .bind(rows.iter().map(|(_, c)| c.from_username.as_deref()).collect::<Vec<_>>())
    .bind(rows.iter().map(|(_, c)| c.text.as_deref()).collect::<Vec<_>>())
    .bind(rows.iter().map(|(_, c)| at(c.timestamp_ms)).collect::<Vec<_>>())
    .bind(rows.iter().map(|(_, c)| Json(&c.raw)).collect::<Vec<_>>())
    .bind(rows.iter().map(|(_, c)| c.parent_id.as_ref().map(CommentId::as_str)).collect::<Vec<_>>())
    .fetch_all(db)
    .await?;
    Ok(inserted.into_iter().collect())
}

/// The echo of the reply of report `report_id`, if it came back: its `mid` and text.
pub async fn echo_of(
    db: impl PgExecutor<'_>,
    _: &System,
    instance_id: &str,
    report_id: Uuid,
) -> Result<Option<(String, Option<String>)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT message_id, text FROM instagram_messages WHERE reply_report_id = $1 AND instance_id = $2 LIMIT 1",
    )
    .bind(report_id)
    .bind(instance_id)
    .fetch_optional(db)
    .await?)
}

/// An interaction that got its reply: `text` was sent in answer to `event_id`.
pub struct Replied<'a> {
    pub instance_id: &'a str,
    pub kind: AutomationKind,
    pub event_id: &'a str,
    pub text: &'a str,
}

/// Records on the messages and comments that they got their reply.
pub async fn mark_replied(tx: &mut sqlx::PgConnection, _: &System, replied: &[Replied<'_>]) -> Result<(), StoreError> {
    for (kind, sql) in [
        (
            AutomationKind::Dm,
            "UPDATE instagram_messages m SET replied = true, reply_text = u.text, updated_at = now()
             FROM unnest($1::text[], $2::text[], $3::text[]) AS u(instance_id, event_id, text)
             WHERE m.instance_id = u.instance_id AND m.message_id = u.event_id",
        ),
        (
            AutomationKind::Comment,
            "UPDATE instagram_comments c SET replied = true, reply_text = u.text, updated_at = now()
             FROM unnest($1::text[], $2::text[], $3::text[]) AS u(instance_id, event_id, text)
             WHERE c.instance_id = u.instance_id AND c.comment_id = u.event_id",
        ),
    ] {
        let mut rows: Vec<&Replied> = replied.iter().filter(|r| r.kind == kind).collect();
        if rows.is_empty() {
            continue;
        }
        rows.sort_by(|a, b| (a.instance_id, a.event_id).cmp(&(b.instance_id, b.event_id)));
        sqlx::query(sql)
            .bind(rows.iter().map(|r| r.instance_id).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.event_id).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.text).collect::<Vec<_>>())
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}
