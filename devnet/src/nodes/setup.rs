//! Bringing a devnet to ready: funding the wallets, opening the planned channels in rounds,
//! mining until every channel is usable and every node's graph knows every channel.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bitcoin::Amount;
use ldk_node::bitcoin::secp256k1::PublicKey;
use ldk_node::lightning::ln::msgs::SocketAddress;

use super::config::{ChannelPlan, DevnetConfig, ANCHOR_RESERVE_SATS};
use super::peer::{blocking, DevnetNode};
use super::NodeError;
use crate::chain::ChainServer;

/// Blocks LDK waits for before a channel is ready and may be announced.
pub(crate) const CONFIRMATIONS: u32 = 6;
/// Pause between readiness checks.
pub(crate) const POLL: Duration = Duration::from_millis(25);
/// While waiting, this often: resync gossip where it is missing and mine one more block.
pub(crate) const NUDGE_EVERY: Duration = Duration::from_millis(1000);
/// Fee headroom for a node's funding transactions, in sats.
pub(crate) const FEE_MARGIN_SATS: u64 = 50_000;

fn find<'a>(nodes: &'a [DevnetNode], name: &str) -> Result<&'a DevnetNode, NodeError> {
    nodes
        .iter()
        .find(|n| n.name() == name)
        .ok_or_else(|| NodeError::UnknownNode {
            name: name.to_owned(),
        })
}

fn has_channel(node: &DevnetNode, peer: &PublicKey) -> bool {
    node.node()
        .list_channels()
        .iter()
        .any(|c| c.counterparty_node_id == *peer)
}

/// Runs `sync_wallets` on every node at once, so they see new blocks and mempool entries now
/// rather than at their next 2-second poll. Failures are logged, not returned: the background
/// poll catches up anyway.
pub(crate) async fn sync_all(nodes: &[DevnetNode]) {
    let mut tasks = Vec::with_capacity(nodes.len());
    for n in nodes {
        let name = n.name().to_owned();
        let node = n.node().clone();
        tasks.push(tokio::task::spawn_blocking(move || {
            (name, node.sync_wallets())
        }));
    }
    for task in tasks {
        match task.await {
            Ok((_, Ok(()))) => {}
            Ok((name, Err(e))) => tracing::debug!(node = %name, error = %e, "sync_wallets"),
            Err(e) => tracing::warn!(error = %e, "sync task failed"),
        }
    }
}

/// Mines `blocks` blocks (mempool included) and syncs every node.
pub(crate) async fn mine_and_sync(
    chain: &ChainServer,
    nodes: &[DevnetNode],
    blocks: u32,
) -> Result<Vec<bitcoin::BlockHash>, NodeError> {
    let hashes = chain
        .mine(blocks, None)
        .map_err(|e| NodeError::chain("mine", e))?;
    sync_all(nodes).await;
    Ok(hashes)
}

/// Gives every node the on-chain sats its missing channels need, then confirms the payments.
pub(crate) async fn fund_nodes(
    chain: &ChainServer,
    cfg: &DevnetConfig,
    nodes: &[DevnetNode],
    deadline: Instant,
) -> Result<(), NodeError> {
    let plan = cfg.channel_plan();
    let mut payments = Vec::new();
    for n in nodes {
        let missing: Vec<&ChannelPlan> = missing_channels(&plan, nodes, n.name())?;
        let balances = n.node().list_balances();
        let fresh = balances.total_onchain_balance_sats == 0 && n.node().list_channels().is_empty();
        let touching = plan
            .iter()
            .filter(|c| c.opener == n.name() || c.acceptor == n.name())
            .count() as u64;
        let need = missing
            .iter()
            .map(|c| c.capacity_sats)
            .sum::<u64>()
            .saturating_add(touching.saturating_mul(ANCHOR_RESERVE_SATS))
            .saturating_add(FEE_MARGIN_SATS);
        let have = balances.spendable_onchain_balance_sats;
        let amount = if fresh {
            cfg.funding_for(n.name())
        } else if have < need {
            need - have
        } else {
            continue;
        };
        payments.push((n, amount));
    }
    top_up(chain, nodes, &payments, deadline).await
}

