//! `/instances`: the signed-in user's Instagram instances.
use crate::{
    api::instances::list_instances,
    components::{
        auth::{use_auth, RequireUser},
        error_notice::{ErrorNotice, Loading},
    },
    domain::{
        error::AppError,
        instance::{InstanceCard, InstanceStatus},
    },
    i18n::{Key, Locale},
    use_locale,
};
use leptos::prelude::*;

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
    let quota = move || auth.user.get().and_then(|r| r.ok()).flatten().and_then(|u| u.instance_quota);
    view! {
        <div class="page-head">
            <h1>{locale.t(Key::InstancesTitle)}</h1>
            {move || quota().map(|n| view! {
                <p class="muted">{locale.t(Key::InstancesQuota)} " " {n} " " {locale.t(Key::InstancesQuotaUnit)}</p>
            })}
        </div>
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
    view! {
        <li class="card">
            <div class="card-head">
                <strong>{card.name}</strong>
                <span class=format!("badge {status_class}")>{locale.t(status_key)}</span>
            </div>
            {card.username.map(|u| view! { <p class="muted">"@"{u}</p> })}
            <p class="muted">{locale.t(Key::CreatedOn)} " " {card.created_at.format("%Y-%m-%d").to_string()}</p>
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
