//! One LND process on the devnet chain: where its binary is, how it is started (bitcoind
//! backend in polling mode against the chain server, wallet made without a seed backup, REST on
//! loopback without TLS), how long it may take to be ready, and how it is stopped.

use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::super::models::ChainInfo;
use super::super::peer::pick_free_port;
use super::super::NodeError;
use super::rest::LndRest;

/// The LND release the devnet, the interop tests and the benchmark use (what
/// `devnet/lnd/build-lnd.sh` builds).
pub const LND_VERSION: &str = "v0.20.2-beta";

/// How long LND may take from its start to a synced wallet answering on REST.
const START_TIMEOUT: Duration = Duration::from_secs(90);

/// How long a stop request may take before the process is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(15);

/// The `lnd` binary to run: `explicit` if given, else `$ETRID_LND` (the binary), else
/// `$ETRID_LND_DIR/lnd`, else `~/.cache/etrid-lnd/<LND_VERSION>/lnd` (where
/// `devnet/lnd/build-lnd.sh` puts it).
///
/// # Errors
/// [`NodeError::InvalidConfig`] naming the path looked at and how to build LND.
pub fn find_lnd_binary(explicit: Option<&Path>) -> Result<PathBuf, NodeError> {
    let path = match explicit {
        Some(path) => path.to_path_buf(),
        None => match (
            std::env::var_os("ETRID_LND"),
            std::env::var_os("ETRID_LND_DIR"),
        ) {
            (Some(binary), _) => PathBuf::from(binary),
            (None, Some(dir)) => PathBuf::from(dir).join("lnd"),
            (None, None) => {
                let home = std::env::var_os("HOME").ok_or_else(|| NodeError::InvalidConfig {
                    reason: "HOME is not set: cannot find ~/.cache/etrid-lnd (set ETRID_LND)"
                        .to_owned(),
                })?;
                PathBuf::from(home)
                    .join(".cache/etrid-lnd")
                    .join(LND_VERSION)
                    .join("lnd")
            }
        },
    };
    if path.is_file() {
        Ok(path)
    } else {
        Err(NodeError::InvalidConfig {
            reason: format!(
                "no lnd binary at {}: build it with devnet/lnd/build-lnd.sh (about 5 minutes), \
                 or set ETRID_LND to an lnd {LND_VERSION} binary",
                path.display()
            ),
        })
    }
}

/// A running LND node of the devnet. Dropping it kills the process; [`LndNode::stop`] asks LND
/// to shut down cleanly first.
pub struct LndNode {
    name: String,
    dir: PathBuf,
    p2p: std::net::SocketAddr,
    node_id: String,
    rest: LndRest,
    /// The watchdog shell running LND.
    child: Mutex<Option<Child>>,
    /// The write end of the watchdog's standard input: closing it stops LND.
    lifeline: Mutex<Option<ChildStdin>>,
}

impl std::fmt::Debug for LndNode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LndNode")
            .field("name", &self.name)
            .field("node_id", &self.node_id)
            .field("p2p", &self.p2p)
            .field("rest", &self.rest.base_url())
            .finish()
    }
}

