//! Backups of both stores, and their restore into empty databases.
//!
//! A backup is a directory `insta-clerky-<UTC time>` holding `postgres.dump` (`pg_dump`'s custom
//! format: schema, migrations table and every row), `mongodb.jsonl` (every document of every
//! collection of the app's database, one canonical Extended JSON line each, so ids and dates
//! round-trip exactly) and `manifest.json` (when, and how many rows and documents of each table
//! and collection). It is written under a `.partial` name and renamed when complete, so a backup
//! that was cut short never looks like one. `server backup`, `server restore` and the scheduled
//! job (`BACKUP_DIR`, every `BACKUP_EVERY_HOURS`, keeping the newest `BACKUP_KEEP`) use it.
use app::backend::{config::Config, store, AppState};
use futures_util::TryStreamExt;
use mongodb::bson::{Bson, Document};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, BufWriter};

const PREFIX: &str = "insta-clerky-";

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] sqlx::Error),
    #[error("MongoDB: {0}")]
    Mongo(#[from] mongodb::error::Error),
    #[error("{0}")]
    Tool(String),
    #[error("{0}")]
    Refused(String),
}

/// What a backup holds, to check a restore against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub created_at: String,
    pub postgres_rows: BTreeMap<String, i64>,
    pub mongodb_documents: BTreeMap<String, u64>,
}

/// Writes a backup of both stores under `into`; returns its directory.
pub async fn create(state: &AppState, into: &Path) -> Result<PathBuf, BackupError> {
    let name = format!("{PREFIX}{}", chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ"));
    let done = into.join(&name);
    let partial = into.join(format!("{name}.partial"));
    tokio::fs::create_dir_all(&partial).await?;
    let dump = partial.join("postgres.dump");
    run_tool(
        tokio::process::Command::new("pg_dump")
            .arg("--format=custom")
            .arg("--no-owner")
            .arg(format!("--file={}", dump.display()))
            .arg(format!("--dbname={}", state.config.database_url.expose_secret())),
    )
    .await?;
    let mongodb_documents = dump_mongo(&state.mongo, &partial.join("mongodb.jsonl")).await?;
    let manifest = Manifest {
        created_at: chrono::Utc::now().to_rfc3339(),
        postgres_rows: row_counts(&state.pg).await?,
        mongodb_documents,
    };
    let json = serde_json::to_vec_pretty(&manifest).map_err(|e| BackupError::Tool(e.to_string()))?;
    tokio::fs::write(partial.join("manifest.json"), json).await?;
    tokio::fs::rename(&partial, &done).await?;
    Ok(done)
}

/// Restores a backup into the empty databases `config` names, then checks every count.
pub async fn restore(config: &Config, from: &Path) -> Result<Manifest, BackupError> {
    let manifest: Manifest = serde_json::from_slice(&tokio::fs::read(from.join("manifest.json")).await?)
        .map_err(|e| BackupError::Refused(format!("{} is not a backup: {e}", from.display())))?;
    let pg = sqlx::PgPool::connect(config.database_url.expose_secret()).await?;
    let mongo = store::mongo::connect(config.mongodb_uri.expose_secret()).await?;
    if !row_counts(&pg).await?.is_empty() || !mongo.list_collection_names().await?.is_empty() {
        return Err(BackupError::Refused("restore goes into empty databases: these hold data".into()));
    }
    run_tool(
        tokio::process::Command::new("pg_restore")
            .arg("--no-owner")
            .arg("--exit-on-error")
            .arg(format!("--dbname={}", config.database_url.expose_secret()))
            .arg(from.join("postgres.dump")),
    )
    .await?;
    load_mongo(&mongo, &from.join("mongodb.jsonl"), &manifest).await?;
    store::mongo::ensure_indexes(&mongo).await?;
    let restored = Manifest {
        created_at: manifest.created_at.clone(),
        postgres_rows: row_counts(&pg).await?,
        mongodb_documents: document_counts(&mongo).await?,
    };
    pg.close().await;
    if restored != manifest {
        return Err(BackupError::Refused(format!("the restore does not match the backup: {restored:?}")));
    }
    Ok(manifest)
}

/// Deletes all but the newest `keep` complete backups in `dir` (and any cut short).
pub async fn prune(dir: &Path, keep: usize) -> Result<Vec<PathBuf>, BackupError> {
    let mut backups = Vec::new();
    let mut removed = Vec::new();
    let mut entries = tokio::fs::read_dir(dir).await?;
    while let Some(entry) = entries.next_entry().await? {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with(PREFIX) {
            continue;
        }
        if name.ends_with(".partial") {
            removed.push(entry.path());
        } else {
            backups.push((name, entry.path()));
        }
    }
    // The names hold their UTC time, so they sort by age.
    backups.sort();
    let surplus = backups.len().saturating_sub(keep.max(1));
    removed.extend(backups.into_iter().take(surplus).map(|(_, path)| path));
    for path in &removed {
        tokio::fs::remove_dir_all(path).await?;
    }
    Ok(removed)
}

async fn run_tool(command: &mut tokio::process::Command) -> Result<(), BackupError> {
    let output =
        command.kill_on_drop(true).output().await.map_err(|e| BackupError::Tool(format!("cannot run: {e}")))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(BackupError::Tool(String::from_utf8_lossy(&output.stderr).trim().to_owned()))
    }
}

