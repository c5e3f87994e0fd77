//! The comments page: an instance's posts with the comments they got, each post's comments as
//! threads, and what the account can do with each (answer publicly or by DM, hide, show again).
use super::id::{CommentId, InstanceId, MediaId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Meta takes one private reply per comment, within this many days of it.
pub const PRIVATE_REPLY_DAYS: i64 = 7;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostSummary {
    pub media_id: MediaId,
    pub caption: Option<String>,
    pub thumbnail_url: Option<String>,
    pub permalink: Option<String>,
    /// Comments stored for it (the account's own replies aside), and the latest one's time.
    pub comments: i64,
    pub latest_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentView {
    pub id: CommentId,
    pub username: Option<String>,
    /// The account's own comment (a public reply).
    pub from_account: bool,
    pub text: Option<String>,
    pub at: DateTime<Utc>,
    pub hidden: bool,
    /// The latest private reply to it: `pending`, `sent` or `failed`.
    pub private_reply: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentThread {
    pub comment: CommentView,
    /// Oldest first.
    pub replies: Vec<CommentView>,
    /// Meta would still take a private reply: none sent or on its way, and under 7 days old.
    pub can_reply_privately: bool,
}

/// The posts of an instance, for choosing one. Asked of Meta once per visit, never on every live
/// event: Meta counts each call against the account's hourly quota.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentPosts {
    pub instance_id: InstanceId,
    pub instance_name: String,
    pub posts: Vec<PostSummary>,
    /// Meta could not list the posts now: the ones with stored comments are shown without pictures.
    pub posts_unavailable: bool,
}
