//! S24: streaming payments between two accounts of the LSP.

use super::*;

/// Polls stream `id` until `done` holds (30 s at most).
async fn stream_when(
    client: &support::Client,
    id: &str,
    what: &str,
    done: impl Fn(&etrid_core::lsp::LspStream) -> bool,
) -> etrid_core::lsp::LspStream {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let s = client.get_stream(id).await.unwrap();
        if done(&s) {
            return s;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "stream {id} never {what}: {s:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[test]
fn s24_a_stream_pays_its_rate_within_a_tick_pauses_resumes_stops_and_never_passes_its_budget() {
    use etrid_core::lsp::{CreateStreamRequest, PayoutDestination};
    use etrid_core::streaming::StreamState;
    use std::time::Instant;
    run(async {
        let h = harness().await;
        let (payer, payee) = (h.admin(7), h.admin(8));
        let payee_before = payee.balance().await.unwrap().available_msat.as_u64();
        let invoice_events = |events: &[etrid_core::lsp::LspEvent]| {
            events.iter().filter(|e| e.invoice().is_some()).count()
        };
        let payee_invoice_events = invoice_events(&support::all_events(&payee).await);
        let request = |rate: u64, budget: u64, key: &str| CreateStreamRequest {
            destination: PayoutDestination::Account {
                account_id: h.accounts[8].id.clone(),
            },
            rate_msat_per_sec: rate,
            budget_msat: Msat::from_msat(budget),
            tick_interval_ms: None,
            min_payment_msat: None,
            description: Some("S24 watch time".into()),
            idempotency_key: key.into(),
        };
        // Bad input moves nothing: paying itself; a minimum payment above the budget.
        let mut own = request(1_000, 10_000, "s24-own");
        own.destination = PayoutDestination::Account {
            account_id: h.accounts[7].id.clone(),
        };
        assert_eq!(
            payer.create_stream(own).await.unwrap_err().code(),
            "lsp_invalid_request"
        );
        let mut dust = request(1_000, 10_000, "s24-dust");
        dust.min_payment_msat = Some(Msat::from_msat(10_001));
        assert_eq!(
            payer.create_stream(dust).await.unwrap_err().code(),
            "lsp_invalid_request"
        );

        // 10 sat/s with a 45 sat budget: about 2 s, a pause, a resume, then the budget.
        let capped = payer
            .create_stream(request(10_000, 45_000, "s24-capped"))
            .await
            .unwrap();
        assert_eq!(capped.state, StreamState::Running);
        let again = payer
            .create_stream(request(10_000, 45_000, "s24-capped"))
            .await;
        assert_eq!(again.unwrap().id, capped.id);
        stream_when(&payer, &capped.id, "paid twice", |s| s.payments >= 2).await;
        // The game client holds the stream's own key: it reads, pauses and resumes this stream,
        // and can do nothing else.
        let key = payer.create_stream_key(&capped.id).await.unwrap();
        assert!(key.key.starts_with("etrid_sk_"));
        let game = h.client(&key.key);
        assert_eq!(game.get_stream(&capped.id).await.unwrap().id, capped.id);
        assert_eq!(game.balance().await.unwrap_err().code(), "lsp_unauthorized");
        let other = payer
            .create_stream(request(1_000, 1_000, "s24-other"))
            .await
            .unwrap();
        assert_eq!(
            game.pause_stream(&other.id).await.unwrap_err().code(),
            "lsp_unauthorized"
        );
        let paused = game.pause_stream(&capped.id).await.unwrap();
        assert_eq!(paused.state, StreamState::Paused);
        assert_eq!(
            payer.pause_stream(&capped.id).await.unwrap_err().code(),
            "lsp_conflict"
        );
        // Nothing accrues or is paid while paused (a payment in flight at the pause ends).
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        let held = payer.get_stream(&capped.id).await.unwrap();
        tokio::time::sleep(Duration::from_millis(2_000)).await;
        let still = payer.get_stream(&capped.id).await.unwrap();
        assert_eq!(
            (still.paid_msat, still.active_ms),
            (held.paid_msat, held.active_ms)
        );
        game.resume_stream(&capped.id).await.unwrap();
        // A new key replaces the old one.
        let rotated = payer.create_stream_key(&capped.id).await.unwrap();
        assert_ne!(rotated.key, key.key);
        assert_eq!(
            game.get_stream(&capped.id).await.unwrap_err().code(),
            "lsp_unauthorized"
        );
        let done = stream_when(&payer, &capped.id, "finished", |s| {
            s.state == StreamState::Finished
        })
        .await;
        assert_eq!(
            done.paid_msat,
            Msat::from_msat(45_000),
            "exactly the budget"
        );
        assert_eq!(done.owed_msat, Msat::ZERO);
        assert!(done.ended_at.is_some());
        assert_eq!(
            payer.resume_stream(&capped.id).await.unwrap_err().code(),
            "lsp_conflict"
        );

        // 20 sat/s stopped after about 2.2 s: paid exactly what its running time earned,
        // min(R·T, B), T within the calls' bounds.
        let started = Instant::now();
        let stopped_stream = payer
            .create_stream(request(20_000, 10_000_000, "s24-stopped"))
            .await
            .unwrap();
        let created_after = started.elapsed();
        tokio::time::sleep(Duration::from_millis(2_200)).await;
        let before_stop = started.elapsed();
        payer.stop_stream(&stopped_stream.id).await.unwrap();
        let after_stop = started.elapsed();
        let end = stream_when(&payer, &stopped_stream.id, "finished", |s| {
            s.state == StreamState::Finished
        })
        .await;
        // The server counts whole milliseconds: 1 ms of slack either way.
        let t_ms = u128::from(end.active_ms);
        assert!(
            t_ms + created_after.as_millis() + 1 >= before_stop.as_millis()
                && t_ms <= after_stop.as_millis() + 1,
            "ran {t_ms} ms, stopped between {before_stop:?} and {after_stop:?}"
        );
        assert_eq!(end.paid_msat.as_u64(), end.active_ms * 20_000 / 1_000);
        assert_eq!(end.earned_msat, end.paid_msat);

        // The payee got exactly the streams' payments (the small one runs out its 1 sat).
        let small = stream_when(&payer, &other.id, "finished", |s| {
            s.state == StreamState::Finished
        })
        .await;
        assert_eq!(
            payee.balance().await.unwrap().available_msat.as_u64() - payee_before,
            45_000 + end.paid_msat.as_u64() + small.paid_msat.as_u64()
        );

        // Each payment is a transfer without an invoice, the same on both sides: the payer's
        // payment of kind transfer, the payee's transfer.received event and ledger credit, with
        // the stream's id and its sequences 1, 2, 3, … each once.
        let payee_events = support::all_events(&payee).await;
        let received: Vec<_> = payee_events.iter().filter_map(|e| e.transfer()).collect();
        assert_eq!(
            invoice_events(&payee_events),
            payee_invoice_events,
            "no invoice was made for the payee"
        );
        let credits = support::all_ledger(&payee).await;
        let paid_out = support::all_events(&payer).await;
        for stream in [&done, &end, &small] {
            let mine: Vec<_> = received
                .iter()
                .filter(|t| t.stream_id.as_deref() == Some(stream.id.as_str()))
                .collect();
            let sequences: Vec<u64> = mine.iter().filter_map(|t| t.stream_sequence).collect();
            assert_eq!(
                sequences,
                (1..=stream.payments).collect::<Vec<_>>(),
                "{}",
                stream.id
            );
            assert_eq!(
                mine.iter().map(|t| t.amount_msat.as_u64()).sum::<u64>(),
                stream.paid_msat.as_u64()
            );
            for t in mine {
                let credit: Vec<_> = credits.iter().filter(|c| c.reference_id == t.id).collect();
                assert_eq!(credit.len(), 1, "one credit for transfer {}", t.id);
                assert_eq!(credit[0].kind, LedgerEntryKind::Credit);
                assert_eq!(
                    credit[0].reference_type,
                    etrid_core::lsp::LedgerReferenceType::Transfer
                );
                assert_eq!(credit[0].amount_msat, t.amount_msat);
                assert_eq!(
                    t.description.as_deref(),
                    Some(format!("S24 watch time #{}", t.stream_sequence.unwrap()).as_str())
                );
                let payment = paid_out
                    .iter()
                    .filter_map(|e| e.payment())
                    .find(|p| p.id == t.id)
                    .unwrap_or_else(|| panic!("the payer's payment {}", t.id));
                assert_eq!(payment.kind, etrid_core::lsp::PaymentKind::Transfer);
                assert!(payment.internal);
                assert_eq!(payment.fee_msat, Some(Msat::ZERO));
                assert_eq!(payment.amount_msat, t.amount_msat);
            }
        }
    })
}

#[test]
fn s24_a_stream_to_a_lightning_address_served_here_pays_its_owner_exactly_its_budget() {
    use etrid_core::lsp::{CreateLightningAddressRequest, CreateStreamRequest, PayoutDestination};
    use etrid_core::streaming::StreamState;
    run(async {
        let h = harness().await;
        let (payer, payee) = (h.admin(9), h.admin(10));
        payee
            .create_lightning_address(CreateLightningAddressRequest {
                name: "s24-viewer".into(),
                ..CreateLightningAddressRequest::default()
            })
            .await
            .unwrap();
        let host = h.api().trim_start_matches("http://").to_owned();
        let payer_before = payer.balance().await.unwrap().available_msat.as_u64();
        let payee_before = payee.balance().await.unwrap().available_msat.as_u64();
        // 10 sat/s with a 25 sat budget: three payments through the address's LNURL-pay service
        // (answered inside this LSP), then the budget ends the stream.
        let stream = payer
            .create_stream(CreateStreamRequest {
                destination: PayoutDestination::LightningAddress {
                    address: format!("s24-viewer@{host}"),
                },
                rate_msat_per_sec: 10_000,
                budget_msat: Msat::from_msat(25_000),
                tick_interval_ms: None,
                min_payment_msat: None,
                description: Some("S24 to an address".into()),
                idempotency_key: "s24-address".into(),
            })
            .await
            .unwrap();
        let done = stream_when(&payer, &stream.id, "finished", |s| {
            s.state == StreamState::Finished
        })
        .await;
        assert_eq!(done.paid_msat, Msat::from_msat(25_000), "{done:?}");
        assert!(done.payments >= 2, "{done:?}");
        let payer_after = payer.balance().await.unwrap().available_msat.as_u64();
        let payee_after = payee.balance().await.unwrap().available_msat.as_u64();
        assert_eq!(
            payer_before - payer_after,
            25_000,
            "debited the budget once"
        );
        assert_eq!(
            payee_after - payee_before,
            25_000,
            "the address's owner credited it once"
        );
    });
}
