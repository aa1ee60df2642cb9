//! The claim transaction: spends the HTLC through its hashlock branch with the preimage and the
//! claim key (the user in a reverse swap, the server in a submarine swap).

use bitcoin::absolute::LockTime;
use bitcoin::secp256k1::SecretKey;
use bitcoin::{Script, Transaction};

use super::spend::{build_spend, Branch};
use super::{HtlcUtxo, Preimage, SwapError};

/// Builds and signs the transaction that claims `htlc` to `destination` with `preimage`.
///
/// One input (witness `<signature> <preimage> <witness script>`, `nSequence`
/// [`super::CLAIM_REFUND_SEQUENCE`]), one output of the HTLC amount minus the fee, version 2,
/// `nLockTime` 0. The fee is the transaction's vsize times `fee_rate_sat_per_vb` (see the
/// `spend` module notes: the signed transaction is never larger than the size priced).
///
/// # Errors
/// [`SwapError::PreimageMismatch`] when `preimage` does not hash to the script's hash;
/// [`SwapError::WrongKey`] when `claim_key` is not the script's claim key;
/// [`SwapError::InvalidFeeRate`] for a zero fee rate; [`SwapError::InsufficientFunds`] when the
/// HTLC does not cover the fee; [`SwapError::DustOutput`] when what is left is dust;
/// [`SwapError::InvalidDestination`] for an empty or `OP_RETURN` destination.
pub fn build_claim_tx(
    htlc: &HtlcUtxo,
    preimage: &Preimage,
    claim_key: &SecretKey,
    destination: &Script,
    fee_rate_sat_per_vb: u64,
) -> Result<Transaction, SwapError> {
    if !htlc.script.matches_payment_hash(&preimage.payment_hash()) {
        return Err(SwapError::PreimageMismatch);
    }
    build_spend(
        htlc,
        Branch::Claim(preimage),
        claim_key,
        destination,
        fee_rate_sat_per_vb,
        LockTime::ZERO,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::swap::spend::sign_input;
    use crate::swap::test_support::{consensus_verify, destination, htlc, keys, PAYMENT_PREIMAGE};
    use crate::swap::CLAIM_REFUND_SEQUENCE;
    use bitcoin::{Amount, Witness};

    fn preimage() -> Preimage {
        Preimage::from_bytes(PAYMENT_PREIMAGE)
    }

    fn claim(amount_sat: u64, fee_rate: u64) -> Result<Transaction, SwapError> {
        build_claim_tx(
            &htlc(amount_sat),
            &preimage(),
            keys(1).secret_key(),
            &destination(),
            fee_rate,
        )
    }

    #[test]
    fn claim_passes_consensus_verification() {
        let htlc = htlc(100_000);
        let tx = claim(100_000, 2).unwrap();
        consensus_verify(&tx, &htlc).unwrap();

        assert_eq!(tx.lock_time, LockTime::ZERO);
        assert_eq!(tx.input.len(), 1);
        assert_eq!(tx.input[0].previous_output, htlc.outpoint);
        assert_eq!(tx.input[0].sequence, CLAIM_REFUND_SEQUENCE);
        let witness: Vec<&[u8]> = tx.input[0].witness.iter().collect();
        assert_eq!(witness.len(), 3);
        assert_eq!(witness[1], &PAYMENT_PREIMAGE);
        assert_eq!(witness[2], htlc.script.to_script().as_bytes());
        assert_eq!(tx.output.len(), 1);
        assert_eq!(tx.output[0].script_pubkey, destination());
    }

    #[test]
    fn claim_fee_covers_the_actual_size() {
        for rate in [1u64, 2, 7, 50, 1_000] {
            let tx = claim(1_000_000, rate).unwrap();
            let fee = 1_000_000 - tx.output[0].value.to_sat();
            let vsize = tx.vsize() as u64;
            assert!(fee >= vsize * rate, "rate {rate}: fee {fee} for {vsize} vB");
            // Priced on a placeholder at most one witness byte larger than the signature.
            assert!(
                fee <= (vsize + 1) * rate,
                "rate {rate}: fee {fee} for {vsize} vB"
            );
        }
    }

    #[test]
    fn claim_refuses_a_wrong_preimage() {
        let wrong = Preimage::from_bytes([0x5b; 32]);
        let err = build_claim_tx(
            &htlc(100_000),
            &wrong,
            keys(1).secret_key(),
            &destination(),
            2,
        );
        assert_eq!(err, Err(SwapError::PreimageMismatch));
    }

    #[test]
    fn a_forced_wrong_preimage_fails_consensus() {
        let htlc = htlc(100_000);
        let good = claim(100_000, 2).unwrap();
        let script = htlc.script.to_script();
        let signature = good.input[0].witness.nth(0).unwrap().to_vec();
        // The signature does not commit to the witness: only the preimage changes.
        for fake in [vec![0x5b; 32], vec![0x5a; 33], vec![0x5a; 31], Vec::new()] {
            let mut tx = good.clone();
            tx.input[0].witness =
                Witness::from_slice(&[signature.as_slice(), fake.as_slice(), script.as_bytes()]);
            assert!(
                consensus_verify(&tx, &htlc).is_err(),
                "preimage of {} bytes",
                fake.len()
            );
        }
    }

    #[test]
    fn claim_refuses_the_wrong_key_and_a_forced_one_fails_consensus() {
        let htlc = htlc(100_000);
        for n in [2, 3] {
            let err = build_claim_tx(&htlc, &preimage(), keys(n).secret_key(), &destination(), 2);
            assert!(
                matches!(
                    err,
                    Err(SwapError::WrongKey {
                        branch: "claim",
                        ..
                    })
                ),
                "{err:?}"
            );
        }
        let mut tx = claim(100_000, 2).unwrap();
        let forged = sign_input(&tx, &htlc, keys(3).secret_key()).unwrap();
        let script = htlc.script.to_script();
        tx.input[0].witness = Witness::from_slice(&[
            forged.as_slice(),
            PAYMENT_PREIMAGE.as_slice(),
            script.as_bytes(),
        ]);
        assert!(consensus_verify(&tx, &htlc).is_err());
    }

    #[test]
    fn signature_commits_to_the_htlc_amount() {
        let mut htlc = htlc(100_000);
        let tx = claim(100_000, 2).unwrap();
        htlc.amount = Amount::from_sat(100_001);
        assert!(consensus_verify(&tx, &htlc).is_err());
    }

    #[test]
    fn claim_refuses_bad_amounts_and_fee_rates() {
        assert_eq!(
            claim(100_000, 0),
            Err(SwapError::InvalidFeeRate { sat_per_vb: 0 })
        );
        let vsize = claim(100_000, 1)
            .map(|tx| 100_000 - tx.output[0].value.to_sat())
            .unwrap();
        assert_eq!(
            claim(vsize, 1),
            Err(SwapError::InsufficientFunds {
                amount_sat: vsize,
                fee_sat: vsize
            })
        );
        assert_eq!(
            claim(100, u64::MAX),
            Err(SwapError::InsufficientFunds {
                amount_sat: 100,
                fee_sat: u64::MAX
            })
        );
        // P2WPKH dust is 294 sat.
        assert_eq!(
            claim(vsize + 293, 1),
            Err(SwapError::DustOutput {
                value_sat: 293,
                dust_limit_sat: 294
            })
        );
        let tx = claim(vsize + 294, 1).unwrap();
        assert_eq!(tx.output[0].value.to_sat(), 294);
        consensus_verify(&tx, &htlc(vsize + 294)).unwrap();
    }
}
