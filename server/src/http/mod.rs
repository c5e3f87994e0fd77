//! Plain axum routes outside Leptos.
pub mod health;
pub mod instagram;
pub mod locale;
pub mod origin;
