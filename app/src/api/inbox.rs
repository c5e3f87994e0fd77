//! The inbox of the caller's instances: conversations, one conversation, answering by hand.
use crate::domain::id::{InstanceId, PersonId};
use crate::domain::{
    conversation::{Inbox, Thread},
    error::AppError,
};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// An instance's conversations, newest activity first; `q` searches @usernames and texts.
#[server(endpoint = "inbox", input = GetUrl)]
pub async fn get_inbox(instance: InstanceId, #[server(default)] q: Option<String>) -> Result<Inbox, AppError> {
    use crate::backend::{auth, inbox, respond, state};
    respond(
        async {
            let who = auth::require_user().await?;
            Ok(inbox::inbox(&state(), &who, &instance, q.as_deref()).await?)
        }
        .await,
    )
}

/// One conversation both ways; reading it marks it read.
#[server(endpoint = "inbox/thread", input = GetUrl)]
pub async fn get_thread(instance: InstanceId, person: PersonId) -> Result<Thread, AppError> {
    use crate::backend::{auth, inbox, respond, state};
    respond(
        async {
            let who = auth::require_user().await?;
            Ok(inbox::thread(&state(), &who, &instance, &person, true).await?)
        }
        .await,
    )
}

/// Answers a person by hand, inside Meta's 24-hour window: text, an image URL, or both.
#[server(endpoint = "inbox/reply")]
pub async fn send_manual_reply(
    instance_id: InstanceId,
    person_id: PersonId,
    #[server(default)] text: String,
    #[server(default)] image_url: Option<String>,
) -> Result<(), AppError> {
    use crate::backend::{auth, inbox, respond, state};
    respond(
        async {
            use crate::domain::automation_draft::{MessageInput, OutgoingMessage};
            let who = auth::require_user().await?;
            let image_url = image_url.unwrap_or_default();
            let media_kind = if image_url.trim().is_empty() { "" } else { "image" };
            let input = MessageInput { text, media_kind: media_kind.into(), media_url: image_url, buttons: Vec::new() };
            let message = OutgoingMessage::parse(&input).map_err(AppError::Invalid)?;
            Ok(inbox::reply(&state(), &who, &instance_id, &person_id, &message).await?)
        }
        .await,
    )
}

/// Lets the automations answer the conversation again before its pause ran out.
#[server(endpoint = "inbox/resume")]
pub async fn resume_automations(instance_id: InstanceId, person_id: PersonId) -> Result<(), AppError> {
    use crate::backend::{auth, inbox, respond, state};
    respond(
        async {
            let who = auth::require_user().await?;
            Ok(inbox::resume(&state(), &who, &instance_id, &person_id).await?)
        }
        .await,
    )
}
