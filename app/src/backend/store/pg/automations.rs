//! `instagram_automations`: the rules each instance answers with. Every change is scoped to the
//! owner (`user_id`): someone else's automation looks the same as a missing one.
use super::super::{
    access::{Owner, Tenant},
    StoreError,
};
use crate::domain::id::{AutomationId, InstanceId, MediaId};
use crate::domain::{
    automation::{
        Attachment, AutomationKind, Button, Card, DmSource, Keyword, MatchMode, PerPerson, QuickReply, Rule, Trigger,
    },
    automation_draft::{AutomationDraft, AutomationView},
};
use chrono::{DateTime, Utc};
use sqlx::{types::Json, PgConnection, PgExecutor};
use uuid::Uuid;

fn malformed(id: Uuid) -> StoreError {
    StoreError::Malformed(format!("automation {id}"))
}

/// The columns every read takes, in [`Stored`]'s order.
const COLUMNS: &str =
    "a.id, a.name, a.type, a.dm_source, a.trigger_type, a.match_mode, a.keywords, a.exclude_keywords, \
                       a.direct_reply, a.public_replies, a.per_person, a.per_person_hours, a.is_active, \
                       a.priority, a.created_at, a.media_ids, a.buttons, a.quick_replies, a.cards, a.attachment";

/// An automation row as read.
#[derive(sqlx::FromRow)]
struct Stored {
    id: Uuid,
    name: String,
    #[sqlx(rename = "type")]
    kind: String,
    dm_source: String,
    trigger_type: String,
    match_mode: String,
    keywords: Vec<String>,
    exclude_keywords: Vec<String>,
    direct_reply: Option<String>,
    public_replies: Vec<String>,
    per_person: String,
    per_person_hours: Option<i32>,
    is_active: bool,
    priority: i32,
    created_at: DateTime<Utc>,
    media_ids: Vec<MediaId>,
    buttons: Json<Vec<Button>>,
    quick_replies: Json<Vec<QuickReply>>,
    cards: Json<Vec<Card>>,
    attachment: Option<Json<Attachment>>,
}

/// What every reader needs checked: the enumerations as the domain's types.
struct Checked {
    kind: AutomationKind,
    dm_source: DmSource,
    trigger: Trigger,
    match_mode: MatchMode,
    per_person: PerPerson,
}

impl Stored {
    fn checked(&self) -> Result<Checked, StoreError> {
        let id = self.id;
        let hours = self.per_person_hours.and_then(|h| u32::try_from(h).ok());
        Ok(Checked {
            kind: AutomationKind::parse(&self.kind).ok_or_else(|| malformed(id))?,
            dm_source: DmSource::parse(&self.dm_source).ok_or_else(|| malformed(id))?,
            trigger: Trigger::parse(&self.trigger_type).ok_or_else(|| malformed(id))?,
            match_mode: MatchMode::parse(&self.match_mode).ok_or_else(|| malformed(id))?,
            per_person: PerPerson::parse(&self.per_person, hours).ok_or_else(|| malformed(id))?,
        })
    }
}

fn folded(keywords: &[String]) -> Vec<Keyword> {
    keywords.iter().filter_map(|k| Keyword::parse(k)).collect()
}

/// The instance's automations, as the matcher takes them (active or not: the matcher decides).
pub async fn rules_for(db: impl PgExecutor<'_>, tenant: Tenant<'_>) -> Result<Vec<Rule>, StoreError> {
    let instance_id = tenant.id();
    let rows: Vec<Stored> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM instagram_automations a WHERE a.instance_id = $1"))
            .bind(instance_id)
            .fetch_all(db)
            .await?;
    rows.into_iter()
        .map(|row| {
            let Checked { kind, dm_source, trigger, match_mode, per_person } = row.checked()?;
            Ok(Rule {
                id: AutomationId::from(row.id),
                kind,
                dm_source,
                trigger,
                match_mode,
                keywords: folded(&row.keywords),
                exclude: folded(&row.exclude_keywords),
                direct_reply: row.direct_reply,
                public_replies: row.public_replies,
                buttons: row.buttons.0,
                quick_replies: row.quick_replies.0,
                cards: row.cards.0,
                attachment: row.attachment.map(|a| a.0),
                per_person,
                is_active: row.is_active,
                priority: row.priority,
                created_at_ms: row.created_at.timestamp_millis(),
                media_ids: row.media_ids,
            })
        })
        .collect()
}

