//! The server's error enum: what went wrong in the engine, and the stable [`ApiErrorCode`] of
//! the contract each error is answered with. The HTTP answer itself is made once, in
//! `api::error`.

use etrid_core::lsp::{ApiErrorCode, RequestError};
use thiserror::Error;

use crate::db::DbError;
use crate::ids::EntropyError;
use crate::store::StoreError;

/// Everything that can go wrong in the server, from a bad request to a failed start.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ServerError {
    /// A request parameter is missing, malformed or out of range.
    #[error("invalid request: {reason}")]
    InvalidRequest {
        /// Which parameter, and what is wrong with it.
        reason: String,
    },
    /// The BOLT11 invoice to pay is malformed, for another network or badly signed.
    #[error("invalid invoice: {reason}")]
    InvalidInvoice {
        /// What the decoder said.
        reason: String,
    },
    /// No, malformed, unknown or revoked API key.
    #[error("unauthorized: {reason}")]
    Unauthorized {
        /// Why the key was refused.
        reason: &'static str,
    },
    /// The key's scope does not allow this operation.
    #[error("this operation needs an {required} key")]
    ForbiddenScope {
        /// The scope it needs.
        required: &'static str,
    },
    /// No such resource in this account.
    #[error("{what} not found")]
    NotFound {
        /// What was looked for.
        what: String,
    },
    /// The resource's state does not allow the operation.
    #[error("conflict: {reason}")]
    Conflict {
        /// Why.
        reason: String,
    },
    /// No exchange rate for the currency.
    #[error("unknown currency {currency}: {reason}")]
    UnknownCurrency {
        /// The currency asked for.
        currency: String,
        /// Why (no rates at all, or none for it).
        reason: String,
    },
    /// The fiat rate source cannot be reached.
    #[error("fiat rates unavailable: {reason}")]
    RatesUnavailable {
        /// Why.
        reason: String,
    },
    /// The LSP offers no swaps now (not configured, chain source down, wallet too small).
    #[error("swaps unavailable: {reason}")]
    SwapsUnavailable {
        /// Why.
        reason: String,
    },
    /// The quote expired.
    #[error("quote {quote_id} expired at {expired_at}; quote again")]
    QuoteExpired {
        /// The quote.
        quote_id: String,
        /// When it expired.
        expired_at: u64,
    },
    /// The rate moved beyond the quote's bound.
    #[error(
        "the rate moved {moved_bps} bps since quote {quote_id} ({quoted_rate} → {current_rate}), \
         more than its {max_bps} bps bound; quote again"
    )]
    SlippageExceeded {
        /// The quote.
        quote_id: String,
        /// Its rate.
        quoted_rate: String,
        /// The current rate.
        current_rate: String,
        /// How far it moved, in basis points (rounded up).
        moved_bps: u64,
        /// The quote's bound.
        max_bps: u32,
    },
    /// The player already holds an entry in the tournament.
    #[error("player {player_id:?} already joined this tournament")]
    AlreadyJoined {
        /// The player.
        player_id: String,
    },
    /// The tournament takes no more entries.
    #[error("the tournament takes no more entries: {reason}")]
    TournamentClosed {
        /// Why (deadline passed, full, cancelled).
        reason: String,
    },
    /// An idempotency key or external id was reused with other parameters.
    #[error("{field} {value:?} was already used with different parameters")]
    IdempotencyMismatch {
        /// `external_id` or `idempotency_key`.
        field: &'static str,
        /// Its value.
        value: String,
    },
    /// This account already paid, or is paying, this payment hash.
    #[error("payment hash {payment_hash} is already paid or being paid by this account")]
    DuplicatePayment {
        /// The payment hash.
        payment_hash: String,
    },
    /// An event cursor older than the retention.
    #[error("event cursor {after} is older than the retained events")]
    CursorExpired {
        /// The cursor.
        after: u64,
    },
    /// The invoice to pay, or the hold invoice to settle, has expired.
    #[error("the invoice has expired")]
    InvoiceExpired,
    /// The account cannot cover amount plus maximum fee; nothing was sent.
    #[error("insufficient balance: {available_msat} msat available, {required_msat} msat required (amount + max fee)")]
    InsufficientBalance {
        /// What the account may spend.
        available_msat: u64,
        /// Amount plus maximum fee.
        required_msat: u64,
    },
    /// The node refused to start the payment; nothing was reserved.
    #[error("the node refused the payment: {reason}")]
    PaymentFailed {
        /// What the node said.
        reason: String,
    },
    /// Too many requests with this key.
    #[error("rate limited: retry after {retry_after_secs} s")]
    RateLimited {
        /// Seconds to wait.
        retry_after_secs: u64,
    },
    /// The Lightning node is not running or not synced.
    #[error("the Lightning node is unavailable: {reason}")]
    NodeUnavailable {
        /// Why.
        reason: String,
    },
    /// A Lightning node operation failed unexpectedly.
    #[error("node operation {op} failed: {reason}")]
    Node {
        /// The operation.
        op: &'static str,
        /// What LDK Node said.
        reason: String,
    },
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The operating system had no randomness to give.
    #[error("no randomness available: {reason}")]
    Entropy {
        /// What the OS said.
        reason: String,
    },
    /// The configuration is invalid (at start).
    #[error("invalid configuration: {reason}")]
    Config {
        /// What is wrong.
        reason: String,
    },
    /// A file or socket operation failed (at start).
    #[error("{op} failed: {reason}")]
    Io {
        /// The operation.
        op: &'static str,
        /// What the OS said.
        reason: String,
    },
}

