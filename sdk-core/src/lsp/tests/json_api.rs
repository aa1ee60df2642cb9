//! The JSON operations (`run_json`), their argument checks and the one JSON shape of errors,
//! event items and configuration that the C ABI and the Unity WebGL bridge share.

use serde_json::json;

use super::*;
use crate::lsp::{
    parse_arguments, HubEvent, LspConfig, LspError, LspEvent, Operation, OperationError,
};

#[test]
fn operation_numbers_are_stable_and_dense() {
    for (index, operation) in Operation::ALL.into_iter().enumerate() {
        let number = i32::try_from(index).unwrap() + 1;
        assert_eq!(operation.number(), number);
        assert_eq!(Operation::from_number(number), Some(operation));
    }
    assert_eq!(Operation::from_number(0), None);
    let past_the_last = i32::try_from(Operation::ALL.len()).unwrap() + 1;
    assert_eq!(Operation::from_number(past_the_last), None);
    assert_eq!(Operation::from_number(-1), None);
}

#[test]
fn operation_names_are_snake_case_and_name_one_operation_each() {
    assert_eq!(Operation::CreateInvoice.name(), "create_invoice");
    assert_eq!(Operation::WaitForPayment.name(), "wait_for_payment");
    assert_eq!(Operation::Keysend.name(), "keysend");
    assert_eq!(Operation::PayLnurl.name(), "pay_lnurl");
    for operation in Operation::ALL {
        let name = operation.name();
        assert!(
            name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
            "{name}"
        );
        assert_eq!(Operation::from_name(&name), Some(operation));
    }
    assert_eq!(Operation::from_name("CreateInvoice"), None);
    assert_eq!(Operation::from_name(""), None);
}

