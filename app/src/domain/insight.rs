//! An instance's account figures per day, as the insights page charts them.
use super::id::InstanceId;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsightDay {
    pub day: NaiveDate,
    pub followers: i64,
    /// Accounts that saw the content that day.
    pub reach: Option<i64>,
    pub views: Option<i64>,
    /// `None` while Meta does not serve it.
    pub profile_views: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsightsView {
    pub instance_id: InstanceId,
    pub instance_name: String,
    /// Oldest first, the last 30 days that were synced.
    pub days: Vec<InsightDay>,
    pub synced_at: Option<DateTime<Utc>>,
    /// Until then a manual refresh is refused (Meta's quota is per account and hour).
    pub refresh_after: Option<DateTime<Utc>>,
}
