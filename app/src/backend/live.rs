//! Live updates for open pages: each event is addressed to the owner of the instance it concerns
//! (admins see every one). The `/ws` route subscribes a signed-in browser here.
use crate::domain::live::LiveEvent;
use std::sync::Arc;
use tokio::sync::broadcast;

/// An event and the user (hex id) whose pages it is for.
#[derive(Debug, Clone)]
pub struct Addressed {
    pub owner_id: String,
    pub event: LiveEvent,
}

#[derive(Clone)]
pub struct LiveHub {
    sender: broadcast::Sender<Arc<Addressed>>,
}

impl Default for LiveHub {
    fn default() -> Self {
        // A page that falls this far behind skips ahead (it refetches on lag).
        Self { sender: broadcast::channel(1024).0 }
    }
}

impl LiveHub {
    pub fn publish(&self, owner_id: String, event: LiveEvent) {
        // No open page is not an error.
        let _ = self.sender.send(Arc::new(Addressed { owner_id, event }));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Addressed>> {
        self.sender.subscribe()
    }
}
