//! Fuzzes webhook signature verification: arbitrary headers and bodies are refused with a typed
//! error, never a panic, and never accepted without the right key.
#![no_main]

use etrid_core::clock::FixedClock;
use etrid_core::webhook::WebhookVerifier;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|b| *b == b'\n').unwrap_or(data.len());
    let (header, body) = data.split_at(split);
    let Ok(header) = std::str::from_utf8(header) else {
        return;
    };
    let clock = FixedClock::from_unix_secs(1_700_000_000);
    let Ok(verifier) = WebhookVerifier::new(b"whsec_fuzzing_secret") else {
        return;
    };
    // Without the secret nobody can forge a signature, so nothing random may verify.
    assert!(verifier.verify(header, body, &clock).is_err());
});
