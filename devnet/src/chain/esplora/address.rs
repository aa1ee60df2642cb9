//! Esplora's address and script-hash endpoints: stats, transaction history (mempool first,
//! newest first) and unspent outputs.

use std::str::FromStr;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use bitcoin::address::NetworkUnchecked;
use bitcoin::hashes::{sha256, Hash};
use bitcoin::hex::FromHex;
use bitcoin::{Address, OutPoint, Script, ScriptBuf, Transaction, Txid};
use serde_json::{json, Value};

use super::super::engine::Engine;
use super::super::params::NETWORK;
use super::super::server::Shared;
use super::{bad_request, shapes, BadRequest};

/// Mempool transactions per history answer.
const MEMPOOL_PAGE: usize = 50;
/// Confirmed transactions per history answer.
const CHAIN_PAGE: usize = 25;

type AppState = State<Arc<Shared>>;

/// Routes under `/address/:address` and `/scripthash/:hash`.
pub(super) fn routes() -> Router<Arc<Shared>> {
    let mut router = Router::new();
    for prefix in ["/address/{target}", "/scripthash/{target}"] {
        let scripthash = prefix.starts_with("/scripthash");
        router = router
            .route(
                prefix,
                get(move |s: AppState, p: Path<String>| stats(s, p, scripthash)),
            )
            .route(
                &format!("{prefix}/txs"),
                get(move |s: AppState, p: Path<String>| txs(s, p, scripthash)),
            )
            .route(
                &format!("{prefix}/txs/chain"),
                get(move |s: AppState, p: Path<String>| chain_txs(s, p, scripthash)),
            )
            .route(
                &format!("{prefix}/txs/chain/{{last_seen}}"),
                get(move |s: AppState, p: Path<(String, String)>| {
                    chain_txs_after(s, p, scripthash)
                }),
            )
            .route(
                &format!("{prefix}/txs/mempool"),
                get(move |s: AppState, p: Path<String>| mempool_txs(s, p, scripthash)),
            )
            .route(
                &format!("{prefix}/utxo"),
                get(move |s: AppState, p: Path<String>| utxo(s, p, scripthash)),
            );
    }
    router
}

/// The script an address or (forward-hex SHA256) script hash names.
enum Target {
    /// A script, by address or by a known hash.
    Script(ScriptBuf),
    /// A hash of a script never seen: empty answers.
    Unknown,
}

fn resolve(engine: &Engine, target: &str, scripthash: bool) -> Result<Target, BadRequest> {
    if !scripthash {
        let address = Address::<NetworkUnchecked>::from_str(target)
            .map_err(|_| BadRequest("Invalid Bitcoin address"))?;
        let address = address
            .require_network(NETWORK)
            .map_err(|_| BadRequest("Address on invalid network"))?;
        return Ok(Target::Script(address.script_pubkey()));
    }
    let bytes = <[u8; 32]>::from_hex(target).map_err(|_| BadRequest("Invalid hex string"))?;
    if let Some(script) = engine.state.script_by_hash(&bytes) {
        return Ok(Target::Script(script.clone()));
    }
    let in_mempool = engine
        .pool
        .ordered()
        .flat_map(|e| e.tx.output.iter())
        .find(|o| sha256::Hash::hash(o.script_pubkey.as_bytes()).to_byte_array() == bytes);
    Ok(in_mempool.map_or(Target::Unknown, |o| Target::Script(o.script_pubkey.clone())))
}

/// Whether `tx` pays `script` or spends an output paying it.
fn touches(engine: &Engine, tx: &Transaction, script: &Script) -> bool {
    tx.output
        .iter()
        .any(|o| o.script_pubkey.as_script() == script)
        || tx.input.iter().any(|i| {
            engine
                .prevout(&i.previous_output)
                .is_some_and(|p| p.script_pubkey.as_script() == script)
        })
}

/// Mempool transactions touching `script`, newest first.
fn mempool_history<'a>(engine: &'a Engine, script: &Script) -> Vec<&'a Transaction> {
    engine
        .pool
        .ordered()
        .rev()
        .map(|e| &e.tx)
        .filter(|tx| touches(engine, tx, script))
        .collect()
}

/// Confirmed transactions touching `script`, newest first.
fn chain_history(engine: &Engine, script: &Script) -> Vec<Txid> {
    engine
        .state
        .script(script)
        .map(|i| i.history.iter().rev().copied().collect())
        .unwrap_or_default()
}

fn tx_json(engine: &Engine, txids: impl Iterator<Item = Txid>) -> Vec<Value> {
    txids
        .filter_map(|t| {
            engine
                .transaction(&t)
                .map(|(tx, _)| shapes::transaction(engine, tx))
        })
        .collect()
}

