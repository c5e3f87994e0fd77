//! Instagram instances as the cards show them.
use serde::{Deserialize, Serialize};

/// The PRD's instance status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InstanceStatus {
    Created,
    Connecting,
    Connected,
    Disconnected,
    Error,
}

/// One instance card. Tokens never leave the server, so they are not here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceCard {
    pub id: String,
    pub instance_name: String,
    pub name: String,
    pub username: Option<String>,
    pub status: InstanceStatus,
    pub token_expires_at: Option<chrono::DateTime<chrono::Utc>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}
