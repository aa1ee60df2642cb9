//! The streamer: every 200 ms (and when a stream changes) it steps every live stream with the
//! core's [`StreamingPayment`]: follows the payment in flight to its outcome, then asks what
//! is due now and pays it. The accounting is saved with the payment's sequence in flight
//! before the payment is made (key `stream:{id}:{sequence}`), so after a crash the payment is
//! found under its key, or made then: never twice.
//!
//! [`StreamingPayment`]: etrid_core::streaming::StreamingPayment

use std::time::Duration;

use etrid_core::amount::Msat;
use etrid_core::lsp::{
    CustomRecord, HexBytes, LspPayment, PaymentStatus, PayoutDestination, STREAM_ID_RECORD_TYPE,
    STREAM_SEQUENCE_RECORD_TYPE,
};
use etrid_core::streaming::{StreamState, TickDecision};
use futures_util::StreamExt;
use tokio::sync::watch;

use super::destinations::is_refusal;
use super::Engine;
use crate::error::ServerError;
use crate::store::{AuthContext, StreamRecord};
use crate::time::{now_millis, now_secs};

/// How often the streamer looks when nothing wakes it.
const TICK: Duration = Duration::from_millis(200);
/// Streams stepped at once in a pass (their payments are in flight together).
const STEPS_AT_ONCE: usize = 16;

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
    /// One pass over every live stream, [`STEPS_AT_ONCE`] streams at a time, each read under
    /// its lock (so an API call on it comes before or after the step, never during).
    pub(crate) async fn stream_pass(&self) -> Result<(), ServerError> {
        let live = self.store.live_streams().await?;
        futures_util::stream::iter(live)
            .for_each_concurrent(STEPS_AT_ONCE, |(id, account_id)| async move {
                let lock = self.stream_lock(&id);
                let _one = lock.lock().await;
                let step = match self.store.stream(&account_id, &id).await {
                    Ok(rec) if rec.engine.state().is_terminal() => Ok(()),
                    Ok(rec) => self.step_stream(rec).await,
                    Err(e) => Err(e.into()),
                };
                if let Err(e) = step {
                    tracing::warn!(stream = %id, error = %e, "stream step failed");
                }
            })
            .await;
        Ok(())
    }

    /// Steps one stream: the payment in flight first, then what is due; saves what changed.
    async fn step_stream(&self, mut rec: StreamRecord) -> Result<(), ServerError> {
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
        if let TickDecision::Pay { amount, sequence } = decision {
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
        if is.state.is_terminal() && rec.ended_at.is_none() {
            rec.ended_at = Some(now_secs());
            self.forget_stream_lock(&rec.id);
            tracing::info!(stream = %rec.id, state = %is.state, paid_msat = is.paid.as_u64(),
                "stream ended");
        }
        rec.updated_at_ms = now_ms;
        self.store.save_stream(rec).await?;
        Ok(())
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
