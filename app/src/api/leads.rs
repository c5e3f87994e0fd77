//! Leads to Clerky's CRM: an instance's outbound webhook, its delivery log, and replaying one.
use crate::domain::id::{InstanceId, LeadDeliveryId};
use crate::domain::{error::AppError, lead::LeadsView};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[server(endpoint = "leads", input = GetUrl)]
pub async fn get_leads(instance: InstanceId) -> Result<LeadsView, AppError> {
    use crate::backend::{auth, leads, respond, state};
    respond(async { Ok(leads::view(&state(), &auth::require_user().await?, &instance).await?) }.await)
}

/// Sets where the instance's leads go; an empty secret keeps the current one (or makes one).
#[server(endpoint = "leads/webhook")]
pub async fn save_lead_webhook(
    instance_id: InstanceId,
    url: String,
    #[server(default)] secret: String,
) -> Result<(), AppError> {
    use crate::backend::{auth, leads, respond, state};
    respond(async { Ok(leads::save(&state(), &auth::require_user().await?, &instance_id, &url, &secret).await?) }.await)
}

#[server(endpoint = "leads/webhook/remove")]
pub async fn remove_lead_webhook(instance_id: InstanceId) -> Result<(), AppError> {
    use crate::backend::{auth, leads, respond, state};
    respond(async { Ok(leads::remove(&state(), &auth::require_user().await?, &instance_id).await?) }.await)
}

#[server(endpoint = "leads/replay")]
pub async fn replay_lead(id: LeadDeliveryId) -> Result<(), AppError> {
    use crate::backend::{auth, leads, respond, state};
    respond(async { Ok(leads::replay(&state(), &auth::require_user().await?, &id).await?) }.await)
}
