//! The page for any unknown address, answered with 404.
use crate::{i18n::Key, use_locale};
use leptos::prelude::*;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let locale = use_locale();
    view! {
        <section class="empty-state">
            <h1>{locale.t(Key::NotFoundTitle)}</h1>
            <p>{locale.t(Key::NotFoundText)}</p>
            <a class="button" href="/instances">{locale.t(Key::BackHome)}</a>
        </section>
    }
}
