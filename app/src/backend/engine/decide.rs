//! What an inbound event gets: the parts of the matcher's answer, or why it gets nothing.
use crate::{
    backend::store::mongo::instances::InstanceDoc,
    domain::{
        automation::{
            choose, follow_up_payload, follow_up_target, render_reply, AutomationKind, Button, ButtonAction,
            EventFacts, PerPerson, ResponseType, Rule,
        },
        instance::InstanceStatus,
        report::ReplyReason,
    },
};
use serde_json::{json, Value};
use uuid::Uuid;

/// One message of an answer.
pub(super) struct Part {
    pub response_type: ResponseType,
    /// `{username}` stays in when the username is not known yet: the outbox fills it in.
    pub text: String,
    /// What goes under a DM, in the Send API's shapes: `{"buttons": [...], "quick_replies": [...]}`.
    pub extras: Option<Value>,
}

/// An event's decision, before the daily cap and the limits per person have their say.
pub(super) enum Decision {
    Skipped(ReplyReason),
    Answer { automation_id: Uuid, per_person: PerPerson, parts: Vec<Part> },
}

/// Decides the answer to an event of `doc`. A tap on one of our buttons or quick replies
/// (`tap_payload`) runs the automation it points to, whatever the text.
pub(super) fn decide(
    doc: &InstanceDoc,
    rules: &[Rule],
    facts: &EventFacts<'_>,
    event_id: &str,
    tap_payload: Option<&str>,
    username: Option<&str>,
) -> Decision {
    if doc.status != InstanceStatus::Connected {
        return Decision::Skipped(ReplyReason::NotConnected);
    }
    if doc.automations_paused {
        return Decision::Skipped(ReplyReason::Paused);
    }
    let rule = match tap_payload.and_then(follow_up_target) {
        Some(target) => match rules.iter().find(|r| r.id == target && r.is_active && r.kind == AutomationKind::Dm) {
            Some(rule) => rule,
            None => return Decision::Skipped(ReplyReason::FollowUpUnavailable),
        },
        None => match choose(rules, facts) {
            Some(choice) => choice.rule,
            None => return Decision::Skipped(ReplyReason::NoMatch),
        },
    };
    let Some(automation_id) = rule.id.uuid() else { return Decision::Skipped(ReplyReason::NoMatch) };
    let parts: Vec<Part> = rule
        .answer(event_id)
        .into_iter()
        .map(|(response_type, template)| Part {
            response_type,
            text: match username {
                Some(name) => render_reply(&template, Some(name)),
                None => template.into_owned(),
            },
            extras: (response_type == ResponseType::Direct).then(|| extras(rule)).flatten(),
        })
        .collect();
    if parts.is_empty() {
        return Decision::Skipped(ReplyReason::NoMatch);
    }
    Decision::Answer { automation_id, per_person: rule.per_person, parts }
}

/// What the automation's DM holds beyond a text, as the Send API takes it: its buttons, quick
/// replies, cards (`elements`) or file (`attachment`); `None` for a plain text.
fn extras(rule: &Rule) -> Option<Value> {
    if rule.buttons.is_empty() && rule.quick_replies.is_empty() && rule.cards.is_empty() && rule.attachment.is_none() {
        return None;
    }
    let quick_replies: Vec<Value> = rule
        .quick_replies
        .iter()
        .map(|q| json!({ "content_type": "text", "title": q.title, "payload": follow_up_payload(&q.automation_id) }))
        .collect();
    let mut extras = json!({ "buttons": button_values(&rule.buttons), "quick_replies": quick_replies });
    if !rule.cards.is_empty() {
        let elements: Vec<Value> = rule
            .cards
            .iter()
            .map(|card| {
                let mut element = json!({ "title": card.title });
                if let Some(subtitle) = &card.subtitle {
                    element["subtitle"] = json!(subtitle);
                }
                if let Some(image) = &card.image_url {
                    element["image_url"] = json!(image);
                }
                if !card.buttons.is_empty() {
                    element["buttons"] = json!(button_values(&card.buttons));
                }
                element
            })
            .collect();
        extras["elements"] = json!(elements);
    }
    if let Some(file) = &rule.attachment {
        extras["attachment"] = json!({ "type": file.kind.as_str(), "payload": { "url": file.url } });
    }
    Some(extras)
}

/// Buttons as the Send API takes them.
pub(crate) fn button_values(buttons: &[Button]) -> Vec<Value> {
    buttons
        .iter()
        .map(|b| match &b.action {
            ButtonAction::Link { url } => json!({ "type": "web_url", "title": b.title, "url": url }),
            ButtonAction::FollowUp { automation_id } => {
                json!({ "type": "postback", "title": b.title, "payload": follow_up_payload(automation_id) })
            }
        })
        .collect()
}

/// The decision without its public reply (a live video's comment takes none).
pub(super) fn without_public_reply(decision: Decision) -> Decision {
    match decision {
        Decision::Answer { automation_id, per_person, parts } => {
            let parts: Vec<Part> = parts.into_iter().filter(|p| p.response_type != ResponseType::Comment).collect();
            if parts.is_empty() {
                Decision::Skipped(ReplyReason::LiveNoPublicReply)
            } else {
                Decision::Answer { automation_id, per_person, parts }
            }
        }
        skipped => skipped,
    }
}
