//! PostgreSQL: migrations and one module per table group.
pub mod api_keys;
pub mod audit;
pub mod automation_uses;
pub mod automations;
pub mod comments;
pub mod conversations;
pub mod daily_caps;
pub mod dead_letters;
pub mod deliveries;
pub mod graph_calls;
pub mod ice_breakers;
pub mod insights;
pub mod instance_stats;
pub mod interactions;
pub mod leads;
pub mod notifications;
pub mod oauth_states;
pub mod outbox;
pub mod people;
pub mod queues;
pub mod rate_limits;
pub mod reports;
pub mod schedules;
pub mod sessions;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// True when every migration this build knows has been applied successfully.
pub async fn migrations_applied(pg: &sqlx::PgPool) -> Result<bool, sqlx::Error> {
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version").fetch_all(pg).await?;
    Ok(MIGRATOR.iter().all(|m| applied.contains(&m.version)))
}
