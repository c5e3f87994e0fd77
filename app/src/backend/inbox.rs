//! The inbox (seed 02): an instance's conversations and each one's history, and answering by hand.
//! A manual reply is a report of its own, sent by the outbox like an automated one: at the
//! account's pace, under the same ledger (so it goes out once), counted in the day's replies, and
//! shown in the reports. Answering by hand pauses the automations for that conversation.
use super::error::Error;
use super::{
    auth::SignedIn,
    engine::decide::button_values,
    live::{self, Tally},
    state::AppState,
    store::{
        access::{Scope, System},
        mongo::instances,
        pg::{conversations, daily_caps, outbox, reports},
    },
};
use crate::domain::error::FieldCode;
use crate::domain::id::{InstanceId, PersonId, UserId};
use crate::domain::report::ReplyStatus;
use crate::domain::{
    automation::{AutomationKind, ResponseType},
    automation_draft::OutgoingMessage,
    conversation::{Inbox, Thread, WINDOW_HOURS},
    error::AppError,
    instance::InstanceStatus,
};
use chrono::Duration;

/// Conversations listed, and messages of one shown, at most.
const LISTED: i64 = 100;
const SHOWN: i64 = 100;

/// The signed-in person's instance's conversations.
pub async fn inbox(
    state: &AppState,
    who: &SignedIn,
    instance_id: &InstanceId,
    search: Option<&str>,
) -> Result<Inbox, Error> {
    let doc = instances::find(&state.mongo, &Scope::own(who), instance_id).await?;
    let search = search.map(str::trim).filter(|s| !s.is_empty());
    if search.is_some_and(|s| s.chars().count() > 100) {
        return Err(Error::invalid("q", FieldCode::TooLong));
    }
    let conversations =
        conversations::list(&state.pg, who.id(), doc.tenant(), search, LISTED, state.clock.now()).await?;
    Ok(Inbox { instance_id: instance_id.clone(), instance_name: doc.display_name(), conversations })
}

/// One conversation, both ways; a person reading it (`mark_read`) marks it read, a script does not.
pub async fn thread(
    state: &AppState,
    who: &SignedIn,
    instance_id: &InstanceId,
    person_id: &PersonId,
    mark_read: bool,
) -> Result<Thread, Error> {
    let user_id = who.id();
    let doc = instances::find(&state.mongo, &Scope::own(who), instance_id).await?;
    let (username, last_inbound, paused_until) =
        conversations::find(&state.pg, user_id, doc.tenant(), person_id).await?.ok_or(AppError::NotFound)?;
    let messages = conversations::messages(&state.pg, doc.tenant(), person_id, SHOWN).await?;
    if mark_read && conversations::mark_read(&state.pg, user_id, doc.tenant(), person_id).await? {
        announce(state, user_id, instance_id).await;
    }
    let closes = last_inbound.map(|at| at + Duration::hours(WINDOW_HOURS));
    Ok(Thread {
        instance_id: instance_id.clone(),
        person_id: person_id.clone(),
        username,
        messages,
        window_open: closes.is_some_and(|at| at > state.clock.now()),
        window_closes_at: closes,
        paused_until: paused_until.filter(|at| *at > state.clock.now()),
    })
}

/// Answers the person by hand (the inbox, or a script through the API): a text, a file, or a text
/// with link buttons; then the automations leave the conversation alone for the configured time.
pub async fn reply(
    state: &AppState,
    who: &SignedIn,
    instance_id: &InstanceId,
    person_id: &PersonId,
    message: &OutgoingMessage,
) -> Result<(), Error> {
    let user_id = who.id();
    let doc = instances::find(&state.mongo, &Scope::own(who), instance_id).await?;
    if doc.status != InstanceStatus::Connected {
        return Err(Error::invalid("text", FieldCode::NotConnected));
    }
    let instance_id = doc.tenant().id();
    let (username, last_inbound, _) =
        conversations::find(&state.pg, user_id, doc.tenant(), person_id).await?.ok_or(AppError::NotFound)?;
    if last_inbound.is_none_or(|at| at + Duration::hours(WINDOW_HOURS) <= state.clock.now()) {
        return Err(Error::invalid("text", FieldCode::WindowClosed));
    }
    let event_id = format!("manual:{}", uuid::Uuid::now_v7());
    let now = state.clock.now();
    let report = |part: i16, response_text: String, extras: Option<serde_json::Value>| reports::NewReport {
        instance_id,
        user_id: user_id.as_str(),
        automation_id: None,
        kind: AutomationKind::Dm,
        event_id: &event_id,
        part,
        reply_target: None,
        user_id_instagram: person_id.as_str(),
        media_id: None,
        username: username.as_deref(),
        interaction_text: None,
        response_text: Some(response_text),
        response_type: Some(ResponseType::Direct),
        reply_extras: extras,
        status: ReplyStatus::Pending,
        error: None,
        timestamp: now,
        received_at: now,
    };
    let mut rows = Vec::new();
    if let Some(text) = &message.text {
        let extras = (!message.buttons.is_empty())
            .then(|| serde_json::json!({ "buttons": button_values(&message.buttons), "quick_replies": [] }));
        rows.push(report(0, text.clone(), extras));
    }
    if let Some(file) = &message.attachment {
        let extras =
            serde_json::json!({ "attachment": { "type": file.kind.as_str(), "payload": { "url": file.url } } });
        rows.push(report(i16::try_from(rows.len()).unwrap_or(1), String::new(), Some(extras)));
    }
    // The person's checked action becomes the engine's work, which serves every tenant.
    let queues = System::handoff(&doc);
    let mut tx = state.pg.begin().await?;
    let count = i32::try_from(rows.len()).unwrap_or(2);
    reports::insert_many(&mut tx, &queues, &mut rows).await?;
    // Counted in the day's replies, never refused by the cap: a person chose to answer.
    daily_caps::reserve(&mut tx, &queues, &[daily_caps::Wanted { instance_id, replies: count, cap: i32::MAX }]).await?;
    outbox::wake(&mut tx, &queues, &[(instance_id.to_owned(), now)]).await?;
    let minutes = i64::from(state.config.human_pause_minutes);
    conversations::pause(
        &mut tx,
        user_id,
        doc.tenant(),
        person_id,
        (minutes > 0).then(|| now + Duration::minutes(minutes)),
    )
    .await?;
    let mut tally = Tally::default();
    for _ in 0..count {
        tally.add(user_id.as_str(), instance_id, ReplyStatus::Pending);
    }
    live::notify(&mut tx, &tally.events()).await?;
    tx.commit().await?;
    state.wake_outbox.notify_one();
    Ok(())
}

/// The automations answer the conversation again, before its pause ran out.
pub async fn resume(
    state: &AppState,
    who: &SignedIn,
    instance_id: &InstanceId,
    person_id: &PersonId,
) -> Result<(), Error> {
    let user_id = who.id();
    let doc = instances::find(&state.mongo, &Scope::own(who), instance_id).await?;
    let mut connection = state.pg.acquire().await?;
    if !conversations::pause(&mut connection, user_id, doc.tenant(), person_id, None).await? {
        return Err(AppError::NotFound.into());
    }
    drop(connection);
    announce(state, user_id, instance_id).await;
    Ok(())
}

/// The owner's open inbox pages refetch.
async fn announce(state: &AppState, user_id: &UserId, instance_id: &InstanceId) {
    let mut tally = Tally::default();
    tally.touch(user_id.as_str(), instance_id.as_str());
    if let Err(error) = live::publish(&state.pg, &tally.events()).await {
        tracing::warn!("cannot announce a conversation change: {error}");
    }
}
