//! Server functions: public HTTP endpoints under /api, one file per area.
pub mod admin;
pub mod api_keys;
pub mod auth;
pub mod automations;
pub mod comments;
pub mod inbox;
pub mod insights;
pub mod instances;
pub mod leads;
pub mod notifications;
pub mod reports;
