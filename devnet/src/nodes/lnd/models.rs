//! What LND's REST API answers and is asked, as the devnet uses it: proto3 JSON (64-bit
//! integers as strings, bytes as base64, the proto's snake_case names).

use std::collections::BTreeMap;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use bitcoin::hex::DisplayHex;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::super::NodeError;
use super::rest::KEYSEND_PREIMAGE_TLV;

/// What `GET /v1/getinfo` says that the devnet uses.
#[derive(Debug, Clone, Deserialize)]
pub struct LndInfo {
    /// The node's public key, hex.
    pub identity_pubkey: String,
    /// Whether LND's wallet and graph caught up with the chain.
    pub synced_to_chain: bool,
    /// The height LND has seen.
    pub block_height: u32,
    /// Channels active now.
    #[serde(default)]
    pub num_active_channels: u32,
}

/// One of LND's channels (`GET /v1/channels`).
#[derive(Debug, Clone, Deserialize)]
pub struct LndChannel {
    /// Whether the channel can carry payments now.
    #[serde(default)]
    pub active: bool,
    /// The peer's public key, hex.
    pub remote_pubkey: String,
    /// `txid:vout` of the funding output.
    pub channel_point: String,
    /// The short channel id as a decimal string (LND's `chan_id`).
    #[serde(deserialize_with = "u64_from_string")]
    pub chan_id: u64,
    /// Capacity, sats.
    #[serde(deserialize_with = "u64_from_string")]
    pub capacity: u64,
    /// LND's side, sats.
    #[serde(deserialize_with = "u64_from_string")]
    pub local_balance: u64,
    /// The peer's side, sats.
    #[serde(deserialize_with = "u64_from_string")]
    pub remote_balance: u64,
    /// Whether LND opened it.
    #[serde(default)]
    pub initiator: bool,
}

/// An invoice LND created (`POST /v1/invoices`).
#[derive(Debug, Clone)]
pub struct LndCreatedInvoice {
    /// The BOLT11 string.
    pub payment_request: String,
    /// The payment hash, hex.
    pub payment_hash: String,
}

/// An invoice as LND reports it (`GET /v1/invoice/{hash}`).
#[derive(Debug, Clone, Deserialize)]
pub struct LndInvoice {
    /// `OPEN`, `SETTLED`, `CANCELED` or `ACCEPTED`.
    pub state: String,
    /// What was received, msat.
    #[serde(default, deserialize_with = "u64_from_string")]
    pub amt_paid_msat: u64,
    /// Whether it was created for a keysend payment LND received.
    #[serde(default)]
    pub is_keysend: bool,
    /// The HTLCs that paid it, with their custom records.
    #[serde(default)]
    pub htlcs: Vec<LndInvoiceHtlc>,
}

/// One HTLC of a received payment.
#[derive(Debug, Clone, Deserialize)]
pub struct LndInvoiceHtlc {
    /// The amount it carried, msat.
    #[serde(default, deserialize_with = "u64_from_string")]
    pub amt_msat: u64,
    /// Custom TLV records: type (decimal string) → value (base64).
    #[serde(default)]
    pub custom_records: BTreeMap<String, String>,
}

impl LndInvoice {
    /// The custom records of the first HTLC, type → value bytes (keysend's preimage record
    /// left out).
    pub fn custom_records(&self) -> Result<BTreeMap<u64, Vec<u8>>, NodeError> {
        let mut out = BTreeMap::new();
        if let Some(htlc) = self.htlcs.first() {
            for (kind, value) in &htlc.custom_records {
                let kind: u64 = kind
                    .parse()
                    .map_err(|e| NodeError::input("custom record type", e))?;
                if kind == KEYSEND_PREIMAGE_TLV {
                    continue;
                }
                let value = B64
                    .decode(value)
                    .map_err(|e| NodeError::input("custom record value", e))?;
                out.insert(kind, value);
            }
        }
        Ok(out)
    }
}

