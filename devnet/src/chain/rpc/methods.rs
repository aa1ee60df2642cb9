//! The JSON-RPC methods: the subset LDK Node's bitcoind chain source calls, plus mining, faucet
//! and inspection helpers for people and tests. Each takes the engine lock briefly.

use std::str::FromStr;

use bitcoin::address::NetworkUnchecked;
use bitcoin::consensus::{deserialize, encode::serialize_hex};
use bitcoin::{Address, Amount, BlockHash, OutPoint, Transaction, Txid};
use serde_json::{json, Value};

use super::super::error::{
    RPC_DESERIALIZATION_ERROR, RPC_INVALID_ADDRESS_OR_KEY, RPC_INVALID_PARAMETER,
};
use super::super::params::{ESTIMATED_FEERATE_BTC_PER_KVB, MIN_FEERATE_BTC_PER_KVB, NETWORK};
use super::super::server::Shared;
use super::params::{Params, RpcError, RPC_TYPE_ERROR};
use super::shapes;

/// bitcoind's `RPC_METHOD_NOT_FOUND`.
pub(crate) const RPC_METHOD_NOT_FOUND: i32 = -32601;
/// Longest confirmation target `estimatesmartfee` accepts.
const MAX_CONF_TARGET: i64 = 1008;
/// Most blocks one `generatetoaddress` call mines (a typo must not exhaust memory).
const MAX_GENERATE: i64 = 100_000;
/// Most transactions `testmempoolaccept` takes at once (bitcoind's `MAX_PACKAGE_COUNT`).
const MAX_TEST_ACCEPT: usize = 25;

/// Parameter names of each method (for named parameters); `None` for unknown methods.
fn param_names(method: &str) -> Option<&'static [&'static str]> {
    Some(match method {
        "getblockchaininfo" | "getblockcount" | "getbestblockhash" | "getdifficulty"
        | "getchaintips" | "getmempoolinfo" | "getnetworkinfo" | "getnewaddress" | "ping"
        | "uptime" | "getpeerinfo" => &[],
        "getdeploymentinfo" => &["blockhash"],
        "gettxspendingprevout" => &["outputs"],
        "getblockhash" => &["height"],
        "getblockheader" => &["blockhash", "verbose"],
        "getblock" => &["blockhash", "verbosity"],
        "estimatesmartfee" => &["conf_target", "estimate_mode"],
        "getrawmempool" => &["verbose", "mempool_sequence"],
        "getmempoolentry" => &["txid"],
        "getrawtransaction" => &["txid", "verbose", "blockhash"],
        "decoderawtransaction" => &["hexstring", "iswitness"],
        "sendrawtransaction" => &["hexstring", "maxfeerate", "maxburnamount"],
        "testmempoolaccept" => &["rawtxs", "maxfeerate"],
        "gettxout" => &["txid", "n", "include_mempool"],
        "generatetoaddress" => &["nblocks", "address", "maxtries"],
        "sendtoaddress" => &["address", "amount"],
        _ => return None,
    })
}

