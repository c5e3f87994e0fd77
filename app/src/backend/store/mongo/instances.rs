//! The `instagram_instances` collection, with the PRD's fields.
use super::{
    super::{
        access::{Scope, System, Tenant},
        StoreError,
    },
    from_chrono, to_chrono,
};
use crate::domain::id::InstanceId;
use crate::{
    backend::{auth::SignedIn, crypto::Sealed},
    domain::instance::{ConnectionFailure, InstanceCard, InstanceStatus},
};
use mongodb::{
    bson::{doc, oid::ObjectId, DateTime},
    options::IndexOptions,
    Collection, Database, IndexModel,
};
use serde::{Deserialize, Serialize};

/// An instance document as the PRD lays it out. `accessToken` holds ciphertext, never a token.
///
/// Holding one is the proof that the caller may act on the instance: only this module's finders
/// make one, and each takes a [`Scope`] or [`System`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InstanceDoc {
    #[serde(rename = "_id")]
    pub id: ObjectId,
    #[serde(rename = "userId")]
    pub user_id: ObjectId,
    #[serde(rename = "instanceName")]
    pub instance_name: String,
    pub name: String,
    #[serde(rename = "instagramAccountId", default)]
    pub instagram_account_id: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(rename = "accessToken", default)]
    pub access_token: Option<Sealed>,
    #[serde(rename = "pageId", default)]
    pub page_id: Option<String>,
    #[serde(rename = "pageName", default)]
    pub page_name: Option<String>,
    #[serde(rename = "tokenExpiresAt", default)]
    pub token_expires_at: Option<DateTime>,
    pub status: InstanceStatus,
    #[serde(rename = "webhookIds", default)]
    pub webhook_ids: Vec<String>,
    #[serde(rename = "profilePictureUrl", default)]
    pub profile_picture_url: Option<String>,
    /// When the current long-lived token was obtained: Meta refreshes only tokens a day old.
    #[serde(rename = "tokenObtainedAt", default)]
    pub token_obtained_at: Option<DateTime>,
    #[serde(rename = "errorReason", default)]
    pub error_reason: Option<String>,
    #[serde(rename = "lastEventAt", default)]
    pub last_event_at: Option<DateTime>,
    /// Automated replies allowed per day; the configured default when absent.
    #[serde(rename = "dailyReplyCap", default)]
    pub daily_reply_cap: Option<u32>,
    /// Its automations answer nothing while paused (the owner's switch), connected or not.
    #[serde(rename = "automationsPaused", default)]
    pub automations_paused: bool,
    #[serde(rename = "createdAt")]
    pub created_at: DateTime,
    #[serde(rename = "updatedAt")]
    pub updated_at: DateTime,
    /// The id in hex, as PostgreSQL's rows carry it; set by the finders. Private, so nothing
    /// outside this module builds a document (and with it a [`Tenant`]).
    #[serde(skip)]
    key: String,
}

impl InstanceDoc {
    /// The instance's rows in PostgreSQL.
    pub fn tenant(&self) -> Tenant<'_> {
        Tenant::granted(&self.key)
    }

    /// The id in hex, as pages and PostgreSQL write it.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// How notices and pages name the instance: its @username, else the name its owner gave it.
    /// The id pages, the API and PostgreSQL's rows know the instance by.
    pub fn instance_id(&self) -> InstanceId {
        InstanceId::new(self.id.to_hex())
    }

    pub fn display_name(&self) -> String {
        self.username.as_deref().map_or_else(|| self.name.clone(), |u| format!("@{u}"))
    }

    /// The card at `now`; `default_cap` is the configured daily cap for instances without their own.
    pub fn card(&self, default_cap: u32, now: chrono::DateTime<chrono::Utc>) -> InstanceCard {
        InstanceCard {
            id: self.instance_id(),
            instance_name: self.instance_name.clone(),
            name: self.name.clone(),
            username: self.username.clone(),
            profile_picture_url: self.profile_picture_url.clone(),
            status: self.status,
            error_reason: self.error_reason.as_deref().map(ConnectionFailure::parse),
            token_expires_at: self.token_expires_at.map(to_chrono),
            token_expires_soon: self.token_expires_at.is_some_and(|at| to_chrono(at) - now < chrono::Duration::days(7)),
            token_days_left: self.token_expires_at.map(|at| (to_chrono(at) - now).num_days().max(0)),
            created_at: to_chrono(self.created_at),
            last_event_at: self.last_event_at.map(to_chrono),
            daily_reply_cap: self.daily_reply_cap.unwrap_or(default_cap),
            automations_paused: self.automations_paused,
            replies_today: 0,
            active_automations: 0,
            last_failure: None,
        }
    }
}

