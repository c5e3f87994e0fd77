//! A stored delivery becomes rows of `instagram_messages` and `instagram_comments`, and each new
//! inbound one a reply job, in one transaction: run twice, it changes nothing the second time.
use super::{ReplyJob, Step};
use crate::{
    backend::{
        meta::events::{self, Event, MessageEvent},
        state::AppState,
        store::{
            pg::{
                deliveries,
                interactions::{self, Owner},
                jobs::{self, Job, JobKind},
                reports,
            },
            StoreError,
        },
    },
    domain::{automation::AutomationKind, live::LiveEvent},
};
use mongodb::bson::oid::ObjectId;
use uuid::Uuid;

pub(super) async fn run(state: &AppState, job: &Job) -> Result<Step, StoreError> {
    let Some(delivery_id) = job.payload["delivery_id"].as_str().and_then(|id| Uuid::parse_str(id).ok()) else {
        tracing::error!(job.id = %job.id, "delivery job {} without a delivery id: dropped", job.id);
        return Ok(Step::Done);
    };
    let mut tx = state.pg.begin().await?;
    let Some(delivery) = deliveries::load(&mut *tx, delivery_id).await? else { return Ok(Step::Done) };
    // The body was checked to be JSON on receipt; anything else here has nothing to act on.
    let entries = events::parse(&delivery.body, delivery.received_at.timestamp_millis()).unwrap_or_default();
    let mut touched: Vec<ObjectId> = Vec::new();
    let mut confirmed: Vec<(String, LiveEvent)> = Vec::new();
    let mut count = 0;
    for entry in &entries {
        count += entry.events.len();
        // An account we do not know (or the dashboard's test id "0"): acknowledged and dropped.
        let Some(instance) = state.directory.instance_by_account(&state.mongo, &entry.account_id).await? else {
            continue;
        };
        let instance_id = instance.id.to_hex();
        let user_id = instance.user_id.to_hex();
        let owner = Owner { instance_id: &instance_id, user_id: &user_id };
        if !touched.contains(&instance.id) {
            touched.push(instance.id);
        }
        let confirmation = |report: Uuid, kind: AutomationKind| {
            (
                user_id.clone(),
                LiveEvent::Interaction {
                    instance_id: instance_id.clone(),
                    report_id: report.to_string(),
                    kind,
                    status: reports::status::SENT.to_owned(),
                },
            )
        };
        for event in &entry.events {
            match event {
                Event::Message(message) => {
                    let inserted = interactions::insert_message(&mut *tx, owner, message).await?;
                    if message.is_echo || message.sender_id == entry.account_id {
                        // Our own message coming back: it confirms the reply it carries the report id of.
                        if let Some(report) = our_report(message) {
                            if let Some(id) =
                                reports::confirm_by_echo(&mut *tx, &instance_id, report, &message.mid).await?
                            {
                                confirmed.push(confirmation(id, AutomationKind::Dm));
                            }
                        }
                    } else if inserted && answerable(message) {
                        enqueue(&mut tx, &instance_id, AutomationKind::Dm, &message.mid).await?;
                    }
                }
                Event::Comment(comment) => {
                    let inserted = interactions::insert_comment(&mut *tx, owner, comment).await?;
                    if comment.from_id == entry.account_id {
                        // The account's own comment: the echo of a public reply, never answered.
                        if let Some(parent) = &comment.parent_id {
                            if let Some(id) =
                                reports::confirm_public_reply(&mut *tx, &instance_id, parent, &comment.id).await?
                            {
                                confirmed.push(confirmation(id, AutomationKind::Comment));
                            }
                        }
                    } else if inserted && comment.text.as_deref().is_some_and(|t| !t.trim().is_empty()) {
                        enqueue(&mut tx, &instance_id, AutomationKind::Comment, &comment.id).await?;
                    }
                }
                // Kept in the stored delivery; nothing to answer.
                Event::Other { .. } => {}
            }
        }
    }
    deliveries::mark_processed(&mut *tx, delivery.id, entries.len(), count).await?;
    // The job is deleted after this returns; run again, this finds every row already there.
    tx.commit().await?;
    for (owner, event) in confirmed {
        state.live.publish(owner, event);
    }
    for id in touched {
        if let Err(error) = state.directory.touch(&state.mongo, id).await {
            tracing::warn!(instance.id = %id, "cannot record the last event of {id}: {error}");
        }
    }
    state.wake.notify_waiters();
    Ok(Step::Done)
}

/// Text a person sent: not an echo, a deletion, an unsupported type or a bare attachment.
fn answerable(message: &MessageEvent) -> bool {
    !message.is_deleted && !message.is_unsupported && message.text.as_deref().is_some_and(|t| !t.trim().is_empty())
}

/// The report a reply of ours was tagged with (`ic:<uuid>` in the Send API's `metadata`).
fn our_report(message: &MessageEvent) -> Option<Uuid> {
    message.metadata.as_deref()?.strip_prefix("ic:").and_then(|id| Uuid::parse_str(id).ok())
}

async fn enqueue(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    instance_id: &str,
    kind: AutomationKind,
    event_id: &str,
) -> Result<(), StoreError> {
    let payload = ReplyJob { instance_id: instance_id.to_owned(), kind, event_id: event_id.to_owned() };
    let payload = serde_json::to_value(payload).map_err(|e| StoreError::Malformed(e.to_string()))?;
    jobs::enqueue(&mut **tx, JobKind::Reply, &payload).await.map(|_| ())
}
