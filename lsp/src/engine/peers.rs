//! Keeping channel peers connected: after a restart LDK Node only redials peers it dialled
//! itself, and its redial loop runs once a minute. An LSP's peers mostly dialled it, so this
//! task redials every disconnected channel peer at the addresses its gossip announcement
//! gives, at start and every few seconds, and persists them so LDK Node redials them too.

use std::time::Duration;

use ldk_node::lightning::routing::gossip::NodeId;
use tokio::sync::watch;

use super::Engine;
use crate::node::blocking;

/// How often disconnected channel peers are redialled.
const EVERY: Duration = Duration::from_secs(3);

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
