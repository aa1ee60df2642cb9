//! The server's records, one repository per family, over [`Db`]. Every change that moves money
//! or emits an event is one [`Db::batch`]: the state change (guarded on the state it expects),
//! its ledger entries, the account balance, the event and its webhook deliveries commit
//! together or not at all.

mod accounts;
mod addresses;
mod direct_transfers;
mod error;
mod events;
mod invoices;
mod keys;
mod keysends;
mod ledger;
mod payments;
mod quotes;
mod schedules;
mod streams;
mod swaps;
mod tournament_changes;
mod tournaments;
mod transfers;
mod vouchers;
mod webhooks;

use std::sync::Arc;

use etrid_core::lsp::LspEvent;
use tokio::sync::{broadcast, Mutex, Notify};

pub use accounts::{Account, AuthContext, Scope};
pub use addresses::{AddressRecord, NewAddress};
pub use direct_transfers::{DirectTransfer, NewTransfer, StreamSave};
pub use error::StoreError;
pub use events::EventRecord;
pub use invoices::{Inserted, InvoiceRecord, NewInvoice};
pub use keysends::{KeysendRecord, NewKeysend};
pub use payments::{NewPayment, PaymentOutcome, PaymentRecord, Reserved};
pub use schedules::{CreatedSchedule, RunOutcome, RunRecord, ScheduleRecord};
pub use streams::{CreatedStream, StreamRecord};
pub use swaps::{NewSwap, SwapChange, SwapInserted, SwapRecord};
pub use tournament_changes::{Audit, Change};
pub use tournaments::{
    new_tournament_id, EntryRecord, NewEntry, NewTournament, TournamentInserted, TournamentRecord,
};
pub use transfers::Transfer;
pub use vouchers::{CreatedBatch, NewVoucher, NewVoucherBatch, VoucherFunding, VoucherRecord};
pub use webhooks::{DueDelivery, WebhookRecord};

use crate::db::{Db, DbError, Row, Stmt, StmtResult, Value};

/// How many live events a slow WebSocket subscriber may fall behind before it is dropped (it
/// then reconnects and resumes from its last id).
const LIVE_EVENT_BUFFER: usize = 65_536;

/// An event committed for an account, as broadcast to live subscribers.
#[derive(Debug, Clone)]
pub struct LiveEvent {
    /// The account it belongs to.
    pub account_id: String,
    /// The event.
    pub event: Arc<LspEvent>,
}

/// The repositories' shared state: the database, the lock that orders event-emitting
/// transactions, and the live event channel.
#[derive(Clone)]
pub struct Store {
    db: Db,
    /// Serialises transactions that append events, so event ids become visible in id order
    /// (a subscriber that saw id n never later finds an id below n). One server process owns a
    /// database.
    write_lock: Arc<Mutex<()>>,
    live: broadcast::Sender<LiveEvent>,
    deliveries: Arc<Notify>,
    auth_cache: Arc<std::sync::Mutex<std::collections::HashMap<String, AuthContext>>>,
    /// Transfers between accounts waiting to be committed together.
    transfers: Arc<direct_transfers::TransferQueue>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("db", &self.db).finish()
    }
}

impl Store {
    /// Wraps an opened database.
    pub fn new(db: Db) -> Store {
        let (live, _) = broadcast::channel(LIVE_EVENT_BUFFER);
        Store {
            db,
            write_lock: Arc::new(Mutex::new(())),
            live,
            deliveries: Arc::new(Notify::new()),
            auth_cache: Arc::default(),
            transfers: Arc::default(),
        }
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Subscribes to events committed from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.live.subscribe()
    }

    /// Woken whenever new webhook deliveries are due.
    pub fn deliveries_notify(&self) -> Arc<Notify> {
        Arc::clone(&self.deliveries)
    }

    /// Runs a batch that appends one event (built by [`events::append`]) and broadcasts the
    /// event after the commit. Returns the batch results.
    async fn commit_with_event(
        &self,
        stmts: Vec<Stmt>,
        account_id: &str,
        event: events::PendingEvent,
    ) -> Result<(Vec<StmtResult>, Arc<LspEvent>), StoreError> {
        let (results, mut events) = self
            .commit_with_events(stmts, vec![(account_id.to_owned(), event)])
            .await?;
        let event = events.pop().ok_or_else(|| DbError::Decode {
            reason: "the event batch returned no event".into(),
        })?;
        Ok((results, event))
    }

    /// Runs a batch that appends several events, each to its account, in this order, and
    /// broadcasts them after the commit: a move of money between two accounts commits both
    /// sides' events with it, or neither. Returns the batch results and the events.
    async fn commit_with_events(
        &self,
        mut stmts: Vec<Stmt>,
        pending: Vec<(String, events::PendingEvent)>,
    ) -> Result<(Vec<StmtResult>, Vec<Arc<LspEvent>>), StoreError> {
        let _order = self.write_lock.lock().await;
        let mut event_indexes = Vec::with_capacity(pending.len());
        for (account_id, event) in &pending {
            event_indexes.push(stmts.len());
            stmts.extend(events::append(account_id, event)?);
        }
        let results = self.db.batch(stmts).await?;
        let mut committed = Vec::with_capacity(pending.len());
        for ((account_id, event), index) in pending.into_iter().zip(event_indexes) {
            let id = results
                .get(index)
                .and_then(|r| r.rows.first())
                .map(|row| row.uint(0))
                .transpose()?
                .ok_or_else(|| DbError::Decode {
                    reason: "event insert returned no id".into(),
                })?;
            let event = Arc::new(event.into_event(id));
            // No subscriber is fine: the event is in the database for them to read later.
            let _ = self.live.send(LiveEvent {
                account_id,
                event: Arc::clone(&event),
            });
            committed.push(event);
        }
        self.deliveries.notify_one();
        Ok((results, committed))
    }
}

