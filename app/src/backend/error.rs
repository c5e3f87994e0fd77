//! The one error the backend's services return, and the one place it becomes what callers see:
//! a cause is logged once, here, in the request's span (so with its request id), and only a
//! reference or a kind leaves the server.
use super::store::StoreError;
use crate::domain::error::{AppError, FieldCode};

/// What a service returns: a refusal the caller may see as it is, or a failure whose cause stays
/// on the server.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Refused for a reason the caller may know: a field, not found, forbidden, too many.
    #[error("refused: {0}")]
    Refused(#[from] AppError),
    /// A database failed: an outage when it is transient (503), a bug otherwise.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A broken invariant: a token that no key opens, a password hasher that failed.
    #[error("{0}")]
    Internal(String),
}

impl Error {
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }

    pub fn invalid(field: &str, code: FieldCode) -> Self {
        Self::Refused(AppError::invalid(field, code))
    }
}

impl From<sqlx::Error> for Error {
    fn from(error: sqlx::Error) -> Self {
        Self::Store(error.into())
    }
}

impl From<mongodb::error::Error> for Error {
    fn from(error: mongodb::error::Error) -> Self {
        Self::Store(error.into())
    }
}

impl From<Error> for AppError {
    fn from(error: Error) -> Self {
        match error {
            Error::Refused(refusal) => refusal,
            Error::Store(StoreError::NotFound) => Self::NotFound,
            Error::Store(StoreError::Taken(field)) => Self::invalid(field, FieldCode::Taken),
            // A database that is down or restarting is the service's outage (503), not the
            // caller's fault and not a bug: the caller may try again shortly.
            Error::Store(transient) if transient.is_transient() => {
                tracing::warn!(error.cause = %transient, "a database is unavailable: {transient}");
                Self::Unavailable
            }
            Error::Store(other) => Self::internal(other),
            Error::Internal(cause) => Self::internal(cause),
        }
    }
}

/// A store's failure met outside a service (a server function reading a list itself) takes the
/// same way.
impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        Error::Store(error).into()
    }
}

impl AppError {
    /// Logs `cause` once with a short reference and returns an error carrying only that reference.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        let reference = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
        tracing::error!(error.reference = %reference, error.cause = %cause, "internal error {reference}: {cause}");
        Self::Internal(reference)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failure_reaches_the_caller_as_its_kind() {
        let unavailable = StoreError::Postgres(sqlx::Error::PoolTimedOut);
        assert_eq!(AppError::from(Error::Store(unavailable)), AppError::Unavailable);
        assert_eq!(AppError::from(Error::Store(StoreError::NotFound)), AppError::NotFound);
        assert_eq!(
            AppError::from(Error::Store(StoreError::Taken("email"))),
            AppError::invalid("email", FieldCode::Taken)
        );
        let refused = Error::invalid("name", FieldCode::Required);
        assert_eq!(AppError::from(refused), AppError::invalid("name", FieldCode::Required));
        // A bug's cause stays on the server: the caller gets a reference only.
        let AppError::Internal(reference) = AppError::from(Error::internal("secret detail")) else {
            panic!("internal")
        };
        assert_eq!(reference.len(), 12);
        let malformed = AppError::from(Error::Store(StoreError::Malformed("secret detail".into())));
        assert!(matches!(malformed, AppError::Internal(r) if !r.contains("secret")));
    }
}
