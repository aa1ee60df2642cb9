//! An external LDK node (built here, not by the devnet, on the devnet chain's RPC) joins the
//! topology: both routers open announced channels to it, alice pays its invoice over them,
//! and a second call (over the control API) opens nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod nodes_support;

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::{Duration, Instant};

use etrid_devnet::nodes::{
    ChainInfo, DevnetConfig, FundRequest, NodeError, OpenExternalRequest, OpenedChannel,
    PayRequest, PaymentState,
};
use etrid_devnet::Devnet;
use ldk_node::bitcoin::hex::DisplayHex;
use ldk_node::bitcoin::Network;
use ldk_node::lightning::ln::msgs::SocketAddress;
use ldk_node::lightning_invoice::{Bolt11InvoiceDescription, Description};
use ldk_node::{Builder, Event, Node};
use nodes_support::{init_tracing, wait_event, wait_until};
use tokio::sync::broadcast;
use tokio::sync::watch;

const WAIT: Duration = Duration::from_secs(30);
const CAPACITY_SATS: u64 = 500_000;
const PUSH_MSAT: u64 = 50_000_000;
const EXTERNAL_ONCHAIN_SATS: u64 = 200_000;

/// LSP, two routers, one payer; the control API on. The routers keep too little on-chain for
/// a 500,000-sat channel, so `open_channels_to` must top them up first.
fn config() -> DevnetConfig {
    init_tracing();
    DevnetConfig {
        payers: vec!["alice".into()],
        routers: vec!["router1".into(), "router2".into()],
        payer_channel_sats: 1_000_000,
        router_channel_sats: 1_000_000,
        spare_onchain_sats: 100_000,
        control_bind: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
        ..DevnetConfig::default()
    }
}

fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Builds and starts an LDK node the way an external process would: from the chain's
/// connection details only. Without an alias it cannot take announced channels.
async fn start_external(
    chain: &ChainInfo,
    dir: &std::path::Path,
    alias: Option<&str>,
) -> (Arc<Node>, SocketAddr) {
    let alias = alias.map(str::to_owned);
    let chain = chain.clone();
    let dir = dir.to_string_lossy().into_owned();
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let port = free_port();
        let mut builder = Builder::new();
        builder
            .set_network(Network::Regtest)
            .set_storage_dir_path(dir)
            .set_chain_source_bitcoind_rpc(
                chain.rpc_host.clone(),
                chain.rpc_port,
                chain.rpc_user.clone(),
                chain.rpc_password.clone(),
            )
            .set_runtime(runtime);
        builder
            .set_listening_addresses(vec![SocketAddress::TcpIpV4 {
                addr: [127, 0, 0, 1],
                port,
            }])
            .unwrap();
        if let Some(alias) = alias {
            builder.set_node_alias(alias).unwrap();
        }
        let node = builder.build().unwrap();
        node.start().unwrap();
        (Arc::new(node), SocketAddr::from(([127, 0, 0, 1], port)))
    })
    .await
    .unwrap()
}

/// Drains the external node's events into a broadcast channel, marking each handled.
fn pump(node: Arc<Node>, mut stop: watch::Receiver<bool>) -> broadcast::Sender<Event> {
    let (tx, _) = broadcast::channel(1024);
    let out = tx.clone();
    tokio::spawn(async move {
        loop {
            let event = tokio::select! {
                _ = stop.changed() => break,
                e = node.next_event_async() => e,
            };
            let _ = tx.send(event);
            let n = Arc::clone(&node);
            tokio::task::spawn_blocking(move || n.event_handled())
                .await
                .unwrap()
                .unwrap();
        }
    });
    out
}

