//! The chain engine: the confirmed chain, the mempool, the faucet and the block file together,
//! with the operations that change them (submit, mine, fund). The server keeps one engine behind
//! one mutex; every method here is synchronous and short.

use std::collections::HashSet;
use std::path::Path;

use bitcoin::{Amount, BlockHash, OutPoint, Script, Transaction, TxOut, Txid};

use super::block::{mine_block, BlockSpec};
use super::error::{ChainError, RPC_VERIFY_ALREADY_IN_CHAIN, RPC_VERIFY_REJECTED};
use super::faucet::{Faucet, FaucetCoin};
use super::mempool::Mempool;
use super::params::{now_secs, COINBASE_MATURITY, MAX_BLOCK_WEIGHT};
use super::state::ChainState;
use super::store::BlockStore;
use super::validate::{self, Acceptance};

/// Weight kept free in a block for the header and the coinbase.
const COINBASE_RESERVE_WEIGHT: u64 = 4_000;

/// Chain, mempool, faucet and store.
#[derive(Debug)]
pub(crate) struct Engine {
    /// The confirmed chain.
    pub(crate) state: ChainState,
    /// Unconfirmed transactions.
    pub(crate) pool: Mempool,
    /// The server's own wallet.
    pub(crate) faucet: Faucet,
    store: Option<BlockStore>,
}

impl Engine {
    /// A chain at genesis, or the chain replayed from `data_dir`'s block file.
    pub(crate) fn open(data_dir: Option<&Path>) -> Result<Self, ChainError> {
        let mut state = ChainState::new();
        let store = match data_dir {
            None => None,
            Some(dir) => {
                let (store, blocks) = BlockStore::open(dir)?;
                for block in blocks {
                    let height = state.height().saturating_add(1);
                    state
                        .connect(block)
                        .map_err(|reason| ChainError::CorruptStore { height, reason })?;
                }
                Some(store)
            }
        };
        Ok(Engine {
            state,
            pool: Mempool::new(),
            faucet: Faucet::new(),
            store,
        })
    }

    /// Checks a transaction without accepting it.
    pub(crate) fn test_accept(&self, tx: &Transaction) -> Result<Acceptance, ChainError> {
        if self.check_known(tx)? {
            return Err(ChainError::rejected(
                RPC_VERIFY_REJECTED,
                "txn-already-in-mempool",
            ));
        }
        validate::check(&self.state, &self.pool, tx)
    }

    /// Rejections for transactions already known: -27 when confirmed, -26 when the mempool
    /// holds the same transaction with another witness.
    fn check_known(&self, tx: &Transaction) -> Result<bool, ChainError> {
        let txid = tx.compute_txid();
        if self.state.transaction(&txid).is_some() {
            return Err(ChainError::rejected(
                RPC_VERIFY_ALREADY_IN_CHAIN,
                "Transaction already in block chain",
            ));
        }
        match self.pool.get(&txid) {
            Some(entry) if entry.wtxid == tx.compute_wtxid() => Ok(true),
            Some(_) => Err(ChainError::rejected(
                RPC_VERIFY_REJECTED,
                "txn-same-nonwitness-data-in-mempool",
            )),
            None => Ok(false),
        }
    }

    /// Validates and adds a transaction to the mempool, evicting what it replaces. Resending a
    /// transaction already in the mempool succeeds, as with bitcoind.
    pub(crate) fn submit(&mut self, tx: Transaction) -> Result<Txid, ChainError> {
        if self.check_known(&tx)? {
            return Ok(tx.compute_txid());
        }
        let acceptance = validate::check(&self.state, &self.pool, &tx)?;
        for txid in &acceptance.evicted {
            self.pool.remove(txid);
        }
        let height = self.state.height();
        Ok(self.pool.insert(tx, acceptance.fee, height, now_secs()))
    }

    /// Mines one block paying `payout`, holding as much of the mempool as fits (in arrival
    /// order, so parents come before children), and appends it to the block file.
    pub(crate) fn mine(&mut self, payout: &Script) -> Result<BlockHash, ChainError> {
        let mut included: HashSet<Txid> = HashSet::new();
        let mut txs = Vec::new();
        let mut fees = Amount::ZERO;
        let mut weight = COINBASE_RESERVE_WEIGHT;
        for entry in self.pool.ordered() {
            let parents_in = entry.tx.input.iter().all(|i| {
                self.pool.get(&i.previous_output.txid).is_none()
                    || included.contains(&i.previous_output.txid)
            });
            if !parents_in || weight.saturating_add(entry.weight) > MAX_BLOCK_WEIGHT {
                continue;
            }
            weight = weight.saturating_add(entry.weight);
            fees = fees
                .checked_add(entry.fee)
                .ok_or(ChainError::AmountOverflow)?;
            included.insert(entry.txid);
            txs.push(entry.tx.clone());
        }
        let tip = self.state.tip();
        let time = now_secs().max(u64::from(tip.block.header.time) + 1);
        let spec = BlockSpec {
            prev_hash: tip.hash,
            height: tip.height.saturating_add(1),
            time: u32::try_from(time).unwrap_or(u32::MAX),
            payout,
            fees,
        };
        let block = mine_block(&spec, txs);
        let height = spec.height;
        let entry = self
            .state
            .connect(block)
            .map_err(|reason| ChainError::CorruptStore { height, reason })?;
        let hash = entry.hash;
        self.pool.remove_for_block(&entry.block.txdata);
        self.persist()?;
        Ok(hash)
    }