/// The instance's automations for the editor, in the order they are tried, with the replies each
/// sent today (UTC) and in total.
pub async fn list(db: impl PgExecutor<'_>, tenant: Tenant<'_>) -> Result<Vec<AutomationView>, StoreError> {
    let instance_id = tenant.id();
    #[derive(sqlx::FromRow)]
    struct Listed {
        #[sqlx(flatten)]
        stored: Stored,
        today: i64,
        total: i64,
    }
    let rows: Vec<Listed> = sqlx::query_as(&format!(
        "SELECT {COLUMNS},
                (SELECT count(*) FROM instagram_reports r WHERE r.automation_id = a.id AND r.status = 'sent'
                   AND r.created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS today,
                (SELECT count(*) FROM instagram_reports r WHERE r.automation_id = a.id AND r.status = 'sent') AS total
         FROM instagram_automations a WHERE a.instance_id = $1 ORDER BY a.priority, a.created_at, a.id"
    ))
    .bind(instance_id)
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|Listed { stored: row, today, total }| {
            let Checked { kind, dm_source, trigger, match_mode, per_person } = row.checked()?;
            Ok(AutomationView {
                id: row.id.into(),
                instance_id: InstanceId::new(instance_id),
                name: row.name,
                kind,
                dm_source,
                trigger,
                match_mode,
                keywords: row.keywords,
                exclude_keywords: row.exclude_keywords,
                direct_reply: row.direct_reply,
                public_replies: row.public_replies,
                buttons: row.buttons.0,
                quick_replies: row.quick_replies.0,
                cards: row.cards.0,
                attachment: row.attachment.map(|a| a.0),
                per_person,
                media_ids: row.media_ids,
                is_active: row.is_active,
                replies_today: today,
                replies_total: total,
            })
        })
        .collect()
}

/// The draft's values as bound after the id, user and instance ($4 on).
fn bind_draft<'q>(
    query: sqlx::query::QueryScalar<'q, sqlx::Postgres, Uuid, sqlx::postgres::PgArguments>,
    draft: &'q AutomationDraft,
) -> sqlx::query::QueryScalar<'q, sqlx::Postgres, Uuid, sqlx::postgres::PgArguments> {
    query
        .bind(&draft.name)
        .bind(draft.kind.as_str())
        .bind(draft.trigger.as_str())
        .bind(draft.match_mode.as_str())
        .bind(&draft.keywords)
        .bind(&draft.exclude_keywords)
        .bind(&draft.direct_reply)
        .bind(&draft.public_replies)
        .bind(draft.per_person.as_str())
        .bind(draft.per_person.hours().and_then(|h| i32::try_from(h).ok()))
        .bind(&draft.media_ids)
        .bind(draft.dm_source.as_str())
        .bind(Json(&draft.buttons))
        .bind(Json(&draft.quick_replies))
        .bind(Json(&draft.cards))
        .bind(draft.attachment.as_ref().map(Json))
}

/// Adds an automation to the instance's order: a keyword automation just before the first `all`
/// one (so the more specific answers first, as users expect), an `all` one at the end.
pub async fn insert(
    db: impl PgExecutor<'_>,
    owner: Owner<'_>,
    tenant: Tenant<'_>,
    draft: &AutomationDraft,
) -> Result<Uuid, StoreError> {
    let user_id = owner.id();
    let instance_id = tenant.id();
    let query = sqlx::query_scalar(
        "WITH first_all AS (SELECT min(priority) AS p FROM instagram_automations
                            WHERE instance_id = $3 AND trigger_type = 'all' AND $6 = 'keyword'),
              slot AS (SELECT COALESCE((SELECT p FROM first_all),
                                       (SELECT COALESCE(max(priority), 0) + 1 FROM instagram_automations
                                        WHERE instance_id = $3)) AS p),
              shifted AS (UPDATE instagram_automations SET priority = priority + 1
                          WHERE instance_id = $3 AND (SELECT p FROM first_all) IS NOT NULL
                            AND priority >= (SELECT p FROM first_all))
         INSERT INTO instagram_automations
            (id, user_id, instance_id, name, type, trigger_type, match_mode, keywords, exclude_keywords, direct_reply,
             public_replies, per_person, per_person_hours, media_ids, dm_source, buttons, quick_replies, cards, attachment,
             priority)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
                 (SELECT p FROM slot))
         RETURNING id",
    )
    .bind(Uuid::now_v7())
    .bind(user_id)
    .bind(instance_id);
    Ok(bind_draft(query, draft).fetch_one(db).await?)
}

