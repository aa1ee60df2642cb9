//! S10–S20 through the extension's engine-independent half ([`Session`]), as the
//! `LightningClient` node drives it: calls return at once, their answers and the account's
//! events come out of `poll` / `poll_events` in a game loop. Against a real LSP on the devnet
//! (the fixture: a regtest chain, LDK nodes, the Étrid LSP over real HTTP and WebSocket on
//! loopback); the devnet wallets `alice` and `bob` pay and invoice.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use etrid_core::lsp::{HubEvent, Operation, Preimage};
use etrid_devnet::nodes::{InvoiceRequest, PaymentState};
use etrid_examples::lsp_fixture::{pay_from, Fixture, FixtureOptions};
use etrid_godot::Session;
use serde_json::{json, Value};
use tokio::sync::OnceCell;

static FIXTURE: OnceCell<Fixture> = OnceCell::const_new();

/// One runtime for the fixture and the wallets, shared by every test of the binary.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
}

/// The devnet and LSP: eleven accounts of 20,000 sat each; invoices limited to a burst of 30
/// then 1 a second per account (S20). Tests run at once, so a test that checks a balance owns
/// the account whose balance it checks, and nothing else moves money there: 0 S13, 1 S10 (S11,
/// S12, S17 and the call tests only create invoices there), 2 S19 (S17 and S20 only create
/// invoices), 3 and 4 S21, 5 and 6 S24 (S26 creates and cancels an empty tournament with 5),
/// 7 S14, 8 S15, 9 S16, 10 S18.
fn fixture() -> &'static Fixture {
    runtime().block_on(FIXTURE.get_or_init(|| async {
        let mut options = FixtureOptions {
            accounts: 11,
            fund_msat: 20_000_000,
            ..FixtureOptions::default()
        };
        options.lsp.invoice_rate_per_sec = Some(1);
        options.lsp.invoice_rate_burst = Some(30);
        Fixture::start(options).await.expect("the devnet fixture")
    }))
}

/// A session of account `account` with its `admin` or `invoice` key.
fn session(account: usize, scope: &str) -> Session {
    let fx = fixture();
    let a = &fx.info.accounts[account];
    let key = if scope == "admin" {
        &a.admin_key
    } else {
        &a.invoice_key
    };
    Session::new(
        &json!({"base_url": fx.info.api, "api_key": key, "network": "regtest"}).to_string(),
    )
    .unwrap()
}

/// The game loop: polls `session` every frame (10 ms) until `done` or `within` passes.
fn pump_until(
    session: &mut Session,
    within: Duration,
    mut done: impl FnMut(&mut Session) -> bool,
) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if done(session) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    done(session)
}

/// Calls `operation` and pumps until its answer.
fn call(session: &mut Session, operation: Operation, args: Value) -> Result<Value, Value> {
    let id = session.call(operation, args).unwrap();
    let mut answer = None;
    let answered = pump_until(session, Duration::from_secs(90), |s| {
        for completion in s.poll(16) {
            assert_eq!(completion.request_id, id, "only this request runs");
            assert_eq!(completion.operation, operation);
            answer = Some(completion.outcome);
        }
        answer.is_some()
    });
    assert!(answered, "{operation:?} never answered");
    answer.unwrap()
}

fn ok(session: &mut Session, operation: Operation, args: Value) -> Value {
    call(session, operation, args).unwrap_or_else(|e| panic!("{operation:?}: {e}"))
}

fn error_code(session: &mut Session, operation: Operation, args: Value) -> String {
    let error = call(session, operation, args).expect_err("refused");
    error["code"].as_str().unwrap().to_owned()
}

fn available(session: &mut Session) -> u64 {
    ok(session, Operation::Balance, json!({}))["available_msat"]
        .as_u64()
        .unwrap()
}

/// Has devnet wallet `alice` pay `bolt11`.
fn wallet_pays(bolt11: &str) -> PaymentState {
    runtime()
        .block_on(pay_from(fixture().devnet(), "alice", bolt11))
        .unwrap()
        .status
}

/// An invoice of devnet wallet `bob`.
fn bob_invoice(amount_msat: u64) -> String {
    fixture()
        .devnet()
        .api()
        .create_invoice(
            "bob",
            &InvoiceRequest {
                amount_msat: Some(amount_msat),
                description: Some("Godot test".into()),
                expiry_secs: None,
            },
        )
        .unwrap()
        .invoice
}

