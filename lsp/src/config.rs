//! Server configuration: a TOML file, `ETRID_LSP_*` environment variables and command-line
//! flags, in rising order of precedence, with defaults fit for a local devnet.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;
use etrid_core::network::Network;
use serde::Deserialize;

use crate::error::ServerError;
use crate::swap_config::{SwapConfig, SwapOptions};

/// Where the Lightning node reads the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainSource {
    /// A bitcoind (or the devnet chain server) JSON-RPC endpoint.
    BitcoindRpc {
        /// Host name or address.
        host: String,
        /// Port.
        port: u16,
        /// RPC user.
        user: String,
        /// RPC password.
        password: String,
    },
    /// An Esplora HTTP API base URL.
    Esplora {
        /// The URL.
        url: String,
    },
}

/// The most HTLCs the Lightning protocol allows pending in one direction of a channel (BOLT 2).
pub const MAX_HTLCS_PER_CHANNEL: u16 = 483;

/// The longest fixed forwarding batch delay accepted, ms (LDK's random delay is at most 200).
pub const MAX_FORWARD_BATCH_DELAY_MS: u64 = 1000;

/// The settings every part of the server reads; built by [`Options::resolve`].
#[derive(Debug, Clone)]
pub struct Config {
    /// The Bitcoin network; invoices for other networks are refused.
    pub network: Network,
    /// Where LDK Node keeps its state (and the SQLite file by default).
    pub data_dir: PathBuf,
    /// The chain backend.
    pub chain: ChainSource,
    /// Where the node accepts Lightning peer connections.
    pub ldk_listen: SocketAddr,
    /// The node's announced alias.
    pub alias: String,
    /// Where the HTTP API listens.
    pub api_bind: SocketAddr,
    /// `sqlite://path` or `postgres://…`.
    pub database_url: String,
    /// Whether invoice-scope endpoints answer CORS preflights for any origin.
    pub cors: bool,
    /// Invoice creations per second each key may sustain.
    pub invoice_rate_per_sec: u32,
    /// Invoice creations a key may burst above the sustained rate.
    pub invoice_rate_burst: u32,
    /// Blocks before an accepted hold invoice's HTLC deadline at which the server cancels it.
    pub hold_cancel_margin_blocks: u32,
    /// How long events are kept, in days.
    pub event_retention_days: u64,
    /// Seconds an outgoing payment may stay pending before LDK abandons its retries.
    pub default_payment_timeout_secs: u64,
    /// HTLCs a peer may have pending to the node at once per channel (LDK: 50 by default).
    pub max_accepted_htlcs: u16,
    /// A fixed wait between two rounds of HTLC forwarding and receiving in LDK's background
    /// processor; `None`: LDK's random delay (median about 50 ms, at most 200 ms).
    pub forward_batch_delay: Option<std::time::Duration>,
    /// Whether LDK Node's SQLite store uses the write-ahead log (still synced on every commit).
    pub ldk_sqlite_wal: bool,
    /// Whether LDK Node writes each channel monitor only after the channel manager that knows
    /// of it (so a crash costs no channel).
    pub ldk_defer_monitor_writes: bool,
    /// Whether LDK Node writes a payment record for each invoice the server registers.
    pub ldk_invoice_records: bool,
    /// Where wallets reach the API from outside (LNURL callbacks, the host of Lightning
    /// Addresses); `None`: `http://` + the address the API listens on.
    pub public_url: Option<String>,
    /// A JSON file of fiat rates (`{"EUR": "92000.50"}`, fiat units per bitcoin) for quotes;
    /// `None`: quotes are refused (unless `fiat_rates_url`).
    pub fiat_rates_file: Option<PathBuf>,
    /// A URL answering the same JSON, fetched at most every 10 s; exclusive with the file.
    pub fiat_rates_url: Option<String>,
    /// The npm package's directory, whose tournament console is served at `/console/`;
    /// `None`: no console.
    pub console_dir: Option<PathBuf>,
    /// Origins (`https://console.example`) whose pages may call the admin endpoints from a
    /// browser (CORS): the console hosted as static files elsewhere. Empty: none.
    pub admin_cors_origins: Vec<String>,
    /// The swap server's settings; `None`: no swaps (`swaps_unavailable`).
    pub swap: Option<SwapConfig>,
}

