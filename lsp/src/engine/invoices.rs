//! Creating, cancelling and settling invoices: checks, the node call, the record.
//!
//! Every invoice is registered with LDK for manual claim (`receive_for_hash`), so the server
//! decides per payment: standard invoices are claimed at once with the preimage the server
//! keeps, unless cancelled or expired first (then the HTLCs are failed back); hold invoices
//! wait for the account's settle or cancel.

use bitcoin::hashes::{sha256, Hash};
use etrid_core::amount::Msat;
use etrid_core::lsp::{
    CreateHoldInvoiceRequest, CreateInvoiceRequest, InvoiceKind, InvoiceStatus, LspInvoice,
};
use ldk_node::lightning_invoice::{Bolt11InvoiceDescription, Description, Sha256};
use ldk_node::lightning_types::payment::{PaymentHash, PaymentPreimage};
use serde_json::{Map, Value};

use super::{fingerprint, Engine};
use crate::error::ServerError;
use crate::ids;
use crate::node::blocking;
use crate::store::{AuthContext, InvoiceRecord, NewInvoice};
use crate::time::now_secs;

/// Default invoice expiry (API.md).
const DEFAULT_EXPIRY_SECS: u64 = 3600;
/// Longest accepted expiry: one year.
const MAX_EXPIRY_SECS: u64 = 365 * 24 * 3600;
/// Largest description BOLT11 can carry.
const MAX_DESCRIPTION_BYTES: usize = 639;
/// Largest metadata object, serialised.
const MAX_METADATA_BYTES: usize = 4096;

/// The fields both invoice kinds share, checked.
struct Common {
    amount_msat: Option<u64>,
    description: Option<String>,
    description_hash: Option<String>,
    expiry_secs: u64,
    external_id: Option<String>,
    metadata: Option<Map<String, Value>>,
}

fn check_common(
    amount_msat: Option<Msat>,
    description: Option<String>,
    description_hash: Option<String>,
    expiry_secs: Option<u64>,
    external_id: Option<String>,
    metadata: Option<Map<String, Value>>,
) -> Result<Common, ServerError> {
    let amount_msat = match amount_msat.map(Msat::as_u64) {
        Some(0) => return Err(ServerError::invalid("amount_msat must be positive")),
        Some(a) if a > Msat::MAX_SUPPLY.as_u64() => {
            return Err(ServerError::invalid("amount_msat is above 21 million BTC"))
        }
        other => other,
    };
    if description.is_some() && description_hash.is_some() {
        return Err(ServerError::invalid(
            "give description or description_hash, not both",
        ));
    }
    if let Some(d) = &description {
        if d.len() > MAX_DESCRIPTION_BYTES {
            return Err(ServerError::invalid("description is longer than 639 bytes"));
        }
    }
    let description_hash = match description_hash {
        Some(h) => {
            let h = h.to_ascii_lowercase();
            if ids::unhex(&h).is_none_or(|b| b.len() != 32) {
                return Err(ServerError::invalid(
                    "description_hash must be 64 hex characters (SHA-256)",
                ));
            }
            Some(h)
        }
        None => None,
    };
    let expiry_secs = expiry_secs.unwrap_or(DEFAULT_EXPIRY_SECS);
    if expiry_secs == 0 || expiry_secs > MAX_EXPIRY_SECS {
        return Err(ServerError::invalid(
            "expiry_secs must be between 1 and 31536000",
        ));
    }
    if let Some(id) = &external_id {
        if !ids::is_valid_id(id) {
            return Err(ServerError::invalid(
                "external_id must be 1-128 characters of A-Z a-z 0-9 _ -",
            ));
        }
    }
    if let Some(m) = &metadata {
        if Value::Object(m.clone()).to_string().len() > MAX_METADATA_BYTES {
            return Err(ServerError::invalid("metadata is larger than 4096 bytes"));
        }
    }
    Ok(Common {
        amount_msat,
        description,
        description_hash,
        expiry_secs,
        external_id,
        metadata,
    })
}

