//! `/reports?{filter}&cursor=|newer=`: every recorded interaction. The filter lives in the URL, so the
//! page is linkable, renders on the server, and the CSV link exports exactly what is shown.
use crate::{
    api::reports::{get_report_choices, list_reports, RetryReply},
    components::{
        auth::RequireUser,
        error_notice::{ErrorNotice, LastOutcome, Loading},
        live::use_live_events,
        local_time::LocalTime,
    },
    domain::{
        automation::AutomationKind,
        error::{AppError, FieldError},
        id::{CommentId, MediaId},
        live::LiveEvent,
        report::{
            Choice, DayCount, Period, ReplyReason, ReplyStatus, ReportChoices, ReportFilter, ReportPage, ReportRow,
            COUNT_CAP, FIRST_DAY, LAST_DAY, PAGE_ROWS, SEARCH_MAX_CHARS,
        },
        url::encode,
    },
    i18n::{field_message, Key, Locale},
    use_locale,
};
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ReportsPage() -> impl IntoView {
    let query = use_query_map();
    let read = Memo::new(move |_| {
        let query = query.read();
        ReportFilter::read_params(|name| query.get(name))
    });
    let filter = Memo::new(move |_| read.read().0.clone());
    let refused = Memo::new(move |_| read.read().1.clone());
    let position = Memo::new(move |_| {
        let query = query.read();
        (query.get("cursor"), query.get("newer"), query.get("start").and_then(|s| s.parse::<usize>().ok()).unwrap_or(0))
    });
    // A failed reply tried again from its row: the page shows it pending, then as it went.
    let retry = ServerAction::<RetryReply>::new();
    provide_context(retry);
    let outcome = LastOutcome::new();
    outcome.follow(retry, |_| Key::OutcomeRetried);
    // The browser's time zone, once it is known to differ from the one the server used.
    let zone = RwSignal::new(None::<String>);
    let page = Resource::new(
        move || (filter.get().to_query(), refused.get(), position.get(), retry.version().get(), zone.get()),
        |(q, refused, (older, newer, _), _, _)| async move {
            // A refused date is said under its field; nothing is fetched for a filter it would change.
            if refused.is_empty() {
                list_reports(q, older, newer).await
            } else {
                Err(AppError::Invalid(refused))
            }
        },
    );
    let choices = Resource::new(
        move || {
            let f = filter.get();
            ReportFilter { instance: f.instance, owner: f.owner, ..ReportFilter::default() }.to_query()
        },
        get_report_choices,
    );
    // New interactions appear at the top of the first page as they happen.
    use_live_events(move |event| {
        if position.get_untracked().0.is_none()
            && position.get_untracked().1.is_none()
            && matches!(event, None | Some(LiveEvent::Interactions { .. }))
        {
            page.refetch();
        }
    });
    let locale = use_locale();
    view! {
        <RequireUser>
            <div class="page-head">
                <h1>{locale.t(Key::ReportsTitle)}</h1>
                <div class="export-links">
                    <a class="button secondary" rel="external" download=""
                        href=move || format!("/api/reports/export.csv?{}", filter.get().to_query())>
                        {locale.t(Key::ExportCsv)}
                    </a>
                    <a class="button secondary" rel="external" download="" title=locale.t(Key::ExportCsvExcelHint)
                        href=move || {
                            let query = filter.get().to_query();
                            format!("/api/reports/export.csv?{query}{}separator=semicolon", if query.is_empty() { "" } else { "&" })
                        }>
                        {locale.t(Key::ExportCsvExcel)}
                    </a>
                </div>
            </div>
            {outcome.view()}
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    let choices = choices.await.unwrap_or_default();
                    view! { <Filters current=filter.get_untracked() refused=refused.get_untracked() choices/> }
                })}
            </Suspense>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(page) => {
                            follow_browser_zone(&page.time_zone, zone);
                            let start = if page.newer.is_none() { 0 } else { position.get_untracked().2 };
                            view! { <Report page filter=filter.get_untracked() start/> }.into_any()
                        }
                        Err(error) => view! { <ErrorNotice error/> }.into_any(),
                    }
                })}
            </Transition>
        </RequireUser>
    }
}

