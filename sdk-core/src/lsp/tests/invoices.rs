//! Invoice operations: request shapes, idempotent create, decoding, local refusals.

use serde_json::json;

use super::*;
use crate::amount::Msat;
use crate::lsp::{
    limits, CreateHoldInvoiceRequest, CreateInvoiceRequest, InvoiceKind, InvoiceStatus,
    ListInvoicesRequest, LspError, PaymentHash, Preimage, SettleHoldInvoiceRequest,
};

#[test]
fn create_invoice_posts_json_with_bearer_key_and_decodes_the_invoice() {
    let (client, transport, _) = client();
    transport.push_json(201, &invoice_value("inv_1", "open", T0 + 3600).to_string());
    let request = CreateInvoiceRequest {
        amount_msat: Some(Msat::from_msat(1_000_000)),
        description: Some("sword".into()),
        expiry_secs: Some(3600),
        ..CreateInvoiceRequest::default()
    };
    let invoice = run(client.create_invoice(request)).unwrap();
    assert_eq!(invoice.id, "inv_1");
    assert_eq!(invoice.kind, InvoiceKind::Standard);
    assert_eq!(invoice.status, InvoiceStatus::Open);
    assert_eq!(invoice.amount_msat, Some(Msat::from_msat(1_000_000)));
    assert_eq!(invoice.metadata.unwrap()["player"], "p1");
    let sent = &transport.requests()[0];
    assert_request(sent, "POST", "https://lsp.test/api/v1/invoices");
    assert_eq!(header(sent, "content-type"), Some("application/json"));
    assert_eq!(header(sent, "accept"), Some("application/json"));
    // Absent options are omitted, not null.
    assert_eq!(
        body(sent),
        json!({"amount_msat": 1_000_000, "description": "sword", "expiry_secs": 3600})
    );
}

#[test]
fn s11_idempotent_create_sends_external_id_and_gets_the_same_invoice() {
    let (client, transport, _) = client();
    let existing = invoice_value("inv_7", "open", T0 + 600).to_string();
    transport.push_json(201, &existing);
    transport.push_json(200, &existing);
    let mut metadata = serde_json::Map::new();
    metadata.insert("player".into(), json!("p1"));
    let request = CreateInvoiceRequest {
        amount_msat: Some(Msat::from_msat(5_000)),
        external_id: Some("order-1".into()),
        metadata: Some(metadata),
        ..CreateInvoiceRequest::default()
    };
    let first = run(client.create_invoice(request.clone())).unwrap();
    let second = run(client.create_invoice(request)).unwrap();
    assert_eq!(first, second);
    for sent in transport.requests() {
        assert_eq!(body(&sent)["external_id"], "order-1");
        assert_eq!(body(&sent)["metadata"], json!({"player": "p1"}));
    }
}

#[test]
fn get_list_and_cancel_use_their_paths_and_queries() {
    let (client, transport, _) = client();
    transport.push_json(200, &invoice_value("inv_1", "paid", T0 + 60).to_string());
    let page = json!({"items": [invoice_value("inv_2", "open", T0 + 60)], "next_cursor": "c2"});
    transport.push_json(200, &page.to_string());
    transport.push_json(
        200,
        &invoice_value("inv_3", "cancelled", T0 + 60).to_string(),
    );
    let paid = run(client.get_invoice("inv_1")).unwrap();
    assert_eq!(paid.paid_at, Some(T0 + 5));
    let list = run(client.list_invoices(ListInvoicesRequest {
        status: Some(InvoiceStatus::Open),
        created_after: Some(10),
        limit: Some(20),
        cursor: Some("c 1&x".into()),
        ..ListInvoicesRequest::default()
    }))
    .unwrap();
    assert_eq!(list.items.len(), 1);
    assert_eq!(list.next_cursor.as_deref(), Some("c2"));
    run(client.cancel_invoice("inv_3")).unwrap();
    let sent = transport.requests();
    assert_request(&sent[0], "GET", "https://lsp.test/api/v1/invoices/inv_1");
    assert_request(
        &sent[1],
        "GET",
        "https://lsp.test/api/v1/invoices?status=open&created_after=10&limit=20&cursor=c+1%26x",
    );
    assert_request(
        &sent[2],
        "POST",
        "https://lsp.test/api/v1/invoices/inv_3/cancel",
    );
    assert!(sent[0].body.is_none());
}

