//! Outgoing payments and their money rules: before anything leaves the node, amount plus
//! maximum fee is reserved (refused if the account cannot cover it); on success the reservation
//! is released and amount plus the real fee debited; on failure the reservation is released.
//! Each step is one guarded transaction, so a replayed node event changes nothing twice.

use etrid_core::amount::Msat;
use etrid_core::lsp::{
    CustomRecord, EventPayload, LspPayment, NodeId, PaymentFailureReason, PaymentHash, PaymentKind,
    PaymentStatus, Preimage, VoucherStatus,
};

use super::events::PendingEvent;
use super::invoices::guard_to_option as guarded_result;
use super::vouchers::{claim_stmt, not_claimable, VoucherFunding};
use super::StoreError;
use super::{page, Cursor, ListFilter, Store, LIST_TAIL};
use crate::db::{DbError, Row, Stmt, Value};
use crate::ids;
use crate::time::now_secs;

const COLUMNS: &str = "id, kind, status, amount_msat, fee_msat, max_fee_msat, payment_hash, \
    preimage, destination, bolt11, idempotency_key, custom_records, failure_reason, created_at, \
    completed_at, account_id, reserved_msat, fingerprint, ldk_payment_id, internal, voucher_id";

/// A payment as stored: the public model plus the server's bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRecord {
    /// The public model.
    pub payment: LspPayment,
    /// The paying account.
    pub account_id: String,
    /// What was reserved (amount + max fee).
    pub reserved_msat: u64,
    /// Digest of the request, for idempotency checks.
    pub fingerprint: String,
    /// LDK Node's payment id (hex).
    pub ldk_payment_id: String,
    /// The voucher this payment claims: its reservation was the voucher's.
    pub voucher_id: Option<String>,
}

/// A payment about to be started.
#[derive(Debug, Clone)]
pub struct NewPayment {
    /// The paying account.
    pub account_id: String,
    /// BOLT11 or keysend.
    pub kind: PaymentKind,
    /// Amount to deliver.
    pub amount_msat: u64,
    /// Fee limit.
    pub max_fee_msat: u64,
    /// Payment hash.
    pub payment_hash: PaymentHash,
    /// The preimage when the server chose it (keysend).
    pub preimage: Option<Preimage>,
    /// Recipient node.
    pub destination: NodeId,
    /// The invoice paid, for BOLT11.
    pub bolt11: Option<String>,
    /// Client idempotency key.
    pub idempotency_key: String,
    /// Digest of the request.
    pub fingerprint: String,
    /// Keysend TLV records.
    pub custom_records: Vec<CustomRecord>,
    /// LDK Node's payment id (hex) the send will use.
    pub ldk_payment_id: String,
    /// Set when the payment claims a voucher: it takes the voucher's reservation over
    /// instead of reserving from the balance.
    pub voucher: Option<VoucherFunding>,
}

/// How a payment ended, as the node reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentOutcome {
    /// Delivered.
    Succeeded {
        /// Routing fee paid.
        fee_msat: u64,
        /// The preimage.
        preimage: Option<Preimage>,
    },
    /// Not delivered.
    Failed {
        /// Why.
        reason: PaymentFailureReason,
    },
}

fn decode_err(reason: String) -> StoreError {
    DbError::Decode { reason }.into()
}

