//! `/api/v1/instances`: the caller's Instagram instances and their figures.
use super::{
    caller::Caller,
    error::{ApiError, ErrorBody, Refusals},
};
use app::domain::id::InstanceId;
use app::{
    backend::{
        instances,
        store::{access::Scope, mongo::instances as stored},
        AppState,
    },
    domain::instance::{InstanceCard, InstanceStats},
};
use axum::{
    extract::{Path, State},
    Json,
};

/// Every instance of the caller, oldest first.
#[utoipa::path(get, path = "/api/v1/instances", tag = "instances", security(("bearer" = [])),
    responses((status = 200, description = "OK", body = Vec<InstanceCard>), Refusals))]
pub async fn list(State(state): State<AppState>, Caller(who): Caller) -> Result<Json<Vec<InstanceCard>>, ApiError> {
    let docs = stored::list(&state.mongo, &Scope::own(&who)).await.map_err(app::domain::error::AppError::from)?;
    Ok(Json(instances::cards(&state, &docs).await?))
}

/// One instance.
#[utoipa::path(get, path = "/api/v1/instances/{instance_id}", tag = "instances", security(("bearer" = [])),
    params(("instance_id" = String, Path, description = "The instance's id")),
    responses((status = 200, description = "OK", body = InstanceCard), (status = 404, description = "No such id among the caller's", body = ErrorBody), Refusals))]
pub async fn get(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(instance_id): Path<InstanceId>,
) -> Result<Json<InstanceCard>, ApiError> {
    Ok(Json(instances::card(&state, &who, &instance_id).await?))
}

/// An instance's interactions, today's replies against its daily cap, and webhooks received.
#[utoipa::path(get, path = "/api/v1/instances/{instance_id}/stats", tag = "instances", security(("bearer" = [])),
    params(("instance_id" = String, Path, description = "The instance's id")),
    responses((status = 200, description = "OK", body = InstanceStats), (status = 404, description = "No such id among the caller's", body = ErrorBody), Refusals))]
pub async fn stats(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(instance_id): Path<InstanceId>,
) -> Result<Json<InstanceStats>, ApiError> {
    Ok(Json(instances::stats(&state, &who, &instance_id).await?))
}
