//! `/automations?instance={id}&edit={id}`: an instance's keyword and comment rules, the editor
//! (PRD "Criação de Automação", steps 1 to 8) and a box to try them without sending anything.
use crate::domain::id::InstanceId;
use crate::{
    api::automations::{
        get_automations, list_media, DeleteAutomation, MoveAutomation, SaveAutomation, SaveIceBreakers,
        SetAutomationActive, TryAutomation,
    },
    components::{
        auth::RequireUser,
        error_notice::{ErrorNotice, LastOutcome, Loading},
        field::textarea_text,
        thread_preview::ThreadPreview,
    },
    domain::{
        automation::{dm_text, AutomationKind, ButtonAction, DmFormat, DmSource, MatchMode, PerPerson, Trigger},
        automation_draft::{
            AutomationInput, AutomationView, AutomationsOverview, ButtonInput, CardInput, MediaItem, QuickReplyInput,
            Saved, BUTTONS_MAX, CARDS_MAX, CARD_TEXT_MAX_CHARS, DEFAULT_HOURS, QUICK_REPLIES_MAX,
        },
        error::AppError,
        ice_breakers::{IceBreaker, ICE_BREAKERS_MAX},
        instance::InstanceCard,
    },
    i18n::{field_message, Key, Locale},
    use_locale,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AutomationsPage() -> impl IntoView {
    let query = use_query_map();
    let save = ServerAction::<SaveAutomation>::new();
    let toggle = ServerAction::<SetAutomationActive>::new();
    let delete = ServerAction::<DeleteAutomation>::new();
    let reorder = ServerAction::<MoveAutomation>::new();
    // Every resource of the page is created here, outside Suspense, and read inside it.
    let chosen = Memo::new(move |_| query.read().get("instance").map(InstanceId::new));
    // Only a save that went through changes the list: a refused one must not rebuild the form
    // (its choices would jump back to the defaults while its texts stay).
    let saved = RwSignal::new(0_u32);
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(_))) {
            saved.update(|n| *n += 1);
        }
    });
    let versions = move || (saved.get(), toggle.version().get(), delete.version().get(), reorder.version().get());
    let outcome = LastOutcome::new();
    outcome
        .follow(toggle, |asked| if asked.active == "true" { Key::OutcomeActivated } else { Key::OutcomeDeactivated });
    outcome.follow(delete, |_| Key::OutcomeAutomationDeleted);
    outcome.follow(reorder, |_| Key::OutcomeMoved);
    let overview = Resource::new(move || (chosen.get(), versions()), |(chosen, _)| get_automations(chosen));
    let media = Resource::new(move || chosen.get(), list_media);
    let locale = use_locale();
    view! {
        <RequireUser>
            <div class="page-head"><h1>{locale.t(Key::AutomationsTitle)}</h1></div>
            {outcome.view()}
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(AutomationsOverview { instance_id: Some(instance_id), instances, automations, ice_breakers }) => {
                            let targets = follow_up_targets(&automations);
                            view! {
                                <InstanceTabs cards=instances current=instance_id.clone()/>
                                <Editor instance_id=instance_id.clone() list=automations save toggle delete reorder media/>
                                <IceBreakers instance_id questions=ice_breakers targets/>
                            }.into_any()
                        }
                        Ok(_) => view! {
                            <div class="empty-state">
                                <p>{locale.t(Key::AutomationsEmpty)}</p>
                                <a class="button" href="/instances">{locale.t(Key::GoToInstances)}</a>
                            </div>
                        }.into_any(),
                        Err(error) => view! { <ErrorNotice error/> }.into_any(),
                    }
                })}
            </Suspense>
        </RequireUser>
    }
}

