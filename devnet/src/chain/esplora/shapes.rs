//! Esplora's JSON shapes (Blockstream `esplora/API.md`): transactions with prevouts, fee and
//! status; confirmation status; UTXOs; outspends; block summaries; merkle proofs.

use bitcoin::hashes::{sha256d, Hash};
use bitcoin::hex::DisplayHex;
use bitcoin::{OutPoint, Script, Transaction, TxMerkleNode, TxOut, Txid};
use serde_json::{json, Map, Value};

use super::super::engine::Engine;
use super::super::scripts::{address_of, ScriptKind};
use super::super::state::BlockEntry;

/// `{"confirmed": false}` or the block it is in.
pub(crate) fn status(engine: &Engine, txid: &Txid) -> Value {
    match engine.state.transaction(txid) {
        Some((_, loc)) => match engine.state.entry_at(loc.height) {
            Some(entry) => confirmed(entry),
            None => json!({"confirmed": false}),
        },
        None => json!({"confirmed": false}),
    }
}

fn confirmed(entry: &BlockEntry) -> Value {
    json!({
        "confirmed": true,
        "block_height": entry.height,
        "block_hash": entry.hash.to_string(),
        "block_time": entry.block.header.time,
    })
}

/// The script fields of an output or prevout.
fn output(out: &TxOut) -> Value {
    let mut obj = script_fields(&out.script_pubkey);
    obj.insert("value".into(), json!(out.value.to_sat()));
    Value::Object(obj)
}

fn script_fields(script: &Script) -> Map<String, Value> {
    let mut obj = Map::new();
    obj.insert(
        "scriptpubkey".into(),
        json!(script.as_bytes().to_lower_hex_string()),
    );
    obj.insert("scriptpubkey_asm".into(), json!(script.to_asm_string()));
    obj.insert(
        "scriptpubkey_type".into(),
        json!(ScriptKind::of(script).esplora_name()),
    );
    if let Some(address) = address_of(script) {
        obj.insert("scriptpubkey_address".into(), json!(address));
    }
    obj
}

/// A transaction as `GET /tx/:txid` returns it.
pub(crate) fn transaction(engine: &Engine, tx: &Transaction) -> Value {
    let is_coinbase = tx.is_coinbase();
    let vin: Vec<Value> = tx
        .input
        .iter()
        .map(|input| {
            let prevout = if is_coinbase {
                Value::Null
            } else {
                engine
                    .prevout(&input.previous_output)
                    .map_or(Value::Null, output)
            };
            let mut o = Map::new();
            o.insert("txid".into(), json!(input.previous_output.txid.to_string()));
            o.insert("vout".into(), json!(input.previous_output.vout));
            o.insert("prevout".into(), prevout);
            o.insert(
                "scriptsig".into(),
                json!(input.script_sig.as_bytes().to_lower_hex_string()),
            );
            o.insert(
                "scriptsig_asm".into(),
                json!(input.script_sig.to_asm_string()),
            );
            if !input.witness.is_empty() {
                let items: Vec<String> = input
                    .witness
                    .iter()
                    .map(|w| w.to_lower_hex_string())
                    .collect();
                o.insert("witness".into(), json!(items));
            }
            o.insert("is_coinbase".into(), json!(is_coinbase));
            o.insert("sequence".into(), json!(input.sequence.0));
            Value::Object(o)
        })
        .collect();
    let vout: Vec<Value> = tx.output.iter().map(output).collect();
    let txid = tx.compute_txid();
    json!({
        "txid": txid.to_string(),
        "version": tx.version.0,
        "locktime": tx.lock_time.to_consensus_u32(),
        "vin": vin,
        "vout": vout,
        "size": tx.total_size(),
        "weight": tx.weight().to_wu(),
        "fee": engine.fee(tx).map_or(0, |f| f.to_sat()),
        "status": status(engine, &txid),
    })
}

