//! The automation editor's operations. Each checks that the instance or automation is the
//! caller's own; a change reaches the engine's next event through `directory::rules_changed`.
use super::error::Error;
use super::{
    auth::SignedIn,
    directory,
    state::AppState,
    store::{
        access::Scope,
        mongo::instances::{self, InstanceDoc},
        pg::{automation_uses, automations, daily_caps, ice_breakers, people},
        StoreError,
    },
};
use crate::domain::error::FieldCode;
use crate::domain::id::{AutomationId, InstanceId, MediaId};
use crate::domain::{
    audit::AuditAction,
    automation::{
        choose, explain_miss, follow_up_payload, render_reply, AutomationKind, ButtonAction, EventFacts, Inbound,
        Keyword, PerPerson, ResponseType,
    },
    automation_draft::{AutomationDraft, AutomationInput, AutomationsOverview, MediaItem, Saved, TrialOutcome},
    error::{AppError, FieldError},
    ice_breakers::{IceBreaker, IceBreakerInput},
    instance::InstanceStatus,
    report::ReplyReason,
};
use uuid::Uuid;

fn automation_id(raw: &AutomationId) -> Result<Uuid, Error> {
    raw.uuid().ok_or_else(|| AppError::NotFound.into())
}

/// The caller's instances and the automations of `chosen` (by default their first instance).
pub async fn overview(
    state: &AppState,
    who: &SignedIn,
    chosen: Option<&InstanceId>,
) -> Result<AutomationsOverview, Error> {
    let docs = super::instances::listed(state, &Scope::own(who)).await?;
    let instance = match chosen.filter(|c| !c.is_empty()) {
        Some(id) => Some(docs.iter().find(|d| d.instance_id() == *id).ok_or(AppError::NotFound)?),
        None => docs.first(),
    };
    let (automations, ice_breakers) = match instance {
        Some(doc) => {
            (automations::list(&state.pg, doc.tenant()).await?, ice_breakers::of(&state.pg, doc.tenant()).await?)
        }
        None => (Vec::new(), Vec::new()),
    };
    let instance_id = instance.map(|d| d.instance_id());
    Ok(AutomationsOverview {
        instances: super::instances::cards(state, &docs).await?,
        instance_id,
        automations,
        ice_breakers,
    })
}

/// Registers the instance's ice breakers at Meta and keeps them: each question runs a DM
/// automation of the instance when tapped.
pub async fn save_ice_breakers(
    state: &AppState,
    who: &SignedIn,
    instance_id: &InstanceId,
    rows: &[IceBreakerInput],
) -> Result<Vec<IceBreaker>, Error> {
    let questions = crate::domain::ice_breakers::parse(rows).map_err(AppError::Invalid)?;
    let instance = instances::find(&state.mongo, &Scope::own(who), instance_id).await?;
    let instance_id = instance.key();
    let rules = automations::rules_for(&state.pg, instance.tenant()).await?;
    if questions.iter().any(|q| !rules.iter().any(|r| r.id == q.automation_id && r.kind == AutomationKind::Dm)) {
        return Err(AppError::Invalid(vec![FieldError::new("ice_breakers", FieldCode::FollowUpUnknown)]).into());
    }
    let (Some(ig_id), InstanceStatus::Connected) = (instance.instagram_account_id.as_deref(), instance.status) else {
        return Err(AppError::Invalid(vec![FieldError::new("ice_breakers", FieldCode::NotConnected)]).into());
    };
    let token = super::instances::token(state, &instance)
        .ok_or_else(|| Error::internal(format!("the token of instance {} cannot be decrypted", instance.id)))?;
    let registered: Vec<(String, String)> =
        questions.iter().map(|q| (q.question.clone(), follow_up_payload(&q.automation_id))).collect();
    state.meta.set_ice_breakers(&token, ig_id, &registered).await.map_err(|e| {
        tracing::warn!(instance.id = %instance.id, "ice breakers of {} not registered: {e}", instance.id);
        AppError::MetaUnavailable
    })?;
    ice_breakers::replace(&state.pg, instance.tenant(), &questions).await?;
    let listed: Vec<&str> = questions.iter().map(|q| q.question.as_str()).collect();
    who.audit(&state.pg, AuditAction::IceBreakersSet, instance_id, &instance.name, Some(&listed.join(" | "))).await?;
    Ok(questions)
}

/// Creates (no `id`) or replaces an automation of one of the caller's instances.
pub async fn save(
    state: &AppState,
    who: &SignedIn,
    instance_id: &InstanceId,
    id: Option<&AutomationId>,
    input: &AutomationInput,
) -> Result<Saved, Error> {
    let draft = AutomationDraft::parse(input).map_err(AppError::Invalid)?;
    let instance = instances::find(&state.mongo, &Scope::own(who), instance_id).await?;
    follow_ups_exist(state, &instance, &draft).await?;
    let saved = match id.filter(|id| !id.is_empty()) {
        None => automations::insert(&state.pg, who.owner(), instance.tenant(), &draft).await?,
        Some(id) => {
            let id = automation_id(id)?;
            automations::update(&state.pg, who.owner(), instance.tenant(), id, &draft).await?;
            id
        }
    };
    directory::rules_changed(state, instance.key()).await;
    let action = if id.is_some_and(|id| !id.is_empty()) {
        AuditAction::AutomationUpdated
    } else {
        AuditAction::AutomationCreated
    };
    audit(state, who, action, &saved.to_string(), &draft.name, Some(&instance.name)).await?;
    let shared_keywords = shared_keywords(state, &instance, saved, &draft).await?;
    Ok(Saved { id: AutomationId::new(saved.to_string()), shared_keywords })
}

