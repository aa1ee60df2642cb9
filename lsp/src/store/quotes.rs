//! Fiat quotes (S28): a price locked in millisatoshis until it expires. A quote is read back by
//! its account only; invoices made from it check its expiry and the current rate again.

use etrid_core::amount::Msat;
use etrid_core::lsp::LspQuote;

use super::{Store, StoreError};
use crate::db::{DbError, Row};

const COLUMNS: &str =
    "id, fiat_amount, currency, rate, amount_msat, max_slippage_bps, created_at, \
    expires_at";

fn quote_from_row(r: &Row) -> Result<LspQuote, StoreError> {
    let decimal = |i: usize| -> Result<rust_decimal::Decimal, StoreError> {
        r.text(i)?.parse().map_err(|e| {
            DbError::Decode {
                reason: format!("quote decimal: {e}"),
            }
            .into()
        })
    };
    Ok(LspQuote {
        id: r.text(0)?,
        fiat_amount: decimal(1)?,
        currency: r.text(2)?,
        rate: decimal(3)?,
        amount_msat: Msat::from_msat(r.uint(4)?),
        max_slippage_bps: u32::try_from(r.uint(5)?).map_err(|_| DbError::Decode {
            reason: "max_slippage_bps beyond u32".into(),
        })?,
        created_at: r.uint(6)?,
        expires_at: r.uint(7)?,
    })
}

impl Store {
    /// Records a quote of `account_id`.
    ///
    /// # Errors
    /// Database failures.
    pub async fn insert_quote(&self, account_id: &str, q: &LspQuote) -> Result<(), StoreError> {
        self.db
            .execute(
                "INSERT INTO quotes (id, account_id, fiat_amount, currency, rate, amount_msat, \
                 max_slippage_bps, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                vec![
                    q.id.clone().into(),
                    account_id.into(),
                    q.fiat_amount.to_string().into(),
                    q.currency.clone().into(),
                    q.rate.to_string().into(),
                    q.amount_msat.as_u64().into(),
                    q.max_slippage_bps.into(),
                    q.created_at.into(),
                    q.expires_at.into(),
                ],
            )
            .await?;
        Ok(())
    }

    /// The account's quote `id`.
    ///
    /// # Errors
    /// `not_found`; database failures.
    pub async fn quote(&self, account_id: &str, id: &str) -> Result<LspQuote, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM quotes WHERE id = $1 AND account_id = $2");
        self.db
            .query_opt(&sql, vec![id.into(), account_id.into()])
            .await?
            .as_ref()
            .map(quote_from_row)
            .transpose()?
            .ok_or_else(|| StoreError::not_found("quote"))
    }
}