/// Pays each `(node, sats)` from the chain's faucet to a fresh address of the node's wallet,
/// mines one block and waits until every paid node's spendable balance grew by its amount.
pub(crate) async fn top_up(
    chain: &ChainServer,
    nodes: &[DevnetNode],
    payments: &[(&DevnetNode, u64)],
    deadline: Instant,
) -> Result<(), NodeError> {
    let mut expected = HashMap::new();
    for (n, amount) in payments {
        let have = n.node().list_balances().spendable_onchain_balance_sats;
        let address = blocking(n.node(), |node| node.onchain_payment().new_address())
            .await?
            .map_err(|e| NodeError::ldk(n.name(), "new_address", e))?;
        chain
            .fund(&address, Amount::from_sat(*amount))
            .map_err(|e| NodeError::chain("fund", e))?;
        expected.insert(n.name().to_owned(), have.saturating_add(*amount));
    }
    if expected.is_empty() {
        return Ok(());
    }
    mine_and_sync(chain, nodes, 1).await?;
    wait_until(deadline, "funding to confirm", nodes, |nodes| {
        nodes.iter().all(|n| {
            expected
                .get(n.name())
                .is_none_or(|want| n.node().list_balances().spendable_onchain_balance_sats >= *want)
        })
    })
    .await
}

fn missing_channels<'a>(
    plan: &'a [ChannelPlan],
    nodes: &[DevnetNode],
    opener: &str,
) -> Result<Vec<&'a ChannelPlan>, NodeError> {
    let me = find(nodes, opener)?;
    let mut out = Vec::new();
    for c in plan.iter().filter(|c| c.opener == opener) {
        if !has_channel(me, &find(nodes, &c.acceptor)?.node_id()) {
            out.push(c);
        }
    }
    Ok(out)
}

/// Connects every planned pair (ports change across restarts, so this also refreshes the
/// addresses LDK persisted).
pub(crate) async fn connect_all(cfg: &DevnetConfig, nodes: &[DevnetNode]) -> Result<(), NodeError> {
    for c in cfg.channel_plan() {
        let opener = find(nodes, &c.opener)?;
        let acceptor = find(nodes, &c.acceptor)?;
        let (id, addr) = (acceptor.node_id(), acceptor.socket_address());
        blocking(opener.node(), move |n| n.connect(id, addr, true))
            .await?
            .map_err(|e| NodeError::ldk(opener.name(), "connect", e))?;
    }
    Ok(())
}

/// Opens the missing planned channels. A wallet does not see its own unconfirmed funding
/// transaction, so each node opens one channel per round and every round is mined before the
/// next.
pub(crate) async fn open_channels(
    chain: &ChainServer,
    cfg: &DevnetConfig,
    nodes: &[DevnetNode],
    deadline: Instant,
) -> Result<(), NodeError> {
    let plan = cfg.channel_plan();
    let mut queues: Vec<Vec<&ChannelPlan>> = Vec::new();
    for n in nodes {
        queues.push(missing_channels(&plan, nodes, n.name())?);
    }
    let rounds = queues.iter().map(Vec::len).max().unwrap_or(0);
    for round in 0..rounds {
        let batch: Vec<&ChannelPlan> = queues
            .iter()
            .filter_map(|q| q.get(round).copied())
            .collect();
        for c in &batch {
            let opener = find(nodes, &c.opener)?;
            let acceptor = find(nodes, &c.acceptor)?;
            let (id, addr) = (acceptor.node_id(), acceptor.socket_address());
            let (sats, push) = (c.capacity_sats, c.push_msat);
            blocking(opener.node(), move |n| {
                n.open_announced_channel(id, addr, sats, Some(push), None)
            })
            .await?
            .map_err(|e| NodeError::ldk(opener.name(), "open_channel", e))?;
        }
        // Wait until every funding transaction of this round is in the chain's mempool.
        wait_until(
            deadline,
            "funding transactions to be broadcast",
            nodes,
            |nodes| batch.iter().all(|c| funding_in_mempool(chain, nodes, c)),
        )
        .await?;
        mine_and_sync(chain, nodes, 1).await?;
    }
    Ok(())
}

