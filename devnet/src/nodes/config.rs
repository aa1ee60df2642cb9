//! What a devnet looks like: node names, channel sizes, funding, and the channel plan.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::NodeError;

/// The on-chain reserve LDK Node keeps per anchor channel (`AnchorChannelsConfig` default).
pub const ANCHOR_RESERVE_SATS: u64 = 25_000;

/// What tests, examples and benchmarks fund an LDK node outside the devnet (an LSP under test)
/// with before channels are opened to it
/// ([`DevnetApi::fund_ldk_node`](super::DevnetApi::fund_ldk_node)): the anchor reserve of 20
/// channels. Without it the channels are legacy ones, where payments below ~2,500 sat are dust.
pub const EXTERNAL_NODE_FUNDING_SATS: u64 = 20 * ANCHOR_RESERVE_SATS;

/// Spare on-chain sats every node gets on top of what its channels need (fees, demos).
pub const DEFAULT_SPARE_ONCHAIN_SATS: u64 = 1_000_000;

/// The smallest channel the devnet opens, in sats (LDK's minimum is 1000; this keeps channels
/// well above dust and reserves).
pub const MIN_CHANNEL_SATS: u64 = 20_000;

/// Channels must be below this many sats (2^24, the non-wumbo limit: ldk-node does not
/// negotiate larger channels).
pub const CHANNEL_SATS_LIMIT: u64 = 1 << 24;

/// HTLCs a peer may have pending to a devnet node at once on one channel: the protocol's
/// maximum (BOLT 2), not LDK's default of 50, so the devnet carries as many payments in flight
/// as a busy real node can.
pub const MAX_ACCEPTED_HTLCS: u16 = 483;

/// The most LND nodes one devnet runs.
pub const MAX_LND_NODES: usize = 8;

/// The part a node plays in the devnet topology.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The Lightning service provider every payer reaches through the routers.
    Lsp,
    /// A wallet that pays: it has one channel to every router.
    Payer,
    /// A routing node between the payers and the LSP.
    Router,
}

/// Configuration of [`Devnet::start`](crate::nodes::Devnet::start).
///
/// The topology is fixed by the names: every payer opens a channel to every router and every
/// router opens a channel to the LSP, so with two routers each payer has two disjoint routes to
/// the LSP (multi-path payments are exercised). All channels are announced.
#[derive(Debug, Clone)]
pub struct DevnetConfig {
    /// Where the chain and the nodes keep their state. `None`: a temporary directory removed on
    /// shutdown. With a directory, a restart reuses the chain, the keys and the channels.
    pub data_dir: Option<PathBuf>,
    /// The LSP node's name.
    pub lsp: String,
    /// The payer wallets' names.
    pub payers: Vec<String>,
    /// The routing nodes' names.
    pub routers: Vec<String>,
    /// Capacity of each payer → router channel, in sats.
    pub payer_channel_sats: u64,
    /// Capacity of each router → LSP channel, in sats.
    pub router_channel_sats: u64,
    /// Percentage (0..=99) of each channel pushed to the acceptor at opening, so payments can
    /// flow both ways from the start.
    pub push_percent: u8,
    /// On-chain sats every node keeps beyond what its channels need.
    pub spare_onchain_sats: u64,
    /// Where the control API listens (must be loopback; port 0 picks a free port).
    /// `None` disables the control API.
    pub control_bind: Option<SocketAddr>,
    /// If set, the chain mines a block on this interval by itself.
    pub block_interval: Option<Duration>,
    /// How long `start` may wait for channels and gossip before failing.
    pub ready_timeout: Duration,
    /// LDK Node's log level (logs go to `<data_dir>/<node>/ldk_node.log`).
    pub ldk_log_level: ldk_node::logger::LogLevel,
    /// LND nodes to run beside the LDK nodes (`lnd1`, `lnd2`, …; state in
    /// `<data_dir>/lndN`), each funded from the faucet. 0: none, and LND is not needed.
    pub lnd_nodes: usize,
    /// The `lnd` binary; `None`: [`find_lnd_binary`](crate::nodes::find_lnd_binary)'s search.
    pub lnd_binary: Option<PathBuf>,
    /// Whether each LND node gets two channels with the devnet's LSP node, one each way (both
    /// of `payer_channel_sats`, half pushed), as `etrid-devnet up --with-lnd` does; an Étrid
    /// LSP server joining the devnet links them to its own node instead.
    pub lnd_channels_with_lsp: bool,
}

