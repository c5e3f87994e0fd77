//! The handles every request needs, built once at start-up and passed around, never global.
use super::{
    config::Config,
    directory::Directory,
    engine::Acceptor,
    live::{self, LiveHub},
    mail::Mailer,
    meta::MetaClient,
    store::{self, pg::outbox::Pace},
};
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use secrecy::ExposeSecret;
use sqlx::{postgres::PgPoolOptions, PgPool};
use std::{sync::Arc, time::Duration};

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub pg: PgPool,
    pub mongo: mongodb::Database,
    pub meta: MetaClient,
    pub leptos: LeptosOptions,
    pub directory: Arc<Directory>,
    /// Live events from every process, for this process's sockets.
    pub live: LiveHub,
    /// Stores webhook deliveries in batches before they are acknowledged.
    pub acceptor: Acceptor,
    /// Meta's per-account sending limits, as the outbox applies them.
    pub pace: Pace,
    /// Wakes this process's intake when a delivery is stored, and its outbox when a reply is due.
    pub wake_intake: Arc<tokio::sync::Notify>,
    pub wake_outbox: Arc<tokio::sync::Notify>,
    /// E-mail to users; `None` without an SMTP server (sign-up then answers that it is closed).
    pub mailer: Option<Mailer>,
    /// The time the service's rules go by.
    pub clock: super::clock::Clock,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot reach PostgreSQL: {0}")]
    Postgres(#[from] sqlx::Error),
    #[error("cannot apply migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot reach MongoDB: {0}")]
    Mongo(#[from] mongodb::error::Error),
    #[error("cannot set up e-mail: {0}")]
    Mail(#[from] super::mail::MailError),
}

/// A connection idle this long is pinged before use; one used more recently is taken as alive.
const PING_IDLE_AFTER: Duration = Duration::from_secs(1);

/// How both pools hand out connections. sqlx pings every connection before handing it out by
/// default, and again when it comes back: two round trips beside every statement. The one before
/// is kept for connections left idle, where a link cut without a word (a proxy, a failover) shows;
/// a connection the server closed is noticed by sqlx itself (`restart::pages_answer_after_…`).
fn pool_options() -> PgPoolOptions {
    PgPoolOptions::new().acquire_timeout(Duration::from_secs(5)).test_before_acquire(false).before_acquire(
        |connection, meta| {
            // A connection that does not answer is dropped, and the pool hands out another.
            Box::pin(
                async move { Ok(meta.idle_for < PING_IDLE_AFTER || sqlx::Connection::ping(connection).await.is_ok()) },
            )
        },
    )
}

impl AppState {
    /// Connects to both databases and brings their schemas up to date (safe to run repeatedly
    /// and from several processes at once: sqlx takes an advisory lock, index creation is idempotent).
    /// Starts what requests rely on: the acknowledger and the listener for changes and live events.
    pub async fn connect(config: Config, leptos: LeptosOptions) -> Result<Self, StartError> {
        let mailer = Mailer::from_config(&config)?;
        let pg = pool_options()
            .max_connections(config.database_max_connections)
            .connect(config.database_url.expose_secret())
            .await?;
        store::pg::MIGRATOR.run(&pg).await?;
        let mongo = store::mongo::connect(config.mongodb_uri.expose_secret()).await?;
        store::mongo::ensure_indexes(&mongo).await?;
        let meta = MetaClient::new(config.meta.clone());
        let pace = Pace::new(config.engine.sends_per_second, config.engine.private_replies_per_hour);
        let directory = Arc::new(Directory::default());
        let live = LiveHub::default();
        live::spawn_listener(pg.clone(), live.clone(), directory.clone());
        let wake_intake = Arc::new(tokio::sync::Notify::new());
        // Acknowledgements have connections of their own: Meta's 200 never waits for one the
        // engine is using.
        let ack_pool = pool_options()
            .max_connections(config.engine.ack_committers.max(1))
            .connect(config.database_url.expose_secret())
            .await?;
        let engine = &config.engine;
        let gather = Duration::from_micros(u64::from(engine.ack_gather_micros));
        let acceptor = Acceptor::spawn(ack_pool, wake_intake.clone(), engine.ack_committers, gather);
        Ok(Self {
            config: Arc::new(config),
            pg,
            mongo,
            meta,
            leptos,
            directory,
            live,
            acceptor,
            pace,
            wake_intake,
            wake_outbox: Arc::default(),
            mailer,
            clock: super::clock::Clock::default(),
        })
    }
}

/// The state inside a server function or a rendered page (provided by `leptos_routes`).
pub fn state() -> AppState {
    leptos::prelude::expect_context::<AppState>()
}
