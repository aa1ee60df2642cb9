//! The Esplora REST subset over real HTTP: the shapes of each endpoint (Blockstream's API and
//! what rust-esplora-client parses), 404s, and `POST /tx` acceptance and rejection.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod chain_support;

use std::str::FromStr;

use bitcoin::block::Header;
use bitcoin::blockdata::constants::genesis_block;
use bitcoin::consensus::deserialize;
use bitcoin::hashes::{sha256, sha256d, Hash, HashEngine};
use bitcoin::hex::FromHex;
use bitcoin::{Amount, Network, Transaction, TxMerkleNode};
use chain_support::{funded, get, get_json, pay, start, Key};
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn esplora_tip_and_blocks() {
    let server = start().await;
    let base = server.esplora_url();
    assert!(!base.ends_with('/'));
    let (status, ctype, body) = get(&format!("{base}/blocks/tip/height")).await;
    assert_eq!((status, body.as_str()), (200, "101"));
    assert!(ctype.starts_with("text/plain"));
    let (_, _, tip) = get(&format!("{base}/blocks/tip/hash")).await;
    assert_eq!(tip, server.tip_hash().to_string());
    let genesis = genesis_block(Network::Regtest).block_hash();
    assert_eq!(
        get(&format!("{base}/block-height/0")).await.2,
        genesis.to_string()
    );
    assert_eq!(get(&format!("{base}/block-height/101")).await.2, tip);
    assert_eq!(get(&format!("{base}/block-height/102")).await.0, 404);
    let (status, _, header_hex) = get(&format!("{base}/block/{tip}/header")).await;
    assert_eq!(status, 200);
    let header: Header = deserialize(&Vec::<u8>::from_hex(&header_hex).unwrap()).unwrap();
    assert_eq!(header.block_hash().to_string(), tip);
    assert_eq!(
        get(&format!("{base}/block/{}/header", "00".repeat(32)))
            .await
            .0,
        404
    );
    let summary = get_json(&format!("{base}/block/{tip}")).await;
    assert_eq!(summary["id"], tip);
    assert_eq!(summary["height"], 101);
    assert_eq!(summary["tx_count"], 1);
    assert_eq!(summary["bits"], 0x207f_ffff);
    let status = get_json(&format!("{base}/block/{genesis}/status")).await;
    assert_eq!(status["in_best_chain"], true);
    assert_eq!(status["height"], 0);
    let blocks = get_json(&format!("{base}/blocks")).await;
    assert_eq!(blocks.as_array().unwrap().len(), 10);
    assert_eq!(blocks[0]["id"], tip);
    assert_eq!(
        get_json(&format!("{base}/blocks/0")).await[0]["previousblockhash"],
        Value::Null
    );
    let txids = get_json(&format!("{base}/block/{tip}/txids")).await;
    assert_eq!(txids.as_array().unwrap().len(), 1);
    let raw = reqwest::get(format!("{base}/block/{tip}/raw"))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let block: bitcoin::Block = deserialize(&raw).unwrap();
    assert_eq!(block.block_hash().to_string(), tip);
    let fees = get_json(&format!("{base}/fee-estimates")).await;
    assert_eq!(fees["6"].as_f64(), Some(2.0));
    assert_eq!(fees["1008"].as_f64(), Some(2.0));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn esplora_transaction_shapes() {
    let server = start().await;
    let base = server.esplora_url();
    let key = Key::new(30);
    let txid = server
        .fund(&key.address, Amount::from_sat(123_456))
        .unwrap();
    let tx = get_json(&format!("{base}/tx/{txid}")).await;
    assert_eq!(tx["txid"], txid.to_string());
    assert_eq!(tx["version"], 2);
    assert_eq!(tx["locktime"], 0);
    assert_eq!(tx["status"], json!({"confirmed": false}));
    let vin = &tx["vin"][0];
    assert_eq!(vin["is_coinbase"], false);
    assert_eq!(vin["scriptsig"], "");
    assert_eq!(vin["witness"].as_array().unwrap().len(), 2);
    assert_eq!(vin["sequence"], 0xffff_fffd_u32);
    let faucet = server.faucet_address();
    assert_eq!(vin["prevout"]["scriptpubkey_address"], faucet.to_string());
    assert_eq!(vin["prevout"]["scriptpubkey_type"], "v0_p2wpkh");
    assert!(vin["prevout"]["value"].as_u64().unwrap() >= 123_456);
    let vout = &tx["vout"][0];
    assert_eq!(vout["value"], 123_456);
    assert_eq!(vout["scriptpubkey_address"], key.address.to_string());
    let spk_hex = key
        .script
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    assert_eq!(vout["scriptpubkey"], spk_hex);
    let inputs = vin["prevout"]["value"].as_u64().unwrap();
    let outputs: u64 = tx["vout"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["value"].as_u64().unwrap())
        .sum();
    assert_eq!(tx["fee"].as_u64().unwrap(), inputs - outputs);
    let weight = tx["weight"].as_u64().unwrap();
    assert!(tx["size"].as_u64().unwrap() < weight);

    let hash = server.mine(1, None).unwrap()[0];
    let status = get_json(&format!("{base}/tx/{txid}/status")).await;
    assert_eq!(status["confirmed"], true);
    assert_eq!(status["block_height"], 102);
    assert_eq!(status["block_hash"], hash.to_string());
    assert!(status["block_time"].as_u64().unwrap() > 1_600_000_000);
    assert_eq!(
        get_json(&format!("{base}/tx/{txid}")).await["status"],
        status
    );
    let (code, _, hex) = get(&format!("{base}/tx/{txid}/hex")).await;
    assert_eq!(code, 200);
    let decoded: Transaction = deserialize(&Vec::<u8>::from_hex(&hex).unwrap()).unwrap();
    assert_eq!(decoded.compute_txid(), txid);
    let raw = reqwest::get(format!("{base}/tx/{txid}/raw"))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(deserialize::<Transaction>(&raw).unwrap(), decoded);
    // Unknown transactions: 404 for the object, unconfirmed status (as electrs).
    let unknown = "cd".repeat(32);
    let (code, _, body) = get(&format!("{base}/tx/{unknown}")).await;
    assert_eq!((code, body.as_str()), (404, "Transaction not found"));
    assert_eq!(
        get_json(&format!("{base}/tx/{unknown}/status")).await,
        json!({"confirmed": false})
    );
    assert_eq!(get(&format!("{base}/tx/nothex")).await.0, 400);

    // Coinbase shape.
    let block = get_json(&format!("{base}/block/{hash}/txids")).await;
    let coinbase = get_json(&format!("{base}/tx/{}", block[0].as_str().unwrap())).await;
    assert_eq!(coinbase["vin"][0]["is_coinbase"], true);
    assert_eq!(coinbase["vin"][0]["prevout"], Value::Null);
    assert_eq!(coinbase["vin"][0]["txid"], "00".repeat(32));
    assert_eq!(coinbase["vin"][0]["vout"], 4_294_967_295_u32);
    assert_eq!(coinbase["fee"], 0);

    // Merkle proof rebuilds the header's merkle root.
    let proof = get_json(&format!("{base}/tx/{txid}/merkle-proof")).await;
    assert_eq!(proof["block_height"], 102);
    let mut node = txid.to_raw_hash();
    let mut pos = proof["pos"].as_u64().unwrap();
    for sibling in proof["merkle"].as_array().unwrap() {
        let sibling = TxMerkleNode::from_str(sibling.as_str().unwrap())
            .unwrap()
            .to_raw_hash();
        let mut engine = sha256d::Hash::engine();
        if pos % 2 == 0 {
            engine.input(node.as_byte_array());
            engine.input(sibling.as_byte_array());
        } else {
            engine.input(sibling.as_byte_array());
            engine.input(node.as_byte_array());
        }
        node = sha256d::Hash::from_engine(engine);
        pos /= 2;
    }
    let header_hex = get(&format!("{base}/block/{hash}/header")).await.2;
    let header: Header = deserialize(&Vec::<u8>::from_hex(&header_hex).unwrap()).unwrap();
    assert_eq!(TxMerkleNode::from_raw_hash(node), header.merkle_root);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn esplora_address_history_utxos_and_outspends() {
    let server = start().await;
    let base = server.esplora_url();
    let key = Key::new(31);
    let a = server.fund(&key.address, Amount::from_sat(10_000)).unwrap();
    let b = server.fund(&key.address, Amount::from_sat(20_000)).unwrap();
    server.mine(1, None).unwrap();
    let c = server.fund(&key.address, Amount::from_sat(30_000)).unwrap();
    let txs = get_json(&format!("{base}/address/{}/txs", key.address)).await;
    let ids: Vec<&str> = txs
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["txid"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [c.to_string(), b.to_string(), a.to_string()],
        "mempool first, newest first"
    );
    let chain = get_json(&format!("{base}/address/{}/txs/chain", key.address)).await;
    assert_eq!(chain.as_array().unwrap().len(), 2);
    let after = get_json(&format!("{base}/address/{}/txs/chain/{b}", key.address)).await;
    assert_eq!(after[0]["txid"], a.to_string());
    let mempool = get_json(&format!("{base}/address/{}/txs/mempool", key.address)).await;
    assert_eq!(mempool[0]["txid"], c.to_string());
    let utxos = get_json(&format!("{base}/address/{}/utxo", key.address)).await;
    assert_eq!(utxos.as_array().unwrap().len(), 3);
    let total: u64 = utxos
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["value"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 60_000);
    for u in utxos.as_array().unwrap() {
        assert!(
            u["txid"].is_string() && u["vout"].is_u64() && u["status"]["confirmed"].is_boolean()
        );
    }
    let stats = get_json(&format!("{base}/address/{}", key.address)).await;
    assert_eq!(stats["address"], key.address.to_string());
    assert_eq!(stats["chain_stats"]["funded_txo_count"], 2);
    assert_eq!(stats["chain_stats"]["funded_txo_sum"], 30_000);
    assert_eq!(stats["mempool_stats"]["tx_count"], 1);
    // The same through the script hash (forward hex SHA256 of the script).
    let scripthash = sha256::Hash::hash(key.script.as_bytes());
    let by_hash = get_json(&format!("{base}/scripthash/{scripthash:x}/utxo")).await;
    assert_eq!(by_hash, utxos);
    let none = get_json(&format!("{base}/scripthash/{}/txs", "11".repeat(32))).await;
    assert_eq!(none, json!([]));
    assert_eq!(
        get(&format!("{base}/address/notanaddress/utxo")).await.0,
        400
    );

    // Spending one output: outspend and utxo views follow the mempool.
    let (tx_a, _) = server.transaction(&a).unwrap();
    let spend = pay(
        &key,
        (bitcoin::OutPoint { txid: a, vout: 0 }, &tx_a.output[0]),
        &key.script,
        500,
    );
    let spend_id = server.submit_transaction(&spend).unwrap();
    let outspend = get_json(&format!("{base}/tx/{a}/outspend/0")).await;
    assert_eq!(outspend["spent"], true);
    assert_eq!(outspend["txid"], spend_id.to_string());
    assert_eq!(outspend["vin"], 0);
    assert_eq!(
        get_json(&format!("{base}/tx/{a}/outspend/1")).await["spent"],
        false
    );
    assert_eq!(
        get_json(&format!("{base}/tx/{a}/outspends"))
            .await
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let utxos = get_json(&format!("{base}/address/{}/utxo", key.address)).await;
    assert!(utxos
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["txid"] != a.to_string()));
    server.mine(1, None).unwrap();
    let outspend = get_json(&format!("{base}/tx/{a}/outspend/0")).await;
    assert_eq!(outspend["status"]["confirmed"], true);
    let mempool = get_json(&format!("{base}/mempool")).await;
    assert_eq!(mempool["count"], 0);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn esplora_broadcast_accepts_and_rejects() {
    let server = start().await;
    let base = server.esplora_url();
    let key = Key::new(32);
    let (coin, txout) = funded(&server, &key.address, 100_000);
    let client = reqwest::Client::new();
    let tx = pay(&key, (coin, &txout), &key.script, 1_000);
    let hex = bitcoin::consensus::encode::serialize_hex(&tx);
    let response = client
        .post(format!("{base}/tx"))
        .body(hex.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.text().await.unwrap(),
        tx.compute_txid().to_string()
    );
    assert_eq!(
        get_json(&format!("{base}/mempool/txids")).await,
        json!([tx.compute_txid().to_string()])
    );
    // A conflicting lower-fee spend: 400 with bitcoind's reason.
    let worse = pay(&key, (coin, &txout), &key.address.script_pubkey(), 500);
    let body = bitcoin::consensus::encode::serialize_hex(&worse);
    let response = client
        .post(format!("{base}/tx"))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let text = response.text().await.unwrap();
    assert!(text.starts_with("sendrawtransaction RPC error: "), "{text}");
    assert!(
        text.contains("\"code\":-26") && text.contains("txn-mempool-conflict"),
        "{text}"
    );
    let response = client
        .post(format!("{base}/tx"))
        .body("nothex")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    assert!(response.text().await.unwrap().contains("-22"));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn esplora_survives_junk_paths() {
    let server = start().await;
    let base = server.esplora_url();
    let junk = [
        "/tx/zz",
        "/tx/00",
        "/tx//status",
        "/tx/%00/hex",
        "/block/xyz",
        "/block/xyz/header",
        "/block-height/-1",
        "/block-height/99999999999",
        "/blocks/abc",
        "/blocks/4294967295",
        "/block/00/txs/7",
        "/address/bc1qxyz/utxo",
        "/address//txs",
        "/scripthash/zz/utxo",
        "/scripthash/00/txs",
        "/tx/ab/outspend/zz",
        "/nothing",
        "/",
    ];
    for path in junk {
        let (status, _, _) = get(&format!("{base}{path}")).await;
        assert!([200, 400, 404].contains(&status), "{path}: {status}");
    }
    let genesis = genesis_block(Network::Regtest).block_hash();
    let (status, _, _) = get(&format!("{base}/block/{genesis}/txs/25")).await;
    assert_eq!(status, 200);
    let (status, _, _) = get(&format!("{base}/block/{genesis}/txid/9")).await;
    assert_eq!(status, 404);
    assert_eq!(get(&format!("{base}/blocks/tip/height")).await.2, "101");
    server.shutdown().await;
}

/// The SDK's chain source (`etrid_core::chain::EsploraChain` over its native transport), the one
/// swaps rely on, against this server: tip, an address's transactions with heights, a spender
/// found through its outspend, fee rates, a broadcast accepted and one refused with the reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sdks_esplora_chain_source_reads_and_broadcasts() {
    use etrid_core::chain::{ChainError, ChainSource, EsploraChain};
    use etrid_core::native::{ReqwestTransport, TokioTimer};

    let server = start().await;
    let chain = EsploraChain::new(
        &server.esplora_url(),
        ReqwestTransport::new().unwrap(),
        TokioTimer,
    );
    assert_eq!(chain.tip_height().await.unwrap(), 101);
    let key = Key::new(3);
    let (outpoint, txout) = funded(&server, &key.address, 50_000);
    let address = key.address.to_string();
    let found = chain.address_transactions(&address).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].tx.compute_txid(), outpoint.txid);
    assert_eq!(found[0].confirmed_height, Some(102));
    assert_eq!(found[0].confirmations(102), 1);
    assert_eq!(chain.spender(outpoint).await.unwrap(), None);
    assert!(chain.fee_rate_sat_per_vb(6).await.unwrap() >= 1);

    let spend = pay(
        &key,
        (outpoint, &txout),
        &Key::new(4).address.script_pubkey(),
        500,
    );
    assert_eq!(chain.broadcast(&spend).await.unwrap(), spend.compute_txid());
    let spender = chain
        .spender(outpoint)
        .await
        .unwrap()
        .expect("spent in the mempool");
    assert_eq!(
        (spender.tx.clone(), spender.confirmed_height),
        (spend.clone(), None)
    );
    let listed = chain.address_transactions(&address).await.unwrap();
    assert_eq!(listed.len(), 2, "the funding and the spend");
    assert_eq!(
        chain
            .transaction(spend.compute_txid())
            .await
            .unwrap()
            .map(|t| t.tx),
        Some(spend.clone())
    );
    let unknown = pay(
        &Key::new(5),
        (outpoint, &txout),
        &Key::new(4).address.script_pubkey(),
        1,
    );
    assert_eq!(
        chain.transaction(unknown.compute_txid()).await.unwrap(),
        None
    );
    match chain.broadcast(&unknown).await {
        Err(ChainError::Rejected { reason }) => assert!(!reason.is_empty()),
        other => panic!("a double spend with a bad signature must be refused: {other:?}"),
    }
}
