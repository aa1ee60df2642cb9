//! The JSON-RPC server over real loopback HTTP: every method LDK Node calls, with the result
//! shapes its block sync parses (CHAIN_RPC.md), bitcoind's error codes, auth and keep-alive.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod chain_support;

use std::str::FromStr;

use bitcoin::block::{Header, Version as BlockVersion};
use bitcoin::blockdata::constants::genesis_block;
use bitcoin::consensus::deserialize;
use bitcoin::hex::FromHex;
use bitcoin::pow::{CompactTarget, Target};
use bitcoin::{Amount, Block, BlockHash, Network, Transaction, TxMerkleNode, Txid};
use chain_support::{start, Key, Rpc};
use serde_json::{json, Value};
use std::io::{Read, Write};

fn hex_bytes(v: &Value) -> Vec<u8> {
    Vec::<u8>::from_hex(v.as_str().expect("hex string")).expect("hex")
}

/// Rebuilds a header from `getblockheader` fields exactly as lightning-block-sync does.
fn header_from_json(v: &Value) -> Header {
    let prev = match v.get("previousblockhash") {
        Some(p) => BlockHash::from_str(p.as_str().unwrap()).unwrap(),
        None => BlockHash::from_str(&"00".repeat(32)).unwrap(),
    };
    let bits = v["bits"].as_str().unwrap();
    assert_eq!(bits.len(), 8, "bits is 8 hex chars");
    Header {
        version: BlockVersion::from_consensus(
            i32::try_from(v["version"].as_i64().unwrap()).unwrap(),
        ),
        prev_blockhash: prev,
        merkle_root: TxMerkleNode::from_str(v["merkleroot"].as_str().unwrap()).unwrap(),
        time: u32::try_from(v["time"].as_u64().unwrap()).unwrap(),
        bits: CompactTarget::from_consensus(u32::from_str_radix(bits, 16).unwrap()),
        nonce: u32::try_from(v["nonce"].as_u64().unwrap()).unwrap(),
    }
}