fn funding_in_mempool(chain: &ChainServer, nodes: &[DevnetNode], c: &ChannelPlan) -> bool {
    let (Ok(opener), Ok(acceptor)) = (find(nodes, &c.opener), find(nodes, &c.acceptor)) else {
        return false;
    };
    let peer = acceptor.node_id();
    opener
        .node()
        .list_channels()
        .iter()
        .filter(|ch| ch.counterparty_node_id == peer)
        .filter_map(|ch| ch.funding_txo)
        .any(|txo| chain.transaction(&txo.txid).is_some())
}

/// The short channel ids of the planned channels, once every one has one.
fn planned_scids(plan: &[ChannelPlan], nodes: &[DevnetNode]) -> Option<Vec<u64>> {
    let mut out = Vec::with_capacity(plan.len());
    for c in plan {
        let opener = find(nodes, &c.opener).ok()?;
        let peer = find(nodes, &c.acceptor).ok()?.node_id();
        let scid = opener
            .node()
            .list_channels()
            .iter()
            .find(|ch| ch.counterparty_node_id == peer && ch.is_usable)
            .and_then(|ch| ch.short_channel_id)?;
        out.push(scid);
    }
    Some(out)
}

/// True when every planned channel is usable at both ends and every node's graph holds every
/// planned channel with a policy in both directions.
pub(crate) fn is_ready(cfg: &DevnetConfig, nodes: &[DevnetNode]) -> bool {
    let plan = cfg.channel_plan();
    for c in &plan {
        let (Ok(a), Ok(b)) = (find(nodes, &c.opener), find(nodes, &c.acceptor)) else {
            return false;
        };
        let usable = |x: &DevnetNode, y: &DevnetNode| {
            x.node()
                .list_channels()
                .iter()
                .any(|ch| ch.counterparty_node_id == y.node_id() && ch.is_usable)
        };
        if !usable(a, b) || !usable(b, a) {
            return false;
        }
    }
    let Some(scids) = planned_scids(&plan, nodes) else {
        return false;
    };
    graphs_complete(nodes, &scids)
}

/// True when every node's graph holds every channel of `scids` with a policy in both
/// directions.
pub(crate) fn graphs_complete(nodes: &[DevnetNode], scids: &[u64]) -> bool {
    nodes.iter().all(|n| {
        let graph = n.node().network_graph();
        scids.iter().all(|scid| {
            graph
                .channel(*scid)
                .is_some_and(|info| info.one_to_two.is_some() && info.two_to_one.is_some())
        })
    })
}

/// The nodes whose graph lacks a channel of `scids` or one of its directions (logged at debug).
pub(crate) fn missing_gossip(nodes: &[DevnetNode], scids: &[u64]) -> Vec<String> {
    let mut out = Vec::new();
    for n in nodes {
        let graph = n.node().network_graph();
        for scid in scids {
            let state = match graph.channel(*scid) {
                None => "no announcement",
                Some(i) if i.one_to_two.is_none() && i.two_to_one.is_none() => "no updates",
                Some(i) if i.one_to_two.is_none() => "no update from node_one",
                Some(i) if i.two_to_one.is_none() => "no update from node_two",
                Some(_) => continue,
            };
            tracing::debug!(node = n.name(), scid, state, "gossip missing");
            if !out.iter().any(|o| o == n.name()) {
                out.push(n.name().to_owned());
            }
        }
    }
    out
}

