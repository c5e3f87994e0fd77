//! Live updates for open pages, the same in every server process. Whatever changes queues its
//! events on PostgreSQL's NOTIFY inside its own transaction (one notification per batch, chunked
//! under NOTIFY's size limit, never one per event), so they go out exactly when the change is
//! committed; each process listens and hands them to its own sockets. The same connection carries
//! cache invalidations (`directory::CHANNEL`).
use super::{directory::Directory, store::StoreError};
use crate::domain::id::InstanceId;
use crate::domain::live::{LiveEvent, StatusCounts};
use crate::domain::report::ReplyStatus;
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};
use std::{collections::BTreeMap, sync::Arc, time::Duration};
use tokio::sync::broadcast;

pub const CHANNEL: &str = "ic_live";
/// PostgreSQL refuses NOTIFY payloads of 8000 bytes or more.
const PAYLOAD_BYTES: usize = 7900;

/// An event and the user (hex id) whose pages it is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Addressed {
    pub owner_id: String,
    pub event: LiveEvent,
}

/// What a socket receives: an event, or word that some may have been missed.
#[derive(Debug, Clone)]
pub enum Broadcast {
    Event(Arc<Addressed>),
    /// The listener lost its connection for a moment: pages should refetch.
    Resync,
}

#[derive(Clone)]
pub struct LiveHub {
    sender: broadcast::Sender<Broadcast>,
}

impl Default for LiveHub {
    fn default() -> Self {
        // A page that falls this far behind skips ahead (it refetches on lag).
        Self { sender: broadcast::channel(4096).0 }
    }
}

impl LiveHub {
    pub fn subscribe(&self) -> broadcast::Receiver<Broadcast> {
        self.sender.subscribe()
    }

    fn deliver(&self, message: Broadcast) {
        // No open page is not an error.
        let _ = self.sender.send(message);
    }
}

/// Report changes of one batch, summed per instance: what `Interactions` events carry.
#[derive(Default)]
pub struct Tally {
    per_instance: BTreeMap<(String, String), StatusCounts>,
}

impl Tally {
    pub fn add(&mut self, owner_id: &str, instance_id: &str, status: ReplyStatus) {
        self.per_instance.entry((owner_id.to_owned(), instance_id.to_owned())).or_default().add(status);
    }

    /// Names the instance in the events even when no report changed (a message stored, a
    /// conversation read), so its open pages refetch.
    pub fn touch(&mut self, owner_id: &str, instance_id: &str) {
        self.per_instance.entry((owner_id.to_owned(), instance_id.to_owned())).or_default();
    }

    /// Adds another batch's tally to this one.
    pub fn merge(&mut self, other: Tally) {
        for (key, counts) in other.per_instance {
            let mine = self.per_instance.entry(key).or_default();
            mine.pending += counts.pending;
            mine.sent += counts.sent;
            mine.failed += counts.failed;
            mine.skipped += counts.skipped;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.per_instance.is_empty()
    }

    pub fn events(self) -> Vec<Addressed> {
        self.per_instance
            .into_iter()
            .map(|((owner_id, instance_id), counts)| Addressed {
                owner_id,
                event: LiveEvent::Interactions { instance_id: InstanceId::new(instance_id), counts },
            })
            .collect()
    }
}

/// Queues events on `db`; inside a transaction they go out when (and if) it commits.
pub async fn notify(db: &mut PgConnection, events: &[Addressed]) -> Result<(), StoreError> {
    for payload in payloads(events) {
        sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(payload).execute(&mut *db).await?;
    }
    Ok(())
}

/// Sends events on their own (no transaction to ride on).
pub async fn publish(pg: &PgPool, events: &[Addressed]) -> Result<(), StoreError> {
    let mut connection = pg.acquire().await?;
    notify(&mut connection, events).await
}

/// JSON arrays of events, each under NOTIFY's limit.
fn payloads(events: &[Addressed]) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::from("[");
    for event in events {
        let Ok(json) = serde_json::to_string(event) else { continue };
        if current.len() > 1 && current.len() + json.len() + 2 > PAYLOAD_BYTES {
            current.push(']');
            out.push(std::mem::replace(&mut current, String::from("[")));
        }
        if current.len() > 1 {
            current.push(',');
        }
        current.push_str(&json);
    }
    if current.len() > 1 {
        current.push(']');
        out.push(current);
    }
    out
}

/// Starts this process's listener: live events to `hub`, cache changes to `directory`.
pub fn spawn_listener(pg: PgPool, hub: LiveHub, directory: Arc<Directory>) {
    tokio::spawn(async move {
        loop {
            if let Err(error) = listen(&pg, &hub, &directory).await {
                tracing::warn!("live listener lost its connection: {error}");
            }
            // Whatever came meanwhile was missed: caches start afresh, pages refetch.
            directory.forget_everything();
            hub.deliver(Broadcast::Resync);
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
}

async fn listen(pg: &PgPool, hub: &LiveHub, directory: &Directory) -> Result<(), sqlx::Error> {
    let mut listener = sqlx::postgres::PgListener::connect_with(pg).await?;
    listener.listen_all([CHANNEL, super::directory::CHANNEL]).await?;
    loop {
        let notification = listener.recv().await?;
        if notification.channel() == super::directory::CHANNEL {
            directory.forget(notification.payload());
            continue;
        }
        match serde_json::from_str::<Vec<Addressed>>(notification.payload()) {
            Ok(events) => events.into_iter().for_each(|e| hub.deliver(Broadcast::Event(Arc::new(e)))),
            Err(error) => tracing::warn!("unreadable live notification: {error}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_events_are_split_into_payloads_under_notifys_limit() {
        let mut tally = Tally::default();
        for i in 0..2000 {
            tally.add(
                &format!("owner{}", i % 50),
                &format!("instance{i:05}"),
                if i % 3 == 0 { ReplyStatus::Sent } else { ReplyStatus::Skipped },
            );
        }
        let events = tally.events();
        assert_eq!(events.len(), 2000);
        let payloads = payloads(&events);
        assert!(payloads.len() > 10);
        let mut back = Vec::new();
        for payload in &payloads {
            assert!(payload.len() < 8000, "{}", payload.len());
            back.extend(serde_json::from_str::<Vec<Addressed>>(payload).expect("JSON array"));
        }
        assert_eq!(back, events, "nothing lost or reordered");
    }

    #[test]
    fn a_tally_sums_a_batch_per_instance() {
        let mut tally = Tally::default();
        for status in
            [ReplyStatus::Sent, ReplyStatus::Sent, ReplyStatus::Skipped, ReplyStatus::Failed, ReplyStatus::Pending]
        {
            tally.add("ana", "i1", status);
        }
        tally.add("bia", "i2", ReplyStatus::Sent);
        let events = tally.events();
        assert_eq!(events.len(), 2);
        assert_eq!(
            events[0].event,
            LiveEvent::Interactions {
                instance_id: "i1".into(),
                counts: StatusCounts { pending: 1, sent: 2, failed: 1, skipped: 1 }
            }
        );
    }
}
