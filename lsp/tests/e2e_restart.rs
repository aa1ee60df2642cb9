//! The LSP killed (SIGKILL) and restarted mid-flow loses nothing: a pending invoice is still
//! payable and credited once, a payment in flight settles once, the ledger adds up, and the
//! event stream resumed from the last id misses nothing. And a test process that ends leaves
//! no LSP and no state behind.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use etrid_core::amount::Msat;
use etrid_core::lsp::{
    CreateInvoiceRequest, EventType, LedgerEntryKind, ListEventsRequest, PayInvoiceRequest,
    PaymentStatus,
};
use support::{run, wait_payment, Harness};

async fn wait_channels_usable(h: &Harness) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(list) = h.admin(0).list_channels().await {
            // SIGKILL can leave LDK's channel manager behind its monitors; LDK then force-closes
            // the affected channel on start (funds stay safe on chain). One usable is enough.
            if list.items.iter().any(|c| c.is_usable) {
                return;
            }
        }
        if Instant::now() >= deadline {
            let log = support::read(&h.dir.path().join("lsp.stderr.log"));
            let tail: String = log.lines().rev().take(40).collect::<Vec<_>>().join("\n");
            panic!(
                "channels did not come back after the restart: {:?}\nlog (last lines first):\n{tail}",
                h.admin(0).list_channels().await
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[test]
fn lsp_killed_mid_flow_and_restarted_loses_nothing() {
    run(async {
        // LDK Node's store in write-ahead-log mode (the default): a SIGKILL must lose nothing.
        let mut h = Harness::start(1).await;
        assert!(
            h.data_dir().join("ldk/ldk_node_data.sqlite-wal").exists(),
            "LDK Node's SQLite runs in WAL mode"
        );
        h.fund_account(0, 100_000_000).await;
        h.wait_route_to(0, "bob").await;
        let admin = h.admin(0);
        let last_event = admin
            .list_events(ListEventsRequest::default())
            .await
            .unwrap()
            .items
            .last()
            .map(|e| e.id)
            .unwrap();

        // A pending invoice and a payment in flight when the process dies.
        let pending = admin
            .create_invoice(CreateInvoiceRequest {
                amount_msat: Some(Msat::from_msat(12_000_000)),
                description: Some("survives a crash".into()),
                ..CreateInvoiceRequest::default()
            })
            .await
            .unwrap();
        let bolt11 = h.devnet_invoice("bob", Some(25_000_000));
        let paying = admin
            .pay(
                admin
                    .prepare_pay_invoice(PayInvoiceRequest {
                        bolt11,
                        idempotency_key: "in-flight".into(),
                        ..PayInvoiceRequest::default()
                    })
                    .unwrap(),
            )
            .await
            .unwrap();
        // A client following events across the crash: it reconnects and resumes by itself.
        let mut follower = admin.subscribe_events(Some(last_event));
        follower.connect().await.unwrap();
        h.kill_lsp();
        h.spawn_lsp();
        wait_channels_usable(&h).await;
        let admin = h.admin(0);

        // The payment in flight settles at most once. If LDK's channel manager had not
        // persisted it when the process died, LDK force-closes that channel on start and the
        // HTLC resolves on chain, or never reached the node: then it stays pending with its
        // reservation intact (nothing debited, nothing released), which is the safe state.
        let deadline = Instant::now() + Duration::from_secs(45);
        let done = loop {
            let p = admin.get_payment(&paying.id).await.unwrap();
            if p.status != PaymentStatus::Pending || Instant::now() >= deadline {
                break p;
            }
            h.devnet.api().mine(1).await.unwrap();
            tokio::time::sleep(Duration::from_millis(500)).await;
        };
        // The pending invoice is still payable and credited once.
        let mut attempts = 0;
        while admin.get_invoice(&pending.id).await.unwrap().status
            != etrid_core::lsp::InvoiceStatus::Paid
        {
            attempts += 1;
            assert!(attempts <= 20, "invoice not payable after the restart");
            let paid = h
                .devnet
                .api()
                .pay_invoice(
                    "alice",
                    &etrid_devnet::nodes::PayRequest {
                        invoice: pending.bolt11.clone(),
                        amount_msat: None,
                        timeout_secs: Some(30),
                    },
                )
                .await;
            if paid.is_err() {
                h.devnet.api().mine(1).await.unwrap();
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        let _ = wait_payment;

        // Ledger intact: available = credits - debits, nothing reserved.
        let balance = admin.balance().await.unwrap();
        let entries = support::all_ledger(&admin).await;
        let sum = |k: LedgerEntryKind| -> i128 {
            entries
                .iter()
                .filter(|e| e.kind == k)
                .map(|e| i128::from(e.amount_msat.as_u64()))
                .sum()
        };
        let computed = sum(LedgerEntryKind::Credit)
            - sum(LedgerEntryKind::Debit)
            - sum(LedgerEntryKind::Reserve)
            + sum(LedgerEntryKind::Release);
        assert_eq!(computed, i128::from(balance.available_msat.as_u64()));
        let of_payment = |k: LedgerEntryKind| {
            entries
                .iter()
                .filter(|e| e.kind == k && e.reference_id == paying.id)
                .map(|e| e.amount_msat.as_u64())
                .collect::<Vec<_>>()
        };
        let reserved = 25_000_000 + done.max_fee_msat.as_u64();
        assert_eq!(of_payment(LedgerEntryKind::Reserve), vec![reserved]);
        match done.status {
            PaymentStatus::Succeeded => {
                let fee = done.fee_msat.unwrap().as_u64();
                assert_eq!(of_payment(LedgerEntryKind::Release), vec![reserved]);
                assert_eq!(of_payment(LedgerEntryKind::Debit), vec![25_000_000 + fee]);
                assert_eq!(balance.reserved_msat.as_u64(), 0);
            }
            PaymentStatus::Failed => {
                assert_eq!(of_payment(LedgerEntryKind::Release), vec![reserved]);
                assert!(of_payment(LedgerEntryKind::Debit).is_empty());
                assert_eq!(balance.reserved_msat.as_u64(), 0);
            }
            PaymentStatus::Pending => {
                eprintln!("the payment in flight is still pending after the crash (reserved)");
                assert!(of_payment(LedgerEntryKind::Release).is_empty());
                assert!(of_payment(LedgerEntryKind::Debit).is_empty());
                assert_eq!(balance.reserved_msat.as_u64(), reserved);
            }
        }

        let events = admin
            .list_events(ListEventsRequest {
                after: Some(last_event),
                limit: Some(1000),
            })
            .await
            .unwrap()
            .items;

        // The follower, reconnected on its own, saw exactly the stored events after its cursor.
        let stored: Vec<u64> = events.iter().map(|e| e.id).collect();
        let mut followed = Vec::new();
        while followed.len() < stored.len() {
            let ev = tokio::time::timeout(Duration::from_secs(90), follower.next())
                .await
                .expect("the follower resumes after the restart")
                .expect("the follower reconnects by itself");
            followed.push(ev.id);
        }
        assert_eq!(followed, stored, "nothing missed, nothing repeated");
        follower.close().await;

        // No event lost or repeated across the crash.
        let count = |ty: EventType, id: &str| {
            events
                .iter()
                .filter(|e| {
                    e.event_type() == ty
                        && (e.invoice().is_some_and(|i| i.id == id)
                            || e.payment().is_some_and(|p| p.id == id))
                })
                .count()
        };
        let outcome_events = count(EventType::PaymentSucceeded, &paying.id)
            + count(EventType::PaymentFailed, &paying.id);
        let expected = usize::from(done.status != PaymentStatus::Pending);
        assert_eq!(outcome_events, expected, "{events:?}");
        assert_eq!(count(EventType::InvoicePaid, &pending.id), 1, "{events:?}");
        let ids: Vec<u64> = events.iter().map(|e| e.id).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
    });
}

/// The end-to-end binaries keep one harness per binary in a static, which is never dropped:
/// the LSP child and its state directory must still go when the test process ends, however it
/// ends. The closed pipes stand for that end here.
#[test]
fn the_lsp_and_its_state_go_when_the_test_process_ends() {
    run(async {
        let mut h = Harness::start(0).await;
        let dir = h.dir.path().to_owned();
        assert!(dir.join("lsp").exists());
        h.close_lsp_stdin();
        let deadline = Instant::now() + Duration::from_secs(30);
        while !h.lsp_exited() {
            assert!(
                Instant::now() < deadline,
                "the LSP outlived its closed stdin"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        h.close_reaper();
        let deadline = Instant::now() + Duration::from_secs(30);
        while dir.exists() {
            assert!(
                Instant::now() < deadline,
                "{} outlived the reaper",
                dir.display()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
}

/// The unix time now.
fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn s26_a_payout_batch_interrupted_by_sigkill_resumes_and_pays_every_winner_exactly_once() {
    use etrid_core::lsp::{
        CreateTournamentRequest, JoinTournamentRequest, ListPaymentsRequest, PayoutDestination,
        PayoutStatus, TournamentResultsRequest, TournamentStatus,
    };
    use etrid_core::tournament::Standing;
    // 96 players on 8 accounts of this LSP, 12 each; they enter from their balances (hold
    // invoices held between accounts). The best 92 are paid to their accounts, the last 4 by
    // keysend to devnet nodes (over Lightning).
    const ACCOUNTS: usize = 8;
    const PER_ACCOUNT: usize = 12;
    const PLAYERS: usize = ACCOUNTS * PER_ACCOUNT;
    const ENTRY: u64 = 500_000;
    run(async {
        // Account 0 organizes, 1 funds the players, 2.. are the players' accounts.
        let mut h = Harness::start(ACCOUNTS + 2).await;
        h.fund_account(1, (PLAYERS as u64) * ENTRY).await;
        // The organizer's own money pays the routing fees of the keysend prizes.
        h.fund_account(0, 1_000_000).await;
        h.wait_route_to(0, "bob").await;
        h.wait_route_to(0, "alice").await;
        let organizer = h.admin(0);
        let organizer_before = organizer.balance().await.unwrap().available_msat.as_u64();
        let bank = h.admin(1);
        let t = organizer
            .create_tournament(CreateTournamentRequest {
                name: "crash cup".into(),
                entry_fee_msat: Msat::from_msat(ENTRY),
                seats: PLAYERS as u32,
                payout_table_bps: [vec![110; 80], vec![75; 16]].concat(),
                organizer_fee_bps: 0,
                join_deadline: now_secs() + 600,
                external_id: None,
                metadata: None,
                public_join: false,
            })
            .await
            .unwrap();
        let node = |name: &str| -> etrid_core::lsp::NodeId {
            h.devnet
                .api()
                .node(name)
                .unwrap()
                .node_id()
                .to_string()
                .parse()
                .unwrap()
        };
        for a in 0..ACCOUNTS {
            let player = h.admin(2 + a);
            let funding = player
                .create_invoice(CreateInvoiceRequest {
                    amount_msat: Some(Msat::from_msat(ENTRY * PER_ACCOUNT as u64)),
                    ..CreateInvoiceRequest::default()
                })
                .await
                .unwrap();
            bank.pay(
                bank.prepare_pay_invoice(PayInvoiceRequest {
                    bolt11: funding.bolt11,
                    idempotency_key: format!("fund-{a}"),
                    ..PayInvoiceRequest::default()
                })
                .unwrap(),
            )
            .await
            .unwrap();
        }
        for i in 0..PLAYERS {
            let account = 2 + i % ACCOUNTS;
            let payout = if i < PLAYERS - 4 {
                PayoutDestination::Account {
                    account_id: h.accounts[account].id.clone(),
                }
            } else {
                PayoutDestination::Keysend {
                    node_id: node(if i % 2 == 0 { "alice" } else { "bob" }),
                }
            };
            let entry = organizer
                .join_tournament(
                    &t.id,
                    JoinTournamentRequest {
                        player_id: format!("p{i}"),
                        payout,
                    },
                )
                .await
                .unwrap();
            let player = h.admin(account);
            let held = player
                .pay(
                    player
                        .prepare_pay_invoice(PayInvoiceRequest {
                            bolt11: entry.bolt11,
                            idempotency_key: format!("entry-{i}"),
                            ..PayInvoiceRequest::default()
                        })
                        .unwrap(),
                )
                .await
                .unwrap();
            assert!(held.internal, "{held:?}");
            assert_eq!(held.status, PaymentStatus::Pending, "held, not yet debited");
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        while organizer.get_tournament(&t.id).await.unwrap().status != TournamentStatus::Funded {
            assert!(Instant::now() < deadline, "never funded");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        for a in 0..ACCOUNTS {
            let b = h.admin(2 + a).balance().await.unwrap();
            assert_eq!(
                (b.available_msat.as_u64(), b.reserved_msat.as_u64()),
                (0, 0),
                "every entry settled from the players' balances"
            );
        }
        let standings: Vec<Standing> = (0..PLAYERS)
            .map(|i| Standing {
                player_id: format!("p{i}"),
                rank: i as u32 + 1,
            })
            .collect();
        let payouts = organizer
            .enter_tournament_results(&t.id, TournamentResultsRequest { standings })
            .await
            .unwrap()
            .items;
        assert_eq!(payouts.len(), PLAYERS);

        // The payout call runs; the process is killed as soon as a payout is reported.
        let api = h.client(&h.accounts[0].admin_key);
        let id = t.id.clone();
        let call = tokio::spawn(async move { api.pay_tournament(&id).await });
        let moved_at_kill = loop {
            let listed = organizer
                .list_tournament_payouts(&t.id)
                .await
                .unwrap()
                .items;
            let moved = listed
                .iter()
                .filter(|p| p.status != PayoutStatus::Pending)
                .count();
            if moved > 0 {
                break moved;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        };
        h.kill_lsp();
        let _ = call.await;
        assert!(
            moved_at_kill < PLAYERS,
            "the kill came after the whole batch"
        );
        eprintln!("{moved_at_kill} of {PLAYERS} payouts reported before the kill");
        h.spawn_lsp();
        wait_channels_usable(&h).await;
        let organizer = h.admin(0);

        // The runner resumes by itself (failed payouts would be retried by calling again).
        let deadline = Instant::now() + Duration::from_secs(60);
        let done = loop {
            let t_now = organizer.get_tournament(&t.id).await.unwrap();
            if t_now.status == TournamentStatus::Completed || Instant::now() >= deadline {
                break t_now;
            }
            if t_now.payouts_failed > 0 {
                organizer.pay_tournament(&t.id).await.unwrap();
            }
            h.devnet.api().mine(1).await.unwrap();
            tokio::time::sleep(Duration::from_millis(500)).await;
        };

        // Every winner paid exactly once: one succeeded payment per player under the
        // tournament's keys, for exactly the prize.
        let mut payments = Vec::new();
        let mut cursor = None;
        loop {
            let page = organizer
                .list_payments(ListPaymentsRequest {
                    limit: Some(100),
                    cursor: cursor.clone(),
                    ..ListPaymentsRequest::default()
                })
                .await
                .unwrap();
            payments.extend(page.items);
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        let listed = organizer
            .list_tournament_payouts(&t.id)
            .await
            .unwrap()
            .items;
        let mut owed = [0u64; ACCOUNTS];
        for p in &listed {
            let prefix = format!("{}:{}:", t.id, p.player_id);
            let succeeded: Vec<_> = payments
                .iter()
                .filter(|x| x.idempotency_key.starts_with(&prefix))
                .filter(|x| x.status == PaymentStatus::Succeeded)
                .collect();
            assert!(
                succeeded.len() <= 1,
                "{} paid twice: {succeeded:?}",
                p.player_id
            );
            match &p.destination {
                PayoutDestination::Account { account_id } => {
                    assert_eq!(p.status, PayoutStatus::Succeeded, "{p:?}");
                    assert_eq!(succeeded.len(), 1, "{p:?}");
                    assert_eq!(succeeded[0].amount_msat, p.amount_msat);
                    let a = h.accounts.iter().position(|x| &x.id == account_id).unwrap() - 2;
                    owed[a] += p.amount_msat.as_u64();
                }
                _ if p.status == PayoutStatus::Succeeded => {
                    assert_eq!(succeeded.len(), 1, "{p:?}");
                    assert_eq!(succeeded[0].amount_msat, p.amount_msat);
                }
                // A keysend LDK had sent but not persisted when the process died resolves on
                // chain, later: until then it stays in flight, its reservation intact.
                _ => {
                    assert_eq!(p.status, PayoutStatus::InFlight, "{p:?}");
                    assert!(succeeded.is_empty(), "{p:?}");
                }
            }
        }
        // Each player account holds exactly its players' prizes.
        for (a, owed) in owed.iter().enumerate() {
            let b = h.admin(2 + a).balance().await.unwrap();
            assert_eq!(b.available_msat.as_u64(), *owed, "account {}", 2 + a);
        }
        let keysend_unresolved = listed
            .iter()
            .filter(|p| p.status == PayoutStatus::InFlight)
            .count();
        eprintln!(
            "after the restart: {:?}, {keysend_unresolved} keysend payouts unresolved",
            done.status
        );
        assert!(
            done.status == TournamentStatus::Completed || keysend_unresolved > 0,
            "{done:?}"
        );
        // The organizer's money: what it had plus the pool, less exactly what succeeded
        // (prizes and routing fees); what is in flight is still reserved.
        let b = organizer.balance().await.unwrap();
        let paid_out: u64 = payments
            .iter()
            .filter(|x| x.idempotency_key.starts_with(&format!("{}:", t.id)))
            .filter(|x| x.status == PaymentStatus::Succeeded)
            .map(|x| x.amount_msat.as_u64() + x.fee_msat.map_or(0, Msat::as_u64))
            .sum();
        assert_eq!(
            b.available_msat.as_u64() + b.reserved_msat.as_u64(),
            organizer_before + (PLAYERS as u64) * ENTRY - paid_out
        );
    });
}

/// Polls schedule `id` until `done` holds (60 s at most).
async fn schedule_when(
    client: &support::Client,
    id: &str,
    what: &str,
    done: impl Fn(&etrid_core::lsp::LspSchedule) -> bool,
) -> etrid_core::lsp::LspSchedule {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(s) = client.get_schedule(id).await {
            if done(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "schedule {id} never {what}: {s:?}"
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[test]
fn s25_a_recurring_schedule_pays_each_period_exactly_once_across_a_sigkill_and_none_after_cancel() {
    use etrid_core::lsp::{
        CreateScheduleRequest, ListPageRequest, ListPaymentsRequest, PayoutDestination, RunStatus,
        ScheduleStatus,
    };
    use etrid_core::recurring::{CatchUp, Period, Schedule};
    const AMOUNT: u64 = 100_000;
    const COUNT: u32 = 6;
    run(async {
        // Account 0 pays, 1 and 2 are paid (between accounts: no route needed).
        let mut h = Harness::start(3).await;
        h.fund_account(0, 10_000_000).await;
        let payer = h.admin(0);
        let payee_before = h.admin(1).balance().await.unwrap().available_msat.as_u64();
        let request = |to: usize, amount: u64, secs: u64, count: Option<u32>, key: &str| {
            CreateScheduleRequest {
                amount_msat: Msat::from_msat(amount),
                destination: PayoutDestination::Account {
                    account_id: h.accounts[to].id.clone(),
                },
                schedule: Schedule {
                    period: Period::Every { secs },
                    start: now_secs() + 1,
                    end: None,
                    max_count: count,
                    catch_up: CatchUp::All { max: 10 },
                },
                max_total_msat: None,
                description: Some("S25 subscription".into()),
                idempotency_key: key.into(),
            }
        };
        // Bad input moves nothing: paying itself, an account that does not exist.
        let own = payer
            .create_schedule(request(0, AMOUNT, 2, Some(1), "s25-own"))
            .await
            .unwrap_err();
        assert_eq!(own.code(), "lsp_invalid_request", "{own}");
        let mut unknown = request(1, AMOUNT, 2, Some(1), "s25-unknown");
        unknown.destination = PayoutDestination::Account {
            account_id: "acc_0000000000".into(),
        };
        let unknown = payer.create_schedule(unknown).await.unwrap_err();
        assert_eq!(unknown.code(), "lsp_invalid_request", "{unknown}");

        let subscription = payer
            .create_schedule(request(1, AMOUNT, 2, Some(COUNT), "s25-sub"))
            .await
            .unwrap();
        assert_eq!(subscription.status, ScheduleStatus::Active);
        // The same key again: the same schedule.
        let again = payer
            .create_schedule(request(1, AMOUNT, 2, Some(COUNT), "s25-sub"))
            .await;
        assert_eq!(again.unwrap().id, subscription.id);
        let tip = payer
            .create_schedule(request(2, 50_000, 1, None, "s25-tip"))
            .await
            .unwrap();

        // The tip jar runs twice, then is cancelled: it pays nothing more, also after a restart.
        schedule_when(&payer, &tip.id, "paid twice", |s| s.paid_count >= 2).await;
        let cancelled = payer.cancel_schedule(&tip.id).await.unwrap();
        assert_eq!(cancelled.status, ScheduleStatus::Cancelled);
        assert_eq!(
            payer.cancel_schedule(&tip.id).await.unwrap().status,
            ScheduleStatus::Cancelled
        );
        // A run in flight at the cancel ends on its own; after that nothing more runs.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let tip_runs = payer.schedule_runs(&tip.id).await.unwrap().items.len();

        // The subscription pays twice, the LSP is killed, stays down across at least one
        // period, and comes back: every occurrence is paid exactly once.
        schedule_when(&payer, &subscription.id, "paid twice", |s| {
            s.paid_count >= 2
        })
        .await;
        h.kill_lsp();
        tokio::time::sleep(Duration::from_secs(5)).await;
        h.spawn_lsp();
        let payer = h.admin(0);
        let done = schedule_when(&payer, &subscription.id, "completed", |s| {
            s.status == ScheduleStatus::Completed
        })
        .await;
        assert_eq!(done.paid_count, COUNT, "{done:?}");
        assert_eq!(done.failed_count, 0, "{done:?}");
        assert_eq!(
            done.paid_total_msat,
            Msat::from_msat(AMOUNT * u64::from(COUNT))
        );
        assert_eq!(done.next_due_at, None);
        let runs = payer.schedule_runs(&subscription.id).await.unwrap().items;
        let indexes: Vec<u32> = runs.iter().rev().map(|r| r.index).collect();
        assert_eq!(indexes, (0..COUNT).collect::<Vec<_>>());
        assert!(
            runs.iter().all(|r| r.status == RunStatus::Succeeded),
            "{runs:?}"
        );
        let prefix = format!("schedule:{}:", subscription.id);
        let payments: Vec<_> = payer
            .list_payments(ListPaymentsRequest::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|p| p.idempotency_key.starts_with(&prefix))
            .collect();
        assert_eq!(payments.len(), COUNT as usize, "one payment per occurrence");
        assert!(payments
            .iter()
            .all(|p| p.status == PaymentStatus::Succeeded));
        assert_eq!(
            h.admin(1).balance().await.unwrap().available_msat.as_u64() - payee_before,
            AMOUNT * u64::from(COUNT),
            "the payee was credited each occurrence once"
        );

        // The cancelled tip jar stayed cancelled through the restart.
        tokio::time::sleep(Duration::from_secs(3)).await;
        let tip_after = payer.get_schedule(&tip.id).await.unwrap();
        assert_eq!(tip_after.status, ScheduleStatus::Cancelled);
        assert_eq!(
            payer.schedule_runs(&tip.id).await.unwrap().items.len(),
            tip_runs
        );
        assert!(cancelled.paid_count >= 2);
        let listed = payer
            .list_schedules(ListPageRequest::default())
            .await
            .unwrap();
        assert_eq!(listed.items.len(), 2);
    })
}

#[test]
fn s24_a_stream_across_a_sigkill_pays_each_payment_once_and_exactly_its_budget() {
    use etrid_core::lsp::{CreateStreamRequest, ListPaymentsRequest, PayoutDestination};
    use etrid_core::streaming::StreamState;
    const BUDGET: u64 = 100_000;
    run(async {
        let mut h = Harness::start(2).await;
        h.fund_account(0, 1_000_000).await;
        let payer = h.admin(0);
        let payee_before = h.admin(1).balance().await.unwrap().available_msat.as_u64();
        let stream = payer
            .create_stream(CreateStreamRequest {
                destination: PayoutDestination::Account {
                    account_id: h.accounts[1].id.clone(),
                },
                rate_msat_per_sec: 10_000,
                budget_msat: Msat::from_msat(BUDGET),
                tick_interval_ms: None,
                min_payment_msat: None,
                description: Some("S24 across a crash".into()),
                idempotency_key: "s24-crash".into(),
            })
            .await
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while payer.get_stream(&stream.id).await.unwrap().payments < 2 {
            assert!(Instant::now() < deadline, "the stream never paid twice");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        h.kill_lsp();
        tokio::time::sleep(Duration::from_secs(3)).await;
        h.spawn_lsp();
        let payer = h.admin(0);
        let deadline = Instant::now() + Duration::from_secs(60);
        let done = loop {
            let s = payer.get_stream(&stream.id).await.unwrap();
            if s.state == StreamState::Finished {
                break s;
            }
            assert!(
                Instant::now() < deadline,
                "the stream never finished: {s:?}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        assert_eq!(done.paid_msat, Msat::from_msat(BUDGET));
        // One payment per sequence, all succeeded, adding up to the budget.
        let prefix = format!("stream:{}:", stream.id);
        let payments: Vec<_> = payer
            .list_payments(ListPaymentsRequest::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|p| p.idempotency_key.starts_with(&prefix))
            .collect();
        assert_eq!(payments.len() as u64, done.payments, "{payments:?}");
        assert!(payments
            .iter()
            .all(|p| p.status == PaymentStatus::Succeeded));
        let total: u64 = payments.iter().map(|p| p.amount_msat.as_u64()).sum();
        assert_eq!(total, BUDGET);
        assert_eq!(
            h.admin(1).balance().await.unwrap().available_msat.as_u64() - payee_before,
            BUDGET,
            "the payee was credited exactly the budget"
        );
    })
}

/// A payment made the moment the LSP is back from a crash, while its peers are still
/// reconnecting, waits for a usable channel and succeeds (it used to fail at once with
/// `route_not_found`, no money lost but the player's purchase refused).
#[test]
fn s13_a_payment_sent_right_after_a_restart_waits_for_the_peers_and_succeeds() {
    run(async {
        let mut h = Harness::start(1).await;
        h.fund_account(0, 50_000_000).await;
        h.wait_route_to(0, "bob").await;
        let bolt11 = h.devnet_invoice("bob", Some(7_000_000));
        h.kill_lsp();
        h.spawn_lsp();
        let admin = h.admin(0);
        let usable_at_start = admin
            .list_channels()
            .await
            .unwrap()
            .items
            .iter()
            .filter(|c| c.is_usable)
            .count();
        eprintln!(
            "usable channels when the first payment after the restart is sent: {usable_at_start}"
        );
        let payment = admin
            .pay(
                admin
                    .prepare_pay_invoice(PayInvoiceRequest {
                        bolt11,
                        idempotency_key: "right-after-the-restart".into(),
                        ..PayInvoiceRequest::default()
                    })
                    .unwrap(),
            )
            .await
            .unwrap();
        let done = wait_payment(&admin, &payment.id, Duration::from_secs(60)).await;
        assert_eq!(
            done.status,
            PaymentStatus::Succeeded,
            "the first payment after the restart: {done:?}"
        );
        let debited: u64 = support::all_ledger(&admin)
            .await
            .iter()
            .filter(|e| e.kind == LedgerEntryKind::Debit && e.reference_id == payment.id)
            .map(|e| e.amount_msat.as_u64())
            .sum();
        let fee = done.fee_msat.map_or(0, Msat::as_u64);
        assert_eq!(
            debited,
            7_000_000 + fee,
            "debited exactly once, with its fee"
        );
    });
}
