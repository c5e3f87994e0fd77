//! Live updates for the open page over `/ws`. Inert while rendering on the server.
use crate::domain::live::LiveEvent;
#[cfg(feature = "hydrate")]
use leptos::prelude::*;

/// Calls `on_event` with each event the server pushes to this person, and with `None` when some
/// may have been missed (a lagging socket, a reconnect): then the page refetches what it shows.
pub fn use_live_events(on_event: impl Fn(Option<LiveEvent>) + Clone + 'static) {
    #[cfg(feature = "hydrate")]
    {
        use std::sync::{
            atomic::{AtomicBool, Ordering},
            Arc,
        };
        let stopped = Arc::new(AtomicBool::new(false));
        let on_cleanup_flag = stopped.clone();
        on_cleanup(move || on_cleanup_flag.store(true, Ordering::Relaxed));
        Effect::new(move |_| socket::connect(on_event.clone(), stopped.clone(), false));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = on_event;
}

#[cfg(feature = "hydrate")]
mod socket {
    use super::LiveEvent;
    use futures_util::StreamExt;
    use gloo_net::websocket::{futures::WebSocket, Message};
    use leptos::prelude::{set_timeout, window};
    use std::{
        sync::{
            atomic::{AtomicBool, Ordering},
            Arc,
        },
        time::Duration,
    };

    const RECONNECT_AFTER: Duration = Duration::from_secs(3);

    pub fn connect(on_event: impl Fn(Option<LiveEvent>) + Clone + 'static, stopped: Arc<AtomicBool>, again: bool) {
        let location = window().location();
        let scheme = if location.protocol().ok().as_deref() == Some("https:") { "wss" } else { "ws" };
        let Ok(host) = location.host() else { return };
        let url = format!("{scheme}://{host}/ws");
        leptos::task::spawn_local(async move {
            if let Ok(socket) = WebSocket::open(&url) {
                if again {
                    on_event(None);
                }
                let (_, mut incoming) = socket.split();
                while let Some(message) = incoming.next().await {
                    if stopped.load(Ordering::Relaxed) {
                        return;
                    }
                    match message {
                        // Anything else than a known event (`lagged`) means: refetch.
                        Ok(Message::Text(text)) => on_event(serde_json::from_str(&text).ok()),
                        Ok(Message::Bytes(_)) => {}
                        Err(_) => break,
                    }
                }
            }
            if !stopped.load(Ordering::Relaxed) {
                set_timeout(move || connect(on_event, stopped, true), RECONNECT_AFTER);
            }
        });
    }
}
