//! The `Client` constructor's options object, read into the core's [`LspConfig`].

use std::time::Duration;

use etrid_core::amount::Msat;
use etrid_core::lsp::{LspConfig, PaymentPolicy, ReconnectPolicy};
use serde::Deserialize;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use crate::convert::refuse_unknown_keys;
use crate::error::{invalid_argument, lsp_error};
use crate::invoice::parse_network;
use crate::web::WebTransport;

#[wasm_bindgen(typescript_custom_section)]
const TS_CLIENT_OPTIONS: &'static str = r#"
/** Options of `new Client(...)`. */
export interface ClientOptions {
  /** The LSP's base URL, `https://lsp.example.com` (a path prefix is kept). */
  baseUrl: string;
  /**
   * The API key. In a browser use an invoice-scoped key only: anything in a web page can be
   * read by its visitors. Admin keys (payments, keys, webhooks) belong on servers (or in an
   * organizer's own console session, as the tournament console holds one). Without a key the
   * client is keyless: only the routes that need none answer (a public tournament's lobby and
   * join, health); the others reject with `lsp_unauthorized`.
   */
  apiKey?: string;
  /** The network invoices must be for (`"mainnet"` is accepted for `"bitcoin"`). */
  network: NetworkName;
  /** How long one HTTP request may take, in milliseconds (default 30000). */
  requestTimeoutMs?: number;
  /** Client-side payment limits, checked before anything is sent. */
  paymentPolicy?: PaymentPolicyOptions;
  /** How the event stream reconnects. */
  reconnect?: ReconnectOptions;
  /** The `fetch` to use (default: the global one). */
  fetch?: typeof fetch;
  /**
   * The `WebSocket` constructor to use (default: the global one; in Node 20, which has none,
   * the package uses the `ws` package's).
   */
  WebSocket?: unknown;
}

/** Limits every payment must respect (default: 1 % fee with a 10 sat floor, 16 parts). */
export interface PaymentPolicyOptions {
  /** The fee limit as parts per million of the amount (10000 = 1 %). */
  maxFeePpm?: number;
  /** The floor of the proportional fee limit, in msat (default 10000n). */
  minFeeMsat?: bigint;
  /** A fixed fee limit in msat instead of the proportional one. */
  maxFeeMsat?: bigint;
  /** The most multi-path parts (default 16). */
  maxParts?: number;
}

/** Event stream reconnection (default: 8 attempts, 500 ms doubling to 30 s). */
export interface ReconnectOptions {
  maxAttempts?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}
"#;

/// The keys of the options object, of `paymentPolicy` and of `reconnect`.
const CLIENT_OPTIONS: [&str; 8] = [
    "baseUrl",
    "apiKey",
    "network",
    "requestTimeoutMs",
    "paymentPolicy",
    "reconnect",
    "fetch",
    "WebSocket",
];
const POLICY_OPTIONS: [&str; 4] = ["maxFeePpm", "minFeeMsat", "maxFeeMsat", "maxParts"];
const RECONNECT_OPTIONS: [&str; 3] = ["maxAttempts", "initialBackoffMs", "maxBackoffMs"];

/// The options object as given.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClientOptions {
    base_url: String,
    #[serde(default)]
    api_key: String,
    network: String,
    #[serde(default)]
    request_timeout_ms: Option<u64>,
    #[serde(default)]
    payment_policy: Option<PolicyOptions>,
    #[serde(default)]
    reconnect: Option<ReconnectOptions>,
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    fetch: JsValue,
    #[serde(default, rename = "WebSocket", with = "serde_wasm_bindgen::preserve")]
    web_socket: JsValue,
}

/// `paymentPolicy`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PolicyOptions {
    #[serde(default)]
    max_fee_ppm: Option<u32>,
    #[serde(default)]
    min_fee_msat: Option<u64>,
    #[serde(default)]
    max_fee_msat: Option<u64>,
    #[serde(default)]
    max_parts: Option<u32>,
}

/// `reconnect`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReconnectOptions {
    #[serde(default)]
    max_attempts: Option<u32>,
    #[serde(default)]
    initial_backoff_ms: Option<u64>,
    #[serde(default)]
    max_backoff_ms: Option<u64>,
}

/// Reads the options into a configuration and a transport.
///
/// # Errors
/// `invalid_argument` naming the option that is missing or malformed.
pub(super) fn parse(options: JsValue) -> Result<(LspConfig, WebTransport), JsValue> {
    refuse_unknown_keys(&options, &CLIENT_OPTIONS, "client option")?;
    for (name, allowed) in [
        ("paymentPolicy", &POLICY_OPTIONS[..]),
        ("reconnect", &RECONNECT_OPTIONS[..]),
    ] {
        if let Ok(nested) = js_sys::Reflect::get(&options, &JsValue::from_str(name)) {
            refuse_unknown_keys(&nested, allowed, &format!("{name} option"))?;
        }
    }
    let options: ClientOptions = serde_wasm_bindgen::from_value(options)
        .map_err(|err| invalid_argument(&format!("client options: {err}")))?;
    let network = parse_network(&options.network)?;
    let mut config = LspConfig::new(options.base_url, options.api_key, network);
    if let Some(ms) = options.request_timeout_ms {
        if ms == 0 {
            return Err(invalid_argument(
                "client options: requestTimeoutMs must be positive",
            ));
        }
        config.request_timeout = Duration::from_millis(ms);
    }
    if let Some(policy) = options.payment_policy {
        config.payment_policy = PaymentPolicy::with_limits(
            policy.max_fee_msat.map(Msat::from_msat),
            policy.max_fee_ppm,
            policy.min_fee_msat.map(Msat::from_msat),
            policy.max_parts,
        )
        .map_err(lsp_error)?;
    }
    if let Some(reconnect) = options.reconnect {
        config.reconnect = ReconnectPolicy::with_settings(
            reconnect.max_attempts,
            reconnect.initial_backoff_ms.map(Duration::from_millis),
            reconnect.max_backoff_ms.map(Duration::from_millis),
        )
        .map_err(lsp_error)?;
    }
    let transport = WebTransport::new(Some(options.fetch), Some(options.web_socket))
        .map_err(|reason| invalid_argument(&format!("client options: {reason}")))?;
    Ok((config, transport))
}