/// Runs one call.
pub(crate) fn call(
    shared: &Shared,
    method: &str,
    params: Option<&Value>,
) -> Result<Value, RpcError> {
    let names = param_names(method)
        .ok_or_else(|| RpcError::new(RPC_METHOD_NOT_FOUND, "Method not found"))?;
    let p = Params::new(method, params, names)?;
    match method {
        "getblockchaininfo" => Ok(blockchain_info(shared)),
        "getblockcount" => Ok(json!(shared.lock().state.height())),
        "getbestblockhash" => Ok(json!(shared.lock().state.tip().hash.to_string())),
        "getdifficulty" => Ok(json!(shapes::difficulty())),
        "getchaintips" => {
            let engine = shared.lock();
            let tip = engine.state.tip();
            Ok(
                json!([{"height": tip.height, "hash": tip.hash.to_string(), "branchlen": 0, "status": "active"}]),
            )
        }
        "getblockhash" => block_hash(shared, &p),
        "getblockheader" => block_header(shared, &p),
        "getblock" => block(shared, &p),
        "estimatesmartfee" => estimate_smart_fee(&p),
        "getmempoolinfo" => Ok(mempool_info(shared)),
        "getrawmempool" => raw_mempool(shared, &p),
        "getmempoolentry" => {
            let txid: Txid = p.hash(0, "txid")?;
            let engine = shared.lock();
            let entry = engine.pool.get(&txid).ok_or_else(|| {
                RpcError::new(RPC_INVALID_ADDRESS_OR_KEY, "Transaction not in mempool")
            })?;
            Ok(shapes::mempool_entry(&engine.pool, entry))
        }
        "getrawtransaction" => raw_transaction(shared, &p),
        "decoderawtransaction" => {
            let tx = decode_tx(&p)?;
            Ok(shapes::transaction(&shared.lock(), &tx, None))
        }
        "sendrawtransaction" => {
            let tx = decode_tx(&p)?;
            Ok(json!(shared.lock().submit(tx)?.to_string()))
        }
        "testmempoolaccept" => test_mempool_accept(shared, &p),
        "gettxout" => tx_out(shared, &p),
        "generatetoaddress" => {
            let blocks = p.int(0, "nblocks", None)?.max(0);
            if blocks > MAX_GENERATE {
                return Err(RpcError::new(
                    RPC_INVALID_PARAMETER,
                    format!("nblocks must be at most {MAX_GENERATE} per call on this devnet"),
                ));
            }
            let script = parse_address(p.str(1, "address")?)?.script_pubkey();
            let blocks = u32::try_from(blocks).unwrap_or(u32::MAX);
            let hashes = shared.mine(blocks, Some(script))?;
            Ok(json!(hashes
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()))
        }
        "sendtoaddress" => {
            let script = parse_address(p.str(0, "address")?)?.script_pubkey();
            let amount = parse_btc(p.req(1, "amount")?)?;
            Ok(json!(shared.lock().fund(&script, amount)?.to_string()))
        }
        "getnewaddress" => Ok(json!(shared.lock().faucet.address().to_string())),
        "getnetworkinfo" => Ok(network_info()),
        "ping" => Ok(Value::Null),
        // What LND's bitcoind backend asks besides (issue 16): taproot must be active, a
        // health check, the spends of its outputs in the mempool, and peers (none here).
        "getdeploymentinfo" => Ok(deployment_info(shared)),
        "uptime" => Ok(json!(shared.started.elapsed().as_secs())),
        "getpeerinfo" => Ok(json!([])),
        "gettxspendingprevout" => tx_spending_prevout(shared, &p),
        _ => Err(RpcError::new(RPC_METHOD_NOT_FOUND, "Method not found")),
    }
}

fn blockchain_info(shared: &Shared) -> Value {
    let engine = shared.lock();
    let tip = engine.state.tip();
    json!({
        "chain": "regtest",
        "blocks": tip.height,
        "headers": tip.height,
        "bestblockhash": tip.hash.to_string(),
        "difficulty": shapes::difficulty(),
        "time": tip.block.header.time,
        "mediantime": tip.median_time,
        "verificationprogress": 1,
        "initialblockdownload": false,
        "chainwork": shapes::chainwork_hex(tip),
        "size_on_disk": 0,
        "pruned": false,
        "warnings": [],
    })
}

fn block_hash(shared: &Shared, p: &Params<'_>) -> Result<Value, RpcError> {
    let height = p.int(0, "height", None)?;
    let engine = shared.lock();
    u32::try_from(height)
        .ok()
        .and_then(|h| engine.state.hash_at(h))
        .map(|h| json!(h.to_string()))
        .ok_or_else(|| RpcError::new(RPC_INVALID_PARAMETER, "Block height out of range"))
}

fn block_not_found() -> RpcError {
    RpcError::new(RPC_INVALID_ADDRESS_OR_KEY, "Block not found")
}

