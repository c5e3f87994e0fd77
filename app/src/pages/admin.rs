//! `/admin`: every account, every user's instances (search, status filter, disconnect, refresh,
//! delete) and the audit log. Filters live in the URL, so a filtered view can be shared.
use crate::{
    api::admin::{
        admin_list_instances, audit_log, list_dead_letters, list_users, service_health, AdminDeleteInstance,
        AdminDisconnectInstance, AdminInstance, AdminRefreshInstance, RunDeadLetterAgain,
    },
    components::{
        auth::RequireUser,
        error_notice::{ErrorNotice, LastOutcome, Loading},
        local_time::LocalTime,
    },
    domain::{
        audit::{AuditAction, AuditEntry},
        dead_letter::DeadLetterView,
        error::AppError,
        health::{Health, QueueHealth},
        instance::InstanceStatus,
        user::{Role, UserSummary},
    },
    i18n::{dead_letter_labels, Key, Locale},
    pages::instances::status_label,
    use_locale,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[derive(Clone, Copy)]
struct AdminActions {
    disconnect: ServerAction<AdminDisconnectInstance>,
    refresh: ServerAction<AdminRefreshInstance>,
    delete: ServerAction<AdminDeleteInstance>,
    run_again: ServerAction<RunDeadLetterAgain>,
    /// What the last of them did, told above the tables.
    outcome: LastOutcome,
}

#[component]
pub fn AdminPage() -> impl IntoView {
    let query = use_query_map();
    let search = Memo::new(move |_| query.read().get("q").unwrap_or_default());
    let status = Memo::new(move |_| {
        let wanted = query.read().get("status").unwrap_or_default();
        InstanceStatus::ALL.into_iter().find(|s| s.as_str() == wanted)
    });
    let actions = AdminActions {
        disconnect: ServerAction::new(),
        refresh: ServerAction::new(),
        delete: ServerAction::new(),
        run_again: ServerAction::new(),
        outcome: LastOutcome::new(),
    };
    actions.outcome.follow(actions.disconnect, |_| Key::OutcomeDisconnected);
    actions.outcome.follow(actions.refresh, |_| Key::OutcomeRefreshed);
    actions.outcome.follow(actions.delete, |_| Key::OutcomeDeleted);
    actions.outcome.follow(actions.run_again, |_| Key::OutcomeRanAgain);
    // Outside RequireUser: see InstancesPage.
    let users = Resource::new(|| (), |_| list_users());
    let instances = Resource::new(
        move || {
            (
                search.get(),
                status.get(),
                actions.disconnect.version().get(),
                actions.refresh.version().get(),
                actions.delete.version().get(),
            )
        },
        |(search, status, ..)| admin_list_instances(search, status),
    );
    let audit = Resource::new(
        move || {
            (
                actions.disconnect.version().get(),
                actions.refresh.version().get(),
                actions.delete.version().get(),
                actions.run_again.version().get(),
            )
        },
        |_| audit_log(),
    );
    let dead_letters = Resource::new(move || actions.run_again.version().get(), |_| list_dead_letters());
    let health = Resource::new(move || actions.run_again.version().get(), |_| service_health());
    view! {
        <RequireUser admin=true>
            <AdminView users instances audit dead_letters health actions search/>
        </RequireUser>
    }
}

#[component]
fn AdminView(
    users: Resource<Result<Vec<UserSummary>, AppError>>,
    instances: Resource<Result<Vec<AdminInstance>, AppError>>,
    audit: Resource<Result<Vec<AuditEntry>, AppError>>,
    dead_letters: Resource<Result<Vec<DeadLetterView>, AppError>>,
    health: Resource<Result<Health, AppError>>,
    actions: AdminActions,
    search: Memo<String>,
) -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    view! {
        <h1>{locale.t(Key::AdminTitle)}</h1>
        {actions.outcome.view()}
        <h2>{locale.t(Key::HealthTitle)}</h2>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match health.await {
                    Ok(health) => view! { <HealthPanel health locale/> }.into_any(),
                    Err(error) => view! { <ErrorNotice error/> }.into_any(),
                }
            })}
        </Suspense>
        <h2>{locale.t(Key::AdminInstances)}</h2>
        <form method="get" action="/admin" class="admin-filters" role="search">
            <label>
                {locale.t(Key::Search)}
                <input name="q" type="search" value=move || search.get() placeholder=locale.t(Key::SearchHint)/>
            </label>
            <label>
                {locale.t(Key::ColumnStatus)}
                <select name="status">
                    <option value="">{locale.t(Key::AllStatuses)}</option>
                    {InstanceStatus::ALL.into_iter().map(|status| {
                        let tag = status.as_str();
                        let selected = move || query.read().get("status").as_deref() == Some(tag);
                        view! { <option value=tag selected=selected>{locale.t(status_label(status).0)}</option> }
                    }).collect_view()}
                </select>
            </label>
            <button type="submit" class="secondary">{locale.t(Key::Filter)}</button>
        </form>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match instances.await {
                    Ok(list) if list.is_empty() => view! { <p class="muted">{locale.t(Key::NoInstancesFound)}</p> }.into_any(),
                    Ok(list) => view! { <InstanceTable list locale actions/> }.into_any(),
                    Err(error) => view! { <ErrorNotice error/> }.into_any(),
                }
            })}
        </Suspense>

        <h2 id="dead-letters">{locale.t(Key::DeadLetters)}</h2>
        <p class="muted">{locale.t(Key::DeadLettersHint)}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match dead_letters.await {
                    Ok(list) if list.is_empty() => view! { <p class="muted">{locale.t(Key::NoDeadLetters)}</p> }.into_any(),
                    Ok(list) => view! { <DeadLetterList list locale actions/> }.into_any(),
                    Err(error) => view! { <ErrorNotice error/> }.into_any(),
                }
            })}
        </Suspense>

        <h2>{locale.t(Key::AuditLog)}</h2>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                audit.await.map(|entries| view! { <AuditTable entries locale/> }.into_any())
                    .unwrap_or_else(|error| view! { <ErrorNotice error/> }.into_any())
            })}
        </Suspense>

        <h2>{locale.t(Key::AdminUsers)}</h2>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                users.await.map(|users| view! { <UserTable users locale/> }.into_any())
                    .unwrap_or_else(|error| view! { <ErrorNotice error/> }.into_any())
            })}
        </Suspense>
    }
}

