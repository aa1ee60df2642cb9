//! Payments from a named node: BOLT11 invoices, keysend with custom TLVs, waiting for outcomes.

use std::str::FromStr;
use std::time::{Duration, Instant};

use bitcoin::hex::{DisplayHex, FromHex};
use ldk_node::bitcoin::secp256k1::PublicKey;
use ldk_node::lightning::ln::channelmanager::PaymentId;
use ldk_node::lightning_invoice::{Bolt11Invoice, Bolt11InvoiceDescription, Description};
use ldk_node::payment::{PaymentKind, PaymentStatus};
use ldk_node::{CustomTlvRecord, Event};
use tokio::sync::broadcast::{self, error::RecvError};

use super::api::DevnetApi;
use super::models::{
    CreatedInvoice, InvoiceRequest, KeysendRequest, PayRequest, PaymentOutcome, PaymentState,
    TlvRecord,
};
use super::peer::DevnetNode;
use super::setup::elapsed_ms;
use super::NodeError;

/// How long a payment is awaited when the caller does not say.
pub const DEFAULT_PAYMENT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default invoice expiry, seconds.
pub const DEFAULT_INVOICE_EXPIRY_SECS: u32 = 3600;
/// Smallest custom TLV type a keysend may carry (BOLT: custom records are ≥ 2^16).
pub const MIN_CUSTOM_TLV_TYPE: u64 = 65_536;

impl DevnetApi {
    /// Creates a BOLT11 invoice on node `name` (auto-claimed when paid).
    pub fn create_invoice(
        &self,
        name: &str,
        req: &InvoiceRequest,
    ) -> Result<CreatedInvoice, NodeError> {
        let node = self.node(name)?;
        let text = req
            .description
            .clone()
            .unwrap_or_else(|| "etrid devnet".to_owned());
        let description = Description::new(text).map_err(|e| NodeError::input("description", e))?;
        let description = Bolt11InvoiceDescription::Direct(description);
        let expiry = req.expiry_secs.unwrap_or(DEFAULT_INVOICE_EXPIRY_SECS);
        let bolt11 = node.node().bolt11_payment();
        let invoice = match req.amount_msat {
            Some(0) => return Err(NodeError::input("amount_msat", "must be positive")),
            Some(amount) => bolt11.receive(amount, &description, expiry),
            None => bolt11.receive_variable_amount(&description, expiry),
        }
        .map_err(|e| NodeError::ldk(name, "receive", e))?;
        Ok(CreatedInvoice {
            node: name.to_owned(),
            invoice: invoice.to_string(),
            payment_hash: invoice.payment_hash().to_string(),
            amount_msat: invoice.amount_milli_satoshis(),
            expiry_secs: expiry,
        })
    }

    /// Pays a BOLT11 invoice from node `name` and waits for the outcome. A failed payment is
    /// [`NodeError::PaymentFailed`]; a payment still pending at the timeout is
    /// [`NodeError::Timeout`].
    pub async fn pay_invoice(
        &self,
        name: &str,
        req: &PayRequest,
    ) -> Result<PaymentOutcome, NodeError> {
        let node = self.node(name)?;
        let invoice = Bolt11Invoice::from_str(req.invoice.trim())
            .map_err(|e| NodeError::input("invoice", e))?;
        let events = node.subscribe();
        let started = Instant::now();
        let bolt11 = node.node().bolt11_payment();
        let sent = match (req.amount_msat, invoice.amount_milli_satoshis()) {
            (Some(amount), None) => bolt11.send_using_amount(&invoice, amount, None),
            (None, Some(_)) => bolt11.send(&invoice, None),
            (None, None) => {
                return Err(NodeError::input("amount_msat", "required for this invoice"))
            }
            (Some(_), Some(_)) => {
                return Err(NodeError::input(
                    "amount_msat",
                    "the invoice already has an amount",
                ))
            }
        };
        let id = sent.map_err(|e| NodeError::ldk(name, "send", e))?;
        let timeout = req
            .timeout_secs
            .map_or(DEFAULT_PAYMENT_TIMEOUT, Duration::from_secs);
        wait_payment(node, events, id, started, timeout).await
    }

    /// Sends a keysend payment from node `name` to `req.to` (a devnet name or a public key)
    /// with optional custom TLVs, and waits for the outcome. Keysend is single-path in LDK.
    pub async fn keysend(
        &self,
        name: &str,
        req: &KeysendRequest,
    ) -> Result<PaymentOutcome, NodeError> {
        let node = self.node(name)?;
        let payee = match self.node(&req.to) {
            Ok(n) => n.node_id(),
            Err(_) => PublicKey::from_str(&req.to).map_err(|e| NodeError::input("to", e))?,
        };
        if req.amount_msat == 0 {
            return Err(NodeError::input("amount_msat", "must be positive"));
        }
        let tlvs = parse_tlvs(&req.custom_tlvs)?;
        let events = node.subscribe();
        let started = Instant::now();
        let spontaneous = node.node().spontaneous_payment();
        let id = if tlvs.is_empty() {
            spontaneous.send(req.amount_msat, payee, None)
        } else {
            spontaneous.send_with_custom_tlvs(req.amount_msat, payee, None, tlvs)
        }
        .map_err(|e| NodeError::ldk(name, "keysend", e))?;
        let timeout = req
            .timeout_secs
            .map_or(DEFAULT_PAYMENT_TIMEOUT, Duration::from_secs);
        wait_payment(node, events, id, started, timeout).await
    }
}

