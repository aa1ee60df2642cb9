//! LND beside the devnet's LDK nodes (issue 16): LND processes on the devnet chain, their
//! wallets funded from the faucet, and channels between them and a Lightning node (the
//! devnet's LSP node, or an Étrid LSP server's own node), so interop and side-by-side figures
//! run on one machine. LND is built by `devnet/lnd/build-lnd.sh`; nothing of it is kept here.

mod models;
mod process;
mod rest;

use std::path::Path;
use std::time::{Duration, Instant};

use bitcoin::{Address, Amount, Network};
use ldk_node::bitcoin::secp256k1::PublicKey;

pub use models::{
    LndAttempt, LndChannel, LndCreatedInvoice, LndInfo, LndInvoice, LndInvoiceHtlc, LndPayReq,
    LndPayment, LndSend,
};
pub use process::{find_lnd_binary, LndNode, LND_VERSION};
pub use rest::{LndRest, KEYSEND_PREIMAGE_TLV};

use super::api::DevnetApi;
use super::config::{DevnetConfig, ANCHOR_RESERVE_SATS};
use super::models::ChainInfo;
use super::peer::{blocking, to_socket_address};
use super::setup::{self, CONFIRMATIONS, FEE_MARGIN_SATS};
use super::NodeError;

/// How often LND's state is polled while waiting for funds or channels.
const LND_POLL: Duration = Duration::from_millis(100);

/// While waiting for channels to become active, one more block is mined this often (LND
/// re-checks a channel's confirmations on each block).
const LND_NUDGE_EVERY: Duration = Duration::from_secs(2);

impl DevnetApi {
    /// The LND node called `name`.
    ///
    /// # Errors
    /// [`NodeError::UnknownNode`] when the devnet has no LND node of that name.
    pub fn lnd(&self, name: &str) -> Result<&LndNode, NodeError> {
        self.shared
            .lnd
            .iter()
            .find(|n| n.name() == name)
            .ok_or_else(|| NodeError::UnknownNode {
                name: name.to_owned(),
            })
    }

    /// Every LND node, in start order (`lnd1`, `lnd2`, …).
    pub fn lnd_nodes(&self) -> &[LndNode] {
        &self.shared.lnd
    }

    /// Pays `sats` from the faucet to a fresh P2WPKH address of LND node `name`, mines a block
    /// and waits until LND counts it confirmed.
    ///
    /// # Errors
    /// [`NodeError::UnknownNode`], [`NodeError::Lnd`], [`NodeError::Chain`],
    /// [`NodeError::Timeout`] after `timeout`.
    pub async fn fund_lnd(
        &self,
        name: &str,
        sats: u64,
        timeout: Duration,
    ) -> Result<(), NodeError> {
        let lnd = self.lnd(name)?;
        let before = lnd.rest().confirmed_balance().await?;
        let address = regtest_address(&lnd.rest().new_address().await?)?;
        self.shared
            .chain
            .fund(&address, Amount::from_sat(sats))
            .map_err(|e| NodeError::chain("fund", e))?;
        setup::mine_and_sync(&self.shared.chain, &self.shared.nodes, 1).await?;
        let deadline = Instant::now() + timeout;
        let started = Instant::now();
        while lnd.rest().confirmed_balance().await? < before.saturating_add(sats) {
            if Instant::now() > deadline {
                return Err(NodeError::Timeout {
                    what: format!("{name}'s wallet to see its funding"),
                    waited_ms: setup::elapsed_ms(started),
                });
            }
            tokio::time::sleep(LND_POLL).await;
        }
        Ok(())
    }

    /// Has LND node `name` (once synced to the tip) connect to `peer_id` at `peer_addr` and
    /// open an announced channel
    /// of `capacity_sats` to it, pushing `push_sats`; returns the funding txid once the
    /// funding transaction is in the chain server's mempool (confirm it with
    /// [`DevnetApi::confirm_lnd_channels`]). `anchors`: see [`LndRest::open_channel`].
    ///
    /// # Errors
    /// [`NodeError::UnknownNode`], [`NodeError::Lnd`] (connect, open refused),
    /// [`NodeError::Timeout`] when the funding transaction never reaches the mempool.
    pub async fn open_lnd_channel(
        &self,
        name: &str,
        peer_id: &str,
        peer_addr: &str,
        capacity_sats: u64,
        push_sats: u64,
        anchors: bool,
    ) -> Result<bitcoin::Txid, NodeError> {
        let lnd = self.lnd(name)?;
        self.wait_lnd_synced(lnd).await?;
        lnd.rest().connect(peer_id, peer_addr).await?;
        let txid: bitcoin::Txid = lnd
            .rest()
            .open_channel(peer_id, capacity_sats, push_sats, anchors)
            .await?
            .parse()
            .map_err(|e| NodeError::input("funding txid", e))?;
        let started = Instant::now();
        while self.shared.chain.transaction(&txid).is_none() {
            if started.elapsed() > Duration::from_secs(30) {
                return Err(NodeError::Timeout {
                    what: format!("{name}'s funding transaction {txid} in the mempool"),
                    waited_ms: setup::elapsed_ms(started),
                });
            }
            tokio::time::sleep(LND_POLL).await;
        }
        Ok(txid)
    }

