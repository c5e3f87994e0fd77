//! `instagram_people`: who wrote to each account, with their @username. DMs do not carry it, so
//! the profile API is asked once per person (not once per message), in the background.
use super::super::{
    access::{System, Tenant},
    StoreError,
};
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
pub async fn record(
    db: &mut PgConnection,
    _: &System,
    seen: &[Seen<'_>],
) -> Result<HashMap<(String, String), String>, StoreError> {
    if seen.is_empty() {
        return Ok(HashMap::new());
    }
    let mut rows: Vec<&Seen> = seen.iter().collect();
    rows.sort_by(|a, b| {
        (a.instance_id, a.igsid, a.username.is_none()).cmp(&(b.instance_id, b.igsid, b.username.is_none()))
    });
    // One row per person, a known username first.
    rows.dedup_by(|a, b| (a.instance_id, a.igsid) == (b.instance_id, b.igsid));
    let ids: Vec<&str> = rows.iter().map(|s| s.instance_id).collect();
    let igsids: Vec<&str> = rows.iter().map(|s| s.igsid).collect();
    let names: Vec<Option<&str>> = rows.iter().map(|s| s.username).collect();
    // New people only: people already known are neither locked nor rewritten.
    sqlx::query(
        "INSERT INTO instagram_people (instance_id, igsid, username, looked_up_at)
         SELECT id, igsid, name, CASE WHEN name IS NOT NULL THEN now() END
         FROM unnest($1::text[], $2::text[], $3::text[]) AS p(id, igsid, name)
         ON CONFLICT (instance_id, igsid) DO NOTHING",
    )
    .bind(&ids)
    .bind(&igsids)
    .bind(&names)
    .execute(&mut *db)
    .await?;
    // A comment told us a username we did not have (or a new one): only those rows change.
    sqlx::query(
        "UPDATE instagram_people p SET username = u.name, looked_up_at = now()
         FROM unnest($1::text[], $2::text[], $3::text[]) AS u(id, igsid, name)
         WHERE p.instance_id = u.id AND p.igsid = u.igsid AND u.name IS NOT NULL AND p.username IS DISTINCT FROM u.name",
    )
    .bind(&ids)
    .bind(&igsids)
    .bind(&names)
    .execute(&mut *db)
    .await?;
    let known: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT p.instance_id, p.igsid, p.username FROM instagram_people p
         JOIN unnest($1::text[], $2::text[]) AS s(id, igsid) ON p.instance_id = s.id AND p.igsid = s.igsid
         WHERE p.username IS NOT NULL",
    )
    .bind(&ids)
    .bind(&igsids)
    .fetch_all(db)
    .await?;
    Ok(known.into_iter().map(|(i, p, name)| ((i, p), name)).collect())
}

/// People whose username is still unknown and due to be looked up, leased for `lease_seconds`.
pub async fn claim_lookups(
    pg: &PgPool,
    _: &System,
    limit: i64,
    lease_seconds: f64,
) -> Result<Vec<(String, String)>, StoreError> {
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

/// A look-up's outcome: the username (also written on the person's reports that lack it), or
/// when to ask again.
pub enum Lookup {
    Found(String),
    AskAgainAt(DateTime<Utc>),
}

/// Records the outcomes of many look-ups at once: `(instance_id, igsid, outcome)`. Returns the
/// `(user_id, instance_id)` whose reports got usernames, for their open pages.
pub async fn settle(
    pg: &PgPool,
    _: &System,
    outcomes: &[(&str, &str, Lookup)],
) -> Result<Vec<(String, String)>, StoreError> {
    if outcomes.is_empty() {
        return Ok(Vec::new());
    }
    let mut found: Vec<(&str, &str, &str)> = outcomes
        .iter()
        .filter_map(|(i, p, o)| match o {
            Lookup::Found(name) => Some((*i, *p, name.as_str())),
            Lookup::AskAgainAt(_) => None,
        })
        .collect();
    found.sort_unstable();
    let mut later: Vec<(&str, &str, DateTime<Utc>)> = outcomes
        .iter()
        .filter_map(|(i, p, o)| match o {
            Lookup::AskAgainAt(at) => Some((*i, *p, *at)),
            Lookup::Found(_) => None,
        })
        .collect();
    later.sort_unstable();
    let mut tx = pg.begin().await?;
    // Reports first (locked in id order), then the people: the order intake takes them in.
    let mut changed: Vec<(String, String)> = sqlx::query_as(
        "UPDATE instagram_reports r SET username = f.name
         FROM (SELECT r.id, u.name FROM instagram_reports r
               JOIN unnest($1::text[], $2::text[], $3::text[]) AS u(id, igsid, name)
                 ON r.instance_id = u.id AND r.user_id_instagram = u.igsid AND r.username IS NULL
               ORDER BY r.id FOR UPDATE OF r) AS f
         WHERE r.id = f.id
         RETURNING r.user_id, r.instance_id",
    )
    .bind(found.iter().map(|f| f.0).collect::<Vec<_>>())
    .bind(found.iter().map(|f| f.1).collect::<Vec<_>>())
    .bind(found.iter().map(|f| f.2).collect::<Vec<_>>())
    .fetch_all(&mut *tx)
    .await?;
    changed.sort_unstable();
    changed.dedup();
    sqlx::query(
        "UPDATE instagram_people p SET username = u.name, looked_up_at = now()
         FROM unnest($1::text[], $2::text[], $3::text[]) AS u(id, igsid, name)
         WHERE p.instance_id = u.id AND p.igsid = u.igsid",
    )
    .bind(found.iter().map(|f| f.0).collect::<Vec<_>>())
    .bind(found.iter().map(|f| f.1).collect::<Vec<_>>())
    .bind(found.iter().map(|f| f.2).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE instagram_people p SET next_lookup_at = u.at
         FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS u(id, igsid, at)
         WHERE p.instance_id = u.id AND p.igsid = u.igsid",
    )
    .bind(later.iter().map(|f| f.0).collect::<Vec<_>>())
    .bind(later.iter().map(|f| f.1).collect::<Vec<_>>())
    .bind(later.iter().map(|f| f.2).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(changed)
}

/// The username known for one person, if any.
pub async fn username(pg: &PgPool, tenant: Tenant<'_>, igsid: &str) -> Result<Option<String>, StoreError> {
    let instance_id = tenant.id();
    Ok(sqlx::query_scalar::<_, Option<String>>(
        "SELECT username FROM instagram_people WHERE instance_id = $1 AND igsid = $2",
    )
    .bind(instance_id)
    .bind(igsid)
    .fetch_optional(pg)
    .await?
    .flatten())
}

/// The IGSID of the person with this @username who wrote to the instance, if one did.
pub async fn igsid_of(pg: &PgPool, tenant: Tenant<'_>, username: &str) -> Result<Option<String>, StoreError> {
    let instance_id = tenant.id();
    Ok(sqlx::query_scalar(
        "SELECT igsid FROM instagram_people WHERE instance_id = $1 AND lower(username) = lower($2) LIMIT 1",
    )
    .bind(instance_id)
    .bind(username)
    .fetch_optional(pg)
    .await?)
}
