//! Side by side (issue 16), one run on one devnet chain: the Étrid LSP against LND v0.20.2 (the
//! implementation most LSPs run), with the devnet's floor (LDK Node to LDK Node, no LSP) beside
//! them. Not a timed test: it prints figures and ratios.
//!
//! - Invoices created per second by 16 concurrent clients: the LSP's HTTP API
//!   (`POST /v1/invoices`, SQLite) against LND's REST API (`POST /v1/invoices`).
//! - Payments of 1,000 sat, one hop through a router, `ETRID_BENCH_PAYMENTS` (300) of them with
//!   `ETRID_BENCH_IN_FLIGHT` (16) in flight from one payer, latency from the payer's start to the
//!   payer seeing it settled: devnet wallet `alice` → router → the LSP (and, for the LSP, also to
//!   the SDK client's WebSocket event); `lnd1` → `lnd2` → `lnd3` through LND's router REST API;
//!   the floor `alice` → router → the devnet's own LDK node `lsp`.
//!
//! Channels: payer → router 2,000,000 sat, router → receiver 10,000,000 sat on both sides; the
//! LSP holds 200,000 sat on chain first, so its channels are anchor channels as the devnet's
//! (a 1,000-sat HTLC is not dust there; on a legacy channel it is, and at 64 in flight LDK's
//! dust-exposure cap refused forwards: `DevnetApi::fund_ldk_node`).
//! `ETRID_BENCH_FORWARD_DELAY_MS` replaces LDK's random forwarding batch delay with a fixed one
//! in every LDK node of the run (the LSP's and the devnet's: one process), the lever the LSP
//! offers as `--forward-batch-delay-ms`. The LSP's LDK Node store runs in SQLite's
//! write-ahead-log mode, its default, as the devnet's nodes (the floor) do;
//! `ETRID_BENCH_LDK_WAL=0` gives the LSP ldk-node's own rollback journal
//! (`--ldk-sqlite-wal false`) to measure that lever alone. The LSP writes each channel monitor
//! after the channel manager (crash safety, its default; the devnet's nodes write them at once,
//! as upstream ldk-node does); `ETRID_BENCH_LDK_DEFER=0` measures the LSP without it.
//! The LSP registers its invoices without LDK Node's payment record (its default);
//! `ETRID_BENCH_LDK_INVOICE_RECORDS=1` measures it with them (`--ldk-invoice-records true`).
//! To see why a payment failed: `ETRID_BENCH_DATA_DIR=<dir>` keeps every node's data and LDK log
//! there (`<dir>/<node>/ldk_node.log`, the LSP's under `<dir>/lsp-server`), and
//! `ETRID_BENCH_LDK_LOG=debug` (or `trace`, `info`; default `warn`) sets the devnet nodes' level.
//! Run: `cargo test --release --workspace --bench lnd_side_by_side` (needs the lnd binary:
//! `devnet/lnd/build-lnd.sh`).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "support/cpu.rs"]
mod cpu;
mod support;

use cpu::CpuTimes;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{env_count, percentile};

use etrid_core::amount::Msat;
use etrid_core::lsp::{CreateInvoiceRequest, LspConfig};
use etrid_core::network::Network;
use etrid_devnet::nodes::{
    Devnet, DevnetApi, DevnetConfig, InvoiceRequest, LndRest, LndSend, OpenExternalRequest,
    PayRequest, EXTERNAL_NODE_FUNDING_SATS,
};
use etrid_lsp::{Options, Server};
use tokio::sync::Mutex;

const INVOICE_SECS: u64 = 5;
const INVOICE_WORKERS: usize = 16;
const PAYMENTS: usize = 300;
const IN_FLIGHT: usize = 16;
const PAYMENT_MSAT: u64 = 1_000_000;
const PAYER_CHANNEL_SATS: u64 = 2_000_000;
const RECEIVER_CHANNEL_SATS: u64 = 10_000_000;

type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A rate with its latency percentiles, in ms.
#[derive(Debug, Clone, Copy)]
struct Figure {
    per_sec: f64,
    p50_ms: f64,
    p99_ms: f64,
}

impl std::fmt::Display for Figure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:>7.1}/s  p50 {:>6.1} ms  p99 {:>6.1} ms",
            self.per_sec, self.p50_ms, self.p99_ms
        )
    }
}

