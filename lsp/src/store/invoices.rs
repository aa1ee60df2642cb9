//! Invoices and their lifecycle. Every transition is guarded on the state it leaves, so a
//! replayed node event or a race between a payment and a cancel changes nothing twice; the
//! transition to `paid` credits the account in the same transaction (and the ledger's unique
//! key makes a second credit impossible).

use etrid_core::amount::Msat;
use etrid_core::lsp::{
    DescriptionHash, EventPayload, InvoiceKind, InvoiceStatus, LspInvoice, PaymentHash, Preimage,
};
use serde_json::{Map, Value as Json};

use super::events::PendingEvent;
use super::StoreError;
use super::{page, Cursor, ListFilter, Store, LIST_TAIL};
use crate::db::{DbError, Row, Stmt, Value};
use crate::ids;
use crate::time::now_secs;

const COLUMNS: &str = "id, kind, status, bolt11, payment_hash, amount_msat, amount_received_msat, \
    description, description_hash, external_id, metadata, created_at, expires_at, accepted_at, \
    paid_at, cancelled_at, hold_expires_at, account_id, preimage, fingerprint, claimable_msat, \
    claim_deadline_height, claim_started_at";

/// An invoice as stored: the public model plus what only the server knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceRecord {
    /// The public model.
    pub invoice: LspInvoice,
    /// The owning account.
    pub account_id: String,
    /// The preimage (standard invoices: the server's; hold invoices: none until settled).
    pub preimage: Option<Preimage>,
    /// A digest of the create parameters, for `external_id` idempotency.
    pub fingerprint: String,
    /// What the node holds for a hold invoice once accepted.
    pub claimable_msat: Option<u64>,
    /// The block height by which held HTLCs must be claimed.
    pub claim_deadline_height: Option<u64>,
    /// When the server started claiming a standard invoice's payment.
    pub claim_started_at: Option<u64>,
}

/// What a new invoice row holds.
#[derive(Debug, Clone)]
pub struct NewInvoice {
    /// The owning account.
    pub account_id: String,
    /// Standard or hold.
    pub kind: InvoiceKind,
    /// The BOLT11 string the node made.
    pub bolt11: String,
    /// Its payment hash.
    pub payment_hash: PaymentHash,
    /// The preimage for standard invoices.
    pub preimage: Option<Preimage>,
    /// The amount, if fixed.
    pub amount_msat: Option<u64>,
    /// The description.
    pub description: Option<String>,
    /// The description hash.
    pub description_hash: Option<DescriptionHash>,
    /// The idempotency id.
    pub external_id: Option<String>,
    /// Client metadata.
    pub metadata: Option<Map<String, Json>>,
    /// Digest of the request for idempotency checks.
    pub fingerprint: String,
    /// When it expires.
    pub expires_at: u64,
}

fn kind_str(kind: InvoiceKind) -> &'static str {
    match kind {
        InvoiceKind::Standard => "standard",
        InvoiceKind::Hold => "hold",
    }
}

fn decode_err(reason: String) -> StoreError {
    DbError::Decode { reason }.into()
}

fn record_from_row(r: &Row) -> Result<InvoiceRecord, StoreError> {
    let kind = match r.text(1)?.as_str() {
        "standard" => InvoiceKind::Standard,
        "hold" => InvoiceKind::Hold,
        other => return Err(decode_err(format!("invoice kind {other:?}"))),
    };
    let status = match r.text(2)?.as_str() {
        "open" => InvoiceStatus::Open,
        "accepted" => InvoiceStatus::Accepted,
        "paid" => InvoiceStatus::Paid,
        "expired" => InvoiceStatus::Expired,
        "cancelled" => InvoiceStatus::Cancelled,
        other => return Err(decode_err(format!("invoice status {other:?}"))),
    };
    let metadata = match r.opt_text(10)? {
        Some(text) => Some(
            serde_json::from_str::<Map<String, Json>>(&text)
                .map_err(|e| decode_err(format!("metadata: {e}")))?,
        ),
        None => None,
    };
    Ok(InvoiceRecord {
        invoice: LspInvoice {
            id: r.text(0)?,
            kind,
            status,
            bolt11: r.text(3)?,
            payment_hash: r.parsed(4)?,
            amount_msat: r.opt_uint(5)?.map(Msat::from_msat),
            amount_received_msat: r.opt_uint(6)?.map(Msat::from_msat),
            description: r.opt_text(7)?,
            description_hash: r.opt_parsed(8)?,
            external_id: r.opt_text(9)?,
            metadata,
            created_at: r.uint(11)?,
            expires_at: r.uint(12)?,
            accepted_at: r.opt_uint(13)?,
            paid_at: r.opt_uint(14)?,
            cancelled_at: r.opt_uint(15)?,
            hold_expires_at: r.opt_uint(16)?,
        },
        account_id: r.text(17)?,
        preimage: r.opt_parsed(18)?,
        fingerprint: r.text(19)?,
        claimable_msat: r.opt_uint(20)?,
        claim_deadline_height: r.opt_uint(21)?,
        claim_started_at: r.opt_uint(22)?,
    })
}