/// The instance's ice breakers: up to 4 questions Instagram shows before a first message, each
/// running a DM automation when tapped; saved here, registered at Meta.
#[component]
fn IceBreakers(instance_id: InstanceId, questions: Vec<IceBreaker>, targets: Vec<(String, String)>) -> impl IntoView {
    let locale = use_locale();
    let save = ServerAction::<SaveIceBreakers>::new();
    let outcome = move || {
        match save.value().get() {
        Some(Ok(saved)) => Some(view! {
            <div class="notice notice-ok" role="status">{locale.t(if saved.is_empty() { Key::IceBreakersCleared } else { Key::IceBreakersSaved })}</div>
        }.into_any()),
        Some(Err(AppError::Invalid(errors))) => errors.first().map(|e| {
            let message = locale.t(field_message(e.code));
            view! { <p class="field-error" id="error-ice_breakers" role="alert">{message}</p> }.into_any()
        }),
        Some(Err(error)) => Some(view! { <ErrorNotice error/> }.into_any()),
        None => None,
    }
    };
    let rows = (0..ICE_BREAKERS_MAX).map(|i| {
        let current = questions.get(i).cloned();
        let chosen = current.as_ref().map(|q| q.automation_id.clone()).unwrap_or_default();
        let options = targets.iter().map(|(id, name)| {
            let selected = *id == chosen;
            view! { <option value=id.clone() selected=selected>{name.clone()}</option> }
        }).collect_view();
        view! {
            <div class="tap-row">
                <input name=format!("questions[{i}][question]") maxlength="80" value=current.map(|q| q.question).unwrap_or_default()
                    aria-label=format!("{} {}", locale.t(Key::IceBreakerQuestion), i + 1) placeholder=locale.t(Key::IceBreakerQuestion)/>
                <select name=format!("questions[{i}][automation_id]") aria-label=format!("{} {}", locale.t(Key::ButtonTarget), i + 1)>
                    <option value="">{locale.t(Key::FollowUpNone)}</option>
                    {options}
                </select>
            </div>
        }
    }).collect_view();
    view! {
        <section class="panel" aria-labelledby="ice-breakers-title">
            <h2 id="ice-breakers-title">{locale.t(Key::IceBreakersTitle)}</h2>
            <p class="muted">{locale.t(Key::IceBreakersHint)}</p>
            <ActionForm action=save attr:class="stacked">
                <input type="hidden" name="instance_id" value=instance_id/>
                {rows}
                {outcome}
                <button type="submit" class="secondary" disabled=move || save.pending().get()>{locale.t(Key::IceBreakersSave)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn InstanceTabs(cards: Vec<InstanceCard>, current: InstanceId) -> impl IntoView {
    let locale = use_locale();
    view! {
        <nav class="tabs" aria-label="instances">
            {cards.into_iter().map(|card| {
                let here = card.id == current;
                view! {
                    <a href=format!("/automations?instance={}", card.id) class:active=here aria-current=here.then_some("page")>
                        {
                            let (label, class) = crate::pages::instances::status_label(card.status);
                            view! { <span class=format!("dot {class}") title=locale.t(label)></span><span class="sr-only">{locale.t(label)} ": "</span> }
                        }
                        {card.name}
                        {card.username.map(|u| view! { <span class="muted">" @"{u}</span> })}
                    </a>
                }
            }).collect_view()}
        </nav>
    }
}

#[component]
fn Editor(
    instance_id: InstanceId,
    list: Vec<AutomationView>,
    save: ServerAction<SaveAutomation>,
    toggle: ServerAction<SetAutomationActive>,
    delete: ServerAction<DeleteAutomation>,
    reorder: ServerAction<MoveAutomation>,
    media: Resource<Result<Vec<MediaItem>, AppError>>,
) -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let editing_id = query.read_untracked().get("edit");
    let editing = editing_id.as_ref().and_then(|id| list.iter().find(|a| &a.id == id)).cloned();
    let targets = follow_up_targets(&list);
    // What the form holds now, for the preview: its first values, then every change typed.
    let live = RwSignal::new(editing.as_ref().map(AutomationView::input).unwrap_or_else(blank_form));
    view! {
        {if list.is_empty() {
            view! { <p class="empty-state">{locale.t(Key::AutomationsNone)}</p> }.into_any()
        } else {
            let count = list.len();
            view! {
                <p class="muted">{locale.t(Key::OrderHint)}</p>
                <ol class="automations">
                    {list.into_iter().enumerate().map(|(place, a)| view! {
                        <AutomationItem automation=a place count toggle delete reorder/>
                    }).collect_view()}
                </ol>
            }.into_any()
        }}
        <div class="editor-grid">
            <AutomationForm instance_id=instance_id.clone() editing save media targets live/>
            <div class="editor-side">
                <ThreadPreview input=live.into()/>
                <TryBox instance_id media/>
            </div>
        </div>
    }
}

/// A new automation's form.
fn blank_form() -> AutomationInput {
    AutomationInput {
        kind: "dm".into(),
        trigger: "keyword".into(),
        dm_source: "messages".into(),
        match_mode: "contains".into(),
        per_person: "always".into(),
        per_person_hours: DEFAULT_HOURS.to_string(),
        dm_format: "text".into(),
        media_kind: "image".into(),
        ..AutomationInput::default()
    }
}

/// What a button, quick reply or ice breaker can run: the instance's DM automations, `(id, name)`.
fn follow_up_targets(list: &[AutomationView]) -> Vec<(String, String)> {
    list.iter().filter(|a| a.kind == AutomationKind::Dm).map(|a| (a.id.to_string(), a.name.clone())).collect()
}

fn kind_label(kind: AutomationKind) -> Key {
    match kind {
        AutomationKind::Dm => Key::KindDm,
        AutomationKind::Comment => Key::KindComment,
    }
}

fn source_label(source: DmSource) -> Key {
    match source {
        DmSource::Messages => Key::SourceMessages,
        DmSource::StoryReplies => Key::SourceStoryReplies,
        DmSource::StoryMentions => Key::SourceStoryMentions,
    }
}

fn match_label(mode: MatchMode) -> Key {
    match mode {
        MatchMode::Contains => Key::MatchContains,
        MatchMode::Exact => Key::MatchExact,
        MatchMode::StartsWith => Key::MatchStartsWith,
    }
}

/// "Only once", "Every time" or "every 24 h".
fn per_person_text(locale: Locale, limit: PerPerson) -> String {
    match limit {
        PerPerson::Always => locale.t(Key::PerPersonAlways).to_owned(),
        PerPerson::Once => locale.t(Key::PerPersonOnce).to_owned(),
        PerPerson::Hours(h) => format!("{} {h} {}", locale.t(Key::PerPersonEvery), locale.t(Key::HoursShort)),
    }
}

#[component]
fn AutomationItem(
    automation: AutomationView,
    /// Its place in the order automations are tried, from 0.
    place: usize,
    count: usize,
    toggle: ServerAction<SetAutomationActive>,
    delete: ServerAction<DeleteAutomation>,
    reorder: ServerAction<MoveAutomation>,
) -> impl IntoView {
    let locale = use_locale();
    let a = automation;
    let trigger = match a.trigger {
        Trigger::Keyword => Key::TriggerKeyword,
        Trigger::All => Key::TriggerAll,
        Trigger::FollowUp => Key::TriggerFollowUp,
    };
    let edit_href = format!("/automations?instance={}&edit={}", a.instance_id, a.id);
    let (id_toggle, id_delete) = (a.id.clone(), a.id.clone());
    let format = a.dm_format();
    let mover = move |direction: &'static str, label: Key, shown: bool| {
        let id = a.id.clone();
        shown.then(|| view! {
            <ActionForm action=reorder attr:class="inline">
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="direction" value=direction/>
                <button type="submit" class="secondary icon-button" aria-label=locale.t(label) title=locale.t(label)>
                    {if direction == "up" { "↑" } else { "↓" }}
                </button>
            </ActionForm>
        })
    };
    view! {
        <li class="automation" data-automation=a.name.clone()>
            <div class="automation-head">
                <span class="order" aria-label=locale.t(Key::OrderLabel)>{place + 1}</span>
                <strong>{a.name.clone()}</strong>
                <span class=if a.is_active { "badge badge-ok" } else { "badge badge-neutral" }>
                    {locale.t(if a.is_active { Key::Active } else { Key::Inactive })}
                </span>
            </div>
            <dl class="facts">
                <dt>{locale.t(Key::AutomationKindLabel)}</dt><dd>{locale.t(kind_label(a.kind))}
                    {(a.kind == AutomationKind::Dm && a.dm_source != DmSource::Messages).then(|| view! { " · " {locale.t(source_label(a.dm_source))} })}</dd>
                <dt>{locale.t(Key::TriggerLabel)}</dt><dd>{locale.t(trigger)}
                    {(a.trigger == Trigger::Keyword).then(|| view! { " · " {locale.t(match_label(a.match_mode))} })}</dd>
                <dt>{locale.t(Key::PerPersonLabel)}</dt><dd>{per_person_text(locale, a.per_person)}</dd>
                <dt>{locale.t(Key::RepliesToday)}</dt><dd>{a.replies_today}</dd>
                <dt>{locale.t(Key::RepliesTotal)}</dt><dd>{a.replies_total}</dd>
            </dl>
            <ul class="chips">
                {a.keywords.iter().map(|k| view! { <li class="chip">{k.clone()}</li> }).collect_view()}
                {a.exclude_keywords.iter().map(|k| view! { <li class="chip chip-excluded">"− " {k.clone()}</li> }).collect_view()}
            </ul>
            {a.public_replies.iter().map(|r| view! {
                <p class="reply-preview reply-public"><span class="muted">{locale.t(Key::ResponseComment)} ": "</span>{r.clone()}</p>
            }).collect_view()}
            {dm_text(a.direct_reply.as_deref(), &a.cards, a.attachment.as_ref()).map(|r| {
                let r = match format {
                    DmFormat::Cards => format!("{}: {r}", locale.t(Key::CardsShort)),
                    DmFormat::Media => format!("{}: {r}", locale.t(Key::FileShort)),
                    DmFormat::Text => r.into_owned(),
                };
                view! {
                <div class="reply-preview reply-direct">
                    <p><span class="muted">{locale.t(if a.kind == AutomationKind::Comment { Key::ResponsePrivate } else { Key::ResponseDirect })} ": "</span>{r}</p>
                    {(!a.buttons.is_empty()).then(|| view! {
                        <div class="bubble-buttons">
                            {a.buttons.iter().map(|b| {
                                let marker = match b.action { ButtonAction::Link { .. } => "↗ ", ButtonAction::FollowUp { .. } => "↩ " };
                                view! { <span class="bubble-button">{marker}{b.title.clone()}</span> }
                            }).collect_view()}
                        </div>
                    })}
                    {(!a.quick_replies.is_empty()).then(|| view! {
                        <div class="bubble-quick">
                            {a.quick_replies.iter().map(|q| view! { <span class="chip">{q.title.clone()}</span> }).collect_view()}
                        </div>
                    })}
                </div>
            }})}
            <div class="card-actions">
                <ActionForm action=toggle attr:class="inline">
                    <input type="hidden" name="id" value=id_toggle/>
                    <input type="hidden" name="active" value=(!a.is_active).to_string()/>
                    <button type="submit" class="secondary">{locale.t(if a.is_active { Key::Deactivate } else { Key::Activate })}</button>
                </ActionForm>
                <a class="button secondary" href=edit_href>{locale.t(Key::Edit)}</a>
                {mover("up", Key::MoveUp, place > 0)}
                {mover("down", Key::MoveDown, place + 1 < count)}
            </div>
            <details class="card-more danger">
                <summary>{locale.t(Key::Delete)}</summary>
                <p>{locale.t(Key::DeleteAutomationText)}</p>
                <ActionForm action=delete>
                    <input type="hidden" name="id" value=id_delete/>
                    <button type="submit" class="danger-button">{locale.t(Key::ConfirmDelete)}</button>
                </ActionForm>
            </details>
        </li>
    }
}

/// The message under a field, from the last result of the form's action.
fn field_error(locale: Locale, result: Signal<Option<Result<Saved, AppError>>>, field: &'static str) -> impl IntoView {
    let message = move || {
        result.get().and_then(|r| r.err()).and_then(|e| e.field_code(field).map(|c| locale.t(field_message(c))))
    };
    view! { <p class="field-error" id=format!("error-{field}")>{message}</p> }
}

#[component]
fn AutomationForm(
    instance_id: InstanceId,
    editing: Option<AutomationView>,
    save: ServerAction<SaveAutomation>,
    media: Resource<Result<Vec<MediaItem>, AppError>>,
    /// `(id, name)` of the automations a button or quick reply can run.
    targets: Vec<(String, String)>,
    /// The form's values: the first ones to show, then what is typed, read back for the preview.
    live: RwSignal<AutomationInput>,
) -> impl IntoView {
    let locale = use_locale();
    let result: Signal<Option<Result<Saved, AppError>>> = Signal::derive(move || save.value().get());
    let values = live.get_untracked();
    let chosen_media = values.media_ids.clone();
    // What the form shows depends on the type and the limit chosen; read from the fields as they change.
    let kind = RwSignal::new(values.kind.clone());
    let per_person = RwSignal::new(values.per_person.clone());
    let dm_format =
        RwSignal::new(if values.dm_format.is_empty() { "text".to_owned() } else { values.dm_format.clone() });
    let is_comment = move || kind.get() == "comment";
    // A comment's private reply is text: its format choice does not apply.
    let format_is = move |f: &str| if is_comment() { f == "text" } else { dm_format.get() == f };
    // A new automation saved leaves a blank form for the next one (an edited one shows what was saved).
    let form = NodeRef::<leptos::html::Form>::new();
    let creating = editing.is_none();
    // Only a save made after this form appeared: the list refreshing (another automation
    // toggled, say) rebuilds the form, and must not wipe what is being typed.
    let shown_at = save.version().get_untracked();
    Effect::new(move |_| {
        if creating && save.version().get() > shown_at && matches!(save.value().get(), Some(Ok(_))) {
            if let Some(form) = form.get() {
                form.reset();
            }
            kind.set("dm".into());
            per_person.set("always".into());
            dm_format.set("text".into());
            live.set(blank_form());
        }
    });
    // The form as it would be sent (disabled fields left out, as the browser does), for the preview.
    let read_back = move || {
        #[cfg(feature = "hydrate")]
        if let Some(form) = form.get_untracked() {
            use leptos::form::FromFormData;
            if let Some(sent) =
                web_sys::FormData::new_with_form(&form).ok().and_then(|data| SaveAutomation::from_form_data(&data).ok())
            {
                live.set(sent.input);
            }
        }
    };
    let option = move |value: &'static str, label: Key, current: &str| {
        view! { <option value=value selected=current == value>{locale.t(label)}</option> }
    };
    let outcome = move || match result.get() {
        Some(Ok(saved)) => Some(
            view! {
                <div class="notice notice-ok" role="status">
                    {locale.t(Key::AutomationSaved)}
                    {(!saved.shared_keywords.is_empty()).then(|| view! {
                        <br/>{locale.t(Key::SharedKeywords)} " " {saved.shared_keywords.join(", ")}
                    })}
                </div>
            }
            .into_any(),
        ),
        Some(Err(AppError::Invalid(_))) | None => None,
        Some(Err(error)) => Some(view! { <ErrorNotice error/> }.into_any()),
    };
    view! {
        <section class="panel" aria-labelledby="automation-form-title">
            <h2 id="automation-form-title">{locale.t(if editing.is_some() { Key::EditAutomation } else { Key::NewAutomation })}</h2>
            {outcome}
            <div on:input=move |_| read_back() on:change=move |_| read_back()>
            <ActionForm action=save node_ref=form attr:class="stacked">
                <input type="hidden" name="instance_id" value=instance_id.clone()/>
                {editing.as_ref().map(|a| view! { <input type="hidden" name="id" value=a.id.clone()/> })}
                <div class="field">
                    <label for="automation-name">{locale.t(Key::AutomationName)}</label>
                    <input id="automation-name" name="input[name]" value=values.name.clone() maxlength="100" aria-describedby="error-name"/>
                    {field_error(locale, result, "name")}
                </div>
                <div class="field-row">
                    <div class="field">
                        <label for="automation-kind">{locale.t(Key::AutomationKindLabel)}</label>
                        <select id="automation-kind" name="input[kind]" on:change=move |ev| kind.set(event_target_value(&ev))>
                            {option("dm", Key::KindDm, &values.kind)}
                            {option("comment", Key::KindComment, &values.kind)}
                        </select>
                    </div>
                    <div class="field">
                        <label for="automation-trigger">{locale.t(Key::TriggerLabel)}</label>
                        <select id="automation-trigger" name="input[trigger]" aria-describedby="error-trigger">
                            {option("keyword", Key::TriggerKeyword, &values.trigger)}
                            {option("all", Key::TriggerAll, &values.trigger)}
                            {option("follow_up", Key::TriggerFollowUp, &values.trigger)}
                        </select>
                        {field_error(locale, result, "trigger")}
                    </div>
                </div>
                <div class="field" class:hidden=is_comment>
                    <label for="automation-source">{locale.t(Key::DmSourceLabel)}</label>
                    <select id="automation-source" name="input[dm_source]" disabled=is_comment aria-describedby="error-dm_source">
                        {option("messages", Key::SourceMessages, &values.dm_source)}
                        {option("story_replies", Key::SourceStoryReplies, &values.dm_source)}
                        {option("story_mentions", Key::SourceStoryMentions, &values.dm_source)}
                    </select>
                    {field_error(locale, result, "dm_source")}
                </div>
                <div class="field">
                    <label for="automation-keywords">{locale.t(Key::KeywordsLabel)}</label>
                    <textarea id="automation-keywords" name="input[keywords]" rows="2" aria-describedby="error-keywords">{textarea_text(&values.keywords)}</textarea>
                    <small class="hint">{locale.t(Key::KeywordsHint)}</small>
                    {field_error(locale, result, "keywords")}
                </div>
                <div class="field-row">
                    <div class="field">
                        <label for="automation-match">{locale.t(Key::MatchModeLabel)}</label>
                        <select id="automation-match" name="input[match_mode]" aria-describedby="error-match_mode">
                            {option("contains", Key::MatchContains, &values.match_mode)}
                            {option("exact", Key::MatchExact, &values.match_mode)}
                            {option("starts_with", Key::MatchStartsWith, &values.match_mode)}
                        </select>
                        {field_error(locale, result, "match_mode")}
                    </div>
                    <div class="field">
                        <label for="automation-exclude">{locale.t(Key::ExcludeLabel)}</label>
                        <textarea id="automation-exclude" name="input[exclude_keywords]" rows="1" aria-describedby="error-exclude_keywords">{textarea_text(&values.exclude_keywords)}</textarea>
                        <small class="hint">{locale.t(Key::ExcludeHint)}</small>
                        {field_error(locale, result, "exclude_keywords")}
                    </div>
                </div>
                <div class="field" class:hidden=move || !is_comment()>
                    <label for="automation-public">{locale.t(Key::PublicRepliesLabel)}</label>
                    <textarea id="automation-public" name="input[public_replies]" rows="3" aria-describedby="error-public_replies"
                        disabled=move || !is_comment()>{textarea_text(&values.public_replies)}</textarea>
                    <small class="hint">{locale.t(Key::PublicRepliesHint)}</small>
                    {field_error(locale, result, "public_replies")}
                </div>
                <div class="field" class:hidden=is_comment>
                    <label for="automation-format">{locale.t(Key::DmFormatLabel)}</label>
                    <select id="automation-format" name="input[dm_format]" disabled=is_comment aria-describedby="error-dm_format"
                        on:change=move |ev| dm_format.set(event_target_value(&ev))>
                        {option("text", Key::DmFormatText, &values.dm_format)}
                        {option("cards", Key::DmFormatCards, &values.dm_format)}
                        {option("media", Key::DmFormatMedia, &values.dm_format)}
                    </select>
                    <small class="hint">{locale.t(Key::DmFormatHint)}</small>
                    {field_error(locale, result, "dm_format")}
                </div>
                <div class="field" class:hidden=move || !format_is("text")>
                    <label for="automation-direct">{move || locale.t(if is_comment() { Key::PrivateReplyLabel } else { Key::DirectReplyLabel })}</label>
                    <textarea id="automation-direct" name="input[direct_reply]" rows="3" aria-describedby="error-direct_reply"
                        disabled=move || !format_is("text")>{textarea_text(&values.direct_reply)}</textarea>
                    <small class="hint">{locale.t(Key::ResponseTextHint)} {move || is_comment().then(|| locale.t(Key::PrivateReplyHint))}</small>
                    {field_error(locale, result, "direct_reply")}
                </div>
                <CardRows cards=values.cards.clone() targets=targets.clone() shown=Signal::derive(move || format_is("cards")) result/>
                <fieldset class="tap-rows" class:hidden=move || !format_is("media") disabled=move || !format_is("media")>
                    <legend>{locale.t(Key::DmFormatMedia)}</legend>
                    <div class="field">
                        <label for="automation-media-kind">{locale.t(Key::MediaKindLabel)}</label>
                        <select id="automation-media-kind" name="input[media_kind]" aria-describedby="error-media_kind">
                            {option("image", Key::MediaImage, &values.media_kind)}
                            {option("video", Key::MediaVideo, &values.media_kind)}
                            {option("audio", Key::MediaAudio, &values.media_kind)}
                            {option("file", Key::MediaFile, &values.media_kind)}
                        </select>
                        {field_error(locale, result, "media_kind")}
                    </div>
                    <div class="field">
                        <label for="automation-media-url">{locale.t(Key::MediaUrlLabel)}</label>
                        <input id="automation-media-url" name="input[media_url]" type="url" placeholder="https://" value=values.media_url.clone() aria-describedby="error-media_url"/>
                        <small class="hint">{locale.t(Key::MediaUrlHint)}</small>
                        {field_error(locale, result, "media_url")}
                    </div>
                </fieldset>
                <TapRows buttons=values.buttons.clone() quick_replies=values.quick_replies.clone() targets=targets.clone()
                    buttons_shown=Signal::derive(move || format_is("text")) result/>
                <div class="field-row">
                    <div class="field">
                        <label for="automation-per-person">{locale.t(Key::PerPersonLabel)}</label>
                        <select id="automation-per-person" name="input[per_person]" aria-describedby="error-per_person"
                            on:change=move |ev| per_person.set(event_target_value(&ev))>
                            {option("always", Key::PerPersonAlways, &values.per_person)}
                            {option("once", Key::PerPersonOnce, &values.per_person)}
                            {option("hours", Key::PerPersonHours, &values.per_person)}
                        </select>
                        <small class="hint">{locale.t(Key::PerPersonHint)}</small>
                        {field_error(locale, result, "per_person")}
                    </div>
                    <div class="field" class:hidden=move || per_person.get() != "hours">
                        <label for="automation-hours">{locale.t(Key::PerPersonHoursLabel)}</label>
                        <input id="automation-hours" name="input[per_person_hours]" type="number" min="1" max="8760"
                            value=values.per_person_hours.clone() aria-describedby="error-per_person_hours"
                            disabled=move || per_person.get() != "hours"/>
                        {field_error(locale, result, "per_person_hours")}
                    </div>
                </div>
                <fieldset class="media-picker" class:hidden=move || !is_comment()>
                    <legend>{locale.t(Key::MediaLabel)}</legend>
                    <small class="hint">{locale.t(Key::MediaHint)}</small>
                    <Suspense fallback=Loading>
                        {move || {
                            let chosen_media = chosen_media.clone();
                            Suspend::new(async move { view! { <MediaChoices media=media.await chosen=chosen_media/> } })
                        }}
                    </Suspense>
                </fieldset>
                <div class="form-actions">
                    <button type="submit" class="primary" disabled=move || save.pending().get()>{locale.t(Key::SaveAutomation)}</button>
                    {editing.as_ref().map(|a| view! {
                        <a class="button secondary" href=format!("/automations?instance={}", a.instance_id)>{locale.t(Key::CancelEdit)}</a>
                    })}
                </div>
            </ActionForm>
            </div>
        </section>
    }
}

