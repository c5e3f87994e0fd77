//! Plain axum routes outside Leptos.
pub mod health;
pub mod locale;
pub mod origin;