/// What [`Store::insert_invoice`] did.
#[derive(Debug, Clone)]
pub enum Inserted {
    /// A new invoice.
    Created(InvoiceRecord),
    /// An invoice with this `external_id` already existed.
    Existing(InvoiceRecord),
}

impl Store {
    /// The invoice with `external_id` in the account, if any.
    ///
    /// # Errors
    /// Database failures.
    pub async fn invoice_by_external_id(
        &self,
        account_id: &str,
        external_id: &str,
    ) -> Result<Option<InvoiceRecord>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM invoices WHERE account_id = $1 AND external_id = $2");
        self.db
            .query_opt(&sql, vec![account_id.into(), external_id.into()])
            .await?
            .as_ref()
            .map(record_from_row)
            .transpose()
    }

    /// Stores a new invoice; when another with the same `external_id` won a race, returns it.
    ///
    /// # Errors
    /// Database or entropy failures.
    pub async fn insert_invoice(&self, new: NewInvoice) -> Result<Inserted, StoreError> {
        let id = ids::new_id("inv")?;
        let created_at = now_secs();
        let metadata = new
            .metadata
            .as_ref()
            .map(|m| Json::Object(m.clone()).to_string());
        let result = self
            .db
            .execute(
                "INSERT INTO invoices (id, account_id, kind, status, bolt11, payment_hash, \
                 preimage, amount_msat, description, description_hash, external_id, fingerprint, \
                 metadata, created_at, expires_at) \
                 VALUES ($1, $2, $3, 'open', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                vec![
                    id.clone().into(),
                    new.account_id.clone().into(),
                    kind_str(new.kind).into(),
                    new.bolt11.clone().into(),
                    new.payment_hash.to_string().into(),
                    new.preimage.map(|p| p.to_string()).into(),
                    new.amount_msat.into(),
                    new.description.clone().into(),
                    new.description_hash.map(|h| h.to_string()).into(),
                    new.external_id.clone().into(),
                    new.fingerprint.clone().into(),
                    metadata.into(),
                    created_at.into(),
                    new.expires_at.into(),
                ],
            )
            .await;
        match result {
            Ok(_) => Ok(Inserted::Created(InvoiceRecord {
                invoice: LspInvoice {
                    id,
                    kind: new.kind,
                    status: InvoiceStatus::Open,
                    bolt11: new.bolt11,
                    payment_hash: new.payment_hash,
                    amount_msat: new.amount_msat.map(Msat::from_msat),
                    amount_received_msat: None,
                    description: new.description,
                    description_hash: new.description_hash,
                    external_id: new.external_id,
                    metadata: new.metadata,
                    created_at,
                    expires_at: new.expires_at,
                    accepted_at: None,
                    paid_at: None,
                    cancelled_at: None,
                    hold_expires_at: None,
                },
                account_id: new.account_id,
                preimage: new.preimage,
                fingerprint: new.fingerprint,
                claimable_msat: None,
                claim_deadline_height: None,
                claim_started_at: None,
            })),
            Err(DbError::Unique { reason }) => {
                if let Some(external_id) = &new.external_id {
                    if let Some(existing) = self
                        .invoice_by_external_id(&new.account_id, external_id)
                        .await?
                    {
                        return Ok(Inserted::Existing(existing));
                    }
                }
                // A payment hash reused by a hold invoice: refused, not an internal error.
                Err(StoreError::conflict(format!(
                    "an invoice for this payment hash already exists ({reason})"
                )))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The account's invoice `id`.
    ///
    /// # Errors
    /// `not_found` when it does not exist in this account.
    pub async fn invoice(&self, account_id: &str, id: &str) -> Result<InvoiceRecord, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM invoices WHERE id = $1 AND account_id = $2");
        let row = self
            .db
            .query_opt(&sql, vec![id.into(), account_id.into()])
            .await?
            .ok_or_else(|| StoreError::not_found("invoice"))?;
        record_from_row(&row)
    }

    /// The invoice with this payment hash, in any account (for node events).
    ///
    /// # Errors
    /// Database failures.
    pub async fn invoice_by_hash(
        &self,
        payment_hash: &PaymentHash,
    ) -> Result<Option<InvoiceRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM invoices WHERE payment_hash = $1");
        self.db
            .query_opt(&sql, vec![payment_hash.to_string().into()])
            .await?
            .as_ref()
            .map(record_from_row)
            .transpose()
    }

    /// A page of the account's invoices, newest first.
    ///
    /// # Errors
    /// Database failures.
    pub async fn list_invoices(
        &self,
        account_id: &str,
        filter: &ListFilter,
    ) -> Result<(Vec<LspInvoice>, Option<String>), StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM invoices WHERE account_id = $1 {LIST_TAIL}");
        let mut params = vec![Value::from(account_id)];
        params.extend(filter.params());
        let rows = self.db.query(&sql, params).await?;
        let items = rows
            .iter()
            .map(|r| record_from_row(r).map(|rec| rec.invoice))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(page(items, filter.limit, |i| Cursor {
            created_at: i.created_at,
            id: i.id.clone(),
        }))
    }

    /// Open invoices whose expiry has passed and whose payment is not being claimed.
    ///
    /// # Errors
    /// Database failures.
    pub async fn expired_open_invoices(&self, now: u64) -> Result<Vec<InvoiceRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM invoices WHERE status = 'open' AND expires_at <= $1 \
             AND claim_started_at IS NULL LIMIT 500"
        );
        self.db
            .query(&sql, vec![now.into()])
            .await?
            .iter()
            .map(record_from_row)
            .collect()
    }

    /// Accepted hold invoices (the sweeper cancels those near their deadline).
    ///
    /// # Errors
    /// Database failures.
    pub async fn accepted_hold_invoices(&self) -> Result<Vec<InvoiceRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM invoices WHERE status = 'accepted'");
        self.db
            .query(&sql, vec![])
            .await?
            .iter()
            .map(record_from_row)
            .collect()
    }

    /// Marks that the server is claiming a standard invoice's payment (no cancel may follow).
    /// Returns `false` when the invoice is not open (cancelled, expired or already claimed).
    ///
    /// # Errors
    /// Database failures.
    pub async fn start_claim(&self, invoice_id: &str) -> Result<bool, StoreError> {
        let changed = self
            .db
            .execute(
                "UPDATE invoices SET claim_started_at = $1 WHERE id = $2 AND status = 'open' \
                 AND claim_started_at IS NULL",
                vec![now_secs().into(), invoice_id.into()],
            )
            .await?;
        Ok(changed == 1)
    }

    /// Moves an open hold invoice to `accepted` and emits `invoice.accepted`. Returns the
    /// updated invoice, or `None` if it was not open.
    ///
    /// # Errors
    /// Database failures.
    pub async fn accept_hold(
        &self,
        rec: &InvoiceRecord,
        claimable_msat: u64,
        deadline_height: Option<u64>,
        hold_expires_at: u64,
    ) -> Result<Option<LspInvoice>, StoreError> {
        let now = now_secs();
        let mut inv = rec.invoice.clone();
        inv.status = InvoiceStatus::Accepted;
        inv.accepted_at = Some(now);
        inv.hold_expires_at = Some(hold_expires_at);
        let stmts = vec![Stmt::guarded(
            "UPDATE invoices SET status = 'accepted', accepted_at = $1, hold_expires_at = $2, \
             claimable_msat = $3, claim_deadline_height = $4 WHERE id = $5 AND status = 'open'",
            vec![
                now.into(),
                hold_expires_at.into(),
                claimable_msat.into(),
                deadline_height.into(),
                inv.id.clone().into(),
            ],
            1,
        )];
        let event = PendingEvent::now(EventPayload::InvoiceAccepted(inv.clone()));
        guard_to_option(
            self.commit_with_event(stmts, &rec.account_id, event).await,
            inv,
        )
    }

    /// Marks the invoice paid with `amount_msat` received, credits the account once and emits
    /// `invoice.paid`. Returns `None` if it was already paid (a replayed event).
    ///
    /// # Errors
    /// Database failures.
    pub async fn mark_paid(
        &self,
        rec: &InvoiceRecord,
        amount_msat: u64,
        preimage: Option<Preimage>,
    ) -> Result<Option<LspInvoice>, StoreError> {
        let now = now_secs();
        let mut inv = rec.invoice.clone();
        inv.status = InvoiceStatus::Paid;
        inv.paid_at = Some(now);
        inv.amount_received_msat = Some(Msat::from_msat(amount_msat));
        let stmts = vec![
            Stmt::guarded(
                "UPDATE invoices SET status = 'paid', paid_at = $1, amount_received_msat = $2, \
                 preimage = COALESCE(preimage, $3) \
                 WHERE id = $4 AND status IN ('open', 'accepted', 'expired')",
                vec![
                    now.into(),
                    amount_msat.into(),
                    preimage.map(|p| p.to_string()).into(),
                    inv.id.clone().into(),
                ],
                1,
            ),
            credit_stmt(&rec.account_id, amount_msat, &inv, now)?,
            Stmt::guarded(
                "UPDATE accounts SET available_msat = available_msat + $1 WHERE id = $2",
                vec![amount_msat.into(), rec.account_id.clone().into()],
                1,
            ),
        ];
        let event = PendingEvent::now(EventPayload::InvoicePaid(inv.clone()));
        guard_to_option(
            self.commit_with_event(stmts, &rec.account_id, event).await,
            inv,
        )
    }

    /// Cancels an invoice and emits `invoice.cancelled`. Standard invoices only while open and
    /// unclaimed; hold invoices while open or accepted. Returns `None` when the state did not
    /// allow it.
    ///
    /// # Errors
    /// Database failures.
    pub async fn mark_cancelled(
        &self,
        rec: &InvoiceRecord,
    ) -> Result<Option<LspInvoice>, StoreError> {
        let now = now_secs();
        let mut inv = rec.invoice.clone();
        inv.status = InvoiceStatus::Cancelled;
        inv.cancelled_at = Some(now);
        let stmts = vec![Stmt::guarded(
            "UPDATE invoices SET status = 'cancelled', cancelled_at = $1 WHERE id = $2 AND \
             ((kind = 'standard' AND status = 'open' AND claim_started_at IS NULL) OR \
              (kind = 'hold' AND status IN ('open', 'accepted')))",
            vec![now.into(), inv.id.clone().into()],
            1,
        )];
        let event = PendingEvent::now(EventPayload::InvoiceCancelled(inv.clone()));
        guard_to_option(
            self.commit_with_event(stmts, &rec.account_id, event).await,
            inv,
        )
    }

    /// Marks an open, unclaimed invoice expired and emits `invoice.expired`.
    ///
    /// # Errors
    /// Database failures.
    pub async fn mark_expired(
        &self,
        rec: &InvoiceRecord,
    ) -> Result<Option<LspInvoice>, StoreError> {
        let mut inv = rec.invoice.clone();
        inv.status = InvoiceStatus::Expired;
        let stmts = vec![Stmt::guarded(
            "UPDATE invoices SET status = 'expired' WHERE id = $1 AND status = 'open' \
             AND claim_started_at IS NULL",
            vec![inv.id.clone().into()],
            1,
        )];
        let event = PendingEvent::now(EventPayload::InvoiceExpired(inv.clone()));
        guard_to_option(
            self.commit_with_event(stmts, &rec.account_id, event).await,
            inv,
        )
    }
}

