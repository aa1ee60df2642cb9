//! Transfers from one account of this LSP to another without an invoice: what a stream paying
//! an account makes every tick. One transaction debits the payer, records its payment (kind
//! `transfer`, succeeded, fee 0), credits the payee (a ledger credit referring to the
//! transfer's id), appends both events (`payment.succeeded` to the payer, `transfer.received`
//! to the payee) and, when a stream pays, saves the stream's accounting with it: the payment
//! and the state that counts it are committed together or not at all, so no state is saved
//! "in flight" first and a crash can neither lose nor repeat one.
//!
//! An invoice between accounts (`transfers.rs`) costs the LSP's node a payment-store write
//! and the payee an invoice per payment; a stream paying every second wants neither.
//!
//! Transfers made at the same moment are committed together (group commit): each caller queues
//! its statements, one of them commits everything queued in one transaction, and every caller
//! gets its own answer. A thousand streams paying every second are then a few dozen
//! transactions a second, not a thousand fsyncs. If the group is refused (one payer short, one
//! key used twice), each transfer of it is committed alone, so a refusal is only its own.

use std::sync::Mutex as StdMutex;

use etrid_core::amount::Msat;
use etrid_core::lsp::{
    EventPayload, LspPayment, LspTransfer, NodeId, PaymentKind, PaymentStatus, Preimage,
};

use super::events::PendingEvent;
use super::invoices::ledger_credit_stmt;
use super::payments::{ledger_stmt, PaymentRecord};
use super::streams::save_stream_stmt;
use super::tournaments::json_text;
use super::{Store, StoreError, StreamRecord};
use tokio::sync::{oneshot, Mutex};

use crate::db::{DbError, Stmt};
use crate::ids;
use crate::time::now_secs;

/// The batch's statements that can refuse it, by position.
const PAYER_GUARD: usize = 0;
const PAYEE_GUARD: usize = 3;
const STREAM_GUARD: usize = 5;

/// A transfer to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTransfer {
    /// The paying account.
    pub payer: String,
    /// The account credited (never the payer).
    pub payee: String,
    /// Amount moved, more than zero.
    pub amount_msat: u64,
    /// The payer's idempotency key: a second transfer under it is the first one.
    pub idempotency_key: String,
    /// What it pays for (the payee sees it).
    pub description: Option<String>,
    /// The stream and the sequence of its payment, when a stream makes it.
    pub stream: Option<(String, u64)>,
    /// This LSP's node: the payment's destination, as for any payment settled inside the LSP.
    pub node: NodeId,
}

/// The stream a transfer pays, saved with it: its accounting counting the payment, and the
/// accounting as it was read (the save happens only if the stored one is still that).
#[derive(Debug, Clone, Copy)]
pub struct StreamSave<'a> {
    /// The stream to save.
    pub record: &'a StreamRecord,
    /// Its accounting as read, before this payment.
    pub read: &'a etrid_core::streaming::StreamingPayment,
}

/// What [`Store::transfer`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum DirectTransfer {
    /// Made now: the payer's payment as committed.
    Made(Box<LspPayment>),
    /// The payer already used this idempotency key: that payment (nothing changed).
    Existing(Box<PaymentRecord>),
}

/// Transfers waiting to be committed together, and the lock whose holder commits them.
#[derive(Debug, Default)]
pub(crate) struct TransferQueue {
    waiting: StdMutex<Vec<Queued>>,
    committer: Mutex<()>,
}

/// One queued transfer and where its answer goes.
#[derive(Debug)]
struct Queued {
    prepared: Prepared,
    answer: oneshot::Sender<Result<DirectTransfer, StoreError>>,
}

/// A transfer's statements and events, ready to commit.
#[derive(Debug)]
struct Prepared {
    new: NewTransfer,
    payment: LspPayment,
    stmts: Vec<Stmt>,
    events: Vec<(String, PendingEvent)>,
}

/// Transfers committed in one transaction at most.
const GROUP_MAX: usize = 128;