fn block_header(shared: &Shared, p: &Params<'_>) -> Result<Value, RpcError> {
    let hash: BlockHash = p.hash(0, "blockhash")?;
    let verbose = p.flag(1, true)?;
    let engine = shared.lock();
    let entry = engine.state.entry(&hash).ok_or_else(block_not_found)?;
    if verbose {
        Ok(shapes::header(&engine.state, entry))
    } else {
        Ok(json!(serialize_hex(&entry.block.header)))
    }
}

fn block(shared: &Shared, p: &Params<'_>) -> Result<Value, RpcError> {
    let hash: BlockHash = p.hash(0, "blockhash")?;
    let verbosity = p.verbosity(1, 1)?;
    let engine = shared.lock();
    let entry = engine.state.entry(&hash).ok_or_else(block_not_found)?;
    if verbosity <= 0 {
        Ok(json!(serialize_hex(&entry.block)))
    } else {
        Ok(shapes::block(&engine, entry, verbosity))
    }
}

fn estimate_smart_fee(p: &Params<'_>) -> Result<Value, RpcError> {
    let target = p.int(0, "conf_target", None)?;
    if !(1..=MAX_CONF_TARGET).contains(&target) {
        return Err(RpcError::new(
            RPC_INVALID_PARAMETER,
            format!("Invalid conf_target, must be between 1 and {MAX_CONF_TARGET}"),
        ));
    }
    if let Some(mode) = p.opt(1) {
        let mode = mode
            .as_str()
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        if !matches!(mode.as_str(), "unset" | "economical" | "conservative") {
            return Err(RpcError::new(
                RPC_INVALID_PARAMETER,
                "Invalid estimate_mode parameter, must be one of: \"unset\", \"economical\", \"conservative\"",
            ));
        }
    }
    // A constant estimate: every node agrees on fees, so no update_fee disagreement.
    Ok(json!({"feerate": ESTIMATED_FEERATE_BTC_PER_KVB, "blocks": target.max(2)}))
}

fn mempool_info(shared: &Shared) -> Value {
    let engine = shared.lock();
    let (bytes, usage, fees) =
        engine
            .pool
            .ordered()
            .fold((0u64, 0u64, Amount::ZERO), |(b, u, f), e| {
                (
                    b.saturating_add(e.vsize),
                    u.saturating_add(e.weight),
                    f.checked_add(e.fee).unwrap_or(f),
                )
            });
    json!({
        "loaded": true,
        "size": engine.pool.len(),
        "bytes": bytes,
        "usage": usage,
        "total_fee": fees.to_btc(),
        "maxmempool": 300_000_000,
        "mempoolminfee": MIN_FEERATE_BTC_PER_KVB,
        "minrelaytxfee": MIN_FEERATE_BTC_PER_KVB,
        "incrementalrelayfee": MIN_FEERATE_BTC_PER_KVB,
        "unbroadcastcount": 0,
        "fullrbf": true,
    })
}

fn raw_mempool(shared: &Shared, p: &Params<'_>) -> Result<Value, RpcError> {
    let verbose = p.flag(0, false)?;
    let sequence = p.flag(1, false)?;
    if verbose && sequence {
        return Err(RpcError::new(
            RPC_INVALID_PARAMETER,
            "Verbose results cannot contain mempool sequence values.",
        ));
    }
    let engine = shared.lock();
    if verbose {
        let map: serde_json::Map<String, Value> = engine
            .pool
            .ordered()
            .map(|e| (e.txid.to_string(), shapes::mempool_entry(&engine.pool, e)))
            .collect();
        return Ok(Value::Object(map));
    }
    let txids: Vec<String> = engine.pool.ordered().map(|e| e.txid.to_string()).collect();
    if sequence {
        return Ok(json!({"txids": txids, "mempool_sequence": engine.pool.len()}));
    }
    Ok(json!(txids))
}

