//! Audit log entries as the admin page shows them.
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: chrono::DateTime<chrono::Utc>,
    /// `None` for the system (the token refresh job).
    pub actor_email: Option<String>,
    /// An [`AuditAction`]'s name, with `admin.` in front when an admin acted.
    pub action: String,
    pub target_id: String,
    pub target_name: Option<String>,
    pub details: Option<String>,
}

named_enum! {
    /// Everything the audit log records, by the name it is stored under.
    pub enum AuditAction {
        Connected => "instance.connected",
        ConnectionFailed => "instance.connection_failed",
        Disconnected => "instance.disconnected",
        Deleted => "instance.deleted",
        Renamed => "instance.renamed",
        DailyCapSet => "instance.daily_cap_set",
        IceBreakersSet => "instance.ice_breakers_set",
        Paused => "instance.paused",
        Resumed => "instance.resumed",
        TokenRefreshed => "token.refreshed",
        TokenRefreshFailed => "token.refresh_failed",
        AutomationCreated => "automation.created",
        AutomationUpdated => "automation.updated",
        AutomationActivated => "automation.activated",
        AutomationDeactivated => "automation.deactivated",
        AutomationDeleted => "automation.deleted",
        ApiKeyCreated => "api_key.created",
        ApiKeyRevoked => "api_key.revoked",
        DeadLetterRunAgain => "dead_letter.run_again",
        DeadLetterFailedAgain => "dead_letter.failed_again",
    }
}

impl AuditAction {
    /// The stored name: the action's, after `admin.` when an admin acted.
    pub fn stored(self, by_admin: bool) -> String {
        if by_admin {
            format!("admin.{}", self.as_str())
        } else {
            self.as_str().to_owned()
        }
    }

    /// A stored name read back: the action, and whether an admin did it.
    pub fn parse_stored(stored: &str) -> Option<(Self, bool)> {
        let (by_admin, name) = stored.strip_prefix("admin.").map_or((false, stored), |rest| (true, rest));
        Self::parse(name).map(|a| (a, by_admin))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reads_back_as_itself_by_anyone() {
        for &action in AuditAction::ALL {
            assert_eq!(AuditAction::parse_stored(&action.stored(false)), Some((action, false)));
            assert_eq!(AuditAction::parse_stored(&action.stored(true)), Some((action, true)));
        }
        assert_eq!(AuditAction::parse_stored("instance.exploded"), None);
    }
}
