//! Insta-Clerky's UI and server functions: the App, its shell and its routes.
#![recursion_limit = "256"]

pub mod api;
#[cfg(feature = "ssr")]
pub mod backend;
pub mod components;
pub mod domain;
pub mod i18n;
pub mod pages;

use components::layout::Layout;
use i18n::{Key, Locale};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Redirect, Route, Router, Routes},
    path, SsrMode,
};
use pages::{
    admin::AdminPage, api_keys::ApiKeysPage, automations::AutomationsPage, comments::CommentsPage,
    confirm_email::ConfirmEmailPage, help::HelpPage, inbox::InboxPage, insights::InsightsPage,
    instances::InstancesPage, leads::LeadsPage, not_found::NotFoundPage, notifications::NotificationsPage,
    reports::ReportsPage, sign_in::SignInPage, sign_up::SignUpPage,
};

/// The HTML document around the App, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let locale = request_locale();
    #[cfg(feature = "ssr")]
    content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang=locale.tag()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Serves the page with a policy that allows exactly this render's inline scripts.
#[cfg(feature = "ssr")]
fn content_security_policy() {
    use http::{header, HeaderValue};
    let (Some(nonce), Some(options), Some(state)) =
        (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>(), use_context::<backend::AppState>())
    else {
        return;
    };
    if let Ok(value) = HeaderValue::from_str(&backend::security::page_policy(&state.config, &nonce)) {
        options.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let locale = request_locale();
    provide_context(locale);
    components::auth::provide_auth();

    // Playwright waits for this marker: effects run only once the WASM has hydrated the page.
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Stylesheet id="leptos" href="/pkg/insta-clerky.css"/>
        <Title text=locale.t(Key::AppName)/>
        <Router>
            <Layout>
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=|| view! { <Redirect path="/instances"/> }/>
                    <Route path=path!("/sign-in") view=SignInPage/>
                    <Route path=path!("/sign-up") view=SignUpPage/>
                    <Route path=path!("/confirm-email") view=ConfirmEmailPage/>
                    <Route path=path!("/help") view=HelpPage/>
                    <Route path=path!("/instances") view=InstancesPage ssr=SsrMode::Async/>
                    <Route path=path!("/automations") view=AutomationsPage ssr=SsrMode::Async/>
                    <Route path=path!("/reports") view=ReportsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin") view=AdminPage ssr=SsrMode::Async/>
                    <Route path=path!("/notifications") view=NotificationsPage ssr=SsrMode::Async/>
                    <Route path=path!("/insights") view=InsightsPage ssr=SsrMode::Async/>
                    <Route path=path!("/inbox") view=InboxPage ssr=SsrMode::Async/>
                    <Route path=path!("/api-keys") view=ApiKeysPage ssr=SsrMode::Async/>
                    <Route path=path!("/leads") view=LeadsPage ssr=SsrMode::Async/>
                    <Route path=path!("/comments") view=CommentsPage ssr=SsrMode::Async/>
                </Routes>
            </Layout>
        </Router>
    }
}

/// The language of this page: the `ic_lang` cookie on the server; in the browser, the `lang` the
/// server rendered, so hydration sees the same text.
fn request_locale() -> Locale {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|parts| {
                parts.headers.get(http::header::COOKIE).and_then(|v| v.to_str().ok()).map(Locale::from_cookie_header)
            })
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .document_element()
            .and_then(|root| root.get_attribute("lang"))
            .map(|tag| Locale::from_tag(&tag))
            .unwrap_or_default()
    }
}

/// The page's locale, provided by the App.
pub fn use_locale() -> Locale {
    use_context::<Locale>().unwrap_or_default()
}