/// A key no other test uses.
fn unique(prefix: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}-{nanos}")
}

/// A fresh preimage and its payment hash, hex.
fn preimage_and_hash() -> (String, String) {
    let mut bytes = [0u8; 32];
    let seed = unique("godot-preimage");
    for (i, b) in seed.bytes().enumerate() {
        bytes[i % 32] ^= b.wrapping_add(i as u8);
    }
    let preimage = Preimage::from_bytes(bytes);
    (preimage.to_string(), preimage.payment_hash().to_string())
}

/// The payment once it is no longer pending (60 s at most).
fn final_payment(session: &mut Session, payment: Value) -> Value {
    let mut payment = payment;
    let deadline = Instant::now() + Duration::from_secs(60);
    while payment["status"] == "pending" && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
        payment = ok(
            session,
            Operation::GetPayment,
            json!({"payment_id": payment["id"]}),
        );
    }
    payment
}

/// The ids of the account events `session`'s stream delivered.
fn event_ids(items: &[HubEvent]) -> Vec<u64> {
    items
        .iter()
        .filter_map(|item| match item {
            HubEvent::Event(event) => Some(event.id),
            _ => None,
        })
        .collect()
}

#[test]
fn s10_an_invoice_key_creates_the_wallet_pays_the_polled_event_says_paid_credited_once() {
    let mut shop = session(1, "invoice");
    let mut admin = session(1, "admin");
    let before = available(&mut admin);
    shop.start_events(None).unwrap();
    let invoice = ok(
        &mut shop,
        Operation::CreateInvoice,
        json!({"amount_msat": 21_000, "description": "Godot sword"}),
    );
    // The game waits without blocking: the wait's answer comes out of poll.
    let wait = shop
        .call(
            Operation::WaitForPayment,
            json!({"invoice_id": invoice["id"], "timeout_ms": 60_000}),
        )
        .unwrap();
    assert_eq!(shop.in_flight(), 1);
    assert_eq!(
        wallet_pays(invoice["bolt11"].as_str().unwrap()),
        PaymentState::Succeeded
    );
    let mut status = None;
    let mut heard = Vec::new();
    assert!(pump_until(&mut shop, Duration::from_secs(30), |s| {
        for completion in s.poll(16) {
            assert_eq!(completion.request_id, wait);
            status = Some(completion.outcome.unwrap()["status"].clone());
        }
        heard.extend(s.poll_events(64));
        status.is_some() && !heard.is_empty()
    }));
    assert_eq!(status, Some(json!("paid")));
    // Once, even a moment later.
    pump_until(&mut shop, Duration::from_millis(300), |s| {
        heard.extend(s.poll_events(64));
        false
    });
    let paid: Vec<_> = heard
        .iter()
        .filter_map(|item| match item {
            HubEvent::Event(event) => event.invoice(),
            _ => None,
        })
        .filter(|paid| paid.id == invoice["id"].as_str().unwrap())
        .collect();
    assert_eq!(paid.len(), 1, "heard once");
    assert_eq!(
        available(&mut admin) - before,
        21_000,
        "credited exactly once"
    );
}

#[test]
fn s11_the_same_external_id_returns_the_same_invoice() {
    let mut shop = session(1, "invoice");
    let args = json!({"amount_msat": 3_000, "external_id": unique("godot-order")});
    let first = ok(&mut shop, Operation::CreateInvoice, args.clone());
    let again = ok(&mut shop, Operation::CreateInvoice, args);
    assert_eq!(first["id"], again["id"]);
}

#[test]
fn s12_an_expiring_invoice_is_reported_expired_not_a_hang() {
    let mut shop = session(1, "invoice");
    let invoice = ok(
        &mut shop,
        Operation::CreateInvoice,
        json!({"amount_msat": 1_000, "expiry_secs": 2}),
    );
    let waited = ok(
        &mut shop,
        Operation::WaitForPayment,
        json!({"invoice_id": invoice["id"]}),
    );
    assert_eq!(waited["status"], "expired");
}