    /// Appends every block above the store's height (retrying blocks a failed write missed).
    fn persist(&mut self) -> Result<(), ChainError> {
        let Some(store) = self.store.as_mut() else {
            return Ok(());
        };
        while store.height() < self.state.height() {
            let next = store.height().saturating_add(1);
            match self.state.entry_at(next) {
                Some(entry) => store.append(&entry.block)?,
                None => break,
            }
        }
        Ok(())
    }

    /// The faucet's spendable coins: mature confirmed outputs not spent in the mempool (largest
    /// first), then its unspent mempool outputs (largest first).
    fn faucet_coins(&self) -> Vec<FaucetCoin> {
        let script = self.faucet.script();
        let next_height = self.state.height().saturating_add(1);
        let mut confirmed: Vec<FaucetCoin> = self
            .state
            .script(script)
            .map(|index| {
                index
                    .utxos
                    .iter()
                    .filter(|op| self.pool.spender(op).is_none())
                    .filter_map(|op| {
                        let coin = self.state.coin(op)?;
                        let mature = !coin.is_coinbase
                            || next_height.saturating_sub(coin.height) >= COINBASE_MATURITY;
                        mature.then_some(FaucetCoin {
                            outpoint: *op,
                            value: coin.output.value,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        confirmed.sort_by(|a, b| b.value.cmp(&a.value).then(a.outpoint.cmp(&b.outpoint)));
        let mut unconfirmed: Vec<FaucetCoin> = Vec::new();
        for entry in self.pool.ordered() {
            for (vout, output) in entry.tx.output.iter().enumerate() {
                let Ok(vout) = u32::try_from(vout) else {
                    continue;
                };
                let outpoint = OutPoint {
                    txid: entry.txid,
                    vout,
                };
                if output.script_pubkey.as_script() == script
                    && self.pool.spender(&outpoint).is_none()
                {
                    unconfirmed.push(FaucetCoin {
                        outpoint,
                        value: output.value,
                    });
                }
            }
        }
        unconfirmed.sort_by_key(|c| std::cmp::Reverse(c.value));
        confirmed.extend(unconfirmed);
        confirmed
    }

    /// What the faucet can spend now (mature coins and its unconfirmed change).
    pub(crate) fn faucet_balance(&self) -> Amount {
        self.faucet_coins().iter().fold(Amount::ZERO, |acc, c| {
            acc.checked_add(c.value).unwrap_or(acc)
        })
    }

    /// Pays `amount` from the faucet to `to` and puts the payment in the mempool.
    pub(crate) fn fund(&mut self, to: &Script, amount: Amount) -> Result<Txid, ChainError> {
        let coins = self.faucet_coins();
        let tx = self.faucet.pay(&coins, to, amount)?;
        self.submit(tx)
    }

    /// A transaction with its confirmation height, from the chain or the mempool.
    pub(crate) fn transaction(&self, txid: &Txid) -> Option<(&Transaction, Option<u32>)> {
        if let Some((tx, loc)) = self.state.transaction(txid) {
            return Some((tx, Some(loc.height)));
        }
        self.pool.get(txid).map(|e| (&e.tx, None))
    }

    /// The output `outpoint` refers to, confirmed (spent or not) or in the mempool.
    pub(crate) fn prevout(&self, outpoint: &OutPoint) -> Option<&TxOut> {
        self.state
            .output(outpoint)
            .or_else(|| self.pool.output(outpoint))
    }

    /// Fee of a transaction (zero for coinbases; `None` when a prevout is unknown).
    pub(crate) fn fee(&self, tx: &Transaction) -> Option<Amount> {
        if tx.is_coinbase() {
            return Some(Amount::ZERO);
        }
        let mut value_in = Amount::ZERO;
        for input in &tx.input {
            value_in = value_in.checked_add(self.prevout(&input.previous_output)?.value)?;
        }
        let value_out = tx
            .output
            .iter()
            .try_fold(Amount::ZERO, |acc, o| acc.checked_add(o.value))?;
        value_in.checked_sub(value_out)
    }
}
