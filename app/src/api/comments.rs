//! The comments page: posts and their threads, answering by hand, hiding and showing again.
use crate::domain::id::{CommentId, InstanceId, MediaId};
use crate::domain::{
    comment::{CommentPosts, CommentThread},
    error::AppError,
};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// The instance's posts with their comment counts (asks Meta for the pictures).
#[server(endpoint = "comments/posts", input = GetUrl)]
pub async fn get_comment_posts(instance: InstanceId) -> Result<CommentPosts, AppError> {
    use crate::backend::{auth, comments, respond, state};
    respond(async { Ok(comments::posts(&state(), &auth::require_user().await?, &instance).await?) }.await)
}

/// A post's comments as threads, newest first.
#[server(endpoint = "comments/threads", input = GetUrl)]
pub async fn get_comment_threads(instance: InstanceId, media: MediaId) -> Result<Vec<CommentThread>, AppError> {
    use crate::backend::{auth, comments, respond, state};
    respond(async { Ok(comments::threads(&state(), &auth::require_user().await?, &instance, &media).await?) }.await)
}

/// Answers a comment: `way` is `public` (in its thread) or `private` (Meta's one DM).
#[server(endpoint = "comments/reply")]
pub async fn answer_comment(
    instance_id: InstanceId,
    comment_id: CommentId,
    way: String,
    #[server(default)] text: String,
) -> Result<(), AppError> {
    use crate::backend::{auth, comments, respond, state};
    respond(
        async {
            let privately = match way.as_str() {
                "public" => false,
                "private" => true,
                _ => return Err(AppError::invalid("way", crate::domain::error::FieldCode::Invalid)),
            };
            let who = auth::require_user().await?;
            Ok(comments::reply(&state(), &who, &instance_id, &comment_id, &text, privately).await?)
        }
        .await,
    )
}

#[server(endpoint = "comments/hide")]
pub async fn hide_comment(instance_id: InstanceId, comment_id: CommentId, hidden: bool) -> Result<(), AppError> {
    use crate::backend::{auth, comments, respond, state};
    respond(
        async {
            let who = auth::require_user().await?;
            Ok(comments::set_hidden(&state(), &who, &instance_id, &comment_id, hidden).await?)
        }
        .await,
    )
}
