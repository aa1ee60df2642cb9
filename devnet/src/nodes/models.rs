//! The serde models the library and the control API exchange (snake_case JSON).

use serde::{Deserialize, Serialize};

use super::config::Role;

/// One node as listed by `GET /v1/nodes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeSummary {
    /// Devnet name.
    pub name: String,
    /// Role in the topology.
    pub role: Role,
    /// Public key, hex.
    pub node_id: String,
    /// `node_id@127.0.0.1:port`.
    pub uri: String,
    /// Total on-chain balance, sats.
    pub onchain_sats: u64,
    /// Spendable on-chain balance (minus anchor reserves), sats.
    pub spendable_onchain_sats: u64,
    /// Sum of channel balances, sats.
    pub lightning_sats: u64,
    /// Number of channels.
    pub channels: usize,
}

/// One channel as seen from one of its ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelSummary {
    /// The node this view belongs to.
    pub node: String,
    /// The other end's public key, hex.
    pub counterparty_node_id: String,
    /// The other end's devnet name, if it is a devnet node.
    pub counterparty: Option<String>,
    /// Channel id, hex.
    pub channel_id: String,
    /// Short channel id once confirmed.
    pub short_channel_id: Option<u64>,
    /// Capacity, sats.
    pub capacity_sats: u64,
    /// What this end can send now, msat.
    pub outbound_capacity_msat: u64,
    /// What this end can receive now, msat.
    pub inbound_capacity_msat: u64,
    /// The largest HTLC this end can add next, msat (reserve and in-flight caps applied).
    pub next_outbound_htlc_limit_msat: u64,
    /// Whether this end opened the channel.
    pub is_outbound: bool,
    /// Whether both ends exchanged `channel_ready`.
    pub is_channel_ready: bool,
    /// Ready, peer connected, not closing.
    pub is_usable: bool,
    /// Whether the channel is announced to the network.
    pub is_announced: bool,
    /// Confirmations of the funding transaction.
    pub confirmations: Option<u32>,
}

/// Where a payment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentState {
    /// HTLCs still in flight.
    Pending,
    /// The preimage came back.
    Succeeded,
    /// Final failure.
    Failed,
}

/// The result of a payment the devnet made and waited for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentOutcome {
    /// The paying node.
    pub node: String,
    /// LDK's payment id, hex.
    pub payment_id: String,
    /// Payment hash, hex.
    pub payment_hash: Option<String>,
    /// Final (or, on timeout, current) state.
    pub status: PaymentState,
    /// Amount paid to the payee, msat.
    pub amount_msat: Option<u64>,
    /// Routing fees paid, msat.
    pub fee_paid_msat: Option<u64>,
    /// The preimage proving payment, hex.
    pub preimage: Option<String>,
    /// Time from sending to the final state, milliseconds.
    pub elapsed_ms: u64,
}

/// An invoice a node created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedInvoice {
    /// The node that will be paid.
    pub node: String,
    /// The BOLT11 string.
    pub invoice: String,
    /// Payment hash, hex.
    pub payment_hash: String,
    /// Amount, msat; `None` for a variable-amount invoice.
    pub amount_msat: Option<u64>,
    /// Expiry, seconds.
    pub expiry_secs: u32,
}

/// A custom onion TLV record for keysend (type ≥ 65536 and odd).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlvRecord {
    /// The TLV type.
    pub type_num: u64,
    /// The value, hex.
    pub value_hex: String,
}

/// Blocks mined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mined {
    /// The new blocks' hashes, oldest first.
    pub hashes: Vec<String>,
    /// The tip height afterwards.
    pub height: u32,
}

/// A faucet payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Funded {
    /// The faucet transaction.
    pub txid: String,
    /// Whether a block was mined to confirm it.
    pub confirmed: bool,
    /// The tip height afterwards.
    pub height: u32,
}

/// What a user needs to reach the devnet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevnetInfo {
    /// The chain's bitcoind-style JSON-RPC URL.
    pub chain_rpc_url: String,
    /// JSON-RPC user.
    pub rpc_user: String,
    /// JSON-RPC password.
    pub rpc_password: String,
    /// The chain's Esplora REST base URL.
    pub esplora_url: String,
    /// The control API base URL, if enabled.
    pub control_url: Option<String>,
    /// Chain tip height.
    pub height: u32,
    /// Where the state lives.
    pub data_dir: String,
    /// Every node.
    pub nodes: Vec<NodeSummary>,
    /// The LND nodes beside them (`etrid-devnet up --with-lnd N`), if any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lnd: Vec<LndSummary>,
}

/// One LND node of the devnet: how to reach it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LndSummary {
    /// Devnet name (`lnd1`, …).
    pub name: String,
    /// Public key, hex.
    pub node_id: String,
    /// `node_id@127.0.0.1:port`.
    pub uri: String,
    /// Its REST API (plain HTTP on loopback).
    pub rest_url: String,
    /// Its admin macaroon, hex (the `Grpc-Metadata-macaroon` header).
    pub macaroon_hex: String,
    /// Its state directory (`lnd.out`, `logs/`).
    pub dir: String,
}

