//! Figures of the LSP on this machine (not a timed test): invoices created per second through
//! the HTTP API, and payments per second with the latency from the payer starting a payment to
//! the SDK client receiving `invoice.paid` on its WebSocket, one hop (devnet wallets → router
//! → LSP), transfers between two accounts of the LSP (settled inside it), and a tournament whose
//! winners are all paid (the time to pay them, and that none is paid twice), and vouchers claimed
//! under contention (claims per second, and that each is paid once), and concurrent 1 Hz streams
//! (payments per second sustained, how far behind they fall, exact settlement). Run: `cargo test
//! --release --workspace --bench lsp_figures` (the tests' profile and feature set, so nothing is
//! rebuilt); `ETRID_BENCH_PAYMENTS`, `ETRID_BENCH_TRANSFERS`, `ETRID_BENCH_WINNERS`,
//! `ETRID_BENCH_VOUCHERS`, `ETRID_BENCH_STREAMS` and `ETRID_BENCH_IN_FLIGHT` change the payment
//! count (300), the transfer count (400), the winners (1,000), the vouchers (200), the streams
//! (1,000) and how many are in flight (16).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod support;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{env_count, percentile};

use etrid_core::amount::Msat;
use etrid_core::lsp::{CreateInvoiceRequest, LspConfig};
use etrid_core::network::Network;
use etrid_devnet::nodes::{
    Devnet, DevnetConfig, OpenExternalRequest, PayRequest, EXTERNAL_NODE_FUNDING_SATS,
};
use etrid_lsp::{Options, Server};
use tokio::sync::Mutex;

const INVOICE_SECS: u64 = 5;
const INVOICE_WORKERS: usize = 16;
const PAYMENTS: usize = 300;
const IN_FLIGHT: usize = 16;
/// Each payment: 1,000 sat. A router accepts 10% of a 2M-sat payer channel in flight (LDK's
/// default for announced channels), so up to 200 of these can be in flight per payer channel.
const PAYMENT_MSAT: u64 = 1_000_000;

fn main() {
    // `ETRID_BENCH_LOG=etrid_lsp=debug` shows what the server does (the streamer's passes, …).
    if let Ok(filter) = std::env::var("ETRID_BENCH_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(std::io::stderr)
            .try_init();
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run());
}

