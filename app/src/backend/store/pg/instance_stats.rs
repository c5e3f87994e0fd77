//! What an instance's card shows beside its connection: today's replies (against the cap), its
//! active automations and its latest failed reply, for many instances in one query.
use super::super::{access::Tenant, StoreError};
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use std::collections::HashMap;

/// One instance's figures.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub replies_today: i64,
    pub active_automations: i64,
    /// The reason and time of its latest failed reply in the last 7 days.
    pub last_failure: Option<(String, DateTime<Utc>)>,
}

pub async fn of(pg: &PgPool, tenants: &[Tenant<'_>]) -> Result<HashMap<String, Stats>, StoreError> {
    let instance_ids: Vec<&str> = tenants.iter().map(|t| t.id()).collect();
    // One round trip for every card: each figure is its own index lookup per instance; the
    // latest failure reads each instance's newest rows first, failures only, within the week.
    type Row = (String, i64, i64, Option<String>, Option<DateTime<Utc>>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT i.id,
                (SELECT COALESCE(sum(replies), 0)::bigint FROM daily_reply_counts d
                 WHERE d.instance_id = i.id AND d.day = (now() AT TIME ZONE 'UTC')::date),
                (SELECT count(*) FROM instagram_automations a WHERE a.instance_id = i.id AND a.is_active),
                f.error, f.\"timestamp\"
         FROM unnest($1::text[]) AS i(id)
         LEFT JOIN LATERAL (SELECT error, \"timestamp\" FROM instagram_reports r
                            WHERE r.instance_id = i.id AND r.status = 'failed'
                              AND r.\"timestamp\" > now() - interval '7 days'
                            ORDER BY r.\"timestamp\" DESC, r.id DESC LIMIT 1) f ON true",
    )
    .bind(&instance_ids)
    .fetch_all(pg)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, replies_today, active_automations, error, failed_at)| {
            let last_failure = failed_at.map(|at| (error.unwrap_or_default(), at));
            (id, Stats { replies_today, active_automations, last_failure })
        })
        .collect())
}

/// An instance's interactions in all and since today began (UTC), from the report rollups (the
/// folded counts and the deltas not folded yet), and the events Meta delivered for it.
pub async fn totals(pg: &PgPool, tenant: Tenant<'_>) -> Result<(i64, i64, i64), StoreError> {
    let instance_id = tenant.id();
    const FIRSTS: &str = "first_dm_sent + first_dm_failed + first_dm_pending + first_dm_skipped
        + first_comment_sent + first_comment_failed + first_comment_pending + first_comment_skipped";
    let (total, today): (i64, i64) = sqlx::query_as(&format!(
        "SELECT COALESCE(sum({FIRSTS}), 0)::bigint,
                COALESCE(sum({FIRSTS}) FILTER (WHERE hour >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'), 0)::bigint
         FROM (SELECT * FROM report_rollups WHERE instance_id = $1 AND automation_id IS NULL
               UNION ALL
               SELECT * FROM report_rollup_deltas WHERE instance_id = $1 AND automation_id IS NULL) AS counts"
    ))
    .bind(instance_id)
    .fetch_one(pg)
    .await?;
    let received: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM instagram_messages WHERE instance_id = $1 AND NOT is_echo)
              + (SELECT count(*) FROM instagram_comments WHERE instance_id = $1)",
    )
    .bind(instance_id)
    .fetch_one(pg)
    .await?;
    Ok((total, today, received))
}
