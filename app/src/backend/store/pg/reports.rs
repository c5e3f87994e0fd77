//! `instagram_reports`: one row per inbound interaction, which is also the ledger of its one reply
//! and, while `pending`, the outbound queue. A reply is `pending` before Meta is called, with
//! `send_started_at` set while the call is in flight: a send whose answer was lost is never
//! repeated blindly. Every write here takes many rows at once.
use super::super::{access::System, StoreError};
use crate::domain::automation::{AutomationKind, ResponseType};
use crate::domain::report::{ReplyReason, ReplyStatus};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use std::collections::HashSet;
use uuid::Uuid;

pub struct NewReport<'a> {
    pub instance_id: &'a str,
    pub user_id: &'a str,
    pub automation_id: Option<Uuid>,
    pub kind: AutomationKind,
    pub event_id: &'a str,
    /// Which part of the event's answer: 0 the first (or the skip), 1 a comment's private reply
    /// after its public one.
    pub part: i16,
    /// The comment a public reply goes under (the thread's top-level one).
    pub reply_target: Option<&'a str>,
    pub user_id_instagram: &'a str,
    pub media_id: Option<&'a str>,
    pub username: Option<&'a str>,
    pub interaction_text: Option<&'a str>,
    /// For a pending reply, `{username}` may still be in it when the username is not known yet.
    pub response_text: Option<String>,
    pub response_type: Option<ResponseType>,
    /// What goes under a DM reply (buttons, quick replies), in the Send API's shapes.
    pub reply_extras: Option<serde_json::Value>,
    pub status: ReplyStatus,
    /// Why a reply was skipped.
    pub error: Option<ReplyReason>,
    pub timestamp: DateTime<Utc>,
    /// When the delivery carrying the event was acknowledged.
    pub received_at: DateTime<Utc>,
}

/// A report that an insert wrote.
#[derive(Debug, Clone)]
pub struct Written {
    pub id: Uuid,
    pub instance_id: String,
    pub kind: AutomationKind,
    pub event_id: String,
    pub part: i16,
    pub status: ReplyStatus,
}

/// `(instance_id, kind, event_id)`: the event whose answer (one report per part) is written once.
pub type EventKey = (String, AutomationKind, String);

/// The events among `keys` that already have their report.
pub async fn existing(db: &mut PgConnection, _: &System, keys: &[EventKey]) -> Result<HashSet<EventKey>, StoreError> {
    if keys.is_empty() {
        return Ok(HashSet::new());
    }
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT r.instance_id, r.interaction_type, r.event_id FROM instagram_reports r
         JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(instance_id, kind, event_id)
           ON r.instance_id = k.instance_id AND r.interaction_type = k.kind AND r.event_id = k.event_id",
    )
    .bind(keys.iter().map(|k| k.0.as_str()).collect::<Vec<_>>())
    .bind(keys.iter().map(|k| k.1.as_str()).collect::<Vec<_>>())
    .bind(keys.iter().map(|k| k.2.as_str()).collect::<Vec<_>>())
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().filter_map(|(i, k, e)| Some((i, AutomationKind::parse(&k)?, e))).collect())
}

