//! Fuzzes LNURL, Lightning Address and LNURL service response parsing: typed errors, no panics.
#![no_main]

use etrid_core::lnurl::{decode_lnurl, parse_lnurl_response, LightningAddress};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = decode_lnurl(text);
    if let Ok(address) = LightningAddress::parse(text) {
        let _ = address.to_url();
    }
    let _ = parse_lnurl_response(text);
});
