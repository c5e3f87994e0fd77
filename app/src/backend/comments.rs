//! The comments page (issue: inbox, point 4): an instance's posts and their comments as threads,
//! answered by hand publicly or by DM, hidden or shown again. A hand-written answer is a report of
//! the comment, sent by the outbox like an automated one (at the account's pace, under the same
//! ledger, so once); hiding is Meta's moderation call, made at once.
use super::error::Error;
use super::{
    auth::SignedIn,
    live::{self, Tally},
    state::AppState,
    store::{
        access::{Scope, System},
        mongo::instances::{self, InstanceDoc},
        pg::{comments, daily_caps, outbox, reports},
    },
};
use crate::domain::error::FieldCode;
use crate::domain::id::{CommentId, InstanceId, MediaId};
use crate::domain::report::ReplyStatus;
use crate::domain::{
    automation::{AutomationKind, ResponseType},
    automation_draft::REPLY_MAX_BYTES,
    comment::{CommentPosts, CommentThread, PostSummary, PRIVATE_REPLY_DAYS},
    error::AppError,
    instance::InstanceStatus,
};
use chrono::Duration;

/// Threads shown per post.
const THREADS: i64 = 50;
/// Meta's limit on a comment's text.
const COMMENT_CHARS: usize = 2200;

/// The instance's posts, those with the latest comments first.
pub async fn posts(state: &AppState, who: &SignedIn, instance_id: &InstanceId) -> Result<CommentPosts, Error> {
    let doc = instances::find(&state.mongo, &Scope::own(who), instance_id).await?;
    let account = doc.instagram_account_id.clone().unwrap_or_default();
    let counted = comments::per_media(&state.pg, doc.tenant(), &account).await?;
    // The account's posts from Meta (pictures, captions); if Meta cannot answer now, the posts
    // the stored comments name.
    let media = super::automations::media_of(state, &doc).await;
    let posts_unavailable = media.is_err();
    let mut posts: Vec<PostSummary> = media
        .unwrap_or_default()
        .into_iter()
        .map(|m| {
            let count = counted.iter().find(|(media, ..)| *media == m.id);
            PostSummary {
                comments: count.map_or(0, |c| c.1),
                latest_at: count.map(|c| c.2),
                media_id: m.id,
                caption: m.caption,
                thumbnail_url: m.thumbnail_url,
                permalink: m.permalink,
            }
        })
        .collect();
    for (media, count, latest) in &counted {
        if !posts.iter().any(|p| p.media_id == *media) {
            posts.push(PostSummary {
                media_id: media.clone(),
                caption: None,
                thumbnail_url: None,
                permalink: None,
                comments: *count,
                latest_at: Some(*latest),
            });
        }
    }
    posts.sort_by_key(|p| std::cmp::Reverse(p.latest_at));
    Ok(CommentPosts { instance_id: doc.instance_id(), instance_name: doc.display_name(), posts, posts_unavailable })
}

/// A post's latest comments as threads, from what intake stored (no call to Meta).
pub async fn threads(
    state: &AppState,
    who: &SignedIn,
    instance_id: &InstanceId,
    media_id: &MediaId,
) -> Result<Vec<CommentThread>, Error> {
    let doc = instances::find(&state.mongo, &Scope::own(who), instance_id).await?;
    let account = doc.instagram_account_id.clone().unwrap_or_default();
    Ok(comments::threads(&state.pg, doc.tenant(), &account, media_id, THREADS)
        .await?
        .into_iter()
        .map(|(comment, replies)| CommentThread {
            can_reply_privately: !comment.from_account
                && comment.private_reply.as_deref().is_none_or(|s| s == "failed")
                && state.clock.now() - comment.at < Duration::days(PRIVATE_REPLY_DAYS),
            comment,
            replies,
        })
        .collect())
}

/// A connected instance of the caller, and one of its stored comments.
async fn comment_of(
    state: &AppState,
    who: &SignedIn,
    instance_id: &InstanceId,
    comment_id: &CommentId,
) -> Result<(InstanceDoc, comments::Stored), Error> {
    let doc = instances::find(&state.mongo, &Scope::own(who), instance_id).await?;
    let comment = comments::find(&state.pg, doc.tenant(), comment_id).await?.ok_or(AppError::NotFound)?;
    if doc.status != InstanceStatus::Connected {
        return Err(Error::invalid("text", FieldCode::NotConnected));
    }
    Ok((doc, comment))
}

