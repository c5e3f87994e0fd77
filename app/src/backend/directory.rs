//! What the webhook path reads on every event but rarely changes (instances by account, name and
//! id; each instance's automations), cached in memory so an event costs no MongoDB round trip.
//! Every change forgets the affected entries here and, through PostgreSQL NOTIFY, in the other
//! server processes; a listener that lost its connection forgets everything. A lifetime bounds
//! staleness should a change come from elsewhere.
//!
//! It also gathers which instances received events, so `lastEventAt` is written for many
//! instances at once, and for each at most once a minute, instead of once per delivery.
use super::store::{
    mongo::instances::{self, InstanceDoc},
    pg::automations,
    StoreError,
};
use crate::backend::store::access::{Scope, System};
use crate::domain::automation::Rule;
use crate::domain::id::InstanceId;
use mongodb::bson::oid::ObjectId;
use sqlx::PgPool;
use std::{
    collections::{HashMap, HashSet},
    hash::Hash,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// The channel other processes listen on; payload `instances` or `rules:<instance id>`.
pub const CHANNEL: &str = "ic_directory";
const LIFETIME: Duration = Duration::from_secs(300);
/// `lastEventAt` is written at most this often per instance...
const TOUCH_EVERY: Duration = Duration::from_secs(60);
/// ...looking for instances due every so often.
const FLUSH_EVERY: Duration = Duration::from_secs(5);

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

struct Touched {
    pending: HashSet<ObjectId>,
    /// When each instance's `lastEventAt` was last written by this process.
    written: HashMap<ObjectId, Instant>,
    flushed: Option<Instant>,
}

pub struct Directory {
    instances: Ttl<InstanceKey, Option<Arc<InstanceDoc>>>,
    rules: Ttl<String, Arc<Vec<Rule>>>,
    touched: Mutex<Touched>,
}

impl Default for Directory {
    fn default() -> Self {
        Self {
            instances: Ttl::new(),
            rules: Ttl::new(),
            touched: Mutex::new(Touched { pending: HashSet::new(), written: HashMap::new(), flushed: None }),
        }
    }
}

pub type Instance = Option<Arc<InstanceDoc>>;

impl Directory {
    async fn instance_by(&self, db: &mongodb::Database, key: InstanceKey) -> Result<Instance, StoreError> {
        if let Some(hit) = self.instances.get(&key) {
            return Ok(hit);
        }
        let found = match &key {
            InstanceKey::Id(id) => instances::find(db, &Scope::system(&System::ACTING), &InstanceId::new(id.to_hex()))
                .await
                .map(Some)
                .or_else(not_found)?,
            InstanceKey::Name(name) => instances::find_by_name(db, &System::ACTING, name).await?,
            InstanceKey::Account(ig_id) => {
                instances::find_by_ig_ids(db, &System::ACTING, &[ig_id]).await?.into_iter().next()
            }
        };
        let found = found.map(Arc::new);
        self.instances.put(key, found.clone());
        Ok(found)
    }

    /// The instances connected to these Instagram accounts (webhook `entry.id`s); one MongoDB
    /// query for all those not cached.
    pub async fn instances_by_accounts(
        &self,
        db: &mongodb::Database,
        ig_ids: &[&str],
    ) -> Result<HashMap<String, Instance>, StoreError> {
        let mut found = HashMap::new();
        let mut missing = Vec::new();
        for ig_id in ig_ids {
            match self.instances.get(&InstanceKey::Account((*ig_id).to_owned())) {
                Some(hit) => {
                    found.insert((*ig_id).to_owned(), hit);
                }
                None => missing.push(*ig_id),
            }
        }
        if !missing.is_empty() {
            let docs = instances::find_by_ig_ids(db, &System::ACTING, &missing).await?;
            for ig_id in missing {
                let doc = docs.iter().find(|d| d.instagram_account_id.as_deref() == Some(ig_id)).cloned().map(Arc::new);
                self.instances.put(InstanceKey::Account(ig_id.to_owned()), doc.clone());
                found.insert(ig_id.to_owned(), doc);
            }
        }
        Ok(found)
    }

    /// The instance whose `instanceName` a per-instance webhook URL carries.
    pub async fn instance_by_name(&self, db: &mongodb::Database, name: &str) -> Result<Instance, StoreError> {
        self.instance_by(db, InstanceKey::Name(name.to_owned())).await
    }

    pub async fn instance(&self, db: &mongodb::Database, id: ObjectId) -> Result<Instance, StoreError> {
        self.instance_by(db, InstanceKey::Id(id)).await
    }

    /// The instance's automations.
    pub async fn rules(&self, pg: &PgPool, instance_id: &str) -> Result<Arc<Vec<Rule>>, StoreError> {
        if let Some(hit) = self.rules.get(&instance_id.to_owned()) {
            return Ok(hit);
        }
        let rules = Arc::new(automations::rules_for(pg, System::ACTING.tenant(instance_id)).await?);
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

    /// Forgets every cached entry (some change notices may have been missed).
    pub fn forget_everything(&self) {
        self.instances.clear();
        self.rules.clear();
    }

    fn touched(&self) -> std::sync::MutexGuard<'_, Touched> {
        self.touched.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records that these instances received events; written by `flush_touched`.
    pub fn touch(&self, ids: impl IntoIterator<Item = ObjectId>) {
        self.touched().pending.extend(ids);
    }

    /// Writes `lastEventAt` for the instances touched since it was last written for them, at most
    /// once a minute each (`now`: every touched one, at once).
    pub async fn flush_touched(&self, db: &mongodb::Database, now: bool) -> Result<(), StoreError> {
        let ids: Vec<ObjectId> = {
            let mut touched = self.touched();
            if !now && touched.flushed.is_some_and(|at| at.elapsed() < FLUSH_EVERY) {
                return Ok(());
            }
            touched.flushed = Some(Instant::now());
            let Touched { pending, written, .. } = &mut *touched;
            let due: Vec<ObjectId> = pending
                .iter()
                .filter(|id| now || written.get(*id).is_none_or(|at| at.elapsed() >= TOUCH_EVERY))
                .copied()
                .collect();
            for id in &due {
                pending.remove(id);
                written.insert(*id, Instant::now());
            }
            written.retain(|_, at| at.elapsed() < TOUCH_EVERY);
            due
        };
        if ids.is_empty() {
            return Ok(());
        }
        instances::set_last_event(db, &System::ACTING, &ids).await
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
