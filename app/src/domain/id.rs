//! Ids as types: an instance's id cannot be passed where an automation's is expected, nor a
//! person on Instagram where an account of ours is. Each is the opaque string the browser, the
//! API and the stores exchange (a MongoDB ObjectId's hex for instances and users, a UUID for
//! automations and report rows, Instagram's own ids for the people who write, their posts and
//! their comments), sent as a plain JSON string; the store parses it.
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
        #[cfg_attr(feature = "ssr", schema(value_type = String))]
        #[cfg_attr(feature = "ssr", derive(sqlx::Type))]
        #[cfg_attr(feature = "ssr", sqlx(transparent))]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }

        /// Written into forms' hidden inputs and links as the plain string.
        impl leptos::prelude::IntoAttributeValue for $name {
            type Output = String;

            fn into_attribute_value(self) -> String {
                self.0
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

id_type! {
    /// An instance (a connected Instagram account): its document's id in MongoDB.
    InstanceId
}

id_type! {
    /// An automation: its row's UUID in PostgreSQL.
    AutomationId
}

id_type! {
    /// An account of ours (a person who signs in): its document's id in MongoDB, in hex, as
    /// PostgreSQL's rows carry it.
    UserId
}

id_type! {
    /// A report row (one interaction and its reply): its row's UUID in PostgreSQL.
    ReportId
}

id_type! {
    /// A person on Instagram who writes to or comments on an instance: Instagram's id for them
    /// as seen by that account (the IGSID of the webhooks).
    PersonId
}

id_type! {
    /// A post or reel on Instagram (Meta's media id): what comments are on and comment
    /// automations are limited to.
    MediaId
}

id_type! {
    /// A comment on Instagram (Meta's comment id): what public and private replies answer.
    CommentId
}

id_type! {
    /// A key of the public API: its row's UUID in PostgreSQL (never the key itself).
    ApiKeyId
}

id_type! {
    /// A notification of the bell: its row's UUID in PostgreSQL.
    NotificationId
}

id_type! {
    /// A lead handed to the CRM's webhook: its delivery's UUID in PostgreSQL.
    LeadDeliveryId
}

id_type! {
    /// Work the engine gave up on: its dead letter's UUID in PostgreSQL.
    DeadLetterId
}

/// The ids that are UUIDs in PostgreSQL: one that does not parse names no row of anyone's.
#[cfg(feature = "ssr")]
macro_rules! uuid_ids {
    ($($name:ident),*) => {$(
        impl $name {
            pub fn uuid(&self) -> Option<uuid::Uuid> {
                uuid::Uuid::parse_str(&self.0).ok()
            }
        }

        impl From<uuid::Uuid> for $name {
            fn from(id: uuid::Uuid) -> Self {
                Self(id.to_string())
            }
        }
    )*};
}

#[cfg(feature = "ssr")]
uuid_ids!(AutomationId, ReportId, ApiKeyId, NotificationId, LeadDeliveryId, DeadLetterId);

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn an_id_travels_as_its_plain_string() {
        let id = InstanceId::new("65f0c0ffee0000000000abcd");
        assert_eq!(serde_json::to_string(&id).expect("json"), "\"65f0c0ffee0000000000abcd\"");
        assert_eq!(serde_json::from_str::<InstanceId>("\"65f0c0ffee0000000000abcd\"").expect("json"), id);
        // A form's field, as a server function without JavaScript receives it.
        #[derive(Deserialize)]
        struct Form {
            id: AutomationId,
        }
        let form: Form = serde_urlencoded::from_str("id=0190a8c4-1b2c-7d3e-8f40-123456789abc").expect("form");
        assert_eq!(form.id.as_str(), "0190a8c4-1b2c-7d3e-8f40-123456789abc");
        assert_eq!(format!("/automations?edit={}", form.id), "/automations?edit=0190a8c4-1b2c-7d3e-8f40-123456789abc");
    }

    #[test]
    fn a_uuid_id_that_does_not_parse_names_no_row() {
        let id = uuid::Uuid::now_v7();
        assert_eq!(ReportId::from(id).uuid(), Some(id));
        assert_eq!(NotificationId::new(id.to_string().to_uppercase()).uuid(), Some(id));
        for garbled in ["", "1", "0190a8c4-1b2c-7d3e-8f40-123456789abZ", "../../etc/passwd"] {
            assert_eq!(DeadLetterId::new(garbled).uuid(), None, "{garbled:?}");
        }
        // The ids that are not UUIDs carry anything their source sent, untouched.
        assert_eq!(PersonId::new("1254477777772919").to_string(), "1254477777772919");
    }
}
