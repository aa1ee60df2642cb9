//! LNURL-pay (LUD-06, with LUD-12 comments and LUD-09/10 success actions): the service's offer,
//! the callback that asks for an invoice, and the checks the returned invoice must pass before
//! anything is paid.

use bitcoin::hex::DisplayHex;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use url::Url;

use super::json::{self, Object};
use super::metadata::PayMetadata;
use super::service_url::parse_service_url;
use super::success_action::SuccessAction;
use super::LnurlError;
use crate::amount::Msat;

/// The `tag` of an LNURL-pay offer.
pub(crate) const PAY_TAG: &str = "payRequest";

/// A validated LNURL-pay offer: the first response of an LNURL-pay service (LUD-06 step 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayRequest {
    /// Where to ask for an invoice (`https`, or `http` on onion and loopback hosts).
    pub callback: String,
    /// The smallest amount the service accepts, at least 1 msat.
    pub min_sendable: Msat,
    /// The largest amount the service accepts, at least `min_sendable`.
    pub max_sendable: Msat,
    /// The raw metadata string, exactly as sent: the invoice's description hash commits to it.
    pub metadata: String,
    /// What the metadata says, parsed: description, image, identifier.
    pub parsed_metadata: PayMetadata,
    /// How many characters of comment the service accepts (LUD-12); 0 means none.
    pub comment_allowed: u64,
}

/// The service's answer to the pay callback (LUD-06 step 5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayCallbackResponse {
    /// The BOLT11 invoice to pay (`pr`): decode it, then check it with
    /// [`verify_invoice_matches`] before paying.
    pub invoice: String,
    /// What to show once the payment succeeds (LUD-09, LUD-10).
    pub success_action: Option<SuccessAction>,
}

impl PayRequest {
    /// Parses and validates an LNURL-pay service's first response.
    ///
    /// # Errors
    /// [`LnurlError::ServiceError`] for a `{"status":"ERROR"}` answer,
    /// [`LnurlError::InvalidJson`], [`LnurlError::MissingField`], [`LnurlError::InvalidField`],
    /// [`LnurlError::UnsupportedTag`] if `tag` is not `payRequest`, the URL errors for the
    /// callback, [`LnurlError::InvalidBounds`] unless 1 ≤ min ≤ max, and
    /// [`LnurlError::InvalidMetadata`].
    pub fn parse(json: &str) -> Result<PayRequest, LnurlError> {
        let object = json::parse_response(json)?;
        json::expect_tag(&object, PAY_TAG)?;
        PayRequest::from_object(&object)
    }

    /// Builds the offer from an already parsed JSON object with the right tag.
    pub(crate) fn from_object(object: &Object) -> Result<PayRequest, LnurlError> {
        let callback = parse_service_url(json::required_str(object, "callback")?)?;
        let min = json::required_u64(object, "minSendable")?;
        let max = json::required_u64(object, "maxSendable")?;
        if min == 0 || min > max {
            return Err(LnurlError::InvalidBounds {
                min_msat: min,
                max_msat: max,
            });
        }
        let metadata = json::required_str(object, "metadata")?;
        let parsed_metadata = PayMetadata::parse(metadata)?;
        let comment_allowed = json::optional_u64(object, "commentAllowed")?.unwrap_or(0);
        Ok(PayRequest {
            callback: String::from(callback),
            min_sendable: Msat::from_msat(min),
            max_sendable: Msat::from_msat(max),
            metadata: metadata.to_owned(),
            parsed_metadata,
            comment_allowed,
        })
    }

    /// Checks `amount` lies within `min_sendable..=max_sendable`.
    ///
    /// # Errors
    /// [`LnurlError::AmountOutOfRange`].
    pub fn check_amount(&self, amount: Msat) -> Result<(), LnurlError> {
        check_range(amount, self.min_sendable, self.max_sendable)
    }

