//! S38 and S39 on the devnet, against the real LSP process: what a lying swap server would
//! answer (the real answers rewritten on their way to the SDK, standing for a malicious
//! server) is refused before any money moves; a submarine lockup sent twice is claimed once by
//! the LSP and the second refunded by the SDK after the timeout, and one too small is never
//! paid and refunded; a client restarted with nothing but its rescue key finishes its swaps.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use etrid_core::lsp::{LspClient, LspConfig, SwapStatus};
use etrid_core::native::{ReqwestTransport, TokioTimer};
use etrid_core::network::Network;
use etrid_core::platform::{boxed, BoxFuture};
use etrid_core::store::MemoryStore;
use etrid_core::swap::flow::{SwapClient, SwapProgress};
use etrid_core::swap::RescueKey;
use etrid_core::transport::{EventStream, HttpRequest, HttpResponse, Transport, TransportError};
use etrid_devnet::nodes::{FundRequest, PayRequest};
use serde_json::Value;
use support::swaps::{chain, swap_client, user_address, wait_status};
use support::{run, Harness};

/// How a lie rewrites the LSP's answer to a swap creation.
type Lie = Box<dyn Fn(&mut Value) + Send + Sync>;

/// The native transport, with the answers to swap creations rewritten by the lie in force.
#[derive(Clone)]
struct LyingTransport {
    inner: ReqwestTransport,
    lie: Arc<Mutex<Option<Lie>>>,
}

impl Transport for LyingTransport {
    fn request(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        boxed(async move {
            let creates_swap = request.url.contains("/v1/swaps/submarine")
                || request.url.contains("/v1/swaps/reverse");
            let mut response = self.inner.request(request).await?;
            if creates_swap {
                if let Some(lie) = self.lie.lock().unwrap().as_ref() {
                    let mut body: Value = serde_json::from_slice(&response.body).unwrap();
                    lie(&mut body);
                    response.body = serde_json::to_vec(&body).unwrap();
                }
            }
            Ok(response)
        })
    }

    fn open_events(
        &self,
        url: String,
        headers: Vec<(String, String)>,
    ) -> BoxFuture<'_, Result<Box<dyn EventStream>, TransportError>> {
        self.inner.open_events(url, headers)
    }
}

async fn fund(h: &Harness, address: &str, sat: u64, confirm: bool) {
    h.devnet
        .api()
        .fund(&FundRequest {
            address: address.to_owned(),
            amount_sats: sat,
            confirm: Some(confirm),
        })
        .await
        .unwrap();
}

#[test]
fn s38_and_s39_on_the_devnet() {
    run(async {
        let h = Harness::start_with_swaps(1, Vec::new()).await;
        h.fund_account(0, 2_000_000).await;
        h.wait_route_to(0, "bob").await;
        lies_are_refused_before_money_moves(&h).await;
        lockups_twice_and_too_small_are_refunded(&h).await;
        a_restarted_client_with_only_its_rescue_key_finishes_its_swaps(&h).await;
    });
}

/// S38: each lie refused by the SDK; nothing funded or paid.
async fn lies_are_refused_before_money_moves(h: &Harness) {
    let lie: Arc<Mutex<Option<Lie>>> = Arc::default();
    let transport = LyingTransport {
        inner: ReqwestTransport::new().unwrap(),
        lie: Arc::clone(&lie),
    };
    let config = LspConfig::new(h.api(), &h.accounts[0].admin_key, Network::Regtest);
    let lsp = LspClient::new(config, transport, TokioTimer).unwrap();
    let mut swaps = SwapClient::new(
        lsp,
        chain(h),
        MemoryStore::new(),
        RescueKey::from_bytes([38; 32]),
    );
    let lies: Vec<(&str, bool, Lie)> = vec![
        (
            "another server key in the script",
            true,
            Box::new(|v: &mut Value| {
                // The user's key in both branches: the address changes with it.
                let user = v["user_public_key"].as_str().unwrap().to_owned();
                let server = v["server_public_key"].as_str().unwrap().to_owned();
                let script = v["redeem_script"].as_str().unwrap().replace(&server, &user);
                v["redeem_script"] = Value::String(script);
            }),
        ),
        (
            "a lockup one sat larger",
            true,
            Box::new(|v: &mut Value| {
                let msat = v["onchain_amount_msat"].as_u64().unwrap();
                v["onchain_amount_msat"] = Value::from(msat + 1_000);
            }),
        ),
        (
            "a timeout far away",
            true,
            Box::new(|v: &mut Value| {
                let t = v["timeout_height"].as_u64().unwrap();
                v["timeout_height"] = Value::from(t + 10_000);
            }),
        ),
        (
            "another address",
            true,
            Box::new(|v: &mut Value| {
                v["lockup_address"] = Value::String(user_address().to_string());
            }),
        ),
        (
            "a fee above the policy",
            false,
            Box::new(|v: &mut Value| {
                v["fee_bps"] = Value::from(900);
            }),
        ),
        (
            "another payment hash",
            false,
            Box::new(|v: &mut Value| {
                v["payment_hash"] = Value::String("ab".repeat(32));
            }),
        ),
    ];
    for (what, submarine, edit) in lies {
        *lie.lock().unwrap() = Some(edit);
        let refused = if submarine {
            // A new invoice each time: the LSP answers the same swap for the same one.
            let invoice = h.devnet_invoice("bob", Some(20_000_000));
            swaps
                .create_submarine(&invoice, &user_address().to_string())
                .await
                .map(|_| ())
        } else {
            swaps
                .create_reverse(30_000, &user_address().to_string())
                .await
                .map(|_| ())
        };
        let err = refused.expect_err(what);
        assert!(err.code().starts_with("swap_"), "{what}: {err}");
    }
    *lie.lock().unwrap() = None;
    // Every swap the SDK refused is recorded as such, with no address or invoice to use.
    for swap in swaps.swaps().await.unwrap() {
        assert!(
            matches!(swap.progress, SwapProgress::Refused { .. }),
            "{swap:?}"
        );
    }
}

