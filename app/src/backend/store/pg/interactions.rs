//! `instagram_messages` and `instagram_comments`: every message and comment a delivery carried,
//! once each (Meta re-delivers; the unique keys make a second copy a no-op).
use super::super::StoreError;
use crate::{
    backend::meta::events::{CommentEvent, MessageEvent},
    domain::automation::AutomationKind,
};
use chrono::{DateTime, Utc};
use sqlx::{types::Json, PgExecutor};
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

/// Stores a message; false when it was already there.
pub async fn insert_message(db: impl PgExecutor<'_>, owner: Owner<'_>, m: &MessageEvent) -> Result<bool, StoreError> {
    let inserted: Option<Uuid> = sqlx::query_scalar(
        "INSERT INTO instagram_messages
            (id, instance_id, user_id, sender_id, recipient_id, message_id, text, \"timestamp\", raw_data, is_echo)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (instance_id, message_id) DO NOTHING RETURNING id",
    )
    .bind(Uuid::now_v7())
    .bind(owner.instance_id)
    .bind(owner.user_id)
    .bind(&m.sender_id)
    .bind(&m.recipient_id)
    .bind(&m.mid)
    .bind(&m.text)
    .bind(at(m.timestamp_ms))
    .bind(Json(&m.raw))
    .bind(m.is_echo)
    .fetch_optional(db)
    .await?;
    Ok(inserted.is_some())
}

/// Stores a comment; false when it was already there.
pub async fn insert_comment(db: impl PgExecutor<'_>, owner: Owner<'_>, c: &CommentEvent) -> Result<bool, StoreError> {
    let inserted: Option<Uuid> = sqlx::query_scalar(
        "INSERT INTO instagram_comments
            (id, instance_id, user_id, comment_id, post_id, media_id, from_user_id, from_username, text, \"timestamp\", raw_data)
         VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (instance_id, comment_id) DO NOTHING RETURNING id",
    )
    .bind(Uuid::now_v7())
    .bind(owner.instance_id)
    .bind(owner.user_id)
    .bind(&c.id)
    .bind(&c.media_id)
    .bind(&c.from_id)
    .bind(&c.from_username)
    .bind(&c.text)
    .bind(at(c.timestamp_ms))
    .bind(Json(&c.raw))
    .fetch_optional(db)
    .await?;
    Ok(inserted.is_some())
}

/// An inbound message or comment as the reply job needs it.
#[derive(Debug, Clone)]
pub struct Interaction {
    pub kind: AutomationKind,
    pub event_id: String,
    /// The person: IGSID of the sender or commenter.
    pub person_id: String,
    pub username: Option<String>,
    pub media_id: Option<String>,
    pub text: Option<String>,
    pub timestamp: DateTime<Utc>,
}

pub async fn load(
    db: impl PgExecutor<'_>,
    instance_id: &str,
    kind: AutomationKind,
    event_id: &str,
) -> Result<Option<Interaction>, StoreError> {
    type Row = (String, Option<String>, Option<String>, Option<String>, DateTime<Utc>);
    let sql = match kind {
        AutomationKind::Dm => {
            "SELECT sender_id, NULL::text, NULL::text, text, \"timestamp\" FROM instagram_messages
             WHERE instance_id = $1 AND message_id = $2"
        }
        AutomationKind::Comment => {
            "SELECT from_user_id, from_username, media_id, text, \"timestamp\" FROM instagram_comments
             WHERE instance_id = $1 AND comment_id = $2"
        }
    };
    let row: Option<Row> = sqlx::query_as(sql).bind(instance_id).bind(event_id).fetch_optional(db).await?;
    Ok(row.map(|(person_id, username, media_id, text, timestamp)| Interaction {
        kind,
        event_id: event_id.to_owned(),
        person_id,
        username,
        media_id,
        text,
        timestamp,
    }))
}

/// Records on the message or comment that it got its reply.
pub async fn mark_replied(
    db: impl PgExecutor<'_>,
    instance_id: &str,
    kind: AutomationKind,
    event_id: &str,
    reply_text: &str,
) -> Result<(), StoreError> {
    let sql = match kind {
        AutomationKind::Dm => {
            "UPDATE instagram_messages SET replied = true, reply_text = $3, updated_at = now()
             WHERE instance_id = $1 AND message_id = $2"
        }
        AutomationKind::Comment => {
            "UPDATE instagram_comments SET replied = true, reply_text = $3, updated_at = now()
             WHERE instance_id = $1 AND comment_id = $2"
        }
    };
    sqlx::query(sql).bind(instance_id).bind(event_id).bind(reply_text).execute(db).await?;
    Ok(())
}