/// The choices of a button's or quick reply's follow-up: the instance's DM automations.
fn target_options(locale: Locale, targets: &[(String, String)], current: &str) -> impl IntoView {
    let options = targets
        .iter()
        .map(|(id, name)| {
            let selected = id == current;
            view! { <option value=id.clone() selected=selected>{name.clone()}</option> }
        })
        .collect_view();
    view! {
        <option value="">{locale.t(Key::FollowUpNone)}</option>
        {options}
    }
}

/// One button's row: its text, a link or a follow-up, and where it goes. `name` gives each
/// field's form name; `label` tells the rows apart to a screen reader.
fn button_row(
    locale: Locale,
    name: impl Fn(&str) -> String,
    label: String,
    row: ButtonInput,
    targets: &[(String, String)],
) -> impl IntoView {
    view! {
        <div class="tap-row">
            <input name=name("title") value=row.title.clone() maxlength="20" aria-label=format!("{} {label}", locale.t(Key::ButtonTitle)) placeholder=locale.t(Key::ButtonTitle)/>
            <select name=name("action") aria-label=format!("{} {label}", locale.t(Key::ButtonAction))>
                <option value="link" selected=row.action != "follow_up">{locale.t(Key::ButtonLink)}</option>
                <option value="follow_up" selected=row.action == "follow_up">{locale.t(Key::ButtonFollowUp)}</option>
            </select>
            <input name=name("url") value=row.url.clone() type="url" aria-label=format!("{} {label}", locale.t(Key::ButtonUrl)) placeholder="https://"/>
            <select name=name("automation_id") aria-label=format!("{} {label}", locale.t(Key::ButtonTarget))>
                {target_options(locale, targets, &row.automation_id)}
            </select>
        </div>
    }
}

