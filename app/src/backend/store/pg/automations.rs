//! `instagram_automations`: the rules each instance answers with.
use super::super::StoreError;
use crate::domain::automation::{AutomationKind, Keyword, ResponseType, Rule, Trigger};
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

/// The instance's automations, as the matcher takes them (active or not: the matcher decides).
pub async fn rules_for(db: impl PgExecutor<'_>, instance_id: &str) -> Result<Vec<Rule>, StoreError> {
    type Row = (Uuid, String, String, Vec<String>, String, String, bool, DateTime<Utc>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, type, trigger_type, keywords, response_text, response_type, is_active, created_at
         FROM instagram_automations WHERE instance_id = $1",
    )
    .bind(instance_id)
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|(id, kind, trigger, keywords, response_text, response_type, is_active, created_at)| {
            let malformed = || StoreError::Malformed(format!("automation {id}"));
            Ok(Rule {
                id: id.to_string(),
                kind: AutomationKind::parse(&kind).ok_or_else(malformed)?,
                trigger: Trigger::parse(&trigger).ok_or_else(malformed)?,
                keywords: keywords.iter().filter_map(|k| Keyword::parse(k)).collect(),
                response_text,
                response_type: ResponseType::parse(&response_type).ok_or_else(malformed)?,
                is_active,
                created_at_ms: created_at.timestamp_millis(),
            })
        })
        .collect()
}

/// A validated automation to store.
pub struct NewAutomation<'a> {
    pub name: &'a str,
    pub kind: AutomationKind,
    pub trigger: Trigger,
    /// As the person typed them; folded when matching.
    pub keywords: &'a [String],
    pub response_text: &'a str,
    pub response_type: ResponseType,
}

pub async fn insert(
    db: impl PgExecutor<'_>,
    user_id: &str,
    instance_id: &str,
    new: &NewAutomation<'_>,
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO instagram_automations
            (id, user_id, instance_id, name, type, trigger_type, keywords, response_text, response_type)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(user_id)
    .bind(instance_id)
    .bind(new.name)
    .bind(new.kind.as_str())
    .bind(new.trigger.as_str())
    .bind(new.keywords)
    .bind(new.response_text)
    .bind(new.response_type.as_str())
    .execute(db)
    .await?;
    Ok(id)
}
