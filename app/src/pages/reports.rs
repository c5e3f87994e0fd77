//! `/reports`: every recorded interaction.
use crate::{components::auth::RequireUser, i18n::Key, use_locale};
use leptos::prelude::*;

#[component]
pub fn ReportsPage() -> impl IntoView {
    let locale = use_locale();
    view! {
        <RequireUser>
            <h1>{locale.t(Key::ReportsTitle)}</h1>
            <div class="empty-state"><p>{locale.t(Key::ReportsEmpty)}</p></div>
        </RequireUser>
    }
}
