//! Building and mining blocks: the BIP34 coinbase, the BIP141 witness commitment, the merkle
//! root, and grinding the nonce until the header meets regtest's proof-of-work target.

use bitcoin::block::{Header, Version as BlockVersion};
use bitcoin::blockdata::opcodes::all::OP_RETURN;
use bitcoin::blockdata::opcodes::OP_0;
use bitcoin::blockdata::script::Builder;
use bitcoin::hashes::Hash;
use bitcoin::pow::{CompactTarget, Target};
use bitcoin::transaction::Version;
use bitcoin::{
    absolute, Amount, Block, BlockHash, OutPoint, Script, ScriptBuf, Sequence, Transaction, TxIn,
    TxMerkleNode, TxOut, Witness,
};

use super::params::{subsidy, BLOCK_VERSION};

/// Regtest's compact proof-of-work target (`bits`).
pub(crate) const REGTEST_BITS: u32 = 0x207f_ffff;

/// The witness reserved value bitcoind puts in the coinbase witness: 32 zero bytes.
const WITNESS_RESERVED_VALUE: [u8; 32] = [0; 32];

/// BIP141 commitment output prefix: OP_RETURN, push 36, `aa21a9ed`.
const COMMITMENT_HEADER: [u8; 4] = [0xaa, 0x21, 0xa9, 0xed];

/// What a new block builds on and pays.
#[derive(Debug, Clone)]
pub(crate) struct BlockSpec<'a> {
    /// Hash of the block it extends.
    pub(crate) prev_hash: BlockHash,
    /// Height of the new block.
    pub(crate) height: u32,
    /// Header time (already made greater than the parent's).
    pub(crate) time: u32,
    /// Script the coinbase pays subsidy and fees to.
    pub(crate) payout: &'a Script,
    /// Sum of the included transactions' fees.
    pub(crate) fees: Amount,
}

/// Regtest's proof-of-work target.
pub(crate) fn regtest_target() -> Target {
    Target::from_compact(CompactTarget::from_consensus(REGTEST_BITS))
}

/// The coinbase of a block at `height`: `<height> OP_0` as scriptSig (what bitcoind writes),
/// the 32-byte witness reserved value, the payout, and the witness commitment output (filled in
/// by [`mine_block`]).
fn coinbase(height: u32, payout: &Script, value: Amount) -> Transaction {
    let script_sig = Builder::new()
        .push_int(i64::from(height))
        .push_opcode(OP_0)
        .into_script();
    let mut witness = Witness::new();
    witness.push(WITNESS_RESERVED_VALUE);
    Transaction {
        version: Version::TWO,
        lock_time: absolute::LockTime::ZERO,
        input: vec![TxIn {
            previous_output: OutPoint::null(),
            script_sig,
            sequence: Sequence::MAX,
            witness,
        }],
        output: vec![
            TxOut {
                value,
                script_pubkey: payout.to_owned(),
            },
            TxOut {
                value: Amount::ZERO,
                script_pubkey: ScriptBuf::new(),
            },
        ],
    }
}

/// The BIP141 commitment script for `commitment` (`6a24aa21a9ed` + 32 bytes).
fn commitment_script(commitment: [u8; 32]) -> ScriptBuf {
    let mut bytes = Vec::with_capacity(38);
    bytes.push(OP_RETURN.to_u8());
    bytes.push(36);
    bytes.extend_from_slice(&COMMITMENT_HEADER);
    bytes.extend_from_slice(&commitment);
    ScriptBuf::from_bytes(bytes)
}

/// Builds and mines a block holding `txs` (already in a valid order) on top of `spec.prev_hash`.
///
/// The coinbase pays the subsidy plus `spec.fees`; the nonce is ground until the hash meets
/// regtest's target (about two tries on average).
pub(crate) fn mine_block(spec: &BlockSpec<'_>, txs: Vec<Transaction>) -> Block {
    let value = subsidy(spec.height)
        .checked_add(spec.fees)
        .unwrap_or(Amount::MAX_MONEY);
    let mut txdata = Vec::with_capacity(txs.len() + 1);
    txdata.push(coinbase(spec.height, spec.payout, value));
    txdata.extend(txs);
    let mut block = Block {
        header: Header {
            version: BlockVersion::from_consensus(BLOCK_VERSION),
            prev_blockhash: spec.prev_hash,
            merkle_root: TxMerkleNode::all_zeros(),
            time: spec.time,
            bits: CompactTarget::from_consensus(REGTEST_BITS),
            nonce: 0,
        },
        txdata,
    };
    if let Some(root) = block.witness_root() {
        let commitment = Block::compute_witness_commitment(&root, &WITNESS_RESERVED_VALUE);
        if let Some(out) = block.txdata.first_mut().and_then(|cb| cb.output.get_mut(1)) {
            out.script_pubkey = commitment_script(commitment.to_byte_array());
        }
    }
    if let Some(root) = block.compute_merkle_root() {
        block.header.merkle_root = root;
    }
    grind(&mut block.header);
    block
}

/// Increments the nonce (and the time, if the nonces run out) until the header meets the target.
fn grind(header: &mut Header) {
    let target = regtest_target();
    loop {
        if header.validate_pow(target).is_ok() {
            return;
        }
        match header.nonce.checked_add(1) {
            Some(n) => header.nonce = n,
            None => {
                header.nonce = 0;
                header.time = header.time.saturating_add(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bitcoin::blockdata::constants::genesis_block;
    use bitcoin::Network;

    #[test]
    fn mined_block_is_valid_and_commits_to_witnesses() {
        let genesis = genesis_block(Network::Regtest);
        let payout = ScriptBuf::new_op_return([1u8; 4]);
        let spec = BlockSpec {
            prev_hash: genesis.block_hash(),
            height: 1,
            time: genesis.header.time + 1,
            payout: &payout,
            fees: Amount::from_sat(7),
        };
        let block = mine_block(&spec, Vec::new());
        assert!(block.check_merkle_root());
        assert!(block.check_witness_commitment());
        assert!(block.header.validate_pow(regtest_target()).is_ok());
        assert_eq!(
            block.txdata[0].output[0].value,
            Amount::from_sat(5_000_000_007)
        );
        assert_eq!(
            block.txdata[0].input[0].script_sig.as_bytes(),
            &[0x51, 0x00]
        );
        let script = &block.txdata[0].output[1].script_pubkey;
        assert_eq!(
            &script.as_bytes()[..6],
            &[0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed]
        );
    }

    #[test]
    fn bip34_height_is_readable_above_16() {
        let payout = ScriptBuf::new();
        let spec = BlockSpec {
            prev_hash: BlockHash::all_zeros(),
            height: 300,
            time: 1,
            payout: &payout,
            fees: Amount::ZERO,
        };
        let block = mine_block(&spec, Vec::new());
        assert_eq!(block.bip34_block_height().unwrap(), 300);
        assert_eq!(
            block.txdata[0].output[0].value,
            Amount::from_sat(1_250_000_000)
        );
    }
}