/// The options as flags and environment variables (`etrid-lsp --help` lists them); every
/// one may also be a key of the TOML file given by `--config`.
#[derive(Debug, Clone, Default, Args, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// Bitcoin network: regtest, signet, testnet or bitcoin. Default regtest.
    #[arg(long, env = "ETRID_LSP_NETWORK", value_parser = parse_network)]
    pub network: Option<Network>,
    /// State directory. Default ./etrid-lsp-data.
    #[arg(long, env = "ETRID_LSP_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// bitcoind JSON-RPC URL with credentials, e.g. http://user:pass@127.0.0.1:18443.
    #[arg(long, env = "ETRID_LSP_BITCOIND_RPC")]
    pub bitcoind_rpc: Option<String>,
    /// Esplora base URL (instead of bitcoind RPC).
    #[arg(long, env = "ETRID_LSP_ESPLORA_URL")]
    pub esplora_url: Option<String>,
    /// Lightning peer listen address. Default 127.0.0.1:9735.
    #[arg(long, env = "ETRID_LSP_LDK_LISTEN")]
    pub ldk_listen: Option<SocketAddr>,
    /// Node alias. Default etrid-lsp.
    #[arg(long, env = "ETRID_LSP_ALIAS")]
    pub alias: Option<String>,
    /// HTTP API address. Default 127.0.0.1:8080.
    #[arg(long, env = "ETRID_LSP_API_BIND")]
    pub api_bind: Option<SocketAddr>,
    /// Database URL: `sqlite://PATH` (default `<data-dir>/lsp.sqlite`) or `postgres://…`.
    #[arg(long, env = "ETRID_LSP_DATABASE_URL")]
    pub database_url: Option<String>,
    /// CORS for invoice endpoints: true or false. Default true.
    #[arg(long, env = "ETRID_LSP_CORS")]
    pub cors: Option<bool>,
    /// Sustained invoice creations per second per key. Default 50.
    #[arg(long, env = "ETRID_LSP_INVOICE_RATE_PER_SEC")]
    pub invoice_rate_per_sec: Option<u32>,
    /// Invoice creation burst per key. Default 100.
    #[arg(long, env = "ETRID_LSP_INVOICE_RATE_BURST")]
    pub invoice_rate_burst: Option<u32>,
    /// Safety margin in blocks before a held HTLC's deadline. Default 12.
    #[arg(long, env = "ETRID_LSP_HOLD_CANCEL_MARGIN_BLOCKS")]
    pub hold_cancel_margin_blocks: Option<u32>,
    /// Event retention in days. Default 30.
    #[arg(long, env = "ETRID_LSP_EVENT_RETENTION_DAYS")]
    pub event_retention_days: Option<u64>,
    /// Default payment timeout in seconds. Default 60.
    #[arg(long, env = "ETRID_LSP_PAYMENT_TIMEOUT_SECS")]
    pub default_payment_timeout_secs: Option<u64>,
    /// HTLCs a peer may have pending to the node at once, per channel opened or accepted from
    /// now on: 1 to 483 (LDK's maximum). Default 483, for throughput; LDK's own default is 50.
    #[arg(long, env = "ETRID_LSP_MAX_ACCEPTED_HTLCS")]
    pub max_accepted_htlcs: Option<u16>,
    /// Milliseconds LDK waits between two rounds of forwarding and receiving HTLCs, 0 to 1000,
    /// instead of its random delay (median about 50 ms, at most 200 ms, which batches forwards
    /// and blurs their timing for privacy). An LSP that is the final hop of its users' payments
    /// gains little from the random delay and pays it on every payment received. Process-wide
    /// (every LDK node in the process). Default: LDK's random delay.
    #[arg(long, env = "ETRID_LSP_FORWARD_BATCH_DELAY_MS")]
    pub forward_batch_delay_ms: Option<u64>,
    /// LDK Node's SQLite store in write-ahead-log mode, true or false: every commit is still
    /// synced to disk before it returns (`synchronous=FULL`), with one sync of the log instead of
    /// a journal file created, synced and deleted (invoices about 2.8 times faster, measured).
    /// Default true; false keeps LDK Node's own rollback journal.
    #[arg(long, env = "ETRID_LSP_LDK_SQLITE_WAL")]
    pub ldk_sqlite_wal: Option<bool>,
    /// Write each channel monitor only after the channel manager that knows of it, true or
    /// false. Without it a crash (a `kill -9` under payment load) can leave a monitor on disk
    /// ahead of the manager, and LDK then force-closes those channels on restart
    /// (`OutdatedChannelManager`); with it a crash at any moment costs no channel, and each
    /// commitment step waits for one manager write. Default true.
    #[arg(long, env = "ETRID_LSP_LDK_DEFER_MONITOR_WRITES")]
    pub ldk_defer_monitor_writes: Option<bool>,
    /// Have LDK Node write a payment record for every invoice, true or false. The server keeps
    /// each invoice's preimage and state itself and claims or fails every payment, so the
    /// record (one store commit per invoice) serves LDK Node's own checks only (the one that
    /// matters, refusing a second payment of an invoice already paid, the server makes too).
    /// Default false: invoices about 1.8 times faster (measured); true is LDK Node's own
    /// behaviour.
    #[arg(long, env = "ETRID_LSP_LDK_INVOICE_RECORDS")]
    pub ldk_invoice_records: Option<bool>,
    /// The API's public URL, as wallets reach it (`https://lsp.example.com`): the base of LNURL
    /// callbacks and the host of Lightning Addresses. Default `http://` + the API address.
    #[arg(long, env = "ETRID_LSP_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// A JSON file of fixed fiat rates for quotes, fiat units per bitcoin by ISO 4217 code
    /// (`{"EUR": "92000.50", "USD": "100000"}`), read again at every quote. Default: none
    /// (quotes refused with `unknown_currency`).
    #[arg(long, env = "ETRID_LSP_FIAT_RATES_FILE")]
    pub fiat_rates_file: Option<PathBuf>,
    /// An HTTP(S) URL answering the same JSON as `--fiat-rates-file` (a market-rate feed),
    /// fetched at most every 10 s; when it cannot be fetched, quotes are refused
    /// (`rates_unavailable`). Default: none. Exclusive with `--fiat-rates-file`.
    #[arg(long, env = "ETRID_LSP_FIAT_RATES_URL")]
    pub fiat_rates_url: Option<String>,
    /// The npm package's directory (`wasm/` of the repository once built, or
    /// `node_modules/@etrid/lightning`): its tournament console is then served at `/console/`.
    /// Default: none (no console).
    #[arg(long, env = "ETRID_LSP_CONSOLE_DIR")]
    pub console_dir: Option<PathBuf>,
    /// Origins allowed to call the admin endpoints from a browser, comma-separated
    /// (`https://console.example`): for the tournament console hosted as static files on
    /// another origin. Exact origins only, never `*` (admin keys). Default: none.
    #[arg(long, env = "ETRID_LSP_ADMIN_CORS_ORIGINS", value_delimiter = ',')]
    pub admin_cors_origins: Option<Vec<String>>,
    /// The swap server (`--swap-*`; the `[swap]` table of the file).
    #[command(flatten)]
    #[serde(default)]
    pub swap: SwapOptions,
}

