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

    // Parsing offers and building callback URLs are scenario S04 (tests/scenarios/s04_lnurl.json,
    // run by the offline_scenarios integration test); here the typed fields of its errors.

    #[test]
    fn s04_errors_carry_their_details() {
        assert_eq!(
            WithdrawRequest::parse(&OFFER.replace("50000", "999")),
            Err(LnurlError::InvalidBounds {
                min_msat: 1000,
                max_msat: 999
            })
        );
        let request = WithdrawRequest::parse(OFFER).unwrap();
        assert_eq!(
            request.callback_url(Msat::from_msat(50_001), "lnbc1"),
            Err(LnurlError::AmountOutOfRange {
                amount_msat: 50_001,
                min_msat: 1000,
                max_msat: 50_000
            })
        );
        assert_eq!(
            WithdrawRequest::parse(&OFFER.replace(r#""k1":"abc123","#, "")),
            Err(LnurlError::MissingField {
                field: "k1".to_owned()
            })
        );
    }
}
