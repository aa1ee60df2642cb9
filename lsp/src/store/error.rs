//! [`StoreError`]: what the repositories refuse or fail with, in the store's own terms (no
//! HTTP, no codes); the engine turns it into a [`ServerError`](crate::error::ServerError).

use thiserror::Error;

use crate::db::DbError;
use crate::ids::EntropyError;

/// Why a store operation did not happen.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No such record in this account.
    #[error("{what} not found")]
    NotFound {
        /// What was looked for (`invoice`, `API key`, …).
        what: &'static str,
    },
    /// The key is unknown or revoked (one answer for both, so keys cannot be probed).
    #[error("unknown or revoked API key")]
    UnknownKey,
    /// The record's state does not allow the change.
    #[error("{reason}")]
    Conflict {
        /// Why.
        reason: String,
    },
    /// An event cursor older than the retained events.
    #[error("event cursor {after} is older than the retained events")]
    CursorExpired {
        /// The cursor.
        after: u64,
    },
    /// A list cursor that this store did not issue for this list.
    #[error("cursor is not a cursor this server issued for this list")]
    InvalidCursor,
    /// Amount plus maximum fee is more than any account can hold.
    #[error("amount_msat + max_fee_msat is too large")]
    AmountTooLarge,
    /// The account cannot cover amount plus maximum fee; nothing changed.
    #[error("insufficient balance: {available_msat} msat available, {required_msat} msat required (amount + max fee)")]
    InsufficientBalance {
        /// What the account may spend.
        available_msat: u64,
        /// Amount plus maximum fee.
        required_msat: u64,
    },
    /// The account already paid, or is paying, this payment hash.
    #[error("payment hash {payment_hash} is already paid or being paid by this account")]
    DuplicatePayment {
        /// The payment hash.
        payment_hash: String,
    },
    /// An invoice of this LSP that cannot be paid from one of its accounts now (already paid,
    /// being paid, cancelled, the payer's own); nothing changed.
    #[error("{reason}")]
    InvoiceNotPayable {
        /// Why.
        reason: String,
    },
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The operating system had no randomness for a new id or key.
    #[error(transparent)]
    Entropy(#[from] EntropyError),
}

impl StoreError {
    /// A [`StoreError::NotFound`] for `what`.
    pub fn not_found(what: &'static str) -> StoreError {
        StoreError::NotFound { what }
    }

    /// A [`StoreError::Conflict`].
    pub fn conflict(reason: impl Into<String>) -> StoreError {
        StoreError::Conflict {
            reason: reason.into(),
        }
    }
}
