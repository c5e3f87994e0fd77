//! The account's posts and reels (CONTRACT.md §5, "Media").
use super::{error, MetaClient, MetaError};
use crate::domain::automation_draft::MediaItem;
use crate::domain::id::MediaId;
use secrecy::{ExposeSecret, SecretString};

impl MetaClient {
    /// The account's most recent media, newest first (one page of up to 50).
    ///
    /// <https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/get-started>
    pub async fn media(&self, token: &SecretString, ig_id: &str) -> Result<Vec<MediaItem>, MetaError> {
        let request = self
            .http
            .get(self.graph(&format!("/{ig_id}/media")))
            .query(&[
                ("fields", "id,caption,media_type,media_product_type,media_url,thumbnail_url,permalink"),
                ("limit", "50"),
            ])
            .bearer_auth(token.expose_secret());
        let answer = error::read("GET /{ig-id}/media", request).await?;
        let text = |item: &serde_json::Value, name: &str| item[name].as_str().map(str::to_owned);
        Ok(answer["data"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|item| {
                        Some(MediaItem {
                            id: MediaId::new(text(item, "id")?),
                            caption: text(item, "caption"),
                            // Images have no thumbnail: their media_url is the picture.
                            thumbnail_url: text(item, "thumbnail_url").or_else(|| text(item, "media_url")),
                            permalink: text(item, "permalink"),
                            product: text(item, "media_product_type"),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default())
    }
}

impl MetaClient {
    /// Where a post or reel is on Instagram (`GET /{MEDIA_ID}?fields=permalink`, the IG Media node).
    pub async fn permalink(&self, token: &SecretString, media_id: &MediaId) -> Result<Option<String>, MetaError> {
        let request = self
            .http
            .get(self.graph(&format!("/{media_id}")))
            .query(&[("fields", "id,permalink")])
            .bearer_auth(token.expose_secret());
        let answer = error::read("GET /{media-id}", request).await?;
        Ok(answer["permalink"].as_str().map(str::to_owned))
    }
}
