//! The typed errors of BOLT11 decoding and validation, and their mapping from
//! `lightning-invoice`'s parse and semantic errors.

use lightning_invoice::{Bolt11ParseError, Bolt11SemanticError};
use thiserror::Error;

use crate::network::Network;

/// Why a BOLT11 invoice was refused.
///
/// Each failure has its own variant and a stable [`code`](InvoiceError::code) (`invoice_*`), so
/// an application can tell a user "this invoice is for testnet" rather than "invalid invoice".
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum InvoiceError {
    /// The text was empty (or only whitespace, or only a `lightning:` prefix).
    #[error("the invoice is empty")]
    Empty,
    /// The text is shorter than the smallest possible BOLT11 invoice, or its data part is too
    /// short to hold a timestamp and a signature.
    #[error("the invoice is too short ({length} characters, at least {min_length} needed)")]
    TooShort {
        /// Length of the text after trimming and prefix removal, in bytes.
        length: usize,
        /// The smallest length a BOLT11 invoice can have.
        min_length: usize,
    },
    /// The text is longer than the 7,089 characters BOLT11 readers accept.
    #[error("the invoice is too long ({length} characters, at most {max_length} allowed)")]
    TooLong {
        /// Length of the text after trimming and prefix removal, in bytes.
        length: usize,
        /// The longest invoice accepted ([`lightning_invoice::MAX_LENGTH`]).
        max_length: usize,
    },
    /// The text mixes upper- and lower-case letters; bech32 allows all-lower or all-upper only.
    #[error("the invoice mixes upper- and lower-case letters")]
    MixedCase,
    /// The text is not valid bech32: a character outside the bech32 set, no `1` separator, or a
    /// checksum that does not match (a typo or a truncated copy).
    #[error("the invoice is not valid bech32: {detail}")]
    BadEncoding {
        /// What the bech32 decoder reported.
        detail: String,
    },
    /// The human-readable part does not have the form `ln` + currency + optional amount.
    #[error("the invoice prefix is malformed: {detail}")]
    InvalidPrefix {
        /// What was wrong with it.
        detail: String,
    },
    /// The currency prefix names no network this SDK supports (e.g. `lnsb`, simnet).
    #[error("the invoice is for an unknown or unsupported network (prefix `{prefix}`)")]
    UnknownNetwork {
        /// The currency part of the prefix, e.g. `sb`.
        prefix: String,
    },
    /// The amount in the prefix is malformed: an unknown multiplier, not a number, or too large.
    #[error("the invoice amount is invalid: {detail}")]
    InvalidAmount {
        /// What was wrong with it.
        detail: String,
    },
    /// The amount uses the `p` multiplier with a non-zero last digit: a fraction of a
    /// millisatoshi, which BOLT11 readers must refuse.
    #[error("the invoice amount {amount_pico_btc} pBTC is not a whole number of millisatoshis")]
    SubMsatAmount {
        /// The amount in pico-bitcoin (1 msat = 10 pBTC).
        amount_pico_btc: u64,
    },
    /// The invoice is for another network than the one this SDK instance is configured for.
    #[error("the invoice is for {found}, but this wallet is on {expected}")]
    WrongNetwork {
        /// The configured network.
        expected: Network,
        /// The network the invoice's prefix names.
        found: Network,
    },
    /// A tagged field in the data part is malformed (bad length, bad padding, a description that
    /// is not UTF-8, a number that overflows, ...).
    #[error("an invoice field is malformed: {detail}")]
    MalformedField {
        /// What the parser reported.
        detail: String,
    },
    /// The signature is malformed, cannot be recovered to a public key, or does not match the
    /// explicit payee public key (`n` field): the invoice was altered or forged.
    #[error("the invoice signature is invalid")]
    BadSignature,
    /// The invoice sets an even (required) feature bit this SDK does not understand; BOLT11
    /// readers must not pay such an invoice.
    #[error("the invoice requires unknown features {bits:?}")]
    UnknownRequiredFeature {
        /// The unknown even feature bits that are set, ascending.
        bits: Vec<u16>,
    },
    /// The invoice does not signal the `payment_secret` feature (no `9` field, or the bit is not
    /// set), which every modern invoice must.
    #[error("the invoice does not signal the payment_secret feature")]
    PaymentSecretFeatureMissing,
    /// The invoice has no payment hash (`p` field).
    #[error("the invoice has no payment hash")]
    MissingPaymentHash,
    /// The invoice has more than one payment hash.
    #[error("the invoice has more than one payment hash")]
    MultiplePaymentHashes,
    /// The invoice has neither a description (`d`) nor a description hash (`h`).
    #[error("the invoice has no description or description hash")]
    MissingDescription,
    /// The invoice has more than one description or description hash.
    #[error("the invoice has more than one description or description hash")]
    MultipleDescriptions,
    /// The invoice has no payment secret (`s` field).
    #[error("the invoice has no payment secret")]
    MissingPaymentSecret,
    /// The invoice has more than one payment secret.
    #[error("the invoice has more than one payment secret")]
    MultiplePaymentSecrets,
    /// The invoice's expiry time has passed (now >= timestamp + expiry).
    #[error("the invoice expired at unix time {expired_at}")]
    Expired {
        /// When it expired, in seconds since the Unix epoch.
        expired_at: u64,
    },
    /// The invoice carries no amount (or zero) but the caller requires one.
    #[error("the invoice has no amount, but one is required")]
    AmountRequired,
}

