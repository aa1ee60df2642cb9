//! The devnet's lifecycle: start the chain and the nodes, bring the network to ready, serve
//! the control API, shut everything down in order.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use ldk_node::Node;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::api::{DevnetApi, Shared};
use super::config::DevnetConfig;
use super::external::chain_info_of;
use super::peer::{self, DevnetNode, RpcEndpoint};
use super::{setup, NodeError};
use crate::chain::{ChainConfig, ChainServer};
use crate::control::ControlServer;
use crate::DevnetError;

/// A running devnet: a regtest chain, an LSP, routers and payers with funded, announced
/// channels, and (optionally) the control API.
///
/// Needs a multi-thread tokio runtime (`#[tokio::test(flavor = "multi_thread")]`): LDK Node
/// runs its tasks on the caller's runtime. Call [`Devnet::shutdown`] before the runtime ends.
///
/// ```no_run
/// use etrid_devnet::nodes::{InvoiceRequest, PayRequest};
/// use etrid_devnet::{Devnet, DevnetConfig};
///
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let devnet = Devnet::start(DevnetConfig::default()).await?;
/// let invoice = devnet.api().create_invoice(
///     "lsp",
///     &InvoiceRequest { amount_msat: Some(1_000_000), ..Default::default() },
/// )?;
/// let paid = devnet
///     .api()
///     .pay_invoice("alice", &PayRequest { invoice: invoice.invoice, amount_msat: None, timeout_secs: None })
///     .await?;
/// println!("paid in {} ms, fee {:?} msat", paid.elapsed_ms, paid.fee_paid_msat);
/// let alice = devnet.node("alice").expect("alice"); // Arc<ldk_node::Node>
/// println!("alice has {} channels", alice.list_channels().len());
/// devnet.shutdown().await;
/// # Ok(())
/// # }
/// ```
pub struct Devnet {
    api: DevnetApi,
    stop: watch::Sender<bool>,
    pumps: Vec<JoinHandle<()>>,
    control: Option<ControlServer>,
    tempdir: TempDirGuard,
    ready_after: Duration,
}

/// Owns the temporary data directory. Removed only after a clean [`Devnet::shutdown`]: if the
/// devnet is dropped while its nodes still run (a panicking test), the directory is kept, since
/// LDK Node aborts when its log file disappears under it.
struct TempDirGuard {
    dir: Option<tempfile::TempDir>,
    nodes_stopped: bool,
}

impl Drop for TempDirGuard {
    fn drop(&mut self) {
        if let Some(dir) = self.dir.take() {
            if self.nodes_stopped {
                drop(dir);
            } else {
                let kept = dir.keep();
                tracing::warn!(dir = %kept.display(), "devnet dropped without shutdown; data dir kept");
            }
        }
    }
}

impl std::fmt::Debug for Devnet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Devnet")
            .field("api", &self.api)
            .field("ready_after", &self.ready_after)
            .finish()
    }
}

impl Devnet {
    /// Starts the chain and every node, funds them, opens the planned channels and returns
    /// once every channel is usable and every node's graph knows every channel.
    pub async fn start(config: DevnetConfig) -> Result<Devnet, DevnetError> {
        let started = Instant::now();
        config.validate()?;
        let deadline = started + config.ready_timeout;
        let (tempdir, data_dir) = match &config.data_dir {
            Some(dir) => (None, dir.clone()),
            None => {
                let t = tempfile::Builder::new()
                    .prefix("etrid-devnet-")
                    .tempdir()
                    .map_err(|e| NodeError::io("create temporary data dir", e))?;
                let path = t.path().to_path_buf();
                (Some(t), path)
            }
        };
        std::fs::create_dir_all(&data_dir).map_err(|e| NodeError::io("create data dir", e))?;
        let chain = ChainServer::start(ChainConfig {
            block_interval: config.block_interval,
            data_dir: config.data_dir.as_ref().map(|d| d.join("chain")),
            ..ChainConfig::default()
        })
        .await?;
        let rpc = RpcEndpoint {
            port: chain.rpc_addr().port(),
            user: chain.rpc_user().to_owned(),
            password: chain.rpc_password().to_owned(),
        };
        let started_nodes = match start_nodes(&config, &data_dir, &rpc).await {
            Ok(nodes) => nodes,
            Err((e, nodes)) => {
                stop_nodes(nodes.iter().map(|(_, _, n, _)| Arc::clone(n)).collect()).await;
                chain.shutdown().await;
                return Err(e.into());
            }
        };
        let lnd = match super::lnd::start_all(&config, &data_dir, &chain_info_of(&chain)).await {
            Ok(lnd) => lnd,
            Err(e) => {
                stop_nodes(
                    started_nodes
                        .iter()
                        .map(|(_, _, n, _)| Arc::clone(n))
                        .collect(),
                )
                .await;
                chain.shutdown().await;
                return Err(e.into());
            }
        };
        let (stop, stop_rx) = watch::channel(false);
        let mut nodes = Vec::new();
        let mut pumps = Vec::new();
        for (name, role, node, listen) in started_nodes {
            let (handle, pump) = peer::attach(&name, role, node, listen, stop_rx.clone());
            nodes.push(handle);
            pumps.push(pump);
        }
        let shared = Shared {
            chain,
            nodes,
            lnd,
            data_dir,
            control_url: OnceLock::new(),
            external_lock: tokio::sync::Mutex::new(()),
        };
        let mut devnet = Devnet {
            api: DevnetApi {
                shared: Arc::new(shared),
            },
            stop,
            pumps,
            control: None,
            tempdir: TempDirGuard {
                dir: tempdir,
                nodes_stopped: false,
            },
            ready_after: Duration::ZERO,
        };
        if let Err(e) = devnet.bring_up(&config, deadline).await {
            devnet.shutdown().await;
            return Err(e.into());
        }
        devnet.ready_after = started.elapsed();
        tracing::info!(
            ready_ms = devnet.ready_after.as_millis() as u64,
            "devnet ready"
        );
        Ok(devnet)
    }

