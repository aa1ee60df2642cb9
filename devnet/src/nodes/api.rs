//! The devnet's operations shared by Rust tests and the control API: listing, mining, funding.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use bitcoin::{Address, Amount, Network};

use super::models::{
    ChannelSummary, DevnetInfo, FundRequest, Funded, LndSummary, Mined, NodeSummary,
};
use super::peer::DevnetNode;
use super::setup;
use super::NodeError;
use crate::chain::ChainServer;

/// The most blocks one `mine` call may ask for.
pub const MAX_BLOCKS_PER_CALL: u32 = 1000;

/// State every handle and the control server share.
pub(crate) struct Shared {
    pub(crate) chain: ChainServer,
    pub(crate) nodes: Vec<DevnetNode>,
    /// LND nodes beside the LDK nodes (none unless configured).
    pub(crate) lnd: Vec<super::lnd::LndNode>,
    pub(crate) data_dir: PathBuf,
    pub(crate) control_url: OnceLock<String>,
    /// Serialises [`DevnetApi::open_channels_to`] calls, so two never open the same channel.
    pub(crate) external_lock: tokio::sync::Mutex<()>,
}

/// A cheap, cloneable handle on a running devnet's operations (what the control API serves).
#[derive(Clone)]
pub struct DevnetApi {
    pub(crate) shared: Arc<Shared>,
}

impl std::fmt::Debug for DevnetApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevnetApi")
            .field("nodes", &self.shared.nodes)
            .field("data_dir", &self.shared.data_dir)
            .finish()
    }
}

impl DevnetApi {
    /// The node called `name`.
    pub fn node(&self, name: &str) -> Result<&DevnetNode, NodeError> {
        self.shared
            .nodes
            .iter()
            .find(|n| n.name() == name)
            .ok_or_else(|| NodeError::UnknownNode {
                name: name.to_owned(),
            })
    }

    /// Every node, LSP first, then routers, then payers.
    pub fn nodes(&self) -> &[DevnetNode] {
        &self.shared.nodes
    }

    /// The chain server.
    pub fn chain(&self) -> &ChainServer {
        &self.shared.chain
    }

    /// The control API's base URL (`http://127.0.0.1:port`), if it runs.
    pub fn control_url(&self) -> Option<String> {
        self.shared.control_url.get().cloned()
    }

    /// The devnet node name of a public key, if any.
    pub fn name_of(&self, id: &ldk_node::bitcoin::secp256k1::PublicKey) -> Option<&str> {
        self.shared
            .nodes
            .iter()
            .find(|n| n.node_id() == *id)
            .map(DevnetNode::name)
    }

    /// URLs, credentials, height and nodes: what a user needs.
    pub fn info(&self) -> DevnetInfo {
        let chain = &self.shared.chain;
        DevnetInfo {
            chain_rpc_url: format!("http://{}", chain.rpc_addr()),
            rpc_user: chain.rpc_user().to_owned(),
            rpc_password: chain.rpc_password().to_owned(),
            esplora_url: chain.esplora_url(),
            control_url: self.control_url(),
            height: chain.height(),
            data_dir: self.shared.data_dir.display().to_string(),
            nodes: self.list_nodes(),
            lnd: self
                .shared
                .lnd
                .iter()
                .map(|n| LndSummary {
                    name: n.name().to_owned(),
                    node_id: n.node_id().to_owned(),
                    uri: n.uri(),
                    rest_url: n.rest().base_url().to_owned(),
                    macaroon_hex: n.rest().macaroon_hex().to_owned(),
                    dir: n.dir().display().to_string(),
                })
                .collect(),
        }
    }

    /// A summary of every node with its balances.
    pub fn list_nodes(&self) -> Vec<NodeSummary> {
        self.shared
            .nodes
            .iter()
            .map(|n| {
                let balances = n.node().list_balances();
                NodeSummary {
                    name: n.name().to_owned(),
                    role: n.role(),
                    node_id: n.node_id().to_string(),
                    uri: n.uri(),
                    onchain_sats: balances.total_onchain_balance_sats,
                    spendable_onchain_sats: balances.spendable_onchain_balance_sats,
                    lightning_sats: balances.total_lightning_balance_sats,
                    channels: n.node().list_channels().len(),
                }
            })
            .collect()
    }

