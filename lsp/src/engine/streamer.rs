//! The streamer: every 200 ms (and when a stream changes) it steps every live stream with the
//! core's [`StreamingPayment`]: follows the payment in flight to its outcome, then asks what
//! is due now and pays it. A payment over Lightning (keysend, a Lightning Address) is saved
//! in flight with its sequence before it is made (key `stream:{id}:{sequence}`), so after a
//! crash the payment is found under its key, or made then: never twice. A payment to an
//! account of this LSP is a transfer committed together with the accounting that counts it
//! (one write: both or neither).
//!
//! [`StreamingPayment`]: etrid_core::streaming::StreamingPayment

use std::time::Duration;

use etrid_core::amount::Msat;
use etrid_core::lsp::{
    CustomRecord, HexBytes, LspPayment, NodeId, PaymentStatus, PayoutDestination,
    STREAM_ID_RECORD_TYPE, STREAM_SEQUENCE_RECORD_TYPE,
};
use etrid_core::streaming::{StreamState, TickDecision};
use futures_util::StreamExt;
use tokio::sync::watch;

use super::destinations::is_refusal;
use super::Engine;
use crate::error::ServerError;
use crate::store::{AuthContext, DirectTransfer, NewTransfer, StreamRecord, StreamSave};
use crate::time::{now_millis, now_secs};

/// How often the streamer looks when nothing wakes it.
const TICK: Duration = Duration::from_millis(200);
/// Streams stepped at once in a pass (their payments are in flight together; transfers to
/// accounts made at once are committed in one transaction).
const STEPS_AT_ONCE: usize = 64;

/// Runs until `stop` turns true.
pub(super) async fn run(engine: Engine, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            biased;
            _ = stop.changed() => return,
            () = engine.streamer_wake.notified() => {}
            () = tokio::time::sleep(TICK) => {}
        }
        if let Err(e) = engine.stream_pass().await {
            tracing::warn!(error = %e, "streamer pass failed");
        }
    }
}

/// The idempotency key of payment `sequence` of stream `id`.
fn payment_key(id: &str, sequence: u64) -> String {
    format!("stream:{id}:{sequence}")
}

/// What became of a payment the stream is waiting for.
enum Outcome {
    /// Still in flight.
    Pending,
    /// Paid.
    Succeeded,
    /// Not paid, and why.
    Failed(String),
}

fn outcome_of(payment: &LspPayment) -> Outcome {
    match payment.status {
        PaymentStatus::Pending => Outcome::Pending,
        PaymentStatus::Succeeded => Outcome::Succeeded,
        PaymentStatus::Failed => Outcome::Failed(
            payment
                .failure_reason
                .map_or_else(|| "the payment failed".to_owned(), |r| format!("{r:?}")),
        ),
    }
}

impl Engine {
    /// One pass over every live stream with something due (all of them read at once),
    /// [`STEPS_AT_ONCE`] streams at a time, each under its lock (so an API call on it comes
    /// before or after the step, never during). A stream paying an account of this LSP is
    /// stepped from the pass's read: its transfer commits only if the stream is still as read
    /// (an API call in between makes it wait for the next pass). Any other is read again under
    /// its lock. A stream waiting for its next tick, or paused with nothing in flight, is not
    /// stepped: stepping it would change nothing.
    pub(crate) async fn stream_pass(&self) -> Result<(), ServerError> {
        let now_ms = now_millis();
        let due: Vec<(StreamRecord, bool)> = self
            .store
            .live_streams()
            .await?
            .into_iter()
            .filter_map(|rec| due_now(&rec, now_ms).map(|pays| (rec, pays)))
            .collect();
        let (count, read_ms) = (due.len(), now_millis().saturating_sub(now_ms));
        let started = std::time::Instant::now();
        futures_util::stream::iter(due)
            .for_each_concurrent(STEPS_AT_ONCE, |(read, pays)| async move {
                let id = read.id.clone();
                let lock = self.stream_lock(&id);
                let _one = lock.lock().await;
                let as_read = pays && matches!(read.destination, PayoutDestination::Account { .. });
                let current = if as_read {
                    Ok(read)
                } else {
                    self.store.stream(&read.account_id, &id).await
                };
                let step = match current {
                    Ok(rec) if rec.engine.state().is_terminal() => Ok(()),
                    Ok(rec) => self.step_stream(rec, as_read).await,
                    Err(e) => Err(e.into()),
                };
                if let Err(e) = step {
                    tracing::warn!(stream = %id, error = %e, "stream step failed");
                }
            })
            .await;
        tracing::debug!(
            streams = count,
            read_ms,
            stepped_ms = started.elapsed().as_millis(),
            "stream pass"
        );
        Ok(())
    }

