//! Swaps end to end (S35, S36): the SDK's swap flow (`etrid_core::swap::flow::SwapClient`)
//! against the real `etrid-lsp` process as swap server, the devnet's chain through its Esplora
//! API, and real HTLCs: a submarine swap whose lockup pays a devnet node's invoice (bob's), and a
//! reverse swap paid by a devnet node and claimed on chain. Each prints its figures (blocks and
//! seconds until the funds are usable, the miner fees each side paid).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use etrid_core::lsp::{EventType, LspSwap, SwapStatus};
use etrid_core::swap::flow::SwapProgress;
use etrid_devnet::nodes::{FundRequest, PayRequest, PaymentState};
use support::swaps::{swap_client, user_address};
use support::{run, Client, Harness};
use tokio::sync::OnceCell;

static HARNESS: OnceCell<Harness> = OnceCell::const_new();

/// One devnet and LSP (serving swaps) for the binary; account 0 makes the swaps.
async fn harness() -> &'static Harness {
    HARNESS
        .get_or_init(|| async { Harness::start_with_swaps(2, Vec::new()).await })
        .await
}

/// Polls swap `id` until `done` holds, mining a block every few polls when `mine` (the LSP's
/// wallet and the chain move on blocks); fails after 90 s.
async fn wait_swap(
    h: &Harness,
    client: &Client,
    id: &str,
    mine: bool,
    done: impl Fn(&LspSwap) -> bool,
) -> LspSwap {
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut polls = 0u32;
    loop {
        let swap = client.get_swap(id).await.unwrap();
        if done(&swap) {
            return swap;
        }
        if Instant::now() >= deadline {
            let log = support::read(&h.dir.path().join("lsp.stderr.log"));
            let tail: Vec<&str> = log.lines().rev().take(60).collect();
            let ldk = support::read(&h.data_dir().join("ldk/ldk_node.log"));
            let ldk_tail: Vec<&str> = ldk
                .lines()
                .rev()
                .filter(|l| l.contains("ERROR") || l.contains("WARN") || l.contains("ailed"))
                .take(30)
                .collect();
            panic!(
                "swap {id} stuck: {swap:?}\nLSP log, last lines first:\n{}\nLDK Node's warnings and errors, last first:\n{}",
                tail.join("\n"),
                ldk_tail.join("\n")
            );
        }
        polls += 1;
        if mine && polls % 10 == 0 {
            h.devnet.api().mine(1).await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The statuses the account's `swap.updated` events carried for swap `id`, in order.
async fn swap_event_statuses(client: &Client, id: &str) -> Vec<SwapStatus> {
    support::all_events(client)
        .await
        .into_iter()
        .filter(|e| e.event_type() == EventType::SwapUpdated)
        .filter_map(|e| e.swap().filter(|s| s.id == id).map(|s| s.status))
        .collect()
}

#[test]
fn s35_a_submarine_swap_pays_the_users_invoice_once_the_lockup_confirms() {
    run(async {
        let h = harness().await;
        let admin = h.admin(0);
        // The LSP's graph knows the way to bob (probed from the account's own funds).
        h.fund_account(0, 2_000_000).await;
        h.wait_route_to(0, "bob").await;
        let mut swaps = swap_client(h, 0, [35; 32]);
        let started = Instant::now();
        let invoice = h.devnet_invoice("bob", Some(50_000_000));
        let refund_address = user_address().to_string();
        let swap = swaps
            .create_submarine(&invoice, &refund_address)
            .await
            .unwrap();
        assert_eq!(swap.lockup_amount_sat, 50_000 + 250 + 1_000);
        // The user's wallet locks the coins (the devnet faucet stands in for it), unconfirmed.
        h.devnet
            .api()
            .fund(&FundRequest {
                address: swap.lockup_address.clone(),
                amount_sats: swap.lockup_amount_sat,
                confirm: Some(false),
            })
            .await
            .unwrap();
        wait_swap(h, &admin, &swap.id, false, |s| {
            s.status == SwapStatus::LockupSeen
        })
        .await;
        // Nothing is paid before the lockup confirms.
        let lockup_height = h.devnet.chain().height();
        h.devnet.api().mine(1).await.unwrap();
        let claimed = wait_swap(h, &admin, &swap.id, false, |s| {
            s.status == SwapStatus::Claimed
        })
        .await;
        let seconds = started.elapsed().as_secs_f64();
        // Blocks from the lockup to the payment (run alone, `--test-threads=1`: the other test
        // mines too).
        let blocks = h.devnet.chain().height() - lockup_height;
        // The SDK sees the LSP's claim on chain: its witness carries bob's preimage.
        let progress = swaps.sync(swap.index).await.unwrap();
        let SwapProgress::Completed { txid, refund_txids } = progress else {
            panic!("the SDK did not see the claim: {progress:?}");
        };
        assert_eq!(Some(txid), claimed.claim_txid.map(|t| t.to_string()));
        assert!(refund_txids.is_empty());
        assert_eq!(
            swap_event_statuses(&admin, &swap.id).await,
            [
                SwapStatus::LockupSeen,
                SwapStatus::LockupConfirmed,
                SwapStatus::Paying,
                SwapStatus::Paid,
                SwapStatus::Claimed
            ]
        );
        let claim = h
            .devnet
            .chain()
            .transaction(&claimed.claim_txid.unwrap().to_string().parse().unwrap())
            .map(|(tx, _)| tx)
            .unwrap();
        let claim_fee = swap.lockup_amount_sat - claim.output[0].value.to_sat();
        println!(
            "S35 figures: submarine swap of 50,000 sat: bob paid after {blocks} block(s) and {seconds:.1} s; \
             the user locked {} sat (invoice + 250 service fee + 1,000 miner fee); the LSP's claim paid {claim_fee} sat in miner fees",
            swap.lockup_amount_sat
        );
    });
}

#[test]
fn s36_a_reverse_swap_is_claimed_on_chain_and_the_lsp_settles_from_the_witness() {
    run(async {
        let h = harness().await;
        let admin = h.admin(1);
        let mut swaps = swap_client(h, 1, [36; 32]);
        let started = Instant::now();
        let claim = user_address();
        let (claim_address, claim_script) = (claim.to_string(), claim.script_pubkey());
        let swap = swaps.create_reverse(40_000, &claim_address).await.unwrap();
        assert_eq!(
            swap.invoice_amount_msat.as_u64(),
            (40_000 + 200 + 1_000) * 1_000
        );
        // alice pays the hold invoice; her payment stays pending until the LSP settles it.
        let api = h.devnet.api().clone();
        let bolt11 = swap.bolt11.clone();
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
        let locked = wait_swap(h, &admin, &swap.id, false, |s| {
            s.status == SwapStatus::LockupBroadcast || s.failure_reason.is_some()
        })
        .await;
        assert_eq!(locked.status, SwapStatus::LockupBroadcast, "{locked:?}");
        // Unconfirmed: the SDK does not claim yet (the LSP could still double-spend it).
        assert_eq!(swaps.sync(swap.index).await.unwrap(), SwapProgress::Open);
        let lockup_height = h.devnet.chain().height();
        h.devnet.api().mine(1).await.unwrap();
        wait_swap(h, &admin, &swap.id, false, |s| {
            s.status == SwapStatus::LockupConfirmed
        })
        .await;
        let deadline = Instant::now() + Duration::from_secs(60);
        let claim_txid = loop {
            if let SwapProgress::Claimed { txid } = swaps.sync(swap.index).await.unwrap() {
                break txid;
            }
            assert!(Instant::now() < deadline, "the SDK never claimed");
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let settled = wait_swap(h, &admin, &swap.id, false, |s| {
            s.status == SwapStatus::Settled
        })
        .await;
        assert_eq!(
            settled.claim_txid.map(|t| t.to_string()),
            Some(claim_txid.clone())
        );
        let outcome = paying.await.unwrap().unwrap();
        assert_eq!(outcome.status, PaymentState::Succeeded, "{outcome:?}");
        let seconds = started.elapsed().as_secs_f64();
        // Blocks from the lockup to the claim (run alone, `--test-threads=1`).
        let blocks = h.devnet.chain().height() - lockup_height;
        h.devnet.api().mine(1).await.unwrap();
        let received = h.devnet.chain().balance_of(&claim_script).to_sat();
        assert!(
            received > 39_000 && received < 40_000,
            "the claim address holds {received} sat"
        );
        assert_eq!(
            swap_event_statuses(&admin, &swap.id).await,
            [
                SwapStatus::HtlcHeld,
                SwapStatus::LockupBroadcast,
                SwapStatus::LockupConfirmed,
                SwapStatus::Claimed,
                SwapStatus::Settled
            ]
        );
        println!(
            "S36 figures: reverse swap of 40,000 sat: the coins were claimed after {blocks} block(s) and {seconds:.1} s; \
             alice paid {} msat (40,000 sat + 200 service fee + 1,000 miner fee); the user's claim paid {} sat in miner fees",
            swap.invoice_amount_msat.as_u64(),
            40_000 - received
        );
    });
}