#[test]
fn hold_invoices_create_settle_and_cancel() {
    let (client, transport, _) = client();
    let mut hold = invoice_value("inv_h", "open", T0 + 600);
    hold["kind"] = json!("hold");
    transport.push_json(201, &hold.to_string());
    hold["status"] = json!("paid");
    transport.push_json(200, &hold.to_string());
    hold["status"] = json!("cancelled");
    transport.push_json(200, &hold.to_string());
    let created = run(client.create_hold_invoice(CreateHoldInvoiceRequest {
        amount_msat: Some(Msat::from_msat(10_000)),
        ..CreateHoldInvoiceRequest::new("ab".repeat(32).parse().unwrap())
    }))
    .unwrap();
    assert_eq!(created.kind, InvoiceKind::Hold);
    let settle = SettleHoldInvoiceRequest {
        preimage: "cd".repeat(32).parse().unwrap(),
    };
    assert_eq!(
        run(client.settle_hold_invoice("inv_h", settle))
            .unwrap()
            .status,
        InvoiceStatus::Paid
    );
    run(client.cancel_hold_invoice("inv_h")).unwrap();
    let sent = transport.requests();
    assert_request(&sent[0], "POST", "https://lsp.test/api/v1/hold-invoices");
    assert_eq!(
        body(&sent[0]),
        json!({"payment_hash": "ab".repeat(32), "amount_msat": 10_000})
    );
    assert_request(
        &sent[1],
        "POST",
        "https://lsp.test/api/v1/hold-invoices/inv_h/settle",
    );
    assert_eq!(body(&sent[1]), json!({"preimage": "cd".repeat(32)}));
    assert_request(
        &sent[2],
        "POST",
        "https://lsp.test/api/v1/hold-invoices/inv_h/cancel",
    );
}

#[test]
fn bad_input_is_refused_before_any_request() {
    let (client, transport, _) = client();
    let both = CreateInvoiceRequest {
        description: Some("a".into()),
        description_hash: Some("00".repeat(32).parse().unwrap()),
        ..CreateInvoiceRequest::default()
    };
    // Malformed hashes and preimages cannot even be built: their types refuse them.
    assert!("AB".repeat(32).parse::<PaymentHash>().is_err());
    assert!("00".parse::<Preimage>().is_err());
    let too_long = CreateHoldInvoiceRequest {
        expiry_secs: Some(limits::MAX_EXPIRY_SECS + 1),
        ..CreateHoldInvoiceRequest::new("ab".repeat(32).parse().unwrap())
    };
    let errors = [
        run(client.create_invoice(both)).unwrap_err(),
        run(client.create_hold_invoice(too_long)).unwrap_err(),
        run(client.get_invoice("../admin")).unwrap_err(),
        run(client.get_invoice("")).unwrap_err(),
        run(client.cancel_invoice(&"x".repeat(129))).unwrap_err(),
    ];
    for error in errors {
        assert!(
            matches!(error, LspError::InvalidRequest { .. }),
            "{error:?}"
        );
        assert_eq!(error.code(), "lsp_invalid_request");
    }
    assert!(transport.requests().is_empty());
}

#[test]
fn bad_configuration_is_refused() {
    let transport = MemoryTransport::new();
    let timer = std::sync::Arc::new(SimulatedTimer::from_unix_secs(T0));
    for (base, key) in [
        ("ftp://lsp.test", "k"),
        ("not a url", "k"),
        ("https://lsp.test/?a=1", "k"),
        ("https://lsp.test", "k\r\nX-Evil: 1"),
        ("https://lsp.test", "k y"),
    ] {
        let config = LspConfig::new(base, key, Network::Regtest);
        let error = LspClient::new(config, transport.clone(), timer.clone()).unwrap_err();
        assert_eq!(error.code(), "lsp_invalid_config");
    }
    let config = LspConfig::new(BASE, "secret-key", Network::Regtest);
    let client = LspClient::new(config, transport.clone(), timer.clone()).unwrap();
    assert!(!format!("{client:?}").contains("secret-key"));
    // An empty key makes a keyless client: no Authorization header at all.
    let keyless = LspClient::new(
        LspConfig::new(BASE, "", Network::Regtest),
        transport.clone(),
        timer,
    )
    .unwrap();
    let _ = run(keyless.get_public_tournament("trn_1"));
    let sent = transport.requests();
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0].url.ends_with("/v1/public/tournaments/trn_1"),
        "{}",
        sent[0].url
    );
    assert_eq!(header(&sent[0], "Authorization"), None);
}
