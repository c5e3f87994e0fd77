//! The Instagram Platform client: Business Login URLs, token calls and the Graph calls the app
//! makes, through the three configured base URLs only (CONTRACT.md §0), so the sandbox and the
//! real Meta are interchangeable.
mod error;
pub mod events;
pub mod history;
mod insights;
pub use insights::DayFigures;
mod media;
mod messages;
pub mod signature;

pub use error::MetaError;
pub use messages::{Recipient, Sent};

use super::config::{MetaConfig, META_SCOPES};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use std::time::Duration;

/// Fields the automations need delivered (CONTRACT.md §8, "Fields").
pub const WEBHOOK_FIELDS: &str = "messages,messaging_postbacks,comments,live_comments";

#[derive(Clone)]
pub struct MetaClient {
    http: reqwest::Client,
    config: MetaConfig,
}

/// The short-lived token from the code exchange, and what the person granted.
pub struct ShortLived {
    pub token: SecretString,
    pub permissions: Vec<String>,
}

pub struct LongLived {
    pub token: SecretString,
    /// Seconds from now.
    pub expires_in: i64,
}

/// The professional account behind a token (`/me`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    /// The IG_ID, as webhooks carry it (`/me.user_id`, not `/me.id`).
    pub ig_id: String,
    pub username: String,
    pub name: Option<String>,
    pub profile_picture_url: Option<String>,
}

impl MetaClient {
    pub fn new(config: MetaConfig) -> Self {
        let http = reqwest::Client::builder()
            // Names this process, so Meta's (and the sandbox's) logs tell processes apart.
            .user_agent(format!("insta-clerky/{} (pid {})", env!("CARGO_PKG_VERSION"), std::process::id()))
            .timeout(Duration::from_secs(15))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .expect("a TLS backend is compiled in");
        Self { http, config }
    }

    /// The Business Login page for this app, carrying `state` (CONTRACT.md §1).
    pub fn authorize_url(&self, state: &str) -> String {
        let query = serde_urlencoded::to_string([
            ("enable_fb_login", "0"),
            ("force_authentication", "1"),
            ("client_id", self.config.app_id.as_str()),
            ("redirect_uri", self.config.redirect_uri.as_str()),
            ("response_type", "code"),
            ("scope", &META_SCOPES.join(",")),
            ("state", state),
        ])
        .unwrap_or_default();
        format!("{}?{query}", self.config.authorize_url)
    }

    fn graph(&self, path: &str) -> String {
        format!("{}/{}{path}", self.config.graph_base_url, self.config.graph_version)
    }

    /// Code to short-lived token (CONTRACT.md §2): `data[]`-wrapped or flat, `user_id` string or
    /// integer, `permissions` string or array.
    pub async fn exchange_code(&self, code: &str) -> Result<ShortLived, MetaError> {
        let form = [
            ("client_id", self.config.app_id.as_str()),
            ("client_secret", self.config.app_secret.expose_secret()),
            ("grant_type", "authorization_code"),
            ("redirect_uri", self.config.redirect_uri.as_str()),
            ("code", code),
        ];
        let url = format!("{}/oauth/access_token", self.config.api_base_url);
        let body = error::read("POST /oauth/access_token", self.http.post(url).form(&form)).await?;
        let fields = body["data"].get(0).unwrap_or(&body);
        let token = fields["access_token"].as_str().ok_or_else(|| MetaError::unexpected("no access_token"))?;
        let permissions = match &fields["permissions"] {
            Value::String(list) => list.split(',').map(|p| p.trim().to_owned()).collect(),
            Value::Array(list) => list.iter().filter_map(|p| p.as_str().map(str::to_owned)).collect(),
            _ => Vec::new(),
        };
        Ok(ShortLived { token: SecretString::from(token.to_owned()), permissions })
    }

    /// Short-lived to long-lived, about 60 days (CONTRACT.md §3).
    pub async fn long_lived(&self, short: &SecretString) -> Result<LongLived, MetaError> {
        let query = [
            ("grant_type", "ig_exchange_token"),
            ("client_secret", self.config.app_secret.expose_secret()),
            ("access_token", short.expose_secret()),
        ];
        let url = format!("{}/access_token", self.config.graph_base_url);
        long_lived_from(error::read("GET /access_token", self.http.get(url).query(&query)).await?)
    }

