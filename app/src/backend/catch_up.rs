//! Catch-up (seed 05): what the accounts received while webhooks did not reach us (the service
//! down longer than Meta retries, or an instance disconnected) is read back through the Graph API,
//! DMs from the Conversations API and comments from the recent posts, and stored as one delivery
//! of Meta's own shape. The engine then takes it in like any other: the same event keys (a DM's
//! `mid`, a comment's id), so what had arrived already is not recorded or answered again.
use super::{
    instances,
    meta::{history::ReadComment, MetaError},
    state::AppState,
    store::{access::System, mongo::instances::InstanceDoc, StoreError},
};
use crate::domain::id::MediaId;
use crate::domain::instance::InstanceStatus;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

/// Nothing older is read back: Meta's messaging window is 24 hours, so older DMs could not be
/// answered anyway.
pub const MAX_AGE_HOURS: i64 = 24;
/// A heartbeat older than this means the service was down (it beats every minute).
pub const DOWN_AFTER_MINUTES: i64 = 3;
/// The posts whose comments are read.
const RECENT_MEDIA: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum CatchUpError {
    #[error("the instance has no readable token")]
    NoToken,
    #[error(transparent)]
    Meta(#[from] MetaError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot store the recovered events: {0}")]
    Accept(String),
}

/// What one catch-up found.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub messages: usize,
    pub comments: usize,
}

/// Reads what `doc`'s account received since `since` (at most a day back) and stores it for intake.
pub async fn instance(state: &AppState, doc: &InstanceDoc, since: DateTime<Utc>) -> Result<Found, CatchUpError> {
    let since = since.max(state.clock.now() - Duration::hours(MAX_AGE_HOURS));
    let (Some(ig_id), Some(token)) = (doc.instagram_account_id.as_deref(), instances::token(state, doc)) else {
        return Err(CatchUpError::NoToken);
    };
    let meta = &state.meta;
    let mut messaging = Vec::new();
    for conversation in meta.conversations(&token, ig_id, since).await? {
        for message in meta.conversation_messages(&token, &conversation.id).await? {
            // Only what people sent: the account's own messages need no answer.
            if message.from_id == ig_id || message.at < since {
                continue;
            }
            messaging.push(json!({
                "sender": { "id": message.from_id },
                "recipient": { "id": ig_id },
                "timestamp": message.at.timestamp_millis(),
                "message": { "mid": message.mid, "text": message.text },
            }));
        }
    }
    let mut changes = Vec::new();
    for media in meta.media(&token, ig_id).await?.into_iter().take(RECENT_MEDIA) {
        let product = media.product.clone().unwrap_or_else(|| "FEED".to_owned());
        for comment in meta.comments(&token, &media.id).await? {
            if comment.from_id == ig_id || comment.at < since {
                continue;
            }
            changes.push((comment.at.timestamp(), comment_change(&comment, &media.id, &product)));
        }
    }
    let found = Found { messages: messaging.len(), comments: changes.len() };
    if messaging.is_empty() && changes.is_empty() {
        return Ok(found);
    }
    // One entry per event, as Meta sends them (`messaging` holds one object).
    let now = state.clock.now().timestamp_millis();
    let mut entries: Vec<Value> =
        messaging.into_iter().map(|event| json!({ "id": ig_id, "time": now, "messaging": [event] })).collect();
    entries.extend(changes.into_iter().map(|(at, change)| json!({ "id": ig_id, "time": at, "changes": [change] })));
    let body = json!({ "object": "instagram", "entry": entries }).to_string();
    state.acceptor.accept(None, body.into(), "catch-up").await.map_err(|e| CatchUpError::Accept(e.to_string()))?;
    tracing::info!(
        instance.id = %doc.id,
        "caught up on {}: {} messages and {} comments since {since}",
        doc.id,
        found.messages,
        found.comments
    );
    Ok(found)
}

/// A comment as the `comments` webhook carries it (CONTRACT.md §10.3).
fn comment_change(comment: &ReadComment, media_id: &MediaId, product: &str) -> Value {
    let mut value = json!({
        "from": { "id": comment.from_id, "username": comment.from_username.clone().unwrap_or_default() },
        "media": { "id": media_id, "media_product_type": product },
        "id": comment.id,
        "text": comment.text,
    });
    if let Some(parent) = &comment.parent_id {
        value["parent_id"] = json!(parent);
    }
    json!({ "field": "comments", "value": value })
}

/// The catch-up job's beat: records that the service runs and, when the previous beat is older
/// than [`DOWN_AFTER_MINUTES`], catches every connected instance up since then. Returns how many
/// instances were caught up.
pub async fn after_downtime(state: &AppState) -> Result<usize, StoreError> {
    let mut tx = state.pg.begin().await?;
    let previous: Option<DateTime<Utc>> =
        sqlx::query_scalar("SELECT seen_at FROM service_heartbeat WHERE id = 1 FOR UPDATE")
            .fetch_optional(&mut *tx)
            .await?;
    sqlx::query(
        "INSERT INTO service_heartbeat (id, seen_at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET seen_at = $1",
    )
    .bind(state.clock.now())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    let Some(previous) = previous else { return Ok(0) };
    if state.clock.now() - previous < Duration::minutes(DOWN_AFTER_MINUTES) {
        return Ok(0);
    }
    tracing::warn!("the service was not running since {previous}: catching up on what Meta could not deliver");
    let connected =
        super::store::mongo::instances::with_status(&state.mongo, &System::ACTING, InstanceStatus::Connected).await?;
    let mut caught_up = 0;
    for doc in &connected {
        // A minute of overlap: what arrived then is recognised by its key.
        match instance(state, doc, previous - Duration::minutes(1)).await {
            Ok(_) => caught_up += 1,
            Err(error) => tracing::warn!(instance.id = %doc.id, "cannot catch up on {}: {error}", doc.id),
        }
    }
    Ok(caught_up)
}

/// After a reconnection: what came while the instance was not connected, in the background (the
/// person is on their way back to the cards).
pub fn after_reconnect(state: &AppState, doc: InstanceDoc) {
    let since = doc.last_event_at.map_or_else(
        || state.clock.now() - Duration::hours(MAX_AGE_HOURS),
        |at| DateTime::from_timestamp_millis(at.timestamp_millis()).unwrap_or_else(|| state.clock.now()),
    );
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(error) = instance(&state, &doc, since).await {
            tracing::warn!(instance.id = %doc.id, "cannot catch up on {} after it reconnected: {error}", doc.id);
        }
    });
}