/// Moves an automation of `user_id` one place earlier (`earlier`) or later in its instance's
/// order, renumbering the instance's automations 1, 2, 3...; returns the instance.
pub async fn move_one(db: &mut PgConnection, owner: Owner<'_>, id: Uuid, earlier: bool) -> Result<String, StoreError> {
    let user_id = owner.id();
    let instance_id: String =
        sqlx::query_scalar("SELECT instance_id FROM instagram_automations WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .fetch_optional(&mut *db)
            .await?
            .ok_or(StoreError::NotFound)?;
    // Every automation of the instance locked, in one order, so two moves never interleave.
    let mut order: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM instagram_automations WHERE instance_id = $1 ORDER BY priority, created_at, id FOR UPDATE",
    )
    .bind(&instance_id)
    .fetch_all(&mut *db)
    .await?;
    let Some(at) = order.iter().position(|a| *a == id) else { return Err(StoreError::NotFound) };
    let other = if earlier { at.checked_sub(1) } else { Some(at + 1).filter(|o| *o < order.len()) };
    if let Some(other) = other {
        order.swap(at, other);
    }
    let places: Vec<i32> = (1..).take(order.len()).collect();
    sqlx::query(
        "UPDATE instagram_automations a SET priority = o.place, updated_at = now()
         FROM unnest($1::uuid[], $2::int[]) AS o(id, place) WHERE a.id = o.id",
    )
    .bind(&order)
    .bind(&places)
    .execute(&mut *db)
    .await?;
    Ok(instance_id)
}

/// Replaces an automation of `user_id` on `instance_id`. Who already got it keeps counting: the
/// limit per person is the automation's, whatever its text becomes.
pub async fn update(
    db: impl PgExecutor<'_>,
    owner: Owner<'_>,
    tenant: Tenant<'_>,
    id: Uuid,
    draft: &AutomationDraft,
) -> Result<(), StoreError> {
    let user_id = owner.id();
    let instance_id = tenant.id();
    let query = sqlx::query_scalar(
        "UPDATE instagram_automations SET name = $4, type = $5, trigger_type = $6, match_mode = $7, keywords = $8,
                exclude_keywords = $9, direct_reply = $10, public_replies = $11, per_person = $12,
                per_person_hours = $13, media_ids = $14, dm_source = $15, buttons = $16, quick_replies = $17,
                cards = $18, attachment = $19, updated_at = now()
         WHERE id = $1 AND user_id = $2 AND instance_id = $3 RETURNING id",
    )
    .bind(id)
    .bind(user_id)
    .bind(instance_id);
    bind_draft(query, draft).fetch_optional(db).await?.map(|_| ()).ok_or(StoreError::NotFound)
}

/// Turns an automation of `user_id` on or off; returns its instance and name.
pub async fn set_active(
    db: impl PgExecutor<'_>,
    owner: Owner<'_>,
    id: Uuid,
    active: bool,
) -> Result<(String, String), StoreError> {
    let user_id = owner.id();
    sqlx::query_as(
        "UPDATE instagram_automations SET is_active = $3, updated_at = now() WHERE id = $1 AND user_id = $2
         RETURNING instance_id, name",
    )
    .bind(id)
    .bind(user_id)
    .bind(active)
    .fetch_optional(db)
    .await?
    .ok_or(StoreError::NotFound)
}

/// Deletes an automation of `user_id` and who got it; its reports stay. Returns its instance
/// and name.
pub async fn delete(db: impl PgExecutor<'_>, owner: Owner<'_>, id: Uuid) -> Result<(String, String), StoreError> {
    let user_id = owner.id();
    sqlx::query_as(
        "WITH gone AS (DELETE FROM instagram_automations WHERE id = $1 AND user_id = $2
                       RETURNING id, instance_id, name),
              uses AS (DELETE FROM automation_uses WHERE automation_id IN (SELECT id FROM gone))
         SELECT instance_id, name FROM gone",
    )
    .bind(id)
    .bind(user_id)
    .fetch_optional(db)
    .await?
    .ok_or(StoreError::NotFound)
}

/// The instance of one of `user_id`'s automations.
pub async fn instance_of(db: impl PgExecutor<'_>, owner: Owner<'_>, id: Uuid) -> Result<InstanceId, StoreError> {
    let user_id = owner.id();
    sqlx::query_scalar("SELECT instance_id FROM instagram_automations WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .fetch_optional(db)
        .await?
        .ok_or(StoreError::NotFound)
}
