//! What a person or a script sends to `/api/`, checked before any handler runs: a body of at most
//! 2 MiB (413 beyond), and no control characters (NUL above all: PostgreSQL cannot store it in
//! text) in any field of a query string or a form, answered 422 with the field it was found in,
//! so a refused rename changes nothing. Tabs and line breaks are text. Webhook deliveries are not
//! `/api/`: Meta relays what people type, and the intake stores it by its own rule.
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
    if !request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    if let Some(field) = request.uri().query().and_then(refused_field) {
        return refusal(&field);
    }
    let form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY_BYTES).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "the request body is too large").into_response();
    };
    if form {
        if let Some(field) = refused_field(&String::from_utf8_lossy(&bytes)) {
            return refusal(&field);
        }
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

fn refusal(field: &str) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, Json(AppError::invalid(field, "control_characters"))).into_response()
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
}
