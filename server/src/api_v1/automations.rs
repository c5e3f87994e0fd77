//! `/api/v1/.../automations`: the editor's automations, with the editor's validation.
use super::{
    caller::Caller,
    error::{ApiError, ErrorBody, Refusals},
    json_body,
};
use app::domain::id::{AutomationId, InstanceId};
use app::{
    backend::{auth::SignedIn, automations, AppState},
    domain::automation_draft::{AutomationInput, AutomationView},
};
use axum::{
    extract::{rejection::JsonRejection, Path, State},
    http::StatusCode,
    Json,
};
use serde::Serialize;
use utoipa::ToSchema;

/// An automation as saved, and keywords another active automation of the instance also answers
/// (a warning: the earlier one in the order wins).
#[derive(Serialize, ToSchema)]
pub struct SavedAutomation {
    pub automation: AutomationView,
    pub shared_keywords: Vec<String>,
}

/// The instance's automations in the order they are tried.
#[utoipa::path(get, path = "/api/v1/instances/{instance_id}/automations", tag = "automations", security(("bearer" = [])),
    params(("instance_id" = String, Path, description = "The instance's id")),
    responses((status = 200, description = "OK", body = Vec<AutomationView>), (status = 404, description = "No such id among the caller's", body = ErrorBody), Refusals))]
pub async fn list(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(instance_id): Path<InstanceId>,
) -> Result<Json<Vec<AutomationView>>, ApiError> {
    Ok(Json(automations::of_instance(&state, &who, &instance_id).await?))
}

/// Creates an automation on the instance; it is active at once.
#[utoipa::path(post, path = "/api/v1/instances/{instance_id}/automations", tag = "automations", security(("bearer" = [])),
    params(("instance_id" = String, Path, description = "The instance's id")),
    request_body = AutomationInput,
    responses((status = 201, description = "Created", body = SavedAutomation), (status = 404, description = "No such id among the caller's", body = ErrorBody),
        Refusals, (status = 422, description = "A field the editor would refuse", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(instance_id): Path<InstanceId>,
    body: Result<Json<AutomationInput>, JsonRejection>,
) -> Result<(StatusCode, Json<SavedAutomation>), ApiError> {
    let saved = save(&state, &who, &instance_id, None, &json_body(body)?).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// Saves as the editor does, and answers with the automation as stored.
async fn save(
    state: &AppState,
    who: &SignedIn,
    instance_id: &InstanceId,
    id: Option<&AutomationId>,
    input: &AutomationInput,
) -> Result<SavedAutomation, ApiError> {
    let saved = automations::save(state, who, instance_id, id, input).await?;
    let automation = automations::find(state, who, &saved.id).await?;
    Ok(SavedAutomation { automation, shared_keywords: saved.shared_keywords })
}

/// One automation.
#[utoipa::path(get, path = "/api/v1/automations/{automation_id}", tag = "automations", security(("bearer" = [])),
    params(("automation_id" = String, Path, description = "The automation's id")),
    responses((status = 200, description = "OK", body = AutomationView), (status = 404, description = "No such id among the caller's", body = ErrorBody), Refusals))]
pub async fn get(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(automation_id): Path<AutomationId>,
) -> Result<Json<AutomationView>, ApiError> {
    Ok(Json(automations::find(&state, &who, &automation_id).await?))
}

/// Replaces an automation with the body (every field, as the editor saves it).
#[utoipa::path(put, path = "/api/v1/automations/{automation_id}", tag = "automations", security(("bearer" = [])),
    params(("automation_id" = String, Path, description = "The automation's id")),
    request_body = AutomationInput,
    responses((status = 200, description = "OK", body = SavedAutomation), (status = 404, description = "No such id among the caller's", body = ErrorBody),
        Refusals, (status = 422, description = "A field the editor would refuse", body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(automation_id): Path<AutomationId>,
    body: Result<Json<AutomationInput>, JsonRejection>,
) -> Result<Json<SavedAutomation>, ApiError> {
    let input = json_body(body)?;
    let instance_id = automations::instance_of(&state, &who, &automation_id).await?;
    Ok(Json(save(&state, &who, &instance_id, Some(&automation_id), &input).await?))
}

/// Deletes an automation; its reports stay.
#[utoipa::path(delete, path = "/api/v1/automations/{automation_id}", tag = "automations", security(("bearer" = [])),
    params(("automation_id" = String, Path, description = "The automation's id")),
    responses((status = 204, description = "Deleted"), (status = 404, description = "No such id among the caller's", body = ErrorBody), Refusals))]
pub async fn delete(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(automation_id): Path<AutomationId>,
) -> Result<StatusCode, ApiError> {
    automations::delete(&state, &who, &automation_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
