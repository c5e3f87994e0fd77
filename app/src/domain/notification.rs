//! What the app tells a user about their instances, under the bell and by e-mail.
use super::id::{InstanceId, NotificationId};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// An instance connected for the first time: its automations answer from now on.
    FirstConnection,
    /// An instance's token expires in under a week.
    TokenExpiring,
    /// Meta refused an instance's token: it answers nothing until reconnected.
    ConnectionLost,
    /// An instance sent today's allowed replies; the rest wait for tomorrow.
    DailyCapReached,
    /// An automation's replies failed again and again today.
    AutomationFailing,
}

impl NotificationKind {
    pub const ALL: [Self; 5] = [
        Self::FirstConnection,
        Self::TokenExpiring,
        Self::ConnectionLost,
        Self::DailyCapReached,
        Self::AutomationFailing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::FirstConnection => "first_connection",
            Self::TokenExpiring => "token_expiring",
            Self::ConnectionLost => "connection_lost",
            Self::DailyCapReached => "daily_cap_reached",
            Self::AutomationFailing => "automation_failing",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// One notification, as the bell's list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: NotificationId,
    pub kind: NotificationKind,
    pub instance_id: Option<InstanceId>,
    pub instance_name: String,
    /// Days left (token expiring), the automation's name (automation failing).
    pub detail: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub read: bool,
}

impl Notification {
    /// Where to act on it: the reports of the failing replies, or the instance cards.
    pub fn link(&self) -> String {
        match (self.kind, &self.instance_id) {
            (NotificationKind::AutomationFailing, Some(id)) => format!("/reports?instance={id}&status=failed"),
            (NotificationKind::DailyCapReached, Some(id)) => format!("/reports?instance={id}"),
            _ => "/instances".to_owned(),
        }
    }
}

/// The bell's page: the newest notifications, how many are unread, and the e-mail preferences.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notifications {
    pub unread: u32,
    pub items: Vec<Notification>,
    /// Kinds the user does not want by e-mail.
    pub email_off: Vec<NotificationKind>,
    /// False when the server sends no e-mail at all (no SMTP server configured).
    pub email_available: bool,
}
