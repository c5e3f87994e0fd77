//! Stored comments as the comments page reads them: per post, as threads, with each comment's
//! private reply; and what the account hid.
use super::super::{access::Tenant, StoreError};
use crate::domain::comment::CommentView;
use crate::domain::id::{CommentId, MediaId};
use chrono::{DateTime, Utc};
use sqlx::PgPool;

/// Per media: comments from people (not `account_id`'s own), and the latest one's time.
pub async fn per_media(
    pg: &PgPool,
    tenant: Tenant<'_>,
    account_id: &str,
) -> Result<Vec<(MediaId, i64, DateTime<Utc>)>, StoreError> {
    let instance_id = tenant.id();
    Ok(sqlx::query_as(
        "SELECT media_id, count(*), max(\"timestamp\") FROM instagram_comments
         WHERE instance_id = $1 AND media_id IS NOT NULL AND from_user_id <> $2
         GROUP BY media_id ORDER BY max(\"timestamp\") DESC LIMIT 100",
    )
    .bind(instance_id)
    .bind(account_id)
    .fetch_all(pg)
    .await?)
}

#[derive(sqlx::FromRow)]
struct Row {
    comment_id: CommentId,
    parent_id: Option<CommentId>,
    from_user_id: String,
    from_username: Option<String>,
    text: Option<String>,
    at: DateTime<Utc>,
    hidden: bool,
    private_reply: Option<String>,
}

const COLUMNS: &str =
    "c.comment_id, c.parent_id, c.from_user_id, c.from_username, c.text, c.\"timestamp\" AS at, c.hidden,
    (SELECT r.status FROM instagram_reports r
     WHERE r.instance_id = c.instance_id AND r.interaction_type = 'comment' AND r.event_id = c.comment_id
       AND r.response_type = 'direct' AND r.status <> 'skipped'
     ORDER BY r.created_at DESC LIMIT 1) AS private_reply";

fn view(row: Row, account_id: &str) -> (Option<CommentId>, CommentView) {
    let view = CommentView {
        from_account: row.from_user_id == account_id,
        id: row.comment_id,
        username: row.from_username,
        text: row.text,
        at: row.at,
        hidden: row.hidden,
        private_reply: row.private_reply,
    };
    (row.parent_id, view)
}

/// The media's latest `limit` top-level comments, newest first, each with its replies, oldest
/// first.
pub async fn threads(
    pg: &PgPool,
    tenant: Tenant<'_>,
    account_id: &str,
    media_id: &MediaId,
    limit: i64,
) -> Result<Vec<(CommentView, Vec<CommentView>)>, StoreError> {
    let instance_id = tenant.id();
    let tops: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM instagram_comments c
         WHERE c.instance_id = $1 AND c.media_id = $2 AND c.parent_id IS NULL
         ORDER BY c.\"timestamp\" DESC, c.comment_id DESC LIMIT $3"
    ))
    .bind(instance_id)
    .bind(media_id)
    .bind(limit)
    .fetch_all(pg)
    .await?;
    let ids: Vec<CommentId> = tops.iter().map(|t| t.comment_id.clone()).collect();
    let replies: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM instagram_comments c
         WHERE c.instance_id = $1 AND c.parent_id = ANY($2)
         ORDER BY c.\"timestamp\", c.comment_id"
    ))
    .bind(instance_id)
    .bind(&ids)
    .fetch_all(pg)
    .await?;
    let mut threads: Vec<(CommentView, Vec<CommentView>)> =
        tops.into_iter().map(|row| (view(row, account_id).1, Vec::new())).collect();
    for row in replies {
        let (parent, reply) = view(row, account_id);
        if let Some(thread) = threads.iter_mut().find(|(top, _)| Some(&top.id) == parent.as_ref()) {
            thread.1.push(reply);
        }
    }
    Ok(threads)
}

/// One stored comment of the instance.
#[derive(sqlx::FromRow)]
pub struct Stored {
    pub from_user_id: String,
    pub from_username: Option<String>,
    pub parent_id: Option<CommentId>,
    pub media_id: Option<MediaId>,
    pub text: Option<String>,
    pub at: DateTime<Utc>,
    pub hidden: bool,
}

pub async fn find(pg: &PgPool, tenant: Tenant<'_>, comment_id: &CommentId) -> Result<Option<Stored>, StoreError> {
    let instance_id = tenant.id();
    Ok(sqlx::query_as(
        "SELECT from_user_id, from_username, parent_id, media_id, text, \"timestamp\" AS at, hidden
         FROM instagram_comments WHERE instance_id = $1 AND comment_id = $2",
    )
    .bind(instance_id)
    .bind(comment_id)
    .fetch_optional(pg)
    .await?)
}

pub async fn set_hidden(
    pg: &PgPool,
    tenant: Tenant<'_>,
    comment_id: &CommentId,
    hidden: bool,
) -> Result<(), StoreError> {
    let instance_id = tenant.id();
    sqlx::query(
        "UPDATE instagram_comments SET hidden = $3, updated_at = now() WHERE instance_id = $1 AND comment_id = $2",
    )
    .bind(instance_id)
    .bind(comment_id)
    .bind(hidden)
    .execute(pg)
    .await?;
    Ok(())
}

/// A private reply to the comment was sent or is on its way (Meta takes one).
pub async fn privately_answered(pg: &PgPool, tenant: Tenant<'_>, comment_id: &CommentId) -> Result<bool, StoreError> {
    let instance_id = tenant.id();
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM instagram_reports WHERE instance_id = $1 AND interaction_type = 'comment'
             AND event_id = $2 AND response_type = 'direct' AND status IN ('pending', 'sent'))",
    )
    .bind(instance_id)
    .bind(comment_id)
    .fetch_one(pg)
    .await?)
}

/// The next free part for a hand-written public reply to the comment (10 and up; automations
/// use 0 and 1, a hand-written private reply 9).
pub async fn next_manual_part(pg: &PgPool, tenant: Tenant<'_>, comment_id: &CommentId) -> Result<i16, StoreError> {
    let instance_id = tenant.id();
    Ok(sqlx::query_scalar(
        "SELECT (COALESCE(max(part), 9) + 1)::smallint FROM instagram_reports
         WHERE instance_id = $1 AND interaction_type = 'comment' AND event_id = $2 AND part >= 10",
    )
    .bind(instance_id)
    .bind(comment_id)
    .fetch_one(pg)
    .await?)
}
