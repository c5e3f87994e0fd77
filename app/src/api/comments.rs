//! The comments page: posts and their threads, answering by hand, hiding and showing again.
use crate::domain::{comment::CommentsView, error::AppError};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[server(endpoint = "comments", input = GetUrl)]
pub async fn get_comments(
    instance: String,
    #[server(default)] media: Option<String>,
) -> Result<CommentsView, AppError> {
    use crate::backend::{auth, comments, respond, state};
    respond(async { comments::view(&state(), &auth::require_user().await?, &instance, media.as_deref()).await }.await)
}

/// Answers a comment: `way` is `public` (in its thread) or `private` (Meta's one DM).
#[server(endpoint = "comments/reply")]
pub async fn answer_comment(
    instance_id: String,
    comment_id: String,
    way: String,
    #[server(default)] text: String,
) -> Result<(), AppError> {
    use crate::backend::{auth, comments, respond, state};
    respond(
        async {
            let privately = match way.as_str() {
                "public" => false,
                "private" => true,
                _ => return Err(AppError::invalid("way", "invalid")),
            };
            let who = auth::require_user().await?;
            comments::reply(&state(), &who, &instance_id, &comment_id, &text, privately).await
        }
        .await,
    )
}

#[server(endpoint = "comments/hide")]
pub async fn hide_comment(instance_id: String, comment_id: String, hidden: bool) -> Result<(), AppError> {
    use crate::backend::{auth, comments, respond, state};
    respond(
        async {
            let who = auth::require_user().await?;
            comments::set_hidden(&state(), &who, &instance_id, &comment_id, hidden).await
        }
        .await,
    )
}
