//! Keeping channel peers connected: after a restart LDK Node only redials peers it dialled
//! itself, and its redial loop runs once a minute. An LSP's peers mostly dialled it, so this
//! task redials every disconnected channel peer at the addresses its gossip announcement
//! gives, at start and every few seconds, and persists them so LDK Node redials them too.
//! Payments sent while no channel is usable (right after a restart, say) wait a bounded while
//! for the peers to come back instead of failing at once with no route.

use std::time::{Duration, Instant};

use ldk_node::lightning::ln::channelmanager::PaymentId;
use ldk_node::lightning::routing::gossip::NodeId;
use tokio::sync::watch;

use super::Engine;
use crate::error::ServerError;
use crate::node::blocking;

/// How often disconnected channel peers are redialled.
const EVERY: Duration = Duration::from_secs(3);

/// How long a payment waits for a usable channel when the node has channels but none is usable
/// (its peers still reconnecting after a restart or a dropped connection) before it is sent
/// anyway (and then fails with no route, its amount released). Covers a few redial rounds.
pub(crate) const USABLE_CHANNEL_WAIT: Duration = Duration::from_secs(10);

/// How often the wait above looks again.
const USABLE_CHANNEL_POLL: Duration = Duration::from_millis(100);

/// For this long after the server started, a payment LDK refuses at once (no route: channels
/// just reestablished, their peers' updates still arriving) is tried again instead of failed.
const STARTUP_RETRY: Duration = Duration::from_secs(15);

/// Between two such tries.
const STARTUP_RETRY_EVERY: Duration = Duration::from_millis(500);

/// Whether a payment may be sent now: some channel is usable, or there is none to wait for.
fn ready_to_send(node: &ldk_node::Node) -> bool {
    let channels = node.list_channels();
    channels.is_empty() || channels.iter().any(|c| c.is_usable)
}

/// Redials until `stop` turns true.
pub(super) async fn run(engine: Engine, mut stop: watch::Receiver<bool>) {
    loop {
        engine.reconnect_channel_peers().await;
        tokio::select! {
            biased;
            _ = stop.changed() => return,
            () = tokio::time::sleep(EVERY) => {}
        }
    }
}

impl Engine {
    /// Sends a payment with `send` once a channel is usable (see
    /// [`Engine::wait_for_usable_channel`]); in the first seconds after start, a refusal for
    /// want of a route is tried again (LDK records it failed, which allows sending the same
    /// payment again, and nothing left the node). Returns what the last try answered.
    ///
    /// # Errors
    /// [`ServerError::Node`] when the blocking task fails.
    pub(crate) async fn send_when_ready<F>(
        &self,
        send: F,
    ) -> Result<Result<PaymentId, ldk_node::NodeError>, ServerError>
    where
        F: FnOnce(&ldk_node::Node) -> Result<PaymentId, ldk_node::NodeError>
            + Clone
            + Send
            + 'static,
    {
        self.wait_for_usable_channel().await;
        loop {
            let attempt = send.clone();
            let sent = blocking(&self.node, attempt).await?;
            let starting = self.started.elapsed() < STARTUP_RETRY;
            match sent {
                Err(ldk_node::NodeError::PaymentSendingFailed) if starting => {
                    tracing::info!("a payment found no route right after start; trying again");
                    tokio::time::sleep(STARTUP_RETRY_EVERY).await;
                }
                other => return Ok(other),
            }
        }
    }

    /// Waits (at most [`USABLE_CHANNEL_WAIT`]) until some channel is usable, when the node has
    /// channels and none is: LDK fails a send at once without a usable first hop, so a payment
    /// made while peers reconnect after a restart would fail although it would succeed a few
    /// seconds later. Returns at once in the usual case.
    pub(crate) async fn wait_for_usable_channel(&self) {
        if ready_to_send(&self.node) {
            return;
        }
        tracing::info!("no usable channel yet (peers reconnecting): the payment waits for one");
        let deadline = Instant::now() + USABLE_CHANNEL_WAIT;
        while Instant::now() < deadline {
            tokio::time::sleep(USABLE_CHANNEL_POLL).await;
            if ready_to_send(&self.node) {
                return;
            }
        }
        tracing::warn!(
            waited_secs = USABLE_CHANNEL_WAIT.as_secs(),
            "still no usable channel: sending anyway"
        );
    }

    /// Dials every channel counterparty that is not connected, at its announced addresses.
    pub(crate) async fn reconnect_channel_peers(&self) {
        let node = &self.node;
        let connected: Vec<_> = node
            .list_peers()
            .iter()
            .filter(|p| p.is_connected)
            .map(|p| p.node_id)
            .collect();
        let mut wanted: Vec<_> = node
            .list_channels()
            .iter()
            .map(|c| c.counterparty_node_id)
            .filter(|id| !connected.contains(id))
            .collect();
        wanted.sort();
        wanted.dedup();
        for peer in wanted {
            let graph = node.network_graph();
            let addresses = graph
                .node(&NodeId::from_pubkey(&peer))
                .and_then(|info| info.announcement_info)
                .map(|ann| ann.addresses().to_vec())
                .unwrap_or_default();
            for address in addresses {
                let dialled = blocking(node, move |n| n.connect(peer, address, true)).await;
                match dialled {
                    Ok(Ok(())) => {
                        tracing::info!(%peer, "reconnected to channel peer");
                        break;
                    }
                    Ok(Err(e)) => tracing::debug!(%peer, error = %e, "redial failed"),
                    Err(e) => tracing::debug!(%peer, error = %e, "redial task failed"),
                }
            }
        }
    }
}