impl Default for DevnetConfig {
    fn default() -> Self {
        DevnetConfig {
            data_dir: None,
            lsp: "lsp".to_owned(),
            payers: vec!["alice".to_owned(), "bob".to_owned()],
            routers: vec!["router1".to_owned(), "router2".to_owned()],
            payer_channel_sats: 2_000_000,
            router_channel_sats: 2_000_000,
            push_percent: 50,
            spare_onchain_sats: DEFAULT_SPARE_ONCHAIN_SATS,
            control_bind: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
            block_interval: None,
            ready_timeout: Duration::from_secs(90),
            ldk_log_level: ldk_node::logger::LogLevel::Info,
            lnd_nodes: 0,
            lnd_binary: None,
            lnd_channels_with_lsp: false,
        }
    }
}

/// One channel the devnet opens: `opener` funds it and pushes `push_msat` to `acceptor`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelPlan {
    /// The node that funds the channel.
    pub opener: String,
    /// The node at the other end.
    pub acceptor: String,
    /// Capacity in sats.
    pub capacity_sats: u64,
    /// Amount given to the acceptor at opening, in msat.
    pub push_msat: u64,
}

impl DevnetConfig {
    /// Every node name with its role: the LSP first, then routers, then payers.
    pub fn members(&self) -> Vec<(String, Role)> {
        let mut out = vec![(self.lsp.clone(), Role::Lsp)];
        out.extend(self.routers.iter().map(|n| (n.clone(), Role::Router)));
        out.extend(self.payers.iter().map(|n| (n.clone(), Role::Payer)));
        out
    }

    /// The channels to open: payer → router for every pair, then router → LSP.
    pub fn channel_plan(&self) -> Vec<ChannelPlan> {
        let push = |sats: u64| {
            sats.saturating_mul(1000)
                .saturating_mul(u64::from(self.push_percent))
                / 100
        };
        let mut plan = Vec::new();
        for payer in &self.payers {
            for router in &self.routers {
                plan.push(ChannelPlan {
                    opener: payer.clone(),
                    acceptor: router.clone(),
                    capacity_sats: self.payer_channel_sats,
                    push_msat: push(self.payer_channel_sats),
                });
            }
        }
        for router in &self.routers {
            plan.push(ChannelPlan {
                opener: router.clone(),
                acceptor: self.lsp.clone(),
                capacity_sats: self.router_channel_sats,
                push_msat: push(self.router_channel_sats),
            });
        }
        plan
    }

    /// On-chain sats `name` needs: its channels, an anchor reserve per channel at either end,
    /// and the spare amount.
    pub fn funding_for(&self, name: &str) -> u64 {
        let plan = self.channel_plan();
        let opened: u64 = plan
            .iter()
            .filter(|c| c.opener == name)
            .map(|c| c.capacity_sats)
            .sum();
        let touching = plan
            .iter()
            .filter(|c| c.opener == name || c.acceptor == name)
            .count() as u64;
        opened
            .saturating_add(touching.saturating_mul(ANCHOR_RESERVE_SATS))
            .saturating_add(self.spare_onchain_sats)
    }

