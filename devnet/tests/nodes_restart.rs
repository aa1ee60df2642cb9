//! With a data dir, a restarted devnet keeps its chain, keys and channels and pays again.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod nodes_support;

use etrid_devnet::nodes::{DevnetConfig, InvoiceRequest, PayRequest, PaymentState};
use etrid_devnet::Devnet;

async fn pay_once(devnet: &Devnet) {
    let api = devnet.api();
    let inv = api
        .create_invoice(
            "lsp",
            &InvoiceRequest {
                amount_msat: Some(1_000_000),
                ..Default::default()
            },
        )
        .unwrap();
    let paid = api
        .pay_invoice(
            "alice",
            &PayRequest {
                invoice: inv.invoice,
                amount_msat: None,
                timeout_secs: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(paid.status, PaymentState::Succeeded);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn data_dir_keeps_state_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let config = DevnetConfig {
        data_dir: Some(dir.path().to_path_buf()),
        ..nodes_support::small_config()
    };

    let first = Devnet::start(config.clone()).await.unwrap();
    pay_once(&first).await;
    let ids: Vec<_> = first
        .api()
        .nodes()
        .iter()
        .map(|n| (n.name().to_owned(), n.node_id()))
        .collect();
    let mut channels: Vec<_> = first
        .api()
        .list_channels(None)
        .unwrap()
        .into_iter()
        .map(|c| c.channel_id)
        .collect();
    channels.sort();
    let height = first.chain().height();
    let lsp_balance = first
        .node("lsp")
        .unwrap()
        .list_balances()
        .total_lightning_balance_sats;
    first.shutdown().await;

    let second = Devnet::start(config).await.unwrap();
    let ids_again: Vec<_> = second
        .api()
        .nodes()
        .iter()
        .map(|n| (n.name().to_owned(), n.node_id()))
        .collect();
    assert_eq!(ids, ids_again, "same keys");
    let mut channels_again: Vec<_> = second
        .api()
        .list_channels(None)
        .unwrap()
        .into_iter()
        .map(|c| c.channel_id)
        .collect();
    channels_again.sort();
    assert_eq!(channels, channels_again, "same channels, none reopened");
    assert!(second.chain().height() >= height, "the chain was kept");
    assert!(
        second
            .node("lsp")
            .unwrap()
            .list_balances()
            .total_lightning_balance_sats
            >= lsp_balance
    );
    pay_once(&second).await;
    second.shutdown().await;
}
