//! A real Lightning network with an Étrid LSP on it, for test runners in other languages: the
//! npm package's Node and Chromium tests, the C ABI's C++ and C# tests, the engine plugins.
//! It starts the devnet (with its control API, through which a test has devnet wallets pay
//! invoices or send keysends), the LSP on it (its own LDK node, SQLite, HTTP API), channels from
//! both routers to the LSP, and accounts with an admin and an invoice key each, optionally
//! funded; then it tells the runner where everything is as one JSON line ([`FixtureInfo`]).
//!
//! The binary `lsp-fixture` runs it until its standard input closes, so a runner that holds
//! the pipe cannot leave it behind, however the runner ends.

use std::time::{Duration, Instant};

use etrid_core::amount::Msat;
use etrid_core::lsp::{
    ApiKeyScope, CreateApiKeyRequest, CreateInvoiceRequest, LspConfig, PayInvoiceRequest,
    PaymentStatus,
};
use etrid_core::network::Network;
use etrid_devnet::nodes::{
    Devnet, DevnetConfig, InvoiceRequest, OpenExternalRequest, PayRequest, PaymentOutcome,
    EXTERNAL_NODE_FUNDING_SATS,
};
use etrid_lsp::{Options, Server};
use serde::Serialize;

use crate::devnet_demo::DemoError;

/// The SDK client the fixture uses for set-up.
type Client = etrid_core::lsp::LspClient<
    etrid_core::native::ReqwestTransport,
    etrid_core::native::TokioTimer,
>;

/// Capacity of each router → LSP channel, in sats (half pushed to the LSP's side).
const LSP_CHANNEL_SATS: u64 = 2_000_000;

/// What the route-probing account is funded with: room for many 1-sat probes and their fees.
const PROBE_FUNDS_MSAT: u64 = 1_000_000;

/// What a runner asks for.
#[derive(Debug, Clone, Default)]
pub struct FixtureOptions {
    /// How many accounts to create.
    pub accounts: usize,
    /// Credit each account with this much (paid by the devnet wallet `alice`); 0: none. With
    /// funds, the LSP's routes to `alice` and `bob` are also probed (from an account of the
    /// fixture's own) until payments go through.
    pub fund_msat: u64,
    /// Extra `etrid-lsp` options (rate limits, …); `None` fields keep the defaults.
    pub lsp: Options,
}

/// One account of the fixture.
#[derive(Debug, Clone, Serialize)]
pub struct FixtureAccount {
    /// The account id.
    pub id: String,
    /// A key with the admin scope (pay, hold invoices, keys, webhooks).
    pub admin_key: String,
    /// A key with the invoice scope (what a game client holds).
    pub invoice_key: String,
}

/// Where everything is: printed by `lsp-fixture` as one JSON line.
#[derive(Debug, Clone, Serialize)]
pub struct FixtureInfo {
    /// The LSP's API base URL (`http://127.0.0.1:PORT`).
    pub api: String,
    /// The devnet control API's base URL (`POST {control}/v1/nodes/alice/pay`, …).
    pub control: String,
    /// The LSP's node id.
    pub lsp_node_id: String,
    /// The network (`regtest`).
    pub network: String,
    /// The accounts, in creation order.
    pub accounts: Vec<FixtureAccount>,
}

/// A running fixture; [`Fixture::shutdown`] stops it and removes its state.
pub struct Fixture {
    devnet: Devnet,
    server: Server,
    /// The LSP's state; removed when dropped.
    _dir: tempfile::TempDir,
    /// Where everything is.
    pub info: FixtureInfo,
}

impl std::fmt::Debug for Fixture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fixture").field("info", &self.info).finish()
    }
}

impl Fixture {
    /// Starts the devnet, the LSP, the channels and the accounts. Needs a multi-thread tokio
    /// runtime.
    ///
    /// # Errors
    /// Whatever step failed, with its reason.
    pub async fn start(options: FixtureOptions) -> Result<Fixture, DemoError> {
        Fixture::start_telling(options, &mut |_| {}).await
    }

