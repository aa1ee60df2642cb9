//! Payments between two accounts of this LSP: the payer pays an invoice another account issued
//! here. No HTLC leaves the node: one transaction marks the invoice paid, debits the payer,
//! credits the payee, records the succeeded payment and appends both events (`payment.succeeded`
//! to the payer, `invoice.paid` to the payee). Guards make it happen exactly once: the invoice
//! must still be open, unclaimed and unexpired, and the payer must cover the amount; under any
//! concurrency one payer wins and every other attempt changes nothing.
//!
//! A hold invoice of another account is held the same way: the payer's amount is reserved and
//! the invoice accepted in one transaction (`Store::hold_internally`); the payee's settle
//! debits the payer and credits the payee ([`Store::settle_internal_hold`]), its cancel
//! releases the reservation ([`Store::cancel_internal_hold`]), each at once and exactly once.

use etrid_core::amount::Msat;
use etrid_core::lsp::{
    EventPayload, InvoiceKind, InvoiceStatus, LspInvoice, LspPayment, PaymentFailureReason,
    PaymentKind, PaymentStatus, Preimage, VoucherStatus,
};

use super::events::PendingEvent;
use super::invoices::credit_stmt;
use super::invoices::guard_to_option;
use super::payments::{ledger_stmt, NewPayment, PaymentRecord};
use super::vouchers::{claim_stmt, not_claimable, voucher_ledger_stmt};
use super::{InvoiceRecord, Store, StoreError};
use crate::db::{DbError, Stmt};
use crate::ids;
use crate::time::now_secs;

/// How long a hold invoice held between accounts stays held before the sweeper cancels it
/// (no HTLC deadline applies; the same day the server gives any hold without one).
const INTERNAL_HOLD_SECS: u64 = 24 * 3600;

/// The batch's statements that can refuse it, by position (see [`Store::pay_internally`]).
const INVOICE_GUARD: usize = 0;
const PAYER_GUARD: usize = 1;

/// What [`Store::pay_internally`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transfer {
    /// Settled now: the payer's payment (succeeded, fee 0, with the invoice's preimage) and the
    /// payee's invoice (paid), as committed.
    Settled {
        /// The payer's payment.
        payment: Box<LspPayment>,
        /// The payee's invoice.
        invoice: Box<LspInvoice>,
    },
    /// Held now (a hold invoice): the payer's pending payment, its amount reserved, and the
    /// payee's invoice, accepted.
    Held {
        /// The payer's payment, pending until the payee settles or cancels.
        payment: Box<LspPayment>,
        /// The payee's invoice.
        invoice: Box<LspInvoice>,
    },
    /// The payer already used this idempotency key: that payment.
    Existing(Box<PaymentRecord>),
}

