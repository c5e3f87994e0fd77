//! The account's figures of the last day (CONTRACT.md §13): followers from the account node,
//! reach and views as total values; profile views when Meta still serves them.
use super::{error, MetaClient, MetaError};
use chrono::{Duration, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayFigures {
    pub followers: i64,
    pub reach: Option<i64>,
    pub views: Option<i64>,
    pub profile_views: Option<i64>,
}

fn total(answer: &Value, metric: &str) -> Option<i64> {
    answer["data"].as_array()?.iter().find(|m| m["name"] == metric)?["total_value"]["value"].as_i64()
}

impl MetaClient {
    pub async fn day_figures(&self, token: &SecretString, ig_id: &str) -> Result<DayFigures, MetaError> {
        let request =
            self.http.get(self.graph("/me")).query(&[("fields", "followers_count")]).bearer_auth(token.expose_secret());
        let account = error::read("GET /me", request).await?;
        let followers =
            account["followers_count"].as_i64().ok_or_else(|| MetaError::unexpected("no followers_count"))?;
        let now = Utc::now();
        let (since, until) = ((now - Duration::days(1)).timestamp().to_string(), now.timestamp().to_string());
        let insights = |metric: &'static str| {
            self.http
                .get(self.graph(&format!("/{ig_id}/insights")))
                .query(&[
                    ("metric", metric),
                    ("period", "day"),
                    ("metric_type", "total_value"),
                    ("since", since.as_str()),
                    ("until", until.as_str()),
                ])
                .bearer_auth(token.expose_secret())
        };
        let figures = error::read("GET /{ig-id}/insights", insights("reach,views")).await?;
        // Removed by Meta for time series, maybe for total values too: its absence is no error.
        let profile_views = match error::read("GET /{ig-id}/insights", insights("profile_views")).await {
            Ok(answer) => total(&answer, "profile_views"),
            Err(MetaError::Api { code: Some(100), .. }) => None,
            Err(other) => return Err(other),
        };
        Ok(DayFigures { followers, reach: total(&figures, "reach"), views: total(&figures, "views"), profile_views })
    }
}