/// Every button and quick reply of `draft` points to a DM automation of the same instance.
async fn follow_ups_exist(state: &AppState, instance: &InstanceDoc, draft: &AutomationDraft) -> Result<(), Error> {
    let rules = automations::rules_for(&state.pg, instance.tenant()).await?;
    let known = |id: &AutomationId| rules.iter().any(|r| r.id == *id && r.kind == AutomationKind::Dm);
    let mut errors = Vec::new();
    let targets = |buttons: &[crate::domain::automation::Button]| {
        buttons
            .iter()
            .filter_map(|b| match &b.action {
                ButtonAction::FollowUp { automation_id } => Some(automation_id.clone()),
                ButtonAction::Link { .. } => None,
            })
            .collect::<Vec<_>>()
    };
    if targets(&draft.buttons).iter().any(|id| !known(id)) {
        errors.push(FieldError::new("buttons", FieldCode::FollowUpUnknown));
    }
    if draft.cards.iter().flat_map(|c| targets(&c.buttons)).any(|id| !known(&id)) {
        errors.push(FieldError::new("cards", FieldCode::FollowUpUnknown));
    }
    if draft.quick_replies.iter().any(|q| !known(&q.automation_id)) {
        errors.push(FieldError::new("quick_replies", FieldCode::FollowUpUnknown));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors).into())
    }
}

/// Keywords of `draft` that another active automation of the same kind already answers.
async fn shared_keywords(
    state: &AppState,
    instance: &InstanceDoc,
    saved: Uuid,
    draft: &AutomationDraft,
) -> Result<Vec<String>, StoreError> {
    let rules = automations::rules_for(&state.pg, instance.tenant()).await?;
    let others: Vec<&Keyword> = rules
        .iter()
        .filter(|r| r.is_active && r.kind == draft.kind && r.id != saved.to_string())
        .flat_map(|r| r.keywords.iter())
        .collect();
    Ok(draft.keywords.iter().filter(|raw| Keyword::parse(raw).is_some_and(|k| others.contains(&&k))).cloned().collect())
}

pub async fn set_active(state: &AppState, who: &SignedIn, id: &AutomationId, active: bool) -> Result<(), Error> {
    let (instance_id, name) = automations::set_active(&state.pg, who.owner(), automation_id(id)?, active).await?;
    directory::rules_changed(state, &instance_id).await;
    let action = if active { AuditAction::AutomationActivated } else { AuditAction::AutomationDeactivated };
    audit(state, who, action, id.as_str(), &name, None).await
}

/// An audit entry for a change `who` made to an automation.
async fn audit(
    state: &AppState,
    who: &SignedIn,
    action: AuditAction,
    automation_id: &str,
    name: &str,
    details: Option<&str>,
) -> Result<(), Error> {
    Ok(who.audit(&state.pg, action, automation_id, name, details).await?)
}

/// Moves an automation one place earlier (`up`) or later in the order its instance tries them.
pub async fn move_one(state: &AppState, who: &SignedIn, id: &AutomationId, direction: &str) -> Result<(), Error> {
    let earlier = match direction {
        "up" => true,
        "down" => false,
        _ => return Err(Error::invalid("direction", FieldCode::Invalid)),
    };
    let id = automation_id(id)?;
    let mut tx = state.pg.begin().await?;
    let instance_id = automations::move_one(&mut tx, who.owner(), id, earlier).await?;
    tx.commit().await?;
    directory::rules_changed(state, &instance_id).await;
    Ok(())
}

/// One of the caller's automations, as the list shows it.
pub async fn find(
    state: &AppState,
    who: &SignedIn,
    id: &AutomationId,
) -> Result<crate::domain::automation_draft::AutomationView, Error> {
    let instance = instances::find(&state.mongo, &Scope::own(who), &instance_of(state, who, id).await?).await?;
    let id = automation_id(id)?.to_string();
    automations::list(&state.pg, instance.tenant())
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or(AppError::NotFound.into())
}

/// The instance of one of the caller's automations.
pub async fn instance_of(state: &AppState, who: &SignedIn, id: &AutomationId) -> Result<InstanceId, Error> {
    Ok(automations::instance_of(&state.pg, who.owner(), automation_id(id)?).await?)
}

/// The automations of one of the caller's instances, in the order they are tried.
pub async fn of_instance(
    state: &AppState,
    who: &SignedIn,
    instance_id: &InstanceId,
) -> Result<Vec<crate::domain::automation_draft::AutomationView>, Error> {
    let doc = instances::find(&state.mongo, &Scope::own(who), instance_id).await?;
    Ok(automations::list(&state.pg, doc.tenant()).await?)
}

