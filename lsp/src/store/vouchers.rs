//! Vouchers (S23) and their money rules. Creating a batch sets every voucher's value aside in
//! one transaction (the account's `available` → `reserved`, one `voucher` reserve entry each),
//! or nothing when the account cannot cover them all. A claim's payment takes the voucher's
//! reservation over in the transaction that marks the voucher `claiming` (see
//! `payments.rs` and `transfers.rs`, [`VoucherFunding`]), so the value is never free between
//! the voucher and the payment; a failed claim hands it back. Neither moves the available
//! balance, so neither writes the ledger: the voucher's `reserve` entry is closed by the
//! payment's `release` (and its `debit`) when the claim is paid, or by the voucher's own
//! `release` when it expires or is cancelled. Expiry and cancel return the value to
//! `available`, once: every change is guarded on the voucher's status.

use etrid_core::amount::Msat;
use etrid_core::lsp::{EventPayload, LspVoucher, VoucherBatch, VoucherStatus};

use super::events::PendingEvent;
use super::{decode_error as decode, page, Cursor, ListFilter, Store, StoreError};
use crate::db::{DbError, Row, Stmt, Value};
use crate::ids;
use crate::time::now_secs;

const COLUMNS: &str = "id, batch_id, status, amount_msat, min_withdrawable_msat, reserved_msat, \
    description, lnurl, url, expires_at, created_at, claimed_msat, payment_id, completed_at, \
    account_id, secret";

/// A voucher as stored: the public model and the server's bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoucherRecord {
    /// The public model.
    pub voucher: LspVoucher,
    /// The account whose value it holds.
    pub account_id: String,
    /// The secret of its link (the LNURL-withdraw `k1`).
    pub secret: String,
}

/// The value a claim's payment takes over from its voucher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoucherFunding {
    /// The voucher being claimed.
    pub voucher_id: String,
    /// What the voucher has set aside: the payment's reservation.
    pub reserved_msat: u64,
}

/// One voucher about to be created (the engine chose its secret and link).
#[derive(Debug, Clone)]
pub struct NewVoucher {
    /// Its id.
    pub id: String,
    /// The secret of its link.
    pub secret: String,
    /// Its LNURL-withdraw URL.
    pub url: String,
    /// The same, bech32-encoded.
    pub lnurl: String,
}

/// A batch about to be created: vouchers of the same terms.
#[derive(Debug, Clone)]
pub struct NewVoucherBatch {
    /// The account that funds it.
    pub account_id: String,
    /// The client's key for the batch.
    pub idempotency_key: String,
    /// Digest of the request, for idempotency checks.
    pub fingerprint: String,
    /// The most each voucher pays.
    pub amount_msat: u64,
    /// The least a claim takes.
    pub min_withdrawable_msat: u64,
    /// Set aside per voucher: amount plus the fee allowance.
    pub reserved_msat: u64,
    /// The wallet's default invoice description.
    pub description: String,
    /// When unclaimed vouchers expire.
    pub expires_at: u64,
    /// The vouchers.
    pub vouchers: Vec<NewVoucher>,
}

/// What [`Store::create_vouchers`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreatedBatch {
    /// A new batch, its value set aside.
    Created(VoucherBatch),
    /// The account already created a batch under this key: that batch and its fingerprint.
    Existing(VoucherBatch, String),
}

fn record_from_row(r: &Row) -> Result<VoucherRecord, StoreError> {
    let status_name = r.text(2)?;
    let status = VoucherStatus::from_name(&status_name)
        .ok_or_else(|| decode(format!("voucher status {status_name:?}")))?;
    Ok(VoucherRecord {
        voucher: LspVoucher {
            id: r.text(0)?,
            batch_id: r.text(1)?,
            status,
            amount_msat: Msat::from_msat(r.uint(3)?),
            min_withdrawable_msat: Msat::from_msat(r.uint(4)?),
            reserved_msat: Msat::from_msat(r.uint(5)?),
            description: r.text(6)?,
            lnurl: r.text(7)?,
            url: r.text(8)?,
            expires_at: r.uint(9)?,
            created_at: r.uint(10)?,
            claimed_msat: r.opt_uint(11)?.map(Msat::from_msat),
            payment_id: r.opt_text(12)?,
            completed_at: r.opt_uint(13)?,
        },
        account_id: r.text(14)?,
        secret: r.text(15)?,
    })
}

