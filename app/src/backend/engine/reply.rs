//! One inbound interaction gets its report and at most one reply. The report row is written
//! `pending` before Meta is called and marked in flight while the call runs; whatever happens
//! after that (an error, a time-out, a crash) the next run knows a reply may already be out and
//! checks before sending again.
use super::{backoff, ReplyJob, Step};
use crate::{
    backend::{
        instances,
        meta::{MetaError, Recipient, Sent},
        state::AppState,
        store::{
            mongo::instances::InstanceDoc,
            pg::{
                interactions::{self, Interaction},
                jobs::Job,
                reports::{self, status, Ledger, NewReport},
            },
            StoreError,
        },
    },
    domain::{
        automation::{choose, render_reply, AutomationKind, EventFacts, ResponseType},
        instance::InstanceStatus,
        live::LiveEvent,
    },
};
use mongodb::bson::oid::ObjectId;
use std::time::Duration;
use uuid::Uuid;

/// Meta's "The comment is invalid for a private reply": among other causes, already replied to.
const PRIVATE_REPLY_USED: u64 = 2_534_025;

pub(super) async fn run(state: &AppState, job: &Job) -> Result<Step, StoreError> {
    let Some(task) = ReplyJob::parse(job) else {
        tracing::error!(job.id = %job.id, "reply job {} is malformed: dropped", job.id);
        return Ok(Step::Done);
    };
    let Ok(oid) = ObjectId::parse_str(&task.instance_id) else { return Ok(Step::Done) };
    // A deleted instance's interactions are not answered.
    let Some(instance) = state.directory.instance(&state.mongo, oid).await? else { return Ok(Step::Done) };
    let Some(event) = interactions::load(&state.pg, &task.instance_id, task.kind, &task.event_id).await? else {
        return Ok(Step::Done);
    };
    let ledger = match reports::find(&state.pg, &task.instance_id, task.kind, &task.event_id).await? {
        Some(ledger) => ledger,
        None => match decide(state, &instance, &event).await? {
            Some(ledger) => ledger,
            None => return Ok(Step::Done),
        },
    };
    if ledger.status != status::PENDING {
        return Ok(Step::Done);
    }
    send(state, &instance, &event, &ledger).await
}

/// Writes the event's report: `skipped` with the reason, or `pending` with the chosen reply.
/// Returns the ledger when there is a reply to send.
async fn decide(state: &AppState, instance: &InstanceDoc, event: &Interaction) -> Result<Option<Ledger>, StoreError> {
    let instance_id = instance.id.to_hex();
    let user_id = instance.user_id.to_hex();
    let connected = instance.status == InstanceStatus::Connected;
    let token = if connected { instances::token(state, instance) } else { None };
    let username = match (&event.username, &token) {
        (Some(name), _) => Some(name.clone()),
        // DMs do not carry the sender's username; the profile API gives it once they wrote to us.
        (None, Some(token)) => state.meta.username_of(token, &event.person_id).await.ok().flatten(),
        (None, None) => None,
    };
    let text = event.text.clone().unwrap_or_default();
    let rules = state.directory.rules(&state.pg, &instance_id).await?;
    let facts = EventFacts {
        kind: event.kind,
        text: &text,
        at_ms: event.timestamp.timestamp_millis(),
        media_id: event.media_id.as_deref(),
    };
    let choice = choose(&rules, &facts);
    let mut report = NewReport {
        instance_id: &instance_id,
        user_id: &user_id,
        automation_id: None,
        kind: event.kind,
        event_id: &event.event_id,
        user_id_instagram: &event.person_id,
        media_id: event.media_id.as_deref(),
        username: username.as_deref(),
        interaction_text: event.text.as_deref(),
        response_text: None,
        response_type: None,
        status: status::SKIPPED,
        error: None,
        timestamp: event.timestamp,
    };
    let reply_text;
    let mut tx = state.pg.begin().await?;
    match choice {
        _ if !connected => report.error = Some("instance_not_connected"),
        None => report.error = Some("no_match"),
        Some(choice) => {
            // Serialises the cap check per instance across workers and processes.
            sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))").bind(&instance_id).execute(&mut *tx).await?;
            let cap = instance.daily_reply_cap.unwrap_or(state.config.engine.daily_reply_cap);
            reply_text = render_reply(&choice.rule.response_text, username.as_deref());
            report.automation_id = Uuid::parse_str(&choice.rule.id).ok();
            report.response_text = Some(&reply_text);
            report.response_type = Some(match event.kind {
                AutomationKind::Dm => ResponseType::Direct,
                AutomationKind::Comment => choice.rule.response_type,
            });
            if reports::replies_today(&mut *tx, &instance_id).await? >= i64::from(cap) {
                report.error = Some("daily_cap");
            } else {
                report.status = status::PENDING;
            }
        }
    }
    let inserted = reports::insert(&mut *tx, &report).await?;
    tx.commit().await?;
    let Some(report_id) = inserted else {
        // Another worker recorded this event first; carry on from its ledger.
        return reports::find(&state.pg, &instance_id, event.kind, &event.event_id).await;
    };
    publish(state, instance, report_id, event.kind, report.status);
    Ok((report.status == status::PENDING).then(|| Ledger {
        id: report_id,
        status: status::PENDING.to_owned(),
        response_text: report.response_text.map(str::to_owned),
        response_type: report.response_type,
        send_started_at: None,
        attempts: 0,
    }))
}

