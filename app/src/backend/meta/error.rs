//! Meta's failures, classified once: retry, reconnect, or give up (CONTRACT.md §12).
use crate::backend::measure;
use crate::domain::report::ReplyReason;
use serde_json::Value;

#[derive(Debug, Clone, thiserror::Error)]
pub enum MetaError {
    /// A Graph error (`{"error": {...}}`) or the token endpoint's `{"error_type", "error_message"}`.
    #[error("Meta answered {status} with code {code:?}/{subcode:?}: {message}")]
    Api { status: u16, code: Option<u64>, subcode: Option<u64>, message: String },
    #[error("Meta did not answer in time")]
    Timeout,
    /// Connection failures. reqwest's text is taken without the URL, which may carry tokens.
    #[error("cannot reach Meta: {0}")]
    Transport(String),
    #[error("unexpected answer from Meta: {0}")]
    Unexpected(String),
}

impl MetaError {
    pub fn unexpected(what: &str) -> Self {
        Self::Unexpected(what.to_owned())
    }

    /// The token is dead (expired, revoked, password changed): the instance must reconnect.
    pub fn is_token_invalid(&self) -> bool {
        matches!(self, Self::Api { code: Some(190 | 102), .. })
    }

    /// Worth retrying later: time-outs, 5xx, temporary errors and rate limits.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Timeout | Self::Transport(_) => true,
            Self::Api { status, code, .. } => {
                *status >= 500 || matches!(code, Some(1 | 2 | 4 | 17 | 32 | 341 | 613 | 80002))
            }
            Self::Unexpected(_) => false,
        }
    }

    /// Why a reply failed, as a code the reports translate (Meta's own text is English, or
    /// localized to the server's account, and says nothing stable): decided on the code and
    /// subcode, as CONTRACT.md §12 says.
    pub fn reason(&self) -> ReplyReason {
        let Self::Api { status, code, subcode, .. } = self else {
            return match self {
                Self::Unexpected(_) => ReplyReason::MetaUnexpected,
                _ => ReplyReason::MetaUnavailable,
            };
        };
        match (code, subcode) {
            (Some(10), Some(2_534_022 | 2_018_278)) => ReplyReason::OutsideWindow,
            (Some(100), Some(2_534_025)) => ReplyReason::PrivateReplyUsed,
            (Some(190 | 102), _) => ReplyReason::TokenInvalid,
            (Some(4 | 17 | 32 | 341 | 613 | 80002), _) => ReplyReason::MetaRateLimited,
            (Some(10), Some(2_018_108 | 1_893_063)) | (Some(200), Some(1_545_041)) | (Some(551), _) => {
                ReplyReason::RecipientUnavailable
            }
            (Some(100), Some(2_534_014 | 2_018_001)) => ReplyReason::RecipientUnknown,
            (Some(100), Some(2_534_029)) => ReplyReason::BlockedByUser,
            (Some(200), Some(2_534_041)) => ReplyReason::MessagingDisabled,
            (Some(100), Some(2_018_008 | 2_018_047 | 2_018_109)) => ReplyReason::AttachmentFailed,
            (Some(100), Some(33)) => ReplyReason::ObjectMissing,
            (Some(368), _) => ReplyReason::PolicyBlock,
            (Some(10 | 200), _) => ReplyReason::PermissionDenied,
            (Some(100), _) => ReplyReason::InvalidMessage,
            (Some(9_000_001), _) => ReplyReason::MessageDeleted,
            _ if *status >= 500 => ReplyReason::MetaUnavailable,
            (Some(1 | 2), _) => ReplyReason::MetaUnavailable,
            _ => ReplyReason::MetaRefused,
        }
    }

    /// Meta's own message, for the logs (it never contains a token).
    pub fn message(&self) -> String {
        match self {
            Self::Api { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }
}

/// Sends a call to `endpoint` (a name for the metrics, never the URL: it carries ids) and
/// returns the JSON body of a successful answer, or the classified error.
pub(super) async fn read(endpoint: &'static str, request: reqwest::RequestBuilder) -> Result<Value, MetaError> {
    let started = std::time::Instant::now();
    let answer = receive(request).await;
    let status = match &answer {
        Ok(_) => "200".to_owned(),
        Err(MetaError::Api { status, .. }) => status.to_string(),
        Err(MetaError::Timeout) => "timeout".to_owned(),
        Err(MetaError::Transport(_)) => "unreachable".to_owned(),
        Err(MetaError::Unexpected(_)) => "unexpected".to_owned(),
    };
    measure::graph_call(endpoint, status, started.elapsed());
    answer
}

async fn receive(request: reqwest::RequestBuilder) -> Result<Value, MetaError> {
    let response = request.send().await.map_err(transport)?;
    let status = response.status().as_u16();
    // Meta sends errors as text/javascript: parse the body as JSON whatever the content type.
    let text = response.text().await.map_err(transport)?;
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if (200..300).contains(&status) && !body.is_null() {
        return Ok(body);
    }
    let graph = &body["error"];
    Err(if graph.is_object() {
        MetaError::Api {
            status,
            code: graph["code"].as_u64(),
            subcode: graph["error_subcode"].as_u64(),
            message: graph["message"].as_str().unwrap_or_default().to_owned(),
        }
    } else if let Some(message) = body["error_message"].as_str() {
        MetaError::Api { status, code: body["code"].as_u64(), subcode: None, message: message.to_owned() }
    } else {
        MetaError::Api { status, code: None, subcode: None, message: format!("HTTP {status}") }
    })
}

fn transport(error: reqwest::Error) -> MetaError {
    if error.is_timeout() {
        MetaError::Timeout
    } else {
        MetaError::Transport(error.without_url().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, code: u64) -> MetaError {
        MetaError::Api { status, code: Some(code), subcode: None, message: String::new() }
    }

    #[test]
    fn errors_classify_by_code_not_status() {
        assert!(api(400, 190).is_token_invalid());
        assert!(!api(400, 190).is_transient());
        assert!(api(400, 613).is_transient());
        assert!(api(400, 80002).is_transient());
        assert!(api(500, 100).is_transient());
        assert!(!api(403, 10).is_transient());
        assert!(MetaError::Timeout.is_transient());
    }

    #[test]
    fn reasons_come_from_the_code_and_subcode_never_the_text() {
        let with = |status: u16, code: u64, subcode: Option<u64>| MetaError::Api {
            status,
            code: Some(code),
            subcode,
            message: "This message is sent outside of allowed window.".into(),
        };
        assert_eq!(with(403, 10, Some(2_534_022)).reason(), ReplyReason::OutsideWindow);
        assert_eq!(with(400, 100, Some(2_534_025)).reason(), ReplyReason::PrivateReplyUsed);
        assert_eq!(with(400, 190, Some(463)).reason(), ReplyReason::TokenInvalid);
        assert_eq!(with(400, 613, Some(2_534_040)).reason(), ReplyReason::MetaRateLimited);
        assert_eq!(with(400, 100, Some(2_018_008)).reason(), ReplyReason::AttachmentFailed);
        assert_eq!(with(400, 200, Some(2_534_041)).reason(), ReplyReason::MessagingDisabled);
        assert_eq!(with(400, 100, None).reason(), ReplyReason::InvalidMessage, "the text does not decide");
        assert_eq!(with(500, 1, None).reason(), ReplyReason::MetaUnavailable);
        assert_eq!(MetaError::Timeout.reason(), ReplyReason::MetaUnavailable);
    }
}
