use bitcoin::absolute::LockTime;
use bitcoin::transaction::Version;
use bitcoin::{Amount, ScriptBuf, Sequence, TxIn, TxOut, Witness};

use super::*;
use crate::timer::SimulatedTimer;
use crate::transport::MemoryTransport;

fn chain() -> (
    EsploraChain<MemoryTransport, SimulatedTimer>,
    MemoryTransport,
) {
    let transport = MemoryTransport::new();
    let chain = EsploraChain::new(
        "http://esplora.test/api/",
        transport.clone(),
        SimulatedTimer::from_unix_secs(1_700_000_000),
    );
    (chain, transport)
}

fn text(transport: &MemoryTransport, status: u16, body: &str) {
    transport.push_response(Ok(HttpResponse {
        status,
        headers: Vec::new(),
        body: body.as_bytes().to_vec(),
    }));
}

fn tx(value: u64) -> Transaction {
    Transaction {
        version: Version::TWO,
        lock_time: LockTime::ZERO,
        input: vec![TxIn {
            previous_output: OutPoint::null(),
            script_sig: ScriptBuf::new(),
            sequence: Sequence::MAX,
            witness: Witness::from_slice(&[vec![1u8; 32]]),
        }],
        output: vec![TxOut {
            value: Amount::from_sat(value),
            script_pubkey: ScriptBuf::new_op_return([]),
        }],
    }
}

fn run<F: std::future::Future>(future: F) -> F::Output {
    pollster::block_on(future)
}

#[test]
fn the_tip_is_read_from_text() {
    let (chain, transport) = chain();
    text(&transport, 200, "105\n");
    assert_eq!(run(chain.tip_height()).unwrap(), 105);
    assert_eq!(
        transport.requests()[0].url,
        "http://esplora.test/api/blocks/tip/height"
    );
    text(&transport, 200, "tall");
    assert_eq!(
        run(chain.tip_height()).unwrap_err().code(),
        "chain_bad_response"
    );
}

#[test]
fn an_address_lists_its_transactions_with_their_heights() {
    let (chain, transport) = chain();
    let (mined, pending) = (tx(1_000), tx(2_000));
    transport.push_json(
        200,
        &format!(
            r#"[{{"txid":"{}","status":{{"confirmed":false}}}},{{"txid":"{}","status":{{"confirmed":true,"block_height":90}}}}]"#,
            pending.compute_txid(),
            mined.compute_txid()
        ),
    );
    text(&transport, 200, &serialize_hex(&pending));
    text(&transport, 200, &serialize_hex(&mined));
    let found = run(chain.address_transactions("bcrt1qexample")).unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!(
        (found[0].tx.clone(), found[0].confirmed_height),
        (pending, None)
    );
    assert_eq!(
        (found[1].tx.clone(), found[1].confirmed_height),
        (mined, Some(90))
    );
    assert_eq!(found[1].confirmations(99), 10);
    assert_eq!(found[0].confirmations(99), 0);
    let urls: Vec<String> = transport.requests().into_iter().map(|r| r.url).collect();
    assert_eq!(urls[0], "http://esplora.test/api/address/bcrt1qexample/txs");
}

#[test]
fn a_transaction_that_is_not_the_one_asked_for_is_refused() {
    let (chain, transport) = chain();
    text(&transport, 200, &serialize_hex(&tx(5)));
    let error = run(chain.transaction(tx(6).compute_txid())).unwrap_err();
    assert_eq!(error.code(), "chain_bad_response");
    text(&transport, 404, "Transaction not found");
    assert_eq!(run(chain.transaction(tx(6).compute_txid())).unwrap(), None);
}

#[test]
fn a_spender_is_found_through_the_outspend() {
    let (chain, transport) = chain();
    let spending = tx(7);
    let outpoint = OutPoint {
        txid: tx(1).compute_txid(),
        vout: 3,
    };
    transport.push_json(200, r#"{"spent":false}"#);
    assert_eq!(run(chain.spender(outpoint)).unwrap(), None);
    transport.push_json(
        200,
        &format!(
            r#"{{"spent":true,"txid":"{}","vin":0,"status":{{"confirmed":false}}}}"#,
            spending.compute_txid()
        ),
    );
    text(&transport, 200, &serialize_hex(&spending));
    transport.push_json(200, r#"{"confirmed":true,"block_height":12}"#);
    let found = run(chain.spender(outpoint)).unwrap().unwrap();
    assert_eq!((found.tx, found.confirmed_height), (spending, Some(12)));
    assert!(transport.requests()[0]
        .url
        .ends_with(&format!("/tx/{}/outspend/3", outpoint.txid)));
}

#[test]
fn a_broadcast_posts_the_hex_and_a_refusal_keeps_the_nodes_reason() {
    let (chain, transport) = chain();
    let sent = tx(8);
    text(&transport, 200, &sent.compute_txid().to_string());
    assert_eq!(run(chain.broadcast(&sent)).unwrap(), sent.compute_txid());
    let request = &transport.requests()[0];
    assert_eq!(
        (request.method, request.url.as_str()),
        (Method::Post, "http://esplora.test/api/tx")
    );
    assert_eq!(
        request.body.as_deref(),
        Some(serialize_hex(&sent).as_bytes())
    );
    text(
        &transport,
        400,
        "sendrawtransaction RPC error: {\"code\":-26,\"message\":\"non-final\"}",
    );
    match run(chain.broadcast(&sent)).unwrap_err() {
        ChainError::Rejected { reason } => assert!(reason.contains("non-final"), "{reason}"),
        other => panic!("{other:?}"),
    }
    text(&transport, 200, &tx(9).compute_txid().to_string());
    assert_eq!(
        run(chain.broadcast(&sent)).unwrap_err().code(),
        "chain_bad_response"
    );
    text(&transport, 503, "busy");
    let busy = run(chain.broadcast(&sent)).unwrap_err();
    assert_eq!(busy.code(), "chain_status");
    assert!(busy.is_retryable());
}

#[test]
fn the_fee_rate_is_the_nearest_target_at_or_below_rounded_up() {
    let (chain, transport) = chain();
    let estimates = r#"{"1": 3.2, "6": 1.1, "144": 1.0}"#;
    for (target, expected) in [(3, 4), (6, 2), (0, 4), (500, 1)] {
        transport.push_json(200, estimates);
        assert_eq!(
            run(chain.fee_rate_sat_per_vb(target)).unwrap(),
            expected,
            "target {target}"
        );
    }
    transport.push_json(200, r#"{"2": 0.2}"#);
    assert_eq!(
        run(chain.fee_rate_sat_per_vb(1)).unwrap(),
        1,
        "nothing at or below: the nearest, at least 1"
    );
    transport.push_json(200, "{}");
    assert_eq!(
        run(chain.fee_rate_sat_per_vb(1)).unwrap_err().code(),
        "chain_bad_response"
    );
}