    /// The channels of `node`, or of every node when `None`.
    pub fn list_channels(&self, node: Option<&str>) -> Result<Vec<ChannelSummary>, NodeError> {
        let selected: Vec<&DevnetNode> = match node {
            Some(name) => vec![self.node(name)?],
            None => self.shared.nodes.iter().collect(),
        };
        let mut out = Vec::new();
        for n in selected {
            for c in n.node().list_channels() {
                out.push(ChannelSummary {
                    node: n.name().to_owned(),
                    counterparty_node_id: c.counterparty_node_id.to_string(),
                    counterparty: self.name_of(&c.counterparty_node_id).map(str::to_owned),
                    channel_id: c.channel_id.to_string(),
                    short_channel_id: c.short_channel_id,
                    capacity_sats: c.channel_value_sats,
                    outbound_capacity_msat: c.outbound_capacity_msat,
                    inbound_capacity_msat: c.inbound_capacity_msat,
                    next_outbound_htlc_limit_msat: c.next_outbound_htlc_limit_msat,
                    is_outbound: c.is_outbound,
                    is_channel_ready: c.is_channel_ready,
                    is_usable: c.is_usable,
                    is_announced: c.is_announced,
                    confirmations: c.confirmations,
                });
            }
        }
        Ok(out)
    }

    /// Mines `blocks` blocks (including the mempool) and syncs every node's wallets.
    pub async fn mine(&self, blocks: u32) -> Result<Mined, NodeError> {
        if blocks == 0 || blocks > MAX_BLOCKS_PER_CALL {
            return Err(NodeError::input(
                "blocks",
                format!("must be 1..={MAX_BLOCKS_PER_CALL}"),
            ));
        }
        let hashes = setup::mine_and_sync(&self.shared.chain, &self.shared.nodes, blocks).await?;
        Ok(Mined {
            hashes: hashes.iter().map(ToString::to_string).collect(),
            height: self.shared.chain.height(),
        })
    }

    /// Syncs every node's wallets with the chain now.
    pub async fn sync_all(&self) {
        setup::sync_all(&self.shared.nodes).await;
    }

    /// Funds an LDK node outside the devnet (an LSP under test) with `amount_sats` on chain: to
    /// a new address of its wallet, confirmed, and returns once its wallet sees them (at most
    /// 60 s). An LDK node accepts anchor channels only with 25,000 sat on chain per channel:
    /// fund it before channels are opened to it, as any LSP is.
    ///
    /// # Errors
    /// [`NodeError::Ldk`] when the node gives no address or cannot sync, [`NodeError::Timeout`]
    /// when its wallet does not see the funds in time, and what [`DevnetApi::fund`] returns.
    pub async fn fund_ldk_node(
        &self,
        node: &Arc<ldk_node::Node>,
        amount_sats: u64,
    ) -> Result<(), NodeError> {
        let name = node.node_id().to_string();
        let address = node
            .onchain_payment()
            .new_address()
            .map_err(|e| NodeError::ldk(&name, "new_address", e))?;
        let started = std::time::Instant::now();
        let before = node.list_balances().spendable_onchain_balance_sats;
        self.fund(&FundRequest {
            address: address.to_string(),
            amount_sats,
            confirm: Some(true),
        })
        .await?;
        loop {
            let syncing = Arc::clone(node);
            tokio::task::spawn_blocking(move || syncing.sync_wallets())
                .await
                .map_err(|e| NodeError::ldk(&name, "sync_wallets", e))?
                .map_err(|e| NodeError::ldk(&name, "sync_wallets", e))?;
            if node.list_balances().spendable_onchain_balance_sats >= before + amount_sats {
                return Ok(());
            }
            if started.elapsed() > std::time::Duration::from_secs(60) {
                return Err(NodeError::Timeout {
                    what: format!("{name} seeing {amount_sats} sat on chain"),
                    waited_ms: setup::elapsed_ms(started),
                });
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }

    /// Pays `amount_sats` from the chain's faucet to a regtest address, and by default mines
    /// a block to confirm it.
    pub async fn fund(&self, req: &FundRequest) -> Result<Funded, NodeError> {
        let address = Address::from_str(&req.address)
            .map_err(|e| NodeError::input("address", e))?
            .require_network(Network::Regtest)
            .map_err(|e| NodeError::input("address", e))?;
        if req.amount_sats == 0 {
            return Err(NodeError::input("amount_sats", "must be positive"));
        }
        let txid = self
            .shared
            .chain
            .fund(&address, Amount::from_sat(req.amount_sats))
            .map_err(|e| NodeError::chain("fund", e))?;
        let confirm = req.confirm.unwrap_or(true);
        if confirm {
            setup::mine_and_sync(&self.shared.chain, &self.shared.nodes, 1).await?;
        }
        Ok(Funded {
            txid: txid.to_string(),
            confirmed: confirm,
            height: self.shared.chain.height(),
        })
    }
}
