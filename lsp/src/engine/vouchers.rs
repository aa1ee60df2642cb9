//! Vouchers (S23): batches of LNURL-withdraw links (LUD-03) whose value the account sets aside,
//! the two endpoints any wallet calls without a key, and their end at expiry or cancel.
//!
//! A wallet reads the link (`withdrawRequest`: bounds, `k1`, callback), creates an invoice and
//! hands it to the callback; the LSP checks it against the voucher and pays it from the
//! voucher's reservation. The store makes the claim exactly-once (see `store/vouchers.rs`).

use etrid_core::invoice::{decode_invoice, InvoiceError};
use etrid_core::lnurl::encode_lnurl;
use etrid_core::lsp::{
    CreateVouchersRequest, ListVouchersRequest, LspVoucher, PayInvoiceRequest, Validate,
    VoucherBatch, VoucherList, VoucherStatus, DEFAULT_VOUCHER_EXPIRY_SECS,
};
use etrid_core::platform::SystemClock;
use serde_json::{json, Value};

use super::addresses::{LnurlRefusal, PublicUrl};
use super::payments::default_max_fee;
use super::{fingerprint, Engine};
use crate::error::ServerError;
use crate::ids;
use crate::store::{
    AuthContext, CreatedBatch, ListFilter, NewVoucher, NewVoucherBatch, VoucherFunding,
    VoucherRecord,
};
use crate::time::now_secs;

/// The refusal a wallet gets for a link this LSP does not serve (never says whether it did).
const UNKNOWN_VOUCHER: &str = "unknown voucher";

