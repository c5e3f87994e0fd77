//! `/leads?instance=ID`: where an instance's leads go (the CRM's webhook URL and the signing
//! secret), and the delivery log: each event's status, attempts and last error, with a button to
//! send one again.
use crate::domain::id::InstanceId;
use crate::{
    api::{
        instances::list_instances,
        leads::{get_leads, RemoveLeadWebhook, ReplayLead, SaveLeadWebhook},
    },
    components::{
        auth::RequireUser,
        copy_field::CopyField,
        error_notice::{ActionOutcome, ErrorNotice, Loading},
        instance_picker::InstancePicker,
        local_time::LocalTime,
    },
    domain::lead::{LeadDelivery, LeadStatus, LeadsView},
    i18n::{Key, Locale},
    use_locale,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LeadsPage() -> impl IntoView {
    let query = use_query_map();
    let instance = Memo::new(move |_| query.read().get("instance").map(InstanceId::new).unwrap_or_default());
    let save = ServerAction::<SaveLeadWebhook>::new();
    let remove = ServerAction::<RemoveLeadWebhook>::new();
    let replay = ServerAction::<ReplayLead>::new();
    let instances = Resource::new(|| (), |_| list_instances());
    let view_of = Resource::new(
        move || (instance.get(), save.version().get(), remove.version().get(), replay.version().get()),
        |(instance, ..)| async move {
            if instance.is_empty() {
                Ok(None)
            } else {
                get_leads(instance).await.map(Some)
            }
        },
    );
    let locale = use_locale();
    view! {
        <RequireUser>
            <div class="page-head"><h1>{locale.t(Key::LeadsTitle)}</h1></div>
            <p class="muted">{locale.t(Key::LeadsIntro)}</p>
            <InstancePicker instances instance path="/leads"/>
            <ActionOutcome result=save.value() ok=Key::LeadsSaved fields=&["url", "secret"]/>
            <ActionOutcome result=remove.value() ok=Key::LeadsRemoved/>
            <ActionOutcome result=replay.value() ok=Key::LeadsReplayed/>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match view_of.await {
                        Ok(Some(leads)) => view! { <Leads leads save remove replay locale/> }.into_any(),
                        Ok(None) => view! { <p class="muted">{locale.t(Key::ChooseInstance)}</p> }.into_any(),
                        Err(error) => view! { <ErrorNotice error/> }.into_any(),
                    }
                })}
            </Suspense>
        </RequireUser>
    }
}

#[component]
fn Leads(
    leads: LeadsView,
    save: ServerAction<SaveLeadWebhook>,
    remove: ServerAction<RemoveLeadWebhook>,
    replay: ServerAction<ReplayLead>,
    locale: Locale,
) -> impl IntoView {
    let LeadsView { instance_id, instance_name, url, secret, deliveries, demo_receiver } = leads;
    let configured = url.is_some();
    let remove_id = instance_id.clone();
    view! {
        <section class="card leads-settings">
            <h2>{instance_name}</h2>
            {(!configured).then(|| view! { <p class="notice notice-warn">{locale.t(Key::LeadsOff)}</p> })}
            <ActionForm action=save attr:class="lead-form">
                <input type="hidden" name="instance_id" value=instance_id/>
                <label for="lead-url">{locale.t(Key::LeadsUrl)}</label>
                <input id="lead-url" name="url" type="url" inputmode="url" required=true placeholder="https://"
                    value=url.clone().or_else(|| demo_receiver.clone()).unwrap_or_default()/>
                {demo_receiver.map(|receiver| {
                    let page = receiver.trim_end_matches("/leads").to_owned();
                    view! {
                        <small class="hint">
                            {locale.t(Key::LeadsDemo)} " " <code>{receiver}</code> " "
                            <a href=page rel="external" target="_blank">{locale.t(Key::LeadsDemoSee)}</a>
                        </small>
                    }
                })}
                <label for="lead-secret">{locale.t(Key::LeadsSecret)}</label>
                <input id="lead-secret" name="secret" autocomplete="off" maxlength="200"/>
                <small class="hint">{locale.t(Key::LeadsSecretHint)}</small>
                <button type="submit" class="primary" disabled=move || save.pending().get()>{locale.t(Key::LeadsSave)}</button>
            </ActionForm>
            {secret.map(|secret| view! { <CopyField label=Key::LeadsSecret value=secret/> })}
            {configured.then(|| view! {
                <ActionForm action=remove attr:class="inline">
                    <input type="hidden" name="instance_id" value=remove_id/>
                    <button type="submit" class="danger link-button">{locale.t(Key::LeadsRemove)}</button>
                </ActionForm>
            })}
        </section>
        <h2>{locale.t(Key::LeadsLog)}</h2>
        <DeliveryLog deliveries replay locale/>
    }
}

