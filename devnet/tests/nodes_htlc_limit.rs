//! Devnet channels carry more HTLCs in flight than LDK's default of 50: alice keeps 80 payments
//! pending to bob at once on their one channel (bob holds them as hold invoices), then bob fails
//! them all back and alice's balance comes back in full.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod nodes_support;

use std::collections::HashSet;
use std::time::Duration;

use bitcoin::hashes::{sha256, Hash};
use etrid_devnet::nodes::MAX_ACCEPTED_HTLCS;
use etrid_devnet::Devnet;
use ldk_node::lightning_invoice::{Bolt11InvoiceDescription, Description};
use ldk_node::lightning_types::payment::PaymentHash;
use ldk_node::Event;
use nodes_support::{small_config, wait_event, wait_until};

/// More than LDK's default limit of 50, well within the devnet's.
const IN_FLIGHT: u32 = 80;
/// Each payment, in msat: above the dust limit, so every one is a real HTLC output.
const AMOUNT_MSAT: u64 = 1_000_000;
const WAIT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn more_than_fifty_htlcs_are_in_flight_on_one_channel() {
    assert!(u32::from(MAX_ACCEPTED_HTLCS) > IN_FLIGHT);
    let devnet = Devnet::start(small_config()).await.unwrap();
    let alice = devnet.node("alice").unwrap();
    let bob = devnet.node("bob").unwrap();
    let bob_id = bob.node_id();
    let outbound = || {
        alice
            .list_channels()
            .iter()
            .find(|c| c.counterparty_node_id == bob_id)
            .map(|c| c.outbound_capacity_msat)
            .unwrap()
    };
    let before = outbound();
    let mut bob_events = devnet.handle("bob").unwrap().subscribe();
    let description = Bolt11InvoiceDescription::Direct(Description::new("held".into()).unwrap());

    let mut hashes = HashSet::new();
    for i in 0..IN_FLIGHT {
        let mut preimage = [0u8; 32];
        preimage[..4].copy_from_slice(&i.to_be_bytes());
        let hash = PaymentHash(sha256::Hash::hash(&preimage).to_byte_array());
        let invoice = bob
            .bolt11_payment()
            .receive_for_hash(AMOUNT_MSAT, &description, 3600, hash)
            .unwrap();
        alice.bolt11_payment().send(&invoice, None).unwrap();
        hashes.insert(hash);
    }

    // Every payment reaches bob and is held there: all of them pending on one channel at once.
    let mut held = HashSet::new();
    while held.len() < hashes.len() {
        let what = format!("PaymentClaimable #{} of {IN_FLIGHT}", held.len() + 1);
        let event = wait_event(&mut bob_events, &what, WAIT, |e| {
            matches!(e, Event::PaymentClaimable { .. })
        })
        .await;
        if let Event::PaymentClaimable { payment_hash, .. } = event {
            assert!(hashes.contains(&payment_hash));
            held.insert(payment_hash);
        }
    }
    assert!(outbound() <= before - u64::from(IN_FLIGHT) * AMOUNT_MSAT);

    // Failed back, every one: alice's balance comes back in full.
    for hash in &held {
        bob.bolt11_payment().fail_for_hash(*hash).unwrap();
    }
    wait_until("alice refunded", WAIT, || outbound() == before).await;
    devnet.shutdown().await;
}