/// Inserts the reports of many events; an event that already has one keeps it. Final reports
/// (`skipped`) are complete at once; pending ones may be sent from now.
pub async fn insert_many(
    db: &mut PgConnection,
    _: &System,
    rows: &mut [NewReport<'_>],
) -> Result<Vec<Written>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    rows.sort_by(|a, b| {
        (a.instance_id, a.kind.as_str(), a.event_id, a.part).cmp(&(b.instance_id, b.kind.as_str(), b.event_id, b.part))
    });
    let ids: Vec<Uuid> = rows.iter().map(|_| Uuid::now_v7()).collect();
    let comment = |r: &NewReport<'_>| r.kind == AutomationKind::Comment;
    let written: Vec<(Uuid, String, String, String, i16, String)> = sqlx::query_as(
        "INSERT INTO instagram_reports
            (id, instance_id, user_id, automation_id, interaction_type, event_id, comment_id, user_id_instagram,
             media_id, username, interaction_text, response_text, response_type, status, error, \"timestamp\",
             received_at, part, reply_target, reply_extras, send_after, completed_at)
         SELECT id, instance_id, user_id, automation_id, kind, event_id, comment_id, person, media_id, username,
                text, response_text, response_type, status, error, at, received_at, part, reply_target, extras::jsonb,
                CASE WHEN status = 'pending' THEN now() END,
                CASE WHEN status <> 'pending' THEN clock_timestamp() END
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[],
                     $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[],
                     $16::timestamptz[], $17::timestamptz[], $18::smallint[], $19::text[], $20::text[])
              AS r(id, instance_id, user_id, automation_id, kind, event_id, comment_id, person, media_id, username,
                   text, response_text, response_type, status, error, at, received_at, part, reply_target, extras)
         ON CONFLICT (instance_id, interaction_type, event_id, part) DO NOTHING
         RETURNING id, instance_id, interaction_type, event_id, part, status",
    )
    .bind(&ids)
    .bind(rows.iter().map(|r| r.instance_id).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.user_id).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.automation_id).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.kind.as_str()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.event_id).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| comment(r).then_some(r.event_id)).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.user_id_instagram).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| if comment(r) { r.media_id } else { None }).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.username).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.interaction_text).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.response_text.as_deref()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.response_type.map(ResponseType::as_str)).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.status.as_str()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.error.map(ReplyReason::as_str)).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.timestamp).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.received_at).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.part).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.reply_target).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.reply_extras.as_ref().map(serde_json::Value::to_string)).collect::<Vec<_>>())
    .fetch_all(db)
    .await?;
    Ok(written
        .into_iter()
        .filter_map(|(id, instance_id, kind, event_id, part, status)| {
            let (kind, status) = (AutomationKind::parse(&kind)?, ReplyStatus::parse(&status)?);
            Some(Written { id, instance_id, kind, event_id, part, status })
        })
        .collect())
}

/// A report that moved to a final status, as live pages and the replied flag need it.
#[derive(Debug, Clone)]
pub struct Settled {
    pub id: Uuid,
    pub instance_id: String,
    pub user_id: String,
    pub kind: AutomationKind,
    pub event_id: String,
    pub response_text: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl Settled {
    /// What the answered message or comment records: that it got this reply.
    pub fn replied(&self) -> super::interactions::Replied<'_> {
        super::interactions::Replied {
            instance_id: &self.instance_id,
            kind: self.kind,
            event_id: &self.event_id,
            text: self.response_text.as_deref().unwrap_or_default(),
        }
    }
}

type SettledRow = (Uuid, String, String, String, String, Option<String>, DateTime<Utc>);

fn settled(rows: Vec<SettledRow>) -> Vec<Settled> {
    rows.into_iter()
        .filter_map(|(id, instance_id, user_id, kind, event_id, response_text, created_at)| {
            Some(Settled {
                id,
                instance_id,
                user_id,
                kind: AutomationKind::parse(&kind)?,
                event_id,
                response_text,
                created_at,
            })
        })
        .collect()
}

/// Locks those of these reports that are still pending, in id order, and returns them (the others
/// are settled: nothing will change them). A transaction that updates several reports takes all
/// their locks this way first: `UPDATE ... FROM unnest(...)` locks rows in the join's order, not
/// the input's, and two batches locking in different orders deadlock. The updates that follow
/// name only the rows returned here and do not test the status again: with a status test the
/// planner may read every pending report through the outbox index (its statistics often say
/// there are none) instead of a few by primary key, which with a backlog took 80 ms a batch.
pub async fn lock(db: &mut PgConnection, _: &System, ids: &[Uuid]) -> Result<Vec<Uuid>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // The status is read, not tested, for the same reason: only the primary key may lead. Locking
    // a report that is already settled costs nothing; it is simply not returned.
    let rows: Vec<(Uuid, bool)> = sqlx::query_as(
        "SELECT id, status = 'pending' FROM instagram_reports WHERE id = ANY($1) ORDER BY id FOR UPDATE",
    )
    .bind(ids)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().filter_map(|(id, pending)| pending.then_some(id)).collect())
}

/// The pending public replies in flight under these comments (`(instance_id, comment id)`),
/// whose own comment may just have come back.
pub async fn public_replies_in_flight(
    db: &mut PgConnection,
    _: &System,
    comments: &[(&str, &str)],
) -> Result<Vec<Uuid>, StoreError> {
    if comments.is_empty() {
        return Ok(Vec::new());
    }
    Ok(sqlx::query_scalar(
        "SELECT r.id FROM instagram_reports r
         JOIN unnest($1::text[], $2::text[]) AS c(instance_id, comment_id)
           ON r.instance_id = c.instance_id AND r.reply_target = c.comment_id
         WHERE r.status = 'pending' AND r.response_type = 'comment' AND r.send_started_at IS NOT NULL",
    )
    .bind(comments.iter().map(|c| c.0).collect::<Vec<_>>())
    .bind(comments.iter().map(|c| c.1).collect::<Vec<_>>())
    .fetch_all(db)
    .await?)
}

