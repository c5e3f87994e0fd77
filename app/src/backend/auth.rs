//! Who is calling: a session cookie from the browser, a JWT from the main Clerky backend, or one
//! of a person's API keys.
use super::error::Error;
use super::{
    config::Config,
    rate_limit::{self, Quota},
    security::session_cookie_name,
    state::AppState,
    store::{
        access::{Everyone, Owner},
        mongo::{
            instances::InstanceDoc,
            users::{self, UserDoc},
        },
        pg::sessions,
        StoreError,
    },
};
use crate::domain::{audit::AuditAction, error::AppError, id::UserId, user::Role};
use axum::extract::ConnectInfo;
use http::{header, request::Parts, HeaderMap, HeaderValue};
use mongodb::bson::oid::ObjectId;
use secrecy::ExposeSecret;
use std::{
    collections::HashMap,
    net::{IpAddr, SocketAddr},
    sync::{Arc, Mutex},
};
use tokio::sync::OnceCell;

/// Proof that the caller signed in. Only this module builds one.
#[derive(Clone, Debug)]
pub struct SignedIn {
    user: UserDoc,
    /// The user's id in hex, as PostgreSQL's rows carry it.
    id: UserId,
    /// The API key the call came with, if it came with one.
    key: Option<uuid::Uuid>,
}

impl SignedIn {
    fn new(user: UserDoc, key: Option<uuid::Uuid>) -> Self {
        Self { id: user.user_id(), user, key }
    }

    pub fn user_id(&self) -> ObjectId {
        self.user.id
    }

    /// The caller's id in hex, as PostgreSQL's rows carry it.
    pub fn id(&self) -> &UserId {
        &self.id
    }

    /// The caller's own rows in PostgreSQL.
    pub fn owner(&self) -> Owner<'_> {
        Owner::of(self)
    }

    /// An admin's powers never pass to a key: a key reaches its owner's own instances only.
    pub fn is_admin(&self) -> bool {
        self.user.role == Role::Admin && self.key.is_none()
    }

    pub fn api_key(&self) -> Option<uuid::Uuid> {
        self.key
    }

    pub fn user(&self) -> &UserDoc {
        &self.user
    }

    /// An audit entry for something this person did as themselves.
    pub async fn audit(
        &self,
        pg: &sqlx::PgPool,
        action: AuditAction,
        target_id: &str,
        target_name: &str,
        details: Option<&str>,
    ) -> Result<(), super::store::StoreError> {
        self.audit_as(false, pg, action, target_id, target_name, details).await
    }

    /// An audit entry for something this person did, `as_admin` (on someone else's data) or not.
    pub async fn audit_as(
        &self,
        as_admin: bool,
        pg: &sqlx::PgPool,
        action: AuditAction,
        target_id: &str,
        target_name: &str,
        details: Option<&str>,
    ) -> Result<(), super::store::StoreError> {
        let actor =
            super::store::pg::audit::Actor { id: Some(self.id.as_str()), email: Some(&self.user.email), as_admin };
        super::store::pg::audit::record(pg, &actor, action, target_id, target_name, details).await
    }
}

/// Claims of a token issued by the Clerky backend: the subject is the Clerky user id, which is the
/// `_id` of the shared `users` collection.
#[derive(serde::Deserialize)]
struct ClerkyClaims {
    sub: String,
    exp: i64,
}

/// The caller of a request, if any. A Bearer token that does not verify is an error, not anonymity,
/// so a script with a broken token hears 401 instead of seeing an empty account.
pub async fn caller(state: &AppState, headers: &HeaderMap) -> Result<Option<SignedIn>, Error> {
    if let Some(token) = bearer(headers) {
        // `Bearer` with nothing after it is a broken token, not an anonymous caller.
        let token = token?;
        let (user_id, key) = match super::api_keys::owner(state, token).await? {
            Some(owner) => (owner.user_id, Some(owner.id)),
            None => (verify_clerky_jwt(&state.config, token).ok_or(AppError::NotSignedIn)?, None),
        };
        let user = users::find_by_id(&state.mongo, &user_id).await?.ok_or(AppError::NotSignedIn)?;
        return Ok(Some(SignedIn::new(user, key)));
    }
    let Some(token) = cookie(headers, session_cookie_name(&state.config)) else { return Ok(None) };
    let secret = state.config.session_secret.expose_secret().as_bytes();
    let Some(user_id) = sessions::user_of(&state.pg, secret, token).await? else { return Ok(None) };
    Ok(users::find_by_id(&state.mongo, &user_id).await?.map(|user| SignedIn::new(user, None)))
}