fn by_opener(channels: &[OpenedChannel], name: &str) -> OpenedChannel {
    channels.iter().find(|c| c.opener == name).unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn external_node_joins_and_gets_paid() {
    let devnet = Devnet::start(config()).await.unwrap();
    let api = devnet.api();
    let base = devnet.control_url().unwrap();
    let http = reqwest::Client::new();

    // What an external process learns from the control API.
    let chain: ChainInfo = http
        .get(format!("{base}/v1/chain"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(chain, api.chain_info());
    assert_eq!(chain.network, "regtest");
    assert_eq!(chain.rpc_url, devnet.chain().rpc_url());

    let dir = tempfile::tempdir().unwrap();
    let (ext, ext_addr) = start_external(&chain, dir.path(), Some("external")).await;
    let (stop, stop_rx) = watch::channel(false);
    let events = pump(Arc::clone(&ext), stop_rx);

    // An ldk-node acceptor wants 25,000 sats on-chain per anchor channel.
    let address = ext.onchain_payment().new_address().unwrap();
    api.fund(&FundRequest {
        address: address.to_string(),
        amount_sats: EXTERNAL_ONCHAIN_SATS,
        confirm: Some(true),
    })
    .await
    .unwrap();
    let syncing = Arc::clone(&ext);
    wait_until("the external node to see its funds", WAIT, || {
        let _ = syncing.sync_wallets();
        syncing.list_balances().spendable_onchain_balance_sats >= EXTERNAL_ONCHAIN_SATS
    })
    .await;

    for router in ["router1", "router2"] {
        let spendable = devnet
            .node(router)
            .unwrap()
            .list_balances()
            .spendable_onchain_balance_sats;
        assert!(spendable < CAPACITY_SATS, "{router} has {spendable} sats");
    }
    let req = OpenExternalRequest {
        node_id: ext.node_id().to_string(),
        address: ext_addr.to_string(),
        from: vec!["router1".into(), "router2".into()],
        capacity_sats: CAPACITY_SATS,
        push_msat: PUSH_MSAT,
        announce: true,
        timeout_secs: None,
    };
    let t = Instant::now();
    let opened = api.open_channels_to(&req).await.unwrap();
    eprintln!(
        "open_channels_to (2 channels) took {} ms",
        t.elapsed().as_millis()
    );
    assert_eq!(opened.len(), 2);
    for (c, name) in opened.iter().zip(["router1", "router2"]) {
        assert_eq!(c.opener, name);
        assert!(c.newly_opened && c.is_announced);
        assert_eq!(c.counterparty_node_id, ext.node_id().to_string());
        assert_eq!(c.capacity_sats, CAPACITY_SATS);
        assert!(c.outbound_capacity_msat > 0);
        assert!(c.outbound_capacity_msat < CAPACITY_SATS * 1000 - PUSH_MSAT);
        assert!(c.inbound_capacity_msat <= PUSH_MSAT);
        // Every devnet node's graph has the channel, both ways.
        for node in api.nodes() {
            let info = node.node().network_graph().channel(c.short_channel_id);
            let info = info.unwrap_or_else(|| panic!("{} lacks {}", node.name(), c.channel_id));
            assert!(info.one_to_two.is_some() && info.two_to_one.is_some());
        }
    }
    let ext_channels = ext.list_channels();
    assert_eq!(ext_channels.len(), 2);
    assert!(ext_channels.iter().all(|c| c.is_usable && !c.is_outbound));

    // Alice pays the external node's invoice through the routers.
    let mut rx = events.subscribe();
    let description = Description::new("external".to_owned()).unwrap();
    let invoice = ext
        .bolt11_payment()
        .receive(
            40_000_000,
            &Bolt11InvoiceDescription::Direct(description),
            3600,
        )
        .unwrap();
    let hash = invoice.payment_hash().to_string();
    let paid = api
        .pay_invoice(
            "alice",
            &PayRequest {
                invoice: invoice.to_string(),
                amount_msat: None,
                timeout_secs: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(paid.status, PaymentState::Succeeded);
    assert_eq!(paid.payment_hash.as_deref(), Some(hash.as_str()));
    wait_event(&mut rx, "the external node's PaymentReceived", WAIT, |e| {
        matches!(e, Event::PaymentReceived { amount_msat: 40_000_000, payment_hash, .. }
            if payment_hash.0.to_lower_hex_string() == hash)
    })
    .await;

    // A second call, over the control API, opens nothing and returns the same channels.
    let height = devnet.chain().height();
    let again: Vec<OpenedChannel> = http
        .post(format!("{base}/v1/external-channels"))
        .json(&req)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again.len(), 2);
    for name in ["router1", "router2"] {
        let (first, second) = (by_opener(&opened, name), by_opener(&again, name));
        assert!(!second.newly_opened);
        assert_eq!(second.channel_id, first.channel_id);
        assert_eq!(second.short_channel_id, first.short_channel_id);
    }
    assert_eq!(devnet.chain().height(), height, "nothing was mined");
    assert_eq!(ext.list_channels().len(), 2);

    // Errors keep their codes over HTTP.
    let unknown = api
        .open_channels_to(&OpenExternalRequest {
            from: vec!["nobody".into()],
            ..req.clone()
        })
        .await;
    assert!(
        matches!(unknown, Err(NodeError::UnknownNode { .. })),
        "{unknown:?}"
    );
    let lsp_key = devnet.node("lsp").unwrap().node_id().to_string();
    let refused = http
        .post(format!("{base}/v1/external-channels"))
        .json(&OpenExternalRequest {
            node_id: lsp_key,
            ..req.clone()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), reqwest::StatusCode::BAD_REQUEST);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "devnet_invalid_input");

    let _ = stop.send(true);
    let stopping = Arc::clone(&ext);
    tokio::task::spawn_blocking(move || stopping.stop())
        .await
        .unwrap()
        .unwrap();
    devnet.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn external_node_without_alias_refuses_an_announced_channel() {
    let devnet = Devnet::start(nodes_support::small_config()).await.unwrap();
    let api = devnet.api();
    let dir = tempfile::tempdir().unwrap();
    let (ext, ext_addr) = start_external(&api.chain_info(), dir.path(), None).await;
    let refused = api
        .open_channels_to(&OpenExternalRequest {
            node_id: ext.node_id().to_string(),
            address: ext_addr.to_string(),
            from: vec!["bob".into()],
            capacity_sats: 100_000,
            push_msat: 0,
            announce: true,
            timeout_secs: Some(30),
        })
        .await;
    match refused {
        Err(NodeError::ChannelClosed { node, reason, .. }) => {
            assert_eq!(node, "bob");
            assert!(reason.contains("rejected"), "{reason}");
        }
        other => panic!("expected ChannelClosed, got {other:?}"),
    }
    assert_eq!(
        devnet.node("bob").unwrap().list_channels().len(),
        2,
        "alice and lsp only"
    );
    let stopping = Arc::clone(&ext);
    tokio::task::spawn_blocking(move || stopping.stop())
        .await
        .unwrap()
        .unwrap();
    devnet.shutdown().await;
}