/// One of our replies, seen coming back or answered by Meta.
pub struct Delivered<'a> {
    /// On echoes, the instance the echo arrived for: a report id in someone else's echo is ignored.
    pub instance_id: &'a str,
    pub report_id: Uuid,
    /// The message or comment id Meta gave the reply.
    pub reply_id: &'a str,
    pub text: Option<&'a str>,
}

const SETTLED: &str = "r.id, r.instance_id, r.user_id, r.interaction_type, r.event_id, r.response_text, r.created_at";

/// Pending replies that went out, by Meta's answer. Only reports [`lock`] returned.
pub async fn mark_sent(db: &mut PgConnection, _: &System, sent: &[Delivered<'_>]) -> Result<Vec<Settled>, StoreError> {
    if sent.is_empty() {
        return Ok(Vec::new());
    }
    let mut sent: Vec<&Delivered> = sent.iter().collect();
    sent.sort_by_key(|d| d.report_id);
    sent.dedup_by_key(|d| d.report_id);
    let rows: Vec<SettledRow> = sqlx::query_as(&format!(
        "UPDATE instagram_reports r SET status = 'sent', reply_id = u.reply_id,
             response_text = COALESCE(u.text, r.response_text), sent_at = now(), completed_at = clock_timestamp(),
             error = NULL, claimed_until = NULL, updated_at = now()
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS u(id, instance_id, reply_id, text)
         WHERE r.id = u.id AND r.instance_id = u.instance_id
         RETURNING {SETTLED}"
    ))
    .bind(sent.iter().map(|d| d.report_id).collect::<Vec<_>>())
    .bind(sent.iter().map(|d| d.instance_id).collect::<Vec<_>>())
    .bind(sent.iter().map(|d| d.reply_id).collect::<Vec<_>>())
    .bind(sent.iter().map(|d| d.text).collect::<Vec<_>>())
    .fetch_all(db)
    .await?;
    Ok(settled(rows))
}

/// The account's own reply under `parent_comment_id` came back as a webhook: the public reply in
/// flight to that comment went out.
pub struct PublicReplySeen<'a> {
    pub instance_id: &'a str,
    pub parent_comment_id: &'a str,
    pub reply_id: &'a str,
    pub text: Option<&'a str>,
}

