//! `/api-keys`: the caller's keys for the REST API. A new key's secret is shown once, right after
//! it is made; afterwards only its visible prefix tells it apart.
use crate::{
    api::api_keys::{list_api_keys, take_handed_over_api_key, CreateApiKey, RevokeApiKey},
    components::{
        auth::RequireUser,
        copy_field::CopyField,
        error_notice::{ActionOutcome, ErrorNotice, Loading},
        field::form_result,
        local_time::LocalTime,
    },
    domain::api_key::ApiKeyView,
    i18n::{field_message, Key},
    use_locale,
};
use leptos::prelude::*;

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let keys = Resource::new(move || (create.version().get(), revoke.version().get()), |_| list_api_keys());
    let locale = use_locale();
    view! {
        <RequireUser>
            <div class="page-head">
                <h1>{locale.t(Key::ApiKeysTitle)}</h1>
                <a href="/api/v1/docs" rel="external">{locale.t(Key::ApiKeysDocs)}</a>
            </div>
            <p class="muted">{locale.t(Key::ApiKeysIntro)}</p>
            <section class="card">
                <ActionForm action=create attr:class="api-key-form">
                    <label for="api-key-name">{locale.t(Key::ApiKeysName)}</label>
                    <input id="api-key-name" name="name" maxlength="60" required=true autocomplete="off"/>
                    <small class="hint">{locale.t(Key::ApiKeysNameHint)}</small>
                    <button type="submit" class="primary" disabled=move || create.pending().get()>
                        {locale.t(Key::ApiKeysCreate)}
                    </button>
                </ActionForm>
                <NewKey create/>
            </section>
            <h2>{locale.t(Key::ApiKeysTitle)}</h2>
            <ActionOutcome result=revoke.value() ok=Key::ApiKeysRevoked/>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match keys.await {
                        Ok(keys) => view! { <KeyList keys revoke/> }.into_any(),
                        Err(error) => view! { <ErrorNotice error/> }.into_any(),
                    }
                })}
            </Suspense>
        </RequireUser>
    }
}

/// The key just made, to copy, or why it was not made. Without JavaScript the form comes back as
/// a new page: its error in `?error=`, its secret handed over once by the server.
#[component]
fn NewKey(create: ServerAction<CreateApiKey>) -> impl IntoView {
    let locale = use_locale();
    let result = form_result(create.value().into());
    let handed_over = Resource::new(|| (), |_| take_handed_over_api_key());
    let shown = move |secret: String| {
        view! {
            <div class="notice notice-ok new-key" role="status">
                <p>{locale.t(Key::ApiKeysCreated)}</p>
                <CopyField label=Key::ApiKeysNew value=secret/>
            </div>
        }
        .into_any()
    };
    let outcome = move |handed_over: Option<String>| match result.get() {
        Some(Ok(created)) => Some(shown(created.secret)),
        Some(Err(error)) => Some(match error.field_code("name") {
            Some(code) => {
                view! { <div class="notice notice-error" role="alert">{locale.t(field_message(code))}</div> }.into_any()
            }
            None => view! { <ErrorNotice error/> }.into_any(),
        }),
        None => handed_over.map(shown),
    };
    view! {
        <Suspense>
            {move || Suspend::new(async move { outcome(handed_over.await.ok().flatten()) })}
        </Suspense>
    }
}

#[component]
fn KeyList(keys: Vec<ApiKeyView>, revoke: ServerAction<RevokeApiKey>) -> impl IntoView {
    let locale = use_locale();
    if keys.is_empty() {
        return view! { <div class="empty-state"><p>{locale.t(Key::ApiKeysEmpty)}</p></div> }.into_any();
    }
    view! {
        <div class="table-scroll">
            <table class="api-keys">
                <thead>
                    <tr>
                        <th>{locale.t(Key::ApiKeysName)}</th>
                        <th>{locale.t(Key::ApiKeysPrefix)}</th>
                        <th>{locale.t(Key::ApiKeysCreatedAt)}</th>
                        <th>{locale.t(Key::ApiKeysLastUsed)}</th>
                        <th></th>
                    </tr>
                </thead>
                <tbody>
                    {keys.into_iter().map(|key| {
                        let prefix = key.prefix.clone();
                        view! {
                        <tr data-key=prefix>
                            <td data-label=locale.t(Key::ApiKeysName)>{key.name}</td>
                            <td data-label=locale.t(Key::ApiKeysPrefix)><code>{key.prefix}"…"</code></td>
                            <td data-label=locale.t(Key::ApiKeysCreatedAt)><LocalTime at=key.created_at/></td>
                            <td data-label=locale.t(Key::ApiKeysLastUsed)>
                                {match key.last_used_at {
                                    Some(at) => view! { <LocalTime at/> }.into_any(),
                                    None => locale.t(Key::ApiKeysNever).into_any(),
                                }}
                            </td>
                            <td>
                                <ActionForm action=revoke attr:class="inline">
                                    <input type="hidden" name="id" value=key.id/>
                                    <button type="submit" class="danger link-button">{locale.t(Key::ApiKeysRevoke)}</button>
                                </ActionForm>
                            </td>
                        </tr>
                    }}).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