impl Store {
    /// Pays `invoice` (a standard invoice of another account of this LSP) from `new.account_id`
    /// with `new.amount_msat`, at once and exactly once. Returns the earlier payment when the
    /// payer already used `new.idempotency_key` ([`Transfer::Existing`]).
    ///
    /// # Errors
    /// [`StoreError::InvoiceNotPayable`] when the invoice is the payer's own, a hold invoice, or
    /// no longer open (paid, being paid, cancelled, expired: the message says which);
    /// [`StoreError::InsufficientBalance`]; [`StoreError::DuplicatePayment`]. Nothing changes
    /// on any error.
    pub async fn pay_internally(
        &self,
        new: NewPayment,
        invoice: &InvoiceRecord,
    ) -> Result<Transfer, StoreError> {
        if invoice.account_id == new.account_id {
            return Err(not_payable("the invoice is this account's own"));
        }
        if invoice.invoice.kind == InvoiceKind::Hold {
            if new.voucher.is_some() {
                return Err(not_payable(
                    "a voucher pays standard invoices, not hold invoices",
                ));
            }
            return self.hold_internally(new, invoice).await;
        }
        let preimage = invoice.preimage.ok_or_else(|| DbError::Decode {
            reason: format!("standard invoice {} has no preimage", invoice.invoice.id),
        })?;
        let amount = new.amount_msat;
        let now = now_secs();
        let payment_id = ids::new_id("pay")?;
        let payment = LspPayment {
            id: payment_id.clone(),
            kind: PaymentKind::Bolt11,
            status: PaymentStatus::Succeeded,
            amount_msat: Msat::from_msat(amount),
            fee_msat: Some(Msat::ZERO),
            max_fee_msat: Msat::from_msat(new.max_fee_msat),
            payment_hash: new.payment_hash,
            preimage: Some(preimage),
            destination: new.destination,
            bolt11: new.bolt11.clone(),
            idempotency_key: new.idempotency_key.clone(),
            custom_records: Vec::new(),
            parts: Vec::new(),
            internal: true,
            failure_reason: None,
            created_at: now,
            completed_at: Some(now),
        };
        let mut paid = invoice.invoice.clone();
        paid.status = InvoiceStatus::Paid;
        paid.paid_at = Some(now);
        paid.amount_received_msat = Some(Msat::from_msat(amount));
        let stmts = vec![
            // INVOICE_GUARD: still open, never claimed over Lightning, not expired.
            Stmt::guarded(
                "UPDATE invoices SET status = 'paid', paid_at = $1, amount_received_msat = $2 \
                 WHERE id = $3 AND kind = 'standard' AND status = 'open' \
                 AND claim_started_at IS NULL AND expires_at > $1",
                vec![now.into(), amount.into(), paid.id.clone().into()],
                1,
            ),
            // PAYER_GUARD: the payer covers it (from the balance, or a voucher still claimable).
            match &new.voucher {
                Some(funding) => claim_stmt(funding, &payment_id, amount, now, true),
                None => Stmt::guarded(
                    "UPDATE accounts SET available_msat = available_msat - $1 \
                     WHERE id = $2 AND available_msat >= $1",
                    vec![amount.into(), new.account_id.clone().into()],
                    1,
                ),
            },
            Stmt::new(
                "INSERT INTO payments (id, account_id, kind, status, amount_msat, fee_msat, \
                 max_fee_msat, reserved_msat, payment_hash, preimage, destination, bolt11, \
                 idempotency_key, fingerprint, custom_records, ldk_payment_id, created_at, \
                 completed_at, internal, voucher_id) \
                 VALUES ($1, $2, 'bolt11', 'succeeded', $3, 0, $4, 0, $5, $6, $7, $8, $9, $10, \
                 '[]', $11, $12, $12, 1, $13)",
                vec![
                    payment_id.clone().into(),
                    new.account_id.clone().into(),
                    amount.into(),
                    new.max_fee_msat.into(),
                    new.payment_hash.to_string().into(),
                    preimage.to_string().into(),
                    new.destination.to_string().into(),
                    new.bolt11.clone().into(),
                    new.idempotency_key.clone().into(),
                    new.fingerprint.clone().into(),
                    // Never an LDK payment: no node event can ever match it.
                    format!("internal:{payment_id}").into(),
                    now.into(),
                    new.voucher.as_ref().map(|v| v.voucher_id.clone()).into(),
                ],
            ),
            ledger_stmt(
                &new.account_id,
                &ids::new_id("led")?,
                "debit",
                amount,
                &payment_id,
                now,
            ),
            credit_stmt(&invoice.account_id, amount, &paid, now)?,
            Stmt::guarded(
                "UPDATE accounts SET available_msat = available_msat + $1 WHERE id = $2",
                vec![amount.into(), invoice.account_id.clone().into()],
                1,
            ),
        ];
        let mut stmts = stmts;
        let mut events = vec![
            (
                new.account_id.clone(),
                PendingEvent::now(EventPayload::PaymentSucceeded(payment.clone())),
            ),
            (
                invoice.account_id.clone(),
                PendingEvent::now(EventPayload::InvoicePaid(paid.clone())),
            ),
        ];
        if let Some(funding) = &new.voucher {
            // The voucher's reservation pays: released, the amount debited (its ledger entry
            // is above), the rest (the unclaimed part and the fee allowance) back to the
            // balance.
            let reserved = funding.reserved_msat;
            stmts.push(voucher_ledger_stmt(
                &new.account_id,
                "release",
                reserved,
                &funding.voucher_id,
                now,
            )?);
            stmts.push(Stmt::guarded(
                "UPDATE accounts SET reserved_msat = reserved_msat - $1, \
                 available_msat = available_msat + $1 - $2 WHERE id = $3",
                vec![
                    reserved.into(),
                    amount.into(),
                    new.account_id.clone().into(),
                ],
                1,
            ));
            let mut claimed = self
                .voucher(&new.account_id, &funding.voucher_id)
                .await?
                .voucher;
            claimed.status = VoucherStatus::Claimed;
            claimed.payment_id = Some(payment_id.clone());
            claimed.claimed_msat = Some(Msat::from_msat(amount));
            claimed.completed_at = Some(now);
            events.push((
                new.account_id.clone(),
                PendingEvent::now(EventPayload::VoucherClaimed(claimed)),
            ));
        }
        match self.commit_with_events(stmts, events).await {
            Ok(_) => Ok(Transfer::Settled {
                payment: Box::new(payment),
                invoice: Box::new(paid),
            }),
            Err(StoreError::Db(DbError::GuardFailed { index, .. })) => {
                Err(self.refusal(index, &new, invoice).await?)
            }
            Err(StoreError::Db(DbError::Unique { reason })) => self.raced(&new, &reason).await,
            Err(e) => Err(e),
        }
    }