impl Engine {
    /// Creates a batch of vouchers and sets their value aside. Returns the batch and whether
    /// it is new (`201`) or the earlier one for the same idempotency key (`200`).
    ///
    /// # Errors
    /// `invalid_request`, `insufficient_balance` (nothing set aside),
    /// `idempotency_mismatch` for a key reused with other terms.
    pub async fn create_vouchers(
        &self,
        ctx: &AuthContext,
        req: CreateVouchersRequest,
        public: &PublicUrl,
    ) -> Result<(VoucherBatch, bool), ServerError> {
        req.validate()?;
        let amount = req.amount_msat.as_u64();
        let count = req.count.unwrap_or(1);
        let mut vouchers = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let secret = ids::hex(&ids::random_bytes::<32>()?);
            let url = public.withdraw_url(&secret);
            let lnurl =
                encode_lnurl(&url).map_err(|e| ServerError::invalid(format!("public_url: {e}")))?;
            vouchers.push(NewVoucher {
                id: ids::new_id("vch")?,
                secret,
                url,
                lnurl,
            });
        }
        let new = NewVoucherBatch {
            account_id: ctx.account_id.clone(),
            idempotency_key: req.idempotency_key.clone(),
            fingerprint: fingerprint(&req),
            amount_msat: amount,
            min_withdrawable_msat: req.min_withdrawable_msat.map_or(amount, |m| m.as_u64()),
            reserved_msat: amount.saturating_add(default_max_fee(amount)),
            description: req.description.clone().unwrap_or_else(|| "Voucher".into()),
            expires_at: now_secs()
                .saturating_add(req.expiry_secs.unwrap_or(DEFAULT_VOUCHER_EXPIRY_SECS)),
            vouchers,
        };
        match self.store.create_vouchers(new).await? {
            CreatedBatch::Created(batch) => {
                tracing::info!(batch = %batch.id, count, amount_msat = amount, "vouchers created");
                Ok((batch, true))
            }
            CreatedBatch::Existing(batch, fp) if fp == fingerprint(&req) => Ok((batch, false)),
            CreatedBatch::Existing(..) => Err(ServerError::IdempotencyMismatch {
                field: "idempotency_key",
                value: req.idempotency_key,
            }),
        }
    }

    /// The account's voucher `id`.
    ///
    /// # Errors
    /// `not_found`.
    pub async fn voucher(&self, ctx: &AuthContext, id: &str) -> Result<LspVoucher, ServerError> {
        Ok(self.store.voucher(&ctx.account_id, id).await?.voucher)
    }

    /// A page of the account's vouchers, newest first.
    ///
    /// # Errors
    /// `invalid_request` for a bad cursor; database failures.
    pub async fn list_vouchers(
        &self,
        ctx: &AuthContext,
        req: &ListVouchersRequest,
        filter: &ListFilter,
    ) -> Result<VoucherList, ServerError> {
        req.validate()?;
        let (items, next_cursor) = self
            .store
            .list_vouchers(&ctx.account_id, req.batch_id.as_deref(), filter)
            .await?;
        Ok(VoucherList { items, next_cursor })
    }

    /// Cancels an active voucher: its link stops working and its value returns to the
    /// balance.
    ///
    /// # Errors
    /// `not_found`; `conflict` when it is being claimed or already ended.
    pub async fn cancel_voucher(
        &self,
        ctx: &AuthContext,
        id: &str,
    ) -> Result<LspVoucher, ServerError> {
        let rec = self.store.voucher(&ctx.account_id, id).await?;
        if let Some(ended) = self
            .store
            .end_voucher(&rec, VoucherStatus::Cancelled)
            .await?
        {
            return Ok(ended);
        }
        let now = self.store.voucher(&ctx.account_id, id).await?.voucher;
        Err(ServerError::conflict(format!(
            "the voucher is {}; only an active voucher can be cancelled",
            now.status.as_str()
        )))
    }

    /// Ends every active voucher whose window closed: `expired`, value returned.
    pub(crate) async fn expire_vouchers(&self, now: u64) -> Result<(), ServerError> {
        for rec in self.store.expired_active_vouchers(now).await? {
            if let Some(v) = self.store.end_voucher(&rec, VoucherStatus::Expired).await? {
                tracing::info!(voucher = %v.id, reserved_msat = v.reserved_msat.as_u64(),
                    "voucher expired; its value returned");
            }
        }
        Ok(())
    }

    /// The LUD-03 `withdrawRequest` of the voucher with `secret`, for any wallet.
    ///
    /// # Errors
    /// A [`LnurlRefusal`] for an unknown link or a voucher that cannot be claimed now.
    pub async fn lnurl_withdraw_request(
        &self,
        secret: &str,
        public: &PublicUrl,
    ) -> Result<Value, LnurlRefusal> {
        let rec = self.claimable_voucher(secret).await?;
        let v = &rec.voucher;
        Ok(json!({
            "tag": "withdrawRequest",
            "callback": public.withdraw_callback_url(&rec.secret),
            "k1": rec.secret,
            "defaultDescription": v.description,
            "minWithdrawable": v.min_withdrawable_msat.as_u64(),
            "maxWithdrawable": v.amount_msat.as_u64(),
        }))
    }

    /// The LUD-03 callback: pays the wallet's invoice `pr` from the voucher with `secret`
    /// (`k1` must repeat it). Answers `{"status": "OK"}` once the payment is under way
    /// (settled already when the invoice is an account's of this LSP).
    ///
    /// # Errors
    /// A [`LnurlRefusal`] saying why: unknown link, `k1` mismatch, voucher not claimable
    /// (claimed, being claimed, expired, cancelled), an invoice that does not decode, is for
    /// another network, expired, has no amount or one outside the voucher's bounds, or whose
    /// payment could not start. A refused claim leaves the voucher as it was.
    pub async fn lnurl_withdraw_callback(
        &self,
        secret: &str,
        k1: Option<&str>,
        pr: Option<&str>,
    ) -> Result<Value, LnurlRefusal> {
        if k1 != Some(secret) {
            return Err(LnurlRefusal("k1 does not match this voucher".into()));
        }
        let pr = pr
            .filter(|p| !p.trim().is_empty())
            .ok_or_else(|| LnurlRefusal("pr (the invoice to pay) is required".into()))?;
        let rec = self.claimable_voucher(secret).await?;
        let v = &rec.voucher;
        let decoded =
            decode_invoice(pr, self.config.network, &SystemClock).map_err(|e| match e {
                InvoiceError::Expired { .. } => LnurlRefusal("the invoice expired".into()),
                other => LnurlRefusal(format!("the invoice is not valid here: {other}")),
            })?;
        let amount = decoded
            .amount_msat
            .ok_or_else(|| LnurlRefusal("the invoice must have an amount".into()))?;
        if amount < v.min_withdrawable_msat || amount > v.amount_msat {
            return Err(LnurlRefusal(format!(
                "the invoice must be for {} to {} msat, not {}",
                v.min_withdrawable_msat.as_u64(),
                v.amount_msat.as_u64(),
                amount.as_u64()
            )));
        }
        let allowance = v
            .reserved_msat
            .as_u64()
            .saturating_sub(v.amount_msat.as_u64());
        let hash_prefix = decoded.payment_hash.get(..16).unwrap_or_default();
        let request = PayInvoiceRequest {
            bolt11: pr.trim().to_owned(),
            idempotency_key: format!("voucher:{}:{hash_prefix}", v.id),
            max_fee_msat: Some(etrid_core::amount::Msat::from_msat(allowance)),
            ..PayInvoiceRequest::default()
        };
        let funding = VoucherFunding {
            voucher_id: v.id.clone(),
            reserved_msat: v.reserved_msat.as_u64(),
        };
        let ctx = AuthContext::on_behalf_of(&rec.account_id);
        let (payment, new) = self
            .pay_bolt11(&ctx, request, Some(funding))
            .await
            .map_err(LnurlRefusal::from)?;
        if !new {
            return Err(LnurlRefusal(
                "this invoice was already handed in for this voucher; create a new one".into(),
            ));
        }
        tracing::info!(voucher = %v.id, payment = %payment.id, amount_msat = amount.as_u64(),
            internal = payment.internal, "voucher claim paying");
        Ok(json!({ "status": "OK" }))
    }

    /// The voucher with `secret` if it can be claimed now.
    async fn claimable_voucher(&self, secret: &str) -> Result<VoucherRecord, LnurlRefusal> {
        let rec = self
            .store
            .voucher_by_secret(secret)
            .await
            .map_err(|e| LnurlRefusal::from(ServerError::from(e)))?
            .ok_or_else(|| LnurlRefusal(UNKNOWN_VOUCHER.into()))?;
        let reason = match rec.voucher.status {
            VoucherStatus::Active if rec.voucher.expires_at <= now_secs() => "the voucher expired",
            VoucherStatus::Active => return Ok(rec),
            VoucherStatus::Claiming => "the voucher is being claimed",
            VoucherStatus::Claimed => "the voucher was already claimed",
            VoucherStatus::Expired => "the voucher expired",
            VoucherStatus::Cancelled => "the voucher was cancelled",
        };
        Err(LnurlRefusal(reason.into()))
    }
}
