//! The client calls exactly the operations `lsp/openapi.json` documents, with documented query
//! parameters only: every operation is called once and every request matches a path template.

use std::collections::BTreeSet;

use super::*;
use crate::amount::Msat;
use crate::lsp::*;

/// Matches a request path against the document's path templates.
fn template_for<'a>(templates: &'a [String], path: &str) -> Option<&'a String> {
    let parts: Vec<&str> = path.split('/').collect();
    templates.iter().find(|t| {
        let tparts: Vec<&str> = t.split('/').collect();
        tparts.len() == parts.len()
            && tparts
                .iter()
                .zip(&parts)
                .all(|(t, p)| t == p || (t.starts_with('{') && !p.is_empty()))
    })
}

#[test]
fn the_client_calls_exactly_the_documented_operations_and_parameters() {
    const COFFEE: &str = "lnbc2500u1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5xysxxatsyp3k7enxv4jsxqzpu9qrsgquk0rl77nj30yxdy8j9vdx85fkpmdla2087ne0xh8nhedh8w27kyke0lp53ut353s06fv3qfegext0eh0ymjpf39tuven09sam30g4vgpfna3rh";
    let (client, transport, _) = client_on(Network::Bitcoin, 1_496_314_658);
    let page = || ListPageRequest {
        limit: Some(1),
        cursor: Some("c".into()),
    };
    let prepared = client
        .prepare_pay_invoice(PayInvoiceRequest {
            bolt11: COFFEE.into(),
            idempotency_key: "k".into(),
            ..PayInvoiceRequest::default()
        })
        .unwrap();
    let keysend = client
        .prepare_keysend(KeysendRequest::new(
            "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
                .parse()
                .unwrap(),
            Msat::from_msat(1_000),
            "k",
        ))
        .unwrap();
    // Every call fails on the scripted-response queue being empty: only the requests matter.
    let _ = run(client.health());
    let _ = run(client.create_invoice(CreateInvoiceRequest::default()));
    let _ = run(client.list_invoices(ListInvoicesRequest {
        status: Some(InvoiceStatus::Open),
        created_after: Some(1),
        created_before: Some(2),
        limit: Some(1),
        cursor: Some("c".into()),
    }));
    let _ = run(client.get_invoice("i"));
    let _ = run(client.cancel_invoice("i"));
    let _ = run(client.create_hold_invoice(CreateHoldInvoiceRequest::new(
        "00".repeat(32).parse().unwrap(),
    )));
    let _ = run(client.settle_hold_invoice(
        "i",
        SettleHoldInvoiceRequest {
            preimage: "00".repeat(32).parse().unwrap(),
        },
    ));
    let _ = run(client.cancel_hold_invoice("i"));
    let _ = run(client.pay(prepared));
    let _ = run(client.keysend(keysend));
    let _ = run(client.list_payments(ListPaymentsRequest {
        status: Some(PaymentStatus::Failed),
        created_after: Some(1),
        created_before: Some(2),
        limit: Some(1),
        cursor: Some("c".into()),
    }));
    let _ = run(client.get_payment("p"));
    let _ = run(client.balance());
    let _ = run(client.list_ledger(ListLedgerRequest {
        created_after: Some(1),
        created_before: Some(2),
        limit: Some(1),
        cursor: Some("c".into()),
    }));
    let _ = run(client.list_events(ListEventsRequest {
        after: Some(1),
        limit: Some(1),
    }));
    let _ = run(client.create_webhook(CreateWebhookRequest {
        url: "https://x".into(),
        ..CreateWebhookRequest::default()
    }));
    let _ = run(client.list_webhooks(page()));
    let _ = run(client.delete_webhook("w"));
    let _ = run(client.list_webhook_deliveries("w", page()));
    let _ = run(client.redeliver_webhook("w", "d"));
    let _ = run(client.create_api_key(CreateApiKeyRequest {
        scope: ApiKeyScope::Admin,
        label: "l".into(),
    }));
    let _ = run(client.list_api_keys(page()));
    let _ = run(client.revoke_api_key("k"));
    let _ = run(client.node_info());
    let _ = run(client.list_channels());
    let _ = run(client.liquidity());
    let _ = run(
        client.create_lightning_address(CreateLightningAddressRequest {
            name: "shop".into(),
            ..CreateLightningAddressRequest::default()
        }),
    );
    let _ = run(client.list_lightning_addresses(page()));
    let _ = run(client.delete_lightning_address("shop"));
    let _ = run(client.create_tournament(tournament_request()));
    let _ = run(client.list_tournaments(page()));
    let _ = run(client.get_tournament("t"));
    let _ = run(client.join_tournament(
        "t",
        JoinTournamentRequest {
            player_id: "p1".into(),
            payout: PayoutDestination::Account {
                account_id: "acc_1".into(),
            },
        },
    ));
    let _ = run(client.list_tournament_entries("t"));
    let _ = run(client.get_public_tournament("t"));
    let _ = run(client.join_public_tournament(
        "t",
        JoinTournamentRequest {
            player_id: "p1".into(),
            payout: PayoutDestination::Voucher,
        },
    ));
    let _ = run(client.cancel_tournament("t"));
    let _ = run(client.enter_tournament_results(
        "t",
        TournamentResultsRequest {
            standings: vec![crate::tournament::Standing {
                player_id: "p1".into(),
                rank: 1,
            }],
        },
    ));
    let _ = run(client.pay_tournament("t"));
    let _ = run(client.list_tournament_payouts("t"));
    let _ = run(client.tournament_audit("t"));
    let _ = run(client.create_vouchers(CreateVouchersRequest::new(Msat::from_msat(1_000), "k")));
    let _ = run(client.list_vouchers(ListVouchersRequest {
        batch_id: Some("vbt_1".into()),
        status: Some(VoucherStatus::Active),
        limit: Some(1),
        cursor: Some("c".into()),
    }));
    let _ = run(client.get_voucher("v"));
    let _ = run(client.create_schedule(super::schema::schedule_request()));
    let _ = run(client.get_schedule("s"));
    let _ = run(client.list_schedules(page()));
    let _ = run(client.schedule_runs("s"));
    let _ = run(client.cancel_schedule("s"));
    let _ = run(client.create_stream(CreateStreamRequest {
        destination: PayoutDestination::Account {
            account_id: "acc_1".into(),
        },
        rate_msat_per_sec: 1,
        budget_msat: Msat::from_msat(1_000),
        tick_interval_ms: None,
        min_payment_msat: None,
        description: None,
        idempotency_key: "k".into(),
    }));
    let _ = run(client.get_stream("s"));
    let _ = run(client.list_streams(page()));
    let _ = run(client.pause_stream("s"));
    let _ = run(client.resume_stream("s"));
    let _ = run(client.stop_stream("s"));
    let _ = run(client.create_stream_key("s"));
    let _ = run(client.cancel_voucher("v"));
    let _ = run(client.create_quote(CreateQuoteRequest::new(
        rust_decimal::Decimal::new(499, 2),
        "EUR",
    )));
    let key: PublicKeyHex = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
        .parse()
        .unwrap();
    let _ = run(client.swap_info());
    let _ = run(client.create_submarine_swap(CreateSubmarineSwapRequest {
        bolt11: COFFEE.into(),
        refund_public_key: key,
    }));
    let _ = run(client.create_reverse_swap(CreateReverseSwapRequest {
        payment_hash: "00".repeat(32).parse().unwrap(),
        claim_public_key: key,
        onchain_amount_msat: Msat::from_msat(50_000_000),
    }));
    let _ = run(client.get_swap("s"));
    let _ = run(client.list_swaps(page()));
    let _ = run(client.subscribe_events(Some(1)).connect());

    let doc = doc();
    let paths = doc["paths"].as_object().unwrap();
    let templates: Vec<String> = paths.keys().cloned().collect();
    let mut called = BTreeSet::new();
    let mut urls: Vec<(String, String)> = transport
        .requests()
        .into_iter()
        .map(|r| (r.method.as_str().to_lowercase(), r.url))
        .collect();
    urls.extend(
        transport
            .opened_streams()
            .into_iter()
            .map(|(url, _)| ("get".to_owned(), url)),
    );
    for (method, url) in urls {
        let url = url::Url::parse(&url).unwrap();
        let path = url.path().trim_start_matches("/api");
        let template =
            template_for(&templates, path).unwrap_or_else(|| panic!("undocumented {path}"));
        let operation = &paths[template][&method];
        assert!(operation.is_object(), "undocumented {method} {template}");
        let declared: BTreeSet<&str> = operation["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "query")
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        for (name, _) in url.query_pairs() {
            assert!(
                declared.contains(name.as_ref()),
                "{method} {template}: `{name}` undeclared"
            );
        }
        if operation.get("requestBody").is_some() {
            assert_eq!(method, "post", "{template}");
        }
        called.insert(format!("{method} {template}"));
    }
    let mut documented = BTreeSet::new();
    for (template, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            // LNURL endpoints are for any wallet; the SDK reaches them as any LNURL service.
            if operation["x-etrid-lnurl"] == true {
                continue;
            }
            documented.insert(format!("{method} {template}"));
        }
    }
    documented.remove("get /v1/openapi.json");
    assert_eq!(documented, called);
}

/// A valid tournament request.
pub(super) fn tournament_request() -> CreateTournamentRequest {
    CreateTournamentRequest {
        name: "Cup".into(),
        entry_fee_msat: Msat::from_msat(1_000),
        seats: 2,
        payout_table_bps: vec![10_000],
        organizer_fee_bps: 0,
        join_deadline: 2_000_000_000,
        external_id: None,
        metadata: None,
        public_join: false,
    }
}
