//! Instances' account figures per day.
use super::super::{
    access::{System, Tenant},
    StoreError,
};
use crate::{
    backend::meta::DayFigures,
    domain::{id::UserId, insight::InsightDay},
};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

/// The figures of an instance's day synced `at`, replacing what an earlier sync of the day wrote.
pub async fn save(
    pg: &PgPool,
    _: &System,
    instance_id: &str,
    user_id: &str,
    at: DateTime<Utc>,
    figures: &DayFigures,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO instance_insights (instance_id, user_id, day, followers, reach, views, profile_views, synced_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (instance_id, day) DO UPDATE SET followers = $4, reach = $5, views = $6, profile_views = $7,
             synced_at = $8",
    )
    .bind(instance_id)
    .bind(user_id)
    .bind(at.date_naive())
    .bind(figures.followers)
    .bind(figures.reach)
    .bind(figures.views)
    .bind(figures.profile_views)
    .bind(at)
    .execute(pg)
    .await?;
    Ok(())
}

type Row = (NaiveDate, i64, Option<i64>, Option<i64>, Option<i64>, DateTime<Utc>);

/// The owner's instance's last `days` synced days, oldest first, and when it was last synced.
pub async fn recent(
    pg: &PgPool,
    user_id: &UserId,
    tenant: Tenant<'_>,
    days: i64,
) -> Result<(Vec<InsightDay>, Option<DateTime<Utc>>), StoreError> {
    let instance_id = tenant.id();
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT day, followers, reach, views, profile_views, synced_at FROM (
             SELECT * FROM instance_insights WHERE user_id = $1 AND instance_id = $2 ORDER BY day DESC LIMIT $3
         ) last ORDER BY day",
    )
    .bind(user_id)
    .bind(instance_id)
    .bind(days)
    .fetch_all(pg)
    .await?;
    let synced = rows.iter().map(|r| r.5).max();
    let days = rows
        .into_iter()
        .map(|(day, followers, reach, views, profile_views, _)| InsightDay {
            day,
            followers,
            reach,
            views,
            profile_views,
        })
        .collect();
    Ok((days, synced))
}

/// Of `instance_ids`, those synced on `day` already.
pub async fn synced_on(
    pg: &PgPool,
    _: &System,
    instance_ids: &[String],
    day: NaiveDate,
) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar("SELECT instance_id FROM instance_insights WHERE instance_id = ANY($1) AND day = $2")
        .bind(instance_ids)
        .bind(day)
        .fetch_all(pg)
        .await?)
}
