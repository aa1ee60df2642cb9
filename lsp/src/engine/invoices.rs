//! Creating, cancelling and settling invoices: checks, the node call, the record.
//!
//! Every invoice is registered with LDK for manual claim (`receive_for_hash`), so the server
//! decides per payment: standard invoices are claimed at once with the preimage the server
//! keeps, unless cancelled or expired first (then the HTLCs are failed back); hold invoices
//! wait for the account's settle or cancel.

use bitcoin::hashes::{sha256, Hash};
use etrid_core::lsp::limits::DEFAULT_EXPIRY_SECS;
use etrid_core::lsp::{
    CreateHoldInvoiceRequest, CreateInvoiceRequest, DescriptionHash, InvoiceKind, InvoiceList,
    InvoiceStatus, LspInvoice, PaymentHash as WireHash, Preimage, Validate,
};
use ldk_node::lightning_invoice::{Bolt11InvoiceDescription, Description, Sha256};
use ldk_node::lightning_types::payment::{PaymentHash, PaymentPreimage};
use serde_json::{Map, Value};

use super::{fingerprint, Engine};
use crate::error::ServerError;
use crate::ids;
use crate::node::blocking;
use crate::store::{AuthContext, InvoiceRecord, ListFilter, NewInvoice};
use crate::time::now_secs;

/// The fields both invoice kinds share, after [`Validate`] passed.
struct Common {
    amount_msat: Option<u64>,
    description: Option<String>,
    description_hash: Option<DescriptionHash>,
    expiry_secs: u64,
    external_id: Option<String>,
    metadata: Option<Map<String, Value>>,
}

impl From<CreateInvoiceRequest> for Common {
    fn from(req: CreateInvoiceRequest) -> Common {
        Common {
            amount_msat: req.amount_msat.map(|a| a.as_u64()),
            description: req.description,
            description_hash: req.description_hash,
            expiry_secs: req.expiry_secs.unwrap_or(DEFAULT_EXPIRY_SECS),
            external_id: req.external_id,
            metadata: req.metadata,
        }
    }
}

impl From<CreateHoldInvoiceRequest> for Common {
    fn from(req: CreateHoldInvoiceRequest) -> Common {
        CreateInvoiceRequest {
            amount_msat: req.amount_msat,
            description: req.description,
            description_hash: req.description_hash,
            expiry_secs: req.expiry_secs,
            external_id: req.external_id,
            metadata: req.metadata,
            quote_id: None,
        }
        .into()
    }
}

fn ldk_description(c: &Common) -> Result<Bolt11InvoiceDescription, ServerError> {
    if let Some(hash) = &c.description_hash {
        let hash = sha256::Hash::from_byte_array(hash.to_bytes());
        return Ok(Bolt11InvoiceDescription::Hash(Sha256(hash)));
    }
    let text = c.description.clone().unwrap_or_default();
    let d =
        Description::new(text).map_err(|e| ServerError::invalid(format!("description: {e}")))?;
    Ok(Bolt11InvoiceDescription::Direct(d))
}

/// Whether an existing invoice answers a repeated create (same fingerprint), or it is a
/// mismatch.
fn idempotent(existing: InvoiceRecord, fp: &str) -> Result<(LspInvoice, bool), ServerError> {
    if existing.fingerprint == fp {
        Ok((existing.invoice, false))
    } else {
        Err(ServerError::IdempotencyMismatch {
            field: "external_id",
            value: existing.invoice.external_id.unwrap_or_default(),
        })
    }
}

impl Engine {
    /// One invoice of the account (standard or hold).
    ///
    /// # Errors
    /// `not_found`, database failures.
    pub async fn invoice(&self, ctx: &AuthContext, id: &str) -> Result<LspInvoice, ServerError> {
        Ok(self.store.invoice(&ctx.account_id, id).await?.invoice)
    }

    /// A page of the account's invoices, newest first.
    ///
    /// # Errors
    /// Database failures.
    pub async fn list_invoices(
        &self,
        ctx: &AuthContext,
        filter: &ListFilter,
    ) -> Result<InvoiceList, ServerError> {
        let (items, next_cursor) = self.store.list_invoices(&ctx.account_id, filter).await?;
        Ok(InvoiceList { items, next_cursor })
    }

