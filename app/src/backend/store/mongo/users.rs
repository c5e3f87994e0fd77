//! The `users` collection: accounts, their roles and plan.
use super::{
    super::{access::Everyone, StoreError},
    is_duplicate_key, to_chrono,
};
use crate::domain::id::UserId;
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
    /// `Some(false)` for a sign-up whose address is not confirmed yet; absent for accounts made
    /// by an operator, by Clerky, or before addresses were confirmed.
    #[serde(rename = "emailConfirmed", default, skip_serializing_if = "Option::is_none")]
    pub email_confirmed: Option<bool>,
    /// The pending confirmation link: the hash of its token and when it expires.
    #[serde(rename = "emailConfirmation", default, skip_serializing_if = "Option::is_none")]
    pub email_confirmation: Option<Confirmation>,
    #[serde(rename = "createdAt")]
    pub created_at: DateTime,
    #[serde(rename = "updatedAt")]
    pub updated_at: DateTime,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Confirmation {
    #[serde(rename = "tokenHash")]
    pub token_hash: String,
    #[serde(rename = "expiresAt")]
    pub expires_at: DateTime,
    #[serde(rename = "sentAt")]
    pub sent_at: DateTime,
}

impl UserDoc {
    /// False only for a sign-up whose address was never confirmed.
    pub fn can_sign_in(&self) -> bool {
        self.email_confirmed != Some(false)
    }

    /// The id in hex, as PostgreSQL's rows and the pages carry it.
    pub fn user_id(&self) -> UserId {
        UserId::new(self.id.to_hex())
    }

    pub fn summary(&self) -> UserSummary {
        UserSummary {
            id: self.user_id(),
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
    let confirmation = IndexModel::builder()
        .keys(doc! { "emailConfirmation.tokenHash": 1 })
        .options(IndexOptions::builder().sparse(true).name("users_confirmation_token".to_owned()).build())
        .build();
    users(db).create_index(unique_email).await?;
    users(db).create_index(confirmation).await.map(|_| ())
}

pub struct NewUser<'a> {
    pub email: &'a Email,
    pub name: &'a str,
    pub password_hash: Option<String>,
    pub role: Role,
    pub premium: bool,
    /// `Some(false)` for a sign-up, which confirms its address before signing in.
    pub email_confirmed: Option<bool>,
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
        email_confirmed: new.email_confirmed,
        email_confirmation: None,
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
pub async fn list(db: &Database, _: &Everyone) -> Result<Vec<UserDoc>, StoreError> {
    use futures_util::TryStreamExt;
    Ok(users(db).find(doc! {}).sort(doc! { "createdAt": 1 }).await?.try_collect().await?)
}

/// Keeps `confirmation` as the user's one pending confirmation link (a new one replaces the old).
pub async fn set_confirmation(db: &Database, id: ObjectId, confirmation: &Confirmation) -> Result<(), StoreError> {
    let value = mongodb::bson::to_bson(confirmation).map_err(|e| StoreError::Malformed(e.to_string()))?;
    users(db).update_one(doc! { "_id": id }, doc! { "$set": { "emailConfirmation": value } }).await?;
    Ok(())
}

/// Confirms the address whose link carries the token hashed as `token_hash`, if the link is
/// still valid, and uses the link up; returns the user. A link works once.
pub async fn confirm(db: &Database, token_hash: &str) -> Result<Option<UserDoc>, StoreError> {
    let now = DateTime::now();
    let filter = doc! { "emailConfirmation.tokenHash": token_hash, "emailConfirmation.expiresAt": { "$gt": now } };
    let Some(user) = users(db).find_one(filter).await? else { return Ok(None) };
    let used = users(db)
        .update_one(
            doc! { "_id": user.id, "emailConfirmation.tokenHash": token_hash },
            doc! { "$set": { "emailConfirmed": true, "updatedAt": now }, "$unset": { "emailConfirmation": "" } },
        )
        .await?;
    Ok((used.modified_count == 1).then_some(UserDoc { email_confirmed: Some(true), email_confirmation: None, ..user }))
}
