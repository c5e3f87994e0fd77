//! The `instagram_instances` collection, with the PRD's fields.
use super::{super::StoreError, to_chrono};
use crate::domain::instance::{InstanceCard, InstanceStatus};
use mongodb::{
    bson::{doc, oid::ObjectId, DateTime},
    options::IndexOptions,
    Collection, Database, IndexModel,
};
use serde::{Deserialize, Serialize};

/// An instance document as the PRD lays it out. `accessToken` holds ciphertext, never a token.
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
    pub access_token: Option<String>,
    #[serde(rename = "pageId", default)]
    pub page_id: Option<String>,
    #[serde(rename = "pageName", default)]
    pub page_name: Option<String>,
    #[serde(rename = "tokenExpiresAt", default)]
    pub token_expires_at: Option<DateTime>,
    pub status: InstanceStatus,
    #[serde(rename = "webhookIds", default)]
    pub webhook_ids: Vec<String>,
    #[serde(rename = "createdAt")]
    pub created_at: DateTime,
    #[serde(rename = "updatedAt")]
    pub updated_at: DateTime,
}

impl InstanceDoc {
    pub fn card(&self) -> InstanceCard {
        InstanceCard {
            id: self.id.to_hex(),
            instance_name: self.instance_name.clone(),
            name: self.name.clone(),
            username: self.username.clone(),
            status: self.status,
            token_expires_at: self.token_expires_at.map(to_chrono),
            created_at: to_chrono(self.created_at),
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
    let collection = instances(db);
    collection.create_index(unique_name).await?;
    collection.create_index(by_owner).await.map(|_| ())
}

/// The instances of one owner, oldest first.
pub async fn list_for_owner(db: &Database, owner: ObjectId) -> Result<Vec<InstanceDoc>, StoreError> {
    use futures_util::TryStreamExt;
    Ok(instances(db).find(doc! { "userId": owner }).sort(doc! { "createdAt": 1 }).await?.try_collect().await?)
}