    /// Creates a standard invoice. Returns the invoice and whether it is new (`201`) or the
    /// earlier one for the same `external_id` (`200`).
    ///
    /// # Errors
    /// `invalid_request`, `idempotency_mismatch`, node or database failures.
    pub async fn create_invoice(
        &self,
        ctx: &AuthContext,
        req: CreateInvoiceRequest,
    ) -> Result<(LspInvoice, bool), ServerError> {
        req.validate()?;
        let fp = fingerprint(&req);
        let quote_id = req.quote_id.clone();
        let mut c = Common::from(req);
        if let Some(earlier) = self.earlier_invoice(ctx, &c, &fp).await? {
            return Ok(earlier);
        }
        if let Some(id) = quote_id {
            // Priced by the quote, payable no longer than it holds its rate.
            let quote = self.usable_quote(ctx, &id).await?;
            c.amount_msat = Some(quote.amount_msat.as_u64());
            let left = quote.expires_at.saturating_sub(now_secs()).max(1);
            c.expiry_secs = c.expiry_secs.min(left);
            let fiat = serde_json::json!({
                "quote_id": quote.id,
                "fiat_amount": quote.fiat_amount.to_string(),
                "currency": quote.currency,
                "rate": quote.rate.to_string(),
            });
            c.metadata
                .get_or_insert_with(Map::new)
                .insert("fiat".into(), fiat);
        }
        let preimage = Preimage::from_bytes(ids::random_bytes::<32>()?);
        self.register(
            ctx,
            InvoiceKind::Standard,
            c,
            preimage.payment_hash(),
            Some(preimage),
            fp,
        )
        .await
    }

    /// Creates a hold invoice for the caller's payment hash.
    ///
    /// # Errors
    /// As [`Engine::create_invoice`]; `invalid_request` for a bad payment hash.
    pub async fn create_hold_invoice(
        &self,
        ctx: &AuthContext,
        req: CreateHoldInvoiceRequest,
    ) -> Result<(LspInvoice, bool), ServerError> {
        req.validate()?;
        let fp = fingerprint(&req);
        let hash = req.payment_hash;
        let c = Common::from(req);
        if let Some(earlier) = self.earlier_invoice(ctx, &c, &fp).await? {
            return Ok(earlier);
        }
        if self.store.invoice_by_hash(&hash).await?.is_some() {
            return Err(ServerError::conflict(
                "an invoice for this payment hash already exists",
            ));
        }
        self.register(ctx, InvoiceKind::Hold, c, hash, None, fp)
            .await
    }

    /// The invoice an earlier create with the same `external_id` made, if any (an error if its
    /// parameters differ).
    async fn earlier_invoice(
        &self,
        ctx: &AuthContext,
        c: &Common,
        fp: &str,
    ) -> Result<Option<(LspInvoice, bool)>, ServerError> {
        let Some(ext) = &c.external_id else {
            return Ok(None);
        };
        match self
            .store
            .invoice_by_external_id(&ctx.account_id, ext)
            .await?
        {
            Some(existing) => idempotent(existing, fp).map(Some),
            None => Ok(None),
        }
    }

    async fn register(
        &self,
        ctx: &AuthContext,
        kind: InvoiceKind,
        c: Common,
        hash: WireHash,
        preimage: Option<Preimage>,
        fp: String,
    ) -> Result<(LspInvoice, bool), ServerError> {
        let description = ldk_description(&c)?;
        let expiry = u32::try_from(c.expiry_secs).unwrap_or(u32::MAX);
        let amount = c.amount_msat;
        let ldk_hash = PaymentHash(hash.to_bytes());
        let invoice = blocking(&self.node, move |node| {
            let bolt11 = node.bolt11_payment();
            match amount {
                Some(a) => bolt11.receive_for_hash(a, &description, expiry, ldk_hash),
                None => bolt11.receive_variable_amount_for_hash(&description, expiry, ldk_hash),
            }
        })
        .await?
        .map_err(|e| ServerError::node("receive_for_hash", e))?;
        let expires_at = invoice
            .duration_since_epoch()
            .as_secs()
            .saturating_add(c.expiry_secs);
        let new = NewInvoice {
            account_id: ctx.account_id.clone(),
            kind,
            bolt11: invoice.to_string(),
            payment_hash: hash,
            preimage,
            amount_msat: c.amount_msat,
            description: c.description,
            description_hash: c.description_hash,
            external_id: c.external_id,
            metadata: c.metadata,
            fingerprint: fp.clone(),
            expires_at,
        };
        match self.store.insert_invoice(new).await? {
            crate::store::Inserted::Created(rec) => Ok((rec.invoice, true)),
            crate::store::Inserted::Existing(rec) => idempotent(rec, &fp),
        }
    }