#[component]
fn DeliveryLog(deliveries: Vec<LeadDelivery>, replay: ServerAction<ReplayLead>, locale: Locale) -> impl IntoView {
    if deliveries.is_empty() {
        return view! { <div class="empty-state"><p>{locale.t(Key::LeadsEmpty)}</p></div> }.into_any();
    }
    view! {
        <div class="table-scroll">
            <table class="leads-log">
                <thead>
                    <tr>
                        <th>{locale.t(Key::ColumnWhen)}</th>
                        <th>{locale.t(Key::ColumnType)}</th>
                        <th>{locale.t(Key::ColumnUser)}</th>
                        <th>{locale.t(Key::ColumnText)}</th>
                        <th>{locale.t(Key::ColumnStatus)}</th>
                        <th>{locale.t(Key::LeadsAttempts)}</th>
                        <th>{locale.t(Key::LeadsLastError)}</th>
                        <th></th>
                    </tr>
                </thead>
                <tbody>
                    {deliveries.into_iter().map(|d| view! { <DeliveryRow d replay locale/> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn DeliveryRow(d: LeadDelivery, replay: ServerAction<ReplayLead>, locale: Locale) -> impl IntoView {
    let (status, class) = match d.status {
        LeadStatus::Pending => (Key::LeadsPending, "badge badge-info"),
        LeadStatus::Delivered => (Key::LeadsDelivered, "badge badge-ok"),
        LeadStatus::Failed => (Key::LeadsFailed, "badge badge-error"),
    };
    let kind = if d.kind == "lead.created" { Key::LeadsCreated } else { Key::LeadsUpdated };
    let channel = if d.channel == "comment" { Key::LeadsChannelComment } else { Key::LeadsChannelDm };
    let who = d.username.as_ref().map_or_else(|| d.person_id.to_string(), |u| format!("@{u}"));
    let error = match (d.last_error, d.last_status) {
        (Some(error), _) => Some(error),
        (None, Some(status)) if status >= 300 => Some(format!("HTTP {status}")),
        _ => None,
    };
    view! {
        <tr data-status=d.status.as_str() data-kind=d.kind.clone()>
            <td><LocalTime at=d.created_at/></td>
            <td>{locale.t(kind)} " · " {locale.t(channel)}</td>
            <td>{who}</td>
            <td class="cell-text">{d.text.unwrap_or_default()}</td>
            <td>
                <span class=class>{locale.t(status)}</span>
                {d.next_attempt_at.filter(|_| d.attempts > 0).map(|at| view! {
                    <small class="muted"> " " {locale.t(Key::LeadsNextAttempt)} " " <LocalTime at/></small>
                })}
            </td>
            <td>{d.attempts}</td>
            <td>{error.unwrap_or_default()}</td>
            <td>
                {(d.status != LeadStatus::Pending).then(|| view! {
                    <ActionForm action=replay attr:class="inline">
                        <input type="hidden" name="id" value=d.id.clone()/>
                        <button type="submit" class="secondary">{locale.t(Key::LeadsReplay)}</button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}
