//! Starting outgoing payments: local checks, the reservation, then the node call. The outcome
//! arrives later as a node event (see `node_events`).

use std::str::FromStr;

use etrid_core::invoice::{decode_invoice, InvoiceError};
use etrid_core::lsp::{
    KeysendRequest, LspPayment, NodeId, PayInvoiceRequest, PaymentFailureReason, PaymentHash,
    PaymentKind, PaymentList, Preimage, Validate,
};
use etrid_core::platform::SystemClock;
use ldk_node::lightning::routing::router::RouteParametersConfig;
use ldk_node::lightning_invoice::Bolt11Invoice;
use ldk_node::lightning_types::payment::PaymentPreimage;
use ldk_node::CustomTlvRecord;

use super::{fingerprint, Engine};
use crate::error::ServerError;
use crate::ids;
use crate::store::{
    AuthContext, ListFilter, NewPayment, PaymentOutcome, PaymentRecord, Reserved, Transfer,
    VoucherFunding,
};

/// Default fee floor: 10 sat.
const MIN_DEFAULT_FEE_MSAT: u64 = 10_000;
/// Default number of parts.
const DEFAULT_MAX_PARTS: u32 = 16;

/// The default maximum fee: 1 % of the amount, at least 10 sat.
pub(crate) fn default_max_fee(amount_msat: u64) -> u64 {
    (amount_msat / 100).max(MIN_DEFAULT_FEE_MSAT)
}

/// LDK's route limits for a validated request (`max_parts` is within `1..=MAX_PARTS`).
fn route_params(max_fee_msat: u64, max_parts: u32) -> RouteParametersConfig {
    RouteParametersConfig {
        max_total_routing_fee_msat: Some(max_fee_msat),
        max_path_count: u8::try_from(max_parts).unwrap_or(u8::MAX),
        ..RouteParametersConfig::default()
    }
}

/// Maps an LDK send error to the reason recorded on the failed payment.
fn send_failure(e: &ldk_node::NodeError) -> PaymentFailureReason {
    match e {
        ldk_node::NodeError::InvalidInvoice | ldk_node::NodeError::InvalidAmount => {
            PaymentFailureReason::RecipientRejected
        }
        _ => PaymentFailureReason::RouteNotFound,
    }
}

impl Engine {
    /// One payment of the account.
    ///
    /// # Errors
    /// `not_found`, database failures.
    pub async fn payment(&self, ctx: &AuthContext, id: &str) -> Result<LspPayment, ServerError> {
        Ok(self.store.payment(&ctx.account_id, id).await?.payment)
    }

    /// A page of the account's payments, newest first.
    ///
    /// # Errors
    /// Database failures.
    pub async fn list_payments(
        &self,
        ctx: &AuthContext,
        filter: &ListFilter,
    ) -> Result<PaymentList, ServerError> {
        let (items, next_cursor) = self.store.list_payments(&ctx.account_id, filter).await?;
        Ok(PaymentList { items, next_cursor })
    }

    /// An earlier payment under the same idempotency key: the same request returns it, another
    /// is a mismatch.
    async fn existing_payment(
        &self,
        ctx: &AuthContext,
        key: &str,
        fp: &str,
    ) -> Result<Option<LspPayment>, ServerError> {
        match self
            .store
            .payment_by_idempotency_key(&ctx.account_id, key)
            .await?
        {
            Some(p) if p.fingerprint == fp => Ok(Some(p.payment)),
            Some(_) => Err(ServerError::IdempotencyMismatch {
                field: "idempotency_key",
                value: key.to_owned(),
            }),
            None => Ok(None),
        }
    }

    /// Pays a BOLT11 invoice from the account. Returns the payment and whether it is new
    /// (`202`) or the earlier one for the same idempotency key (`200`).
    ///
    /// # Errors
    /// `invalid_invoice`, `invoice_expired`, `invalid_request`, `duplicate_payment`,
    /// `insufficient_balance`, `payment_failed`.
    pub async fn pay_invoice(
        &self,
        ctx: &AuthContext,
        req: PayInvoiceRequest,
    ) -> Result<(LspPayment, bool), ServerError> {
        self.pay_bolt11(ctx, req, None).await
    }

