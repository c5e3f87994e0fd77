//! `/inbox?instance=ID[&person=IGSID][&q=]`: an instance's conversations, newest activity first,
//! with unread counts and search; the chosen one both ways (their messages, the automations'
//! replies, what the account sent by hand), and a composer inside Meta's 24-hour window. Live:
//! what arrives or goes out shows without a reload. On a phone the list and the conversation
//! are one screen each.
use crate::domain::id::{InstanceId, PersonId};
use crate::{
    api::{
        inbox::{get_inbox, get_thread, ResumeAutomations, SendManualReply},
        instances::list_instances,
    },
    components::{
        auth::RequireUser,
        error_notice::{ActionOutcome, ErrorNotice, Loading},
        instance_picker::InstancePicker,
        live::use_instance_changes,
        local_time::LocalTime,
    },
    domain::{
        conversation::{ConversationSummary, Inbox, Thread, ThreadMessage},
        error::AppError,
        instance::InstanceCard,
    },
    i18n::{Key, Locale},
    use_locale,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn InboxPage() -> impl IntoView {
    let query = use_query_map();
    let instance = Memo::new(move |_| query.read().get("instance").map(InstanceId::new).unwrap_or_default());
    let person = Memo::new(move |_| query.read().get("person").filter(|p| !p.is_empty()).map(PersonId::new));
    let search = Memo::new(move |_| query.read().get("q").filter(|q| !q.is_empty()));
    let reply = ServerAction::<SendManualReply>::new();
    let resume = ServerAction::<ResumeAutomations>::new();
    let instances = Resource::new(|| (), |_| list_instances());
    let inbox = Resource::new(
        move || (instance.get(), search.get(), reply.version().get(), resume.version().get()),
        |(instance, q, ..)| async move {
            if instance.is_empty() {
                Ok(None)
            } else {
                get_inbox(instance, q).await.map(Some)
            }
        },
    );
    let thread = Resource::new(
        move || (instance.get(), person.get(), reply.version().get(), resume.version().get()),
        |(instance, person, ..)| async move {
            match person {
                Some(person) if !instance.is_empty() => get_thread(instance, person).await.map(Some),
                _ => Ok(None),
            }
        },
    );
    use_instance_changes(instance, move || {
        inbox.refetch();
        thread.refetch();
    });
    view! {
        <RequireUser>
            <InboxView instances inbox thread instance person search reply resume/>
        </RequireUser>
    }
}

#[component]
#[allow(clippy::too_many_arguments)]
fn InboxView(
    instances: Resource<Result<Vec<InstanceCard>, AppError>>,
    inbox: Resource<Result<Option<Inbox>, AppError>>,
    thread: Resource<Result<Option<Thread>, AppError>>,
    instance: Memo<InstanceId>,
    person: Memo<Option<PersonId>>,
    search: Memo<Option<String>>,
    reply: ServerAction<SendManualReply>,
    resume: ServerAction<ResumeAutomations>,
) -> impl IntoView {
    let locale = use_locale();
    let layout = move || if person.get().is_some() { "inbox with-thread" } else { "inbox" };
    view! {
        <div class="page-head"><h1>{locale.t(Key::InboxTitle)}</h1></div>
        <InstancePicker instances instance path="/inbox"/>
        <div class=layout>
            <section class="inbox-list">
                <form method="get" action="/inbox" role="search" class="inbox-search">
                    <input type="hidden" name="instance" value=move || instance.get().to_string()/>
                    <input type="search" name="q" aria-label=locale.t(Key::InboxSearch)
                        placeholder=locale.t(Key::InboxSearch) value=move || search.get().unwrap_or_default()/>
                </form>
                <Suspense fallback=Loading>
                    {move || Suspend::new(async move {
                        match inbox.await {
                            Ok(Some(inbox)) => view! { <ConversationList inbox person searching=search.get_untracked().is_some() locale/> }.into_any(),
                            Ok(None) => view! { <p class="muted">{locale.t(Key::ChooseInstance)}</p> }.into_any(),
                            Err(error) => view! { <ErrorNotice error/> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
            <section class="inbox-thread">
                <Suspense fallback=Loading>
                    {move || Suspend::new(async move {
                        match thread.await {
                            Ok(Some(thread)) => view! { <ThreadView thread reply resume locale/> }.into_any(),
                            Ok(None) => view! { <p class="muted inbox-pick">{locale.t(Key::InboxPick)}</p> }.into_any(),
                            Err(error) => view! { <ErrorNotice error/> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        </div>
    }
}

#[component]
fn ConversationList(inbox: Inbox, person: Memo<Option<PersonId>>, searching: bool, locale: Locale) -> impl IntoView {
    if inbox.conversations.is_empty() {
        let key = if searching { Key::InboxNoMatch } else { Key::InboxEmpty };
        return view! { <p class="muted">{locale.t(key)}</p> }.into_any();
    }
    let instance_id = inbox.instance_id.clone();
    view! {
        <ul class="conversations">
            {inbox.conversations.into_iter().map(|c| view! {
                <ConversationItem c instance_id=instance_id.clone() current=person.get_untracked() locale/>
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn ConversationItem(
    c: ConversationSummary,
    instance_id: InstanceId,
    current: Option<PersonId>,
    locale: Locale,
) -> impl IntoView {
    let href = format!("/inbox?instance={instance_id}&person={}", c.person_id);
    let active = current.as_ref() == Some(&c.person_id);
    // The open conversation is being read (opening it marked it read).
    let unread = if active { 0 } else { c.unread };
    let who = c.username.clone().map_or_else(|| c.person_id.to_string(), |u| format!("@{u}"));
    let preview = c.last_text.clone().unwrap_or_else(|| format!("[{}]", locale.t(Key::InboxAttachment)));
    let preview = if c.last_from_person { preview } else { format!("{}: {preview}", locale.t(Key::InboxYou)) };
    view! {
        <li class:active=active class:unread={unread > 0}>
            <a href=href aria-current=active.then_some("true")>
                <span class="conversation-head">
                    <strong>{who}</strong>
                    {(unread > 0).then(|| view! {
                        <span class="bell-count" title=locale.t(Key::InboxUnread)>{unread}</span>
                    })}
                    <small class="muted"><LocalTime at=c.last_at/></small>
                </span>
                <span class="conversation-preview muted">{preview}</span>
            </a>
        </li>
    }
}

#[component]
fn ThreadView(
    thread: Thread,
    reply: ServerAction<SendManualReply>,
    resume: ServerAction<ResumeAutomations>,
    locale: Locale,
) -> impl IntoView {
    let Thread { instance_id, person_id, username, messages, window_closes_at, window_open, paused_until } = thread;
    let who = username.map_or_else(|| person_id.to_string(), |u| format!("@{u}"));
    let back = format!("/inbox?instance={instance_id}");
    let (form_instance, form_person) = (instance_id.clone(), person_id.clone());
    let composer = if window_open {
        view! {
            <ActionForm action=reply attr:class="composer">
                <input type="hidden" name="instance_id" value=form_instance/>
                <input type="hidden" name="person_id" value=form_person/>
                <label for="reply-text">{locale.t(Key::InboxReplyLabel)}</label>
                <textarea id="reply-text" name="text" rows="3" maxlength="1000"></textarea>
                <label for="reply-image">{locale.t(Key::InboxImageLabel)}</label>
                <input id="reply-image" name="image_url" type="url" inputmode="url" placeholder="https://"/>
                <button type="submit" class="primary" disabled=move || reply.pending().get()>
                    {move || locale.t(if reply.pending().get() { Key::Working } else { Key::InboxSend })}
                </button>
            </ActionForm>
        }
        .into_any()
    } else {
        view! { <p class="notice notice-warn" role="status">{locale.t(Key::InboxWindowClosed)}</p> }.into_any()
    };
    view! {
        <div class="thread-head">
            <a class="inbox-back" href=back>{locale.t(Key::InboxBack)}</a>
            <h2>{who}</h2>
            {window_closes_at.filter(|_| window_open).map(|at| view! {
                <small class="muted">{locale.t(Key::InboxWindowOpen)} " " <LocalTime at/></small>
            })}
        </div>
        {paused_until.map(|until| view! {
            <div class="notice notice-warn paused" role="status">
                {locale.t(Key::InboxPaused)} " " <LocalTime at=until/> ": " {locale.t(Key::InboxPausedWhy)} " "
                <ActionForm action=resume attr:class="inline">
                    <input type="hidden" name="instance_id" value=instance_id.clone()/>
                    <input type="hidden" name="person_id" value=person_id.clone()/>
                    <button type="submit" class="link-button">{locale.t(Key::InboxResume)}</button>
                </ActionForm>
            </div>
        })}
        <ol class="messages">
            {messages.into_iter().map(|message| view! { <MessageBubble message locale/> }).collect_view()}
        </ol>
        <ActionOutcome result=reply.value() ok=Key::InboxSent fields=&["text", "media_url"]/>
        <ActionOutcome result=resume.value() ok=Key::InboxResumed/>
        {composer}
    }
}

#[component]
fn MessageBubble(message: ThreadMessage, locale: Locale) -> impl IntoView {
    let ThreadMessage { from_person, text, at, automated, attachments, story, .. } = message;
    let by = if from_person {
        None
    } else if automated {
        Some(locale.t(Key::InboxAutomated))
    } else {
        Some(locale.t(Key::InboxYou))
    };
    view! {
        <li class=if from_person { "message theirs" } else { "message ours" }>
            {story.map(|url| view! {
                <a class="story" href=url rel="noopener noreferrer" target="_blank">{locale.t(Key::InboxStory)}</a>
            })}
            {text.filter(|t| !t.is_empty()).map(|t| view! { <p>{t}</p> })}
            {attachments.into_iter().map(|(kind, url)| {
                if kind == "image" {
                    let link = url.clone();
                    view! {
                        <a href=link rel="noopener noreferrer" target="_blank">
                            <img src=url alt=locale.t(Key::InboxAttachment) loading="lazy" width="160"/>
                        </a>
                    }.into_any()
                } else {
                    view! { <a href=url rel="noopener noreferrer" target="_blank">{locale.t(Key::InboxAttachment)} " (" {kind} ")"</a> }.into_any()
                }
            }).collect_view()}
            <small class="muted">{by.map(|b| view! { {b} " · " })}<LocalTime at/></small>
        </li>
    }
}
