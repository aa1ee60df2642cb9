//! The control API over real HTTP: list, invoice, pay, keysend, mine, fund, typed errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod nodes_support;

use std::net::SocketAddr;

use etrid_devnet::control::ErrorBody;
use etrid_devnet::nodes::{
    ChannelSummary, CreatedInvoice, DevnetConfig, DevnetInfo, Funded, Mined, NodeSummary,
    PaymentOutcome, PaymentState, Role,
};
use etrid_devnet::Devnet;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn control_api_drives_the_devnet() {
    let config = DevnetConfig {
        control_bind: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
        ..nodes_support::small_config()
    };
    let devnet = Devnet::start(config).await.unwrap();
    let base = devnet.control_url().unwrap();
    let http = reqwest::Client::new();

    let info: DevnetInfo = http
        .get(format!("{base}/v1/info"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info.rpc_user, devnet.chain().rpc_user());
    assert_eq!(info.control_url.as_deref(), Some(base.as_str()));
    assert_eq!(info.nodes.len(), 3);

    let nodes: Vec<NodeSummary> = http
        .get(format!("{base}/v1/nodes"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let lsp = nodes.iter().find(|n| n.name == "lsp").unwrap();
    assert_eq!(lsp.role, Role::Lsp);
    assert_eq!(
        lsp.node_id,
        devnet.node("lsp").unwrap().node_id().to_string()
    );

    let channels: Vec<ChannelSummary> = http
        .get(format!("{base}/v1/nodes/alice/channels"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(channels.len(), 1);
    assert!(channels[0].is_usable && channels[0].is_announced);
    assert_eq!(channels[0].counterparty.as_deref(), Some("bob"));
    let all: Vec<ChannelSummary> = http
        .get(format!("{base}/v1/channels"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(all.len(), 4, "two channels, seen from both ends");

    // Invoice on the LSP, paid by alice over two hops.
    let invoice: CreatedInvoice = http
        .post(format!("{base}/v1/nodes/lsp/invoice"))
        .json(&json!({"amount_msat": 2_000_000, "description": "coffee"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paid: PaymentOutcome = http
        .post(format!("{base}/v1/nodes/alice/pay"))
        .json(&json!({"invoice": invoice.invoice}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(paid.status, PaymentState::Succeeded);
    assert_eq!(paid.payment_hash, Some(invoice.payment_hash));

    // Keysend by name with a custom TLV.
    let sent: PaymentOutcome = http
        .post(format!("{base}/v1/nodes/bob/keysend"))
        .json(&json!({"to": "alice", "amount_msat": 5_000, "custom_tlvs": [{"type_num": 65537, "value_hex": "01"}]}))
        .send().await.unwrap().json().await.unwrap();
    assert_eq!(sent.status, PaymentState::Succeeded);

    // Mine and fund.
    let height = devnet.chain().height();
    let mined: Mined = http
        .post(format!("{base}/v1/mine"))
        .json(&json!({"blocks": 3}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mined.hashes.len(), 3);
    assert_eq!(mined.height, height + 3);
    let address = devnet
        .node("lsp")
        .unwrap()
        .onchain_payment()
        .new_address()
        .unwrap();
    let before = devnet
        .node("lsp")
        .unwrap()
        .list_balances()
        .total_onchain_balance_sats;
    let funded: Funded = http
        .post(format!("{base}/v1/fund"))
        .json(&json!({"address": address.to_string(), "amount_sats": 77_777}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(funded.confirmed);
    assert_eq!(
        devnet
            .node("lsp")
            .unwrap()
            .list_balances()
            .total_onchain_balance_sats,
        before + 77_777
    );

    // Typed errors.
    let err = |status: u16, code: &'static str| (status, code);
    let cases = [
        (
            http.post(format!("{base}/v1/nodes/nobody/invoice"))
                .json(&json!({})),
            err(404, "devnet_unknown_node"),
        ),
        (
            http.post(format!("{base}/v1/nodes/alice/pay"))
                .json(&json!({"invoice": "lnbc1nonsense"})),
            err(400, "devnet_invalid_input"),
        ),
        (
            http.post(format!("{base}/v1/mine"))
                .body("{not json")
                .header("content-type", "application/json"),
            err(400, "devnet_invalid_input"),
        ),
        (
            http.post(format!("{base}/v1/mine"))
                .json(&json!({"blocks": 0})),
            err(400, "devnet_invalid_input"),
        ),
        (
            http.post(format!("{base}/v1/fund"))
                .json(&json!({"address": "bc1qnotregtest", "amount_sats": 1})),
            err(400, "devnet_invalid_input"),
        ),
        (
            http.get(format!("{base}/v2/whatever")),
            err(404, "devnet_not_found"),
        ),
    ];
    for (req, (status, code)) in cases {
        let res = req.send().await.unwrap();
        assert_eq!(res.status().as_u16(), status);
        let body: ErrorBody = res.json().await.unwrap();
        assert_eq!(body.code, code, "{}", body.message);
        assert!(!body.message.is_empty());
    }

    devnet.shutdown().await;
}
