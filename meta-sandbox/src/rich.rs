//! The shapes of a Send API `message` beyond plain text, checked as Meta checks them
//! (CONTRACT.md §7): quick replies, the button and generic templates, and media by URL.
use crate::errors::GraphError;
use serde_json::Value;

const QUICK_REPLIES_MAX: usize = 13;
const QUICK_REPLY_TITLE_CHARS: usize = 20;
const PAYLOAD_BYTES: usize = 1000;
const BUTTONS_MAX: usize = 3;
const BUTTON_TITLE_CHARS: usize = 20;
const BUTTON_TEXT_CHARS: usize = 640;
const ELEMENTS_MAX: usize = 10;
const ELEMENT_TEXT_CHARS: usize = 80;
const MEDIA_TYPES: [&str; 4] = ["image", "video", "audio", "file"];

fn invalid(message: String) -> GraphError {
    GraphError::invalid_parameter(format!("(#100) {message}")).messaging()
}

fn chars(value: &Value) -> usize {
    value.as_str().map_or(0, |s| s.chars().count())
}

fn web_url(value: &Value) -> bool {
    value.as_str().is_some_and(|u| (u.starts_with("https://") || u.starts_with("http://")) && u.len() > 8)
}

/// Checks everything of `message` but its text's length (the caller checks that).
pub fn check(message: &Value) -> Result<(), GraphError> {
    if let Some(quick) = message.get("quick_replies") {
        quick_replies(quick)?;
    }
    if let Some(attachment) = message.get("attachment") {
        self::attachment(attachment)?;
        if message.get("text").is_some() {
            return Err(invalid("Only one of message[text] and message[attachment] may be set".into()));
        }
    }
    Ok(())
}

fn quick_replies(quick: &Value) -> Result<(), GraphError> {
    let list = quick.as_array().ok_or_else(|| invalid("param message[quick_replies] must be an array".into()))?;
    if list.is_empty() || list.len() > QUICK_REPLIES_MAX {
        return Err(invalid(format!("param message[quick_replies] must have 1 to {QUICK_REPLIES_MAX} elements")));
    }
    for (i, q) in list.iter().enumerate() {
        match q["content_type"].as_str() {
            Some("text") => {
                let title = chars(&q["title"]);
                if title == 0 || title > QUICK_REPLY_TITLE_CHARS {
                    return Err(invalid(format!(
                        "param message[quick_replies][{i}][title] must be 1 to {QUICK_REPLY_TITLE_CHARS} characters"
                    )));
                }
                payload(&q["payload"], &format!("message[quick_replies][{i}][payload]"))?;
            }
            Some("user_phone_number" | "user_email") => {}
            _ => return Err(invalid(format!("param message[quick_replies][{i}][content_type] is invalid"))),
        }
    }
    Ok(())
}

fn payload(value: &Value, name: &str) -> Result<(), GraphError> {
    match value.as_str() {
        Some(p) if !p.is_empty() && p.len() <= PAYLOAD_BYTES => Ok(()),
        _ => Err(invalid(format!("param {name} must be 1 to {PAYLOAD_BYTES} bytes"))),
    }
}

fn buttons(list: &Value, name: &str) -> Result<(), GraphError> {
    let list = list.as_array().ok_or_else(|| invalid(format!("param {name} must be an array")))?;
    if list.is_empty() || list.len() > BUTTONS_MAX {
        return Err(invalid(format!("param {name} must have 1 to {BUTTONS_MAX} elements")));
    }
    for (i, b) in list.iter().enumerate() {
        let title = chars(&b["title"]);
        if title == 0 || title > BUTTON_TITLE_CHARS {
            return Err(invalid(format!("param {name}[{i}][title] must be 1 to {BUTTON_TITLE_CHARS} characters")));
        }
        match b["type"].as_str() {
            Some("web_url") if web_url(&b["url"]) => {}
            Some("web_url") => return Err(invalid(format!("param {name}[{i}][url] must be a URL"))),
            Some("postback") => payload(&b["payload"], &format!("{name}[{i}][payload]"))?,
            _ => return Err(invalid(format!("param {name}[{i}][type] must be web_url or postback"))),
        }
    }
    Ok(())
}

