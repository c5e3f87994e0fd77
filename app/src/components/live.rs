//! Live updates for the open page over `/ws`. Inert while rendering on the server. One socket
//! per tab, however many parts of the page listen (the bell, the page itself).
use crate::domain::live::LiveEvent;
#[cfg(feature = "hydrate")]
use leptos::prelude::*;

/// Calls `on_event` with each event the server pushes to this person, and with `None` when some
/// may have been missed (a lagging socket, a reconnect): then the page refetches what it shows.
pub fn use_live_events(on_event: impl Fn(Option<LiveEvent>) + Clone + 'static) {
    #[cfg(feature = "hydrate")]
    {
        use std::sync::{
            atomic::{AtomicU64, Ordering},
            Arc,
        };
        // 0 until subscribed; ids start at 1.
        let id = Arc::new(AtomicU64::new(0));
        let subscribed = id.clone();
        Effect::new(move |_| {
            if subscribed.load(Ordering::Relaxed) == 0 {
                subscribed.store(socket::subscribe(std::rc::Rc::new(on_event.clone())), Ordering::Relaxed);
            }
        });
        on_cleanup(move || socket::unsubscribe(id.load(Ordering::Relaxed)));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = on_event;
}

/// Calls `refetch` when something changed on the instance the page shows (`instance`, its id), or
/// when some events may have been missed: the pages that follow one instance (inbox, comments).
pub fn use_instance_changes(
    instance: leptos::prelude::Memo<crate::domain::id::InstanceId>,
    refetch: impl Fn() + Clone + 'static,
) {
    use_live_events(move |event| {
        let ours = match &event {
            None => true,
            Some(LiveEvent::Interactions { instance_id, .. }) => {
                *instance_id == leptos::prelude::GetUntracked::get_untracked(&instance)
            }
            Some(_) => false,
        };
        if ours {
            refetch();
        }
    });
}

#[cfg(feature = "hydrate")]
mod socket {
    use super::LiveEvent;
    use futures_util::StreamExt;
    use gloo_net::websocket::{futures::WebSocket, Message};
    use leptos::prelude::{set_timeout, window};
    use std::{cell::RefCell, rc::Rc, time::Duration};

    const RECONNECT_AFTER: Duration = Duration::from_secs(3);

    type Listener = Rc<dyn Fn(Option<LiveEvent>)>;

    #[derive(Default)]
    struct Listeners {
        next_id: u64,
        started: bool,
        all: Vec<(u64, Listener)>,
    }

    thread_local! {
        static LISTENERS: RefCell<Listeners> = RefCell::new(Listeners::default());
    }

    /// Adds a listener; the first one opens the tab's socket.
    pub fn subscribe(listener: Listener) -> u64 {
        let (id, start) = LISTENERS.with_borrow_mut(|l| {
            l.next_id += 1;
            l.all.push((l.next_id, listener));
            let start = !l.started;
            l.started = true;
            (l.next_id, start)
        });
        if start {
            connect(false);
        }
        id
    }

    pub fn unsubscribe(id: u64) {
        LISTENERS.with_borrow_mut(|l| l.all.retain(|(i, _)| *i != id));
    }

    fn tell(event: Option<LiveEvent>) {
        // Copied out first: a listener may subscribe or unsubscribe others while it runs.
        let listeners: Vec<Listener> = LISTENERS.with_borrow(|l| l.all.iter().map(|(_, f)| f.clone()).collect());
        for listener in listeners {
            listener(event.clone());
        }
    }

    fn connect(again: bool) {
        let location = window().location();
        let scheme = if location.protocol().ok().as_deref() == Some("https:") { "wss" } else { "ws" };
        let Ok(host) = location.host() else { return };
        let url = format!("{scheme}://{host}/ws");
        leptos::task::spawn_local(async move {
            if let Ok(socket) = WebSocket::open(&url) {
                if again {
                    tell(None);
                }
                let (_, mut incoming) = socket.split();
                while let Some(message) = incoming.next().await {
                    match message {
                        // Anything else than a known event (`lagged`) means: refetch.
                        Ok(Message::Text(text)) => tell(serde_json::from_str(&text).ok()),
                        Ok(Message::Bytes(_)) => {}
                        Err(_) => break,
                    }
                }
            }
            // Nobody listens any more (signed out, a page without live parts): the socket rests
            // until someone subscribes again.
            let listened = LISTENERS.with_borrow_mut(|l| {
                l.started = !l.all.is_empty();
                l.started
            });
            if listened {
                set_timeout(move || connect(true), RECONNECT_AFTER);
            }
        });
    }
}
