//! What claim and refund share: the HTLC output being spent, the destination, the fee from the
//! transaction's size, the dust check, and the BIP143 signature of the one input.
//!
//! # Fee
//! The fee is `vsize × fee rate`, where vsize is that of the transaction itself with a
//! 71-byte placeholder in the signature slot. Signatures are low-R and low-S (`sign_ecdsa_low_r`),
//! so their DER encoding is at most 70 bytes, 71 with the sighash byte: the signed transaction
//! is never larger than the one priced, and is its exact size in all but ~1/256 of cases, when
//! it is one witness byte smaller.

use bitcoin::absolute::LockTime;
use bitcoin::hashes::Hash;
use bitcoin::secp256k1::{Message, PublicKey, Secp256k1, SecretKey};
use bitcoin::sighash::{EcdsaSighashType, SighashCache};
use bitcoin::transaction::Version;
use bitcoin::{Amount, OutPoint, Script, ScriptBuf, Sequence, Transaction, TxIn, TxOut, Witness};

use super::verify::parse_address;
use super::{Preimage, SwapError, SwapScript};
use crate::network::Network;

/// The `nSequence` of claim and refund inputs: `0xFFFFFFFD`. Below `0xFFFFFFFE` it opts in to
/// replace-by-fee (BIP125), so a stuck spend can be re-sent with a higher fee, and below
/// `0xFFFFFFFF` it keeps `nLockTime` enforced, which `OP_CHECKLOCKTIMEVERIFY` requires. It sets
/// no relative lock time (BIP68 bit 31 is set).
pub const CLAIM_REFUND_SEQUENCE: Sequence = Sequence::ENABLE_RBF_NO_LOCKTIME;

/// Upper bound of a low-R, low-S DER signature plus its sighash byte.
const MAX_SIGNATURE_LEN: usize = 71;

/// An HTLC output on chain: where it is, how much it holds and the script that locks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HtlcUtxo {
    /// The lockup transaction's output paying the script's P2WSH address.
    pub outpoint: OutPoint,
    /// The amount of that output (BIP143 signatures commit to it: a wrong value invalidates them).
    pub amount: Amount,
    /// The HTLC script the output pays to.
    pub script: SwapScript,
}

/// The output script of an address text, checked to be for `network`: the destination of a
/// claim or a refund.
///
/// # Errors
/// [`SwapError::InvalidAddress`] for text that is no address, [`SwapError::WrongNetwork`] for an
/// address of another network.
pub fn destination_script(address: &str, network: Network) -> Result<ScriptBuf, SwapError> {
    Ok(parse_address(address, network)?.script_pubkey())
}

/// Which branch an HTLC spend takes.
pub(super) enum Branch<'a> {
    /// With the preimage and the claim key.
    Claim(&'a Preimage),
    /// After the timeout, with the refund key.
    Refund,
}

impl Branch<'_> {
    fn name(&self) -> &'static str {
        match self {
            Branch::Claim(_) => "claim",
            Branch::Refund => "refund",
        }
    }

    fn required_key(&self, script: &SwapScript) -> PublicKey {
        match self {
            Branch::Claim(_) => script.claim_pubkey(),
            Branch::Refund => script.refund_pubkey(),
        }
    }

    /// The witness element between the signature and the script: it selects the branch.
    fn selector(&self) -> &[u8] {
        match self {
            Branch::Claim(preimage) => preimage.as_bytes(),
            Branch::Refund => &[],
        }
    }
}

