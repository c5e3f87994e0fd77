//! `ice_breakers`: each instance's questions as registered at Meta. Keyed by the instance only:
//! the caller proves it owns the instance first.
use super::super::{access::Tenant, StoreError};
use crate::domain::ice_breakers::IceBreaker;
use sqlx::{types::Json, PgExecutor};

pub async fn of(db: impl PgExecutor<'_>, tenant: Tenant<'_>) -> Result<Vec<IceBreaker>, StoreError> {
    let instance_id = tenant.id();
    let stored: Option<Json<Vec<IceBreaker>>> =
        sqlx::query_scalar("SELECT questions FROM ice_breakers WHERE instance_id = $1")
            .bind(instance_id)
            .fetch_optional(db)
            .await?;
    Ok(stored.map(|json| json.0).unwrap_or_default())
}

pub async fn replace(db: impl PgExecutor<'_>, tenant: Tenant<'_>, questions: &[IceBreaker]) -> Result<(), StoreError> {
    let instance_id = tenant.id();
    sqlx::query(
        "INSERT INTO ice_breakers (instance_id, questions) VALUES ($1, $2)
         ON CONFLICT (instance_id) DO UPDATE SET questions = EXCLUDED.questions, registered_at = now()",
    )
    .bind(instance_id)
    .bind(Json(questions))
    .execute(db)
    .await?;
    Ok(())
}
