//! Models of the node operations: health, node info, channels and the liquidity summary.

use serde::{Deserialize, Serialize};

use super::{ChannelId, NodeId, Txid};
use crate::amount::Msat;
use crate::network::Network;

/// Whether the server is fully working.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    /// The node runs and is synced.
    Ok,
    /// The server answers but the node is starting or syncing.
    Degraded,
}

/// Answer of `GET /v1/health` (no key needed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// Ok or degraded.
    pub status: HealthStatus,
    /// Server version.
    pub version: String,
}

/// The LSP's Lightning node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeInfo {
    /// Node public key.
    pub node_id: NodeId,
    /// Bitcoin network.
    pub network: Network,
    /// Node alias.
    pub alias: Option<String>,
    /// Best block height synced.
    pub block_height: u32,
    /// Wallet and graph are synced.
    pub synced: bool,
    /// Open channels.
    pub num_channels: u32,
    /// Channels usable for payments now.
    pub num_usable_channels: u32,
    /// Connected peers.
    pub num_peers: u32,
    /// `host:port` addresses peers can connect to.
    pub listening_addresses: Vec<String>,
    /// Server version.
    pub version: String,
}

/// A channel of the node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Channel {
    /// Opaque (user) channel id.
    pub id: String,
    /// BOLT channel id.
    pub channel_id: ChannelId,
    /// Peer node.
    pub counterparty_node_id: NodeId,
    /// Capacity.
    pub capacity_msat: Msat,
    /// Spendable by the node now.
    pub outbound_capacity_msat: Msat,
    /// Receivable by the node now.
    pub inbound_capacity_msat: Msat,
    /// Ready for payments.
    pub is_usable: bool,
    /// Announced to the network.
    pub is_public: bool,
    /// The node opened it.
    pub is_outbound: bool,
    /// Funding confirmations, if known.
    pub confirmations: Option<u32>,
    /// Funding transaction id.
    pub funding_txid: Option<Txid>,
}

/// All channels of the node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelList {
    /// The channels.
    pub items: Vec<Channel>,
}

/// Node liquidity at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiquiditySummary {
    /// Outbound capacity of usable channels, summed.
    pub total_outbound_msat: Msat,
    /// Inbound capacity of usable channels, summed.
    pub total_inbound_msat: Msat,
    /// Largest single-channel outbound capacity: larger payments need multi-path.
    pub largest_outbound_msat: Msat,
    /// Largest single-channel inbound capacity.
    pub largest_inbound_msat: Msat,
    /// Usable channels.
    pub usable_channels: u32,
    /// Channels awaiting confirmation.
    pub pending_channels: u32,
    /// Confirmed on-chain funds of the node's wallet it may spend: what opens channels, funds
    /// swap lockups and backs new anchor channels (an LDK node accepts an anchor channel only
    /// while this covers one more channel's reserve; otherwise peers fall back to legacy
    /// channels, where small payments are dust).
    pub onchain_spendable_msat: Msat,
    /// On-chain funds kept back as the emergency reserve of the anchor channels already open
    /// (to pay the fees of closing them), not spendable.
    pub onchain_reserved_msat: Msat,
}