    /// The URL to request an invoice for `amount` with an optional `comment` (LUD-06 step 4,
    /// LUD-12): the callback with `amount=<msat>` (and `comment=…`) appended to its existing
    /// query parameters. An empty comment is left out.
    ///
    /// # Errors
    /// [`LnurlError::AmountOutOfRange`], [`LnurlError::CommentTooLong`] when the comment has
    /// more characters than `comment_allowed`, or a URL error if `callback` was altered.
    pub fn callback_url(&self, amount: Msat, comment: Option<&str>) -> Result<String, LnurlError> {
        self.check_amount(amount)?;
        let comment = comment.filter(|c| !c.is_empty());
        if let Some(comment) = comment {
            let len = u64::try_from(comment.chars().count()).unwrap_or(u64::MAX);
            if len > self.comment_allowed {
                return Err(LnurlError::CommentTooLong {
                    max_len: self.comment_allowed,
                    len,
                });
            }
        }
        let mut url = parse_service_url(&self.callback)?;
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("amount", &amount.as_u64().to_string());
            if let Some(comment) = comment {
                query.append_pair("comment", comment);
            }
        }
        Ok(String::from(url))
    }

    /// Parses the service's answer to the callback: the invoice and an optional success action.
    ///
    /// The invoice is not decoded here; decode it and pass its amount and description hash to
    /// [`verify_invoice_matches`] before paying.
    ///
    /// # Errors
    /// [`LnurlError::ServiceError`], [`LnurlError::InvalidJson`], [`LnurlError::MissingField`]
    /// or [`LnurlError::InvalidField`] for `pr`, and [`LnurlError::InvalidSuccessAction`] for a
    /// success action this SDK cannot honour (LUD-09: do not pay then).
    pub fn parse_callback_response(&self, json: &str) -> Result<PayCallbackResponse, LnurlError> {
        let object = json::parse_response(json)?;
        let invoice = json::required_str(&object, "pr")?.trim();
        if invoice.is_empty() {
            return Err(json::invalid_field("pr", "the invoice is empty"));
        }
        let success_action = match object.get("successAction") {
            None | Some(serde_json::Value::Null) => None,
            Some(value) => {
                let callback = Url::parse(&self.callback).map_err(|e| LnurlError::InvalidUrl {
                    reason: e.to_string(),
                })?;
                let host = callback.host_str().unwrap_or_default();
                Some(SuccessAction::parse(value, host)?)
            }
        };
        Ok(PayCallbackResponse {
            invoice: invoice.to_owned(),
            success_action,
        })
    }

    /// SHA-256 of the metadata string's UTF-8 bytes, lowercase hex: the description hash the
    /// service's invoice must carry.
    pub fn metadata_hash_hex(&self) -> String {
        Sha256::digest(self.metadata.as_bytes()).to_lower_hex_string()
    }
}

/// Checks the invoice a pay service returned against what was asked (LUD-06 steps 6 and 7).
///
/// Pass the decoded invoice's fields (`crate::invoice::Invoice::amount_msat` and
/// `description_hash`, hex): the invoice must be for exactly `requested`, and its description
/// hash must be SHA-256 of `pay_request.metadata`. Only then may it be paid.
///
/// # Errors
/// [`LnurlError::InvoiceAmountMismatch`] (also when the invoice has no amount) and
/// [`LnurlError::InvoiceDescriptionHashMismatch`] (also when it has no description hash).
pub fn verify_invoice_matches(
    pay_request: &PayRequest,
    requested: Msat,
    invoice_amount_msat: Option<Msat>,
    invoice_description_hash_hex: Option<&str>,
) -> Result<(), LnurlError> {
    if invoice_amount_msat != Some(requested) {
        return Err(LnurlError::InvoiceAmountMismatch {
            expected_msat: requested.as_u64(),
            invoice_msat: invoice_amount_msat.map(Msat::as_u64),
        });
    }
    let expected = pay_request.metadata_hash_hex();
    let matches =
        invoice_description_hash_hex.is_some_and(|found| found.eq_ignore_ascii_case(&expected));
    if !matches {
        return Err(LnurlError::InvoiceDescriptionHashMismatch {
            expected,
            found: invoice_description_hash_hex.map(str::to_owned),
        });
    }
    Ok(())
}