    /// Pays a BOLT11 invoice from the account's balance, or with `voucher` from what that
    /// voucher set aside (a claim: exactly one claim of a voucher gets this far).
    ///
    /// # Errors
    /// As [`Engine::pay_invoice`]; `conflict` when the voucher is no longer claimable.
    pub(super) async fn pay_bolt11(
        &self,
        ctx: &AuthContext,
        req: PayInvoiceRequest,
        voucher: Option<VoucherFunding>,
    ) -> Result<(LspPayment, bool), ServerError> {
        req.validate()?;
        let fp = fingerprint(&req);
        if let Some(p) = self
            .existing_payment(ctx, &req.idempotency_key, &fp)
            .await?
        {
            return Ok((p, false));
        }
        let decoded = decode_invoice(&req.bolt11, self.config.network, &SystemClock).map_err(
            |e| match e {
                InvoiceError::Expired { .. } => ServerError::InvoiceExpired,
                other => ServerError::InvalidInvoice {
                    reason: other.to_string(),
                },
            },
        )?;
        let amount_msat = match (decoded.amount_msat, req.amount_msat) {
            (Some(a), None) => a.as_u64(),
            (None, Some(a)) if a.as_u64() > 0 => a.as_u64(),
            (None, _) => {
                return Err(ServerError::invalid(
                    "amount_msat is required (and positive) for an invoice without an amount",
                ))
            }
            (Some(_), Some(_)) => {
                return Err(ServerError::invalid(
                    "amount_msat must be omitted: the invoice has an amount",
                ))
            }
        };
        let payment_hash: PaymentHash =
            decoded
                .payment_hash
                .parse()
                .map_err(|e| ServerError::InvalidInvoice {
                    reason: format!("payment hash: {e}"),
                })?;
        let destination: NodeId =
            decoded
                .payee_pubkey
                .parse()
                .map_err(|e| ServerError::InvalidInvoice {
                    reason: format!("payee: {e}"),
                })?;
        let internal = destination.public_key() == self.node.node_id();
        if self
            .store
            .live_payment_by_hash(&ctx.account_id, &payment_hash)
            .await?
            .is_some()
        {
            return Err(ServerError::DuplicatePayment {
                payment_hash: decoded.payment_hash,
            });
        }
        let max_fee_msat = req
            .max_fee_msat
            .map_or_else(|| default_max_fee(amount_msat), |f| f.as_u64());
        let new = NewPayment {
            account_id: ctx.account_id.clone(),
            kind: PaymentKind::Bolt11,
            amount_msat,
            max_fee_msat,
            payment_hash,
            preimage: None,
            destination,
            bolt11: Some(decoded.bolt11.clone()),
            idempotency_key: req.idempotency_key.clone(),
            fingerprint: fp,
            custom_records: Vec::new(),
            // LDK Node's payment id for a BOLT11 payment is its payment hash.
            ldk_payment_id: payment_hash.to_string(),
            voucher,
        };
        if internal {
            return self.pay_internally(new).await;
        }
        let params = route_params(max_fee_msat, req.max_parts.unwrap_or(DEFAULT_MAX_PARTS));
        let invoice = Bolt11Invoice::from_str(decoded.bolt11.trim()).map_err(|e| {
            ServerError::InvalidInvoice {
                reason: e.to_string(),
            }
        })?;
        let rec = match self.store.reserve_payment(new).await? {
            Reserved::Created(rec) => rec,
            Reserved::Existing(rec) => return Ok((rec.payment, false)),
        };
        let fixed = decoded.amount_msat.is_some();
        let sent = self
            .send_when_ready(move |node| {
                let bolt11 = node.bolt11_payment();
                if fixed {
                    bolt11.send(&invoice, Some(params))
                } else {
                    bolt11.send_using_amount(&invoice, amount_msat, Some(params))
                }
            })
            .await?;
        self.after_send(rec, sent).await
    }

