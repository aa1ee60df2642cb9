//! LNURL text forms: the bech32 encoding of LUD-01 (with its `lightning:` prefix and
//! `?lightning=` fallback) and the plain-URL schemes of LUD-17 (`lnurlp://`, `lnurlw://`,
//! `lnurlc://`, `keyauth://`).

use bech32::primitives::checksum::Checksum;
use bech32::primitives::decode::UncheckedHrpstring;
use bech32::{Fe32, Hrp};
use url::Url;

use super::service_url::{check_service_url, parse_service_url, web_scheme_for};
use super::LnurlError;

/// The human-readable part of every bech32 LNURL.
const LNURL_HRP: Hrp = Hrp::parse_unchecked("lnurl");

/// The longest bech32 LNURL accepted or produced, in characters.
///
/// BIP-173 limits addresses to 90 characters, which LNURLs exceed; wallets commonly accept up to
/// 2,000 (the limit in LUD-01's own JavaScript example), and so do we.
pub const MAX_LNURL_LENGTH: usize = 2000;

/// The BIP-173 bech32 checksum with LNURL's length limit instead of the 90 or 1,023 characters
/// the `bech32` crate's `Bech32` enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LnurlBech32 {}

impl Checksum for LnurlBech32 {
    type MidstateRepr = u32;
    const CODE_LENGTH: usize = MAX_LNURL_LENGTH;
    const CHECKSUM_LENGTH: usize = 6;
    // The BIP-173 generator and its four shifts.
    const GENERATOR_SH: [u32; 5] = [
        0x3b6a_57b2,
        0x2650_8e6d,
        0x1ea1_19fa,
        0x3d42_33dd,
        0x2a14_62b3,
    ];
    const TARGET_RESIDUE: u32 = 1;
}

/// LUD-17 schemes, each standing for `https` (or `http` on onion and loopback hosts).
const LUD17_SCHEMES: [&str; 4] = ["lnurlp://", "lnurlw://", "lnurlc://", "keyauth://"];

/// Encodes `url` as a bech32 LNURL (LUD-01), in uppercase.
///
/// Uppercase because LUD-01 says QR codes SHOULD carry the uppercase form (it fits QR's denser
/// alphanumeric mode); lowercase it if you show it as text. The URL's exact bytes are encoded.
///
/// # Errors
/// [`LnurlError::InvalidUrl`] if `url` is not an absolute URL with a host,
/// [`LnurlError::InsecureScheme`] if it is not `https` (plain `http` is allowed only for `.onion`
/// and loopback hosts), [`LnurlError::InvalidBech32`] if the result would exceed
/// [`MAX_LNURL_LENGTH`] characters.
pub fn encode_lnurl(url: &str) -> Result<String, LnurlError> {
    parse_service_url(url)?;
    bech32::encode_upper::<LnurlBech32>(LNURL_HRP, url.as_bytes()).map_err(|e| {
        LnurlError::InvalidBech32 {
            reason: e.to_string(),
        }
    })
}