    /// Checks names (unique, non-empty, ≤ 32 bytes, `[A-Za-z0-9_-]`), sizes and the control
    /// address.
    pub fn validate(&self) -> Result<(), NodeError> {
        let bad = |reason: String| Err(NodeError::InvalidConfig { reason });
        let mut seen = HashSet::new();
        for (name, _) in self.members() {
            if !is_valid_node_name(&name) {
                return bad(format!(
                    "node name {name:?} must be 1-32 characters of [A-Za-z0-9_-]"
                ));
            }
            if !seen.insert(name.clone()) {
                return bad(format!("node name {name:?} is used twice"));
            }
        }
        if self.routers.is_empty() && !self.payers.is_empty() {
            return bad("payers need at least one router".to_owned());
        }
        let sizes = [self.payer_channel_sats, self.router_channel_sats];
        if sizes.iter().any(|s| *s < MIN_CHANNEL_SATS) {
            return bad(format!("channels must be at least {MIN_CHANNEL_SATS} sats"));
        }
        if sizes.iter().any(|s| *s >= CHANNEL_SATS_LIMIT) {
            return bad(format!("channels must be below {CHANNEL_SATS_LIMIT} sats"));
        }
        if self.lnd_nodes > MAX_LND_NODES {
            return bad(format!("at most {MAX_LND_NODES} LND nodes"));
        }
        for name in super::lnd::lnd_names(self.lnd_nodes) {
            if seen.contains(&name) {
                return bad(format!(
                    "node name {name:?} is taken by an LND node of the devnet"
                ));
            }
        }
        if self.push_percent > 99 {
            return bad("push_percent must be at most 99".to_owned());
        }
        if let Some(addr) = self.control_bind {
            if !addr.ip().is_loopback() {
                return bad(format!("control_bind {addr} is not a loopback address"));
            }
        }
        Ok(())
    }
}

/// Whether `name` is a valid devnet node name: 1-32 characters of `[A-Za-z0-9_-]`.
pub(crate) fn is_valid_node_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 32
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_plan_has_two_disjoint_routes_per_payer() {
        let cfg = DevnetConfig::default();
        let plan = cfg.channel_plan();
        assert_eq!(plan.len(), 6);
        for payer in &cfg.payers {
            let routers: Vec<_> = plan
                .iter()
                .filter(|c| &c.opener == payer)
                .map(|c| c.acceptor.clone())
                .collect();
            assert_eq!(routers, cfg.routers);
        }
        for router in &cfg.routers {
            assert!(plan
                .iter()
                .any(|c| &c.opener == router && c.acceptor == cfg.lsp));
        }
        assert_eq!(plan[0].push_msat, 1_000_000_000);
    }

    #[test]
    fn funding_covers_channels_and_reserves() {
        let cfg = DevnetConfig::default();
        assert_eq!(
            cfg.funding_for("alice"),
            2 * 2_000_000 + 2 * ANCHOR_RESERVE_SATS + DEFAULT_SPARE_ONCHAIN_SATS
        );
        assert_eq!(
            cfg.funding_for("lsp"),
            2 * ANCHOR_RESERVE_SATS + DEFAULT_SPARE_ONCHAIN_SATS
        );
    }

    #[test]
    fn validation_rejects_bad_configs() {
        assert!(DevnetConfig::default().validate().is_ok());
        let dup = DevnetConfig {
            payers: vec!["lsp".into()],
            ..Default::default()
        };
        assert!(dup.validate().is_err());
        let long = DevnetConfig {
            lsp: "x".repeat(33),
            ..Default::default()
        };
        assert!(long.validate().is_err());
        let slash = DevnetConfig {
            lsp: "a/b".into(),
            ..Default::default()
        };
        assert!(slash.validate().is_err());
        let public = DevnetConfig {
            control_bind: Some(SocketAddr::from(([0, 0, 0, 0], 0))),
            ..Default::default()
        };
        assert!(public.validate().is_err());
        let push = DevnetConfig {
            push_percent: 100,
            ..Default::default()
        };
        assert!(push.validate().is_err());
    }
}
