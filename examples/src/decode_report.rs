//! The `decode-invoice` example: decode and validate a BOLT11 invoice and show it as a person
//! would want to see it, with a QR code drawn in the terminal.

use std::fmt::Write as _;

use etrid_core::amount::Unit;
use etrid_core::clock::Clock;
use etrid_core::invoice::{decode_invoice_with, DecodeOptions, Invoice};
use etrid_core::network::Network;
use etrid_core::qr;
use etrid_core::Error;

/// What the example was asked to do, parsed from its command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeArgs {
    /// The invoice text.
    pub invoice: String,
    /// The network the invoice must be for.
    pub network: Network,
    /// Whether an expired invoice is still shown (it is always marked expired).
    pub allow_expired: bool,
}

/// The command line usage text.
pub const USAGE: &str =
    "usage: decode-invoice [--network bitcoin|testnet|signet|regtest] [--allow-expired] <bolt11>";

/// Parses `decode-invoice` arguments (without the program name).
///
/// # Errors
/// A message naming the argument that was wrong, to print with [`USAGE`].
pub fn parse_args<I: IntoIterator<Item = String>>(args: I) -> Result<DecodeArgs, String> {
    let mut network = Network::Bitcoin;
    let mut allow_expired = false;
    let mut invoice = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--network" => {
                let name = args.next().ok_or("--network needs a value")?;
                network =
                    Network::from_name(&name).ok_or_else(|| format!("unknown network `{name}`"))?;
            }
            "--allow-expired" => allow_expired = true,
            other if other.starts_with("--") => return Err(format!("unknown option `{other}`")),
            other => {
                if invoice.replace(other.to_string()).is_some() {
                    return Err("give exactly one invoice".into());
                }
            }
        }
    }
    let invoice = invoice.ok_or("missing the invoice to decode")?;
    Ok(DecodeArgs {
        invoice,
        network,
        allow_expired,
    })
}

/// Decodes the invoice and renders the report: its fields, then its QR code for a terminal.
///
/// # Errors
/// The core's typed error when the invoice is invalid (bad encoding, wrong network, bad
/// signature, expired without `allow_expired`, …) or the QR code cannot be made.
pub fn report(args: &DecodeArgs, clock: &dyn Clock) -> Result<String, Error> {
    let options = DecodeOptions {
        network: args.network,
        require_amount: false,
        allow_expired: args.allow_expired,
    };
    let invoice = decode_invoice_with(&args.invoice, &options, clock)?;
    let matrix = qr::encode_matrix(&invoice.bolt11)?;
    let mut out = describe(&invoice, clock);
    out.push('\n');
    out.push_str(&matrix.to_terminal_string());
    Ok(out)
}

/// The invoice's fields as labelled lines.
fn describe(invoice: &Invoice, clock: &dyn Clock) -> String {
    let mut out = String::new();
    let amount = match invoice.amount_msat {
        Some(msat) => format!("{} msat ({})", msat.as_u64(), msat.format(Unit::Btc)),
        None => "any (the payer chooses)".to_string(),
    };
    let description = match (&invoice.description, &invoice.description_hash) {
        (Some(text), _) => text.clone(),
        (None, Some(hash)) => format!("(hash) {hash}"),
        (None, None) => String::new(),
    };
    let state = if invoice.is_expired(clock) {
        "EXPIRED"
    } else {
        "payable"
    };
    let _ = writeln!(out, "network       {}", invoice.network);
    let _ = writeln!(out, "amount        {amount}");
    let _ = writeln!(out, "description   {description}");
    let _ = writeln!(out, "payment hash  {}", invoice.payment_hash);
    let _ = writeln!(out, "payee         {}", invoice.payee_pubkey);
    let _ = writeln!(out, "created       {} (unix)", invoice.timestamp);
    let _ = writeln!(out, "expires       {} (unix): {state}", invoice.expires_at);
    let _ = writeln!(out, "route hints   {}", invoice.route_hints.len());
    let _ = writeln!(out, "mpp           {}", invoice.features.basic_mpp);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use etrid_core::clock::FixedClock;

    /// The BOLT11 specification's example with a description hash, fallback and route hints.
    const SPEC_INVOICE: &str = "lnbc2500u1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5xysxxatsyp3k7enxv4jsxqzpu9qrsgquk0rl77nj30yxdy8j9vdx85fkpmdla2087ne0xh8nhedh8w27kyke0lp53ut353s06fv3qfegext0eh0ymjpf39tuven09sam30g4vgpfna3rh";

    fn args(list: &[&str]) -> Result<DecodeArgs, String> {
        parse_args(list.iter().map(|s| s.to_string()))
    }

    #[test]
    fn parses_arguments_and_names_what_is_wrong() {
        let parsed = args(&["--network", "regtest", "--allow-expired", "lnbcrt1"]).unwrap();
        assert_eq!(parsed.network, Network::Regtest);
        assert!(parsed.allow_expired);
        assert_eq!(args(&[]).unwrap_err(), "missing the invoice to decode");
        assert_eq!(
            args(&["--network", "x", "i"]).unwrap_err(),
            "unknown network `x`"
        );
        assert_eq!(args(&["a", "b"]).unwrap_err(), "give exactly one invoice");
    }

    #[test]
    fn report_shows_fields_and_a_qr_code() {
        let clock = FixedClock::from_unix_secs(1_496_314_700);
        let out = report(&args(&[SPEC_INVOICE]).unwrap(), &clock).unwrap();
        assert!(out.contains("250000000 msat (0.0025 BTC)"), "{out}");
        assert!(out.contains(
            "payment hash  0001020304050607080900010203040506070809000102030405060708090102"
        ));
        assert!(out.contains("payable"));
        assert!(out.contains('█'), "a terminal QR code is drawn");
    }

    #[test]
    fn expired_invoice_is_refused_unless_allowed() {
        let clock = FixedClock::from_unix_secs(1_800_000_000);
        let err = report(&args(&[SPEC_INVOICE]).unwrap(), &clock).unwrap_err();
        assert_eq!(err.code(), "invoice_expired");
        let out = report(&args(&["--allow-expired", SPEC_INVOICE]).unwrap(), &clock).unwrap();
        assert!(out.contains("EXPIRED"));
    }

    #[test]
    fn wrong_network_is_refused() {
        let clock = FixedClock::from_unix_secs(1_496_314_700);
        let err = report(
            &args(&["--network", "regtest", SPEC_INVOICE]).unwrap(),
            &clock,
        )
        .unwrap_err();
        assert_eq!(err.code(), "invoice_wrong_network");
    }
}
