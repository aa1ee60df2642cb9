//! The engine: what the API asks of the Lightning node and the store together (creating and
//! settling invoices, starting payments), and the background tasks that follow the node (its
//! event queue), the clock (expiry, hold deadlines, event pruning) and webhook delivery.

mod invoices;
mod node_events;
mod payments;
mod peers;
mod reconcile;
mod sweeper;
mod webhooks;

use std::sync::Arc;

use ldk_node::Node;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::store::Store;

pub use webhooks::{next_retry_delay, RETRY_DELAYS_SECS};

/// The node, the store and the configuration, shared by the API handlers and the tasks.
#[derive(Clone)]
pub struct Engine {
    pub(crate) config: Arc<Config>,
    pub(crate) store: Store,
    pub(crate) node: Arc<Node>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("node_id", &self.node.node_id())
            .field("store", &self.store)
            .finish()
    }
}

impl Engine {
    /// Wraps a started node and an opened store.
    pub fn new(config: Arc<Config>, store: Store, node: Arc<Node>) -> Engine {
        Engine {
            config,
            store,
            node,
        }
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The node.
    pub fn node(&self) -> &Arc<Node> {
        &self.node
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Starts the background tasks; they stop when `stop` turns true.
    pub fn spawn_tasks(&self, stop: watch::Receiver<bool>) -> Vec<JoinHandle<()>> {
        vec![
            tokio::spawn(node_events::run(self.clone(), stop.clone())),
            tokio::spawn(sweeper::run(self.clone(), stop.clone())),
            tokio::spawn(peers::run(self.clone(), stop.clone())),
            tokio::spawn(reconcile::run(self.clone(), stop.clone())),
            tokio::spawn(webhooks::run(self.clone(), stop)),
        ]
    }
}

/// A stable digest of a request's parameters, for idempotency comparisons.
pub(crate) fn fingerprint<T: serde::Serialize>(request: &T) -> String {
    let json = serde_json::to_vec(request).unwrap_or_default();
    crate::ids::sha256_hex(&json)
}
