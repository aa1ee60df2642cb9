//! One devnet peer: picking a free port, building and starting its LDK node, its event pump.

use std::collections::HashSet;
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use ldk_node::bitcoin::secp256k1::PublicKey;
use ldk_node::bitcoin::Network;
use ldk_node::lightning::ln::msgs::SocketAddress;
use ldk_node::{Builder, Event, Node};
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

use super::config::{Role, MAX_ACCEPTED_HTLCS};
use super::NodeError;

/// How many events a subscriber may fall behind before it sees `Lagged`.
const EVENT_BUFFER: usize = 16_384;
/// How many times a node start is retried when its listening port was taken meanwhile.
const START_ATTEMPTS: usize = 5;

/// A running devnet node: its name, role, LDK node and event stream.
#[derive(Clone)]
pub struct DevnetNode {
    name: String,
    role: Role,
    node: Arc<Node>,
    listen: SocketAddr,
    events: broadcast::Sender<Event>,
}

impl std::fmt::Debug for DevnetNode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevnetNode")
            .field("name", &self.name)
            .field("role", &self.role)
            .field("node_id", &self.node.node_id())
            .field("listen", &self.listen)
            .finish()
    }
}

impl DevnetNode {
    /// The node's devnet name (also its LDK alias).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The node's role in the topology.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The LDK Node instance, for anything the devnet does not wrap.
    pub fn node(&self) -> &Arc<Node> {
        &self.node
    }

    /// The node's public key.
    pub fn node_id(&self) -> PublicKey {
        self.node.node_id()
    }

    /// The loopback address the node accepts Lightning connections on.
    pub fn listen_addr(&self) -> SocketAddr {
        self.listen
    }

    /// The node's address in LDK's form, for `connect`/`open_channel`.
    pub fn socket_address(&self) -> SocketAddress {
        to_socket_address(self.listen)
    }

    /// `node_id@127.0.0.1:port`, what other Lightning implementations accept to connect.
    pub fn uri(&self) -> String {
        format!("{}@{}", self.node.node_id(), self.listen)
    }

    /// Subscribes to the node's events from now on. The devnet marks every event handled as soon
    /// as it is broadcast, so a subscriber never blocks the node.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }
}

/// Where a node's chain source (the devnet chain server's JSON-RPC) is.
#[derive(Debug, Clone)]
pub(crate) struct RpcEndpoint {
    pub(crate) port: u16,
    pub(crate) user: String,
    pub(crate) password: String,
}

/// Ports handed out by this process and not yet known to be bound by their node: a second
/// devnet in the same process (parallel tests) never gets the same port.
fn handed_out() -> &'static Mutex<HashSet<u16>> {
    static PORTS: OnceLock<Mutex<HashSet<u16>>> = OnceLock::new();
    PORTS.get_or_init(|| Mutex::new(HashSet::new()))
}

/// A loopback port that was free a moment ago and that this process has not handed out before.
pub(crate) fn pick_free_port() -> Result<u16, NodeError> {
    for _ in 0..64 {
        let listener = TcpListener::bind(("127.0.0.1", 0)).map_err(|e| NodeError::io("bind", e))?;
        let port = listener
            .local_addr()
            .map_err(|e| NodeError::io("local_addr", e))?
            .port();
        let mut ports = handed_out().lock().unwrap_or_else(|p| p.into_inner());
        if ports.insert(port) {
            return Ok(port);
        }
    }
    Err(NodeError::io(
        "pick_free_port",
        "no unused loopback port found",
    ))
}

pub(crate) fn to_socket_address(addr: SocketAddr) -> SocketAddress {
    match addr {
        SocketAddr::V4(v4) => SocketAddress::TcpIpV4 {
            addr: v4.ip().octets(),
            port: v4.port(),
        },
        SocketAddr::V6(v6) => SocketAddress::TcpIpV6 {
            addr: v6.ip().octets(),
            port: v6.port(),
        },
    }
}

fn build(
    name: &str,
    dir: &Path,
    port: u16,
    rpc: &RpcEndpoint,
    log_level: ldk_node::logger::LogLevel,
) -> Result<Node, NodeError> {
    let build_err = |e: &dyn std::fmt::Display| NodeError::Build {
        node: name.to_owned(),
        message: e.to_string(),
    };
    let mut builder = Builder::new();
    builder
        .set_network(Network::Regtest)
        .set_storage_dir_path(dir.to_string_lossy().into_owned())
        .set_chain_source_bitcoind_rpc(
            "127.0.0.1".to_owned(),
            rpc.port,
            rpc.user.clone(),
            rpc.password.clone(),
        )
        .set_filesystem_logger(None, Some(log_level))
        .set_max_accepted_htlcs(MAX_ACCEPTED_HTLCS)
        // SQLite's write-ahead log (vendored ldk-node, still synced on every commit), as the
        // LSP's own node by default: the devnet's routers must not be the slowest hop.
        .set_sqlite_wal(true)
        // Never suspended (a server, not a phone): a busy moment must not drop every peer.
        .set_mobile_interruptable_platform(false)
        .set_runtime(tokio::runtime::Handle::current());
    builder
        .set_listening_addresses(vec![SocketAddress::TcpIpV4 {
            addr: [127, 0, 0, 1],
            port,
        }])
        .map_err(|e| build_err(&e))?;
    // An alias plus listening addresses let the node announce channels and forward payments.
    builder
        .set_node_alias(name.to_owned())
        .map_err(|e| build_err(&e))?;
    builder.build().map_err(|e| build_err(&e))
}

