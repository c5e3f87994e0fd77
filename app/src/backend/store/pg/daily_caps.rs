//! `daily_reply_counts`: replies sent or under way per instance and UTC day. Intake reserves
//! from it under the row's lock, so the cap holds across batches and server processes.
use super::super::{
    access::{System, Tenant},
    StoreError,
};
use chrono::NaiveDate;
use sqlx::PgConnection;
use std::collections::HashMap;

/// What intake wants for one instance today.
pub struct Wanted<'a> {
    pub instance_id: &'a str,
    pub replies: i32,
    pub cap: i32,
}

/// Reserves up to `replies` for each instance, within its cap; returns how many each got, and
/// the (UTC) day they count on.
pub async fn reserve(
    db: &mut PgConnection,
    _: &System,
    wanted: &[Wanted<'_>],
) -> Result<(HashMap<String, i32>, NaiveDate), StoreError> {
    let today: NaiveDate = sqlx::query_scalar("SELECT (now() AT TIME ZONE 'UTC')::date").fetch_one(&mut *db).await?;
    if wanted.is_empty() {
        return Ok((HashMap::new(), today));
    }
    let mut wanted: Vec<&Wanted> = wanted.iter().collect();
    // Locks are taken in key order: two batches never wait on each other in a cycle.
    wanted.sort_by_key(|w| w.instance_id);
    let ids: Vec<&str> = wanted.iter().map(|w| w.instance_id).collect();
    sqlx::query(
        "INSERT INTO daily_reply_counts (instance_id, day, replies)
         SELECT id, (now() AT TIME ZONE 'UTC')::date, 0 FROM unnest($1::text[]) AS id
         ON CONFLICT DO NOTHING",
    )
    .bind(&ids)
    .execute(&mut *db)
    .await?;
    let current: HashMap<String, i32> = sqlx::query_as::<_, (String, i32)>(
        "SELECT instance_id, replies FROM daily_reply_counts
         WHERE day = (now() AT TIME ZONE 'UTC')::date AND instance_id = ANY($1)
         ORDER BY instance_id FOR UPDATE",
    )
    .bind(&ids)
    .fetch_all(&mut *db)
    .await?
    .into_iter()
    .collect();
    let granted: Vec<i32> =
        wanted.iter().map(|w| (w.cap - current.get(w.instance_id).copied().unwrap_or(0)).clamp(0, w.replies)).collect();
    sqlx::query(
        "UPDATE daily_reply_counts d SET replies = d.replies + u.n
         FROM unnest($1::text[], $2::int[]) AS u(id, n)
         WHERE d.instance_id = u.id AND d.day = (now() AT TIME ZONE 'UTC')::date AND u.n > 0",
    )
    .bind(&ids)
    .bind(&granted)
    .execute(&mut *db)
    .await?;
    Ok((ids.iter().map(|id| (*id).to_owned()).zip(granted).collect(), today))
}

/// Gives back replies that will not go out (failed, or reserved twice in a race), on the day
/// they were reserved.
pub async fn release(db: &mut PgConnection, _: &System, released: &[(String, NaiveDate)]) -> Result<(), StoreError> {
    if released.is_empty() {
        return Ok(());
    }
    let mut counts: HashMap<(&str, NaiveDate), i32> = HashMap::new();
    for (id, day) in released {
        *counts.entry((id.as_str(), *day)).or_default() += 1;
    }
    let mut rows: Vec<((&str, NaiveDate), i32)> = counts.into_iter().collect();
    rows.sort();
    // Locked in key order first, as `reserve` does: an UPDATE joined to a list locks in the
    // join's order.
    sqlx::query(
        "SELECT 1 FROM daily_reply_counts d
         JOIN unnest($1::text[], $2::date[]) AS u(id, day) ON d.instance_id = u.id AND d.day = u.day
         ORDER BY d.instance_id, d.day FOR UPDATE OF d",
    )
    .bind(rows.iter().map(|r| r.0 .0).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.0 .1).collect::<Vec<_>>())
    .execute(&mut *db)
    .await?;
    sqlx::query(
        "UPDATE daily_reply_counts d SET replies = GREATEST(d.replies - u.n, 0)
         FROM unnest($1::text[], $2::date[], $3::int[]) AS u(id, day, n)
         WHERE d.instance_id = u.id AND d.day = u.day",
    )
    .bind(rows.iter().map(|r| r.0 .0).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.0 .1).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.1).collect::<Vec<_>>())
    .execute(db)
    .await?;
    Ok(())
}

/// Replies the instance sent or has under way today (UTC).
pub async fn used_today(pg: &sqlx::PgPool, tenant: Tenant<'_>) -> Result<i64, StoreError> {
    let instance_id = tenant.id();
    Ok(sqlx::query_scalar(
        "SELECT COALESCE(sum(replies), 0)::bigint FROM daily_reply_counts
         WHERE instance_id = $1 AND day = (now() AT TIME ZONE 'UTC')::date",
    )
    .bind(instance_id)
    .fetch_one(pg)
    .await?)
}