fn attachment(attachment: &Value) -> Result<(), GraphError> {
    let payload = &attachment["payload"];
    match attachment["type"].as_str() {
        Some(kind) if MEDIA_TYPES.contains(&kind) => {
            if payload["attachment_id"].is_string() {
                return Ok(());
            }
            if !web_url(&payload["url"]) {
                return Err(invalid("param message[attachment][payload][url] must be a URL".into()));
            }
            fetch(kind, payload["url"].as_str().unwrap_or_default())
        }
        Some("template") => match payload["template_type"].as_str() {
            Some("button") => {
                let text = chars(&payload["text"]);
                if text == 0 || text > BUTTON_TEXT_CHARS {
                    return Err(invalid(format!(
                        "param message[attachment][payload][text] must be 1 to {BUTTON_TEXT_CHARS} characters"
                    )));
                }
                buttons(&payload["buttons"], "message[attachment][payload][buttons]")
            }
            Some("generic") => {
                let elements = payload["elements"].as_array().map(Vec::as_slice).unwrap_or_default();
                if elements.is_empty() || elements.len() > ELEMENTS_MAX {
                    return Err(invalid(format!(
                        "param message[attachment][payload][elements] must have 1 to {ELEMENTS_MAX} elements"
                    )));
                }
                for (i, e) in elements.iter().enumerate() {
                    let name = format!("message[attachment][payload][elements][{i}]");
                    let title = chars(&e["title"]);
                    if title == 0 || title > ELEMENT_TEXT_CHARS || chars(&e["subtitle"]) > ELEMENT_TEXT_CHARS {
                        return Err(invalid(format!(
                            "param {name}[title] and [subtitle] must be at most {ELEMENT_TEXT_CHARS} characters"
                        )));
                    }
                    if e.get("image_url").is_some() && !web_url(&e["image_url"]) {
                        return Err(invalid(format!("param {name}[image_url] must be a URL")));
                    }
                    if let Some(list) = e.get("buttons") {
                        buttons(list, &format!("{name}[buttons]"))?;
                    }
                }
                Ok(())
            }
            _ => Err(invalid("param message[attachment][payload][template_type] is invalid".into())),
        },
        _ => Err(invalid("param message[attachment][type] is invalid".into())),
    }
}

/// What Meta finds when it fetches a file to attach. The sandbox reaches no network: a host under
/// `.invalid` (RFC 2606) cannot be fetched, and a file whose extension is another kind's fails
/// the upload, as Meta answers when the content is not of the declared type.
fn fetch(kind: &str, url: &str) -> Result<(), GraphError> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h).split(':').next().unwrap_or_default();
    if host.ends_with(".invalid") {
        return Err(GraphError::invalid_parameter("(#100) Failed to fetch the file from the url")
            .subcode(2_018_008)
            .messaging());
    }
    let path = path.split(['?', '#']).next().unwrap_or_default().to_ascii_lowercase();
    let extension = path.rsplit_once('.').map(|(_, e)| e).filter(|e| !e.contains('/'));
    let of_kind = |k: &str| -> &[&str] {
        match k {
            "image" => &["png", "jpg", "jpeg", "gif"],
            "video" => &["mp4", "ogg", "avi", "mov", "webm"],
            "audio" => &["aac", "m4a", "wav", "mp4"],
            _ => &["pdf"],
        }
    };
    let known = MEDIA_TYPES.iter().any(|k| extension.is_some_and(|e| of_kind(k).contains(&e)));
    match extension {
        Some(e) if known && !of_kind(kind).contains(&e) => Err(GraphError::invalid_parameter(format!(
            "(#100) Upload attachment failure: a .{e} file is not a valid {kind}"
        ))
        .subcode(2_018_047)
        .messaging()),
        _ => Ok(()),
    }
}

/// The taps a message offers: `(kind, title, payload)` of its quick replies and postback buttons.
pub fn taps(message: &Value) -> Vec<(&'static str, String, String)> {
    let mut taps = Vec::new();
    for q in message["quick_replies"].as_array().into_iter().flatten() {
        if let (Some(title), Some(payload)) = (q["title"].as_str(), q["payload"].as_str()) {
            taps.push(("quick_reply", title.to_owned(), payload.to_owned()));
        }
    }
    let payload = &message["attachment"]["payload"];
    let mut lists: Vec<&Value> = vec![&payload["buttons"]];
    lists.extend(payload["elements"].as_array().into_iter().flatten().map(|e| &e["buttons"]));
    for b in lists.into_iter().filter_map(Value::as_array).flatten() {
        if let (Some("postback"), Some(title), Some(p)) =
            (b["type"].as_str(), b["title"].as_str(), b["payload"].as_str())
        {
            taps.push(("postback", title.to_owned(), p.to_owned()));
        }
    }
    taps
}
