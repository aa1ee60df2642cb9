//! Vouchers (S23): the account's LNURL-withdraw links (create, read, cancel; admin scope), and
//! redeeming anyone's LNURL-withdraw link into the account (LUD-03): read the offer, create an
//! invoice of the account within its bounds, hand it to the service, which pays it.

use serde::{Deserialize, Serialize};

use super::client::{checked_id, json_body, Query};
use super::model::{
    CreateInvoiceRequest, CreateVouchersRequest, ListVouchersRequest, LspInvoice, LspVoucher,
    Validate, VoucherBatch, VoucherList,
};
use super::{LspClient, LspError};
use crate::amount::Msat;
use crate::amount::Unit;
use crate::lnurl::{decode_lnurl, parse_status_response, WithdrawRequest};
use crate::qr::{render_sheets_svg, QrError, SheetCard};
use crate::recurring::utc_date;
use crate::timer::Timer;
use crate::transport::{Method, Transport};

/// How long the invoice handed to a withdraw service stays payable, in seconds: the service
/// pays it right away.
const WITHDRAW_INVOICE_EXPIRY_SECS: u64 = 600;

/// Which LNURL-withdraw link to redeem into the account, and for how much.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedeemWithdrawRequest {
    /// The link: `LNURL1…` (bech32), `lnurlw://…` or its `https://` URL, as scanned.
    pub lnurl: String,
    /// How much to withdraw; default: the most the service offers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_msat: Option<Msat>,
    /// The invoice's description; default: the service's `defaultDescription`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A withdrawal the service accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LnurlWithdrawal {
    /// The account's invoice the service is paying: wait for its `invoice.paid` (already
    /// paid when the link is another account's voucher on the same LSP).
    pub invoice: LspInvoice,
    /// The service's offer it was made under.
    pub withdraw_request: WithdrawRequest,
}

/// Printable A4 sheets of `vouchers` (see [`render_sheets_svg`]): 12 cards a page, each the
/// voucher's LNURL as a QR code, its amount in sat and its description with the last day it can
/// be claimed. One SVG document per page, sized in millimetres (print it, or save it as PDF).
///
/// # Errors
/// [`QrError`] for a voucher whose LNURL cannot be a QR code (not expected).
pub fn voucher_sheets_svg(vouchers: &[LspVoucher]) -> Result<Vec<String>, QrError> {
    let lines: Vec<(String, String)> = vouchers
        .iter()
        .map(|v| {
            let until = utc_date(v.expires_at).unwrap_or_else(|| "-".into());
            (
                v.amount_msat.format(Unit::Sat),
                format!("{} · claim by {until} UTC", v.description),
            )
        })
        .collect();
    let cards: Vec<SheetCard<'_>> = vouchers
        .iter()
        .zip(&lines)
        .map(|(v, (title, subtitle))| SheetCard {
            payload: &v.lnurl,
            title,
            subtitle,
        })
        .collect();
    render_sheets_svg(&cards)
}

impl<T: Transport, M: Timer> LspClient<T, M> {
    /// Creates `count` vouchers (`POST /v1/vouchers`, admin scope), their value set aside
    /// from the balance at once. With the same `idempotency_key` again, answers the same
    /// batch and sets nothing more aside.
    ///
    /// # Errors
    /// [`LspError::InvalidRequest`] naming the bad field (nothing sent); the server's
    /// `insufficient_balance` (nothing created) and `idempotency_mismatch`.
    pub async fn create_vouchers(
        &self,
        request: CreateVouchersRequest,
    ) -> Result<VoucherBatch, LspError> {
        request.validate()?;
        let body = json_body(&request)?;
        self.call(Method::Post, "/v1/vouchers", &Query::new(), body)
            .await
    }

    /// One voucher (`GET /v1/vouchers/{id}`, admin scope).
    ///
    /// # Errors
    /// [`LspError::NotFound`].
    pub async fn get_voucher(&self, id: &str) -> Result<LspVoucher, LspError> {
        let id = checked_id("voucher_id", id)?;
        self.call(
            Method::Get,
            &format!("/v1/vouchers/{id}"),
            &Query::new(),
            None,
        )
        .await
    }

    /// The account's vouchers, newest first, optionally of one batch or status (`GET
    /// /v1/vouchers`, admin scope).
    ///
    /// # Errors
    /// Server and transport errors.
    pub async fn list_vouchers(
        &self,
        request: ListVouchersRequest,
    ) -> Result<VoucherList, LspError> {
        request.validate()?;
        let query = Query::new()
            .opt("batch_id", request.batch_id)
            .opt("status", request.status.map(|s| s.as_str()))
            .opt("limit", request.limit)
            .opt("cursor", request.cursor);
        self.call(Method::Get, "/v1/vouchers", &query, None).await
    }

    /// Cancels an active voucher (`POST /v1/vouchers/{id}/cancel`, admin scope): its link
    /// stops working and its value returns to the balance.
    ///
    /// # Errors
    /// [`LspError::NotFound`]; the server's `conflict` when it is being claimed or already
    /// claimed, expired or cancelled.
    pub async fn cancel_voucher(&self, id: &str) -> Result<LspVoucher, LspError> {
        let id = checked_id("voucher_id", id)?;
        self.call(
            Method::Post,
            &format!("/v1/vouchers/{id}/cancel"),
            &Query::new(),
            None,
        )
        .await
    }

    /// Redeems an LNURL-withdraw link (a voucher, a prize, a faucet) into the account: reads
    /// the service's offer, creates an invoice of the account for `amount_msat` (default: the
    /// most offered) and hands it to the service, which pays it. The API key is never sent
    /// to the service.
    ///
    /// # Errors
    /// [`LspError::Lnurl`] when the link is not an LNURL-withdraw, the service refuses (its
    /// reason is in the error: already claimed, expired…) or answers something invalid, or
    /// the amount is outside its bounds or zero; the LSP's errors creating the invoice.
    pub async fn redeem_withdraw(
        &self,
        request: RedeemWithdrawRequest,
    ) -> Result<LnurlWithdrawal, LspError> {
        let url = decode_lnurl(&request.lnurl)?;
        let offer = self.get_external(url.as_str()).await?;
        let withdraw_request = WithdrawRequest::parse(&String::from_utf8_lossy(&offer.body))?;
        let amount = request
            .amount_msat
            .unwrap_or(withdraw_request.max_withdrawable);
        withdraw_request.check_amount(amount)?;
        let description = request
            .description
            .unwrap_or_else(|| withdraw_request.default_description.clone());
        let invoice = self
            .create_invoice(CreateInvoiceRequest {
                amount_msat: Some(amount),
                description: Some(description),
                expiry_secs: Some(WITHDRAW_INVOICE_EXPIRY_SECS),
                ..CreateInvoiceRequest::default()
            })
            .await?;
        let callback = withdraw_request.callback_url(amount, &invoice.bolt11)?;
        let answer = self.get_external(&callback).await?;
        parse_status_response(&String::from_utf8_lossy(&answer.body))?;
        Ok(LnurlWithdrawal {
            invoice,
            withdraw_request,
        })
    }
}
