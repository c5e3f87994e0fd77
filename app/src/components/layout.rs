//! The frame of every page: brand, navigation, language switch and the account menu.
use crate::{components::auth::use_auth, i18n::Key, pages::notifications::Bell, use_locale};
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
    // Here, not in the bell: a resource made while the frame's Transition resolves would never be
    // awaited by the server's render.
    let unread = Resource::new(|| (), |_| crate::api::notifications::unread_notifications());
    view! {
        <header class="topbar">
            <a class="brand" href="/instances">{locale.t(Key::AppName)}</a>
            <nav class="nav" aria-label=locale.t(Key::NavMenu)>
                <Transition>
                    {move || user().map(|user| view! {
                        <A href="/instances">{locale.t(Key::NavInstances)}</A>
                        <A href="/inbox">{locale.t(Key::NavInbox)}</A>
                        <A href="/comments">{locale.t(Key::NavComments)}</A>
                        <A href="/automations">{locale.t(Key::NavAutomations)}</A>
                        <A href="/reports">{locale.t(Key::NavReports)}</A>
                        <A href="/leads">{locale.t(Key::NavLeads)}</A>
                        <A href="/api-keys">{locale.t(Key::NavApi)}</A>
                        {user.is_admin().then(|| view! { <A href="/admin">{locale.t(Key::NavAdmin)}</A> })}
                    })}
                </Transition>
            </nav>
            <div class="account">
                <A href="/help">{locale.t(Key::HelpLink)}</A>
                <a class="lang-switch" href=switch_href rel="external" hreflang=locale.other().tag()>
                    {locale.t(Key::SwitchLanguage)}
                </a>
                <Transition>
                    {move || match user() {
                        Some(user) => view! {
                            <Bell unread/>
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
        <DemoBanner/>
        <main class="content">{children()}</main>
    }
}

/// Under `make run`: says that Instagram here is the local sandbox, and links to where a person
/// acts as a follower and reads the e-mail the app sent.
#[component]
fn DemoBanner() -> impl IntoView {
    let locale = use_locale();
    let links = Resource::new(|| (), |_| crate::api::auth::demo_links());
    view! {
        <Transition>
            {move || links.get().and_then(Result::ok).flatten().map(|demo| view! {
                <aside class="demo-banner" aria-label=locale.t(Key::DemoLabel)>
                    <strong>{locale.t(Key::DemoLabel)}</strong> " "
                    <span>{locale.t(Key::DemoText)}</span> " "
                    <a href=format!("{}/_sandbox/follower", demo.sandbox_url) rel="external" target="_blank">{locale.t(Key::DemoFollower)}</a>
                    " · "
                    <a href=format!("{}/_sandbox/accounts", demo.sandbox_url) rel="external" target="_blank">{locale.t(Key::DemoAccounts)}</a>
                    {demo.mail_url.map(|mail| view! {
                        " · " <a href=mail rel="external" target="_blank">{locale.t(Key::DemoMail)}</a>
                    })}
                    " · " <a href="/help">{locale.t(Key::HelpLink)}</a>
                </aside>
            })}
        </Transition>
    }
}
