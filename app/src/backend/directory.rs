//! What the webhook path reads on every event but rarely changes (instances by account, name and
//! id; each instance's automations), cached in memory so an event costs no MongoDB round trip.
//! Every change forgets the affected entries here and, through PostgreSQL NOTIFY, in the other
//! server processes; a short lifetime bounds staleness should a notification be missed.
use super::store::{
    mongo::instances::{self, InstanceDoc},
    pg::automations,
    StoreError,
};
use crate::domain::automation::Rule;
use mongodb::bson::oid::ObjectId;
use sqlx::PgPool;
use std::{
    collections::HashMap,
    hash::Hash,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// The channel other processes listen on; payload `instances` or `rules:<instance id>`.
pub const CHANNEL: &str = "ic_directory";
const LIFETIME: Duration = Duration::from_secs(30);
/// `lastEventAt` is written at most this often per instance.
const TOUCH_EVERY: Duration = Duration::from_secs(60);

struct Ttl<K, V> {
    entries: Mutex<HashMap<K, (Instant, V)>>,
}

impl<K: Eq + Hash, V: Clone> Ttl<K, V> {
    fn new() -> Self {
        Self { entries: Mutex::new(HashMap::new()) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, (Instant, V)>> {
        // A panic while holding this lock left a map of plain values: still usable.
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn get(&self, key: &K) -> Option<V> {
        self.lock().get(key).filter(|(at, _)| at.elapsed() < LIFETIME).map(|(_, v)| v.clone())
    }

    fn put(&self, key: K, value: V) {
        self.lock().insert(key, (Instant::now(), value));
    }

    fn remove(&self, key: &K) {
        self.lock().remove(key);
    }

    fn clear(&self) {
        self.lock().clear();
    }
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum InstanceKey {
    Id(ObjectId),
    Name(String),
    Account(String),
}

pub struct Directory {
    instances: Ttl<InstanceKey, Option<Arc<InstanceDoc>>>,
    rules: Ttl<String, Arc<Vec<Rule>>>,
    touched: Mutex<HashMap<ObjectId, Instant>>,
}

impl Default for Directory {
    fn default() -> Self {
        Self { instances: Ttl::new(), rules: Ttl::new(), touched: Mutex::new(HashMap::new()) }
    }
}

impl Directory {
    async fn instance_by(
        &self,
        db: &mongodb::Database,
        key: InstanceKey,
    ) -> Result<Option<Arc<InstanceDoc>>, StoreError> {
        if let Some(hit) = self.instances.get(&key) {
            return Ok(hit);
        }
        let found = match &key {
            InstanceKey::Id(id) => instances::find_by_id(db, &id.to_hex()).await.map(Some).or_else(not_found)?,
            InstanceKey::Name(name) => instances::find_by_name(db, name).await?,
            InstanceKey::Account(ig_id) => instances::find_by_ig_id(db, ig_id).await?,
        };
        let found = found.map(Arc::new);
        self.instances.put(key, found.clone());
        Ok(found)
    }

    /// The instance connected to an Instagram account (webhook `entry.id`).
    pub async fn instance_by_account(
        &self,
        db: &mongodb::Database,
        ig_id: &str,
    ) -> Result<Option<Arc<InstanceDoc>>, StoreError> {
        self.instance_by(db, InstanceKey::Account(ig_id.to_owned())).await
    }

    /// The instance whose `instanceName` a per-instance webhook URL carries.
    pub async fn instance_by_name(
        &self,
        db: &mongodb::Database,
        name: &str,
    ) -> Result<Option<Arc<InstanceDoc>>, StoreError> {
        self.instance_by(db, InstanceKey::Name(name.to_owned())).await
    }

    pub async fn instance(&self, db: &mongodb::Database, id: ObjectId) -> Result<Option<Arc<InstanceDoc>>, StoreError> {
        self.instance_by(db, InstanceKey::Id(id)).await
    }

    /// The instance's automations.
    pub async fn rules(&self, pg: &PgPool, instance_id: &str) -> Result<Arc<Vec<Rule>>, StoreError> {
        if let Some(hit) = self.rules.get(&instance_id.to_owned()) {
            return Ok(hit);
        }
        let rules = Arc::new(automations::rules_for(pg, instance_id).await?);
        self.rules.put(instance_id.to_owned(), rules.clone());
        Ok(rules)
    }

    /// Applies a change notice from this or another process.
    pub fn forget(&self, notice: &str) {
        match notice.strip_prefix("rules:") {
            Some(instance_id) => self.rules.remove(&instance_id.to_owned()),
            None => self.instances.clear(),
        }
    }

    /// Records that an instance received an event, writing `lastEventAt` at most once a minute.
    pub async fn touch(&self, db: &mongodb::Database, id: ObjectId) -> Result<(), StoreError> {
        {
            let mut touched = self.touched.lock().unwrap_or_else(|p| p.into_inner());
            if touched.get(&id).is_some_and(|at| at.elapsed() < TOUCH_EVERY) {
                return Ok(());
            }
            touched.insert(id, Instant::now());
        }
        instances::set_last_event(db, id).await
    }
}

fn not_found(error: StoreError) -> Result<Option<InstanceDoc>, StoreError> {
    match error {
        StoreError::NotFound => Ok(None),
        other => Err(other),
    }
}

/// Forgets the cached entries named by `notice` here and tells the other processes.
pub async fn changed(state: &super::AppState, notice: &str) {
    state.directory.forget(notice);
    if let Err(error) = sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(notice).execute(&state.pg).await {
        tracing::warn!("cannot tell other processes about a change ({notice}): {error}");
    }
}

/// The instance's automations changed: the next event sees the new ones, in every process.
pub async fn rules_changed(state: &super::AppState, instance_id: &str) {
    changed(state, &format!("rules:{instance_id}")).await;
}
