//! Streaming payments (S24): each stream with the core's accounting state
//! ([`StreamingPayment`], as JSON). The state is saved before a payment is made (its sequence
//! in flight) and after its outcome, so a restarted LSP finds the payment under its key
//! `stream:{id}:{sequence}` or makes it, never a second one.

use etrid_core::lsp::{LspStream, PayoutDestination};
use etrid_core::streaming::StreamingPayment;

use super::tournaments::json_text;
use super::{decode_error as decode, Cursor, ListFilter, Store, StoreError};
use crate::db::{DbError, Row, Stmt, Value};

const COLUMNS: &str = "id, account_id, destination, description, engine, created_at, \
    updated_at_ms, ended_at, failure_reason, fingerprint, status";

/// A stream as stored: its destination, its accounting and the server's bookkeeping.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamRecord {
    /// Its id.
    pub id: String,
    /// The paying account.
    pub account_id: String,
    /// Who is paid.
    pub destination: PayoutDestination,
    /// What it pays for.
    pub description: String,
    /// The accounting.
    pub engine: StreamingPayment,
    /// Creation time, unix seconds.
    pub created_at: u64,
    /// When the state was saved, unix milliseconds.
    pub updated_at_ms: u64,
    /// When it finished or failed.
    pub ended_at: Option<u64>,
    /// Why the last payment failed.
    pub failure_reason: Option<String>,
    /// A digest of the create request, for idempotency.
    pub fingerprint: String,
}

impl StreamRecord {
    /// The public model.
    pub fn model(&self) -> LspStream {
        let stats = self.engine.stats();
        let config = self.engine.config();
        LspStream {
            id: self.id.clone(),
            state: stats.state,
            destination: self.destination.clone(),
            rate_msat_per_sec: config.rate_msat_per_sec,
            budget_msat: config.budget_cap,
            tick_interval_ms: config.tick_interval_ms,
            description: self.description.clone(),
            active_ms: stats.active_ms,
            earned_msat: stats.earned,
            paid_msat: stats.paid,
            in_flight_msat: stats.in_flight,
            owed_msat: stats.owed,
            payments: self.engine.payments_started(),
            created_at: self.created_at,
            updated_at_ms: self.updated_at_ms,
            ended_at: self.ended_at,
            failure_reason: self.failure_reason.clone(),
        }
    }
}

/// What [`Store::insert_stream`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum CreatedStream {
    /// A new stream.
    Created(StreamRecord),
    /// The account already created one under this key.
    Existing(StreamRecord),
}

fn record_from_row(r: &Row) -> Result<StreamRecord, StoreError> {
    let destination: PayoutDestination = serde_json::from_str(&r.text(2)?)
        .map_err(|e| decode(format!("stream destination: {e}")))?;
    let engine: StreamingPayment =
        serde_json::from_str(&r.text(4)?).map_err(|e| decode(format!("stream state: {e}")))?;
    Ok(StreamRecord {
        id: r.text(0)?,
        account_id: r.text(1)?,
        destination,
        description: r.text(3)?,
        engine,
        created_at: r.uint(5)?,
        updated_at_ms: r.uint(6)?,
        ended_at: r.opt_uint(7)?,
        failure_reason: r.opt_text(8)?,
        fingerprint: r.text(9)?,
    })
}

impl Store {
    async fn streams_where(
        &self,
        condition: &str,
        params: Vec<Value>,
    ) -> Result<Vec<StreamRecord>, StoreError> {
        self.select_where(COLUMNS, "streams", condition, params, record_from_row)
            .await
    }