async fn send(
    state: &AppState,
    instance: &InstanceDoc,
    event: &Interaction,
    ledger: &Ledger,
) -> Result<Step, StoreError> {
    let (Some(text), Some(response_type)) = (ledger.response_text.as_deref(), ledger.response_type) else {
        return fail(state, instance, event, ledger.id, "reply_missing").await;
    };
    let private_reply = event.kind == AutomationKind::Comment && response_type == ResponseType::Direct;
    let Some(ig_id) = instance.instagram_account_id.as_deref() else {
        return fail(state, instance, event, ledger.id, "instance_not_connected").await;
    };
    let token = match instance.status {
        InstanceStatus::Connected => instances::token(state, instance),
        _ => None,
    };
    let Some(token) = token else { return fail(state, instance, event, ledger.id, "instance_not_connected").await };
    let in_doubt = ledger.send_started_at.is_some();
    if let Some(started) = ledger.send_started_at {
        // A previous call's answer was lost: find out whether it went out before trying again.
        match (event.kind, response_type) {
            (AutomationKind::Dm, _) => {
                // Its echo (carrying the report id) confirms it; give the echo time to arrive.
                let grace = chrono::Duration::seconds(i64::from(state.config.engine.reply_confirm_grace_seconds));
                let waited = chrono::Utc::now() - started;
                if waited < grace {
                    return Ok(Step::Postpone((grace - waited).to_std().unwrap_or_default()));
                }
            }
            (AutomationKind::Comment, ResponseType::Comment) => {
                match state.meta.find_own_reply(&token, ig_id, &event.event_id, text).await {
                    Ok(Some(sent)) => return succeed(state, instance, event, ledger.id, text, &sent).await,
                    Ok(None) => {}
                    Err(error) => return retry_or_fail(state, instance, event, ledger, error, false).await,
                }
            }
            // Meta itself refuses a second private reply to a comment (handled below).
            (AutomationKind::Comment, ResponseType::Direct) => {}
        }
    }
    if let Err(wait) = state.outbound.take(ig_id, private_reply) {
        return Ok(Step::Postpone(wait.max(Duration::from_millis(10))));
    }
    let attempts = reports::start_send(&state.pg, ledger.id).await?;
    let metadata = format!("ic:{}", ledger.id);
    let outcome = match (event.kind, response_type) {
        (AutomationKind::Comment, ResponseType::Comment) => {
            state.meta.reply_to_comment(&token, &event.event_id, text).await
        }
        (AutomationKind::Comment, ResponseType::Direct) => {
            state.meta.send_message(&token, ig_id, Recipient::Comment(&event.event_id), text, &metadata).await
        }
        (AutomationKind::Dm, _) => {
            state.meta.send_message(&token, ig_id, Recipient::Person(&event.person_id), text, &metadata).await
        }
    };
    match outcome {
        Ok(sent) => succeed(state, instance, event, ledger.id, text, &sent).await,
        Err(MetaError::Api { subcode: Some(PRIVATE_REPLY_USED), .. }) if private_reply && in_doubt => {
            // The earlier attempt whose answer we lost did go out.
            succeed(state, instance, event, ledger.id, text, &Sent { id: String::new() }).await
        }
        Err(error) => {
            let ledger = Ledger { attempts, ..ledger.clone() };
            retry_or_fail(state, instance, event, &ledger, error, true).await
        }
    }
}

async fn retry_or_fail(
    state: &AppState,
    instance: &InstanceDoc,
    event: &Interaction,
    ledger: &Ledger,
    error: MetaError,
    sent_a_request: bool,
) -> Result<Step, StoreError> {
    let instance_id = instance.id.to_hex();
    if error.is_token_invalid() {
        tracing::warn!(instance.id = %instance_id, "token of instance {instance_id} is no longer valid");
        instances::change_status(state, instance, InstanceStatus::Error, Some("token_invalid")).await?;
        return fail(state, instance, event, ledger.id, &error.message()).await;
    }
    if !error.is_transient() {
        return fail(state, instance, event, ledger.id, &error.message()).await;
    }
    if sent_a_request && matches!(error, MetaError::Api { .. }) {
        // Meta answered with an error: nothing went out, so trying again cannot duplicate.
        reports::clear_send(&state.pg, ledger.id, &error.message()).await?;
    }
    if u32::try_from(ledger.attempts).unwrap_or(u32::MAX) >= state.config.engine.reply_max_attempts {
        return fail(state, instance, event, ledger.id, &error.message()).await;
    }
    Ok(Step::RetryIn(backoff(state, ledger.attempts), error.message()))
}

async fn succeed(
    state: &AppState,
    instance: &InstanceDoc,
    event: &Interaction,
    report_id: Uuid,
    text: &str,
    sent: &Sent,
) -> Result<Step, StoreError> {
    let instance_id = instance.id.to_hex();
    reports::mark_sent(&state.pg, report_id, &sent.id).await?;
    interactions::mark_replied(&state.pg, &instance_id, event.kind, &event.event_id, text).await?;
    publish(state, instance, report_id, event.kind, status::SENT);
    Ok(Step::Done)
}

async fn fail(
    state: &AppState,
    instance: &InstanceDoc,
    event: &Interaction,
    report_id: Uuid,
    why: &str,
) -> Result<Step, StoreError> {
    reports::mark_failed(&state.pg, report_id, why).await?;
    publish(state, instance, report_id, event.kind, status::FAILED);
    Ok(Step::Done)
}

fn publish(state: &AppState, instance: &InstanceDoc, report_id: Uuid, kind: AutomationKind, status: &str) {
    state.live.publish(
        instance.user_id.to_hex(),
        LiveEvent::Interaction {
            instance_id: instance.id.to_hex(),
            report_id: report_id.to_string(),
            kind,
            status: status.to_owned(),
        },
    );
}
