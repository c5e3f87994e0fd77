//! Storage: PostgreSQL for interactions and sessions, MongoDB for instances and users.
pub mod access;
pub mod mongo;
pub mod pg;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("{0} is already taken")]
    Taken(&'static str),
    #[error("postgres: {0}")]
    Postgres(#[from] sqlx::Error),
    #[error("mongodb: {0}")]
    Mongo(#[from] mongodb::error::Error),
    #[error("stored document is malformed: {0}")]
    Malformed(String),
}

impl StoreError {
    /// True when the same work may succeed if tried again later (the database was unreachable,
    /// overloaded, restarting, or picked this transaction as a deadlock victim), false when it
    /// failed on the data itself and would fail again.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Postgres(sqlx::Error::Database(error)) => {
                let code = error.code().unwrap_or_default();
                // SQLSTATE classes: 08 connection, 40 rollback (serialization, deadlock),
                // 53 insufficient resources, 57 operator intervention, 58 system error; 55P03 lock.
                ["08", "40", "53", "57", "58"].iter().any(|class| code.starts_with(class)) || code == "55P03"
            }
            Self::Postgres(
                sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::Protocol(_)
                | sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::WorkerCrashed,
            )
            | Self::Mongo(_) => true,
            Self::Postgres(_) => false,
            Self::NotFound | Self::Taken(_) | Self::Malformed(_) => false,
        }
    }
}
