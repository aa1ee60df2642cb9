//! Account events: appended inside the transaction that causes them (with one webhook delivery
//! per matching webhook), read back by id for listing and stream resumption, pruned after the
//! retention period.

use etrid_core::lsp::{EventPayload, LspEvent};

use super::Store;
use super::StoreError;
use crate::db::{Row, Stmt, Value};
use crate::time::now_secs;

/// The `lsp_meta` key holding the highest pruned event id.
const PRUNED_THROUGH: &str = "events_pruned_through";

/// An event about to be committed (its id comes from the database).
#[derive(Debug, Clone)]
pub(crate) struct PendingEvent {
    pub(crate) created_at: u64,
    pub(crate) payload: EventPayload,
}

impl PendingEvent {
    /// An event happening now.
    pub(crate) fn now(payload: EventPayload) -> PendingEvent {
        PendingEvent {
            created_at: now_secs(),
            payload,
        }
    }

    pub(crate) fn into_event(self, id: u64) -> LspEvent {
        LspEvent {
            id,
            created_at: self.created_at,
            payload: self.payload,
        }
    }
}

/// A stored event with its account.
#[derive(Debug, Clone)]
pub struct EventRecord {
    /// The account.
    pub account_id: String,
    /// The event.
    pub event: LspEvent,
}

/// The statements that append `event` for `account_id` and queue its webhook deliveries: an
/// `INSERT … RETURNING id` (the caller reads the id from its result) and the deliveries'
/// `INSERT … SELECT`, which finds the new event as the account's newest (event-appending
/// transactions are serialised by the store's write lock).
pub(crate) fn append(account_id: &str, event: &PendingEvent) -> Result<Vec<Stmt>, StoreError> {
    let (kind, data) = split_payload(&event.payload)?;
    let pattern = format!("%\"{kind}\"%");
    Ok(vec![
        Stmt::returning(
            "INSERT INTO events (account_id, type, created_at, data) VALUES ($1, $2, $3, $4) \
             RETURNING id",
            vec![
                account_id.into(),
                kind.into(),
                event.created_at.into(),
                data.into(),
            ],
        ),
        Stmt::new(
            "INSERT INTO deliveries (id, webhook_id, account_id, event_id, event_type, status, \
             attempts, next_retry_at, created_at) \
             SELECT 'dlv_' || e.id || '_' || w.id, w.id, w.account_id, e.id, e.type, 'pending', \
             0, $2, $2 FROM webhooks w, events e \
             WHERE e.id = (SELECT MAX(id) FROM events WHERE account_id = $1) \
             AND w.account_id = $1 AND w.deleted_at IS NULL \
             AND (w.event_types = '[]' OR w.event_types LIKE $3)",
            vec![account_id.into(), event.created_at.into(), pattern.into()],
        ),
    ])
}

/// The payload's type name and its `data` object as JSON text.
fn split_payload(payload: &EventPayload) -> Result<(&'static str, String), StoreError> {
    let value = serde_json::to_value(payload).map_err(|e| crate::db::DbError::Decode {
        reason: e.to_string(),
    })?;
    let kind = LspEvent::type_of(payload).as_str();
    let data = value.get("data").cloned().unwrap_or_default();
    Ok((kind, data.to_string()))
}

/// Rebuilds a stored event from `id, type, created_at, data`.
pub(crate) fn event_from_row(r: &Row) -> Result<LspEvent, StoreError> {
    let data: serde_json::Value =
        serde_json::from_str(&r.text(3)?).map_err(|e| crate::db::DbError::Decode {
            reason: format!("event data: {e}"),
        })?;
    let json = serde_json::json!({
        "id": r.uint(0)?,
        "type": r.text(1)?,
        "created_at": r.uint(2)?,
        "data": data,
    });
    serde_json::from_value(json).map_err(|e| {
        crate::db::DbError::Decode {
            reason: format!("event: {e}"),
        }
        .into()
    })
}

impl Store {
    /// Up to `limit` events of the account with id > `after`, ascending, and whether more
    /// follow.
    ///
    /// # Errors
    /// `cursor_expired` when `after` is below the pruned range.
    pub async fn list_events(
        &self,
        account_id: &str,
        after: Option<u64>,
        limit: u32,
    ) -> Result<(Vec<LspEvent>, bool), StoreError> {
        let after = after.unwrap_or(0);
        let pruned = self.pruned_through().await?;
        if after < pruned {
            return Err(StoreError::CursorExpired { after });
        }
        let rows = self
            .db
            .query(
                "SELECT id, type, created_at, data FROM events WHERE account_id = $1 AND id > $2 \
                 ORDER BY id LIMIT $3",
                vec![
                    account_id.into(),
                    after.into(),
                    Value::from(u64::from(limit) + 1),
                ],
            )
            .await?;
        let mut events = rows
            .iter()
            .map(event_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let has_more = events.len() > limit as usize;
        events.truncate(limit as usize);
        Ok((events, has_more))
    }

    /// The id of the account's newest event (0 when it has none).
    ///
    /// # Errors
    /// Database failures.
    pub async fn newest_event_id(&self, account_id: &str) -> Result<u64, StoreError> {
        let row = self
            .db
            .query_opt(
                "SELECT MAX(id) FROM events WHERE account_id = $1",
                vec![account_id.into()],
            )
            .await?;
        Ok(match row {
            Some(r) => r.opt_uint(0)?.unwrap_or(0),
            None => 0,
        })
    }

    /// The highest event id pruned so far (0 if none).
    ///
    /// # Errors
    /// Database failures.
    pub async fn pruned_through(&self) -> Result<u64, StoreError> {
        Ok(self
            .db
            .query_opt(
                "SELECT value FROM lsp_meta WHERE key = $1",
                vec![PRUNED_THROUGH.into()],
            )
            .await?
            .map(|r| r.uint(0))
            .transpose()?
            .unwrap_or(0))
    }

    /// Deletes events older than `retention_secs` and records the pruned range.
    ///
    /// # Errors
    /// Database failures.
    pub async fn prune_events(&self, retention_secs: u64) -> Result<u64, StoreError> {
        let cutoff = now_secs().saturating_sub(retention_secs);
        let Some(max) = self
            .db
            .query_opt(
                "SELECT MAX(id) FROM events WHERE created_at < $1",
                vec![cutoff.into()],
            )
            .await?
            .and_then(|r| r.opt_uint(0).ok().flatten())
        else {
            return Ok(0);
        };
        let results = self
            .db
            .batch(vec![
                Stmt::new("DELETE FROM events WHERE id <= $1", vec![max.into()]),
                Stmt::new(
                    "DELETE FROM lsp_meta WHERE key = $1",
                    vec![PRUNED_THROUGH.into()],
                ),
                Stmt::new(
                    "INSERT INTO lsp_meta (key, value) VALUES ($1, $2)",
                    vec![PRUNED_THROUGH.into(), max.into()],
                ),
            ])
            .await?;
        Ok(results.first().map_or(0, |r| r.changed))
    }
}
