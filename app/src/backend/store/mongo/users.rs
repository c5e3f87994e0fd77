//! The `users` collection: accounts, their roles and plan.
use super::{super::StoreError, is_duplicate_key, to_chrono};
use crate::domain::user::{Email, Role, UserSummary};
use mongodb::{
    bson::{doc, oid::ObjectId, DateTime},
    options::IndexOptions,
    Collection, Database, IndexModel,
};
use serde::{Deserialize, Serialize};

/// A user document. Not `Serialize` to the browser: it holds the password hash.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserDoc {
    #[serde(rename = "_id")]
    pub id: ObjectId,
    pub email: String,
    pub name: String,
    /// Absent for accounts that only sign in through Clerky's JWT.
    #[serde(rename = "passwordHash", default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
    pub role: Role,
    #[serde(default)]
    pub premium: bool,
    #[serde(rename = "createdAt")]
    pub created_at: DateTime,
    #[serde(rename = "updatedAt")]
    pub updated_at: DateTime,
}

impl UserDoc {
    pub fn summary(&self) -> UserSummary {
        UserSummary {
            id: self.id.to_hex(),
            email: self.email.clone(),
            name: self.name.clone(),
            role: self.role,
            premium: self.premium,
            created_at: to_chrono(self.created_at),
        }
    }
}

fn users(db: &Database) -> Collection<UserDoc> {
    db.collection("users")
}

pub async fn ensure_indexes(db: &Database) -> Result<(), mongodb::error::Error> {
    let unique_email = IndexModel::builder()
        .keys(doc! { "email": 1 })
        .options(IndexOptions::builder().unique(true).name("users_email_unique".to_owned()).build())
        .build();
    users(db).create_index(unique_email).await.map(|_| ())
}

pub struct NewUser<'a> {
    pub email: &'a Email,
    pub name: &'a str,
    pub password_hash: Option<String>,
    pub role: Role,
    pub premium: bool,
}

pub async fn insert(db: &Database, new: NewUser<'_>) -> Result<UserDoc, StoreError> {
    let now = DateTime::now();
    let user = UserDoc {
        id: ObjectId::new(),
        email: new.email.as_str().to_owned(),
        name: new.name.to_owned(),
        password_hash: new.password_hash,
        role: new.role,
        premium: new.premium,
        created_at: now,
        updated_at: now,
    };
    match users(db).insert_one(&user).await {
        Ok(_) => Ok(user),
        Err(e) if is_duplicate_key(&e) => Err(StoreError::Taken("email")),
        Err(e) => Err(e.into()),
    }
}

pub async fn find_by_email(db: &Database, email: &Email) -> Result<Option<UserDoc>, StoreError> {
    Ok(users(db).find_one(doc! { "email": email.as_str() }).await?)
}

pub async fn find_by_id(db: &Database, id: &str) -> Result<Option<UserDoc>, StoreError> {
    let Ok(id) = ObjectId::parse_str(id) else { return Ok(None) };
    Ok(users(db).find_one(doc! { "_id": id }).await?)
}

pub async fn set_role(db: &Database, email: &Email, role: Role) -> Result<(), StoreError> {
    let role = mongodb::bson::to_bson(&role).map_err(|e| StoreError::Malformed(e.to_string()))?;
    let result = users(db)
        .update_one(doc! { "email": email.as_str() }, doc! { "$set": { "role": role, "updatedAt": DateTime::now() } })
        .await?;
    if result.matched_count == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// Every user, oldest first.
pub async fn list(db: &Database) -> Result<Vec<UserDoc>, StoreError> {
    use futures_util::TryStreamExt;
    Ok(users(db).find(doc! {}).sort(doc! { "createdAt": 1 }).await?.try_collect().await?)
}