/// A failed guard (the state had already moved on) is `Ok(None)`; success is `Ok(Some)`.
pub(crate) fn guard_to_option<T, R>(
    result: Result<R, StoreError>,
    value: T,
) -> Result<Option<T>, StoreError> {
    match result {
        Ok(_) => Ok(Some(value)),
        Err(StoreError::Db(e)) if e.is_guard() => Ok(None),
        // The ledger's unique key refused a second credit: the transition already happened.
        Err(StoreError::Db(DbError::Unique { .. })) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The ledger's `credit` entry for invoice `inv` paid to `account_id` with `amount_msat`.
pub(super) fn credit_stmt(
    account_id: &str,
    amount_msat: u64,
    inv: &LspInvoice,
    now: u64,
) -> Result<Stmt, StoreError> {
    ledger_credit_stmt(
        account_id,
        amount_msat,
        ("invoice", &inv.id),
        inv.description.clone(),
        now,
    )
}

/// A `credit` ledger entry of `amount_msat` to `account_id`, referring to `reference`
/// (`reference_type`, `reference_id`: an invoice, a transfer, a keysend).
pub(super) fn ledger_credit_stmt(
    account_id: &str,
    amount_msat: u64,
    (reference_type, reference_id): (&'static str, &str),
    description: Option<String>,
    now: u64,
) -> Result<Stmt, StoreError> {
    Ok(Stmt::new(
        "INSERT INTO ledger (id, account_id, kind, amount_msat, reference_type, \
         reference_id, description, created_at) \
         VALUES ($1, $2, 'credit', $3, $4, $5, $6, $7)",
        vec![
            ids::new_id("led")?.into(),
            account_id.into(),
            amount_msat.into(),
            reference_type.into(),
            reference_id.into(),
            description.into(),
            now.into(),
        ],
    ))
}