    /// Waits until `lnd` has seen the chain's tip and says it is synced (LND refuses to open
    /// channels before).
    pub(crate) async fn wait_lnd_synced(&self, lnd: &LndNode) -> Result<(), NodeError> {
        let started = Instant::now();
        loop {
            let info = lnd.rest().get_info().await?;
            if info.synced_to_chain && info.block_height >= self.shared.chain.height() {
                return Ok(());
            }
            if started.elapsed() > Duration::from_secs(30) {
                return Err(NodeError::Timeout {
                    what: format!("{} to sync to the chain's tip", lnd.name()),
                    waited_ms: setup::elapsed_ms(started),
                });
            }
            tokio::time::sleep(LND_POLL).await;
        }
    }

    /// Mines the confirmations a channel needs, then waits until LND node `name` has at least
    /// `count` active channels with `peer_id` and its router finds a route to it (mining a
    /// block every 2 s meanwhile); returns them.
    ///
    /// # Errors
    /// [`NodeError::UnknownNode`], [`NodeError::Lnd`], [`NodeError::Chain`],
    /// [`NodeError::Timeout`] after `timeout`.
    pub async fn confirm_lnd_channels(
        &self,
        name: &str,
        peer_id: &str,
        count: usize,
        timeout: Duration,
    ) -> Result<Vec<LndChannel>, NodeError> {
        let lnd = self.lnd(name)?;
        setup::mine_and_sync(&self.shared.chain, &self.shared.nodes, CONFIRMATIONS).await?;
        let started = Instant::now();
        let mut nudged = Instant::now();
        loop {
            let active: Vec<LndChannel> = lnd
                .rest()
                .list_channels()
                .await?
                .into_iter()
                .filter(|c| c.active && c.remote_pubkey == peer_id)
                .collect();
            if active.len() >= count && lnd.rest().has_route_to(peer_id, 1).await? {
                return Ok(active);
            }
            if started.elapsed() > timeout {
                return Err(NodeError::Timeout {
                    what: format!("{count} active channels between {name} and {peer_id}"),
                    waited_ms: setup::elapsed_ms(started),
                });
            }
            if nudged.elapsed() > LND_NUDGE_EVERY {
                setup::mine_and_sync(&self.shared.chain, &self.shared.nodes, 1).await?;
                nudged = Instant::now();
            }
            tokio::time::sleep(LND_POLL).await;
        }
    }
}

/// A regtest address LND gave.
fn regtest_address(text: &str) -> Result<Address, NodeError> {
    use std::str::FromStr;
    Address::from_str(text)
        .map_err(|e| NodeError::input("address", e))?
        .require_network(Network::Regtest)
        .map_err(|e| NodeError::input("address", e))
}

/// Starts the configured LND nodes (`lnd1`, …) one after another, each in `data_dir/<name>`.
/// On failure the nodes already started are killed (dropped).
pub(crate) async fn start_all(
    config: &DevnetConfig,
    data_dir: &Path,
    chain: &ChainInfo,
) -> Result<Vec<LndNode>, NodeError> {
    if config.lnd_nodes == 0 {
        return Ok(Vec::new());
    }
    let binary = find_lnd_binary(config.lnd_binary.as_deref())?;
    let mut started = Vec::with_capacity(config.lnd_nodes);
    for name in lnd_names(config.lnd_nodes) {
        started.push(LndNode::start(&name, &binary, &data_dir.join(&name), chain).await?);
    }
    Ok(started)
}

/// The names of `count` LND nodes: `lnd1`, `lnd2`, …
pub(crate) fn lnd_names(count: usize) -> Vec<String> {
    (1..=count).map(|i| format!("lnd{i}")).collect()
}

