//! Reading the account's ledger: immutable entries, newest first.

use etrid_core::amount::Msat;
use etrid_core::lsp::{LedgerEntry, LedgerEntryKind, LedgerReferenceType};

use super::StoreError;
use super::{page, Cursor, ListFilter, Store, LIST_TAIL};
use crate::db::{DbError, Row, Value};

fn entry_from_row(r: &Row) -> Result<LedgerEntry, StoreError> {
    let bad = |what: &str, v: String| -> StoreError {
        DbError::Decode {
            reason: format!("ledger {what} {v:?}"),
        }
        .into()
    };
    let kind = match r.text(1)?.as_str() {
        "credit" => LedgerEntryKind::Credit,
        "debit" => LedgerEntryKind::Debit,
        "reserve" => LedgerEntryKind::Reserve,
        "release" => LedgerEntryKind::Release,
        other => return Err(bad("kind", other.to_owned())),
    };
    let reference_type = match r.text(3)?.as_str() {
        "invoice" => LedgerReferenceType::Invoice,
        "payment" => LedgerReferenceType::Payment,
        "adjustment" => LedgerReferenceType::Adjustment,
        "voucher" => LedgerReferenceType::Voucher,
        "transfer" => LedgerReferenceType::Transfer,
        "keysend" => LedgerReferenceType::Keysend,
        other => return Err(bad("reference_type", other.to_owned())),
    };
    Ok(LedgerEntry {
        id: r.text(0)?,
        kind,
        amount_msat: Msat::from_msat(r.uint(2)?),
        reference_type,
        reference_id: r.text(4)?,
        description: r.opt_text(5)?,
        created_at: r.uint(6)?,
    })
}

impl Store {
    /// A page of the account's ledger entries, newest first.
    ///
    /// # Errors
    /// Database failures.
    pub async fn list_ledger(
        &self,
        account_id: &str,
        filter: &ListFilter,
    ) -> Result<(Vec<LedgerEntry>, Option<String>), StoreError> {
        let sql = format!(
            "SELECT id, kind, amount_msat, reference_type, reference_id, description, created_at \
             FROM ledger WHERE account_id = $1 {}",
            LIST_TAIL.replace("status = $2", "kind = $2")
        );
        let mut params = vec![Value::from(account_id)];
        params.extend(filter.params());
        let items = self
            .db
            .query(&sql, params)
            .await?
            .iter()
            .map(entry_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(page(items, filter.limit, |e| Cursor {
            created_at: e.created_at,
            id: e.id.clone(),
        }))
    }

    /// Σcredit − Σdebit − Σ(reserve − release) over the ledger: what the balance columns must
    /// equal (checked by tests and the `check` CLI).
    ///
    /// # Errors
    /// Database failures.
    pub async fn ledger_available(&self, account_id: &str) -> Result<i64, StoreError> {
        let row = self
            .db
            .query_opt(
                "SELECT CAST( \
                 COALESCE(SUM(CASE WHEN kind = 'credit' THEN amount_msat ELSE 0 END), 0) - \
                 COALESCE(SUM(CASE WHEN kind = 'debit' THEN amount_msat ELSE 0 END), 0) - \
                 COALESCE(SUM(CASE WHEN kind = 'reserve' THEN amount_msat ELSE 0 END), 0) + \
                 COALESCE(SUM(CASE WHEN kind = 'release' THEN amount_msat ELSE 0 END), 0) \
                 AS BIGINT) FROM ledger WHERE account_id = $1",
                vec![account_id.into()],
            )
            .await?
            .ok_or_else(|| StoreError::not_found("account"))?;
        // The CAST keeps PostgreSQL's SUM (NUMERIC) an integer on both backends.
        Ok(row.int(0)?)
    }
}