async fn run() {
    let t0 = Instant::now();
    let devnet = Devnet::start(DevnetConfig {
        control_bind: None,
        ldk_log_level: ldk_node::logger::LogLevel::Warn,
        ..DevnetConfig::default()
    })
    .await
    .unwrap();
    let chain = devnet.api().chain_info();
    let dir = tempfile::tempdir().unwrap();
    let listen = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let database_url = std::env::var("ETRID_BENCH_DATABASE_URL").ok();
    let options = Options {
        network: Some(Network::Regtest),
        data_dir: Some(dir.path().join("lsp")),
        bitcoind_rpc: Some(format!(
            "http://{}:{}@{}:{}",
            chain.rpc_user, chain.rpc_password, chain.rpc_host, chain.rpc_port
        )),
        ldk_listen: Some(listen),
        api_bind: Some("127.0.0.1:0".parse().unwrap()),
        database_url: database_url.clone(),
        invoice_rate_per_sec: Some(1_000_000),
        invoice_rate_burst: Some(1_000_000),
        ..Options::default()
    };
    let server = Server::start(options.resolve().unwrap()).await.unwrap();
    let api = format!("http://{}", server.addr());
    // Funds first, so the channels are anchor ones (as any LSP's are).
    devnet
        .api()
        .fund_ldk_node(server.engine().node(), EXTERNAL_NODE_FUNDING_SATS)
        .await
        .unwrap();
    devnet
        .api()
        .open_channels_to(&OpenExternalRequest {
            node_id: server.engine().node().node_id().to_string(),
            address: listen.to_string(),
            from: vec!["router1".into(), "router2".into()],
            capacity_sats: 10_000_000,
            push_msat: 0,
            announce: true,
            timeout_secs: None,
        })
        .await
        .unwrap();
    let (_acct, key) = server
        .engine()
        .store()
        .create_account("bench")
        .await
        .unwrap();
    let client =
        etrid_core::native::client(LspConfig::new(&api, &key.key, Network::Regtest)).unwrap();
    println!(
        "setup (devnet + LSP + channels): {:.1} s; database: {}",
        t0.elapsed().as_secs_f64(),
        if database_url.is_some() {
            "postgresql"
        } else {
            "sqlite"
        }
    );

    // 0. The floor under invoice creation: LDK Node registering an invoice (signing it and
    // persisting its payment record), serially, without HTTP or our database.
    let node = server.engine().node().clone();
    let direct = tokio::task::spawn_blocking(move || {
        let desc = ldk_node::lightning_invoice::Bolt11InvoiceDescription::Direct(
            ldk_node::lightning_invoice::Description::new("floor".into()).unwrap(),
        );
        let started = Instant::now();
        for i in 0u32..300 {
            let mut hash = [0u8; 32];
            hash[..4].copy_from_slice(&i.to_be_bytes());
            hash[4] = 0xee;
            node.bolt11_payment()
                .receive_for_hash(
                    1_000,
                    &desc,
                    3600,
                    ldk_node::lightning_types::payment::PaymentHash(hash),
                )
                .unwrap();
        }
        300.0 / started.elapsed().as_secs_f64()
    })
    .await
    .unwrap();
    println!("ldk-node receive_for_hash alone, serial: {direct:.0}/s");

    // 1. Invoices per second through the HTTP API.
    let deadline = Instant::now() + Duration::from_secs(INVOICE_SECS);
    let mut workers = Vec::new();
    let started = Instant::now();
    for w in 0..INVOICE_WORKERS {
        let client = client.clone();
        workers.push(tokio::spawn(async move {
            let mut n = 0u64;
            let mut lat = Vec::new();
            while Instant::now() < deadline {
                let t = Instant::now();
                client
                    .create_invoice(CreateInvoiceRequest {
                        amount_msat: Some(Msat::from_msat(1_000 + n)),
                        description: Some(format!("bench {w}-{n}")),
                        ..CreateInvoiceRequest::default()
                    })
                    .await
                    .unwrap();
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
                n += 1;
            }
            (n, lat)
        }));
    }
    let mut total = 0;
    let mut lat = Vec::new();
    for w in workers {
        let (n, l) = w.await.unwrap();
        total += n;
        lat.extend(l);
    }
    lat.sort_by(f64::total_cmp);
    let secs = started.elapsed().as_secs_f64();
    println!(
        "invoices: {total} in {secs:.1} s = {:.0}/s with {INVOICE_WORKERS} concurrent clients; latency p50 {:.1} ms p99 {:.1} ms",
        total as f64 / secs,
        percentile(&lat, 0.5),
        percentile(&lat, 0.99)
    );

    // 2. Payments per second and payer-start → client-event latency.
    let payments = env_count("ETRID_BENCH_PAYMENTS", PAYMENTS);
    let in_flight = env_count("ETRID_BENCH_IN_FLIGHT", IN_FLIGHT);
    let mut invoices = Vec::new();
    for i in 0..payments {
        let inv = client
            .create_invoice(CreateInvoiceRequest {
                amount_msat: Some(Msat::from_msat(PAYMENT_MSAT)),
                description: Some(format!("pay {i}")),
                ..CreateInvoiceRequest::default()
            })
            .await
            .unwrap();
        invoices.push(inv);
    }
    let starts: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let mut events = client.subscribe_events(None);
    events.connect().await.unwrap();
    let want: std::collections::HashSet<String> = invoices.iter().map(|i| i.id.clone()).collect();
    let listener = {
        let starts = Arc::clone(&starts);
        tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut left = want;
            while !left.is_empty() {
                let ev = tokio::time::timeout(Duration::from_secs(120), events.next())
                    .await
                    .expect("events keep coming")
                    .unwrap();
                let at = Instant::now();
                if let Some(inv) = ev.invoice() {
                    if left.remove(&inv.id) {
                        if let Some(s) = starts.lock().await.get(&inv.id) {
                            lat.push(at.duration_since(*s).as_secs_f64() * 1000.0);
                        }
                    }
                }
            }
            lat
        })
    };
    let queue = Arc::new(Mutex::new(invoices));
    let started = Instant::now();
    let mut payers = Vec::new();
    for p in 0..in_flight {
        let queue = Arc::clone(&queue);
        let starts = Arc::clone(&starts);
        let api = devnet.api().clone();
        let payer = if p % 2 == 0 { "alice" } else { "bob" };
        payers.push(tokio::spawn(async move {
            loop {
                let Some(inv) = queue.lock().await.pop() else {
                    return;
                };
                starts.lock().await.insert(inv.id.clone(), Instant::now());
                api.pay_invoice(
                    payer,
                    &PayRequest {
                        invoice: inv.bolt11.clone(),
                        amount_msat: None,
                        timeout_secs: Some(120),
                    },
                )
                .await
                .unwrap();
            }
        }));
    }
    for p in payers {
        p.await.unwrap();
    }
    let mut lat = listener.await.unwrap();
    let secs = started.elapsed().as_secs_f64();
    lat.sort_by(f64::total_cmp);
    println!(
        "payments: {payments} in {secs:.1} s = {:.1}/s with {in_flight} in flight; payer start → client event p50 {:.0} ms p99 {:.0} ms",
        payments as f64 / secs,
        percentile(&lat, 0.5),
        percentile(&lat, 0.99)
    );

    // 3. Transfers between two accounts of this LSP (S21): the payee creates an invoice, the
    // payer pays it, settled inside the LSP; latency of the pay call (its answer is final).
    let (_payee, payee_key) = server
        .engine()
        .store()
        .create_account("bench-payee")
        .await
        .unwrap();
    let payee =
        etrid_core::native::client(LspConfig::new(&api, &payee_key.key, Network::Regtest)).unwrap();
    let transfers = env_count("ETRID_BENCH_TRANSFERS", 400);
    let mut bills = Vec::new();
    for i in 0..transfers {
        let bill = payee
            .create_invoice(CreateInvoiceRequest {
                amount_msat: Some(Msat::from_msat(1_000)),
                description: Some(format!("transfer {i}")),
                ..CreateInvoiceRequest::default()
            })
            .await
            .unwrap();
        bills.push(bill.bolt11);
    }
    let queue = Arc::new(Mutex::new(bills));
    let started = Instant::now();
    let mut workers = Vec::new();
    for w in 0..in_flight {
        let queue = Arc::clone(&queue);
        let client = client.clone();
        workers.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut n = 0;
            loop {
                let Some(bolt11) = queue.lock().await.pop() else {
                    return lat;
                };
                let t = Instant::now();
                let prepared = client
                    .prepare_pay_invoice(etrid_core::lsp::PayInvoiceRequest {
                        bolt11,
                        idempotency_key: format!("transfer-{w}-{n}"),
                        ..etrid_core::lsp::PayInvoiceRequest::default()
                    })
                    .unwrap();
                let paid = client.pay(prepared).await.unwrap();
                assert!(paid.internal, "settled inside the LSP");
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
                n += 1;
            }
        }));
    }
    let mut lat = Vec::new();
    for w in workers {
        lat.extend(w.await.unwrap());
    }
    let secs = started.elapsed().as_secs_f64();
    lat.sort_by(f64::total_cmp);
    println!(
        "transfers between accounts: {transfers} in {secs:.1} s = {:.0}/s with {in_flight} in flight; pay call (final answer) p50 {:.1} ms p99 {:.1} ms",
        transfers as f64 / secs,
        percentile(&lat, 0.5),
        percentile(&lat, 0.99)
    );
    tournament_figures(&server, &api, &client, in_flight).await;
    voucher_figures(&server, &api, &client, in_flight).await;
    stream_figures(&server, &api, &client).await;
    server.shutdown().await;
    devnet.shutdown().await;
}

