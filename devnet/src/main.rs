//! `etrid-devnet`: runs the devnet (chain + LDK nodes + control API) until Ctrl-C.
#![forbid(unsafe_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use etrid_devnet::{Devnet, DevnetConfig};

/// A real Lightning network on one machine.
#[derive(Debug, Parser)]
#[command(name = "etrid-devnet", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start the chain and the nodes, open channels, print how to reach them, run until Ctrl-C.
    Up(UpArgs),
}

#[derive(Debug, clap::Args)]
struct UpArgs {
    /// Keep chain and node state here across restarts (default: a temporary directory).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Control API address (loopback only).
    #[arg(long, default_value = "127.0.0.1:0")]
    control_bind: SocketAddr,
    /// The LSP node's name.
    #[arg(long, default_value = "lsp")]
    lsp: String,
    /// Payer wallet names, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "alice,bob")]
    payers: Vec<String>,
    /// Routing node names, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "router1,router2")]
    routers: Vec<String>,
    /// Capacity of each payer → router channel, sats.
    #[arg(long, default_value_t = 2_000_000)]
    payer_channel_sats: u64,
    /// Capacity of each router → LSP channel, sats.
    #[arg(long, default_value_t = 2_000_000)]
    router_channel_sats: u64,
    /// Mine a block every N seconds (default: only on demand).
    #[arg(long)]
    block_interval_secs: Option<u64>,
    /// Also start N LND nodes (lnd1, …), funded, each with a channel to and a channel from the
    /// LSP node. Needs an lnd binary: devnet/lnd/build-lnd.sh builds one.
    #[arg(long, value_name = "N", default_value_t = 0)]
    with_lnd: usize,
    /// The lnd binary for --with-lnd (default: $ETRID_LND, else ~/.cache/etrid-lnd/<version>/lnd).
    #[arg(long)]
    lnd_binary: Option<PathBuf>,
    /// Print the devnet info as JSON instead of text.
    #[arg(long)]
    json: bool,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        Command::Up(args) => runtime.block_on(up(args)),
    }
}

async fn up(args: UpArgs) -> ExitCode {
    let config = DevnetConfig {
        data_dir: args.data_dir,
        lsp: args.lsp,
        payers: args.payers,
        routers: args.routers,
        payer_channel_sats: args.payer_channel_sats,
        router_channel_sats: args.router_channel_sats,
        control_bind: Some(args.control_bind),
        block_interval: args.block_interval_secs.map(Duration::from_secs),
        lnd_nodes: args.with_lnd,
        lnd_binary: args.lnd_binary,
        lnd_channels_with_lsp: true,
        ..DevnetConfig::default()
    };
    let devnet = match Devnet::start(config).await {
        Ok(d) => d,
        Err(e) => {
            eprintln!("devnet failed to start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let info = devnet.api().info();
    if args.json {
        match serde_json::to_string_pretty(&info) {
            Ok(text) => println!("{text}"),
            Err(e) => eprintln!("cannot print info: {e}"),
        }
    } else {
        print_info(&info, devnet.ready_after());
    }
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("cannot listen for Ctrl-C: {e}");
    }
    eprintln!("stopping...");
    devnet.shutdown().await;
    eprintln!("stopped");
    ExitCode::SUCCESS
}

fn print_info(info: &etrid_devnet::nodes::DevnetInfo, ready: Duration) {
    println!(
        "etrid devnet ready in {:.1} s (regtest, height {})",
        ready.as_secs_f64(),
        info.height
    );
    println!();
    println!(
        "  chain JSON-RPC  {}  (user {}, password {})",
        info.chain_rpc_url, info.rpc_user, info.rpc_password
    );
    println!("  esplora         {}", info.esplora_url);
    if let Some(url) = &info.control_url {
        println!("  control API     {url}/v1/info");
    }
    println!("  data dir        {}", info.data_dir);
    println!();
    for n in &info.nodes {
        let role = serde_json::to_value(n.role)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        println!(
            "  {:<8} {:<7} {}  lightning {} sat, on-chain {} sat",
            n.name, role, n.uri, n.lightning_sats, n.onchain_sats
        );
    }
    for n in &info.lnd {
        println!("  {:<8} lnd     {}  REST {}", n.name, n.uri, n.rest_url);
        println!("           macaroon {}", n.macaroon_hex);
    }
    println!();
    if let Some(url) = &info.control_url {
        println!("  try: curl -s -X POST {url}/v1/nodes/lsp/invoice -H 'content-type: application/json' -d '{{\"amount_msat\":1000000}}'");
    }
    println!("Ctrl-C to stop.");
}
