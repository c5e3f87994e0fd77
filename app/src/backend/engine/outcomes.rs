//! What became of sent replies, recorded many at a time: sent, failed (its daily-cap slot given
//! back, a dead letter when only retries ran out), or put back for later.
use super::{send::Started, Outcome};
use crate::backend::{
    live::{self, Tally},
    measure,
    state::AppState,
    store::{
        access::System,
        pg::{
            daily_caps,
            dead_letters::{self, Failure, Kind},
            interactions::{self, Replied},
            notifications, outbox,
            reports::{self, Delivered, Later, Settled},
        },
        StoreError,
    },
};
use crate::domain::report::ReplyStatus;
use std::collections::HashSet;
use uuid::Uuid;

pub(super) async fn record(state: &AppState, outcomes: &[Outcome]) -> Result<(), StoreError> {
    if outcomes.is_empty() {
        return Ok(());
    }
    let mut sent = Vec::new();
    let mut failed = Vec::new();
    let mut exhausted = HashSet::new();
    let mut later = Vec::new();
    for outcome in outcomes {
        match outcome {
            Outcome::Sent { item, reply_id, text } => {
                sent.push(Delivered { instance_id: &item.instance_id, report_id: item.id, reply_id, text: Some(text) })
            }
            Outcome::Failed { item, reason, retries_ran_out } => {
                failed.push((item.id, *reason));
                if *retries_ran_out {
                    exhausted.insert(item.id);
                }
            }
            Outcome::Later { item, at, error, started, counts } => later.push(Later {
                id: item.id,
                at: *at,
                error: *error,
                clear_start: matches!(started, Started::Clear),
                restore_start: match started {
                    Started::Restore(at) => Some(*at),
                    Started::Clear | Started::Keep => None,
                },
                counts: *counts,
            }),
        }
    }
    let mut tx = state.pg.begin().await?;
    // Reports first, then messages, daily counts and accounts: the order every run keeps.
    let mut ids: Vec<Uuid> = outcomes.iter().map(|o| o.item().id).collect();
    ids.sort_unstable();
    // Only what is still pending is recorded (a report settled meanwhile stays as it is).
    let pending: HashSet<Uuid> = reports::lock(&mut tx, &System::ACTING, &ids).await?.into_iter().collect();
    sent.retain(|d| pending.contains(&d.report_id));
    failed.retain(|f| pending.contains(&f.0));
    later.retain(|l| pending.contains(&l.id));
    let settled_sent = reports::mark_sent(&mut tx, &System::ACTING, &sent).await?;
    let settled_failed = reports::mark_failed(&mut tx, &System::ACTING, &failed).await?;
    let retry_at = reports::reschedule(&mut tx, &System::ACTING, &later).await?;
    let replied: Vec<Replied> = settled_sent.iter().map(Settled::replied).collect();
    interactions::mark_replied(&mut tx, &System::ACTING, &replied).await?;
    let released: Vec<_> = settled_failed.iter().map(|s| (s.instance_id.clone(), s.created_at.date_naive())).collect();
    daily_caps::release(&mut tx, &System::ACTING, &released).await?;
    outbox::wake(&mut tx, &System::ACTING, &retry_at).await?;
    // Replies that failed only because their retries ran out: admins may run them again.
    let exhausted_rows: Vec<(Uuid, &str, String, &str)> = settled_failed
        .iter()
        .filter(|s| exhausted.contains(&s.id))
        .map(|s| {
            let reason = failed.iter().find(|f| f.0 == s.id).map_or("", |f| f.1.as_str());
            let summary = format!("{} reply to {}", s.kind.as_str(), s.event_id.chars().take(40).collect::<String>());
            (s.id, s.instance_id.as_str(), summary, reason)
        })
        .collect();
    let dead: Vec<Failure> = exhausted_rows
        .iter()
        .map(|(id, instance_id, summary, reason)| Failure {
            kind: Kind::Reply,
            delivery_id: None,
            entry_index: None,
            item_index: None,
            report_id: Some(*id),
            account_id: None,
            instance_id: Some(instance_id),
            summary,
            reason: dead_letters::Reason::RetriesRanOut,
            detail: Some(reason),
            retryable: true,
            attempts: 1,
        })
        .collect();
    dead_letters::record(&mut tx, &System::ACTING, &dead).await?;
    tell_of_failing_automations(state, &mut tx, &settled_failed).await?;
    let mut tally = Tally::default();
    for s in &settled_sent {
        tally.add(&s.user_id, &s.instance_id, ReplyStatus::Sent);
    }
    for s in &settled_failed {
        tally.add(&s.user_id, &s.instance_id, ReplyStatus::Failed);
    }
    live::notify(&mut tx, &tally.events()).await?;
    tx.commit().await?;
    measure::replies("sent", settled_sent.len());
    measure::replies("failed", settled_failed.len());
    measure::replies("retry", retry_at.len());
    Ok(())
}

/// An automation whose replies failed again and again today: its owner hears of it once a day.
async fn tell_of_failing_automations(
    state: &AppState,
    tx: &mut sqlx::PgConnection,
    failed: &[Settled],
) -> Result<(), StoreError> {
    use crate::{backend::notifications as told, domain::notification::NotificationKind};
    let ids: Vec<Uuid> = failed.iter().map(|s| s.id).collect();
    let today = chrono::Utc::now().date_naive();
    let since = today.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let failing =
        notifications::failing_automations(tx, &System::ACTING, &ids, since, told::FAILURES_TO_NOTIFY).await?;
    let mut new = Vec::new();
    for (automation_id, _, instance_id, name) in failing {
        let Ok(oid) = mongodb::bson::oid::ObjectId::parse_str(&instance_id) else { continue };
        let Some(doc) = state.directory.instance(&state.mongo, oid).await? else { continue };
        let occurrence = format!("{automation_id}:{today}");
        new.push(told::about(&doc, NotificationKind::AutomationFailing, Some(name), &occurrence));
    }
    told::raise_in(tx, &new).await
}
