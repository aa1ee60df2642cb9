//! Unit tests of the webhook signature scheme: the typed fields of scenario S06's errors, secret
//! handling, error codes and properties (round trips, no panics).

use super::*;
use crate::clock::FixedClock;
use proptest::prelude::*;

const SECRET: &[u8] = b"whsec_test_secret";
const BODY: &[u8] = br#"{"id":"evt_1","type":"invoice.paid","amount_msat":21000}"#;
const NOW: u64 = 1_700_000_000;

fn verifier() -> WebhookVerifier {
    WebhookVerifier::new(SECRET).unwrap()
}

fn signed(body: &[u8], at: u64) -> String {
    WebhookSigner::new(SECRET).unwrap().sign(body, at)
}

// Signing, verifying and refusing deliveries is scenario S06 (tests/scenarios/s06_webhook.json,
// run by the offline_scenarios integration test); here the typed fields of its errors.

/// S06's cases.
fn s06_cases() -> Vec<serde_json::Value> {
    let file: serde_json::Value =
        serde_json::from_str(include_str!("../../../tests/scenarios/s06_webhook.json")).unwrap();
    file["cases"].as_array().unwrap().clone()
}

#[test]
fn s06_stale_timestamp_carries_its_times() {
    let header = signed(BODY, NOW);
    let late = FixedClock::from_unix_secs(NOW + DEFAULT_TOLERANCE_SECS + 1);
    assert_eq!(
        verifier().verify(&header, BODY, &late),
        Err(WebhookError::TimestampOutsideTolerance {
            timestamp: NOW,
            now: NOW + 301,
            tolerance_secs: 300
        })
    );
    let strict = verifier().with_tolerance_secs(5);
    assert_eq!(strict.tolerance_secs(), 5);
}

#[test]
fn s06_malformed_headers_say_why() {
    let reasons = [
        ("header_no_timestamp", "no timestamp"),
        (
            "header_timestamp_not_a_number",
            "the timestamp is not a number of seconds",
        ),
        (
            "header_negative_timestamp",
            "the timestamp is not a number of seconds",
        ),
        (
            "header_signed_timestamp",
            "the timestamp is not a number of seconds",
        ),
        (
            "header_timestamp_overflows",
            "the timestamp is not a number of seconds",
        ),
        ("header_two_timestamps", "more than one timestamp"),
        (
            "header_semicolon_separator",
            "the timestamp is not a number of seconds",
        ),
        ("header_item_without_equals", "every item must be key=value"),
        ("header_too_many_signatures", "too many signatures"),
    ];
    let cases = s06_cases();
    let mut checked = 0;
    for case in &cases {
        if case["expect"]["error"] != "webhook_malformed_header" {
            continue;
        }
        let name = case["name"].as_str().unwrap();
        let reason = reasons
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, reason)| *reason)
            .unwrap_or_else(|| panic!("{name}: add its reason here"));
        let input = &case["input"];
        let clock = FixedClock::from_unix_secs(input["now"].as_u64().unwrap());
        let verifier = WebhookVerifier::new(input["secret"].as_str().unwrap().as_bytes()).unwrap();
        let header = input["header"].as_str().unwrap();
        let body = input["body"].as_str().unwrap().as_bytes();
        assert_eq!(
            verifier.verify(header, body, &clock),
            Err(malformed(reason)),
            "{name}"
        );
        checked += 1;
    }
    assert_eq!(checked, reasons.len());
}

fn malformed(reason: &str) -> WebhookError {
    WebhookError::MalformedHeader {
        reason: reason.to_owned(),
    }
}

#[test]
fn empty_secrets_are_refused_and_secrets_never_printed() {
    assert_eq!(
        WebhookSigner::new(b"").err(),
        Some(WebhookError::EmptySecret)
    );
    assert_eq!(
        WebhookVerifier::new(b"").err(),
        Some(WebhookError::EmptySecret)
    );
    let signer = WebhookSigner::new(SECRET).unwrap();
    assert_eq!(
        signer.clone().with_additional_secret(b"").err(),
        Some(WebhookError::EmptySecret)
    );
    assert!(!format!("{signer:?}").contains("whsec"));
    assert!(!format!("{:?}", verifier()).contains("whsec"));
}

#[test]
fn signer_refuses_more_secrets_than_receivers_accept() {
    let mut signer = WebhookSigner::new(b"s0").unwrap();
    for i in 1..MAX_SIGNATURES {
        signer = signer
            .with_additional_secret(format!("s{i}").as_bytes())
            .unwrap();
    }
    assert!(signer.clone().with_additional_secret(b"one more").is_err());
    let clock = FixedClock::from_unix_secs(NOW);
    let last = format!("s{}", MAX_SIGNATURES - 1);
    let header = signer.sign(BODY, NOW);
    assert!(WebhookVerifier::new(last.as_bytes())
        .unwrap()
        .verify(&header, BODY, &clock)
        .is_ok());
}

#[test]
fn error_codes_are_prefixed_and_distinct() {
    let errors = [
        WebhookError::EmptySecret,
        WebhookError::MissingHeader,
        malformed(""),
        WebhookError::NoSignature,
        WebhookError::InvalidHex,
        WebhookError::SignatureMismatch,
        WebhookError::TimestampOutsideTolerance {
            timestamp: 0,
            now: 0,
            tolerance_secs: 0,
        },
    ];
    let mut codes: Vec<&str> = errors.iter().map(WebhookError::code).collect();
    assert!(codes.iter().all(|c| c.starts_with("webhook_")));
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), errors.len());
}

proptest! {
    #[test]
    fn s06_verify_never_panics(header in ".{0,400}", body in proptest::collection::vec(any::<u8>(), 0..64)) {
        let clock = FixedClock::from_unix_secs(NOW);
        let _ = verifier().verify(&header, &body, &clock);
    }

    #[test]
    fn s06_verify_never_panics_on_header_like_text(
        items in proptest::collection::vec(("[tv0-9 ]{0,3}", "[0-9a-fA-F=, ]{0,70}"), 0..6),
    ) {
        let header: Vec<String> = items.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let clock = FixedClock::from_unix_secs(NOW);
        let _ = verifier().verify(&header.join(","), BODY, &clock);
    }

    #[test]
    fn s06_sign_verify_round_trip(
        body in proptest::collection::vec(any::<u8>(), 0..2048),
        secret in proptest::collection::vec(any::<u8>(), 1..100),
        at in 0u64..4_000_000_000,
        skew in 0u64..=DEFAULT_TOLERANCE_SECS,
    ) {
        let header = WebhookSigner::new(&secret).unwrap().sign(&body, at);
        let clock = FixedClock::from_unix_secs(at + skew);
        let verified = WebhookVerifier::new(&secret).unwrap().verify(&header, &body, &clock);
        prop_assert_eq!(verified, Ok(VerifiedWebhook { timestamp: at }));
        let mut flipped = body.clone();
        flipped.push(0);
        prop_assert_eq!(
            WebhookVerifier::new(&secret).unwrap().verify(&header, &flipped, &clock),
            Err(WebhookError::SignatureMismatch)
        );
    }
}
