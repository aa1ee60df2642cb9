//! LND joins the devnet (what `etrid-devnet up --with-lnd 1` does): an LND v0.20.2 node on the
//! devnet chain, funded, with an anchor channel to the LSP node and one from it, both active;
//! payments both ways over them; the devnet's info lists it; shutdown stops it. Needs the lnd
//! binary (`devnet/lnd/build-lnd.sh`; `.ci/run` builds it).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod nodes_support;

use std::time::Duration;

use etrid_devnet::nodes::{
    DevnetApi, DevnetConfig, InvoiceRequest, LndSend, PayRequest, PaymentState,
};
use etrid_devnet::Devnet;
use nodes_support::init_tracing;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_lnd_node_joins_funded_with_channels_both_ways_and_pays_both_ways() {
    init_tracing();
    let devnet = Devnet::start(DevnetConfig {
        control_bind: None,
        payers: vec!["alice".into()],
        routers: vec!["router1".into()],
        payer_channel_sats: 1_000_000,
        router_channel_sats: 1_000_000,
        lnd_nodes: 1,
        lnd_channels_with_lsp: true,
        ..DevnetConfig::default()
    })
    .await
    .expect("the devnet with LND starts");
    // Checked in a task, so a failed check still shuts the devnet down (LND with it).
    let pid_file = devnet.api().lnd("lnd1").unwrap().dir().join("lnd.pid");
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    let checks = tokio::spawn(checks(devnet.api().clone())).await;
    devnet.shutdown().await;
    if let Err(failed) = checks {
        std::panic::resume_unwind(failed.into_panic());
    }
    let alive = std::process::Command::new("kill")
        .args(["-0", pid.trim()])
        .status()
        .unwrap()
        .success();
    assert!(!alive, "LND stopped with the devnet");
}

async fn checks(api: DevnetApi) {
    let lnd = api.lnd("lnd1").unwrap();
    let lsp_id = api.node("lsp").unwrap().node_id().to_string();

    let channels: Vec<_> = lnd
        .rest()
        .list_channels()
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.remote_pubkey == lsp_id)
        .collect();
    assert_eq!(channels.len(), 2, "{channels:?}");
    assert!(channels.iter().all(|c| c.active && c.capacity == 1_000_000));
    assert_eq!(
        channels.iter().filter(|c| c.initiator).count(),
        1,
        "one each way"
    );
    assert!(lnd.rest().confirmed_balance().await.unwrap() > 0, "funded");

    // The LSP node pays LND, LND pays the LSP node.
    let from_lnd = lnd
        .rest()
        .add_invoice(25_000_000, "to lnd", 600)
        .await
        .unwrap();
    let paid = api
        .pay_invoice(
            "lsp",
            &PayRequest {
                invoice: from_lnd.payment_request,
                amount_msat: None,
                timeout_secs: Some(60),
            },
        )
        .await
        .unwrap();
    assert_eq!(paid.status, PaymentState::Succeeded);
    let at_lnd = lnd
        .rest()
        .lookup_invoice(&from_lnd.payment_hash)
        .await
        .unwrap();
    assert_eq!(at_lnd.state, "SETTLED");

    let from_lsp = api
        .create_invoice(
            "lsp",
            &InvoiceRequest {
                amount_msat: Some(15_000_000),
                ..InvoiceRequest::default()
            },
        )
        .unwrap();
    let sent = lnd
        .rest()
        .send_payment(&LndSend {
            payment_request: Some(from_lsp.invoice),
            max_parts: 1,
            fee_limit_msat: 0,
            timeout: Duration::from_secs(60),
            ..LndSend::default()
        })
        .await
        .unwrap();
    assert_eq!(sent.status, "SUCCEEDED", "{sent:?}");
    assert_eq!(sent.payment_hash, from_lsp.payment_hash);

    let info = api.info();
    assert_eq!(info.lnd.len(), 1);
    assert_eq!(info.lnd[0].node_id, lnd.node_id());
}
