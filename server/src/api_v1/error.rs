//! The one error shape of `/api/v1`: `{"error": {"code", "message", "fields"}}`, with codes that
//! stay the same across versions, the HTTP status that goes with each, and `Retry-After` on 429.
use app::domain::error::{AppError, FieldCode, FieldError};
use axum::{
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// `unauthorized`, `forbidden`, `not_found`, `invalid`, `rate_limited`, `meta_unavailable`,
    /// `unavailable` or `internal`.
    pub code: &'static str,
    /// For people reading logs; programs read `code` and `fields`.
    pub message: String,
    /// For `invalid`: each refused field with its code (`required`, `too_long`, ...).
    pub fields: Vec<FieldError>,
}

#[derive(Debug)]
pub struct ApiError {
    error: AppError,
    retry_after: Option<u64>,
}

impl ApiError {
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        Self { error: AppError::RateLimited, retry_after: Some(retry_after_secs) }
    }

    pub fn invalid(field: &str, code: FieldCode) -> Self {
        AppError::invalid(field, code).into()
    }

    pub fn code(&self) -> &'static str {
        match &self.error {
            AppError::NotSignedIn | AppError::WrongCredentials => "unauthorized",
            AppError::Forbidden | AppError::EmailNotConfirmed => "forbidden",
            AppError::NotFound => "not_found",
            AppError::Invalid(_) => "invalid",
            AppError::RateLimited => "rate_limited",
            AppError::MetaUnavailable => "meta_unavailable",
            AppError::MailUnavailable | AppError::Unavailable => "unavailable",
            AppError::Internal(_) | AppError::Transport(_) => "internal",
        }
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        Self { error, retry_after: None }
    }
}

impl From<app::backend::error::Error> for ApiError {
    fn from(error: app::backend::error::Error) -> Self {
        AppError::from(error).into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let message = match &self.error {
            AppError::NotSignedIn => "send `Authorization: Bearer <API key>`".to_owned(),
            AppError::Internal(reference) => format!("internal error, reference {reference}"),
            // Transport errors carry framework text that says nothing useful to a caller.
            AppError::Transport(_) => "internal error".to_owned(),
            other => other.to_string(),
        };
        let code = self.code();
        let fields = match self.error {
            AppError::Invalid(fields) => fields,
            _ => Vec::new(),
        };
        let body = Json(ErrorBody { error: ErrorDetail { code, message, fields } });
        match self.retry_after {
            Some(wait) => (status, [(header::RETRY_AFTER, wait.to_string())], body).into_response(),
            None => (status, body).into_response(),
        }
    }
}

/// The refusals every authenticated operation can answer, for the document.
#[derive(utoipa::IntoResponses)]
pub enum Refusals {
    /// No key, or a key that is unknown or revoked.
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// A control character in the path, the query or the body (`control_characters`), or a field
    /// the operation refuses.
    #[response(status = 422)]
    Invalid(ErrorBody),
    /// Over the key's quota of calls: `Retry-After` says when to try again.
    #[response(status = 429, headers(("Retry-After" = u64, description = "Seconds to wait")))]
    RateLimited(ErrorBody),
}
