//! BOLT11 invoice decoding for JavaScript: `decodeInvoice` and `decodeInvoiceWith`, and the
//! TypeScript shape of the `Invoice` they return.

use etrid_core::clock::FixedClock;
use etrid_core::invoice::DecodeOptions;
use etrid_core::network::Network;
use serde::Deserialize;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use crate::clock::JsClock;
use crate::convert::{refuse_unknown_keys, to_js};
use crate::error::{invalid_argument, to_js_error};

// The TypeScript mirror of `etrid_core::invoice::Invoice` as `convert::to_js` serializes it:
// snake_case names, `u64` as bigint, `u32`/`u16` as number, `Option` as `| null`.
#[wasm_bindgen(typescript_custom_section)]
const TS_INVOICE: &'static str = r#"
/** A Bitcoin network, as the SDK names it. */
export type Network = "bitcoin" | "testnet" | "signet" | "regtest";

/** A network name accepted as input: a `Network`, or `"mainnet"` for `"bitcoin"` (any case). */
export type NetworkName = Network | "mainnet" | "testnet3";

/**
 * A decoded and validated BOLT11 invoice: signature, network and (unless allowed) expiry checked.
 * Byte strings are lower-case hex. Every 64-bit integer is a `bigint`, so no amount loses
 * precision. The description is the payee's text, untrusted: escape it before showing it.
 */
export interface Invoice {
  /** The invoice text as decoded: trimmed, `lightning:` prefix removed, lower-cased. */
  bolt11: string;
  /** The network the invoice is for. */
  network: Network;
  /** The payment hash, 32 bytes in hex. */
  payment_hash: string;
  /** The payment secret, 32 bytes in hex. */
  payment_secret: string | null;
  /** The amount requested in millisatoshis, or null for an "any amount" invoice. */
  amount_msat: bigint | null;
  /** The description, when the invoice has one rather than a description hash. */
  description: string | null;
  /** The SHA-256 of a description held elsewhere, 32 bytes in hex. */
  description_hash: string | null;
  /** The payee's node public key, 33-byte compressed, in hex. */
  payee_pubkey: string;
  /** When the invoice was created, in seconds since the Unix epoch. */
  timestamp: bigint;
  /** How long after `timestamp` the invoice stays payable, in seconds. */
  expiry_secs: bigint;
  /** `timestamp + expiry_secs`: the first second at which the invoice is expired. */
  expires_at: bigint;
  /** The minimum final CLTV expiry delta, in blocks. */
  min_final_cltv_expiry_delta: bigint;
  /** Private route hints, in invoice order. */
  route_hints: RouteHint[];
  /** The feature bits the invoice sets. */
  features: InvoiceFeatures;
  /** On-chain fallback addresses on the invoice's network, in invoice order. */
  fallback_addresses: string[];
  /** The payment metadata to echo back when paying, in hex. */
  payment_metadata: string | null;
}

/** One private route to the payee. */
export interface RouteHint {
  /** The hops, from the first (a public node) to the last (the channel into the payee). */
  hops: RouteHintHop[];
}

/** One channel of a `RouteHint`. */
export interface RouteHintHop {
  /** The node at the start of this channel, 33-byte compressed public key in hex. */
  node_id: string;
  /** The short channel id (block height << 40 | tx index << 16 | output index). */
  short_channel_id: bigint;
  /** The fixed forwarding fee, in millisatoshis. */
  fee_base_msat: number;
  /** The proportional forwarding fee, in millionths of the amount. */
  fee_proportional_millionths: number;
  /** The CLTV delta the node requires, in blocks. */
  cltv_expiry_delta: number;
}

/** The features an invoice signals; each flag is true when its even or odd bit is set. */
export interface InvoiceFeatures {
  var_onion_optin: boolean;
  payment_secret: boolean;
  /** The payee accepts multi-path payments. */
  basic_mpp: boolean;
  payment_metadata: boolean;
  trampoline: boolean;
  /** Every feature bit set, known or not, ascending. */
  bits: number[];
}