    /// Holds `invoice` (a hold invoice of another account of this LSP) for `new.account_id`:
    /// reserves the amount, records the pending payment and accepts the invoice
    /// (`invoice.accepted` to the payee), in one transaction.
    ///
    /// # Errors
    /// As [`Store::pay_internally`].
    async fn hold_internally(
        &self,
        new: NewPayment,
        invoice: &InvoiceRecord,
    ) -> Result<Transfer, StoreError> {
        let amount = new.amount_msat;
        let now = now_secs();
        let payment_id = ids::new_id("pay")?;
        let mut held = invoice.invoice.clone();
        held.status = InvoiceStatus::Accepted;
        held.accepted_at = Some(now);
        held.hold_expires_at = Some(now.saturating_add(INTERNAL_HOLD_SECS));
        let payment = LspPayment {
            id: payment_id.clone(),
            kind: PaymentKind::Bolt11,
            status: PaymentStatus::Pending,
            amount_msat: Msat::from_msat(amount),
            fee_msat: None,
            max_fee_msat: Msat::from_msat(new.max_fee_msat),
            payment_hash: new.payment_hash,
            preimage: None,
            destination: new.destination,
            bolt11: new.bolt11.clone(),
            idempotency_key: new.idempotency_key.clone(),
            custom_records: Vec::new(),
            parts: Vec::new(),
            internal: true,
            failure_reason: None,
            created_at: now,
            completed_at: None,
        };
        let stmts = vec![
            // INVOICE_GUARD: still open and unexpired.
            Stmt::guarded(
                "UPDATE invoices SET status = 'accepted', accepted_at = $1, claimable_msat = $2, \
                 hold_expires_at = $3 \
                 WHERE id = $4 AND kind = 'hold' AND status = 'open' AND expires_at > $1",
                vec![
                    now.into(),
                    amount.into(),
                    held.hold_expires_at.into(),
                    held.id.clone().into(),
                ],
                1,
            ),
            // PAYER_GUARD: the payer covers it; the amount is reserved, not yet debited.
            Stmt::guarded(
                "UPDATE accounts SET available_msat = available_msat - $1, \
                 reserved_msat = reserved_msat + $1 WHERE id = $2 AND available_msat >= $1",
                vec![amount.into(), new.account_id.clone().into()],
                1,
            ),
            Stmt::new(
                "INSERT INTO payments (id, account_id, kind, status, amount_msat, max_fee_msat, \
                 reserved_msat, payment_hash, destination, bolt11, idempotency_key, fingerprint, \
                 custom_records, ldk_payment_id, created_at, internal) \
                 VALUES ($1, $2, 'bolt11', 'pending', $3, $4, $3, $5, $6, $7, $8, $9, '[]', $10, \
                 $11, 1)",
                vec![
                    payment_id.clone().into(),
                    new.account_id.clone().into(),
                    amount.into(),
                    new.max_fee_msat.into(),
                    new.payment_hash.to_string().into(),
                    new.destination.to_string().into(),
                    new.bolt11.clone().into(),
                    new.idempotency_key.clone().into(),
                    new.fingerprint.clone().into(),
                    format!("internal:{payment_id}").into(),
                    now.into(),
                ],
            ),
            ledger_stmt(
                &new.account_id,
                &ids::new_id("led")?,
                "reserve",
                amount,
                &payment_id,
                now,
            ),
        ];
        let events = vec![(
            invoice.account_id.clone(),
            PendingEvent::now(EventPayload::InvoiceAccepted(held.clone())),
        )];
        match self.commit_with_events(stmts, events).await {
            Ok(_) => Ok(Transfer::Held {
                payment: Box::new(payment),
                invoice: Box::new(held),
            }),
            Err(StoreError::Db(DbError::GuardFailed { index, .. })) => {
                Err(self.refusal(index, &new, invoice).await?)
            }
            Err(StoreError::Db(DbError::Unique { reason })) => self.raced(&new, &reason).await,
            Err(e) => Err(e),
        }
    }

