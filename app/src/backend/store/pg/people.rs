//! `instagram_people`: who wrote to each account, with their @username. DMs do not carry it, so
//! the profile API is asked once per person (not once per message), in the background.
use super::super::StoreError;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use std::collections::HashMap;

/// A person seen in an event; `username` when the event carried it (comments do).
pub struct Seen<'a> {
    pub instance_id: &'a str,
    pub igsid: &'a str,
    pub username: Option<&'a str>,
}

/// Records the people of a batch and returns the usernames known for them.
pub async fn record(db: &mut PgConnection, seen: &[Seen<'_>]) -> Result<HashMap<(String, String), String>, StoreError> {
    if seen.is_empty() {
        return Ok(HashMap::new());
    }
    let mut rows: Vec<&Seen> = seen.iter().collect();
    rows.sort_by(|a, b| {
        (a.instance_id, a.igsid, a.username.is_none()).cmp(&(b.instance_id, b.igsid, b.username.is_none()))
    });
    // One row per person, a known username first.
    rows.dedup_by(|a, b| (a.instance_id, a.igsid) == (b.instance_id, b.igsid));
    let known: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "WITH upserted AS (
             INSERT INTO instagram_people (instance_id, igsid, username, looked_up_at)
             SELECT id, igsid, name, CASE WHEN name IS NOT NULL THEN now() END
             FROM unnest($1::text[], $2::text[], $3::text[]) AS p(id, igsid, name)
             ON CONFLICT (instance_id, igsid) DO UPDATE SET username = EXCLUDED.username, looked_up_at = now()
                 WHERE EXCLUDED.username IS NOT NULL AND EXCLUDED.username IS DISTINCT FROM instagram_people.username
             RETURNING instance_id, igsid, username)
         SELECT instance_id, igsid, username FROM upserted
         UNION ALL
         SELECT p.instance_id, p.igsid, p.username FROM instagram_people p
         JOIN unnest($1::text[], $2::text[]) AS s(id, igsid) ON p.instance_id = s.id AND p.igsid = s.igsid
         WHERE p.username IS NOT NULL",
    )
    .bind(rows.iter().map(|s| s.instance_id).collect::<Vec<_>>())
    .bind(rows.iter().map(|s| s.igsid).collect::<Vec<_>>())
    .bind(rows.iter().map(|s| s.username).collect::<Vec<_>>())
    .fetch_all(db)
    .await?;
    Ok(known.into_iter().filter_map(|(i, p, name)| Some(((i, p), name?))).collect())
}

/// People whose username is still unknown and due to be looked up, leased for `lease_seconds`.
pub async fn claim_lookups(pg: &PgPool, limit: i64, lease_seconds: f64) -> Result<Vec<(String, String)>, StoreError> {
    Ok(sqlx::query_as(
        "UPDATE instagram_people SET next_lookup_at = now() + make_interval(secs => $2), lookup_attempts = lookup_attempts + 1
         WHERE (instance_id, igsid) IN (
             SELECT instance_id, igsid FROM instagram_people
             WHERE username IS NULL AND next_lookup_at <= now()
             ORDER BY next_lookup_at LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING instance_id, igsid",
    )
    .bind(limit)
    .bind(lease_seconds)
    .fetch_all(pg)
    .await?)
}

/// A lookup's outcome: the username (also written on the person's reports that lack it), or
/// when to ask again.
pub enum Lookup {
    Found(String),
    AskAgainAt(DateTime<Utc>),
}

pub async fn settle(pg: &PgPool, instance_id: &str, igsid: &str, lookup: &Lookup) -> Result<(), StoreError> {
    let mut tx = pg.begin().await?;
    match lookup {
        Lookup::Found(username) => {
            sqlx::query(
                "UPDATE instagram_people SET username = $3, looked_up_at = now() WHERE instance_id = $1 AND igsid = $2",
            )
            .bind(instance_id)
            .bind(igsid)
            .bind(username)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE instagram_reports SET username = $3
                 WHERE instance_id = $1 AND user_id_instagram = $2 AND username IS NULL",
            )
            .bind(instance_id)
            .bind(igsid)
            .bind(username)
            .execute(&mut *tx)
            .await?;
        }
        Lookup::AskAgainAt(at) => {
            sqlx::query("UPDATE instagram_people SET next_lookup_at = $3 WHERE instance_id = $1 AND igsid = $2")
                .bind(instance_id)
                .bind(igsid)
                .bind(at)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The username known for one person, if any.
pub async fn username(pg: &PgPool, instance_id: &str, igsid: &str) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar::<_, Option<String>>(
        "SELECT username FROM instagram_people WHERE instance_id = $1 AND igsid = $2",
    )
    .bind(instance_id)
    .bind(igsid)
    .fetch_optional(pg)
    .await?
    .flatten())
}

/// People whose username is still to be looked up now.
pub async fn lookups_due(pg: &PgPool) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM instagram_people WHERE username IS NULL AND next_lookup_at <= now()")
        .fetch_one(pg)
        .await?)
}