fn chainwork(v: &Value) -> u128 {
    let s = v["chainwork"].as_str().unwrap();
    assert_eq!(s.len(), 64, "chainwork is exactly 64 hex chars");
    assert!(s[..32].chars().all(|c| c == '0'));
    u128::from_str_radix(&s[32..], 16).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rpc_blockchain_info_and_headers_match_ldk_block_sync() {
    let server = start().await;
    let rpc = Rpc::new(&server);
    let info = rpc.ok("getblockchaininfo", json!([])).await;
    assert_eq!(info["chain"], "regtest");
    assert_eq!(info["blocks"], 101);
    assert_eq!(info["bestblockhash"], server.tip_hash().to_string());

    let genesis = genesis_block(Network::Regtest).block_hash();
    let g = rpc.ok("getblockheader", json!([genesis.to_string()])).await;
    assert!(
        g.get("previousblockhash").is_none(),
        "genesis has no previousblockhash"
    );
    assert_eq!(g["chainwork"], format!("{:064x}", 2));
    assert_eq!(g["bits"], "207fffff");
    assert_eq!(g["height"], 0);
    assert_eq!(header_from_json(&g).block_hash(), genesis);
    assert_eq!(
        rpc.ok("getblockhash", json!([0])).await,
        genesis.to_string()
    );

    // Walk back from the tip like check_builds_on: hashes, heights, chainwork and PoW agree.
    let mut hash = BlockHash::from_str(info["bestblockhash"].as_str().unwrap()).unwrap();
    let mut child: Option<(Header, u64, u128)> = None;
    for expected_height in (95..=101u64).rev() {
        let v = rpc.ok("getblockheader", json!([hash.to_string()])).await;
        let header = header_from_json(&v);
        assert_eq!(header.block_hash(), hash);
        assert!(header
            .validate_pow(Target::from_compact(header.bits))
            .is_ok());
        assert_eq!(v["height"].as_u64(), Some(expected_height));
        let work = chainwork(&v);
        assert_eq!(work, 2 * (u128::from(expected_height) + 1));
        if let Some((c, ch, cw)) = child {
            assert_eq!(c.prev_blockhash, hash);
            assert_eq!(ch, expected_height + 1);
            assert_eq!(cw, work + 2);
            assert!(c.time > header.time, "timestamps increase");
        }
        assert_eq!(
            rpc.ok("getblockhash", json!([expected_height])).await,
            hash.to_string()
        );
        child = Some((header, expected_height, work));
        hash = header.prev_blockhash;
    }
    let (code, msg) = rpc.call("getblockhash", json!([102])).await.unwrap_err();
    assert_eq!((code, msg.as_str()), (-8, "Block height out of range"));
    let (code, _) = rpc
        .call("getblockheader", json!(["11".repeat(32)]))
        .await
        .unwrap_err();
    assert_eq!(code, -5);
    let raw = rpc
        .ok("getblockheader", json!([genesis.to_string(), false]))
        .await;
    assert_eq!(
        deserialize::<Header>(&hex_bytes(&raw))
            .unwrap()
            .block_hash(),
        genesis
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rpc_getblock_hex_is_a_valid_block() {
    let server = start().await;
    let rpc = Rpc::new(&server);
    let key = Key::new(1);
    let txid = server
        .fund(&key.address, Amount::from_sat(250_000))
        .unwrap();
    let hash = server.mine(1, None).unwrap()[0];
    let hex = rpc.ok("getblock", json!([hash.to_string(), 0])).await;
    let block: Block = deserialize(&hex_bytes(&hex)).unwrap();
    assert_eq!(block.block_hash(), hash);
    assert!(block.check_merkle_root());
    assert!(block.check_witness_commitment());
    assert!(block
        .header
        .validate_pow(Target::from_compact(block.header.bits))
        .is_ok());
    assert_eq!(block.txdata.len(), 2);
    assert_eq!(block.txdata[1].compute_txid(), txid);
    assert!(
        !block.txdata[1].input[0].witness.is_empty(),
        "segwit spend in the block"
    );
    assert_eq!(block.bip34_block_height().unwrap(), 102);
    assert_eq!(block.header.bits.to_consensus(), 0x207f_ffff);
    // The coinbase pays subsidy plus the fee.
    assert!(block.txdata[0].output[0].value.to_sat() > 5_000_000_000);
    // Verbosity 1 lists txids.
    let v1 = rpc.ok("getblock", json!([hash.to_string()])).await;
    assert_eq!(v1["tx"][1], txid.to_string());
    assert_eq!(v1["height"], 102);
    let v2 = rpc.ok("getblock", json!([hash.to_string(), 2])).await;
    assert_eq!(v2["tx"][1]["txid"], txid.to_string());
    assert!(v2["tx"][1]["fee"].as_f64().unwrap() > 0.0);
    let (code, _) = rpc
        .call("getblock", json!(["00".repeat(32), 0]))
        .await
        .unwrap_err();
    assert_eq!(code, -5);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rpc_fee_and_mempool_shapes() {
    let server = start().await;
    let rpc = Rpc::new(&server);
    for (target, mode) in [
        (6, "ECONOMICAL"),
        (1, "CONSERVATIVE"),
        (1008, "ECONOMICAL"),
        (144, "ECONOMICAL"),
    ] {
        let fee = rpc.ok("estimatesmartfee", json!([target, mode])).await;
        assert!(fee.get("errors").is_none(), "no errors field at all");
        assert_eq!(fee["feerate"].as_f64(), Some(0.00002));
        assert!(fee["blocks"].as_u64().unwrap() >= 1);
    }
    let (code, _) = rpc.call("estimatesmartfee", json!([0])).await.unwrap_err();
    assert_eq!(code, -8);
    let info = rpc.ok("getmempoolinfo", json!([])).await;
    assert_eq!(info["mempoolminfee"].as_f64(), Some(0.00001));
    assert_eq!(info["size"], 0);
    assert_eq!(rpc.ok("getrawmempool", json!([false])).await, json!([]));

    let key = Key::new(2);
    let a = server
        .fund(&key.address, Amount::from_sat(100_000))
        .unwrap();
    let b = server
        .fund(&key.address, Amount::from_sat(200_000))
        .unwrap();
    let pool = rpc.ok("getrawmempool", json!([false])).await;
    assert_eq!(pool, json!([a.to_string(), b.to_string()]));
    let ea = rpc.ok("getmempoolentry", json!([a.to_string()])).await;
    let eb = rpc.ok("getmempoolentry", json!([b.to_string()])).await;
    assert!(
        eb["time"].as_u64().unwrap() > ea["time"].as_u64().unwrap(),
        "times strictly increase"
    );
    assert_eq!(ea["height"], 101);
    assert!(ea["vsize"].as_u64().unwrap() > 100);
    assert!(ea["fees"]["base"].as_f64().unwrap() > 0.0);
    let verbose = rpc.ok("getrawmempool", json!([true])).await;
    assert!(verbose[a.to_string()]["time"].is_u64());
    assert_eq!(rpc.ok("getmempoolinfo", json!([])).await["size"], 2);

    let hex = rpc.ok("getrawtransaction", json!([a.to_string()])).await;
    let tx: Transaction = deserialize(&hex_bytes(&hex)).unwrap();
    assert_eq!(tx.compute_txid(), a);
    let decoded = rpc
        .ok("getrawtransaction", json!([a.to_string(), true]))
        .await;
    assert_eq!(decoded["txid"], a.to_string());
    assert_eq!(
        decoded["vout"][0]["scriptPubKey"]["address"],
        key.address.to_string()
    );
    assert!(decoded.get("blockhash").is_none());
    // Rebroadcasting a mempool transaction succeeds with its txid (LDK rebroadcasts).
    let again = rpc.ok("sendrawtransaction", json!([hex])).await;
    assert_eq!(again, a.to_string());
    // gettxout: mempool output visible with include_mempool, not without.
    let unconfirmed = rpc.ok("gettxout", json!([a.to_string(), 0])).await;
    assert_eq!(unconfirmed["confirmations"], 0);
    assert_eq!(
        rpc.ok("gettxout", json!([a.to_string(), 0, false])).await,
        Value::Null
    );
    server.mine(1, None).unwrap();
    assert_eq!(rpc.ok("getrawmempool", json!([false])).await, json!([]));
    let out = rpc.ok("gettxout", json!([a.to_string(), 0, false])).await;
    assert_eq!(out["confirmations"], 1);
    assert_eq!(out["value"].as_f64(), Some(0.001));
    assert_eq!(out["scriptPubKey"]["type"], "witness_v0_keyhash");
    assert_eq!(out["coinbase"], false);
    assert_eq!(out["bestblock"], server.tip_hash().to_string());
    assert_eq!(
        rpc.ok("gettxout", json!([a.to_string(), 7, false])).await,
        Value::Null
    );
    let confirmed = rpc.ok("getrawtransaction", json!([a.to_string(), 1])).await;
    assert_eq!(confirmed["blockhash"], server.tip_hash().to_string());
    assert_eq!(confirmed["confirmations"], 1);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rpc_errors_use_bitcoind_codes_and_statuses() {
    let server = start().await;
    let rpc = Rpc::new(&server);
    let unknown = Txid::from_str(&"ab".repeat(32)).unwrap().to_string();
    let (code, msg) = rpc
        .call("getrawtransaction", json!([unknown]))
        .await
        .unwrap_err();
    assert_eq!(code, -5);
    assert!(msg.starts_with("No such mempool or blockchain transaction"));
    let (code, msg) = rpc
        .call("getmempoolentry", json!([unknown]))
        .await
        .unwrap_err();
    assert_eq!((code, msg.as_str()), (-5, "Transaction not in mempool"));
    let (code, msg) = rpc.call("getnothing", json!([])).await.unwrap_err();
    assert_eq!((code, msg.as_str()), (-32601, "Method not found"));
    let (code, _) = rpc
        .call("sendrawtransaction", json!(["zz"]))
        .await
        .unwrap_err();
    assert_eq!(code, -22);
    let (code, _) = rpc
        .call("sendrawtransaction", json!(["0200000000"]))
        .await
        .unwrap_err();
    assert_eq!(code, -22);
    let (code, msg) = rpc
        .call("getblockheader", json!(["abc"]))
        .await
        .unwrap_err();
    assert_eq!(code, -8);
    assert!(msg.contains("must be of length 64"));
    let (code, _) = rpc.call("getblockhash", json!(["1"])).await.unwrap_err();
    assert_eq!(code, -3);
    let (code, _) = rpc.call("getblockhash", json!([])).await.unwrap_err();
    assert_eq!(code, -1);

    let (status, body) = rpc
        .raw(
            r#"{"method":"getblockcount","params":[],"id":1}"#,
            "etrid",
            "wrong",
        )
        .await;
    assert_eq!(status, 401);
    assert!(body.is_empty());
    let (status, _) = rpc
        .raw(
            r#"{"method":"getblockcount","params":[],"id":1}"#,
            "nobody",
            "devnet",
        )
        .await;
    assert_eq!(status, 401);
    let (status, body) = rpc.raw("{not json", "etrid", "devnet").await;
    assert_eq!(status, 500);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["error"]["code"],
        -32700
    );
    // Batches and JSON-RPC 2.0 work too.
    let (status, body) = rpc
        .raw(
            r#"[{"method":"getblockcount","id":1},{"method":"nope","id":2}]"#,
            "etrid",
            "devnet",
        )
        .await;
    assert_eq!(status, 200);
    let replies: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(replies[0]["result"], 101);
    assert_eq!(replies[1]["error"]["code"], -32601);
    let (status, body) = rpc
        .raw(
            r#"{"jsonrpc":"2.0","method":"getblockcount","id":3}"#,
            "etrid",
            "devnet",
        )
        .await;
    assert_eq!(status, 200);
    let reply: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(reply["result"], 101);
    assert!(reply.get("error").is_none());
    // Named parameters.
    let genesis = genesis_block(Network::Regtest).block_hash().to_string();
    let named = rpc
        .ok(
            "getblockheader",
            json!({"blockhash": genesis, "verbose": true}),
        )
        .await;
    assert_eq!(named["height"], 0);
    let get = reqwest::get(format!("http://{}/", server.rpc_addr()))
        .await
        .unwrap();
    assert_eq!(get.status().as_u16(), 405);
    server.shutdown().await;
}

/// Reads one HTTP/1.1 response (status line, headers, Content-Length body) from `stream`.
fn read_response(stream: &mut std::net::TcpStream, buf: &mut Vec<u8>) -> (String, String) {
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8(buf[..end].to_vec()).unwrap();
            let len: usize = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().unwrap())
                })
                .expect("content-length header");
            assert!(len > 0, "Content-Length must be > 0");
            while buf.len() < end + 4 + len {
                let mut chunk = [0u8; 4096];
                let n = stream.read(&mut chunk).unwrap();
                assert!(n > 0, "connection closed mid-body");
                buf.extend_from_slice(&chunk[..n]);
            }
            let body = String::from_utf8(buf[end + 4..end + 4 + len].to_vec()).unwrap();
            buf.drain(..end + 4 + len);
            return (head, body);
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).unwrap();
        assert!(n > 0, "connection closed");
        buf.extend_from_slice(&chunk[..n]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rpc_keep_alive_serves_many_requests_on_one_connection() {
    let server = start().await;
    // Blocking std I/O on the test thread; the server runs on the runtime's workers.
    let mut stream = std::net::TcpStream::connect(server.rpc_addr()).unwrap();
    let auth = "ZXRyaWQ6ZGV2bmV0"; // base64("etrid:devnet")
    let mut buf = Vec::new();
    let started = std::time::Instant::now();
    let calls = 200;
    for i in 0..calls {
        let (method, params) = match i % 4 {
            0 => ("getblockchaininfo", json!([])),
            1 => ("estimatesmartfee", json!([6, "ECONOMICAL"])),
            2 => ("getrawmempool", json!([false])),
            _ => ("getblockheader", json!([server.tip_hash().to_string()])),
        };
        let body = json!({"method": method, "params": params, "id": i.to_string()}).to_string();
        // Exactly what lightning-block-sync writes.
        let request = format!(
            "POST / HTTP/1.1\r\nHost: {}\r\nAuthorization: Basic {auth}\r\nConnection: keep-alive\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            server.rpc_addr(),
            body.len()
        );
        stream.write_all(request.as_bytes()).unwrap();
        let (head, body) = read_response(&mut stream, &mut buf);
        assert!(
            head.starts_with("HTTP/1.1 200 OK\r\n"),
            "status line with reason: {head}"
        );
        let reply: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(reply["id"], i.to_string());
        assert!(reply["error"].is_null());
    }
    let per_call = started.elapsed() / calls;
    println!("keep-alive RPC round trip: {per_call:?} per call");
    assert!(per_call < std::time::Duration::from_millis(20));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rpc_generate_and_helpers() {
    let server = start().await;
    let rpc = Rpc::new(&server);
    let key = Key::new(3);
    let hashes = rpc
        .ok("generatetoaddress", json!([3, key.address.to_string()]))
        .await;
    assert_eq!(hashes.as_array().unwrap().len(), 3);
    assert_eq!(rpc.ok("getblockcount", json!([])).await, 104);
    assert_eq!(rpc.ok("getbestblockhash", json!([])).await, hashes[2]);
    assert_eq!(
        server.balance_of(&key.script),
        Amount::from_btc(150.0).unwrap()
    );
    let (code, _) = rpc
        .call("generatetoaddress", json!([1, "bc1qxyz"]))
        .await
        .unwrap_err();
    assert_eq!(code, -5);
    // A mainnet address is refused.
    let mainnet = bitcoin::Address::p2wpkh(&key.pubkey, Network::Bitcoin).to_string();
    let (code, msg) = rpc
        .call("generatetoaddress", json!([1, mainnet]))
        .await
        .unwrap_err();
    assert_eq!((code, msg.as_str()), (-5, "Error: Invalid address"));
    // The faucet over RPC.
    let txid = rpc
        .ok("sendtoaddress", json!([key.address.to_string(), 0.5]))
        .await;
    assert_eq!(rpc.ok("getrawmempool", json!([])).await, json!([txid]));
    let accept = rpc
        .ok(
            "testmempoolaccept",
            json!([[rpc.ok("getrawtransaction", json!([txid])).await]]),
        )
        .await;
    assert_eq!(accept[0]["txid"], txid);
    assert_eq!(accept[0]["allowed"], false);
    assert_eq!(accept[0]["reject-reason"], "txn-already-in-mempool");
    let decoded = rpc
        .ok(
            "decoderawtransaction",
            json!([rpc.ok("getrawtransaction", json!([txid])).await]),
        )
        .await;
    assert_eq!(decoded["txid"], txid);
    assert_eq!(rpc.ok("getchaintips", json!([])).await[0]["height"], 104);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rpc_answers_what_lnds_bitcoind_backend_asks() {
    let server = start().await;
    let rpc = Rpc::new(&server);
    // Taproot active (LND refuses a backend without it), at the tip.
    let deployments = rpc.ok("getdeploymentinfo", json!([])).await;
    assert_eq!(deployments["deployments"]["taproot"]["active"], true);
    assert_eq!(deployments["deployments"]["segwit"]["active"], true);
    assert_eq!(deployments["hash"], server.tip_hash().to_string());
    assert!(rpc.ok("uptime", json!([])).await.is_u64());
    assert_eq!(rpc.ok("getpeerinfo", json!([])).await, json!([]));
    // The mempool spend of an output, and none for an output nobody spends.
    let key = Key::new(3);
    let txid = server.fund(&key.address, Amount::from_sat(50_000)).unwrap();
    let hex = rpc.ok("getrawtransaction", json!([txid.to_string()])).await;
    let tx: Transaction = deserialize(&hex_bytes(&hex)).unwrap();
    let spent = tx.input[0].previous_output;
    let answer = rpc
        .ok(
            "gettxspendingprevout",
            json!([[{"txid": spent.txid.to_string(), "vout": spent.vout},
                    {"txid": txid.to_string(), "vout": 0}]]),
        )
        .await;
    assert_eq!(answer[0]["spendingtxid"], txid.to_string());
    assert_eq!(answer[1]["txid"], txid.to_string());
    assert!(answer[1].get("spendingtxid").is_none());
    let (code, _) = rpc
        .call(
            "gettxspendingprevout",
            json!([[{"txid": "nope", "vout": 0}]]),
        )
        .await
        .unwrap_err();
    assert_eq!(code, -8);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rpc_survives_malformed_params() {
    let server = start().await;
    let rpc = Rpc::new(&server);
    let methods = [
        "getblockchaininfo",
        "getblockcount",
        "getbestblockhash",
        "getdifficulty",
        "getchaintips",
        "getblockhash",
        "getblockheader",
        "getblock",
        "estimatesmartfee",
        "getmempoolinfo",
        "getrawmempool",
        "getmempoolentry",
        "getrawtransaction",
        "decoderawtransaction",
        "sendrawtransaction",
        "testmempoolaccept",
        "gettxout",
        "generatetoaddress",
        "sendtoaddress",
        "getnewaddress",
        "getnetworkinfo",
        "ping",
        "getdeploymentinfo",
        "uptime",
        "getpeerinfo",
        "gettxspendingprevout",
        "",
    ];
    let weird = [
        json!(null),
        json!([]),
        json!([null]),
        json!([-1]),
        json!([1e300]),
        json!([u64::MAX]),
        json!(["x"]),
        json!([[]]),
        json!([{}]),
        json!([true, "x", -5, 1]),
        json!({"x": 1}),
        json!(["00".repeat(32), -1, 99_999_999_999_i64]),
        json!([["zz", 5]]),
        json!(["bcrt1qxyz", 1e-9]),
        json!("string"),
        json!(5),
    ];
    for method in methods {
        for params in &weird {
            let body = json!({"method": method, "params": params, "id": 1}).to_string();
            let (status, text) = rpc.raw(&body, "etrid", "devnet").await;
            assert!(
                [200, 400, 404, 500].contains(&status),
                "{method} {params}: {status}"
            );
            let reply: Value = serde_json::from_str(&text).expect("JSON even on errors");
            assert!(reply.get("error").is_some(), "{method} {params}: {text}");
        }
    }
    for body in ["", "[]", "null", "[1,2]", "{\"method\":5}", "{\"id\":1}"] {
        let (status, _) = rpc.raw(body, "etrid", "devnet").await;
        assert!([200, 400, 500].contains(&status), "{body:?}: {status}");
    }
    assert_eq!(rpc.ok("getblockcount", json!([])).await, 101);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rpc_serves_concurrent_clients_while_mining() {
    let server = start().await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let rpc = Rpc::new(&server);
        tasks.push(tokio::spawn(async move {
            for i in 0..50 {
                let info = rpc.ok("getblockchaininfo", json!([])).await;
                let hash = info["bestblockhash"].as_str().unwrap().to_string();
                // The tip may move between calls; both answers stay consistent.
                let header = rpc.ok("getblockheader", json!([hash])).await;
                assert_eq!(header["hash"], hash);
                if i % 10 == 0 {
                    rpc.ok("getblock", json!([hash, 0])).await;
                    rpc.ok("getrawmempool", json!([false])).await;
                }
            }
        }));
    }
    let key = Key::new(4);
    for _ in 0..20 {
        server.fund(&key.address, Amount::from_sat(10_000)).unwrap();
        server.mine(1, None).unwrap();
        tokio::task::yield_now().await;
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(server.height(), 121);
    assert_eq!(server.balance_of(&key.script), Amount::from_sat(200_000));
    server.shutdown().await;
}
