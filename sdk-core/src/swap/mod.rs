//! Swap primitives: the P2WSH HTLC script of submarine and reverse swaps, the checks of what a
//! swap server proposes, per-swap keys and preimages, and the claim and refund transactions.
//!
//! # The two swaps
//! - **Submarine** (on-chain → Lightning): the user locks coins in the HTLC, the server pays the
//!   user's Lightning invoice, learns the preimage and claims the coins with it. If the server
//!   never pays, the user refunds after the timeout. The user holds the **refund** key.
//! - **Reverse** (Lightning → on-chain): the user generates a preimage, pays the server's hold
//!   invoice for its hash, the server locks coins in the HTLC and the user claims them with the
//!   preimage (which lets the server settle the invoice). If the user never claims, the server
//!   refunds after the timeout. The user holds the **claim** key.
//!
//! Both use one script ([`SwapScript`]), Boltz's reverse-swap template:
//! ```text
//! OP_SIZE 32 OP_EQUAL
//! OP_IF
//!     OP_HASH160 <RIPEMD160(payment_hash)> OP_EQUALVERIFY <claim_pubkey>
//! OP_ELSE
//!     OP_DROP <timeout_height> OP_CHECKLOCKTIMEVERIFY OP_DROP <refund_pubkey>
//! OP_ENDIF
//! OP_CHECKSIG
//! ```
//!
//! # A typical reverse swap
//! 1. [`RescueKey::derive_swap_keys`] and [`RescueKey::derive_preimage`] for the next index.
//! 2. Send the server the claim public key and the payment hash; it answers with a script and an
//!    address: [`verify_reverse`] them before paying its invoice.
//! 3. When the lockup output confirms, [`build_claim_tx`] and broadcast.
//!
//! ```
//! use bitcoin::{Amount, OutPoint};
//! use etrid_core::network::Network;
//! use etrid_core::swap::{self, HtlcUtxo, RescueKey, SwapExpectations, SwapScript};
//!
//! let rescue = RescueKey::from_bytes([7; 32]); // normally RescueKey::generate(&entropy)?
//! let ours = rescue.derive_swap_keys(0)?;
//! let preimage = rescue.derive_preimage(0)?;
//!
//! // What the server answers (built here with a stand-in server key).
//! let server_key = RescueKey::from_bytes([8; 32]).derive_swap_keys(0)?.public_key();
//! let proposal =
//!     SwapScript::new(preimage.payment_hash(), ours.public_key(), server_key, 800_100)?;
//! let (script_hex, address) =
//!     (proposal.to_script().to_hex_string(), proposal.address(Network::Regtest).to_string());
//!
//! let expected = SwapExpectations {
//!     our_pubkey: ours.public_key(),
//!     server_pubkey: Some(server_key),
//!     payment_hash: preimage.payment_hash(),
//!     min_timeout_height: 800_050,
//!     max_timeout_height: 800_200,
//!     network: Network::Regtest,
//! };
//! let script = swap::verify_reverse(&script_hex, &address, &expected)?;
//!
//! // The lockup output has confirmed: claim it to one of our addresses at 2 sat/vB.
//! let htlc = HtlcUtxo { outpoint: OutPoint::null(), amount: Amount::from_sat(50_000), script };
//! let our_address = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080";
//! let destination = swap::destination_script(our_address, Network::Regtest)?;
//! let claim = swap::build_claim_tx(&htlc, &preimage, ours.secret_key(), &destination, 2)?;
//! assert!(claim.output[0].value < htlc.amount);
//! # Ok::<(), etrid_core::Error>(())
//! ```
//!
//! Nothing here does I/O: chain data (outpoints, heights, fee rates) comes from the caller, and
//! randomness from an injected [`crate::entropy::Entropy`].

mod claim;
mod fees;
pub mod flow;
mod keys;
mod refund;
mod script;
mod spend;
mod verify;
mod witness;

#[cfg(test)]
mod test_support;

pub use claim::build_claim_tx;
pub use fees::{SwapFees, MAX_SERVICE_FEE_BPS};
pub use keys::{Preimage, RescueKey, SwapKeys, RESCUE_DERIVATION_PATH};
pub use refund::build_refund_tx;
pub use script::SwapScript;
pub use spend::{destination_script, HtlcUtxo, CLAIM_REFUND_SEQUENCE};
pub use verify::{verify_reverse, verify_submarine, SwapExpectations};
pub use witness::{claim_preimage, outputs_paying};