    /// Settles a hold invoice held by another account of this LSP (`payment`, pending): the
    /// invoice paid with `preimage`, the payer's reservation released and the amount debited,
    /// the payee credited; `payment.succeeded` and `invoice.paid`. Returns `None` when either
    /// had already moved on (nothing changed).
    ///
    /// # Errors
    /// Database failures.
    pub async fn settle_internal_hold(
        &self,
        invoice: &InvoiceRecord,
        payment: &PaymentRecord,
        preimage: Preimage,
    ) -> Result<Option<LspInvoice>, StoreError> {
        let now = now_secs();
        let amount = payment.payment.amount_msat.as_u64();
        let mut paid = invoice.invoice.clone();
        paid.status = InvoiceStatus::Paid;
        paid.paid_at = Some(now);
        paid.amount_received_msat = Some(Msat::from_msat(amount));
        let mut p = payment.payment.clone();
        p.status = PaymentStatus::Succeeded;
        p.fee_msat = Some(Msat::ZERO);
        p.preimage = Some(preimage);
        p.completed_at = Some(now);
        let stmts = vec![
            Stmt::guarded(
                "UPDATE invoices SET status = 'paid', paid_at = $1, amount_received_msat = $2, \
                 preimage = $3 WHERE id = $4 AND status = 'accepted'",
                vec![
                    now.into(),
                    amount.into(),
                    preimage.to_string().into(),
                    paid.id.clone().into(),
                ],
                1,
            ),
            Stmt::guarded(
                "UPDATE payments SET status = 'succeeded', fee_msat = 0, preimage = $1, \
                 completed_at = $2 WHERE id = $3 AND status = 'pending'",
                vec![preimage.to_string().into(), now.into(), p.id.clone().into()],
                1,
            ),
            ledger_stmt(
                &payment.account_id,
                &ids::new_id("led")?,
                "release",
                payment.reserved_msat,
                &p.id,
                now,
            ),
            ledger_stmt(
                &payment.account_id,
                &ids::new_id("led")?,
                "debit",
                amount,
                &p.id,
                now,
            ),
            Stmt::guarded(
                "UPDATE accounts SET reserved_msat = reserved_msat - $1, \
                 available_msat = available_msat + $1 - $2 WHERE id = $3",
                vec![
                    payment.reserved_msat.into(),
                    amount.into(),
                    payment.account_id.clone().into(),
                ],
                1,
            ),
            credit_stmt(&invoice.account_id, amount, &paid, now)?,
            Stmt::guarded(
                "UPDATE accounts SET available_msat = available_msat + $1 WHERE id = $2",
                vec![amount.into(), invoice.account_id.clone().into()],
                1,
            ),
        ];
        let events = vec![
            (
                payment.account_id.clone(),
                PendingEvent::now(EventPayload::PaymentSucceeded(p)),
            ),
            (
                invoice.account_id.clone(),
                PendingEvent::now(EventPayload::InvoicePaid(paid.clone())),
            ),
        ];
        guard_to_option(self.commit_with_events(stmts, events).await, paid)
    }