    /// Sends a keysend payment with custom records from the account.
    ///
    /// # Errors
    /// As [`Engine::pay_invoice`]; `invalid_request` for a bad destination or record.
    pub async fn keysend(
        &self,
        ctx: &AuthContext,
        req: KeysendRequest,
    ) -> Result<(LspPayment, bool), ServerError> {
        req.validate()?;
        let fp = fingerprint(&req);
        if let Some(p) = self
            .existing_payment(ctx, &req.idempotency_key, &fp)
            .await?
        {
            return Ok((p, false));
        }
        let destination = req.destination.public_key();
        if destination == self.node.node_id() {
            return Err(ServerError::invalid("destination is this LSP node"));
        }
        let amount_msat = req.amount_msat.as_u64();
        let tlvs: Vec<CustomTlvRecord> = req
            .custom_records
            .iter()
            .map(|r| CustomTlvRecord {
                type_num: r.record_type,
                value: r.value.as_bytes().to_vec(),
            })
            .collect();
        let max_fee_msat = req
            .max_fee_msat
            .map_or_else(|| default_max_fee(amount_msat), |f| f.as_u64());
        let params = route_params(max_fee_msat, req.max_parts.unwrap_or(DEFAULT_MAX_PARTS));
        let preimage = Preimage::from_bytes(ids::random_bytes::<32>()?);
        let hash = preimage.payment_hash();
        let rec = match self
            .store
            .reserve_payment(NewPayment {
                account_id: ctx.account_id.clone(),
                kind: PaymentKind::Keysend,
                amount_msat,
                max_fee_msat,
                payment_hash: hash,
                preimage: Some(preimage),
                destination: req.destination,
                bolt11: None,
                idempotency_key: req.idempotency_key.clone(),
                fingerprint: fp,
                custom_records: req.custom_records.clone(),
                // LDK Node's payment id for a spontaneous payment is its payment hash.
                ldk_payment_id: hash.to_string(),
                voucher: None,
            })
            .await?
        {
            Reserved::Created(rec) => rec,
            Reserved::Existing(rec) => return Ok((rec.payment, false)),
        };
        let sent = self
            .send_when_ready(move |node| {
                node.spontaneous_payment()
                    .send_with_preimage_and_custom_tlvs(
                        amount_msat,
                        destination,
                        tlvs,
                        PaymentPreimage(preimage.to_bytes()),
                        Some(params),
                    )
            })
            .await?;
        self.after_send(rec, sent).await
    }

    /// Pays an invoice this LSP node issued: another account's, settled inside the LSP at once
    /// (no HTLC, no fee; a hold invoice is held, the amount reserved, until its account settles
    /// or cancels it), or refused when no account of this LSP issued it.
    async fn pay_internally(&self, new: NewPayment) -> Result<(LspPayment, bool), ServerError> {
        let Some(invoice) = self.store.invoice_by_hash(&new.payment_hash).await? else {
            return Err(ServerError::PaymentFailed {
                reason: "the invoice was issued by this LSP node but by none of its accounts"
                    .into(),
            });
        };
        match self.store.pay_internally(new, &invoice).await? {
            Transfer::Settled { payment, invoice } => {
                tracing::info!(payment = %payment.id, invoice = %invoice.id,
                    amount_msat = payment.amount_msat.as_u64(), "paid between accounts of this LSP");
                Ok((*payment, true))
            }
            Transfer::Held { payment, invoice } => {
                tracing::info!(payment = %payment.id, invoice = %invoice.id,
                    amount_msat = payment.amount_msat.as_u64(), "hold invoice held between accounts of this LSP");
                // It may be a tournament entry taking a seat.
                self.tournament_wake.notify_one();
                Ok((*payment, true))
            }
            Transfer::Existing(rec) => Ok((rec.payment, false)),
        }
    }

    /// A refused send releases the reservation at once and answers `payment_failed`.
    async fn after_send(
        &self,
        rec: PaymentRecord,
        sent: Result<ldk_node::lightning::ln::channelmanager::PaymentId, ldk_node::NodeError>,
    ) -> Result<(LspPayment, bool), ServerError> {
        match sent {
            Ok(_) => Ok((rec.payment, true)),
            Err(e) => {
                let reason = send_failure(&e);
                self.store
                    .complete_payment(&rec, PaymentOutcome::Failed { reason })
                    .await?;
                Err(ServerError::PaymentFailed {
                    reason: e.to_string(),
                })
            }
        }
    }
}
