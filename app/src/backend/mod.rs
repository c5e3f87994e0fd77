//! Server-only code shared by the server functions and the server binary.
pub mod accounts;
pub mod auth;
pub mod automations;
pub mod config;
pub mod connect;
pub mod crypto;
pub mod directory;
pub mod engine;
pub mod instances;
pub mod live;
pub mod mail;
pub mod meta;
pub mod password;
pub mod rate_limit;
pub mod reports;
pub mod security;
pub mod state;
pub mod store;

pub use state::{state, AppState};

use crate::domain::error::AppError;

/// [`respond`] for a server function that fills one part of a page (the media picker): called
/// over HTTP its error has its status, but rendering a page, a failing part shows its own message
/// and must not turn the whole page into an error.
pub fn respond_part<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    let called_directly = leptos::prelude::use_context::<http::request::Parts>()
        .is_some_and(|parts| parts.uri.path().starts_with("/api/"));
    if called_directly {
        respond(result)
    } else {
        result
    }
}

/// Gives a server function's error its HTTP status, so scripts see 401, 403, 422 or 429.
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(error) = &result {
        if let (Some(options), Ok(status)) =
            (leptos::prelude::use_context::<leptos_axum::ResponseOptions>(), http::StatusCode::from_u16(error.status()))
        {
            options.set_status(status);
        }
    }
    result
}
