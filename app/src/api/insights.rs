//! Insights of the caller's instances.
use crate::domain::id::InstanceId;
use crate::domain::{error::AppError, insight::InsightsView};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// The last 30 synced days of one of the caller's instances.
#[server(endpoint = "insights", input = GetUrl)]
pub async fn get_insights(instance: InstanceId) -> Result<InsightsView, AppError> {
    use crate::backend::{auth, insights, respond, state};
    respond(
        async {
            let who = auth::require_user().await?;
            Ok(insights::view(&state(), &who, &instance).await?)
        }
        .await,
    )
}

/// Reads the instance's figures from Meta now (at most every 15 minutes).
#[server(endpoint = "insights/refresh")]
pub async fn refresh_insights(id: InstanceId) -> Result<(), AppError> {
    use crate::backend::{auth, insights, respond, state};
    respond(
        async {
            let who = auth::require_user().await?;
            Ok(insights::refresh(&state(), &who, &id).await?)
        }
        .await,
    )
}
