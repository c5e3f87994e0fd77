//! The handles every request needs, built once at start-up and passed around, never global.
use super::{
    config::Config,
    directory::Directory,
    live::LiveHub,
    meta::MetaClient,
    rate_limit::{OutboundLimits, SignInLimits},
    store,
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
    pub sign_in_limits: Arc<SignInLimits>,
    pub meta: MetaClient,
    pub leptos: LeptosOptions,
    pub directory: Arc<Directory>,
    pub live: LiveHub,
    pub outbound: Arc<OutboundLimits>,
    /// Wakes idle engine workers when a delivery is stored.
    pub wake: Arc<tokio::sync::Notify>,
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
}

impl AppState {
    /// Connects to both databases and brings their schemas up to date (safe to run repeatedly
    /// and from several processes at once: sqlx takes an advisory lock, index creation is idempotent).
    pub async fn connect(config: Config, leptos: LeptosOptions) -> Result<Self, StartError> {
        let pg = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            .connect(config.database_url.expose_secret())
            .await?;
        store::pg::MIGRATOR.run(&pg).await?;
        let mongo = store::mongo::connect(config.mongodb_uri.expose_secret()).await?;
        store::mongo::ensure_indexes(&mongo).await?;
        let sign_in_limits =
            Arc::new(SignInLimits::new(config.sign_in_per_ip_per_minute, config.sign_in_per_account_per_minute));
        let meta = MetaClient::new(config.meta.clone());
        let outbound =
            Arc::new(OutboundLimits::new(config.engine.sends_per_second, config.engine.private_replies_per_hour));
        Ok(Self {
            config: Arc::new(config),
            pg,
            mongo,
            sign_in_limits,
            meta,
            leptos,
            directory: Arc::default(),
            live: LiveHub::default(),
            outbound,
            wake: Arc::default(),
        })
    }
}

/// The state inside a server function or a rendered page (provided by `leptos_routes`).
pub fn state() -> AppState {
    leptos::prelude::expect_context::<AppState>()
}
