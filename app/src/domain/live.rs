//! What the server pushes to open pages over the WebSocket (`/ws`).
use super::{automation::AutomationKind, instance::InstanceStatus};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveEvent {
    /// An instance changed status: connected, refreshed into `error`, disconnected, ...
    InstanceStatus { instance_id: String, status: InstanceStatus, reason: Option<String> },
    /// An interaction was recorded or its reply changed status.
    Interaction { instance_id: String, report_id: String, kind: AutomationKind, status: String },
}

impl LiveEvent {
    pub fn instance_id(&self) -> &str {
        match self {
            Self::InstanceStatus { instance_id, .. } | Self::Interaction { instance_id, .. } => instance_id,
        }
    }
}
