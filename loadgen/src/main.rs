//! `loadgen`: the engine benchmark (`make bench`). Against a running Insta-Clerky (one or more
//! server processes on one database) and the Meta sandbox, it connects many instances through
//! Business Login, gives each automations, then for each scenario registers the events with the
//! sandbox (so Meta's rules hold for every reply), fires them as signed deliveries at a fixed
//! rate, and measures what Meta would see (time to 200) and what the engine did (reports in
//! PostgreSQL, sends in the sandbox's counters).
mod chaos;
mod measure;
mod reports;
mod setup;
mod traffic;

use clap::Parser;
use std::{path::PathBuf, time::Duration};

#[derive(Parser, Clone)]
#[command(about = "Benchmarks the automation engine end to end")]
pub struct Args {
    /// The server processes' base URLs, comma-separated; deliveries are spread over them.
    #[arg(long, value_delimiter = ',', default_value = "http://127.0.0.1:3200")]
    app: Vec<String>,
    /// The Meta sandbox's base URL.
    #[arg(long, default_value = "http://127.0.0.1:3201")]
    sandbox: String,
    /// The SMTP catcher's API, where the links confirming each user's e-mail arrive.
    #[arg(long, env = "MAIL_API", default_value = "http://127.0.0.1:3280")]
    mail_api: String,
    /// The app's PostgreSQL database, to read the reports.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    database_url: String,
    /// The secret deliveries are signed with (the app's META_APP_SECRET).
    #[arg(long, env = "META_APP_SECRET", hide_env_values = true)]
    secret: String,
    /// Instances to connect (one Instagram account each).
    #[arg(long, default_value_t = 1000)]
    accounts: usize,
    /// Followers who write to the accounts.
    #[arg(long, default_value_t = 50)]
    followers: usize,
    /// Users the instances are spread over (ten each by default).
    #[arg(long)]
    users: Option<usize>,
    /// Seconds of load per scenario.
    #[arg(long, default_value_t = 60)]
    duration: u64,
    /// Scenarios to run: a (one event per POST), b (batches), c (no automation matches),
    /// d (every event gets a reply), e (the a mix at the latency targets' 2,000 deliveries/s).
    #[arg(long, value_delimiter = ',', default_value = "a,b,c,d,e")]
    scenarios: Vec<char>,
    /// Events per second offered in scenarios a, b and c (above the 5,000 target, so that
    /// keeping up shows as more than 5,000 end to end).
    #[arg(long, default_value_t = 5500)]
    rate: u32,
    /// Events per second offered in scenario d (above the 2,000 target, for the same reason).
    #[arg(long, default_value_t = 2100)]
    reply_rate: u32,
    /// Deliveries per second offered in scenario e.
    #[arg(long, default_value_t = 2000)]
    latency_rate: u32,
    /// Share of events in a, b and e that match an automation (and get a reply).
    #[arg(long, default_value_t = 0.1)]
    reply_share: f64,
    /// Entries per POST in scenario b.
    #[arg(long, default_value_t = 50)]
    batch: usize,
    /// Meta's answer time in scenarios with replies, as `MIN-MAX` milliseconds.
    #[arg(long, default_value = "50-150")]
    latency: String,
    /// Deliveries in flight at most (more wait, and the offered rate shows it).
    #[arg(long, default_value_t = 512)]
    concurrency: usize,
    /// What the figures are called (for example "1 process").
    #[arg(long, default_value = "1 process")]
    label: String,
    /// Where the set-up is kept, so a second run reuses the instances.
    #[arg(long, default_value = ".data/bench/setup.json")]
    state: PathBuf,
    /// Where the figures go, as JSON.
    #[arg(long, default_value = "target/bench/engine.json")]
    json: PathBuf,
    /// Instead of the scenarios: this many seconds of load retried as Meta retries, while
    /// `scripts/chaos.sh` breaks things; then acknowledged, processed, lost and duplicated.
    #[arg(long)]
    chaos: Option<u64>,
    /// A file the chaos run creates when its load begins (the failures' schedule starts then).
    #[arg(long)]
    started_file: Option<PathBuf>,
    /// Events per second offered during the chaos run.
    #[arg(long, default_value_t = 500)]
    chaos_rate: u32,
    /// Instead of the engine's scenarios: the reports benchmark over this many report rows of
    /// one user (`make bench-reports`); `--duration` is then the seconds per rendered page.
    #[arg(long)]
    reports: Option<i64>,
    /// The server's process id, whose peak memory the reports benchmark reads around the CSV.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Longest wait for the engine to finish a scenario's work, in seconds.
    #[arg(long, default_value_t = 900)]
    settle_timeout: u64,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    if let Err(error) = run(args).await {
        eprintln!("bench: {error}");
        std::process::exit(1);
    }
}

async fn run(args: Args) -> Result<(), String> {
    let pg = sqlx::postgres::PgPoolOptions::new()
        .max_connections(4)
        .connect(&args.database_url)
        .await
        .map_err(|e| format!("cannot reach PostgreSQL: {e}"))?;
    let machine = measure::machine(&pg).await;
    println!("{}", machine.line());
    if let Some(rows) = args.reports {
        return reports::run(&args, &pg, rows).await;
    }
    let world = setup::prepare(&args).await?;
    if world.took_seconds > 0 {
        let started = std::time::Instant::now();
        traffic::warm_up(&args, &pg, &world).await?;
        println!(
            "set-up: {} instances of {} users connected in {} s; warm-up: each of {} followers wrote to each account ({} s)",
            world.accounts.len(),
            world.users,
            world.took_seconds,
            world.followers.len(),
            started.elapsed().as_secs()
        );
    } else {
        println!("set-up: the {} instances of an earlier run", world.accounts.len());
    }
    if let Some(seconds) = args.chaos {
        return chaos::run(&args, &pg, &world, seconds).await;
    }
    let mut results = Vec::new();
    for scenario in &args.scenarios {
        let Some(scenario) = traffic::Scenario::named(*scenario, &args) else {
            return Err(format!("unknown scenario {scenario}"));
        };
        traffic::prepare_sandbox(&args, &scenario).await?;
        let result = traffic::run(&args, &pg, &world, &scenario).await?;
        println!("{}", result.line(&args.label));
        results.push(result);
        // Let the echoes of the last replies and the username look-ups finish before the next.
        measure::quiet(&pg, Duration::from_secs(args.settle_timeout)).await;
    }
    measure::write_json(&args, &machine, &results)
}