/// What one page render reads once however many server functions the page calls: the caller
/// (each would otherwise read the session and the user again) and the instances each scope lists
/// (the reports' filters and names, the automations' overview and media picker each list them).
/// Provided per request by the router; a server function called over HTTP ignores it, looks
/// everything up and counts the call. A render only reads, so nothing it memoises goes stale.
#[derive(Clone, Default)]
pub struct RenderMemo {
    caller: Arc<OnceCell<Option<SignedIn>>>,
    instances: Arc<Mutex<HashMap<Option<ObjectId>, Listed>>>,
}

/// One scope's instances, read once by whichever part of the render asks first.
type Listed = Arc<OnceCell<Vec<InstanceDoc>>>;

impl RenderMemo {
    /// The memo of the page being rendered; `None` outside a render or for a call over HTTP.
    pub(crate) fn current() -> Option<Self> {
        let parts = leptos::prelude::use_context::<Parts>()?;
        if over_http(&parts) {
            return None;
        }
        leptos::prelude::use_context::<Self>()
    }

    /// The instances reaching `owner` (`None`: everyone's), read by `read` the first time.
    pub(crate) async fn instances<Read, Reading>(
        &self,
        owner: Option<ObjectId>,
        read: Read,
    ) -> Result<Vec<InstanceDoc>, StoreError>
    where
        Read: FnOnce() -> Reading,
        Reading: std::future::Future<Output = Result<Vec<InstanceDoc>, StoreError>>,
    {
        let cell =
            self.instances.lock().unwrap_or_else(std::sync::PoisonError::into_inner).entry(owner).or_default().clone();
        cell.get_or_try_init(read).await.cloned()
    }
}

/// The router's per-request context reaches server functions called over HTTP too: those are
/// counted one by one, never memoised.
fn over_http(parts: &Parts) -> bool {
    parts.uri.path().starts_with("/api/")
}

/// The caller of the current server function or page render. A server function called over
/// HTTP counts against its caller's quota of calls (a page's render calls them in process, once).
pub async fn current() -> Result<Option<SignedIn>, Error> {
    let Some(parts) = leptos::prelude::use_context::<Parts>() else { return Ok(None) };
    let state = super::state();
    if let Some(memo) = RenderMemo::current() {
        return memo.caller.get_or_try_init(|| caller(&state, &parts.headers)).await.cloned();
    }
    let who = caller(&state, &parts.headers).await?;
    if let Some(who) = &who {
        if over_http(&parts) {
            let quota = Quota::per_minute(state.config.limits.calls_per_user_per_minute);
            rate_limit::enforce(&state, "calls", who.id().as_str(), quota).await?;
        }
    }
    Ok(who)
}

pub async fn require_user() -> Result<SignedIn, Error> {
    current().await?.ok_or(AppError::NotSignedIn.into())
}

/// The proof that reaches everyone's data, for an admin; `Forbidden` for anyone else.
pub fn everyone(who: &SignedIn) -> Result<Everyone, Error> {
    Everyone::admin(who).ok_or(AppError::Forbidden.into())
}

pub async fn require_admin() -> Result<SignedIn, Error> {
    let who = require_user().await?;
    if who.is_admin() {
        Ok(who)
    } else {
        Err(AppError::Forbidden.into())
    }
}

fn verify_clerky_jwt(config: &Config, token: &str) -> Option<String> {
    use jsonwebtoken::{decode, Algorithm, DecodingKey, Validation};
    let secret = config.clerky_jwt_secret.as_ref()?;
    // Pinned to HS256: a token naming another algorithm (or "none") is refused. `exp` is
    // required (the library's default), and so are `iss` and `aud` when configured.
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 30;
    if let Some(issuer) = &config.clerky_jwt_issuer {
        validation.set_issuer(&[issuer]);
        validation.required_spec_claims.insert("iss".to_owned());
    }
    match &config.clerky_jwt_audience {
        Some(audience) => {
            validation.set_audience(&[audience]);
            validation.required_spec_claims.insert("aud".to_owned());
        }
        None => validation.validate_aud = false,
    }
    let key = DecodingKey::from_secret(secret.expose_secret().as_bytes());
    let claims = decode::<ClerkyClaims>(token, &key, &validation).ok()?.claims;
    let lives_for = claims.exp.saturating_sub(chrono::Utc::now().timestamp());
    (lives_for <= i64::from(config.clerky_jwt_max_lifetime_secs)).then_some(claims.sub)
}

