//! `/confirm-email?token=...`: the page an e-mail's link opens. Confirming takes a click (a POST),
//! so a mail scanner that fetches links does not use the link up.
use crate::{
    components::{auth::use_auth, error_notice::ErrorNotice},
    domain::error::AppError,
    i18n::Key,
    use_locale,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let next = move || query.read().get("next").unwrap_or_default();
    let confirm = use_auth().confirm;
    let result = crate::components::field::form_result(Signal::derive(move || confirm.value().get()));
    let problem = move || match result.get() {
        Some(Err(AppError::Invalid(_))) => {
            Some(view! { <p class="notice notice-error" role="alert">{locale.t(Key::ConfirmInvalid)}</p> }.into_any())
        }
        Some(Err(error)) => Some(view! { <ErrorNotice error/> }.into_any()),
        _ => None,
    };
    view! {
        <section class="auth-card">
            <h1>{locale.t(Key::ConfirmTitle)}</h1>
            <p>{locale.t(Key::ConfirmText)}</p>
            <ActionForm action=confirm>
                <input type="hidden" name="token" value=token/>
                <input type="hidden" name="next" value=next/>
                {problem}
                <button type="submit" class="primary" disabled=move || confirm.pending().get()>
                    {move || locale.t(if confirm.pending().get() { Key::Working } else { Key::ConfirmButton })}
                </button>
            </ActionForm>
            <p class="switch"><a href="/sign-in">{locale.t(Key::SignIn)}</a></p>
        </section>
    }
}
