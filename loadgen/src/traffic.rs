//! A scenario's traffic: events registered with the sandbox (so each reply meets Meta's rules:
//! an open window, an existing comment), packed into signed deliveries and fired open-loop at a
//! fixed rate. Latency counts from when each delivery was due, not when it went, so a slow
//! server cannot hide behind a load generator that waits for it.
use crate::{
    measure::{self, Cpu, ScenarioResult},
    setup::{World, COMMENT_KEYWORD, DM_KEYWORD},
    Args,
};
use meta_sandbox::{escape_non_ascii, signature_sha256};
use rand::{rngs::StdRng, Rng, SeedableRng};
use serde_json::{json, Value};
use sqlx::PgPool;
use std::{
    sync::Arc,
    time::{Duration, Instant},
};
use tokio::sync::Semaphore;

pub struct Scenario {
    pub key: char,
    pub title: &'static str,
    /// Events per second offered.
    pub rate: u32,
    pub per_post: usize,
    /// Share of events that match an automation.
    pub reply_share: f64,
    /// Share of events that are comments (the rest are DMs).
    pub comment_share: f64,
    pub latency: Option<(u64, u64)>,
}

impl Scenario {
    pub fn named(key: char, args: &Args) -> Option<Self> {
        let latency =
            args.latency.split_once('-').and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)));
        Some(match key {
            'a' => Self {
                key,
                title: "one event per POST",
                rate: args.rate,
                per_post: 1,
                reply_share: args.reply_share,
                comment_share: 0.2,
                latency,
            },
            'b' => Self {
                key,
                title: "Meta-style batches across accounts",
                rate: args.rate,
                per_post: args.batch.max(1),
                reply_share: args.reply_share,
                comment_share: 0.2,
                latency,
            },
            'c' => Self {
                key,
                title: "no automation matches",
                rate: args.rate,
                per_post: 1,
                reply_share: 0.0,
                comment_share: 0.2,
                latency,
            },
            'e' => Self {
                key,
                title: "latency at 2,000 deliveries/s (the a mix)",
                rate: args.latency_rate,
                per_post: 1,
                reply_share: args.reply_share,
                comment_share: 0.2,
                latency,
            },
            'd' => Self {
                key,
                title: "every event gets a reply",
                rate: args.reply_rate,
                per_post: 1,
                reply_share: 1.0,
                comment_share: 0.0,
                latency,
            },
            _ => return None,
        })
    }
}

/// Meta's answer time for the scenario.
pub async fn prepare_sandbox(args: &Args, scenario: &Scenario) -> Result<(), String> {
    let client = reqwest::Client::new();
    let url = format!("{}/_sandbox/latency", args.sandbox);
    let request = match scenario.latency {
        Some((min, max)) => client.post(url).json(&json!({ "min_ms": min, "max_ms": max })),
        None => client.delete(url),
    };
    request.send().await.and_then(reqwest::Response::error_for_status).map_err(|e| format!("sandbox latency: {e}"))?;
    Ok(())
}

/// A signed delivery, ready to go.
pub(crate) struct Post {
    pub(crate) body: Vec<u8>,
    pub(crate) signature: String,
    events: usize,
}

pub async fn run(args: &Args, pg: &PgPool, world: &World, scenario: &Scenario) -> Result<ScenarioResult, String> {
    let events = u64::from(scenario.rate) * args.duration;
    let (posts, ids) = make_posts(args, world, scenario, usize::try_from(events).unwrap_or(usize::MAX)).await?;
    let before = measure::sandbox_stats(&args.sandbox).await?;
    measure::reset_postgres_stats(pg).await;
    let perf = measure::Perf::start(&args.label, scenario.key);
    let cpu = Cpu::sample();
    let started_at = chrono::Utc::now();
    let sent = fire(args, scenario, posts).await;
    let sent_for = sent.elapsed;
    measure::wait_for_work(pg, Duration::from_secs(args.settle_timeout)).await;
    let cpu = cpu.since();
    perf.finish();
    let postgres = measure::postgres_stats(pg).await;
    let after = measure::sandbox_stats(&args.sandbox).await?;
    let reports = measure::reports(pg, &ids).await?;
    Ok(ScenarioResult::new(scenario, &sent, sent_for, started_at, reports, before, after, cpu, postgres))
}

/// Every follower writes once to every account, and the engine settles (the profile look-ups of
/// first contact done): the scenarios then measure accounts in their steady state.
pub async fn warm_up(args: &Args, pg: &PgPool, world: &World) -> Result<(), String> {
    let specs: Vec<Value> = world
        .accounts
        .iter()
        .flat_map(|a| {
            world
                .followers
                .iter()
                .map(|f| json!({ "kind": "dm", "from": f.igsid, "to": a.ig_id, "text": "oi, tudo bem?" }))
        })
        .collect();
    let scenario = Scenario {
        key: 'w',
        title: "warm-up",
        rate: 5000,
        per_post: 50,
        reply_share: 0.0,
        comment_share: 0.0,
        latency: None,
    };
    prepare_sandbox(args, &scenario).await?;
    let (posts, _) = register(args, &scenario, specs).await?;
    let sent = fire(args, &scenario, posts).await;
    if sent.failed_posts > 0 {
        return Err(format!("{} warm-up deliveries failed", sent.failed_posts));
    }
    measure::quiet(pg, Duration::from_secs(args.settle_timeout)).await;
    Ok(())
}