fn instances(db: &Database) -> Collection<InstanceDoc> {
    db.collection("instagram_instances")
}

pub async fn ensure_indexes(db: &Database) -> Result<(), mongodb::error::Error> {
    let unique_name = IndexModel::builder()
        .keys(doc! { "instanceName": 1 })
        .options(
            IndexOptions::builder().unique(true).name("instagram_instances_instanceName_unique".to_owned()).build(),
        )
        .build();
    let by_owner = IndexModel::builder()
        .keys(doc! { "userId": 1, "createdAt": 1 })
        .options(IndexOptions::builder().name("instagram_instances_userId".to_owned()).build())
        .build();
    // Every webhook entry is routed by its account id, and an Instagram account belongs to one
    // instance at most: two connections racing for it cannot both be saved.
    let by_account = IndexModel::builder()
        .keys(doc! { "instagramAccountId": 1 })
        .options(
            IndexOptions::builder()
                .unique(true)
                .partial_filter_expression(doc! { "instagramAccountId": { "$type": "string" } })
                .name("instagram_instances_instagramAccountId_unique".to_owned())
                .build(),
        )
        .build();
    let collection = instances(db);
    // The index it replaces (same keys, not unique); absent on new databases.
    let _ = collection.drop_index("instagram_instances_instagramAccountId").await;
    collection.create_index(unique_name).await?;
    collection.create_index(by_account).await?;
    collection.create_index(by_owner).await.map(|_| ())
}

impl InstanceDoc {
    /// A new instance of the person signed in, `created`, before any connection.
    pub fn new(owner: &SignedIn, instance_name: String, name: String, at: chrono::DateTime<chrono::Utc>) -> Self {
        let now = from_chrono(at);
        let id = ObjectId::new();
        Self {
            id,
            key: id.to_hex(),
            user_id: owner.user_id(),
            instance_name,
            name,
            instagram_account_id: None,
            username: None,
            access_token: None,
            page_id: None,
            page_name: None,
            token_expires_at: None,
            status: InstanceStatus::Created,
            webhook_ids: Vec::new(),
            profile_picture_url: None,
            token_obtained_at: None,
            error_reason: None,
            last_event_at: None,
            daily_reply_cap: None,
            automations_paused: false,
            created_at: now,
            updated_at: now,
        }
    }

    fn granted(mut self) -> Self {
        self.key = self.id.to_hex();
        self
    }
}

pub async fn insert(db: &Database, doc: &InstanceDoc) -> Result<(), StoreError> {
    match instances(db).insert_one(doc).await {
        Ok(_) => Ok(()),
        Err(e) if super::is_duplicate_key(&e) => Err(StoreError::Taken("instanceName")),
        Err(e) => Err(e.into()),
    }
}

/// The documents a filter finds, each granted.
async fn found(db: &Database, filter: mongodb::bson::Document) -> Result<Vec<InstanceDoc>, StoreError> {
    use futures_util::TryStreamExt;
    let docs: Vec<InstanceDoc> = instances(db).find(filter).await?.try_collect().await?;
    Ok(docs.into_iter().map(InstanceDoc::granted).collect())
}

/// `filter` limited to what `scope` reaches.
fn within(scope: &Scope, mut filter: mongodb::bson::Document) -> mongodb::bson::Document {
    if let Some(owner) = scope.owner() {
        filter.insert("userId", owner);
    }
    filter
}

/// An instance the scope reaches; anyone else's looks the same as a missing one.
pub async fn find(db: &Database, scope: &Scope, id: &InstanceId) -> Result<InstanceDoc, StoreError> {
    let id = ObjectId::parse_str(id.as_str()).map_err(|_| StoreError::NotFound)?;
    let found = instances(db).find_one(within(scope, doc! { "_id": id })).await?;
    found.map(InstanceDoc::granted).ok_or(StoreError::NotFound)
}

/// The instance within `scope` already holding this Instagram account, if any (other than
/// `except`).
pub async fn find_by_account(
    db: &Database,
    scope: &Scope,
    ig_id: &str,
    except: ObjectId,
) -> Result<Option<InstanceDoc>, StoreError> {
    let filter = within(scope, doc! { "instagramAccountId": ig_id, "_id": { "$ne": except } });
    Ok(instances(db).find_one(filter).await?.map(InstanceDoc::granted))
}

/// Whether anyone's instance (other than `except`) holds this Instagram account: a connection
/// must know, and learns nothing else about the holder.
pub async fn account_held(db: &Database, ig_id: &str, except: ObjectId) -> Result<bool, StoreError> {
    Ok(instances(db).count_documents(doc! { "instagramAccountId": ig_id, "_id": { "$ne": except } }).await? > 0)
}

