//! Timed mining: a chain configured with a block interval mines on its own until shut down.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use etrid_devnet::chain::{ChainConfig, ChainServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timed_mining_runs_until_shutdown() {
    let config = ChainConfig {
        block_interval: Some(Duration::from_millis(50)),
        ..ChainConfig::default()
    };
    let server = ChainServer::start(config).await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let height = server.height();
    assert!(height > 101, "timer mined blocks: {height}");
    let handle = server.clone();
    server.shutdown().await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let after = handle.height();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(handle.height(), after, "no blocks after shutdown");
    assert!(
        reqwest::get(format!("{}/blocks/tip/height", handle.esplora_url()))
            .await
            .is_err()
    );
}
