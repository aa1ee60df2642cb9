//! The engine: everything the API asks, reads included, and the rules and money around it. A
//! request flows one way, api → engine → (node, store): handlers only extract, call one engine
//! method and serialise, and never touch the node or the store. The engine also runs the
//! background tasks that follow the node (its event queue), the clock (expiry, hold deadlines,
//! event pruning) and webhook delivery.
//!
//! One file per resource: `invoices` (standard and hold), `payments`, `accounts` (balance,
//! ledger, keys), `webhook_admin`, `events`, `node_info`, `addresses`, `tournaments`; the
//! tasks are `node_events`, `sweeper`, `peers`, `reconcile`, `webhooks`,
//! `tournament_runner` and `swap_watcher` (swaps on chain, `swaps` creates them).

mod accounts;
mod addresses;
mod destinations;
mod events;
mod invoices;
mod keysends;
mod node_events;
mod node_info;
mod payments;
mod peers;
mod quotes;
mod rates;
mod reconcile;
mod scheduler;
mod schedules;
mod streamer;
mod streams;
mod swap_reverse;
mod swap_watcher;
mod swaps;
mod sweeper;
mod tournament_lobby;
mod tournament_payouts;
mod tournament_runner;
mod tournaments;
mod vouchers;
mod webhook_admin;
mod webhooks;

pub use addresses::{LnurlRefusal, PublicUrl};
pub use rates::RateSource;
pub use swaps::SwapServices;

use std::collections::HashMap;
use std::sync::Arc;

use ldk_node::Node;
use tokio::sync::{watch, Mutex, Notify};
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::error::ServerError;
use crate::store::{AuthContext, Store};

pub use webhooks::{next_retry_delay, RETRY_DELAYS_SECS};

/// The node, the store and the configuration, shared by the API handlers and the tasks.
#[derive(Clone)]
pub struct Engine {
    pub(crate) config: Arc<Config>,
    pub(crate) store: Store,
    pub(crate) node: Arc<Node>,
    /// Where wallets reach this server (Lightning Address host, LNURL callbacks).
    pub(crate) public_url: Arc<PublicUrl>,
    /// Taken by every tournament step, so one decision about a tournament is taken at a time.
    pub(crate) tournaments: Arc<Mutex<()>>,
    /// Wakes the tournament runner (a hold invoice was accepted).
    pub(crate) tournament_wake: Arc<Notify>,
    /// Wakes the scheduler of recurring payments (a schedule was created).
    pub(crate) scheduler_wake: Arc<Notify>,
    /// One lock per live stream, taken by every step of that stream (API calls and the
    /// streamer), so its steps happen one at a time while different streams step at once.
    pub(crate) stream_locks: Arc<std::sync::Mutex<HashMap<String, Arc<Mutex<()>>>>>,
    /// Wakes the streamer (a stream changed).
    pub(crate) streamer_wake: Arc<Notify>,
    /// Where fiat rates for quotes come from.
    pub(crate) rates: Arc<RateSource>,
    /// The swap server; `None` when swaps are off.
    pub(crate) swaps: Option<Arc<SwapServices>>,
    /// When the server started (payments refused for want of a route just after are retried).
    pub(crate) started: std::time::Instant,
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
    /// Wraps a started node and an opened store; `public_url` is where wallets reach the
    /// server, `rates` where fiat quotes get their rates, `swaps` the swap server (if on).
    pub fn new(
        config: Arc<Config>,
        store: Store,
        node: Arc<Node>,
        public_url: Arc<PublicUrl>,
        rates: RateSource,
        swaps: Option<SwapServices>,
    ) -> Engine {
        Engine {
            swaps: swaps.map(Arc::new),
            started: std::time::Instant::now(),
            config,
            store,
            node,
            public_url,
            rates: Arc::new(rates),
            tournaments: Arc::new(Mutex::new(())),
            tournament_wake: Arc::new(Notify::new()),
            scheduler_wake: Arc::new(Notify::new()),
            stream_locks: Arc::default(),
            streamer_wake: Arc::new(Notify::new()),
        }
    }

    /// The lock of stream `id` (made on first use).
    pub(crate) fn stream_lock(&self, id: &str) -> Arc<Mutex<()>> {
        let mut locks = self
            .stream_locks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(locks.entry(id.to_owned()).or_default())
    }

    /// Forgets the lock of a stream that is over.
    pub(crate) fn forget_stream_lock(&self, id: &str) {
        self.stream_locks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(id);
    }

    /// Where wallets reach this server.
    pub fn public_url(&self) -> &Arc<PublicUrl> {
        &self.public_url
    }

    /// The store, for set-up outside requests (the CLI's `create-account`, tests); requests go
    /// through engine methods.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The node (for the server's start and stop; requests go through engine methods).
    pub fn node(&self) -> &Arc<Node> {
        &self.node
    }

    /// Authenticates an API key: its account, key id and scope.
    ///
    /// # Errors
    /// `unauthorized` for unknown and revoked keys alike; database failures.
    pub async fn authenticate(&self, key: &str) -> Result<AuthContext, ServerError> {
        Ok(self.store.authenticate(key).await?)
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
            tokio::spawn(tournament_runner::run(self.clone(), stop.clone())),
            tokio::spawn(scheduler::run(self.clone(), stop.clone())),
            tokio::spawn(streamer::run(self.clone(), stop.clone())),
            tokio::spawn(swap_watcher::run(self.clone(), stop.clone())),
            tokio::spawn(webhooks::run(self.clone(), stop)),
        ]
    }
}

/// A stable digest of a request's parameters, for idempotency comparisons.
pub(crate) fn fingerprint<T: serde::Serialize>(request: &T) -> String {
    let json = serde_json::to_vec(request).unwrap_or_default();
    crate::ids::sha256_hex(&json)
}