/// The buttons (up to 3: a link or a follow-up) and quick replies (follow-ups) under the DM, as
/// rows of the form; a blank row is ignored. Existing ones first, then room for more. Buttons
/// belong to a text DM only (`buttons_shown`).
#[component]
fn TapRows(
    buttons: Vec<ButtonInput>,
    quick_replies: Vec<QuickReplyInput>,
    targets: Vec<(String, String)>,
    buttons_shown: Signal<bool>,
    result: Signal<Option<Result<Saved, AppError>>>,
) -> impl IntoView {
    let locale = use_locale();
    let button_rows = (0..BUTTONS_MAX)
        .map(|i| {
            let row = buttons.get(i).cloned().unwrap_or_default();
            view! {
                <div data-row=format!("button-{i}")>
                    {button_row(locale, move |field| format!("input[buttons][{i}][{field}]"), (i + 1).to_string(), row, &targets)}
                </div>
            }
        })
        .collect_view();
    let quick_count = (quick_replies.len() + 2).clamp(3, QUICK_REPLIES_MAX);
    let quick_rows = (0..quick_count).map(|i| {
        let row = quick_replies.get(i).cloned().unwrap_or_default();
        let name = move |field: &str| format!("input[quick_replies][{i}][{field}]");
        view! {
            <div class="tap-row" data-row=format!("quick-{i}")>
                <input name=name("title") value=row.title.clone() maxlength="20" aria-label=format!("{} {}", locale.t(Key::QuickReplyTitle), i + 1) placeholder=locale.t(Key::QuickReplyTitle)/>
                <select name=name("automation_id") aria-label=format!("{} {}", locale.t(Key::ButtonTarget), i + 1)>
                    {target_options(locale, &targets, &row.automation_id)}
                </select>
            </div>
        }
    }).collect_view();
    view! {
        <fieldset class="tap-rows" class:hidden=move || !buttons_shown.get() disabled=move || !buttons_shown.get()>
            <legend>{locale.t(Key::ButtonsLabel)}</legend>
            <small class="hint">{locale.t(Key::ButtonsHint)}</small>
            {button_rows}
            {field_error(locale, result, "buttons")}
        </fieldset>
        <fieldset class="tap-rows">
            <legend>{locale.t(Key::QuickRepliesLabel)}</legend>
            <small class="hint">{locale.t(Key::QuickRepliesHint)}</small>
            {quick_rows}
            {field_error(locale, result, "quick_replies")}
        </fieldset>
    }
}

