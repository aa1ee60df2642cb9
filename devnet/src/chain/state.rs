//! The confirmed chain: blocks by hash, the active chain by height, the UTXO set, and the
//! transaction, spend and script indexes built while connecting blocks.

use std::collections::{HashMap, HashSet};

use bitcoin::blockdata::constants::genesis_block;
use bitcoin::hashes::{sha256, Hash};
use bitcoin::pow::Work;
use bitcoin::{Amount, Block, BlockHash, OutPoint, Script, ScriptBuf, Transaction, TxOut, Txid};

use super::block::regtest_target;
use super::params::NETWORK;

/// A block and what was computed when it was connected.
#[derive(Debug, Clone)]
pub(crate) struct BlockEntry {
    /// The block itself.
    pub(crate) block: Block,
    /// Its hash.
    pub(crate) hash: BlockHash,
    /// Its height.
    pub(crate) height: u32,
    /// Total work of the chain up to and including it.
    pub(crate) chainwork: Work,
    /// Median time of it and its ten predecessors (BIP113).
    pub(crate) median_time: u32,
    /// Its transactions' ids, in block order.
    pub(crate) txids: Vec<Txid>,
}

/// An unspent confirmed output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Coin {
    /// The output.
    pub(crate) output: TxOut,
    /// Height of the block that created it.
    pub(crate) height: u32,
    /// Whether a coinbase created it (it needs 100 confirmations to be spent).
    pub(crate) is_coinbase: bool,
}

/// Where a confirmed transaction is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TxLocation {
    /// The block holding it.
    pub(crate) block: BlockHash,
    /// That block's height.
    pub(crate) height: u32,
    /// Its position in the block.
    pub(crate) index: usize,
}

/// A transaction input that spent an output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Spender {
    /// The spending transaction.
    pub(crate) txid: Txid,
    /// The input index in it.
    pub(crate) vin: u32,
}

/// Confirmed history and unspent outputs of one script.
#[derive(Debug, Clone, Default)]
pub(crate) struct ScriptIndex {
    /// Confirmed transactions touching the script, in chain order.
    pub(crate) history: Vec<Txid>,
    /// Its unspent confirmed outputs.
    pub(crate) utxos: HashSet<OutPoint>,
}

/// The confirmed chain and its indexes.
#[derive(Debug)]
pub(crate) struct ChainState {
    genesis: BlockEntry,
    /// Active blocks above genesis: height `h` is at index `h - 1`.
    chain: Vec<BlockEntry>,
    heights: HashMap<BlockHash, u32>,
    tx_index: HashMap<Txid, TxLocation>,
    utxos: HashMap<OutPoint, Coin>,
    spends: HashMap<OutPoint, Spender>,
    scripts: HashMap<ScriptBuf, ScriptIndex>,
    scripthashes: HashMap<[u8; 32], ScriptBuf>,
}

impl ChainState {
    /// A chain holding only the canonical regtest genesis block (whose output is unspendable,
    /// as in bitcoind).
    pub(crate) fn new() -> Self {
        let genesis = genesis_block(NETWORK);
        let hash = genesis.block_hash();
        let entry = BlockEntry {
            txids: genesis
                .txdata
                .iter()
                .map(Transaction::compute_txid)
                .collect(),
            chainwork: genesis.header.work(),
            median_time: genesis.header.time,
            height: 0,
            hash,
            block: genesis,
        };
        ChainState {
            genesis: entry,
            chain: Vec::new(),
            heights: HashMap::from([(hash, 0)]),
            tx_index: HashMap::new(),
            utxos: HashMap::new(),
            spends: HashMap::new(),
            scripts: HashMap::new(),
            scripthashes: HashMap::new(),
        }
    }

    /// Height of the tip.
    pub(crate) fn height(&self) -> u32 {
        self.tip().height
    }

