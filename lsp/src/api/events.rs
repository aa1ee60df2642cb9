//! Events: `GET /v1/events` (pages by id) and the WebSocket stream `GET /v1/events/stream`,
//! which replays everything after the client's last id and then follows live events, so a
//! reconnecting client misses nothing and sees nothing twice.

use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use axum::Json;
use etrid_core::lsp::{EventList, LspEvent};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;

use super::query::Params;
use super::{AppState, Caller};
use crate::error::{ApiResult, ServerError};

/// The subprotocol the server speaks.
const PROTOCOL: &str = "etrid.v1";
/// Keep-alive ping interval.
const PING_EVERY: Duration = Duration::from_secs(30);
/// Events read from the database per backlog query.
const BACKLOG_PAGE: u32 = 500;

/// Query of both event routes.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EventsQuery {
    after: Option<u64>,
    limit: Option<u32>,
}

/// `GET /v1/events`
pub(super) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<EventsQuery>,
) -> ApiResult<Json<EventList>> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ServerError::invalid("limit must be between 1 and 1000"));
    }
    let (items, has_more) = state
        .engine
        .store()
        .list_events(&caller.invoice().account_id, q.after, limit)
        .await?;
    Ok(Json(EventList { items, has_more }))
}

/// `GET /v1/events/stream` (WebSocket). Authentication failures and expired cursors are
/// reported as close codes (4401, 4410) so browsers, which cannot read a refused handshake,
/// learn why.
pub(super) async fn stream(
    State(state): State<AppState>,
    caller: Result<Caller, ServerError>,
    Params(q): Params<EventsQuery>,
    ws: WebSocketUpgrade,
) -> Response {
    ws.protocols([PROTOCOL])
        .on_upgrade(move |socket| async move {
            match caller {
                Ok(caller) => serve(state, caller, q.after, socket).await,
                Err(e) => close(socket, 4401, &e.to_string()).await,
            }
        })
}

async fn close(mut socket: WebSocket, code: u16, reason: &str) {
    let reason: String = reason.chars().take(120).collect();
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code,
            reason: Utf8Bytes::from(reason),
        })))
        .await;
}

async fn send_event(socket: &mut WebSocket, event: &LspEvent) -> bool {
    match serde_json::to_string(event) {
        Ok(text) => socket.send(Message::Text(text.into())).await.is_ok(),
        Err(_) => false,
    }
}

/// Sends every stored event after `last`, advancing it. `false` when the socket is gone.
async fn replay(
    state: &AppState,
    account_id: &str,
    socket: &mut WebSocket,
    last: &mut u64,
) -> Result<bool, ServerError> {
    loop {
        let (events, more) = state
            .engine
            .store()
            .list_events(account_id, Some(*last), BACKLOG_PAGE)
            .await?;
        for event in &events {
            if !send_event(socket, event).await {
                return Ok(false);
            }
            *last = event.id;
        }
        if !more {
            return Ok(true);
        }
    }
}

async fn serve(state: AppState, caller: Caller, after: Option<u64>, mut socket: WebSocket) {
    let account_id = caller.invoice().account_id.clone();
    // Subscribe before reading the backlog, so nothing committed in between is lost.
    let mut live = state.engine.store().subscribe();
    let mut last = match after {
        Some(after) => after,
        // Live only: start from the newest stored event.
        None => match newest_id(&state, &account_id).await {
            Ok(id) => id,
            Err(e) => return close(socket, 1011, &e.to_string()).await,
        },
    };
    match replay(&state, &account_id, &mut socket, &mut last).await {
        Ok(true) => {}
        Ok(false) => return,
        Err(ServerError::CursorExpired { .. }) => {
            return close(socket, 4410, "cursor older than the retained events").await
        }
        Err(e) => return close(socket, 1011, &e.to_string()).await,
    }
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    let mut shutdown = state.shutdown.clone();
    loop {
        tokio::select! {
            _ = shutdown.changed() => return close(socket, 1001, "server shutting down").await,
            received = live.recv() => match received {
                Ok(ev) if ev.account_id == account_id && ev.event.id > last => {
                    if !send_event(&mut socket, &ev.event).await {
                        return;
                    }
                    last = ev.event.id;
                }
                Ok(_) => {}
                // Fell behind the live channel: catch up from the database.
                Err(RecvError::Lagged(_)) => {
                    match replay(&state, &account_id, &mut socket, &mut last).await {
                        Ok(true) => {}
                        Ok(false) => return,
                        Err(e) => return close(socket, 1011, &e.to_string()).await,
                    }
                }
                Err(RecvError::Closed) => return close(socket, 1001, "server shutting down").await,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
            _ = ping.tick() => {
                if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                    return;
                }
            }
        }
    }
}

async fn newest_id(state: &AppState, account_id: &str) -> Result<u64, ServerError> {
    Ok(state
        .engine
        .store()
        .db()
        .query_opt(
            "SELECT MAX(id) FROM events WHERE account_id = $1",
            vec![account_id.into()],
        )
        .await?
        .and_then(|r| r.opt_uint(0).ok().flatten())
        .unwrap_or(0))
}
