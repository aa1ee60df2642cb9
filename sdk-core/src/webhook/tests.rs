//! Tests of the webhook signature scheme (scenario S06).

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

#[test]
fn signature_matches_an_independent_hmac() {
    // HMAC-SHA256(key="key", "1.hello"), computed with Python's hmac module.
    let header = WebhookSigner::new(b"key").unwrap().sign(b"hello", 1);
    assert_eq!(
        header,
        "t=1,v1=9233658ef5e21fe59dba8abb099c978547d7626f87090a6a585c26a2a98a91f8"
    );
}

#[test]
fn s06_verify_valid_signature() {
    let header = signed(BODY, NOW);
    let clock = FixedClock::from_unix_secs(NOW + 10);
    assert_eq!(
        verifier().verify(&header, BODY, &clock),
        Ok(VerifiedWebhook { timestamp: NOW })
    );
    // Whitespace around items and unknown keys are tolerated.
    let spaced = header.replace(',', " , ") + ",v0=whatever";
    assert!(verifier().verify(&spaced, BODY, &clock).is_ok());
}

#[test]
fn s06_reject_tampered_body() {
    let header = signed(BODY, NOW);
    let clock = FixedClock::from_unix_secs(NOW);
    let tampered = br#"{"id":"evt_1","type":"invoice.paid","amount_msat":99000}"#;
    assert_eq!(
        verifier().verify(&header, tampered, &clock),
        Err(WebhookError::SignatureMismatch)
    );
    // Moving the timestamp changes the signed message too.
    let moved = header.replacen(&format!("t={NOW}"), &format!("t={}", NOW + 1), 1);
    assert_eq!(
        verifier().verify(&moved, BODY, &clock),
        Err(WebhookError::SignatureMismatch)
    );
}

#[test]
fn s06_reject_wrong_key() {
    let header = WebhookSigner::new(b"another secret")
        .unwrap()
        .sign(BODY, NOW);
    let clock = FixedClock::from_unix_secs(NOW);
    assert_eq!(
        verifier().verify(&header, BODY, &clock),
        Err(WebhookError::SignatureMismatch)
    );
}

#[test]
fn s06_reject_stale_timestamp() {
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
    let edge = FixedClock::from_unix_secs(NOW + DEFAULT_TOLERANCE_SECS);
    assert!(verifier().verify(&header, BODY, &edge).is_ok());
    // From the future, beyond the tolerance.
    let early = FixedClock::from_unix_secs(NOW - 301);
    assert!(matches!(
        verifier().verify(&header, BODY, &early),
        Err(WebhookError::TimestampOutsideTolerance { .. })
    ));
    // A custom tolerance.
    let strict = verifier().with_tolerance_secs(5);
    assert_eq!(strict.tolerance_secs(), 5);
    let clock = FixedClock::from_unix_secs(NOW + 6);
    assert!(strict.verify(&header, BODY, &clock).is_err());
}

#[test]
fn s06_rotation_accepts_any_matching_signature() {
    let signer = WebhookSigner::new(b"new secret")
        .unwrap()
        .with_additional_secret(SECRET)
        .unwrap();
    let header = signer.sign(BODY, NOW);
    assert_eq!(header.matches("v1=").count(), 2);
    let clock = FixedClock::from_unix_secs(NOW);
    assert!(verifier().verify(&header, BODY, &clock).is_ok());
    assert!(WebhookVerifier::new(b"new secret")
        .unwrap()
        .verify(&header, BODY, &clock)
        .is_ok());
    assert_eq!(
        WebhookVerifier::new(b"third")
            .unwrap()
            .verify(&header, BODY, &clock),
        Err(WebhookError::SignatureMismatch)
    );
}

#[test]
fn s06_reject_malformed_headers() {
    let clock = FixedClock::from_unix_secs(NOW);
    let good_sig = "00".repeat(32);
    let too_many = format!(
        "t={NOW}{}",
        format!(",v1={good_sig}").repeat(MAX_SIGNATURES + 1)
    );
    let cases: Vec<(String, WebhookError)> = vec![
        (String::new(), WebhookError::MissingHeader),
        ("   ".to_owned(), WebhookError::MissingHeader),
        (format!("v1={good_sig}"), malformed("no timestamp")),
        (
            format!("t=abc,v1={good_sig}"),
            malformed("the timestamp is not a number of seconds"),
        ),
        (
            format!("t=-5,v1={good_sig}"),
            malformed("the timestamp is not a number of seconds"),
        ),
        (
            format!("t=+5,v1={good_sig}"),
            malformed("the timestamp is not a number of seconds"),
        ),
        (
            format!("t=99999999999999999999,v1={good_sig}"),
            malformed("the timestamp is not a number of seconds"),
        ),
        (
            format!("t={NOW},t={NOW},v1={good_sig}"),
            malformed("more than one timestamp"),
        ),
        (
            format!("t={NOW};v1={good_sig}"),
            malformed("the timestamp is not a number of seconds"),
        ),
        (
            format!("t={NOW},garbage"),
            malformed("every item must be key=value"),
        ),
        (format!("t={NOW}"), WebhookError::NoSignature),
        (format!("t={NOW},v0={good_sig}"), WebhookError::NoSignature),
        (format!("t={NOW},v1=zz"), WebhookError::InvalidHex),
        (format!("t={NOW},v1=abcd"), WebhookError::InvalidHex),
        (format!("t={NOW},v1={good_sig}00"), WebhookError::InvalidHex),
        (too_many, malformed("too many signatures")),
        (
            format!("t={NOW},v1={good_sig}"),
            WebhookError::SignatureMismatch,
        ),
    ];
    for (header, expected) in cases {
        assert_eq!(
            verifier().verify(&header, BODY, &clock),
            Err(expected),
            "{header:.80}"
        );
    }
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