/// The owner's instances that hold a place of the quota: every one with an Instagram account,
/// and the ones whose first connection is under way since `abandoned_before` or later; one left
/// behind before then (the person never came back from Meta), or refused, holds none. `except`
/// is left out.
pub async fn count_for_owner(
    db: &Database,
    owner: &SignedIn,
    abandoned_before: DateTime,
    except: Option<ObjectId>,
) -> Result<u64, StoreError> {
    let mut filter = doc! {
        "userId": owner.user_id(),
        "$or": [
            { "instagramAccountId": { "$type": "string" } },
            { "status": { "$in": ["created", "connecting"] }, "updatedAt": { "$gte": abandoned_before } },
        ],
    };
    if let Some(except) = except {
        filter.insert("_id", doc! { "$ne": except });
    }
    Ok(instances(db).count_documents(filter).await?)
}

/// Connections begun before `before` that never came back from Meta.
pub async fn stale_connections(db: &Database, _: &System, before: DateTime) -> Result<Vec<InstanceDoc>, StoreError> {
    found(db, doc! { "status": { "$in": ["created", "connecting"] }, "updatedAt": { "$lt": before } }).await
}

/// Sets `fields` of the instance, stamped as changed at `now`.
async fn update(
    db: &Database,
    instance: &InstanceDoc,
    mut fields: mongodb::bson::Document,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    fields.insert("updatedAt", from_chrono(now));
    instances(db).update_one(doc! { "_id": instance.id }, doc! { "$set": fields }).await?;
    Ok(())
}

pub async fn set_status(
    db: &Database,
    instance: &InstanceDoc,
    status: InstanceStatus,
    reason: Option<ConnectionFailure>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    update(db, instance, doc! { "status": status.as_str(), "errorReason": reason.map(ConnectionFailure::as_str) }, now)
        .await
}

/// What a successful Business Login saves, all at once.
pub struct Connection<'a> {
    pub ig_id: &'a str,
    pub username: &'a str,
    pub page_name: Option<&'a str>,
    pub profile_picture_url: Option<&'a str>,
    pub sealed_token: &'a Sealed,
    pub token_expires_at: DateTime,
}

/// Saves a connection; `Taken` when another instance holds the account.
pub async fn save_connection(
    db: &Database,
    instance: &InstanceDoc,
    connection: Connection<'_>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    let status = InstanceStatus::Connected.as_str();
    let now = from_chrono(now);
    let saved = instances(db)
        .update_one(
            doc! { "_id": instance.id },
            doc! { "$set": {
                "instagramAccountId": connection.ig_id,
                "username": connection.username,
                "pageName": connection.page_name,
                "profilePictureUrl": connection.profile_picture_url,
                "accessToken": connection.sealed_token.as_str(),
                "tokenExpiresAt": connection.token_expires_at,
                "tokenObtainedAt": now,
                "status": status,
                "errorReason": null,
                "updatedAt": now,
            } },
        )
        .await;
    match saved {
        Ok(_) => Ok(()),
        Err(e) if super::is_duplicate_key(&e) => Err(StoreError::Taken("instagramAccountId")),
        Err(e) => Err(e.into()),
    }
}

pub async fn rename(
    db: &Database,
    instance: &InstanceDoc,
    name: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    update(db, instance, doc! { "name": name }, now).await
}

/// `disconnected`, and the token forgotten: a token nobody uses is not kept.
pub async fn disconnect(
    db: &Database,
    instance: &InstanceDoc,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    let status = InstanceStatus::Disconnected.as_str();
    instances(db)
        .update_one(
            doc! { "_id": instance.id },
            doc! { "$set": { "status": status, "errorReason": null, "updatedAt": from_chrono(now) },
            "$unset": { "accessToken": "", "tokenExpiresAt": "", "tokenObtainedAt": "" } },
        )
        .await?;
    Ok(())
}

pub async fn save_refreshed_token(
    db: &Database,
    instance: &InstanceDoc,
    sealed: &Sealed,
    expires_at: DateTime,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    let now = from_chrono(now);
    instances(db)
        .update_one(
            doc! { "_id": instance.id },
            doc! { "$set": { "accessToken": sealed.as_str(), "tokenExpiresAt": expires_at, "tokenObtainedAt": now, "updatedAt": now } },
        )
        .await?;
    Ok(())
}

