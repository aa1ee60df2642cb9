//! External nodes joining the devnet: devnet nodes fund and open channels to a Lightning node
//! the devnet did not start (an LSP server's own LDK node), confirm them and wait for gossip.

mod request;

use std::time::{Duration, Instant};

use ldk_node::bitcoin::secp256k1::PublicKey;
use ldk_node::{ChannelDetails, Event, UserChannelId};
use tokio::sync::broadcast::{self, error::TryRecvError};

use request::External;
pub use request::{DEFAULT_EXTERNAL_TIMEOUT_SECS, MAX_EXTERNAL_TIMEOUT_SECS};

use super::api::DevnetApi;
use super::config::ANCHOR_RESERVE_SATS;
use super::models::{ChainInfo, OpenExternalRequest, OpenedChannel};
use super::peer::{blocking, DevnetNode};
use super::setup::{self, elapsed_ms, CONFIRMATIONS, FEE_MARGIN_SATS, NUDGE_EVERY, POLL};
use super::NodeError;
use crate::chain::ChainServer;

/// How long a channel may be missing from its opener's list before it counts as closed
/// without LDK's `ChannelClosed` event (which carries the reason) having been seen.
const CLOSE_EVENT_GRACE: Duration = Duration::from_millis(500);

/// A channel this call opened: its opener, LDK's id for it, and the opener's events (to learn
/// why it closed, if the external node refuses it).
struct Opening<'a> {
    opener: &'a DevnetNode,
    ucid: UserChannelId,
    events: broadcast::Receiver<Event>,
    /// When the channel was first seen missing from the opener's list.
    gone_since: Option<Instant>,
}

impl Opening<'_> {
    /// Fails with [`NodeError::ChannelClosed`] once the channel is closed: LDK said so, or it
    /// has been missing from the opener's list for [`CLOSE_EVENT_GRACE`].
    fn check_open(&mut self, peer: &PublicKey) -> Result<(), NodeError> {
        let mut reason = None;
        loop {
            match self.events.try_recv() {
                Ok(Event::ChannelClosed {
                    user_channel_id,
                    reason: r,
                    ..
                }) if user_channel_id == self.ucid => {
                    reason = Some(r.map_or_else(|| "unknown".to_owned(), |r| r.to_string()));
                }
                Ok(_) | Err(TryRecvError::Lagged(_)) => {}
                Err(TryRecvError::Empty) | Err(TryRecvError::Closed) => break,
            }
        }
        let listed = self
            .opener
            .node()
            .list_channels()
            .iter()
            .any(|c| c.user_channel_id == self.ucid);
        if listed {
            self.gone_since = None;
        } else if reason.is_none() {
            let since = *self.gone_since.get_or_insert_with(Instant::now);
            if since.elapsed() >= CLOSE_EVENT_GRACE {
                reason = Some("the channel disappeared without a closing event".to_owned());
            }
        }
        match reason {
            None => Ok(()),
            Some(reason) => Err(NodeError::ChannelClosed {
                node: self.opener.name().to_owned(),
                counterparty: peer.to_string(),
                reason,
            }),
        }
    }

    fn funding_in_mempool(&self, chain: &ChainServer) -> bool {
        self.opener
            .node()
            .list_channels()
            .iter()
            .filter(|c| c.user_channel_id == self.ucid)
            .filter_map(|c| c.funding_txo)
            .any(|txo| chain.transaction(&txo.txid).is_some())
    }
}

/// Where `chain` is and how to log in.
pub(crate) fn chain_info_of(chain: &ChainServer) -> ChainInfo {
    ChainInfo {
        network: "regtest".to_owned(),
        rpc_url: chain.rpc_url(),
        rpc_host: chain.rpc_addr().ip().to_string(),
        rpc_port: chain.rpc_addr().port(),
        rpc_user: chain.rpc_user().to_owned(),
        rpc_password: chain.rpc_password().to_owned(),
        esplora_url: chain.esplora_url(),
        height: chain.height(),
    }
}

/// The channel of `opener` to `peer`: the one `ucid` names if given, else a usable one if any,
/// else any.
fn channel_to(
    opener: &DevnetNode,
    peer: &PublicKey,
    ucid: Option<UserChannelId>,
) -> Option<ChannelDetails> {
    let mut channels: Vec<ChannelDetails> = opener
        .node()
        .list_channels()
        .into_iter()
        .filter(|c| c.counterparty_node_id == *peer)
        .filter(|c| ucid.is_none_or(|u| c.user_channel_id == u))
        .collect();
    // Usable first; `sort_by_key` is stable, so LDK's order is kept otherwise.
    channels.sort_by_key(|c| !c.is_usable);
    channels.into_iter().next()
}