/// Builds and signs the one-input, one-output spend of `htlc` by `branch`.
pub(super) fn build_spend(
    htlc: &HtlcUtxo,
    branch: Branch<'_>,
    key: &SecretKey,
    destination: &Script,
    fee_rate_sat_per_vb: u64,
    lock_time: LockTime,
) -> Result<Transaction, SwapError> {
    if fee_rate_sat_per_vb == 0 {
        return Err(SwapError::InvalidFeeRate {
            sat_per_vb: fee_rate_sat_per_vb,
        });
    }
    check_destination(destination)?;
    let secp = Secp256k1::signing_only();
    let required = branch.required_key(&htlc.script);
    if PublicKey::from_secret_key(&secp, key) != required {
        return Err(SwapError::WrongKey {
            branch: branch.name(),
            expected: required.to_string(),
        });
    }

    let witness_script = htlc.script.to_script();
    let placeholder = vec![0u8; MAX_SIGNATURE_LEN];
    let mut tx = Transaction {
        version: Version::TWO,
        lock_time,
        input: vec![TxIn {
            previous_output: htlc.outpoint,
            script_sig: ScriptBuf::new(),
            sequence: CLAIM_REFUND_SEQUENCE,
            witness: Witness::from_slice(&[
                placeholder.as_slice(),
                branch.selector(),
                witness_script.as_bytes(),
            ]),
        }],
        output: vec![TxOut {
            value: Amount::ZERO,
            script_pubkey: destination.to_owned(),
        }],
    };

    let amount_sat = htlc.amount.to_sat();
    let vsize = u64::try_from(tx.vsize()).unwrap_or(u64::MAX);
    // A fee that overflows u64 is more than any HTLC holds: saturate, then refuse below.
    let fee_sat = vsize.saturating_mul(fee_rate_sat_per_vb);
    let value_sat = match amount_sat.checked_sub(fee_sat) {
        Some(value) if value > 0 => value,
        _ => {
            return Err(SwapError::InsufficientFunds {
                amount_sat,
                fee_sat,
            })
        }
    };
    let dust_limit_sat = destination.minimal_non_dust().to_sat();
    if value_sat < dust_limit_sat {
        return Err(SwapError::DustOutput {
            value_sat,
            dust_limit_sat,
        });
    }
    tx.output[0].value = Amount::from_sat(value_sat);

    let signature = sign_input(&tx, htlc, key)?;
    tx.input[0].witness = Witness::from_slice(&[
        signature.as_slice(),
        branch.selector(),
        witness_script.as_bytes(),
    ]);
    Ok(tx)
}

/// The SIGHASH_ALL BIP143 signature of input 0 of `tx` spending `htlc` with `key`, DER-encoded
/// with the sighash byte appended, as the witness carries it.
pub(super) fn sign_input(
    tx: &Transaction,
    htlc: &HtlcUtxo,
    key: &SecretKey,
) -> Result<Vec<u8>, SwapError> {
    let sighash = SighashCache::new(tx)
        .p2wsh_signature_hash(
            0,
            &htlc.script.to_script(),
            htlc.amount,
            EcdsaSighashType::All,
        )
        .map_err(|e| SwapError::Signing {
            reason: e.to_string(),
        })?;
    let message = Message::from_digest(sighash.to_byte_array());
    let signature = Secp256k1::signing_only().sign_ecdsa_low_r(&message, key);
    Ok(bitcoin::ecdsa::Signature {
        signature,
        sighash_type: EcdsaSighashType::All,
    }
    .to_vec())
}

fn check_destination(destination: &Script) -> Result<(), SwapError> {
    if destination.is_empty() {
        return Err(SwapError::InvalidDestination {
            reason: "empty script".to_owned(),
        });
    }
    if destination.is_op_return() {
        return Err(SwapError::InvalidDestination {
            reason: "OP_RETURN outputs are unspendable".to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destination_script_checks_the_network() {
        let regtest = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080";
        let script = destination_script(regtest, Network::Regtest).unwrap();
        assert!(script.is_p2wpkh());
        assert_eq!(
            destination_script(regtest, Network::Bitcoin),
            Err(SwapError::WrongNetwork {
                expected: Network::Bitcoin
            })
        );
        assert!(matches!(
            destination_script("bc1qnope", Network::Bitcoin),
            Err(SwapError::InvalidAddress { .. })
        ));
    }

    #[test]
    fn refuses_unspendable_destinations() {
        assert!(check_destination(&ScriptBuf::new()).is_err());
        assert!(check_destination(&ScriptBuf::new_op_return([1u8, 2, 3])).is_err());
    }
}