/// The cards of a carousel DM: the saved ones (or one blank), and a button adding the next, up
/// to Meta's 10. Each has a title, a subtitle, an image by link and up to 3 buttons.
#[component]
fn CardRows(
    cards: Vec<CardInput>,
    targets: Vec<(String, String)>,
    shown: Signal<bool>,
    result: Signal<Option<Result<Saved, AppError>>>,
) -> impl IntoView {
    let locale = use_locale();
    let count = RwSignal::new(cards.len().clamp(1, CARDS_MAX));
    let max = CARD_TEXT_MAX_CHARS.to_string();
    let card = move |i: usize| {
        let row = cards.get(i).cloned().unwrap_or_default();
        let name = move |field: &str| format!("input[cards][{i}][{field}]");
        let label = format!("{} {}", locale.t(Key::CardNumber), i + 1);
        let buttons = (0..BUTTONS_MAX)
            .map(|b| {
                let button = row.buttons.get(b).cloned().unwrap_or_default();
                let name = move |field: &str| format!("input[cards][{i}][buttons][{b}][{field}]");
                button_row(locale, name, format!("({label} · {})", b + 1), button, &targets)
            })
            .collect_view();
        view! {
            <div class="card-row" data-row=format!("card-{i}")>
                <strong>{label.clone()}</strong>
                <input name=name("title") value=row.title.clone() maxlength=max.clone() aria-label=format!("{} · {label}", locale.t(Key::CardTitle)) placeholder=locale.t(Key::CardTitle)/>
                <input name=name("subtitle") value=row.subtitle.clone() maxlength=max.clone() aria-label=format!("{} · {label}", locale.t(Key::CardSubtitle)) placeholder=locale.t(Key::CardSubtitle)/>
                <input name=name("image_url") value=row.image_url.clone() type="url" aria-label=format!("{} · {label}", locale.t(Key::CardImage)) placeholder=locale.t(Key::CardImage)/>
                {buttons}
            </div>
        }
    };
    view! {
        <fieldset class="tap-rows" class:hidden=move || !shown.get() disabled=move || !shown.get()>
            <legend>{locale.t(Key::CardsLabel)}</legend>
            <small class="hint">{locale.t(Key::CardsHint)}</small>
            // Keyed by place, so adding a card keeps what the others hold.
            <For each=move || 0..count.get() key=|i| *i children=card/>
            <button type="button" class="secondary" disabled=move || { count.get() >= CARDS_MAX }
                on:click=move |_| count.update(|n| *n = (*n + 1).min(CARDS_MAX))>
                "+ " {locale.t(Key::AddCard)}
            </button>
            {field_error(locale, result, "cards")}
        </fieldset>
    }
}

