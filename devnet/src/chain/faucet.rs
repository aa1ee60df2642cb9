//! The faucet: a P2WPKH key the server owns, which receives the first blocks' coinbases and pays
//! out with ordinary signed transactions (payment first, change back to itself).
//!
//! The key is fixed (SHA256 of a public label) so a replayed chain's coins stay spendable after
//! a restart. It is regtest money: anyone may know this key.

use bitcoin::hashes::{sha256, Hash};
use bitcoin::secp256k1::{All, Message, Secp256k1, SecretKey};
use bitcoin::sighash::{EcdsaSighashType, SighashCache};
use bitcoin::transaction::Version;
use bitcoin::{
    absolute, ecdsa, Address, Amount, CompressedPublicKey, OutPoint, Script, ScriptBuf, Sequence,
    Transaction, TxIn, TxOut, Weight, Witness,
};

use super::error::ChainError;
use super::params::{FAUCET_FEERATE, NETWORK};

/// Label hashed into the faucet's secret key.
const FAUCET_KEY_LABEL: &[u8] = b"etrid-devnet faucet key v1";
/// Weight of a transaction without inputs or outputs (version, counts, lock time, segwit flag).
const BASE_WEIGHT: u64 = 4 * (4 + 1 + 1 + 4) + 2;
/// Weight of one signed P2WPKH input (outpoint, empty scriptSig, sequence; 108 witness bytes).
const INPUT_WEIGHT: u64 = 4 * (32 + 4 + 1 + 4) + 108;

/// A coin the faucet may spend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FaucetCoin {
    /// Where it is.
    pub(crate) outpoint: OutPoint,
    /// Its value.
    pub(crate) value: Amount,
}

/// The faucet's key and script.
#[derive(Debug)]
pub(crate) struct Faucet {
    secp: Secp256k1<All>,
    key: SecretKey,
    pubkey: CompressedPublicKey,
    script: ScriptBuf,
    address: Address,
}

impl Faucet {
    /// The faucet with its fixed key.
    pub(crate) fn new() -> Self {
        let secp = Secp256k1::new();
        // Hash the label until the digest is a valid secret key (the first one is).
        let mut seed = sha256::Hash::hash(FAUCET_KEY_LABEL);
        let key = loop {
            if let Ok(key) = SecretKey::from_slice(seed.as_byte_array()) {
                break key;
            }
            seed = sha256::Hash::hash(seed.as_byte_array());
        };
        let pubkey = CompressedPublicKey(key.public_key(&secp));
        let address = Address::p2wpkh(&pubkey, NETWORK);
        Faucet {
            script: address.script_pubkey(),
            secp,
            key,
            pubkey,
            address,
        }
    }

    /// The script the faucet receives on.
    pub(crate) fn script(&self) -> &Script {
        &self.script
    }

    /// The faucet's regtest address.
    pub(crate) fn address(&self) -> &Address {
        &self.address
    }

    /// A signed transaction paying `amount` to `to` (output 0) from `coins`, taken in the given
    /// order until they cover the amount and the fee, with change (output 1) back to the faucet
    /// unless it would be dust.
    pub(crate) fn pay(
        &self,
        coins: &[FaucetCoin],
        to: &Script,
        amount: Amount,
    ) -> Result<Transaction, ChainError> {
        let min = to.minimal_non_dust();
        if amount < min || amount == Amount::ZERO {
            return Err(ChainError::AmountTooSmall {
                amount_sat: amount.to_sat(),
                min_sat: min.to_sat().max(1),
            });
        }
        let outputs_weight = output_weight(to) + output_weight(&self.script);
        let mut selected = Vec::new();
        let mut total = Amount::ZERO;
        let mut needed = amount;
        for coin in coins {
            selected.push(*coin);
            total = total
                .checked_add(coin.value)
                .ok_or(ChainError::AmountOverflow)?;
            let weight = BASE_WEIGHT + outputs_weight + INPUT_WEIGHT * selected.len() as u64;
            let fee = fee_for(weight)?;
            needed = amount.checked_add(fee).ok_or(ChainError::AmountOverflow)?;
            if total >= needed {
                return self.sign(&selected, to, amount, total - needed);
            }
        }
        let available = coins
            .iter()
            .fold(Amount::ZERO, |a, c| a.checked_add(c.value).unwrap_or(a));
        Err(ChainError::FaucetInsufficientFunds {
            needed_sat: needed.to_sat(),
            available_sat: available.to_sat(),
        })
    }

