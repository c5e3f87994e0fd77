//! What a person or a script sends to `/api/`, checked before any handler runs: a body of at most
//! 2 MiB (413 beyond), and no control characters (NUL above all: PostgreSQL cannot store it in
//! text) in any field of a query string or a form, answered 422 with the field it was found in,
//! so a refused rename changes nothing. Tabs and line breaks are text. The REST API's JSON bodies
//! are checked the same way, and its refusals take the API's error shape. Webhook deliveries are
//! not `/api/`: Meta relays what people type, and the intake stores it by its own rule.
use app::domain::error::FieldCode;
use app::domain::{error::AppError, url::decode};
use axum::{
    body::{to_bytes, Body},
    extract::Request,
    http::{header, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    Json,
};

/// The largest body `/api/` accepts; server functions take far less.
const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

pub async fn refuse_control_characters(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if !path.starts_with("/api/") {
        return next.run(request).await;
    }
    let rest_api = path.starts_with("/api/v1/");
    let refusal = |field: &str| {
        if rest_api {
            crate::api_v1::error::ApiError::invalid(field, FieldCode::ControlCharacters).into_response()
        } else {
            form_refusal(field)
        }
    };
    if let Some(field) = decode(path).chars().any(|c| c.is_control()).then_some("path") {
        return refusal(field);
    }
    if let Some(field) = request.uri().query().and_then(refused_field) {
        return refusal(&field);
    }
    let content_type = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let form = content_type.starts_with("application/x-www-form-urlencoded");
    let json = rest_api && content_type.starts_with("application/json");
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY_BYTES).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "the request body is too large").into_response();
    };
    if form {
        if let Some(field) = refused_field(&String::from_utf8_lossy(&bytes)) {
            return refusal(&field);
        }
    }
    if json {
        // A body that does not parse is the handler's to refuse, in its own words.
        if let Some(field) = serde_json::from_slice(&bytes).ok().and_then(|value| refused_json_field(&value, "body")) {
            return refusal(&field);
        }
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

fn form_refusal(field: &str) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, Json(AppError::invalid(field, FieldCode::ControlCharacters))).into_response()
}

/// The first field whose name or value holds a control character, named as the form names it
/// (`input[keywords]` is `keywords`).
fn refused_field(encoded: &str) -> Option<String> {
    encoded.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (key, value) = (decode(key), decode(value));
        (forbidden(&key) || forbidden(&value)).then(|| field_name(&key))
    })
}

/// The innermost key above the first string (or key) of `value` that holds a control character.
fn refused_json_field(value: &serde_json::Value, field: &str) -> Option<String> {
    match value {
        serde_json::Value::String(text) => forbidden(text).then(|| field.to_owned()),
        serde_json::Value::Array(items) => items.iter().find_map(|item| refused_json_field(item, field)),
        serde_json::Value::Object(map) => {
            map.iter().find_map(
                |(key, item)| {
                    if forbidden(key) {
                        Some(field_name(key))
                    } else {
                        refused_json_field(item, key)
                    }
                },
            )
        }
        _ => None,
    }
}

fn forbidden(text: &str) -> bool {
    text.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

fn field_name(key: &str) -> String {
    let inner = key.rsplit_once('[').map_or(key, |(_, rest)| rest.trim_end_matches(']'));
    inner.chars().filter(|c| !c.is_control()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_field_that_holds_a_control_character() {
        assert_eq!(refused_field("id=1&name=Loja%00"), Some("name".into()));
        assert_eq!(refused_field("instance_id=1&input%5Bkeywords%5D=pre%C3%A7o%01"), Some("keywords".into()));
        assert_eq!(refused_field("input[response_text]=a%C2%85b"), Some("response_text".into()), "C1 controls too");
        assert_eq!(refused_field("na%00me=x"), Some("name".into()));
        assert_eq!(refused_field("text=linha+1%0D%0Alinha%092"), None, "line breaks and tabs are text");
        assert_eq!(refused_field("name=Lo%2Fja+%F0%9F%9B%8D"), None);
        assert_eq!(refused_field(""), None);
    }

    #[test]
    fn names_the_json_field_that_holds_a_control_character() {
        let body = serde_json::json!({ "name": "ok", "buttons": [{ "title": "Sim\u{0}" }] });
        assert_eq!(refused_json_field(&body, "body"), Some("title".into()));
        assert_eq!(refused_json_field(&serde_json::json!({ "text": "linha 1\nlinha 2" }), "body"), None);
        assert_eq!(refused_json_field(&serde_json::json!("\u{7}"), "body"), Some("body".into()));
    }
}
