//! Scenario S06: every case of `s06_webhook.json` — signing deliveries, and verifying genuine,
//! tampered, wrongly keyed, stale and malformed ones.

use etrid_core::clock::FixedClock;
use etrid_core::webhook::{WebhookError, WebhookSigner, WebhookVerifier};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::support::{self, Case};

const FILE: &str = include_str!("../../../tests/scenarios/s06_webhook.json");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Sign {
    secrets: Vec<String>,
    body: String,
    timestamp: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Verify {
    secret: String,
    header: String,
    body: String,
    now: u64,
    tolerance_secs: u64,
}

fn code(err: WebhookError) -> String {
    err.code().to_owned()
}

fn sign(input: &Sign) -> Result<String, WebhookError> {
    let (first, more) = input
        .secrets
        .split_first()
        .expect("at least one secret to sign with");
    let mut signer = WebhookSigner::new(first.as_bytes())?;
    for secret in more {
        signer = signer.with_additional_secret(secret.as_bytes())?;
    }
    Ok(signer.sign(input.body.as_bytes(), input.timestamp))
}

/// Runs one S06 case by its op.
fn run(case: &Case) -> Result<Value, String> {
    match case.op.as_str() {
        "sign" => sign(&case.input())
            .map(|header| json!({ "header": header }))
            .map_err(code),
        "verify" => {
            let input: Verify = case.input();
            WebhookVerifier::new(input.secret.as_bytes())
                .map_err(code)?
                .with_tolerance_secs(input.tolerance_secs)
                .verify(
                    &input.header,
                    input.body.as_bytes(),
                    &FixedClock::from_unix_secs(input.now),
                )
                .map(|verified| json!({ "timestamp": verified.timestamp }))
                .map_err(code)
        }
        _ => support::unknown_op(case),
    }
}

#[test]
fn s06_sign_and_verify_every_case() {
    let file = support::load(FILE, "S06");
    let ran = support::run_all(&file, run);
    assert_eq!(ran, file.cases.len());
}
