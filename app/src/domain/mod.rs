//! Types shared by the server and the browser: no database, HTTP or Meta types here.
pub mod api_key;
pub mod audit;
pub mod automation;
pub mod automation_draft;
pub mod conversation;
pub mod dead_letter;
pub mod demo;
pub mod error;
pub mod health;
pub mod ice_breakers;
pub mod insight;
pub mod instance;
pub mod live;
pub mod notification;
pub mod report;
pub mod url;
pub mod user;
