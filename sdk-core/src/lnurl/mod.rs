//! LNURL: decoding LNURLs and Lightning Addresses, and validating what LNURL services answer,
//! so a wallet never pays an invoice the service did not promise.
//!
//! Covered: LUD-01 (bech32 LNURL), LUD-03 (withdraw), LUD-06 (pay), LUD-09 and LUD-10 (success
//! actions, AES decryption left to the caller), LUD-12 (comments), LUD-16 (Lightning Address)
//! and LUD-17 (`lnurlp://`-style schemes). No HTTP happens here: the caller fetches the URLs
//! this module builds and hands the response bodies back.
//!
//! Only `https` URLs are accepted, except plain `http` for Tor `.onion` hosts (LUD-01) and for
//! loopback hosts (`localhost`, 127.0.0.0/8, `::1`), which our devnet LSP and local servers use.
//!
//! ```
//! use etrid_core::amount::Msat;
//! use etrid_core::lnurl::{decode_lnurl, parse_lnurl_response, LightningAddress, LnurlResponse};
//!
//! let url = LightningAddress::parse("alice@example.com")?.to_url()?;
//! assert_eq!(url.as_str(), "https://example.com/.well-known/lnurlp/alice");
//! assert_eq!(decode_lnurl("lnurlp://example.com/p")?.as_str(), "https://example.com/p");
//!
//! // The body the service answered at `url`:
//! let body = r#"{"tag":"payRequest","callback":"https://example.com/cb","minSendable":1000,
//!     "maxSendable":50000,"metadata":"[[\"text/plain\",\"Tip Alice\"]]"}"#;
//! let LnurlResponse::Pay(offer) = parse_lnurl_response(body)? else { unreachable!() };
//! let next = offer.callback_url(Msat::from_msat(21_000), None)?;
//! assert_eq!(next, "https://example.com/cb?amount=21000");
//! # Ok::<(), etrid_core::Error>(())
//! ```

mod address;
mod codec;
mod error;
mod json;
mod metadata;
mod pay;
mod service_url;
mod success_action;
mod withdraw;

use serde::{Deserialize, Serialize};

pub use address::LightningAddress;
pub use codec::{decode_lnurl, encode_lnurl, MAX_LNURL_LENGTH};
pub use error::LnurlError;
pub use metadata::{ImageFormat, MetadataImage, PayMetadata, MAX_IMAGE_BASE64_LEN};
pub use pay::{verify_invoice_matches, PayCallbackResponse, PayRequest};
pub use success_action::{SuccessAction, MAX_AES_CIPHERTEXT_LEN, MAX_SUCCESS_TEXT_LEN};
pub use withdraw::WithdrawRequest;

/// What an LNURL service answered to the first request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LnurlResponse {
    /// An LNURL-pay offer (`payRequest`, LUD-06).
    Pay(PayRequest),
    /// An LNURL-withdraw offer (`withdrawRequest`, LUD-03).
    Withdraw(WithdrawRequest),
    /// The service refused: `{"status": "ERROR", "reason": ...}`. Show `reason` to the user.
    Error {
        /// The service's explanation, as sent.
        reason: String,
    },
}

/// Parses and validates the answer to an LNURL's first request, whatever its kind.
///
/// A `{"status":"ERROR"}` answer is returned as [`LnurlResponse::Error`], not as an `Err`, so
/// the caller can show the service's reason; use [`PayRequest::parse`] or
/// [`WithdrawRequest::parse`] when one kind is expected and an error answer should be an `Err`.
///
/// # Errors
/// [`LnurlError::InvalidJson`], [`LnurlError::MissingField`] (`tag`),
/// [`LnurlError::UnsupportedTag`] for other kinds (`login`, `channelRequest`, …), and the
/// validation errors of [`PayRequest::parse`] and [`WithdrawRequest::parse`].
pub fn parse_lnurl_response(json: &str) -> Result<LnurlResponse, LnurlError> {
    let object = json::parse_object(json)?;
    if let Some(reason) = json::service_error(&object) {
        return Ok(LnurlResponse::Error { reason });
    }
    match json::required_str(&object, "tag")? {
        pay::PAY_TAG => PayRequest::from_object(&object).map(LnurlResponse::Pay),
        withdraw::WITHDRAW_TAG => {
            WithdrawRequest::from_object(&object).map(LnurlResponse::Withdraw)
        }
        other => Err(LnurlError::UnsupportedTag {
            tag: other.to_owned(),
        }),
    }
}

