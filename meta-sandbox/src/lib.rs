//! A faithful local stand-in for Meta's Instagram Platform (see shared/meta-api/CONTRACT.md):
//! Business Login, the token endpoints and the Graph API on one address, with Meta's paths,
//! payloads, rules and errors; webhook deliveries to the app's callback; and a control API under
//! `/_sandbox` (followers, clock, faults, records) for tests and people.
mod accounts;
mod bulk;
mod control;
mod conversations;
mod crm;
mod errors;
mod faults;
mod followers;
mod graph;
mod ids;
mod oauth;
mod people;
mod persist;
mod record;
mod rich;
mod webhooks;
mod world;

use axum::{routing::get, Router};
use std::{
    net::SocketAddr,
    path::PathBuf,
    sync::{Arc, Mutex},
};
use tokio::sync::mpsc;
pub use webhooks::{escape_non_ascii, signature_sha256};
pub use world::World;

/// The Meta app the sandbox knows: what the App Dashboard would hold.
#[derive(Clone, Debug)]
pub struct AppRegistration {
    pub app_id: String,
    pub app_secret: String,
    /// Exact matches only, as Meta compares them.
    pub redirect_uris: Vec<String>,
}

#[derive(Clone)]
pub struct Sandbox {
    pub(crate) app: Arc<AppRegistration>,
    pub(crate) world: Arc<Mutex<World>>,
    pub(crate) outbox: webhooks::Outbox,
    pub(crate) http: reqwest::Client,
    inbox: Arc<Mutex<Option<mpsc::UnboundedReceiver<webhooks::Event>>>>,
    /// Where the world is kept across restarts, if anywhere.
    state_file: Option<Arc<PathBuf>>,
    /// Set once it stopped serving: its world is no longer written (a successor owns the file).
    stopped: Arc<std::sync::atomic::AtomicBool>,
    /// The stand-in CRM's received leads (not part of Meta's world, so not kept across restarts).
    crm: Arc<Mutex<crm::Receiver>>,
}

/// A sandbox serving in this process, until stopped.
pub struct Served {
    pub addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    done: tokio::task::JoinHandle<()>,
}

impl Served {
    /// Stops serving and writes the world to its file.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.done.await;
    }
}

impl Sandbox {
    pub fn new(app: AppRegistration) -> Self {
        Self::with_world(app, World::seeded(), None)
    }

    fn with_world(app: AppRegistration, world: World, state_file: Option<PathBuf>) -> Self {
        let (outbox, inbox) = mpsc::unbounded_channel();
        Self {
            app: Arc::new(app),
            world: Arc::new(Mutex::new(world)),
            outbox,
            http: reqwest::Client::new(),
            inbox: Arc::new(Mutex::new(Some(inbox))),
            state_file: state_file.map(Arc::new),
            stopped: Arc::default(),
            crm: Arc::default(),
        }
    }

    /// A sandbox whose world is kept in `path`: the one found there, or a seeded one. What
    /// changes is written back once a second and by [`Sandbox::save`].
    pub fn kept_in(app: AppRegistration, path: PathBuf) -> Result<Self, String> {
        let world = persist::load(&path)?.unwrap_or_else(World::seeded);
        Ok(Self::with_world(app, world, Some(path)))
    }

    /// Writes the world to its file now (when it has one), as when the sandbox stops.
    pub fn save(&self) -> std::io::Result<()> {
        match &self.state_file {
            Some(path) => persist::save(self, path),
            None => Ok(()),
        }
    }

    /// The state, for the handlers. A poisoned lock means a handler panicked mid-update: the
    /// sandbox is a test double, so it carries on with what is there.
    pub(crate) fn world(&self) -> std::sync::MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn crm(&self) -> std::sync::MutexGuard<'_, crm::Receiver> {
        self.crm.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Queues an event for delivery to the app's callback.
    pub(crate) fn emit(&self, event: webhooks::Event) {
        // The receiver lives as long as the delivery task; if that stopped, there is nobody to tell.
        let _ = self.outbox.send(event);
    }

    /// The HTTP surface. Starts the delivery task the first time (needs a Tokio runtime).
    pub fn router(self) -> Router {
        let inbox = self.inbox.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(inbox) = inbox {
            tokio::spawn(webhooks::run(self.clone(), inbox));
            if let Some(path) = &self.state_file {
                tokio::spawn(persist::keep(self.clone(), path.as_ref().clone()));
            }
        }
        Router::new()
            .route("/oauth/authorize", get(oauth::authorize_page).post(oauth::decide))
            .route("/oauth/access_token", axum::routing::post(oauth::exchange_code))
            .route("/access_token", get(oauth::exchange_long_lived))
            .route("/refresh_access_token", get(oauth::refresh))
            .route("/{version}/access_token", get(oauth::exchange_long_lived_versioned))
            .route("/{version}/refresh_access_token", get(oauth::refresh_versioned))
            .merge(control::routes())
            .merge(bulk::routes())
            .merge(followers::routes())
            .merge(crm::routes())
            .fallback(graph::dispatch)
            .layer(axum::middleware::from_fn_with_state(self.clone(), faults::inject))
            .layer(axum::middleware::from_fn_with_state(self.clone(), record::record))
            .with_state(self)
    }

    /// Serves on 127.0.0.1 at a free port, in this process; for tests.
    pub async fn spawn(app: AppRegistration) -> std::io::Result<(Self, SocketAddr)> {
        let sandbox = Self::new(app);
        let addr = sandbox.clone().serve_here().await?;
        Ok((sandbox, addr))
    }

    /// Serves this sandbox at `addr` (port 0: a free one) in this process until
    /// [`Served::stop`], which writes its world to its file: a restart, for tests.
    pub async fn serve_at(self, addr: SocketAddr) -> std::io::Result<Served> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let sandbox = self.clone();
        let router = self.router();
        let done = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(error) = axum::serve(listener, router).with_graceful_shutdown(shutdown).await {
                tracing::error!("sandbox stopped: {error}");
            }
            sandbox.stopped.store(true, std::sync::atomic::Ordering::SeqCst);
            if let Err(error) = sandbox.save() {
                tracing::error!("cannot keep the sandbox's state: {error}");
            }
        });
        Ok(Served { addr, stop, done })
    }

    /// Serves this sandbox on 127.0.0.1 at a free port, in this process; for tests.
    pub async fn serve_here(self) -> std::io::Result<SocketAddr> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let router = self.router();
        tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, router).await {
                tracing::error!("sandbox stopped: {error}");
            }
        });
        Ok(addr)
    }
}
