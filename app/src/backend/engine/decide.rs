//! What an inbound event gets: the parts of the matcher's answer, or why it gets nothing.
use crate::{
    backend::store::mongo::instances::InstanceDoc,
    domain::{
        automation::{choose, render_reply, EventFacts, PerPerson, ResponseType, Rule},
        instance::InstanceStatus,
    },
};
use uuid::Uuid;

/// Why an event gets no reply.
pub(super) mod reason {
    pub const NOT_CONNECTED: &str = "instance_not_connected";
    pub const NO_MATCH: &str = "no_match";
    pub const DAILY_CAP: &str = "daily_cap";
    /// The automation already answered this person (once per person, or within its N hours).
    pub const PER_PERSON: &str = "once_per_person";
    /// The automation answered this person too often within the hour: another bot, most likely.
    pub const LOOP_GUARD: &str = "loop_guard";
    /// A live video's comment and an automation with only a public reply, which Meta refuses there.
    pub const LIVE_NO_PUBLIC_REPLY: &str = "live_no_public_reply";
}

/// One message of an answer.
pub(super) struct Part {
    pub response_type: ResponseType,
    /// `{username}` stays in when the username is not known yet: the outbox fills it in.
    pub text: String,
}

/// An event's decision, before the daily cap and the limits per person have their say.
pub(super) enum Decision {
    Skipped(&'static str),
    Answer { automation_id: Uuid, per_person: PerPerson, parts: Vec<Part> },
}

/// Decides the answer to an event of `doc`.
pub(super) fn decide(
    doc: &InstanceDoc,
    rules: &[Rule],
    facts: &EventFacts<'_>,
    event_id: &str,
    username: Option<&str>,
) -> Decision {
    if doc.status != InstanceStatus::Connected {
        return Decision::Skipped(reason::NOT_CONNECTED);
    }
    let Some(choice) = choose(rules, facts) else { return Decision::Skipped(reason::NO_MATCH) };
    let Ok(automation_id) = Uuid::parse_str(&choice.rule.id) else { return Decision::Skipped(reason::NO_MATCH) };
    let parts: Vec<Part> = choice
        .rule
        .answer(event_id)
        .into_iter()
        .map(|(response_type, template)| Part {
            response_type,
            text: match username {
                Some(name) => render_reply(template, Some(name)),
                None => template.to_owned(),
            },
        })
        .collect();
    if parts.is_empty() {
        return Decision::Skipped(reason::NO_MATCH);
    }
    Decision::Answer { automation_id, per_person: choice.rule.per_person, parts }
}

/// The decision without its public reply (a live video's comment takes none).
pub(super) fn without_public_reply(decision: Decision) -> Decision {
    match decision {
        Decision::Answer { automation_id, per_person, parts } => {
            let parts: Vec<Part> = parts.into_iter().filter(|p| p.response_type != ResponseType::Comment).collect();
            if parts.is_empty() {
                Decision::Skipped(reason::LIVE_NO_PUBLIC_REPLY)
            } else {
                Decision::Answer { automation_id, per_person, parts }
            }
        }
        skipped => skipped,
    }
}