fn figure(count: usize, secs: f64, mut latencies: Vec<f64>) -> Figure {
    latencies.sort_by(f64::total_cmp);
    Figure {
        per_sec: count as f64 / secs,
        p50_ms: percentile(&latencies, 0.5),
        p99_ms: percentile(&latencies, 0.99),
    }
}

/// `INVOICE_WORKERS` loops calling `create(worker, n)` for `INVOICE_SECS`.
async fn invoices_per_sec(create: Arc<dyn Fn(usize, u64) -> Job + Send + Sync>) -> Figure {
    let deadline = Instant::now() + Duration::from_secs(INVOICE_SECS);
    let started = Instant::now();
    let mut workers = Vec::new();
    for w in 0..INVOICE_WORKERS {
        let create = Arc::clone(&create);
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut n = 0u64;
            while Instant::now() < deadline {
                let t = Instant::now();
                create(w, n).await;
                latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                n += 1;
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for w in workers {
        latencies.extend(w.await.unwrap());
    }
    figure(latencies.len(), started.elapsed().as_secs_f64(), latencies)
}

/// Pays every invoice of `invoices` with `pay`, `in_flight` at once; the latency of each is
/// from its start to `pay` returning (the payer saw it settle). Also returns each start.
async fn pay_all(
    invoices: Vec<String>,
    in_flight: usize,
    pay: Arc<dyn Fn(String) -> Job + Send + Sync>,
) -> (Figure, HashMap<String, Instant>) {
    let count = invoices.len();
    let queue = Arc::new(Mutex::new(invoices));
    let starts: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let started = Instant::now();
    let mut payers = Vec::new();
    for _ in 0..in_flight {
        let (queue, starts, pay) = (Arc::clone(&queue), Arc::clone(&starts), Arc::clone(&pay));
        payers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let Some(bolt11) = queue.lock().await.pop() else {
                    return latencies;
                };
                let t = Instant::now();
                starts.lock().await.insert(bolt11.clone(), t);
                pay(bolt11).await;
                latencies.push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }));
    }
    let mut latencies = Vec::new();
    for p in payers {
        latencies.extend(p.await.unwrap());
    }
    let secs = started.elapsed().as_secs_f64();
    let starts = std::mem::take(&mut *starts.lock().await);
    (figure(count, secs, latencies), starts)
}

/// A `pay` for devnet wallet `payer` (LDK Node): returns once the payment succeeded.
fn devnet_payer(api: &DevnetApi, payer: &'static str) -> Arc<dyn Fn(String) -> Job + Send + Sync> {
    let api = api.clone();
    Arc::new(move |bolt11: String| {
        let api = api.clone();
        Box::pin(async move {
            api.pay_invoice(
                payer,
                &PayRequest {
                    invoice: bolt11,
                    amount_msat: None,
                    timeout_secs: Some(120),
                },
            )
            .await
            .unwrap();
        })
    })
}

/// A `pay` for an LND node through its router REST API: returns once it succeeded.
fn lnd_payer(rest: &LndRest) -> Arc<dyn Fn(String) -> Job + Send + Sync> {
    let rest = rest.clone();
    Arc::new(move |bolt11: String| {
        let rest = rest.clone();
        Box::pin(async move {
            let done = rest
                .send_payment(&LndSend {
                    payment_request: Some(bolt11),
                    max_parts: 1,
                    fee_limit_msat: 100_000,
                    timeout: Duration::from_secs(120),
                    ..LndSend::default()
                })
                .await
                .unwrap();
            assert_eq!(done.status, "SUCCEEDED", "{done:?}");
        })
    })
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run());
}

