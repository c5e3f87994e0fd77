//! Conversations (kept by a trigger on `instagram_messages`) and their history.
use super::super::{
    access::{System, Tenant},
    StoreError,
};
use crate::domain::conversation::{ConversationSummary, ThreadMessage, WINDOW_HOURS};
use crate::domain::id::{PersonId, UserId};
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;
use sqlx::{PgConnection, PgPool};

type SummaryRow = (String, Option<String>, DateTime<Utc>, Option<String>, bool, i32, Option<DateTime<Utc>>);

/// The owner's instance's conversations, newest activity first; `search` matches the @username
/// or the text of any of the conversation's messages.
pub async fn list(
    pg: &PgPool,
    user_id: &UserId,
    tenant: Tenant<'_>,
    search: Option<&str>,
    limit: i64,
    now: DateTime<Utc>,
) -> Result<Vec<ConversationSummary>, StoreError> {
    let instance_id = tenant.id();
    let pattern = search.map(|s| format!("%{}%", s.trim_start_matches('@').replace(['%', '_', '\\'], "")));
    let rows: Vec<SummaryRow> = sqlx::query_as(
        "SELECT c.person_id, p.username, c.last_at, c.last_text, c.last_from_person, c.unread, c.last_inbound_at
         FROM instagram_conversations c
         LEFT JOIN instagram_people p ON p.instance_id = c.instance_id AND p.igsid = c.person_id
         WHERE c.user_id = $1 AND c.instance_id = $2
           AND ($3::text IS NULL OR p.username ILIKE $3 OR EXISTS (
               SELECT 1 FROM instagram_messages m
               WHERE m.instance_id = c.instance_id
                 AND (CASE WHEN m.is_echo THEN m.recipient_id ELSE m.sender_id END) = c.person_id
                 AND m.text ILIKE $3))
         ORDER BY c.last_at DESC, c.person_id LIMIT $4",
    )
    .bind(user_id)
    .bind(instance_id)
    .bind(pattern)
    .bind(limit)
    .fetch_all(pg)
    .await?;
    let open_after = now - Duration::hours(WINDOW_HOURS);
    Ok(rows
        .into_iter()
        .map(|(person_id, username, last_at, last_text, last_from_person, unread, inbound)| ConversationSummary {
            person_id: person_id.into(),
            username,
            last_at,
            last_text,
            last_from_person,
            unread: u32::try_from(unread).unwrap_or(0),
            window_open: inbound.is_some_and(|at| at > open_after),
        })
        .collect())
}

/// One conversation of the owner's: (username, their latest message, paused until); `None` when
/// there is no such conversation.
pub async fn find(
    pg: &PgPool,
    user_id: &UserId,
    tenant: Tenant<'_>,
    person_id: &PersonId,
) -> Result<Option<(Option<String>, Option<DateTime<Utc>>, Option<DateTime<Utc>>)>, StoreError> {
    let instance_id = tenant.id();
    Ok(sqlx::query_as(
        "SELECT p.username, c.last_inbound_at, c.paused_until FROM instagram_conversations c
         LEFT JOIN instagram_people p ON p.instance_id = c.instance_id AND p.igsid = c.person_id
         WHERE c.user_id = $1 AND c.instance_id = $2 AND c.person_id = $3",
    )
    .bind(user_id)
    .bind(instance_id)
    .bind(person_id)
    .fetch_optional(pg)
    .await?)
}

type MessageRow = (String, bool, Option<String>, DateTime<Utc>, bool, Value);

