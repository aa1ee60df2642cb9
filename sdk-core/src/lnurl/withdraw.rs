//! LNURL-withdraw (LUD-03): the service's offer to pay us, and the callback that hands it our
//! invoice.

use serde::{Deserialize, Serialize};

use super::json::{self, Object};
use super::pay::check_range;
use super::service_url::parse_service_url;
use super::LnurlError;
use crate::amount::Msat;

/// The `tag` of an LNURL-withdraw offer.
pub(crate) const WITHDRAW_TAG: &str = "withdrawRequest";

/// A validated LNURL-withdraw offer: the first response of a withdraw service (LUD-03 step 3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithdrawRequest {
    /// Where to send our invoice (`https`, or `http` on onion and loopback hosts).
    pub callback: String,
    /// The service's identifier for this withdrawal; sent back with the invoice.
    pub k1: String,
    /// The description to put in the invoice by default (empty if the service sent none).
    pub default_description: String,
    /// The smallest amount we may withdraw; 0 is allowed.
    pub min_withdrawable: Msat,
    /// The largest amount we may withdraw; both bounds are 0 when there is nothing to withdraw.
    pub max_withdrawable: Msat,
}

impl WithdrawRequest {
    /// Parses and validates an LNURL-withdraw service's first response.
    ///
    /// # Errors
    /// [`LnurlError::ServiceError`] for a `{"status":"ERROR"}` answer,
    /// [`LnurlError::InvalidJson`], [`LnurlError::MissingField`], [`LnurlError::InvalidField`]
    /// (also for an empty `k1`), [`LnurlError::UnsupportedTag`] if `tag` is not
    /// `withdrawRequest`, the URL errors for the callback, and [`LnurlError::InvalidBounds`]
    /// if the minimum exceeds the maximum.
    pub fn parse(json: &str) -> Result<WithdrawRequest, LnurlError> {
        let object = json::parse_response(json)?;
        json::expect_tag(&object, WITHDRAW_TAG)?;
        WithdrawRequest::from_object(&object)
    }

    /// Builds the offer from an already parsed JSON object with the right tag.
    pub(crate) fn from_object(object: &Object) -> Result<WithdrawRequest, LnurlError> {
        let callback = parse_service_url(json::required_str(object, "callback")?)?;
        let k1 = json::required_str(object, "k1")?;
        if k1.is_empty() {
            return Err(json::invalid_field("k1", "k1 is empty"));
        }
        let default_description = json::optional_str(object, "defaultDescription")?.unwrap_or("");
        let min = json::required_u64(object, "minWithdrawable")?;
        let max = json::required_u64(object, "maxWithdrawable")?;
        if min > max {
            return Err(LnurlError::InvalidBounds {
                min_msat: min,
                max_msat: max,
            });
        }
        Ok(WithdrawRequest {
            callback: String::from(callback),
            k1: k1.to_owned(),
            default_description: default_description.to_owned(),
            min_withdrawable: Msat::from_msat(min),
            max_withdrawable: Msat::from_msat(max),
        })
    }

    /// Whether there is nothing to withdraw (both bounds 0, LUD-03 "zero balance").
    pub fn is_empty(&self) -> bool {
        self.max_withdrawable == Msat::ZERO
    }

    /// Checks `amount` lies within `min_withdrawable..=max_withdrawable` and is not zero.
    ///
    /// # Errors
    /// [`LnurlError::AmountOutOfRange`].
    pub fn check_amount(&self, amount: Msat) -> Result<(), LnurlError> {
        check_range(amount, self.min_withdrawable, self.max_withdrawable)?;
        if amount == Msat::ZERO {
            return Err(LnurlError::AmountOutOfRange {
                amount_msat: 0,
                min_msat: self.min_withdrawable.as_u64(),
                max_msat: self.max_withdrawable.as_u64(),
            });
        }
        Ok(())
    }