    /// Cancels a standard invoice that is still open; repeating it returns the cancelled
    /// invoice.
    ///
    /// # Errors
    /// `not_found`, `conflict` (paid, expired, a payment being claimed, or a hold invoice).
    pub async fn cancel_invoice(
        &self,
        ctx: &AuthContext,
        id: &str,
    ) -> Result<LspInvoice, ServerError> {
        let rec = self.store.invoice(&ctx.account_id, id).await?;
        if rec.invoice.kind == InvoiceKind::Hold {
            return Err(ServerError::conflict(
                "hold invoices are cancelled with POST /v1/hold-invoices/{id}/cancel",
            ));
        }
        if rec.invoice.status == InvoiceStatus::Cancelled {
            return Ok(rec.invoice);
        }
        match self.store.mark_cancelled(&rec).await? {
            Some(inv) => Ok(inv),
            None => {
                let now = self.store.invoice(&ctx.account_id, id).await?;
                Err(ServerError::conflict(format!(
                    "the invoice is {} and cannot be cancelled",
                    if now.claim_started_at.is_some() && now.invoice.status == InvoiceStatus::Open {
                        "being paid"
                    } else {
                        now.invoice.status.as_str()
                    }
                )))
            }
        }
    }

    /// Settles an accepted hold invoice with its preimage: the node claims the HTLCs and the
    /// account is credited when the claim completes (`invoice.paid`).
    ///
    /// # Errors
    /// `invalid_request` (preimage not hex or not matching), `conflict` (not accepted),
    /// `not_found`.
    pub async fn settle_hold(
        &self,
        ctx: &AuthContext,
        id: &str,
        preimage: Preimage,
    ) -> Result<LspInvoice, ServerError> {
        let rec = self.store.invoice(&ctx.account_id, id).await?;
        if rec.invoice.kind != InvoiceKind::Hold {
            return Err(ServerError::not_found("hold invoice"));
        }
        self.refuse_entry_invoice(id).await?;
        if preimage.payment_hash() != rec.invoice.payment_hash {
            return Err(ServerError::invalid(
                "preimage does not match the invoice's payment_hash",
            ));
        }
        match rec.invoice.status {
            InvoiceStatus::Paid => return Ok(rec.invoice),
            InvoiceStatus::Accepted => {}
            other => {
                return Err(ServerError::conflict(format!(
                    "the hold invoice is {}, not accepted",
                    other.as_str()
                )))
            }
        }
        self.settle_hold_record(&rec, preimage).await?;
        Ok(self.store.invoice(&ctx.account_id, id).await?.invoice)
    }

    /// Settles an accepted hold invoice with its preimage (also the tournaments'): held by
    /// another account of this LSP, the transfer completes at once; held as HTLCs, the node
    /// claims them and the account is credited at once, the claim being irrevocable once
    /// started (the later `PaymentReceived` finds the invoice paid and changes nothing).
    pub(crate) async fn settle_hold_record(
        &self,
        rec: &InvoiceRecord,
        preimage: Preimage,
    ) -> Result<(), ServerError> {
        if let Some(payment) = self
            .store
            .internal_hold_payment(&rec.invoice.payment_hash)
            .await?
        {
            self.store
                .settle_internal_hold(rec, &payment, preimage)
                .await?;
            return Ok(());
        }
        let claimable = rec.claimable_msat.unwrap_or_default();
        let hash = PaymentHash(preimage.payment_hash().to_bytes());
        blocking(&self.node, move |node| {
            node.bolt11_payment().claim_for_hash(
                hash,
                claimable,
                PaymentPreimage(preimage.to_bytes()),
            )
        })
        .await?
        .map_err(|e| ServerError::node("claim_for_hash", e))?;
        self.store.mark_paid(rec, claimable, Some(preimage)).await?;
        Ok(())
    }

