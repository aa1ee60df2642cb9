//! Swaps between on-chain bitcoin and Lightning (S35–S39), with the LSP as swap server: the
//! terms it offers (`GET /v1/swaps/info`), the two ways to start one and the swap it answers.
//!
//! Both swaps lock coins in the core's P2WSH HTLC ([`SwapScript`](crate::swap::SwapScript)):
//! - **submarine** (on-chain → Lightning): the user sends its invoice and a refund key; the LSP
//!   answers with the HTLC address; the user locks coins there; once they confirm, the LSP pays
//!   the invoice and claims the coins with the preimage the payment revealed. Unpaid, the user
//!   refunds after `timeout_height`.
//! - **reverse** (Lightning → on-chain): the user sends a payment hash (of a preimage only it
//!   knows), a claim key and the on-chain amount it wants; the LSP answers with a hold invoice;
//!   once the user's payment is held the LSP locks the coins; the user claims them with the
//!   preimage, and the LSP settles the invoice with the preimage the claim revealed.
//!
//! On-chain amounts are whole satoshis carried as `*_msat` (multiples of 1,000). The SDK
//! recomputes every amount from `fee_bps` and the miner fee with
//! [`SwapFees`](crate::swap::SwapFees) and rebuilds the script from the keys, hash and timeout
//! before any money moves: nothing the server says is taken on trust.

use serde::{Deserialize, Serialize};

use super::{HexBytes, NodeId, PaymentHash, PublicKeyHex, RequestError, Txid, Validate};
use crate::amount::Msat;
use crate::lsp::limits::MAX_AMOUNT_MSAT;
use crate::network::Network;
use crate::swap::SwapFees;

/// The longest BOLT11 invoice a submarine swap accepts, in characters.
pub const MAX_SWAP_INVOICE_LEN: usize = 4_096;

/// The swap server's terms (`GET /v1/swaps/info`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwapInfo {
    /// The chain the HTLCs live on.
    pub network: Network,
    /// The LSP's node: the payee of every reverse swap's hold invoice.
    pub node_id: NodeId,
    /// The smallest swap, on-chain side.
    pub min_amount_msat: Msat,
    /// The largest submarine swap, and the largest reverse swap by policy.
    pub max_amount_msat: Msat,
    /// The largest reverse swap the LSP's wallet can lock now (0: none possible now).
    pub reverse_max_amount_msat: Msat,
    /// The service fee, in basis points of the amount swapped.
    pub fee_bps: u16,
    /// The miner fee of the LSP's claim of a submarine lockup, charged to the user.
    pub submarine_miner_fee_msat: Msat,
    /// The miner fee of the LSP's reverse lockup, charged to the user.
    pub reverse_miner_fee_msat: Msat,
    /// Blocks from creation to a submarine swap's timeout (the user's refund height).
    pub submarine_timeout_blocks: u32,
    /// Blocks from creation to a reverse swap's timeout (the LSP's refund height).
    pub reverse_timeout_blocks: u32,
    /// Confirmations a submarine lockup needs before the LSP pays.
    pub lockup_confirmations: u32,
    /// The LSP's chain tip when it answered.
    pub current_height: u32,
}

impl SwapInfo {
    /// The terms of a submarine swap, for [`SwapFees::submarine_lockup_sat`].
    pub fn submarine_fees(&self) -> SwapFees {
        SwapFees {
            fee_bps: self.fee_bps,
            miner_fee_sat: self.submarine_miner_fee_msat.as_u64() / 1_000,
        }
    }

    /// The terms of a reverse swap, for [`SwapFees::reverse_invoice_msat`].
    pub fn reverse_fees(&self) -> SwapFees {
        SwapFees {
            fee_bps: self.fee_bps,
            miner_fee_sat: self.reverse_miner_fee_msat.as_u64() / 1_000,
        }
    }
}

