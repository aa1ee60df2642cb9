//! An account's events as the API reads them: pages by id, the newest id, and the live feed
//! a WebSocket follows after replaying the stored ones.

use etrid_core::lsp::{EventList, LspEvent};
use tokio::sync::broadcast;

use super::Engine;
use crate::error::ServerError;
use crate::store::{AuthContext, LiveEvent};

impl Engine {
    /// The account's events with id > `after` (from the oldest retained when `None`),
    /// ascending, at most `limit`.
    ///
    /// # Errors
    /// `cursor_expired` when `after` is older than the retained events; database failures.
    pub async fn list_events(
        &self,
        ctx: &AuthContext,
        after: Option<u64>,
        limit: u32,
    ) -> Result<EventList, ServerError> {
        let (items, has_more) = self.events_after(ctx, after, limit).await?;
        Ok(EventList { items, has_more })
    }

    /// As [`Engine::list_events`], as the events and whether more follow.
    ///
    /// # Errors
    /// As [`Engine::list_events`].
    pub async fn events_after(
        &self,
        ctx: &AuthContext,
        after: Option<u64>,
        limit: u32,
    ) -> Result<(Vec<LspEvent>, bool), ServerError> {
        Ok(self
            .store
            .list_events(&ctx.account_id, after, limit)
            .await?)
    }

    /// The id of the account's newest event (0 when it has none).
    ///
    /// # Errors
    /// Database failures.
    pub async fn newest_event_id(&self, ctx: &AuthContext) -> Result<u64, ServerError> {
        Ok(self.store.newest_event_id(&ctx.account_id).await?)
    }

    /// Events committed from now on, of every account (filter by `account_id`).
    pub fn live_events(&self) -> broadcast::Receiver<LiveEvent> {
        self.store.subscribe()
    }
}
