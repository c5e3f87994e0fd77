//! Instagram instances as the cards show them.
use super::id::InstanceId;
use crate::domain::error::FieldCode;
use serde::{Deserialize, Serialize};

/// The PRD's instance status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum InstanceStatus {
    Created,
    Connecting,
    Connected,
    Disconnected,
    Error,
}

impl InstanceStatus {
    pub const ALL: [Self; 5] = [Self::Created, Self::Connecting, Self::Connected, Self::Disconnected, Self::Error];

    /// The stored and URL form, as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Connecting => "connecting",
            Self::Connected => "connected",
            Self::Disconnected => "disconnected",
            Self::Error => "error",
        }
    }
}

/// Why an instance is in `error`, or why a connection failed: stored, sent and linked from the
/// help page (`/help#token_invalid`) by its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConnectionFailure {
    /// The person pressed Cancel at Instagram.
    Denied,
    StateExpired,
    /// Left at Instagram's page long enough that the attempt stopped holding a place.
    ConnectTimeout,
    StateUsed,
    StateInvalid,
    /// Another person's instance holds this Instagram account.
    AccountTaken,
    MissingPermissions,
    MetaUnavailable,
    MetaRefused,
    /// Meta no longer accepts the token (expired, revoked, password changed).
    TokenInvalid,
    /// Something on our side; its cause is in the logs.
    Internal,
}

impl ConnectionFailure {
    pub const ALL: [Self; 11] = [
        Self::Denied,
        Self::StateExpired,
        Self::ConnectTimeout,
        Self::StateUsed,
        Self::StateInvalid,
        Self::AccountTaken,
        Self::MissingPermissions,
        Self::MetaUnavailable,
        Self::MetaRefused,
        Self::TokenInvalid,
        Self::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Denied => "denied",
            Self::StateExpired => "state_expired",
            Self::ConnectTimeout => "connect_timeout",
            Self::StateUsed => "state_used",
            Self::StateInvalid => "state_invalid",
            Self::AccountTaken => "account_taken",
            Self::MissingPermissions => "missing_permissions",
            Self::MetaUnavailable => "meta_unavailable",
            Self::MetaRefused => "meta_refused",
            Self::TokenInvalid => "token_invalid",
            Self::Internal => "internal",
        }
    }

    /// A stored or linked name; one this version does not know is ours to explain.
    pub fn parse(raw: &str) -> Self {
        Self::ALL.into_iter().find(|r| r.as_str() == raw).unwrap_or(Self::Internal)
    }
}

/// One instance card. Tokens never leave the server, so they are not here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InstanceCard {
    pub id: InstanceId,
    pub instance_name: String,
    pub name: String,
    pub username: Option<String>,
    pub profile_picture_url: Option<String>,
    pub status: InstanceStatus,
    /// Why the instance is in `error`.
    pub error_reason: Option<ConnectionFailure>,
    pub token_expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Under 7 days left (decided on the server, whose clock is trusted): the card warns.
    pub token_expires_soon: bool,
    /// Whole days the token has left, on the server's clock.
    #[serde(default)]
    pub token_days_left: Option<i64>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_event_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Automated replies allowed per day (the instance's own limit, or the default).
    pub daily_reply_cap: u32,
    /// The owner paused every automation of the instance.
    #[serde(default)]
    pub automations_paused: bool,
    /// Automated replies sent today (UTC), against the cap.
    #[serde(default)]
    pub replies_today: i64,
    #[serde(default)]
    pub active_automations: i64,
    /// Why its latest reply in the last 7 days failed (a reason code), and when.
    #[serde(default)]
    pub last_failure: Option<(String, chrono::DateTime<chrono::Utc>)>,
}

/// An instance's figures, as the API gives them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InstanceStats {
    pub instance_id: InstanceId,
    /// Interactions (DMs and comments) the reports hold, in all and since today began (UTC).
    pub interactions_total: i64,
    pub interactions_today: i64,
    /// Automated and manual replies today (UTC), the daily cap, and what is left of it.
    pub replies_today: i64,
    pub daily_reply_cap: u32,
    pub replies_remaining: i64,
    /// Messages and comments Meta's webhooks delivered for the instance.
    pub webhooks_received: i64,
}

/// Where Meta delivers this app's webhooks, and the token its dashboard asks for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookInfo {
    /// `{base_url}/{instanceName}` is an instance's callback; `base_url` alone the app-level one.
    pub base_url: String,
    /// The app-wide secret Meta's dashboard asks for: admins only, since it belongs to whoever
    /// configures the Meta app, and with it anyone could pass Meta's subscription handshake.
    pub verify_token: Option<String>,
}

/// The name a person gives an instance: trimmed, 1 to 60 characters.
pub fn parse_instance_name(raw: &str) -> Result<String, super::error::FieldError> {
    let name = raw.trim();
    match name.chars().count() {
        0 => Err(super::error::FieldError::new("name", FieldCode::Required)),
        1..=60 => Ok(name.to_owned()),
        _ => Err(super::error::FieldError::new("name", FieldCode::TooLong)),
    }
}

/// The most automated replies a day an instance may be set to.
pub const MAX_DAILY_REPLY_CAP: u32 = 100_000;

/// A daily reply cap as typed: a whole number from 1 to `MAX_DAILY_REPLY_CAP`.
pub fn parse_daily_cap(raw: &str) -> Result<u32, super::error::FieldError> {
    match raw.trim().parse::<u32>() {
        Ok(cap) if (1..=MAX_DAILY_REPLY_CAP).contains(&cap) => Ok(cap),
        _ => Err(super::error::FieldError::new("daily_reply_cap", FieldCode::OutOfRange)),
    }
}

/// A URL-safe `instanceName` derived from the person's name: folded to ASCII letters, digits and
/// dashes, plus a random suffix the unique index makes certain.
pub fn instance_slug(name: &str, suffix: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'á' | 'à' | 'â' | 'ã' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'õ' | 'ö' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            c if c.is_ascii_alphanumeric() => c,
            _ => '-',
        };
        if c != '-' || !slug.ends_with('-') {
            slug.push(c);
        }
    }
    let slug: String = slug.trim_matches('-').chars().take(40).collect();
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        format!("instancia-{suffix}")
    } else {
        format!("{slug}-{suffix}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_url_safe_and_readable() {
        assert_eq!(instance_slug("Loja da Ana — Promoções!", "x1y2z3"), "loja-da-ana-promocoes-x1y2z3");
        assert_eq!(instance_slug("😀😀", "abc123"), "instancia-abc123");
        let long = instance_slug(&"a".repeat(100), "abc123");
        assert!(long.len() <= 47 && long.ends_with("-abc123"));
    }

    #[test]
    fn status_tags_match_their_serde_form() {
        for status in InstanceStatus::ALL {
            assert_eq!(serde_json::to_value(status).ok(), Some(serde_json::json!(status.as_str())));
        }
    }

    #[test]
    fn daily_caps_are_whole_numbers_in_range() {
        assert_eq!(parse_daily_cap(" 250 "), Ok(250));
        for bad in ["0", "-1", "100001", "1.5", "", "muito"] {
            assert!(parse_daily_cap(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_are_required_and_bounded() {
        assert_eq!(parse_instance_name("  Loja  "), Ok("Loja".to_owned()));
        assert!(parse_instance_name(" ").is_err());
        assert!(parse_instance_name(&"x".repeat(61)).is_err());
    }
}
