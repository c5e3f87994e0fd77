//! The inbox: an instance's conversations, one per person, and each one's history both ways.
use super::id::{InstanceId, PersonId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Meta's messaging window: a person may be answered this long after their last message.
pub const WINDOW_HOURS: i64 = 24;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ConversationSummary {
    /// The person's IGSID.
    pub person_id: PersonId,
    pub username: Option<String>,
    pub last_at: DateTime<Utc>,
    pub last_text: Option<String>,
    /// The latest message is theirs (else the account's).
    pub last_from_person: bool,
    pub unread: u32,
    /// Their latest message is under 24 hours old: they can be answered.
    pub window_open: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inbox {
    pub instance_id: InstanceId,
    pub instance_name: String,
    pub conversations: Vec<ConversationSummary>,
}

/// One message of a conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ThreadMessage {
    pub id: String,
    /// They wrote it (else the account sent it).
    pub from_person: bool,
    pub text: Option<String>,
    pub at: DateTime<Utc>,
    /// Sent by an automation (an echo naming its report).
    pub automated: bool,
    /// Images, videos, files, shared posts: `(kind, url)`.
    pub attachments: Vec<(String, String)>,
    /// A reply to their story or a mention in it: the story's URL.
    pub story: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Thread {
    pub instance_id: InstanceId,
    pub person_id: PersonId,
    pub username: Option<String>,
    /// Oldest first, the latest 100.
    pub messages: Vec<ThreadMessage>,
    /// When the window to answer closes (none: they never wrote).
    pub window_closes_at: Option<DateTime<Utc>>,
    pub window_open: bool,
    /// Someone answered by hand: the automations leave this conversation alone until then.
    pub paused_until: Option<DateTime<Utc>>,
}