    /// The tip's entry.
    pub(crate) fn tip(&self) -> &BlockEntry {
        self.chain.last().unwrap_or(&self.genesis)
    }

    /// A block of the active chain by hash.
    pub(crate) fn entry(&self, hash: &BlockHash) -> Option<&BlockEntry> {
        self.entry_at(*self.heights.get(hash)?)
    }

    /// Hash of the active block at `height`.
    pub(crate) fn hash_at(&self, height: u32) -> Option<BlockHash> {
        self.entry_at(height).map(|e| e.hash)
    }

    /// The active block at `height`.
    pub(crate) fn entry_at(&self, height: u32) -> Option<&BlockEntry> {
        match height.checked_sub(1) {
            None => Some(&self.genesis),
            Some(i) => self.chain.get(usize::try_from(i).ok()?),
        }
    }

    /// The most recent active blocks, newest first.
    pub(crate) fn recent(&self) -> impl Iterator<Item = &BlockEntry> {
        self.chain
            .iter()
            .rev()
            .chain(std::iter::once(&self.genesis))
    }

    /// An unspent confirmed output.
    pub(crate) fn coin(&self, outpoint: &OutPoint) -> Option<&Coin> {
        self.utxos.get(outpoint)
    }

    /// A confirmed transaction and where it is.
    pub(crate) fn transaction(&self, txid: &Txid) -> Option<(&Transaction, TxLocation)> {
        let loc = *self.tx_index.get(txid)?;
        let tx = self.entry_at(loc.height)?.block.txdata.get(loc.index)?;
        Some((tx, loc))
    }

    /// Any confirmed output, spent or not.
    pub(crate) fn output(&self, outpoint: &OutPoint) -> Option<&TxOut> {
        let (tx, _) = self.transaction(&outpoint.txid)?;
        tx.output.get(usize::try_from(outpoint.vout).ok()?)
    }

    /// The confirmed input that spent `outpoint`, if any.
    pub(crate) fn spender(&self, outpoint: &OutPoint) -> Option<Spender> {
        self.spends.get(outpoint).copied()
    }

    /// The confirmed history and UTXOs of a script.
    pub(crate) fn script(&self, script: &Script) -> Option<&ScriptIndex> {
        self.scripts.get(script)
    }

    /// The script whose Esplora script hash (SHA256 of the script) is `hash`.
    pub(crate) fn script_by_hash(&self, hash: &[u8; 32]) -> Option<&ScriptBuf> {
        self.scripthashes.get(hash)
    }

    /// Sum of the confirmed unspent outputs paying `script`.
    pub(crate) fn balance(&self, script: &Script) -> Amount {
        let Some(index) = self.scripts.get(script) else {
            return Amount::ZERO;
        };
        index
            .utxos
            .iter()
            .filter_map(|op| self.utxos.get(op))
            .fold(Amount::ZERO, |acc, c| {
                acc.checked_add(c.output.value).unwrap_or(Amount::MAX)
            })
    }

    /// Connects a block on top of the tip after checking its parent, merkle root, witness
    /// commitment and proof of work, and that every input exists. Scripts are not re-verified:
    /// blocks come from our own mempool or our own block file.
    pub(crate) fn connect(&mut self, block: Block) -> Result<&BlockEntry, String> {
        let (prev_work, height, median_time) = {
            let tip = self.tip();
            if block.header.prev_blockhash != tip.hash {
                return Err(format!(
                    "parent {} is not the tip",
                    block.header.prev_blockhash
                ));
            }
            let height = tip.height.checked_add(1).ok_or("height overflow")?;
            (
                tip.chainwork,
                height,
                self.median_time_with(block.header.time),
            )
        };
        if block.header.validate_pow(regtest_target()).is_err() {
            return Err("high-hash".into());
        }
        if !block.check_merkle_root() {
            return Err("bad-txnmrklroot".into());
        }
        if !block.check_witness_commitment() {
            return Err("bad-witness-merkle-match".into());
        }
        self.check_inputs_exist(&block)?;
        let hash = block.block_hash();
        let txids: Vec<Txid> = block.txdata.iter().map(Transaction::compute_txid).collect();
        for (index, (tx, txid)) in block.txdata.iter().zip(&txids).enumerate() {
            self.apply_tx(tx, *txid, height, index == 0);
            self.tx_index.insert(
                *txid,
                TxLocation {
                    block: hash,
                    height,
                    index,
                },
            );
        }
        let entry = BlockEntry {
            chainwork: prev_work + block.header.work(),
            hash,
            height,
            median_time,
            txids,
            block,
        };
        self.heights.insert(hash, height);
        self.chain.push(entry);
        Ok(self.tip())
    }

