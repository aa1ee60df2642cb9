//! A small Esplora-compatible REST API (Blockstream's shapes): tip, blocks, transactions,
//! addresses and script hashes, mempool, fee estimates and `POST /tx`. Text answers are
//! `text/plain`; unknown objects are 404 with a text body; every response allows any origin.

mod address;
mod shapes;

use std::str::FromStr;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bitcoin::consensus::deserialize;
use bitcoin::consensus::encode::{serialize, serialize_hex};
use bitcoin::hex::FromHex;
use bitcoin::{BlockHash, OutPoint, Transaction, Txid};
use serde_json::{json, Value};

use super::params::ESTIMATED_SAT_PER_VB;
use super::server::Shared;
use super::state::BlockEntry;

/// Largest `POST /tx` body.
const MAX_BODY: usize = 16 * 1024 * 1024;
/// Blocks per `GET /blocks` page.
const BLOCKS_PAGE: u32 = 10;
/// Transactions per `GET /block/:hash/txs` page.
const BLOCK_TXS_PAGE: usize = 25;

type AppState = State<Arc<Shared>>;

/// The Esplora routes.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/blocks/tip/height", get(tip_height))
        .route("/blocks/tip/hash", get(tip_hash))
        .route("/blocks", get(blocks_from_tip))
        .route("/blocks/{start}", get(blocks_from))
        .route("/block-height/{height}", get(block_at_height))
        .route("/block/{hash}", get(block_summary))
        .route("/block/{hash}/header", get(block_header))
        .route("/block/{hash}/status", get(block_status))
        .route("/block/{hash}/raw", get(block_raw))
        .route("/block/{hash}/txids", get(block_txids))
        .route("/block/{hash}/txid/{index}", get(block_txid))
        .route("/block/{hash}/txs", get(block_txs_first))
        .route("/block/{hash}/txs/{start}", get(block_txs))
        .route("/tx", post(broadcast))
        .route("/tx/{txid}", get(tx))
        .route("/tx/{txid}/status", get(tx_status))
        .route("/tx/{txid}/hex", get(tx_hex))
        .route("/tx/{txid}/raw", get(tx_raw))
        .route("/tx/{txid}/outspend/{vout}", get(tx_outspend))
        .route("/tx/{txid}/outspends", get(tx_outspends))
        .route("/tx/{txid}/merkle-proof", get(tx_merkle_proof))
        .route("/mempool", get(mempool))
        .route("/mempool/txids", get(mempool_txids))
        .route("/mempool/recent", get(mempool_recent))
        .route("/fee-estimates", get(fee_estimates))
        .merge(address::routes())
        .fallback(|| async { not_found("Not found") })
        .layer(axum::middleware::map_response(allow_any_origin))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(shared)
}

async fn allow_any_origin(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// A `text/plain` 200 answer.
fn text(body: String) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    response
}

fn error(status: StatusCode, message: &str) -> Response {
    let mut response = (status, message.to_string()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    response
}

fn not_found(message: &str) -> Response {
    error(StatusCode::NOT_FOUND, message)
}

fn bad_request(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, message)
}