    /// Cancels a hold invoice (open or accepted): held HTLCs are failed back, so the payer is
    /// refunded.
    ///
    /// # Errors
    /// `conflict` when already paid; `not_found`.
    pub async fn cancel_hold(
        &self,
        ctx: &AuthContext,
        id: &str,
    ) -> Result<LspInvoice, ServerError> {
        let rec = self.store.invoice(&ctx.account_id, id).await?;
        if rec.invoice.kind != InvoiceKind::Hold {
            return Err(ServerError::not_found("hold invoice"));
        }
        self.refuse_entry_invoice(id).await?;
        self.cancel_hold_record(&rec).await?;
        Ok(self.store.invoice(&ctx.account_id, id).await?.invoice)
    }

    /// Cancels a hold invoice record and fails its HTLCs back (also used by the sweeper).
    pub(crate) async fn cancel_hold_record(&self, rec: &InvoiceRecord) -> Result<(), ServerError> {
        match rec.invoice.status {
            InvoiceStatus::Cancelled => return Ok(()),
            InvoiceStatus::Open | InvoiceStatus::Accepted => {}
            other => {
                return Err(ServerError::conflict(format!(
                    "the hold invoice is {} and cannot be cancelled",
                    other.as_str()
                )))
            }
        }
        if rec.invoice.status == InvoiceStatus::Accepted {
            if let Some(payment) = self
                .store
                .internal_hold_payment(&rec.invoice.payment_hash)
                .await?
            {
                // Held by another account of this LSP: release its reservation.
                if self
                    .store
                    .cancel_internal_hold(rec, &payment)
                    .await?
                    .is_none()
                {
                    let now = self.store.invoice(&rec.account_id, &rec.invoice.id).await?;
                    if now.invoice.status != InvoiceStatus::Cancelled {
                        return Err(ServerError::conflict(format!(
                            "the hold invoice is {} and cannot be cancelled",
                            now.invoice.status.as_str()
                        )));
                    }
                }
                return Ok(());
            }
        }
        // Record the cancel first: from then on a late settle is refused, then free the HTLCs.
        let cancelled = self.store.mark_cancelled(rec).await?;
        if cancelled.is_none() {
            let now = self.store.invoice(&rec.account_id, &rec.invoice.id).await?;
            if now.invoice.status != InvoiceStatus::Cancelled {
                return Err(ServerError::conflict(format!(
                    "the hold invoice is {} and cannot be cancelled",
                    now.invoice.status.as_str()
                )));
            }
        }
        self.fail_htlcs(&rec.invoice.payment_hash).await;
        Ok(())
    }

    /// Fails back any HTLCs held for `payment_hash` (nothing held is fine).
    pub(crate) async fn fail_htlcs(&self, payment_hash: &WireHash) {
        let hash = payment_hash.to_bytes();
        let result = blocking(&self.node, move |node| {
            node.bolt11_payment().fail_for_hash(PaymentHash(hash))
        })
        .await;
        if let Ok(Err(e)) = result {
            tracing::debug!(%payment_hash, error = %e, "fail_for_hash");
        }
    }

    /// Seconds from now until the held HTLCs' deadline minus the safety margin, assuming
    /// 10-minute blocks (the sweeper also checks the height itself).
    pub(crate) fn hold_expires_at(&self, deadline_height: Option<u32>) -> u64 {
        let now = now_secs();
        let height = self.node.status().current_best_block.height;
        match deadline_height {
            Some(d) => {
                let blocks = d
                    .saturating_sub(height)
                    .saturating_sub(self.config.hold_cancel_margin_blocks);
                now.saturating_add(u64::from(blocks) * 600)
            }
            None => now.saturating_add(24 * 3600),
        }
    }
}