/// Accounts, queues and Meta lately, at a glance; each figure links to where to act on it.
#[component]
fn HealthPanel(health: Health, locale: Locale) -> impl IntoView {
    let degraded = health.meta_degraded();
    let oldest = move |q: QueueHealth| {
        q.oldest_seconds.filter(|_| q.items > 0).map(|s| {
            view! { <small class="muted">{locale.t(Key::HealthOldest)} " " {locale.number(s.round() as i64)} {locale.t(Key::HealthSeconds)}</small> }
        })
    };
    let tile = move |label: Key, value: String, href: Option<&'static str>, warn: bool, extra: Option<AnyView>| {
        let class = if warn { "stat stat-warn" } else { "stat" };
        let figure = match href {
            Some(href) => view! { <a href=href class="stat-value">{value}</a> }.into_any(),
            None => view! { <span class="stat-value">{value}</span> }.into_any(),
        };
        view! { <div class=class><span class="stat-label">{locale.t(label)}</span>{figure}{extra}</div> }
    };
    let connected = format!("{} {} {}", health.connected, locale.t(Key::HealthOf), health.instances);
    let meta = if health.meta.is_empty() {
        view! { <p class="muted">{locale.t(Key::HealthMetaNone)}</p> }.into_any()
    } else {
        view! {
            <div class="table-wrap">
                <table class="meta-calls">
                    <thead><tr>
                        <th scope="col">{locale.t(Key::HealthEndpoint)}</th>
                        <th scope="col">{locale.t(Key::HealthOkCalls)}</th>
                        <th scope="col">{locale.t(Key::HealthRefused)}</th>
                        <th scope="col">{locale.t(Key::HealthFailed)}</th>
                    </tr></thead>
                    <tbody>
                        {health.meta.iter().map(|m| view! {
                            <tr>
                                <td><code>{m.endpoint.clone()}</code></td>
                                <td>{locale.number(m.ok)}</td>
                                <td>{locale.number(m.refused)}</td>
                                <td class:failed=m.failed != 0>{locale.number(m.failed)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="health" aria-label=locale.t(Key::HealthTitle)>
            <div class="stats">
                {tile(Key::HealthConnected, connected, Some("/admin?status=connected"), false, None)}
                {tile(Key::HealthInError, locale.number(i64::from(health.in_error)), Some("/admin?status=error"), health.in_error > 0, None)}
                {tile(Key::HealthExpiring, locale.number(i64::from(health.expiring_soon)), None, health.expiring_soon > 0, None)}
                {tile(Key::HealthIntake, locale.number(health.intake.items), None, false, oldest(health.intake).map(IntoAny::into_any))}
                {tile(Key::HealthOutbox, locale.number(health.outbox.items), None, false, oldest(health.outbox).map(IntoAny::into_any))}
                {tile(Key::HealthDeadLetters, locale.number(health.dead_letters.items), Some("/admin#dead-letters"), health.dead_letters.items > 0, None)}
            </div>
            <h3>{locale.t(Key::HealthMetaTitle)} " " {health.meta_minutes} " " {locale.t(Key::HealthMinutes)}</h3>
            <p class={if degraded { "notice notice-error" } else { "notice notice-ok" }} role="status">
                {locale.t(if degraded { Key::HealthMetaDegraded } else { Key::HealthMetaOk })}
            </p>
            {meta}
        </section>
    }
}

#[component]
fn InstanceTable(list: Vec<AdminInstance>, locale: Locale, actions: AdminActions) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table>
                <thead><tr>
                    <th>{locale.t(Key::ColumnInstance)}</th>
                    <th>{locale.t(Key::ColumnOwner)}</th>
                    <th>{locale.t(Key::ColumnStatus)}</th>
                    <th>{locale.t(Key::ColumnExpiry)}</th>
                    <th>{locale.t(Key::LastEvent)}</th>
                    <th>{locale.t(Key::ColumnActions)}</th>
                </tr></thead>
                <tbody>
                    {list.into_iter().map(|row| {
                        let card = row.card;
                        let (status_key, status_class) = status_label(card.status);
                        let (id_a, id_b, id_c) = (card.id.clone(), card.id.clone(), card.id.clone());
                        view! {
                            <tr data-instance=card.instance_name.clone()>
                                <td>
                                    {card.name.clone()}
                                    {card.username.clone().map(|u| view! { <br/><span class="muted">"@"{u}</span> })}
                                </td>
                                <td>{row.owner_email}</td>
                                <td><span class=format!("badge {status_class}")>{locale.t(status_key)}</span></td>
                                <td class:warning=card.token_expires_soon>
                                    {card.token_expires_at.map(|at| at.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "—".into())}
                                </td>
                                <td>{match card.last_event_at {
                                    Some(at) => view! { <LocalTime at/> }.into_any(),
                                    None => "—".into_any(),
                                }}</td>
                                <td>
                                    <ActionForm action=actions.refresh>
                                        <input type="hidden" name="id" value=id_b/>
                                        <button type="submit" class="secondary">{locale.t(Key::RefreshToken)}</button>
                                    </ActionForm>
                                    {(card.status == InstanceStatus::Connected).then(|| view! {
                                        <details class="card-more">
                                            <summary>{locale.t(Key::Disconnect)}</summary>
                                            <p>{locale.t(Key::DisconnectConfirmText)}</p>
                                            <ActionForm action=actions.disconnect>
                                                <input type="hidden" name="id" value=id_a/>
                                                <button type="submit" class="secondary">{locale.t(Key::ConfirmDisconnect)}</button>
                                            </ActionForm>
                                        </details>
                                    })}
                                    <details class="card-more danger">
                                        <summary>{locale.t(Key::Delete)}</summary>
                                        <p>{locale.t(Key::DeleteConfirmText)}</p>
                                        <ActionForm action=actions.delete>
                                            <input type="hidden" name="id" value=id_c/>
                                            <button type="submit" class="danger-button">{locale.t(Key::ConfirmDelete)}</button>
                                        </ActionForm>
                                    </details>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// One card per failure: what and why as its title, with the action beside it; the instance,
/// how often and since when below; the recorded error last. Reads the same on a phone.
#[component]
fn DeadLetterList(list: Vec<DeadLetterView>, locale: Locale, actions: AdminActions) -> impl IntoView {
    view! {
        <ul class="dead-letters">
            {list.into_iter().map(|d| {
                let (kind, why) = dead_letter_labels(d.kind, d.reason);
                let id = d.id.clone();
                let action = match (d.resolved_at, d.retryable) {
                    (Some(at), _) => view! {
                        <span class="badge badge-ok">{locale.t(Key::ResolvedAt)}</span>
                        <span class="muted">" " <LocalTime at/></span>
                    }.into_any(),
                    (None, true) => view! {
                        <ActionForm action=actions.run_again>
                            <input type="hidden" name="id" value=id/>
                            <button type="submit" class="secondary">{locale.t(Key::RunAgain)}</button>
                        </ActionForm>
                    }.into_any(),
                    (None, false) => view! { <span class="badge badge-neutral">{locale.t(Key::NotRetryable)}</span> }.into_any(),
                };
                let instance = d.instance.or(d.account_id.map(|a| format!("Instagram {a}")));
                view! {
                    <li class="card dead-letter" data-dead-letter=d.id class:resolved=d.resolved_at.is_some()>
                        <div class="card-head">
                            <div class="card-title">
                                <strong>{locale.t(kind)} " · " {locale.t(why)}</strong>
                                {instance.map(|name| view! { <span class="muted">{name}</span> })}
                            </div>
                            <div class="dead-letter-action">{action}</div>
                        </div>
                        <dl class="facts">
                            <dt>{locale.t(Key::LastFailure)}</dt><dd><LocalTime at=d.last_failed_at/></dd>
                            <dt>{locale.t(Key::ColumnTimes)}</dt><dd class="times">{d.attempts}</dd>
                            <dt>{locale.t(Key::FirstFailure)}</dt><dd><LocalTime at=d.first_failed_at/></dd>
                            <dt>{locale.t(Key::ColumnWhat)}</dt><dd class="summary">{d.summary}</dd>
                        </dl>
                        {d.detail.map(|detail| view! { <code class="detail">{detail}</code> })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
fn AuditTable(entries: Vec<AuditEntry>, locale: Locale) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class="audit">
                <thead><tr>
                    <th>{locale.t(Key::ColumnWhen)}</th>
                    <th>{locale.t(Key::ColumnWho)}</th>
                    <th>{locale.t(Key::ColumnAction)}</th>
                    <th>{locale.t(Key::ColumnTarget)}</th>
                    <th>{locale.t(Key::ColumnDetails)}</th>
                </tr></thead>
                <tbody>
                    {entries.into_iter().map(|entry| view! {
                        <tr>
                            <td>{entry.at.format("%Y-%m-%d %H:%M:%S UTC").to_string()}</td>
                            <td>{entry.actor_email.unwrap_or_else(|| locale.t(Key::SystemActor).to_owned())}</td>
                            <td title=entry.action.clone()>{match AuditAction::parse_stored(&entry.action) {
                                Some((action, by_admin)) => format!("{}{}", if by_admin { format!("{} · ", locale.t(Key::AuditByAdmin)) } else { String::new() }, locale.t(crate::i18n::audit_action(action))),
                                // Written by an older version under a name no longer used.
                                None => entry.action.clone(),
                            }}</td>
                            <td>{entry.target_name.unwrap_or(entry.target_id)}</td>
                            <td>{entry.details.unwrap_or_default()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn UserTable(users: Vec<UserSummary>, locale: Locale) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table>
                <thead><tr>
                    <th>{locale.t(Key::ColumnEmail)}</th>
                    <th>{locale.t(Key::ColumnName)}</th>
                    <th>{locale.t(Key::ColumnRole)}</th>
                    <th>{locale.t(Key::ColumnPremium)}</th>
                    <th>{locale.t(Key::ColumnCreated)}</th>
                </tr></thead>
                <tbody>
                    {users.into_iter().map(|u| view! {
                        <tr>
                            <td>{u.email}</td>
                            <td>{u.name}</td>
                            <td>{locale.t(if u.role == Role::Admin { Key::RoleAdmin } else { Key::RoleUser })}</td>
                            <td>{locale.t(if u.premium { Key::Yes } else { Key::No })}</td>
                            <td><LocalTime at=u.created_at date_only=true/></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