/// A decoded page cursor: the `(created_at, id)` of the last item of the previous page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The last item's creation time.
    pub created_at: u64,
    /// The last item's id.
    pub id: String,
}

impl Cursor {
    /// The opaque text form.
    pub fn encode(&self) -> String {
        format!("{}.{}", self.created_at, self.id)
    }

    /// Parses the opaque text form of a cursor of the list whose ids start with `prefix`
    /// (`inv`, `pay`, …), so a cursor of one list is refused by another.
    ///
    /// # Errors
    /// [`StoreError::InvalidCursor`].
    pub fn decode(text: &str, prefix: &str) -> Result<Cursor, StoreError> {
        let bad = || StoreError::InvalidCursor;
        let (t, id) = text.split_once('.').ok_or_else(bad)?;
        let created_at = t.parse().map_err(|_| bad())?;
        let of_this_list = id
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('_'));
        if !crate::ids::is_valid_id(id) || !of_this_list {
            return Err(bad());
        }
        Ok(Cursor {
            created_at,
            id: id.to_owned(),
        })
    }
}

/// Paging and time filters common to the list operations.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only items with this status.
    pub status: Option<&'static str>,
    /// Inclusive lower bound of `created_at`.
    pub created_after: Option<u64>,
    /// Exclusive upper bound of `created_at`.
    pub created_before: Option<u64>,
    /// Page size (1-100).
    pub limit: u32,
    /// Continue after this item.
    pub cursor: Option<Cursor>,
}

impl ListFilter {
    /// Appends the filter as `AND …` conditions on columns `status` and `created_at`, `id`
    /// (newest first) and returns the parameters, starting at placeholder `$first`.
    fn params(&self) -> Vec<Value> {
        let (c_at, c_id) = match &self.cursor {
            Some(c) => (Value::from(c.created_at), Value::from(c.id.clone())),
            None => (Value::Null, Value::Null),
        };
        vec![
            Value::from(self.status),
            Value::from(self.created_after),
            Value::from(self.created_before),
            c_at,
            c_id,
            Value::from(u64::from(self.limit) + 1),
        ]
    }
}

/// The SQL tail every list query shares: filters on `$2…$7` (status, created_after,
/// created_before, cursor time, cursor id, limit + 1), newest first.
pub(crate) const LIST_TAIL: &str = "
    AND (CAST($2 AS TEXT) IS NULL OR status = $2)
    AND (CAST($3 AS BIGINT) IS NULL OR created_at >= $3)
    AND (CAST($4 AS BIGINT) IS NULL OR created_at < $4)
    AND (CAST($5 AS BIGINT) IS NULL OR created_at < $5 OR (created_at = $5 AND id < CAST($6 AS TEXT)))
    ORDER BY created_at DESC, id DESC
    LIMIT $7";

/// A stored value the store cannot read back.
pub(crate) fn decode_error(reason: String) -> StoreError {
    DbError::Decode { reason }.into()
}

/// Column `i` of `row` as a `u32` (counts and indexes the store wrote from one).
pub(crate) fn u32_column(row: &Row, i: usize) -> Result<u32, StoreError> {
    u32::try_from(row.uint(i)?).map_err(|_| decode_error(format!("column {i} beyond u32")))
}

impl Store {
    /// `SELECT {columns} FROM {table} WHERE {condition}`, every row decoded.
    async fn select_where<T>(
        &self,
        columns: &str,
        table: &str,
        condition: &str,
        params: Vec<Value>,
        decode: impl Fn(&Row) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let sql = format!("SELECT {columns} FROM {table} WHERE {condition}");
        self.db
            .query(&sql, params)
            .await?
            .iter()
            .map(decode)
            .collect()
    }

    /// A page of `account_id`'s rows of `table` (which has `id`, `created_at` and `status`),
    /// newest first, with `filter` applied; each row decoded to an item whose `cursor` is its
    /// creation time and id.
    async fn account_page<T>(
        &self,
        columns: &str,
        table: &str,
        account_id: &str,
        filter: &ListFilter,
        decode: impl Fn(&Row) -> Result<T, StoreError>,
        cursor: impl Fn(&T) -> Cursor,
    ) -> Result<(Vec<T>, Option<String>), StoreError> {
        let mut params = vec![Value::from(account_id)];
        params.extend(filter.params());
        let condition = format!("account_id = $1 {LIST_TAIL}");
        let items = self
            .select_where(columns, table, &condition, params, decode)
            .await?;
        Ok(page(items, filter.limit, cursor))
    }
}

/// Splits a fetched `limit + 1` rows into the page and its next cursor.
pub(crate) fn page<T>(
    mut items: Vec<T>,
    limit: u32,
    key: impl Fn(&T) -> Cursor,
) -> (Vec<T>, Option<String>) {
    let limit = limit as usize;
    if items.len() > limit {
        items.truncate(limit);
        let next = items.last().map(|last| key(last).encode());
        (items, next)
    } else {
        (items, None)
    }
}

#[cfg(test)]
mod tests;