/// Settles those public replies among `locked` (pending, locked by [`lock`]) whose comment came
/// back: under the comment they were posted to, with their text (a thread may have several in
/// flight).
pub async fn confirm_public_replies(
    db: &mut PgConnection,
    _: &System,
    seen: &[PublicReplySeen<'_>],
    locked: &[Uuid],
) -> Result<Vec<Settled>, StoreError> {
    if seen.is_empty() || locked.is_empty() {
        return Ok(Vec::new());
    }
    let mut seen: Vec<&PublicReplySeen> = seen.iter().collect();
    seen.sort_by(|a, b| {
        (a.instance_id, a.parent_comment_id, a.text).cmp(&(b.instance_id, b.parent_comment_id, b.text))
    });
    seen.dedup_by(|a, b| (a.instance_id, a.parent_comment_id, a.text) == (b.instance_id, b.parent_comment_id, b.text));
    let rows: Vec<SettledRow> = sqlx::query_as(&format!(
        "UPDATE instagram_reports r SET status = 'sent', reply_id = u.reply_id,
             response_text = COALESCE(u.text, r.response_text), sent_at = now(), completed_at = clock_timestamp(),
             error = NULL, claimed_until = NULL, updated_at = now()
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS u(instance_id, parent_id, reply_id, text)
         WHERE r.id = ANY($5) AND r.instance_id = u.instance_id AND r.reply_target = u.parent_id
           AND r.response_type = 'comment' AND r.send_started_at IS NOT NULL
           AND (u.text IS NULL OR r.response_text = u.text)
         RETURNING {SETTLED}"
    ))
    .bind(seen.iter().map(|s| s.instance_id).collect::<Vec<_>>())
    .bind(seen.iter().map(|s| s.parent_comment_id).collect::<Vec<_>>())
    .bind(seen.iter().map(|s| s.reply_id).collect::<Vec<_>>())
    .bind(seen.iter().map(|s| s.text).collect::<Vec<_>>())
    .bind(locked)
    .fetch_all(db)
    .await?;
    Ok(settled(rows))
}

/// Pending replies that will not go out, with the reason. Only reports [`lock`] returned.
pub async fn mark_failed(
    db: &mut PgConnection,
    _: &System,
    failed: &[(Uuid, ReplyReason)],
) -> Result<Vec<Settled>, StoreError> {
    if failed.is_empty() {
        return Ok(Vec::new());
    }
    let mut failed: Vec<&(Uuid, ReplyReason)> = failed.iter().collect();
    failed.sort_by_key(|f| f.0);
    failed.dedup_by_key(|f| f.0);
    let rows: Vec<SettledRow> = sqlx::query_as(&format!(
        "UPDATE instagram_reports r SET status = 'failed', error = u.error, send_started_at = NULL,
             claimed_until = NULL, completed_at = clock_timestamp(), updated_at = now()
         FROM unnest($1::uuid[], $2::text[]) AS u(id, error)
         WHERE r.id = u.id
         RETURNING {SETTLED}"
    ))
    .bind(failed.iter().map(|f| f.0).collect::<Vec<_>>())
    .bind(failed.iter().map(|f| f.1.as_str()).collect::<Vec<_>>())
    .fetch_all(db)
    .await?;
    Ok(settled(rows))
}

/// A pending reply to try again later.
pub struct Later {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub error: Option<ReplyReason>,
    /// Meta said no: nothing went out, so `send_started_at` is cleared.
    pub clear_start: bool,
    /// The run only waited: `send_started_at` goes back to the earlier, unresolved start.
    pub restore_start: Option<DateTime<Utc>>,
    /// False when the run did not count as an attempt (it only waited).
    pub counts: bool,
}

/// Reschedules pending replies (only reports [`lock`] returned); returns `(instance_id, at)` for
/// each, to wake their accounts.
pub async fn reschedule(
    db: &mut PgConnection,
    _: &System,
    later: &[Later],
) -> Result<Vec<(String, DateTime<Utc>)>, StoreError> {
    if later.is_empty() {
        return Ok(Vec::new());
    }
    let mut later: Vec<&Later> = later.iter().collect();
    later.sort_by_key(|l| l.id);
    later.dedup_by_key(|l| l.id);
    Ok(sqlx::query_as(
        "UPDATE instagram_reports r SET send_after = u.at, claimed_until = NULL, error = COALESCE(u.error, r.error),
             send_started_at = CASE WHEN u.clear THEN NULL ELSE COALESCE(u.restore, r.send_started_at) END,
             attempts = r.attempts - CASE WHEN u.counts THEN 0 ELSE 1 END, updated_at = now()
         FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::bool[], $5::timestamptz[], $6::bool[])
              AS u(id, at, error, clear, restore, counts)
         WHERE r.id = u.id
         RETURNING r.instance_id, u.at",
    )
    .bind(later.iter().map(|l| l.id).collect::<Vec<_>>())
    .bind(later.iter().map(|l| l.at).collect::<Vec<_>>())
    .bind(later.iter().map(|l| l.error.map(ReplyReason::as_str)).collect::<Vec<_>>())
    .bind(later.iter().map(|l| l.clear_start).collect::<Vec<_>>())
    .bind(later.iter().map(|l| l.restore_start).collect::<Vec<_>>())
    .bind(later.iter().map(|l| l.counts).collect::<Vec<_>>())
    .fetch_all(db)
    .await?)
}

/// A failed reply made pending again (an admin ran its dead letter again); false when it is not
/// failed any more.
pub async fn reopen(
    db: &mut PgConnection,
    _: &System,
    id: Uuid,
) -> Result<Option<(String, DateTime<Utc>)>, StoreError> {
    Ok(sqlx::query_as(
        "UPDATE instagram_reports SET status = 'pending', error = NULL, attempts = 0, send_after = now(),
             claimed_until = NULL, completed_at = NULL, updated_at = now()
         WHERE id = $1 AND status = 'failed'
         RETURNING instance_id, created_at",
    )
    .bind(id)
    .fetch_optional(db)
    .await?)
}
