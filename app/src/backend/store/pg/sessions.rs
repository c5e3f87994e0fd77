//! Server-side sessions: the browser holds a random token, the table holds its keyed hash.
use super::super::StoreError;
use chrono::{Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::PgPool;

pub const LIFETIME: Duration = Duration::days(30);

fn token_hash(secret: &[u8], token: &str) -> Vec<u8> {
    // HMAC accepts keys of any length; this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(token.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// Opens a session for `user_id` and returns the token for the cookie.
pub async fn create(pg: &PgPool, secret: &[u8], user_id: &str) -> Result<String, StoreError> {
    let token = crate::backend::security::random_token::<32>();
    sqlx::query("INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)")
        .bind(token_hash(secret, &token))
        .bind(user_id)
        .bind(Utc::now() + LIFETIME)
        .execute(pg)
        .await?;
    Ok(token)
}

/// The user of a live session, if the token names one.
pub async fn user_of(pg: &PgPool, secret: &[u8], token: &str) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar("SELECT user_id FROM sessions WHERE token_hash = $1 AND expires_at > now()")
        .bind(token_hash(secret, token))
        .fetch_optional(pg)
        .await?)
}

pub async fn delete(pg: &PgPool, secret: &[u8], token: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash(secret, token)).execute(pg).await?;
    Ok(())
}

/// Removes expired sessions; returns how many.
pub async fn delete_expired(pg: &PgPool) -> Result<u64, StoreError> {
    Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= now()").execute(pg).await?.rows_affected())
}