    /// Steps one stream: the payment in flight first, then what is due; saves what changed.
    /// `as_read`: `rec` is the pass's read, not read under the lock, so only a transfer (whose
    /// commit checks the stream is unchanged) may come of it; anything else waits for a step
    /// from a fresh read.
    async fn step_stream(&self, mut rec: StreamRecord, as_read: bool) -> Result<(), ServerError> {
        let before = rec.engine.clone();
        let now_ms = now_millis();
        if let Some(sequence) = rec.engine.stats().in_flight_sequence {
            let amount = rec.engine.stats().in_flight;
            let outcome = self.stream_payment(&rec, sequence, amount).await?;
            if !apply_outcome(&mut rec, sequence, outcome, now_ms)? {
                return self.save_if_changed(&mut rec, &before, now_ms).await;
            }
        }
        if rec.engine.state().is_terminal() {
            return self.save_if_changed(&mut rec, &before, now_ms).await;
        }
        let decision = match rec.engine.tick(now_ms).map_err(state_error)? {
            TickDecision::BudgetExhausted => rec.engine.stop(now_ms).map_err(state_error)?,
            other => other,
        };
        if as_read && !matches!(decision, TickDecision::Pay { .. }) {
            // Not a transfer after all: step again from the stream as stored.
            let stored = self.store.stream(&rec.account_id, &rec.id).await?;
            return Box::pin(self.step_stream(stored, false)).await;
        }
        if let TickDecision::Pay { amount, sequence } = decision {
            if let PayoutDestination::Account { account_id } = &rec.destination {
                let payee = account_id.clone();
                return self
                    .pay_stream_by_transfer(rec, &before, &payee, sequence, amount, now_ms)
                    .await;
            }
            // Saved with the payment in flight before it is made.
            rec.updated_at_ms = now_ms;
            self.store.save_stream(&rec).await?;
            let saved = rec.engine.clone();
            let outcome = self.stream_payment(&rec, sequence, amount).await?;
            if !apply_outcome(&mut rec, sequence, outcome, now_ms)? {
                return Ok(());
            }
            // A settled stream with nothing left owed finishes at once.
            if rec.engine.state() == StreamState::Settling {
                let _ = rec.engine.tick(now_ms);
            }
            return self.save_if_changed(&mut rec, &saved, now_ms).await;
        }
        self.save_if_changed(&mut rec, &before, now_ms).await
    }

    /// Saves the stream when its accounting changed beyond the passing of time (a payment, a
    /// state), stamping its end when it is over.
    async fn save_if_changed(
        &self,
        rec: &mut StreamRecord,
        before: &etrid_core::streaming::StreamingPayment,
        now_ms: u64,
    ) -> Result<(), ServerError> {
        let (was, is) = (before.stats(), rec.engine.stats());
        let changed = was.state != is.state
            || was.paid != is.paid
            || was.in_flight_sequence != is.in_flight_sequence
            || was.consecutive_failures != is.consecutive_failures;
        if !changed {
            return Ok(());
        }
        let ended = Self::stamp_end(rec);
        rec.updated_at_ms = now_ms;
        self.store.save_stream(rec).await?;
        if ended {
            self.stream_ended(rec);
        }
        Ok(())
    }

    /// Stamps a stream that is over with its end (once); `true` when it ended now.
    fn stamp_end(rec: &mut StreamRecord) -> bool {
        let ends_now = rec.engine.state().is_terminal() && rec.ended_at.is_none();
        if ends_now {
            rec.ended_at = Some(now_secs());
        }
        ends_now
    }

    /// A stream ended (and was saved so): its lock goes.
    fn stream_ended(&self, rec: &StreamRecord) {
        self.forget_stream_lock(&rec.id);
        let stats = rec.engine.stats();
        tracing::info!(stream = %rec.id, state = %stats.state, paid_msat = stats.paid.as_u64(),
            "stream ended");
    }

    /// Pays payment `sequence` of a stream to `payee`, an account of this LSP: a transfer
    /// without an invoice, committed with the accounting that counts it (one transaction,
    /// nothing saved in flight first). A refused transfer (the balance short, the payee gone)
    /// is a failed payment; a database failure leaves everything as it was for the next pass.
    async fn pay_stream_by_transfer(
        &self,
        mut rec: StreamRecord,
        before: &etrid_core::streaming::StreamingPayment,
        payee: &str,
        sequence: u64,
        amount: Msat,
        now_ms: u64,
    ) -> Result<(), ServerError> {
        let mut paid = rec.clone();
        apply_outcome(&mut paid, sequence, Outcome::Succeeded, now_ms)?;
        // A settled stream with nothing left owed finishes at once.
        if paid.engine.state() == StreamState::Settling {
            let _ = paid.engine.tick(now_ms);
        }
        paid.updated_at_ms = now_ms;
        let ends_now = Self::stamp_end(&mut paid);
        let transfer = self.stream_transfer(&rec, payee, sequence, amount);
        let save = StreamSave {
            record: &paid,
            read: before,
        };
        match self.store.transfer(transfer, Some(save)).await {
            Ok(DirectTransfer::Made(_)) => {
                if ends_now {
                    self.stream_ended(&paid);
                }
                Ok(())
            }
            // Made before under this key (the same payee and amount): this state counts it.
            Ok(DirectTransfer::Existing(_)) => {
                paid.ended_at = rec.ended_at;
                self.save_if_changed(&mut paid, before, now_ms).await
            }
            Err(e) => {
                let e = ServerError::from(e);
                if !is_refusal(&e) {
                    return Err(e);
                }
                // Counted as failed only on the stream as stored (it may have been read before
                // an API call changed it: then the next pass decides again).
                let stored = self.store.stream(&rec.account_id, &rec.id).await?;
                if stored.engine != *before {
                    return Ok(());
                }
                apply_outcome(&mut rec, sequence, Outcome::Failed(e.to_string()), now_ms)?;
                self.save_if_changed(&mut rec, before, now_ms).await
            }
        }
    }

