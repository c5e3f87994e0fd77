//! Leads sent to Clerky's CRM (seed 05): an instance's outbound webhook and its delivery log.
use super::id::{InstanceId, LeadDeliveryId, PersonId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What the log says of one event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LeadStatus {
    /// Not delivered yet: waiting for its turn or its next attempt.
    Pending,
    Delivered,
    /// Refused for 24 hours: given up until replayed.
    Failed,
}

impl LeadStatus {
    pub fn parse(raw: &str) -> Self {
        match raw {
            "delivered" => Self::Delivered,
            "failed" => Self::Failed,
            _ => Self::Pending,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadDelivery {
    pub id: LeadDeliveryId,
    /// `lead.created` or `lead.updated`.
    pub kind: String,
    pub person_id: PersonId,
    pub username: Option<String>,
    /// `dm` or `comment`.
    pub channel: String,
    pub text: Option<String>,
    pub status: LeadStatus,
    pub attempts: i32,
    /// The receiver's HTTP status at the last attempt, if it answered.
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// The leads page of one instance.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadsView {
    pub instance_id: InstanceId,
    pub instance_name: String,
    /// The receiver, when one is set.
    pub url: Option<String>,
    /// The signing secret, for the CRM's side (the owner's own page only).
    pub secret: Option<String>,
    /// Newest first, the latest 50.
    pub deliveries: Vec<LeadDelivery>,
    /// Under `make run`: a receiver in the sandbox that lists what arrived.
    pub demo_receiver: Option<String>,
}