/// The reason's wire name (a unit variant always serialises to its name).
fn reason_str(r: PaymentFailureReason) -> String {
    serde_json::to_value(r)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn record_from_row(r: &Row) -> Result<PaymentRecord, StoreError> {
    let kind = match r.text(1)?.as_str() {
        "bolt11" => PaymentKind::Bolt11,
        "keysend" => PaymentKind::Keysend,
        "transfer" => PaymentKind::Transfer,
        other => return Err(decode_err(format!("payment kind {other:?}"))),
    };
    let status = match r.text(2)?.as_str() {
        "pending" => PaymentStatus::Pending,
        "succeeded" => PaymentStatus::Succeeded,
        "failed" => PaymentStatus::Failed,
        other => return Err(decode_err(format!("payment status {other:?}"))),
    };
    let custom_records: Vec<CustomRecord> = serde_json::from_str(&r.text(11)?)
        .map_err(|e| decode_err(format!("custom_records: {e}")))?;
    let failure_reason = match r.opt_text(12)? {
        Some(text) => Some(
            serde_json::from_value(serde_json::Value::String(text))
                .map_err(|e| decode_err(format!("failure_reason: {e}")))?,
        ),
        None => None,
    };
    Ok(PaymentRecord {
        payment: LspPayment {
            id: r.text(0)?,
            kind,
            status,
            amount_msat: Msat::from_msat(r.uint(3)?),
            fee_msat: r.opt_uint(4)?.map(Msat::from_msat),
            max_fee_msat: Msat::from_msat(r.uint(5)?),
            payment_hash: r.parsed(6)?,
            preimage: r.opt_parsed(7)?,
            destination: r.parsed(8)?,
            bolt11: r.opt_text(9)?,
            idempotency_key: r.text(10)?,
            custom_records,
            parts: Vec::new(),
            internal: r.uint(19)? != 0,
            failure_reason,
            created_at: r.uint(13)?,
            completed_at: r.opt_uint(14)?,
        },
        account_id: r.text(15)?,
        reserved_msat: r.uint(16)?,
        fingerprint: r.text(17)?,
        ldk_payment_id: r.text(18)?,
        voucher_id: r.opt_text(20)?,
    })
}

/// What [`Store::reserve_payment`] did.
#[derive(Debug, Clone)]
pub enum Reserved {
    /// A new pending payment with its reservation.
    Created(PaymentRecord),
    /// A payment with this idempotency key already existed.
    Existing(PaymentRecord),
}

impl Store {
    async fn payment_where(
        &self,
        condition: &str,
        params: Vec<Value>,
    ) -> Result<Option<PaymentRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM payments WHERE {condition}");
        self.db
            .query_opt(&sql, params)
            .await?
            .as_ref()
            .map(record_from_row)
            .transpose()
    }

    /// The account's payment with this idempotency key.
    ///
    /// # Errors
    /// Database failures.
    pub async fn payment_by_idempotency_key(
        &self,
        account_id: &str,
        key: &str,
    ) -> Result<Option<PaymentRecord>, StoreError> {
        self.payment_where(
            "account_id = $1 AND idempotency_key = $2",
            vec![account_id.into(), key.into()],
        )
        .await
    }

    /// The account's pending or succeeded payment of this hash, if any.
    ///
    /// # Errors
    /// Database failures.
    pub async fn live_payment_by_hash(
        &self,
        account_id: &str,
        payment_hash: &PaymentHash,
    ) -> Result<Option<PaymentRecord>, StoreError> {
        self.payment_where(
            "account_id = $1 AND payment_hash = $2 AND status IN ('pending', 'succeeded')",
            vec![account_id.into(), payment_hash.to_string().into()],
        )
        .await
    }

    /// The payment LDK Node knows by `ldk_payment_id`.
    ///
    /// # Errors
    /// Database failures.
    pub async fn payment_by_ldk_id(
        &self,
        ldk_payment_id: &str,
    ) -> Result<Option<PaymentRecord>, StoreError> {
        // A hash paid again after a failure has several rows: the pending one is meant.
        self.payment_where(
            "ldk_payment_id = $1 ORDER BY CASE WHEN status = 'pending' THEN 0 ELSE 1 END, \
             created_at DESC LIMIT 1",
            vec![ldk_payment_id.into()],
        )
        .await
    }

    /// The account's payment `id`.
    ///
    /// # Errors
    /// `not_found` when it does not exist in this account.
    pub async fn payment(&self, account_id: &str, id: &str) -> Result<PaymentRecord, StoreError> {
        self.payment_where(
            "id = $1 AND account_id = $2",
            vec![id.into(), account_id.into()],
        )
        .await?
        .ok_or_else(|| StoreError::not_found("payment"))
    }

    /// The pending payment between accounts that holds the hold invoice of `payment_hash`, if
    /// any (a hold invoice of another account paid through [`Store::pay_internally`]).
    ///
    /// # Errors
    /// Database failures.
    pub async fn internal_hold_payment(
        &self,
        payment_hash: &PaymentHash,
    ) -> Result<Option<PaymentRecord>, StoreError> {
        self.payment_where(
            "payment_hash = $1 AND internal = 1 AND status = 'pending'",
            vec![payment_hash.to_string().into()],
        )
        .await
    }

    /// Pending Lightning payments (checked against the node on start).
    ///
    /// # Errors
    /// Database failures.
    pub async fn pending_payments(&self) -> Result<Vec<PaymentRecord>, StoreError> {
        // Internal payments (held for a hold invoice of this LSP) are never the node's.
        let sql =
            format!("SELECT {COLUMNS} FROM payments WHERE status = 'pending' AND internal = 0");
        self.db
            .query(&sql, vec![])
            .await?
            .iter()
            .map(record_from_row)
            .collect()
    }

    /// A page of the account's payments, newest first.
    ///
    /// # Errors
    /// Database failures.
    pub async fn list_payments(
        &self,
        account_id: &str,
        filter: &ListFilter,
    ) -> Result<(Vec<LspPayment>, Option<String>), StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM payments WHERE account_id = $1 {LIST_TAIL}");
        let mut params = vec![Value::from(account_id)];
        params.extend(filter.params());
        let items = self
            .db
            .query(&sql, params)
            .await?
            .iter()
            .map(|r| record_from_row(r).map(|p| p.payment))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(page(items, filter.limit, |p| Cursor {
            created_at: p.created_at,
            id: p.id.clone(),
        }))
    }

    /// Reserves amount + max fee and records the pending payment, in one transaction.
    ///
    /// # Errors
    /// [`StoreError::InsufficientBalance`] when the account cannot cover it (nothing changed).
    pub async fn reserve_payment(&self, new: NewPayment) -> Result<Reserved, StoreError> {
        let reserve = match &new.voucher {
            // The voucher's reservation covers amount and fee (the engine bounds both).
            Some(funding) => funding.reserved_msat,
            None => new
                .amount_msat
                .checked_add(new.max_fee_msat)
                .filter(|r| *r <= Msat::MAX_SUPPLY.as_u64())
                .ok_or(StoreError::AmountTooLarge)?,
        };
        let id = ids::new_id("pay")?;
        let now = now_secs();
        let records = serde_json::to_string(&new.custom_records)
            .map_err(|e| decode_err(format!("custom_records: {e}")))?;
        let mut stmts = match &new.voucher {
            // The voucher's reservation becomes the payment's: no balance moves, so neither
            // the balance columns nor the ledger change (the ledger records movements of the
            // available balance; the payment's completion releases what the voucher reserved).
            Some(funding) => vec![claim_stmt(funding, &id, new.amount_msat, now, false)],
            None => vec![
                Stmt::guarded(
                    "UPDATE accounts SET available_msat = available_msat - $1, \
                     reserved_msat = reserved_msat + $1 WHERE id = $2 AND available_msat >= $1",
                    vec![reserve.into(), new.account_id.clone().into()],
                    1,
                ),
                ledger_stmt(
                    &new.account_id,
                    &ids::new_id("led")?,
                    "reserve",
                    reserve,
                    &id,
                    now,
                ),
            ],
        };
        stmts.push(Stmt::new(
                "INSERT INTO payments (id, account_id, kind, status, amount_msat, max_fee_msat, \
                 reserved_msat, payment_hash, preimage, destination, bolt11, idempotency_key, \
                 fingerprint, custom_records, ldk_payment_id, created_at, voucher_id) \
                 VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
                vec![
                    id.clone().into(),
                    new.account_id.clone().into(),
                    match new.kind {
                        PaymentKind::Bolt11 => "bolt11",
                        PaymentKind::Keysend => "keysend",
                        PaymentKind::Transfer => "transfer",
                    }
                    .into(),
                    new.amount_msat.into(),
                    new.max_fee_msat.into(),
                    reserve.into(),
                    new.payment_hash.to_string().into(),
                    new.preimage.map(|p| p.to_string()).into(),
                    new.destination.to_string().into(),
                    new.bolt11.clone().into(),
                    new.idempotency_key.clone().into(),
                    new.fingerprint.clone().into(),
                    records.into(),
                    new.ldk_payment_id.clone().into(),
                    now.into(),
                    new.voucher.as_ref().map(|v| v.voucher_id.clone()).into(),
                ],
            ));
        match self.db.batch(stmts).await {
            Ok(_) => Ok(Reserved::Created(PaymentRecord {
                payment: LspPayment {
                    id,
                    kind: new.kind,
                    status: PaymentStatus::Pending,
                    amount_msat: Msat::from_msat(new.amount_msat),
                    fee_msat: None,
                    max_fee_msat: Msat::from_msat(new.max_fee_msat),
                    payment_hash: new.payment_hash,
                    preimage: None,
                    destination: new.destination,
                    bolt11: new.bolt11,
                    idempotency_key: new.idempotency_key,
                    custom_records: new.custom_records,
                    parts: Vec::new(),
                    internal: false,
                    failure_reason: None,
                    created_at: now,
                    completed_at: None,
                },
                account_id: new.account_id,
                reserved_msat: reserve,
                fingerprint: new.fingerprint,
                ldk_payment_id: new.ldk_payment_id,
                voucher_id: new.voucher.map(|v| v.voucher_id),
            })),
            Err(e) if e.is_guard() && new.voucher.is_some() => Err(not_claimable()),
            Err(e) if e.is_guard() => {
                // A retry of a payment that already holds the balance is that payment.
                if let Some(existing) = self
                    .payment_by_idempotency_key(&new.account_id, &new.idempotency_key)
                    .await?
                {
                    return Ok(Reserved::Existing(existing));
                }
                let balance = self.balance(&new.account_id).await?;
                Err(StoreError::InsufficientBalance {
                    available_msat: balance.available_msat.as_u64(),
                    required_msat: reserve,
                })
            }
            Err(DbError::Unique { reason }) => {
                match self
                    .payment_by_idempotency_key(&new.account_id, &new.idempotency_key)
                    .await?
                {
                    Some(existing) => Ok(Reserved::Existing(existing)),
                    None => Err(StoreError::DuplicatePayment {
                        payment_hash: format!("{} ({reason})", new.payment_hash),
                    }),
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Settles a pending payment with the node's outcome: releases the reservation, debits
    /// amount + fee on success, and emits `payment.succeeded` or `payment.failed`. Returns
    /// `None` if it was already settled (a replayed event).
    ///
    /// # Errors
    /// Database failures.
    pub async fn complete_payment(
        &self,
        rec: &PaymentRecord,
        outcome: PaymentOutcome,
    ) -> Result<Option<LspPayment>, StoreError> {
        let now = now_secs();
        let mut p = rec.payment.clone();
        p.completed_at = Some(now);
        let release_id = ids::new_id("led")?;
        let mut stmts = Vec::new();
        let payload = match outcome {
            PaymentOutcome::Succeeded { fee_msat, preimage } => {
                p.status = PaymentStatus::Succeeded;
                p.fee_msat = Some(Msat::from_msat(fee_msat));
                if preimage.is_some() {
                    p.preimage = preimage;
                }
                let debit = p.amount_msat.as_u64().saturating_add(fee_msat);
                if debit > rec.reserved_msat {
                    tracing::error!(payment = %p.id, debit, reserved = rec.reserved_msat,
                        "fee above the reserved maximum; debiting the real amount");
                }
                stmts.push(Stmt::guarded(
                    "UPDATE payments SET status = 'succeeded', fee_msat = $1, preimage = $2, \
                     completed_at = $3 WHERE id = $4 AND status = 'pending'",
                    vec![
                        fee_msat.into(),
                        p.preimage.map(|p| p.to_string()).into(),
                        now.into(),
                        p.id.clone().into(),
                    ],
                    1,
                ));
                stmts.push(ledger_stmt(
                    &rec.account_id,
                    &release_id,
                    "release",
                    rec.reserved_msat,
                    &p.id,
                    now,
                ));
                stmts.push(ledger_stmt(
                    &rec.account_id,
                    &ids::new_id("led")?,
                    "debit",
                    debit,
                    &p.id,
                    now,
                ));
                stmts.push(Stmt::guarded(
                    "UPDATE accounts SET reserved_msat = reserved_msat - $1, \
                     available_msat = available_msat + $1 - $2 WHERE id = $3",
                    vec![
                        rec.reserved_msat.into(),
                        debit.into(),
                        rec.account_id.clone().into(),
                    ],
                    1,
                ));
                EventPayload::PaymentSucceeded(p.clone())
            }
            PaymentOutcome::Failed { reason } => {
                p.status = PaymentStatus::Failed;
                p.failure_reason = Some(reason);
                stmts.push(Stmt::guarded(
                    "UPDATE payments SET status = 'failed', failure_reason = $1, completed_at = $2 \
                     WHERE id = $3 AND status = 'pending'",
                    vec![reason_str(reason).into(), now.into(), p.id.clone().into()],
                    1,
                ));
                if let Some(voucher_id) = &rec.voucher_id {
                    // A failed claim hands the reservation back to its voucher, claimable again
                    // (the sweeper ends it if its window closed meanwhile): no balance moves.
                    stmts.push(Stmt::guarded(
                        "UPDATE vouchers SET status = 'active', payment_id = NULL, \
                         claimed_msat = NULL WHERE id = $1 AND status = 'claiming'",
                        vec![voucher_id.clone().into()],
                        1,
                    ));
                } else {
                    stmts.push(ledger_stmt(
                        &rec.account_id,
                        &release_id,
                        "release",
                        rec.reserved_msat,
                        &p.id,
                        now,
                    ));
                    stmts.push(Stmt::guarded(
                        "UPDATE accounts SET reserved_msat = reserved_msat - $1, \
                         available_msat = available_msat + $1 WHERE id = $2",
                        vec![rec.reserved_msat.into(), rec.account_id.clone().into()],
                        1,
                    ));
                }
                EventPayload::PaymentFailed(p.clone())
            }
        };
        let mut events = vec![(rec.account_id.clone(), PendingEvent::now(payload))];
        if let (Some(voucher_id), PaymentStatus::Succeeded) = (&rec.voucher_id, p.status) {
            let mut claimed = self.voucher(&rec.account_id, voucher_id).await?.voucher;
            claimed.status = VoucherStatus::Claimed;
            claimed.completed_at = Some(now);
            stmts.push(Stmt::guarded(
                "UPDATE vouchers SET status = 'claimed', completed_at = $1 \
                 WHERE id = $2 AND status = 'claiming'",
                vec![now.into(), voucher_id.clone().into()],
                1,
            ));
            events.push((
                rec.account_id.clone(),
                PendingEvent::now(EventPayload::VoucherClaimed(claimed)),
            ));
        }
        guarded_result(self.commit_with_events(stmts, events).await, p)
    }
}

/// A ledger entry of `kind` (`reserve`, `release`, else `debit`) for payment `payment_id`.
pub(super) fn ledger_stmt(
    account_id: &str,
    id: &str,
    kind: &'static str,
    amount: u64,
    payment_id: &str,
    now: u64,
) -> Stmt {
    let sql = match kind {
        "reserve" => "INSERT INTO ledger (id, account_id, kind, amount_msat, reference_type, \
             reference_id, description, created_at) VALUES ($1, $2, 'reserve', $3, 'payment', $4, NULL, $5)",
        "release" => "INSERT INTO ledger (id, account_id, kind, amount_msat, reference_type, \
             reference_id, description, created_at) VALUES ($1, $2, 'release', $3, 'payment', $4, NULL, $5)",
        _ => "INSERT INTO ledger (id, account_id, kind, amount_msat, reference_type, \
             reference_id, description, created_at) VALUES ($1, $2, 'debit', $3, 'payment', $4, NULL, $5)",
    };
    Stmt::new(
        sql,
        vec![
            id.into(),
            account_id.into(),
            amount.into(),
            payment_id.into(),
            now.into(),
        ],
    )
}
