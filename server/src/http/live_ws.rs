//! `GET /ws`: live updates for a signed-in browser (session cookie or Clerky Bearer token). Each
//! message is a JSON `LiveEvent` for the caller's own instances; admins receive every one.
use super::error::{signed_in, take, HttpError};
use app::backend::{live::Broadcast, measure::SocketOpen, rate_limit::Quota, AppState};
use axum::{
    extract::{
        ws::{Message, WebSocket, WebSocketUpgrade},
        State,
    },
    http::HeaderMap,
    response::Response,
};
use tokio::sync::broadcast::error::RecvError;

pub async fn upgrade(
    State(state): State<AppState>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Result<Response, HttpError> {
    let who = signed_in(&state, &headers).await?;
    let user_id = who.id().to_string();
    let quota = Quota::per_minute(state.config.limits.sockets_per_user_per_minute);
    take(&state, "sockets", &user_id, quota).await?;
    let admin = who.is_admin();
    Ok(upgrade.on_upgrade(move |socket| forward(state, socket, user_id, admin)))
}

async fn forward(state: AppState, mut socket: WebSocket, user_id: String, admin: bool) {
    let _counted = SocketOpen::count();
    let mut events = state.live.subscribe();
    loop {
        tokio::select! {
            received = events.recv() => match received {
                Ok(Broadcast::Event(addressed)) if admin || addressed.owner_id == user_id => {
                    let Ok(text) = serde_json::to_string(&addressed.event) else { continue };
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        return;
                    }
                }
                Ok(Broadcast::Event(_)) => {}
                // Fell behind, or events may have been missed: the page refetches on `lagged`.
                Ok(Broadcast::Resync) | Err(RecvError::Lagged(_)) => {
                    if socket.send(Message::Text(r#"{"type":"lagged"}"#.into())).await.is_err() {
                        return;
                    }
                }
                Err(RecvError::Closed) => return,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_)) | Err(_)) | None => return,
                Some(Ok(_)) => {}
            },
        }
    }
}
