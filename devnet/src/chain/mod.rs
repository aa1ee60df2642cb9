//! A local regtest chain that LDK Node accepts as its bitcoind chain backend.
//!
//! [`ChainServer::start`] replays the block file (when `data_dir` is set) or starts from the
//! canonical regtest genesis, mines up to height 101 to the faucet (so its first coinbases are
//! mature), and serves:
//! - bitcoind's JSON-RPC subset LDK Node uses (`getblockchaininfo`, `getblockheader`,
//!   `getblock`, `getblockhash`, `estimatesmartfee`, `getmempoolinfo`, `getrawmempool`,
//!   `getmempoolentry`, `getrawtransaction`, `sendrawtransaction`, `gettxout`) plus
//!   `generatetoaddress`, `getblockcount`, `getbestblockhash`, `testmempoolaccept`,
//!   `decoderawtransaction`, `sendtoaddress`/`getnewaddress` (the faucet) and a few more, over
//!   HTTP/1.1 with Basic auth at [`ChainServer::rpc_addr`];
//! - an Esplora-compatible REST subset at [`ChainServer::esplora_url`].
//!
//! Blocks are real: proof of work at regtest difficulty, a BIP34 coinbase with a witness
//! commitment, exact chainwork. The mempool checks inputs, double spends (full RBF),
//! values, coinbase maturity, lock times (absolute and BIP68) and every input script with
//! libbitcoinconsensus, and answers with bitcoind's error codes. It accepts zero-fee
//! transactions and has no dust or package limits, so LDK's CPFP packages sent one by one pass.
//! Taproot script paths are not verified (libbitcoinconsensus 25 cannot).
//!
//! The mempool is not persisted: after a restart unconfirmed transactions are gone.

mod block;
mod config;
mod engine;
mod error;
mod esplora;
mod faucet;
mod locks;
mod mempool;
mod params;
mod rpc;
mod scripts;
mod server;
mod state;
mod store;
mod validate;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bitcoin::{Address, Amount, BlockHash, Script, ScriptBuf, Transaction, Txid};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::ChainConfig;
pub use error::ChainError;
pub use params::{COINBASE_MATURITY, INITIAL_BLOCKS, NETWORK};

use engine::Engine;
use server::Shared;

/// How long `shutdown` waits for the servers to finish in-flight requests.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A running chain server. Cloning gives another handle to the same server; the servers stop
/// on [`ChainServer::shutdown`] or when the last handle is dropped.
#[derive(Debug, Clone)]
pub struct ChainServer {
    inner: Arc<Handle>,
}

#[derive(Debug)]
struct Handle {
    shared: Arc<Shared>,
    rpc_addr: SocketAddr,
    esplora_addr: SocketAddr,
    stop: watch::Sender<bool>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl Drop for Handle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Binds `addr`, mapping failures to [`ChainError::Bind`].
async fn bind(addr: SocketAddr) -> Result<(TcpListener, SocketAddr), ChainError> {
    let bind_error = |e: std::io::Error| ChainError::Bind {
        addr,
        reason: e.to_string(),
    };
    let listener = TcpListener::bind(addr).await.map_err(bind_error)?;
    let mut local = listener.local_addr().map_err(bind_error)?;
    if local.ip().is_unspecified() {
        local.set_ip(Ipv4Addr::LOCALHOST.into());
    }
    Ok((listener, local))
}

/// Checks that `address` belongs to regtest.
fn regtest_script(address: &Address) -> Result<ScriptBuf, ChainError> {
    if address.as_unchecked().is_valid_for_network(NETWORK) {
        Ok(address.script_pubkey())
    } else {
        Err(ChainError::WrongNetwork {
            address: address.to_string(),
        })
    }
}

impl ChainServer {
    /// Opens the chain (replaying `config.data_dir` when set), mines to height
    /// [`INITIAL_BLOCKS`] to the faucet if it is lower, and starts the RPC and Esplora servers
    /// (and the block timer when `block_interval` is set). Must run inside a tokio runtime.
    pub async fn start(config: ChainConfig) -> Result<ChainServer, ChainError> {
        let (rpc_listener, rpc_addr) = bind(config.rpc_bind).await?;
        let (esplora_listener, esplora_addr) = bind(config.esplora_bind).await?;
        let engine = Engine::open(config.data_dir.as_deref())?;
        let shared = Arc::new(Shared::new(engine, config.rpc_user, config.rpc_password));
        let height = shared.lock().state.height();
        shared.mine(INITIAL_BLOCKS.saturating_sub(height), None)?;
        let (stop, rx) = watch::channel(false);
        let mut tasks = vec![
            server::spawn_http(rpc_listener, rpc::router(shared.clone()), rx.clone()),
            server::spawn_http(
                esplora_listener,
                esplora::router(shared.clone()),
                rx.clone(),
            ),
        ];
        if let Some(interval) = config.block_interval {
            tasks.push(server::spawn_miner(shared.clone(), interval, rx));
        }
        tracing::info!(%rpc_addr, %esplora_addr, "regtest chain server started");
        let handle = Handle {
            shared,
            rpc_addr,
            esplora_addr,
            stop,
            tasks: Mutex::new(tasks),
        };
        Ok(ChainServer {
            inner: Arc::new(handle),
        })
    }