/// Reconnects `name` to its channel peers: the devnet nodes, and the `external` nodes (key and
/// address) it has channels with; other counterparties are skipped. On reconnection a peer
/// replays its whole graph (LDK starts an initial sync when it receives
/// `gossip_timestamp_filter`), which repairs a `channel_update` dropped because it arrived
/// before its `channel_announcement` was verified (otherwise only repaired by LDK's periodic
/// rebroadcast, about 10 s later).
pub(crate) async fn resync_gossip(
    nodes: &[DevnetNode],
    name: &str,
    external: &[(PublicKey, SocketAddress)],
) -> Result<(), NodeError> {
    let me = find(nodes, name)?;
    let mut peers: Vec<PublicKey> = me
        .node()
        .list_channels()
        .iter()
        .map(|c| c.counterparty_node_id)
        .collect();
    peers.sort_unstable();
    peers.dedup();
    for id in peers {
        let addr = match nodes.iter().find(|n| n.node_id() == id) {
            Some(peer) => peer.socket_address(),
            None => match external.iter().find(|(key, _)| *key == id) {
                Some((_, addr)) => addr.clone(),
                None => continue,
            },
        };
        let reconnected = blocking(me.node(), move |n| {
            let _ = n.disconnect(id);
            n.connect(id, addr, true)
        })
        .await?;
        if let Err(e) = reconnected {
            tracing::debug!(node = name, peer = %id, error = %e, "reconnect failed");
        }
    }
    Ok(())
}

/// Confirms the channels and waits until [`is_ready`], mining a block now and then.
pub(crate) async fn wait_ready(
    chain: &ChainServer,
    cfg: &DevnetConfig,
    nodes: &[DevnetNode],
    deadline: Instant,
) -> Result<(), NodeError> {
    if is_ready(cfg, nodes) {
        return Ok(());
    }
    let started = Instant::now();
    mine_and_sync(chain, nodes, CONFIRMATIONS).await?;
    let mut last_nudge = Instant::now();
    loop {
        if is_ready(cfg, nodes) {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(NodeError::Timeout {
                what: "channels and gossip to be ready".to_owned(),
                waited_ms: elapsed_ms(started),
            });
        }
        if last_nudge.elapsed() >= NUDGE_EVERY {
            let scids = planned_scids(&cfg.channel_plan(), nodes).unwrap_or_default();
            for name in missing_gossip(nodes, &scids) {
                resync_gossip(nodes, &name, &[]).await?;
            }
            mine_and_sync(chain, nodes, 1).await?;
            last_nudge = Instant::now();
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Milliseconds since `t`, saturating.
pub(crate) fn elapsed_ms(t: Instant) -> u64 {
    u64::try_from(t.elapsed().as_millis()).unwrap_or(u64::MAX)
}

async fn wait_until(
    deadline: Instant,
    what: &str,
    nodes: &[DevnetNode],
    mut done: impl FnMut(&[DevnetNode]) -> bool,
) -> Result<(), NodeError> {
    wait_until_ok(deadline, what, nodes, |nodes| Ok(done(nodes))).await
}

/// Polls `done` until it answers `Ok(true)` (or fails), syncing every node's wallets twice a
/// second; [`NodeError::Timeout`] naming `what` after `deadline`.
pub(crate) async fn wait_until_ok(
    deadline: Instant,
    what: &str,
    nodes: &[DevnetNode],
    mut done: impl FnMut(&[DevnetNode]) -> Result<bool, NodeError>,
) -> Result<(), NodeError> {
    let started = Instant::now();
    let mut last_sync = Instant::now();
    loop {
        if done(nodes)? {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(NodeError::Timeout {
                what: what.to_owned(),
                waited_ms: elapsed_ms(started),
            });
        }
        if last_sync.elapsed() >= Duration::from_millis(500) {
            sync_all(nodes).await;
            last_sync = Instant::now();
        }
        tokio::time::sleep(POLL).await;
    }
}