impl Options {
    /// Fills every option unset here from `file` (the TOML file's options).
    pub fn or(self, file: Options) -> Options {
        Options {
            network: self.network.or(file.network),
            data_dir: self.data_dir.or(file.data_dir),
            bitcoind_rpc: self.bitcoind_rpc.or(file.bitcoind_rpc),
            esplora_url: self.esplora_url.or(file.esplora_url),
            ldk_listen: self.ldk_listen.or(file.ldk_listen),
            alias: self.alias.or(file.alias),
            api_bind: self.api_bind.or(file.api_bind),
            database_url: self.database_url.or(file.database_url),
            cors: self.cors.or(file.cors),
            invoice_rate_per_sec: self.invoice_rate_per_sec.or(file.invoice_rate_per_sec),
            invoice_rate_burst: self.invoice_rate_burst.or(file.invoice_rate_burst),
            hold_cancel_margin_blocks: self
                .hold_cancel_margin_blocks
                .or(file.hold_cancel_margin_blocks),
            event_retention_days: self.event_retention_days.or(file.event_retention_days),
            default_payment_timeout_secs: self
                .default_payment_timeout_secs
                .or(file.default_payment_timeout_secs),
            max_accepted_htlcs: self.max_accepted_htlcs.or(file.max_accepted_htlcs),
            forward_batch_delay_ms: self.forward_batch_delay_ms.or(file.forward_batch_delay_ms),
            ldk_sqlite_wal: self.ldk_sqlite_wal.or(file.ldk_sqlite_wal),
            ldk_defer_monitor_writes: self
                .ldk_defer_monitor_writes
                .or(file.ldk_defer_monitor_writes),
            ldk_invoice_records: self.ldk_invoice_records.or(file.ldk_invoice_records),
            public_url: self.public_url.or(file.public_url),
            fiat_rates_file: self.fiat_rates_file.or(file.fiat_rates_file),
            fiat_rates_url: self.fiat_rates_url.or(file.fiat_rates_url),
            console_dir: self.console_dir.or(file.console_dir),
            admin_cors_origins: self.admin_cors_origins.or(file.admin_cors_origins),
            swap: self.swap.or(file.swap),
        }
    }

