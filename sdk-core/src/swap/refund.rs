//! The refund transaction: spends the HTLC through its timelock branch with the refund key once
//! the timeout height is reached (the user in a submarine swap, the server in a reverse swap).

use bitcoin::absolute::LockTime;
use bitcoin::secp256k1::SecretKey;
use bitcoin::{Script, Transaction};

use super::spend::{build_spend, Branch};
use super::{HtlcUtxo, SwapError};

/// Builds and signs the transaction that refunds `htlc` to `destination` after its timeout.
///
/// One input (witness `<signature> <empty> <witness script>`: the empty element fails the
/// `OP_SIZE 32` test and selects the refund branch; `nSequence`
/// [`super::CLAIM_REFUND_SEQUENCE`], below `0xFFFFFFFF` so the lock time is enforced), one
/// output of the HTLC amount minus the fee, version 2, `nLockTime` = the script's timeout
/// height, as `OP_CHECKLOCKTIMEVERIFY` requires. Such a transaction can be mined in the block
/// after `timeout_height`, so it is accepted once the chain tip has reached `timeout_height`.
///
/// # Errors
/// [`SwapError::RefundTooEarly`] when `current_height` is below the timeout height;
/// [`SwapError::WrongKey`] when `refund_key` is not the script's refund key; otherwise as
/// [`super::build_claim_tx`] (fee rate, insufficient funds, dust, destination).
pub fn build_refund_tx(
    htlc: &HtlcUtxo,
    refund_key: &SecretKey,
    destination: &Script,
    fee_rate_sat_per_vb: u64,
    current_height: u32,
) -> Result<Transaction, SwapError> {
    let timeout_height = htlc.script.timeout_height();
    if current_height < timeout_height {
        return Err(SwapError::RefundTooEarly {
            current_height,
            timeout_height,
        });
    }
    let lock_time = LockTime::from_height(timeout_height)
        .map_err(|_| SwapError::InvalidTimeout { timeout_height })?;
    build_spend(
        htlc,
        Branch::Refund,
        refund_key,
        destination,
        fee_rate_sat_per_vb,
        lock_time,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::swap::spend::sign_input;
    use crate::swap::test_support::{consensus_verify, destination, htlc, keys, TIMEOUT};
    use crate::swap::CLAIM_REFUND_SEQUENCE;
    use bitcoin::{Sequence, Witness};

    fn refund(current_height: u32) -> Result<Transaction, SwapError> {
        build_refund_tx(
            &htlc(50_000),
            keys(2).secret_key(),
            &destination(),
            3,
            current_height,
        )
    }

    /// Re-signs input 0 after a hand edit, so only the edit decides verification.
    fn resign(tx: &mut Transaction, key: u8) {
        let htlc = htlc(50_000);
        let signature = sign_input(tx, &htlc, keys(key).secret_key()).unwrap();
        let script = htlc.script.to_script();
        tx.input[0].witness =
            Witness::from_slice(&[signature.as_slice(), &[][..], script.as_bytes()]);
    }

    #[test]
    fn refund_passes_consensus_verification() {
        let htlc = htlc(50_000);
        for height in [TIMEOUT, TIMEOUT + 1, 800_000] {
            let tx = refund(height).unwrap();
            consensus_verify(&tx, &htlc).unwrap();
            assert_eq!(tx.lock_time, LockTime::from_height(TIMEOUT).unwrap());
            assert_eq!(tx.input[0].sequence, CLAIM_REFUND_SEQUENCE);
            let witness: Vec<&[u8]> = tx.input[0].witness.iter().collect();
            assert_eq!(witness.len(), 3);
            assert!(witness[1].is_empty());
            let fee = 50_000 - tx.output[0].value.to_sat();
            assert!(fee >= tx.vsize() as u64 * 3);
        }
    }

    #[test]
    fn refund_refuses_before_the_timeout() {
        assert_eq!(
            refund(TIMEOUT - 1),
            Err(SwapError::RefundTooEarly {
                current_height: TIMEOUT - 1,
                timeout_height: TIMEOUT
            })
        );
    }

    #[test]
    fn a_forced_early_lock_time_fails_consensus() {
        let htlc = htlc(50_000);
        let mut tx = refund(TIMEOUT).unwrap();
        tx.lock_time = LockTime::from_height(TIMEOUT - 1).unwrap();
        resign(&mut tx, 2);
        assert!(consensus_verify(&tx, &htlc).is_err());
        // The same hand-built transaction with the right lock time verifies: the edit decides.
        tx.lock_time = LockTime::from_height(TIMEOUT).unwrap();
        resign(&mut tx, 2);
        consensus_verify(&tx, &htlc).unwrap();
    }

    #[test]
    fn a_final_sequence_fails_consensus() {
        // nSequence 0xFFFFFFFF disables nLockTime, and with it OP_CHECKLOCKTIMEVERIFY.
        let htlc = htlc(50_000);
        let mut tx = refund(TIMEOUT).unwrap();
        tx.input[0].sequence = Sequence::MAX;
        resign(&mut tx, 2);
        assert!(consensus_verify(&tx, &htlc).is_err());
    }

    #[test]
    fn refund_refuses_the_wrong_key_and_a_forced_one_fails_consensus() {
        let htlc = htlc(50_000);
        for n in [1, 3] {
            let err = build_refund_tx(&htlc, keys(n).secret_key(), &destination(), 3, TIMEOUT);
            assert!(
                matches!(
                    err,
                    Err(SwapError::WrongKey {
                        branch: "refund",
                        ..
                    })
                ),
                "{err:?}"
            );
        }
        for n in [1, 3] {
            let mut tx = refund(TIMEOUT).unwrap();
            resign(&mut tx, n);
            assert!(consensus_verify(&tx, &htlc).is_err(), "key {n}");
        }
    }

    #[test]
    fn refund_checks_fees_like_the_claim() {
        assert_eq!(
            build_refund_tx(
                &htlc(50_000),
                keys(2).secret_key(),
                &destination(),
                0,
                TIMEOUT
            ),
            Err(SwapError::InvalidFeeRate { sat_per_vb: 0 })
        );
        let err = build_refund_tx(&htlc(300), keys(2).secret_key(), &destination(), 3, TIMEOUT);
        assert!(
            matches!(err, Err(SwapError::InsufficientFunds { .. })),
            "{err:?}"
        );
    }
}
