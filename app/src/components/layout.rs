//! The frame of every page: brand, navigation, language switch and the account menu.
use crate::{components::auth::use_auth, i18n::Key, use_locale};
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_location};

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let locale = use_locale();
    let auth = use_auth();
    let location = use_location();
    // A plain link (rel=external skips the client router): the server sets the cookie and brings
    // the person back to the same page, which then renders in the other language.
    let switch_href = move || {
        let here = format!("{}{}", location.pathname.get(), location.search.get());
        format!("/locale/{}?next={}", locale.other().tag(), crate::domain::url::encode(&here))
    };
    let user = move || auth.user.get().and_then(|r| r.ok()).flatten();
    view! {
        <header class="topbar">
            <a class="brand" href="/instances">{locale.t(Key::AppName)}</a>
            <nav class="nav" aria-label=locale.t(Key::NavMenu)>
                <Transition>
                    {move || user().map(|user| view! {
                        <A href="/instances">{locale.t(Key::NavInstances)}</A>
                        <A href="/automations">{locale.t(Key::NavAutomations)}</A>
                        <A href="/reports">{locale.t(Key::NavReports)}</A>
                        {user.is_admin().then(|| view! { <A href="/admin">{locale.t(Key::NavAdmin)}</A> })}
                    })}
                </Transition>
            </nav>
            <div class="account">
                <a class="lang-switch" href=switch_href rel="external" hreflang=locale.other().tag()>
                    {locale.t(Key::SwitchLanguage)}
                </a>
                <Transition>
                    {move || match user() {
                        Some(user) => view! {
                            <span class="who" title=locale.t(Key::SignedInAs)>{user.email}</span>
                            <ActionForm action=auth.sign_out attr:class="inline">
                                <button type="submit" class="link-button">{locale.t(Key::SignOut)}</button>
                            </ActionForm>
                        }.into_any(),
                        None => view! { <A href="/sign-in">{locale.t(Key::SignIn)}</A> }.into_any(),
                    }}
                </Transition>
            </div>
        </header>
        <main class="content">{children()}</main>
    }
}
