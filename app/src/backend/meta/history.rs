//! What an account received that the app may have missed: conversations and their messages
//! (Conversations API, CONTRACT.md §7) and the comments of its posts (§6), read to catch up.
use super::{error, MetaClient, MetaError};
use crate::domain::id::{CommentId, MediaId};
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

/// Pages of conversations read at most per catch-up (25 each).
const CONVERSATION_PAGES: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    pub id: String,
    pub updated: DateTime<Utc>,
}

/// A message of a conversation, either way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadMessage {
    pub mid: String,
    pub from_id: String,
    pub text: String,
    pub at: DateTime<Utc>,
}

/// A comment on one of the account's media.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadComment {
    pub id: CommentId,
    pub from_id: String,
    pub from_username: Option<String>,
    pub text: String,
    pub parent_id: Option<CommentId>,
    pub at: DateTime<Utc>,
}

/// Meta's times: `2025-11-20T14:03:11+0000`.
fn time(value: &Value) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(value.as_str()?, "%Y-%m-%dT%H:%M:%S%z").ok().map(|t| t.with_timezone(&Utc))
}

impl MetaClient {
    /// The account's conversations with activity since `since`, newest first.
    pub async fn conversations(
        &self,
        token: &SecretString,
        ig_id: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<Conversation>, MetaError> {
        let mut found = Vec::new();
        let mut after: Option<String> = None;
        for _ in 0..CONVERSATION_PAGES {
            let mut query = vec![("platform", "instagram".to_owned()), ("fields", "id,updated_time".to_owned())];
            if let Some(cursor) = &after {
                query.push(("after", cursor.clone()));
            }
            let request = self
                .http
                .get(self.graph(&format!("/{ig_id}/conversations")))
                .query(&query)
                .bearer_auth(token.expose_secret());
            let answer = error::read("GET /{ig-id}/conversations", request).await?;
            let page: Vec<Conversation> = answer["data"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| {
                    Some(Conversation { id: c["id"].as_str()?.to_owned(), updated: time(&c["updated_time"])? })
                })
                .collect();
            let older_reached = page.iter().any(|c| c.updated < since);
            found.extend(page.into_iter().filter(|c| c.updated >= since));
            after = answer["paging"]["cursors"]["after"].as_str().map(str::to_owned);
            if older_reached || answer["paging"]["next"].is_null() || after.is_none() {
                break;
            }
        }
        Ok(found)
    }

    /// A conversation's newest messages (Meta lets the 20 most recent be read).
    pub async fn conversation_messages(
        &self,
        token: &SecretString,
        conversation_id: &str,
    ) -> Result<Vec<ReadMessage>, MetaError> {
        let request = self
            .http
            .get(self.graph(&format!("/{conversation_id}")))
            .query(&[("fields", "messages{id,created_time,from,to,message}")])
            .bearer_auth(token.expose_secret());
        let answer = error::read("GET /{conversation-id}", request).await?;
        Ok(answer["messages"]["data"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| {
                Some(ReadMessage {
                    mid: m["id"].as_str()?.to_owned(),
                    from_id: m["from"]["id"].as_str()?.to_owned(),
                    text: m["message"].as_str().unwrap_or_default().to_owned(),
                    at: time(&m["created_time"])?,
                })
            })
            .collect())
    }

    /// The newest top-level comments of a post or reel (one page of up to 50).
    pub async fn comments(&self, token: &SecretString, media_id: &MediaId) -> Result<Vec<ReadComment>, MetaError> {
        let request = self
            .http
            .get(self.graph(&format!("/{media_id}/comments")))
            .query(&[("fields", "id,text,timestamp,from,parent_id"), ("limit", "50")])
            .bearer_auth(token.expose_secret());
        let answer = error::read("GET /{media-id}/comments", request).await?;
        Ok(answer["data"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| {
                Some(ReadComment {
                    id: CommentId::new(c["id"].as_str()?),
                    from_id: c["from"]["id"].as_str()?.to_owned(),
                    from_username: c["from"]["username"].as_str().map(str::to_owned),
                    text: c["text"].as_str().unwrap_or_default().to_owned(),
                    parent_id: c["parent_id"].as_str().map(CommentId::new),
                    at: time(&c["timestamp"])?,
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metas_times_parse_with_their_offset() {
        let at = time(&Value::String("2025-11-20T14:03:11+0000".into())).expect("a time");
        assert_eq!(at.to_rfc3339(), "2025-11-20T14:03:11+00:00");
        assert_eq!(time(&Value::String("yesterday".into())), None);
    }
}