/// S38: a lockup sent twice is claimed once (the invoice paid once) and the second refunded
/// after the timeout; a lockup too small is never paid and refunded.
async fn lockups_twice_and_too_small_are_refunded(h: &Harness) {
    let admin = h.admin(0);
    let mut swaps = swap_client(h, 0, [138; 32]);
    let refund_to = user_address();
    let twice = swaps
        .create_submarine(
            &h.devnet_invoice("bob", Some(20_000_000)),
            &refund_to.to_string(),
        )
        .await
        .unwrap();
    let small = swaps
        .create_submarine(
            &h.devnet_invoice("bob", Some(20_000_000)),
            &refund_to.to_string(),
        )
        .await
        .unwrap();
    fund(h, &twice.lockup_address, twice.lockup_amount_sat, false).await;
    fund(h, &twice.lockup_address, twice.lockup_amount_sat, false).await;
    fund(h, &small.lockup_address, small.lockup_amount_sat - 1, true).await;
    wait_status(&admin, &twice.id, SwapStatus::Claimed).await;
    wait_status(&admin, &small.id, SwapStatus::LockupInvalid).await;
    // Before the timeout the second lockup waits; the small one cannot be refunded yet.
    assert_eq!(swaps.sync(twice.index).await.unwrap(), SwapProgress::Open);
    assert_eq!(swaps.sync(small.index).await.unwrap(), SwapProgress::Open);
    let timeout = twice.timeout_height.max(small.timeout_height);
    let height = h.devnet.chain().height();
    h.devnet.api().mine(timeout - height).await.unwrap();
    let SwapProgress::Completed { refund_txids, .. } = swaps.sync(twice.index).await.unwrap()
    else {
        panic!("the swap paid once is not completed");
    };
    assert_eq!(refund_txids.len(), 1, "the second lockup is refunded");
    let SwapProgress::Refunded { txids } = swaps.sync(small.index).await.unwrap() else {
        panic!("the small lockup is not refunded");
    };
    assert_eq!(txids.len(), 1);
    h.devnet.api().mine(1).await.unwrap();
    let back = h
        .devnet
        .chain()
        .balance_of(&refund_to.script_pubkey())
        .to_sat();
    let locked = twice.lockup_amount_sat + small.lockup_amount_sat - 1;
    assert!(
        back > locked - 2_000 && back < locked,
        "refunded {back} of {locked}"
    );
    wait_status(&admin, &small.id, SwapStatus::Refunded).await;
}

/// S39: a client that loses everything but its rescue key finishes a reverse swap (claims it)
/// and sees a submarine swap completed.
async fn a_restarted_client_with_only_its_rescue_key_finishes_its_swaps(h: &Harness) {
    let admin = h.admin(0);
    let rescue = [139; 32];
    let claim_to = user_address();
    let (reverse, submarine) = {
        let mut before = swap_client(h, 0, rescue);
        let reverse = before
            .create_reverse(30_000, &claim_to.to_string())
            .await
            .unwrap();
        let submarine = before
            .create_submarine(
                &h.devnet_invoice("bob", Some(20_000_000)),
                &claim_to.to_string(),
            )
            .await
            .unwrap();
        (reverse, submarine)
        // The client, its store and everything else are gone here.
    };
    let api = h.devnet.api().clone();
    let bolt11 = reverse.bolt11.clone();
    let paying = tokio::spawn(async move {
        api.pay_invoice(
            "alice",
            &PayRequest {
                invoice: bolt11,
                amount_msat: None,
                timeout_secs: Some(120),
            },
        )
        .await
    });
    fund(
        h,
        &submarine.lockup_address,
        submarine.lockup_amount_sat,
        true,
    )
    .await;
    wait_status(&admin, &reverse.id, SwapStatus::LockupBroadcast).await;
    h.devnet.api().mine(1).await.unwrap();
    wait_status(&admin, &submarine.id, SwapStatus::Claimed).await;

    let mut after = swap_client(h, 0, rescue);
    let mut restored = after.restore(&claim_to.to_string()).await.unwrap();
    restored.sort_unstable();
    assert_eq!(restored, vec![reverse.index, submarine.index]);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let progress = after.sync(reverse.index).await.unwrap();
        if matches!(progress, SwapProgress::Claimed { .. }) {
            break;
        }
        assert!(Instant::now() < deadline, "never claimed: {progress:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    wait_status(&admin, &reverse.id, SwapStatus::Settled).await;
    assert!(paying.await.unwrap().is_ok());
    assert!(matches!(
        after.sync(submarine.index).await.unwrap(),
        SwapProgress::Completed { .. }
    ));
}