pub(crate) async fn make_posts(
    args: &Args,
    world: &World,
    scenario: &Scenario,
    count: usize,
) -> Result<(Vec<Post>, Vec<String>), String> {
    let mut rng = StdRng::seed_from_u64(u64::from(u32::from(scenario.key)) * 7919);
    let mut specs = Vec::with_capacity(count);
    for _ in 0..count {
        let account = &world.accounts[rng.gen_range(0..world.accounts.len())];
        let follower = &world.followers[rng.gen_range(0..world.followers.len())];
        let reply = rng.gen_bool(scenario.reply_share.clamp(0.0, 1.0));
        if rng.gen_bool(scenario.comment_share.clamp(0.0, 1.0)) {
            let media = &account.media[rng.gen_range(0..account.media.len())];
            let text =
                if reply { format!("me manda o {COMMENT_KEYWORD} por favor") } else { "que lindo! 😍".to_owned() };
            specs.push(json!({ "kind": "comment", "from": follower.igsid, "media_id": media, "text": text }));
        } else {
            let text = if reply { format!("qual o {DM_KEYWORD}?") } else { "bom dia, tudo bem?".to_owned() };
            specs.push(json!({ "kind": "dm", "from": follower.igsid, "to": account.ig_id, "text": text }));
        }
    }
    register(args, scenario, specs).await
}

/// Registers the events with the sandbox and packs their entries into signed deliveries; returns
/// them with the events' ids (`mid` or comment id).
async fn register(args: &Args, scenario: &Scenario, specs: Vec<Value>) -> Result<(Vec<Post>, Vec<String>), String> {
    let client = reqwest::Client::new();
    let count = specs.len();
    let mut entries: Vec<Value> = Vec::with_capacity(count);
    for chunk in specs.chunks(20_000) {
        let recorded: Value = client
            .post(format!("{}/_sandbox/events", args.sandbox))
            .json(&json!({ "events": chunk }))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| format!("registering events: {e}"))?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        entries.extend(recorded["entries"].as_array().cloned().unwrap_or_default());
    }
    let ids: Vec<String> = entries
        .iter()
        .filter_map(|e| {
            e["messaging"][0]["message"]["mid"]
                .as_str()
                .or_else(|| e["changes"][0]["value"]["id"].as_str())
                .map(str::to_owned)
        })
        .collect();
    let posts = entries
        .chunks(scenario.per_post)
        .map(|chunk| {
            let body = escape_non_ascii(&json!({ "object": "instagram", "entry": chunk }).to_string()).into_bytes();
            let signature = signature_sha256(&args.secret, &body);
            Post { body, signature, events: chunk.len() }
        })
        .collect();
    Ok((posts, ids))
}

/// What Meta saw of the deliveries.
pub struct Sent {
    /// Milliseconds from when each acknowledged delivery was due to its 200, sorted.
    pub latencies_ms: Vec<f64>,
    pub acknowledged_events: usize,
    pub offered_events: usize,
    pub failed_posts: usize,
    pub elapsed: Duration,
    /// How long the offering took by the schedule (events / rate).
    pub scheduled: Duration,
}

async fn fire(args: &Args, scenario: &Scenario, posts: Vec<Post>) -> Sent {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_default();
    let interval = Duration::from_secs_f64(scenario.per_post as f64 / f64::from(scenario.rate.max(1)));
    let in_flight = Arc::new(Semaphore::new(args.concurrency.max(1)));
    let offered_events = posts.iter().map(|p| p.events).sum();
    let scheduled = interval * u32::try_from(posts.len()).unwrap_or(u32::MAX);
    let started = Instant::now();
    let mut handles = Vec::with_capacity(posts.len());
    for (i, post) in posts.into_iter().enumerate() {
        let due = started + interval * u32::try_from(i).unwrap_or(u32::MAX);
        tokio::time::sleep_until(due.into()).await;
        let Ok(permit) = in_flight.clone().acquire_owned().await else { break };
        let url = format!("{}/webhook/instagram", args.app[i % args.app.len()]);
        let request = client
            .post(url)
            .header("content-type", "application/json")
            .header("x-hub-signature-256", post.signature)
            .body(post.body);
        let events = post.events;
        handles.push(tokio::spawn(async move {
            let ok = request.send().await.is_ok_and(|r| r.status().is_success());
            drop(permit);
            (ok, due.elapsed().as_secs_f64() * 1000.0, events)
        }));
    }
    let mut latencies_ms = Vec::with_capacity(handles.len());
    let (mut acknowledged_events, mut failed_posts) = (0, 0);
    for handle in handles {
        match handle.await {
            Ok((true, latency, events)) => {
                latencies_ms.push(latency);
                acknowledged_events += events;
            }
            _ => failed_posts += 1,
        }
    }
    latencies_ms.sort_by(f64::total_cmp);
    Sent { latencies_ms, acknowledged_events, offered_events, failed_posts, elapsed: started.elapsed(), scheduled }
}
