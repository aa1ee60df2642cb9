//! Fiat exchange rates for quotes (S28), from a pluggable source. Two sources: none (quotes are
//! refused with `unknown_currency`), and a JSON file of fixed rates (`--fiat-rates-file`, for
//! the devnet, tests and operators who set their own prices) read again at every quote, so an
//! operator, or a test, moves a rate by rewriting the file. An HTTP market-rate source is not
//! written yet.

use std::collections::BTreeMap;
use std::path::PathBuf;

use rust_decimal::Decimal;

use crate::error::ServerError;

/// Where rates come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RateSource {
    /// No rates: every quote is refused.
    None,
    /// A JSON object of fiat units per bitcoin by ISO 4217 code, as decimal strings:
    /// `{"EUR": "92000.50", "USD": "100000"}`.
    File(PathBuf),
}

impl RateSource {
    /// The current rate of `currency`, fiat units per bitcoin.
    ///
    /// # Errors
    /// `unknown_currency` when the source has no positive rate for it; `internal_error` when
    /// the file cannot be read or is not such an object.
    pub async fn rate(&self, currency: &str) -> Result<Decimal, ServerError> {
        let path = match self {
            RateSource::None => {
                return Err(ServerError::UnknownCurrency {
                    currency: currency.to_owned(),
                    reason: "this LSP has no fiat rates (--fiat-rates-file)".into(),
                })
            }
            RateSource::File(path) => path,
        };
        let file = path.clone();
        let text = tokio::task::spawn_blocking(move || std::fs::read_to_string(file))
            .await
            .map_err(|e| ServerError::Io {
                op: "read the fiat rates file",
                reason: e.to_string(),
            })?
            .map_err(|e| ServerError::Io {
                op: "read the fiat rates file",
                reason: format!("{}: {e}", path.display()),
            })?;
        let rates: BTreeMap<String, Decimal> =
            serde_json::from_str(&text).map_err(|e| ServerError::Config {
                reason: format!("fiat rates file {}: {e}", path.display()),
            })?;
        rates
            .get(currency)
            .copied()
            .filter(|rate| *rate > Decimal::ZERO)
            .ok_or_else(|| ServerError::UnknownCurrency {
                currency: currency.to_owned(),
                reason: format!("this LSP has no rate for {currency}"),
            })
    }
}
