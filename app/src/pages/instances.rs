//! `/instances`: the signed-in user's Instagram instances, and connecting new ones.
use crate::{
    api::instances::{
        list_instances, webhook_settings, CreateInstance, DeleteInstance, DisconnectInstance, ReconnectInstance,
        RenameInstance, SetDailyCap, SetPaused,
    },
    components::local_time::LocalTime,
    components::{
        auth::{use_auth, RequireUser},
        copy_field::CopyField,
        error_notice::{ActionOutcome, ErrorNotice, LastOutcome, Loading},
        field::Field,
        live::use_live_events,
    },
    domain::{
        error::AppError,
        instance::{ConnectionFailure, InstanceCard, InstanceStatus, WebhookInfo},
        live::LiveEvent,
    },
    i18n::{field_message, reason_message, Key, Locale},
    pages::sign_in::FormError,
    use_locale,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn InstancesPage() -> impl IntoView {
    let actions = CardActions {
        disconnect: ServerAction::new(),
        rename: ServerAction::new(),
        delete: ServerAction::new(),
        pause: ServerAction::new(),
        outcome: LastOutcome::new(),
    };
    actions.follow();
    // Created here, not inside RequireUser's Suspend: server rendering never awaited a resource
    // created while a Suspend was resolving, and the page hung.
    let instances = Resource::new(move || actions.version(), |_| list_instances());
    let webhook = Resource::new(|| (), |_| webhook_settings());
    // A card follows its instance's status (connection, refresh, error) without a reload.
    use_live_events(move |event| {
        if matches!(event, None | Some(LiveEvent::InstanceStatus { .. })) {
            instances.refetch();
        }
    });
    view! {
        <RequireUser>
            <InstanceList instances webhook actions/>
        </RequireUser>
    }
}

/// The card actions, shared by the page so any of them refreshes the list.
#[derive(Clone, Copy)]
struct CardActions {
    disconnect: ServerAction<DisconnectInstance>,
    rename: ServerAction<RenameInstance>,
    delete: ServerAction<DeleteInstance>,
    pause: ServerAction<SetPaused>,
    /// What the last of them did, told above the cards.
    outcome: LastOutcome,
}

impl CardActions {
    fn follow(self) {
        self.outcome.follow(self.rename, |_| Key::OutcomeRenamed);
        self.outcome.follow(self.disconnect, |_| Key::OutcomeDisconnected);
        self.outcome.follow(self.delete, |_| Key::OutcomeDeleted);
        self.outcome.follow(self.pause, |asked| if asked.paused { Key::OutcomePaused } else { Key::OutcomeResumed });
    }

    fn version(&self) -> (usize, usize, usize, usize) {
        (
            self.disconnect.version().get(),
            self.rename.version().get(),
            self.delete.version().get(),
            self.pause.version().get(),
        )
    }
}

#[component]
fn InstanceList(
    instances: Resource<Result<Vec<InstanceCard>, AppError>>,
    webhook: Resource<Result<WebhookInfo, AppError>>,
    actions: CardActions,
) -> impl IntoView {
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
            // A connection's failure comes back as its reason's name; an action's error (a plain
            // form without JavaScript) as JSON, which the outcome above the cards tells.
            query.get("error").filter(|raw| serde_json::from_str::<AppError>(raw).is_err()).map(|reason| {
                view! { <div class="notice notice-error" role="alert">{locale.t(reason_message(ConnectionFailure::parse(&reason)))}</div> }
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
        {actions.outcome.view()}
        <ActionForm action=create attr:class="new-instance">
            <Field label=Key::InstanceNameLabel name="name" hint=Key::InstanceNameHint result/>
            <FormError result/>
            <button type="submit" class="primary" disabled=move || create.pending().get()>
                {move || locale.t(if create.pending().get() { Key::Working } else { Key::NewInstance })}
            </button>
        </ActionForm>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let webhook = webhook.await.ok();
                match instances.await {
                    Ok(list) if list.is_empty() => view! {
                        <div class="empty-state">
                            <h2>{locale.t(Key::InstancesEmpty)}</h2>
                            <p>{locale.t(Key::InstancesEmptyHint)}</p>
                        </div>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="cards">
                            {list
                                .into_iter()
                                .map(|card| view! { <InstanceCardView card locale actions webhook=webhook.clone()/> })
                                .collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorNotice error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn InstanceCardView(
    card: InstanceCard,
    locale: Locale,
    actions: CardActions,
    webhook: Option<WebhookInfo>,
) -> impl IntoView {
    let (status_key, status_class) = status_label(card.status);
    let reconnect = ServerAction::<ReconnectInstance>::new();
    let cap = ServerAction::<SetDailyCap>::new();
    let cap_error = move || {
        cap.value()
            .get()
            .and_then(|r| r.err())
            .and_then(|e| e.field_code("daily_reply_cap").map(|c| locale.t(field_message(c))))
    };
    // The field's own reason shows under the input; the success and any other error below it.
    let cap_result = Signal::derive(move || {
        cap.value().get().filter(|r| !matches!(r, Err(e) if e.field_code("daily_reply_cap").is_some()))
    });
    let reconnect_result = Signal::derive(move || reconnect.value().get());
    let cap_id = format!("cap-{}", card.id);
    let cap_error_id = format!("cap-error-{}", card.id);
    let cap_described_by = cap_error_id.clone();
    let action = if card.status == InstanceStatus::Created { Key::Connect } else { Key::Reconnect };
    let initial = card.name.chars().next().unwrap_or('?').to_uppercase().to_string();
    let id_0 = card.id.clone();
    let id_1 = card.id.clone();
    let id_2 = card.id.clone();
    let id_3 = card.id.clone();
    let id_4 = card.id.clone();
    let rename_id = format!("rename-{}", card.id);
    let id_5 = card.id.clone();
    let automations_href = format!("/automations?instance={}", card.id);
    let reports_href = format!("/reports?instance={}", card.id);
    let insights_href = format!("/insights?instance={}", card.id);
    let at_cap = card.replies_today >= i64::from(card.daily_reply_cap);
    let webhook_view = webhook.map(|w| {
        let url = format!("{}/{}", w.base_url, card.instance_name);
        view! {
            <details class="card-more">
                <summary>{locale.t(Key::Webhook)}</summary>
                <CopyField label=Key::WebhookUrl value=url/>
                {match w.verify_token {
                    Some(token) => view! {
                        <CopyField label=Key::VerifyToken value=token/>
                    }.into_any(),
                    None => view! { <small class="hint">{locale.t(Key::VerifyTokenAdminsOnly)}</small> }.into_any(),
                }}
            </details>
        }
    });
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
                {card.automations_paused.then(|| view! { <span class="badge badge-neutral">{locale.t(Key::Paused)}</span> })}
            </div>
            {card.automations_paused.then(|| view! { <p class="notice" role="status">{locale.t(Key::PausedHint)}</p> })}
            {(card.status == InstanceStatus::Error)
                .then(|| card.error_reason.map(|r| view! {
                    <p class="card-error">{locale.t(reason_message(r))} " "
                        <a href=format!("/help#{}", r.as_str())>{locale.t(Key::HelpWhatToDo)}</a></p>
                }))
                .flatten()}
            <dl class="facts">
                {(card.status == InstanceStatus::Connected).then(|| view! {
                    <dt>{locale.t(Key::RepliesTodayOfCap)}</dt>
                    <dd class:warning=at_cap>
                        {card.replies_today} " / " {card.daily_reply_cap}
                    </dd>
                    <dt>{locale.t(Key::ActiveAutomations)}</dt>
                    <dd>{card.active_automations}</dd>
                })}
                {card.last_failure.clone().map(|(reason, at)| view! {
                    <dt>{locale.t(Key::LastFailure)}</dt>
                    <dd class="warning">
                        {crate::pages::reports::reason_words(locale, &reason)}
                        " · " <LocalTime at/>
                    </dd>
                })}
                {card.token_expires_at.map(|at| view! {
                    <dt>{locale.t(Key::TokenExpires)}</dt>
                    <dd class:warning=card.token_expires_soon>
                        {card.token_days_left.map(|days| format!("{} {days} {} · ", locale.t(Key::InDays), locale.t(Key::Days)))}
                        <LocalTime at date_only=true/>
                        {card.token_expires_soon.then(|| view! { " · " {locale.t(Key::TokenExpiresSoon)} })}
                    </dd>
                })}
                <dt>{locale.t(Key::CreatedOn)}</dt>
                <dd><LocalTime at=card.created_at date_only=true/></dd>
                <dt>{locale.t(Key::LastEvent)}</dt>
                <dd>{match card.last_event_at {
                    Some(at) => view! { <LocalTime at/> }.into_any(),
                    None => locale.t(Key::NoEventsYet).into_any(),
                }}</dd>
            </dl>
            <FormError result=reconnect_result/>
            <div class="card-actions">
                <ActionForm action=reconnect attr:class="inline">
                    <input type="hidden" name="id" value=id_0/>
                    <button type="submit" class="secondary">{locale.t(action)}</button>
                </ActionForm>
                <ActionForm action=actions.pause attr:class="inline">
                    <input type="hidden" name="id" value=id_5/>
                    <input type="hidden" name="paused" value=(!card.automations_paused).to_string()/>
                    <button type="submit" class="secondary">
                        {locale.t(if card.automations_paused { Key::ResumeAutomations } else { Key::PauseAutomations })}
                    </button>
                </ActionForm>
                <a class="button secondary" href=automations_href>{locale.t(Key::NavAutomations)}</a>
                <a class="button secondary" href=reports_href>{locale.t(Key::NavReports)}</a>
                <a class="button secondary" href=insights_href>{locale.t(Key::InsightsLink)}</a>
            </div>
            {(card.status == InstanceStatus::Connected).then_some(view! {
                <details class="card-more">
                    <summary>{locale.t(Key::Disconnect)}</summary>
                    <p>{locale.t(Key::DisconnectConfirmText)}</p>
                    <ActionForm action=actions.disconnect attr:class="inline">
                        <input type="hidden" name="id" value=id_1/>
                        <button type="submit" class="secondary">{locale.t(Key::ConfirmDisconnect)}</button>
                    </ActionForm>
                </details>
            })}
            <details class="card-more">
                <summary>{locale.t(Key::Rename)}</summary>
                <ActionForm action=actions.rename attr:class="inline-form">
                    <input type="hidden" name="id" value=id_2/>
                    <label class="sr-only" for=rename_id.clone()>{locale.t(Key::InstanceNameLabel)}</label>
                    <input id=rename_id.clone() name="name" value=card.name.clone() required=true maxlength="60"/>
                    <button type="submit" class="secondary">{locale.t(Key::Save)}</button>
                </ActionForm>
            </details>
            <details class="card-more">
                <summary>{locale.t(Key::DailyCap)}</summary>
                <ActionForm action=cap attr:class="inline-form">
                    <input type="hidden" name="id" value=id_4/>
                    <label class="sr-only" for=cap_id.clone()>{locale.t(Key::DailyCap)}</label>
                    <input id=cap_id.clone() name="daily_reply_cap" type="number" min="1" max="100000" required=true
                        value=card.daily_reply_cap.to_string() aria-describedby=cap_described_by
                        aria-invalid=move || cap_error().is_some().to_string()/>
                    <button type="submit" class="secondary">{locale.t(Key::Save)}</button>
                </ActionForm>
                <small class="hint">{locale.t(Key::DailyCapHint)}</small>
                <p class="field-error" id=cap_error_id>{cap_error}</p>
                <ActionOutcome result=cap_result ok=Key::OutcomeCapSaved/>
            </details>
            {webhook_view}
            <details class="card-more danger">
                <summary>{locale.t(Key::Delete)}</summary>
                <p>{locale.t(Key::DeleteConfirmText)}</p>
                <ActionForm action=actions.delete>
                    <input type="hidden" name="id" value=id_3/>
                    <button type="submit" class="danger-button">{locale.t(Key::ConfirmDelete)}</button>
                </ActionForm>
            </details>
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
