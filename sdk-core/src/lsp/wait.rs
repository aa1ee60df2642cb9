//! `wait_for_payment`: wait until an invoice is paid, accepted (hold), expired or cancelled, or
//! a timeout passes — never longer, even if the server never sends the expiry event (S12).

use std::time::Duration;

use super::model::{EventPayload, InvoiceStatus, LspInvoice};
use super::{LspClient, LspError};
use crate::timer::Timer;
use crate::transport::Transport;

/// How waiting for an invoice ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitOutcome {
    /// Paid and credited.
    Paid(LspInvoice),
    /// A hold invoice's HTLCs are held: settle or cancel it now.
    Accepted(LspInvoice),
    /// Expired unpaid (the server said so, or `expires_at` passed with the invoice unpaid).
    Expired(LspInvoice),
    /// Cancelled.
    Cancelled(LspInvoice),
    /// The timeout passed first; the invoice may still be paid later.
    TimedOut,
}

/// The outcome an invoice's state already decides, judged at `now_secs`; the invoice back
/// when it is still open.
fn settled_outcome(invoice: LspInvoice, now_secs: u64) -> Result<WaitOutcome, Box<LspInvoice>> {
    match invoice.status {
        InvoiceStatus::Paid => Ok(WaitOutcome::Paid(invoice)),
        InvoiceStatus::Accepted => Ok(WaitOutcome::Accepted(invoice)),
        InvoiceStatus::Expired => Ok(WaitOutcome::Expired(invoice)),
        InvoiceStatus::Cancelled => Ok(WaitOutcome::Cancelled(invoice)),
        InvoiceStatus::Open if now_secs >= invoice.expires_at => Ok(WaitOutcome::Expired(invoice)),
        InvoiceStatus::Open => Err(Box::new(invoice)),
    }
}

/// The outcome an event decides for the invoice `invoice_id`, if any.
fn event_outcome(payload: EventPayload, invoice_id: &str) -> Option<WaitOutcome> {
    let outcome = match payload {
        EventPayload::InvoicePaid(i) => WaitOutcome::Paid(i),
        EventPayload::InvoiceAccepted(i) => WaitOutcome::Accepted(i),
        EventPayload::InvoiceExpired(i) => WaitOutcome::Expired(i),
        EventPayload::InvoiceCancelled(i) => WaitOutcome::Cancelled(i),
        _ => return None,
    };
    let id = match &outcome {
        WaitOutcome::Paid(i)
        | WaitOutcome::Accepted(i)
        | WaitOutcome::Expired(i)
        | WaitOutcome::Cancelled(i) => i.id.as_str(),
        WaitOutcome::TimedOut => return None,
    };
    (id == invoice_id).then_some(outcome)
}

impl<T: Transport, M: Timer> LspClient<T, M> {
    /// Waits until the invoice is paid, accepted (hold invoices), expired or cancelled, or
    /// until `timeout` has passed on the timer.
    ///
    /// First reads the invoice (a settled one returns at once), then opens the event stream and
    /// reads the invoice once more (so an event between the two is not missed), then follows
    /// the stream, resuming after drops. When the invoice's `expires_at` passes it is read again
    /// and reported [`WaitOutcome::Expired`] unless it was paid meanwhile: an expiring invoice
    /// never hangs the caller.
    ///
    /// # Errors
    /// Errors of reading the invoice; [`LspError::StreamGaveUp`] if the stream cannot be kept
    /// open (after a last read of the invoice did not settle it).
    pub async fn wait_for_payment(
        &self,
        invoice_id: &str,
        timeout: Duration,
    ) -> Result<WaitOutcome, LspError> {
        let timer = self.timer();
        let deadline = timer.now().checked_add(timeout).unwrap_or(Duration::MAX);
        let invoice =
            match settled_outcome(self.get_invoice(invoice_id).await?, timer.now_unix_secs()) {
                Ok(outcome) => return Ok(outcome),
                Err(open) => open,
            };
        let expiry = Duration::from_secs(invoice.expires_at);
        let mut events = self.subscribe_events(None);
        // Open the stream before reading the invoice again, so no event falls between the two.
        if let Err(error) = events.connect().await {
            return self.last_look(invoice_id, error).await;
        }
        let mut read_invoice = true;
        loop {
            // Out of time before the expiry: stop without another read.
            if timer.now() >= deadline && timer.now() < expiry {
                events.close().await;
                return Ok(WaitOutcome::TimedOut);
            }
            // Read the invoice once the stream is open, after a blind reopen, and when
            // expires_at has passed: past its expiry every status decides an outcome (an open
            // invoice is reported expired), so this always returns then.
            if read_invoice || timer.now() >= expiry {
                read_invoice = false;
                let invoice = self.get_invoice(invoice_id).await?;
                if let Ok(outcome) = settled_outcome(invoice, timer.now_unix_secs()) {
                    events.close().await;
                    return Ok(outcome);
                }
            }
            match events.next_before(deadline.min(expiry)).await {
                Ok(Some(event)) => {
                    if let Some(outcome) = event_outcome(event.payload, invoice_id) {
                        events.close().await;
                        return Ok(outcome);
                    }
                }
                // A deadline came, or the stream reopened with a possible gap: look again.
                Ok(None) => read_invoice = true,
                // One bad event is skipped.
                Err(LspError::Decode { .. }) => {}
                Err(error) => {
                    events.close().await;
                    return self.last_look(invoice_id, error).await;
                }
            }
        }
    }

    /// After the stream failed for good: the invoice's outcome if it is settled, else `error`.
    async fn last_look(&self, invoice_id: &str, error: LspError) -> Result<WaitOutcome, LspError> {
        let invoice = self.get_invoice(invoice_id).await?;
        settled_outcome(invoice, self.timer().now_unix_secs()).map_err(|_| error)
    }
}