/// A `voucher` ledger entry of `kind` (`reserve` or `release`) for voucher `voucher_id`.
pub(super) fn voucher_ledger_stmt(
    account_id: &str,
    kind: &'static str,
    amount: u64,
    voucher_id: &str,
    now: u64,
) -> Result<Stmt, StoreError> {
    let sql = if kind == "reserve" {
        "INSERT INTO ledger (id, account_id, kind, amount_msat, reference_type, reference_id, \
         description, created_at) VALUES ($1, $2, 'reserve', $3, 'voucher', $4, NULL, $5)"
    } else {
        "INSERT INTO ledger (id, account_id, kind, amount_msat, reference_type, reference_id, \
         description, created_at) VALUES ($1, $2, 'release', $3, 'voucher', $4, NULL, $5)"
    };
    Ok(Stmt::new(
        sql,
        vec![
            ids::new_id("led")?.into(),
            account_id.into(),
            amount.into(),
            voucher_id.into(),
            now.into(),
        ],
    ))
}

impl Store {
    async fn vouchers_where(
        &self,
        condition: &str,
        params: Vec<Value>,
    ) -> Result<Vec<VoucherRecord>, StoreError> {
        self.select_where(COLUMNS, "vouchers", condition, params, record_from_row)
            .await
    }

    /// Creates the batch and sets its whole value aside, in one transaction.
    ///
    /// # Errors
    /// [`StoreError::InsufficientBalance`] when the account cannot cover every voucher
    /// (nothing changed); [`StoreError::AmountTooLarge`] past the money supply.
    pub async fn create_vouchers(&self, new: NewVoucherBatch) -> Result<CreatedBatch, StoreError> {
        let count = u64::try_from(new.vouchers.len()).map_err(|_| StoreError::AmountTooLarge)?;
        let total = new
            .reserved_msat
            .checked_mul(count)
            .filter(|t| *t <= Msat::MAX_SUPPLY.as_u64())
            .ok_or(StoreError::AmountTooLarge)?;
        let batch_id = ids::new_id("vbt")?;
        let now = now_secs();
        let mut stmts = vec![
            Stmt::guarded(
                "UPDATE accounts SET available_msat = available_msat - $1, \
                 reserved_msat = reserved_msat + $1 WHERE id = $2 AND available_msat >= $1",
                vec![total.into(), new.account_id.clone().into()],
                1,
            ),
            Stmt::new(
                "INSERT INTO voucher_batches (id, account_id, idempotency_key, fingerprint, \
                 reserved_msat, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                vec![
                    batch_id.clone().into(),
                    new.account_id.clone().into(),
                    new.idempotency_key.clone().into(),
                    new.fingerprint.clone().into(),
                    total.into(),
                    now.into(),
                ],
            ),
        ];
        let mut vouchers = Vec::with_capacity(new.vouchers.len());
        for v in &new.vouchers {
            stmts.push(Stmt::new(
                "INSERT INTO vouchers (id, batch_id, account_id, secret, url, lnurl, status, \
                 amount_msat, min_withdrawable_msat, reserved_msat, description, expires_at, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8, $9, $10, $11, $12)",
                vec![
                    v.id.clone().into(),
                    batch_id.clone().into(),
                    new.account_id.clone().into(),
                    v.secret.clone().into(),
                    v.url.clone().into(),
                    v.lnurl.clone().into(),
                    new.amount_msat.into(),
                    new.min_withdrawable_msat.into(),
                    new.reserved_msat.into(),
                    new.description.clone().into(),
                    new.expires_at.into(),
                    now.into(),
                ],
            ));
            stmts.push(voucher_ledger_stmt(
                &new.account_id,
                "reserve",
                new.reserved_msat,
                &v.id,
                now,
            )?);
            vouchers.push(LspVoucher {
                id: v.id.clone(),
                batch_id: batch_id.clone(),
                status: VoucherStatus::Active,
                amount_msat: Msat::from_msat(new.amount_msat),
                min_withdrawable_msat: Msat::from_msat(new.min_withdrawable_msat),
                reserved_msat: Msat::from_msat(new.reserved_msat),
                description: new.description.clone(),
                lnurl: v.lnurl.clone(),
                url: v.url.clone(),
                expires_at: new.expires_at,
                created_at: now,
                claimed_msat: None,
                payment_id: None,
                completed_at: None,
            });
        }
        let result = {
            let _order = self.write_lock.lock().await;
            self.db.batch(stmts).await
        };
        match result {
            Ok(_) => Ok(CreatedBatch::Created(VoucherBatch {
                id: batch_id,
                vouchers,
                reserved_msat: Msat::from_msat(total),
                created_at: now,
            })),
            Err(e) if e.is_guard() || matches!(e, DbError::Unique { .. }) => {
                if let Some(existing) = self
                    .voucher_batch_by_key(&new.account_id, &new.idempotency_key)
                    .await?
                {
                    return Ok(existing);
                }
                if !e.is_guard() {
                    return Err(e.into());
                }
                let balance = self.balance(&new.account_id).await?;
                Err(StoreError::InsufficientBalance {
                    available_msat: balance.available_msat.as_u64(),
                    required_msat: total,
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The account's batch created under `key`, with its fingerprint.
    async fn voucher_batch_by_key(
        &self,
        account_id: &str,
        key: &str,
    ) -> Result<Option<CreatedBatch>, StoreError> {
        let Some(row) = self
            .db
            .query_opt(
                "SELECT id, reserved_msat, created_at, fingerprint FROM voucher_batches \
                 WHERE account_id = $1 AND idempotency_key = $2",
                vec![account_id.into(), key.into()],
            )
            .await?
        else {
            return Ok(None);
        };
        let id = row.text(0)?;
        let vouchers = self
            .vouchers_where("batch_id = $1 ORDER BY id", vec![id.clone().into()])
            .await?
            .into_iter()
            .map(|r| r.voucher)
            .collect();
        Ok(Some(CreatedBatch::Existing(
            VoucherBatch {
                id,
                vouchers,
                reserved_msat: Msat::from_msat(row.uint(1)?),
                created_at: row.uint(2)?,
            },
            row.text(3)?,
        )))
    }

    /// The account's voucher `id`.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn voucher(&self, account_id: &str, id: &str) -> Result<VoucherRecord, StoreError> {
        self.vouchers_where(
            "id = $1 AND account_id = $2",
            vec![id.into(), account_id.into()],
        )
        .await?
        .pop()
        .ok_or_else(|| StoreError::not_found("voucher"))
    }

    /// The voucher whose link carries `secret`, of any account.
    ///
    /// # Errors
    /// Database failures.
    pub async fn voucher_by_secret(
        &self,
        secret: &str,
    ) -> Result<Option<VoucherRecord>, StoreError> {
        Ok(self
            .vouchers_where("secret = $1", vec![secret.into()])
            .await?
            .pop())
    }

    /// A page of the account's vouchers (of one batch when `batch_id` is given), newest first.
    ///
    /// # Errors
    /// Database failures.
    pub async fn list_vouchers(
        &self,
        account_id: &str,
        batch_id: Option<&str>,
        filter: &ListFilter,
    ) -> Result<(Vec<LspVoucher>, Option<String>), StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM vouchers WHERE account_id = $1 \
             AND (CAST($8 AS TEXT) IS NULL OR batch_id = $8) {}",
            super::LIST_TAIL
        );
        let mut params = vec![Value::from(account_id)];
        params.extend(filter.params());
        params.push(batch_id.map(str::to_owned).into());
        let items = self
            .db
            .query(&sql, params)
            .await?
            .iter()
            .map(|r| record_from_row(r).map(|rec| rec.voucher))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(page(items, filter.limit, |v| Cursor {
            created_at: v.created_at,
            id: v.id.clone(),
        }))
    }

    /// Active vouchers whose claim window closed by `now`, oldest first (at most 500 a pass).
    ///
    /// # Errors
    /// Database failures.
    pub async fn expired_active_vouchers(
        &self,
        now: u64,
    ) -> Result<Vec<VoucherRecord>, StoreError> {
        self.vouchers_where(
            "status = 'active' AND expires_at <= $1 ORDER BY expires_at LIMIT 500",
            vec![now.into()],
        )
        .await
    }

    /// Ends an active voucher unclaimed, `Expired` (event `voucher.expired`) or `Cancelled`,
    /// and returns its value to the balance, once. Returns the voucher as ended, or `None`
    /// when it was no longer active (claimed, being claimed, already ended).
    ///
    /// # Errors
    /// Database failures.
    pub async fn end_voucher(
        &self,
        rec: &VoucherRecord,
        end: VoucherStatus,
    ) -> Result<Option<LspVoucher>, StoreError> {
        let now = now_secs();
        let reserved = rec.voucher.reserved_msat.as_u64();
        let mut ended = rec.voucher.clone();
        ended.status = end;
        ended.completed_at = Some(now);
        let stmts = vec![
            Stmt::guarded(
                "UPDATE vouchers SET status = $1, completed_at = $2 \
                 WHERE id = $3 AND status = 'active'",
                vec![end.as_str().into(), now.into(), ended.id.clone().into()],
                1,
            ),
            voucher_ledger_stmt(&rec.account_id, "release", reserved, &ended.id, now)?,
            Stmt::guarded(
                "UPDATE accounts SET reserved_msat = reserved_msat - $1, \
                 available_msat = available_msat + $1 WHERE id = $2",
                vec![reserved.into(), rec.account_id.clone().into()],
                1,
            ),
        ];
        let result = if end == VoucherStatus::Expired {
            let event = PendingEvent::now(EventPayload::VoucherExpired(ended.clone()));
            self.commit_with_event(stmts, &rec.account_id, event)
                .await
                .map(|_| ())
        } else {
            let _order = self.write_lock.lock().await;
            self.db.batch(stmts).await.map(|_| ()).map_err(Into::into)
        };
        match result {
            Ok(()) => Ok(Some(ended)),
            Err(StoreError::Db(e)) if e.is_guard() => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// The statement that marks an active, unexpired voucher taken by payment `payment_id` for
/// `amount` msat: `claiming` (a payment over Lightning, `final_status` false) or `claimed` (paid
/// inside the LSP). It changes one row or none, so exactly one claim of a voucher wins.
pub(super) fn claim_stmt(
    funding: &VoucherFunding,
    payment_id: &str,
    amount: u64,
    now: u64,
    final_status: bool,
) -> Stmt {
    let sql = if final_status {
        "UPDATE vouchers SET status = 'claimed', payment_id = $1, claimed_msat = $2, \
         completed_at = $3 WHERE id = $4 AND status = 'active' AND expires_at > $3"
    } else {
        "UPDATE vouchers SET status = 'claiming', payment_id = $1, claimed_msat = $2 \
         WHERE id = $4 AND status = 'active' AND expires_at > $3"
    };
    Stmt::guarded(
        sql,
        vec![
            payment_id.into(),
            amount.into(),
            now.into(),
            funding.voucher_id.clone().into(),
        ],
        1,
    )
}

/// Why a voucher claim's guard refused: the voucher as it now stands.
pub(super) fn not_claimable() -> StoreError {
    StoreError::conflict(
        "the voucher is no longer claimable (claimed, being claimed, expired or cancelled)",
    )
}
