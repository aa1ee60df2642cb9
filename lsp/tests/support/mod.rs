//! The end-to-end harness: a devnet in this process, the real `etrid-lsp` binary as a child
//! process on it (its own LDK node, SQLite or PostgreSQL), channels from both devnet routers
//! to the LSP node, and SDK clients (`LspClient` over the native transport) per account.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use etrid_core::lsp::{CreateInvoiceRequest, LspClient, LspConfig, WaitOutcome};
use etrid_core::native::{ReqwestTransport, TokioTimer};
use etrid_core::network::Network;
use etrid_devnet::nodes::{
    Devnet, DevnetConfig, FundRequest, InvoiceRequest, OpenExternalRequest, PayRequest,
    EXTERNAL_NODE_FUNDING_SATS,
};

mod proxy;
pub mod swaps;
#[allow(unused_imports)]
pub use proxy::Proxy;

/// The SDK client the tests use.
pub type Client = LspClient<ReqwestTransport, TokioTimer>;

/// Capacity of each router → LSP channel, sats.
pub const LSP_CHANNEL_SATS: u64 = 2_000_000;

/// Capacity of each LND → LSP channel, sats (two per LND node; half pushed to the LSP).
#[allow(dead_code)]
pub const LND_CHANNEL_SATS: u64 = 1_000_000;

/// An account on the LSP: its id and admin key.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub admin_key: String,
}

/// A running LSP process. It was started with `--exit-on-stdin-eof` and this holds the write
/// end of its standard input: when the test process ends, however (a static harness is never
/// dropped; a panic or a kill skips destructors), the pipe closes and the server stops.
pub struct LspProcess {
    child: Child,
    stdin: Option<std::process::ChildStdin>,
    pub api: String,
    pub node_id: String,
    pub ldk_listen: String,
    /// An address of the LSP node's on-chain wallet (from its ready line).
    pub onchain_address: String,
}

impl Drop for LspProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl LspProcess {
    /// Kills the process at once (SIGKILL: no clean shutdown).
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Everything a test needs.
pub struct Harness {
    pub devnet: Devnet,
    pub dir: tempfile::TempDir,
    pub lsp: Option<LspProcess>,
    pub accounts: Vec<Account>,
    pub extra_args: Vec<String>,
    /// The PostgreSQL URL (own schema) when `ETRID_LSP_TEST_DATABASE_URL` is set; SQLite else.
    pub database_url: Option<String>,
    ldk_port: u16,
    /// Whether the LSP serves swaps (with the devnet's Esplora as its chain source for them).
    swaps: bool,
    /// The API port, kept across restarts so clients reconnect to the same URL.
    api_port: u16,
    /// Removes `dir` (the LSP's and the devnet's state) once this process ends, however it
    /// ends: see [`Reaper`].
    reaper: Reaper,
}

/// A `sh` child holding the read end of a pipe whose write end only this process has. When the
/// process ends by any means (a static harness is never dropped; a panic or a kill skips
/// destructors), the pipe closes, and the reaper waits for the LSP (stopped by its own closed
/// stdin) to exit and removes the directory.
struct Reaper {
    _child: Child,
    stdin: Option<std::process::ChildStdin>,
}

impl Reaper {
    fn watch(dir: &Path) -> Reaper {
        let script = r#"cat >/dev/null
i=0
while [ -f "$1/lsp.pid" ] && kill -0 "$(cat "$1/lsp.pid")" 2>/dev/null && [ $i -lt 300 ]; do
  sleep 0.1; i=$((i+1))
done
rm -rf "$1""#;
        let mut child = Command::new("sh")
            .args(["-c", script, "etrid-e2e-reaper"])
            .arg(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("sh starts");
        let stdin = child.stdin.take().unwrap();
        Reaper {
            _child: child,
            stdin: Some(stdin),
        }
    }
}

/// A fresh schema in the PostgreSQL database at `base`, as a URL whose connections use it.
async fn postgres_schema(base: &str) -> String {
    let mut id = [0u8; 8];
    getrandom::fill(&mut id).unwrap();
    let schema = format!(
        "e2e_{}",
        id.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    let (client, conn) = tokio_postgres::connect(base, tokio_postgres::NoTls)
        .await
        .expect("PostgreSQL reachable");
    tokio::spawn(conn);
    client
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .await
        .unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}options=-c%20search_path%3D{schema}")
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_etrid-lsp")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn init_tracing() {
    if std::env::var_os("RUST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_test_writer()
            .try_init();
    }
}

impl Harness {
    /// A devnet, an LSP with `accounts` accounts, channels router1/router2 → LSP, and the LSP's
    /// graph synced (a probe payment through it succeeds).
    pub async fn start(accounts: usize) -> Harness {
        Self::start_with(accounts, Vec::new()).await
    }

