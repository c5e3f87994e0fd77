//! `/instances`: the signed-in user's Instagram instances, and connecting new ones.
use crate::{
    api::instances::{list_instances, CreateInstance, ReconnectInstance},
    components::{
        auth::{use_auth, RequireUser},
        error_notice::{ErrorNotice, Loading},
        field::Field,
    },
    domain::{
        error::AppError,
        instance::{InstanceCard, InstanceStatus},
    },
    i18n::{reason_message, Key, Locale},
    pages::sign_in::FormError,
    use_locale,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn InstancesPage() -> impl IntoView {
    // Created here, not inside RequireUser's Suspend: server rendering never awaited a resource
    // created while a Suspend was resolving, and the page hung.
    let instances = Resource::new(|| (), |_| list_instances());
    view! {
        <RequireUser>
            <InstanceList instances/>
        </RequireUser>
    }
}

#[component]
fn InstanceList(instances: Resource<Result<Vec<InstanceCard>, AppError>>) -> impl IntoView {
    let locale = use_locale();
    let auth = use_auth();
    let query = use_query_map();
    let create = ServerAction::<CreateInstance>::new();
    let result = Signal::derive(move || create.value().get());
    let quota = move || auth.user.get().and_then(|r| r.ok()).flatten().and_then(|u| u.instance_quota);
    let banner = move || {
        let query = query.read();
        if query.get("connected").is_some() {
            Some(
                view! { <div class="notice notice-ok" role="status">{locale.t(Key::ConnectedBanner)}</div> }.into_any(),
            )
        } else {
            query.get("error").map(|reason| {
                view! { <div class="notice notice-error" role="alert">{locale.t(reason_message(&reason))}</div> }
                    .into_any()
            })
        }
    };
    view! {
        <div class="page-head">
            <h1>{locale.t(Key::InstancesTitle)}</h1>
            {move || quota().map(|n| view! {
                <p class="muted">{locale.t(Key::InstancesQuota)} " " {n} " " {locale.t(Key::InstancesQuotaUnit)}</p>
            })}
        </div>
        {banner}
        <ActionForm action=create attr:class="new-instance">
            <Field label=Key::InstanceNameLabel name="name" hint=Key::InstanceNameHint result/>
            <FormError result/>
            <button type="submit" class="primary" disabled=move || create.pending().get()>
                {move || locale.t(if create.pending().get() { Key::Working } else { Key::NewInstance })}
            </button>
        </ActionForm>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match instances.await {
                    Ok(list) if list.is_empty() => view! {
                        <div class="empty-state">
                            <h2>{locale.t(Key::InstancesEmpty)}</h2>
                            <p>{locale.t(Key::InstancesEmptyHint)}</p>
                        </div>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="cards">
                            {list.into_iter().map(|card| view! { <InstanceCardView card locale/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn InstanceCardView(card: InstanceCard, locale: Locale) -> impl IntoView {
    let (status_key, status_class) = status_label(card.status);
    let reconnect = ServerAction::<ReconnectInstance>::new();
    let action = if card.status == InstanceStatus::Created { Key::Connect } else { Key::Reconnect };
    let initial = card.name.chars().next().unwrap_or('?').to_uppercase().to_string();
    view! {
        <li class="card" data-instance=card.instance_name.clone()>
            <div class="card-head">
                {match card.profile_picture_url.clone() {
                    Some(url) => view! { <img class="avatar" src=url alt="" width="48" height="48"/> }.into_any(),
                    None => view! { <span class="avatar avatar-empty" aria-hidden="true">{initial}</span> }.into_any(),
                }}
                <div class="card-title">
                    <strong>{card.name.clone()}</strong>
                    {card.username.clone().map(|u| view! { <span class="muted">"@"{u}</span> })}
                </div>
                <span class=format!("badge {status_class}")>{locale.t(status_key)}</span>
            </div>
            {(card.status == InstanceStatus::Error)
                .then(|| card.error_reason.clone().map(|r| view! { <p class="card-error">{locale.t(reason_message(&r))}</p> }))
                .flatten()}
            <dl class="facts">
                {card.token_expires_at.map(|at| view! {
                    <dt>{locale.t(Key::TokenExpires)}</dt>
                    <dd class:warning=card.token_expires_soon>
                        {at.format("%Y-%m-%d").to_string()}
                        {card.token_expires_soon.then(|| view! { " · " {locale.t(Key::TokenExpiresSoon)} })}
                    </dd>
                })}
                <dt>{locale.t(Key::CreatedOn)}</dt>
                <dd>{card.created_at.format("%Y-%m-%d").to_string()}</dd>
                <dt>{locale.t(Key::LastEvent)}</dt>
                <dd>{card.last_event_at.map_or_else(|| locale.t(Key::NoEventsYet).to_owned(), |at| at.format("%Y-%m-%d %H:%M UTC").to_string())}</dd>
            </dl>
            <ActionForm action=reconnect attr:class="card-actions">
                <input type="hidden" name="id" value=card.id.clone()/>
                <button type="submit" class="secondary">{locale.t(action)}</button>
            </ActionForm>
        </li>
    }
}

pub fn status_label(status: InstanceStatus) -> (Key, &'static str) {
    match status {
        InstanceStatus::Created => (Key::StatusCreated, "badge-neutral"),
        InstanceStatus::Connecting => (Key::StatusConnecting, "badge-info"),
        InstanceStatus::Connected => (Key::StatusConnected, "badge-ok"),
        InstanceStatus::Disconnected => (Key::StatusDisconnected, "badge-neutral"),
        InstanceStatus::Error => (Key::StatusError, "badge-error"),
    }
}