impl DevnetApi {
    /// Where the chain server is and how to log in, for a process that runs its own node.
    pub fn chain_info(&self) -> ChainInfo {
        chain_info_of(&self.shared.chain)
    }

    /// Lets an external Lightning node (one the devnet did not start, on the devnet chain)
    /// join the topology: each node of `req.from` connects to it (persisted), tops its wallet
    /// up from the faucet if short, opens one channel of `req.capacity_sats` to it (pushing
    /// `req.push_msat`), then the devnet mines until every such channel is usable and, when
    /// `req.announce`, every devnet node's graph has it with updates both ways.
    ///
    /// Idempotent: an opener that already has a channel to the node opens none (its channel is
    /// returned with `newly_opened: false`, once usable). Calls are serialised.
    ///
    /// # Errors
    /// [`NodeError::InvalidInput`] (see [`OpenExternalRequest::validate`], or the key of a
    /// devnet node), [`NodeError::UnknownNode`], [`NodeError::Ldk`] (connect, open),
    /// [`NodeError::ChannelClosed`] when the external node refuses a channel,
    /// [`NodeError::Timeout`] after `req.timeout_secs` (default 90).
    pub async fn open_channels_to(
        &self,
        req: &OpenExternalRequest,
    ) -> Result<Vec<OpenedChannel>, NodeError> {
        let started = Instant::now();
        let ext = req.parse()?;
        let deadline = started + ext.timeout;
        let openers = req
            .from
            .iter()
            .map(|name| self.node(name))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(name) = self.name_of(&ext.id) {
            return Err(NodeError::input(
                "node_id",
                format!("is the devnet node {name}, already in the topology"),
            ));
        }
        let _one_call_at_a_time = self.shared.external_lock.lock().await;
        let (chain, nodes) = (&self.shared.chain, self.shared.nodes.as_slice());
        for opener in &openers {
            connect(opener, &ext).await?;
        }
        let fresh: Vec<&DevnetNode> = openers
            .iter()
            .copied()
            .filter(|o| channel_to(o, &ext.id, None).is_none())
            .collect();
        let need = req
            .capacity_sats
            .saturating_add(ANCHOR_RESERVE_SATS)
            .saturating_add(FEE_MARGIN_SATS);
        let payments: Vec<(&DevnetNode, u64)> = fresh
            .iter()
            .filter_map(|o| {
                let have = o.node().list_balances().spendable_onchain_balance_sats;
                (have < need).then(|| (*o, need - have))
            })
            .collect();
        setup::top_up(chain, nodes, &payments, deadline).await?;
        let mut openings = Vec::with_capacity(fresh.len());
        // One channel per opener: a single round, so no wallet needs its unconfirmed change.
        for opener in fresh {
            let events = opener.subscribe();
            let (id, addr) = (ext.id, ext.addr.clone());
            let (sats, push, announce) = (req.capacity_sats, req.push_msat, req.announce);
            let ucid = blocking(opener.node(), move |n| {
                if announce {
                    n.open_announced_channel(id, addr, sats, Some(push), None)
                } else {
                    n.open_channel(id, addr, sats, Some(push), None)
                }
            })
            .await?
            .map_err(|e| NodeError::ldk(opener.name(), "open_channel", e))?;
            openings.push(Opening {
                opener,
                ucid,
                events,
                gone_since: None,
            });
        }
        if !openings.is_empty() {
            setup::wait_until_ok(
                deadline,
                "funding transactions to the external node to be broadcast",
                nodes,
                |_| {
                    for o in openings.iter_mut() {
                        o.check_open(&ext.id)?;
                    }
                    Ok(openings.iter().all(|o| o.funding_in_mempool(chain)))
                },
            )
            .await?;
            setup::mine_and_sync(chain, nodes, 1).await?;
        }
        self.wait_external_ready(&ext, &openers, &mut openings, deadline)
            .await?;
        let mut out = Vec::with_capacity(openers.len());
        for opener in &openers {
            let opened = openings.iter().find(|o| o.opener.name() == opener.name());
            let ch = channel_to(opener, &ext.id, opened.map(|o| o.ucid))
                .filter(|c| c.is_usable)
                .ok_or_else(|| NodeError::ChannelClosed {
                    node: opener.name().to_owned(),
                    counterparty: ext.id.to_string(),
                    reason: "the channel is no longer usable".to_owned(),
                })?;
            out.push(OpenedChannel {
                opener: opener.name().to_owned(),
                counterparty_node_id: ext.id.to_string(),
                channel_id: ch.channel_id.to_string(),
                short_channel_id: ch.short_channel_id.unwrap_or_default(),
                capacity_sats: ch.channel_value_sats,
                outbound_capacity_msat: ch.outbound_capacity_msat,
                inbound_capacity_msat: ch.inbound_capacity_msat,
                is_announced: ch.is_announced,
                newly_opened: opened.is_some(),
            });
        }
        tracing::info!(
            ms = elapsed_ms(started),
            peer = %ext.id,
            opened = openings.len(),
            "external node channels ready"
        );
        Ok(out)
    }