    /// Builds and signs the payment; change below the dust limit goes to the fee.
    fn sign(
        &self,
        coins: &[FaucetCoin],
        to: &Script,
        amount: Amount,
        change: Amount,
    ) -> Result<Transaction, ChainError> {
        let mut output = vec![TxOut {
            value: amount,
            script_pubkey: to.to_owned(),
        }];
        if change >= self.script.minimal_non_dust() {
            output.push(TxOut {
                value: change,
                script_pubkey: self.script.clone(),
            });
        }
        let mut tx = Transaction {
            version: Version::TWO,
            lock_time: absolute::LockTime::ZERO,
            input: coins
                .iter()
                .map(|c| TxIn {
                    previous_output: c.outpoint,
                    script_sig: ScriptBuf::new(),
                    sequence: Sequence::ENABLE_RBF_NO_LOCKTIME,
                    witness: Witness::new(),
                })
                .collect(),
            output,
        };
        let mut witnesses = Vec::with_capacity(coins.len());
        {
            let mut cache = SighashCache::new(&tx);
            for (index, coin) in coins.iter().enumerate() {
                let sighash = cache
                    .p2wpkh_signature_hash(index, &self.script, coin.value, EcdsaSighashType::All)
                    .map_err(|e| ChainError::rejected(-1, format!("faucet signing: {e}")))?;
                let msg = Message::from_digest(sighash.to_byte_array());
                let signature = ecdsa::Signature {
                    signature: self.secp.sign_ecdsa(&msg, &self.key),
                    sighash_type: EcdsaSighashType::All,
                };
                witnesses.push(Witness::p2wpkh(&signature, &self.pubkey.0));
            }
        }
        for (input, witness) in tx.input.iter_mut().zip(witnesses) {
            input.witness = witness;
        }
        Ok(tx)
    }
}

/// Weight of an output paying `script`.
fn output_weight(script: &Script) -> u64 {
    let len = script.len() as u64;
    let varint = if len < 0xfd { 1 } else { 3 };
    4 * (8 + varint + len)
}

/// The faucet's fee for `weight`, rounded up.
fn fee_for(weight: u64) -> Result<Amount, ChainError> {
    FAUCET_FEERATE
        .fee_wu(Weight::from_wu(weight))
        .ok_or(ChainError::AmountOverflow)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bitcoin::Txid;

    fn coin(n: u8, sat: u64) -> FaucetCoin {
        FaucetCoin {
            outpoint: OutPoint {
                txid: Txid::from_byte_array([n; 32]),
                vout: 0,
            },
            value: Amount::from_sat(sat),
        }
    }

    #[test]
    fn pays_with_change_and_a_fee_near_two_sat_per_vbyte() {
        let faucet = Faucet::new();
        let to = faucet.script().to_owned();
        let tx = faucet
            .pay(
                &[coin(1, 50_000), coin(2, 50_000)],
                &to,
                Amount::from_sat(60_000),
            )
            .unwrap();
        assert_eq!(tx.input.len(), 2);
        assert_eq!(tx.output[0].value, Amount::from_sat(60_000));
        let fee = 100_000 - tx.output.iter().map(|o| o.value.to_sat()).sum::<u64>();
        let vsize = tx.vsize() as u64;
        assert!(
            fee >= 2 * vsize && fee <= 2 * vsize + 4,
            "fee {fee} for {vsize} vB"
        );
        assert_eq!(faucet.address().to_string().get(..6), Some("bcrt1q"));
    }

    #[test]
    fn refuses_dust_and_reports_shortfall() {
        let faucet = Faucet::new();
        let to = faucet.script().to_owned();
        assert!(matches!(
            faucet.pay(&[coin(1, 1000)], &to, Amount::from_sat(10)),
            Err(ChainError::AmountTooSmall { .. })
        ));
        assert!(matches!(
            faucet.pay(&[coin(1, 1000)], &to, Amount::from_sat(1000)),
            Err(ChainError::FaucetInsufficientFunds {
                available_sat: 1000,
                ..
            })
        ));
    }
}