    /// Fails when an input of `block` spends nothing (neither a UTXO nor an earlier output of
    /// the same block) or spends something twice.
    fn check_inputs_exist(&self, block: &Block) -> Result<(), String> {
        let mut created: HashSet<OutPoint> = HashSet::new();
        let mut spent: HashSet<OutPoint> = HashSet::new();
        for (i, tx) in block.txdata.iter().enumerate() {
            if i > 0 {
                for input in &tx.input {
                    let op = input.previous_output;
                    let exists = self.utxos.contains_key(&op) || created.contains(&op);
                    if !exists || !spent.insert(op) {
                        return Err(format!("bad-txns-inputs-missingorspent ({op})"));
                    }
                }
            }
            let txid = tx.compute_txid();
            for vout in 0..tx.output.len() {
                created.insert(OutPoint {
                    txid,
                    vout: u32::try_from(vout).unwrap_or(u32::MAX),
                });
            }
        }
        Ok(())
    }

    /// Spends a transaction's inputs and adds its outputs to the UTXO set and indexes.
    fn apply_tx(&mut self, tx: &Transaction, txid: Txid, height: u32, is_coinbase: bool) {
        if !is_coinbase {
            for (vin, input) in tx.input.iter().enumerate() {
                let op = input.previous_output;
                let vin = u32::try_from(vin).unwrap_or(u32::MAX);
                self.spends.insert(op, Spender { txid, vin });
                if let Some(coin) = self.utxos.remove(&op) {
                    let index = self.scripts.entry(coin.output.script_pubkey).or_default();
                    index.utxos.remove(&op);
                    push_history(&mut index.history, txid);
                }
            }
        }
        for (vout, output) in tx.output.iter().enumerate() {
            let op = OutPoint {
                txid,
                vout: u32::try_from(vout).unwrap_or(u32::MAX),
            };
            if output.script_pubkey.is_op_return() {
                continue;
            }
            if !self.scripts.contains_key(&output.script_pubkey) {
                let hash = sha256::Hash::hash(output.script_pubkey.as_bytes()).to_byte_array();
                self.scripthashes.insert(hash, output.script_pubkey.clone());
            }
            let index = self
                .scripts
                .entry(output.script_pubkey.clone())
                .or_default();
            index.utxos.insert(op);
            push_history(&mut index.history, txid);
            self.utxos.insert(
                op,
                Coin {
                    output: output.clone(),
                    height,
                    is_coinbase,
                },
            );
        }
    }

    /// Median of the last ten block times and `time` (the MTP a block with `time` would have).
    fn median_time_with(&self, time: u32) -> u32 {
        let mut times: Vec<u32> = self
            .recent()
            .take(10)
            .map(|e| e.block.header.time)
            .collect();
        times.push(time);
        times.sort_unstable();
        times.get(times.len() / 2).copied().unwrap_or(time)
    }
}

impl Default for ChainState {
    fn default() -> Self {
        Self::new()
    }
}

/// Appends `txid` unless it is already the last entry (a transaction touching a script twice).
fn push_history(history: &mut Vec<Txid>, txid: Txid) {
    if history.last() != Some(&txid) {
        history.push(txid);
    }
}
