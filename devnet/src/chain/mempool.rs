//! The mempool: accepted unconfirmed transactions in arrival order (parents always before
//! children), the outpoints they spend, and their ancestor/descendant relations.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use bitcoin::{Amount, OutPoint, Transaction, TxOut, Txid, Wtxid};

/// One unconfirmed transaction and what the mempool knows about it.
#[derive(Debug, Clone)]
pub(crate) struct MempoolEntry {
    /// The transaction.
    pub(crate) tx: Transaction,
    /// Its id.
    pub(crate) txid: Txid,
    /// Its witness id.
    pub(crate) wtxid: Wtxid,
    /// Inputs minus outputs.
    pub(crate) fee: Amount,
    /// BIP141 weight.
    pub(crate) weight: u64,
    /// Virtual size (weight / 4, rounded up).
    pub(crate) vsize: u64,
    /// Entry time in Unix seconds, strictly increasing across entries (LDK Node skips entries
    /// whose time does not increase).
    pub(crate) time: u64,
    /// Tip height when it entered.
    pub(crate) height: u32,
    /// Arrival order.
    seq: u64,
}

/// The set of unconfirmed transactions.
#[derive(Debug, Default)]
pub(crate) struct Mempool {
    entries: HashMap<Txid, MempoolEntry>,
    order: BTreeMap<u64, Txid>,
    spends: HashMap<OutPoint, Txid>,
    next_seq: u64,
    last_time: u64,
}

impl Mempool {
    /// An empty mempool.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Number of transactions.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// An entry by txid.
    pub(crate) fn get(&self, txid: &Txid) -> Option<&MempoolEntry> {
        self.entries.get(txid)
    }

    /// Entries in arrival order: every parent comes before its children.
    pub(crate) fn ordered(&self) -> impl DoubleEndedIterator<Item = &MempoolEntry> {
        self.order
            .values()
            .filter_map(|txid| self.entries.get(txid))
    }

    /// The mempool transaction spending `outpoint`, if any.
    pub(crate) fn spender(&self, outpoint: &OutPoint) -> Option<Txid> {
        self.spends.get(outpoint).copied()
    }

    /// An output of a mempool transaction (spent or not).
    pub(crate) fn output(&self, outpoint: &OutPoint) -> Option<&TxOut> {
        let entry = self.entries.get(&outpoint.txid)?;
        entry.tx.output.get(usize::try_from(outpoint.vout).ok()?)
    }

    /// Adds an already validated transaction. `now` is the wall clock in Unix seconds.
    pub(crate) fn insert(&mut self, tx: Transaction, fee: Amount, height: u32, now: u64) -> Txid {
        let txid = tx.compute_txid();
        let time = now.max(self.last_time.saturating_add(1));
        self.last_time = time;
        let seq = self.next_seq;
        self.next_seq = self.next_seq.saturating_add(1);
        for input in &tx.input {
            self.spends.insert(input.previous_output, txid);
        }
        let weight = tx.weight().to_wu();
        let entry = MempoolEntry {
            wtxid: tx.compute_wtxid(),
            vsize: weight.div_ceil(4),
            weight,
            tx,
            txid,
            fee,
            time,
            height,
            seq,
        };
        self.order.insert(seq, txid);
        self.entries.insert(txid, entry);
        txid
    }

    /// Removes one transaction (not its descendants).
    pub(crate) fn remove(&mut self, txid: &Txid) -> Option<MempoolEntry> {
        let entry = self.entries.remove(txid)?;
        self.order.remove(&entry.seq);
        for input in &entry.tx.input {
            if self.spends.get(&input.previous_output) == Some(txid) {
                self.spends.remove(&input.previous_output);
            }
        }
        Some(entry)
    }

    /// In-mempool transactions spending outputs of `txid`.
    pub(crate) fn children(&self, txid: &Txid) -> Vec<Txid> {
        let Some(entry) = self.entries.get(txid) else {
            return Vec::new();
        };
        (0..entry.tx.output.len())
            .filter_map(|vout| {
                let vout = u32::try_from(vout).ok()?;
                self.spends.get(&OutPoint { txid: *txid, vout }).copied()
            })
            .collect()
    }

    /// In-mempool transactions whose outputs `txid` spends.
    pub(crate) fn parents(&self, txid: &Txid) -> Vec<Txid> {
        let Some(entry) = self.entries.get(txid) else {
            return Vec::new();
        };
        let mut parents: Vec<Txid> = entry
            .tx
            .input
            .iter()
            .map(|i| i.previous_output.txid)
            .filter(|p| self.entries.contains_key(p))
            .collect();
        parents.sort_unstable();
        parents.dedup();
        parents
    }