#[test]
fn s13_an_admin_key_pays_an_external_invoice_preimage_and_fee_debited_once() {
    let mut admin = session(0, "admin");
    let before = available(&mut admin);
    let paying = ok(
        &mut admin,
        Operation::PayInvoice,
        json!({"bolt11": bob_invoice(2_000_000), "idempotency_key": unique("godot-s13")}),
    );
    let payment = final_payment(&mut admin, paying);
    assert_eq!(payment["status"], "succeeded", "{payment}");
    assert_eq!(payment["preimage"].as_str().unwrap().len(), 64);
    let fee = payment["fee_msat"].as_u64().unwrap();
    assert_eq!(before - available(&mut admin), 2_000_000 + fee);
}

/// The LSP's outbound capacity per channel.
fn outbound(admin: &mut Session) -> BTreeMap<String, u64> {
    ok(admin, Operation::ListChannels, json!({}))["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                format!("{}/{}", c["counterparty_node_id"], c["channel_id"]),
                c["outbound_capacity_msat"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// How many channels moved from `from` to `to`: in (`inward`: the LSP's outbound rose, a
/// part came in) or out (it fell).
fn moved(from: &BTreeMap<String, u64>, to: &BTreeMap<String, u64>, inward: bool) -> usize {
    from.iter()
        .filter(|(id, before)| {
            to.get(*id).is_some_and(|after| {
                if inward {
                    after > *before
                } else {
                    after < *before
                }
            })
        })
        .count()
}

/// The channels once two of them moved from `from`, or after 15 s.
fn channels_moved(
    admin: &mut Session,
    from: &BTreeMap<String, u64>,
    inward: bool,
) -> BTreeMap<String, u64> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let now = outbound(admin);
        if moved(from, &now, inward) >= 2 || Instant::now() > deadline {
            return now;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn s14_multi_path_pays_more_than_the_largest_channel_in_parts() {
    const AMOUNT: u64 = 300_000_000;
    let mut admin = session(7, "admin");
    // Received first: a devnet wallet pays the LSP more than one path carries.
    let start = outbound(&mut admin);
    let incoming = ok(
        &mut admin,
        Operation::CreateInvoice,
        json!({"amount_msat": AMOUNT, "description": "Godot S14 prize pool"}),
    );
    assert_eq!(
        wallet_pays(incoming["bolt11"].as_str().unwrap()),
        PaymentState::Succeeded
    );
    let waited = ok(
        &mut admin,
        Operation::WaitForPayment,
        json!({"invoice_id": incoming["id"], "timeout_ms": 30_000}),
    );
    assert_eq!(waited["status"], "paid");
    // The reference server does not report parts (ldk-node 0.7); the channels show them.
    let mid = channels_moved(&mut admin, &start, true);
    assert!(
        moved(&start, &mid, true) >= 2,
        "two or more channels carried a part in"
    );
    let liquidity = ok(&mut admin, Operation::Liquidity, json!({}));
    assert!(liquidity["largest_outbound_msat"].as_u64().unwrap() < AMOUNT);

    let before = available(&mut admin);
    let paying = ok(
        &mut admin,
        Operation::PayInvoice,
        json!({"bolt11": bob_invoice(AMOUNT), "idempotency_key": unique("godot-s14"), "max_parts": 8}),
    );
    let done = final_payment(&mut admin, paying);
    assert_eq!(done["status"], "succeeded", "{done}");
    let end = channels_moved(&mut admin, &mid, false);
    assert!(
        moved(&mid, &end, false) >= 2,
        "two or more channels carried a part out"
    );
    let fee = done["fee_msat"].as_u64().unwrap();
    assert_eq!(before - available(&mut admin), AMOUNT + fee, "debited once");
}

#[test]
fn s15_a_hold_invoice_is_settled_with_the_preimage_or_cancelled_and_the_payer_refunded() {
    let fx = fixture();
    let mut admin = session(8, "admin");
    let before = available(&mut admin);
    let (preimage, hash) = preimage_and_hash();
    let held = ok(
        &mut admin,
        Operation::CreateHoldInvoice,
        json!({"payment_hash": hash, "amount_msat": 4_000_000}),
    );
    // The wallet's payment completes only once the hold invoice is settled: in the background.
    let bolt11 = held["bolt11"].as_str().unwrap().to_owned();
    let paying = runtime().spawn(async move { pay_from(fx.devnet(), "alice", &bolt11).await });
    let wait = json!({"invoice_id": held["id"], "timeout_ms": 60_000});
    assert_eq!(
        ok(&mut admin, Operation::WaitForPayment, wait)["status"],
        "accepted"
    );
    let settled = ok(
        &mut admin,
        Operation::SettleHoldInvoice,
        json!({"invoice_id": held["id"], "preimage": preimage}),
    );
    assert_eq!(settled["status"], "paid");
    let paid = runtime().block_on(paying).unwrap().unwrap();
    assert_eq!(paid.status, PaymentState::Succeeded);
    assert_eq!(available(&mut admin) - before, 4_000_000, "credited once");

    let (_, other_hash) = preimage_and_hash();
    let refused = ok(
        &mut admin,
        Operation::CreateHoldInvoice,
        json!({"payment_hash": other_hash, "amount_msat": 2_000_000}),
    );
    let bolt11 = refused["bolt11"].as_str().unwrap().to_owned();
    let paying = runtime().spawn(async move { pay_from(fx.devnet(), "alice", &bolt11).await });
    let wait = json!({"invoice_id": refused["id"], "timeout_ms": 60_000});
    assert_eq!(
        ok(&mut admin, Operation::WaitForPayment, wait)["status"],
        "accepted"
    );
    let cancelled = ok(
        &mut admin,
        Operation::CancelHoldInvoice,
        json!({"invoice_id": refused["id"]}),
    );
    assert_eq!(cancelled["status"], "cancelled");
    // The payer's HTLC came back: the wallet reports the payment failed.
    match runtime().block_on(paying).unwrap() {
        Ok(outcome) => assert_eq!(outcome.status, PaymentState::Failed),
        Err(e) => assert!(e.to_string().contains("RecipientRejected"), "{e}"),
    }
    assert_eq!(
        available(&mut admin) - before,
        4_000_000,
        "nothing more credited"
    );
}

#[test]
fn s16_keysend_arrives_with_its_custom_records() {
    let mut admin = session(9, "admin");
    let alice = fixture()
        .devnet()
        .api()
        .node("alice")
        .unwrap()
        .node_id()
        .to_string();
    let records = json!([{"type": 65_537, "value": "68656c6c6f"}]);
    let sending = ok(
        &mut admin,
        Operation::Keysend,
        json!({"destination": alice, "amount_msat": 3_000_000, "custom_records": records,
               "idempotency_key": unique("godot-s16")}),
    );
    let done = final_payment(&mut admin, sending);
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["custom_records"], records);
}

#[test]
fn s17_an_invoice_key_cannot_pay_or_manage_keys_or_read_other_accounts() {
    let mut mine = session(2, "invoice");
    let mut theirs = session(1, "invoice");
    assert_eq!(
        error_code(
            &mut mine,
            Operation::PayInvoice,
            json!({"bolt11": bob_invoice(1_000_000), "idempotency_key": "godot-s17"}),
        ),
        "lsp_forbidden_scope"
    );
    assert_eq!(
        error_code(
            &mut mine,
            Operation::CreateApiKey,
            json!({"scope": "admin", "label": "s17"}),
        ),
        "lsp_forbidden_scope"
    );
    let foreign = ok(
        &mut theirs,
        Operation::CreateInvoice,
        json!({"amount_msat": 1_000}),
    );
    assert_eq!(
        error_code(
            &mut mine,
            Operation::GetInvoice,
            json!({"invoice_id": foreign["id"]}),
        ),
        "lsp_not_found"
    );
}

#[test]
fn s18_events_resume_after_the_last_id_nothing_missed_or_repeated() {
    let mut shop = session(10, "invoice");
    let log = ok(&mut shop, Operation::ListEvents, json!({"limit": 1000}));
    let start = log["items"]
        .as_array()
        .unwrap()
        .last()
        .map_or(0, |e| e["id"].as_u64().unwrap());
    for i in 0..3 {
        let invoice = ok(
            &mut shop,
            Operation::CreateInvoice,
            json!({"amount_msat": 30_000 + i}),
        );
        assert_eq!(
            wallet_pays(invoice["bolt11"].as_str().unwrap()),
            PaymentState::Succeeded
        );
    }
    // One event, then the stream stops (the game quit) and opens again after the last id seen.
    shop.start_events(Some(start)).unwrap();
    let mut seen = Vec::new();
    assert!(pump_until(&mut shop, Duration::from_secs(30), |s| {
        seen.extend(event_ids(&s.poll_events(1)));
        !seen.is_empty()
    }));
    shop.stop_events();
    seen.truncate(1);
    shop.start_events(seen.last().copied()).unwrap();
    let after = ok(
        &mut shop,
        Operation::ListEvents,
        json!({"after": start, "limit": 1000}),
    );
    let expected: Vec<u64> = after["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_u64().unwrap())
        .collect();
    assert!(pump_until(&mut shop, Duration::from_secs(30), |s| {
        seen.extend(event_ids(&s.poll_events(16)));
        seen.len() >= expected.len()
    }));
    pump_until(&mut shop, Duration::from_millis(300), |s| {
        seen.extend(event_ids(&s.poll_events(16)));
        false
    });
    assert_eq!(seen, expected, "every event once, in order");
    assert_eq!(shop.last_event_id(), expected.last().copied());
}

#[test]
fn s19_a_payment_beyond_the_balance_is_refused_before_anything_leaves() {
    let mut admin = session(2, "admin");
    let before = available(&mut admin);
    assert_eq!(
        error_code(
            &mut admin,
            Operation::PayInvoice,
            json!({"bolt11": bob_invoice(before + 1_000_000), "idempotency_key": unique("godot-s19")}),
        ),
        "lsp_insufficient_balance"
    );
    assert_eq!(available(&mut admin), before);
}

#[test]
fn s20_beyond_the_rate_limit_the_answer_is_429_with_retry_after() {
    let mut shop = session(2, "invoice");
    for _ in 0..100 {
        match call(
            &mut shop,
            Operation::CreateInvoice,
            json!({"amount_msat": 1_000}),
        ) {
            Ok(_) => continue,
            Err(error) => {
                assert_eq!(error["code"], "lsp_rate_limited");
                assert_eq!(error["http_status"], 429);
                assert!(error["retry_after_secs"].as_u64().unwrap() >= 1);
                return;
            }
        }
    }
    panic!("the rate limit was never reached");
}

#[test]
fn s21_paying_another_accounts_invoice_settles_inside_the_lsp_at_once_exactly_once() {
    let mut shop = session(3, "admin");
    let mut player = session(4, "admin");
    let (shop_before, player_before) = (available(&mut shop), available(&mut player));
    let invoice = ok(
        &mut shop,
        Operation::CreateInvoice,
        json!({"amount_msat": 5_000_000, "description": "Godot trade"}),
    );
    let key = unique("godot-s21");
    let args = json!({"bolt11": invoice["bolt11"], "idempotency_key": key});
    let paid = ok(&mut player, Operation::PayInvoice, args.clone());
    assert_eq!(paid["status"], "succeeded", "settled at once: {paid}");
    assert_eq!(paid["internal"], true);
    assert_eq!(paid["fee_msat"], 0);
    // The same key again is the same payment; nothing moves twice.
    assert_eq!(
        ok(&mut player, Operation::PayInvoice, args)["id"],
        paid["id"]
    );
    assert_eq!(player_before - available(&mut player), 5_000_000);
    assert_eq!(available(&mut shop) - shop_before, 5_000_000);
}

#[test]
fn s24_a_stream_to_another_account_pays_its_budget_heard_as_transfer_received_events() {
    let mut viewer = session(5, "admin");
    let mut streamer = session(6, "invoice");
    let mut streamer_admin = session(6, "admin");
    let (viewer_before, streamer_before) = (available(&mut viewer), available(&mut streamer_admin));
    streamer.start_events(None).unwrap();
    let stream = ok(
        &mut viewer,
        Operation::CreateStream,
        json!({"destination": {"type": "account", "account_id": fixture().info.accounts[6].id},
               "rate_msat_per_sec": 10_000, "budget_msat": 25_000,
               "description": "Godot watch time", "idempotency_key": unique("godot-s24")}),
    );
    let id = stream["id"].as_str().unwrap().to_owned();
    let mut received = Vec::new();
    // The streamer's game hears each payment as it is made, in order, each once.
    assert!(pump_until(&mut streamer, Duration::from_secs(30), |s| {
        for item in s.poll_events(64) {
            if let HubEvent::Event(event) = item {
                if let Some(t) = event.transfer() {
                    if t.stream_id.as_deref() == Some(id.as_str()) {
                        received.push(t.clone());
                    }
                }
            }
        }
        received.iter().map(|t| t.amount_msat.as_u64()).sum::<u64>() >= 25_000
    }));
    let sequences: Vec<u64> = received.iter().filter_map(|t| t.stream_sequence).collect();
    assert_eq!(sequences, (1..=received.len() as u64).collect::<Vec<_>>());
    let done = ok(&mut viewer, Operation::GetStream, json!({"stream_id": id}));
    assert_eq!(done["paid_msat"], 25_000, "exactly the budget");
    assert_eq!(viewer_before - available(&mut viewer), 25_000);
    assert_eq!(available(&mut streamer_admin) - streamer_before, 25_000);
}

#[test]
fn s26_a_keyless_client_reads_a_public_tournaments_lobby() {
    let mut organizer = session(5, "admin");
    let fx = fixture();
    let mut keyless = Session::new(
        &json!({"base_url": fx.info.api, "api_key": "", "network": "regtest"}).to_string(),
    )
    .unwrap();
    let deadline = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 600;
    let t = ok(
        &mut organizer,
        Operation::CreateTournament,
        json!({"name": "Godot lobby", "entry_fee_msat": 5_000, "seats": 2,
               "payout_table_bps": [10_000], "public_join": true, "join_deadline": deadline}),
    );
    let id_args = json!({"tournament_id": t["id"]});
    let lobby = ok(
        &mut keyless,
        Operation::GetPublicTournament,
        id_args.clone(),
    );
    assert_eq!(lobby["prize_total_msat"], 10_000);
    assert_eq!(
        error_code(&mut keyless, Operation::GetTournament, id_args.clone()),
        "lsp_unauthorized"
    );
    ok(&mut organizer, Operation::CancelTournament, id_args);
}

#[test]
fn calls_by_name_cancel_and_bad_arguments_answer_through_poll_never_at_once() {
    let mut shop = session(1, "invoice");
    // By name, as GDScript calls `request("create_invoice", {...})`.
    let id = shop
        .call_named("create_invoice", json!({"amount_msat": 5_000}))
        .unwrap();
    let mut answer = None;
    assert!(pump_until(&mut shop, Duration::from_secs(30), |s| {
        answer = s.poll(16).into_iter().find(|c| c.request_id == id);
        answer.is_some()
    }));
    assert_eq!(answer.unwrap().outcome.unwrap()["amount_msat"], 5_000);
    assert_eq!(
        shop.call_named("createInvoice", json!({}))
            .unwrap_err()
            .code(),
        "unknown_operation"
    );
    // Arguments that do not fit: refused before anything is sent, answered through poll.
    let refused = call(
        &mut shop,
        Operation::CreateInvoice,
        json!({"amount_msat": "lots"}),
    );
    assert_eq!(refused.unwrap_err()["code"], "invalid_argument");
    // A wait cancelled: answered as cancelled, once.
    let invoice = ok(
        &mut shop,
        Operation::CreateInvoice,
        json!({"amount_msat": 1_000}),
    );
    let wait = shop
        .call(
            Operation::WaitForPayment,
            json!({"invoice_id": invoice["id"], "timeout_ms": 60_000}),
        )
        .unwrap();
    assert!(shop.cancel(wait));
    assert!(!shop.cancel(wait), "only once");
    let completions = shop.poll(16);
    assert_eq!(completions.len(), 1);
    assert_eq!(
        completions[0].outcome.clone().unwrap_err()["code"],
        "cancelled"
    );
    assert_eq!(shop.in_flight(), 0);
}

#[test]
fn a_bad_configuration_is_refused_naming_the_field() {
    let error = Session::new(r#"{"base_url": "not a url", "api_key": "k", "network": "regtest"}"#)
        .err()
        .unwrap();
    assert_eq!(error.code(), "invalid_argument");
    assert!(error.to_string().contains("base_url"), "{error}");
    let error = Session::new("{").err().unwrap();
    assert_eq!(error.code(), "invalid_argument");
}