use crate::network::Network;

/// Errors of swap scripts, swap verification, swap keys and swap transactions.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SwapError {
    /// The script is not exactly our HTLC template (other opcodes, other push sizes, a key that
    /// is not a valid compressed point, non-minimal encodings, trailing bytes, …).
    #[error("not a swap script of the expected template: {reason}")]
    InvalidScript {
        /// What did not match.
        reason: String,
    },
    /// The timeout is not a block height CLTV can enforce (zero, or 500,000,000 and above,
    /// which Bitcoin reads as a Unix time).
    #[error("swap timeout {timeout_height} is not a valid block height")]
    InvalidTimeout {
        /// The timeout found.
        timeout_height: u32,
    },
    /// The proposed timeout is earlier than we accept: we would have too little time to act
    /// (claim before the server can refund, or see the Lightning payment through).
    #[error("swap timeout {timeout_height} is before the earliest accepted height {min}")]
    TimeoutTooSoon {
        /// The proposed timeout height.
        timeout_height: u32,
        /// The earliest height we accept.
        min: u32,
    },
    /// The proposed timeout is later than we accept: our refund would be locked for too long.
    #[error("swap timeout {timeout_height} is after the latest accepted height {max}")]
    TimeoutTooFar {
        /// The proposed timeout height.
        timeout_height: u32,
        /// The latest height we accept.
        max: u32,
    },
    /// The accepted timeout window is empty (`min` after `max`): a caller bug.
    #[error("invalid timeout window: min {min} is after max {max}")]
    InvalidTimeoutWindow {
        /// The earliest accepted height.
        min: u32,
        /// The latest accepted height.
        max: u32,
    },
    /// Our public key is not in the branch of the script that must be ours (the claim branch
    /// of a reverse swap, the refund branch of a submarine swap).
    #[error("our public key {expected} is not the script's {branch} key (found {found})")]
    OurKeyMissing {
        /// The branch that should carry our key: `claim` or `refund`.
        branch: &'static str,
        /// Our public key (hex).
        expected: String,
        /// The key the script carries there (hex).
        found: String,
    },
    /// Our key sits in the server's branch and the server's in ours: claim and refund swapped.
    #[error("the claim and refund keys of the swap script are swapped")]
    KeysSwapped,
    /// The server's key in the script is not the one the server announced.
    #[error("the server key in the script is {found}, the server announced {expected}")]
    ServerKeyMismatch {
        /// The key the server announced (hex).
        expected: String,
        /// The key the script carries (hex).
        found: String,
    },
    /// The script locks to another payment hash than the one of our swap.
    #[error("the script's hash {found} is not HASH160 of our preimage ({expected})")]
    PaymentHashMismatch {
        /// RIPEMD160 of our payment hash (hex), what the script should carry.
        expected: String,
        /// What the script carries (hex).
        found: String,
    },
    /// The address text is not a valid Bitcoin address.
    #[error("invalid address: {reason}")]
    InvalidAddress {
        /// Why it did not parse.
        reason: String,
    },
    /// The address is valid but for another network than the SDK's.
    #[error("the address is not for {expected}")]
    WrongNetwork {
        /// The SDK's network.
        expected: Network,
    },
    /// The address is not the P2WSH address of the script: funds sent there would not be
    /// spendable by the script we checked.
    #[error("address {found} is not the script's address {expected}")]
    AddressMismatch {
        /// The P2WSH address of the script.
        expected: String,
        /// The address proposed.
        found: String,
    },
    /// The preimage does not hash to the swap's payment hash.
    #[error("the preimage does not match the swap's payment hash")]
    PreimageMismatch,
    /// The signing key's public key is not the one the script requires for this spend.
    #[error("the signing key is not the script's {branch} key {expected}")]
    WrongKey {
        /// The branch being spent: `claim` or `refund`.
        branch: &'static str,
        /// The public key the script requires (hex).
        expected: String,
    },
    /// A refund was requested before the chain reached the swap's timeout height.
    #[error("refund possible from height {timeout_height}, current height is {current_height}")]
    RefundTooEarly {
        /// The current chain tip height.
        current_height: u32,
        /// The swap's timeout height.
        timeout_height: u32,
    },
    /// The fee rate is zero: the spend would never be relayed.
    #[error("the fee rate must be at least 1 sat/vB")]
    InvalidFeeRate {
        /// The fee rate given, in sat/vB.
        sat_per_vb: u64,
    },
    /// The HTLC amount does not cover the fee (or the fee overflowed).
    #[error("the HTLC holds {amount_sat} sat, which does not cover the {fee_sat} sat fee")]
    InsufficientFunds {
        /// The HTLC amount in sats.
        amount_sat: u64,
        /// The fee the spend needs in sats (`u64::MAX` when it overflowed).
        fee_sat: u64,
    },
    /// After the fee the output would be below the dust limit and not relayed.
    #[error("the output of {value_sat} sat is below the dust limit of {dust_limit_sat} sat")]
    DustOutput {
        /// The output value after the fee, in sats.
        value_sat: u64,
        /// The dust limit of the destination script, in sats.
        dust_limit_sat: u64,
    },
    /// The destination cannot receive coins (empty or `OP_RETURN` script).
    #[error("invalid destination: {reason}")]
    InvalidDestination {
        /// Why it was refused.
        reason: String,
    },
    /// Key material was malformed (bad hex, wrong length, not a valid secp256k1 scalar).
    #[error("invalid key: {reason}")]
    InvalidKey {
        /// What was wrong.
        reason: String,
    },
    /// A preimage was malformed (bad hex or not 32 bytes).
    #[error("invalid preimage: {reason}")]
    InvalidPreimage {
        /// What was wrong.
        reason: String,
    },
    /// A swap index at or above 2^31, which has no non-hardened BIP32 child.
    #[error("swap index {index} is out of range (must be below 2^31)")]
    InvalidSwapIndex {
        /// The index given.
        index: u32,
    },
    /// An amount or fee a swap cannot have (zero, a fee above the maximum, an overflow).
    #[error("invalid swap amount: {reason}")]
    InvalidAmount {
        /// What was wrong.
        reason: String,
    },
    /// Computing the signature hash failed (an internal inconsistency of the transaction).
    #[error("signing failed: {reason}")]
    Signing {
        /// The underlying error text.
        reason: String,
    },
    /// The swap server answered something other than what was asked or agreed (another
    /// payment hash, key, kind or amount, an invoice for another payee): the swap is refused
    /// before any money moves.
    #[error("the swap server's {field} is {found}, expected {expected}")]
    ServerMismatch {
        /// What differs.
        field: &'static str,
        /// What we asked for or computed.
        expected: String,
        /// What the server answered.
        found: String,
    },
    /// The server's fee is above what the policy accepts.
    #[error("the swap server's {what} of {found} is above the {max} accepted")]
    FeeTooHigh {
        /// Which fee (`fee_bps`, `miner_fee_msat`).
        what: &'static str,
        /// The server's.
        found: u64,
        /// The policy's maximum.
        max: u64,
    },
    /// The server locked less than agreed: the swap is not claimed (claiming would reveal the
    /// preimage and let the server settle the full payment); the server refunds it after the
    /// timeout and the payment goes back.
    #[error("the lockup holds {found_sat} sat, {expected_sat} sat were agreed")]
    LockupTooSmall {
        /// The agreed amount.
        expected_sat: u64,
        /// What the lockup holds.
        found_sat: u64,
    },
    /// No swap with this index is stored.
    #[error("no swap {index} is stored")]
    UnknownSwap {
        /// The index asked for.
        index: u32,
    },
}

