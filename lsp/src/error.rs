//! The server's one error enum, and how each error becomes an HTTP answer
//! (`{"code", "message"}` with the stable codes of `lsp/API.md`).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use etrid_core::lsp::ErrorResponse;
use thiserror::Error;

use crate::db::DbError;

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

    /// The HTTP status this error answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            ServerError::InvalidRequest { .. } | ServerError::InvalidInvoice { .. } => {
                StatusCode::BAD_REQUEST
            }
            ServerError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            ServerError::ForbiddenScope { .. } => StatusCode::FORBIDDEN,
            ServerError::NotFound { .. } => StatusCode::NOT_FOUND,
            ServerError::Conflict { .. }
            | ServerError::IdempotencyMismatch { .. }
            | ServerError::DuplicatePayment { .. } => StatusCode::CONFLICT,
            ServerError::CursorExpired { .. } => StatusCode::GONE,
            ServerError::InvoiceExpired
            | ServerError::InsufficientBalance { .. }
            | ServerError::PaymentFailed { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ServerError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ServerError::NodeUnavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ServerError::Node { .. }
            | ServerError::Db(_)
            | ServerError::Entropy { .. }
            | ServerError::Config { .. }
            | ServerError::Io { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable machine-readable code (`lsp/API.md`, "Errors").
    pub fn code(&self) -> &'static str {
        match self {
            ServerError::InvalidRequest { .. } => "invalid_request",
            ServerError::InvalidInvoice { .. } => "invalid_invoice",
            ServerError::Unauthorized { .. } => "unauthorized",
            ServerError::ForbiddenScope { .. } => "forbidden_scope",
            ServerError::NotFound { .. } => "not_found",
            ServerError::Conflict { .. } => "conflict",
            ServerError::IdempotencyMismatch { .. } => "idempotency_mismatch",
            ServerError::DuplicatePayment { .. } => "duplicate_payment",
            ServerError::CursorExpired { .. } => "cursor_expired",
            ServerError::InvoiceExpired => "invoice_expired",
            ServerError::InsufficientBalance { .. } => "insufficient_balance",
            ServerError::PaymentFailed { .. } => "payment_failed",
            ServerError::RateLimited { .. } => "rate_limited",
            ServerError::NodeUnavailable { .. } => "node_unavailable",
            ServerError::Node { .. }
            | ServerError::Db(_)
            | ServerError::Entropy { .. }
            | ServerError::Config { .. }
            | ServerError::Io { .. } => "internal_error",
        }
    }
}

impl IntoResponse for ServerError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
            // Details of internal failures go to the log, not to clients.
            tracing::error!(error = %self, "internal error");
            "internal error; the request may be retried".to_owned()
        } else {
            self.to_string()
        };
        let body = ErrorResponse {
            code: self.code().to_owned(),
            message,
        };
        let mut response = (status, Json(body)).into_response();
        if let ServerError::RateLimited { retry_after_secs } = self {
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        response
    }
}

/// The result of a request handler.
pub type ApiResult<T> = Result<T, ServerError>;