/// The account's posts to tick, and every target chosen before that this list does not show (it
/// is the first page of media, or it could not load) kept as it was: saving must never widen an
/// automation limited to some posts to every post.
#[component]
fn MediaChoices(media: Result<Vec<MediaItem>, AppError>, chosen: Vec<String>) -> impl IntoView {
    let locale = use_locale();
    let (items, unavailable) = match media {
        Ok(items) => (items, false),
        Err(_) => (Vec::new(), true),
    };
    let kept: Vec<String> = chosen.iter().filter(|id| !items.iter().any(|item| item.id == **id)).cloned().collect();
    let shown = items.len();
    let options = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let checked = chosen.iter().any(|id| item.id == *id);
            let caption = item.caption.clone().unwrap_or_else(|| item.id.to_string());
            view! {
                <label class="media-option">
                    <input type="checkbox" name=format!("input[media_ids][{i}]") value=item.id.clone() checked=checked/>
                    {item.thumbnail_url.clone().map(|src| view! { <img src=src alt="" width="48" height="48" loading="lazy"/> })}
                    <span>{caption}</span>
                </label>
            }
        })
        .collect_view();
    let kept_note = (!kept.is_empty()).then(|| {
        let label = locale.t(if unavailable { Key::MediaKeptUnavailable } else { Key::MediaKept });
        view! {
            <p class="muted" data-testid="media-kept">{label} " " {kept.join(", ")}</p>
            {kept.iter().enumerate().map(|(i, id)| view! {
                <input type="hidden" name=format!("input[media_ids][{}]", shown + i) value=id.clone()/>
            }).collect_view()}
        }
    });
    view! {
        {unavailable.then(|| view! { <p class="muted">{locale.t(Key::MediaUnavailable)}</p> })}
        {options}
        {kept_note}
    }
}