/// Checks `min <= amount <= max`.
pub(crate) fn check_range(amount: Msat, min: Msat, max: Msat) -> Result<(), LnurlError> {
    if amount < min || amount > max {
        return Err(LnurlError::AmountOutOfRange {
            amount_msat: amount.as_u64(),
            min_msat: min.as_u64(),
            max_msat: max.as_u64(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// LUD-06's sample metadata, and its SHA-256 computed independently (Python hashlib).
    const METADATA: &str = r#"[["text/plain","lorem ipsum blah blah"]]"#;
    const METADATA_SHA256: &str =
        "d824d0ea606c5a9665279c31cf185528a8df2875ea93f1f75e501e354b33e90a";

    fn offer(extra: &str) -> String {
        format!(
            r#"{{"callback":"https://pay.example.com/cb?id=7","maxSendable":100000000,"minSendable":1000,"metadata":{},"tag":"payRequest"{extra}}}"#,
            serde_json::to_string(METADATA).unwrap()
        )
    }

    fn request() -> PayRequest {
        PayRequest::parse(&offer(r#","commentAllowed":10"#)).unwrap()
    }

    // Parsing offers, callback URLs and checking the returned invoice are scenario S04
    // (tests/scenarios/s04_lnurl.json, run by the offline_scenarios integration test); here the
    // typed fields of its errors.

    #[test]
    fn s04_errors_carry_their_details() {
        assert_eq!(
            PayRequest::parse(&offer("").replace("1000,", "0,")),
            Err(LnurlError::InvalidBounds {
                min_msat: 0,
                max_msat: 100_000_000
            })
        );
        let request = request();
        assert_eq!(
            request.callback_url(Msat::from_msat(999), None),
            Err(LnurlError::AmountOutOfRange {
                amount_msat: 999,
                min_msat: 1000,
                max_msat: 100_000_000
            })
        );
        assert_eq!(
            request.callback_url(Msat::from_msat(1000), Some("eleven char")),
            Err(LnurlError::CommentTooLong {
                max_len: 10,
                len: 11
            })
        );
        let no_comments = PayRequest::parse(&offer("")).unwrap();
        assert_eq!(
            no_comments.callback_url(Msat::from_msat(1000), Some("x")),
            Err(LnurlError::CommentTooLong { max_len: 0, len: 1 })
        );
    }

    #[test]
    fn parses_callback_responses() {
        let request = request();
        let response = request
            .parse_callback_response(r#"{"pr":"lnbc1xyz","routes":[]}"#)
            .unwrap();
        assert_eq!(response.invoice, "lnbc1xyz");
        assert_eq!(response.success_action, None);
        let response = request
            .parse_callback_response(
                r#"{"pr":"lnbc1xyz","successAction":{"tag":"url","description":"d","url":"https://pay.example.com/o/1"}}"#,
            )
            .unwrap();
        assert!(matches!(
            response.success_action,
            Some(SuccessAction::Url { .. })
        ));
        assert_eq!(
            request.parse_callback_response(r#"{"status":"ERROR","reason":"amount too low"}"#),
            Err(LnurlError::ServiceError {
                reason: "amount too low".to_owned()
            })
        );
        assert_eq!(
            request.parse_callback_response(r#"{"routes":[]}"#),
            Err(LnurlError::MissingField {
                field: "pr".to_owned()
            })
        );
        assert!(matches!(
            request.parse_callback_response(r#"{"pr":" "}"#),
            Err(LnurlError::InvalidField { .. })
        ));
        assert!(matches!(
            request.parse_callback_response(r#"{"pr":"lnbc1","successAction":{"tag":"confetti"}}"#),
            Err(LnurlError::InvalidSuccessAction { .. })
        ));
    }

    #[test]
    fn metadata_hash_matches_an_independent_sha256() {
        assert_eq!(request().metadata_hash_hex(), METADATA_SHA256);
    }

    #[test]
    fn s04_invoice_mismatches_carry_their_details() {
        let request = request();
        let amount = Msat::from_msat(21_000);
        assert_eq!(
            verify_invoice_matches(
                &request,
                amount,
                Some(Msat::from_msat(21_001)),
                Some(METADATA_SHA256)
            ),
            Err(LnurlError::InvoiceAmountMismatch {
                expected_msat: 21_000,
                invoice_msat: Some(21_001)
            })
        );
        assert_eq!(
            verify_invoice_matches(&request, amount, None, Some(METADATA_SHA256)),
            Err(LnurlError::InvoiceAmountMismatch {
                expected_msat: 21_000,
                invoice_msat: None
            })
        );
        let other_hash = "00".repeat(32);
        assert_eq!(
            verify_invoice_matches(&request, amount, Some(amount), Some(&other_hash)),
            Err(LnurlError::InvoiceDescriptionHashMismatch {
                expected: METADATA_SHA256.to_owned(),
                found: Some(other_hash.clone())
            })
        );
        assert!(matches!(
            verify_invoice_matches(&request, amount, Some(amount), None),
            Err(LnurlError::InvoiceDescriptionHashMismatch { found: None, .. })
        ));
    }
}