    /// The JSON-RPC server's address (the real port; loopback when bound to all interfaces).
    pub fn rpc_addr(&self) -> SocketAddr {
        self.inner.rpc_addr
    }

    /// The JSON-RPC server's URL, `http://127.0.0.1:PORT`.
    pub fn rpc_url(&self) -> String {
        format!("http://{}", self.inner.rpc_addr)
    }

    /// The Esplora server's base URL, `http://127.0.0.1:PORT` (no trailing slash).
    pub fn esplora_url(&self) -> String {
        format!("http://{}", self.inner.esplora_addr)
    }

    /// The RPC user.
    pub fn rpc_user(&self) -> &str {
        &self.inner.shared.rpc_user
    }

    /// The RPC password.
    pub fn rpc_password(&self) -> &str {
        &self.inner.shared.rpc_password
    }

    /// Height of the tip.
    pub fn height(&self) -> u32 {
        self.inner.shared.lock().state.height()
    }

    /// Hash of the tip.
    pub fn tip_hash(&self) -> BlockHash {
        self.inner.shared.lock().state.tip().hash
    }

    /// The faucet's address (it also receives blocks mined with `to: None`).
    pub fn faucet_address(&self) -> Address {
        self.inner.shared.lock().faucet.address().clone()
    }

    /// What the faucet can spend now: its mature coinbases and confirmed change plus its
    /// unconfirmed change. Mine blocks to the faucet (`mine(n, None)`) to add 50 BTC (less after
    /// regtest halvings every 150 blocks) per block, spendable 100 blocks later.
    pub fn faucet_balance(&self) -> Amount {
        self.inner.shared.lock().faucet_balance()
    }

    /// Mines `blocks` blocks paying `to` (the faucet when `None`). Each block takes as much of
    /// the mempool as fits, parents before children. Returns the new blocks' hashes.
    pub fn mine(&self, blocks: u32, to: Option<&Address>) -> Result<Vec<BlockHash>, ChainError> {
        let payout = to.map(regtest_script).transpose()?;
        self.inner.shared.mine(blocks, payout)
    }

    /// Pays `amount` from the faucet to `address` with a signed P2WPKH transaction (payment is
    /// output 0, change output 1) and puts it in the mempool; mine to confirm it.
    pub fn fund(&self, address: &Address, amount: Amount) -> Result<Txid, ChainError> {
        let script = regtest_script(address)?;
        self.inner.shared.lock().fund(&script, amount)
    }

    /// Submits a transaction to the mempool exactly like `sendrawtransaction`.
    pub fn submit_transaction(&self, tx: &Transaction) -> Result<Txid, ChainError> {
        self.inner.shared.lock().submit(tx.clone())
    }

    /// A transaction from the chain or the mempool, with its confirmation height.
    pub fn transaction(&self, txid: &Txid) -> Option<(Transaction, Option<u32>)> {
        let engine = self.inner.shared.lock();
        engine
            .transaction(txid)
            .map(|(tx, height)| (tx.clone(), height))
    }

    /// The mempool's transaction ids, in arrival order.
    pub fn mempool_txids(&self) -> Vec<Txid> {
        self.inner
            .shared
            .lock()
            .pool
            .ordered()
            .map(|e| e.txid)
            .collect()
    }

    /// Sum of the confirmed unspent outputs paying `script`.
    pub fn balance_of(&self, script: &Script) -> Amount {
        self.inner.shared.lock().state.balance(script)
    }

    /// Stops the servers and the block timer, waiting up to five seconds for in-flight
    /// requests. Other handles keep the chain state but serve nothing.
    pub async fn shutdown(self) {
        let _ = self.inner.stop.send(true);
        let tasks = std::mem::take(
            &mut *self
                .inner
                .tasks
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        for task in tasks {
            let abort = task.abort_handle();
            if tokio::time::timeout(SHUTDOWN_GRACE, task).await.is_err() {
                abort.abort();
            }
        }
    }
}