/// Rows per table of the public schema (migrations table included).
async fn row_counts(pg: &sqlx::PgPool) -> Result<BTreeMap<String, i64>, BackupError> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
    )
    .fetch_all(pg)
    .await?;
    let mut counts = BTreeMap::new();
    for table in tables {
        let count: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM \"{}\"", table.replace('"', "\"\"")))
            .fetch_one(pg)
            .await?;
        counts.insert(table, count);
    }
    Ok(counts)
}

async fn document_counts(db: &mongodb::Database) -> Result<BTreeMap<String, u64>, BackupError> {
    let mut counts = BTreeMap::new();
    for name in db.list_collection_names().await? {
        let count = db.collection::<Document>(&name).count_documents(mongodb::bson::doc! {}).await?;
        counts.insert(name, count);
    }
    Ok(counts)
}

#[derive(Serialize, Deserialize)]
struct Line {
    collection: String,
    document: serde_json::Value,
}

async fn dump_mongo(db: &mongodb::Database, path: &Path) -> Result<BTreeMap<String, u64>, BackupError> {
    let mut out = BufWriter::new(tokio::fs::File::create(path).await?);
    let mut counts = BTreeMap::new();
    for name in db.list_collection_names().await? {
        let mut documents = db.collection::<Document>(&name).find(mongodb::bson::doc! {}).await?;
        let mut count = 0;
        while let Some(document) = documents.try_next().await? {
            let line = Line { collection: name.clone(), document: Bson::Document(document).into_canonical_extjson() };
            let mut json = serde_json::to_vec(&line).map_err(|e| BackupError::Tool(e.to_string()))?;
            json.push(b'\n');
            out.write_all(&json).await?;
            count += 1;
        }
        counts.insert(name, count);
    }
    out.flush().await?;
    Ok(counts)
}

async fn load_mongo(db: &mongodb::Database, path: &Path, manifest: &Manifest) -> Result<(), BackupError> {
    let mut lines = BufReader::new(tokio::fs::File::open(path).await?).lines();
    let mut batches: BTreeMap<String, Vec<Document>> = BTreeMap::new();
    while let Some(text) = lines.next_line().await? {
        let line: Line =
            serde_json::from_str(&text).map_err(|e| BackupError::Refused(format!("mongodb.jsonl: {e}")))?;
        let Ok(Bson::Document(document)) = Bson::try_from(line.document) else {
            return Err(BackupError::Refused("mongodb.jsonl: a line is not a document".into()));
        };
        let batch = batches.entry(line.collection.clone()).or_default();
        batch.push(document);
        if batch.len() >= 1000 {
            db.collection::<Document>(&line.collection).insert_many(std::mem::take(batch)).await?;
        }
    }
    for (collection, batch) in batches.iter_mut().filter(|(_, batch)| !batch.is_empty()) {
        db.collection::<Document>(collection).insert_many(std::mem::take(batch)).await?;
    }
    // Collections that were empty exist again too.
    for collection in manifest.mongodb_documents.keys().filter(|c| !batches.contains_key(*c)) {
        db.create_collection(collection).await.or_else(|e| if already_exists(&e) { Ok(()) } else { Err(e) })?;
    }
    Ok(())
}

fn already_exists(error: &mongodb::error::Error) -> bool {
    matches!(&*error.kind, mongodb::error::ErrorKind::Command(e) if e.code == 48)
}

/// The scheduled backup: one more, then the oldest beyond `BACKUP_KEEP` go.
pub async fn scheduled(state: AppState) -> Result<(), String> {
    let Some(dir) = state.config.backup_dir.clone() else { return Ok(()) };
    let made = create(&state, &dir).await.map_err(|e| format!("backup failed: {e}"))?;
    let removed = prune(&dir, state.config.backup_keep).await.map_err(|e| format!("backup pruning failed: {e}"))?;
    tracing::info!(backup = %made.display(), removed = removed.len(), "backup written to {}", made.display());
    Ok(())
}
