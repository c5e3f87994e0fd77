//! One claimed reply, sent under the ledger's rules: a reply whose earlier answer was lost is
//! checked before it goes again (a DM's echo, recorded by intake, says it went out, and without
//! one it waits for it; a public reply is looked up in the thread; Meta itself refuses a second
//! private reply); Meta's refusals are final, its outages retried with backoff up to a bound, and
//! a dead token stops the instance.
use super::{backoff, Outcome};
use crate::{
    backend::{
        instances,
        meta::{MetaError, Recipient, Sent},
        state::AppState,
        store::{
            access::System,
            pg::{
                interactions,
                outbox::Claimed,
                people::{self, Lookup},
            },
        },
    },
    domain::{
        automation::{render_reply, AutomationKind, ResponseType},
        id::CommentId,
        instance::{ConnectionFailure, InstanceStatus},
        report::ReplyReason,
    },
};
use chrono::Utc;
use mongodb::bson::oid::ObjectId;
use secrecy::SecretString;

/// Meta's "The comment is invalid for a private reply": among other causes, already replied to.
const PRIVATE_REPLY_USED: u64 = 2_534_025;

pub(super) async fn send(state: &AppState, item: Claimed) -> Outcome {
    let started = std::time::Instant::now();
    let outcome = attempt(state, item).await;
    crate::backend::measure::job("send", started.elapsed());
    outcome
}

async fn attempt(state: &AppState, item: Claimed) -> Outcome {
    let instance = match ObjectId::parse_str(&item.instance_id) {
        Ok(oid) => state.directory.instance(&state.mongo, oid).await,
        Err(_) => Ok(None),
    };
    let instance = match instance {
        Ok(Some(instance)) => instance,
        Ok(None) => return Outcome::failed(item, ReplyReason::InstanceDeleted),
        // MongoDB is unreachable: nothing was sent, the same run later.
        Err(error) => {
            tracing::warn!(instance.id = %item.instance_id, "cannot read the instance of a reply: {error}");
            return Outcome::wait(item, chrono::Duration::seconds(5), Some(ReplyReason::StorageUnavailable));
        }
    };
    let (Some(template), Some(response_type)) = (item.response_text.clone(), item.response_type) else {
        return Outcome::failed(item, ReplyReason::ReplyMissing);
    };
    let token = match instance.status {
        InstanceStatus::Connected => instances::token(state, &instance),
        _ => None,
    };
    let (Some(ig_id), Some(token)) = (instance.instagram_account_id.clone(), token) else {
        return Outcome::failed(item, ReplyReason::NotConnected);
    };
    let in_doubt = item.earlier_start.is_some();
    // A public reply goes under the thread's top-level comment (Meta takes replies only there).
    let thread = || CommentId::new(item.reply_target.as_deref().unwrap_or(&item.event_id));
    if let Some(started) = item.earlier_start {
        // A DM (or a private reply, a DM too) comes back as an echo naming its report: if it came,
        // the reply went out.
        if response_type == ResponseType::Direct {
            match interactions::echo_of(&state.pg, &System::ACTING, &item.instance_id, item.id).await {
                Ok(Some((mid, text))) => return Outcome::Sent { reply_id: mid, text: text.unwrap_or(template), item },
                Ok(None) => {}
                Err(error) => {
                    tracing::warn!(instance.id = %item.instance_id, "cannot look for the echo of a reply: {error}");
                    return Outcome::wait(item, chrono::Duration::seconds(5), Some(ReplyReason::StorageUnavailable));
                }
            }
        }
        match (item.kind, response_type) {
            (AutomationKind::Dm, _) => {
                // No echo yet: give it time to arrive before sending again.
                let grace = chrono::Duration::seconds(i64::from(state.config.engine.reply_confirm_grace_seconds));
                if Utc::now() - started < grace {
                    let until = started + grace;
                    return Outcome::Later {
                        item,
                        at: until,
                        error: None,
                        started: Started::Restore(started),
                        counts: false,
                    };
                }
            }
            (AutomationKind::Comment, ResponseType::Comment) => {
                match state.meta.find_own_reply(&token, &ig_id, &thread(), &template).await {
                    Ok(Some(sent)) => return Outcome::Sent { item, reply_id: sent.id, text: template },
                    Ok(None) => {}
                    Err(error) => return retry_or_fail(state, &instance, item, error, false).await,
                }
            }
            // Meta itself refuses a second private reply to a comment (handled below).
            (AutomationKind::Comment, ResponseType::Direct) => {}
        }
    }
    let text = if template.contains("{username}") {
        render_reply(&template, username(state, &token, &item).await.as_deref())
    } else {
        template
    };
    let metadata = format!("ic:{}", item.id);
    let private_reply = item.private_reply();
    let outcome = match (item.kind, response_type) {
        (AutomationKind::Comment, ResponseType::Comment) => state.meta.reply_to_comment(&token, &thread(), &text).await,
        (AutomationKind::Comment, ResponseType::Direct) => {
            let extras = item.reply_extras.as_ref();
            state
                .meta
                .send_message(
                    &token,
                    &ig_id,
                    Recipient::Comment(&CommentId::new(item.event_id.as_str())),
                    &text,
                    extras,
                    &metadata,
                )
                .await
        }
        (AutomationKind::Dm, _) => {
            let extras = item.reply_extras.as_ref();
            state.meta.send_message(&token, &ig_id, Recipient::Person(&item.person_id), &text, extras, &metadata).await
        }
    };
    match outcome {
        Ok(Sent { id }) => Outcome::Sent { item, reply_id: id, text },
        Err(MetaError::Api { subcode: Some(PRIVATE_REPLY_USED), .. }) if private_reply && in_doubt => {
            // The earlier attempt whose answer we lost did go out.
            Outcome::Sent { item, reply_id: String::new(), text }
        }
        Err(error) => retry_or_fail(state, &instance, item, error, true).await,
    }
}