fn raw_transaction(shared: &Shared, p: &Params<'_>) -> Result<Value, RpcError> {
    let txid: Txid = p.hash(0, "txid")?;
    let verbosity = p.verbosity(1, 0)?;
    let in_block: Option<BlockHash> = match p.opt(2) {
        Some(_) => Some(p.hash(2, "blockhash")?),
        None => None,
    };
    let engine = shared.lock();
    if let Some(hash) = in_block {
        let entry = engine
            .state
            .entry(&hash)
            .ok_or_else(|| RpcError::new(RPC_INVALID_ADDRESS_OR_KEY, "Block hash not found"))?;
        if !entry.txids.contains(&txid) {
            return Err(RpcError::new(
                RPC_INVALID_ADDRESS_OR_KEY,
                "No such transaction found in the provided block. Use gettransaction for wallet transactions.",
            ));
        }
    }
    let (tx, height) = engine.transaction(&txid).ok_or_else(|| {
        RpcError::new(
            RPC_INVALID_ADDRESS_OR_KEY,
            "No such mempool or blockchain transaction. Use gettransaction for wallet transactions.",
        )
    })?;
    if verbosity <= 0 {
        return Ok(json!(serialize_hex(tx)));
    }
    let block = height.and_then(|h| engine.state.entry_at(h));
    Ok(shapes::transaction(&engine, tx, block))
}

fn test_mempool_accept(shared: &Shared, p: &Params<'_>) -> Result<Value, RpcError> {
    let raw = p.req(0, "rawtxs")?;
    let list = raw
        .as_array()
        .ok_or_else(|| RpcError::new(RPC_TYPE_ERROR, "JSON value is not of expected type array"))?;
    if list.is_empty() || list.len() > MAX_TEST_ACCEPT {
        return Err(RpcError::new(
            RPC_INVALID_PARAMETER,
            format!("Array must contain between 1 and {MAX_TEST_ACCEPT} transactions."),
        ));
    }
    let mut txs = Vec::with_capacity(list.len());
    for item in list {
        let hex = item
            .as_str()
            .ok_or_else(|| RpcError::new(RPC_TYPE_ERROR, "Expected hex strings"))?;
        txs.push(decode_hex_tx(hex)?);
    }
    let engine = shared.lock();
    let results = txs
        .iter()
        .map(|tx| {
            let ids = json!({"txid": tx.compute_txid().to_string(), "wtxid": tx.compute_wtxid().to_string()});
            let Value::Object(mut obj) = ids else { return Value::Null };
            match engine.test_accept(tx) {
                Ok(acc) => {
                    obj.insert("allowed".into(), json!(true));
                    obj.insert("vsize".into(), json!(tx.vsize()));
                    obj.insert("fees".into(), json!({"base": acc.fee.to_btc()}));
                }
                Err(e) => {
                    obj.insert("allowed".into(), json!(false));
                    obj.insert("reject-reason".into(), json!(e.rpc_error().1));
                }
            }
            Value::Object(obj)
        })
        .collect();
    Ok(Value::Array(results))
}

fn tx_out(shared: &Shared, p: &Params<'_>) -> Result<Value, RpcError> {
    let txid: Txid = p.hash(0, "txid")?;
    let vout = p.int(1, "n", None)?;
    let include_mempool = p.flag(2, true)?;
    let Ok(vout) = u32::try_from(vout) else {
        return Ok(Value::Null);
    };
    let op = OutPoint { txid, vout };
    let engine = shared.lock();
    if include_mempool {
        if engine.pool.spender(&op).is_some() {
            return Ok(Value::Null);
        }
        if let Some(out) = engine.pool.output(&op) {
            return Ok(shapes::txout(&engine.state, out, 0, false));
        }
    }
    Ok(match engine.state.coin(&op) {
        Some(coin) => {
            let confirmations = engine
                .state
                .height()
                .saturating_sub(coin.height)
                .saturating_add(1);
            shapes::txout(&engine.state, &coin.output, confirmations, coin.is_coinbase)
        }
        None => Value::Null,
    })
}

/// `getdeploymentinfo`: every soft fork active from genesis, as on a regtest bitcoind
/// (taproot a BIP9 deployment always active there).
fn deployment_info(shared: &Shared) -> Value {
    let engine = shared.lock();
    let tip = engine.state.tip();
    let buried = json!({"type": "buried", "active": true, "height": 0});
    json!({
        "hash": tip.hash.to_string(),
        "height": tip.height,
        "deployments": {
            "bip34": buried, "bip66": buried, "bip65": buried, "csv": buried, "segwit": buried,
            "taproot": {
                "type": "bip9", "active": true, "height": 0,
                "bip9": {"start_time": -1, "timeout": i64::MAX, "min_activation_height": 0,
                         "status": "active", "since": 0, "status_next": "active"},
            },
        },
    })
}