    /// Cancels a hold invoice held by another account of this LSP: the invoice cancelled, the
    /// payer's payment failed (`recipient_rejected`) and its reservation released;
    /// `invoice.cancelled` and `payment.failed`. Returns `None` when either had already moved
    /// on.
    ///
    /// # Errors
    /// Database failures.
    pub async fn cancel_internal_hold(
        &self,
        invoice: &InvoiceRecord,
        payment: &PaymentRecord,
    ) -> Result<Option<LspInvoice>, StoreError> {
        let now = now_secs();
        let mut cancelled = invoice.invoice.clone();
        cancelled.status = InvoiceStatus::Cancelled;
        cancelled.cancelled_at = Some(now);
        let mut p = payment.payment.clone();
        p.status = PaymentStatus::Failed;
        p.failure_reason = Some(PaymentFailureReason::RecipientRejected);
        p.completed_at = Some(now);
        let stmts =
            vec![
            Stmt::guarded(
                "UPDATE invoices SET status = 'cancelled', cancelled_at = $1 \
                 WHERE id = $2 AND status = 'accepted'",
                vec![now.into(), cancelled.id.clone().into()],
                1,
            ),
            Stmt::guarded(
                "UPDATE payments SET status = 'failed', failure_reason = 'recipient_rejected', \
                 completed_at = $1 WHERE id = $2 AND status = 'pending'",
                vec![now.into(), p.id.clone().into()],
                1,
            ),
            ledger_stmt(
                &payment.account_id,
                &ids::new_id("led")?,
                "release",
                payment.reserved_msat,
                &p.id,
                now,
            ),
            Stmt::guarded(
                "UPDATE accounts SET reserved_msat = reserved_msat - $1, \
                 available_msat = available_msat + $1 WHERE id = $2",
                vec![payment.reserved_msat.into(), payment.account_id.clone().into()],
                1,
            ),
        ];
        let events = vec![
            (
                invoice.account_id.clone(),
                PendingEvent::now(EventPayload::InvoiceCancelled(cancelled.clone())),
            ),
            (
                payment.account_id.clone(),
                PendingEvent::now(EventPayload::PaymentFailed(p)),
            ),
        ];
        guard_to_option(self.commit_with_events(stmts, events).await, cancelled)
    }

    /// The same idempotency key raced in (a unique key refused the insert): that payment is
    /// this one; any other unique clash is a duplicate payment of the hash.
    async fn raced(&self, new: &NewPayment, reason: &str) -> Result<Transfer, StoreError> {
        match self
            .payment_by_idempotency_key(&new.account_id, &new.idempotency_key)
            .await?
        {
            Some(existing) => Ok(Transfer::Existing(Box::new(existing))),
            None => Err(StoreError::DuplicatePayment {
                payment_hash: format!("{} ({reason})", new.payment_hash),
            }),
        }
    }

    /// Why the internal payment's guard `index` refused it, read after the rollback.
    async fn refusal(
        &self,
        index: usize,
        new: &NewPayment,
        invoice: &InvoiceRecord,
    ) -> Result<StoreError, StoreError> {
        if index == PAYER_GUARD && new.voucher.is_some() {
            return Ok(not_claimable());
        }
        if index == PAYER_GUARD {
            let balance = self.balance(&new.account_id).await?;
            return Ok(StoreError::InsufficientBalance {
                available_msat: balance.available_msat.as_u64(),
                required_msat: new.amount_msat,
            });
        }
        debug_assert_eq!(index, INVOICE_GUARD);
        let now = now_secs();
        let current = self
            .invoice(&invoice.account_id, &invoice.invoice.id)
            .await?;
        let reason = match current.invoice.status {
            InvoiceStatus::Paid => "the invoice is already paid",
            InvoiceStatus::Cancelled => "the invoice was cancelled",
            InvoiceStatus::Expired => "the invoice expired",
            InvoiceStatus::Open if current.invoice.expires_at <= now => "the invoice expired",
            InvoiceStatus::Open if current.claim_started_at.is_some() => {
                "the invoice is being paid over Lightning"
            }
            InvoiceStatus::Accepted => "the hold invoice is already held for a payer",
            _ => "the invoice can no longer be paid",
        };
        Ok(not_payable(reason))
    }
}

fn not_payable(reason: &str) -> StoreError {
    StoreError::InvoiceNotPayable {
        reason: reason.to_owned(),
    }
}
