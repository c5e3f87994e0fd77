//! The replies the engine sends (CONTRACT.md §6 and §7) and the look-ups it needs around them.
use super::{error, MetaClient, MetaError};
use crate::domain::id::CommentId;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};

/// Who a direct message goes to.
pub enum Recipient<'a> {
    /// A person by their IGSID; only inside the 24-hour window.
    Person(&'a str),
    /// The author of a comment: Meta's private reply, once per comment within 7 days.
    Comment(&'a CommentId),
}

/// A reply Meta accepted: the new message id (DM) or comment id (public reply).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub id: String,
}

impl MetaClient {
    /// `POST /{IG_ID}/messages` with a text, and its buttons and quick replies (`extras`, in the
    /// Send API's shapes). `metadata` comes back on the echo, which is how a
    /// send whose answer was lost is recognised later.
    ///
    /// <https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/messaging-api>,
    /// <https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/messaging-api/private-replies>
    pub async fn send_message(
        &self,
        token: &SecretString,
        ig_id: &str,
        to: Recipient<'_>,
        text: &str,
        extras: Option<&Value>,
        metadata: &str,
    ) -> Result<Sent, MetaError> {
        let recipient = match to {
            Recipient::Person(igsid) => json!({ "id": igsid }),
            Recipient::Comment(comment_id) => json!({ "comment_id": comment_id }),
        };
        let body = json!({ "recipient": recipient, "message": message(text, extras, metadata) });
        let request = self.http.post(self.graph(&format!("/{ig_id}/messages"))).bearer_auth(token.expose_secret());
        let answer = error::read("POST /{ig-id}/messages", request.json(&body)).await?;
        let id = answer["message_id"].as_str().ok_or_else(|| MetaError::unexpected("no message_id"))?;
        Ok(Sent { id: id.to_owned() })
    }

    /// `POST /{COMMENT_ID}/replies`: a public reply in the comment's thread.
    ///
    /// <https://developers.facebook.com/docs/instagram-platform/comment-moderation>
    pub async fn reply_to_comment(
        &self,
        token: &SecretString,
        comment_id: &CommentId,
        text: &str,
    ) -> Result<Sent, MetaError> {
        let request = self.http.post(self.graph(&format!("/{comment_id}/replies"))).bearer_auth(token.expose_secret());
        let answer = error::read("POST /{comment-id}/replies", request.json(&json!({ "message": text }))).await?;
        let id = answer["id"].as_str().ok_or_else(|| MetaError::unexpected("no id"))?;
        Ok(Sent { id: id.to_owned() })
    }

    /// `POST /{COMMENT_ID}?hide=true|false`: hides a comment from everyone but its author, or
    /// shows it again.
    ///
    /// <https://developers.facebook.com/docs/instagram-platform/comment-moderation>
    pub async fn hide_comment(
        &self,
        token: &SecretString,
        comment_id: &CommentId,
        hide: bool,
    ) -> Result<(), MetaError> {
        let request = self
            .http
            .post(self.graph(&format!("/{comment_id}")))
            .query(&[("hide", if hide { "true" } else { "false" })])
            .bearer_auth(token.expose_secret());
        let answer = error::read("POST /{comment-id}?hide", request).await?;
        if answer["success"].as_bool() == Some(true) {
            Ok(())
        } else {
            Err(MetaError::unexpected("hide did not succeed"))
        }
    }

    /// The account's own reply with `text` in a comment's thread, if there is one: how a public
    /// reply whose answer was lost is recognised before trying again.
    pub async fn find_own_reply(
        &self,
        token: &SecretString,
        ig_id: &str,
        comment_id: &CommentId,
        text: &str,
    ) -> Result<Option<Sent>, MetaError> {
        let request = self
            .http
            .get(self.graph(&format!("/{comment_id}/replies")))
            .query(&[("fields", "id,text,from")])
            .bearer_auth(token.expose_secret());
        let answer = error::read("GET /{comment-id}/replies", request).await?;
        let empty = Vec::new();
        let replies = answer["data"].as_array().unwrap_or(&empty);
        Ok(replies
            .iter()
            .find(|r| r["from"]["id"].as_str() == Some(ig_id) && r["text"].as_str() == Some(text))
            .and_then(|r| r["id"].as_str())
            .map(|id| Sent { id: id.to_owned() }))
    }

