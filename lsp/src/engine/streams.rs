//! Streaming payments (S24): the API operations. Every change of a stream (these and the
//! streamer's steps, `streamer.rs`) is taken under that stream's lock, so a pause never races
//! a payment decision.

use etrid_core::lsp::DEFAULT_STREAM_MIN_PAYMENT_MSAT;
use etrid_core::lsp::{
    CreateStreamRequest, LspStream, StreamKey, StreamList, Validate, STREAM_KEY_PREFIX,
};
use etrid_core::streaming::{FailurePolicy, StreamConfig, StreamError, StreamingPayment};

use super::{fingerprint, Engine};
use crate::error::ServerError;
use crate::ids;
use crate::store::{AuthContext, CreatedStream, ListFilter, StreamRecord};
use crate::time::{now_millis, now_secs};

/// How the LSP retries a failed stream payment: five attempts, 5 s apart, then the stream fails.
const STREAM_FAILURE_POLICY: FailurePolicy = FailurePolicy::Retry {
    max_attempts: 5,
    backoff_ms: 5_000,
};

/// A stream call that does not fit the stream's state, as `conflict`.
fn refused(e: StreamError) -> ServerError {
    ServerError::conflict(e.to_string())
}

impl Engine {
    /// Starts a stream: it runs from now, its first payment one tick later. Returns it and
    /// whether it is new (`201`) or the earlier one under the same key (`200`).
    ///
    /// # Errors
    /// `invalid_request` (fields; a payee account that does not exist or is the payer's own),
    /// `idempotency_mismatch`.
    pub async fn create_stream(
        &self,
        ctx: &AuthContext,
        req: CreateStreamRequest,
    ) -> Result<(LspStream, bool), ServerError> {
        req.validate()?;
        self.check_destination(&ctx.account_id, &req.destination, "destination")
            .await?;
        let budget = req.budget_msat;
        let config = StreamConfig {
            rate_msat_per_sec: req.rate_msat_per_sec,
            tick_interval_ms: req.tick_interval_ms.unwrap_or(1_000),
            budget_cap: budget,
            min_payment: req
                .min_payment_msat
                .unwrap_or(DEFAULT_STREAM_MIN_PAYMENT_MSAT.min(budget)),
            failure_policy: STREAM_FAILURE_POLICY,
        };
        let now_ms = now_millis();
        let engine = StreamingPayment::new(config, now_ms)
            .map_err(|e| ServerError::invalid(e.to_string()))?;
        let fp = fingerprint(&req);
        let rec = StreamRecord {
            id: ids::new_id("str")?,
            account_id: ctx.account_id.clone(),
            destination: req.destination.clone(),
            description: req
                .description
                .clone()
                .unwrap_or_else(|| "Streaming payment".into()),
            engine,
            created_at: now_secs(),
            updated_at_ms: now_ms,
            ended_at: None,
            failure_reason: None,
            fingerprint: fp.clone(),
        };
        match self.store.insert_stream(&rec, &req.idempotency_key).await? {
            CreatedStream::Created(rec) => Ok((rec.model(), true)),
            CreatedStream::Existing(rec) if rec.fingerprint == fp => Ok((rec.model(), false)),
            CreatedStream::Existing(_) => Err(ServerError::IdempotencyMismatch {
                field: "idempotency_key",
                value: req.idempotency_key,
            }),
        }
    }

    /// The account's stream `id`, its figures as of its last step (`updated_at_ms`).
    ///
    /// # Errors
    /// `not_found`.
    pub async fn stream(&self, ctx: &AuthContext, id: &str) -> Result<LspStream, ServerError> {
        Ok(self.store.stream(&ctx.account_id, id).await?.model())
    }

    /// A page of the account's streams, newest first (figures as last saved).
    ///
    /// # Errors
    /// Database failures.
    pub async fn list_streams(
        &self,
        ctx: &AuthContext,
        filter: &ListFilter,
    ) -> Result<StreamList, ServerError> {
        let (items, next_cursor) = self.store.list_streams(&ctx.account_id, filter).await?;
        Ok(StreamList { items, next_cursor })
    }

    /// Issues the stream's key (`etrid_sk_…`), which reads, pauses, resumes and stops this
    /// stream and nothing else; a new key replaces the previous one.
    ///
    /// # Errors
    /// `not_found`.
    pub async fn issue_stream_key(
        &self,
        ctx: &AuthContext,
        id: &str,
    ) -> Result<StreamKey, ServerError> {
        let key = format!(
            "{STREAM_KEY_PREFIX}{}",
            ids::hex(&ids::random_bytes::<32>()?)
        );
        self.store
            .set_stream_key(&ctx.account_id, id, &ids::sha256_hex(key.as_bytes()))
            .await?;
        Ok(StreamKey {
            stream_id: id.to_owned(),
            key,
        })
    }

    /// The account acting through a stream key on stream `id`, or `None` when the key is not
    /// that stream's.
    ///
    /// # Errors
    /// Database failures.
    pub async fn stream_key_context(
        &self,
        key: &str,
        id: &str,
    ) -> Result<Option<AuthContext>, ServerError> {
        let hash = ids::sha256_hex(key.as_bytes());
        Ok(self
            .store
            .stream_by_key_hash(&hash)
            .await?
            .filter(|rec| rec.id == id)
            .map(|rec| AuthContext::on_behalf_of(&rec.account_id)))
    }

    /// Pauses a running stream: its time stops being charged.
    ///
    /// # Errors
    /// `not_found`; `conflict` unless running.
    pub async fn pause_stream(
        &self,
        ctx: &AuthContext,
        id: &str,
    ) -> Result<LspStream, ServerError> {
        self.change_stream(ctx, id, |engine, now| engine.pause(now))
            .await
    }

    /// Resumes a paused stream.
    ///
    /// # Errors
    /// `not_found`; `conflict` unless paused.
    pub async fn resume_stream(
        &self,
        ctx: &AuthContext,
        id: &str,
    ) -> Result<LspStream, ServerError> {
        self.change_stream(ctx, id, |engine, now| engine.resume(now))
            .await
    }

    /// Stops a stream: nothing more is charged; what its time earned is paid (`settling`, then
    /// `finished`).
    ///
    /// # Errors
    /// `not_found`; `conflict` once stopped.
    pub async fn stop_stream(&self, ctx: &AuthContext, id: &str) -> Result<LspStream, ServerError> {
        self.change_stream(ctx, id, |engine, now| engine.stop(now).map(drop))
            .await
    }

    /// Applies `change` to the stream at now and saves it; the streamer makes any payment due.
    async fn change_stream(
        &self,
        ctx: &AuthContext,
        id: &str,
        change: impl FnOnce(&mut StreamingPayment, u64) -> Result<(), StreamError>,
    ) -> Result<LspStream, ServerError> {
        let lock = self.stream_lock(id);
        let _one = lock.lock().await;
        let mut rec = self.store.stream(&ctx.account_id, id).await?;
        let now_ms = now_millis();
        change(&mut rec.engine, now_ms).map_err(refused)?;
        rec.updated_at_ms = now_ms;
        self.store.save_stream(&rec).await?;
        self.streamer_wake.notify_one();
        Ok(rec.model())
    }
}
