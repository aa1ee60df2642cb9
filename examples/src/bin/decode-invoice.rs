//! Decodes a BOLT11 invoice, prints its fields and draws its QR code in the terminal.
//!
//! `cargo run -p etrid-examples --release --bin decode-invoice -- [--network N] [--allow-expired] <bolt11>`

use std::process::ExitCode;

use etrid_core::platform::SystemClock;
use etrid_examples::decode_report::{parse_args, report, USAGE};

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match report(&args, &SystemClock) {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("invalid invoice [{}]: {err}", err.code());
            ExitCode::FAILURE
        }
    }
}