impl Store {
    /// Moves `new.amount_msat` from `new.payer` to `new.payee` at once and exactly once,
    /// saving `stream` (its accounting already counting this payment) in the same transaction,
    /// on the condition that the stream is still as it was read (`StreamSave::read`).
    ///
    /// # Errors
    /// [`StoreError::InsufficientBalance`]; [`StoreError::NotFound`] for a payee that is not an
    /// account here; [`StoreError::Conflict`] when the key was used for another payment, or
    /// when the stream changed since it was read (read it again). Nothing changes on any error.
    pub async fn transfer(
        &self,
        new: NewTransfer,
        stream: Option<StreamSave<'_>>,
    ) -> Result<DirectTransfer, StoreError> {
        if new.payer == new.payee {
            return Err(StoreError::Conflict {
                reason: "a transfer to the paying account itself".into(),
            });
        }
        let amount = new.amount_msat;
        let now = now_secs();
        let payment_id = ids::new_id("pay")?;
        let preimage = Preimage::from_bytes(ids::random_bytes::<32>()?);
        let fingerprint = transfer_fingerprint(&new);
        let payment = LspPayment {
            id: payment_id.clone(),
            kind: PaymentKind::Transfer,
            status: PaymentStatus::Succeeded,
            amount_msat: Msat::from_msat(amount),
            fee_msat: Some(Msat::ZERO),
            max_fee_msat: Msat::ZERO,
            payment_hash: preimage.payment_hash(),
            preimage: Some(preimage),
            destination: new.node,
            bolt11: None,
            idempotency_key: new.idempotency_key.clone(),
            custom_records: Vec::new(),
            parts: Vec::new(),
            internal: true,
            failure_reason: None,
            created_at: now,
            completed_at: Some(now),
        };
        let received = LspTransfer {
            id: payment_id.clone(),
            amount_msat: Msat::from_msat(amount),
            description: new.description.clone(),
            stream_id: new.stream.as_ref().map(|(id, _)| id.clone()),
            stream_sequence: new.stream.as_ref().map(|&(_, sequence)| sequence),
            created_at: now,
        };
        let mut stmts = vec![
            // PAYER_GUARD: the payer covers it.
            Stmt::guarded(
                "UPDATE accounts SET available_msat = available_msat - $1 \
                 WHERE id = $2 AND available_msat >= $1",
                vec![amount.into(), new.payer.clone().into()],
                1,
            ),
            Stmt::new(
                "INSERT INTO payments (id, account_id, kind, status, amount_msat, fee_msat, \
                 max_fee_msat, reserved_msat, payment_hash, preimage, destination, bolt11, \
                 idempotency_key, fingerprint, custom_records, ldk_payment_id, created_at, \
                 completed_at, internal) \
                 VALUES ($1, $2, 'transfer', 'succeeded', $3, 0, 0, 0, $4, $5, $6, NULL, $7, $8, \
                 '[]', $9, $10, $10, 1)",
                vec![
                    payment_id.clone().into(),
                    new.payer.clone().into(),
                    amount.into(),
                    payment.payment_hash.to_string().into(),
                    preimage.to_string().into(),
                    new.node.to_string().into(),
                    new.idempotency_key.clone().into(),
                    fingerprint.into(),
                    // Never an LDK payment: no node event can ever match it.
                    format!("internal:{payment_id}").into(),
                    now.into(),
                ],
            ),
            ledger_stmt(
                &new.payer,
                &ids::new_id("led")?,
                "debit",
                amount,
                &payment_id,
                now,
            ),
            // PAYEE_GUARD: the payee is an account here.
            Stmt::guarded(
                "UPDATE accounts SET available_msat = available_msat + $1 WHERE id = $2",
                vec![amount.into(), new.payee.clone().into()],
                1,
            ),
            ledger_credit_stmt(
                &new.payee,
                amount,
                ("transfer", &payment_id),
                new.description.clone(),
                now,
            )?,
        ];
        if let Some(save) = stream {
            // STREAM_GUARD: the stream is as it was read (no API call changed it since).
            let mut stmt = save_stream_stmt(save.record)?;
            stmt.sql = "UPDATE streams SET status = $1, engine = $2, updated_at_ms = $3, \
                 ended_at = $4, failure_reason = $5 WHERE id = $6 AND engine = $7";
            stmt.params.push(json_text(save.read)?.into());
            stmt.expect_rows = Some(1);
            stmts.push(stmt);
        }
        let events = vec![
            (
                new.payer.clone(),
                PendingEvent::now(EventPayload::PaymentSucceeded(payment.clone())),
            ),
            (
                new.payee.clone(),
                PendingEvent::now(EventPayload::TransferReceived(received)),
            ),
        ];
        let (answer, answered) = oneshot::channel();
        let prepared = Prepared {
            new,
            payment,
            stmts,
            events,
        };
        lock(&self.transfers.waiting).push(Queued { prepared, answer });
        // The commit runs in its own task: a caller that goes away (a dropped request) never
        // interrupts a commit that other callers' transfers are in.
        let store = self.clone();
        tokio::spawn(async move { store.commit_queued_transfers().await });
        answered.await.unwrap_or_else(|_| {
            Err(StoreError::Db(DbError::Query {
                reason: "the transfer's commit was dropped".into(),
            }))
        })
    }

