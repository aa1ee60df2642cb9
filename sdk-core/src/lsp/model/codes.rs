//! [`ApiErrorCode`]: the stable error codes of the LSP API, written once. The server answers
//! with them, the client maps them, and this file is the only Rust source that spells them.

use serde::{Deserialize, Serialize};

/// The stable `code` of an error response (`{code, message}`), the same in every client.
///
/// Codes never change meaning; new ones may be added, which older clients read as
/// [`ApiErrorCode::Unknown`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ApiErrorCode {
    /// 400: a parameter is missing, malformed or out of range; the message names it.
    InvalidRequest,
    /// 400: the BOLT11 invoice to pay is malformed, for another network or badly signed.
    InvalidInvoice,
    /// 401: the API key is missing, malformed, unknown or revoked.
    Unauthorized,
    /// 403: the key's scope does not allow the operation.
    ForbiddenScope,
    /// 404: no such route, or no such resource in this account.
    NotFound,
    /// 405: the route exists but not with this method.
    MethodNotAllowed,
    /// 409: the resource's state does not allow the operation.
    Conflict,
    /// 409: an idempotency key or external id was reused with other parameters.
    IdempotencyMismatch,
    /// 409: the account already paid, or is paying, this payment hash.
    DuplicatePayment,
    /// 400: the LSP has no exchange rate for the quote's currency.
    UnknownCurrency,
    /// 409: the player already holds an entry (held or settled) in this tournament.
    AlreadyJoined,
    /// 409: the tournament takes no more entries: its join deadline passed, every seat is
    /// taken, or it was cancelled.
    TournamentClosed,
    /// 409: the current exchange rate moved beyond the quote's slippage bound; quote again.
    SlippageExceeded,
    /// 410: an event cursor older than the retained events.
    CursorExpired,
    /// 413: the request body is larger than the server accepts.
    PayloadTooLarge,
    /// 414: the request path and query are longer than the server accepts.
    UriTooLong,
    /// 422: the invoice to pay, or the hold invoice to settle, has expired.
    InvoiceExpired,
    /// 422: the account cannot cover amount plus maximum fee; nothing was sent.
    InsufficientBalance,
    /// 422: the quote expired; quote again.
    QuoteExpired,
    /// 422: the node refused to start the payment; nothing was reserved.
    PaymentFailed,
    /// 429: too many requests with this key; see `Retry-After`.
    RateLimited,
    /// 500: an unexpected server failure; the request may be retried.
    InternalError,
    /// 503: the Lightning node is not running or not synced.
    NodeUnavailable,
    /// 503: the LSP's fiat rate source cannot be reached; quote again later.
    RatesUnavailable,
    /// 503: the LSP offers no swaps now: not configured, its chain source unreachable, or its
    /// wallet too small for the reverse swap asked.
    SwapsUnavailable,
    /// A code this client does not know (a newer server), or an error body that was not
    /// `{code, message}`.
    #[serde(other)]
    Unknown,
}

impl ApiErrorCode {
    /// Every code a server may send, in documentation order ([`ApiErrorCode::Unknown`] is
    /// the client's name for the others).
    pub const ALL: [ApiErrorCode; 25] = [
        ApiErrorCode::InvalidRequest,
        ApiErrorCode::InvalidInvoice,
        ApiErrorCode::UnknownCurrency,
        ApiErrorCode::Unauthorized,
        ApiErrorCode::ForbiddenScope,
        ApiErrorCode::NotFound,
        ApiErrorCode::MethodNotAllowed,
        ApiErrorCode::Conflict,
        ApiErrorCode::IdempotencyMismatch,
        ApiErrorCode::DuplicatePayment,
        ApiErrorCode::AlreadyJoined,
        ApiErrorCode::TournamentClosed,
        ApiErrorCode::SlippageExceeded,
        ApiErrorCode::CursorExpired,
        ApiErrorCode::PayloadTooLarge,
        ApiErrorCode::UriTooLong,
        ApiErrorCode::InvoiceExpired,
        ApiErrorCode::InsufficientBalance,
        ApiErrorCode::QuoteExpired,
        ApiErrorCode::PaymentFailed,
        ApiErrorCode::RateLimited,
        ApiErrorCode::InternalError,
        ApiErrorCode::NodeUnavailable,
        ApiErrorCode::RatesUnavailable,
        ApiErrorCode::SwapsUnavailable,
    ];

