//! The errors a server function can return to the browser, which pages turn into i18n messages.
use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

/// One invalid field of a form, with a code the UI translates (`"required"`, `"too_short"`, ...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub code: String,
}

impl FieldError {
    pub fn new(field: &str, code: &str) -> Self {
        Self { field: field.to_owned(), code: code.to_owned() }
    }
}

/// What went wrong, as far as the browser may know. Causes are logged on the server, once,
/// with the reference carried by `Internal`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    #[error("not signed in")]
    NotSignedIn,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// Deliberately says nothing about whether the account exists.
    #[error("wrong email or password")]
    WrongCredentials,
    #[error("too many attempts")]
    RateLimited,
    #[error("Meta is unavailable")]
    MetaUnavailable,
    /// The password was right, but the address was never confirmed: a new link went out.
    #[error("e-mail not confirmed")]
    EmailNotConfirmed,
    /// No e-mail can go out (none configured, or the server refuses), so no sign-up can finish.
    #[error("e-mail is unavailable")]
    MailUnavailable,
    /// Our own databases cannot answer now (down, restarting, overloaded): try again shortly.
    #[error("temporarily unavailable")]
    Unavailable,
    #[error("internal error, reference {0}")]
    Internal(String),
    #[error("transport: {0}")]
    Transport(String),
}

impl AppError {
    pub fn invalid(field: &str, code: &str) -> Self {
        Self::Invalid(vec![FieldError::new(field, code)])
    }

    /// The code of the first error on `field`, for showing it under that input.
    pub fn field_code(&self, field: &str) -> Option<&str> {
        match self {
            Self::Invalid(errors) => errors.iter().find(|e| e.field == field).map(|e| e.code.as_str()),
            _ => None,
        }
    }

    /// The HTTP status this error is answered with, so scripts calling the API see 401/403/422.
    pub fn status(&self) -> u16 {
        match self {
            Self::NotSignedIn | Self::WrongCredentials => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::Invalid(_) => 422,
            Self::RateLimited => 429,
            Self::EmailNotConfirmed => 403,
            Self::MetaUnavailable | Self::MailUnavailable | Self::Unavailable => 503,
            Self::Internal(_) | Self::Transport(_) => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // A call whose arguments do not parse never reached the function: the caller's
            // mistake, answered 422 like any invalid field, never a 500.
            ServerFnErrorErr::MissingArg(field) => Self::refused_arguments(&field, "required"),
            ServerFnErrorErr::Args(_) => Self::refused_arguments("form", "invalid"),
            other => Self::Transport(other.to_string()),
        }
    }
}

impl AppError {
    fn refused_arguments(field: &str, code: &str) -> Self {
        #[cfg(feature = "ssr")]
        if let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            options.set_status(http::StatusCode::UNPROCESSABLE_ENTITY);
        }
        Self::invalid(field, code)
    }
}
