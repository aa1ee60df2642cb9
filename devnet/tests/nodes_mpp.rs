//! A payment larger than either route's capacity reaches the LSP in several parts, one or
//! more over each of the two disjoint routes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod nodes_support;

use std::time::Duration;

use etrid_devnet::nodes::{DevnetConfig, InvoiceRequest, PayRequest, PaymentState};
use etrid_devnet::Devnet;
use ldk_node::lightning::routing::gossip::NodeId;
use ldk_node::Event;
use tokio::sync::broadcast::error::TryRecvError;

/// The most one route payer → router → lsp can carry in one go, as the payer's router sees it:
/// the exact first-hop limit and the second hop's advertised `htlc_maximum_msat`, capped by
/// the router's real next-HTLC limit.
fn route_capacity_msat(devnet: &Devnet, payer: &str, router: &str) -> u64 {
    let payer_node = devnet.node(payer).unwrap();
    let router_node = devnet.node(router).unwrap();
    let lsp_id = devnet.node("lsp").unwrap().node_id();
    let first = payer_node
        .list_channels()
        .into_iter()
        .find(|c| c.counterparty_node_id == router_node.node_id())
        .unwrap();
    let second = router_node
        .list_channels()
        .into_iter()
        .find(|c| c.counterparty_node_id == lsp_id)
        .unwrap();
    let info = payer_node
        .network_graph()
        .channel(second.short_channel_id.unwrap())
        .unwrap();
    let update = if info.node_one == NodeId::from_pubkey(&router_node.node_id()) {
        info.one_to_two
    } else {
        info.two_to_one
    }
    .unwrap();
    first
        .next_outbound_htlc_limit_msat
        .min(update.htlc_maximum_msat)
        .min(second.next_outbound_htlc_limit_msat)
}

fn outbound_to(devnet: &Devnet, from: &str, to: &str) -> u64 {
    let to_id = devnet.node(to).unwrap().node_id();
    devnet
        .node(from)
        .unwrap()
        .list_channels()
        .iter()
        .find(|c| c.counterparty_node_id == to_id)
        .map(|c| c.outbound_capacity_msat)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn payment_larger_than_either_route_splits_over_both() {
    nodes_support::init_tracing();
    let config = DevnetConfig {
        control_bind: None,
        ..DevnetConfig::default()
    };
    let devnet = Devnet::start(config).await.unwrap();
    let api = devnet.api();

    let cap1 = route_capacity_msat(&devnet, "alice", "router1");
    let cap2 = route_capacity_msat(&devnet, "alice", "router2");
    // Larger than either route, comfortably below both together (fees, commitment reserve).
    let amount = cap1.max(cap2) + cap1.min(cap2) / 4;
    assert!(amount > cap1 && amount > cap2);
    let before1 = outbound_to(&devnet, "alice", "router1");
    let before2 = outbound_to(&devnet, "alice", "router2");

    let mut r1 = devnet.handle("router1").unwrap().subscribe();
    let mut r2 = devnet.handle("router2").unwrap().subscribe();
    let mut lsp = devnet.handle("lsp").unwrap().subscribe();
    let invoice = api
        .create_invoice(
            "lsp",
            &InvoiceRequest {
                amount_msat: Some(amount),
                ..Default::default()
            },
        )
        .unwrap();
    let paid = api
        .pay_invoice(
            "alice",
            &PayRequest {
                invoice: invoice.invoice,
                amount_msat: None,
                timeout_secs: Some(60),
            },
        )
        .await
        .unwrap();
    assert_eq!(paid.status, PaymentState::Succeeded);
    nodes_support::wait_event(
        &mut lsp,
        "LSP PaymentReceived",
        Duration::from_secs(30),
        |e| matches!(e, Event::PaymentReceived { amount_msat, .. } if *amount_msat == amount),
    )
    .await;

    // Count the parts each router forwarded (failed attempts forward nothing).
    let forwarded = |rx: &mut tokio::sync::broadcast::Receiver<Event>| {
        let (mut parts, mut msat) = (0u64, 0u64);
        loop {
            match rx.try_recv() {
                Ok(Event::PaymentForwarded {
                    outbound_amount_forwarded_msat,
                    ..
                }) => {
                    parts += 1;
                    msat += outbound_amount_forwarded_msat.unwrap_or(0);
                }
                Ok(_) | Err(TryRecvError::Lagged(_)) => {}
                Err(_) => return (parts, msat),
            }
        }
    };
    nodes_support::wait_until(
        "both routers to report forwards",
        Duration::from_secs(10),
        || !r1.is_empty() && !r2.is_empty(),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (parts1, msat1) = forwarded(&mut r1);
    let (parts2, msat2) = forwarded(&mut r2);
    eprintln!("route capacities {cap1} / {cap2} msat; paid {amount} msat in {parts1} + {parts2} parts ({msat1} + {msat2} msat)");
    assert!(parts1 >= 1 && parts2 >= 1, "both routes carry a part");
    assert!(parts1 + parts2 >= 2);
    assert_eq!(msat1 + msat2, amount, "the parts add up to the payment");
    assert!(
        msat1 <= cap1 && msat2 <= cap2,
        "no route carried more than its capacity"
    );

    // Both of alice's channels paid their part (plus fees).
    let spent1 = before1 - outbound_to(&devnet, "alice", "router1");
    let spent2 = before2 - outbound_to(&devnet, "alice", "router2");
    assert!(spent1 >= msat1 && spent2 >= msat2);
    assert!(spent1 + spent2 >= amount + paid.fee_paid_msat.unwrap_or(0));

    devnet.shutdown().await;
}
