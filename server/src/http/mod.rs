//! Plain axum routes outside Leptos.
pub mod export_csv;
pub mod health;
pub mod instagram;
pub mod live_ws;
pub mod locale;
pub mod origin;
pub mod webhook;