/// Answers a comment by hand: publicly in its thread, or `privately` by DM (Meta's one private
/// reply, within 7 days).
pub async fn reply(
    state: &AppState,
    who: &SignedIn,
    instance_id: &InstanceId,
    comment_id: &CommentId,
    text: &str,
    privately: bool,
) -> Result<(), Error> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::invalid("text", FieldCode::Required));
    }
    if text.len() > REPLY_MAX_BYTES || text.chars().count() > COMMENT_CHARS {
        return Err(Error::invalid("text", FieldCode::TooLongBytes));
    }
    let (doc, comment) = comment_of(state, who, instance_id, comment_id).await?;
    let id = doc.id.to_hex();
    let own = doc.instagram_account_id.as_deref() == Some(comment.from_user_id.as_str());
    if !privately && comment.hidden {
        return Err(Error::invalid("text", FieldCode::CommentHidden));
    }
    let part = if privately {
        if own {
            return Err(Error::invalid("text", FieldCode::OwnComment));
        }
        if state.clock.now() - comment.at >= Duration::days(PRIVATE_REPLY_DAYS) {
            return Err(Error::invalid("text", FieldCode::PrivateReplyExpired));
        }
        if comments::privately_answered(&state.pg, doc.tenant(), comment_id).await? {
            return Err(Error::invalid("text", FieldCode::PrivateReplyUsed));
        }
        9
    } else {
        comments::next_manual_part(&state.pg, doc.tenant(), comment_id).await?
    };
    let top = comment.parent_id.as_ref().unwrap_or(comment_id);
    let user_id = who.id();
    let now = state.clock.now();
    let mut rows = [reports::NewReport {
        instance_id: &id,
        user_id: user_id.as_str(),
        automation_id: None,
        kind: AutomationKind::Comment,
        event_id: comment_id.as_str(),
        part,
        reply_target: (!privately).then_some(top.as_str()),
        user_id_instagram: &comment.from_user_id,
        media_id: comment.media_id.as_ref().map(MediaId::as_str),
        username: comment.from_username.as_deref(),
        interaction_text: comment.text.as_deref(),
        response_text: Some(text.to_owned()),
        response_type: Some(if privately { ResponseType::Direct } else { ResponseType::Comment }),
        reply_extras: None,
        status: ReplyStatus::Pending,
        error: None,
        timestamp: now,
        received_at: now,
    }];
    // The person's checked action becomes the engine's work, which serves every tenant.
    let queues = System::handoff(&doc);
    let mut tx = state.pg.begin().await?;
    // Two answers written at once may want the same part: the second says so instead of vanishing.
    if reports::insert_many(&mut tx, &queues, &mut rows).await?.is_empty() {
        return Err(Error::invalid("text", if privately { FieldCode::PrivateReplyUsed } else { FieldCode::TryAgain }));
    }
    daily_caps::reserve(&mut tx, &queues, &[daily_caps::Wanted { instance_id: &id, replies: 1, cap: i32::MAX }])
        .await?;
    outbox::wake(&mut tx, &queues, &[(id.clone(), now)]).await?;
    let mut tally = Tally::default();
    tally.add(user_id.as_str(), &id, ReplyStatus::Pending);
    live::notify(&mut tx, &tally.events()).await?;
    tx.commit().await?;
    state.wake_outbox.notify_one();
    Ok(())
}

/// Hides a comment from everyone but its author, or shows it again, at Meta and here.
pub async fn set_hidden(
    state: &AppState,
    who: &SignedIn,
    instance_id: &InstanceId,
    comment_id: &CommentId,
    hidden: bool,
) -> Result<(), Error> {
    let (doc, comment) = comment_of(state, who, instance_id, comment_id).await?;
    if doc.instagram_account_id.as_deref() == Some(comment.from_user_id.as_str()) {
        return Err(Error::invalid("text", FieldCode::OwnComment));
    }
    let token = super::instances::token(state, &doc)
        .ok_or_else(|| Error::internal(format!("the token of instance {} cannot be decrypted", doc.id)))?;
    state.meta.hide_comment(&token, comment_id, hidden).await.map_err(|error| {
        tracing::warn!(instance.id = %doc.id, "cannot hide or show a comment: {error}");
        if error.is_transient() {
            AppError::MetaUnavailable
        } else {
            AppError::invalid("text", FieldCode::MetaRefused)
        }
    })?;
    let id = doc.id.to_hex();
    comments::set_hidden(&state.pg, doc.tenant(), comment_id, hidden).await?;
    let mut tally = Tally::default();
    tally.touch(who.id().as_str(), &id);
    if let Err(error) = live::publish(&state.pg, &tally.events()).await {
        tracing::warn!("cannot announce a hidden comment: {error}");
    }
    Ok(())
}