    /// The @username of the person behind an IGSID (allowed once they messaged the account).
    ///
    /// <https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/messaging-api#user-profile>
    pub async fn username_of(&self, token: &SecretString, igsid: &str) -> Result<Option<String>, MetaError> {
        let request = self
            .http
            .get(self.graph(&format!("/{igsid}")))
            .query(&[("fields", "username")])
            .bearer_auth(token.expose_secret());
        let answer = error::read("GET /{igsid}", request).await?;
        Ok(answer["username"].as_str().map(str::to_owned))
    }
}

/// The Send API's `message` (CONTRACT.md §7): a generic template for cards, a file, a button
/// template when a text has buttons (its text is the template's), or a text; with quick replies
/// when there are any.
fn message(text: &str, extras: Option<&Value>, metadata: &str) -> Value {
    let list = |name: &str| extras.and_then(|e| e[name].as_array()).filter(|l| !l.is_empty());
    let file = extras.and_then(|e| e.get("attachment")).filter(|a| a.is_object());
    let mut message = match (list("elements"), file, list("buttons")) {
        (Some(elements), _, _) => json!({ "attachment": { "type": "template", "payload": {
            "template_type": "generic", "elements": elements } } }),
        (None, Some(file), _) => json!({ "attachment": file }),
        (None, None, Some(buttons)) => json!({ "attachment": { "type": "template", "payload": {
            "template_type": "button", "text": text, "buttons": buttons } } }),
        (None, None, None) => json!({ "text": text }),
    };
    if let Some(quick) = list("quick_replies") {
        message["quick_replies"] = json!(quick);
    }
    message["metadata"] = json!(metadata);
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buttons_make_a_template_and_quick_replies_ride_along() {
        assert_eq!(message("Oi", None, "ic:1"), json!({ "text": "Oi", "metadata": "ic:1" }));
        let buttons =
            json!({ "buttons": [{ "type": "postback", "title": "Sim", "payload": "ic:auto:a" }], "quick_replies": [] });
        assert_eq!(
            message("Quer o link?", Some(&buttons), "ic:2"),
            json!({ "attachment": { "type": "template", "payload": { "template_type": "button", "text": "Quer o link?",
                    "buttons": [{ "type": "postback", "title": "Sim", "payload": "ic:auto:a" }] } }, "metadata": "ic:2" })
        );
        let quick = json!({ "buttons": [], "quick_replies": [{ "content_type": "text", "title": "M", "payload": "ic:auto:b" }] });
        assert_eq!(message("Tamanho?", Some(&quick), "ic:3")["quick_replies"][0]["payload"], "ic:auto:b");
        assert_eq!(message("Tamanho?", Some(&quick), "ic:3")["text"], "Tamanho?");
    }

    #[test]
    fn cards_make_a_generic_template_and_a_file_its_attachment_without_text() {
        let cards = json!({ "buttons": [], "quick_replies": [{ "content_type": "text", "title": "Mais", "payload": "ic:auto:c" }],
                            "elements": [{ "title": "Bolo", "image_url": "https://loja.exemplo/bolo.jpg" }] });
        assert_eq!(
            message("Bolo", Some(&cards), "ic:4"),
            json!({ "attachment": { "type": "template", "payload": { "template_type": "generic",
                    "elements": [{ "title": "Bolo", "image_url": "https://loja.exemplo/bolo.jpg" }] } },
                    "quick_replies": [{ "content_type": "text", "title": "Mais", "payload": "ic:auto:c" }],
                    "metadata": "ic:4" })
        );
        let file = json!({ "buttons": [], "quick_replies": [],
                           "attachment": { "type": "file", "payload": { "url": "https://loja.exemplo/catalogo.pdf" } } });
        assert_eq!(
            message("https://loja.exemplo/catalogo.pdf", Some(&file), "ic:5"),
            json!({ "attachment": { "type": "file", "payload": { "url": "https://loja.exemplo/catalogo.pdf" } },
                    "metadata": "ic:5" })
        );
    }
}