    /// Reads a TOML options file.
    ///
    /// # Errors
    /// [`ServerError::Config`] if it cannot be read or parsed.
    pub fn from_file(path: &std::path::Path) -> Result<Options, ServerError> {
        let text = std::fs::read_to_string(path).map_err(|e| ServerError::Config {
            reason: format!("{}: {e}", path.display()),
        })?;
        toml::from_str(&text).map_err(|e| ServerError::Config {
            reason: format!("{}: {e}", path.display()),
        })
    }

    /// Applies defaults and checks the result.
    ///
    /// # Errors
    /// [`ServerError::Config`] naming the bad option.
    pub fn resolve(self) -> Result<Config, ServerError> {
        if self.fiat_rates_file.is_some() && self.fiat_rates_url.is_some() {
            return Err(ServerError::Config {
                reason: "give fiat_rates_file or fiat_rates_url, not both".into(),
            });
        }
        let bad = |reason: String| ServerError::Config { reason };
        let node_esplora_url = self.esplora_url.clone();
        let swap = self.swap.resolve(node_esplora_url.as_deref())?;
        let data_dir = self
            .data_dir
            .unwrap_or_else(|| PathBuf::from("etrid-lsp-data"));
        let chain = match (self.bitcoind_rpc, self.esplora_url) {
            (Some(_), Some(_)) => {
                return Err(bad(
                    "set either bitcoind_rpc or esplora_url, not both".into()
                ))
            }
            (Some(rpc), None) => parse_rpc_url(&rpc)?,
            (None, Some(url)) => {
                url::Url::parse(&url).map_err(|e| bad(format!("esplora_url: {e}")))?;
                ChainSource::Esplora { url }
            }
            (None, None) => {
                return Err(bad(
                    "a chain source is required: bitcoind_rpc or esplora_url".into(),
                ))
            }
        };
        let database_url = self
            .database_url
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("lsp.sqlite").display()));
        let alias = self.alias.unwrap_or_else(|| "etrid-lsp".to_owned());
        if alias.is_empty() || alias.len() > 32 {
            return Err(bad("alias must be 1-32 bytes".into()));
        }
        let invoice_rate_per_sec = self.invoice_rate_per_sec.unwrap_or(50);
        if invoice_rate_per_sec == 0 {
            return Err(bad("invoice_rate_per_sec must be at least 1".into()));
        }
        if let Some(dir) = &self.console_dir {
            check_console_dir(dir)?;
        }
        let admin_cors_origins = self.admin_cors_origins.unwrap_or_default();
        for origin in &admin_cors_origins {
            check_origin(origin)?;
        }
        let max_accepted_htlcs = self.max_accepted_htlcs.unwrap_or(MAX_HTLCS_PER_CHANNEL);
        if !(1..=MAX_HTLCS_PER_CHANNEL).contains(&max_accepted_htlcs) {
            return Err(bad(format!(
                "max_accepted_htlcs must be 1 to {MAX_HTLCS_PER_CHANNEL}, not {max_accepted_htlcs}"
            )));
        }
        if let Some(ms) = self.forward_batch_delay_ms {
            if ms > MAX_FORWARD_BATCH_DELAY_MS {
                return Err(bad(format!(
                    "forward_batch_delay_ms must be 0 to {MAX_FORWARD_BATCH_DELAY_MS}, not {ms}"
                )));
            }
        }
        Ok(Config {
            network: self.network.unwrap_or(Network::Regtest),
            data_dir,
            chain,
            ldk_listen: self
                .ldk_listen
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 9735))),
            alias,
            api_bind: self
                .api_bind
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
            database_url,
            cors: self.cors.unwrap_or(true),
            invoice_rate_per_sec,
            invoice_rate_burst: self.invoice_rate_burst.unwrap_or(100).max(1),
            hold_cancel_margin_blocks: self.hold_cancel_margin_blocks.unwrap_or(12).max(3),
            event_retention_days: self.event_retention_days.unwrap_or(30).max(1),
            default_payment_timeout_secs: self.default_payment_timeout_secs.unwrap_or(60).max(1),
            max_accepted_htlcs,
            forward_batch_delay: self
                .forward_batch_delay_ms
                .map(std::time::Duration::from_millis),
            ldk_sqlite_wal: self.ldk_sqlite_wal.unwrap_or(true),
            ldk_defer_monitor_writes: self.ldk_defer_monitor_writes.unwrap_or(true),
            ldk_invoice_records: self.ldk_invoice_records.unwrap_or(false),
            public_url: match self.public_url {
                Some(url) => {
                    crate::engine::PublicUrl::parse(&url)?;
                    Some(url)
                }
                None => None,
            },
            fiat_rates_file: self.fiat_rates_file,
            fiat_rates_url: self.fiat_rates_url,
            console_dir: self.console_dir,
            admin_cors_origins,
            swap,
        })
    }
}

