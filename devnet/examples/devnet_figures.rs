//! Prints the devnet's figures: time from start to ready, and one-hop payment latency
//! (p50/p99, sequential) and throughput (payments per second, concurrent) alice → router1.
//!
//! `cargo run -p etrid-devnet --release --example devnet_figures -- [payments] [concurrency]`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use etrid_devnet::nodes::{InvoiceRequest, PayRequest};
use etrid_devnet::{Devnet, DevnetApi, DevnetConfig};

const AMOUNT_MSAT: u64 = 10_000;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

async fn pay(api: &DevnetApi, invoice: String) -> Duration {
    let started = Instant::now();
    let req = PayRequest {
        invoice,
        amount_msat: None,
        timeout_secs: Some(60),
    };
    api.pay_invoice("alice", &req).await.expect("payment");
    started.elapsed()
}

fn invoices(api: &DevnetApi, n: usize) -> Vec<String> {
    let req = InvoiceRequest {
        amount_msat: Some(AMOUNT_MSAT),
        ..Default::default()
    };
    (0..n)
        .map(|_| {
            api.create_invoice("router1", &req)
                .expect("invoice")
                .invoice
        })
        .collect()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let payments: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(300);
    let concurrency: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(16);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let t0 = Instant::now();
        let devnet = Devnet::start(DevnetConfig { control_bind: None, ..DevnetConfig::default() })
            .await
            .expect("devnet");
        println!("up to ready: {:.2} s ({} nodes, {} channels, wall {:.2} s)",
            devnet.ready_after().as_secs_f64(),
            devnet.api().nodes().len(),
            DevnetConfig::default().channel_plan().len(),
            t0.elapsed().as_secs_f64());
        let api = devnet.api().clone();

        // Warm up (routes, scorer, connections).
        for inv in invoices(&api, 10) {
            pay(&api, inv).await;
        }

        // Latency: one payment at a time.
        let mut latencies = Vec::with_capacity(payments);
        for inv in invoices(&api, payments) {
            latencies.push(pay(&api, inv).await);
        }
        latencies.sort();
        println!(
            "one hop, sequential, {payments} payments of {} sat: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            AMOUNT_MSAT / 1000,
            percentile(&latencies, 0.50).as_secs_f64() * 1e3,
            percentile(&latencies, 0.99).as_secs_f64() * 1e3,
            latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        );

        // Throughput: `concurrency` payments in flight.
        let pending = invoices(&api, payments);
        let started = Instant::now();
        let queue = std::sync::Arc::new(tokio::sync::Mutex::new(pending));
        let mut workers = Vec::new();
        for _ in 0..concurrency {
            let api = api.clone();
            let queue = std::sync::Arc::clone(&queue);
            workers.push(tokio::spawn(async move {
                let mut lat = Vec::new();
                loop {
                    let Some(inv) = queue.lock().await.pop() else { break };
                    lat.push(pay(&api, inv).await);
                }
                lat
            }));
        }
        let mut lat = Vec::new();
        for w in workers {
            lat.extend(w.await.unwrap());
        }
        let wall = started.elapsed();
        lat.sort();
        println!(
            "one hop, {concurrency} in flight, {payments} payments: {:.0} payments/s, p50 {:.1} ms, p99 {:.1} ms",
            payments as f64 / wall.as_secs_f64(),
            percentile(&lat, 0.50).as_secs_f64() * 1e3,
            percentile(&lat, 0.99).as_secs_f64() * 1e3,
        );
        devnet.shutdown().await;
    });
}
