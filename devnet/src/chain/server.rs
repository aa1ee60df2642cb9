//! What the HTTP servers share (the engine behind one mutex and the RPC credentials), and the
//! tasks that serve HTTP and mine on a timer until shutdown.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;
use bitcoin::{BlockHash, ScriptBuf};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::engine::Engine;
use super::error::ChainError;

/// Shortest timer interval for mining.
const MIN_BLOCK_INTERVAL: Duration = Duration::from_millis(10);

/// State shared by the handle, the RPC and Esplora servers and the miner task.
#[derive(Debug)]
pub(crate) struct Shared {
    engine: Mutex<Engine>,
    /// HTTP Basic user the RPC server accepts.
    pub(crate) rpc_user: String,
    /// HTTP Basic password the RPC server accepts.
    pub(crate) rpc_password: String,
    /// When the server started (`uptime`).
    pub(crate) started: std::time::Instant,
}

impl Shared {
    /// Wraps an engine.
    pub(crate) fn new(engine: Engine, rpc_user: String, rpc_password: String) -> Self {
        Shared {
            engine: Mutex::new(engine),
            rpc_user,
            rpc_password,
            started: std::time::Instant::now(),
        }
    }

    /// Locks the engine. Never hold the guard across an `.await`.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Engine> {
        // A panic while holding the lock cannot leave the engine half-updated in a way that
        // matters more than stopping the devnet would; keep serving.
        self.engine.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Mines `blocks` blocks to `payout` (the faucet when `None`), taking the lock per block so
    /// RPC calls interleave.
    pub(crate) fn mine(
        &self,
        blocks: u32,
        payout: Option<ScriptBuf>,
    ) -> Result<Vec<BlockHash>, ChainError> {
        let mut hashes = Vec::with_capacity(usize::try_from(blocks).unwrap_or(0).min(10_000));
        for _ in 0..blocks {
            let mut engine = self.lock();
            let script = payout
                .clone()
                .unwrap_or_else(|| engine.faucet.script().to_owned());
            hashes.push(engine.mine(&script)?);
        }
        Ok(hashes)
    }
}

/// Resolves once shutdown is signalled (or the handle is gone).
pub(crate) async fn shutdown_signal(mut rx: watch::Receiver<bool>) {
    let _ = rx.wait_for(|stop| *stop).await;
}

/// Serves `router` on `listener` until shutdown.
pub(crate) fn spawn_http(
    listener: TcpListener,
    router: Router,
    rx: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let served = axum::serve(listener, router)
            .with_graceful_shutdown(shutdown_signal(rx))
            .await;
        if let Err(e) = served {
            tracing::warn!("chain HTTP server stopped: {e}");
        }
    })
}

/// Mines one block to the faucet every `interval` until shutdown.
pub(crate) fn spawn_miner(
    shared: std::sync::Arc<Shared>,
    interval: Duration,
    rx: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        // `interval` panics on zero; a devnet never needs blocks faster than every 10 ms.
        let mut ticker = tokio::time::interval(interval.max(MIN_BLOCK_INTERVAL));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticker.tick().await;
        let stop = shutdown_signal(rx);
        tokio::pin!(stop);
        loop {
            tokio::select! {
                _ = &mut stop => break,
                _ = ticker.tick() => {
                    if let Err(e) = shared.mine(1, None) {
                        tracing::warn!("timed mining failed: {e}");
                    }
                }
            }
        }
    })
}
