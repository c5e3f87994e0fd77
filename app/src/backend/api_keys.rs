//! API keys (seed 03): a person makes, names, lists and revokes them; a script calls `/api/v1`
//! with one as its Bearer token and acts as that person, on their own instances only.
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
