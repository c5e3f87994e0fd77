//! What the server pushes to open pages over the WebSocket (`/ws`).
use super::id::InstanceId;
use super::{
    instance::{ConnectionFailure, InstanceStatus},
    report::ReplyStatus,
};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveEvent {
    /// An instance changed status: connected, refreshed into `error`, disconnected, ...
    InstanceStatus { instance_id: InstanceId, status: InstanceStatus, reason: Option<ConnectionFailure> },
    /// Reports of an instance were recorded or changed: how many reached each status (all zero
    /// when only their details changed, a username found). One event covers a whole batch, so
    /// a busy account does not flood the page.
    Interactions { instance_id: InstanceId, counts: StatusCounts },
    /// The person has a new notification: the bell counts again.
    Notified,
}

/// Reports by the status they reached.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    pub pending: u32,
    pub sent: u32,
    pub failed: u32,
    pub skipped: u32,
}

impl StatusCounts {
    /// Counts one report reaching `status`.
    pub fn add(&mut self, status: ReplyStatus) {
        let slot = match status {
            ReplyStatus::Pending => &mut self.pending,
            ReplyStatus::Sent => &mut self.sent,
            ReplyStatus::Failed => &mut self.failed,
            ReplyStatus::Skipped => &mut self.skipped,
        };
        *slot = slot.saturating_add(1);
    }
}
