//! Types shared by the server and the browser: no database, HTTP or Meta types here.

/// A vocabulary stored, sent and linked by name: the enum (serialised as each variant's name),
/// `ALL` in declaration order, `as_str` and `parse`.
macro_rules! named_enum {
    ($(#[$meta:meta])* pub enum $enum:ident { $($(#[$doc:meta])* $variant:ident => $name:literal,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $enum {
            $($(#[$doc])* #[serde(rename = $name)] $variant,)*
        }

        impl $enum {
            pub const ALL: &'static [Self] = &[$(Self::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                }
            }

            /// A stored name read back; `None` for one this version never writes.
            pub fn parse(raw: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == raw)
            }
        }
    };
}

pub mod api_key;
pub mod audit;
pub mod automation;
pub mod automation_draft;
pub mod comment;
pub mod conversation;
pub mod dead_letter;
pub mod demo;
pub mod error;
pub mod health;
pub mod ice_breakers;
pub mod id;
pub mod insight;
pub mod instance;
pub mod lead;
pub mod live;
pub mod notification;
pub mod report;
pub mod url;
pub mod user;