/// Checks and converts custom TLVs: type ≥ 65536 and odd (an ldk-node payee fails payments
/// carrying even unknown types), value in hex.
pub fn parse_tlvs(records: &[TlvRecord]) -> Result<Vec<CustomTlvRecord>, NodeError> {
    records
        .iter()
        .map(|r| {
            if r.type_num < MIN_CUSTOM_TLV_TYPE || r.type_num % 2 == 0 {
                return Err(NodeError::input(
                    "custom_tlvs",
                    format!(
                        "type {} must be odd and at least {MIN_CUSTOM_TLV_TYPE}",
                        r.type_num
                    ),
                ));
            }
            let value = Vec::<u8>::from_hex(&r.value_hex)
                .map_err(|e| NodeError::input("custom_tlvs", e))?;
            Ok(CustomTlvRecord {
                type_num: r.type_num,
                value,
            })
        })
        .collect()
}

/// Waits until payment `id` of `node` succeeds or fails. `events` must have been subscribed
/// before the payment was sent, so no outcome is missed.
pub async fn wait_payment(
    node: &DevnetNode,
    mut events: broadcast::Receiver<Event>,
    id: PaymentId,
    started: Instant,
    timeout: Duration,
) -> Result<PaymentOutcome, NodeError> {
    let deadline = tokio::time::Instant::from_std(started + timeout);
    let mut reason = None;
    loop {
        if let Some(outcome) = outcome_of(node, &id, started) {
            if outcome.status != PaymentState::Failed {
                return Ok(outcome);
            }
            // LDK Node marks the payment failed in its store just before it queues the
            // `PaymentFailed` event that says why: wait a moment for it, so the error names
            // the reason rather than "unknown" when another payment's event woke us first.
            if reason.is_none() {
                reason = failure_reason(&mut events, &id).await;
            }
            return Err(NodeError::PaymentFailed {
                node: node.name().to_owned(),
                payment_hash: outcome.payment_hash.unwrap_or_default(),
                reason: reason.unwrap_or_else(|| "unknown".to_owned()),
            });
        }
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Err(_) => {
                return Err(NodeError::Timeout {
                    what: format!(
                        "payment {} from {}",
                        id.0.to_lower_hex_string(),
                        node.name()
                    ),
                    waited_ms: elapsed_ms(started),
                })
            }
            Ok(Ok(Event::PaymentFailed {
                payment_id: Some(p),
                reason: r,
                ..
            })) if p == id => {
                reason = Some(r.map_or_else(|| "unknown".to_owned(), |r| format!("{r:?}")))
            }
            Ok(Ok(_)) | Ok(Err(RecvError::Lagged(_))) => {}
            Ok(Err(RecvError::Closed)) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

/// The reason in payment `id`'s `PaymentFailed` event, if it comes within a second.
async fn failure_reason(events: &mut broadcast::Receiver<Event>, id: &PaymentId) -> Option<String> {
    let grace = tokio::time::Instant::now() + FAILURE_EVENT_GRACE;
    loop {
        match tokio::time::timeout_at(grace, events.recv()).await {
            Ok(Ok(Event::PaymentFailed {
                payment_id: Some(p),
                reason,
                ..
            })) if p == *id => {
                return Some(reason.map_or_else(|| "unknown".to_owned(), |r| format!("{r:?}")))
            }
            Ok(Ok(_)) | Ok(Err(RecvError::Lagged(_))) => {}
            Err(_) | Ok(Err(RecvError::Closed)) => return None,
        }
    }
}

/// How long a failed payment's event may trail its failed status in the store.
const FAILURE_EVENT_GRACE: Duration = Duration::from_secs(1);

/// The payment's outcome if it is final, from the node's payment store.
fn outcome_of(node: &DevnetNode, id: &PaymentId, started: Instant) -> Option<PaymentOutcome> {
    let details = node.node().payment(id)?;
    let status = match details.status {
        PaymentStatus::Pending => return None,
        PaymentStatus::Succeeded => PaymentState::Succeeded,
        PaymentStatus::Failed => PaymentState::Failed,
    };
    let (hash, preimage) = match &details.kind {
        PaymentKind::Bolt11 { hash, preimage, .. }
        | PaymentKind::Spontaneous { hash, preimage } => (Some(hash.0), preimage.map(|p| p.0)),
        _ => (None, None),
    };
    Some(PaymentOutcome {
        node: node.name().to_owned(),
        payment_id: id.0.to_lower_hex_string(),
        payment_hash: hash.map(|h| h.to_lower_hex_string()),
        status,
        amount_msat: details.amount_msat,
        fee_paid_msat: details.fee_paid_msat,
        preimage: preimage.map(|p| p.to_lower_hex_string()),
        elapsed_ms: elapsed_ms(started),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tlvs_must_be_odd_custom_types_with_hex_values() {
        let ok = TlvRecord {
            type_num: 65_537,
            value_hex: "cafe".into(),
        };
        assert_eq!(parse_tlvs(&[ok]).unwrap()[0].value, vec![0xca, 0xfe]);
        let even = TlvRecord {
            type_num: 65_538,
            value_hex: String::new(),
        };
        assert!(parse_tlvs(&[even]).is_err());
        let low = TlvRecord {
            type_num: 5,
            value_hex: String::new(),
        };
        assert!(parse_tlvs(&[low]).is_err());
        let bad_hex = TlvRecord {
            type_num: 65_537,
            value_hex: "zz".into(),
        };
        assert!(parse_tlvs(&[bad_hex]).is_err());
    }
}