/// Checks that `dir` is a built npm package with the console: its pages and the browser build
/// they load (built by `.ci/wasm.sh`, shipped in the published package).
fn check_console_dir(dir: &std::path::Path) -> Result<(), ServerError> {
    for file in [
        "console/index.html",
        "js/browser.mjs",
        "pkg/web/etrid_wasm.js",
    ] {
        if !dir.join(file).is_file() {
            return Err(ServerError::Config {
                reason: format!(
                    "console_dir: {} has no {file} (the npm package's directory, built: \
                     bash .ci/wasm.sh --build-only)",
                    dir.display()
                ),
            });
        }
    }
    Ok(())
}

/// Checks a CORS origin: `http(s)://host[:port]` exactly as browsers send it (no path, no
/// trailing slash), and never `*`.
fn check_origin(origin: &str) -> Result<(), ServerError> {
    let bad = |why: &str| ServerError::Config {
        reason: format!("admin_cors_origins: {origin:?} {why}"),
    };
    let url = url::Url::parse(origin).map_err(|_| bad("is not an origin like https://host"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad("must be an http(s) origin"));
    }
    if url.origin().ascii_serialization() != origin {
        return Err(bad(
            "must be scheme://host[:port] with no path or trailing slash",
        ));
    }
    Ok(())
}

/// Parses a network name for clap.
fn parse_network(name: &str) -> Result<Network, String> {
    Network::from_name(name).ok_or_else(|| format!("unknown network {name:?}"))
}