#[component]
fn TryBox(instance_id: InstanceId, media: Resource<Result<Vec<MediaItem>, AppError>>) -> impl IntoView {
    let locale = use_locale();
    let trial = ServerAction::<TryAutomation>::new();
    let kind = RwSignal::new("dm".to_owned());
    let answer = move || {
        trial.value().get().map(|result| match result {
            Ok(outcome) => match outcome.automation.clone() {
                Some(name) => {
                    let class = if outcome.held_back.is_some() { "notice notice-warn" } else { "notice notice-ok" };
                    view! {
                    <div class=class role="status" data-testid="try-result">
                        <p>{locale.t(Key::TryWouldFire)} " " <strong>{name}</strong>
                            {outcome.keyword.map(|k| view! { " (" {locale.t(Key::TryKeyword)} ": " {k} ")" })}
                        </p>
                        {outcome.public_reply.map(|reply| view! {
                            <p class="muted">{locale.t(Key::ResponseComment)}</p><blockquote>{reply}</blockquote>
                        })}
                        {outcome.direct_reply.map(|reply| view! {
                            <p class="muted">{locale.t(Key::ResponseDirect)}</p><blockquote>{reply}</blockquote>
                        })}
                        {outcome.held_back.map(|why| view! { <p><strong>{locale.t(Key::TryHeldBack)}</strong> " " {locale.t(crate::pages::reports::reason_key(why))}</p> })}
                    </div>
                    }.into_any()
                }
                None => view! {
                    <div class="notice" role="status" data-testid="try-result">
                        <p>{locale.t(Key::TryNoMatch)}</p>
                        {outcome.missed.map(|(name, why)| view! {
                            <p><strong>{name}</strong> ": " {locale.t(miss_key(&why))}</p>
                        })}
                    </div>
                }.into_any(),
            },
            Err(error) => view! { <ErrorNotice error/> }.into_any(),
        })
    };
    view! {
        <section class="panel" aria-labelledby="try-title">
            <h2 id="try-title">{locale.t(Key::TryTitle)}</h2>
            <p class="muted">{locale.t(Key::TryHint)}</p>
            <ActionForm action=trial attr:class="stacked">
                <input type="hidden" name="instance_id" value=instance_id/>
                <div class="field-row">
                    <div class="field">
                        <label for="try-kind">{locale.t(Key::AutomationKindLabel)}</label>
                        <select id="try-kind" name="kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                            <option value="dm">{locale.t(Key::KindDm)}</option>
                            <option value="comment">{locale.t(Key::KindComment)}</option>
                            <option value="story_reply">{locale.t(Key::TryStoryReply)}</option>
                            <option value="story_mention">{locale.t(Key::TryStoryMention)}</option>
                        </select>
                    </div>
                    <div class="field">
                        <label for="try-username">{locale.t(Key::TryUsername)}</label>
                        <input id="try-username" name="username" placeholder="cliente.fiel"/>
                    </div>
                </div>
                <div class="field" class:hidden=move || kind.get() != "comment">
                    <label for="try-media">{locale.t(Key::TryMedia)}</label>
                    <select id="try-media" name="media_id" disabled=move || kind.get() != "comment">
                        <option value="">{locale.t(Key::TryAnyMedia)}</option>
                        <Suspense fallback=|| ()>
                            {move || Suspend::new(async move {
                                media.await.unwrap_or_default().into_iter().map(|item| {
                                    let caption = item.caption.clone().unwrap_or_else(|| item.id.to_string());
                                    view! { <option value=item.id.clone()>{caption}</option> }
                                }).collect_view()
                            })}
                        </Suspense>
                    </select>
                </div>
                <div class="field">
                    <label for="try-text">{locale.t(Key::TryText)}</label>
                    <input id="try-text" name="text" required=move || kind.get() != "story_mention"/>
                </div>
                <button type="submit" class="secondary">{locale.t(Key::TryButton)}</button>
            </ActionForm>
            {answer}
        </section>
    }
}

fn miss_key(why: &str) -> Key {
    match why {
        "inactive" => Key::MissInactive,
        "other_type" => Key::MissOtherType,
        "other_posts" => Key::MissOtherPosts,
        _ => Key::MissNewer,
    }
}
