//! Mempool acceptance against bitcoind's rules and error codes: double spends and full RBF,
//! signatures, coinbase maturity, values, absolute and relative lock times (including CSV and
//! CLTV scripts as in LDK's to_local and HTLC outputs), unconfirmed chains, and the happy path.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod chain_support;

use bitcoin::hashes::Hash;
use bitcoin::opcodes::all::{OP_CLTV, OP_CSV};
use bitcoin::{Amount, OutPoint, ScriptBuf, TxOut, Witness};
use chain_support::{
    funded, get_json, out, outpoint, pay, rejection, spend, start, timelock_script, Key, Rpc,
};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn happy_path_faucet_mine_then_utxo_visible() {
    let server = start().await;
    let rpc = Rpc::new(&server);
    let key = Key::new(10);
    let txid = server
        .fund(&key.address, Amount::from_btc(1.0).unwrap())
        .unwrap();
    assert_eq!(server.mempool_txids(), vec![txid]);
    assert_eq!(server.transaction(&txid).unwrap().1, None);
    assert_eq!(server.balance_of(&key.script), Amount::ZERO);
    let unconfirmed = get_json(&format!(
        "{}/address/{}/utxo",
        server.esplora_url(),
        key.address
    ))
    .await;
    assert_eq!(unconfirmed[0]["status"]["confirmed"], false);

    let hash = server.mine(1, None).unwrap()[0];
    assert_eq!(server.height(), 102);
    assert_eq!(server.tip_hash(), hash);
    assert!(server.mempool_txids().is_empty());
    assert_eq!(server.transaction(&txid).unwrap().1, Some(102));
    assert_eq!(
        server.balance_of(&key.script),
        Amount::from_btc(1.0).unwrap()
    );
    let utxos = get_json(&format!(
        "{}/address/{}/utxo",
        server.esplora_url(),
        key.address
    ))
    .await;
    assert_eq!(
        utxos,
        json!([{
            "txid": txid.to_string(),
            "vout": 0,
            "value": 100_000_000,
            "status": {"confirmed": true, "block_height": 102, "block_hash": hash.to_string(),
                       "block_time": utxos[0]["status"]["block_time"]},
        }])
    );
    let out = rpc.ok("gettxout", json!([txid.to_string(), 0])).await;
    assert_eq!(out["value"].as_f64(), Some(1.0));
    assert_eq!(out["confirmations"], 1);
    // The faucet keeps paying: many payments in a row, chained on its change.
    for _ in 0..30 {
        server.fund(&key.address, Amount::from_sat(50_000)).unwrap();
    }
    server.mine(1, None).unwrap();
    assert_eq!(
        server.balance_of(&key.script),
        Amount::from_sat(100_000_000 + 30 * 50_000)
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn double_spends_and_full_rbf() {
    let server = start().await;
    let key = Key::new(11);
    let (coin, txout) = funded(&server, &key.address, 100_000);
    let other = Key::new(12);

    let first = pay(&key, (coin, &txout), &key.script, 1_000);
    let first_id = server.submit_transaction(&first).unwrap();
    // A child of the first spend, evicted with it on replacement.
    let child = pay(
        &key,
        (outpoint(first_id, 0), &first.output[0]),
        &key.script,
        500,
    );
    let child_id = server.submit_transaction(&child).unwrap();

    // Lower fee: refused as a conflict.
    let low = pay(&key, (coin, &txout), &other.script, 600);
    let (code, reason) = rejection(server.submit_transaction(&low).unwrap_err());
    assert_eq!(code, -26);
    assert!(reason.starts_with("txn-mempool-conflict"), "{reason}");
    assert!(reason.contains("insufficient fee"), "{reason}");
    // Higher fee but not enough to pay for the evicted child too: refused.
    let not_enough = pay(&key, (coin, &txout), &other.script, 1_400);
    let (code, reason) = rejection(server.submit_transaction(&not_enough).unwrap_err());
    assert_eq!(code, -26);
    assert!(
        reason.contains("less fees than conflicting txs"),
        "{reason}"
    );
    // Higher fee and fee rate than everything replaced: accepted, the old pair evicted.
    let replacement = pay(&key, (coin, &txout), &other.script, 5_000);
    let replacement_id = server.submit_transaction(&replacement).unwrap();
    assert_eq!(server.mempool_txids(), vec![replacement_id]);
    assert!(server.transaction(&first_id).is_none());
    assert!(server.transaction(&child_id).is_none());

    server.mine(1, None).unwrap();
    // Spending a confirmed-spent output: missing inputs (-25).
    let late = pay(&key, (coin, &txout), &key.script, 20_000);
    let (code, reason) = rejection(server.submit_transaction(&late).unwrap_err());
    assert_eq!(
        (code, reason.as_str()),
        (-25, "bad-txns-inputs-missingorspent")
    );
    // Resending a confirmed transaction: -27.
    let (code, reason) = rejection(server.submit_transaction(&replacement).unwrap_err());
    assert_eq!(
        (code, reason.as_str()),
        (-27, "Transaction already in block chain")
    );
    // The same codes over RPC.
    let rpc = Rpc::new(&server);
    let hex = bitcoin::consensus::encode::serialize_hex(&late);
    assert_eq!(
        rpc.call("sendrawtransaction", json!([hex]))
            .await
            .unwrap_err()
            .0,
        -25
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replacement_needs_a_higher_feerate_not_only_a_higher_fee() {
    let server = start().await;
    let key = Key::new(13);
    let (extra, extra_out) = funded(&server, &key.address, 200_000);
    let (coin, txout) = funded(&server, &key.address, 1_000_000);
    let small = pay(&key, (coin, &txout), &key.script, 2_000); // ~110 vB: ~18 sat/vB
    server.submit_transaction(&small).unwrap();
    // 40 outputs: ~1,300 vB paying 3,000 sat (~2.3 sat/vB): more fee, lower rate.
    let outputs: Vec<TxOut> = (0..40).map(|_| out(&key.script, 20_000)).collect();
    let total: u64 = outputs.iter().map(|o| o.value.to_sat()).sum();
    let mut big = spend(&[(coin, 0xffff_fffd)], outputs, 2, 0);
    big.output.push(out(&key.script, 1_000_000 - total - 3_000));
    key.sign_p2wpkh(&mut big, 0, txout.value);
    let (code, reason) = rejection(server.submit_transaction(&big).unwrap_err());
    assert_eq!(code, -26);
    assert!(reason.contains("new feerate"), "{reason}");
    // BIP125 rule 2: a replacement may not add an unconfirmed input...
    let unconfirmed = server.fund(&key.address, Amount::from_sat(50_000)).unwrap();
    let (parent, _) = server.transaction(&unconfirmed).unwrap();
    let mut adds = spend(
        &[(coin, 0xffff_fffd), (outpoint(unconfirmed, 0), 0xffff_fffd)],
        vec![out(&key.script, 1_000_000 + 50_000 - 20_000)],
        2,
        0,
    );
    key.sign_p2wpkh(&mut adds, 0, txout.value);
    key.sign_p2wpkh(&mut adds, 1, parent.output[0].value);
    let (code, reason) = rejection(server.submit_transaction(&adds).unwrap_err());
    assert_eq!(code, -26);
    assert!(
        reason.starts_with("replacement-adds-unconfirmed"),
        "{reason}"
    );
    // ...but a confirmed one is fine.
    let mut bumped = spend(
        &[(coin, 0xffff_fffd), (extra, 0xffff_fffd)],
        vec![out(&key.script, 1_000_000 + 200_000 - 20_000)],
        2,
        0,
    );
    key.sign_p2wpkh(&mut bumped, 0, txout.value);
    key.sign_p2wpkh(&mut bumped, 1, extra_out.value);
    let bumped_id = server.submit_transaction(&bumped).unwrap();
    assert!(server.mempool_txids().contains(&bumped_id));
    assert!(!server.mempool_txids().contains(&small.compute_txid()));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_signatures_are_rejected() {
    let server = start().await;
    let key = Key::new(14);
    let thief = Key::new(15);
    let (coin, txout) = funded(&server, &key.address, 100_000);
    // Signed by the wrong key.
    let mut stolen = spend(
        &[(coin, 0xffff_fffd)],
        vec![out(&thief.script, 90_000)],
        2,
        0,
    );
    thief.sign_p2wpkh(&mut stolen, 0, txout.value);
    let (code, reason) = rejection(server.submit_transaction(&stolen).unwrap_err());
    assert_eq!(code, -26);
    assert!(
        reason.starts_with("mandatory-script-verify-flag-failed ("),
        "{reason}"
    );
    // Right key, but the signature commits to another amount (BIP143).
    let mut wrong_amount = spend(&[(coin, 0xffff_fffd)], vec![out(&key.script, 90_000)], 2, 0);
    key.sign_p2wpkh(&mut wrong_amount, 0, Amount::from_sat(100_001));
    assert_eq!(
        rejection(server.submit_transaction(&wrong_amount).unwrap_err()).0,
        -26
    );
    // No witness at all.
    let bare = spend(&[(coin, 0xffff_fffd)], vec![out(&key.script, 90_000)], 2, 0);
    assert_eq!(
        rejection(server.submit_transaction(&bare).unwrap_err()).0,
        -26
    );
    // The honest spend passes.
    server
        .submit_transaction(&pay(&key, (coin, &txout), &key.script, 1_000))
        .unwrap();
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coinbase_needs_100_confirmations() {
    let server = start().await;
    let key = Key::new(16);
    let hash = server.mine(1, Some(&key.address)).unwrap()[0];
    let height = server.height();
    let rpc = Rpc::new(&server);
    let block = rpc.ok("getblock", json!([hash.to_string(), 1])).await;
    let coinbase: bitcoin::Txid = block["tx"][0].as_str().unwrap().parse().unwrap();
    let (cb_tx, _) = server.transaction(&coinbase).unwrap();
    let spend_cb = pay(
        &key,
        (outpoint(coinbase, 0), &cb_tx.output[0]),
        &key.script,
        10_000,
    );
    let (code, reason) = rejection(server.submit_transaction(&spend_cb).unwrap_err());
    assert_eq!(code, -26);
    assert_eq!(
        reason,
        "bad-txns-premature-spend-of-coinbase, tried to spend coinbase at depth 1"
    );
    // At tip = height + 98 the next block is only 99 deep.
    server.mine(98, None).unwrap();
    assert_eq!(server.height(), height + 98);
    let (_, reason) = rejection(server.submit_transaction(&spend_cb).unwrap_err());
    assert!(reason.ends_with("depth 99"), "{reason}");
    server.mine(1, None).unwrap();
    server.submit_transaction(&spend_cb).unwrap();
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outputs_may_not_exceed_inputs() {
    let server = start().await;
    let key = Key::new(17);
    let (coin, txout) = funded(&server, &key.address, 100_000);
    let mut greedy = spend(
        &[(coin, 0xffff_fffd)],
        vec![out(&key.script, 100_001)],
        2,
        0,
    );
    key.sign_p2wpkh(&mut greedy, 0, txout.value);
    let (code, reason) = rejection(server.submit_transaction(&greedy).unwrap_err());
    assert_eq!(code, -26);
    assert_eq!(
        reason,
        "bad-txns-in-belowout, value in (0.001) < value out (0.00100001)"
    );
    // Zero fee is fine (LDK's anchor parents may pay none).
    let free = pay(&key, (coin, &txout), &key.script, 0);
    server.submit_transaction(&free).unwrap();
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absolute_lock_time_must_be_below_the_next_height() {
    let server = start().await;
    let key = Key::new(18);
    let (coin, txout) = funded(&server, &key.address, 100_000);
    let tip = server.height();
    let locked = |lock: u32, seq: u32| {
        let mut tx = spend(&[(coin, seq)], vec![out(&key.script, 99_000)], 2, lock);
        key.sign_p2wpkh(&mut tx, 0, txout.value);
        tx
    };
    let (code, reason) = rejection(
        server
            .submit_transaction(&locked(tip + 1, 0xffff_fffe))
            .unwrap_err(),
    );
    assert_eq!((code, reason.as_str()), (-26, "non-final"));
    // Final sequences disable the lock time.
    let ignored = locked(tip + 50, 0xffff_ffff);
    assert!(server.submit_transaction(&ignored).is_ok());
    server.mine(1, None).unwrap();
    let (coin2, txout2) = funded(&server, &key.address, 100_000);
    let tip = server.height();
    let mut at_tip = spend(
        &[(coin2, 0xffff_fffe)],
        vec![out(&key.script, 99_000)],
        2,
        tip,
    );
    key.sign_p2wpkh(&mut at_tip, 0, txout2.value);
    server.submit_transaction(&at_tip).unwrap();
    // Time-based lock times compare with the median time past.
    let (coin3, txout3) = funded(&server, &key.address, 100_000);
    let mut future = spend(
        &[(coin3, 0xffff_fffe)],
        vec![out(&key.script, 99_000)],
        2,
        2_000_000_000,
    );
    key.sign_p2wpkh(&mut future, 0, txout3.value);
    assert_eq!(
        rejection(server.submit_transaction(&future).unwrap_err()).1,
        "non-final"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bip68_relative_lock_by_height() {
    let server = start().await;
    let key = Key::new(19);
    let (coin, txout) = funded(&server, &key.address, 100_000);
    let coin_height = server.height();
    let relative = |version: i32| {
        let mut tx = spend(&[(coin, 5)], vec![out(&key.script, 99_000)], version, 0);
        key.sign_p2wpkh(&mut tx, 0, txout.value);
        tx
    };
    let (code, reason) = rejection(server.submit_transaction(&relative(2)).unwrap_err());
    assert_eq!((code, reason.as_str()), (-26, "non-BIP68-final"));
    server.mine(3, None).unwrap();
    assert_eq!(
        rejection(server.submit_transaction(&relative(2)).unwrap_err()).1,
        "non-BIP68-final"
    );
    // Version 1 transactions carry no relative lock.
    server.submit_transaction(&relative(1)).unwrap();
    server.mine(1, None).unwrap();
    let (coin, txout) = funded(&server, &key.address, 100_000);
    let h = server.height();
    server.mine(3, None).unwrap();
    let mut tx = spend(&[(coin, 5)], vec![out(&key.script, 99_000)], 2, 0);
    key.sign_p2wpkh(&mut tx, 0, txout.value);
    assert!(server.submit_transaction(&tx).is_err());
    server.mine(1, None).unwrap();
    assert_eq!(server.height(), h + 4);
    // Coin at h, lock 5: first spendable in block h + 5 = tip + 1.
    server.submit_transaction(&tx).unwrap();
    assert!(coin_height < h);
    server.shutdown().await;
}

/// Funds a P2WSH output locked by `script` and returns it.
fn fund_p2wsh(server: &etrid_devnet::chain::ChainServer, script: &ScriptBuf) -> (OutPoint, TxOut) {
    let spk = ScriptBuf::new_p2wsh(&script.wscript_hash());
    let address = bitcoin::Address::from_script(&spk, bitcoin::Network::Regtest).unwrap();
    funded(server, &address, 50_000)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_script_is_enforced_like_ldk_to_local() {
    let server = start().await;
    let key = Key::new(20);
    let script = timelock_script(3, OP_CSV);
    let (coin, _) = fund_p2wsh(&server, &script);
    let with_sequence = |seq: u32| {
        let mut tx = spend(&[(coin, seq)], vec![out(&key.script, 49_000)], 2, 0);
        tx.input[0].witness = Witness::from_slice(&[script.as_bytes()]);
        tx
    };
    // The sequence satisfies the script, but BIP68 needs 3 confirmations.
    let (code, reason) = rejection(server.submit_transaction(&with_sequence(3)).unwrap_err());
    assert_eq!((code, reason.as_str()), (-26, "non-BIP68-final"));
    server.mine(1, None).unwrap();
    // Two confirmations satisfy a sequence of 2, but the script's CSV demands 3: script fails.
    let (code, reason) = rejection(server.submit_transaction(&with_sequence(2)).unwrap_err());
    assert_eq!(code, -26);
    assert!(
        reason.starts_with("mandatory-script-verify-flag-failed"),
        "{reason}"
    );
    assert_eq!(
        rejection(server.submit_transaction(&with_sequence(3)).unwrap_err()).1,
        "non-BIP68-final"
    );
    server.mine(1, None).unwrap();
    server.submit_transaction(&with_sequence(3)).unwrap();
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cltv_script_is_enforced_like_ldk_htlc_timeouts() {
    let server = start().await;
    let key = Key::new(21);
    let expiry = i64::from(server.height()) + 5;
    let script = timelock_script(expiry, OP_CLTV);
    let (coin, _) = fund_p2wsh(&server, &script);
    let with_lock = |lock: u32| {
        let mut tx = spend(
            &[(coin, 0xffff_fffe)],
            vec![out(&key.script, 49_000)],
            2,
            lock,
        );
        tx.input[0].witness = Witness::from_slice(&[script.as_bytes()]);
        tx
    };
    let expiry = u32::try_from(expiry).unwrap();
    // Final lock time (the tip) but below the script's expiry: the script fails.
    let (_, reason) = rejection(
        server
            .submit_transaction(&with_lock(server.height()))
            .unwrap_err(),
    );
    assert!(
        reason.starts_with("mandatory-script-verify-flag-failed"),
        "{reason}"
    );
    let (_, reason) = rejection(server.submit_transaction(&with_lock(expiry)).unwrap_err());
    assert_eq!(reason, "non-final");
    while server.height() < expiry {
        server.mine(1, None).unwrap();
    }
    server.submit_transaction(&with_lock(expiry)).unwrap();
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unconfirmed_chains_are_mined_parents_first() {
    let server = start().await;
    let rpc = Rpc::new(&server);
    let key = Key::new(22);
    let (coin, txout) = funded(&server, &key.address, 100_000);
    // A zero-fee parent and a CPFP child sent one at a time, as LDK broadcasts packages.
    let parent = pay(&key, (coin, &txout), &key.script, 0);
    let parent_id = server.submit_transaction(&parent).unwrap();
    let child = pay(
        &key,
        (outpoint(parent_id, 0), &parent.output[0]),
        &key.script,
        3_000,
    );
    let child_id = server.submit_transaction(&child).unwrap();
    let grandchild = pay(
        &key,
        (outpoint(child_id, 0), &child.output[0]),
        &key.script,
        300,
    );
    let grandchild_id = server.submit_transaction(&grandchild).unwrap();
    let entry = rpc
        .ok("getmempoolentry", json!([child_id.to_string()]))
        .await;
    assert_eq!(entry["depends"], json!([parent_id.to_string()]));
    assert_eq!(entry["spentby"], json!([grandchild_id.to_string()]));
    assert_eq!(entry["ancestorcount"], 2);
    let hash = server.mine(1, None).unwrap()[0];
    let block = rpc.ok("getblock", json!([hash.to_string(), 1])).await;
    assert_eq!(
        block["tx"].as_array().unwrap()[1..],
        [
            json!(parent_id.to_string()),
            json!(child_id.to_string()),
            json!(grandchild_id.to_string())
        ]
    );
    // A child whose parent is unknown: missing inputs.
    let orphan = pay(
        &key,
        (
            outpoint(bitcoin::Txid::from_byte_array([0x42; 32]), 0),
            &txout,
        ),
        &key.script,
        100,
    );
    assert_eq!(
        rejection(server.submit_transaction(&orphan).unwrap_err()).0,
        -25
    );
    server.shutdown().await;
}
