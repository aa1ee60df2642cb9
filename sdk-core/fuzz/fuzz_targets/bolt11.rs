//! Fuzzes BOLT11 decoding: any string must give an invoice or a typed error, never a panic.
#![no_main]

use etrid_core::clock::FixedClock;
use etrid_core::invoice::{decode_invoice_with, DecodeOptions};
use etrid_core::network::Network;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let clock = FixedClock::from_unix_secs(1_700_000_000);
    for network in [Network::Bitcoin, Network::Regtest] {
        let mut options = DecodeOptions::new(network);
        options.allow_expired = true;
        if let Ok(invoice) = decode_invoice_with(text, &options, &clock) {
            // A decoded invoice must re-decode to the same model.
            let again = decode_invoice_with(&invoice.bolt11, &options, &clock);
            assert_eq!(again.as_ref(), Ok(&invoice));
            let _ = invoice.require_amount();
        }
    }
});
