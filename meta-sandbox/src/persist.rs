//! The sandbox's world kept across restarts, as Meta keeps an account's tokens, followers,
//! conversations, comments and webhook settings while the app restarts. Without it, every
//! instance connected before a restart would find its token unknown (190) afterwards.
//!
//! What is kept is written as JSON to one file, atomically (a temporary file renamed over it),
//! once a second when it changed and when the sandbox stops. Records (calls, deliveries),
//! injected faults and pending codes are not kept: they belong to one run.
use crate::{
    accounts::Account,
    people::Person,
    webhooks::WebhookConfig,
    world::{Comment, Message, Token, World},
    Sandbox,
};
use serde::{Deserialize, Serialize};
use std::{collections::HashMap, path::Path, time::Duration};

#[derive(Serialize, Deserialize)]
struct Snapshot {
    clock_offset: i64,
    accounts: Vec<Account>,
    people: Vec<Person>,
    tokens: HashMap<String, Token>,
    messages: HashMap<String, Message>,
    /// `(account, IGSID, unix seconds)` of each person's last message to each account.
    last_inbound: Vec<(usize, String, i64)>,
    comments: HashMap<String, Comment>,
    subscriptions: HashMap<usize, Vec<String>>,
    webhook: Option<WebhookConfig>,
}

impl World {
    fn snapshot(&self) -> Result<Vec<u8>, serde_json::Error> {
        let snapshot = Snapshot {
            clock_offset: self.clock_offset,
            accounts: self.accounts.clone(),
            people: self.people.clone(),
            tokens: self.tokens.clone(),
            messages: self.messages.clone(),
            last_inbound: self.last_inbound.iter().map(|((a, igsid), at)| (*a, igsid.clone(), *at)).collect(),
            comments: self.comments.clone(),
            subscriptions: self.subscriptions.clone(),
            webhook: self.webhook.clone(),
        };
        serde_json::to_vec(&snapshot)
    }

    fn restored(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        let snapshot: Snapshot = serde_json::from_slice(bytes)?;
        let mut world = Self::empty();
        world.clock_offset = snapshot.clock_offset;
        for account in snapshot.accounts {
            world.add_account(account);
        }
        for person in snapshot.people {
            world.add_person(person);
        }
        world.tokens = snapshot.tokens;
        world.messages = snapshot.messages;
        world.last_inbound = snapshot.last_inbound.into_iter().map(|(a, igsid, at)| ((a, igsid), at)).collect();
        world.comments = snapshot.comments;
        world.subscriptions = snapshot.subscriptions;
        world.webhook = snapshot.webhook;
        Ok(world)
    }
}

/// The world kept in `path`, or `None` when there is no file yet.
pub fn load(path: &Path) -> Result<Option<World>, String> {
    match std::fs::read(path) {
        Ok(bytes) => {
            World::restored(&bytes).map(Some).map_err(|e| format!("{} is not a sandbox state: {e}", path.display()))
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(format!("cannot read {}: {error}", path.display())),
    }
}

/// Writes the world to `path` unless it is what was written last (`last`); returns what was written.
fn write_if_changed(sandbox: &Sandbox, path: &Path, last: Option<&[u8]>) -> std::io::Result<Option<Vec<u8>>> {
    let bytes = sandbox.world().snapshot().map_err(std::io::Error::other)?;
    if last == Some(bytes.as_slice()) {
        return Ok(None);
    }
    if let Some(folder) = path.parent().filter(|f| !f.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)?;
    }
    let partial = path.with_extension("partial");
    std::fs::write(&partial, &bytes)?;
    std::fs::rename(&partial, path)?;
    Ok(Some(bytes))
}

/// Writes the world to `path` now.
pub fn save(sandbox: &Sandbox, path: &Path) -> std::io::Result<()> {
    write_if_changed(sandbox, path, None).map(|_| ())
}

/// Writes the world to `path` once a second when it changed, for as long as the sandbox runs.
pub async fn keep(sandbox: Sandbox, path: std::path::PathBuf) {
    let mut last: Option<Vec<u8>> = std::fs::read(&path).ok();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tick.tick().await;
        if sandbox.stopped.load(std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        match write_if_changed(&sandbox, &path, last.as_deref()) {
            Ok(Some(written)) => last = Some(written),
            Ok(None) => {}
            Err(error) => tracing::warn!("cannot keep the sandbox's state in {}: {error}", path.display()),
        }
    }
}
