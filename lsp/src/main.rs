//! `etrid-lsp`: run the server, or manage accounts in its database.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use etrid_lsp::db::Db;
use etrid_lsp::store::Store;
use etrid_lsp::{Options, Server, ServerError};

/// The Étrid reference LSP server.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// A TOML file with any of the options below (flags and environment win).
    #[arg(long, env = "ETRID_LSP_CONFIG", global = true)]
    config: Option<PathBuf>,
    #[command(flatten)]
    options: Options,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (the default).
    Run {
        /// Also stop, cleanly, when standard input reaches its end: a supervisor or test
        /// harness holding the other end of a pipe then cannot leave the server behind, however
        /// it exits (even killed).
        #[arg(long, env = "ETRID_LSP_EXIT_ON_STDIN_EOF")]
        exit_on_stdin_eof: bool,
    },
    /// Create an account and print its first admin key as JSON (shown only once).
    CreateAccount {
        /// A label for the account.
        #[arg(long)]
        label: String,
    },
    /// List accounts as JSON.
    ListAccounts,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ETRID_LSP_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("etrid-lsp: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("etrid-lsp: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), ServerError> {
    let file = match &cli.config {
        Some(path) => Options::from_file(path)?,
        None => Options::default(),
    };
    let options = cli.options.or(file);
    let default = Command::Run {
        exit_on_stdin_eof: false,
    };
    match cli.command.unwrap_or(default) {
        Command::Run { exit_on_stdin_eof } => {
            let server = Server::start(options.resolve()?).await?;
            let node = server.engine().node();
            // One line on stdout that scripts and tests read to learn where we are, with an
            // address of the node's on-chain wallet to fund it (anchor channels need funds).
            println!(
                "{}",
                serde_json::json!({
                    "api": format!("http://{}", server.addr()),
                    "node_id": node.node_id().to_string(),
                    "ldk_listen": server.engine().config().ldk_listen.to_string(),
                    "onchain_address": node.onchain_payment().new_address().ok().map(|a| a.to_string()),
                    "onchain_sats": node.list_balances().spendable_onchain_balance_sats,
                })
            );
            if exit_on_stdin_eof {
                tokio::select! {
                    _ = wait_for_signal() => {}
                    _ = etrid_lsp::supervise::stdin_closed() => tracing::info!("standard input closed"),
                }
            } else {
                wait_for_signal().await;
            }
            tracing::info!("shutting down");
            server.shutdown().await;
            Ok(())
        }
        Command::CreateAccount { label } => {
            let store = open_store(options).await?;
            let (account, key) = store.create_account(&label).await?;
            println!(
                "{}",
                serde_json::json!({"account_id": account.id, "label": account.label, "admin_key": key.key})
            );
            Ok(())
        }
        Command::ListAccounts => {
            let store = open_store(options).await?;
            for a in store.list_accounts().await? {
                println!(
                    "{}",
                    serde_json::json!({"account_id": a.id, "label": a.label, "created_at": a.created_at})
                );
            }
            Ok(())
        }
    }
}

/// The store alone (no node): account commands need no chain source.
async fn open_store(options: Options) -> Result<Store, ServerError> {
    let data_dir = options
        .data_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from("etrid-lsp-data"));
    let url = options
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("lsp.sqlite").display()));
    Ok(Store::new(Db::open(&url).await?))
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
