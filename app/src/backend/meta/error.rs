//! Meta's failures, classified once: retry, reconnect, or give up (CONTRACT.md §12).
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

    /// Meta's own message, for the person (it never contains a token).
    pub fn message(&self) -> String {
        match self {
            Self::Api { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }
}

/// The JSON body of a successful answer, or the classified error.
pub(super) async fn read(sent: Result<reqwest::Response, reqwest::Error>) -> Result<Value, MetaError> {
    let response = sent.map_err(transport)?;
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
}
