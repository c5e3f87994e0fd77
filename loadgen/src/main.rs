//! Sends signed webhook deliveries to Insta-Clerky, as Meta does, and reports how fast the app
//! acknowledges them: the latency Meta sees (it gives up after 5 seconds).
use clap::Parser;
use futures_util::{stream, StreamExt};
use meta_sandbox::{escape_non_ascii, signature_sha256};
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(about = "Sends signed Instagram webhook deliveries and measures the time to 200")]
struct Args {
    /// The app's webhook URL.
    #[arg(long, default_value = "http://127.0.0.1:3000/webhook/instagram")]
    url: String,
    /// The secret deliveries are signed with (the app's META_APP_SECRET).
    #[arg(long, env = "META_APP_SECRET", hide_env_values = true)]
    secret: String,
    /// The IG_ID of a connected instance: its automations answer these DMs.
    #[arg(long, default_value = "17841405822304914")]
    account: String,
    /// The IGSID the DMs come from.
    #[arg(long, default_value = "1254477777772919")]
    sender: String,
    /// How many deliveries to send.
    #[arg(long, default_value_t = 2000)]
    deliveries: usize,
    /// How many are in flight at once.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// The DM text (an automation's keyword makes every delivery cost a reply).
    #[arg(long, default_value = "qual o preço?")]
    text: String,
}

/// One DM delivery in Meta's shape, with every non-ASCII character escaped as Meta sends it.
fn delivery(args: &Args, run: u128, i: usize) -> Vec<u8> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis());
    let body = serde_json::json!({"object": "instagram", "entry": [{"id": args.account, "time": now, "messaging": [{
        "sender": {"id": args.sender}, "recipient": {"id": args.account}, "timestamp": now,
        "message": {"mid": format!("loadgen-{run}-{i}"), "text": args.text}}]}]});
    escape_non_ascii(&body.to_string()).into_bytes()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p / 100.0 * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().expect("HTTP client");
    let run = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let started = Instant::now();
    let results: Vec<Result<Duration, String>> = stream::iter(0..args.deliveries)
        .map(|i| {
            let body = delivery(&args, run, i);
            let signature = signature_sha256(&args.secret, &body);
            let request = client
                .post(&args.url)
                .header("content-type", "application/json")
                .header("x-hub-signature-256", signature)
                .body(body);
            async move {
                let sent = Instant::now();
                match request.send().await {
                    Ok(response) if response.status().is_success() => Ok(sent.elapsed()),
                    Ok(response) => Err(format!("HTTP {}", response.status())),
                    Err(error) => Err(error.to_string()),
                }
            }
        })
        .buffer_unordered(args.concurrency.max(1))
        .collect()
        .await;
    let elapsed = started.elapsed();
    let mut latencies: Vec<Duration> = results.iter().filter_map(|r| r.as_ref().ok().copied()).collect();
    latencies.sort();
    let failures: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "deliveries {} concurrency {} in {:.2} s: {:.0}/s acknowledged; ack ms p50 {:.1} p95 {:.1} p99 {:.1} max {:.1}; failed {}",
        args.deliveries,
        args.concurrency,
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        ms(percentile(&latencies, 50.0)),
        ms(percentile(&latencies, 95.0)),
        ms(percentile(&latencies, 99.0)),
        ms(latencies.last().copied().unwrap_or_default()),
        failures.len(),
    );
    if let Some(first) = failures.first() {
        eprintln!("first failure: {first}");
        std::process::exit(1);
    }
}
