//! Invoice operations: create (idempotent by `external_id`), get, list, cancel, and hold
//! invoices (create for a payment hash, settle with the preimage, cancel).

use super::client::{checked_id, json_body, Query};
use super::model::{
    CreateHoldInvoiceRequest, CreateInvoiceRequest, CreateQuoteRequest, InvoiceList,
    ListInvoicesRequest, LspInvoice, LspQuote, SettleHoldInvoiceRequest, Validate,
};
use super::{LspClient, LspError};
use crate::timer::Timer;
use crate::transport::{Method, Transport};

impl<T: Transport, M: Timer> LspClient<T, M> {
    /// Creates a standard invoice (`POST /v1/invoices`, invoice scope).
    ///
    /// With an `external_id`, a repeated call returns the invoice created the first time.
    ///
    /// # Errors
    /// [`LspError::InvalidRequest`] for a field outside the API's limits (nothing sent);
    /// server errors such as `idempotency_mismatch` as [`LspError::Api`].
    pub async fn create_invoice(
        &self,
        request: CreateInvoiceRequest,
    ) -> Result<LspInvoice, LspError> {
        request.validate()?;
        let body = json_body(&request)?;
        self.call(Method::Post, "/v1/invoices", &Query::new(), body)
            .await
    }

    /// Gets one invoice (`GET /v1/invoices/{id}`).
    ///
    /// # Errors
    /// [`LspError::NotFound`] when the account has no such invoice.
    pub async fn get_invoice(&self, invoice_id: &str) -> Result<LspInvoice, LspError> {
        let id = checked_id("invoice_id", invoice_id)?;
        let path = format!("/v1/invoices/{id}");
        self.call(Method::Get, &path, &Query::new(), None).await
    }

    /// Lists invoices, newest first (`GET /v1/invoices`).
    ///
    /// # Errors
    /// Server and transport errors.
    pub async fn list_invoices(
        &self,
        request: ListInvoicesRequest,
    ) -> Result<InvoiceList, LspError> {
        request.validate()?;
        let query = Query::new()
            .opt("status", request.status.map(|s| s.as_str()))
            .opt("created_after", request.created_after)
            .opt("created_before", request.created_before)
            .opt("limit", request.limit)
            .opt("cursor", request.cursor);
        self.call(Method::Get, "/v1/invoices", &query, None).await
    }

    /// Cancels an open standard invoice (`POST /v1/invoices/{id}/cancel`).
    ///
    /// # Errors
    /// `conflict` ([`LspError::Api`]) when it is paid, expired or a hold invoice.
    pub async fn cancel_invoice(&self, invoice_id: &str) -> Result<LspInvoice, LspError> {
        let id = checked_id("invoice_id", invoice_id)?;
        let path = format!("/v1/invoices/{id}/cancel");
        self.call(Method::Post, &path, &Query::new(), None).await
    }

    /// Creates a hold invoice for a payment hash whose preimage the caller keeps
    /// (`POST /v1/hold-invoices`, admin scope).
    ///
    /// # Errors
    /// [`LspError::InvalidRequest`] for a field outside the API's limits (nothing sent);
    /// server errors.
    pub async fn create_hold_invoice(
        &self,
        request: CreateHoldInvoiceRequest,
    ) -> Result<LspInvoice, LspError> {
        request.validate()?;
        let body = json_body(&request)?;
        self.call(Method::Post, "/v1/hold-invoices", &Query::new(), body)
            .await
    }

    /// Settles an accepted hold invoice with its preimage
    /// (`POST /v1/hold-invoices/{id}/settle`).
    ///
    /// # Errors
    /// `invalid_request` when the preimage does not match; `conflict` when not accepted.
    pub async fn settle_hold_invoice(
        &self,
        invoice_id: &str,
        request: SettleHoldInvoiceRequest,
    ) -> Result<LspInvoice, LspError> {
        let id = checked_id("invoice_id", invoice_id)?;
        request.validate()?;
        let path = format!("/v1/hold-invoices/{id}/settle");
        let body = json_body(&request)?;
        self.call(Method::Post, &path, &Query::new(), body).await
    }

    /// Cancels an open or accepted hold invoice, failing held HTLCs back to the payer
    /// (`POST /v1/hold-invoices/{id}/cancel`).
    ///
    /// # Errors
    /// `conflict` when it is already paid.
    pub async fn cancel_hold_invoice(&self, invoice_id: &str) -> Result<LspInvoice, LspError> {
        let id = checked_id("invoice_id", invoice_id)?;
        let path = format!("/v1/hold-invoices/{id}/cancel");
        self.call(Method::Post, &path, &Query::new(), None).await
    }

    /// Quotes a fiat price (`POST /v1/quotes`, any key): the LSP locks its current rate for
    /// `ttl_secs` and answers the price in millisatoshis, rounded up. Create the invoice with
    /// `quote_id` to charge exactly that; an expired quote (`quote_expired`) or a rate moved
    /// beyond `max_slippage_bps` (`slippage_exceeded`) is refused: quote again.
    ///
    /// # Errors
    /// [`LspError::InvalidRequest`] for a bad amount or currency code (nothing sent); the
    /// server's `unknown_currency` when it has no rate for the currency.
    pub async fn create_quote(&self, request: CreateQuoteRequest) -> Result<LspQuote, LspError> {
        request.validate()?;
        let body = json_body(&request)?;
        self.call(Method::Post, "/v1/quotes", &Query::new(), body)
            .await
    }
}
