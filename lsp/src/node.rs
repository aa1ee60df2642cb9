//! The Lightning engine: building and starting the LDK Node instance from the configuration,
//! and running its blocking calls off the async workers.

use std::sync::Arc;

use ldk_node::lightning::ln::msgs::SocketAddress;
use ldk_node::{Builder, Node};

use crate::config::{ChainSource, Config};
use crate::error::ServerError;

/// Builds and starts the node. Blocking: call it from `spawn_blocking` or before serving.
///
/// # Errors
/// [`ServerError::Config`] for a listen address LDK refuses, [`ServerError::Node`] if the node
/// cannot be built or started.
pub fn start(config: &Config) -> Result<Arc<Node>, ServerError> {
    let mut builder = Builder::new();
    builder
        .set_network(config.network.to_bitcoin())
        .set_storage_dir_path(config.data_dir.join("ldk").to_string_lossy().into_owned())
        .set_filesystem_logger(None, Some(ldk_node::logger::LogLevel::Info))
        .set_max_accepted_htlcs(config.max_accepted_htlcs)
        .set_sqlite_wal(config.ldk_sqlite_wal)
        .set_defer_monitor_writes(config.ldk_defer_monitor_writes)
        .set_record_manual_invoices(config.ldk_invoice_records)
        // A keysend is credited to the account whose Lightning Address it names, or failed
        // back (engine::keysends): the node must not claim one for no account.
        .set_manually_claim_spontaneous_payments(true)
        // A server is never suspended: a slow moment under load must not drop every peer.
        .set_mobile_interruptable_platform(false)
        .set_runtime(tokio::runtime::Handle::current());
    match &config.chain {
        ChainSource::BitcoindRpc {
            host,
            port,
            user,
            password,
        } => {
            builder.set_chain_source_bitcoind_rpc(
                host.clone(),
                *port,
                user.clone(),
                password.clone(),
            );
        }
        ChainSource::Esplora { url } => {
            builder.set_chain_source_esplora(url.clone(), None);
        }
    }
    let listen = match config.ldk_listen {
        std::net::SocketAddr::V4(v4) => SocketAddress::TcpIpV4 {
            addr: v4.ip().octets(),
            port: v4.port(),
        },
        std::net::SocketAddr::V6(v6) => SocketAddress::TcpIpV6 {
            addr: v6.ip().octets(),
            port: v6.port(),
        },
    };
    builder
        .set_listening_addresses(vec![listen])
        .map_err(|e| ServerError::Config {
            reason: format!("ldk_listen: {e}"),
        })?;
    // An alias and a listening address let the node accept announced channels and route.
    builder
        .set_node_alias(config.alias.clone())
        .map_err(|e| ServerError::Config {
            reason: format!("alias: {e}"),
        })?;
    // Process-wide in LDK's background processor (vendored patch): set only when configured,
    // so a process that set it otherwise keeps its setting.
    if let Some(delay) = config.forward_batch_delay {
        lightning_background_processor::set_forward_batch_delay(Some(delay));
    }
    let node = builder.build().map_err(|e| ServerError::node("build", e))?;
    node.start().map_err(|e| ServerError::node("start", e))?;
    Ok(Arc::new(node))
}

/// Runs a blocking LDK Node call on tokio's blocking pool.
///
/// # Errors
/// [`ServerError::Node`] if the blocking task itself failed.
pub async fn blocking<T, F>(node: &Arc<Node>, f: F) -> Result<T, ServerError>
where
    T: Send + 'static,
    F: FnOnce(&Node) -> T + Send + 'static,
{
    let node = Arc::clone(node);
    tokio::task::spawn_blocking(move || f(&node))
        .await
        .map_err(|e| ServerError::node("spawn_blocking", e))
}

/// What LDK Node keeps on chain for each anchor channel it accepts (ldk-node's default
/// `AnchorChannelsConfig::per_channel_reserve_sats`): without it, it accepts only legacy ones.
pub const ANCHOR_RESERVE_SATS: u64 = 25_000;

/// Warns when the node holds less on chain than one anchor channel's reserve: channels then
/// opened to it are legacy (non-anchor) ones, where an HTLC below the HTLC transactions' fee
/// plus the dust limit (about 2,500 sat at LDK's dust-buffer feerate) is dust, and LDK lets a
/// peer hold only about 30 of those in flight on a channel before it refuses to forward more
/// (measured: the side-by-side bench failed with `RouteNotFound` at 64 payments of 1,000 sat in
/// flight). Games send many small payments at once: fund the node before peers open channels.
pub fn warn_without_anchor_reserve(node: &Node) {
    let onchain = node.list_balances().spendable_onchain_balance_sats;
    if onchain < ANCHOR_RESERVE_SATS {
        let address = node
            .onchain_payment()
            .new_address()
            .map_or_else(|e| format!("(no address: {e})"), |a| a.to_string());
        tracing::warn!(
            onchain_sats = onchain,
            %address,
            "the node holds less on chain than one anchor channel's reserve ({ANCHOR_RESERVE_SATS} sat): \
             channels opened to it will be legacy ones, where payments below about 2,500 sat are dust \
             and only about 30 can be in flight per channel; send {ANCHOR_RESERVE_SATS} sat per \
             expected channel to the address before peers open channels"
        );
    }
}