    /// As [`Fixture::start`], telling `progress` what it is doing, step by step (the devnet
    /// demo prints it).
    ///
    /// # Errors
    /// Whatever step failed, with its reason.
    pub async fn start_telling(
        options: FixtureOptions,
        progress: &mut dyn FnMut(&str),
    ) -> Result<Fixture, DemoError> {
        progress("1/6 starting the devnet: regtest chain + alice, bob, router1, router2 …");
        let devnet = Devnet::start(DevnetConfig::default()).await?;
        let control = devnet
            .control_url()
            .ok_or("the devnet control API did not start")?;
        let chain = devnet.api().chain_info();
        let dir = tempfile::tempdir()?;
        progress("2/6 starting the Étrid LSP (LDK Node, SQLite, HTTP API on loopback) …");
        let listen = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
        let lsp_options = Options {
            network: Some(Network::Regtest),
            data_dir: Some(dir.path().join("lsp")),
            bitcoind_rpc: Some(format!(
                "http://{}:{}@{}:{}",
                chain.rpc_user, chain.rpc_password, chain.rpc_host, chain.rpc_port
            )),
            ldk_listen: Some(listen),
            api_bind: Some("127.0.0.1:0".parse()?),
            ..options.lsp.clone()
        };
        let server = Server::start(lsp_options.resolve()?).await?;
        let api = format!("http://{}", server.addr());
        let lsp_node_id = server.engine().node().node_id().to_string();
        progress(&format!("    LSP API {api}, node {lsp_node_id}"));
        // An LSP holds on-chain funds before peers open channels to it: LDK Node accepts
        // anchor channels only with a reserve per channel, and in the legacy channels it would
        // get otherwise small payments are dust and only ~30 fit in flight.
        progress(&format!(
            "    funding the LSP's on-chain wallet ({EXTERNAL_NODE_FUNDING_SATS} sat: anchor channels) …"
        ));
        devnet
            .api()
            .fund_ldk_node(server.engine().node(), EXTERNAL_NODE_FUNDING_SATS)
            .await?;
        progress(&format!(
            "3/6 opening channels router1 → LSP and router2 → LSP ({} sat each) …",
            LSP_CHANNEL_SATS
        ));
        devnet
            .api()
            .open_channels_to(&OpenExternalRequest {
                node_id: lsp_node_id.clone(),
                address: listen.to_string(),
                from: vec!["router1".into(), "router2".into()],
                capacity_sats: LSP_CHANNEL_SATS,
                push_msat: LSP_CHANNEL_SATS * 1000 / 2,
                announce: true,
                timeout_secs: None,
            })
            .await?;
        let mut accounts = Vec::with_capacity(options.accounts);
        for i in 0..options.accounts {
            let label = format!("fixture account {i}");
            let (account, admin_key) = server.engine().store().create_account(&label).await?;
            let admin = client(&api, &admin_key.key)?;
            let invoice_key = admin
                .create_api_key(CreateApiKeyRequest {
                    scope: ApiKeyScope::Invoice,
                    label: format!("{label} game client"),
                })
                .await?;
            if options.fund_msat > 0 {
                fund(&devnet, &admin, options.fund_msat).await?;
            }
            accounts.push(FixtureAccount {
                id: account.id,
                admin_key: admin_key.key,
                invoice_key: invoice_key.key,
            });
        }
        if options.fund_msat > 0 {
            // Probe from an account of its own, so the runner's accounts hold exactly what
            // they were funded with.
            let (_, probe_key) = server
                .engine()
                .store()
                .create_account("fixture route probes")
                .await?;
            let probe = client(&api, &probe_key.key)?;
            fund(&devnet, &probe, PROBE_FUNDS_MSAT).await?;
            for payee in ["alice", "bob"] {
                wait_route_to(&devnet, &probe, payee).await?;
            }
        }
        let info = FixtureInfo {
            api,
            control,
            lsp_node_id,
            network: "regtest".into(),
            accounts,
        };
        Ok(Fixture {
            devnet,
            server,
            _dir: dir,
            info,
        })
    }

    /// The devnet (its wallets pay and invoice for tests and the demo).
    pub fn devnet(&self) -> &Devnet {
        &self.devnet
    }

    /// Stops the LSP and the devnet; the state directory goes with the fixture.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
        self.devnet.shutdown().await;
    }
}

/// A native SDK client of the fixture's LSP.
fn client(api: &str, key: &str) -> Result<Client, DemoError> {
    let mut config = LspConfig::new(api, key, Network::Regtest);
    config.request_timeout = Duration::from_secs(30);
    Ok(etrid_core::native::client(config)?)
}

/// Has devnet wallet `payer` pay `bolt11` in full, waiting up to 60 s for the outcome.
///
/// # Errors
/// The devnet's error when the payment cannot be made.
pub async fn pay_from(
    devnet: &Devnet,
    payer: &str,
    bolt11: &str,
) -> Result<PaymentOutcome, DemoError> {
    Ok(devnet
        .api()
        .pay_invoice(
            payer,
            &PayRequest {
                invoice: bolt11.to_owned(),
                amount_msat: None,
                timeout_secs: Some(60),
            },
        )
        .await?)
}

/// Credits the account of `admin` with `amount_msat`: `alice` pays an invoice of it.
async fn fund(devnet: &Devnet, admin: &Client, amount_msat: u64) -> Result<(), DemoError> {
    let invoice = admin
        .create_invoice(CreateInvoiceRequest {
            amount_msat: Some(Msat::from_msat(amount_msat)),
            description: Some("fixture funding".into()),
            ..CreateInvoiceRequest::default()
        })
        .await?;
    pay_from(devnet, "alice", &invoice.bolt11).await?;
    match admin
        .wait_for_payment(&invoice.id, Duration::from_secs(30))
        .await?
    {
        etrid_core::lsp::WaitOutcome::Paid(_) => Ok(()),
        other => Err(format!("funding invoice not paid: {other:?}").into()),
    }
}

/// Waits until the LSP can route to devnet node `payee` (its graph has synced): pays small
/// invoices of it from the account of `admin` until one succeeds.
async fn wait_route_to(devnet: &Devnet, admin: &Client, payee: &str) -> Result<(), DemoError> {
    let deadline = Instant::now() + Duration::from_secs(60);
    for attempt in 1.. {
        let bolt11 = devnet
            .api()
            .create_invoice(
                payee,
                &InvoiceRequest {
                    amount_msat: Some(1_000),
                    description: Some("fixture route probe".into()),
                    expiry_secs: Some(600),
                },
            )?
            .invoice;
        let prepared = admin.prepare_pay_invoice(PayInvoiceRequest {
            bolt11,
            idempotency_key: format!("fixture-probe-{payee}-{attempt}"),
            ..PayInvoiceRequest::default()
        })?;
        let payment = admin.pay(prepared).await?;
        loop {
            let now = admin.get_payment(&payment.id).await?;
            match now.status {
                PaymentStatus::Succeeded => return Ok(()),
                PaymentStatus::Failed => break,
                PaymentStatus::Pending => tokio::time::sleep(Duration::from_millis(100)).await,
            }
            if Instant::now() > deadline {
                break;
            }
        }
        if Instant::now() > deadline {
            return Err(format!("the LSP found no route to {payee} within 60 s").into());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Ok(())
}
