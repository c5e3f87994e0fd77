//! Storage: PostgreSQL for interactions and sessions, MongoDB for instances and users.
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