/// What LND decodes from a BOLT11 string (`GET /v1/payreq/{pay_req}`).
#[derive(Debug, Clone, Deserialize)]
pub struct LndPayReq {
    /// The payee, hex.
    pub destination: String,
    /// The payment hash, hex.
    pub payment_hash: String,
    /// The amount, msat (0 when the invoice has none).
    #[serde(default, deserialize_with = "u64_from_string")]
    pub num_msat: u64,
    /// Creation time, Unix seconds.
    #[serde(deserialize_with = "u64_from_string")]
    pub timestamp: u64,
    /// Seconds after `timestamp` until it expires.
    #[serde(deserialize_with = "u64_from_string")]
    pub expiry: u64,
    /// The description (empty when it has a description hash).
    #[serde(default)]
    pub description: String,
    /// The description hash, hex (empty when none).
    #[serde(default)]
    pub description_hash: String,
    /// The final hop's CLTV delta.
    #[serde(deserialize_with = "u64_from_string")]
    pub cltv_expiry: u64,
    /// The payment secret, base64.
    #[serde(default)]
    pub payment_addr: String,
    /// Route hints.
    #[serde(default)]
    pub route_hints: Vec<Value>,
    /// Feature bits: bit number → `{name, is_required, is_known}`.
    #[serde(default)]
    pub features: BTreeMap<String, Value>,
}

impl LndPayReq {
    /// The payment secret as hex.
    pub fn payment_secret_hex(&self) -> Result<String, NodeError> {
        Ok(B64
            .decode(&self.payment_addr)
            .map_err(|e| NodeError::input("payment_addr", e))?
            .to_lower_hex_string())
    }
}

/// A payment's final state as LND's router reports it.
#[derive(Debug, Clone, Deserialize)]
pub struct LndPayment {
    /// `SUCCEEDED` or `FAILED` (`IN_FLIGHT` never: the client waits for the end).
    pub status: String,
    /// The preimage, hex (zeros unless it succeeded).
    #[serde(default)]
    pub payment_preimage: String,
    /// The payment hash, hex.
    #[serde(default)]
    pub payment_hash: String,
    /// Routing fees paid, msat.
    #[serde(default, deserialize_with = "u64_from_string")]
    pub fee_msat: u64,
    /// Why it failed, as LND names it (`FAILURE_REASON_NONE` when it did not).
    #[serde(default)]
    pub failure_reason: String,
    /// Every attempt, with its state (`SUCCEEDED`, `FAILED`).
    #[serde(default)]
    pub htlcs: Vec<LndAttempt>,
}

/// One attempt (one part) of a payment.
#[derive(Debug, Clone, Deserialize)]
pub struct LndAttempt {
    /// `IN_FLIGHT`, `SUCCEEDED` or `FAILED`.
    pub status: String,
}

impl LndPayment {
    /// How many parts settled (more than one: the payment went multi-path).
    pub fn settled_parts(&self) -> usize {
        self.htlcs
            .iter()
            .filter(|h| h.status == "SUCCEEDED")
            .count()
    }
}

/// What to pay through LND's router (`POST /v2/router/send`).
#[derive(Debug, Clone, Default)]
pub struct LndSend {
    /// A BOLT11 invoice, or `None` for keysend.
    pub payment_request: Option<String>,
    /// Keysend only: the payee's public key, hex.
    pub dest: Option<String>,
    /// The amount, msat (keysend; or an invoice without an amount).
    pub amt_msat: Option<u64>,
    /// Custom TLV records sent with the payment (keysend: the preimage record is added).
    pub custom_records: BTreeMap<u64, Vec<u8>>,
    /// How many parts LND may split it into (1: a single path).
    pub max_parts: u32,
    /// The most LND may pay in routing fees, msat.
    pub fee_limit_msat: u64,
    /// How long LND keeps trying.
    pub timeout: Duration,
}

/// LND's 64-bit integers: proto3 JSON writes them as strings.
pub(super) fn u64_from_string<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Wire {
        Text(String),
        Number(u64),
    }
    match Wire::deserialize(d)? {
        Wire::Number(n) => Ok(n),
        Wire::Text(s) => s.parse().map_err(serde::de::Error::custom),
    }
}