    /// As [`start`](Self::start), with extra `etrid-lsp run` flags.
    pub async fn start_with(accounts: usize, extra_args: Vec<String>) -> Harness {
        Self::start_full(accounts, extra_args, 0, false).await
    }

    /// As [`start_with`](Self::start_with), the LSP serving swaps through the devnet's Esplora.
    #[allow(dead_code)]
    pub async fn start_with_swaps(accounts: usize, extra_args: Vec<String>) -> Harness {
        Self::start_full(accounts, extra_args, 0, true).await
    }

    /// As [`start`](Self::start), plus `lnd_nodes` LND nodes (`lnd1`, …) on the devnet, each
    /// with two channels of [`LND_CHANNEL_SATS`] to the LSP (half pushed to it, so payments flow
    /// both ways and a payment larger than either channel goes multi-path).
    #[allow(dead_code)]
    pub async fn start_with_lnd(accounts: usize, lnd_nodes: usize) -> Harness {
        Self::start_full(accounts, Vec::new(), lnd_nodes, false).await
    }

    async fn start_full(
        accounts: usize,
        extra_args: Vec<String>,
        lnd_nodes: usize,
        swaps: bool,
    ) -> Harness {
        init_tracing();
        let dir = tempfile::tempdir().unwrap();
        let reaper = Reaper::watch(dir.path());
        let devnet = Devnet::start(DevnetConfig {
            control_bind: None,
            data_dir: Some(dir.path().join("devnet")),
            lnd_nodes,
            ..DevnetConfig::default()
        })
        .await
        .expect("devnet starts");
        let database_url = match std::env::var("ETRID_LSP_TEST_DATABASE_URL") {
            Ok(base) => Some(postgres_schema(&base).await),
            Err(_) => None,
        };
        let mut h = Harness {
            database_url,
            devnet,
            dir,
            lsp: None,
            accounts: Vec::new(),
            extra_args,
            ldk_port: free_port(),
            swaps,
            api_port: free_port(),
            reaper,
        };
        for i in 0..accounts {
            let account = h.create_account(&format!("account-{i}"));
            h.accounts.push(account);
        }
        h.spawn_lsp();
        h.fund_lsp_onchain().await;
        h.open_channels().await;
        if lnd_nodes > 0 {
            h.open_lnd_channels().await;
        }
        h
    }

