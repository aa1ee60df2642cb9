//! The decoded invoice model handed to applications and bindings: plain data (hex strings,
//! integers, `Msat`) with snake_case serde names, built from a validated `lightning-invoice` value.

use bitcoin::hashes::Hash as _;
use bitcoin::hex::DisplayHex;
use lightning_invoice::{Bolt11Invoice, Bolt11InvoiceDescriptionRef};
use serde::{Deserialize, Serialize};

use super::InvoiceError;
use crate::amount::Msat;
use crate::clock::Clock;
use crate::network::Network;

/// A decoded and validated BOLT11 invoice.
///
/// Produced by [`decode_invoice`](super::decode_invoice): the signature, network and (unless
/// allowed) expiry have been checked. Byte strings are lower-case hex. The description is the
/// payee's text, untrusted: escape it before showing it in HTML or a game UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    /// The invoice text as decoded: trimmed, `lightning:` prefix removed, lower-cased.
    pub bolt11: String,
    /// The network the invoice is for.
    pub network: Network,
    /// The payment hash (`p`), 32 bytes in hex.
    pub payment_hash: String,
    /// The payment secret (`s`), 32 bytes in hex. Always present in invoices this SDK accepts;
    /// optional in the model for forward compatibility.
    pub payment_secret: Option<String>,
    /// The amount requested, or `None` for an "any amount" invoice.
    pub amount_msat: Option<Msat>,
    /// The description (`d`), if the invoice has one rather than a description hash.
    pub description: Option<String>,
    /// The SHA-256 of a description held elsewhere (`h`), 32 bytes in hex.
    pub description_hash: Option<String>,
    /// The payee's node public key, 33-byte compressed, in hex: the `n` field if present, else
    /// recovered from the signature.
    pub payee_pubkey: String,
    /// When the invoice was created, in seconds since the Unix epoch.
    pub timestamp: u64,
    /// How long after `timestamp` the invoice stays payable, in seconds (default 3600).
    pub expiry_secs: u64,
    /// `timestamp + expiry_secs` (saturating): the first second at which the invoice is expired.
    pub expires_at: u64,
    /// The `min_final_cltv_expiry_delta` (`c`) in blocks (default 18).
    pub min_final_cltv_expiry_delta: u64,
    /// Private route hints (`r`), in invoice order.
    pub route_hints: Vec<RouteHint>,
    /// The feature bits the invoice sets (`9`).
    pub features: InvoiceFeatures,
    /// On-chain fallback addresses (`f`) on the invoice's network, in invoice order; fallbacks of
    /// unknown witness versions or lengths are skipped.
    pub fallback_addresses: Vec<String>,
    /// The payment metadata (`m`) to echo back when paying, in hex.
    pub payment_metadata: Option<String>,
}

/// One private route to the payee: hops to take, in order, after reaching the first hop's node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteHint {
    /// The hops, from the first (a public node) to the last (the channel into the payee).
    pub hops: Vec<RouteHintHop>,
}

/// One channel of a [`RouteHint`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteHintHop {
    /// The public key of the node at the start of this channel, 33-byte compressed, in hex.
    pub node_id: String,
    /// The channel's short channel id (block height << 40 | tx index << 16 | output index).
    pub short_channel_id: u64,
    /// The fixed fee the node charges to forward, in millisatoshis.
    pub fee_base_msat: u32,
    /// The proportional fee, in millionths of the forwarded amount.
    pub fee_proportional_millionths: u32,
    /// The CLTV delta the node requires, in blocks.
    pub cltv_expiry_delta: u16,
}

/// The features an invoice signals, decoded for the ones a payer acts on.
///
/// Each flag is true when either the required (even) or the optional (odd) bit is set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceFeatures {
    /// `var_onion_optin` (bits 8/9).
    pub var_onion_optin: bool,
    /// `payment_secret` (bits 14/15).
    pub payment_secret: bool,
    /// `basic_mpp` (bits 16/17): the payee accepts multi-path payments.
    pub basic_mpp: bool,
    /// `option_payment_metadata` (bits 48/49).
    pub payment_metadata: bool,
    /// `option_trampoline` (bits 56/57).
    pub trampoline: bool,
    /// Every feature bit set, known or not, ascending (bit 0 is the least significant).
    pub bits: Vec<u16>,
}

impl Invoice {
    /// Whether the invoice has expired at the clock's current time (now >= `expires_at`).
    pub fn is_expired(&self, clock: &dyn Clock) -> bool {
        clock.now_unix_secs() >= self.expires_at
    }

