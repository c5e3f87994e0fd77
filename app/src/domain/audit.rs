//! Audit log entries as the admin page shows them.
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: chrono::DateTime<chrono::Utc>,
    /// `None` for the system (the token refresh job).
    pub actor_email: Option<String>,
    /// `instance.connected`, `instance.connection_failed`, `instance.disconnected`,
    /// `instance.deleted`, `instance.renamed`, `instance.daily_cap_set`,
    /// `instance.ice_breakers_set`, `token.refreshed`, `token.refresh_failed`,
    /// `automation.created`, `.updated`, `.activated`, `.deactivated`, `.deleted`; with `admin.`
    /// in front when an admin acted.
    pub action: String,
    pub target_id: String,
    pub target_name: Option<String>,
    pub details: Option<String>,
}