/// Funds every LND node (enough for one channel of `payer_channel_sats` plus the spare
/// on-chain sats) and, when configured, gives each two anchor channels with the devnet's LSP
/// node: one LND opens, one the LSP opens, both of `payer_channel_sats` with `push_percent`
/// pushed (the LSP keeps the on-chain reserve both need).
/// A restart with the same data directory opens nothing twice.
pub(crate) async fn link_all(
    api: &DevnetApi,
    config: &DevnetConfig,
    deadline: Instant,
) -> Result<(), NodeError> {
    let capacity = config.payer_channel_sats;
    let push_sats = capacity * u64::from(config.push_percent) / 100;
    let remaining = || deadline.saturating_duration_since(Instant::now());
    for lnd in api.lnd_nodes() {
        let want = capacity
            .saturating_add(config.spare_onchain_sats)
            .saturating_add(FEE_MARGIN_SATS);
        let have = lnd.rest().confirmed_balance().await?;
        if have < want {
            api.fund_lnd(lnd.name(), want - have, remaining()).await?;
        }
    }
    if !config.lnd_channels_with_lsp {
        return Ok(());
    }
    let lsp = api.node(&config.lsp)?;
    let lsp_id = lsp.node_id().to_string();
    let mut new = Vec::new();
    for lnd in api.lnd_nodes() {
        let existing = lnd
            .rest()
            .list_channels()
            .await?
            .into_iter()
            .filter(|c| c.remote_pubkey == lsp_id)
            .count();
        if existing == 0 {
            new.push(lnd);
        }
    }
    if new.is_empty() {
        return Ok(());
    }
    let lsp_needs = (new.len() as u64)
        .saturating_mul(capacity.saturating_add(2 * ANCHOR_RESERVE_SATS))
        .saturating_add(FEE_MARGIN_SATS);
    setup::top_up(
        &api.shared.chain,
        &api.shared.nodes,
        &[(lsp, lsp_needs)],
        deadline,
    )
    .await?;
    // One at a time per LND node: the LSP opens first and its funding is mined before LND
    // opens its own (LND refuses an inbound opening while its own to the same peer is being
    // negotiated: "funding failed due to internal error").
    for lnd in &new {
        let id: PublicKey = lnd
            .node_id()
            .parse()
            .map_err(|e| NodeError::input("LND node id", e))?;
        let addr = to_socket_address(lnd.p2p_addr());
        let push_msat = push_sats * 1000;
        // LND refuses an inbound opening until it has caught up with the tip.
        api.wait_lnd_synced(lnd).await?;
        blocking(lsp.node(), move |n| {
            n.open_announced_channel(id, addr, capacity, Some(push_msat), None)
        })
        .await?
        .map_err(|e| NodeError::ldk(lsp.name(), "open_channel", e))?;
        let chain = &api.shared.chain;
        setup::wait_until_ok(
            deadline,
            "the LSP's funding transaction to LND to be broadcast",
            &api.shared.nodes,
            |_| {
                Ok(lsp
                    .node()
                    .list_channels()
                    .iter()
                    .filter(|c| c.counterparty_node_id == id)
                    .filter_map(|c| c.funding_txo)
                    .any(|txo| chain.transaction(&txo.txid).is_some()))
            },
        )
        .await?;
        setup::mine_and_sync(chain, &api.shared.nodes, 1).await?;
        api.open_lnd_channel(
            lnd.name(),
            &lsp_id,
            &lsp.listen_addr().to_string(),
            capacity,
            push_sats,
            true,
        )
        .await?;
    }
    for lnd in &new {
        api.confirm_lnd_channels(lnd.name(), &lsp_id, 2, remaining())
            .await?;
    }
    // LND counts a channel active before it may send over it (it waits for the peer's
    // channel_ready): done once the LSP's side is usable too.
    let ids: Vec<PublicKey> = new
        .iter()
        .map(|lnd| lnd.node_id().parse())
        .collect::<Result<_, _>>()
        .map_err(|e| NodeError::input("LND node id", e))?;
    setup::wait_until_ok(
        deadline,
        "the LSP's channels with LND to be usable",
        &api.shared.nodes,
        |_| {
            let channels = lsp.node().list_channels();
            Ok(ids.iter().all(|id| {
                channels
                    .iter()
                    .filter(|c| c.counterparty_node_id == *id && c.is_usable)
                    .count()
                    >= 2
            }))
        },
    )
    .await
}
