//! Signing up and signing in: validation, rate limits and password checks, independent of HTTP.
use super::{
    password,
    rate_limit::{self, Quota},
    state::AppState,
    store::mongo::users::{self, NewUser, UserDoc},
};
use crate::domain::{
    error::AppError,
    user::{Email, Role, SignUp, UserView},
};
use std::net::IpAddr;

/// Creates a person's account. Each costs an Argon2 hash, so sign-ups are limited per address
/// and for the whole service.
pub async fn sign_up(state: &AppState, ip: Option<IpAddr>, form: SignUp) -> Result<UserDoc, AppError> {
    let limits = &state.config.limits;
    if let Some(ip) = ip {
        rate_limit::enforce(state, "sign-up-ip", &ip.to_string(), Quota::per_hour(limits.sign_up_per_ip_per_hour))
            .await?;
    }
    rate_limit::enforce(state, "sign-up", "all", Quota::per_minute(limits.sign_up_per_minute)).await?;
    create(state, &form.email, &form.name, &form.password, Role::User, false).await
}

/// Creates an account with a password (sign-up, the admin CLI and the demo admin).
pub async fn create(
    state: &AppState,
    email: &Email,
    name: &str,
    password: &str,
    role: Role,
    premium: bool,
) -> Result<UserDoc, AppError> {
    let hash = password::hash(password.to_owned()).await.map_err(AppError::internal)?;
    let new = NewUser { email, name, password_hash: Some(hash), role, premium };
    Ok(users::insert(&state.mongo, new).await?)
}

/// Checks credentials. Every failure, unknown email included, is the same `WrongCredentials`.
pub async fn sign_in(state: &AppState, ip: Option<IpAddr>, email: &str, password: &str) -> Result<UserDoc, AppError> {
    let Ok(email) = Email::parse(email) else { return Err(AppError::WrongCredentials) };
    let limits = &state.config.limits;
    if let Some(ip) = ip {
        let quota = Quota::per_minute(limits.sign_in_per_ip_per_minute);
        rate_limit::enforce(state, "sign-in-ip", &ip.to_string(), quota).await?;
    }
    let quota = Quota::per_minute(limits.sign_in_per_account_per_minute);
    rate_limit::enforce(state, "sign-in-account", email.as_str(), quota).await?;
    let user = users::find_by_email(&state.mongo, &email).await?;
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    if password::verify(password.to_owned(), stored).await {
        user.ok_or(AppError::WrongCredentials)
    } else {
        Err(AppError::WrongCredentials)
    }
}

pub fn view(state: &AppState, user: &UserDoc) -> UserView {
    UserView {
        id: user.id.to_hex(),
        email: user.email.clone(),
        name: user.name.clone(),
        role: user.role,
        premium: user.premium,
        instance_quota: (!user.premium).then(|| i32::try_from(state.config.free_instance_quota).unwrap_or(i32::MAX)),
    }
}