    /// Each LND node opens two channels to the LSP, then waits until both are active at LND
    /// and usable at the LSP.
    async fn open_lnd_channels(&self) {
        let lsp = self.lsp.as_ref().unwrap();
        let api = self.devnet.api();
        for lnd in api.lnd_nodes() {
            for _ in 0..2 {
                api.open_lnd_channel(
                    lnd.name(),
                    &lsp.node_id,
                    &lsp.ldk_listen,
                    LND_CHANNEL_SATS,
                    LND_CHANNEL_SATS / 2,
                    false,
                )
                .await
                .expect("LND opens a channel to the LSP");
            }
            api.confirm_lnd_channels(lnd.name(), &lsp.node_id, 2, Duration::from_secs(120))
                .await
                .expect("LND's channels to the LSP become active");
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        for lnd in api.lnd_nodes() {
            loop {
                let usable = self
                    .admin(0)
                    .list_channels()
                    .await
                    .unwrap()
                    .items
                    .iter()
                    .filter(|c| c.is_usable && c.counterparty_node_id.to_string() == lnd.node_id())
                    .count();
                if usable >= 2 {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "the LSP never saw {}'s channels usable",
                    lnd.name()
                );
                api.mine(1).await.unwrap();
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        }
    }

    fn base_args(&self) -> Vec<String> {
        let mut args = vec![
            "--data-dir".to_owned(),
            self.data_dir().display().to_string(),
        ];
        if let Some(url) = &self.database_url {
            args.push("--database-url".into());
            args.push(url.clone());
        }
        args
    }

    /// The LSP's data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("lsp")
    }

    /// Creates an account with the CLI (`etrid-lsp create-account`).
    pub fn create_account(&self, label: &str) -> Account {
        let out = Command::new(bin())
            .args(self.base_args())
            .args(["create-account", "--label", label])
            .output()
            .expect("etrid-lsp runs");
        assert!(
            out.status.success(),
            "create-account failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        Account {
            id: v["account_id"].as_str().unwrap().to_owned(),
            admin_key: v["admin_key"].as_str().unwrap().to_owned(),
        }
    }

    /// Starts (or restarts) the LSP process and waits for its ready line.
    pub fn spawn_lsp(&mut self) {
        let info = self.devnet.api().info();
        let rpc = info.chain_rpc_url.replacen(
            "http://",
            &format!("http://{}:{}@", info.rpc_user, info.rpc_password),
            1,
        );
        let log = std::fs::File::create(self.dir.path().join("lsp.stderr.log")).unwrap();
        let mut child = Command::new(bin())
            .args(self.base_args())
            .args([
                "--network",
                "regtest",
                "--bitcoind-rpc",
                &rpc,
                "--ldk-listen",
                &format!("127.0.0.1:{}", self.ldk_port),
                "--api-bind",
                &format!("127.0.0.1:{}", self.api_port),
            ])
            .args(&self.extra_args)
            .args(if self.swaps {
                vec!["--swap-esplora-url".to_owned(), info.esplora_url.clone()]
            } else {
                Vec::new()
            })
            .args(["run", "--exit-on-stdin-eof"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .expect("etrid-lsp starts");
        let stdin = child.stdin.take().unwrap();
        std::fs::write(self.dir.path().join("lsp.pid"), child.id().to_string()).unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        assert!(
            !line.is_empty(),
            "etrid-lsp exited before it was ready; see {}",
            self.dir.path().join("lsp.stderr.log").display()
        );
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        self.lsp = Some(LspProcess {
            child,
            stdin: Some(stdin),
            api: v["api"].as_str().unwrap().to_owned(),
            node_id: v["node_id"].as_str().unwrap().to_owned(),
            ldk_listen: v["ldk_listen"].as_str().unwrap().to_owned(),
            onchain_address: v["onchain_address"].as_str().unwrap().to_owned(),
        });
    }

    /// Closes the LSP's standard input, as the end of this process would.
    pub fn close_lsp_stdin(&mut self) {
        if let Some(p) = self.lsp.as_mut() {
            p.stdin.take();
        }
    }

    /// Whether the LSP process has exited.
    pub fn lsp_exited(&mut self) -> bool {
        self.lsp
            .as_mut()
            .is_none_or(|p| p.child.try_wait().ok().flatten().is_some())
    }

    /// Closes the reaper's standard input, as the end of this process would: it then removes
    /// the state directory.
    pub fn close_reaper(&mut self) {
        self.reaper.stdin.take();
    }

    /// Kills the LSP process (no clean shutdown).
    pub fn kill_lsp(&mut self) {
        if let Some(p) = self.lsp.take() {
            p.kill();
        }
    }

    /// The LSP's API base URL.
    pub fn api(&self) -> String {
        self.lsp.as_ref().expect("LSP running").api.clone()
    }

    /// The LSP's node id.
    pub fn node_id(&self) -> String {
        self.lsp.as_ref().expect("LSP running").node_id.clone()
    }

    /// Funds the LSP node's on-chain wallet with [`EXTERNAL_NODE_FUNDING_SATS`] (confirmed) and
    /// waits until the LSP reports them spendable, so the channels opened to it next are anchor
    /// channels, as a production LSP's are.
    async fn fund_lsp_onchain(&self) {
        let lsp = self.lsp.as_ref().unwrap();
        self.devnet
            .api()
            .fund(&FundRequest {
                address: lsp.onchain_address.clone(),
                amount_sats: EXTERNAL_NODE_FUNDING_SATS,
                confirm: Some(true),
            })
            .await
            .expect("the devnet funds the LSP");
        let operator = self.client(&self.create_account("harness operator").admin_key);
        let want = EXTERNAL_NODE_FUNDING_SATS * 1000;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let liquidity = operator.liquidity().await.expect("liquidity");
            if liquidity.onchain_spendable_msat.as_u64() >= want {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the LSP never saw its on-chain funds: {liquidity:?}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn open_channels(&self) {
        let lsp = self.lsp.as_ref().unwrap();
        let opened = self
            .devnet
            .api()
            .open_channels_to(&OpenExternalRequest {
                node_id: lsp.node_id.clone(),
                address: lsp.ldk_listen.clone(),
                from: vec!["router1".into(), "router2".into()],
                capacity_sats: LSP_CHANNEL_SATS,
                push_msat: LSP_CHANNEL_SATS * 1000 / 2,
                announce: true,
                timeout_secs: None,
            })
            .await
            .expect("channels to the LSP open");
        assert_eq!(opened.len(), 2);
    }

    /// An SDK client with `key`.
    pub fn client(&self, key: &str) -> Client {
        let mut config = LspConfig::new(self.api(), key, Network::Regtest);
        config.request_timeout = Duration::from_secs(30);
        etrid_core::native::client(config).expect("client")
    }

    /// The admin client of account `i`.
    pub fn admin(&self, i: usize) -> Client {
        self.client(&self.accounts[i].admin_key)
    }

    /// Pays `bolt11` from devnet node `payer` and returns the devnet's outcome.
    pub async fn devnet_pay(
        &self,
        payer: &str,
        bolt11: &str,
    ) -> etrid_devnet::nodes::PaymentOutcome {
        self.devnet
            .api()
            .pay_invoice(
                payer,
                &PayRequest {
                    invoice: bolt11.to_owned(),
                    amount_msat: None,
                    timeout_secs: Some(60),
                },
            )
            .await
            .expect("devnet payment succeeds")
    }

    /// A BOLT11 invoice from devnet node `name`.
    pub fn devnet_invoice(&self, name: &str, amount_msat: Option<u64>) -> String {
        self.devnet
            .api()
            .create_invoice(
                name,
                &InvoiceRequest {
                    amount_msat,
                    description: Some("from the devnet".into()),
                    expiry_secs: Some(3600),
                },
            )
            .expect("devnet invoice")
            .invoice
    }

    /// Credits account `i` with `amount_msat` by having `alice` pay an invoice of it, and waits
    /// for the credit.
    pub async fn fund_account(&self, i: usize, amount_msat: u64) {
        let client = self.admin(i);
        let inv = client
            .create_invoice(CreateInvoiceRequest {
                amount_msat: Some(etrid_core::amount::Msat::from_msat(amount_msat)),
                description: Some("funding".into()),
                ..CreateInvoiceRequest::default()
            })
            .await
            .expect("invoice");
        self.devnet_pay("alice", &inv.bolt11).await;
        match client
            .wait_for_payment(&inv.id, Duration::from_secs(30))
            .await
            .unwrap()
        {
            WaitOutcome::Paid(_) => {}
            other => panic!("funding invoice not paid: {other:?}"),
        }
    }

    /// Waits until the LSP node can route to `name` (its graph has synced): probes with small
    /// payments from account `i` until one succeeds.
    pub async fn wait_route_to(&self, i: usize, name: &str) {
        let client = self.admin(i);
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut n = 0;
        loop {
            n += 1;
            let bolt11 = self.devnet_invoice(name, Some(1_000));
            let prepared = client
                .prepare_pay_invoice(etrid_core::lsp::PayInvoiceRequest {
                    bolt11,
                    idempotency_key: format!("probe-{name}-{n}"),
                    ..Default::default()
                })
                .unwrap();
            let p = client.pay(prepared).await.unwrap();
            let done = wait_payment(&client, &p.id, Duration::from_secs(30)).await;
            if done.status == etrid_core::lsp::PaymentStatus::Succeeded {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the LSP never found a route to {name}"
            );
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}

/// Every event of the account `client` acts for, oldest first (all pages).
#[allow(dead_code)]
pub async fn all_events(client: &Client) -> Vec<etrid_core::lsp::LspEvent> {
    let mut events: Vec<etrid_core::lsp::LspEvent> = Vec::new();
    loop {
        let page = client
            .list_events(etrid_core::lsp::ListEventsRequest {
                after: events.last().map(|e| e.id),
                limit: Some(100),
            })
            .await
            .expect("events page");
        events.extend(page.items);
        if !page.has_more {
            return events;
        }
    }
}

/// Every ledger entry of the account `client` acts for, newest first (all pages).
#[allow(dead_code)]
pub async fn all_ledger(client: &Client) -> Vec<etrid_core::lsp::LedgerEntry> {
    let mut entries = Vec::new();
    let mut cursor = None;
    loop {
        let page = client
            .list_ledger(etrid_core::lsp::ListLedgerRequest {
                limit: Some(100),
                cursor,
                ..etrid_core::lsp::ListLedgerRequest::default()
            })
            .await
            .expect("ledger page");
        entries.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return entries,
        }
    }
}

/// Polls a payment until it is no longer pending.
pub async fn wait_payment(
    client: &Client,
    id: &str,
    timeout: Duration,
) -> etrid_core::lsp::LspPayment {
    let deadline = Instant::now() + timeout;
    loop {
        let p = client.get_payment(id).await.unwrap();
        if p.status != etrid_core::lsp::PaymentStatus::Pending {
            return p;
        }
        assert!(Instant::now() < deadline, "payment {id} still pending");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Reads a file to a string (test logs).
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// One runtime for every test of a binary, so a shared harness outlives each test.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(4)
            .enable_all()
            .build()
            .unwrap()
    })
}

/// Runs `f` on the shared runtime.
pub fn run<F: std::future::Future>(f: F) -> F::Output {
    runtime().block_on(f)
}

/// The first event of `ty` for `pred` from a subscription, within `timeout`.
pub async fn next_event<T: etrid_core::transport::Transport, M: etrid_core::timer::Timer>(
    sub: &mut etrid_core::lsp::EventSubscription<T, M>,
    timeout: Duration,
    mut pred: impl FnMut(&etrid_core::lsp::LspEvent) -> bool,
) -> etrid_core::lsp::LspEvent {
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "timed out waiting for an event");
        match tokio::time::timeout(left, sub.next()).await {
            Ok(Ok(ev)) if pred(&ev) => return ev,
            Ok(Ok(_)) => {}
            Ok(Err(e)) => panic!("event stream failed: {e}"),
            Err(_) => panic!("timed out waiting for an event"),
        }
    }
}