/// Parses a `{"status":"OK"}` / `{"status":"ERROR","reason":…}` answer, such as a withdraw
/// service's reply to [`WithdrawRequest::callback_url`].
///
/// # Errors
/// [`LnurlError::ServiceError`] for an error answer, [`LnurlError::InvalidJson`],
/// [`LnurlError::MissingField`] without `status`, [`LnurlError::InvalidField`] for a status
/// other than `OK`.
pub fn parse_status_response(json: &str) -> Result<(), LnurlError> {
    let object = json::parse_response(json)?;
    let status = json::required_str(&object, "status")?;
    if status.eq_ignore_ascii_case("OK") {
        Ok(())
    } else {
        Err(json::invalid_field(
            "status",
            "expected \"OK\" or \"ERROR\"",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Parsing any first response, Lightning Addresses and LNURLs is scenario S04
    // (tests/scenarios/s04_lnurl.json, run by the offline_scenarios integration test); here the
    // typed fields of its errors.

    #[test]
    fn s04_errors_carry_their_details() {
        assert_eq!(
            parse_lnurl_response(r#"{"tag":"login","k1":"00"}"#),
            Err(LnurlError::UnsupportedTag {
                tag: "login".to_owned()
            })
        );
        assert_eq!(
            parse_lnurl_response(r#"{"callback":"https://e.com"}"#),
            Err(LnurlError::MissingField {
                field: "tag".to_owned()
            })
        );
    }

    #[test]
    fn responses_serialize_with_snake_case_fields() {
        let withdraw = r#"{"tag":"withdrawRequest","callback":"https://e.com/cb","k1":"k","minWithdrawable":0,"maxWithdrawable":5}"#;
        let response = parse_lnurl_response(withdraw).unwrap();
        let json = serde_json::to_value(&response).unwrap();
        assert_eq!(json["kind"], "withdraw");
        assert_eq!(json["max_withdrawable"], 5);
        let back: LnurlResponse = serde_json::from_value(json).unwrap();
        assert_eq!(back, response);
    }

    #[test]
    fn status_responses() {
        assert_eq!(parse_status_response(r#"{"status":"OK"}"#), Ok(()));
        assert_eq!(
            parse_status_response(r#"{"status":"ERROR","reason":"expired"}"#),
            Err(LnurlError::ServiceError {
                reason: "expired".to_owned()
            })
        );
        assert!(matches!(
            parse_status_response(r#"{"status":"MAYBE"}"#),
            Err(LnurlError::InvalidField { .. })
        ));
        assert!(matches!(
            parse_status_response("{}"),
            Err(LnurlError::MissingField { .. })
        ));
    }

    #[test]
    fn error_codes_are_prefixed_and_distinct() {
        let errors = [
            LnurlError::InvalidBech32 {
                reason: String::new(),
            },
            LnurlError::WrongHrp { hrp: String::new() },
            LnurlError::MixedCase,
            LnurlError::InvalidUrl {
                reason: String::new(),
            },
            LnurlError::InsecureScheme {
                scheme: String::new(),
                host: String::new(),
            },
            LnurlError::InvalidAddress {
                reason: String::new(),
            },
            LnurlError::InvalidJson {
                detail: String::new(),
            },
            LnurlError::MissingField {
                field: String::new(),
            },
            LnurlError::InvalidField {
                field: String::new(),
                reason: String::new(),
            },
            LnurlError::UnsupportedTag { tag: String::new() },
            LnurlError::InvalidBounds {
                min_msat: 0,
                max_msat: 0,
            },
            LnurlError::AmountOutOfRange {
                amount_msat: 0,
                min_msat: 0,
                max_msat: 0,
            },
            LnurlError::InvalidMetadata {
                reason: String::new(),
            },
            LnurlError::CommentTooLong { max_len: 0, len: 0 },
            LnurlError::InvoiceAmountMismatch {
                expected_msat: 0,
                invoice_msat: None,
            },
            LnurlError::InvoiceDescriptionHashMismatch {
                expected: String::new(),
                found: None,
            },
            LnurlError::InvalidSuccessAction {
                reason: String::new(),
            },
            LnurlError::ServiceError {
                reason: String::new(),
            },
        ];
        let mut codes: Vec<&str> = errors.iter().map(LnurlError::code).collect();
        assert!(codes.iter().all(|c| c.starts_with("lnurl_")));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), errors.len());
    }

    proptest::proptest! {
        #[test]
        fn parsers_never_panic(json in ".{0,300}") {
            let _ = parse_lnurl_response(&json);
            let _ = parse_status_response(&json);
            let _ = PayRequest::parse(&json);
            let _ = WithdrawRequest::parse(&json);
        }
    }
}