/// Body of `POST /v1/swaps/submarine`: the LSP pays `bolt11` once the user's coins are locked.
/// The same invoice and key again answer the same swap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateSubmarineSwapRequest {
    /// The user's invoice, with an amount, on the LSP's network, not yet expired.
    pub bolt11: String,
    /// The user's key for refunding the lockup after the timeout.
    pub refund_public_key: PublicKeyHex,
}

impl Validate for CreateSubmarineSwapRequest {
    fn validate(&self) -> Result<(), RequestError> {
        let bolt11 = self.bolt11.trim();
        if bolt11.is_empty() {
            return Err(RequestError::new("bolt11", "must not be empty"));
        }
        if bolt11.len() > MAX_SWAP_INVOICE_LEN {
            return Err(RequestError::new(
                "bolt11",
                format!("must be at most {MAX_SWAP_INVOICE_LEN} characters"),
            ));
        }
        Ok(())
    }
}

/// Body of `POST /v1/swaps/reverse`: the LSP locks `onchain_amount_msat` for the user once the
/// user's payment of its hold invoice is held. The same hash, key and amount again answer the
/// same swap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateReverseSwapRequest {
    /// SHA-256 of a preimage only the user knows; revealed by the user's claim.
    pub payment_hash: PaymentHash,
    /// The user's key for claiming the lockup.
    pub claim_public_key: PublicKeyHex,
    /// What the user receives on chain (before the miner fee of its own claim), whole sats.
    pub onchain_amount_msat: Msat,
}

impl Validate for CreateReverseSwapRequest {
    fn validate(&self) -> Result<(), RequestError> {
        check_onchain_amount("onchain_amount_msat", self.onchain_amount_msat)
    }
}

/// An on-chain amount: positive, whole satoshis, at most all bitcoin.
fn check_onchain_amount(field: &str, amount: Msat) -> Result<(), RequestError> {
    let msat = amount.as_u64();
    if msat == 0 || amount > MAX_AMOUNT_MSAT {
        return Err(RequestError::new(
            field,
            format!("must be between 1000 and {}", MAX_AMOUNT_MSAT.as_u64()),
        ));
    }
    if msat % 1_000 != 0 {
        return Err(RequestError::new(
            field,
            "must be whole satoshis (a multiple of 1000 msat)",
        ));
    }
    Ok(())
}

/// Which way a swap goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SwapKind {
    /// On-chain → Lightning: the user locks, the LSP pays the user's invoice.
    Submarine,
    /// Lightning → on-chain: the user pays the LSP's hold invoice, the LSP locks.
    Reverse,
}

impl SwapKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            SwapKind::Submarine => "submarine",
            SwapKind::Reverse => "reverse",
        }
    }

    /// The kind named `name`.
    pub fn from_name(name: &str) -> Option<SwapKind> {
        [SwapKind::Submarine, SwapKind::Reverse]
            .into_iter()
            .find(|k| k.as_str() == name)
    }
}

/// Where a swap is. Submarine: `created` → `lockup_seen` → `lockup_confirmed` → `paying` →
/// `paid` → `claimed`; or `expired`, `lockup_invalid`, `pay_failed` (the user refunds after
/// the timeout), then `refunded` once the refund is seen. Reverse: `created` → `htlc_held` →
/// `lockup_broadcast` → `lockup_confirmed` → `claimed` → `settled`; or `expired` (no payment
/// in time), `lockup_failed`, `refunded` (the user never claimed; the LSP took its coins back
/// and failed the payment back).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SwapStatus {
    /// Waiting for the lockup (submarine) or the payment (reverse).
    Created,
    /// Submarine: the lockup is in the mempool or a block, not yet confirmed enough.
    LockupSeen,
    /// Reverse: the user's payment is held by the LSP.
    HtlcHeld,
    /// Reverse: the LSP's lockup is broadcast.
    LockupBroadcast,
    /// The lockup has its confirmations.
    LockupConfirmed,
    /// Submarine: the LSP is paying the invoice.
    Paying,
    /// Submarine: the invoice is paid; the LSP claims the lockup next.
    Paid,
    /// Submarine: the LSP claimed the lockup. Reverse: the user claimed it (the preimage is
    /// known); the LSP settles the invoice next.
    Claimed,
    /// Reverse: the user's payment is settled. Final.
    Settled,
    /// Nothing happened in time: no lockup (submarine, refundable if one comes late) or no
    /// payment (reverse).
    Expired,
    /// Submarine: the lockup is too small or confirmed too late to pay safely: refund it.
    LockupInvalid,
    /// Submarine: the invoice could not be paid: refund the lockup after the timeout.
    PayFailed,
    /// Reverse: the LSP could not lock the coins; the payment was failed back.
    LockupFailed,
    /// The lockup was refunded to whoever locked it. Final.
    Refunded,
}