/// Decodes any LNURL text form into the service URL to request.
///
/// Accepted, after trimming whitespace and an optional `lightning:` prefix (any case):
/// - a bech32 LNURL (`lnurl1…` or `LNURL1…`, never mixed case) — LUD-01;
/// - a LUD-17 URL `lnurlp://`, `lnurlw://`, `lnurlc://` or `keyauth://`, turned into `https://`,
///   or `http://` for `.onion` and loopback hosts;
/// - an `https://` URL: if its query has a `lightning=LNURL1…` parameter (LUD-01 fallback
///   scheme) that LNURL is decoded, otherwise the URL itself is the service (LUD-17 fallback).
///
/// The resulting URL must be `https`, or `http` on a `.onion` or loopback host (localhost,
/// 127.0.0.0/8, ::1) — the latter so local development servers and our devnet LSP work.
///
/// # Errors
/// [`LnurlError::MixedCase`], [`LnurlError::InvalidBech32`] (characters, checksum, padding,
/// length, or a payload that is not UTF-8), [`LnurlError::WrongHrp`],
/// [`LnurlError::InvalidUrl`], [`LnurlError::InsecureScheme`].
pub fn decode_lnurl(text: &str) -> Result<Url, LnurlError> {
    let text = strip_prefix_ignore_case(text.trim(), "lightning:").unwrap_or(text.trim());

    for scheme in LUD17_SCHEMES {
        if let Some(rest) = strip_prefix_ignore_case(text, scheme) {
            return decode_lud17(rest);
        }
    }
    if starts_with_ignore_case(text, "https://") || starts_with_ignore_case(text, "http://") {
        let url = parse_service_url(text)?;
        let fallback = url
            .query_pairs()
            .find(|(key, _)| key == "lightning")
            .map(|(_, value)| value.into_owned());
        return match fallback {
            Some(inner) if starts_with_ignore_case(&inner, "lnurl1") => decode_bech32(&inner),
            _ => Ok(url),
        };
    }
    decode_bech32(text)
}

/// Decodes a LUD-17 URL whose scheme (and `://`) was removed.
fn decode_lud17(rest: &str) -> Result<Url, LnurlError> {
    let mut url = Url::parse(&format!("https://{rest}")).map_err(|e| LnurlError::InvalidUrl {
        reason: e.to_string(),
    })?;
    let scheme = match url.host() {
        Some(host) => web_scheme_for(&host),
        None => {
            return Err(LnurlError::InvalidUrl {
                reason: "the URL has no host".to_owned(),
            })
        }
    };
    if scheme != "https" && url.set_scheme(scheme).is_err() {
        return Err(LnurlError::InvalidUrl {
            reason: format!("cannot use scheme {scheme}"),
        });
    }
    check_service_url(&url)?;
    Ok(url)
}

/// Decodes a bech32 LNURL (LUD-01) into its URL.
fn decode_bech32(text: &str) -> Result<Url, LnurlError> {
    let has_upper = text.chars().any(|c| c.is_ascii_uppercase());
    let has_lower = text.chars().any(|c| c.is_ascii_lowercase());
    if has_upper && has_lower {
        return Err(LnurlError::MixedCase);
    }
    let invalid = |reason: String| LnurlError::InvalidBech32 { reason };

    let unchecked = UncheckedHrpstring::new(text).map_err(|e| invalid(e.to_string()))?;
    if unchecked.hrp() != LNURL_HRP {
        return Err(LnurlError::WrongHrp {
            hrp: unchecked.hrp().to_lowercase(),
        });
    }
    let checked = unchecked
        .validate_and_remove_checksum::<LnurlBech32>()
        .map_err(|e| invalid(e.to_string()))?;
    check_padding(checked.data_part_ascii_no_checksum()).map_err(invalid)?;
    let bytes: Vec<u8> = checked.byte_iter().collect();
    let text = String::from_utf8(bytes)
        .map_err(|_| invalid("the encoded URL is not UTF-8 text".to_owned()))?;
    parse_service_url(&text)
}

/// Checks the 5-to-8-bit conversion left fewer than 5 padding bits, all zero (BIP-173).
fn check_padding(data: &[u8]) -> Result<(), String> {
    let spare_bits = data.len().saturating_mul(5) % 8;
    if spare_bits >= 5 {
        return Err("the data part has an invalid length".to_owned());
    }
    let Some(&last) = data.last() else {
        return Err("the data part is empty".to_owned());
    };
    let value = Fe32::from_char(char::from(last))
        .map_err(|e| e.to_string())?
        .to_u8();
    if spare_bits > 0 && value & ((1u8 << spare_bits) - 1) != 0 {
        return Err("non-zero padding bits".to_owned());
    }
    Ok(())
}

/// `text` without `prefix`, compared ASCII case-insensitively; `None` if it does not start so.
fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    if starts_with_ignore_case(text, prefix) {
        text.get(prefix.len()..)
    } else {
        None
    }
}

