//! The main job: a whole Lightning payment on one machine. It brings up the devnet (a regtest
//! chain and LDK nodes), starts the Étrid LSP on it (its own LDK node, SQLite, HTTP API),
//! opens channels from the devnet's routers to the LSP, then, through the SDK's `LspClient`
//! with an invoice-scoped key as a game client would, creates an invoice, draws its QR code,
//! has the devnet wallet `alice` pay it, and prints the `invoice.paid` event as it arrives.

use std::fmt::Write as _;
use std::io::Write;
use std::time::{Duration, Instant};

use crate::lsp_fixture::{pay_from, Fixture, FixtureOptions};
use etrid_core::amount::Msat;
use etrid_core::lsp::{CreateInvoiceRequest, LspConfig, LspEvent};
use etrid_core::network::Network;
use etrid_core::qr;

/// What the demo did, for its test.
#[derive(Debug, Clone)]
pub struct DemoSummary {
    /// The invoice paid.
    pub invoice_id: String,
    /// Its amount.
    pub amount_msat: u64,
    /// The event the client received.
    pub event: LspEvent,
    /// The account's balance afterwards.
    pub balance_msat: u64,
    /// Seconds from start to the event.
    pub elapsed_secs: f64,
}

/// Why the demo stopped.
pub type DemoError = Box<dyn std::error::Error + Send + Sync>;

fn say(out: &mut dyn Write, text: &str) {
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

/// Runs the demo, printing to `out`. Needs a multi-thread tokio runtime.
///
/// # Errors
/// Whatever step failed, with its reason.
pub async fn run(out: &mut dyn Write, amount_sats: u64) -> Result<DemoSummary, DemoError> {
    let started = Instant::now();
    let fixture = Fixture::start_telling(
        FixtureOptions {
            accounts: 1,
            ..FixtureOptions::default()
        },
        &mut |step: &str| say(out, step),
    )
    .await?;
    let devnet = fixture.devnet();
    let api = fixture.info.api.clone();
    let account = fixture
        .info
        .accounts
        .first()
        .ok_or("the fixture made no account")?;
    let admin =
        etrid_core::native::client(LspConfig::new(&api, &account.admin_key, Network::Regtest))?;
    let game =
        etrid_core::native::client(LspConfig::new(&api, &account.invoice_key, Network::Regtest))?;

    say(
        out,
        "4/6 the game client creates an invoice through the SDK:",
    );
    let mut events = game.subscribe_events(None);
    events.connect().await?;
    let invoice = game
        .create_invoice(CreateInvoiceRequest {
            amount_msat: Some(Msat::from_sat(amount_sats)?),
            description: Some("Étrid demo: a legendary sword".into()),
            expiry_secs: Some(600),
            ..CreateInvoiceRequest::default()
        })
        .await?;
    let mut text = String::new();
    let _ = writeln!(text, "    id      {}", invoice.id);
    let _ = writeln!(text, "    amount  {amount_sats} sat");
    let _ = writeln!(text, "    bolt11  {}", invoice.bolt11);
    say(out, &text);
    say(
        out,
        &qr::encode_matrix(&invoice.bolt11)?.to_terminal_string(),
    );

    say(
        out,
        "5/6 the devnet wallet alice pays it over Lightning (alice → router → LSP) …",
    );
    let paid = pay_from(devnet, "alice", &invoice.bolt11).await?;
    say(
        out,
        &format!(
            "    alice: {:?} in {} ms, fee {} msat",
            paid.status,
            paid.elapsed_ms,
            paid.fee_paid_msat.unwrap_or(0)
        ),
    );
    let event = loop {
        let event = tokio::time::timeout(Duration::from_secs(30), events.next())
            .await
            .map_err(|_| "no event within 30 s")??;
        if event.invoice().is_some_and(|i| i.id == invoice.id) {
            break event;
        }
    };
    say(out, "6/6 the event the client received on its WebSocket:");
    say(out, &format!("    {}", serde_json::to_string(&event)?));
    let balance = admin.balance().await?;
    say(
        out,
        &format!(
            "    account balance: {} msat available. Done in {:.1} s.",
            balance.available_msat.as_u64(),
            started.elapsed().as_secs_f64()
        ),
    );
    events.close().await;
    fixture.shutdown().await;
    Ok(DemoSummary {
        invoice_id: invoice.id,
        amount_msat: amount_sats * 1000,
        event,
        balance_msat: balance.available_msat.as_u64(),
        elapsed_secs: started.elapsed().as_secs_f64(),
    })
}
