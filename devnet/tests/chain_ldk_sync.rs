//! The chain server driven by LDK's own block-sync client (`lightning-block-sync`, the RPC client
//! LDK Node 0.7.1 uses): initial listener sync from genesis, polling new tips (header walk-back,
//! PoW, merkle root and witness commitment validation), the gossip UTXO lookups, broadcasting.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod chain_support;

use std::sync::Mutex;

use base64::Engine as _;
use bitcoin::block::Header;
use bitcoin::blockdata::constants::genesis_block;
use bitcoin::consensus::encode::serialize_hex;
use bitcoin::{Amount, BlockHash, Network, OutPoint, Transaction, Txid};
use chain_support::{pay, start, Key};
use lightning::chain::transaction::TransactionData;
use lightning::chain::{BestBlock, Listen};
use lightning_block_sync::gossip::UtxoSource;
use lightning_block_sync::http::HttpEndpoint;
use lightning_block_sync::init::synchronize_listeners;
use lightning_block_sync::poll::{ChainPoller, ChainTip};
use lightning_block_sync::rpc::{RpcClient, RpcError};
use lightning_block_sync::{SpvClient, UnboundedCache};
use serde_json::json;

/// Records every block LDK connects.
#[derive(Default)]
struct Recorder {
    blocks: Mutex<Vec<(u32, BlockHash, usize)>>,
}

impl Listen for Recorder {
    fn filtered_block_connected(&self, header: &Header, txdata: &TransactionData, height: u32) {
        self.blocks
            .lock()
            .unwrap()
            .push((height, header.block_hash(), txdata.len()));
    }

    fn blocks_disconnected(&self, fork_point: BestBlock) {
        panic!("unexpected reorg to {}", fork_point.height);
    }
}

fn client(server: &etrid_devnet::chain::ChainServer) -> RpcClient {
    let credentials = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        server.rpc_user(),
        server.rpc_password()
    ));
    let endpoint =
        HttpEndpoint::for_host("127.0.0.1".to_string()).with_port(server.rpc_addr().port());
    RpcClient::new(&credentials, endpoint)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ldk_block_sync_follows_the_chain_from_genesis() {
    let server = start().await;
    let rpc = client(&server);
    let recorder = Recorder::default();
    let mut cache = UnboundedCache::new();
    let genesis = genesis_block(Network::Regtest).block_hash();
    // A fresh node that knew only genesis (as when the server was down at build time).
    let tip = synchronize_listeners(
        &rpc,
        Network::Regtest,
        &mut cache,
        vec![(genesis, &recorder)],
    )
    .await
    .unwrap();
    assert_eq!(tip.to_best_block(), BestBlock::new(server.tip_hash(), 101));
    {
        let blocks = recorder.blocks.lock().unwrap();
        assert_eq!(blocks.len(), 101);
        assert!(blocks
            .iter()
            .enumerate()
            .all(|(i, b)| b.0 as usize == i + 1));
    }

    let key = Key::new(60);
    let funding = server
        .fund(&key.address, Amount::from_sat(300_000))
        .unwrap();
    let mined = server.mine(3, None).unwrap();
    let poller = ChainPoller::new(&rpc, Network::Regtest);
    let mut spv = SpvClient::new(tip, poller, &mut cache, &recorder);
    let (chain_tip, connected) = spv.poll_best_tip().await.unwrap();
    assert!(connected);
    assert!(
        matches!(chain_tip, ChainTip::Better(h) if h.to_best_block() == BestBlock::new(mined[2], 104))
    );
    let (chain_tip, connected) = spv.poll_best_tip().await.unwrap();
    assert!(matches!(chain_tip, ChainTip::Common) && !connected);
    {
        let blocks = recorder.blocks.lock().unwrap();
        assert_eq!(blocks.len(), 104);
        assert_eq!(
            blocks[101],
            (102, mined[0], 2),
            "coinbase + funding tx connected"
        );
    }

    // Gossip verification lookups (channel announcements).
    assert_eq!(rpc.get_block_hash_by_height(102).await.unwrap(), mined[0]);
    let coin = OutPoint {
        txid: funding,
        vout: 0,
    };
    assert!(rpc.is_output_unspent(coin).await.unwrap());
    assert!(!rpc
        .is_output_unspent(OutPoint {
            txid: funding,
            vout: 9
        })
        .await
        .unwrap());

    // Broadcasting and fetching like LDK Node's chain source.
    let (funding_tx, _) = server.transaction(&funding).unwrap();
    let spend = pay(&key, (coin, &funding_tx.output[0]), &key.script, 1_000);
    let txid: Txid = rpc
        .call_method("sendrawtransaction", &[json!(serialize_hex(&spend))])
        .await
        .unwrap();
    assert_eq!(txid, spend.compute_txid());
    let fetched: Transaction = rpc
        .call_method("getrawtransaction", &[json!(txid.to_string())])
        .await
        .unwrap();
    assert_eq!(fetched, spend);
    let conflict = pay(&key, (coin, &funding_tx.output[0]), &key.script, 500);
    let err = rpc
        .call_method::<Txid>("sendrawtransaction", &[json!(serialize_hex(&conflict))])
        .await
        .unwrap_err();
    let rpc_error = err
        .get_ref()
        .and_then(|e| e.downcast_ref::<RpcError>())
        .expect("an RPC error");
    assert_eq!(rpc_error.code, -26);
    let missing = rpc
        .call_method::<Transaction>("getrawtransaction", &[json!("00".repeat(32))])
        .await
        .unwrap_err();
    assert_eq!(
        missing
            .get_ref()
            .and_then(|e| e.downcast_ref::<RpcError>())
            .unwrap()
            .code,
        -5
    );
    let fee: serde_json::Value = rpc
        .call_method("estimatesmartfee", &[json!(6), json!("ECONOMICAL")])
        .await
        .unwrap();
    assert!(fee["errors"].is_null());
    assert_eq!(
        (fee["feerate"].as_f64().unwrap() * 25_000_000.0).round(),
        500.0
    );

    server.mine(1, None).unwrap();
    let (_, connected) = spv.poll_best_tip().await.unwrap();
    assert!(connected);
    assert!(
        !rpc.is_output_unspent(coin).await.unwrap(),
        "spent after confirmation"
    );
    assert_eq!(recorder.blocks.lock().unwrap().last().unwrap().2, 2);
    server.shutdown().await;
}