/** Options of `decodeInvoiceWith`. */
export interface DecodeOptions {
  /** The network the invoice must be for. */
  network: NetworkName;
  /** Refuse invoices without an amount (or with zero) with `invoice_amount_required`. Default false. */
  requireAmount?: boolean;
  /** Decode an expired invoice instead of throwing `invoice_expired`. Default false. */
  allowExpired?: boolean;
  /** Check expiry at this moment (Unix seconds) instead of `Date.now()`: to replay a known moment. */
  now?: bigint;
}
"#;

/// Decodes and validates a BOLT11 invoice for `network`, refusing it if it has expired by
/// `Date.now()`. Accepts all-lower or all-upper case, surrounding whitespace and a `lightning:`
/// prefix.
///
/// @throws {EtridError} `invalid_argument` for an unknown network name; otherwise an `invoice_*`
/// code: `invoice_bad_encoding` (bad checksum), `invoice_mixed_case`, `invoice_wrong_network`,
/// `invoice_bad_signature`, `invoice_too_short`, `invoice_expired`, ...
#[wasm_bindgen(js_name = decodeInvoice, unchecked_return_type = "Invoice")]
pub fn decode_invoice(
    text: &str,
    #[wasm_bindgen(unchecked_param_type = "NetworkName")] network: &str,
) -> Result<JsValue, JsValue> {
    let network = parse_network(network)?;
    let invoice =
        etrid_core::invoice::decode_invoice(text, network, &JsClock).map_err(to_js_error)?;
    to_js(&invoice)
}

/// Decodes and validates a BOLT11 invoice like `decodeInvoice`, with options: the network,
/// whether to require an amount or accept an expired invoice, and the moment to check expiry at.
///
/// @throws {EtridError} as `decodeInvoice`; `invalid_argument` also when `options` is not a
/// `DecodeOptions` object (unknown keys included); `invoice_amount_required` with
/// `requireAmount` and no amount.
#[wasm_bindgen(js_name = decodeInvoiceWith, unchecked_return_type = "Invoice")]
pub fn decode_invoice_with(
    text: &str,
    #[wasm_bindgen(unchecked_param_type = "DecodeOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    refuse_unknown_keys(&options, &OPTION_KEYS, "decode option")?;
    let options: JsDecodeOptions = serde_wasm_bindgen::from_value(options)
        .map_err(|err| invalid_argument(&format!("invalid decode options: {err}")))?;
    let now = options.now;
    let options = DecodeOptions {
        network: parse_network(&options.network)?,
        require_amount: options.require_amount,
        allow_expired: options.allow_expired,
    };
    let invoice = match now {
        Some(secs) => etrid_core::invoice::decode_invoice_with(
            text,
            &options,
            &FixedClock::from_unix_secs(secs),
        ),
        None => etrid_core::invoice::decode_invoice_with(text, &options, &JsClock),
    }
    .map_err(to_js_error)?;
    to_js(&invoice)
}

/// The keys a `DecodeOptions` object may have.
const OPTION_KEYS: [&str; 4] = ["network", "requireAmount", "allowExpired", "now"];

/// The JavaScript shape of [`DecodeOptions`]: camelCase, the flags optional.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsDecodeOptions {
    network: String,
    #[serde(default)]
    require_amount: bool,
    #[serde(default)]
    allow_expired: bool,
    #[serde(default)]
    now: Option<u64>,
}

/// Parses a network name, or throws `invalid_argument` naming the accepted ones.
pub(crate) fn parse_network(name: &str) -> Result<Network, JsValue> {
    Network::from_name(name).ok_or_else(|| {
        invalid_argument(&format!(
            "unknown network {name:?}: expected \"bitcoin\", \"testnet\", \"signet\" or \"regtest\""
        ))
    })
}