/// One entry of `GET /address/:a/utxo`.
pub(crate) fn utxo(engine: &Engine, outpoint: &OutPoint, out: &TxOut) -> Value {
    json!({
        "txid": outpoint.txid.to_string(),
        "vout": outpoint.vout,
        "status": status(engine, &outpoint.txid),
        "value": out.value.to_sat(),
    })
}

/// `GET /tx/:txid/outspend/:vout`: whether and by what an output is spent.
pub(crate) fn outspend(engine: &Engine, outpoint: &OutPoint) -> Value {
    if let Some(spender) = engine.state.spender(outpoint) {
        return json!({
            "spent": true,
            "txid": spender.txid.to_string(),
            "vin": spender.vin,
            "status": status(engine, &spender.txid),
        });
    }
    if let Some(txid) = engine.pool.spender(outpoint) {
        let vin = engine.pool.get(&txid).and_then(|e| {
            e.tx.input
                .iter()
                .position(|i| i.previous_output == *outpoint)
        });
        return json!({"spent": true, "txid": txid.to_string(), "vin": vin, "status": {"confirmed": false}});
    }
    json!({"spent": false})
}

/// A block summary (`GET /block/:hash`, `GET /blocks`).
pub(crate) fn block(entry: &BlockEntry) -> Value {
    let h = &entry.block.header;
    let prev = (entry.height > 0).then(|| h.prev_blockhash.to_string());
    json!({
        "id": entry.hash.to_string(),
        "height": entry.height,
        "version": h.version.to_consensus(),
        "timestamp": h.time,
        "tx_count": entry.block.txdata.len(),
        "size": entry.block.total_size(),
        "weight": entry.block.weight().to_wu(),
        "merkle_root": h.merkle_root.to_string(),
        "previousblockhash": prev,
        "mediantime": entry.median_time,
        "nonce": h.nonce,
        "bits": h.bits.to_consensus(),
        "difficulty": super::super::block::regtest_target().difficulty_float(),
    })
}

/// `GET /tx/:txid/merkle-proof`: the merkle branch of the transaction at `pos` in `entry`.
pub(crate) fn merkle_proof(entry: &BlockEntry, pos: usize) -> Value {
    let mut level: Vec<sha256d::Hash> = entry.txids.iter().map(|t| t.to_raw_hash()).collect();
    let mut branch = Vec::new();
    let mut index = pos;
    while level.len() > 1 {
        if level.len() % 2 == 1 {
            if let Some(last) = level.last().copied() {
                level.push(last);
            }
        }
        if let Some(sibling) = level.get(index ^ 1) {
            branch.push(TxMerkleNode::from_raw_hash(*sibling).to_string());
        }
        level = level
            .chunks(2)
            .map(|pair| {
                let mut engine = sha256d::Hash::engine();
                for h in pair {
                    bitcoin::hashes::HashEngine::input(&mut engine, h.as_byte_array());
                }
                sha256d::Hash::from_engine(engine)
            })
            .collect();
        index /= 2;
    }
    json!({"block_height": entry.height, "merkle": branch, "pos": pos})
}

#[cfg(test)]
mod tests {
    use super::*;
    use bitcoin::blockdata::constants::genesis_block;
    use bitcoin::Network;

    #[test]
    fn single_tx_block_has_an_empty_branch() {
        let block = genesis_block(Network::Regtest);
        let entry = BlockEntry {
            hash: block.block_hash(),
            height: 0,
            chainwork: block.header.work(),
            median_time: block.header.time,
            txids: vec![block.txdata[0].compute_txid()],
            block,
        };
        let proof = merkle_proof(&entry, 0);
        assert_eq!(proof["merkle"], json!([]));
        assert_eq!(proof["pos"], 0);
        assert_eq!(block_summary_prev(&entry), Value::Null);
    }

    fn block_summary_prev(entry: &BlockEntry) -> Value {
        block(entry)["previousblockhash"].clone()
    }
}