    /// The transfer paying payment `sequence` of stream `rec` to account `payee`.
    fn stream_transfer(
        &self,
        rec: &StreamRecord,
        payee: &str,
        sequence: u64,
        amount: Msat,
    ) -> NewTransfer {
        NewTransfer {
            payer: rec.account_id.clone(),
            payee: payee.to_owned(),
            amount_msat: amount.as_u64(),
            idempotency_key: payment_key(&rec.id, sequence),
            description: Some(format!("{} #{sequence}", rec.description)),
            stream: Some((rec.id.clone(), sequence)),
            node: NodeId::from(self.node.node_id()),
        }
    }

    /// The payment `sequence` of the stream: the one made under its key, or made now.
    async fn stream_payment(
        &self,
        rec: &StreamRecord,
        sequence: u64,
        amount: Msat,
    ) -> Result<Outcome, ServerError> {
        let key = payment_key(&rec.id, sequence);
        if let Some(earlier) = self
            .store
            .payment_by_idempotency_key(&rec.account_id, &key)
            .await?
        {
            return Ok(outcome_of(&earlier.payment));
        }
        if let PayoutDestination::Account { account_id } = &rec.destination {
            // A payment left in flight by an earlier version (which paid accounts through an
            // invoice): made now as a transfer under the same key.
            let transfer = self.stream_transfer(rec, account_id, sequence, amount);
            return match self.store.transfer(transfer, None).await {
                Ok(_) => Ok(Outcome::Succeeded),
                Err(e) => {
                    let e = ServerError::from(e);
                    if is_refusal(&e) {
                        Ok(Outcome::Failed(e.to_string()))
                    } else {
                        Err(e)
                    }
                }
            };
        }
        let payer = AuthContext::on_behalf_of(&rec.account_id);
        let records = match rec.destination {
            PayoutDestination::Keysend { .. } => vec![
                CustomRecord {
                    record_type: STREAM_ID_RECORD_TYPE,
                    value: HexBytes::from(rec.id.as_bytes().to_vec()),
                },
                CustomRecord {
                    record_type: STREAM_SEQUENCE_RECORD_TYPE,
                    value: HexBytes::from(sequence.to_be_bytes().to_vec()),
                },
            ],
            _ => Vec::new(),
        };
        let description = format!("{} #{sequence}", rec.description);
        match self
            .pay_destination(&payer, &rec.destination, amount, &key, description, records)
            .await
        {
            Ok(payment) => Ok(outcome_of(&payment)),
            Err(e) if is_refusal(&e) => Ok(Outcome::Failed(e.to_string())),
            Err(e) => Err(e),
        }
    }
}

/// Whether stepping `rec` at `now_ms` could do anything (a payment to follow or make, a
/// settlement, the budget reached): `None` when not, else whether it pays now by its own
/// schedule (nothing in flight, a tick due, something owed). A change made since it was read
/// (a pause, a stop) wakes the streamer, and the next pass sees it.
fn due_now(rec: &StreamRecord, now_ms: u64) -> Option<bool> {
    let mut engine = rec.engine.clone();
    match engine.tick(now_ms) {
        Ok(TickDecision::Wait { .. } | TickDecision::Paused) | Err(_) => None,
        Ok(decision) => Some(matches!(decision, TickDecision::Pay { .. })),
    }
}

/// Reports payment `sequence`'s outcome to the stream's accounting; `false` while it is still
/// in flight (nothing to report).
fn apply_outcome(
    rec: &mut StreamRecord,
    sequence: u64,
    outcome: Outcome,
    now_ms: u64,
) -> Result<bool, ServerError> {
    match outcome {
        Outcome::Pending => return Ok(false),
        Outcome::Succeeded => {
            rec.engine
                .payment_succeeded(sequence)
                .map_err(state_error)?;
            rec.failure_reason = None;
        }
        Outcome::Failed(reason) => {
            rec.engine
                .payment_failed(sequence, now_ms)
                .map_err(state_error)?;
            rec.failure_reason = Some(reason);
        }
    }
    Ok(true)
}

/// A stream whose stored accounting refuses a step it should take: corrupt state.
fn state_error(e: etrid_core::streaming::StreamError) -> ServerError {
    ServerError::Db(crate::db::DbError::Decode {
        reason: format!("stream state: {e}"),
    })
}
