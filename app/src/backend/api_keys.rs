//! API keys (seed 03): a person makes, names, lists and revokes them; a script calls `/api/v1`
//! with one as its Bearer token and acts as that person, on their own instances only.
use super::crypto::{self, Sealed};
use super::error::Error;
use super::{
    auth::SignedIn,
    state::AppState,
    store::pg::api_keys::{self, KeyOwner},
};
use crate::domain::error::FieldCode;
use crate::domain::id::ApiKeyId;
use crate::domain::{
    api_key::{parse_name, ApiKeyView, CreatedKey, KEYS_MAX, KEY_START},
    audit::AuditAction,
    error::AppError,
};
use secrecy::ExposeSecret;

pub async fn list(state: &AppState, who: &SignedIn) -> Result<Vec<ApiKeyView>, Error> {
    Ok(api_keys::list(&state.pg, who.owner()).await?)
}

/// Makes a key: `ick_` + an 8-character prefix (shown in lists) + `_` + 32 secret characters.
pub async fn create(state: &AppState, who: &SignedIn, name: &str) -> Result<CreatedKey, Error> {
    let name = parse_name(name).map_err(|e| AppError::Invalid(vec![e]))?;
    if api_keys::count_live(&state.pg, who.owner()).await? >= KEYS_MAX {
        return Err(Error::invalid("name", FieldCode::TooManyKeys));
    }
    let random = super::security::random_token::<30>();
    // The alphabet has `-` and `_`; the prefix must not contain the separator.
    let prefix = format!("{KEY_START}{}", random[..8].replace(['-', '_'], "x"));
    let secret = format!("{prefix}_{}", &random[8..]);
    let key = api_keys::insert(&state.pg, who.owner(), &name, &prefix, &secret).await?;
    who.audit(&state.pg, AuditAction::ApiKeyCreated, key.id.as_str(), &key.name, Some(&key.prefix)).await?;
    Ok(CreatedKey { key, secret })
}

/// Without JavaScript the form's POST is answered with a redirect back to the page, and the answer
/// that carries the secret is never seen. The secret then rides along once, in a cookie only
/// `/api-keys` receives, sealed for its owner and lived for five minutes; the page takes it (and
/// clears it) as it renders. With JavaScript the page reads the answer and no cookie is set.
const HANDED_OVER_COOKIE: &str = "ic_new_api_key";
const HANDED_OVER_SECONDS: u32 = 300;

pub fn hand_over_to_plain_form(state: &AppState, who: &SignedIn, created: &CreatedKey) -> Result<(), Error> {
    let Some(parts) = leptos::prelude::use_context::<http::request::Parts>() else { return Ok(()) };
    if !super::is_plain_form(&parts) {
        return Ok(());
    }
    let sealed = crypto::seal(&state.config.token_keys, &handover_purpose(who), &created.secret.clone().into())
        .map_err(Error::internal)?;
    set_handover_cookie(state, sealed.as_str(), HANDED_OVER_SECONDS);
    Ok(())
}

/// The secret [`hand_over_to_plain_form`] left for this page, once: the cookie is cleared in the
/// same answer. A cookie sealed for someone else, or from a rotated key, is dropped unread.
pub fn take_handed_over(state: &AppState, who: &SignedIn) -> Option<String> {
    let parts = leptos::prelude::use_context::<http::request::Parts>()?;
    let sealed = super::auth::cookie(&parts.headers, HANDED_OVER_COOKIE)?;
    set_handover_cookie(state, "", 0);
    let secret = crypto::open(&state.config.token_keys, &handover_purpose(who), &Sealed::stored(sealed.to_owned()));
    secret.ok().map(|secret| secret.expose_secret().to_owned())
}

fn handover_purpose(who: &SignedIn) -> String {
    format!("api-key-handover:{}", who.id().as_str())
}

fn set_handover_cookie(state: &AppState, value: &str, max_age: u32) {
    let secure = if state.config.secure_cookies() { "; Secure" } else { "" };
    super::auth::set_cookie(format!(
        "{HANDED_OVER_COOKIE}={value}; Path=/api-keys; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ));
}

pub async fn revoke(state: &AppState, who: &SignedIn, id: &ApiKeyId) -> Result<(), Error> {
    let id = id.uuid().ok_or(AppError::NotFound)?;
    let name = api_keys::revoke(&state.pg, who.owner(), id).await?;
    Ok(who.audit(&state.pg, AuditAction::ApiKeyRevoked, &id.to_string(), &name, None).await?)
}

/// The owner of a key as sent, if it is one of ours and still live.
pub async fn owner(state: &AppState, token: &str) -> Result<Option<KeyOwner>, Error> {
    if !token.starts_with(KEY_START) || token.len() > 100 {
        return Ok(None);
    }
    Ok(api_keys::owner_of(&state.pg, token).await?)
}
