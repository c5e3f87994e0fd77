//! What the engine could not process, as the admin page lists it.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetterView {
    pub id: String,
    /// `event` (one event of a delivery), `delivery` (a whole delivery) or `reply`.
    pub kind: String,
    /// What it was: the field and id of the event, the delivery's size, the reply's event.
    pub summary: String,
    /// A stable code (`id_too_long`, `storage_error`, `retries_ran_out`, ...), translated by the page.
    pub reason: String,
    /// The underlying error, as recorded.
    pub detail: Option<String>,
    pub instance_id: Option<String>,
    pub account_id: Option<String>,
    /// The instance it concerns, as people know it (`Loja Centro (@loja.exemplo)`), when known.
    pub instance: Option<String>,
    pub retryable: bool,
    pub attempts: i32,
    pub first_failed_at: DateTime<Utc>,
    pub last_failed_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
}
