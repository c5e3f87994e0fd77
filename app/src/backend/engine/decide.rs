//! What an inbound event gets: the matcher's choice, or why it gets nothing.
use crate::{
    backend::store::{
        mongo::instances::InstanceDoc,
        pg::reports::{status, NewReport},
    },
    domain::{
        automation::{choose, render_reply, AutomationKind, EventFacts, ResponseType, Rule},
        instance::InstanceStatus,
    },
};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A report's decision, before the daily cap has its say.
pub(super) struct Decision {
    pub status: &'static str,
    pub reason: Option<&'static str>,
    pub automation_id: Option<Uuid>,
    pub response_text: Option<String>,
    pub response_type: Option<ResponseType>,
}

impl Decision {
    fn skipped(reason: &'static str) -> Self {
        Self {
            status: status::SKIPPED,
            reason: Some(reason),
            automation_id: None,
            response_text: None,
            response_type: None,
        }
    }
}

/// Decides the reply to an event of `doc`. `{username}` stays in the text when the username is
/// not known yet: the outbox fills it in before sending.
pub(super) fn decide(
    doc: &InstanceDoc,
    rules: &[Rule],
    kind: AutomationKind,
    text: &str,
    at: DateTime<Utc>,
    media_id: Option<&str>,
    username: Option<&str>,
) -> Decision {
    if doc.status != InstanceStatus::Connected {
        return Decision::skipped("instance_not_connected");
    }
    let facts = EventFacts { kind, text, at_ms: at.timestamp_millis(), media_id };
    let Some(choice) = choose(rules, &facts) else { return Decision::skipped("no_match") };
    let template = &choice.rule.response_text;
    Decision {
        status: status::PENDING,
        reason: None,
        automation_id: Uuid::parse_str(&choice.rule.id).ok(),
        response_text: Some(match username {
            Some(name) => render_reply(template, Some(name)),
            None => template.clone(),
        }),
        response_type: Some(match kind {
            AutomationKind::Dm => ResponseType::Direct,
            AutomationKind::Comment => choice.rule.response_type,
        }),
    }
}

/// The instance already sent (or has under way) all its replies for today.
pub(super) fn over_cap(report: &mut NewReport<'_>) {
    report.status = status::SKIPPED;
    report.error = Some("daily_cap");
}