    /// The amount to pay, or [`InvoiceError::AmountRequired`] for an "any amount" invoice (no
    /// amount, or zero).
    pub fn require_amount(&self) -> Result<Msat, InvoiceError> {
        match self.amount_msat {
            Some(amount) if amount.as_u64() > 0 => Ok(amount),
            _ => Err(InvoiceError::AmountRequired),
        }
    }

    /// Builds the model from a validated invoice; `bolt11` is the normalised text it came from.
    pub(super) fn from_validated(
        invoice: &Bolt11Invoice,
        network: Network,
        bolt11: String,
    ) -> Invoice {
        let (description, description_hash) = match invoice.description() {
            Bolt11InvoiceDescriptionRef::Direct(text) => (Some(text.as_inner().0.clone()), None),
            Bolt11InvoiceDescriptionRef::Hash(hash) => {
                (None, Some(hash.0.as_byte_array().to_lower_hex_string()))
            }
        };
        let timestamp = invoice.duration_since_epoch().as_secs();
        let expiry_secs = invoice.expiry_time().as_secs();
        let route_hints = invoice
            .route_hints()
            .into_iter()
            .map(|hint| RouteHint {
                hops: hint
                    .0
                    .iter()
                    .map(|hop| RouteHintHop {
                        node_id: hop.src_node_id.serialize().to_lower_hex_string(),
                        short_channel_id: hop.short_channel_id,
                        fee_base_msat: hop.fees.base_msat,
                        fee_proportional_millionths: hop.fees.proportional_millionths,
                        cltv_expiry_delta: hop.cltv_expiry_delta,
                    })
                    .collect(),
            })
            .collect();
        Invoice {
            bolt11,
            network,
            payment_hash: invoice.payment_hash().as_byte_array().to_lower_hex_string(),
            payment_secret: Some(invoice.payment_secret().0.to_lower_hex_string()),
            amount_msat: invoice.amount_milli_satoshis().map(Msat::from_msat),
            description,
            description_hash,
            payee_pubkey: invoice
                .get_payee_pub_key()
                .serialize()
                .to_lower_hex_string(),
            timestamp,
            expiry_secs,
            expires_at: timestamp.saturating_add(expiry_secs),
            min_final_cltv_expiry_delta: invoice.min_final_cltv_expiry_delta(),
            route_hints,
            features: invoice
                .features()
                .map(|features| InvoiceFeatures::from_le_flags(features.le_flags()))
                .unwrap_or_default(),
            fallback_addresses: invoice
                .fallback_addresses()
                .iter()
                .map(ToString::to_string)
                .collect(),
            payment_metadata: invoice
                .payment_metadata()
                .map(|bytes| bytes.to_lower_hex_string()),
        }
    }
}

impl InvoiceFeatures {
    /// Decodes the flags a payer acts on from a little-endian feature vector and lists every
    /// set bit.
    pub(super) fn from_le_flags(le_flags: &[u8]) -> InvoiceFeatures {
        let bits = set_bits(le_flags);
        let has = |even: u16| bits.contains(&even) || bits.contains(&(even + 1));
        InvoiceFeatures {
            var_onion_optin: has(8),
            payment_secret: has(14),
            basic_mpp: has(16),
            payment_metadata: has(48),
            trampoline: has(56),
            bits,
        }
    }
}

/// The feature bits `lightning-invoice` (and so this SDK) understands in an invoice, as even
/// (required) bit numbers: var_onion_optin, payment_secret, basic_mpp, payment_metadata and
/// trampoline.
const KNOWN_EVEN_BITS: [u16; 5] = [8, 14, 16, 48, 56];

/// The even (required) bits set in a little-endian feature vector that are not known, ascending.
pub(super) fn unknown_required_bits(le_flags: &[u8]) -> Vec<u16> {
    set_bits(le_flags)
        .into_iter()
        .filter(|bit| bit % 2 == 0 && !KNOWN_EVEN_BITS.contains(bit))
        .collect()
}

/// The numbers of the bits set in a little-endian feature vector, ascending.
fn set_bits(le_flags: &[u8]) -> Vec<u16> {
    let mut bits = Vec::new();
    for (index, byte) in le_flags.iter().enumerate() {
        for bit in 0..8u16 {
            if byte & (1 << bit) != 0 {
                // A BOLT11 feature field holds at most 1023 * 5 bits, so this never saturates.
                let byte_index = u16::try_from(index).unwrap_or(u16::MAX / 8);
                bits.push(byte_index.saturating_mul(8).saturating_add(bit));
            }
        }
    }
    bits
}