impl SwapStatus {
    /// Every status, in the order the contract lists them.
    pub const ALL: [SwapStatus; 14] = [
        SwapStatus::Created,
        SwapStatus::LockupSeen,
        SwapStatus::HtlcHeld,
        SwapStatus::LockupBroadcast,
        SwapStatus::LockupConfirmed,
        SwapStatus::Paying,
        SwapStatus::Paid,
        SwapStatus::Claimed,
        SwapStatus::Settled,
        SwapStatus::Expired,
        SwapStatus::LockupInvalid,
        SwapStatus::PayFailed,
        SwapStatus::LockupFailed,
        SwapStatus::Refunded,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            SwapStatus::Created => "created",
            SwapStatus::LockupSeen => "lockup_seen",
            SwapStatus::HtlcHeld => "htlc_held",
            SwapStatus::LockupBroadcast => "lockup_broadcast",
            SwapStatus::LockupConfirmed => "lockup_confirmed",
            SwapStatus::Paying => "paying",
            SwapStatus::Paid => "paid",
            SwapStatus::Claimed => "claimed",
            SwapStatus::Settled => "settled",
            SwapStatus::Expired => "expired",
            SwapStatus::LockupInvalid => "lockup_invalid",
            SwapStatus::PayFailed => "pay_failed",
            SwapStatus::LockupFailed => "lockup_failed",
            SwapStatus::Refunded => "refunded",
        }
    }

    /// The status named `name`.
    pub fn from_name(name: &str) -> Option<SwapStatus> {
        SwapStatus::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Submarine: whether the user should refund its lockup once the timeout is reached.
    pub fn is_refundable(self) -> bool {
        matches!(
            self,
            SwapStatus::Expired | SwapStatus::LockupInvalid | SwapStatus::PayFailed
        )
    }
}

/// A swap of the account, as the LSP sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LspSwap {
    /// Its id (`swp_…`).
    pub id: String,
    /// Submarine or reverse.
    pub kind: SwapKind,
    /// Where it is.
    pub status: SwapStatus,
    /// The payment hash both the invoice and the HTLC script lock to.
    pub payment_hash: PaymentHash,
    /// Submarine: the user's invoice. Reverse: the LSP's hold invoice for the user to pay.
    pub bolt11: String,
    /// The invoice's amount.
    pub invoice_amount_msat: Msat,
    /// What is locked on chain: the user's lockup (submarine) or the LSP's (reverse).
    pub onchain_amount_msat: Msat,
    /// The service fee included in the amounts.
    pub service_fee_msat: Msat,
    /// The LSP's miner fee included in the amounts.
    pub miner_fee_msat: Msat,
    /// The service fee's rate, basis points, as agreed at creation.
    pub fee_bps: u16,
    /// The user's key: refund key (submarine) or claim key (reverse).
    pub user_public_key: PublicKeyHex,
    /// The LSP's key: claim key (submarine) or refund key (reverse).
    pub server_public_key: PublicKeyHex,
    /// The HTLC's witness script, hex: rebuild it from the keys, hash and timeout and compare.
    pub redeem_script: HexBytes,
    /// The P2WSH address of the script.
    pub lockup_address: String,
    /// The block height from which the refund key may spend the lockup.
    pub timeout_height: u32,
    /// The lockup transaction, once seen.
    pub lockup_txid: Option<Txid>,
    /// The lockup's output index in it.
    pub lockup_vout: Option<u32>,
    /// The lockup output's amount.
    pub lockup_amount_msat: Option<Msat>,
    /// The transaction claiming the lockup, once known.
    pub claim_txid: Option<Txid>,
    /// The transaction refunding the lockup, once known.
    pub refund_txid: Option<Txid>,
    /// Why it failed, in words.
    pub failure_reason: Option<String>,
    /// Creation time, unix seconds.
    pub created_at: u64,
    /// Last change, unix seconds.
    pub updated_at: u64,
}