pub async fn delete(state: &AppState, who: &SignedIn, id: &AutomationId) -> Result<(), Error> {
    let (instance_id, name) = automations::delete(&state.pg, who.owner(), automation_id(id)?).await?;
    directory::rules_changed(state, &instance_id).await;
    audit(state, who, AuditAction::AutomationDeleted, id.as_str(), &name, None).await
}

/// The instance's posts and reels, to limit a comment automation to some of them (`None`: the
/// caller's first instance, as the page shows it).
pub async fn media(
    state: &AppState,
    who: &SignedIn,
    instance_id: Option<&InstanceId>,
) -> Result<Vec<MediaItem>, Error> {
    let instance = match instance_id.filter(|id| !id.is_empty()) {
        Some(id) => instances::find(&state.mongo, &Scope::own(who), id).await?,
        None => match super::instances::listed(state, &Scope::own(who)).await?.into_iter().next() {
            Some(first) => first,
            None => return Ok(Vec::new()),
        },
    };
    media_of(state, &instance).await
}

/// The recent posts and reels of an instance already found for its owner (none while it is not
/// connected).
pub async fn media_of(state: &AppState, instance: &InstanceDoc) -> Result<Vec<MediaItem>, Error> {
    let (Some(ig_id), Some(_), InstanceStatus::Connected) =
        (instance.instagram_account_id.as_deref(), instance.access_token.as_ref(), instance.status)
    else {
        return Ok(Vec::new());
    };
    let token = super::instances::token(state, instance)
        .ok_or_else(|| Error::internal(format!("the token of instance {} cannot be decrypted", instance.id)))?;
    state.meta.media(&token, ig_id).await.map_err(|e| {
        tracing::warn!(instance.id = %instance.id, "media of {} unavailable: {e}", instance.id);
        AppError::MetaUnavailable.into()
    })
}

/// Which automation would answer `text`, and with what, by the engine's own matcher, or why none
/// would; sends nothing.
pub async fn trial(
    state: &AppState,
    who: &SignedIn,
    instance_id: &InstanceId,
    kind: &str,
    text: &str,
    username: &str,
    media_id: &str,
) -> Result<TrialOutcome, Error> {
    let (kind, inbound) = match kind {
        "story_reply" => (AutomationKind::Dm, Inbound::StoryReply),
        "story_mention" => (AutomationKind::Dm, Inbound::StoryMention),
        other => (
            AutomationKind::parse(other).ok_or_else(|| AppError::invalid("kind", FieldCode::Invalid))?,
            Inbound::Message,
        ),
    };
    let instance = instances::find(&state.mongo, &Scope::own(who), instance_id).await?;
    let rules = automations::rules_for(&state.pg, instance.tenant()).await?;
    let names = automations::list(&state.pg, instance.tenant()).await?;
    let name_of = |id: &AutomationId| names.iter().find(|a| a.id == *id).map(|a| a.name.clone());
    let media_id = Some(media_id.trim()).filter(|m| !m.is_empty()).map(MediaId::new);
    let at_ms = chrono::Utc::now().timestamp_millis();
    let facts = EventFacts { kind, inbound, text, at_ms, media_id: media_id.as_ref(), original_media_id: None };
    let username = Some(username.trim().trim_start_matches('@')).filter(|u| !u.is_empty());
    let Some(choice) = choose(&rules, &facts) else {
        let missed = explain_miss(&rules, &facts)
            .map(|(rule, miss)| (name_of(&rule.id).unwrap_or_default(), miss.as_str().to_owned()));
        return Ok(TrialOutcome { missed, ..TrialOutcome::default() });
    };
    // A sample has no comment id: the text picks the variant, so trying again shows the same.
    let answer = choice.rule.answer(text);
    let part = |wanted: ResponseType| {
        answer.iter().find(|(t, _)| *t == wanted).map(|(_, template)| render_reply(template, username))
    };
    let cap = instance.daily_reply_cap.unwrap_or(state.config.engine.daily_reply_cap);
    let person = match username {
        Some(name) => people::igsid_of(&state.pg, instance.tenant(), name).await?,
        None => None,
    };
    let used = match (person, choice.rule.id.uuid()) {
        (Some(igsid), Some(id)) if choice.rule.per_person != PerPerson::Always => {
            automation_uses::used_now(&state.pg, instance.tenant(), id, &igsid).await?
        }
        _ => false,
    };
    let held_back = if instance.status != InstanceStatus::Connected {
        Some(ReplyReason::NotConnected)
    } else if instance.automations_paused {
        Some(ReplyReason::Paused)
    } else if daily_caps::used_today(&state.pg, instance.tenant()).await? >= i64::from(cap) {
        Some(ReplyReason::DailyCap)
    } else if used {
        Some(ReplyReason::OncePerPerson)
    } else {
        None
    };
    Ok(TrialOutcome {
        automation: name_of(&choice.rule.id),
        keyword: choice.keyword.map(|k| k.as_str().to_owned()),
        public_reply: part(ResponseType::Comment),
        direct_reply: part(ResponseType::Direct),
        held_back,
        missed: None,
    })
}