/// A client error with a fixed text body (small, unlike a `Response`).
#[derive(Debug, Clone, Copy)]
struct BadRequest(&'static str);

impl IntoResponse for BadRequest {
    fn into_response(self) -> Response {
        bad_request(self.0)
    }
}

fn parse_txid(s: &str) -> Result<Txid, BadRequest> {
    Txid::from_str(s).map_err(|_| BadRequest("Invalid hex string"))
}

fn parse_block_hash(s: &str) -> Result<BlockHash, BadRequest> {
    BlockHash::from_str(s).map_err(|_| BadRequest("Invalid hex string"))
}

/// Runs `f` on the block with hash `hash` (404 when unknown).
fn with_block(shared: &Shared, hash: &str, f: impl FnOnce(&BlockEntry) -> Response) -> Response {
    let hash = match parse_block_hash(hash) {
        Ok(h) => h,
        Err(r) => return r.into_response(),
    };
    let engine = shared.lock();
    match engine.state.entry(&hash) {
        Some(entry) => f(entry),
        None => not_found("Block not found"),
    }
}

async fn tip_height(State(shared): AppState) -> Response {
    text(shared.lock().state.height().to_string())
}

async fn tip_hash(State(shared): AppState) -> Response {
    text(shared.lock().state.tip().hash.to_string())
}

async fn blocks_from_tip(State(shared): AppState) -> Response {
    let height = shared.lock().state.height();
    blocks_page(&shared, height)
}

async fn blocks_from(State(shared): AppState, Path(start): Path<String>) -> Response {
    match start.parse::<u32>() {
        Ok(start) => blocks_page(&shared, start),
        Err(_) => bad_request("Invalid height"),
    }
}

fn blocks_page(shared: &Shared, start: u32) -> Response {
    let engine = shared.lock();
    let start = start.min(engine.state.height());
    let blocks: Vec<Value> = (0..BLOCKS_PAGE)
        .map_while(|i| start.checked_sub(i))
        .filter_map(|h| engine.state.entry_at(h).map(shapes::block))
        .collect();
    Json(blocks).into_response()
}

async fn block_at_height(State(shared): AppState, Path(height): Path<String>) -> Response {
    let Ok(height) = height.parse::<u32>() else {
        return bad_request("Invalid height");
    };
    match shared.lock().state.hash_at(height) {
        Some(hash) => text(hash.to_string()),
        None => not_found("Block not found"),
    }
}

async fn block_summary(State(shared): AppState, Path(hash): Path<String>) -> Response {
    with_block(&shared, &hash, |e| Json(shapes::block(e)).into_response())
}

async fn block_header(State(shared): AppState, Path(hash): Path<String>) -> Response {
    with_block(&shared, &hash, |e| text(serialize_hex(&e.block.header)))
}

async fn block_status(State(shared): AppState, Path(hash): Path<String>) -> Response {
    let next = {
        let engine = shared.lock();
        parse_block_hash(&hash)
            .ok()
            .and_then(|h| engine.state.entry(&h).map(|e| e.height))
            .map(|height| (height, engine.state.hash_at(height.saturating_add(1))))
    };
    match next {
        Some((height, next)) => Json(json!({
            "in_best_chain": true,
            "height": height,
            "next_best": next.map(|h| h.to_string()),
        }))
        .into_response(),
        None => Json(json!({"in_best_chain": false})).into_response(),
    }
}

async fn block_raw(State(shared): AppState, Path(hash): Path<String>) -> Response {
    with_block(&shared, &hash, |e| binary(serialize(&e.block)))
}

fn binary(bytes: Vec<u8>) -> Response {
    let mut response = (StatusCode::OK, Body::from(bytes)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    response
}

async fn block_txids(State(shared): AppState, Path(hash): Path<String>) -> Response {
    with_block(&shared, &hash, |e| {
        Json(e.txids.iter().map(ToString::to_string).collect::<Vec<_>>()).into_response()
    })
}

async fn block_txid(
    State(shared): AppState,
    Path((hash, index)): Path<(String, String)>,
) -> Response {
    let Ok(index) = index.parse::<usize>() else {
        return bad_request("Invalid index");
    };
    with_block(&shared, &hash, |e| match e.txids.get(index) {
        Some(txid) => text(txid.to_string()),
        None => not_found("Transaction not found"),
    })
}

async fn block_txs_first(State(shared): AppState, Path(hash): Path<String>) -> Response {
    block_txs_page(&shared, &hash, 0)
}

async fn block_txs(
    State(shared): AppState,
    Path((hash, start)): Path<(String, String)>,
) -> Response {
    match start.parse::<usize>() {
        Ok(start) if start % BLOCK_TXS_PAGE == 0 => block_txs_page(&shared, &hash, start),
        _ => bad_request("start index must be a multipication of 25"),
    }
}

fn block_txs_page(shared: &Shared, hash: &str, start: usize) -> Response {
    let Ok(hash) = parse_block_hash(hash) else {
        return bad_request("Invalid hex string");
    };
    let engine = shared.lock();
    let Some(entry) = engine.state.entry(&hash) else {
        return not_found("Block not found");
    };
    let txs: Vec<Value> = entry
        .block
        .txdata
        .iter()
        .skip(start)
        .take(BLOCK_TXS_PAGE)
        .map(|tx| shapes::transaction(&engine, tx))
        .collect();
    Json(txs).into_response()
}

async fn broadcast(State(shared): AppState, body: Bytes) -> Response {
    let hex = String::from_utf8_lossy(&body);
    let tx = Vec::<u8>::from_hex(hex.trim())
        .ok()
        .and_then(|b| deserialize::<Transaction>(&b).ok());
    let Some(tx) = tx else {
        return rpc_error_text(
            -22,
            "TX decode failed. Make sure the tx has at least one input.",
        );
    };
    let result = shared.lock().submit(tx);
    match result {
        Ok(txid) => text(txid.to_string()),
        Err(e) => {
            let (code, message) = e.rpc_error();
            rpc_error_text(code, &message)
        }
    }
}

/// electrs's answer to a refused broadcast: 400 with the bitcoind RPC error as text.
fn rpc_error_text(code: i32, message: &str) -> Response {
    let body = format!(
        "sendrawtransaction RPC error: {}",
        json!({"code": code, "message": message})
    );
    error(StatusCode::BAD_REQUEST, &body)
}

/// Runs `f` on the transaction `txid` (404 when unknown).
fn with_tx(
    shared: &Shared,
    txid: &str,
    f: impl FnOnce(&super::engine::Engine, &Transaction) -> Response,
) -> Response {
    let txid = match parse_txid(txid) {
        Ok(t) => t,
        Err(r) => return r.into_response(),
    };
    let engine = shared.lock();
    match engine.transaction(&txid) {
        Some((tx, _)) => f(&engine, tx),
        None => not_found("Transaction not found"),
    }
}

async fn tx(State(shared): AppState, Path(txid): Path<String>) -> Response {
    with_tx(&shared, &txid, |engine, tx| {
        Json(shapes::transaction(engine, tx)).into_response()
    })
}

async fn tx_status(State(shared): AppState, Path(txid): Path<String>) -> Response {
    match parse_txid(&txid) {
        Ok(txid) => Json(shapes::status(&shared.lock(), &txid)).into_response(),
        Err(r) => r.into_response(),
    }
}

async fn tx_hex(State(shared): AppState, Path(txid): Path<String>) -> Response {
    with_tx(&shared, &txid, |_, tx| text(serialize_hex(tx)))
}

async fn tx_raw(State(shared): AppState, Path(txid): Path<String>) -> Response {
    with_tx(&shared, &txid, |_, tx| binary(serialize(tx)))
}

async fn tx_outspend(
    State(shared): AppState,
    Path((txid, vout)): Path<(String, String)>,
) -> Response {
    let Ok(vout) = vout.parse::<u32>() else {
        return bad_request("Invalid vout");
    };
    with_tx(&shared, &txid, |engine, tx| {
        if usize::try_from(vout).map_or(true, |v| v >= tx.output.len()) {
            return not_found("Output not found");
        }
        let outpoint = OutPoint {
            txid: tx.compute_txid(),
            vout,
        };
        Json(shapes::outspend(engine, &outpoint)).into_response()
    })
}

async fn tx_outspends(State(shared): AppState, Path(txid): Path<String>) -> Response {
    with_tx(&shared, &txid, |engine, tx| {
        let txid = tx.compute_txid();
        let spends: Vec<Value> = (0..tx.output.len())
            .filter_map(|v| u32::try_from(v).ok())
            .map(|vout| shapes::outspend(engine, &OutPoint { txid, vout }))
            .collect();
        Json(spends).into_response()
    })
}

async fn tx_merkle_proof(State(shared): AppState, Path(txid): Path<String>) -> Response {
    let txid = match parse_txid(&txid) {
        Ok(t) => t,
        Err(r) => return r.into_response(),
    };
    let engine = shared.lock();
    let Some((_, loc)) = engine.state.transaction(&txid) else {
        return not_found("Transaction not found");
    };
    match engine.state.entry_at(loc.height) {
        Some(entry) => Json(shapes::merkle_proof(entry, loc.index)).into_response(),
        None => not_found("Transaction not found"),
    }
}

async fn mempool(State(shared): AppState) -> Response {
    let engine = shared.lock();
    let (vsize, fee) = engine.pool.ordered().fold((0u64, 0u64), |(v, f), e| {
        (v.saturating_add(e.vsize), f.saturating_add(e.fee.to_sat()))
    });
    Json(json!({"count": engine.pool.len(), "vsize": vsize, "total_fee": fee, "fee_histogram": []}))
        .into_response()
}

async fn mempool_txids(State(shared): AppState) -> Response {
    let engine = shared.lock();
    Json(
        engine
            .pool
            .ordered()
            .map(|e| e.txid.to_string())
            .collect::<Vec<_>>(),
    )
    .into_response()
}

async fn mempool_recent(State(shared): AppState) -> Response {
    let engine = shared.lock();
    let recent: Vec<Value> = engine
        .pool
        .ordered()
        .rev()
        .take(10)
        .map(|e| {
            let value: u64 = e.tx.output.iter().map(|o| o.value.to_sat()).fold(0, u64::saturating_add);
            json!({"txid": e.txid.to_string(), "fee": e.fee.to_sat(), "vsize": e.vsize, "value": value})
        })
        .collect();
    Json(recent).into_response()
}

async fn fee_estimates() -> Response {
    // The same constant estimate as `estimatesmartfee`, in sat/vB.
    let map: serde_json::Map<String, Value> = (1..=25u32)
        .chain([144, 504, 1008])
        .map(|target| (target.to_string(), json!(ESTIMATED_SAT_PER_VB)))
        .collect();
    Json(Value::Object(map)).into_response()
}