    /// Confirms the channels and waits until each opener's channel to the external node is
    /// usable and every announced one is in every devnet node's graph both ways; every second,
    /// reconnects nodes missing gossip (and openers whose channel is not usable) and mines.
    async fn wait_external_ready(
        &self,
        ext: &External,
        openers: &[&DevnetNode],
        openings: &mut [Opening<'_>],
        deadline: Instant,
    ) -> Result<(), NodeError> {
        let (chain, nodes) = (&self.shared.chain, self.shared.nodes.as_slice());
        let started = Instant::now();
        let mut mined = false;
        let mut last_nudge = Instant::now();
        loop {
            for o in openings.iter_mut() {
                o.check_open(&ext.id)?;
            }
            let state = readiness(ext, openers, openings);
            if let Some(scids) = &state.announced_scids {
                if graphs_ready(nodes, scids) {
                    return Ok(());
                }
            }
            if Instant::now() >= deadline {
                return Err(NodeError::Timeout {
                    what: "channels to the external node to be usable and gossiped".to_owned(),
                    waited_ms: elapsed_ms(started),
                });
            }
            if !mined {
                setup::mine_and_sync(chain, nodes, CONFIRMATIONS).await?;
                mined = true;
                last_nudge = Instant::now();
            } else if last_nudge.elapsed() >= NUDGE_EVERY {
                for opener in &state.not_usable {
                    if let Err(e) = connect(opener, ext).await {
                        tracing::debug!(node = opener.name(), error = %e, "reconnect failed");
                    }
                }
                if let Some(scids) = &state.announced_scids {
                    let known = [(ext.id, ext.addr.clone())];
                    for name in setup::missing_gossip(nodes, scids) {
                        setup::resync_gossip(nodes, &name, &known).await?;
                    }
                }
                setup::mine_and_sync(chain, nodes, 1).await?;
                last_nudge = Instant::now();
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

/// Where the external channels stand.
struct Readiness<'a> {
    /// Openers whose channel is not usable yet.
    not_usable: Vec<&'a DevnetNode>,
    /// When every channel is usable: the short ids of the announced ones.
    announced_scids: Option<Vec<u64>>,
}

fn readiness<'a>(
    ext: &External,
    openers: &[&'a DevnetNode],
    openings: &[Opening<'_>],
) -> Readiness<'a> {
    let mut not_usable = Vec::new();
    let mut scids = Vec::new();
    for opener in openers {
        let ucid = openings
            .iter()
            .find(|o| o.opener.name() == opener.name())
            .map(|o| o.ucid);
        match channel_to(opener, &ext.id, ucid) {
            Some(ch) if ch.is_usable => match ch.short_channel_id {
                Some(scid) if ch.is_announced => scids.push(scid),
                Some(_) => {}
                None => not_usable.push(*opener),
            },
            _ => not_usable.push(*opener),
        }
    }
    let announced_scids = not_usable.is_empty().then_some(scids);
    Readiness {
        not_usable,
        announced_scids,
    }
}

fn graphs_ready(nodes: &[DevnetNode], scids: &[u64]) -> bool {
    scids.is_empty() || setup::graphs_complete(nodes, scids)
}

/// Connects `opener` to the external node and persists the peer (LDK reconnects it).
async fn connect(opener: &DevnetNode, ext: &External) -> Result<(), NodeError> {
    let (id, addr) = (ext.id, ext.addr.clone());
    blocking(opener.node(), move |n| n.connect(id, addr, true))
        .await?
        .map_err(|e| NodeError::ldk(opener.name(), "connect", e))
}
