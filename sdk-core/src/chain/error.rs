//! Errors of chain sources.

use thiserror::Error;

use crate::transport::TransportError;

/// Why a chain source could not answer.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ChainError {
    /// The request did not reach the chain source, or its answer did not come back.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// No answer within the request timeout.
    #[error("the chain source did not answer {url} within {timeout_ms} ms")]
    Timeout {
        /// The request.
        url: String,
        /// The timeout.
        timeout_ms: u64,
    },
    /// The chain source answered with an error status.
    #[error("the chain source answered {status} to {url}: {message}")]
    Status {
        /// The request.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The start of its body.
        message: String,
    },
    /// The answer was not what the API specifies (not JSON, a bad hex transaction, …).
    #[error("unexpected answer from the chain source to {url}: {reason}")]
    BadResponse {
        /// The request.
        url: String,
        /// What was wrong.
        reason: String,
    },
    /// The mempool refused a transaction: its reason (a missing input, too low a fee, a
    /// lock time not yet reached, …).
    #[error("the transaction was refused: {reason}")]
    Rejected {
        /// The node's reason.
        reason: String,
    },
}

impl ChainError {
    /// The stable code of this error (see [`crate::Error::code`]).
    pub fn code(&self) -> &'static str {
        match self {
            ChainError::Transport(e) => e.code(),
            ChainError::Timeout { .. } => "chain_timeout",
            ChainError::Status { .. } => "chain_status",
            ChainError::BadResponse { .. } => "chain_bad_response",
            ChainError::Rejected { .. } => "chain_rejected",
        }
    }

    /// Whether trying again later may succeed (the source was unreachable or busy).
    pub fn is_retryable(&self) -> bool {
        match self {
            ChainError::Transport(_) | ChainError::Timeout { .. } => true,
            ChainError::Status { status, .. } => *status == 429 || *status >= 500,
            ChainError::BadResponse { .. } | ChainError::Rejected { .. } => false,
        }
    }
}
