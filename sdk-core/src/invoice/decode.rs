//! The BOLT11 decoding pipeline: normalise the text, parse it with `lightning-invoice`, check the
//! network, the invoice's semantics and signature, then amount and expiry, mapping every failure
//! to one [`InvoiceError`] variant.

use std::str::FromStr;

use lightning_invoice::{
    Bolt11Invoice, Bolt11SemanticError, RawHrp, SignedRawBolt11Invoice, MAX_LENGTH,
};

use super::error::{from_parse_error, from_semantic_error, ParseContext};
use super::model::{unknown_required_bits, Invoice};
use super::{DecodeOptions, InvoiceError};
use crate::clock::Clock;
use crate::network::Network;

/// The URI scheme BOLT11 recommends for invoices in links and QR codes.
const URI_SCHEME: &str = "lightning:";

/// The length of the shortest text that can be a BOLT11 invoice: `ln` and a two-letter currency,
/// the `1` separator, a 7-character timestamp, a 104-character signature and a 6-character
/// checksum.
pub(super) const MIN_LENGTH: usize = 4 + 1 + 7 + 104 + 6;

/// Removes surrounding whitespace and a `lightning:` URI scheme in any case.
pub(super) fn strip_uri_scheme(text: &str) -> &str {
    let text = text.trim();
    match text.get(..URI_SCHEME.len()) {
        Some(scheme) if scheme.eq_ignore_ascii_case(URI_SCHEME) => text
            .get(URI_SCHEME.len()..)
            .unwrap_or_default()
            .trim_start(),
        _ => text,
    }
}

/// Trims, strips the URI scheme, checks length and case, and lower-cases.
fn normalise(text: &str) -> Result<String, InvoiceError> {
    let text = strip_uri_scheme(text);
    let length = text.len();
    if length == 0 {
        return Err(InvoiceError::Empty);
    }
    if length > MAX_LENGTH {
        return Err(InvoiceError::TooLong {
            length,
            max_length: MAX_LENGTH,
        });
    }
    let has_upper = text.bytes().any(|b| b.is_ascii_uppercase());
    let has_lower = text.bytes().any(|b| b.is_ascii_lowercase());
    if has_upper && has_lower {
        return Err(InvoiceError::MixedCase);
    }
    if length < MIN_LENGTH {
        return Err(InvoiceError::TooShort {
            length,
            min_length: MIN_LENGTH,
        });
    }
    Ok(text.to_ascii_lowercase())
}

/// The human-readable part of a lower-case bech32 string: everything before the last `1`.
fn human_readable_part(text: &str) -> &str {
    text.rfind('1')
        .and_then(|separator| text.get(..separator))
        .unwrap_or(text)
}

/// The currency letters of a human-readable part: after `ln`, up to the first digit.
fn currency_prefix(hrp: &str) -> &str {
    let rest = hrp.strip_prefix("ln").unwrap_or(hrp);
    let end = rest
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest.get(..end).unwrap_or(rest)
}

/// Decodes and validates `text` as described in [`super::decode_invoice_with`].
pub(super) fn decode(
    text: &str,
    options: &DecodeOptions,
    clock: &dyn Clock,
) -> Result<Invoice, InvoiceError> {
    let bolt11 = normalise(text)?;

    let signed = SignedRawBolt11Invoice::from_str(&bolt11).map_err(|error| {
        let hrp = human_readable_part(&bolt11);
        let context = ParseContext {
            length: bolt11.len(),
            prefix_currency: currency_prefix(hrp),
            prefix_invalid: RawHrp::from_str(hrp).is_err(),
        };
        from_parse_error(error, &context)
    })?;

    let found =
        Network::from_currency(signed.currency()).ok_or_else(|| InvoiceError::UnknownNetwork {
            prefix: currency_prefix(human_readable_part(&bolt11)).to_owned(),
        })?;
    if found != options.network {
        return Err(InvoiceError::WrongNetwork {
            expected: options.network,
            found,
        });
    }

    // Kept to explain a feature failure: `from_signed` consumes the invoice.
    let feature_flags = signed.features().map(|f| f.le_flags().to_vec());
    let amount_pico_btc = signed.amount_pico_btc();
    // Field counts, features, signature (recovery or check against `n`), whole msat amount.
    let invoice = Bolt11Invoice::from_signed(signed).map_err(|error| match error {
        Bolt11SemanticError::InvalidFeatures => {
            let unknown = feature_flags
                .as_deref()
                .map(unknown_required_bits)
                .unwrap_or_default();
            if unknown.is_empty() {
                InvoiceError::PaymentSecretFeatureMissing
            } else {
                InvoiceError::UnknownRequiredFeature { bits: unknown }
            }
        }
        other => from_semantic_error(other, amount_pico_btc),
    })?;

    let model = Invoice::from_validated(&invoice, found, bolt11);
    if !options.allow_expired && model.is_expired(clock) {
        return Err(InvoiceError::Expired {
            expired_at: model.expires_at,
        });
    }
    if options.require_amount {
        model.require_amount()?;
    }
    Ok(model)
}
