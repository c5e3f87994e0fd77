//! What the engine could not process, as the admin page lists it.
use super::id::{DeadLetterId, InstanceId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

named_enum! {
    /// What a dead letter holds.
    pub enum DeadLetterKind {
        /// One event of a delivery (refused, or failing on its own).
        Event => "event",
        /// A whole delivery whose processing kept failing.
        Delivery => "delivery",
        /// A reply whose retries ran out.
        Reply => "reply",
    }
}

named_enum! {
    /// Why the engine gave up on it, stored by name and translated by
    /// [`crate::i18n::dead_letter_labels`].
    pub enum DeadLetterReason {
        /// An id longer than any Meta issues.
        IdTooLong => "id_too_long",
        /// An id with control characters.
        IdInvalid => "id_invalid",
        TextTooLong => "text_too_long",
        UsernameTooLong => "username_too_long",
        /// An entry whose account cannot be known: none of its events can be placed.
        NoAccountId => "no_account_id",
        /// The event could not be written (the database refused it).
        StorageError => "storage_error",
        /// A delivery whose runs kept failing or crashing.
        ProcessingFailed => "processing_failed",
        /// A body that is JSON but not an Instagram webhook.
        NotAWebhookPayload => "not_a_webhook_payload",
        /// A reply whose sending attempts ran out.
        RetriesRanOut => "retries_ran_out",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetterView {
    pub id: DeadLetterId,
    pub kind: DeadLetterKind,
    /// What it was: the field and id of the event, the delivery's size, the reply's event.
    pub summary: String,
    pub reason: DeadLetterReason,
    /// The underlying error, as recorded.
    pub detail: Option<String>,
    pub instance_id: Option<InstanceId>,
    pub account_id: Option<String>,
    /// The instance it concerns, as people know it (`Loja Centro (@loja.exemplo)`), when known.
    pub instance: Option<String>,
    pub retryable: bool,
    pub attempts: i32,
    pub first_failed_at: DateTime<Utc>,
    pub last_failed_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
}
