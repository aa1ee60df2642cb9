//! Reading swaps back from the chain: the outputs a lockup created, and the preimage a claim
//! revealed (how a reverse swap's server learns it can settle the user's payment).

use bitcoin::{Amount, OutPoint, Script, Transaction};

use super::{Preimage, SwapScript};

/// Every output of `tx` paying `script_pubkey` (a swap's P2WSH output): the lockups it made.
/// A transaction may pay the same address twice; each output is its own lockup.
pub fn outputs_paying(tx: &Transaction, script_pubkey: &Script) -> Vec<(OutPoint, Amount)> {
    let txid = tx.compute_txid();
    tx.output
        .iter()
        .enumerate()
        .filter(|(_, out)| out.script_pubkey.as_script() == script_pubkey)
        .filter_map(|(vout, out)| {
            let vout = u32::try_from(vout).ok()?;
            Some((OutPoint { txid, vout }, out.value))
        })
        .collect()
}

/// The preimage `tx` reveals by spending `script`'s HTLC through its claim branch: an input
/// whose witness is `<signature> <preimage> <witness script>` with exactly this witness script
/// and a preimage that hashes to the script's payment hash. `None` when no input of `tx` does
/// (a refund, or a spend of something else).
pub fn claim_preimage(tx: &Transaction, script: &SwapScript) -> Option<Preimage> {
    let witness_script = script.to_script();
    tx.input.iter().find_map(|input| {
        let witness = &input.witness;
        if witness.len() != 3 || witness.nth(2)? != witness_script.as_bytes() {
            return None;
        }
        let bytes: [u8; 32] = witness.nth(1)?.try_into().ok()?;
        let preimage = Preimage::from_bytes(bytes);
        script
            .matches_payment_hash(&preimage.payment_hash())
            .then_some(preimage)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::swap::test_support::{destination, htlc, keys, PAYMENT_PREIMAGE, TIMEOUT};
    use crate::swap::{build_claim_tx, build_refund_tx};
    use bitcoin::absolute::LockTime;
    use bitcoin::transaction::Version;
    use bitcoin::{TxOut, Witness};

    #[test]
    fn a_claim_reveals_the_preimage_a_refund_does_not() {
        let htlc = htlc(50_000);
        let preimage = Preimage::from_bytes(PAYMENT_PREIMAGE);
        let claim =
            build_claim_tx(&htlc, &preimage, keys(1).secret_key(), &destination(), 2).unwrap();
        assert_eq!(claim_preimage(&claim, &htlc.script), Some(preimage));
        let refund =
            build_refund_tx(&htlc, keys(2).secret_key(), &destination(), 2, TIMEOUT).unwrap();
        assert_eq!(claim_preimage(&refund, &htlc.script), None);
    }

    #[test]
    fn a_witness_for_another_script_or_with_a_wrong_preimage_reveals_nothing() {
        let htlc = htlc(50_000);
        let preimage = Preimage::from_bytes(PAYMENT_PREIMAGE);
        let mut claim =
            build_claim_tx(&htlc, &preimage, keys(1).secret_key(), &destination(), 2).unwrap();
        let other = SwapScript::new(
            preimage.payment_hash(),
            keys(3).public_key(),
            keys(2).public_key(),
            TIMEOUT,
        )
        .unwrap();
        assert_eq!(claim_preimage(&claim, &other), None);
        let parts: Vec<Vec<u8>> = claim.input[0].witness.iter().map(<[u8]>::to_vec).collect();
        claim.input[0].witness =
            Witness::from_slice(&[parts[0].clone(), vec![0x5b; 32], parts[2].clone()]);
        assert_eq!(claim_preimage(&claim, &htlc.script), None);
    }

    #[test]
    fn every_output_to_the_swap_address_is_a_lockup_of_its_own() {
        let htlc = htlc(50_000);
        let lockup = Transaction {
            version: Version::TWO,
            lock_time: LockTime::ZERO,
            input: Vec::new(),
            output: vec![
                TxOut {
                    value: Amount::from_sat(7),
                    script_pubkey: destination(),
                },
                TxOut {
                    value: Amount::from_sat(50_000),
                    script_pubkey: htlc.script.script_pubkey(),
                },
                TxOut {
                    value: Amount::from_sat(1_000),
                    script_pubkey: htlc.script.script_pubkey(),
                },
            ],
        };
        let found = outputs_paying(&lockup, &htlc.script.script_pubkey());
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].0.vout, found[0].1), (1, Amount::from_sat(50_000)));
        assert_eq!((found[1].0.vout, found[1].1), (2, Amount::from_sat(1_000)));
        assert_eq!(found[0].0.txid, lockup.compute_txid());
    }
}