impl LndNode {
    /// Starts `binary` as node `name` with its state in `dir`, against the chain of `chain`,
    /// and returns once its server is active (every RPC served) and its wallet is synced to
    /// the chain. The same `dir`
    /// again restarts the same node (wallet, channels).
    ///
    /// # Errors
    /// [`NodeError::Io`] (directory, spawn), [`NodeError::Lnd`] when LND exits or is not
    /// ready within 90 s (with the end of its output).
    pub async fn start(
        name: &str,
        binary: &Path,
        dir: &Path,
        chain: &ChainInfo,
    ) -> Result<LndNode, NodeError> {
        std::fs::create_dir_all(dir).map_err(|e| NodeError::io("create LND dir", e))?;
        let (p2p, rpc, rest) = (pick_free_port()?, pick_free_port()?, pick_free_port()?);
        let output = std::fs::File::create(dir.join("lnd.out"))
            .map_err(|e| NodeError::io("create lnd.out", e))?;
        let errors = output
            .try_clone()
            .map_err(|e| NodeError::io("clone lnd.out", e))?;
        // LND runs under a small shell that holds the read end of a pipe only this process
        // writes: when this process ends by any means (a static fixture is never dropped, a
        // kill skips destructors), the pipe closes and the shell stops LND. The shell exits
        // when LND does.
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(WATCHDOG)
            .arg("etrid-lnd")
            .arg(binary)
            .arg(format!("--lnddir={}", dir.display()))
            .args(lnd_args(name, chain, p2p, rpc, rest))
            .stdin(Stdio::piped())
            .stdout(output)
            .stderr(errors)
            .spawn()
            .map_err(|e| NodeError::io(&format!("start {}", binary.display()), e))?;
        let lifeline = child.stdin.take();
        let macaroon_path = dir.join("data/chain/bitcoin/regtest/admin.macaroon");
        let mut node = LndNode {
            name: name.to_owned(),
            dir: dir.to_path_buf(),
            p2p: std::net::SocketAddr::from(([127, 0, 0, 1], p2p)),
            node_id: String::new(),
            rest: LndRest::new(name, format!("http://127.0.0.1:{rest}"), String::new())?,
            child: Mutex::new(Some(child)),
            lifeline: Mutex::new(lifeline),
        };
        let deadline = Instant::now() + START_TIMEOUT;
        let macaroon = loop {
            node.check_running()?;
            if let Ok(bytes) = std::fs::read(&macaroon_path) {
                if !bytes.is_empty() {
                    break bytes;
                }
            }
            if Instant::now() > deadline {
                return Err(node.failed("start", "no admin macaroon after 90 s"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        use bitcoin::hex::DisplayHex;
        node.rest = LndRest::new(
            name,
            format!("http://127.0.0.1:{rest}"),
            macaroon.to_lower_hex_string(),
        )?;
        let info = loop {
            node.check_running()?;
            let active = matches!(node.rest.state().await.as_deref(), Ok("SERVER_ACTIVE"));
            match node.rest.get_info().await {
                Ok(info) if active && info.synced_to_chain && info.block_height >= chain.height => {
                    break info;
                }
                Ok(_) | Err(_) if Instant::now() > deadline => {
                    return Err(node.failed("start", "not synced to the chain after 90 s"));
                }
                Ok(_) | Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        node.node_id = info.identity_pubkey;
        tracing::debug!(node = name, node_id = %node.node_id, "LND started");
        Ok(node)
    }

    /// The node's devnet name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The node's public key, hex.
    pub fn node_id(&self) -> &str {
        &self.node_id
    }

    /// Where it listens for Lightning peers.
    pub fn p2p_addr(&self) -> std::net::SocketAddr {
        self.p2p
    }

    /// `pubkey@127.0.0.1:port`.
    pub fn uri(&self) -> String {
        format!("{}@{}", self.node_id, self.p2p)
    }

    /// Its REST API (admin macaroon).
    pub fn rest(&self) -> &LndRest {
        &self.rest
    }

    /// Its state directory (`lnd.out` holds its console output, `logs/` its log).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Asks LND to stop, waits up to 15 s, then kills it.
    pub async fn stop(&self) {
        if let Err(e) = self.rest.stop().await {
            tracing::debug!(node = %self.name, error = %e, "LND stop request failed");
        }
        let deadline = Instant::now() + STOP_TIMEOUT;
        loop {
            let exited = {
                let mut child = self.child.lock().unwrap_or_else(|p| p.into_inner());
                match child.as_mut().map(Child::try_wait) {
                    None | Some(Ok(Some(_))) | Some(Err(_)) => true,
                    Some(Ok(None)) if Instant::now() > deadline => {
                        tracing::warn!(node = %self.name, "LND did not stop in time; killed");
                        true
                    }
                    Some(Ok(None)) => false,
                }
            };
            if exited {
                self.kill();
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Fails with the end of LND's output when the process has exited.
    fn check_running(&self) -> Result<(), NodeError> {
        let mut child = self.child.lock().unwrap_or_else(|p| p.into_inner());
        match child.as_mut().map(Child::try_wait) {
            Some(Ok(None)) => Ok(()),
            Some(Ok(Some(status))) => {
                drop(child);
                Err(self.failed("start", &format!("lnd exited ({status})")))
            }
            Some(Err(e)) => Err(NodeError::io("wait for lnd", e)),
            None => Err(self.failed("start", "lnd was stopped")),
        }
    }

    /// A start failure with the last lines LND printed.
    fn failed(&self, operation: &str, what: &str) -> NodeError {
        let output = std::fs::read_to_string(self.dir.join("lnd.out")).unwrap_or_default();
        let tail: Vec<&str> = output.lines().rev().take(8).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        NodeError::Lnd {
            node: self.name.clone(),
            operation: operation.to_owned(),
            message: format!("{what}; its output ends with: {}", tail.join(" | ")),
        }
    }

    /// Closes the lifeline (the watchdog then sends LND SIGTERM) and waits up to 15 s for
    /// the watchdog to exit with LND; then kills LND (its pid is in `lnd.pid`) and the shell.
    fn kill(&self) {
        drop(
            self.lifeline
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .take(),
        );
        let mut child = self.child.lock().unwrap_or_else(|p| p.into_inner());
        let Some(mut process) = child.take() else {
            return;
        };
        let deadline = Instant::now() + STOP_TIMEOUT;
        while matches!(process.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        if matches!(process.try_wait(), Ok(None)) {
            if let Ok(pid) = std::fs::read_to_string(self.dir.join("lnd.pid")) {
                let _ = Command::new("kill").args(["-9", pid.trim()]).status();
            }
            let _ = process.kill();
        }
        let _ = process.wait();
    }
}

impl Drop for LndNode {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The watchdog: runs LND (`$1`, with the remaining arguments) in the background, writes its
/// pid to `lnd.pid` beside its state, stops it when standard input closes, exits when it exits.
/// (A background job's standard input is /dev/null in a non-interactive shell, so the pipe is
/// kept on descriptor 3 for the job that watches it.)
const WATCHDOG: &str = r#"exec 3<&0
bin="$1"; shift
"$bin" "$@" 3<&- &
pid=$!
dir="${1#--lnddir=}"
echo "$pid" >"$dir/lnd.pid"
( cat <&3 >/dev/null; kill "$pid" 2>/dev/null ) &
exec 3<&-
wait "$pid""#;

/// LND's command line on the devnet: regtest, the chain server as its bitcoind (RPC polling,
/// no ZMQ; polled every 50 ms so blocks and mempool transactions are seen at once), a wallet
/// without a seed backup, peers, gRPC and REST on loopback (REST without TLS: the devnet is
/// loopback only), keysend accepted, gossip sent at once, no bootstrap from DNS seeds.
fn lnd_args(name: &str, chain: &ChainInfo, p2p: u16, rpc: u16, rest: u16) -> Vec<String> {
    [
        "--bitcoin.regtest".to_owned(),
        "--bitcoin.node=bitcoind".to_owned(),
        format!("--bitcoind.rpchost={}:{}", chain.rpc_host, chain.rpc_port),
        format!("--bitcoind.rpcuser={}", chain.rpc_user),
        format!("--bitcoind.rpcpass={}", chain.rpc_password),
        "--bitcoind.rpcpolling".to_owned(),
        "--bitcoind.blockpollinginterval=50ms".to_owned(),
        "--bitcoind.txpollinginterval=50ms".to_owned(),
        "--noseedbackup".to_owned(),
        "--nobootstrap".to_owned(),
        format!("--alias={name}"),
        format!("--listen=127.0.0.1:{p2p}"),
        format!("--externalip=127.0.0.1:{p2p}"),
        format!("--rpclisten=127.0.0.1:{rpc}"),
        format!("--restlisten=127.0.0.1:{rest}"),
        "--no-rest-tls".to_owned(),
        "--accept-keysend".to_owned(),
        "--trickledelay=50".to_owned(),
        "--maxpendingchannels=16".to_owned(),
        "--debuglevel=info".to_owned(),
    ]
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_binary_names_the_build_script() {
        let error = find_lnd_binary(Some(Path::new("/nonexistent/lnd"))).unwrap_err();
        let text = error.to_string();
        assert!(text.contains("/nonexistent/lnd"), "{text}");
        assert!(text.contains("build-lnd.sh"), "{text}");
    }
}