/// Builds and starts the node `name` with its state in `dir`, listening on a fresh loopback
/// port (retried when the port was taken between picking and binding). Blocking: call it from
/// `spawn_blocking` inside a multi-thread runtime.
pub(crate) fn start_blocking(
    name: &str,
    role: Role,
    dir: &Path,
    rpc: &RpcEndpoint,
    log_level: ldk_node::logger::LogLevel,
) -> Result<(Arc<Node>, SocketAddr), NodeError> {
    std::fs::create_dir_all(dir).map_err(|e| NodeError::io("create node dir", e))?;
    let mut last = None;
    for _ in 0..START_ATTEMPTS {
        let port = pick_free_port()?;
        let node = build(name, dir, port, rpc, log_level)?;
        match node.start() {
            Ok(()) => {
                tracing::debug!(node = name, ?role, port, "node started");
                return Ok((Arc::new(node), SocketAddr::from(([127, 0, 0, 1], port))));
            }
            Err(ldk_node::NodeError::InvalidSocketAddress) => {
                tracing::warn!(node = name, port, "listening port taken, retrying");
                last = Some(NodeError::ldk(name, "start", "listening port taken"));
            }
            Err(e) => return Err(NodeError::ldk(name, "start", e)),
        }
    }
    Err(last.unwrap_or_else(|| NodeError::ldk(name, "start", "no attempt made")))
}

/// Wraps a started node and spawns the task that drains its events into a broadcast channel
/// (calling `event_handled` after each) until `stop` flips.
pub(crate) fn attach(
    name: &str,
    role: Role,
    node: Arc<Node>,
    listen: SocketAddr,
    stop: watch::Receiver<bool>,
) -> (DevnetNode, JoinHandle<()>) {
    let (events, _) = broadcast::channel(EVENT_BUFFER);
    let pump = tokio::spawn(pump_events(
        name.to_owned(),
        Arc::clone(&node),
        events.clone(),
        stop,
    ));
    let handle = DevnetNode {
        name: name.to_owned(),
        role,
        node,
        listen,
        events,
    };
    (handle, pump)
}

/// How often a devnet node redials the peers it knows that are disconnected.
const REDIAL_EVERY: Duration = Duration::from_secs(1);

/// Redials every persisted peer of `node` that is disconnected, every [`REDIAL_EVERY`], until
/// `stop` flips. LDK Node's own loop redials once a minute: a peer that restarts (the LSP in a
/// crash test) would otherwise wait up to a minute for its channels to come back.
async fn keep_peers_connected(name: String, node: Arc<Node>, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            biased;
            _ = stop.changed() => return,
            () = tokio::time::sleep(REDIAL_EVERY) => {}
        }
        let disconnected: Vec<_> = node
            .list_peers()
            .into_iter()
            .filter(|p| p.is_persisted && !p.is_connected)
            .collect();
        for peer in disconnected {
            let dialled =
                blocking(&node, move |n| n.connect(peer.node_id, peer.address, true)).await;
            if let Ok(Ok(())) = dialled {
                tracing::debug!(node = %name, peer = %peer.node_id, "redialled");
            }
        }
    }
}

async fn pump_events(
    name: String,
    node: Arc<Node>,
    events: broadcast::Sender<Event>,
    mut stop: watch::Receiver<bool>,
) {
    tokio::spawn(keep_peers_connected(
        name.clone(),
        Arc::clone(&node),
        stop.clone(),
    ));
    loop {
        let event = tokio::select! {
            biased;
            _ = stop.changed() => break,
            event = node.next_event_async() => event,
        };
        tracing::debug!(node = %name, ?event, "event");
        // No subscriber is fine: the event is simply dropped.
        let _ = events.send(event);
        let node = Arc::clone(&node);
        // `event_handled` blocks (it persists the queue): keep it off the async workers.
        let handled = tokio::task::spawn_blocking(move || node.event_handled()).await;
        match handled {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(node = %name, error = %e, "event_handled failed"),
            Err(e) => {
                tracing::warn!(node = %name, error = %e, "event_handled task failed");
                break;
            }
        }
    }
}

/// Runs a blocking LDK Node call on the blocking pool, so async callers never stall a worker.
pub(crate) async fn blocking<T, F>(node: &Arc<Node>, f: F) -> Result<T, NodeError>
where
    T: Send + 'static,
    F: FnOnce(&Node) -> T + Send + 'static,
{
    let node = Arc::clone(node);
    tokio::task::spawn_blocking(move || f(&node))
        .await
        .map_err(|e| NodeError::io("spawn_blocking", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picked_ports_are_distinct() {
        let a = pick_free_port().unwrap();
        let b = pick_free_port().unwrap();
        assert_ne!(a, b);
        assert!(TcpListener::bind(("127.0.0.1", a)).is_ok());
    }

    #[test]
    fn socket_address_conversion() {
        let addr = to_socket_address(SocketAddr::from(([127, 0, 0, 1], 9735)));
        assert_eq!(addr.to_string(), "127.0.0.1:9735");
    }
}