/// Connected instances whose token Meta will refresh (obtained before `obtained_before`) and that
/// expire before `expires_before`.
pub async fn refresh_candidates(
    db: &Database,
    _: &System,
    obtained_before: DateTime,
    expires_before: DateTime,
) -> Result<Vec<InstanceDoc>, StoreError> {
    let status = InstanceStatus::Connected.as_str();
    found(db, doc! { "status": status, "tokenObtainedAt": { "$lte": obtained_before }, "tokenExpiresAt": { "$lte": expires_before } })
        .await
}

/// How many instances there are, connected, in error, and connected with a token expiring
/// before `expiring_before`.
pub async fn health_counts(
    db: &Database,
    scope: &Scope,
    expiring_before: DateTime,
) -> Result<(u64, u64, u64, u64), StoreError> {
    let all = instances(db);
    let connected = InstanceStatus::Connected.as_str();
    Ok((
        all.count_documents(within(scope, doc! {})).await?,
        all.count_documents(within(scope, doc! { "status": connected })).await?,
        all.count_documents(within(scope, doc! { "status": InstanceStatus::Error.as_str() })).await?,
        all.count_documents(within(scope, doc! { "status": connected, "tokenExpiresAt": { "$lte": expiring_before } }))
            .await?,
    ))
}

/// Every instance in `status`.
pub async fn with_status(db: &Database, _: &System, status: InstanceStatus) -> Result<Vec<InstanceDoc>, StoreError> {
    found(db, doc! { "status": status.as_str() }).await
}

/// Connected instances whose token expires before `before`.
pub async fn expiring(db: &Database, _: &System, before: DateTime) -> Result<Vec<InstanceDoc>, StoreError> {
    let status = InstanceStatus::Connected.as_str();
    found(db, doc! { "status": status, "tokenExpiresAt": { "$lte": before } }).await
}

/// Every instance the scope reaches, newest first: optionally only one status, and a search over
/// name, instance name and username (case-insensitive substring).
pub async fn search(
    db: &Database,
    scope: &Scope,
    search: &str,
    status: Option<InstanceStatus>,
) -> Result<Vec<InstanceDoc>, StoreError> {
    use futures_util::TryStreamExt;
    let all: Vec<InstanceDoc> =
        instances(db).find(within(scope, doc! {})).sort(doc! { "createdAt": -1 }).await?.try_collect().await?;
    let needle = search.trim().to_lowercase();
    Ok(all
        .into_iter()
        .map(InstanceDoc::granted)
        .filter(|doc| status.is_none_or(|s| doc.status == s))
        .filter(|doc| {
            needle.is_empty()
                || [Some(&doc.name), Some(&doc.instance_name), doc.username.as_ref()]
                    .into_iter()
                    .flatten()
                    .any(|field| field.to_lowercase().contains(&needle))
        })
        .collect())
}

pub async fn delete(db: &Database, instance: &InstanceDoc) -> Result<(), StoreError> {
    instances(db).delete_one(doc! { "_id": instance.id }).await?;
    Ok(())
}

/// The instances the scope reaches, oldest first.
pub async fn list(db: &Database, scope: &Scope) -> Result<Vec<InstanceDoc>, StoreError> {
    use futures_util::TryStreamExt;
    let docs: Vec<InstanceDoc> =
        instances(db).find(within(scope, doc! {})).sort(doc! { "createdAt": 1 }).await?.try_collect().await?;
    Ok(docs.into_iter().map(InstanceDoc::granted).collect())
}

pub async fn find_by_name(db: &Database, _: &System, name: &str) -> Result<Option<InstanceDoc>, StoreError> {
    Ok(instances(db).find_one(doc! { "instanceName": name }).await?.map(InstanceDoc::granted))
}

/// The instance holding an Instagram account (its IG_ID, as webhooks carry it).
/// The instances connected to any of these Instagram accounts (webhook `entry.id`s).
pub async fn find_by_ig_ids(db: &Database, _: &System, ig_ids: &[&str]) -> Result<Vec<InstanceDoc>, StoreError> {
    found(db, doc! { "instagramAccountId": { "$in": ig_ids } }).await
}

/// Records that these instances received events just now: one write for many instances.
pub async fn set_last_event(db: &Database, _: &System, ids: &[ObjectId]) -> Result<(), StoreError> {
    instances(db)
        .update_many(doc! { "_id": { "$in": ids } }, doc! { "$set": { "lastEventAt": DateTime::now() } })
        .await?;
    Ok(())
}

pub async fn set_paused(
    db: &Database,
    instance: &InstanceDoc,
    paused: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    update(db, instance, doc! { "automationsPaused": paused }, now).await
}

pub async fn set_daily_cap(
    db: &Database,
    instance: &InstanceDoc,
    cap: u32,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), StoreError> {
    update(db, instance, doc! { "dailyReplyCap": cap }, now).await
}
