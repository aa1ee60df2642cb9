//! `lsp-fixture`: a devnet and an Étrid LSP on it for test runners in other languages (see
//! `etrid_examples::lsp_fixture`). Prints one JSON line (API and control URLs, accounts with
//! their keys) once ready, then runs until its standard input closes (or SIGINT).
//!
//! Usage: `lsp-fixture [--accounts N] [--fund-msat MSAT] [--invoice-rate-per-sec N]
//! [--invoice-rate-burst N] [--fiat-rates-file PATH] [--console-dir PATH]
//! [--admin-cors-origin ORIGIN]`

use std::process::ExitCode;

use etrid_examples::lsp_fixture::{Fixture, FixtureOptions};

/// Parses the command line into fixture options.
fn options(args: &[String]) -> Result<FixtureOptions, String> {
    let mut options = FixtureOptions {
        accounts: 1,
        ..FixtureOptions::default()
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = |what: &str| -> Result<u64, String> {
            value
                .parse::<u64>()
                .map_err(|_| format!("{what} must be a whole number, not {value:?}"))
        };
        match flag.as_str() {
            "--accounts" => {
                options.accounts =
                    usize::try_from(number("--accounts")?).map_err(|e| e.to_string())?
            }
            "--fund-msat" => options.fund_msat = number("--fund-msat")?,
            "--invoice-rate-per-sec" => {
                options.lsp.invoice_rate_per_sec = Some(
                    u32::try_from(number("--invoice-rate-per-sec")?).map_err(|e| e.to_string())?,
                )
            }
            "--invoice-rate-burst" => {
                options.lsp.invoice_rate_burst = Some(
                    u32::try_from(number("--invoice-rate-burst")?).map_err(|e| e.to_string())?,
                )
            }
            "--fiat-rates-file" => options.lsp.fiat_rates_file = Some(value.into()),
            "--console-dir" => options.lsp.console_dir = Some(value.into()),
            "--admin-cors-origin" => options.lsp.admin_cors_origins = Some(vec![value.into()]),
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(options)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match options(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("lsp-fixture: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("lsp-fixture: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let fixture = match Fixture::start(options).await {
            Ok(f) => f,
            Err(e) => {
                eprintln!("lsp-fixture: could not start: {e}");
                return ExitCode::FAILURE;
            }
        };
        match serde_json::to_string(&fixture.info) {
            Ok(line) => println!("{line}"),
            Err(e) => {
                eprintln!("lsp-fixture: {e}");
                return ExitCode::FAILURE;
            }
        }
        tokio::select! {
            _ = etrid_lsp::supervise::stdin_closed() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        fixture.shutdown().await;
        ExitCode::SUCCESS
    })
}
