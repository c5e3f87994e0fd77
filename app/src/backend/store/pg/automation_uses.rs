//! `automation_uses`: who got which automation when. Claimed in the transaction that writes the
//! replies, row by row in one statement, so two processes never both answer a person an
//! automation allows once; the loop guard caps any automation at a number of replies to one
//! person an hour.
use super::super::{
    access::{System, Tenant},
    StoreError,
};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use std::collections::HashMap;
use uuid::Uuid;

/// One automation wanting to answer one person `replies` times, the first at `at`; the person
/// may get it again from `free_after` (`None`: never again).
pub struct Wanted<'a> {
    pub automation_id: Uuid,
    pub igsid: &'a str,
    pub at: DateTime<Utc>,
    pub free_after: Option<DateTime<Utc>>,
    pub replies: i32,
}

/// Why a wanted use was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The person got it already (once, or within its hours).
    Used,
    /// Over the loop guard.
    Loop,
}

/// What a claim got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// This many of the wanted replies (the first ones), the rest over the loop guard.
    Granted(i32),
    Refused(Refusal),
}

/// Claims every wanted use it can, as many replies of each as the loop guard (`per_hour`
/// replies of one automation to one person an hour) leaves room for.
pub async fn claim(
    db: &mut PgConnection,
    _: &System,
    wanted: &[Wanted<'_>],
    per_hour: i32,
) -> Result<HashMap<(Uuid, String), Claim>, StoreError> {
    if wanted.is_empty() {
        return Ok(HashMap::new());
    }
    // One order for every claimant, so two batches never wait on each other in a cycle.
    let mut wanted: Vec<&Wanted> = wanted.iter().collect();
    wanted.sort_by(|a, b| (a.automation_id, a.igsid).cmp(&(b.automation_id, b.igsid)));
    wanted.dedup_by(|a, b| (a.automation_id, a.igsid) == (b.automation_id, b.igsid));
    // `SET` sees the row as it was: the window restarts when its hour is over, and the claim gets
    // what is left of the window's room.
    let granted: Vec<(Uuid, String, i32)> = sqlx::query_as(
        "INSERT INTO automation_uses AS u
             (automation_id, igsid, last_at, free_after, window_start, window_count, last_granted)
         SELECT a, p, at, COALESCE(free, 'infinity'), at, least(n, $6), least(n, $6)
         FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::int[]) AS w(a, p, at, free, n)
         ON CONFLICT (automation_id, igsid) DO UPDATE SET
             last_at = EXCLUDED.last_at,
             free_after = EXCLUDED.free_after,
             window_start = CASE WHEN u.window_start <= EXCLUDED.last_at - interval '1 hour'
                                 THEN EXCLUDED.last_at ELSE u.window_start END,
             last_granted = least(EXCLUDED.last_granted,
                                  $6 - CASE WHEN u.window_start <= EXCLUDED.last_at - interval '1 hour'
                                            THEN 0 ELSE u.window_count END),
             window_count = least($6, EXCLUDED.last_granted
                                      + CASE WHEN u.window_start <= EXCLUDED.last_at - interval '1 hour'
                                             THEN 0 ELSE u.window_count END)
         WHERE u.free_after <= EXCLUDED.last_at
           AND (u.window_start <= EXCLUDED.last_at - interval '1 hour' OR u.window_count < $6)
         RETURNING automation_id, igsid, last_granted",
    )
    .bind(wanted.iter().map(|w| w.automation_id).collect::<Vec<_>>())
    .bind(wanted.iter().map(|w| w.igsid).collect::<Vec<_>>())
    .bind(wanted.iter().map(|w| w.at).collect::<Vec<_>>())
    .bind(wanted.iter().map(|w| w.free_after).collect::<Vec<_>>())
    .bind(wanted.iter().map(|w| w.replies).collect::<Vec<_>>())
    .bind(per_hour)
    .fetch_all(&mut *db)
    .await?;
    let mut claims: HashMap<(Uuid, String), Claim> =
        granted.into_iter().map(|(a, p, n)| ((a, p), Claim::Granted(n))).collect();
    let refused: Vec<&&Wanted> =
        wanted.iter().filter(|w| !claims.contains_key(&(w.automation_id, w.igsid.to_owned()))).collect();
    if refused.is_empty() {
        return Ok(claims);
    }
    // Why: still within its hours (or once), or else the loop guard.
    let used: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT u.automation_id, u.igsid FROM automation_uses u
         JOIN unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS w(a, p, at)
           ON u.automation_id = w.a AND u.igsid = w.p
         WHERE u.free_after > w.at",
    )
    .bind(refused.iter().map(|w| w.automation_id).collect::<Vec<_>>())
    .bind(refused.iter().map(|w| w.igsid).collect::<Vec<_>>())
    .bind(refused.iter().map(|w| w.at).collect::<Vec<_>>())
    .fetch_all(&mut *db)
    .await?;
    let used: std::collections::HashSet<(Uuid, String)> = used.into_iter().collect();
    for w in refused {
        let key = (w.automation_id, w.igsid.to_owned());
        let why = if used.contains(&key) { Refusal::Used } else { Refusal::Loop };
        claims.insert(key, Claim::Refused(why));
    }
    Ok(claims)
}

/// True when the person may not get the instance's automation now (once, or within its hours).
pub async fn used_now(
    pg: &sqlx::PgPool,
    tenant: Tenant<'_>,
    automation_id: Uuid,
    igsid: &str,
) -> Result<bool, StoreError> {
    Ok(sqlx::query_scalar::<_, bool>(
        "SELECT u.free_after > now() FROM automation_uses u
         JOIN instagram_automations a ON a.id = u.automation_id AND a.instance_id = $3
         WHERE u.automation_id = $1 AND u.igsid = $2",
    )
    .bind(automation_id)
    .bind(igsid)
    .bind(tenant.id())
    .fetch_optional(pg)
    .await?
    .unwrap_or(false))
}
