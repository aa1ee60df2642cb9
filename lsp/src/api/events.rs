//! Events: `GET /v1/events` (pages by id) and the WebSocket stream `GET /v1/events/stream`,
//! which replays everything after the client's last id and then follows live events, so a
//! reconnecting client misses nothing and sees nothing twice.

use std::time::Duration;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use etrid_core::lsp::limits::{DEFAULT_EVENTS_LIMIT, MAX_EVENTS_LIMIT};
use etrid_core::lsp::{check_page_limit, ApiErrorCode, EventList, LspEvent};
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;

use super::error::{ApiError, ApiResult};
use super::extract::Params;
use super::scope::InvoiceKey;
use super::AppState;
use crate::error::ServerError;
use crate::store::AuthContext;

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
    InvoiceKey(ctx): InvoiceKey,
    Params(q): Params<EventsQuery>,
) -> ApiResult<Json<EventList>> {
    check_page_limit(q.limit, MAX_EVENTS_LIMIT).map_err(ServerError::from)?;
    let limit = q.limit.unwrap_or(DEFAULT_EVENTS_LIMIT);
    Ok(Json(state.engine.list_events(&ctx, q.after, limit).await?))
}

/// `GET /v1/events/stream` (WebSocket). On an upgrade request, authentication failures and
/// expired cursors are reported as close codes (4401, 4410) so browsers, which cannot read a
/// refused handshake, learn why. A plain GET is answered like every other route: `401`
/// without a valid key, `400` with one (it is not a WebSocket upgrade).
pub(super) async fn stream(
    State(state): State<AppState>,
    key: Result<InvoiceKey, ApiError>,
    Params(q): Params<EventsQuery>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let ws = match (ws, key) {
        (Ok(ws), key) => ws
            .protocols([PROTOCOL])
            .on_upgrade(move |socket| async move {
                match key {
                    Ok(InvoiceKey(ctx)) => serve(state, ctx, q.after, socket).await,
                    Err(e) => close(socket, 4401, &e.message).await,
                }
            }),
        (Err(_), Err(e)) => return e.into_response(),
        (Err(rejection), Ok(_)) => {
            return ApiError::new(
                ApiErrorCode::InvalidRequest,
                format!(
                    "this route is a WebSocket (subprotocol {PROTOCOL}): {}",
                    rejection.body_text()
                ),
            )
            .into_response()
        }
    };
    ws
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
    ctx: &AuthContext,
    socket: &mut WebSocket,
    last: &mut u64,
) -> Result<bool, ServerError> {
    loop {
        let (events, more) = state
            .engine
            .events_after(ctx, Some(*last), BACKLOG_PAGE)
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

async fn serve(state: AppState, ctx: AuthContext, after: Option<u64>, mut socket: WebSocket) {
    let account_id = ctx.account_id.clone();
    // Subscribe before reading the backlog, so nothing committed in between is lost.
    let mut live = state.engine.live_events();
    let mut last = match after {
        Some(after) => after,
        // Live only: start from the newest stored event.
        None => match state.engine.newest_event_id(&ctx).await {
            Ok(id) => id,
            Err(e) => return close(socket, 1011, &e.to_string()).await,
        },
    };
    match replay(&state, &ctx, &mut socket, &mut last).await {
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
                    match replay(&state, &ctx, &mut socket, &mut last).await {
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
