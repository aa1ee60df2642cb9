//! Test doubles and fixtures shared by the swap tests: deterministic entropy, keys, an HTLC
//! output, and script verification by libbitcoinconsensus (Bitcoin Core's own interpreter).

use std::cell::Cell;

use bitcoin::consensus::encode::serialize;
use bitcoin::hashes::Hash;
use bitcoin::{Amount, OutPoint, ScriptBuf, Transaction, Txid};

use super::{HtlcUtxo, Preimage, SwapKeys, SwapScript};

/// The preimage of the fixture swaps.
pub(crate) const PAYMENT_PREIMAGE: [u8; 32] = [0x5a; 32];

/// The fixture HTLC's timeout height.
pub(crate) const TIMEOUT: u32 = 2_000;

// libbitcoinconsensus verification flags (bitcoinconsensus 0.105 `VERIFY_*`, the values of
// Bitcoin Core's `SCRIPT_VERIFY_*`).
const VERIFY_P2SH: u32 = 1 << 0;
const VERIFY_DERSIG: u32 = 1 << 2;
const VERIFY_NULLDUMMY: u32 = 1 << 4;
const VERIFY_CHECKLOCKTIMEVERIFY: u32 = 1 << 9;
const VERIFY_CHECKSEQUENCEVERIFY: u32 = 1 << 10;
const VERIFY_WITNESS: u32 = 1 << 11;

/// Every consensus rule that applies to a P2WSH spend.
pub(crate) const FLAGS: u32 = VERIFY_P2SH
    | VERIFY_DERSIG
    | VERIFY_NULLDUMMY
    | VERIFY_CHECKLOCKTIMEVERIFY
    | VERIFY_CHECKSEQUENCEVERIFY
    | VERIFY_WITNESS;

/// Entropy that counts up: distinct, valid and reproducible 32-byte draws.
pub(crate) struct SeqEntropy(Cell<u8>);

impl SeqEntropy {
    pub(crate) fn new() -> SeqEntropy {
        SeqEntropy(Cell::new(1))
    }
}

impl crate::entropy::Entropy for SeqEntropy {
    fn fill_bytes(&self, buf: &mut [u8]) -> Result<(), crate::Error> {
        let n = self.0.get();
        self.0.set(n.wrapping_add(1));
        buf.fill(n);
        Ok(())
    }
}

/// Entropy of a platform that has none.
pub(crate) struct FailingEntropy;

impl crate::entropy::Entropy for FailingEntropy {
    fn fill_bytes(&self, _buf: &mut [u8]) -> Result<(), crate::Error> {
        Err(crate::Error::EntropyUnavailable {
            reason: "test".to_owned(),
        })
    }
}

/// The `n`th fixture key pair.
pub(crate) fn keys(n: u8) -> SwapKeys {
    SwapKeys::from_secret_bytes(&[n; 32]).unwrap()
}

/// An HTLC of `amount_sat` locked to [`PAYMENT_PREIMAGE`]: key 1 claims, key 2 refunds after
/// [`TIMEOUT`].
pub(crate) fn htlc(amount_sat: u64) -> HtlcUtxo {
    let payment_hash = Preimage::from_bytes(PAYMENT_PREIMAGE).payment_hash();
    let script = SwapScript::new(
        payment_hash,
        keys(1).public_key(),
        keys(2).public_key(),
        TIMEOUT,
    )
    .unwrap();
    HtlcUtxo {
        outpoint: OutPoint {
            txid: Txid::from_byte_array([0x11; 32]),
            vout: 1,
        },
        amount: Amount::from_sat(amount_sat),
        script,
    }
}

/// A P2WPKH destination of key 9.
pub(crate) fn destination() -> ScriptBuf {
    ScriptBuf::new_p2wpkh(&bitcoin::CompressedPublicKey(keys(9).public_key()).wpubkey_hash())
}

/// Verifies input 0 of `tx` against the HTLC output with Bitcoin Core's script interpreter.
pub(crate) fn consensus_verify(tx: &Transaction, htlc: &HtlcUtxo) -> Result<(), String> {
    htlc.script
        .script_pubkey()
        .verify_with_flags(0, htlc.amount, &serialize(tx), FLAGS)
        .map_err(|e| format!("{e:?}"))
}