/// `gettxspendingprevout`: for each `{"txid", "vout"}`, the mempool transaction spending it
/// (`spendingtxid`), if any (bitcoind looks in the mempool only).
fn tx_spending_prevout(shared: &Shared, p: &Params) -> Result<Value, RpcError> {
    let outputs = p
        .req(0, "outputs")?
        .as_array()
        .ok_or_else(|| RpcError::new(RPC_TYPE_ERROR, "outputs must be an array"))?;
    let mut answers = Vec::with_capacity(outputs.len());
    let engine = shared.lock();
    for output in outputs {
        let txid = output
            .get("txid")
            .and_then(Value::as_str)
            .and_then(|t| Txid::from_str(t).ok())
            .ok_or_else(|| RpcError::new(RPC_INVALID_PARAMETER, "txid must be a transaction id"))?;
        let vout = output
            .get("vout")
            .and_then(Value::as_u64)
            .and_then(|v| u32::try_from(v).ok())
            .ok_or_else(|| RpcError::new(RPC_INVALID_PARAMETER, "vout must be a number"))?;
        let mut answer = json!({"txid": txid.to_string(), "vout": vout});
        if let Some(spender) = engine.pool.spender(&OutPoint { txid, vout }) {
            answer["spendingtxid"] = json!(spender.to_string());
        }
        answers.push(answer);
    }
    Ok(Value::Array(answers))
}

fn network_info() -> Value {
    json!({
        "version": 280000,
        "subversion": "/Satoshi:28.0.0(etrid-devnet)/",
        "protocolversion": 70016,
        "localservices": "0000000000000409",
        "localservicesnames": ["NETWORK", "WITNESS", "NETWORK_LIMITED"],
        "localrelay": true,
        "timeoffset": 0,
        "networkactive": true,
        "connections": 0,
        "connections_in": 0,
        "connections_out": 0,
        "networks": [],
        "relayfee": MIN_FEERATE_BTC_PER_KVB,
        "incrementalfee": MIN_FEERATE_BTC_PER_KVB,
        "localaddresses": [],
        "warnings": [],
    })
}

/// The transaction in parameter 0, or -22 `TX decode failed`.
fn decode_tx(p: &Params<'_>) -> Result<Transaction, RpcError> {
    decode_hex_tx(p.str(0, "hexstring")?)
}

fn decode_hex_tx(hex: &str) -> Result<Transaction, RpcError> {
    use bitcoin::hex::FromHex;
    Vec::<u8>::from_hex(hex.trim())
        .ok()
        .and_then(|bytes| deserialize::<Transaction>(&bytes).ok())
        .ok_or_else(|| {
            RpcError::new(
                RPC_DESERIALIZATION_ERROR,
                "TX decode failed. Make sure the tx has at least one input.",
            )
        })
}

/// A regtest address, or -5 `Error: Invalid address`.
fn parse_address(s: &str) -> Result<Address, RpcError> {
    Address::<NetworkUnchecked>::from_str(s)
        .ok()
        .and_then(|a| a.require_network(NETWORK).ok())
        .ok_or_else(|| RpcError::new(RPC_INVALID_ADDRESS_OR_KEY, "Error: Invalid address"))
}

/// An amount in BTC given as a JSON number or string.
fn parse_btc(v: &Value) -> Result<Amount, RpcError> {
    let amount = match v {
        Value::Number(n) => n.as_f64().and_then(|f| Amount::from_btc(f).ok()),
        Value::String(s) => Amount::from_str_in(s, bitcoin::Denomination::Bitcoin).ok(),
        _ => None,
    };
    amount
        .filter(|a| *a > Amount::ZERO)
        .ok_or_else(|| RpcError::new(RPC_TYPE_ERROR, "Invalid amount"))
}
