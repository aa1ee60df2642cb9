//! BOLT11 invoices: decode and validate any invoice into a plain [`Invoice`] model.
//!
//! Parsing and the signature check are `lightning-invoice`'s; this module adds what a wallet
//! must check before paying — the configured network, expiry against the injected clock, an
//! amount when one is required — and turns every failure into a distinct [`InvoiceError`].
//!
//! Accepted input: an invoice in all lower or all upper case (BOLT11 allows both; mixed case is
//! refused), with surrounding whitespace and a `lightning:` URI prefix in any case.

mod decode;
mod error;
mod model;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod scenarios;
#[cfg(test)]
mod test_invoices;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_errors;

use serde::{Deserialize, Serialize};

pub use error::InvoiceError;
pub use model::{Invoice, InvoiceFeatures, RouteHint, RouteHintHop};

use crate::clock::Clock;
use crate::network::Network;

/// What [`decode_invoice_with`] checks besides the invoice's own validity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecodeOptions {
    /// The network invoices must be for; others fail with [`InvoiceError::WrongNetwork`].
    pub network: Network,
    /// Refuse invoices without an amount (or with zero) with [`InvoiceError::AmountRequired`],
    /// e.g. where the payer has no amount of its own to offer.
    pub require_amount: bool,
    /// Accept expired invoices (to display or audit them) instead of failing with
    /// [`InvoiceError::Expired`].
    pub allow_expired: bool,
}

impl DecodeOptions {
    /// Options for `network` that accept invoices without an amount and refuse expired ones.
    pub fn new(network: Network) -> DecodeOptions {
        DecodeOptions {
            network,
            require_amount: false,
            allow_expired: false,
        }
    }
}

/// Decodes and validates a BOLT11 invoice for `network`, refusing expired invoices.
///
/// Same as [`decode_invoice_with`] with [`DecodeOptions::new`].
///
/// # Errors
/// Any [`InvoiceError`]: see [`decode_invoice_with`].
pub fn decode_invoice(
    text: &str,
    network: Network,
    clock: &dyn Clock,
) -> Result<Invoice, InvoiceError> {
    decode_invoice_with(text, &DecodeOptions::new(network), clock)
}

/// Decodes and validates a BOLT11 invoice.
///
/// The text is trimmed, a `lightning:` prefix removed and the rest lower-cased (after refusing
/// mixed case). Then, in order: bech32 and field parsing; the network against
/// `options.network`; required fields, feature bits and the signature; a whole number of
/// millisatoshis; expiry against `clock` (expired when now >= timestamp + expiry) unless
/// `options.allow_expired`; an amount if `options.require_amount`.
///
/// # Errors
/// The first check that fails, as its own [`InvoiceError`] variant, e.g.
/// [`InvoiceError::BadEncoding`] for a checksum mismatch, [`InvoiceError::WrongNetwork`],
/// [`InvoiceError::BadSignature`], [`InvoiceError::Expired`].
pub fn decode_invoice_with(
    text: &str,
    options: &DecodeOptions,
    clock: &dyn Clock,
) -> Result<Invoice, InvoiceError> {
    decode::decode(text, options, clock)
}
