//! What the node reports about itself: its info, its channels and a liquidity summary, as the
//! API's models.

use etrid_core::amount::Msat;
use etrid_core::lsp::{Channel, ChannelId, ChannelList, LiquiditySummary, NodeId, NodeInfo, Txid};

use super::Engine;

/// A count as the API's `u32` (saturating: no node has four billion channels).
fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn channel_model(c: &ldk_node::ChannelDetails) -> Channel {
    Channel {
        id: c.user_channel_id.0.to_string(),
        channel_id: ChannelId::from_bytes(c.channel_id.0),
        counterparty_node_id: NodeId::from(c.counterparty_node_id),
        capacity_msat: Msat::from_msat(c.channel_value_sats.saturating_mul(1000)),
        outbound_capacity_msat: Msat::from_msat(c.outbound_capacity_msat),
        inbound_capacity_msat: Msat::from_msat(c.inbound_capacity_msat),
        is_usable: c.is_usable,
        is_public: c.is_announced,
        is_outbound: c.is_outbound,
        confirmations: c.confirmations,
        funding_txid: c
            .funding_txo
            .and_then(|o| o.txid.to_string().parse::<Txid>().ok()),
    }
}

impl Engine {
    /// The node's id, network, sync state, channel and peer counts and addresses.
    pub fn node_info(&self) -> NodeInfo {
        let node = &self.node;
        let status = node.status();
        let channels = node.list_channels();
        NodeInfo {
            node_id: NodeId::from(node.node_id()),
            network: self.config.network,
            alias: node.node_alias().map(|a| a.to_string()),
            block_height: status.current_best_block.height,
            synced: status.is_running && status.latest_lightning_wallet_sync_timestamp.is_some(),
            num_channels: count(channels.len()),
            num_usable_channels: count(channels.iter().filter(|c| c.is_usable).count()),
            num_peers: count(node.list_peers().iter().filter(|p| p.is_connected).count()),
            listening_addresses: node
                .listening_addresses()
                .unwrap_or_default()
                .iter()
                .map(ToString::to_string)
                .collect(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }

    /// Every channel of the node.
    pub fn channels(&self) -> ChannelList {
        ChannelList {
            items: self
                .node
                .list_channels()
                .iter()
                .map(channel_model)
                .collect(),
        }
    }

    /// Totals and largest channels of usable liquidity, channels still pending, and the
    /// on-chain wallet's spendable and reserved funds.
    pub fn liquidity(&self) -> LiquiditySummary {
        let channels = self.node.list_channels();
        let usable: Vec<_> = channels.iter().filter(|c| c.is_usable).collect();
        let sum = |f: fn(&ldk_node::ChannelDetails) -> u64| {
            usable.iter().map(|c| f(c)).fold(0u64, u64::saturating_add)
        };
        let max = |f: fn(&ldk_node::ChannelDetails) -> u64| {
            usable.iter().map(|c| f(c)).max().unwrap_or(0)
        };
        let balances = self.node.list_balances();
        let msat = |sats: u64| Msat::from_msat(sats.saturating_mul(1000));
        LiquiditySummary {
            total_outbound_msat: Msat::from_msat(sum(|c| c.outbound_capacity_msat)),
            total_inbound_msat: Msat::from_msat(sum(|c| c.inbound_capacity_msat)),
            largest_outbound_msat: Msat::from_msat(max(|c| c.next_outbound_htlc_limit_msat)),
            largest_inbound_msat: Msat::from_msat(max(|c| c.inbound_capacity_msat)),
            usable_channels: count(usable.len()),
            pending_channels: count(channels.iter().filter(|c| !c.is_channel_ready).count()),
            onchain_spendable_msat: msat(balances.spendable_onchain_balance_sats),
            onchain_reserved_msat: msat(balances.total_anchor_channels_reserve_sats),
        }
    }
}