    /// A new long-lived token for one at least 24 hours old and not expired (CONTRACT.md §4).
    pub async fn refresh(&self, long: &SecretString) -> Result<LongLived, MetaError> {
        let query = [("grant_type", "ig_refresh_token"), ("access_token", long.expose_secret())];
        let url = format!("{}/refresh_access_token", self.config.graph_base_url);
        long_lived_from(error::read("GET /refresh_access_token", self.http.get(url).query(&query)).await?)
    }

    /// The account behind a token (CONTRACT.md §5).
    pub async fn me(&self, token: &SecretString) -> Result<Profile, MetaError> {
        let request = self
            .http
            .get(self.graph("/me"))
            .query(&[("fields", "user_id,username,name,profile_picture_url,account_type")])
            .bearer_auth(token.expose_secret());
        let body = error::read("GET /me", request).await?;
        let fields = body["data"].get(0).unwrap_or(&body);
        let ig_id = match &fields["user_id"] {
            Value::String(id) => id.clone(),
            Value::Number(id) => id.to_string(),
            _ => return Err(MetaError::unexpected("no user_id")),
        };
        let text = |name: &str| fields[name].as_str().map(str::to_owned);
        Ok(Profile {
            ig_id,
            username: text("username").ok_or_else(|| MetaError::unexpected("no username"))?,
            name: text("name"),
            profile_picture_url: text("profile_picture_url"),
        })
    }

    /// Subscribes the account to the webhook fields (CONTRACT.md §8): nothing arrives without it.
    pub async fn subscribe(&self, token: &SecretString) -> Result<(), MetaError> {
        let request = self
            .http
            .post(self.graph("/me/subscribed_apps"))
            .query(&[("subscribed_fields", WEBHOOK_FIELDS)])
            .bearer_auth(token.expose_secret());
        let body = error::read("POST /me/subscribed_apps", request).await?;
        if body["success"] == Value::Bool(true) {
            Ok(())
        } else {
            Err(MetaError::unexpected("subscription not confirmed"))
        }
    }

    /// Registers the account's ice breakers, `(question, payload)` (CONTRACT.md §7); none
    /// removes them.
    pub async fn set_ice_breakers(
        &self,
        token: &SecretString,
        ig_id: &str,
        questions: &[(String, String)],
    ) -> Result<(), MetaError> {
        let path = format!("/{ig_id}/messenger_profile");
        let request = if questions.is_empty() {
            self.http
                .delete(self.graph(&path))
                .json(&serde_json::json!({ "fields": ["ice_breakers"], "platform": "instagram" }))
        } else {
            let actions: Vec<Value> =
                questions.iter().map(|(q, p)| serde_json::json!({ "question": q, "payload": p })).collect();
            self.http.post(self.graph(&path)).json(&serde_json::json!({
                "platform": "instagram",
                "ice_breakers": [{ "call_to_actions": actions, "locale": "default" }],
            }))
        };
        let body = error::read(
            if questions.is_empty() { "DELETE /{ig-id}/messenger_profile" } else { "POST /{ig-id}/messenger_profile" },
            request.bearer_auth(token.expose_secret()),
        )
        .await?;
        if body["success"] == Value::Bool(true) {
            Ok(())
        } else {
            Err(MetaError::unexpected("ice breakers not confirmed"))
        }
    }

    /// Stops Meta delivering the account's events to this app (`DELETE /me/subscribed_apps`).
    pub async fn unsubscribe(&self, token: &SecretString) -> Result<(), MetaError> {
        let request = self.http.delete(self.graph("/me/subscribed_apps")).bearer_auth(token.expose_secret());
        let body = error::read("DELETE /me/subscribed_apps", request).await?;
        if body["success"] == Value::Bool(true) {
            Ok(())
        } else {
            Err(MetaError::unexpected("unsubscription not confirmed"))
        }
    }
}

fn long_lived_from(body: Value) -> Result<LongLived, MetaError> {
    let token = body["access_token"].as_str().ok_or_else(|| MetaError::unexpected("no access_token"))?;
    let expires_in = body["expires_in"].as_i64().ok_or_else(|| MetaError::unexpected("no expires_in"))?;
    Ok(LongLived { token: SecretString::from(token.to_owned()), expires_in })
}