/// Parses `http://user:pass@host:port` into a bitcoind RPC chain source.
fn parse_rpc_url(text: &str) -> Result<ChainSource, ServerError> {
    let bad = |reason: &str| ServerError::Config {
        reason: format!("bitcoind_rpc: {reason}"),
    };
    let url = url::Url::parse(text).map_err(|e| bad(&e.to_string()))?;
    if url.scheme() != "http" {
        return Err(bad("must be an http:// URL"));
    }
    let host = url
        .host_str()
        .ok_or_else(|| bad("host missing"))?
        .to_owned();
    let port = url.port().ok_or_else(|| bad("port missing"))?;
    let user = url.username().to_owned();
    let password = url.password().unwrap_or_default().to_owned();
    if user.is_empty() {
        return Err(bad("user:password@ missing"));
    }
    Ok(ChainSource::BitcoindRpc {
        host,
        port,
        user,
        password,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_file_and_defaults_apply() {
        let file: Options = toml::from_str(
            "network = \"regtest\"\nalias = \"file\"\nbitcoind_rpc = \"http://u:p@127.0.0.1:18443\"",
        )
        .unwrap();
        let flags = Options {
            alias: Some("flag".into()),
            ..Options::default()
        };
        let cfg = flags.or(file).resolve().unwrap();
        assert_eq!(cfg.alias, "flag");
        assert_eq!(
            cfg.chain,
            ChainSource::BitcoindRpc {
                host: "127.0.0.1".into(),
                port: 18443,
                user: "u".into(),
                password: "p".into()
            }
        );
        assert!(cfg.database_url.starts_with("sqlite://"));
        assert_eq!(cfg.invoice_rate_per_sec, 50);
        assert_eq!(cfg.max_accepted_htlcs, MAX_HTLCS_PER_CHANNEL);
    }

    #[test]
    fn bad_options_are_named() {
        let err = Options::default().resolve().unwrap_err();
        assert!(err.to_string().contains("chain source"));
        let err = Options {
            bitcoind_rpc: Some("http://127.0.0.1:1".into()),
            ..Options::default()
        }
        .resolve()
        .unwrap_err();
        assert!(err.to_string().contains("bitcoind_rpc"));
        assert!(toml::from_str::<Options>("nope = 1").is_err());
        for max_accepted_htlcs in [0, MAX_HTLCS_PER_CHANNEL + 1] {
            let err = Options {
                esplora_url: Some("http://127.0.0.1:3002".into()),
                max_accepted_htlcs: Some(max_accepted_htlcs),
                ..Options::default()
            }
            .resolve()
            .unwrap_err();
            assert!(err.to_string().contains("max_accepted_htlcs"), "{err}");
        }
    }

    #[test]
    fn ldk_node_uses_the_write_ahead_log_unless_told_not_to() {
        let esplora = || Some("http://127.0.0.1:3002".to_owned());
        let default = Options {
            esplora_url: esplora(),
            ..Options::default()
        };
        assert!(default.resolve().unwrap().ldk_sqlite_wal);
        let file: Options = toml::from_str("ldk_sqlite_wal = false").unwrap();
        let flags = Options {
            esplora_url: esplora(),
            ..Options::default()
        };
        assert!(!flags.or(file).resolve().unwrap().ldk_sqlite_wal);
    }

    #[test]
    fn monitor_writes_wait_for_the_manager_unless_told_not_to() {
        let base = || Options {
            esplora_url: Some("http://127.0.0.1:3002".to_owned()),
            ..Options::default()
        };
        assert!(base().resolve().unwrap().ldk_defer_monitor_writes);
        let off = Options {
            ldk_defer_monitor_writes: Some(false),
            ..base()
        };
        assert!(!off.resolve().unwrap().ldk_defer_monitor_writes);
    }

    #[test]
    fn ldk_node_keeps_no_invoice_records_unless_told_to() {
        let base = || Options {
            esplora_url: Some("http://127.0.0.1:3002".to_owned()),
            ..Options::default()
        };
        assert!(!base().resolve().unwrap().ldk_invoice_records);
        let on = Options {
            ldk_invoice_records: Some(true),
            ..base()
        };
        assert!(on.resolve().unwrap().ldk_invoice_records);
    }

    #[test]
    fn a_forward_batch_delay_is_optional_and_bounded() {
        let base = || Options {
            esplora_url: Some("http://127.0.0.1:3002".into()),
            ..Options::default()
        };
        assert_eq!(base().resolve().unwrap().forward_batch_delay, None);
        let set = Options {
            forward_batch_delay_ms: Some(0),
            ..base()
        };
        assert_eq!(
            set.resolve().unwrap().forward_batch_delay,
            Some(std::time::Duration::ZERO)
        );
        let err = Options {
            forward_batch_delay_ms: Some(MAX_FORWARD_BATCH_DELAY_MS + 1),
            ..base()
        }
        .resolve()
        .unwrap_err();
        assert!(err.to_string().contains("forward_batch_delay_ms"), "{err}");
    }

    #[test]
    fn console_options_are_checked() {
        let with = |console_dir: Option<PathBuf>, origins: &[&str]| Options {
            esplora_url: Some("http://127.0.0.1:3002".into()),
            console_dir,
            admin_cors_origins: Some(origins.iter().map(|o| (*o).to_owned()).collect()),
            ..Options::default()
        };
        let cfg = with(None, &["https://console.example", "http://127.0.0.1:8081"])
            .resolve()
            .unwrap();
        assert_eq!(cfg.admin_cors_origins.len(), 2);
        for bad in [
            "*",
            "https://console.example/",
            "https://x.example/path",
            "ftp://x",
        ] {
            let err = with(None, &[bad]).resolve().unwrap_err();
            assert!(
                err.to_string().contains("admin_cors_origins"),
                "{bad}: {err}"
            );
        }
        let empty = tempfile::tempdir().unwrap();
        let err = with(Some(empty.path().to_owned()), &[])
            .resolve()
            .unwrap_err();
        assert!(err.to_string().contains("console/index.html"), "{err}");
    }
}