/// Runs `f` with the engine and the resolved script (`None` for an unseen script hash).
fn with_target(
    shared: &Shared,
    target: &str,
    scripthash: bool,
    f: impl FnOnce(&Engine, Option<&Script>) -> Value,
) -> Response {
    let engine = shared.lock();
    match resolve(&engine, target, scripthash) {
        Ok(Target::Script(script)) => Json(f(&engine, Some(&script))).into_response(),
        Ok(Target::Unknown) => Json(f(&engine, None)).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn txs(State(shared): AppState, Path(target): Path<String>, scripthash: bool) -> Response {
    with_target(&shared, &target, scripthash, |engine, script| {
        let Some(script) = script else {
            return json!([]);
        };
        let mut out: Vec<Value> = mempool_history(engine, script)
            .into_iter()
            .take(MEMPOOL_PAGE)
            .map(|tx| shapes::transaction(engine, tx))
            .collect();
        out.extend(tx_json(
            engine,
            chain_history(engine, script).into_iter().take(CHAIN_PAGE),
        ));
        Value::Array(out)
    })
}

async fn chain_txs(
    State(shared): AppState,
    Path(target): Path<String>,
    scripthash: bool,
) -> Response {
    with_target(&shared, &target, scripthash, |engine, script| {
        let Some(script) = script else {
            return json!([]);
        };
        Value::Array(tx_json(
            engine,
            chain_history(engine, script).into_iter().take(CHAIN_PAGE),
        ))
    })
}

async fn chain_txs_after(
    State(shared): AppState,
    Path((target, last_seen)): Path<(String, String)>,
    scripthash: bool,
) -> Response {
    let Ok(last_seen) = Txid::from_str(&last_seen) else {
        return bad_request("Invalid hex string");
    };
    with_target(&shared, &target, scripthash, |engine, script| {
        let Some(script) = script else {
            return json!([]);
        };
        let history = chain_history(engine, script);
        let after = history
            .iter()
            .position(|t| *t == last_seen)
            .map_or(history.len(), |p| p + 1);
        Value::Array(tx_json(
            engine,
            history.into_iter().skip(after).take(CHAIN_PAGE),
        ))
    })
}

async fn mempool_txs(
    State(shared): AppState,
    Path(target): Path<String>,
    scripthash: bool,
) -> Response {
    with_target(&shared, &target, scripthash, |engine, script| {
        let Some(script) = script else {
            return json!([]);
        };
        let txs = mempool_history(engine, script);
        Value::Array(
            txs.into_iter()
                .take(MEMPOOL_PAGE)
                .map(|tx| shapes::transaction(engine, tx))
                .collect(),
        )
    })
}

async fn utxo(State(shared): AppState, Path(target): Path<String>, scripthash: bool) -> Response {
    with_target(&shared, &target, scripthash, |engine, script| {
        let Some(script) = script else {
            return json!([]);
        };
        let mut out = Vec::new();
        for entry in engine.pool.ordered().rev() {
            for (vout, o) in entry.tx.output.iter().enumerate() {
                let Ok(vout) = u32::try_from(vout) else {
                    continue;
                };
                let op = OutPoint {
                    txid: entry.txid,
                    vout,
                };
                if o.script_pubkey.as_script() == script && engine.pool.spender(&op).is_none() {
                    out.push(shapes::utxo(engine, &op, o));
                }
            }
        }
        let mut confirmed: Vec<(u32, OutPoint)> = engine
            .state
            .script(script)
            .map(|i| {
                i.utxos
                    .iter()
                    .filter(|op| engine.pool.spender(op).is_none())
                    .filter_map(|op| engine.state.coin(op).map(|c| (c.height, *op)))
                    .collect()
            })
            .unwrap_or_default();
        confirmed.sort_by(|a, b| b.cmp(a));
        for (_, op) in confirmed {
            if let Some(coin) = engine.state.coin(&op) {
                out.push(shapes::utxo(engine, &op, &coin.output));
            }
        }
        Value::Array(out)
    })
}

/// Funded/spent output counts and sums of `txs` for `script`.
fn tx_stats<'a>(
    engine: &Engine,
    script: &Script,
    txs: impl Iterator<Item = &'a Transaction>,
) -> Value {
    let (mut funded, mut funded_sum, mut spent, mut spent_sum, mut count) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    for tx in txs {
        count += 1;
        for o in tx
            .output
            .iter()
            .filter(|o| o.script_pubkey.as_script() == script)
        {
            funded += 1;
            funded_sum = funded_sum.saturating_add(o.value.to_sat());
        }
        for input in &tx.input {
            if let Some(p) = engine.prevout(&input.previous_output) {
                if p.script_pubkey.as_script() == script {
                    spent += 1;
                    spent_sum = spent_sum.saturating_add(p.value.to_sat());
                }
            }
        }
    }
    json!({
        "funded_txo_count": funded,
        "funded_txo_sum": funded_sum,
        "spent_txo_count": spent,
        "spent_txo_sum": spent_sum,
        "tx_count": count,
    })
}

async fn stats(State(shared): AppState, Path(target): Path<String>, scripthash: bool) -> Response {
    let key = if scripthash { "scripthash" } else { "address" };
    let name = target.clone();
    with_target(&shared, &target, scripthash, move |engine, script| {
        let empty = || tx_stats(engine, Script::new(), std::iter::empty());
        let (chain, mempool) = match script {
            None => (empty(), empty()),
            Some(script) => {
                let confirmed = chain_history(engine, script);
                let chain_txs = confirmed
                    .iter()
                    .filter_map(|t| engine.transaction(t).map(|(tx, _)| tx));
                let chain = tx_stats(engine, script, chain_txs);
                let mempool = tx_stats(engine, script, mempool_history(engine, script).into_iter());
                (chain, mempool)
            }
        };
        json!({key: name, "chain_stats": chain, "mempool_stats": mempool})
    })
}
