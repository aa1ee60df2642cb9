//! Helpers shared by the `nodes_*` integration tests: small topologies and event waits.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use etrid_devnet::nodes::DevnetConfig;
use ldk_node::Event;
use tokio::sync::broadcast::{self, error::RecvError};

/// Three nodes: alice → bob → lsp (one payer, one router), no control API.
pub(crate) fn small_config() -> DevnetConfig {
    init_tracing();
    DevnetConfig {
        payers: vec!["alice".into()],
        routers: vec!["bob".into()],
        control_bind: None,
        payer_channel_sats: 1_000_000,
        router_channel_sats: 1_000_000,
        ..DevnetConfig::default()
    }
}

/// Logs to the test output when `RUST_LOG` is set.
pub(crate) fn init_tracing() {
    if std::env::var_os("RUST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_test_writer()
            .try_init();
    }
}

/// The first event matching `pred` within `timeout`, or a panic naming `what`.
pub(crate) async fn wait_event(
    rx: &mut broadcast::Receiver<Event>,
    what: &str,
    timeout: Duration,
    mut pred: impl FnMut(&Event) -> bool,
) -> Event {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Err(_) => panic!("timed out waiting for {what}"),
            Ok(Ok(ev)) if pred(&ev) => return ev,
            Ok(Ok(_)) | Ok(Err(RecvError::Lagged(_))) => {}
            Ok(Err(RecvError::Closed)) => panic!("event stream closed waiting for {what}"),
        }
    }
}

/// Polls `cond` every 50 ms until it holds, or panics after `timeout`.
pub(crate) async fn wait_until(what: &str, timeout: Duration, mut cond: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + timeout;
    while !cond() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