impl ServerError {
    /// A 400 `invalid_request` naming the bad parameter.
    pub fn invalid(reason: impl Into<String>) -> ServerError {
        ServerError::InvalidRequest {
            reason: reason.into(),
        }
    }

    /// A 404 for `what`.
    pub fn not_found(what: impl Into<String>) -> ServerError {
        ServerError::NotFound { what: what.into() }
    }

    /// A 409 `conflict`.
    pub fn conflict(reason: impl Into<String>) -> ServerError {
        ServerError::Conflict {
            reason: reason.into(),
        }
    }

    /// A failed LDK Node operation.
    pub fn node(op: &'static str, e: impl std::fmt::Display) -> ServerError {
        ServerError::Node {
            op,
            reason: e.to_string(),
        }
    }

    /// The stable code of the API contract this error is answered with (its HTTP status
    /// follows from the code: [`ApiErrorCode::http_status`]).
    pub fn code(&self) -> ApiErrorCode {
        match self {
            ServerError::InvalidRequest { .. } => ApiErrorCode::InvalidRequest,
            ServerError::InvalidInvoice { .. } => ApiErrorCode::InvalidInvoice,
            ServerError::Unauthorized { .. } => ApiErrorCode::Unauthorized,
            ServerError::ForbiddenScope { .. } => ApiErrorCode::ForbiddenScope,
            ServerError::NotFound { .. } => ApiErrorCode::NotFound,
            ServerError::Conflict { .. } => ApiErrorCode::Conflict,
            ServerError::IdempotencyMismatch { .. } => ApiErrorCode::IdempotencyMismatch,
            ServerError::DuplicatePayment { .. } => ApiErrorCode::DuplicatePayment,
            ServerError::AlreadyJoined { .. } => ApiErrorCode::AlreadyJoined,
            ServerError::UnknownCurrency { .. } => ApiErrorCode::UnknownCurrency,
            ServerError::QuoteExpired { .. } => ApiErrorCode::QuoteExpired,
            ServerError::RatesUnavailable { .. } => ApiErrorCode::RatesUnavailable,
            ServerError::SwapsUnavailable { .. } => ApiErrorCode::SwapsUnavailable,
            ServerError::SlippageExceeded { .. } => ApiErrorCode::SlippageExceeded,
            ServerError::TournamentClosed { .. } => ApiErrorCode::TournamentClosed,
            ServerError::CursorExpired { .. } => ApiErrorCode::CursorExpired,
            ServerError::InvoiceExpired => ApiErrorCode::InvoiceExpired,
            ServerError::InsufficientBalance { .. } => ApiErrorCode::InsufficientBalance,
            ServerError::PaymentFailed { .. } => ApiErrorCode::PaymentFailed,
            ServerError::RateLimited { .. } => ApiErrorCode::RateLimited,
            ServerError::NodeUnavailable { .. } => ApiErrorCode::NodeUnavailable,
            ServerError::Node { .. }
            | ServerError::Db(_)
            | ServerError::Entropy { .. }
            | ServerError::Config { .. }
            | ServerError::Io { .. } => ApiErrorCode::InternalError,
        }
    }
}

impl From<RequestError> for ServerError {
    fn from(e: RequestError) -> ServerError {
        ServerError::InvalidRequest {
            reason: e.to_string(),
        }
    }
}

impl From<EntropyError> for ServerError {
    fn from(e: EntropyError) -> ServerError {
        ServerError::Entropy { reason: e.reason }
    }
}

impl From<StoreError> for ServerError {
    fn from(e: StoreError) -> ServerError {
        match e {
            StoreError::NotFound { what } => ServerError::not_found(what),
            StoreError::UnknownKey => ServerError::Unauthorized {
                reason: "unknown or revoked API key",
            },
            StoreError::Conflict { reason } => ServerError::Conflict { reason },
            StoreError::CursorExpired { after } => ServerError::CursorExpired { after },
            StoreError::InvalidCursor => {
                ServerError::invalid("cursor: not a cursor this server issued for this list")
            }
            StoreError::AmountTooLarge => {
                ServerError::invalid("amount_msat + max_fee_msat is too large")
            }
            StoreError::InsufficientBalance {
                available_msat,
                required_msat,
            } => ServerError::InsufficientBalance {
                available_msat,
                required_msat,
            },
            StoreError::DuplicatePayment { payment_hash } => {
                ServerError::DuplicatePayment { payment_hash }
            }
            StoreError::InvoiceNotPayable { reason } => ServerError::PaymentFailed { reason },
            StoreError::Db(e) => ServerError::Db(e),
            StoreError::Entropy(e) => e.into(),
        }
    }
}