async fn run() {
    let t0 = Instant::now();
    let forward_delay = std::env::var("ETRID_BENCH_FORWARD_DELAY_MS")
        .ok()
        .map(|ms| {
            Duration::from_millis(
                ms.parse()
                    .expect("ETRID_BENCH_FORWARD_DELAY_MS must be milliseconds"),
            )
        });
    lightning_background_processor::set_forward_batch_delay(forward_delay);
    let ldk_wal = std::env::var("ETRID_BENCH_LDK_WAL").map_or(true, |v| v != "0");
    let ldk_defer = std::env::var("ETRID_BENCH_LDK_DEFER").map_or(true, |v| v != "0");
    let ldk_invoice_records =
        std::env::var("ETRID_BENCH_LDK_INVOICE_RECORDS").is_ok_and(|v| v == "1");
    let kept_dir = std::env::var_os("ETRID_BENCH_DATA_DIR").map(std::path::PathBuf::from);
    let ldk_log_level = match std::env::var("ETRID_BENCH_LDK_LOG").as_deref() {
        Ok("trace") => ldk_node::logger::LogLevel::Trace,
        Ok("debug") => ldk_node::logger::LogLevel::Debug,
        Ok("info") => ldk_node::logger::LogLevel::Info,
        Ok("warn") | Err(_) => ldk_node::logger::LogLevel::Warn,
        Ok(other) => panic!("ETRID_BENCH_LDK_LOG must be trace, debug, info or warn, not {other}"),
    };
    let devnet = Devnet::start(DevnetConfig {
        control_bind: None,
        data_dir: kept_dir.clone(),
        ldk_log_level,
        payer_channel_sats: PAYER_CHANNEL_SATS,
        lnd_nodes: 3,
        ..DevnetConfig::default()
    })
    .await
    .unwrap();
    let api = devnet.api().clone();

    // The LSP, with the routers' channels to it, as in lsp_figures.
    let chain = api.chain_info();
    let dir = tempfile::tempdir().unwrap();
    let lsp_dir = kept_dir.map_or_else(|| dir.path().join("lsp"), |d| d.join("lsp-server"));
    let listen = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let options = Options {
        network: Some(Network::Regtest),
        data_dir: Some(lsp_dir),
        bitcoind_rpc: Some(format!(
            "http://{}:{}@{}:{}",
            chain.rpc_user, chain.rpc_password, chain.rpc_host, chain.rpc_port
        )),
        ldk_listen: Some(listen),
        api_bind: Some("127.0.0.1:0".parse().unwrap()),
        invoice_rate_per_sec: Some(1_000_000),
        invoice_rate_burst: Some(1_000_000),
        ldk_sqlite_wal: Some(ldk_wal),
        ldk_defer_monitor_writes: Some(ldk_defer),
        ldk_invoice_records: Some(ldk_invoice_records),
        ..Options::default()
    };
    let server = Server::start(options.resolve().unwrap()).await.unwrap();
    let lsp_api = format!("http://{}", server.addr());
    // On-chain funds before the routers open their channels, as any LSP has: LDK Node accepts an
    // anchor channel only with 25,000 sat on chain per anchor channel. Without them the LSP's
    // channels are legacy ones, where a 1,000-sat HTLC is dust (below the HTLC-timeout fee at
    // LDK's 2,530 sat/kW dust-buffer feerate plus the dust limit: 2,484 sat here) and LDK's cap
    // on dust exposure lets a router hold only about 30 of them towards the LSP: beyond that it
    // fails the forward ("Cannot send less than our next-HTLC minimum - 2484000 msat"), the
    // payer drops the channel for that payment and, after both routers' failed, reports
    // RouteNotFound (what happened at 64 in flight).
    api.fund_ldk_node(server.engine().node(), EXTERNAL_NODE_FUNDING_SATS)
        .await
        .unwrap();
    api.open_channels_to(&OpenExternalRequest {
        node_id: server.engine().node().node_id().to_string(),
        address: listen.to_string(),
        from: vec!["router1".into(), "router2".into()],
        capacity_sats: RECEIVER_CHANNEL_SATS,
        push_msat: 0,
        announce: true,
        timeout_secs: None,
    })
    .await
    .unwrap();
    let (_account, key) = server
        .engine()
        .store()
        .create_account("side by side")
        .await
        .unwrap();
    let client =
        etrid_core::native::client(LspConfig::new(&lsp_api, &key.key, Network::Regtest)).unwrap();

    // LND: lnd1 (payer) → lnd2 (router) → lnd3 (receiver).
    let (lnd1, lnd2, lnd3) = (
        api.lnd("lnd1").unwrap(),
        api.lnd("lnd2").unwrap(),
        api.lnd("lnd3").unwrap(),
    );
    api.fund_lnd(
        "lnd2",
        RECEIVER_CHANNEL_SATS + 1_000_000,
        Duration::from_secs(60),
    )
    .await
    .unwrap();
    let lnd2_addr = lnd2.p2p_addr().to_string();
    let lnd3_addr = lnd3.p2p_addr().to_string();
    api.open_lnd_channel(
        "lnd1",
        lnd2.node_id(),
        &lnd2_addr,
        PAYER_CHANNEL_SATS,
        0,
        true,
    )
    .await
    .unwrap();
    api.open_lnd_channel(
        "lnd2",
        lnd3.node_id(),
        &lnd3_addr,
        RECEIVER_CHANNEL_SATS,
        0,
        true,
    )
    .await
    .unwrap();
    api.confirm_lnd_channels("lnd1", lnd2.node_id(), 1, Duration::from_secs(120))
        .await
        .unwrap();
    api.confirm_lnd_channels("lnd2", lnd3.node_id(), 1, Duration::from_secs(120))
        .await
        .unwrap();
    // lnd1 needs lnd2 → lnd3 in its graph (gossip): pay until a payment goes through.
    let warm_up = Instant::now();
    loop {
        let invoice = lnd3
            .rest()
            .add_invoice(1_000, "warm-up", 600)
            .await
            .unwrap();
        let done = lnd1
            .rest()
            .send_payment(&LndSend {
                payment_request: Some(invoice.payment_request),
                max_parts: 1,
                fee_limit_msat: 100_000,
                timeout: Duration::from_secs(10),
                ..LndSend::default()
            })
            .await
            .unwrap();
        if done.status == "SUCCEEDED" {
            break;
        }
        assert!(
            warm_up.elapsed() < Duration::from_secs(120),
            "lnd1 never found a route to lnd3: {done:?}"
        );
        api.mine(1).await.unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    println!(
        "setup (devnet, LSP, 3 LND nodes, channels, gossip): {:.1} s",
        t0.elapsed().as_secs_f64()
    );

    // 1. Invoices per second.
    let lsp_invoices = {
        let client = client.clone();
        invoices_per_sec(Arc::new(move |w, n| {
            let client = client.clone();
            Box::pin(async move {
                client
                    .create_invoice(CreateInvoiceRequest {
                        amount_msat: Some(Msat::from_msat(1_000 + n)),
                        description: Some(format!("bench {w}-{n}")),
                        ..CreateInvoiceRequest::default()
                    })
                    .await
                    .unwrap();
            })
        }))
        .await
    };
    let lnd_invoices = {
        let rest = lnd3.rest().clone();
        invoices_per_sec(Arc::new(move |w, n| {
            let rest = rest.clone();
            Box::pin(async move {
                rest.add_invoice(1_000 + n, &format!("bench {w}-{n}"), 3600)
                    .await
                    .unwrap();
            })
        }))
        .await
    };
    let floor_invoices = {
        let api = api.clone();
        invoices_per_sec(Arc::new(move |w, n| {
            let api = api.clone();
            Box::pin(async move {
                tokio::task::spawn_blocking(move || {
                    api.create_invoice(
                        "lsp",
                        &InvoiceRequest {
                            amount_msat: Some(1_000 + n),
                            description: Some(format!("bench {w}-{n}")),
                            ..InvoiceRequest::default()
                        },
                    )
                    .unwrap();
                })
                .await
                .unwrap();
            })
        }))
        .await
    };

    // 2. Payments per second, one payer, one hop.
    let payments = env_count("ETRID_BENCH_PAYMENTS", PAYMENTS);
    let in_flight = env_count("ETRID_BENCH_IN_FLIGHT", IN_FLIGHT);
    let mut lsp_bills = Vec::new();
    let mut ids = HashMap::new();
    for i in 0..payments {
        let invoice = client
            .create_invoice(CreateInvoiceRequest {
                amount_msat: Some(Msat::from_msat(PAYMENT_MSAT)),
                description: Some(format!("pay {i}")),
                ..CreateInvoiceRequest::default()
            })
            .await
            .unwrap();
        ids.insert(invoice.id.clone(), invoice.bolt11.clone());
        lsp_bills.push(invoice.bolt11);
    }
    let mut events = client.subscribe_events(None);
    events.connect().await.unwrap();
    let listener = tokio::spawn(async move {
        let mut heard = HashMap::new();
        while heard.len() < ids.len() {
            let event = tokio::time::timeout(Duration::from_secs(120), events.next())
                .await
                .expect("events keep coming")
                .unwrap();
            if let Some(invoice) = event.invoice() {
                if let Some(bolt11) = ids.get(&invoice.id) {
                    heard.entry(bolt11.clone()).or_insert_with(Instant::now);
                }
            }
        }
        heard
    });
    let cpu = CpuTimes::now();
    let (lsp_payments, starts) = pay_all(lsp_bills, in_flight, devnet_payer(&api, "alice")).await;
    let lsp_cpu = cpu.busy_percent_since();
    let heard = listener.await.unwrap();
    let to_event: Vec<f64> = starts
        .iter()
        .filter_map(|(bolt11, start)| {
            heard
                .get(bolt11)
                .map(|at| at.duration_since(*start).as_secs_f64() * 1000.0)
        })
        .collect();
    let lsp_events = figure(to_event.len(), 1.0, to_event);

    let mut lnd_bills = Vec::new();
    for i in 0..payments {
        let invoice = lnd3
            .rest()
            .add_invoice(PAYMENT_MSAT, &format!("pay {i}"), 3600)
            .await
            .unwrap();
        lnd_bills.push(invoice.payment_request);
    }
    let cpu = CpuTimes::now();
    let (lnd_payments, _) = pay_all(lnd_bills, in_flight, lnd_payer(lnd1.rest())).await;
    let lnd_cpu = cpu.busy_percent_since();

    let mut floor_bills = Vec::new();
    for i in 0..payments {
        let invoice = api
            .create_invoice(
                "lsp",
                &InvoiceRequest {
                    amount_msat: Some(PAYMENT_MSAT),
                    description: Some(format!("pay {i}")),
                    ..InvoiceRequest::default()
                },
            )
            .unwrap();
        floor_bills.push(invoice.invoice);
    }
    let cpu = CpuTimes::now();
    let (floor_payments, _) = pay_all(floor_bills, in_flight, devnet_payer(&api, "alice")).await;
    let floor_cpu = cpu.busy_percent_since();

    println!();
    println!("side by side, one run ({INVOICE_WORKERS} invoice clients for {INVOICE_SECS} s; {payments} payments of {} sat, {in_flight} in flight, one payer, one hop)", PAYMENT_MSAT / 1000);
    println!(
        "LDK forwarding batch delay: {}",
        forward_delay.map_or_else(
            || "LDK's random delay (median ~50 ms)".to_owned(),
            |d| format!("fixed {} ms", d.as_millis())
        )
    );
    println!(
        "the LSP's LDK Node store: SQLite {}",
        if ldk_wal {
            "write-ahead log, synchronous=FULL"
        } else {
            "rollback journal (ldk-node's default)"
        }
    );
    println!(
        "the LSP's invoices: {}",
        if ldk_invoice_records {
            "with an LDK Node payment record each (ldk-node's default)"
        } else {
            "without LDK Node payment records"
        }
    );
    println!(
        "the LSP's channel monitors: {}",
        if ldk_defer {
            "written after the channel manager (crash-safe)"
        } else {
            "written at once (ldk-node's default)"
        }
    );
    println!("invoices  Étrid LSP API      {lsp_invoices}");
    println!("invoices  LND REST           {lnd_invoices}");
    println!("invoices  floor (LDK node)   {floor_invoices}");
    println!("payments  Étrid LSP          {lsp_payments}   (payer start → payer settled)");
    println!(
        "payments  Étrid LSP event    p50 {:.1} ms  p99 {:.1} ms   (payer start → SDK client's WebSocket event)",
        lsp_events.p50_ms, lsp_events.p99_ms
    );
    println!("payments  LND                {lnd_payments}   (lnd1 → lnd2 → lnd3, router REST)");
    println!("payments  floor (LDK → LDK)  {floor_payments}   (alice → router → devnet node lsp)");
    println!(
        "machine CPU busy while paying (all cores): LSP {lsp_cpu:.0} %, LND {lnd_cpu:.0} %, floor {floor_cpu:.0} %"
    );
    println!(
        "ratios    invoices LSP/LND {:.2}×, payments LSP/LND {:.2}×, payments LSP/floor {:.2}×, p50 LND/LSP {:.2}×",
        lsp_invoices.per_sec / lnd_invoices.per_sec,
        lsp_payments.per_sec / lnd_payments.per_sec,
        lsp_payments.per_sec / floor_payments.per_sec,
        lnd_payments.p50_ms / lsp_payments.p50_ms,
    );
    server.shutdown().await;
    devnet.shutdown().await;
}
