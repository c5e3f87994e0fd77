//! Signing up and signing in: validation, rate limits, password checks and the confirmation of
//! an address by e-mail, independent of HTTP.
use super::error::Error;
use super::{
    mail::{Mail, Mailer},
    password,
    rate_limit::{self, Quota},
    state::AppState,
    store::{
        mongo::users::{self, Confirmation, NewUser, UserDoc},
        StoreError,
    },
};
use crate::domain::error::FieldCode;
use crate::{
    domain::{
        error::AppError,
        user::{Email, Role, SignUp, UserView},
    },
    i18n::Locale,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use sha2::{Digest, Sha256};
use std::net::IpAddr;

/// How long a confirmation link works.
const CONFIRMATION_HOURS: i64 = 24;
/// A new link goes out at most this often for one account, however often it tries to sign in.
const RESEND_AFTER_SECONDS: i64 = 60;
/// E-mails to an address that already has an account (a note, or a fresh link while it is
/// unconfirmed), per hour at most: signing up with someone else's address over and over must not
/// flood their inbox.
const TAKEN_NOTES_PER_HOUR: u32 = 3;

fn token_hash(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

/// Starts a person's account. Each costs an Argon2 hash, so sign-ups are limited per address
/// and for the whole service. The answer is the same whether or not the address has an account
/// (an e-mail tells its owner which): a new account gets a link that confirms it, an existing
/// one a note, an unconfirmed one a fresh link.
/// `next` is where the link brings the person once confirmed (a path of the site).
pub async fn sign_up(
    state: &AppState,
    ip: Option<IpAddr>,
    form: SignUp,
    locale: Locale,
    next: &str,
) -> Result<(), Error> {
    let limits = &state.config.limits;
    if let Some(ip) = ip {
        rate_limit::enforce(state, "sign-up-ip", &ip.to_string(), Quota::per_hour(limits.sign_up_per_ip_per_hour))
            .await?;
    }
    rate_limit::enforce(state, "sign-up", "all", Quota::per_minute(limits.sign_up_per_minute)).await?;
    let mailer = state.mailer.as_ref().ok_or(AppError::MailUnavailable)?;
    // Hashed in both cases, so the time taken says nothing either.
    let hash = password::hash(form.password.clone()).await.map_err(Error::internal)?;
    let new = NewUser {
        email: &form.email,
        name: &form.name,
        password_hash: Some(hash),
        role: Role::User,
        premium: false,
        email_confirmed: Some(false),
    };
    let user = match users::insert(&state.mongo, new).await {
        Ok(user) => {
            tracing::info!(user.id = %user.id, "signed up {}, to be confirmed", user.id);
            user
        }
        Err(StoreError::Taken(_)) => {
            let quota = Quota::per_hour(TAKEN_NOTES_PER_HOUR);
            if rate_limit::enforce(state, "sign-up-taken", form.email.as_str(), quota).await.is_err() {
                return Ok(());
            }
            let Some(existing) = users::find_by_email(&state.mongo, &form.email).await? else { return Ok(()) };
            if existing.can_sign_in() {
                return deliver(mailer, &form.email, locale, &Mail::AlreadyRegistered).await;
            }
            existing
        }
        Err(error) => return Err(error.into()),
    };
    send_confirmation(state, mailer, &user, locale, next).await
}

/// A new confirmation link for `user`, kept (replacing any older one) and e-mailed; it brings
/// the person to `next` once confirmed.
async fn send_confirmation(
    state: &AppState,
    mailer: &Mailer,
    user: &UserDoc,
    locale: Locale,
    next: &str,
) -> Result<(), Error> {
    let token = super::security::random_token::<32>();
    let now = mongodb::bson::DateTime::now();
    let confirmation = Confirmation {
        token_hash: token_hash(&token),
        expires_at: mongodb::bson::DateTime::from_millis(now.timestamp_millis() + CONFIRMATION_HOURS * 3_600_000),
        sent_at: now,
    };
    users::set_confirmation(&state.mongo, user.id, &confirmation).await?;
    let email =
        Email::parse(&user.email).map_err(|_| Error::internal(format!("user {} has no valid e-mail", user.id)))?;
    deliver(mailer, &email, locale, &Mail::Confirm { name: &user.name, token: &token, next }).await
}

async fn deliver(mailer: &Mailer, to: &Email, locale: Locale, mail: &Mail<'_>) -> Result<(), Error> {
    mailer.send(to, locale, mail).await.map_err(|error| {
        tracing::warn!("an e-mail could not be sent: {error}");
        AppError::MailUnavailable.into()
    })
}

/// Confirms the address whose link carried `token` and returns its user, ready to sign in. A
/// link works once, within its hours.
pub async fn confirm(state: &AppState, token: &str) -> Result<UserDoc, Error> {
    let token = token.trim();
    if token.is_empty() || token.len() > 100 {
        return Err(Error::invalid("token", FieldCode::ConfirmInvalid));
    }
    let user = users::confirm(&state.mongo, &token_hash(token)).await?;
    let user = user.ok_or_else(|| AppError::invalid("token", FieldCode::ConfirmInvalid))?;
    tracing::info!(user.id = %user.id, "confirmed the e-mail of {}", user.id);
    Ok(user)
}

/// Creates an account with a password (sign-up, the admin CLI and the demo admin).
pub async fn create(
    state: &AppState,
    email: &Email,
    name: &str,
    password: &str,
    role: Role,
    premium: bool,
) -> Result<UserDoc, Error> {
    let hash = password::hash(password.to_owned()).await.map_err(Error::internal)?;
    let new = NewUser { email, name, password_hash: Some(hash), role, premium, email_confirmed: None };
    Ok(users::insert(&state.mongo, new).await?)
}

/// Checks credentials. Every failure, unknown email included, is the same `WrongCredentials`;
/// the right password of an unconfirmed account sends a new link (at most once a minute) and
/// answers `EmailNotConfirmed`.
pub async fn sign_in(
    state: &AppState,
    ip: Option<IpAddr>,
    email: &str,
    password: &str,
    locale: Locale,
) -> Result<UserDoc, Error> {
    let Ok(email) = Email::parse(email) else { return Err(AppError::WrongCredentials.into()) };
    let limits = &state.config.limits;
    if let Some(ip) = ip {
        let quota = Quota::per_minute(limits.sign_in_per_ip_per_minute);
        rate_limit::enforce(state, "sign-in-ip", &ip.to_string(), quota).await?;
    }
    let quota = Quota::per_minute(limits.sign_in_per_account_per_minute);
    rate_limit::enforce(state, "sign-in-account", email.as_str(), quota).await?;
    let user = users::find_by_email(&state.mongo, &email).await?;
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    if !password::verify(password.to_owned(), stored).await {
        return Err(AppError::WrongCredentials.into());
    }
    let user = user.ok_or(AppError::WrongCredentials)?;
    if !user.can_sign_in() {
        let now_ms = mongodb::bson::DateTime::now().timestamp_millis();
        let sent_ms = user.email_confirmation.as_ref().map(|c| c.sent_at.timestamp_millis());
        let due = sent_ms.is_none_or(|at| now_ms - at > RESEND_AFTER_SECONDS * 1000);
        if let (true, Some(mailer)) = (due, state.mailer.as_ref()) {
            send_confirmation(state, mailer, &user, locale, "/instances").await?;
        }
        return Err(AppError::EmailNotConfirmed.into());
    }
    Ok(user)
}

pub fn view(state: &AppState, user: &UserDoc) -> UserView {
    UserView {
        id: user.user_id(),
        email: user.email.clone(),
        name: user.name.clone(),
        role: user.role,
        premium: user.premium,
        instance_quota: (!user.premium).then(|| i32::try_from(state.config.free_instance_quota).unwrap_or(i32::MAX)),
    }
}
