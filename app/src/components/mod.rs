//! Pieces of UI used by several pages.
pub mod auth;
pub mod copy_field;
pub mod error_notice;
pub mod field;
pub mod instance_picker;
pub mod layout;
pub mod live;
pub mod local_time;
pub mod thread_preview;
