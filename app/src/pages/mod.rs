//! One module per route.
pub mod admin;
pub mod api_keys;
pub mod automations;
pub mod comments;
pub mod confirm_email;
pub mod help;
pub mod inbox;
pub mod insights;
pub mod instances;
pub mod leads;
pub mod not_found;
pub mod notifications;
pub mod reports;
pub mod sign_in;
pub mod sign_up;