#[test]
fn arguments_must_be_a_json_object_and_none_is_empty() {
    assert_eq!(parse_arguments(None).unwrap(), json!({}));
    assert_eq!(
        parse_arguments(Some(r#"{"a":1}"#)).unwrap(),
        json!({"a": 1})
    );
    let not_json = parse_arguments(Some("{")).unwrap_err();
    assert!(
        not_json.to_string().starts_with("is not JSON"),
        "{not_json}"
    );
    assert_eq!(not_json.code(), "invalid_argument");
    let array = parse_arguments(Some("[1]")).unwrap_err();
    assert_eq!(array.to_string(), "is not a JSON object");
}

#[test]
fn run_json_creates_an_invoice_from_snake_case_json_and_answers_the_api_json() {
    let (client, transport, _) = client();
    transport.push_json(201, &invoice_value("inv_1", "open", T0 + 600).to_string());
    let arguments = json!({"amount_msat": 21_000, "description": "sword"});
    let answer = run(client.run_json(Operation::CreateInvoice, &arguments)).unwrap();
    assert_eq!(answer["id"], "inv_1");
    assert_eq!(answer["status"], "open");
    let sent = &transport.requests()[0];
    assert_request(sent, "POST", "https://lsp.test/api/v1/invoices");
    assert_eq!(body(sent), arguments);
}

#[test]
fn run_json_refuses_arguments_that_do_not_fit_before_sending() {
    let (client, transport, _) = client();
    let cases = [
        (
            Operation::CreateInvoice,
            json!({"amountMsat": 1}),
            "amountMsat",
        ),
        (Operation::GetInvoice, json!({}), "invoice_id"),
        (
            Operation::GetInvoice,
            json!({"invoice_id": 7}),
            "invoice_id",
        ),
        (
            Operation::GetInvoice,
            json!({"invoice_id": "a", "extra": 1}),
            "extra",
        ),
        (Operation::Balance, json!({"x": 1}), "x"),
        (
            Operation::WaitForPayment,
            json!({"invoice_id": "a", "timeout_ms": -1}),
            "-1",
        ),
    ];
    for (operation, arguments, named) in cases {
        let error = run(client.run_json(operation, &arguments)).unwrap_err();
        assert!(
            matches!(error, OperationError::Arguments(_)),
            "{operation:?}: {error:?}"
        );
        assert!(error.to_string().contains(named), "{operation:?}: {error}");
        assert_eq!(error.to_json()["code"], "invalid_argument");
    }
    assert!(transport.requests().is_empty(), "nothing was sent");
}

#[test]
fn run_json_answers_the_wait_outcome_and_server_errors_in_the_shared_shape() {
    let (client, transport, _) = client();
    transport.push_json(200, &invoice_value("inv_2", "paid", T0 + 600).to_string());
    let waited = json!({"invoice_id": "inv_2", "timeout_ms": 1000});
    let answer = run(client.run_json(Operation::WaitForPayment, &waited)).unwrap();
    assert_eq!(answer["status"], "paid");
    assert_eq!(answer["invoice"]["id"], "inv_2");

    transport.push_json(404, r#"{"code":"not_found","message":"no invoice inv_3"}"#);
    let missing =
        run(client.run_json(Operation::GetInvoice, &json!({"invoice_id": "inv_3"}))).unwrap_err();
    assert_eq!(
        missing.to_json(),
        json!({"code": "lsp_not_found", "message": "not found: no invoice inv_3",
               "retryable": false, "http_status": 404})
    );
}

#[test]
fn rate_limits_carry_retry_after_in_the_error_json() {
    let error = OperationError::Lsp(LspError::RateLimited {
        retry_after_secs: 3,
    });
    let value = error.to_json();
    assert_eq!(value["code"], "lsp_rate_limited");
    assert_eq!(value["http_status"], 429);
    assert_eq!(value["retryable"], true);
    assert_eq!(value["retry_after_secs"], 3);
}

#[test]
fn hub_items_have_one_json_shape() {
    let event: LspEvent = serde_json::from_str(&event_text(
        9,
        "invoice.paid",
        invoice_value("inv_1", "paid", T0 + 600),
    ))
    .unwrap();
    let item = HubEvent::Event(Box::new(event)).to_json();
    assert_eq!(item["kind"], "event");
    assert_eq!(item["event"]["id"], 9);
    assert_eq!(item["event"]["type"], "invoice.paid");
    assert_eq!(HubEvent::Resync.to_json(), json!({"kind": "resync"}));
    let failed = HubEvent::StreamError(LspError::StreamGaveUp {
        attempts: 8,
        last_error: "closed".into(),
    })
    .to_json();
    assert_eq!(failed["kind"], "error");
    assert_eq!(failed["error"]["code"], "lsp_stream_gave_up");
    assert_eq!(failed["error"]["retryable"], true);
}

#[test]
fn configuration_json_is_read_with_every_check() {
    let config = LspConfig::from_json(
        r#"{"base_url":"https://lsp.test","api_key":"k","network":"regtest",
            "request_timeout_ms":1500,"payment_policy":{"max_fee_msat":2000,"max_parts":4},
            "reconnect":{"max_attempts":3}}"#,
    )
    .unwrap();
    assert_eq!(
        config.request_timeout,
        std::time::Duration::from_millis(1500)
    );
    assert_eq!(config.network, crate::network::Network::Regtest);
    for (bad, named) in [
        ("{", "config"),
        (r#"{"base_url":"u","api_key":"k","network":"moon"}"#, "moon"),
        (
            r#"{"base_url":"u","api_key":"k","network":"regtest","apiKey":"x"}"#,
            "apiKey",
        ),
        (
            r#"{"base_url":"u","api_key":"k","network":"regtest","request_timeout_ms":0}"#,
            "request_timeout_ms",
        ),
        (
            r#"{"base_url":"u","api_key":"k","network":"regtest","payment_policy":{"max_parts":0}}"#,
            "part",
        ),
    ] {
        let error = LspConfig::from_json(bad).unwrap_err();
        assert_eq!(error.code(), "lsp_invalid_config", "{bad}");
        assert!(error.to_string().contains(named), "{bad}: {error}");
    }
}