/// Whether `text` starts with `prefix`, compared ASCII case-insensitively.
fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.as_bytes()
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Decoding and encoding LNURLs, and refusing malformed ones, is scenario S04
    // (tests/scenarios/s04_lnurl.json, run by the offline_scenarios integration test); here what
    // the file cannot express.

    #[test]
    fn checksum_constants_are_consistent() {
        LnurlBech32::sanity_check();
    }

    #[test]
    fn s04_errors_carry_their_details() {
        // The human-readable part, lower-cased (any bech32 text: the hrp is checked first).
        assert_eq!(
            decode_lnurl("LNBC2500U1QQQQQQ"),
            Err(LnurlError::WrongHrp {
                hrp: "lnbc2500u".to_owned()
            })
        );
        assert!(matches!(
            decode_lnurl("http://example.com/x"),
            Err(LnurlError::InsecureScheme { ref scheme, ref host }) if scheme == "http" && host == "example.com"
        ));
    }

    #[test]
    fn encode_refuses_lnurls_beyond_the_maximum_length() {
        let long = format!("https://example.com/{}", "a".repeat(MAX_LNURL_LENGTH));
        assert!(matches!(
            encode_lnurl(&long),
            Err(LnurlError::InvalidBech32 { .. })
        ));
    }

    #[test]
    fn accepts_lnurls_longer_than_1023_characters() {
        let url = format!("https://example.com/{}", "a".repeat(900));
        let lnurl = encode_lnurl(&url).unwrap();
        assert!(lnurl.len() > 1023);
        assert_eq!(decode_lnurl(&lnurl).map(String::from), Ok(url));
    }

    #[test]
    fn rejects_non_zero_padding() {
        // "https://a.b" is 11 bytes = 88 bits = 18 groups with 2 spare bits; set one of them.
        let lnurl = bech32::encode_lower::<LnurlBech32>(LNURL_HRP, b"https://a.b").unwrap();
        let unchecked = UncheckedHrpstring::new(&lnurl).unwrap();
        let checked = unchecked.remove_checksum::<LnurlBech32>();
        let mut fes: Vec<Fe32> = checked
            .data_part_ascii_no_checksum()
            .iter()
            .map(|&c| Fe32::from_char(char::from(c)).unwrap())
            .collect();
        let last = fes.pop().unwrap();
        fes.push(Fe32::try_from(last.to_u8() | 1).unwrap());
        // Recompute a valid checksum over the altered data.
        use bech32::primitives::iter::Fe32IterExt;
        let s: String = fes
            .iter()
            .copied()
            .with_checksum::<LnurlBech32>(&LNURL_HRP)
            .chars()
            .collect();
        assert!(UncheckedHrpstring::new(&s)
            .unwrap()
            .has_valid_checksum::<LnurlBech32>());
        assert_eq!(
            decode_lnurl(&s),
            Err(LnurlError::InvalidBech32 {
                reason: "non-zero padding bits".to_owned()
            })
        );
    }

    proptest! {
        #[test]
        fn decode_never_panics(text in ".{0,300}") {
            let _ = decode_lnurl(&text);
        }

        #[test]
        fn decode_never_panics_on_lnurl_like_text(tail in "[qpzry9x8gf2tvdw0s3jn54khce6mua7lQPZRY]{0,200}") {
            let _ = decode_lnurl(&format!("lnurl1{tail}"));
        }

        #[test]
        fn encode_decode_round_trip(path in "[a-zA-Z0-9/_.~-]{0,200}", query in "[a-z0-9=&]{0,100}") {
            let url = format!("https://example.com/{path}?{query}");
            let expected = Url::parse(&url).unwrap();
            let lnurl = encode_lnurl(&url).unwrap();
            prop_assert_eq!(decode_lnurl(&lnurl), Ok(expected.clone()));
            prop_assert_eq!(decode_lnurl(&lnurl.to_lowercase()), Ok(expected));
        }
    }
}