    /// `txid` and all its in-mempool descendants, `txid` first.
    pub(crate) fn with_descendants(&self, txid: &Txid) -> Vec<Txid> {
        self.walk(txid, |m, t| m.children(t))
    }

    /// `txid` and all its in-mempool ancestors, `txid` first.
    pub(crate) fn with_ancestors(&self, txid: &Txid) -> Vec<Txid> {
        self.walk(txid, |m, t| m.parents(t))
    }

    fn walk(&self, txid: &Txid, next: impl Fn(&Self, &Txid) -> Vec<Txid>) -> Vec<Txid> {
        if !self.entries.contains_key(txid) {
            return Vec::new();
        }
        let mut seen = HashSet::from([*txid]);
        let mut out = vec![*txid];
        let mut queue = VecDeque::from([*txid]);
        while let Some(t) = queue.pop_front() {
            for n in next(self, &t) {
                if seen.insert(n) {
                    out.push(n);
                    queue.push_back(n);
                }
            }
        }
        out
    }

    /// Removes `txid` and its descendants; returns what was removed.
    pub(crate) fn remove_with_descendants(&mut self, txid: &Txid) -> Vec<MempoolEntry> {
        self.with_descendants(txid)
            .iter()
            .filter_map(|t| self.remove(t))
            .collect()
    }

    /// Removes the transactions a new block confirmed, and evicts (with descendants) any
    /// mempool transaction that conflicts with the block.
    pub(crate) fn remove_for_block(&mut self, txs: &[Transaction]) {
        for tx in txs {
            let txid = tx.compute_txid();
            self.remove(&txid);
            for input in &tx.input {
                if let Some(conflict) = self.spends.get(&input.previous_output).copied() {
                    if conflict != txid {
                        self.remove_with_descendants(&conflict);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bitcoin::hashes::Hash;
    use bitcoin::transaction::Version;
    use bitcoin::{absolute, ScriptBuf, Sequence, TxIn, Witness};

    fn tx(spends: &[OutPoint], outputs: usize) -> Transaction {
        Transaction {
            version: Version::TWO,
            lock_time: absolute::LockTime::ZERO,
            input: spends
                .iter()
                .map(|op| TxIn {
                    previous_output: *op,
                    script_sig: ScriptBuf::new(),
                    sequence: Sequence::MAX,
                    witness: Witness::new(),
                })
                .collect(),
            output: (0..outputs)
                .map(|_| TxOut {
                    value: Amount::from_sat(1000),
                    script_pubkey: ScriptBuf::new(),
                })
                .collect(),
        }
    }

    #[test]
    fn tracks_spends_times_and_descendants() {
        let mut pool = Mempool::new();
        let root = OutPoint {
            txid: Txid::all_zeros(),
            vout: 0,
        };
        let a = pool.insert(tx(&[root], 2), Amount::from_sat(100), 5, 1000);
        let b = pool.insert(
            tx(&[OutPoint { txid: a, vout: 0 }], 1),
            Amount::ZERO,
            5,
            1000,
        );
        let c = pool.insert(
            tx(&[OutPoint { txid: b, vout: 0 }], 1),
            Amount::ZERO,
            5,
            999,
        );
        assert_eq!(pool.get(&a).unwrap().time, 1000);
        assert_eq!(pool.get(&b).unwrap().time, 1001);
        assert_eq!(pool.get(&c).unwrap().time, 1002);
        assert_eq!(pool.spender(&root), Some(a));
        assert_eq!(pool.with_descendants(&a), vec![a, b, c]);
        assert_eq!(pool.with_ancestors(&c), vec![c, b, a]);
        let order: Vec<Txid> = pool.ordered().map(|e| e.txid).collect();
        assert_eq!(order, vec![a, b, c]);
        let removed = pool.remove_with_descendants(&b);
        assert_eq!(removed.len(), 2);
        assert_eq!(pool.len(), 1);
        assert_eq!(pool.spender(&OutPoint { txid: a, vout: 0 }), None);
    }

    #[test]
    fn block_removes_confirmed_and_conflicting() {
        let mut pool = Mempool::new();
        let root = OutPoint {
            txid: Txid::all_zeros(),
            vout: 0,
        };
        let a = pool.insert(tx(&[root], 1), Amount::ZERO, 1, 1);
        let _child = pool.insert(tx(&[OutPoint { txid: a, vout: 0 }], 1), Amount::ZERO, 1, 1);
        let conflicting = tx(&[root], 3);
        pool.remove_for_block(&[conflicting]);
        assert_eq!(pool.len(), 0);
    }
}
