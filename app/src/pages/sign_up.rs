//! `/sign-up`: a new account with the `user` role, signed in at once.
use crate::{
    components::{auth::use_auth, field::Field},
    i18n::Key,
    pages::sign_in::FormError,
    use_locale,
};
use leptos::prelude::*;

#[component]
pub fn SignUpPage() -> impl IntoView {
    let locale = use_locale();
    let auth = use_auth();
    let result = Signal::derive(move || auth.sign_up.value().get());
    view! {
        <section class="auth-card">
            <h1>{locale.t(Key::SignUpTitle)}</h1>
            <ActionForm action=auth.sign_up>
                <Field label=Key::Name name="name" autocomplete="name" result/>
                <Field label=Key::Email name="email" kind="email" autocomplete="email" result/>
                <Field label=Key::Password name="password" kind="password" autocomplete="new-password" hint=Key::PasswordHint result/>
                <FormError result/>
                <button type="submit" class="primary" disabled=move || auth.sign_up.pending().get()>
                    {move || locale.t(if auth.sign_up.pending().get() { Key::Working } else { Key::SignUp })}
                </button>
            </ActionForm>
            <p class="switch">{locale.t(Key::HaveAccount)} " " <a href="/sign-in">{locale.t(Key::SignIn)}</a></p>
        </section>
    }
}