    /// Records a new stream, or answers the one the account created under the same key.
    ///
    /// # Errors
    /// Database failures.
    pub async fn insert_stream(
        &self,
        rec: &StreamRecord,
        idempotency_key: &str,
    ) -> Result<CreatedStream, StoreError> {
        let result = self
            .db
            .execute(
                "INSERT INTO streams (id, account_id, status, destination, description, engine, \
                 idempotency_key, fingerprint, created_at, updated_at_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                vec![
                    rec.id.clone().into(),
                    rec.account_id.clone().into(),
                    rec.engine.state().as_str().into(),
                    json_text(&rec.destination)?.into(),
                    rec.description.clone().into(),
                    json_text(&rec.engine)?.into(),
                    idempotency_key.into(),
                    rec.fingerprint.clone().into(),
                    rec.created_at.into(),
                    rec.updated_at_ms.into(),
                ],
            )
            .await;
        match result {
            Ok(_) => Ok(CreatedStream::Created(rec.clone())),
            Err(DbError::Unique { .. }) => self
                .streams_where(
                    "account_id = $1 AND idempotency_key = $2",
                    vec![rec.account_id.clone().into(), idempotency_key.into()],
                )
                .await?
                .pop()
                .map(CreatedStream::Existing)
                .ok_or_else(|| StoreError::conflict("the stream's id is taken")),
            Err(e) => Err(e.into()),
        }
    }

    /// The account's stream `id`.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn stream(&self, account_id: &str, id: &str) -> Result<StreamRecord, StoreError> {
        self.streams_where(
            "id = $1 AND account_id = $2",
            vec![id.into(), account_id.into()],
        )
        .await?
        .pop()
        .ok_or_else(|| StoreError::not_found("stream"))
    }

    /// A page of the account's streams, newest first.
    ///
    /// # Errors
    /// Database failures.
    pub async fn list_streams(
        &self,
        account_id: &str,
        filter: &ListFilter,
    ) -> Result<(Vec<LspStream>, Option<String>), StoreError> {
        let decode = |r: &Row| record_from_row(r).map(|rec| rec.model());
        self.account_page(COLUMNS, "streams", account_id, filter, decode, |s| Cursor {
            created_at: s.created_at,
            id: s.id.clone(),
        })
        .await
    }

    /// Every stream that may have something to pay: running, settling, or paused (a payment
    /// may still be in flight), in one read. The streamer steps those with something due,
    /// each read again under its lock.
    ///
    /// # Errors
    /// Database failures.
    pub async fn live_streams(&self) -> Result<Vec<StreamRecord>, StoreError> {
        self.streams_where("status IN ('running', 'settling', 'paused')", vec![])
            .await
    }

    /// Replaces the key of the account's stream `id` by the one hashing to `key_hash` (the
    /// previous key stops working).
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn set_stream_key(
        &self,
        account_id: &str,
        id: &str,
        key_hash: &str,
    ) -> Result<(), StoreError> {
        let changed = self
            .db
            .execute(
                "UPDATE streams SET key_hash = $1 WHERE id = $2 AND account_id = $3",
                vec![key_hash.into(), id.into(), account_id.into()],
            )
            .await?;
        if changed == 1 {
            Ok(())
        } else {
            Err(StoreError::not_found("stream"))
        }
    }

    /// The stream whose key hashes to `key_hash`.
    ///
    /// # Errors
    /// Database failures.
    pub async fn stream_by_key_hash(
        &self,
        key_hash: &str,
    ) -> Result<Option<StreamRecord>, StoreError> {
        Ok(self
            .streams_where("key_hash = $1", vec![key_hash.into()])
            .await?
            .pop())
    }

    /// Saves a stream's accounting (and its status, end and failure), as of `rec`.
    ///
    /// # Errors
    /// Database failures.
    pub async fn save_stream(&self, rec: &StreamRecord) -> Result<(), StoreError> {
        let stmt = save_stream_stmt(rec)?;
        let _order = self.write_lock.lock().await;
        self.db.execute(stmt.sql, stmt.params).await?;
        Ok(())
    }
}

/// The statement saving `rec`'s state and bookkeeping (what [`Store::save_stream`] runs, and
/// what a transfer paying the stream commits with itself).
pub(super) fn save_stream_stmt(rec: &StreamRecord) -> Result<Stmt, StoreError> {
    Ok(Stmt::new(
        "UPDATE streams SET status = $1, engine = $2, updated_at_ms = $3, ended_at = $4, \
         failure_reason = $5 WHERE id = $6",
        vec![
            rec.engine.state().as_str().into(),
            json_text(&rec.engine)?.into(),
            rec.updated_at_ms.into(),
            rec.ended_at.into(),
            rec.failure_reason.clone().into(),
            rec.id.clone().into(),
        ],
    ))
}