/// Body of `POST /v1/nodes/{name}/pay`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayRequest {
    /// The BOLT11 invoice to pay.
    pub invoice: String,
    /// Amount, msat; required for variable-amount invoices, else must be absent.
    #[serde(default)]
    pub amount_msat: Option<u64>,
    /// How long to wait for the outcome (default 30 s).
    #[serde(default)]
    pub timeout_secs: Option<u64>,
}

/// Body of `POST /v1/nodes/{name}/keysend`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeysendRequest {
    /// The payee: a devnet node name or a public key (hex).
    pub to: String,
    /// Amount, msat.
    pub amount_msat: u64,
    /// Custom TLVs to carry in the onion.
    #[serde(default)]
    pub custom_tlvs: Vec<TlvRecord>,
    /// How long to wait for the outcome (default 30 s).
    #[serde(default)]
    pub timeout_secs: Option<u64>,
}

/// Body of `POST /v1/nodes/{name}/invoice`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InvoiceRequest {
    /// Amount, msat; absent for a variable-amount invoice.
    #[serde(default)]
    pub amount_msat: Option<u64>,
    /// Description (default "etrid devnet").
    #[serde(default)]
    pub description: Option<String>,
    /// Expiry, seconds (default 3600).
    #[serde(default)]
    pub expiry_secs: Option<u32>,
}

/// Body of `POST /v1/mine`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MineRequest {
    /// Number of blocks (1..=1000).
    pub blocks: u32,
}

/// Body of `POST /v1/fund`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundRequest {
    /// A regtest address.
    pub address: String,
    /// Amount, sats.
    pub amount_sats: u64,
    /// Mine a block afterwards (default true).
    #[serde(default)]
    pub confirm: Option<bool>,
}

/// Where the chain server is and how to log in: what an external process (an LSP server with
/// its own LDK node, a wallet) needs for `Builder::set_chain_source_bitcoind_rpc` or an
/// Esplora client. Answer of `GET /v1/chain`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainInfo {
    /// Always `regtest`.
    pub network: String,
    /// The bitcoind-style JSON-RPC URL, `http://127.0.0.1:port`.
    pub rpc_url: String,
    /// The JSON-RPC host (an IP address), as `set_chain_source_bitcoind_rpc` takes it.
    pub rpc_host: String,
    /// The JSON-RPC port.
    pub rpc_port: u16,
    /// JSON-RPC user.
    pub rpc_user: String,
    /// JSON-RPC password.
    pub rpc_password: String,
    /// The Esplora REST base URL (no trailing slash).
    pub esplora_url: String,
    /// Chain tip height.
    pub height: u32,
}

fn default_announce() -> bool {
    true
}

/// Body of `POST /v1/external-channels`: devnet nodes open channels to a Lightning node the
/// devnet did not start (an LSP server's own LDK node, say), so it joins the topology.
///
/// The external node must be reachable at `address`; for announced channels it needs an alias
/// and listening addresses (an ldk-node refuses them otherwise). To get anchor channels it
/// must hold 25,000 sats spendable on-chain per channel (fund it with `POST /v1/fund`):
/// without them an ldk-node refuses the anchor channel type and LDK's opener falls back to a
/// legacy `static_remote_key` channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenExternalRequest {
    /// The external node's public key, hex (33 bytes compressed).
    pub node_id: String,
    /// Its Lightning address, a loopback socket address (`127.0.0.1:9735`).
    pub address: String,
    /// The devnet nodes that each open (and fund) one channel to it, e.g. the routers.
    pub from: Vec<String>,
    /// Capacity of each channel, sats (20,000 up to, excluded, 2^24).
    pub capacity_sats: u64,
    /// Amount given to the external node at opening, msat (at most the capacity); default 0.
    #[serde(default)]
    pub push_msat: u64,
    /// Announce the channels to the network (default true), so every node can route to it.
    #[serde(default = "default_announce")]
    pub announce: bool,
    /// How long to wait for funding, confirmation and gossip (default 90 s, at most 3600).
    #[serde(default)]
    pub timeout_secs: Option<u64>,
}

/// One channel between a devnet node and an external node, seen from the devnet node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenedChannel {
    /// The devnet node that opened it.
    pub opener: String,
    /// The external node's public key, hex.
    pub counterparty_node_id: String,
    /// Channel id, hex.
    pub channel_id: String,
    /// Short channel id (the channel is confirmed).
    pub short_channel_id: u64,
    /// Capacity, sats.
    pub capacity_sats: u64,
    /// What the opener can send now, msat.
    pub outbound_capacity_msat: u64,
    /// What the opener can receive now, msat.
    pub inbound_capacity_msat: u64,
    /// Whether the channel is announced to the network.
    pub is_announced: bool,
    /// False when the opener already had this channel (the call is idempotent).
    pub newly_opened: bool,
}