/// Keeps the browser's time zone in a cookie, so that the server counts the reader's days; when
/// the page was counted in another zone, it is fetched again in the browser's.
fn follow_browser_zone(used: &str, zone: RwSignal<Option<String>>) {
    #[cfg(feature = "hydrate")]
    {
        let options =
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new()).resolved_options();
        let Some(browser) = js_sys::Reflect::get(&options, &"timeZone".into()).ok().and_then(|v| v.as_string()) else {
            return;
        };
        if browser != used && zone.get_untracked().as_deref() != Some(browser.as_str()) {
            let cookie = format!(
                "{}={}; Path=/; Max-Age=31536000; SameSite=Lax",
                crate::domain::report::ZONE_COOKIE,
                crate::domain::url::encode(&browser)
            );
            let _ = js_sys::Reflect::set(&document(), &"cookie".into(), &cookie.into());
            zone.set(Some(browser));
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (used, zone);
}

fn status_key(status: ReplyStatus) -> Key {
    match status {
        ReplyStatus::Sent => Key::StatusSent,
        ReplyStatus::Failed => Key::StatusFailed,
        ReplyStatus::Pending => Key::StatusPending,
        ReplyStatus::Skipped => Key::StatusSkipped,
    }
}

fn kind_key(kind: AutomationKind) -> Key {
    match kind {
        AutomationKind::Dm => Key::KindDm,
        AutomationKind::Comment => Key::KindComment,
    }
}

fn period_key(period: Period) -> Key {
    match period {
        Period::Today => Key::PeriodToday,
        Period::Week => Key::PeriodWeek,
        Period::Month => Key::PeriodMonth,
        Period::Custom => Key::PeriodCustom,
        Period::All => Key::PeriodAll,
    }
}

/// A plain GET form: submitting it changes the URL, with or without JavaScript.
#[component]
fn Filters(current: ReportFilter, refused: Vec<FieldError>, choices: ReportChoices) -> impl IntoView {
    let locale = use_locale();
    let status = current.status;
    let kind = current.kind.map(AutomationKind::as_str);
    let refusal = move |field: &'static str| {
        let message = refused.iter().find(|e| e.field == field).map(|e| locale.t(field_message(e.code)));
        view! { <p class="field-error" id=format!("error-{field}")>{message}</p> }
    };
    let options = |list: Vec<Choice>, chosen: Option<String>| {
        list.into_iter()
            .map(|c| {
                let on = chosen.as_deref() == Some(c.id.as_str());
                view! { <option value=c.id selected=on>{c.label}</option> }
            })
            .collect_view()
    };
    let automations_known = !choices.automations.is_empty() || current.automation.is_some();
    let owners = (!choices.owners.is_empty()).then(|| {
        let list = options(choices.owners, current.owner.as_ref().map(ToString::to_string));
        view! {
            <div class="filter"><label for="filter-owner">{locale.t(Key::FilterOwner)}</label>
                <select id="filter-owner" name="owner">
                    <option value="">{locale.t(Key::FilterAll)}</option>
                    {list}
                </select>
            </div>
        }
    });
    view! {
        <form method="get" action="/reports" class="filters" role="search">
            <div class="filter filter-wide"><label for="filter-q">{locale.t(Key::FilterSearch)}</label>
                <input type="search" id="filter-q" name="q" value=current.search.clone().unwrap_or_default()
                    maxlength=SEARCH_MAX_CHARS.to_string() aria-describedby="error-q hint-q"/>
                <small class="muted" id="hint-q">{locale.t(Key::FilterSearchHint)}</small>
                {refusal("q")}
            </div>
            {owners}
            <div class="filter"><label for="filter-instance">{locale.t(Key::FilterInstance)}</label>
                <select id="filter-instance" name="instance">
                    <option value="">{locale.t(Key::FilterAll)}</option>
                    {options(choices.instances, current.instance.as_ref().map(ToString::to_string))}
                </select>
            </div>
            <div class="filter"><label for="filter-automation">{locale.t(Key::FilterAutomation)}</label>
                <select id="filter-automation" name="automation" disabled=!automations_known
                    title=(!automations_known).then(|| locale.t(Key::FilterAutomationPickInstance))>
                    <option value="">{locale.t(Key::FilterAll)}</option>
                    {options(choices.automations, current.automation.as_ref().map(ToString::to_string))}
                </select>
            </div>
            <div class="filter"><label for="filter-type">{locale.t(Key::FilterType)}</label>
                <select id="filter-type" name="type">
                    <option value="">{locale.t(Key::FilterAll)}</option>
                    <option value="dm" selected=kind == Some("dm")>{locale.t(Key::KindDm)}</option>
                    <option value="comment" selected=kind == Some("comment")>{locale.t(Key::KindComment)}</option>
                </select>
            </div>
            <div class="filter"><label for="filter-period">{locale.t(Key::FilterPeriod)}</label>
                <select id="filter-period" name="period">
                    {Period::ALL.into_iter().map(|p| view! {
                        <option value=p.as_str() selected=p == current.period>{locale.t(period_key(p))}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="filter"><label for="filter-from">{locale.t(Key::FilterFrom)}</label>
                <input type="date" id="filter-from" name="from" min=FIRST_DAY.to_string() max=LAST_DAY.to_string()
                    aria-describedby="error-from" value=current.from.map(|d| d.to_string()).unwrap_or_default()/>
                {refusal("from")}
            </div>
            <div class="filter"><label for="filter-to">{locale.t(Key::FilterTo)}</label>
                <input type="date" id="filter-to" name="to" min=FIRST_DAY.to_string() max=LAST_DAY.to_string()
                    aria-describedby="error-to" value=current.to.map(|d| d.to_string()).unwrap_or_default()/>
                {refusal("to")}
            </div>
            <div class="filter"><label for="filter-status">{locale.t(Key::FilterStatus)}</label>
                <select id="filter-status" name="status">
                    <option value="">{locale.t(Key::FilterAll)}</option>
                    {ReplyStatus::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=status == Some(s)>{locale.t(status_key(s))}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="filter"><label for="filter-username">{locale.t(Key::FilterUsername)}</label>
                <input id="filter-username" name="username" value=current.username.clone().unwrap_or_default() placeholder="cliente.fiel"/>
            </div>
            <div class="form-actions">
                <button type="submit" class="primary">{locale.t(Key::Filter)}</button>
                <a class="button secondary" href="/reports">{locale.t(Key::ClearFilters)}</a>
            </div>
        </form>
    }
}

#[component]
fn Report(page: ReportPage, filter: ReportFilter, start: usize) -> impl IntoView {
    let locale = use_locale();
    let total_of = |status: ReplyStatus| page.totals.iter().find(|(s, _)| *s == status).map_or(0, |(_, n)| *n);
    let totals = ReplyStatus::ALL
        .into_iter()
        .map(|s| {
            let count = locale.number(total_of(s));
            view! { <li class=format!("total total-{}", s.as_str())><span>{locale.t(status_key(s))}</span> <strong>{count}</strong></li> }
        })
        .collect_view();
    let query = filter.to_query();
    let link = |params: String| {
        let sep = if query.is_empty() || params.is_empty() { "" } else { "&" };
        format!("/reports?{query}{sep}{params}")
    };
    let shown = page.rows.len();
    let older = page.older.as_ref().map(|cursor| link(format!("cursor={}&start={}", encode(cursor), start + shown)));
    let newer = page
        .newer
        .as_ref()
        .map(|cursor| link(format!("newer={}&start={}", encode(cursor), start.saturating_sub(PAGE_ROWS))));
    let newest = page.newer.is_some().then(|| link(String::new()));
    let total = if page.capped {
        format!("{} {}", locale.t(Key::MoreThan), locale.number(COUNT_CAP))
    } else {
        locale.number(page.total)
    };
    let range = (shown > 0).then(|| {
        let first = i64::try_from(start + 1).unwrap_or(i64::MAX);
        let last = i64::try_from(start + shown).unwrap_or(i64::MAX);
        format!(
            "{} {}–{} {} {total}",
            locale.t(Key::Showing),
            locale.number(first),
            locale.number(last),
            locale.t(Key::ShowingOf)
        )
    });
    view! {
        <ul class="totals" aria-label=locale.t(Key::TotalsLabel)>{totals}</ul>
        {page.capped.then(|| view! { <p class="muted">{locale.t(Key::CountCapped)}</p> })}
        <Chart days=page.days.clone() zone=page.time_zone.clone() locale/>
        {if page.rows.is_empty() {
            view! { <p class="empty-state">{locale.t(Key::ReportsNone)}</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="report-table">
                        <thead><tr>
                            <th scope="col">{locale.t(Key::ColumnDateTime)}</th>
                            <th scope="col">{locale.t(Key::ColumnType)}</th>
                            <th scope="col">{locale.t(Key::ColumnUser)}</th>
                            <th scope="col">{locale.t(Key::ColumnText)}</th>
                            <th scope="col">{locale.t(Key::ColumnReply)}</th>
                            <th scope="col">{locale.t(Key::ColumnStatus)}</th>
                            <th scope="col">{locale.t(Key::ColumnInstance)}</th>
                            <th scope="col">{locale.t(Key::ColumnIds)}</th>
                        </tr></thead>
                        <tbody>{page.rows.into_iter().map(|row| view! { <ReportLine row locale/> }).collect_view()}</tbody>
                    </table>
                </div>
            }.into_any()
        }}
        <nav class="pager" aria-label=locale.t(Key::PagerLabel)>
            {newest.map(|href| view! { <a href=href class="pager-newest">{locale.t(Key::NewestPage)}</a> })}
            {newer.map(|href| view! { <a href=href rel="prev" class="pager-newer">{locale.t(Key::NewerPage)}</a> })}
            <span class="pager-range">{range}</span>
            {older.map(|href| view! { <a href=href rel="next" class="pager-older">{locale.t(Key::OlderPage)}</a> })}
        </nav>
    }
}

/// The words for why a reply was skipped or failed.
pub(crate) fn reason_key(reason: ReplyReason) -> Key {
    match reason {
        ReplyReason::NoMatch => Key::ReasonNoMatch,
        ReplyReason::DailyCap => Key::ReasonDailyCap,
        ReplyReason::NotConnected | ReplyReason::InstanceDeleted => Key::ReasonNotConnected,
        ReplyReason::Paused => Key::ReasonPaused,
        ReplyReason::HumanTookOver => Key::ReasonHuman,
        ReplyReason::OncePerPerson => Key::ReasonPerPerson,
        ReplyReason::LoopGuard => Key::ReasonLoopGuard,
        ReplyReason::LiveNoPublicReply => Key::ReasonLiveNoPublic,
        ReplyReason::FollowUpUnavailable => Key::ReasonFollowUpUnavailable,
        ReplyReason::OutsideWindow => Key::ReasonOutsideWindow,
        ReplyReason::PrivateReplyUsed => Key::ReasonPrivateReplyUsed,
        ReplyReason::TokenInvalid => Key::ReplyTokenInvalid,
        ReplyReason::MetaRateLimited => Key::ReasonMetaRateLimited,
        ReplyReason::RecipientUnavailable => Key::ReasonRecipientUnavailable,
        ReplyReason::RecipientUnknown => Key::ReasonRecipientUnknown,
        ReplyReason::BlockedByUser => Key::ReasonBlockedByUser,
        ReplyReason::MessagingDisabled => Key::ReasonMessagingDisabled,
        ReplyReason::AttachmentFailed => Key::ReasonAttachmentFailed,
        ReplyReason::ObjectMissing => Key::ReasonObjectMissing,
        ReplyReason::PolicyBlock => Key::ReasonPolicyBlock,
        ReplyReason::PermissionDenied => Key::ReasonPermissionDenied,
        ReplyReason::InvalidMessage => Key::ReasonInvalidMessage,
        ReplyReason::MessageDeleted => Key::ReasonMessageDeleted,
        ReplyReason::MetaUnavailable | ReplyReason::MetaUnexpected => Key::ReplyMetaUnavailable,
        ReplyReason::MetaRefused => Key::ReplyMetaRefused,
        ReplyReason::RetriesRanOut => Key::ReasonRetriesRanOut,
        ReplyReason::StorageUnavailable => Key::ReasonStorageUnavailable,
        ReplyReason::ReplyMissing => Key::ReasonReplyMissing,
    }
}

/// A stored reason in words; one this version does not know, as it was stored.
pub(crate) fn reason_words(locale: Locale, reason: &str) -> String {
    ReplyReason::parse(reason).map_or_else(|| reason.to_owned(), |r| locale.t(reason_key(r)).to_owned())
}

fn reply_part_key(part: &str) -> Key {
    match part {
        "publica" => Key::ResponseComment,
        "privada" => Key::ResponsePrivate,
        _ => Key::ResponseDirect,
    }
}

#[component]
fn ReportLine(row: ReportRow, locale: Locale) -> impl IntoView {
    let reason = row.error.as_deref().map(|e| reason_words(locale, e));
    let ids = [row.comment_id.as_ref().map(CommentId::as_str), row.media_id.as_ref().map(MediaId::as_str)]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" / ");
    let retry_id = row.id.clone();
    view! {
        <tr data-report=row.id.clone()>
            <td><LocalTime at=row.at/></td>
            <td>{locale.t(kind_key(row.kind))}</td>
            <td>{row.username.clone().map_or_else(|| row.user_id_instagram.to_string(), |u| format!("@{u}"))}</td>
            <td class="text-cell">{row.text.clone()}</td>
            <td class="text-cell">
                {row.reply_part().map(|part| view! { <small class="muted reply-part">{locale.t(reply_part_key(part))}</small><br/> })}
                {row.reply.clone()}
            </td>
            <td>
                <span class=format!("badge status-{}", row.status.as_str())>{locale.t(status_key(row.status))}</span>
                {reason.map(|r| view! { <small class="muted reason">{r}</small> })}
                {(row.status == ReplyStatus::Failed && row.reply.is_some()).then(use_context::<ServerAction<RetryReply>>).flatten().map(|retry| view! {
                    <ActionForm action=retry attr:class="inline">
                        <input type="hidden" name="id" value=retry_id/>
                        <button type="submit" class="link-button">{locale.t(Key::RetryReply)}</button>
                    </ActionForm>
                })}
            </td>
            <td>{row.instance_name.clone().unwrap_or_else(|| row.instance_id.to_string())}</td>
            <td class="ids">
                {ids}
                {row.media_id.is_some().then(|| view! {
                    <br/><a href=format!("/reports/{}/post", row.id) rel="external noopener" target="_blank">{locale.t(Key::OpenOnInstagram)}</a>
                })}
            </td>
        </tr>
    }
}

/// Interactions per day by type, as bars, every day of the period (zeros too) in the reader's
/// zone; server-rendered SVG, no script needed.
#[component]
fn Chart(days: Vec<DayCount>, zone: String, locale: Locale) -> impl IntoView {
    const HEIGHT: i64 = 120;
    const BAR: i64 = 10;
    const STEP: i64 = 2 * BAR + 6;
    let caption = view! {
        <figcaption>{locale.t(Key::ChartTitle)} " " <small class="muted">"(" {locale.t(Key::ChartZone)} " " {zone.clone()} ")"</small></figcaption>
    };
    if days.iter().all(|d| d.dm == 0 && d.comment == 0) {
        return view! { <figure class="chart">{caption}<p class="muted">{locale.t(Key::ChartEmpty)}</p></figure> }
            .into_any();
    }
    let peak = days.iter().map(|d| d.dm.max(d.comment)).max().unwrap_or(1).max(1);
    let count = i64::try_from(days.len()).unwrap_or(1);
    let width = count * STEP;
    let scale = |n: i64| n * HEIGHT / peak;
    let label = |day: NaiveDate| locale.short_day(day);
    // The first, middle and last days name the axis; every bar's title names its own.
    let ticks: Vec<String> = match days.len() {
        0 => Vec::new(),
        1 => vec![label(days[0].day)],
        2 => vec![label(days[0].day), label(days[1].day)],
        n => vec![label(days[0].day), label(days[n / 2].day), label(days[n - 1].day)],
    };
    let bars = days
        .into_iter()
        .zip(0..)
        .map(|(day, i)| {
            let x = i * STEP;
            let (dm, comment) = (scale(day.dm), scale(day.comment));
            let title = format!(
                "{}: {} {}, {} {}",
                label(day.day),
                day.dm,
                locale.t(Key::KindDm),
                day.comment,
                locale.t(Key::KindComment)
            );
            view! {
                <g>
                    <title>{title}</title>
                    <rect class="bar-dm" x=x y={HEIGHT - dm} width=BAR height=dm/>
                    <rect class="bar-comment" x={x + BAR} y={HEIGHT - comment} width=BAR height=comment/>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            {caption}
            <p class="chart-y-title muted" aria-hidden="true">{locale.t(Key::ChartAxisCount)}</p>
            <div class="chart-body">
                <div class="chart-y" aria-hidden="true">
                    <span>{locale.number(peak)}</span>
                    <span>{locale.number(peak / 2)}</span>
                    <span>"0"</span>
                </div>
                <svg role="img" aria-label=locale.t(Key::ChartTitle) viewBox=format!("0 0 {width} {}", HEIGHT + 2)
                    preserveAspectRatio="none" class="chart-svg">
                    <line class="chart-grid" x1="0" y1={HEIGHT / 2} x2=width y2={HEIGHT / 2}/>
                    {bars}
                </svg>
            </div>
            <div class="chart-axis" aria-hidden="true">{ticks.into_iter().map(|t| view! { <span>{t}</span> }).collect_view()}</div>
            <p class="chart-x-title muted">{locale.t(Key::ChartAxisDays)}</p>
            <ul class="legend">
                <li><span class="swatch bar-dm"></span>{locale.t(Key::KindDm)}</li>
                <li><span class="swatch bar-comment"></span>{locale.t(Key::KindComment)}</li>
            </ul>
        </figure>
    }
    .into_any()
}