    /// Commits what is queued, if no other caller is committing it already: up to
    /// [`GROUP_MAX`] transfers in one transaction, each alone when the group is refused.
    async fn commit_queued_transfers(&self) {
        let _committer = self.transfers.committer.lock().await;
        loop {
            let group: Vec<Queued> = {
                let mut waiting = lock(&self.transfers.waiting);
                let n = waiting.len().min(GROUP_MAX);
                waiting.drain(..n).collect()
            };
            if group.is_empty() {
                return;
            }
            if group.len() > 1 {
                let mut stmts = Vec::new();
                let mut events = Vec::new();
                for queued in &group {
                    stmts.extend(queued.prepared.stmts.iter().cloned());
                    events.extend(queued.prepared.events.iter().cloned());
                }
                if self.commit_with_events(stmts, events).await.is_ok() {
                    for queued in group {
                        let made = DirectTransfer::Made(Box::new(queued.prepared.payment));
                        let _ = queued.answer.send(Ok(made));
                    }
                    continue;
                }
            }
            for queued in group {
                let answer = self.commit_one(queued.prepared).await;
                let _ = queued.answer.send(answer);
            }
        }
    }

    /// Commits one transfer alone, saying why it was refused.
    async fn commit_one(&self, prepared: Prepared) -> Result<DirectTransfer, StoreError> {
        let Prepared {
            new,
            payment,
            stmts,
            events,
        } = prepared;
        let amount = new.amount_msat;
        match self.commit_with_events(stmts, events).await {
            Ok(_) => Ok(DirectTransfer::Made(Box::new(payment))),
            Err(StoreError::Db(DbError::GuardFailed { index, .. })) if index == PAYER_GUARD => {
                let balance = self.balance(&new.payer).await?;
                Err(StoreError::InsufficientBalance {
                    available_msat: balance.available_msat.as_u64(),
                    required_msat: amount,
                })
            }
            Err(StoreError::Db(DbError::GuardFailed { index, .. })) if index == PAYEE_GUARD => {
                Err(StoreError::NotFound {
                    what: "payee account",
                })
            }
            Err(StoreError::Db(DbError::GuardFailed { index, .. })) if index == STREAM_GUARD => {
                Err(StoreError::Conflict {
                    reason: "the stream changed since it was read".into(),
                })
            }
            Err(StoreError::Db(DbError::Unique { reason })) => {
                match self
                    .payment_by_idempotency_key(&new.payer, &new.idempotency_key)
                    .await?
                {
                    Some(existing) if existing.fingerprint == transfer_fingerprint(&new) => {
                        Ok(DirectTransfer::Existing(Box::new(existing)))
                    }
                    Some(_) => Err(StoreError::Conflict {
                        reason: format!(
                            "idempotency key {} was used for another payment",
                            new.idempotency_key
                        ),
                    }),
                    None => Err(DbError::Query { reason }.into()),
                }
            }
            Err(e) => Err(e),
        }
    }
}

/// What makes two transfers under one key the same transfer: payee and amount.
fn transfer_fingerprint(new: &NewTransfer) -> String {
    ids::sha256_hex(format!("transfer:{}:{}", new.payee, new.amount_msat).as_bytes())
}

/// Locks `mutex`, recovering the queue of a poisoned one (nothing panics while holding it).
fn lock<T>(mutex: &StdMutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
