//! Scenario S04: every case of `s04_lnurl.json` — Lightning Addresses, LNURL text forms, the
//! pay and withdraw offers a service answers, their callback URLs and the check of the invoice
//! a pay service returns.

use etrid_core::amount::Msat;
use etrid_core::lnurl::{
    decode_lnurl, encode_lnurl, parse_lnurl_response, verify_invoice_matches, LightningAddress,
    LnurlError, LnurlResponse, PayRequest, WithdrawRequest,
};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::support::{self, Case};

const FILE: &str = include_str!("../../../tests/scenarios/s04_lnurl.json");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Text {
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Url {
    url: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    body: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PayCallback {
    offer: String,
    amount_msat: u64,
    comment: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WithdrawCallback {
    offer: String,
    amount_msat: u64,
    invoice: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyInvoice {
    offer: String,
    amount_msat: u64,
    invoice_amount_msat: Option<u64>,
    invoice_description_hash: Option<String>,
}

fn code(err: LnurlError) -> String {
    err.code().to_owned()
}

fn pay_fields(offer: &PayRequest) -> Value {
    json!({
        "callback": offer.callback,
        "min_sendable": offer.min_sendable,
        "max_sendable": offer.max_sendable,
        "metadata": offer.metadata,
        "description": offer.parsed_metadata.description,
        "comment_allowed": offer.comment_allowed,
    })
}

fn withdraw_fields(offer: &WithdrawRequest) -> Value {
    json!({
        "callback": offer.callback,
        "k1": offer.k1,
        "default_description": offer.default_description,
        "min_withdrawable": offer.min_withdrawable,
        "max_withdrawable": offer.max_withdrawable,
        "is_empty": offer.is_empty(),
    })
}

/// Runs one S04 case by its op.
fn run(case: &Case) -> Result<Value, String> {
    match case.op.as_str() {
        "parse_address" => {
            let address = LightningAddress::parse(&case.input::<Text>().text).map_err(code)?;
            let url = address.to_url().map_err(code)?;
            Ok(json!({
                "username": address.username(),
                "domain": address.domain(),
                "url": url.as_str(),
            }))
        }
        "decode_lnurl" => decode_lnurl(&case.input::<Text>().text)
            .map(|url| json!({ "url": url.as_str() }))
            .map_err(code),
        "encode_lnurl" => encode_lnurl(&case.input::<Url>().url)
            .map(|lnurl| json!({ "lnurl": lnurl }))
            .map_err(code),
        "parse_pay_request" => PayRequest::parse(&case.input::<Body>().body)
            .map(|offer| pay_fields(&offer))
            .map_err(code),
        "parse_withdraw_request" => WithdrawRequest::parse(&case.input::<Body>().body)
            .map(|offer| withdraw_fields(&offer))
            .map_err(code),
        "parse_lnurl_response" => match parse_lnurl_response(&case.input::<Body>().body) {
            Ok(LnurlResponse::Pay(_)) => Ok(json!({ "kind": "pay", "reason": null })),
            Ok(LnurlResponse::Withdraw(_)) => Ok(json!({ "kind": "withdraw", "reason": null })),
            Ok(LnurlResponse::Error { reason }) => Ok(json!({ "kind": "error", "reason": reason })),
            Err(err) => Err(code(err)),
        },
        "pay_callback_url" => {
            let input: PayCallback = case.input();
            let offer = PayRequest::parse(&input.offer).unwrap();
            offer
                .callback_url(Msat::from_msat(input.amount_msat), input.comment.as_deref())
                .map(|url| json!({ "url": url }))
                .map_err(code)
        }
        "withdraw_callback_url" => {
            let input: WithdrawCallback = case.input();
            let offer = WithdrawRequest::parse(&input.offer).unwrap();
            offer
                .callback_url(Msat::from_msat(input.amount_msat), &input.invoice)
                .map(|url| json!({ "url": url }))
                .map_err(code)
        }
        "verify_invoice_matches" => {
            let input: VerifyInvoice = case.input();
            let offer = PayRequest::parse(&input.offer).unwrap();
            verify_invoice_matches(
                &offer,
                Msat::from_msat(input.amount_msat),
                input.invoice_amount_msat.map(Msat::from_msat),
                input.invoice_description_hash.as_deref(),
            )
            .map(|()| Value::Null)
            .map_err(code)
        }
        _ => support::unknown_op(case),
    }
}

#[test]
fn s04_parse_and_reject_every_case() {
    let file = support::load(FILE, "S04");
    let ran = support::run_all(&file, run);
    assert_eq!(ran, file.cases.len());
}

#[test]
fn s04_encoded_lnurls_decode_to_their_url() {
    let file = support::load(FILE, "S04");
    let mut ran = 0;
    for case in file.cases.iter().filter(|case| case.op == "encode_lnurl") {
        let Ok(lnurl) = encode_lnurl(&case.input::<Url>().url) else {
            continue;
        };
        let url = case.input::<Url>().url;
        assert_eq!(decode_lnurl(&lnurl).map(String::from), Ok(url.clone()));
        let lower = lnurl.to_lowercase();
        assert_eq!(decode_lnurl(&lower).map(String::from), Ok(url));
        ran += 1;
    }
    assert!(ran > 0);
}
