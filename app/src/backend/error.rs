//! Where the backend's failures become the errors callers see: a cause is logged once, here, in
//! the request's span (so with its request id), and only a reference or a kind leaves the server.
use super::store::StoreError;
use crate::domain::error::AppError;
use crate::domain::error::FieldCode;

impl AppError {
    /// Logs `cause` once with a short reference and returns an error carrying only that reference.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        let reference = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
        tracing::error!(error.reference = %reference, error.cause = %cause, "internal error {reference}: {cause}");
        Self::Internal(reference)
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => Self::NotFound,
            StoreError::Taken(field) => Self::invalid(field, FieldCode::Taken),
            // A database that is down or restarting is the service's outage (503), not the
            // caller's fault and not a bug: the caller may try again shortly.
            transient if transient.is_transient() => {
                tracing::warn!(error.cause = %transient, "a database is unavailable: {transient}");
                Self::Unavailable
            }
            other => Self::internal(other),
        }
    }
}