    async fn bring_up(
        &mut self,
        config: &DevnetConfig,
        deadline: Instant,
    ) -> Result<(), NodeError> {
        let shared = Arc::clone(&self.api.shared);
        let (chain, nodes) = (&shared.chain, shared.nodes.as_slice());
        let t = Instant::now();
        setup::connect_all(config, nodes).await?;
        tracing::debug!(ms = setup::elapsed_ms(t), "peers connected");
        setup::fund_nodes(chain, config, nodes, deadline).await?;
        tracing::debug!(ms = setup::elapsed_ms(t), "wallets funded");
        setup::open_channels(chain, config, nodes, deadline).await?;
        tracing::debug!(ms = setup::elapsed_ms(t), "channels opened");
        setup::wait_ready(chain, config, nodes, deadline).await?;
        tracing::debug!(
            ms = setup::elapsed_ms(t),
            "channels usable, gossip complete"
        );
        if !shared.lnd.is_empty() {
            super::lnd::link_all(&self.api, config, deadline).await?;
            tracing::debug!(ms = setup::elapsed_ms(t), "LND nodes funded and linked");
        }
        if let Some(bind) = config.control_bind {
            let server = ControlServer::start(bind, self.api.clone()).await?;
            let _ = shared.control_url.set(server.url());
            self.control = Some(server);
        }
        Ok(())
    }

    /// The LDK node called `name`.
    pub fn node(&self, name: &str) -> Option<Arc<Node>> {
        self.api.node(name).ok().map(|n| Arc::clone(n.node()))
    }

    /// The devnet handle (name, role, address, events) of node `name`.
    pub fn handle(&self, name: &str) -> Option<&DevnetNode> {
        self.api.node(name).ok()
    }

    /// The operations tests and the control API use (pay, invoice, mine, fund, list).
    pub fn api(&self) -> &DevnetApi {
        &self.api
    }

    /// The chain server.
    pub fn chain(&self) -> &ChainServer {
        self.api.chain()
    }

    /// The control API's base URL, if it runs.
    pub fn control_url(&self) -> Option<String> {
        self.api.control_url()
    }

    /// Where the chain and node state live.
    pub fn data_dir(&self) -> &Path {
        &self.api.shared.data_dir
    }

    /// How long `start` took until the network was ready.
    pub fn ready_after(&self) -> Duration {
        self.ready_after
    }

    /// Stops the control API, the event pumps, every node, then the chain, and removes the
    /// temporary data directory. Clones of [`DevnetApi`] still held elsewhere keep the chain
    /// server alive until they are dropped.
    pub async fn shutdown(mut self) {
        if let Some(control) = self.control.take() {
            control.shutdown().await;
        }
        for lnd in self.api.shared.lnd.iter() {
            lnd.stop().await;
        }
        let _ = self.stop.send(true);
        for pump in self.pumps.drain(..) {
            let _ = pump.await;
        }
        stop_nodes(
            self.api
                .shared
                .nodes
                .iter()
                .map(|n| Arc::clone(n.node()))
                .collect(),
        )
        .await;
        self.tempdir.nodes_stopped = true;
        match Arc::try_unwrap(self.api.shared) {
            Ok(shared) => shared.chain.shutdown().await,
            Err(_) => tracing::warn!("a DevnetApi clone is still alive; chain server left running"),
        }
        drop(self.tempdir);
    }
}

type Started = (String, super::config::Role, Arc<Node>, std::net::SocketAddr);

/// Starts every node concurrently; on failure returns the error and the nodes that did start.
async fn start_nodes(
    config: &DevnetConfig,
    data_dir: &Path,
    rpc: &RpcEndpoint,
) -> Result<Vec<Started>, (NodeError, Vec<Started>)> {
    let mut tasks = Vec::new();
    for (name, role) in config.members() {
        let dir: PathBuf = data_dir.join(&name);
        let rpc = rpc.clone();
        let level = config.ldk_log_level;
        tasks.push(tokio::task::spawn_blocking(move || {
            let res = peer::start_blocking(&name, role, &dir, &rpc, level);
            (name, role, res)
        }));
    }
    let mut ok = Vec::new();
    let mut first_err = None;
    for task in tasks {
        match task.await {
            Ok((name, role, Ok((node, listen)))) => ok.push((name, role, node, listen)),
            Ok((_, _, Err(e))) => {
                first_err.get_or_insert(e);
            }
            Err(e) => {
                first_err.get_or_insert(NodeError::io("spawn_blocking", e));
            }
        }
    }
    match first_err {
        None => Ok(ok),
        Some(e) => Err((e, ok)),
    }
}

async fn stop_nodes(nodes: Vec<Arc<Node>>) {
    let tasks: Vec<_> = nodes
        .into_iter()
        .map(|n| tokio::task::spawn_blocking(move || n.stop()))
        .collect();
    for task in tasks {
        match task.await {
            Ok(Ok(())) | Ok(Err(ldk_node::NodeError::NotRunning)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "node stop failed"),
            Err(e) => tracing::warn!(error = %e, "node stop task failed"),
        }
    }
}
