//! Fiat quotes (S28): a fiat price locked in millisatoshis at the rate source's current rate,
//! rounded up (the payee gets the full price), until it expires. An invoice made from a quote
//! (`quote_id`) checks again: expired → `quote_expired`; the current rate moved beyond the
//! quote's bound → `slippage_exceeded`. The client quotes again; nothing is ever charged at a
//! rate the payer did not see.

use etrid_core::fiat::{FiatError, FiatQuote, Rounding};
use etrid_core::lsp::limits::MAX_INVOICE_AMOUNT_MSAT;
use etrid_core::lsp::{
    CreateQuoteRequest, LspQuote, Validate, DEFAULT_MAX_SLIPPAGE_BPS, DEFAULT_QUOTE_TTL_SECS,
};
use etrid_core::platform::SystemClock;

use super::Engine;
use crate::error::ServerError;
use crate::ids;
use crate::store::AuthContext;
use crate::time::now_secs;

impl Engine {
    /// Quotes a fiat price at the current rate.
    ///
    /// # Errors
    /// `invalid_request` (fields, or a price that rounds to nothing or exceeds what an invoice
    /// can carry), `unknown_currency`.
    pub async fn create_quote(
        &self,
        ctx: &AuthContext,
        req: CreateQuoteRequest,
    ) -> Result<LspQuote, ServerError> {
        req.validate()?;
        let rate = self.rates.rate(&req.currency).await?;
        let ttl = req.ttl_secs.unwrap_or(DEFAULT_QUOTE_TTL_SECS);
        let fiat = FiatQuote::new(
            req.fiat_amount,
            &req.currency,
            rate,
            Rounding::Up,
            &SystemClock,
            ttl,
        )
        .map_err(|e| ServerError::invalid(format!("fiat_amount: {e}")))?;
        if fiat.msat > MAX_INVOICE_AMOUNT_MSAT {
            return Err(ServerError::invalid(
                "fiat_amount: more than an invoice can carry at the current rate",
            ));
        }
        let quote = LspQuote {
            id: ids::new_id("quo")?,
            fiat_amount: fiat.fiat_amount,
            currency: fiat.currency,
            rate: fiat.rate,
            amount_msat: fiat.msat,
            max_slippage_bps: req.max_slippage_bps.unwrap_or(DEFAULT_MAX_SLIPPAGE_BPS),
            created_at: fiat.created_at_unix,
            expires_at: fiat.expires_at_unix,
        };
        self.store.insert_quote(&ctx.account_id, &quote).await?;
        Ok(quote)
    }

    /// The account's quote `id`, if an invoice may still be made from it: unexpired, and the
    /// current rate within its slippage bound.
    ///
    /// # Errors
    /// `not_found`, `quote_expired`, `slippage_exceeded`, `unknown_currency`.
    pub(crate) async fn usable_quote(
        &self,
        ctx: &AuthContext,
        id: &str,
    ) -> Result<LspQuote, ServerError> {
        let quote = self.store.quote(&ctx.account_id, id).await?;
        let now = now_secs();
        if now >= quote.expires_at {
            return Err(ServerError::QuoteExpired {
                quote_id: quote.id,
                expired_at: quote.expires_at,
            });
        }
        let current = self.rates.rate(&quote.currency).await?;
        let fiat = FiatQuote {
            fiat_amount: quote.fiat_amount,
            currency: quote.currency.clone(),
            rate: quote.rate,
            msat: quote.amount_msat,
            created_at_unix: quote.created_at,
            expires_at_unix: quote.expires_at,
            rounding: Rounding::Up,
        };
        match fiat.check_slippage(current, quote.max_slippage_bps) {
            Ok(()) => Ok(quote),
            Err(FiatError::SlippageExceeded { moved_bps, .. }) => {
                Err(ServerError::SlippageExceeded {
                    quote_id: quote.id,
                    quoted_rate: quote.rate.to_string(),
                    current_rate: current.to_string(),
                    moved_bps,
                    max_bps: quote.max_slippage_bps,
                })
            }
            Err(e) => Err(ServerError::invalid(format!("quote: {e}"))),
        }
    }
}
