//! `/api/v1/instances/{id}/conversations`: the inbox from code, and sending a DM by hand, under
//! Meta's 24-hour window and through the same outbox, ledger and reports as the inbox.
use super::{
    caller::Caller,
    error::{ApiError, ErrorBody, Refusals},
    json_body,
};
use app::domain::error::FieldCode;
use app::domain::id::{InstanceId, PersonId};
use app::{
    backend::{inbox, AppState},
    domain::{
        automation_draft::{MessageInput, OutgoingMessage},
        conversation::{ConversationSummary, Thread},
        error::AppError,
    },
};
use axum::{
    extract::{rejection::JsonRejection, Path, Query, State},
    http::StatusCode,
    Json,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Search {
    /// An @username or words of the latest messages.
    q: Option<String>,
}

/// The instance's conversations, newest activity first (at most 100).
#[utoipa::path(get, path = "/api/v1/instances/{instance_id}/conversations", tag = "conversations", security(("bearer" = [])),
    params(("instance_id" = String, Path, description = "The instance's id"), Search),
    responses((status = 200, description = "OK", body = Vec<ConversationSummary>), (status = 404, description = "No such id among the caller's", body = ErrorBody),
        Refusals, (status = 422, description = "A search over 100 characters", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(instance_id): Path<InstanceId>,
    search: Result<Query<Search>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<ConversationSummary>>, ApiError> {
    let Query(search) = search.map_err(|_| ApiError::invalid("q", FieldCode::Invalid))?;
    Ok(Json(inbox::inbox(&state, &who, &instance_id, search.q.as_deref()).await?.conversations))
}

/// One conversation both ways, the latest 100 messages oldest first. Reading it here does not
/// mark it read in the inbox.
#[utoipa::path(get, path = "/api/v1/instances/{instance_id}/conversations/{person_id}", tag = "conversations",
    security(("bearer" = [])),
    params(("instance_id" = String, Path, description = "The instance's id"),
        ("person_id" = String, Path, description = "The person's Instagram-scoped id")),
    responses((status = 200, description = "OK", body = Thread), (status = 404, description = "No such id among the caller's", body = ErrorBody), Refusals))]
pub async fn thread(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path((instance_id, person_id)): Path<(InstanceId, PersonId)>,
) -> Result<Json<Thread>, ApiError> {
    Ok(Json(inbox::thread(&state, &who, &instance_id, &person_id, false).await?))
}

#[derive(Serialize, ToSchema)]
pub struct Queued {
    /// Messages queued: a text and a file go as two.
    pub queued: u32,
}

/// Sends a DM: a text, a file (image, video, audio or file by URL), or a text with up to three
/// link buttons. Only inside Meta's 24-hour window; the automations then pause for the
/// conversation, as when a person answers from the inbox.
#[utoipa::path(post, path = "/api/v1/instances/{instance_id}/conversations/{person_id}/messages",
    tag = "conversations", security(("bearer" = [])),
    params(("instance_id" = String, Path, description = "The instance's id"),
        ("person_id" = String, Path, description = "The person's Instagram-scoped id")),
    request_body = MessageInput,
    responses((status = 202, description = "Queued for the outbox", body = Queued), (status = 404, description = "No such id among the caller's", body = ErrorBody),
        Refusals, (status = 422, description = "A message Meta would refuse, the window closed (`window_closed`) or the instance not connected (`not_connected`)", body = ErrorBody)))]
pub async fn send(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path((instance_id, person_id)): Path<(InstanceId, PersonId)>,
    body: Result<Json<MessageInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Queued>), ApiError> {
    let input = json_body(body)?;
    let message = OutgoingMessage::parse(&input).map_err(AppError::Invalid)?;
    inbox::reply(&state, &who, &instance_id, &person_id, &message).await?;
    let queued = u32::from(message.text.is_some()) + u32::from(message.attachment.is_some());
    Ok((StatusCode::ACCEPTED, Json(Queued { queued })))
}
