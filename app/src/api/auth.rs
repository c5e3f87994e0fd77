//! Sign-up, sign-in, sign-out and "who am I".
use crate::domain::{error::AppError, user::UserView};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// The signed-in person, or `None`. Also answers `GET /api/me` with a Clerky Bearer token.
#[server(endpoint = "me", input = GetUrl)]
pub async fn current_user() -> Result<Option<UserView>, AppError> {
    use crate::backend::{accounts, auth, respond, state};
    respond(
        async {
            // Checked before touching the state: route generation renders the App with no request.
            let Some(who) = auth::current().await? else { return Ok(None) };
            Ok(Some(accounts::view(&state(), who.user())))
        }
        .await,
    )
}

/// In demo mode, where the Meta sandbox and the sent e-mail are; `None` otherwise.
#[server(endpoint = "demo", input = GetUrl)]
pub async fn demo_links() -> Result<Option<crate::domain::demo::DemoLinks>, AppError> {
    // Route generation renders the App with no state: there is no demo to tell of then.
    let Some(state) = use_context::<crate::backend::AppState>() else { return Ok(None) };
    let config = &state.config;
    Ok(config
        .demo_sandbox_url
        .clone()
        .map(|sandbox_url| crate::domain::demo::DemoLinks { sandbox_url, mail_url: config.demo_mail_url.clone() }))
}

#[server(endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use crate::{
        backend::{accounts, auth, respond, state},
        domain::user::safe_next,
    };
    respond(
        async {
            let state = state();
            let parts = expect_context::<http::request::Parts>();
            let ip = auth::client_ip(&state.config, &parts);
            let user = accounts::sign_in(&state, ip, &email, &password, request_locale(&parts)).await?;
            auth::start_session(&state, &parts, &user).await?;
            tracing::info!(user.id = %user.id, "signed in {}", user.id);
            leptos_axum::redirect(&safe_next(next.as_deref()));
            Ok(())
        }
        .await,
    )
}

/// The language of the page that made the request, for the e-mail it sends.
#[cfg(feature = "ssr")]
pub(crate) fn request_locale(parts: &http::request::Parts) -> crate::i18n::Locale {
    let cookies = parts.headers.get(http::header::COOKIE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    crate::i18n::Locale::from_cookie_header(cookies)
}

/// Starts an account and e-mails the link that confirms it. Answers the same whether or not the
/// address already has an account.
#[server(endpoint = "sign_up")]
pub async fn sign_up(
    email: String,
    name: String,
    password: String,
    #[server(default)] next: Option<String>,
) -> Result<(), AppError> {
    use crate::{
        backend::{accounts, auth, respond, state},
        domain::user::{safe_next, SignUp},
    };
    respond(
        async {
            let state = state();
            let parts = expect_context::<http::request::Parts>();
            let form = SignUp::parse(&email, &name, &password).map_err(AppError::Invalid)?;
            // Where the e-mail's link brings the person once confirmed.
            let next = safe_next(next.as_deref());
            let ip = auth::client_ip(&state.config, &parts);
            accounts::sign_up(&state, ip, form, request_locale(&parts), &next).await?;
            leptos_axum::redirect("/sign-up?sent=1");
            Ok(())
        }
        .await,
    )
}

/// Confirms an address from the link of its e-mail and signs its account in.
#[server(endpoint = "confirm_email")]
pub async fn confirm_email(token: String, #[server(default)] next: Option<String>) -> Result<(), AppError> {
    use crate::{
        backend::{accounts, auth, respond, state},
        domain::user::safe_next,
    };
    respond(
        async {
            let state = state();
            let parts = expect_context::<http::request::Parts>();
            let user = accounts::confirm(&state, &token).await?;
            auth::start_session(&state, &parts, &user).await?;
            leptos_axum::redirect(&safe_next(next.as_deref()));
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::backend::{auth, respond, state};
    respond(
        async {
            let parts = expect_context::<http::request::Parts>();
            auth::end_session(&state(), &parts).await?;
            leptos_axum::redirect("/sign-in");
            Ok(())
        }
        .await,
    )
}