impl SwapError {
    /// The stable code of this error (see [`crate::Error::code`]).
    pub fn code(&self) -> &'static str {
        match self {
            SwapError::InvalidScript { .. } => "swap_invalid_script",
            SwapError::InvalidTimeout { .. } => "swap_invalid_timeout",
            SwapError::TimeoutTooSoon { .. } => "swap_timeout_too_soon",
            SwapError::TimeoutTooFar { .. } => "swap_timeout_too_far",
            SwapError::InvalidTimeoutWindow { .. } => "swap_invalid_timeout_window",
            SwapError::OurKeyMissing { .. } => "swap_our_key_missing",
            SwapError::KeysSwapped => "swap_keys_swapped",
            SwapError::ServerKeyMismatch { .. } => "swap_server_key_mismatch",
            SwapError::PaymentHashMismatch { .. } => "swap_payment_hash_mismatch",
            SwapError::InvalidAddress { .. } => "swap_invalid_address",
            SwapError::WrongNetwork { .. } => "swap_wrong_network",
            SwapError::AddressMismatch { .. } => "swap_address_mismatch",
            SwapError::PreimageMismatch => "swap_preimage_mismatch",
            SwapError::WrongKey { .. } => "swap_wrong_key",
            SwapError::RefundTooEarly { .. } => "swap_refund_too_early",
            SwapError::InvalidFeeRate { .. } => "swap_invalid_fee_rate",
            SwapError::InsufficientFunds { .. } => "swap_insufficient_funds",
            SwapError::DustOutput { .. } => "swap_dust_output",
            SwapError::InvalidDestination { .. } => "swap_invalid_destination",
            SwapError::InvalidKey { .. } => "swap_invalid_key",
            SwapError::InvalidPreimage { .. } => "swap_invalid_preimage",
            SwapError::InvalidSwapIndex { .. } => "swap_invalid_swap_index",
            SwapError::InvalidAmount { .. } => "swap_invalid_amount",
            SwapError::Signing { .. } => "swap_signing_failed",
            SwapError::ServerMismatch { .. } => "swap_server_mismatch",
            SwapError::FeeTooHigh { .. } => "swap_fee_too_high",
            SwapError::LockupTooSmall { .. } => "swap_lockup_too_small",
            SwapError::UnknownSwap { .. } => "swap_unknown",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_prefixed_and_distinct() {
        let errors = [
            SwapError::InvalidScript {
                reason: String::new(),
            },
            SwapError::InvalidTimeout { timeout_height: 0 },
            SwapError::TimeoutTooSoon {
                timeout_height: 1,
                min: 2,
            },
            SwapError::TimeoutTooFar {
                timeout_height: 3,
                max: 2,
            },
            SwapError::InvalidTimeoutWindow { min: 2, max: 1 },
            SwapError::OurKeyMissing {
                branch: "claim",
                expected: String::new(),
                found: String::new(),
            },
            SwapError::KeysSwapped,
            SwapError::ServerKeyMismatch {
                expected: String::new(),
                found: String::new(),
            },
            SwapError::PaymentHashMismatch {
                expected: String::new(),
                found: String::new(),
            },
            SwapError::InvalidAddress {
                reason: String::new(),
            },
            SwapError::WrongNetwork {
                expected: Network::Bitcoin,
            },
            SwapError::AddressMismatch {
                expected: String::new(),
                found: String::new(),
            },
            SwapError::PreimageMismatch,
            SwapError::WrongKey {
                branch: "claim",
                expected: String::new(),
            },
            SwapError::RefundTooEarly {
                current_height: 1,
                timeout_height: 2,
            },
            SwapError::InvalidFeeRate { sat_per_vb: 0 },
            SwapError::InsufficientFunds {
                amount_sat: 1,
                fee_sat: 2,
            },
            SwapError::DustOutput {
                value_sat: 1,
                dust_limit_sat: 330,
            },
            SwapError::InvalidDestination {
                reason: String::new(),
            },
            SwapError::InvalidKey {
                reason: String::new(),
            },
            SwapError::InvalidPreimage {
                reason: String::new(),
            },
            SwapError::InvalidSwapIndex { index: 1 << 31 },
            SwapError::InvalidAmount {
                reason: String::new(),
            },
            SwapError::Signing {
                reason: String::new(),
            },
        ];
        let mut codes: Vec<&str> = errors.iter().map(SwapError::code).collect();
        assert!(codes.iter().all(|c| c.starts_with("swap_")));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), errors.len());
        let wrapped: crate::Error = SwapError::KeysSwapped.into();
        assert_eq!(wrapped.code(), "swap_keys_swapped");
    }
}
