//! S23: vouchers claimed by wallets and redeemed by the SDK, once under any concurrency.

use super::*;

/// Polls voucher `id` until it reaches `status` (30 s at most).
async fn wait_voucher(
    client: &support::Client,
    id: &str,
    status: etrid_core::lsp::VoucherStatus,
) -> etrid_core::lsp::LspVoucher {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let voucher = client.get_voucher(id).await.unwrap();
        if voucher.status == status {
            return voucher;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "voucher {id} never became {status:?}: {voucher:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// GETs an LNURL endpoint as a wallet would: no key, JSON back.
async fn wallet_get(url: &str) -> serde_json::Value {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

/// The LUD-03 callback URL handing in `pr` with `k1`.
fn withdraw_claim(callback: &str, k1: &str, pr: &str) -> String {
    let mut url = url::Url::parse(callback).unwrap();
    url.query_pairs_mut()
        .append_pair("k1", k1)
        .append_pair("pr", pr);
    url.to_string()
}

#[test]
fn s23_a_voucher_is_claimed_by_a_wallet_once_of_100_concurrent_claims_and_unclaimed_value_returns()
{
    use etrid_core::lsp::{
        CreateVouchersRequest, ListPaymentsRequest, RedeemWithdrawRequest, VoucherStatus,
    };
    run(async {
        let h = harness().await;
        h.wait_route_to(5, "bob").await;
        let (owner, player) = (h.admin(5), h.admin(6));
        let before = owner.balance().await.unwrap();
        let request = CreateVouchersRequest {
            count: Some(4),
            min_withdrawable_msat: Some(Msat::from_msat(100_000)),
            description: Some("S23 prize".into()),
            ..CreateVouchersRequest::new(Msat::from_msat(2_000_000), "s23-prizes")
        };
        let batch = owner.create_vouchers(request.clone()).await.unwrap();
        // Each sets aside its amount and a fee allowance of 1 % (at least 10 sat).
        let reserved_each = 2_000_000 + 20_000;
        assert_eq!(batch.reserved_msat, Msat::from_msat(4 * reserved_each));
        assert!(batch.vouchers.iter().all(|v| v.lnurl.starts_with("LNURL1")
            && v.status == VoucherStatus::Active
            && v.reserved_msat == Msat::from_msat(reserved_each)));
        // The same key again: the same batch, nothing more set aside.
        assert_eq!(owner.create_vouchers(request).await.unwrap().id, batch.id);
        let created = owner.balance().await.unwrap();
        assert_eq!(
            created.available_msat.as_u64(),
            before.available_msat.as_u64() - 4 * reserved_each
        );
        let [first, second, third, fourth] = <[_; 4]>::try_from(batch.vouchers).unwrap();

        // A devnet wallet (bob) claims the first: reads the link, hands in an invoice, is paid
        // over Lightning. Claims it must refuse change nothing.
        let offer = wallet_get(decode_lnurl(&first.lnurl).unwrap().as_str()).await;
        assert_eq!(offer["tag"], "withdrawRequest");
        assert_eq!(offer["minWithdrawable"], 100_000);
        assert_eq!(offer["maxWithdrawable"], 2_000_000);
        assert_eq!(offer["defaultDescription"], "S23 prize");
        let (callback, k1) = (
            offer["callback"].as_str().unwrap(),
            offer["k1"].as_str().unwrap(),
        );
        for (k1, pr, reason) in [
            (
                k1,
                h.devnet_invoice("bob", Some(2_000_001)),
                "100000 to 2000000 msat",
            ),
            ("not-the-k1", h.devnet_invoice("bob", Some(1_000)), "k1"),
            (k1, h.devnet_invoice("bob", None), "must have an amount"),
            (k1, "lnbc1garbage".into(), "not valid"),
        ] {
            let refused = wallet_get(&withdraw_claim(callback, k1, &pr)).await;
            assert_eq!(refused["status"], "ERROR", "{refused}");
            assert!(
                refused["reason"].as_str().unwrap().contains(reason),
                "{refused}"
            );
        }
        assert_eq!(
            owner.get_voucher(&first.id).await.unwrap().status,
            VoucherStatus::Active
        );
        let ok = wallet_get(&withdraw_claim(
            callback,
            k1,
            &h.devnet_invoice("bob", Some(2_000_000)),
        ))
        .await;
        assert_eq!(ok, serde_json::json!({"status": "OK"}));
        let claimed = wait_voucher(&owner, &first.id, VoucherStatus::Claimed).await;
        assert_eq!(claimed.claimed_msat, Some(Msat::from_msat(2_000_000)));
        let first_payment = owner
            .get_payment(claimed.payment_id.as_deref().unwrap())
            .await
            .unwrap();
        assert_eq!(first_payment.status, PaymentStatus::Succeeded);
        assert!(!first_payment.internal);
        let again = wallet_get(decode_lnurl(&first.lnurl).unwrap().as_str()).await;
        assert_eq!(again["status"], "ERROR");
        assert!(again["reason"]
            .as_str()
            .unwrap()
            .contains("already claimed"));

        // 100 concurrent claims of the second, half with bob's invoices (paid over
        // Lightning), half with invoices of the player's account (paid inside the LSP):
        // exactly one is accepted and paid.
        let offer = wallet_get(&second.url).await;
        let (callback, k1) = (
            offer["callback"].as_str().unwrap().to_owned(),
            offer["k1"].as_str().unwrap().to_owned(),
        );
        let mut invoices = Vec::new();
        for _ in 0..50 {
            invoices.push(h.devnet_invoice("bob", Some(1_000_000)));
            let mine = player
                .create_invoice(CreateInvoiceRequest {
                    amount_msat: Some(Msat::from_msat(1_000_000)),
                    description: Some("S23 race".into()),
                    ..CreateInvoiceRequest::default()
                })
                .await
                .unwrap();
            invoices.push(mine.bolt11);
        }
        let claims = invoices.iter().map(|pr| {
            let url = withdraw_claim(&callback, &k1, pr);
            tokio::spawn(async move { wallet_get(&url).await })
        });
        let answers: Vec<serde_json::Value> = futures_util::future::join_all(claims)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        let accepted = answers.iter().filter(|a| a["status"] == "OK").count();
        assert_eq!(accepted, 1, "{answers:?}");
        assert!(answers
            .iter()
            .all(|a| a["status"] == "OK" || a["status"] == "ERROR"));
        let raced = wait_voucher(&owner, &second.id, VoucherStatus::Claimed).await;
        assert_eq!(raced.claimed_msat, Some(Msat::from_msat(1_000_000)));
        let prefix = format!("voucher:{}:", second.id);
        let paid_for_second: Vec<_> = owner
            .list_payments(ListPaymentsRequest::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|p| p.idempotency_key.starts_with(&prefix))
            .collect();
        assert_eq!(paid_for_second.len(), 1, "{paid_for_second:?}");
        let second_payment =
            support::wait_payment(&owner, &paid_for_second[0].id, Duration::from_secs(30)).await;
        assert_eq!(second_payment.status, PaymentStatus::Succeeded);

        // The SDK redeems the third into the player's account (an account of the same LSP:
        // paid at once); the link cannot be redeemed twice.
        let player_before = player.balance().await.unwrap().available_msat.as_u64();
        let redeem = RedeemWithdrawRequest {
            lnurl: third.lnurl.clone(),
            amount_msat: None,
            description: None,
        };
        let redeemed = player.redeem_withdraw(redeem.clone()).await.unwrap();
        assert_eq!(
            redeemed.invoice.amount_msat,
            Some(Msat::from_msat(2_000_000))
        );
        assert_eq!(redeemed.withdraw_request.default_description, "S23 prize");
        match player
            .wait_for_payment(&redeemed.invoice.id, Duration::from_secs(30))
            .await
            .unwrap()
        {
            WaitOutcome::Paid(_) => {}
            other => panic!("the redeemed voucher did not pay: {other:?}"),
        }
        let refused = player.redeem_withdraw(redeem).await.unwrap_err();
        assert!(refused.to_string().contains("already claimed"), "{refused}");
        assert_eq!(
            player.balance().await.unwrap().available_msat.as_u64() - player_before,
            2_000_000,
        );

        // The fourth is cancelled: its link stops working, its value returns, once.
        let cancelled = owner.cancel_voucher(&fourth.id).await.unwrap();
        assert_eq!(cancelled.status, VoucherStatus::Cancelled);
        let gone = wallet_get(&fourth.url).await;
        assert!(
            gone["reason"].as_str().unwrap().contains("cancelled"),
            "{gone}"
        );
        let twice = owner.cancel_voucher(&fourth.id).await.unwrap_err();
        assert_eq!(twice.code(), "lsp_conflict", "{twice}");

        // A voucher nobody claims expires after 10 s: its value returns, voucher.expired.
        let short = owner
            .create_vouchers(CreateVouchersRequest {
                expiry_secs: Some(10),
                ..CreateVouchersRequest::new(Msat::from_msat(1_000_000), "s23-short")
            })
            .await
            .unwrap();
        let expired = wait_voucher(&owner, &short.vouchers[0].id, VoucherStatus::Expired).await;
        assert!(expired.completed_at.is_some());
        let events = owner
            .list_events(ListEventsRequest::default())
            .await
            .unwrap()
            .items;
        assert!(events.iter().any(|e| matches!(&e.payload,
            EventPayload::VoucherExpired(v) if v.id == expired.id)));
        assert!(events.iter().any(|e| matches!(&e.payload,
            EventPayload::VoucherClaimed(v) if v.id == first.id)));

        // The money: the owner paid exactly the three claims and their fees, once each;
        // nothing stays set aside.
        let fees =
            first_payment.fee_msat.unwrap().as_u64() + second_payment.fee_msat.unwrap().as_u64();
        let after = owner.balance().await.unwrap();
        assert_eq!(after.reserved_msat, before.reserved_msat);
        assert_eq!(
            before.available_msat.as_u64() - after.available_msat.as_u64(),
            2_000_000 + 1_000_000 + 2_000_000 + fees
        );
    })
}