/// The conversation's latest `limit` messages, oldest first.
pub async fn messages(
    pg: &PgPool,
    tenant: Tenant<'_>,
    person_id: &PersonId,
    limit: i64,
) -> Result<Vec<ThreadMessage>, StoreError> {
    let instance_id = tenant.id();
    let rows: Vec<MessageRow> = sqlx::query_as(
        "SELECT latest.message_id, NOT latest.is_echo, latest.text, latest.\"timestamp\", r.automation_id IS NOT NULL,
                latest.raw_data
         FROM (
             SELECT * FROM instagram_messages
             WHERE instance_id = $1 AND (CASE WHEN is_echo THEN recipient_id ELSE sender_id END) = $2
             ORDER BY \"timestamp\" DESC LIMIT $3
         ) latest LEFT JOIN instagram_reports r ON r.id = latest.reply_report_id
         ORDER BY latest.\"timestamp\", latest.message_id",
    )
    .bind(instance_id)
    .bind(person_id)
    .bind(limit)
    .fetch_all(pg)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, from_person, text, at, automated, raw)| {
            let message = &raw["message"];
            let attachments = message["attachments"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| {
                    let url = a["payload"]["url"].as_str()?;
                    Some((a["type"].as_str().unwrap_or("file").to_owned(), url.to_owned()))
                })
                .collect();
            let story = message["reply_to"]["story"]["url"].as_str().map(str::to_owned);
            ThreadMessage { id, from_person, text, at, automated, attachments, story }
        })
        .collect())
}

/// The person's messages are read: the conversation's count goes back to zero.
pub async fn mark_read(
    pg: &PgPool,
    user_id: &UserId,
    tenant: Tenant<'_>,
    person_id: &PersonId,
) -> Result<bool, StoreError> {
    let instance_id = tenant.id();
    let done = sqlx::query(
        "UPDATE instagram_conversations SET unread = 0 WHERE user_id = $1 AND instance_id = $2 AND person_id = $3
           AND unread <> 0",
    )
    .bind(user_id)
    .bind(instance_id)
    .bind(person_id)
    .execute(pg)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The automations leave the conversation alone until `until` (none: they answer again).
pub async fn pause(
    db: &mut PgConnection,
    user_id: &UserId,
    tenant: Tenant<'_>,
    person_id: &PersonId,
    until: Option<DateTime<Utc>>,
) -> Result<bool, StoreError> {
    let instance_id = tenant.id();
    let done = sqlx::query(
        "UPDATE instagram_conversations SET paused_until = $4 WHERE user_id = $1 AND instance_id = $2 AND person_id = $3",
    )
    .bind(user_id)
    .bind(instance_id)
    .bind(person_id)
    .bind(until)
    .execute(&mut *db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Someone of the account answered these `(instance, person)` conversations from the Instagram
/// app: the automations leave them alone until `until`.
pub async fn pause_many(
    db: &mut PgConnection,
    _: &System,
    pairs: &[(String, String)],
    until: DateTime<Utc>,
) -> Result<(), StoreError> {
    if pairs.is_empty() {
        return Ok(());
    }
    let mut pairs = pairs.to_vec();
    pairs.sort_unstable();
    pairs.dedup();
    let (instances, people): (Vec<&str>, Vec<&str>) = pairs.iter().map(|(i, p)| (i.as_str(), p.as_str())).unzip();
    sqlx::query(
        "UPDATE instagram_conversations c SET paused_until = GREATEST(c.paused_until, $3)
         FROM UNNEST($1::text[], $2::text[]) AS wanted (instance_id, person_id)
         WHERE wanted.instance_id = c.instance_id AND wanted.person_id = c.person_id",
    )
    .bind(&instances)
    .bind(&people)
    .bind(until)
    .execute(&mut *db)
    .await?;
    Ok(())
}

/// Of `(instance, person)` pairs, those whose conversation is paused at `now`.
pub async fn paused(
    db: &mut PgConnection,
    _: &System,
    pairs: &[(String, String)],
    now: DateTime<Utc>,
) -> Result<Vec<(String, String)>, StoreError> {
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    let (instances, people): (Vec<&str>, Vec<&str>) = pairs.iter().map(|(i, p)| (i.as_str(), p.as_str())).unzip();
    Ok(sqlx::query_as(
        "SELECT c.instance_id, c.person_id FROM instagram_conversations c
         JOIN UNNEST($1::text[], $2::text[]) AS wanted (instance_id, person_id)
           ON wanted.instance_id = c.instance_id AND wanted.person_id = c.person_id
         WHERE c.paused_until > $3",
    )
    .bind(&instances)
    .bind(&people)
    .bind(now)
    .fetch_all(&mut *db)
    .await?)
}