    /// The URL that hands the service our invoice (LUD-03 step 5): the callback with
    /// `k1=<k1>&pr=<invoice>` appended to its existing query parameters.
    ///
    /// `amount` is the amount of `invoice_bolt11`, which the caller created; it is checked
    /// against the offer's bounds so a withdrawal the service must refuse is never sent.
    ///
    /// # Errors
    /// [`LnurlError::AmountOutOfRange`], [`LnurlError::InvalidField`] for an empty invoice, or
    /// a URL error if `callback` was altered.
    pub fn callback_url(&self, amount: Msat, invoice_bolt11: &str) -> Result<String, LnurlError> {
        self.check_amount(amount)?;
        let invoice = invoice_bolt11.trim();
        if invoice.is_empty() {
            return Err(json::invalid_field("pr", "the invoice is empty"));
        }
        let mut url = parse_service_url(&self.callback)?;
        url.query_pairs_mut()
            .append_pair("k1", &self.k1)
            .append_pair("pr", invoice);
        Ok(String::from(url))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFER: &str = r#"{"tag":"withdrawRequest","callback":"https://w.example.com/cb?v=1","k1":"abc123","defaultDescription":"Voucher","minWithdrawable":1000,"maxWithdrawable":50000}"#;

    #[test]
    fn s04_parse_withdraw_request() {
        let request = WithdrawRequest::parse(OFFER).unwrap();
        assert_eq!(request.callback, "https://w.example.com/cb?v=1");
        assert_eq!(request.k1, "abc123");
        assert_eq!(request.default_description, "Voucher");
        assert_eq!(request.min_withdrawable, Msat::from_msat(1000));
        assert_eq!(request.max_withdrawable, Msat::from_msat(50_000));
        assert!(!request.is_empty());
        let zero = OFFER.replace("1000,", "0,").replace("50000", "0");
        assert!(WithdrawRequest::parse(&zero).unwrap().is_empty());
        let no_description = OFFER.replace(r#""defaultDescription":"Voucher","#, "");
        assert_eq!(
            WithdrawRequest::parse(&no_description)
                .unwrap()
                .default_description,
            ""
        );
    }

    #[test]
    fn s04_reject_bad_withdraw_requests() {
        let cases = [
            (
                r#"{"status":"ERROR","reason":"used"}"#.to_owned(),
                "lnurl_service_error",
            ),
            (
                OFFER.replace("withdrawRequest", "payRequest"),
                "lnurl_unsupported_tag",
            ),
            (
                OFFER.replace(r#""k1":"abc123","#, ""),
                "lnurl_missing_field",
            ),
            (OFFER.replace("abc123", ""), "lnurl_invalid_field"),
            (OFFER.replace("50000", "999"), "lnurl_invalid_bounds"),
            (OFFER.replace("1000,", "-1,"), "lnurl_invalid_field"),
            (
                OFFER.replace("https://w.", "http://w."),
                "lnurl_insecure_scheme",
            ),
            (
                OFFER.replace(r#""callback":"https://w.example.com/cb?v=1","#, ""),
                "lnurl_missing_field",
            ),
        ];
        for (json, code) in cases {
            assert_eq!(
                WithdrawRequest::parse(&json).map_err(|e| e.code()).err(),
                Some(code),
                "{json}"
            );
        }
    }

    #[test]
    fn s04_withdraw_callback_url() {
        let request = WithdrawRequest::parse(OFFER).unwrap();
        assert_eq!(
            request.callback_url(Msat::from_msat(2000), "lnbc20n1abc"),
            Ok("https://w.example.com/cb?v=1&k1=abc123&pr=lnbc20n1abc".to_owned())
        );
        assert_eq!(
            request.callback_url(Msat::from_msat(50_001), "lnbc1"),
            Err(LnurlError::AmountOutOfRange {
                amount_msat: 50_001,
                min_msat: 1000,
                max_msat: 50_000
            })
        );
        assert!(request.callback_url(Msat::from_msat(999), "lnbc1").is_err());
        assert!(matches!(
            request.callback_url(Msat::from_msat(2000), " "),
            Err(LnurlError::InvalidField { .. })
        ));
        let zero =
            WithdrawRequest::parse(&OFFER.replace("1000,", "0,").replace("50000", "0")).unwrap();
        assert!(matches!(
            zero.callback_url(Msat::ZERO, "lnbc1"),
            Err(LnurlError::AmountOutOfRange { .. })
        ));
    }
}
