//! Payments: `prepare_pay_invoice` / `pay` and `prepare_keysend` / `keysend` (checked locally
//! against the network, the clock and the [`PaymentPolicy`](super::PaymentPolicy) before
//! anything is sent), then get and list.

use super::client::{checked_id, json_body, Query};
use super::model::{
    KeysendRequest, ListPaymentsRequest, LspPayment, PayInvoiceRequest, PaymentList, Validate,
};
use super::{LspClient, LspError};
use crate::amount::Msat;
use crate::invoice::{decode_invoice_with, DecodeOptions, Invoice, InvoiceError};
use crate::timer::Timer;
use crate::transport::{Method, Transport};

/// A BOLT11 payment checked and completed by [`LspClient::prepare_pay_invoice`], ready for
/// [`LspClient::pay`]: shows what will be paid at most before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedPayment {
    request: PayInvoiceRequest,
    invoice: Invoice,
    amount_msat: Msat,
    max_fee_msat: Msat,
}

impl PreparedPayment {
    /// The request that will be sent, defaults filled in.
    pub fn request(&self) -> &PayInvoiceRequest {
        &self.request
    }

    /// The decoded invoice.
    pub fn invoice(&self) -> &Invoice {
        &self.invoice
    }

    /// The amount the payee receives.
    pub fn amount_msat(&self) -> Msat {
        self.amount_msat
    }

    /// The most routing fee that can be paid.
    pub fn max_fee_msat(&self) -> Msat {
        self.max_fee_msat
    }

    /// The most the account can be debited: amount plus maximum fee (what the server reserves).
    pub fn max_total_msat(&self) -> Msat {
        // prepare_pay_invoice checked this sum does not overflow.
        self.amount_msat
            .checked_add(self.max_fee_msat)
            .unwrap_or(Msat::MAX_SUPPLY)
    }
}

/// A keysend payment checked and completed by [`LspClient::prepare_keysend`], ready for
/// [`LspClient::keysend`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedKeysend {
    request: KeysendRequest,
}

impl PreparedKeysend {
    /// The request that will be sent, defaults filled in.
    pub fn request(&self) -> &KeysendRequest {
        &self.request
    }
}

impl<T: Transport, M: Timer> LspClient<T, M> {
    /// Checks a BOLT11 payment locally and fills in the policy defaults; sends nothing.
    ///
    /// The invoice is decoded for the configured network and checked unexpired on the timer's
    /// clock; an any-amount invoice needs `amount_msat` and a fixed one refuses it; the fee limit
    /// and part count must be within the [`PaymentPolicy`](super::PaymentPolicy).
    ///
    /// # Errors
    /// [`LspError::Invoice`] (bad, foreign or expired invoice), [`LspError::AmountRequired`],
    /// [`LspError::AmountNotAllowed`], [`LspError::FeeLimitExceeded`],
    /// [`LspError::TooManyParts`], [`LspError::InvalidRequest`].
    pub fn prepare_pay_invoice(
        &self,
        mut request: PayInvoiceRequest,
    ) -> Result<PreparedPayment, LspError> {
        let options = DecodeOptions::new(self.config().network);
        let invoice = decode_invoice_with(&request.bolt11, &options, self.timer())?;
        let amount = match (invoice.amount_msat, request.amount_msat) {
            (Some(fixed), None) if fixed.as_u64() > 0 => fixed,
            (Some(fixed), Some(_)) if fixed.as_u64() > 0 => {
                return Err(LspError::AmountNotAllowed {
                    invoice_amount_msat: fixed.as_u64(),
                })
            }
            (_, Some(given)) if given.as_u64() > 0 => given,
            _ => return Err(LspError::AmountRequired),
        };
        let (max_fee, max_parts) =
            self.check_limits(amount, request.max_fee_msat, request.max_parts)?;
        request.bolt11 = invoice.bolt11.clone();
        request.max_fee_msat = Some(max_fee);
        request.max_parts = Some(max_parts);
        request.validate()?;
        Ok(PreparedPayment {
            request,
            invoice,
            amount_msat: amount,
            max_fee_msat: max_fee,
        })
    }

