//! `/notifications`: what the bell counts, newest first, marked read one by one or all at once,
//! and which kinds also arrive by e-mail. Works without JavaScript (plain forms), and follows new
//! notifications live with it.
use crate::{
    api::notifications::{get_notifications, MarkNotificationsRead, SaveNotificationPrefs},
    components::{
        auth::RequireUser,
        error_notice::{ActionOutcome, ErrorNotice, Loading},
        live::use_live_events,
        local_time::LocalTime,
    },
    domain::{
        error::AppError,
        live::LiveEvent,
        notification::{Notification, NotificationKind, Notifications},
    },
    i18n::{notice, notice_text, Key, Locale},
    use_locale,
};
use leptos::prelude::*;

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let mark = ServerAction::<MarkNotificationsRead>::new();
    let prefs = ServerAction::<SaveNotificationPrefs>::new();
    let page = Resource::new(move || (mark.version().get(), prefs.version().get()), |_| get_notifications());
    use_live_events(move |event| {
        if matches!(event, None | Some(LiveEvent::Notified)) {
            page.refetch();
        }
    });
    view! {
        <RequireUser>
            <NotificationsView page mark prefs/>
        </RequireUser>
    }
}

#[component]
fn NotificationsView(
    page: Resource<Result<Notifications, AppError>>,
    mark: ServerAction<MarkNotificationsRead>,
    prefs: ServerAction<SaveNotificationPrefs>,
) -> impl IntoView {
    let locale = use_locale();
    view! {
        <div class="page-head">
            <h1>{locale.t(Key::NotificationsTitle)}</h1>
        </div>
        <ActionOutcome result=mark.value() ok=Key::NotificationsMarkedRead/>
        <ActionOutcome result=prefs.value() ok=Key::NotificationsSaved/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <NotificationList page mark prefs locale/> }.into_any(),
                    Err(error) => view! { <ErrorNotice error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn NotificationList(
    page: Notifications,
    mark: ServerAction<MarkNotificationsRead>,
    prefs: ServerAction<SaveNotificationPrefs>,
    locale: Locale,
) -> impl IntoView {
    let Notifications { unread, items, email_off, email_available } = page;
    let list = if items.is_empty() {
        view! { <div class="empty-state"><p>{locale.t(Key::NotificationsEmpty)}</p></div> }.into_any()
    } else {
        view! {
            <ul class="notifications">
                {items.into_iter().map(|item| view! { <NotificationItem item mark locale/> }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section class="card notifications-card">
            <div class="card-head">
                <p class="muted" data-unread=unread>{unread} " " {locale.t(Key::NotificationsUnread)}</p>
                {(unread > 0).then(|| view! {
                    <ActionForm action=mark attr:class="inline">
                        <button type="submit" class="link-button">{locale.t(Key::NotificationsMarkAllRead)}</button>
                    </ActionForm>
                })}
            </div>
            {list}
        </section>
        <section class="card">
            <h2>{locale.t(Key::NotificationsEmailTitle)}</h2>
            {if email_available {
                view! { <p class="muted">{locale.t(Key::NotificationsEmailHint)}</p> }.into_any()
            } else {
                view! { <p class="notice notice-warn">{locale.t(Key::NotificationsEmailUnavailable)}</p> }.into_any()
            }}
            <ActionForm action=prefs attr:class="prefs">
                {NotificationKind::ALL.into_iter().map(|kind| view! {
                    <label class="check">
                        <input type="checkbox" name=kind.as_str() value="on" checked=!email_off.contains(&kind)/>
                        " " {locale.t(notice(kind).0)}
                    </label>
                }).collect_view()}
                <button type="submit" class="primary" disabled=move || prefs.pending().get()>
                    {locale.t(Key::NotificationsSave)}
                </button>
            </ActionForm>
        </section>
    }
}

#[component]
fn NotificationItem(item: Notification, mark: ServerAction<MarkNotificationsRead>, locale: Locale) -> impl IntoView {
    let (title, text) = notice_text(locale, &item);
    let link = item.link();
    view! {
        <li class=if item.read { "notification" } else { "notification unread" } data-kind=item.kind.as_str()>
            <div class="notification-head">
                <strong>{title}</strong>
                {(!item.read).then(|| view! { <span class="badge">{locale.t(Key::NotificationsNew)}</span> })}
                <span class="muted"><LocalTime at=item.created_at/></span>
            </div>
            <p>{text}</p>
            <div class="notification-actions">
                <a href=link>{locale.t(Key::NotificationsOpen)}</a>
                {(!item.read).then(|| view! {
                    <ActionForm action=mark attr:class="inline">
                        <input type="hidden" name="id" value=item.id.clone()/>
                        <button type="submit" class="link-button">{locale.t(Key::NotificationsMarkRead)}</button>
                    </ActionForm>
                })}
            </div>
        </li>
    }
}

/// The bell in the top bar: a link to the list with the unread count, counted again live. The
/// count's resource belongs to the frame (see [`crate::components::layout::Layout`]).
#[component]
pub fn Bell(unread: Resource<Result<u32, AppError>>) -> impl IntoView {
    let locale = use_locale();
    use_live_events(move |event| {
        if matches!(event, None | Some(LiveEvent::Notified)) {
            unread.refetch();
        }
    });
    move || {
        let count = unread.get().and_then(Result::ok).unwrap_or(0);
        let label = format!("{}: {count} {}", locale.t(Key::NavNotifications), locale.t(Key::NotificationsUnread));
        view! {
            <a href="/notifications" class="bell" aria-label=label title=locale.t(Key::NavNotifications)>
                <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                    <path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5-6.71V3.5a2 2 0 0 0-4 0v.79A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z"/>
                </svg>
                {(count > 0).then(|| view! { <span class="bell-count" data-count=count>{count}</span> })}
            </a>
        }
    }
}
