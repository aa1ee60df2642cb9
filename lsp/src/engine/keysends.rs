//! Keysends to the LSP's node (S33). The node serves many accounts, so a keysend must say whose
//! it is: TLV record 696969 ([`KEYSEND_ADDRESS_RECORD_TYPE`]) names one of this LSP's Lightning
//! Addresses (`name` or `name+tag`), and the account owning it is credited. The node hands every
//! keysend to us before claiming it (ldk-node's `manually_claim_spontaneous_payments`, an Étrid
//! patch): one naming no address, or an amount outside the address's bounds, is failed back to
//! the payer. One that names an address is recorded first, then claimed, and credited when the
//! node reports it received (`node_events`), so a claim that never completes credits nothing
//! and a replayed event credits nothing twice.

use etrid_core::lsp::limits::KEYSEND_ADDRESS_RECORD_TYPE;
use etrid_core::lsp::{CustomRecord, HexBytes, PaymentHash as WireHash};
use ldk_node::lightning::ln::channelmanager::PaymentId;
use ldk_node::lightning_types::payment::PaymentHash;
use ldk_node::payment::{PaymentDirection, PaymentKind};
use ldk_node::CustomTlvRecord;

use super::Engine;
use crate::error::ServerError;
use crate::node::blocking;
use crate::store::NewKeysend;

impl Engine {
    /// Handles a claimable payment that no invoice of this LSP matches. Returns `false` when it
    /// is not a keysend either (the caller fails it back); otherwise claims or fails it.
    ///
    /// # Errors
    /// Database failures (the node hands the event again).
    pub(super) async fn on_keysend_claimable(
        &self,
        hash: PaymentHash,
        amount_msat: u64,
        records: &[CustomTlvRecord],
    ) -> Result<bool, ServerError> {
        let hash_hex = WireHash::from_bytes(hash.0);
        let details = self.node.payment(&PaymentId(hash.0));
        let preimage = match details {
            Some(d) if d.direction == PaymentDirection::Inbound => match d.kind {
                PaymentKind::Spontaneous {
                    preimage: Some(p), ..
                } => p,
                _ => return Ok(false),
            },
            _ => return Ok(false),
        };
        if let Some(rec) = self.store.keysend_by_hash(&hash_hex).await? {
            // A replay: credited already, or recorded and its claim to be made (again).
            if !rec.received {
                self.claim_keysend(hash, amount_msat, preimage).await;
            }
            return Ok(true);
        }
        let mut custom_records: Vec<CustomRecord> = records
            .iter()
            .map(|r| CustomRecord {
                record_type: r.type_num,
                value: HexBytes::from(r.value.clone()),
            })
            .collect();
        custom_records.sort_by_key(|r| r.record_type);
        let Some(address) = keysend_address(&custom_records) else {
            tracing::info!(payment_hash = %hash_hex, amount_msat,
                "keysend naming no Lightning Address (TLV 696969); failing it back");
            self.fail_htlcs(&hash_hex).await;
            return Ok(true);
        };
        let served = match self.served_address(&address).await {
            Ok(served) => served,
            Err(refusal) => {
                tracing::info!(payment_hash = %hash_hex, reason = %refusal.0,
                    "keysend to an address not served here; failing it back");
                self.fail_htlcs(&hash_hex).await;
                return Ok(true);
            }
        };
        let bounds = served.record.min_sendable.as_u64()..=served.record.max_sendable.as_u64();
        if !bounds.contains(&amount_msat) {
            tracing::info!(payment_hash = %hash_hex, amount_msat, address = %served.requested,
                "keysend outside the address's bounds; failing it back");
            self.fail_htlcs(&hash_hex).await;
            return Ok(true);
        }
        self.store
            .record_keysend(NewKeysend {
                account_id: served.record.account_id.clone(),
                address: served.requested.clone(),
                payment_hash: hash_hex,
                amount_msat,
                custom_records,
            })
            .await?;
        self.claim_keysend(hash, amount_msat, preimage).await;
        Ok(true)
    }

    /// Asks the node to claim a recorded keysend; a refusal is logged (the record stays
    /// uncredited, and the payer's HTLCs time out back to it).
    async fn claim_keysend(
        &self,
        hash: PaymentHash,
        amount_msat: u64,
        preimage: ldk_node::lightning_types::payment::PaymentPreimage,
    ) {
        let claimed = blocking(&self.node, move |node| {
            node.bolt11_payment()
                .claim_for_hash(hash, amount_msat, preimage)
        })
        .await;
        let error = match claimed {
            Ok(Ok(())) => return,
            Ok(Err(e)) => e.to_string(),
            Err(e) => e.to_string(),
        };
        tracing::warn!(payment_hash = %WireHash::from_bytes(hash.0), %error, "claiming a keysend failed");
    }
}

/// The address a keysend's records name: record 696969 as UTF-8, if present and text.
fn keysend_address(records: &[CustomRecord]) -> Option<String> {
    let record = records
        .iter()
        .find(|r| r.record_type == KEYSEND_ADDRESS_RECORD_TYPE)?;
    let name = std::str::from_utf8(record.value.as_bytes()).ok()?;
    (!name.is_empty()).then(|| name.to_owned())
}