    /// Pays a prepared BOLT11 payment (`POST /v1/payments/bolt11`, admin scope).
    ///
    /// Returns the payment as the server has it, usually `pending`; follow `payment.*` events
    /// or [`get_payment`](Self::get_payment). Retrying with the same prepared value is safe: the
    /// idempotency key makes the server return the same payment.
    ///
    /// # Errors
    /// [`LspError::Invoice`] if the invoice expired since it was prepared (nothing sent);
    /// server errors such as `insufficient_balance` as [`LspError::Api`].
    pub async fn pay(&self, prepared: PreparedPayment) -> Result<LspPayment, LspError> {
        if prepared.invoice.is_expired(self.timer()) {
            return Err(LspError::Invoice(InvoiceError::Expired {
                expired_at: prepared.invoice.expires_at,
            }));
        }
        let body = json_body(&prepared.request)?;
        self.call(Method::Post, "/v1/payments/bolt11", &Query::new(), body)
            .await
    }

    /// Checks a keysend payment locally and fills in the policy defaults; sends nothing.
    ///
    /// # Errors
    /// [`LspError::InvalidRequest`] for a zero amount or a bad custom record (type below
    /// 65536 or the keysend type, duplicate, too long);
    /// [`LspError::FeeLimitExceeded`], [`LspError::TooManyParts`].
    pub fn prepare_keysend(
        &self,
        mut request: KeysendRequest,
    ) -> Result<PreparedKeysend, LspError> {
        let (max_fee, max_parts) =
            self.check_limits(request.amount_msat, request.max_fee_msat, request.max_parts)?;
        request.max_fee_msat = Some(max_fee);
        request.max_parts = Some(max_parts);
        request.validate()?;
        Ok(PreparedKeysend { request })
    }

    /// Sends a prepared keysend payment (`POST /v1/payments/keysend`, admin scope).
    ///
    /// # Errors
    /// Server and transport errors.
    pub async fn keysend(&self, prepared: PreparedKeysend) -> Result<LspPayment, LspError> {
        let body = json_body(&prepared.request)?;
        self.call(Method::Post, "/v1/payments/keysend", &Query::new(), body)
            .await
    }

    /// Gets one payment (`GET /v1/payments/{id}`).
    ///
    /// # Errors
    /// [`LspError::NotFound`] when the account has no such payment.
    pub async fn get_payment(&self, payment_id: &str) -> Result<LspPayment, LspError> {
        let id = checked_id("payment_id", payment_id)?;
        let path = format!("/v1/payments/{id}");
        self.call(Method::Get, &path, &Query::new(), None).await
    }

    /// Lists payments, newest first (`GET /v1/payments`).
    ///
    /// # Errors
    /// Server and transport errors.
    pub async fn list_payments(
        &self,
        request: ListPaymentsRequest,
    ) -> Result<PaymentList, LspError> {
        request.validate()?;
        let query = Query::new()
            .opt("status", request.status.map(|s| s.as_str()))
            .opt("created_after", request.created_after)
            .opt("created_before", request.created_before)
            .opt("limit", request.limit)
            .opt("cursor", request.cursor);
        self.call(Method::Get, "/v1/payments", &query, None).await
    }

    /// Checks the fee limit and part count against the policy; returns the values to send.
    fn check_limits(
        &self,
        amount: Msat,
        max_fee: Option<Msat>,
        max_parts: Option<u32>,
    ) -> Result<(Msat, u32), LspError> {
        let policy = self.config().payment_policy;
        let limit = policy
            .fee_limit_for(amount)
            .ok_or_else(|| invalid("amount_msat", "too large"))?;
        let fee = max_fee.unwrap_or(limit);
        if fee > limit {
            return Err(LspError::FeeLimitExceeded {
                requested_msat: fee.as_u64(),
                limit_msat: limit.as_u64(),
            });
        }
        let parts = max_parts.unwrap_or(policy.max_parts);
        if parts == 0 || parts > policy.max_parts {
            return Err(LspError::TooManyParts {
                requested: parts,
                limit: policy.max_parts,
            });
        }
        let total = amount
            .checked_add(fee)
            .map_err(|_| invalid("amount_msat", "amount plus fee overflows"))?;
        if total > Msat::MAX_SUPPLY {
            return Err(invalid(
                "amount_msat",
                "amount plus fee exceeds 21 million BTC",
            ));
        }
        Ok((fee, parts))
    }
}

/// An [`LspError::InvalidRequest`] for `field`.
fn invalid(field: &str, reason: &str) -> LspError {
    LspError::InvalidRequest {
        field: field.to_owned(),
        reason: reason.to_owned(),
    }
}
