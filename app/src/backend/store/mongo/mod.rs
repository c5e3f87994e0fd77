//! MongoDB: instances (beside Clerky's WhatsApp instances) and users.
pub mod instances;
pub mod users;

use mongodb::{options::ClientOptions, Client, Database};

/// The database named in the URI's path, or `insta_clerky`.
pub async fn connect(uri: &str) -> Result<Database, mongodb::error::Error> {
    let mut options = ClientOptions::parse(uri).await?;
    options.app_name = Some("insta-clerky".into());
    options.server_selection_timeout = Some(std::time::Duration::from_secs(5));
    let name = options.default_database.clone().unwrap_or_else(|| "insta_clerky".into());
    Ok(Client::with_options(options)?.database(&name))
}

pub async fn ensure_indexes(db: &Database) -> Result<(), mongodb::error::Error> {
    users::ensure_indexes(db).await?;
    instances::ensure_indexes(db).await
}

pub async fn ping(db: &Database) -> Result<(), mongodb::error::Error> {
    db.run_command(mongodb::bson::doc! { "ping": 1 }).await.map(|_| ())
}

/// MongoDB's duplicate key error, raised by a unique index.
pub(crate) fn is_duplicate_key(error: &mongodb::error::Error) -> bool {
    use mongodb::error::{ErrorKind, WriteFailure};
    matches!(&*error.kind, ErrorKind::Write(WriteFailure::WriteError(e)) if e.code == 11000)
}

pub(crate) fn to_chrono(at: mongodb::bson::DateTime) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(at.timestamp_millis()).unwrap_or_default()
}

pub(crate) fn from_chrono(at: chrono::DateTime<chrono::Utc>) -> mongodb::bson::DateTime {
    mongodb::bson::DateTime::from_millis(at.timestamp_millis())
}
