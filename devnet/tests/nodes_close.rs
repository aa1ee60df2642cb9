//! A cooperative close confirms on the chain server and each side gets its channel balance
//! on-chain: the acceptor exactly, the opener minus the closing fee.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod nodes_support;

use std::time::Duration;

use etrid_devnet::nodes::{InvoiceRequest, PayRequest};
use etrid_devnet::Devnet;
use ldk_node::{Event, LightningBalance};
use nodes_support::{small_config, wait_event, wait_until};

const WAIT: Duration = Duration::from_secs(30);

fn channel_balance_sats(
    node: &ldk_node::Node,
    channel_id: &ldk_node::lightning::ln::types::ChannelId,
) -> u64 {
    node.list_balances()
        .lightning_balances
        .iter()
        .find_map(|b| match b {
            LightningBalance::ClaimableOnChannelClose {
                channel_id: id,
                amount_satoshis,
                ..
            } if id == channel_id => Some(*amount_satoshis),
            _ => None,
        })
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cooperative_close_pays_channel_balances_on_chain() {
    let devnet = Devnet::start(small_config()).await.unwrap();
    let api = devnet.api();
    let alice = devnet.node("alice").unwrap();
    let bob = devnet.node("bob").unwrap();

    // Move some sats so neither side holds a round number.
    let inv = api
        .create_invoice(
            "bob",
            &InvoiceRequest {
                amount_msat: Some(23_456_789),
                ..Default::default()
            },
        )
        .unwrap();
    api.pay_invoice(
        "alice",
        &PayRequest {
            invoice: inv.invoice,
            amount_msat: None,
            timeout_secs: None,
        },
    )
    .await
    .unwrap();
    // Let the commitment dance settle before reading balances.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let channel = alice
        .list_channels()
        .into_iter()
        .find(|c| c.counterparty_node_id == bob.node_id())
        .unwrap();
    let funding = channel.funding_txo.unwrap();
    let capacity = channel.channel_value_sats;
    let alice_balance = channel_balance_sats(&alice, &channel.channel_id);
    let bob_balance = channel_balance_sats(&bob, &channel.channel_id);
    let alice_onchain = alice.list_balances().total_onchain_balance_sats;
    let bob_onchain = bob.list_balances().total_onchain_balance_sats;

    let mut alice_events = devnet.handle("alice").unwrap().subscribe();
    let mut bob_events = devnet.handle("bob").unwrap().subscribe();
    alice
        .close_channel(&channel.user_channel_id, bob.node_id())
        .unwrap();
    for (events, who) in [(&mut alice_events, "alice"), (&mut bob_events, "bob")] {
        let closed = wait_event(events, "ChannelClosed", WAIT, |e| {
            matches!(e, Event::ChannelClosed { channel_id, .. } if *channel_id == channel.channel_id)
        })
        .await;
        let Event::ChannelClosed { reason, .. } = closed else {
            unreachable!()
        };
        let reason = format!("{reason:?}");
        assert!(reason.contains("Cooperative"), "{who}: {reason}");
    }

    // The closing transaction spends the funding output; find it in the mempool.
    let chain = devnet.chain();
    let mut closing = None;
    wait_until("closing tx in the mempool", WAIT, || {
        closing = chain.mempool_txids().into_iter().find_map(|txid| {
            let (tx, _) = chain.transaction(&txid)?;
            tx.input
                .iter()
                .any(|i| {
                    i.previous_output.txid == funding.txid && i.previous_output.vout == funding.vout
                })
                .then_some(tx)
        });
        closing.is_some()
    })
    .await;
    let closing = closing.unwrap();
    let outputs: u64 = closing.output.iter().map(|o| o.value.to_sat()).sum();
    let closing_fee = capacity - outputs;

    api.mine(6).await.unwrap();
    let txid = closing.compute_txid();
    assert!(
        matches!(chain.transaction(&txid), Some((_, Some(_)))),
        "closing tx confirmed"
    );
    wait_until("balances to land on-chain", WAIT, || {
        alice.list_balances().total_onchain_balance_sats != alice_onchain
            && bob.list_balances().total_onchain_balance_sats != bob_onchain
    })
    .await;
    let alice_gain = alice.list_balances().total_onchain_balance_sats - alice_onchain;
    let bob_gain = bob.list_balances().total_onchain_balance_sats - bob_onchain;
    eprintln!("capacity {capacity}, balances {alice_balance}/{bob_balance}, gains {alice_gain}/{bob_gain}, closing fee {closing_fee}");

    // The acceptor pays no fee: it gets exactly its channel balance.
    assert_eq!(bob_gain, bob_balance);
    // The opener gets the rest of the channel minus the closing fee (±1 sat of msat rounding).
    let expected_alice = capacity - bob_balance - closing_fee;
    assert!(
        alice_gain.abs_diff(expected_alice) <= 1,
        "{alice_gain} vs {expected_alice}"
    );
    // ... which is its channel balance plus the commitment fee and anchors it no longer pays,
    // minus the (smaller) closing fee.
    assert!(alice_gain >= alice_balance.saturating_sub(closing_fee));
    assert!(alice
        .list_channels()
        .iter()
        .all(|c| c.channel_id != channel.channel_id));

    devnet.shutdown().await;
}
