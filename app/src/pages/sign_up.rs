//! `/sign-up`: a new account with the `user` role, active once its e-mail is confirmed;
//! `/sign-up?sent=1` says the link went out (the same whether or not the address had an account).
use crate::{
    components::{auth::use_auth, field::Field},
    i18n::Key,
    pages::sign_in::FormError,
    use_locale,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SignUpPage() -> impl IntoView {
    let locale = use_locale();
    let auth = use_auth();
    let query = use_query_map();
    let sent = move || query.read().get("sent").is_some();
    let next = move || query.read().get("next").unwrap_or_default();
    let result = crate::components::field::form_result(Signal::derive(move || auth.sign_up.value().get()));
    view! {
        <section class="auth-card">
            <Show
                when=sent
                fallback=move || view! {
                    <h1>{locale.t(Key::SignUpTitle)}</h1>
                    <ActionForm action=auth.sign_up>
                        <input type="hidden" name="next" value=next/>
                        <Field label=Key::Name name="name" autocomplete="name" result/>
                        <Field label=Key::Email name="email" kind="email" autocomplete="email" result/>
                        <Field label=Key::Password name="password" kind="password" autocomplete="new-password" hint=Key::PasswordHint result/>
                        <FormError result/>
                        <button type="submit" class="primary" disabled=move || auth.sign_up.pending().get()>
                            {move || locale.t(if auth.sign_up.pending().get() { Key::Working } else { Key::SignUp })}
                        </button>
                    </ActionForm>
                }
            >
                <h1>{locale.t(Key::SignUpSentTitle)}</h1>
                <p class="notice notice-ok" role="status">{locale.t(Key::SignUpSent)}</p>
            </Show>
            <p class="switch">{locale.t(Key::HaveAccount)} " " <a href="/sign-in">{locale.t(Key::SignIn)}</a></p>
        </section>
    }
}
