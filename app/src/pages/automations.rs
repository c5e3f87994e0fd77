//! `/automations`: keyword and comment rules per instance.
use crate::{components::auth::RequireUser, i18n::Key, use_locale};
use leptos::prelude::*;

#[component]
pub fn AutomationsPage() -> impl IntoView {
    let locale = use_locale();
    view! {
        <RequireUser>
            <h1>{locale.t(Key::AutomationsTitle)}</h1>
            <div class="empty-state">
                <p>{locale.t(Key::AutomationsEmpty)}</p>
                <a class="button" href="/instances">{locale.t(Key::GoToInstances)}</a>
            </div>
        </RequireUser>
    }
}
