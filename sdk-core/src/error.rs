//! The crate's one error type: [`Error`] wraps the typed error of each operation family, so a
//! caller can match broadly (`Error::Invoice(_)`) or precisely (`InvoiceError::Expired { .. }`),
//! and every binding maps errors once, at its edge, by [`Error::code`].

pub use crate::amount::AmountError;
pub use crate::chain::ChainError;
pub use crate::fiat::FiatError;
pub use crate::invoice::InvoiceError;
pub use crate::lnurl::LnurlError;
pub use crate::lsp::LspError;
pub use crate::qr::QrError;
pub use crate::recurring::ScheduleError;
pub use crate::store::StoreError;
pub use crate::streaming::StreamError;
pub use crate::swap::SwapError;
pub use crate::tournament::TournamentError;
pub use crate::transport::TransportError;
pub use crate::webhook::WebhookError;

/// Every error `etrid-core` returns.
///
/// Each variant wraps the detailed error of one family of operations. [`Error::code`] gives a
/// stable, machine-readable code (`invoice_expired`, `amount_overflow`, …) that bindings pass to
/// JavaScript, C and C# unchanged; the `Display` text is for people and may change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An amount could not be parsed, was out of range, or arithmetic on it overflowed.
    #[error(transparent)]
    Amount(#[from] AmountError),
    /// A BOLT11 invoice was malformed, for another network, badly signed or expired.
    #[error(transparent)]
    Invoice(#[from] InvoiceError),
    /// A QR code could not be made for the given text.
    #[error(transparent)]
    Qr(#[from] QrError),
    /// An LNURL, a Lightning Address or an LNURL service response was invalid.
    #[error(transparent)]
    Lnurl(#[from] LnurlError),
    /// A fiat quote was invalid, expired, or a newer rate moved beyond the slippage bound.
    #[error(transparent)]
    Fiat(#[from] FiatError),
    /// A swap script, address or transaction did not match what was agreed, or could not be built.
    #[error(transparent)]
    Swap(#[from] SwapError),
    /// A chain source (Esplora) could not answer, or refused a transaction.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The application's store (swap state) failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A streaming payment was configured wrongly or driven in a state that does not allow it.
    #[error(transparent)]
    Stream(#[from] StreamError),
    /// A recurring schedule was configured wrongly.
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    /// A tournament prize pool or payout table was invalid.
    #[error(transparent)]
    Tournament(#[from] TournamentError),
    /// A webhook signature was missing, malformed, stale or wrong.
    #[error(transparent)]
    Webhook(#[from] WebhookError),
    /// The platform transport failed or the server answered with an error.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// An LSP call was refused locally, refused by the server, or lost in transport.
    #[error(transparent)]
    Lsp(#[from] LspError),
    /// The platform could not provide secure randomness; nothing was generated.
    #[error("secure randomness is unavailable: {reason}")]
    EntropyUnavailable {
        /// What the platform reported.
        reason: String,
    },
}

impl Error {
    /// A stable snake_case code naming the failure, e.g. `invoice_wrong_network`.
    ///
    /// Codes never change meaning once published; bindings expose them so applications can
    /// branch on them without parsing messages.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Amount(e) => e.code(),
            Error::Invoice(e) => e.code(),
            Error::Qr(e) => e.code(),
            Error::Lnurl(e) => e.code(),
            Error::Fiat(e) => e.code(),
            Error::Swap(e) => e.code(),
            Error::Chain(e) => e.code(),
            Error::Store(e) => e.code(),
            Error::Stream(e) => e.code(),
            Error::Schedule(e) => e.code(),
            Error::Tournament(e) => e.code(),
            Error::Webhook(e) => e.code(),
            Error::Transport(e) => e.code(),
            Error::Lsp(e) => e.code(),
            Error::EntropyUnavailable { .. } => "entropy_unavailable",
        }
    }
}
