//! `/sign-in`: email and password; returns to `next` afterwards.
use crate::{
    components::{auth::use_auth, error_notice::ErrorNotice, field::Field},
    domain::error::AppError,
    i18n::Key,
    use_locale,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SignInPage() -> impl IntoView {
    let locale = use_locale();
    let auth = use_auth();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let result = crate::components::field::form_result(Signal::derive(move || auth.sign_in.value().get()));
    view! {
        <section class="auth-card">
            <h1>{locale.t(Key::SignInTitle)}</h1>
            <ActionForm action=auth.sign_in>
                <input type="hidden" name="next" value=next/>
                <Field label=Key::Email name="email" kind="email" autocomplete="username" result/>
                <Field label=Key::Password name="password" kind="password" autocomplete="current-password" result/>
                <FormError result/>
                <button type="submit" class="primary" disabled=move || auth.sign_in.pending().get()>
                    {move || locale.t(if auth.sign_in.pending().get() { Key::Working } else { Key::SignIn })}
                </button>
            </ActionForm>
            <p class="switch">
                {locale.t(Key::NoAccount)} " "
                <a href=move || format!("/sign-up{}", if next().is_empty() { String::new() } else { format!("?next={}", crate::domain::url::encode(&next())) })>
                    {locale.t(Key::SignUp)}
                </a>
            </p>
        </section>
    }
}

/// The form-level part of an action's error (field errors show under their inputs).
#[component]
pub fn FormError(#[prop(into)] result: Signal<Option<Result<(), AppError>>>) -> impl IntoView {
    move || result.get().and_then(|r| r.err()).map(|error| view! { <ErrorNotice error/> })
}
