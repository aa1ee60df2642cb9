//! Starting and stopping the whole server: database, Lightning node, background tasks and the
//! HTTP listener, in that order up and the reverse down.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::api::{self, AppState, RateLimiter};
use crate::config::Config;
use crate::db::Db;
use crate::engine::{Engine, PublicUrl, RateSource, SwapServices};
use crate::error::ServerError;
use crate::store::Store;

/// A running server.
pub struct Server {
    engine: Engine,
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    http: JoinHandle<()>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server").field("addr", &self.addr).finish()
    }
}

impl Server {
    /// Opens the database, starts the node and serves the API on `config.api_bind`.
    ///
    /// # Errors
    /// Any start failure: database, node, or the listener's address.
    pub async fn start(config: Config) -> Result<Server, ServerError> {
        let config = Arc::new(config);
        std::fs::create_dir_all(&config.data_dir).map_err(|e| ServerError::Io {
            op: "create data dir",
            reason: e.to_string(),
        })?;
        let db = Db::open(&config.database_url).await?;
        let store = Store::new(db);
        let node_config = Arc::clone(&config);
        let node = tokio::task::spawn_blocking(move || crate::node::start(&node_config))
            .await
            .map_err(|e| ServerError::node("start", e))??;
        let listener = tokio::net::TcpListener::bind(config.api_bind)
            .await
            .map_err(|e| ServerError::Io {
                op: "bind the API address",
                reason: format!("{}: {e}", config.api_bind),
            })?;
        let addr = listener.local_addr().map_err(|e| ServerError::Io {
            op: "local_addr",
            reason: e.to_string(),
        })?;
        let public_url = Arc::new(match &config.public_url {
            Some(url) => PublicUrl::parse(url)?,
            None => PublicUrl::parse(&format!("http://{addr}"))?,
        });
        let rates = RateSource::from_options(
            config.fiat_rates_file.as_ref(),
            config.fiat_rates_url.as_deref(),
        )?;
        let swaps = match &config.swap {
            Some(swap) => Some(SwapServices::new(
                swap.clone(),
                &config.data_dir.join("ldk"),
            )?),
            None => None,
        };
        let engine = Engine::new(
            Arc::clone(&config),
            store,
            node,
            Arc::clone(&public_url),
            rates,
            swaps,
        );
        let (stop, stop_rx) = watch::channel(false);
        let tasks = engine.spawn_tasks(stop_rx.clone());
        let state = AppState {
            engine: engine.clone(),
            limiter: Arc::new(RateLimiter::new(
                config.invoice_rate_per_sec,
                config.invoice_rate_burst,
            )),
            shutdown: stop_rx.clone(),
            public_url,
        };
        let app = api::router(state);
        let mut http_stop = stop_rx;
        let http = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = http_stop.wait_for(|s| *s).await;
                })
                .await;
            if let Err(e) = served {
                tracing::error!(error = %e, "HTTP server failed");
            }
        });
        crate::node::warn_without_anchor_reserve(engine.node());
        tracing::info!(%addr, node_id = %engine.node().node_id(), "etrid-lsp ready");
        Ok(Server {
            engine,
            addr,
            stop,
            tasks,
            http,
        })
    }

    /// Where the API listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The engine (node, store).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Stops the API, the tasks and the node.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.http.await;
        for task in self.tasks {
            let _ = task.await;
        }
        let node = Arc::clone(self.engine.node());
        let stopped = tokio::task::spawn_blocking(move || node.stop()).await;
        if let Ok(Err(e)) = stopped {
            tracing::warn!(error = %e, "node stop");
        }
    }
}
