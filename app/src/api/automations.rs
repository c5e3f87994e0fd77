//! The automation editor: the caller's automations per instance, and trying them out.
use crate::domain::id::{AutomationId, InstanceId};
use crate::domain::{
    automation_draft::{AutomationInput, AutomationsOverview, MediaItem, Saved, TrialOutcome},
    error::AppError,
};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// The automations page at once: the caller's instances and the automations of `instance_id`
/// (their first instance when absent).
#[server(endpoint = "automations/overview", input = GetUrl)]
pub async fn get_automations(
    #[server(default)] instance_id: Option<InstanceId>,
) -> Result<AutomationsOverview, AppError> {
    use crate::backend::{auth, automations, respond, state};
    respond(
        async { Ok(automations::overview(&state(), &auth::require_user().await?, instance_id.as_ref()).await?) }.await,
    )
}

/// Creates an automation (no `id`) or replaces one; checked on the server, field by field.
#[server(endpoint = "automations/save")]
pub async fn save_automation(
    instance_id: InstanceId,
    #[server(default)] id: Option<AutomationId>,
    input: AutomationInput,
) -> Result<Saved, AppError> {
    use crate::backend::{auth, automations, respond, state};
    respond(
        async {
            Ok(automations::save(&state(), &auth::require_user().await?, &instance_id, id.as_ref(), &input).await?)
        }
        .await,
    )
}

/// Turns an automation on (`active` = `true`) or off.
#[server(endpoint = "automations/active")]
pub async fn set_automation_active(id: AutomationId, active: String) -> Result<(), AppError> {
    use crate::backend::{auth, automations, respond, state};
    respond(
        async { Ok(automations::set_active(&state(), &auth::require_user().await?, &id, active == "true").await?) }
            .await,
    )
}

/// Moves an automation one place earlier (`direction` = `up`) or later (`down`) in the order
/// its instance tries them.
#[server(endpoint = "automations/move")]
pub async fn move_automation(id: AutomationId, direction: String) -> Result<(), AppError> {
    use crate::backend::{auth, automations, respond, state};
    respond(async { Ok(automations::move_one(&state(), &auth::require_user().await?, &id, &direction).await?) }.await)
}

/// Registers the instance's ice breakers (up to 4 questions, each running a DM automation).
#[server(endpoint = "automations/ice_breakers")]
pub async fn save_ice_breakers(
    instance_id: InstanceId,
    #[server(default)] questions: Vec<crate::domain::ice_breakers::IceBreakerInput>,
) -> Result<Vec<crate::domain::ice_breakers::IceBreaker>, AppError> {
    use crate::backend::{auth, automations, respond, state};
    respond(
        async {
            Ok(automations::save_ice_breakers(&state(), &auth::require_user().await?, &instance_id, &questions).await?)
        }
        .await,
    )
}

/// Deletes an automation; the reports of what it sent stay.
#[server(endpoint = "automations/delete")]
pub async fn delete_automation(id: AutomationId) -> Result<(), AppError> {
    use crate::backend::{auth, automations, respond, state};
    respond(async { Ok(automations::delete(&state(), &auth::require_user().await?, &id).await?) }.await)
}

/// The posts and reels of one of the caller's instances (their first when absent).
#[server(endpoint = "automations/media", input = GetUrl)]
pub async fn list_media(#[server(default)] instance_id: Option<InstanceId>) -> Result<Vec<MediaItem>, AppError> {
    use crate::backend::{auth, automations, respond_part, state};
    respond_part(
        async { Ok(automations::media(&state(), &auth::require_user().await?, instance_id.as_ref()).await?) }.await,
    )
}

/// Which automation would answer a sample DM or comment, and the exact reply; sends nothing.
#[server(endpoint = "automations/try")]
pub async fn try_automation(
    instance_id: InstanceId,
    kind: String,
    text: String,
    #[server(default)] username: String,
    #[server(default)] media_id: String,
) -> Result<TrialOutcome, AppError> {
    use crate::backend::{auth, automations, respond, state};
    respond(
        async {
            let who = auth::require_user().await?;
            Ok(automations::trial(&state(), &who, &instance_id, &kind, &text, &username, &media_id).await?)
        }
        .await,
    )
}
