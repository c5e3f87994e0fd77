//! `instagram_automations`: the rules each instance answers with. Every change is scoped to the
//! owner (`user_id`): someone else's automation looks the same as a missing one.
use super::super::StoreError;
use crate::domain::{
    automation::{AutomationKind, Keyword, ResponseType, Rule, Trigger},
    automation_draft::{AutomationDraft, AutomationView},
};
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

fn malformed(id: Uuid) -> StoreError {
    StoreError::Malformed(format!("automation {id}"))
}

/// The instance's automations, as the matcher takes them (active or not: the matcher decides).
pub async fn rules_for(db: impl PgExecutor<'_>, instance_id: &str) -> Result<Vec<Rule>, StoreError> {
    type Row = (Uuid, String, String, Vec<String>, String, String, bool, DateTime<Utc>, Vec<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, type, trigger_type, keywords, response_text, response_type, is_active, created_at, media_ids
         FROM instagram_automations WHERE instance_id = $1",
    )
    .bind(instance_id)
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|(id, kind, trigger, keywords, response_text, response_type, is_active, created_at, media_ids)| {
            Ok(Rule {
                id: id.to_string(),
                kind: AutomationKind::parse(&kind).ok_or_else(|| malformed(id))?,
                trigger: Trigger::parse(&trigger).ok_or_else(|| malformed(id))?,
                keywords: keywords.iter().filter_map(|k| Keyword::parse(k)).collect(),
                response_text,
                response_type: ResponseType::parse(&response_type).ok_or_else(|| malformed(id))?,
                is_active,
                created_at_ms: created_at.timestamp_millis(),
                media_ids,
            })
        })
        .collect()
}

/// The instance's automations for the editor, oldest first, with the replies each sent today
/// (UTC) and in total.
pub async fn list(db: impl PgExecutor<'_>, instance_id: &str) -> Result<Vec<AutomationView>, StoreError> {
    type Row = (Uuid, String, String, String, Vec<String>, String, String, Vec<String>, bool, i64, i64);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT a.id, a.name, a.type, a.trigger_type, a.keywords, a.response_text, a.response_type, a.media_ids,
                a.is_active,
                (SELECT count(*) FROM instagram_reports r WHERE r.automation_id = a.id AND r.status = 'sent'
                   AND r.created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'),
                (SELECT count(*) FROM instagram_reports r WHERE r.automation_id = a.id AND r.status = 'sent')
         FROM instagram_automations a WHERE a.instance_id = $1 ORDER BY a.created_at, a.id",
    )
    .bind(instance_id)
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|(id, name, kind, trigger, keywords, response_text, response_type, media_ids, is_active, today, total)| {
            Ok(AutomationView {
                id: id.to_string(),
                instance_id: instance_id.to_owned(),
                name,
                kind: AutomationKind::parse(&kind).ok_or_else(|| malformed(id))?,
                trigger: Trigger::parse(&trigger).ok_or_else(|| malformed(id))?,
                keywords,
                response_text,
                response_type: ResponseType::parse(&response_type).ok_or_else(|| malformed(id))?,
                media_ids,
                is_active,
                replies_today: today,
                replies_total: total,
            })
        })
        .collect()
}

pub async fn insert(
    db: impl PgExecutor<'_>,
    user_id: &str,
    instance_id: &str,
    draft: &AutomationDraft,
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO instagram_automations
            (id, user_id, instance_id, name, type, trigger_type, keywords, response_text, response_type, media_ids)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id)
    .bind(user_id)
    .bind(instance_id)
    .bind(&draft.name)
    .bind(draft.kind.as_str())
    .bind(draft.trigger.as_str())
    .bind(&draft.keywords)
    .bind(&draft.response_text)
    .bind(draft.response_type.as_str())
    .bind(&draft.media_ids)
    .execute(db)
    .await?;
    Ok(id)
}

/// Replaces an automation of `user_id` on `instance_id`.
pub async fn update(
    db: impl PgExecutor<'_>,
    user_id: &str,
    instance_id: &str,
    id: Uuid,
    draft: &AutomationDraft,
) -> Result<(), StoreError> {
    sqlx::query_scalar::<_, Uuid>(
        "UPDATE instagram_automations SET name = $4, type = $5, trigger_type = $6, keywords = $7, response_text = $8,
                response_type = $9, media_ids = $10, updated_at = now()
         WHERE id = $1 AND user_id = $2 AND instance_id = $3 RETURNING id",
    )
    .bind(id)
    .bind(user_id)
    .bind(instance_id)
    .bind(&draft.name)
    .bind(draft.kind.as_str())
    .bind(draft.trigger.as_str())
    .bind(&draft.keywords)
    .bind(&draft.response_text)
    .bind(draft.response_type.as_str())
    .bind(&draft.media_ids)
    .fetch_optional(db)
    .await?
    .map(|_| ())
    .ok_or(StoreError::NotFound)
}

/// Turns an automation of `user_id` on or off; returns its instance.
pub async fn set_active(db: impl PgExecutor<'_>, user_id: &str, id: Uuid, active: bool) -> Result<String, StoreError> {
    sqlx::query_scalar(
        "UPDATE instagram_automations SET is_active = $3, updated_at = now() WHERE id = $1 AND user_id = $2
         RETURNING instance_id",
    )
    .bind(id)
    .bind(user_id)
    .bind(active)
    .fetch_optional(db)
    .await?
    .ok_or(StoreError::NotFound)
}

/// Deletes an automation of `user_id`; its reports stay. Returns its instance.
pub async fn delete(db: impl PgExecutor<'_>, user_id: &str, id: Uuid) -> Result<String, StoreError> {
    sqlx::query_scalar("DELETE FROM instagram_automations WHERE id = $1 AND user_id = $2 RETURNING instance_id")
        .bind(id)
        .bind(user_id)
        .fetch_optional(db)
        .await?
        .ok_or(StoreError::NotFound)
}
