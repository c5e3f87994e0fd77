//! `--chaos SECONDS` (`make chaos`): sustained webhook load while `scripts/chaos.sh` kills server
//! processes, restarts PostgreSQL and makes the sandbox fail. Deliveries are retried as Meta
//! retries (until acknowledged, backing off to 30 s), then every acknowledged event is looked
//! for: processed means its report reached a final status; lost is acknowledged without that;
//! duplicated replies come from the sandbox's record.
use crate::{
    measure,
    setup::World,
    traffic::{self, Scenario},
    Args,
};
use sqlx::PgPool;
use std::{
    sync::Arc,
    time::{Duration, Instant},
};
use tokio::sync::Semaphore;

pub async fn run(args: &Args, pg: &PgPool, world: &World, seconds: u64) -> Result<(), String> {
    let scenario = Scenario {
        key: 'x',
        title: "chaos",
        rate: args.chaos_rate,
        per_post: 1,
        reply_share: args.reply_share,
        comment_share: 0.2,
        latency: None,
    };
    traffic::prepare_sandbox(args, &scenario).await?;
    let count = usize::try_from(u64::from(scenario.rate) * seconds).unwrap_or(usize::MAX);
    let (posts, ids) = traffic::make_posts(args, world, &scenario, count).await?;
    let before = measure::sandbox_stats(&args.sandbox).await?;
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().map_err(|e| e.to_string())?;
    let interval = Duration::from_secs_f64(1.0 / f64::from(scenario.rate.max(1)));
    let in_flight = Arc::new(Semaphore::new(args.concurrency.max(1)));
    if let Some(file) = &args.started_file {
        std::fs::write(file, b"").map_err(|e| format!("{}: {e}", file.display()))?;
    }
    let started = Instant::now();
    // Meta keeps retrying a delivery for a long while; here until two minutes after the load ends.
    let give_up = started + Duration::from_secs(seconds + 120);
    let mut handles = Vec::with_capacity(posts.len());
    for (i, post) in posts.into_iter().enumerate() {
        tokio::time::sleep_until((started + interval * u32::try_from(i).unwrap_or(u32::MAX)).into()).await;
        let Ok(permit) = in_flight.clone().acquire_owned().await else { break };
        let (client, apps) = (client.clone(), args.app.clone());
        handles.push(tokio::spawn(async move {
            let mut attempts = 0u32;
            let mut wait = Duration::from_millis(500);
            loop {
                let url = format!("{}/webhook/instagram", apps[(i + attempts as usize) % apps.len()]);
                attempts += 1;
                let request = client
                    .post(url)
                    .header("content-type", "application/json")
                    .header("x-hub-signature-256", &post.signature)
                    .body(post.body.clone());
                if request.send().await.is_ok_and(|r| r.status().is_success()) {
                    drop(permit);
                    return (true, attempts);
                }
                if Instant::now() + wait > give_up {
                    drop(permit);
                    return (false, attempts);
                }
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(30));
            }
        }));
    }
    let mut acknowledged_ids = Vec::new();
    let (mut retried, mut unacknowledged) = (0, 0);
    for (i, handle) in handles.into_iter().enumerate() {
        match handle.await {
            Ok((true, attempts)) => {
                retried += usize::from(attempts > 1);
                acknowledged_ids.extend(ids.get(i).cloned());
            }
            _ => unacknowledged += 1,
        }
    }
    let load_for = started.elapsed();
    measure::wait_for_work(pg, Duration::from_secs(args.settle_timeout)).await;
    let after = measure::sandbox_stats(&args.sandbox).await?;
    let reports = measure::reports(pg, &acknowledged_ids).await?;
    let processed = reports.reported - reports.pending;
    let acknowledged = i64::try_from(acknowledged_ids.len()).unwrap_or(i64::MAX);
    let delta = |name: &str| after[name].as_i64().unwrap_or(0) - before[name].as_i64().unwrap_or(0);
    let duplicated = delta("duplicate_tagged_sends") + delta("duplicate_public_replies");
    let lost = acknowledged - processed;
    println!(
        "chaos: {} s of load at {}/s against {} processes; deliveries acknowledged {acknowledged} ({retried} after \
         retries, {unacknowledged} never), processed {processed}, lost {lost}, duplicate replies {duplicated}; \
         replies {} sent {} failed",
        load_for.as_secs(),
        scenario.rate,
        args.app.len(),
        reports.sent,
        reports.failed,
    );
    if lost == 0 && duplicated == 0 {
        Ok(())
    } else {
        Err(format!("{lost} lost, {duplicated} duplicated"))
    }
}
