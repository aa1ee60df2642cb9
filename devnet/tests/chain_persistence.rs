//! Persistence: a server restarted on the same data_dir replays its block file and comes back
//! with the same tip, UTXOs and indexes; the mempool is dropped.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod chain_support;

use bitcoin::Amount;
use chain_support::{funded, get_json, Key, Rpc};
use etrid_devnet::chain::{ChainConfig, ChainServer};
use serde_json::json;

fn config(dir: &std::path::Path) -> ChainConfig {
    ChainConfig {
        data_dir: Some(dir.to_path_buf()),
        ..ChainConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_keeps_tip_and_utxos() {
    let dir = tempfile::tempdir().unwrap();
    let key = Key::new(40);
    let server = ChainServer::start(config(dir.path())).await.unwrap();
    let (coin, _) = funded(&server, &key.address, 700_000);
    server.mine(5, Some(&key.address)).unwrap();
    let unconfirmed = server.fund(&key.address, Amount::from_sat(1_000)).unwrap();
    let tip = server.tip_hash();
    let height = server.height();
    let balance = server.balance_of(&key.script);
    let utxos = get_json(&format!(
        "{}/address/{}/utxo",
        server.esplora_url(),
        key.address
    ))
    .await;
    server.shutdown().await;

    let server = ChainServer::start(config(dir.path())).await.unwrap();
    assert_eq!(server.height(), height, "no extra blocks mined on restart");
    assert_eq!(server.tip_hash(), tip);
    assert_eq!(server.balance_of(&key.script), balance);
    assert!(
        server.mempool_txids().is_empty(),
        "mempool is not persisted"
    );
    assert!(server.transaction(&unconfirmed).is_none());
    assert_eq!(server.transaction(&coin.txid).unwrap().1, Some(102));
    let after = get_json(&format!(
        "{}/address/{}/utxo",
        server.esplora_url(),
        key.address
    ))
    .await;
    let confirmed: Vec<_> = utxos
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["status"]["confirmed"] == true)
        .cloned()
        .collect();
    assert_eq!(after, json!(confirmed));
    let rpc = Rpc::new(&server);
    let out = rpc.ok("gettxout", json!([coin.txid.to_string(), 0])).await;
    assert_eq!(out["value"].as_f64(), Some(0.007));
    // The faucet's replayed coins are still spendable, and new blocks append.
    funded(&server, &key.address, 5_000);
    let tip2 = server.tip_hash();
    server.shutdown().await;

    let server = ChainServer::start(config(dir.path())).await.unwrap();
    assert_eq!(server.tip_hash(), tip2);
    assert_eq!(server.height(), height + 1);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_block_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("blocks.dat"),
        b"certainly not a block file for regtest",
    )
    .unwrap();
    let err = ChainServer::start(config(dir.path())).await.unwrap_err();
    assert_eq!(err.code(), "chain_store_corrupt");
}