    /// The code as it appears on the wire (`insufficient_balance`).
    pub fn as_str(self) -> &'static str {
        match self {
            ApiErrorCode::InvalidRequest => "invalid_request",
            ApiErrorCode::InvalidInvoice => "invalid_invoice",
            ApiErrorCode::Unauthorized => "unauthorized",
            ApiErrorCode::ForbiddenScope => "forbidden_scope",
            ApiErrorCode::NotFound => "not_found",
            ApiErrorCode::MethodNotAllowed => "method_not_allowed",
            ApiErrorCode::Conflict => "conflict",
            ApiErrorCode::IdempotencyMismatch => "idempotency_mismatch",
            ApiErrorCode::DuplicatePayment => "duplicate_payment",
            ApiErrorCode::AlreadyJoined => "already_joined",
            ApiErrorCode::TournamentClosed => "tournament_closed",
            ApiErrorCode::UnknownCurrency => "unknown_currency",
            ApiErrorCode::SlippageExceeded => "slippage_exceeded",
            ApiErrorCode::QuoteExpired => "quote_expired",
            ApiErrorCode::CursorExpired => "cursor_expired",
            ApiErrorCode::PayloadTooLarge => "payload_too_large",
            ApiErrorCode::UriTooLong => "uri_too_long",
            ApiErrorCode::InvoiceExpired => "invoice_expired",
            ApiErrorCode::InsufficientBalance => "insufficient_balance",
            ApiErrorCode::PaymentFailed => "payment_failed",
            ApiErrorCode::RateLimited => "rate_limited",
            ApiErrorCode::InternalError => "internal_error",
            ApiErrorCode::NodeUnavailable => "node_unavailable",
            ApiErrorCode::RatesUnavailable => "rates_unavailable",
            ApiErrorCode::SwapsUnavailable => "swaps_unavailable",
            ApiErrorCode::Unknown => "unknown",
        }
    }

    /// The HTTP status the server answers this code with.
    pub fn http_status(self) -> u16 {
        match self {
            ApiErrorCode::InvalidRequest
            | ApiErrorCode::InvalidInvoice
            | ApiErrorCode::UnknownCurrency => 400,
            ApiErrorCode::Unauthorized => 401,
            ApiErrorCode::ForbiddenScope => 403,
            ApiErrorCode::NotFound => 404,
            ApiErrorCode::MethodNotAllowed => 405,
            ApiErrorCode::Conflict
            | ApiErrorCode::IdempotencyMismatch
            | ApiErrorCode::DuplicatePayment
            | ApiErrorCode::AlreadyJoined
            | ApiErrorCode::TournamentClosed
            | ApiErrorCode::SlippageExceeded => 409,
            ApiErrorCode::CursorExpired => 410,
            ApiErrorCode::PayloadTooLarge => 413,
            ApiErrorCode::UriTooLong => 414,
            ApiErrorCode::InvoiceExpired
            | ApiErrorCode::InsufficientBalance
            | ApiErrorCode::PaymentFailed
            | ApiErrorCode::QuoteExpired => 422,
            ApiErrorCode::RateLimited => 429,
            ApiErrorCode::InternalError | ApiErrorCode::Unknown => 500,
            ApiErrorCode::NodeUnavailable
            | ApiErrorCode::RatesUnavailable
            | ApiErrorCode::SwapsUnavailable => 503,
        }
    }

    /// The SDK-wide code ([`crate::Error::code`]) of a server error with this code: `lsp_`
    /// and the wire code, so bindings can tell them from local errors.
    pub fn sdk_code(self) -> &'static str {
        match self {
            ApiErrorCode::InvalidRequest => "lsp_invalid_request",
            ApiErrorCode::InvalidInvoice => "lsp_invalid_invoice",
            ApiErrorCode::Unauthorized => "lsp_unauthorized",
            ApiErrorCode::ForbiddenScope => "lsp_forbidden_scope",
            ApiErrorCode::NotFound => "lsp_not_found",
            ApiErrorCode::MethodNotAllowed => "lsp_method_not_allowed",
            ApiErrorCode::Conflict => "lsp_conflict",
            ApiErrorCode::IdempotencyMismatch => "lsp_idempotency_mismatch",
            ApiErrorCode::DuplicatePayment => "lsp_duplicate_payment",
            ApiErrorCode::AlreadyJoined => "lsp_already_joined",
            ApiErrorCode::TournamentClosed => "lsp_tournament_closed",
            ApiErrorCode::UnknownCurrency => "lsp_unknown_currency",
            ApiErrorCode::SlippageExceeded => "lsp_slippage_exceeded",
            ApiErrorCode::QuoteExpired => "lsp_quote_expired",
            ApiErrorCode::CursorExpired => "lsp_cursor_expired",
            ApiErrorCode::PayloadTooLarge => "lsp_payload_too_large",
            ApiErrorCode::UriTooLong => "lsp_uri_too_long",
            ApiErrorCode::InvoiceExpired => "lsp_invoice_expired",
            ApiErrorCode::InsufficientBalance => "lsp_insufficient_balance",
            ApiErrorCode::PaymentFailed => "lsp_payment_failed",
            ApiErrorCode::RateLimited => "lsp_rate_limited",
            ApiErrorCode::InternalError => "lsp_internal_error",
            ApiErrorCode::NodeUnavailable => "lsp_node_unavailable",
            ApiErrorCode::RatesUnavailable => "lsp_rates_unavailable",
            ApiErrorCode::SwapsUnavailable => "lsp_swaps_unavailable",
            ApiErrorCode::Unknown => "lsp_api_error",
        }
    }
}

impl std::fmt::Display for ApiErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip_and_unknown_codes_are_kept_apart() {
        for code in ApiErrorCode::ALL {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(serde_json::from_str::<ApiErrorCode>(&json).unwrap(), code);
            assert_eq!(code.sdk_code(), format!("lsp_{}", code.as_str()));
        }
        let newer: ApiErrorCode = serde_json::from_str("\"voucher_claimed\"").unwrap();
        assert_eq!(newer, ApiErrorCode::Unknown);
    }
}