/// The Bearer token of the request: none without an `Authorization: Bearer` header (other schemes,
/// such as a proxy's Basic auth, are not ours), an error when the scheme has no token.
pub fn bearer(headers: &HeaderMap) -> Option<Result<&str, AppError>> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().map_err(|_| AppError::NotSignedIn);
    let Ok(value) = value else { return Some(Err(AppError::NotSignedIn)) };
    let (scheme, token) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = token.trim();
    Some(if token.is_empty() { Err(AppError::NotSignedIn) } else { Ok(token) })
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// Replaces any session the browser had with a new one for `user` (a fresh id at every sign-in
/// defeats session fixation) and sets the cookie on the response.
pub async fn start_session(state: &AppState, parts: &Parts, user: &UserDoc) -> Result<(), Error> {
    let secret = state.config.session_secret.expose_secret().as_bytes();
    if let Some(old) = cookie(&parts.headers, session_cookie_name(&state.config)) {
        sessions::delete(&state.pg, secret, old).await?;
    }
    let token = sessions::create(&state.pg, secret, &user.id.to_hex()).await?;
    set_cookie(session_cookie(&state.config, &token, sessions::LIFETIME.num_seconds()));
    Ok(())
}

pub async fn end_session(state: &AppState, parts: &Parts) -> Result<(), Error> {
    if let Some(token) = cookie(&parts.headers, session_cookie_name(&state.config)) {
        sessions::delete(&state.pg, state.config.session_secret.expose_secret().as_bytes(), token).await?;
    }
    set_cookie(session_cookie(&state.config, "", 0));
    Ok(())
}

fn session_cookie(config: &Config, token: &str, max_age: i64) -> String {
    let secure = if config.secure_cookies() { "; Secure" } else { "" };
    // Lax, not Strict: the OAuth callback from Instagram is a cross-site top-level GET that must
    // still carry the session.
    let name = session_cookie_name(config);
    format!("{name}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

/// Adds `Set-Cookie: value` to the answer being made (a page's or a server function's).
pub fn set_cookie(value: String) {
    if let (Some(options), Ok(value)) =
        (leptos::prelude::use_context::<leptos_axum::ResponseOptions>(), HeaderValue::from_str(&value))
    {
        options.append_header(header::SET_COOKIE, value);
    }
}

/// The client's address: the peer, or what our own proxies say in `X-Forwarded-For`.
pub fn client_ip(config: &Config, parts: &Parts) -> Option<IpAddr> {
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip());
    client_ip_of(config, &parts.headers, peer)
}

/// [`client_ip`] from a request's headers and its peer's address.
pub fn client_ip_of(config: &Config, headers: &HeaderMap, peer: Option<IpAddr>) -> Option<IpAddr> {
    config.trusted_proxies.client(headers, peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_by_exact_name_across_headers() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("x_ic_session=no; ic_lang=en"));
        headers.append(header::COOKIE, HeaderValue::from_static("ic_session=abc"));
        assert_eq!(cookie(&headers, "ic_session"), Some("abc"));
        assert_eq!(cookie(&headers, "missing"), None);
    }

    #[test]
    fn bearer_scheme_is_case_insensitive_and_other_schemes_are_ignored() {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("bearer t0k"));
        assert_eq!(bearer(&headers), Some(Ok("t0k")));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic dXNlcg=="));
        assert_eq!(bearer(&headers), None);
        for empty in ["Bearer", "Bearer ", "bearer    "] {
            headers.insert(header::AUTHORIZATION, HeaderValue::from_static(empty));
            assert_eq!(bearer(&headers), Some(Err(AppError::NotSignedIn)), "{empty:?}");
        }
    }
}
