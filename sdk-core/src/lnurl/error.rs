//! The typed error of the LNURL family: codec, Lightning Address, service responses, invoices.

use thiserror::Error;

/// Everything that can go wrong while decoding an LNURL or a Lightning Address, reading an LNURL
/// service's JSON, building a callback, or checking the invoice a service returned.
///
/// Each variant has a stable code ([`LnurlError::code`]); the `Display` text is for people.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum LnurlError {
    /// The text looked like a bech32 LNURL but its characters, length, checksum or padding are
    /// invalid (LUD-01).
    #[error("invalid bech32 LNURL: {reason}")]
    InvalidBech32 {
        /// What was wrong with the bech32 string.
        reason: String,
    },
    /// The bech32 string decoded, but its human-readable part is not `lnurl` (for example a
    /// BOLT11 invoice or an on-chain address was given).
    #[error("wrong bech32 prefix {hrp:?}: an LNURL starts with \"lnurl1\"")]
    WrongHrp {
        /// The human-readable part that was found, lowercase.
        hrp: String,
    },
    /// The bech32 LNURL mixes upper- and lowercase letters, which LUD-01 forbids.
    #[error("an LNURL must be all uppercase or all lowercase, not mixed case")]
    MixedCase,
    /// The text (or the payload of a bech32 LNURL, or a callback) is not an absolute URL with a
    /// host.
    #[error("not a valid URL: {reason}")]
    InvalidUrl {
        /// Why the URL was refused.
        reason: String,
    },
    /// The URL uses a scheme LNURL does not allow: only `https`, or `http` for `.onion` and
    /// loopback hosts.
    #[error("insecure or unsupported URL scheme {scheme:?} for host {host:?}: LNURL needs https")]
    InsecureScheme {
        /// The scheme that was found, lowercase.
        scheme: String,
        /// The URL's host.
        host: String,
    },
    /// The Lightning Address (LUD-16) is malformed: wrong shape, forbidden username characters
    /// or an invalid domain.
    #[error("invalid Lightning Address: {reason}")]
    InvalidAddress {
        /// What was wrong with the address.
        reason: String,
    },
    /// A service response is not JSON, or not a JSON object.
    #[error("invalid JSON from the LNURL service: {detail}")]
    InvalidJson {
        /// The parser's explanation.
        detail: String,
    },
    /// A required field is absent from a service response.
    #[error("the LNURL service response lacks the field {field:?}")]
    MissingField {
        /// The JSON name of the missing field.
        field: String,
    },
    /// A field of a service response has the wrong type or an unusable value.
    #[error("the LNURL service response field {field:?} is invalid: {reason}")]
    InvalidField {
        /// The JSON name of the field.
        field: String,
        /// Why the value was refused.
        reason: String,
    },
    /// The response's `tag` is not the one expected, or not one this SDK handles.
    #[error("unsupported LNURL tag {tag:?}")]
    UnsupportedTag {
        /// The tag that was found.
        tag: String,
    },
    /// The service announced limits where the minimum exceeds the maximum (or, for pay, the
    /// minimum is zero).
    #[error("invalid amount bounds: min {min_msat} msat, max {max_msat} msat")]
    InvalidBounds {
        /// The announced minimum, in millisatoshis.
        min_msat: u64,
        /// The announced maximum, in millisatoshis.
        max_msat: u64,
    },
    /// The requested amount lies outside the service's limits.
    #[error("amount {amount_msat} msat is outside the allowed range {min_msat}..={max_msat} msat")]
    AmountOutOfRange {
        /// The amount that was requested, in millisatoshis.
        amount_msat: u64,
        /// The smallest amount allowed, in millisatoshis.
        min_msat: u64,
        /// The largest amount allowed, in millisatoshis.
        max_msat: u64,
    },
    /// The pay request's `metadata` string does not follow LUD-06.
    #[error("invalid LNURL-pay metadata: {reason}")]
    InvalidMetadata {
        /// What was wrong with the metadata.
        reason: String,
    },
    /// The comment is longer than the service's `commentAllowed` (LUD-12); `max_len` 0 means
    /// the service accepts no comment.
    #[error("comment of {len} characters is longer than the {max_len} the service allows")]
    CommentTooLong {
        /// The most characters the service accepts.
        max_len: u64,
        /// The comment's length, in characters.
        len: u64,
    },
    /// The invoice the service returned is not for the amount that was requested (LUD-06 step 7).
    #[error("the service's invoice is for {invoice_msat:?} msat, not the requested {expected_msat} msat")]
    InvoiceAmountMismatch {
        /// The amount requested, in millisatoshis.
        expected_msat: u64,
        /// The invoice's amount, if it has one.
        invoice_msat: Option<u64>,
    },
    /// The invoice's description hash is not SHA-256 of the pay request's metadata (LUD-06
    /// step 6), so the service may have swapped what is being paid for.
    #[error(
        "the service's invoice description hash {found:?} is not the metadata hash {expected}"
    )]
    InvoiceDescriptionHashMismatch {
        /// SHA-256 of the metadata, lowercase hex.
        expected: String,
        /// The invoice's description hash (hex), if it has one.
        found: Option<String>,
    },
    /// The `successAction` (LUD-09/LUD-10) is of an unknown kind or malformed; LUD-09 says not
    /// to pay in that case.
    #[error("invalid success action: {reason}")]
    InvalidSuccessAction {
        /// What was wrong with the success action.
        reason: String,
    },
    /// The service answered `{"status": "ERROR", "reason": ...}`.
    #[error("the LNURL service reported an error: {reason}")]
    ServiceError {
        /// The service's explanation, as sent.
        reason: String,
    },
}

impl LnurlError {
    /// The stable snake_case code of this error, prefixed `lnurl_` (see [`crate::Error::code`]).
    pub fn code(&self) -> &'static str {
        match self {
            LnurlError::InvalidBech32 { .. } => "lnurl_invalid_bech32",
            LnurlError::WrongHrp { .. } => "lnurl_wrong_hrp",
            LnurlError::MixedCase => "lnurl_mixed_case",
            LnurlError::InvalidUrl { .. } => "lnurl_invalid_url",
            LnurlError::InsecureScheme { .. } => "lnurl_insecure_scheme",
            LnurlError::InvalidAddress { .. } => "lnurl_invalid_address",
            LnurlError::InvalidJson { .. } => "lnurl_invalid_json",
            LnurlError::MissingField { .. } => "lnurl_missing_field",
            LnurlError::InvalidField { .. } => "lnurl_invalid_field",
            LnurlError::UnsupportedTag { .. } => "lnurl_unsupported_tag",
            LnurlError::InvalidBounds { .. } => "lnurl_invalid_bounds",
            LnurlError::AmountOutOfRange { .. } => "lnurl_amount_out_of_range",
            LnurlError::InvalidMetadata { .. } => "lnurl_invalid_metadata",
            LnurlError::CommentTooLong { .. } => "lnurl_comment_too_long",
            LnurlError::InvoiceAmountMismatch { .. } => "lnurl_invoice_amount_mismatch",
            LnurlError::InvoiceDescriptionHashMismatch { .. } => {
                "lnurl_invoice_description_hash_mismatch"
            }
            LnurlError::InvalidSuccessAction { .. } => "lnurl_invalid_success_action",
            LnurlError::ServiceError { .. } => "lnurl_service_error",
        }
    }
}