/// What `send_started_at` becomes when a reply is put back.
#[derive(Debug, Clone, Copy)]
pub(super) enum Started {
    /// Meta answered with an error: nothing went out, trying again cannot duplicate.
    Clear,
    /// The outcome is unknown (a time-out): the next run checks before sending.
    Keep,
    /// This run only waited: the earlier, unresolved start stands.
    Restore(chrono::DateTime<Utc>),
}

async fn retry_or_fail(
    state: &AppState,
    instance: &crate::backend::store::mongo::instances::InstanceDoc,
    item: Claimed,
    error: MetaError,
    sent_a_request: bool,
) -> Outcome {
    if error.is_token_invalid() {
        tracing::warn!(instance.id = %item.instance_id, "token of instance {} is no longer valid", item.instance_id);
        if let Err(e) =
            instances::change_status(state, instance, InstanceStatus::Error, Some(ConnectionFailure::TokenInvalid))
                .await
        {
            tracing::warn!(instance.id = %item.instance_id, "cannot record the dead token: {e}");
        }
        return Outcome::failed(item, error.reason());
    }
    if !error.is_transient() {
        tracing::info!(instance.id = %item.instance_id, "Meta refused a reply ({}): {}", error.reason().as_str(), error.message());
        return Outcome::failed(item, error.reason());
    }
    let started = if sent_a_request && matches!(error, MetaError::Api { .. }) {
        Started::Clear
    } else if let (false, Some(earlier)) = (sent_a_request, item.earlier_start) {
        Started::Restore(earlier)
    } else {
        Started::Keep
    };
    if u32::try_from(item.attempts).unwrap_or(u32::MAX) >= state.config.engine.reply_max_attempts {
        return Outcome::Failed { item, reason: error.reason(), retries_ran_out: true };
    }
    let delay =
        chrono::Duration::from_std(backoff(state, item.attempts)).unwrap_or_else(|_| chrono::Duration::seconds(1));
    Outcome::Later { at: Utc::now() + delay, error: Some(error.reason()), started, counts: true, item }
}

/// The @username for `{username}`: known already, or asked of the profile API once and kept.
async fn username(state: &AppState, token: &SecretString, item: &Claimed) -> Option<String> {
    if let Some(name) = &item.username {
        return Some(name.clone());
    }
    if let Ok(Some(name)) = people::username(&state.pg, System::ACTING.tenant(&item.instance_id), &item.person_id).await
    {
        return Some(name);
    }
    let name = state.meta.username_of(token, &item.person_id).await.ok().flatten()?;
    let found = [(item.instance_id.as_str(), item.person_id.as_str(), Lookup::Found(name.clone()))];
    if let Err(error) = people::settle(&state.pg, &System::ACTING, &found).await.map(|_| ()) {
        tracing::warn!("cannot keep a username: {error}");
    }
    Some(name)
}
