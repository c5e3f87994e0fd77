//! The bell: the caller's notifications, marking them read, and which kinds go by e-mail.
use crate::domain::{error::AppError, id::NotificationId, notification::Notifications};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// The caller's newest notifications, unread count and e-mail preferences.
#[server(endpoint = "notifications", input = GetUrl)]
pub async fn get_notifications() -> Result<Notifications, AppError> {
    use crate::backend::{auth, notifications, respond, state};
    respond(
        async {
            let who = auth::require_user().await?;
            Ok(notifications::page(&state(), &who).await?)
        }
        .await,
    )
}

/// How many of the caller's notifications are unread: the number on the bell.
#[server(endpoint = "notifications/unread", input = GetUrl)]
pub async fn unread_notifications() -> Result<u32, AppError> {
    use crate::backend::{auth, notifications, respond_part, state};
    respond_part(
        async {
            let who = auth::require_user().await?;
            Ok(notifications::unread(&state(), &who).await?)
        }
        .await,
    )
}

/// Marks one of the caller's notifications read, or every one without `id`.
#[server(endpoint = "notifications/read")]
pub async fn mark_notifications_read(#[server(default)] id: Option<NotificationId>) -> Result<(), AppError> {
    use crate::backend::{auth, notifications, respond, state};
    respond(
        async {
            let who = auth::require_user().await?;
            Ok(notifications::mark_read(&state(), &who, id.as_ref()).await?)
        }
        .await,
    )
}

/// Which kinds the caller wants by e-mail: a checked box (any value) for each kind wanted; the
/// e-mail is written in the language the page was in.
#[server(endpoint = "notifications/prefs")]
pub async fn save_notification_prefs(
    #[server(default)] first_connection: Option<String>,
    #[server(default)] token_expiring: Option<String>,
    #[server(default)] connection_lost: Option<String>,
    #[server(default)] daily_cap_reached: Option<String>,
    #[server(default)] automation_failing: Option<String>,
) -> Result<(), AppError> {
    use crate::{
        backend::{auth, notifications, respond, state},
        domain::notification::NotificationKind as K,
    };
    respond(
        async {
            let who = auth::require_user().await?;
            let on: Vec<K> = [
                (K::FirstConnection, first_connection),
                (K::TokenExpiring, token_expiring),
                (K::ConnectionLost, connection_lost),
                (K::DailyCapReached, daily_cap_reached),
                (K::AutomationFailing, automation_failing),
            ]
            .into_iter()
            .filter_map(|(kind, checked)| checked.map(|_| kind))
            .collect();
            let parts = use_context::<http::request::Parts>().ok_or_else(|| AppError::internal("no request"))?;
            Ok(notifications::save_prefs(&state(), &who, &on, super::auth::request_locale(&parts)).await?)
        }
        .await,
    )
}