/// Figure 4, a tournament with `ETRID_BENCH_WINNERS` (1,000) players, every one a winner:
/// joins, the entries held from an account's balance, the pool funded, then the time from the
/// payout call to the last winner paid (to ten accounts of the LSP), and payments per winner.
async fn tournament_figures(
    server: &Server,
    api: &str,
    payer: &etrid_core::lsp::LspClient<
        etrid_core::native::ReqwestTransport,
        etrid_core::native::TokioTimer,
    >,
    in_flight: usize,
) {
    use etrid_core::lsp::{
        CreateTournamentRequest, JoinTournamentRequest, ListPaymentsRequest, PayInvoiceRequest,
        PaymentStatus, PayoutDestination, TournamentResultsRequest, TournamentStatus,
    };
    const ENTRY_MSAT: u64 = 10_000;
    let winners = env_count("ETRID_BENCH_WINNERS", 1_000);
    let store = server.engine().store();
    let client =
        |key: &str| etrid_core::native::client(LspConfig::new(api, key, Network::Regtest)).unwrap();
    let (_org, org_key) = store.create_account("bench-organizer").await.unwrap();
    let organizer = client(&org_key.key);
    let mut accounts = Vec::new();
    for i in 0..10 {
        let (acct, _) = store
            .create_account(&format!("bench-winner-{i}"))
            .await
            .unwrap();
        accounts.push(acct.id);
    }
    // Every prize the same: 10,000 bps over the ranks, the remainder on rank 1.
    let share = u16::try_from(10_000 / winners).unwrap().max(1);
    let mut table = vec![share; winners.min(10_000)];
    table[0] += 10_000 - share * u16::try_from(table.len()).unwrap();
    let t = organizer
        .create_tournament(CreateTournamentRequest {
            name: "bench cup".into(),
            entry_fee_msat: Msat::from_msat(ENTRY_MSAT),
            seats: u32::try_from(winners).unwrap(),
            payout_table_bps: table,
            organizer_fee_bps: 0,
            join_deadline: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs()
                + 3600,
            external_id: None,
            metadata: None,
            public_join: false,
        })
        .await
        .unwrap();
    let started = Instant::now();
    let mut entries = Vec::new();
    for i in 0..winners {
        let entry = organizer
            .join_tournament(
                &t.id,
                JoinTournamentRequest {
                    player_id: format!("p{i}"),
                    payout: PayoutDestination::Account {
                        account_id: accounts[i % accounts.len()].clone(),
                    },
                },
            )
            .await
            .unwrap();
        entries.push(entry.bolt11);
    }
    let join_secs = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let queue = Arc::new(Mutex::new(
        entries.into_iter().enumerate().collect::<Vec<_>>(),
    ));
    let mut workers = Vec::new();
    for _ in 0..in_flight {
        let queue = Arc::clone(&queue);
        let payer = payer.clone();
        workers.push(tokio::spawn(async move {
            loop {
                let Some((i, bolt11)) = queue.lock().await.pop() else {
                    return;
                };
                let prepared = payer
                    .prepare_pay_invoice(PayInvoiceRequest {
                        bolt11,
                        idempotency_key: format!("entry-{i}"),
                        ..PayInvoiceRequest::default()
                    })
                    .unwrap();
                assert!(payer.pay(prepared).await.unwrap().internal);
            }
        }));
    }
    for w in workers {
        w.await.unwrap();
    }
    let hold_secs = started.elapsed().as_secs_f64();
    let started = Instant::now();
    loop {
        if organizer.get_tournament(&t.id).await.unwrap().status == TournamentStatus::Funded {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let fund_secs = started.elapsed().as_secs_f64();
    let standings = (0..winners)
        .map(|i| etrid_core::tournament::Standing {
            player_id: format!("p{i}"),
            rank: u32::try_from(i).unwrap() + 1,
        })
        .collect();
    organizer
        .enter_tournament_results(&t.id, TournamentResultsRequest { standings })
        .await
        .unwrap();
    let started = Instant::now();
    organizer.pay_tournament(&t.id).await.unwrap();
    loop {
        if organizer.get_tournament(&t.id).await.unwrap().status == TournamentStatus::Completed {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let pay_secs = started.elapsed().as_secs_f64();
    // Doubles: succeeded payments per winner under the tournament's keys.
    let mut per_winner: HashMap<String, usize> = HashMap::new();
    let mut cursor = None;
    loop {
        let page = organizer
            .list_payments(ListPaymentsRequest {
                limit: Some(100),
                cursor: cursor.clone(),
                ..ListPaymentsRequest::default()
            })
            .await
            .unwrap();
        for p in page.items {
            if p.status == PaymentStatus::Succeeded {
                let player = p
                    .idempotency_key
                    .split(':')
                    .nth(1)
                    .unwrap_or_default()
                    .to_owned();
                *per_winner.entry(player).or_default() += 1;
            }
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let doubles = per_winner.values().filter(|n| **n > 1).count();
    let paid = per_winner.len();
    println!(
        "tournament of {winners}: joins {:.0}/s, entries held from a balance {:.0}/s, pool funded (all settled) in {fund_secs:.2} s; {winners} winners paid in {pay_secs:.2} s ({:.0}/s), {paid} paid, {doubles} paid twice",
        winners as f64 / join_secs,
        winners as f64 / hold_secs,
        winners as f64 / pay_secs,
    );
    assert_eq!((paid, doubles), (winners, 0));
}

/// Credits `account` with `amount_msat` from `bank`, inside the LSP (an invoice of `account`
/// paid between accounts) under the idempotency key `key`.
async fn fund_from(
    bank: &etrid_core::lsp::LspClient<
        etrid_core::native::ReqwestTransport,
        etrid_core::native::TokioTimer,
    >,
    account: &etrid_core::lsp::LspClient<
        etrid_core::native::ReqwestTransport,
        etrid_core::native::TokioTimer,
    >,
    amount_msat: u64,
    key: &str,
) {
    let invoice = account
        .create_invoice(CreateInvoiceRequest {
            amount_msat: Some(Msat::from_msat(amount_msat)),
            ..CreateInvoiceRequest::default()
        })
        .await
        .unwrap();
    let prepared = bank
        .prepare_pay_invoice(etrid_core::lsp::PayInvoiceRequest {
            bolt11: invoice.bolt11,
            idempotency_key: key.into(),
            ..etrid_core::lsp::PayInvoiceRequest::default()
        })
        .unwrap();
    assert!(bank.pay(prepared).await.unwrap().internal);
}

/// Figure 5, vouchers under contention: `ETRID_BENCH_VOUCHERS` (200) vouchers, each claimed by
/// eight wallets at once through the LNURL-withdraw callback (invoices of another account, so
/// the claim settles inside the LSP), `in_flight` vouchers at a time. Prints claims answered and
/// vouchers paid per second, and checks each voucher paid exactly once.
async fn voucher_figures(
    server: &Server,
    api: &str,
    bank: &etrid_core::lsp::LspClient<
        etrid_core::native::ReqwestTransport,
        etrid_core::native::TokioTimer,
    >,
    in_flight: usize,
) {
    use etrid_core::lsp::{CreateVouchersRequest, VoucherStatus};
    const VOUCHER_MSAT: u64 = 10_000;
    const CLAIMERS: usize = 8;
    let vouchers = env_count("ETRID_BENCH_VOUCHERS", 200);
    let store = server.engine().store();
    let client =
        |key: &str| etrid_core::native::client(LspConfig::new(api, key, Network::Regtest)).unwrap();
    let (_owner, owner_key) = store.create_account("bench-vouchers").await.unwrap();
    let (_wallets, wallets_key) = store.create_account("bench-wallets").await.unwrap();
    let owner = client(&owner_key.key);
    let wallets = client(&wallets_key.key);
    // Each voucher sets aside 20 sat.
    let funding = u64::try_from(vouchers).unwrap() * 2 * VOUCHER_MSAT;
    fund_from(bank, &owner, funding, "bench-voucher-funding").await;
    let mut created = Vec::new();
    for (b, chunk) in (0..vouchers).collect::<Vec<_>>().chunks(1_000).enumerate() {
        let batch = owner
            .create_vouchers(CreateVouchersRequest {
                count: Some(u32::try_from(chunk.len()).unwrap()),
                ..CreateVouchersRequest::new(Msat::from_msat(VOUCHER_MSAT), format!("bench-{b}"))
            })
            .await
            .unwrap();
        created.extend(batch.vouchers);
    }
    let mut invoices = Vec::new();
    for i in 0..vouchers * CLAIMERS {
        let invoice = wallets
            .create_invoice(CreateInvoiceRequest {
                amount_msat: Some(Msat::from_msat(VOUCHER_MSAT)),
                description: Some(format!("claim {i}")),
                ..CreateInvoiceRequest::default()
            })
            .await
            .unwrap();
        invoices.push(invoice.bolt11);
    }
    let before = wallets.balance().await.unwrap().available_msat.as_u64();
    let http = reqwest::Client::new();
    let work: Vec<(String, Vec<String>)> = created
        .iter()
        .zip(invoices.chunks(CLAIMERS))
        .map(|(v, prs)| (v.url.clone(), prs.to_vec()))
        .collect();
    let queue = Arc::new(Mutex::new(work));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..in_flight {
        let queue = Arc::clone(&queue);
        let http = http.clone();
        workers.push(tokio::spawn(async move {
            let mut accepted = Vec::new();
            loop {
                let Some((url, prs)) = queue.lock().await.pop() else {
                    return accepted;
                };
                let offer: serde_json::Value =
                    http.get(&url).send().await.unwrap().json().await.unwrap();
                let callback = offer["callback"].as_str().unwrap().to_owned();
                let k1 = offer["k1"].as_str().unwrap().to_owned();
                let claims = prs.into_iter().map(|pr| {
                    let http = http.clone();
                    let request = http
                        .get(&callback)
                        .query(&[("k1", k1.as_str()), ("pr", &pr)]);
                    async move {
                        let answer: serde_json::Value =
                            request.send().await.unwrap().json().await.unwrap();
                        answer["status"] == "OK"
                    }
                });
                let oks = futures_util::future::join_all(claims)
                    .await
                    .into_iter()
                    .filter(|ok| *ok)
                    .count();
                accepted.push(oks);
            }
        }));
    }
    let mut accepted = Vec::new();
    for w in workers {
        accepted.extend(w.await.unwrap());
    }
    let secs = started.elapsed().as_secs_f64();
    let once = accepted.iter().filter(|n| **n == 1).count();
    let doubles = accepted.iter().filter(|n| **n > 1).count();
    let credited = wallets.balance().await.unwrap().available_msat.as_u64() - before;
    let mut claimed = 0;
    for v in &created {
        if owner.get_voucher(&v.id).await.unwrap().status == VoucherStatus::Claimed {
            claimed += 1;
        }
    }
    println!(
        "vouchers: {vouchers} each claimed by {CLAIMERS} wallets at once ({in_flight} vouchers at a time): {:.0} claims answered/s, {:.0} vouchers paid/s; {once} paid once, {doubles} paid twice, {claimed} claimed, {} msat credited of {} expected",
        (vouchers * CLAIMERS) as f64 / secs,
        vouchers as f64 / secs,
        credited,
        u64::try_from(vouchers).unwrap() * VOUCHER_MSAT,
    );
    assert_eq!((once, doubles, claimed), (vouchers, 0, vouchers));
    assert_eq!(credited, u64::try_from(vouchers).unwrap() * VOUCHER_MSAT);
}

/// Figure 6, concurrent streams: `ETRID_BENCH_STREAMS` (1,000) streams of 1 sat/s with 1 s ticks
/// and a 1-msat minimum payment (every tick pays) to ten accounts of the LSP, run for 20 s: the
/// payments per second sustained between 5 and 20 s (the goal is one per stream per second),
/// then every stream stopped and settled exactly (paid = earned), and what was paid per
/// stream-second.
async fn stream_figures(
    server: &Server,
    api: &str,
    bank: &etrid_core::lsp::LspClient<
        etrid_core::native::ReqwestTransport,
        etrid_core::native::TokioTimer,
    >,
) {
    use etrid_core::lsp::{CreateStreamRequest, ListPageRequest, LspStream, PayoutDestination};
    use etrid_core::streaming::StreamState;
    const RATE: u64 = 1_000;
    const BUDGET: u64 = 600_000;
    let streams = env_count("ETRID_BENCH_STREAMS", 1_000);
    let store = server.engine().store();
    let client =
        |key: &str| etrid_core::native::client(LspConfig::new(api, key, Network::Regtest)).unwrap();
    let (_payer, payer_key) = store.create_account("bench-streamer").await.unwrap();
    let payer = client(&payer_key.key);
    let funding = u64::try_from(streams).unwrap() * BUDGET / 10;
    fund_from(bank, &payer, funding, "bench-stream-funding").await;
    let mut payees = Vec::new();
    for i in 0..10 {
        let (acct, _) = store
            .create_account(&format!("bench-viewer-{i}"))
            .await
            .unwrap();
        payees.push(acct.id);
    }
    let started = Instant::now();
    let mut ids = Vec::new();
    for i in 0..streams {
        let stream = payer
            .create_stream(CreateStreamRequest {
                destination: PayoutDestination::Account {
                    account_id: payees[i % payees.len()].clone(),
                },
                rate_msat_per_sec: RATE,
                budget_msat: Msat::from_msat(BUDGET),
                tick_interval_ms: None,
                // 1 msat: every tick pays what it owes, so each stream is a 1 Hz stream. With the
                // default 1-sat minimum a 1 sat/s stream skips a tick whenever timing leaves a
                // little under 1 sat owed (dust waits), about one tick in six.
                min_payment_msat: Some(Msat::from_msat(1)),
                description: None,
                idempotency_key: format!("bench-stream-{i}"),
            })
            .await
            .unwrap();
        ids.push(stream.id);
    }
    let create_secs = started.elapsed().as_secs_f64();
    let all = |payer: etrid_core::lsp::LspClient<
        etrid_core::native::ReqwestTransport,
        etrid_core::native::TokioTimer,
    >| async move {
        let mut items: Vec<LspStream> = Vec::new();
        let mut cursor = None;
        loop {
            let page = payer
                .list_streams(ListPageRequest {
                    limit: Some(100),
                    cursor: cursor.clone(),
                })
                .await
                .unwrap();
            items.extend(page.items);
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => return items,
            }
        }
    };
    let window_start = started + Duration::from_secs(5);
    tokio::time::sleep_until(window_start.into()).await;
    let paid_at = |list: &[LspStream]| list.iter().map(|s| s.payments).sum::<u64>();
    let first = paid_at(&all(payer.clone()).await);
    let t_first = Instant::now();
    tokio::time::sleep(Duration::from_secs(15)).await;
    let list = all(payer.clone()).await;
    let second = paid_at(&list);
    let window = t_first.elapsed().as_secs_f64();
    let stopped_secs = started.elapsed().as_secs_f64();
    for id in &ids {
        // A stream that fell far behind may have reached its budget already (finished).
        let _ = payer.stop_stream(id).await;
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    let finished = loop {
        let list = all(payer.clone()).await;
        if list.iter().all(|s| s.state == StreamState::Finished) {
            break list;
        }
        assert!(Instant::now() < deadline, "streams never all finished");
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let exact = finished
        .iter()
        .filter(|s| s.paid_msat == s.earned_msat)
        .count();
    let paid_total: u64 = finished.iter().map(|s| s.paid_msat.as_u64()).sum();
    println!(
        "streams: {streams} at 1 sat/s with 1 s ticks and a 1-msat minimum payment (created in {create_secs:.1} s): {:.0} payments/s sustained over {window:.0} s (goal {streams}/s), so each stream is paid every {:.1} s on average (each payment carrying what is owed); stopped after {:.1} s: {exact} of {streams} settled exactly, {paid_total} msat paid ({:.0} msat a stream-second: 1,000 if paid in full)",
        (second - first) as f64 / window,
        streams as f64 * window / (second - first) as f64,
        stopped_secs,
        paid_total as f64 / (streams as f64 * stopped_secs),
    );
    assert_eq!(exact, streams);
}
