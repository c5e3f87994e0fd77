//! `/insights?instance=ID`: one instance's followers, reach, views and profile views over the last
//! 30 synced days, each with its latest figure, its change in 7 days and a chart; a refresh
//! button (at most every 15 minutes). Server-rendered charts: no script needed.
use crate::domain::id::InstanceId;
use crate::{
    api::insights::{get_insights, RefreshInsights},
    components::{
        auth::RequireUser,
        error_notice::{ActionOutcome, ErrorNotice, Loading},
        local_time::LocalTime,
    },
    domain::{
        error::AppError,
        insight::{InsightDay, InsightsView},
    },
    i18n::{Key, Locale},
    use_locale,
};
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn InsightsPage() -> impl IntoView {
    let query = use_query_map();
    let refresh = ServerAction::<RefreshInsights>::new();
    let instance = Memo::new(move |_| query.read().get("instance").map(InstanceId::new).unwrap_or_default());
    let view = Resource::new(move || (instance.get(), refresh.version().get()), |(id, _)| get_insights(id));
    view! {
        <RequireUser>
            <InsightsBody view refresh/>
        </RequireUser>
    }
}

#[component]
fn InsightsBody(
    view: Resource<Result<InsightsView, AppError>>,
    refresh: ServerAction<RefreshInsights>,
) -> impl IntoView {
    let locale = use_locale();
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match view.await {
                    Ok(insights) => view! { <Insights insights refresh locale/>
                        <ActionOutcome result=refresh.value() ok=Key::InsightsRefreshed fields=&["id"]/> }.into_any(),
                    Err(error) => view! { <ErrorNotice error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Which figure of a day a chart shows.
type Figure = fn(&InsightDay) -> Option<i64>;

#[component]
fn Insights(insights: InsightsView, refresh: ServerAction<RefreshInsights>, locale: Locale) -> impl IntoView {
    let InsightsView { instance_id, instance_name, days, synced_at, refresh_after } = insights;
    let metrics: [(Key, Figure); 4] = [
        (Key::InsightsFollowers, |d| Some(d.followers)),
        (Key::InsightsReach, |d| d.reach),
        (Key::InsightsViews, |d| d.views),
        (Key::InsightsProfileViews, |d| d.profile_views),
    ];
    let body = if days.is_empty() {
        view! { <div class="empty-state"><p>{locale.t(Key::InsightsNone)}</p></div> }.into_any()
    } else {
        metrics
            .into_iter()
            .map(|(label, pick)| {
                let series: Vec<(NaiveDate, Option<i64>)> = days.iter().map(|d| (d.day, pick(d))).collect();
                view! { <Metric label series locale/> }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <div class="page-head">
            <h1>{locale.t(Key::InsightsTitle)} " · " {instance_name}</h1>
            {synced_at.map(|at| view! {
                <p class="muted">{locale.t(Key::InsightsSynced)} " " <LocalTime at/></p>
            })}
        </div>
        <p class="muted">{locale.t(Key::InsightsDaily)}</p>
        <ActionForm action=refresh attr:class="inline">
            <input type="hidden" name="id" value=instance_id/>
            <button type="submit" class="secondary" disabled=move || refresh.pending().get()>
                {move || locale.t(if refresh.pending().get() { Key::Working } else { Key::InsightsRefresh })}
            </button>
            {refresh_after.map(|at| view! {
                " " <small class="muted">{locale.t(Key::InsightsNextRefresh)} " " <LocalTime at/></small>
            })}
        </ActionForm>
        <div class="insights">{body}</div>
    }
}

/// One figure: its latest value, its change over 7 days, and its days as bars.
#[component]
fn Metric(label: Key, series: Vec<(NaiveDate, Option<i64>)>, locale: Locale) -> impl IntoView {
    const HEIGHT: i64 = 80;
    const STEP: i64 = 12;
    let known: Vec<(NaiveDate, i64)> = series.iter().filter_map(|(d, v)| v.map(|v| (*d, v))).collect();
    let Some(&(_, latest)) = known.last() else {
        return view! {
            <section class="card metric">
                <h2>{locale.t(label)}</h2>
                <p class="muted">{locale.t(Key::InsightsUnavailable)}</p>
            </section>
        }
        .into_any();
    };
    let week_ago = known.iter().rev().nth(7).map(|(_, v)| *v);
    let change = week_ago.map(|before| {
        let delta = latest - before;
        let sign = if delta > 0 { "+" } else { "" };
        format!("{sign}{} {}", locale.number(delta), locale.t(Key::InsightsChange))
    });
    let peak = known.iter().map(|(_, v)| *v).max().unwrap_or(1).max(1);
    let width = i64::try_from(series.len()).unwrap_or(1) * STEP;
    let label_of = |day: NaiveDate| locale.short_day(day);
    let first = series.first().map(|(d, _)| label_of(*d)).unwrap_or_default();
    let last = series.last().map(|(d, _)| label_of(*d)).unwrap_or_default();
    let bars = series
        .iter()
        .zip(0..)
        .filter_map(|((day, value), i)| {
            let value = (*value)?;
            let height = (value * HEIGHT / peak).max(1);
            let title = format!("{}: {}", label_of(*day), locale.number(value));
            Some(view! {
                <g><title>{title}</title><rect class="bar-dm" x={i * STEP + 1} y={HEIGHT - height} width={STEP - 2} height=height/></g>
            })
        })
        .collect_view();
    view! {
        <section class="card metric">
            <h2>{locale.t(label)}</h2>
            <p class="metric-value" data-metric=locale.t(label)>{locale.number(latest)}</p>
            {change.map(|c| view! { <p class="muted">{c}</p> })}
            <figure class="chart">
                <div class="chart-body">
                    <div class="chart-y" aria-hidden="true">
                        <span>{locale.number(peak)}</span>
                        <span>"0"</span>
                    </div>
                    <svg role="img" aria-label=locale.t(label) viewBox=format!("0 0 {width} {}", HEIGHT + 2)
                        preserveAspectRatio="none" class="chart-svg">
                        {bars}
                    </svg>
                </div>
                <div class="chart-axis" aria-hidden="true"><span>{first}</span><span>{last}</span></div>
            </figure>
        </section>
    }
    .into_any()
}