impl InvoiceError {
    /// The stable code of this error, prefixed `invoice_` (see [`crate::Error::code`]).
    pub fn code(&self) -> &'static str {
        match self {
            InvoiceError::Empty => "invoice_empty",
            InvoiceError::TooShort { .. } => "invoice_too_short",
            InvoiceError::TooLong { .. } => "invoice_too_long",
            InvoiceError::MixedCase => "invoice_mixed_case",
            InvoiceError::BadEncoding { .. } => "invoice_bad_encoding",
            InvoiceError::InvalidPrefix { .. } => "invoice_invalid_prefix",
            InvoiceError::UnknownNetwork { .. } => "invoice_unknown_network",
            InvoiceError::InvalidAmount { .. } => "invoice_invalid_amount",
            InvoiceError::SubMsatAmount { .. } => "invoice_sub_msat_amount",
            InvoiceError::WrongNetwork { .. } => "invoice_wrong_network",
            InvoiceError::MalformedField { .. } => "invoice_malformed_field",
            InvoiceError::BadSignature => "invoice_bad_signature",
            InvoiceError::UnknownRequiredFeature { .. } => "invoice_unknown_required_feature",
            InvoiceError::PaymentSecretFeatureMissing => "invoice_payment_secret_feature_missing",
            InvoiceError::MissingPaymentHash => "invoice_missing_payment_hash",
            InvoiceError::MultiplePaymentHashes => "invoice_multiple_payment_hashes",
            InvoiceError::MissingDescription => "invoice_missing_description",
            InvoiceError::MultipleDescriptions => "invoice_multiple_descriptions",
            InvoiceError::MissingPaymentSecret => "invoice_missing_payment_secret",
            InvoiceError::MultiplePaymentSecrets => "invoice_multiple_payment_secrets",
            InvoiceError::Expired { .. } => "invoice_expired",
            InvoiceError::AmountRequired => "invoice_amount_required",
        }
    }
}

/// What the decoder knows about the text when `lightning-invoice`'s parser fails.
pub(super) struct ParseContext<'a> {
    /// Length of the normalised text.
    pub(super) length: usize,
    /// The currency part of the human-readable prefix (`bc`, `tb`, `sb`, ...), best effort.
    pub(super) prefix_currency: &'a str,
    /// Whether the human-readable part fails to parse on its own: tells an overflowing amount
    /// (in the prefix) from an overflowing field (in the data part), which the parser reports
    /// alike.
    pub(super) prefix_invalid: bool,
}

/// Maps an error of `lightning-invoice`'s parser onto ours.
pub(super) fn from_parse_error(
    error: Bolt11ParseError,
    context: &ParseContext<'_>,
) -> InvoiceError {
    match error {
        Bolt11ParseError::Bech32Error(e) => InvoiceError::BadEncoding {
            detail: error_chain(&e),
        },
        Bolt11ParseError::BadPrefix | Bolt11ParseError::MalformedHRP => {
            InvoiceError::InvalidPrefix {
                detail: error.to_string(),
            }
        }
        Bolt11ParseError::UnknownCurrency => InvoiceError::UnknownNetwork {
            prefix: context.prefix_currency.to_owned(),
        },
        Bolt11ParseError::UnknownSiPrefix | Bolt11ParseError::ParseAmountError(_) => {
            InvoiceError::InvalidAmount {
                detail: error.to_string(),
            }
        }
        Bolt11ParseError::IntegerOverflowError if context.prefix_invalid => {
            InvoiceError::InvalidAmount {
                detail: "the amount overflows".to_owned(),
            }
        }
        Bolt11ParseError::MalformedSignature(_) => InvoiceError::BadSignature,
        Bolt11ParseError::TooShortDataPart => InvoiceError::TooShort {
            length: context.length,
            min_length: super::decode::MIN_LENGTH,
        },
        other => InvoiceError::MalformedField {
            detail: other.to_string(),
        },
    }
}

/// Maps a semantic error of `lightning-invoice`. `InvalidFeatures` is refined by the caller,
/// which still has the feature bits; here it becomes [`InvoiceError::PaymentSecretFeatureMissing`].
pub(super) fn from_semantic_error(
    error: Bolt11SemanticError,
    amount_pico_btc: Option<u64>,
) -> InvoiceError {
    match error {
        Bolt11SemanticError::NoPaymentHash => InvoiceError::MissingPaymentHash,
        Bolt11SemanticError::MultiplePaymentHashes => InvoiceError::MultiplePaymentHashes,
        Bolt11SemanticError::NoDescription => InvoiceError::MissingDescription,
        Bolt11SemanticError::MultipleDescriptions => InvoiceError::MultipleDescriptions,
        Bolt11SemanticError::NoPaymentSecret => InvoiceError::MissingPaymentSecret,
        Bolt11SemanticError::MultiplePaymentSecrets => InvoiceError::MultiplePaymentSecrets,
        Bolt11SemanticError::InvalidFeatures => InvoiceError::PaymentSecretFeatureMissing,
        Bolt11SemanticError::InvalidSignature => InvoiceError::BadSignature,
        Bolt11SemanticError::ImpreciseAmount => InvoiceError::SubMsatAmount {
            amount_pico_btc: amount_pico_btc.unwrap_or_default(),
        },
    }
}

/// An error's message followed by its sources' (bech32's top-level messages are terse, e.g.
/// "parse failed: invalid character ...").
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
