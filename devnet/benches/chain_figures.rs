//! Figures of the chain server, printed: start with 101 blocks, mining empty and full blocks,
//! faucet payments, RPC and Esplora round trips, replay on restart.
//! Run with `cargo bench -p etrid-devnet --bench chain_figures`. A benchmark, not a timed test:
//! it asserts only correctness, never speed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/chain_support/mod.rs"]
mod chain_support;

use std::time::{Duration, Instant};

use bitcoin::Amount;
use chain_support::{Key, Rpc};
use etrid_devnet::chain::{ChainConfig, ChainServer};
use serde_json::json;

fn per(total: Duration, n: u32) -> Duration {
    total / n
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let started = Instant::now();
    let server = ChainServer::start(ChainConfig::default()).await.unwrap();
    let start = started.elapsed();
    println!("start (in memory, 101 blocks mined): {start:?}");

    let t = Instant::now();
    server.mine(100, None).unwrap();
    let empty = per(t.elapsed(), 100);
    println!("mine an empty block: {empty:?}");

    let key = Key::new(50);
    let t = Instant::now();
    for _ in 0..20 {
        server
            .fund(&key.address, Amount::from_sat(100_000))
            .unwrap();
    }
    let fund = per(t.elapsed(), 20);
    println!("faucet payment (sign + full mempool validation): {fund:?}");
    let t = Instant::now();
    server.mine(1, None).unwrap();
    let full = t.elapsed();
    println!("mine a block with 20 transactions: {full:?}");

    let rpc = Rpc::new(&server);
    rpc.ok("getblockchaininfo", json!([])).await;
    let t = Instant::now();
    for _ in 0..200 {
        rpc.ok("getblockchaininfo", json!([])).await;
    }
    let round_trip = per(t.elapsed(), 200);
    println!("RPC getblockchaininfo round trip (reqwest, keep-alive): {round_trip:?}");
    let tip = server.tip_hash().to_string();
    let t = Instant::now();
    for _ in 0..100 {
        rpc.ok("getblock", json!([tip, 0])).await;
    }
    println!(
        "RPC getblock (21 txs, verbosity 0): {:?}",
        per(t.elapsed(), 100)
    );
    let t = Instant::now();
    for _ in 0..100 {
        rpc.ok("getblockheader", json!([tip])).await;
    }
    println!("RPC getblockheader: {:?}", per(t.elapsed(), 100));

    let txid = server.fund(&key.address, Amount::from_sat(1_000)).unwrap();
    let client = reqwest::Client::new();
    let url = format!("{}/tx/{txid}", server.esplora_url());
    client.get(&url).send().await.unwrap();
    let t = Instant::now();
    for _ in 0..100 {
        assert!(client.get(&url).send().await.unwrap().status().is_success());
    }
    println!("Esplora GET /tx/:txid: {:?}", per(t.elapsed(), 100));
    server.shutdown().await;

    let dir = tempfile::tempdir().unwrap();
    let config = ChainConfig {
        data_dir: Some(dir.path().to_path_buf()),
        ..ChainConfig::default()
    };
    let t = Instant::now();
    let server = ChainServer::start(config.clone()).await.unwrap();
    println!(
        "start with a fresh data_dir (101 blocks mined and written): {:?}",
        t.elapsed()
    );
    server.mine(400, None).unwrap();
    server.shutdown().await;
    let t = Instant::now();
    let server = ChainServer::start(config).await.unwrap();
    let replay = t.elapsed();
    println!("restart replaying 501 blocks: {replay:?}");
    assert_eq!(server.height(), 501);
    server.shutdown().await;
}
