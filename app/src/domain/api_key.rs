//! Keys for the public API, as the settings page lists them. The key itself is shown once, when
//! it is made, and never stored.
use crate::domain::error::FieldCode;
use crate::domain::id::ApiKeyId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What every key starts with, so a leaked one is recognisable (and secret scanners can match it).
pub const KEY_START: &str = "ick_";
/// Keys a person may hold at once.
pub const KEYS_MAX: i64 = 20;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ApiKeyView {
    pub id: ApiKeyId,
    pub name: String,
    /// The visible start of the key (`ick_` and 8 characters).
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A key just made: the only time its whole value leaves the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedKey {
    pub key: ApiKeyView,
    pub secret: String,
}

/// A key's name: trimmed, 1 to 60 characters.
pub fn parse_name(raw: &str) -> Result<String, super::error::FieldError> {
    let name = raw.trim();
    match name.chars().count() {
        0 => Err(super::error::FieldError::new("name", FieldCode::Required)),
        1..=60 if !name.chars().any(char::is_control) => Ok(name.to_owned()),
        1..=60 => Err(super::error::FieldError::new("name", FieldCode::ControlCharacters)),
        _ => Err(super::error::FieldError::new("name", FieldCode::TooLong)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_required_and_short() {
        assert_eq!(parse_name("  CRM  "), Ok("CRM".to_owned()));
        assert_eq!(parse_name(" ").map_err(|e| e.code), Err(FieldCode::Required));
        assert_eq!(parse_name(&"x".repeat(61)).map_err(|e| e.code), Err(FieldCode::TooLong));
    }
}
