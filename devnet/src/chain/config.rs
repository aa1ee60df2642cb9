//! The chain server's configuration: where it listens, its RPC credentials, mining and storage.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

/// How to run a [`ChainServer`](super::ChainServer).
///
/// The defaults listen on free loopback ports, use `etrid`/`devnet` as RPC credentials, mine
/// only on demand and keep everything in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainConfig {
    /// Address of the bitcoind-compatible JSON-RPC server (`127.0.0.1:0` picks a free port).
    pub rpc_bind: SocketAddr,
    /// Address of the Esplora-compatible REST server (`127.0.0.1:0` picks a free port).
    pub esplora_bind: SocketAddr,
    /// HTTP Basic user the RPC server accepts.
    pub rpc_user: String,
    /// HTTP Basic password the RPC server accepts.
    pub rpc_password: String,
    /// Mine one block every interval when set; `None` mines only on demand.
    pub block_interval: Option<Duration>,
    /// Directory holding the block file; `None` keeps the chain in memory only.
    ///
    /// Blocks are appended as they are mined and replayed on start. The mempool is not saved:
    /// unconfirmed transactions are dropped on restart.
    pub data_dir: Option<PathBuf>,
}

impl Default for ChainConfig {
    fn default() -> Self {
        let loopback = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        ChainConfig {
            rpc_bind: loopback,
            esplora_bind: loopback,
            rpc_user: "etrid".to_string(),
            rpc_password: "devnet".to_string(),
            block_interval: None,
            data_dir: None,
        }
    }
}
