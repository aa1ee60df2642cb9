//! S37 on the devnet: a submarine swap the LSP cannot pay (its timeout leaves the payment's
//! route no room: LDK Node's hops ask 144 blocks each) is refunded by the user after the
//! timeout with the LSP stopped, from the chain alone; the LSP, restarted, sees the refund.
//! Its own binary: it kills the LSP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use etrid_core::lsp::SwapStatus;
use etrid_core::swap::flow::SwapProgress;
use etrid_devnet::nodes::FundRequest;
use support::swaps::{swap_client, user_address, wait_status};
use support::{run, Harness};

#[test]
fn s37_a_submarine_swap_the_lsp_cannot_pay_is_refunded_with_the_lsp_stopped() {
    run(async {
        // A 60-block timeout: the LSP accepts the invoice (42 blocks of final CLTV fit) but no
        // route through a router (144 + 42 blocks) fits under it.
        let mut h = Harness::start_with_swaps(
            1,
            vec!["--swap-submarine-timeout-blocks".into(), "60".into()],
        )
        .await;
        let admin = h.admin(0);
        let mut swaps = swap_client(&h, 0, [37; 32]);
        let refund_address = user_address();
        let invoice = h.devnet_invoice("bob", Some(30_000_000));
        let swap = swaps
            .create_submarine(&invoice, &refund_address.to_string())
            .await
            .unwrap();
        h.devnet
            .api()
            .fund(&FundRequest {
                address: swap.lockup_address.clone(),
                amount_sats: swap.lockup_amount_sat,
                confirm: Some(true),
            })
            .await
            .unwrap();
        wait_status(&admin, &swap.id, SwapStatus::PayFailed).await;
        let failed = admin.get_swap(&swap.id).await.unwrap();
        assert!(
            failed
                .failure_reason
                .as_deref()
                .is_some_and(|r| r.contains("refund")),
            "{failed:?}"
        );

        // The LSP is gone. Before the timeout nothing can be done; at it, the chain alone
        // refunds.
        h.kill_lsp();
        let height = h.devnet.chain().height();
        h.devnet
            .api()
            .mine(swap.timeout_height - height - 1)
            .await
            .unwrap();
        assert_eq!(swaps.sync(swap.index).await.unwrap(), SwapProgress::Open);
        h.devnet.api().mine(1).await.unwrap();
        let SwapProgress::Refunded { txids } = swaps.sync(swap.index).await.unwrap() else {
            panic!("not refunded");
        };
        assert_eq!(txids.len(), 1);
        h.devnet.api().mine(1).await.unwrap();
        let back = h
            .devnet
            .chain()
            .balance_of(&refund_address.script_pubkey())
            .to_sat();
        assert!(
            back > swap.lockup_amount_sat - 1_000 && back < swap.lockup_amount_sat,
            "refunded {back} of {} sat",
            swap.lockup_amount_sat
        );

        // Back up, the LSP sees the refund on chain.
        h.spawn_lsp();
        let admin = h.admin(0);
        wait_status(&admin, &swap.id, SwapStatus::Refunded).await;
        let refunded = admin.get_swap(&swap.id).await.unwrap();
        assert_eq!(
            refunded.refund_txid.map(|t| t.to_string()),
            Some(txids[0].clone())
        );
        println!(
            "S37 figures: refunded {back} of {} sat locked (the refund's miner fee: {} sat)",
            swap.lockup_amount_sat,
            swap.lockup_amount_sat - back
        );
    });
}

/// A reverse swap whose user never claims: at the timeout the LSP refunds its lockup to its own
/// wallet and, once the refund confirms, fails the held payment back: the payer loses nothing.
#[test]
fn s36_a_reverse_swap_never_claimed_is_refunded_and_its_payment_failed_back() {
    run(async {
        let h = Harness::start_with_swaps(1, Vec::new()).await;
        let admin = h.admin(0);
        let mut swaps = swap_client(&h, 0, [136; 32]);
        let claim_to = user_address();
        let swap = swaps
            .create_reverse(30_000, &claim_to.to_string())
            .await
            .unwrap();
        let api = h.devnet.api().clone();
        let bolt11 = swap.bolt11.clone();
        let paying = tokio::spawn(async move {
            api.pay_invoice(
                "alice",
                &etrid_devnet::nodes::PayRequest {
                    invoice: bolt11,
                    amount_msat: None,
                    timeout_secs: Some(300),
                },
            )
            .await
        });
        wait_status(&admin, &swap.id, SwapStatus::LockupBroadcast).await;
        // The user never claims. At the timeout the LSP refunds; once that confirms, alice's
        // payment is failed back.
        let height = h.devnet.chain().height();
        h.devnet
            .api()
            .mine(swap.timeout_height - height)
            .await
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let s = admin.get_swap(&swap.id).await.unwrap();
            if s.status == SwapStatus::Refunded {
                assert!(s.refund_txid.is_some(), "{s:?}");
                break;
            }
            assert!(Instant::now() < deadline, "never refunded: {s:?}");
            h.devnet.api().mine(1).await.unwrap();
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        // alice's payment failed back (the devnet answers a failed payment as an error).
        match paying.await.unwrap() {
            Ok(outcome) => assert_eq!(
                outcome.status,
                etrid_devnet::nodes::PaymentState::Failed,
                "{outcome:?}"
            ),
            Err(e) => assert!(e.to_string().contains("RecipientRejected"), "{e}"),
        }
        assert_eq!(
            h.devnet
                .chain()
                .balance_of(&claim_to.script_pubkey())
                .to_sat(),
            0
        );
        // The SDK, looking later, records that the LSP took its coins back.
        assert_eq!(swaps.sync(swap.index).await.unwrap(), SwapProgress::Expired);
    });
}