impl LspSwap {
    /// Whether nothing more will happen to the swap: a submarine swap claimed by the LSP or
    /// refunded; a reverse swap settled, refunded, failed back after a failed lockup, or expired
    /// unpaid.
    pub fn is_final(&self) -> bool {
        match self.kind {
            SwapKind::Submarine => {
                matches!(self.status, SwapStatus::Claimed | SwapStatus::Refunded)
            }
            SwapKind::Reverse => matches!(
                self.status,
                SwapStatus::Settled
                    | SwapStatus::Refunded
                    | SwapStatus::LockupFailed
                    | SwapStatus::Expired
            ),
        }
    }

    /// The fee terms the swap was created with, to recompute its amounts.
    pub fn fees(&self) -> SwapFees {
        SwapFees {
            fee_bps: self.fee_bps,
            miner_fee_sat: self.miner_fee_msat.as_u64() / 1_000,
        }
    }
}

/// A page of the account's swaps, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwapList {
    /// The page's swaps.
    pub items: Vec<LspSwap>,
    /// Pass as `cursor` for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";

    #[test]
    fn s38_reverse_requests_must_ask_whole_positive_satoshis() {
        let request = |msat: u64| CreateReverseSwapRequest {
            payment_hash: PaymentHash::from_bytes([1; 32]),
            claim_public_key: KEY.parse().unwrap(),
            onchain_amount_msat: Msat::from_msat(msat),
        };
        assert_eq!(request(50_000_000).validate(), Ok(()));
        for bad in [0, 999, 50_000_001] {
            assert_eq!(
                request(bad).validate().unwrap_err().field,
                "onchain_amount_msat",
                "{bad} msat"
            );
        }
    }

    #[test]
    fn s38_submarine_requests_need_an_invoice_of_sane_length() {
        let request = |bolt11: String| CreateSubmarineSwapRequest {
            bolt11,
            refund_public_key: KEY.parse().unwrap(),
        };
        assert_eq!(request("lnbcrt1...".into()).validate(), Ok(()));
        assert_eq!(request("  ".into()).validate().unwrap_err().field, "bolt11");
        assert_eq!(
            request("l".repeat(MAX_SWAP_INVOICE_LEN + 1))
                .validate()
                .unwrap_err()
                .field,
            "bolt11"
        );
    }

    #[test]
    fn a_refund_key_that_is_not_on_the_curve_is_refused_when_parsed() {
        let body = format!(
            r#"{{"bolt11": "lnbcrt1", "refund_public_key": "02{}"}}"#,
            "00".repeat(32)
        );
        assert!(serde_json::from_str::<CreateSubmarineSwapRequest>(&body).is_err());
    }

    #[test]
    fn names_match_the_wire() {
        for status in SwapStatus::ALL {
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
            assert_eq!(SwapStatus::from_name(status.as_str()), Some(status));
        }
        assert_eq!(SwapKind::from_name("reverse"), Some(SwapKind::Reverse));
        assert_eq!(SwapKind::from_name("sideways"), None);
    }

    #[test]
    fn statuses_say_what_the_user_refunds() {
        assert!(SwapStatus::PayFailed.is_refundable());
        assert!(SwapStatus::Expired.is_refundable());
        assert!(!SwapStatus::Paid.is_refundable());
    }
}