fn ldk_description(c: &Common) -> Result<Bolt11InvoiceDescription, ServerError> {
    if let Some(hex) = &c.description_hash {
        let bytes = ids::unhex(hex).unwrap_or_default();
        let hash = sha256::Hash::from_slice(&bytes)
            .map_err(|_| ServerError::invalid("description_hash must be 32 bytes"))?;
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
        let fp = fingerprint(&req);
        let c = check_common(
            req.amount_msat,
            req.description,
            req.description_hash,
            req.expiry_secs,
            req.external_id,
            req.metadata,
        )?;
        if let Some(ext) = &c.external_id {
            if let Some(existing) = self
                .store
                .invoice_by_external_id(&ctx.account_id, ext)
                .await?
            {
                return idempotent(existing, &fp);
            }
        }
        let preimage = ids::random_bytes::<32>()?;
        let hash = PaymentHash(sha256::Hash::hash(&preimage).to_byte_array());
        self.register(
            ctx,
            InvoiceKind::Standard,
            c,
            hash,
            Some(ids::hex(&preimage)),
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
        let fp = fingerprint(&req);
        if req.min_final_cltv_expiry_delta.is_some() {
            return Err(ServerError::invalid(
                "min_final_cltv_expiry_delta cannot be chosen on this server (LDK's default applies)",
            ));
        }
        let hash_bytes = ids::unhex(&req.payment_hash)
            .filter(|b| b.len() == 32)
            .ok_or_else(|| ServerError::invalid("payment_hash must be 64 hex characters"))?;
        let mut hash = [0u8; 32];
        hash.copy_from_slice(&hash_bytes);
        let c = check_common(
            req.amount_msat,
            req.description,
            req.description_hash,
            req.expiry_secs,
            req.external_id,
            req.metadata,
        )?;
        if let Some(ext) = &c.external_id {
            if let Some(existing) = self
                .store
                .invoice_by_external_id(&ctx.account_id, ext)
                .await?
            {
                return idempotent(existing, &fp);
            }
        }
        if self
            .store
            .invoice_by_hash(&ids::hex(&hash))
            .await?
            .is_some()
        {
            return Err(ServerError::conflict(
                "an invoice for this payment hash already exists",
            ));
        }
        self.register(ctx, InvoiceKind::Hold, c, PaymentHash(hash), None, fp)
            .await
    }

    async fn register(
        &self,
        ctx: &AuthContext,
        kind: InvoiceKind,
        c: Common,
        hash: PaymentHash,
        preimage: Option<String>,
        fp: String,
    ) -> Result<(LspInvoice, bool), ServerError> {
        let description = ldk_description(&c)?;
        let expiry = u32::try_from(c.expiry_secs).unwrap_or(u32::MAX);
        let amount = c.amount_msat;
        let invoice = blocking(&self.node, move |node| {
            let bolt11 = node.bolt11_payment();
            match amount {
                Some(a) => bolt11.receive_for_hash(a, &description, expiry, hash),
                None => bolt11.receive_variable_amount_for_hash(&description, expiry, hash),
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
            payment_hash: ids::hex(&hash.0),
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
        preimage_hex: &str,
    ) -> Result<LspInvoice, ServerError> {
        let rec = self.store.invoice(&ctx.account_id, id).await?;
        if rec.invoice.kind != InvoiceKind::Hold {
            return Err(ServerError::not_found("hold invoice"));
        }
        let preimage: [u8; 32] = ids::unhex(&preimage_hex.to_ascii_lowercase())
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| ServerError::invalid("preimage must be 64 hex characters"))?;
        if ids::hex(&sha256::Hash::hash(&preimage).to_byte_array()) != rec.invoice.payment_hash {
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
        let claimable = rec.claimable_msat.unwrap_or_default();
        let hash = PaymentHash(sha256::Hash::hash(&preimage).to_byte_array());
        blocking(&self.node, move |node| {
            node.bolt11_payment()
                .claim_for_hash(hash, claimable, PaymentPreimage(preimage))
        })
        .await?
        .map_err(|e| ServerError::node("claim_for_hash", e))?;
        // Credit now rather than waiting for the node's PaymentReceived: the claim is
        // irrevocable once started. The later event finds the invoice paid and changes nothing.
        let paid = self
            .store
            .mark_paid(&rec, claimable, Some(ids::hex(&preimage)))
            .await?;
        match paid {
            Some(inv) => Ok(inv),
            None => Ok(self.store.invoice(&ctx.account_id, id).await?.invoice),
        }
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
    pub(crate) async fn fail_htlcs(&self, payment_hash: &str) {
        let Some(hash) = ids::unhex(payment_hash).and_then(|b| <[u8; 32]>::try_from(b).ok()) else {
            return;
        };
        let result = blocking(&self.node, move |node| {
            node.bolt11_payment().fail_for_hash(PaymentHash(hash))
        })
        .await;
        if let Ok(Err(e)) = result {
            tracing::debug!(payment_hash, error = %e, "fail_for_hash");
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
