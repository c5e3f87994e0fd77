//! Meta's two error shapes: Graph errors (`{"error":{...}}`) and the token endpoint's flat one.
use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::json;

/// A Graph API error (CONTRACT.md §12).
#[derive(Debug)]
pub struct GraphError {
    pub status: StatusCode,
    pub kind: &'static str,
    pub code: u32,
    pub subcode: Option<u32>,
    pub message: String,
    pub transient: bool,
}

impl GraphError {
    pub fn new(code: u32, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            kind: "OAuthException",
            code,
            subcode: None,
            message: message.into(),
            transient: false,
        }
    }

    /// Instagram messaging errors carry their own type.
    pub fn messaging(mut self) -> Self {
        self.kind = "IGApiException";
        self
    }

    pub fn status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// Code 100 subcode 33: the object does not exist or this token may not see it.
    pub fn no_such_object(method: &str, id: &str) -> Self {
        Self::new(100, format!(
            "Unsupported {method} request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation."
        ))
        .subcode(33)
        .kind("GraphMethodException")
    }

    pub fn kind(mut self, kind: &'static str) -> Self {
        self.kind = kind;
        self
    }

    pub fn subcode(mut self, subcode: u32) -> Self {
        self.subcode = Some(subcode);
        self
    }

    /// Code 190: the token cannot be used (subcode 463 expired, 467 invalid).
    pub fn token(problem: crate::world::TokenProblem, now: i64) -> Self {
        use crate::world::TokenProblem;
        match problem {
            TokenProblem::Invalid => Self::new(190, "Invalid OAuth access token - Cannot parse access token"),
            TokenProblem::Expired { expired_at } => Self::new(
                190,
                format!("Error validating access token: Session has expired at unix time {expired_at}. The current time is {now}."),
            )
            .subcode(463),
        }
    }

    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new(100, message)
    }
}

impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        let trace = crate::world::random_string(11);
        let mut error = json!({ "message": self.message, "type": self.kind, "code": self.code, "fbtrace_id": trace });
        if let Some(subcode) = self.subcode {
            error["error_subcode"] = json!(subcode);
        }
        if self.transient {
            error["is_transient"] = json!(true);
        }
        let body = json!({ "error": error }).to_string();
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        // As captured from Meta: JavaScript content type, no caching, the trace id repeated.
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=UTF-8"));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Ok(value) = HeaderValue::from_str(&trace) {
            headers.insert("x-fb-trace-id", value);
        }
        if self.code == 190 {
            let challenge =
                format!("OAuth \"Facebook Platform\" \"invalid_token\" \"{}\"", self.message.replace('"', "'"));
            if let Ok(value) = HeaderValue::from_str(&challenge) {
                headers.insert(header::WWW_AUTHENTICATE, value);
            }
        }
        response
    }
}

/// An error of `POST /oauth/access_token` (CONTRACT.md §2): always HTTP 400.
#[derive(Debug)]
pub struct TokenEndpointError(pub &'static str);

impl IntoResponse for TokenEndpointError {
    fn into_response(self) -> Response {
        let body = json!({ "error_type": "OAuthException", "code": 400, "error_message": self.0 });
        (StatusCode::BAD_REQUEST, Json(body)).into_response()
    }
}
