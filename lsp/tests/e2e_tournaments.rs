//! End to end on the devnet: tournaments (issue 15) through `LspClient` against a real LSP
//! process — players join from devnet wallets with hold invoices, the full tournament settles
//! and funds its pool, results are entered and the winners paid by rank to an account, a
//! Lightning Address served here, one reached over HTTP, and a node by keysend (S26); an
//! organizer's cancel and a passed deadline refund every player (S27); a prize paid as a
//! voucher, redeemed by the winner's account; a public tournament's keyless lobby and joins.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use etrid_core::amount::Msat;
use etrid_core::lsp::{
    ApiErrorCode, ApiKeyScope, CreateApiKeyRequest, CreateLightningAddressRequest,
    CreateTournamentRequest, EntryStatus, EventPayload, JoinTournamentRequest, ListEventsRequest,
    LspError, LspTournament, PaymentStatus, PayoutDestination, PayoutStatus, TournamentEntry,
    TournamentResultsRequest, TournamentStatus,
};
use etrid_core::tournament::Standing;
use etrid_devnet::nodes::{PayRequest, PaymentOutcome};
use support::{run, Client, Harness};
use tokio::sync::OnceCell;
use tokio::task::JoinHandle;

static HARNESS: OnceCell<Harness> = OnceCell::const_new();

/// Account 0 organizes S26 (1 and 2 receive its prizes), account 3 organizes S27, account 4
/// the voucher prize tournament (5 its players), account 6 the public tournament: tests run at
/// once, and these check balances exactly.
async fn harness() -> &'static Harness {
    HARNESS
        .get_or_init(|| async {
            let h = Harness::start(7).await;
            // The organizer pays keysend prizes over Lightning: fund it and wait for a route.
            h.fund_account(0, 5_000_000).await;
            h.wait_route_to(0, "bob").await;
            h
        })
        .await
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn api_code(err: &LspError) -> Option<ApiErrorCode> {
    match err {
        LspError::Api { code, .. } => Some(*code),
        _ => None,
    }
}

/// A game client's key (invoice scope) of account `i`: joins players, reads tournaments.
async fn game_client(h: &Harness, i: usize) -> Client {
    let key = h
        .admin(i)
        .create_api_key(CreateApiKeyRequest {
            scope: ApiKeyScope::Invoice,
            label: "game".into(),
        })
        .await
        .unwrap();
    h.client(&key.key)
}

/// Pays `bolt11` from devnet wallet `payer` in the background: a hold invoice's payment ends
/// only when the tournament settles or cancels it.
fn wallet_pays(
    h: &Harness,
    payer: &str,
    bolt11: &str,
) -> JoinHandle<Result<PaymentOutcome, String>> {
    let api = h.devnet.api().clone();
    let payer = payer.to_owned();
    let request = PayRequest {
        invoice: bolt11.to_owned(),
        amount_msat: None,
        timeout_secs: Some(120),
    };
    tokio::spawn(async move {
        api.pay_invoice(&payer, &request)
            .await
            .map_err(|e| e.to_string())
    })
}

/// Polls the tournament until `done` holds.
async fn wait_tournament(
    client: &Client,
    id: &str,
    what: &str,
    done: impl Fn(&LspTournament) -> bool,
) -> LspTournament {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let t = client.get_tournament(id).await.unwrap();
        if done(&t) {
            return t;
        }
        assert!(Instant::now() < deadline, "never {what}: {t:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn join(
    client: &Client,
    id: &str,
    player: &str,
    payout: PayoutDestination,
) -> TournamentEntry {
    client
        .join_tournament(
            id,
            JoinTournamentRequest {
                player_id: player.into(),
                payout,
            },
        )
        .await
        .unwrap()
}

#[test]
fn s26_a_full_tournament_settles_its_pool_and_pays_every_winner_by_rank_exactly_once() {
    run(async {
        let h = harness().await;
        let organizer = h.admin(0);
        let game = game_client(h, 0).await;
        let host = h.api().trim_start_matches("http://").to_owned();
        h.admin(2)
            .create_lightning_address(CreateLightningAddressRequest {
                name: "s26-winner".into(),
                ..CreateLightningAddressRequest::default()
            })
            .await
            .unwrap();
        let account_1 = h.accounts[1].id.clone();
        let bob: etrid_core::lsp::NodeId = h
            .devnet
            .api()
            .node("bob")
            .unwrap()
            .node_id()
            .to_string()
            .parse()
            .unwrap();
        let before = [
            organizer.balance().await.unwrap().available_msat.as_u64(),
            h.admin(1).balance().await.unwrap().available_msat.as_u64(),
            h.admin(2).balance().await.unwrap().available_msat.as_u64(),
        ];

        let request = CreateTournamentRequest {
            name: "S26 cup".into(),
            entry_fee_msat: Msat::from_msat(20_000_000),
            seats: 4,
            payout_table_bps: vec![4000, 3000, 2000, 1000],
            organizer_fee_bps: 1000,
            join_deadline: now() + 600,
            external_id: Some("s26-cup".into()),
            metadata: None,
            public_join: false,
        };
        let t = organizer.create_tournament(request.clone()).await.unwrap();
        assert_eq!(t.status, TournamentStatus::Open);
        // The same external id answers the same tournament; other fields are a mismatch.
        assert_eq!(
            organizer
                .create_tournament(request.clone())
                .await
                .unwrap()
                .id,
            t.id
        );
        let mismatch = organizer
            .create_tournament(CreateTournamentRequest {
                seats: 8,
                ..request
            })
            .await
            .unwrap_err();
        assert_eq!(api_code(&mismatch), Some(ApiErrorCode::IdempotencyMismatch));

        // Four players join from the game client: an account, a Lightning Address served
        // here, a node by keysend, and the same address under another host name (resolved over
        // HTTP, as any foreign Lightning Address is).
        let players = [
            (
                "p1",
                PayoutDestination::Account {
                    account_id: account_1.clone(),
                },
            ),
            (
                "p2",
                PayoutDestination::LightningAddress {
                    address: format!("s26-winner@{host}"),
                },
            ),
            ("p3", PayoutDestination::Keysend { node_id: bob }),
            (
                "p4",
                PayoutDestination::LightningAddress {
                    address: format!("s26-winner@{}", host.replace("127.0.0.1", "localhost")),
                },
            ),
        ];
        let mut entries = Vec::new();
        for (player, payout) in &players {
            let e = join(&game, &t.id, player, payout.clone()).await;
            assert_eq!(e.status, EntryStatus::Pending);
            assert_eq!(e.amount_msat, Msat::from_msat(20_000_000));
            entries.push(e);
        }
        // Joining again unpaid answers the same entry; with another destination it is refused.
        let again = join(&game, &t.id, "p1", players[0].1.clone()).await;
        assert_eq!(again.invoice_id, entries[0].invoice_id);
        let twice = game
            .join_tournament(
                &t.id,
                JoinTournamentRequest {
                    player_id: "p1".into(),
                    payout: PayoutDestination::Keysend { node_id: bob },
                },
            )
            .await
            .unwrap_err();
        assert_eq!(api_code(&twice), Some(ApiErrorCode::AlreadyJoined));
        // An entry invoice is the tournament's: the hold invoice API cannot settle or cancel it.
        let foreign = organizer
            .cancel_hold_invoice(&entries[0].invoice_id)
            .await
            .unwrap_err();
        assert_eq!(api_code(&foreign), Some(ApiErrorCode::Conflict));

        // Three pay: three seats, nothing settled, the organizer credited nothing yet.
        let mut payers = vec![
            wallet_pays(h, "alice", &entries[0].bolt11),
            wallet_pays(h, "alice", &entries[1].bolt11),
            wallet_pays(h, "bob", &entries[2].bolt11),
        ];
        let three =
            wait_tournament(&game, &t.id, "three seats taken", |t| t.seats_taken == 3).await;
        assert_eq!(three.status, TournamentStatus::Open);
        assert_eq!(three.pool_msat, None);
        assert_eq!(
            organizer.balance().await.unwrap().available_msat.as_u64(),
            before[0]
        );
        // The fourth fills it: every entry settles and the pool is funded.
        payers.push(wallet_pays(h, "bob", &entries[3].bolt11));
        let funded = wait_tournament(&game, &t.id, "funded", |t| {
            t.status == TournamentStatus::Funded
        })
        .await;
        assert_eq!(funded.seats_taken, 4);
        assert_eq!(funded.pool_msat, Some(Msat::from_msat(80_000_000)));
        assert_eq!(funded.organizer_fee_msat, Some(Msat::from_msat(8_000_000)));
        assert_eq!(funded.prize_total_msat, Some(Msat::from_msat(72_000_000)));
        for payer in payers {
            let outcome = payer.await.unwrap().expect("each entry payment succeeds");
            assert!(outcome.preimage.is_some(), "{outcome:?}");
        }
        let listed = game.list_tournament_entries(&t.id).await.unwrap().items;
        assert!(
            listed.iter().all(|e| e.status == EntryStatus::Settled),
            "{listed:?}"
        );
        assert_eq!(
            organizer.balance().await.unwrap().available_msat.as_u64(),
            before[0] + 80_000_000
        );
        // Full: no one joins any more.
        let late = game
            .join_tournament(
                &t.id,
                JoinTournamentRequest {
                    player_id: "p5".into(),
                    payout: players[0].1.clone(),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(api_code(&late), Some(ApiErrorCode::TournamentClosed));

        // Results naming a non-player, or ranks out of order, are refused and move nothing.
        let standing = |p: &str, rank: u32| Standing {
            player_id: p.into(),
            rank,
        };
        let ghost = organizer
            .enter_tournament_results(
                &t.id,
                TournamentResultsRequest {
                    standings: vec![standing("p1", 1), standing("ghost", 2)],
                },
            )
            .await
            .unwrap_err();
        assert_eq!(api_code(&ghost), Some(ApiErrorCode::InvalidRequest));
        assert!(ghost.to_string().contains("ghost"), "{ghost}");
        let gap = organizer
            .enter_tournament_results(
                &t.id,
                TournamentResultsRequest {
                    standings: vec![standing("p1", 1), standing("p2", 3)],
                },
            )
            .await
            .unwrap_err();
        assert_eq!(api_code(&gap), Some(ApiErrorCode::InvalidRequest));
        // Payouts before results are refused.
        let early = organizer.pay_tournament(&t.id).await.unwrap_err();
        assert_eq!(api_code(&early), Some(ApiErrorCode::Conflict));

        let results = TournamentResultsRequest {
            standings: vec![
                standing("p3", 1),
                standing("p2", 2),
                standing("p1", 3),
                standing("p4", 4),
            ],
        };
        let payouts = organizer
            .enter_tournament_results(&t.id, results.clone())
            .await
            .unwrap()
            .items;
        let amounts: Vec<(&str, u64)> = payouts
            .iter()
            .map(|p| (p.player_id.as_str(), p.amount_msat.as_u64()))
            .collect();
        assert_eq!(
            amounts,
            vec![
                ("p3", 28_800_000),
                ("p2", 21_600_000),
                ("p1", 14_400_000),
                ("p4", 7_200_000)
            ]
        );
        // The same results again are harmless; other results are refused.
        assert_eq!(
            organizer
                .enter_tournament_results(&t.id, results)
                .await
                .unwrap()
                .items,
            payouts
        );
        let other = organizer
            .enter_tournament_results(
                &t.id,
                TournamentResultsRequest {
                    standings: vec![standing("p1", 1)],
                },
            )
            .await
            .unwrap_err();
        assert_eq!(api_code(&other), Some(ApiErrorCode::Conflict));

        organizer.pay_tournament(&t.id).await.unwrap();
        let done = wait_tournament(&organizer, &t.id, "completed", |t| {
            t.status == TournamentStatus::Completed
        })
        .await;
        assert_eq!((done.payouts_total, done.payouts_succeeded), (4, 4));
        // Paying again pays no one twice.
        let again = organizer.pay_tournament(&t.id).await.unwrap().items;
        assert!(again
            .iter()
            .all(|p| p.status == PayoutStatus::Succeeded && p.attempts == 1));

        // Exact to the msat: account 1 got 3rd, the address's account 2nd and 4th, bob 1st; the
        // organizer kept its fee less the keysend's routing fee.
        let keysend = again.iter().find(|p| p.player_id == "p3").unwrap();
        let keysend_payment = organizer
            .get_payment(keysend.payment_id.as_deref().unwrap())
            .await
            .unwrap();
        assert_eq!(keysend_payment.status, PaymentStatus::Succeeded);
        assert_eq!(keysend_payment.amount_msat, Msat::from_msat(28_800_000));
        let routing_fee = keysend_payment.fee_msat.unwrap().as_u64();
        let after = [
            organizer.balance().await.unwrap().available_msat.as_u64(),
            h.admin(1).balance().await.unwrap().available_msat.as_u64(),
            h.admin(2).balance().await.unwrap().available_msat.as_u64(),
        ];
        assert_eq!(after[0], before[0] + 8_000_000 - routing_fee);
        assert_eq!(after[1], before[1] + 14_400_000);
        assert_eq!(after[2], before[2] + 21_600_000 + 7_200_000);
        for p in &again {
            if p.player_id != "p3" {
                let payment = organizer
                    .get_payment(p.payment_id.as_deref().unwrap())
                    .await
                    .unwrap();
                assert!(payment.internal, "{payment:?}");
            }
        }

        // The audit log tells the whole story; the events stream followed every step.
        let audit = organizer.tournament_audit(&t.id).await.unwrap().items;
        let count = |action: &str| audit.iter().filter(|a| a.action == action).count();
        assert_eq!(count("created"), 1);
        assert_eq!(count("seat_taken"), 4);
        assert_eq!(count("entry_settled"), 4);
        assert_eq!(count("funded"), 1);
        assert_eq!(count("results_entered"), 1);
        assert_eq!(count("payout_succeeded"), 4);
        assert_eq!(count("completed"), 1);
        let events = organizer
            .list_events(ListEventsRequest {
                after: None,
                limit: Some(1000),
            })
            .await
            .unwrap()
            .items;
        let statuses: Vec<TournamentStatus> = events
            .iter()
            .filter_map(|e| match &e.payload {
                EventPayload::TournamentUpdated(u) if u.id == t.id => Some(u.status),
                _ => None,
            })
            .collect();
        for s in [
            TournamentStatus::Open,
            TournamentStatus::Settling,
            TournamentStatus::Funded,
            TournamentStatus::Results,
            TournamentStatus::Paying,
            TournamentStatus::Completed,
        ] {
            assert!(
                statuses.contains(&s),
                "no tournament.updated {s:?}: {statuses:?}"
            );
        }
        let succeeded_payouts = events
            .iter()
            .filter(|e| {
                matches!(&e.payload, EventPayload::TournamentPayout(p)
                if p.tournament_id == t.id && p.status == PayoutStatus::Succeeded)
            })
            .count();
        assert_eq!(succeeded_payouts, 4);
    });
}

#[test]
fn s27_a_cancelled_tournament_and_one_past_its_deadline_unfilled_refund_every_player() {
    run(async {
        let h = harness().await;
        let organizer = h.admin(3);
        let before = organizer.balance().await.unwrap().available_msat.as_u64();
        let payout = PayoutDestination::Account {
            account_id: h.accounts[1].id.clone(),
        };

        // Cancelled by the organizer with two of three seats taken.
        let t = organizer
            .create_tournament(CreateTournamentRequest {
                name: "S27 cancelled".into(),
                entry_fee_msat: Msat::from_msat(11_000_000),
                seats: 3,
                payout_table_bps: vec![10_000],
                organizer_fee_bps: 0,
                join_deadline: now() + 600,
                external_id: None,
                metadata: None,
                public_join: false,
            })
            .await
            .unwrap();
        let a = join(&organizer, &t.id, "a", payout.clone()).await;
        let b = join(&organizer, &t.id, "b", payout.clone()).await;
        let unpaid = join(&organizer, &t.id, "c", payout.clone()).await;
        let payers = [
            wallet_pays(h, "alice", &a.bolt11),
            wallet_pays(h, "bob", &b.bolt11),
        ];
        wait_tournament(&organizer, &t.id, "two seats taken", |t| t.seats_taken == 2).await;
        let cancelled = organizer.cancel_tournament(&t.id).await.unwrap();
        assert_eq!(
            cancelled.status,
            TournamentStatus::Cancelled,
            "{cancelled:?}"
        );
        assert_eq!(cancelled.seats_taken, 0);
        assert_eq!(
            cancelled.cancel_reason.as_deref(),
            Some("cancelled by the organizer")
        );
        for payer in payers {
            let refused = payer.await.unwrap();
            assert!(
                refused.is_err(),
                "the entry payment must fail back: {refused:?}"
            );
        }
        let entries = organizer
            .list_tournament_entries(&t.id)
            .await
            .unwrap()
            .items;
        let status = |p: &str| entries.iter().find(|e| e.player_id == p).unwrap().status;
        assert_eq!(status("a"), EntryStatus::Refunded);
        assert_eq!(status("b"), EntryStatus::Refunded);
        assert_eq!(status("c"), EntryStatus::Expired);
        // The unpaid entry's invoice can no longer be paid.
        let late = wallet_pays(h, "alice", &unpaid.bolt11).await.unwrap();
        assert!(late.is_err(), "{late:?}");
        // Cancelling again answers the same; joining is closed; nothing was credited.
        assert_eq!(
            organizer.cancel_tournament(&t.id).await.unwrap().status,
            TournamentStatus::Cancelled
        );
        let closed = organizer
            .join_tournament(
                &t.id,
                JoinTournamentRequest {
                    player_id: "d".into(),
                    payout: payout.clone(),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(api_code(&closed), Some(ApiErrorCode::TournamentClosed));
        assert_eq!(
            organizer.balance().await.unwrap().available_msat.as_u64(),
            before
        );

        // The deadline passes with one of two seats taken: cancelled by the server, refunded.
        let t = organizer
            .create_tournament(CreateTournamentRequest {
                name: "S27 deadline".into(),
                entry_fee_msat: Msat::from_msat(12_000_000),
                seats: 2,
                payout_table_bps: vec![10_000],
                organizer_fee_bps: 0,
                join_deadline: now() + 15,
                external_id: None,
                metadata: None,
                public_join: false,
            })
            .await
            .unwrap();
        let e = join(&organizer, &t.id, "solo", payout.clone()).await;
        let payer = wallet_pays(h, "alice", &e.bolt11);
        wait_tournament(&organizer, &t.id, "one seat taken", |t| t.seats_taken == 1).await;
        let over = wait_tournament(&organizer, &t.id, "cancelled at its deadline", |t| {
            t.status == TournamentStatus::Cancelled
        })
        .await;
        assert!(
            over.cancel_reason
                .as_deref()
                .is_some_and(|r| r.contains("deadline")),
            "{over:?}"
        );
        let refused = payer.await.unwrap();
        assert!(refused.is_err(), "{refused:?}");
        let entries = organizer
            .list_tournament_entries(&t.id)
            .await
            .unwrap()
            .items;
        assert_eq!(entries[0].status, EntryStatus::Refunded);
        let after_deadline = organizer
            .join_tournament(
                &t.id,
                JoinTournamentRequest {
                    player_id: "late".into(),
                    payout,
                },
            )
            .await
            .unwrap_err();
        assert_eq!(
            api_code(&after_deadline),
            Some(ApiErrorCode::TournamentClosed)
        );
        assert_eq!(
            organizer.balance().await.unwrap().available_msat.as_u64(),
            before
        );
        let audit = organizer.tournament_audit(&t.id).await.unwrap().items;
        assert!(audit
            .iter()
            .any(|a| a.action == "entry_refunded" && a.player_id.as_deref() == Some("solo")));
    });
}

#[test]
fn s26_a_prize_paid_as_a_voucher_is_redeemed_once_by_the_winner() {
    use etrid_core::lsp::RedeemWithdrawRequest;
    run(async {
        let h = harness().await;
        // The organizer's own 10 sat pay the voucher's fee allowance while it is unclaimed.
        h.fund_account(4, 200_000).await;
        h.fund_account(5, 3_000_000).await;
        let (organizer, players) = (h.admin(4), h.admin(5));
        let before = organizer.balance().await.unwrap();
        let t = organizer
            .create_tournament(CreateTournamentRequest {
                name: "voucher cup".into(),
                entry_fee_msat: Msat::from_msat(1_000_000),
                seats: 2,
                payout_table_bps: vec![10_000],
                organizer_fee_bps: 0,
                join_deadline: now() + 600,
                external_id: None,
                metadata: None,
                public_join: false,
            })
            .await
            .unwrap();
        let winner = join(&organizer, &t.id, "ann", PayoutDestination::Voucher).await;
        let other = join(
            &organizer,
            &t.id,
            "bo",
            PayoutDestination::Account {
                account_id: h.accounts[5].id.clone(),
            },
        )
        .await;
        for (entry, key) in [(&winner, "vc-ann"), (&other, "vc-bo")] {
            let prepared = players
                .prepare_pay_invoice(etrid_core::lsp::PayInvoiceRequest {
                    bolt11: entry.bolt11.clone(),
                    idempotency_key: key.into(),
                    ..Default::default()
                })
                .unwrap();
            players.pay(prepared).await.unwrap();
        }
        wait_tournament(&organizer, &t.id, "funded", |t| {
            t.status == TournamentStatus::Funded
        })
        .await;
        organizer
            .enter_tournament_results(
                &t.id,
                TournamentResultsRequest {
                    standings: vec![
                        Standing {
                            player_id: "ann".into(),
                            rank: 1,
                        },
                        Standing {
                            player_id: "bo".into(),
                            rank: 2,
                        },
                    ],
                },
            )
            .await
            .unwrap();
        organizer.pay_tournament(&t.id).await.unwrap();
        wait_tournament(&organizer, &t.id, "completed", |t| {
            t.status == TournamentStatus::Completed
        })
        .await;
        let payouts = organizer.pay_tournament(&t.id).await.unwrap().items;
        assert_eq!(payouts.len(), 1, "{payouts:?}");
        let prize = &payouts[0];
        assert_eq!(prize.status, PayoutStatus::Succeeded);
        assert_eq!(prize.amount_msat, Msat::from_msat(2_000_000));
        assert_eq!(prize.payment_id, None);
        let lnurl = prize.voucher_lnurl.clone().expect("the prize's voucher");
        let voucher = organizer
            .get_voucher(prize.voucher_id.as_deref().unwrap())
            .await
            .unwrap();
        assert_eq!(voucher.lnurl, lnurl);
        assert_eq!(voucher.description, "Prize: voucher cup, rank 1");

        // The winner's account redeems it (inside the LSP: at once), once.
        let players_before = players.balance().await.unwrap().available_msat.as_u64();
        let redeem = RedeemWithdrawRequest {
            lnurl,
            amount_msat: None,
            description: None,
        };
        players.redeem_withdraw(redeem.clone()).await.unwrap();
        assert_eq!(
            players.balance().await.unwrap().available_msat.as_u64() - players_before,
            2_000_000
        );
        assert!(players.redeem_withdraw(redeem).await.is_err());
        // The organizer is where it started: the pool went to the winner, the voucher's fee
        // allowance came back (a claim inside the LSP costs no fee).
        let after = organizer.balance().await.unwrap();
        assert_eq!(after.available_msat, before.available_msat);
        assert_eq!(after.reserved_msat, before.reserved_msat);
    })
}

#[test]
fn s26_a_public_tournament_shows_its_lobby_and_takes_joins_without_a_key() {
    run(async {
        let h = harness().await;
        let organizer = h.admin(6);
        let keyless = h.client("");
        let request = |name: &str, public_join| CreateTournamentRequest {
            name: name.into(),
            entry_fee_msat: Msat::from_msat(100_000),
            seats: 2,
            payout_table_bps: vec![7000, 3000],
            organizer_fee_bps: 2000,
            join_deadline: now() + 600,
            external_id: None,
            metadata: Some(serde_json::Map::from_iter([("secret".into(), "x".into())])),
            public_join,
        };
        let private = organizer
            .create_tournament(request("S26 private", false))
            .await
            .unwrap();
        let t = organizer
            .create_tournament(request("S26 public", true))
            .await
            .unwrap();
        assert!(t.public_join && !private.public_join);
        let voucher = || PayoutDestination::Voucher;
        let join_request = |player: &str| JoinTournamentRequest {
            player_id: player.into(),
            payout: voucher(),
        };

        // A private tournament is unknown to the public routes; a keyless client has no others.
        for err in [
            keyless
                .get_public_tournament(&private.id)
                .await
                .unwrap_err(),
            keyless
                .join_public_tournament(&private.id, join_request("p"))
                .await
                .unwrap_err(),
            keyless.get_public_tournament("trn_nope").await.unwrap_err(),
        ] {
            assert!(matches!(err, LspError::NotFound { .. }), "{err:?}");
        }
        let err = keyless.get_tournament(&t.id).await.unwrap_err();
        assert!(matches!(err, LspError::Unauthorized { .. }), "{err:?}");
        let err = keyless
            .join_public_tournament(&t.id, join_request("bad player!"))
            .await
            .unwrap_err();
        assert!(matches!(err, LspError::InvalidRequest { .. }), "{err:?}");

        // The lobby: terms and the prize a full tournament will have, no one seated yet.
        let lobby = keyless.get_public_tournament(&t.id).await.unwrap();
        assert_eq!(
            (lobby.status, lobby.seats, lobby.seats_taken),
            (TournamentStatus::Open, 2, 0)
        );
        assert_eq!(lobby.prize_total_msat, Msat::from_msat(160_000));
        assert!(lobby.players.is_empty());

        // Two players join without a key and pay from devnet wallets.
        let ann = keyless
            .join_public_tournament(&t.id, join_request("ann"))
            .await
            .unwrap();
        let again = keyless
            .join_public_tournament(&t.id, join_request("ann"))
            .await
            .unwrap();
        assert_eq!(again.invoice_id, ann.invoice_id, "unpaid: the same entry");
        let other = keyless
            .join_public_tournament(
                &t.id,
                JoinTournamentRequest {
                    player_id: "ann".into(),
                    payout: PayoutDestination::Account {
                        account_id: h.accounts[1].id.clone(),
                    },
                },
            )
            .await
            .unwrap_err();
        assert_eq!(api_code(&other), Some(ApiErrorCode::AlreadyJoined));
        let ben = keyless
            .join_public_tournament(&t.id, join_request("ben"))
            .await
            .unwrap();
        let pending = keyless.get_public_tournament(&t.id).await.unwrap();
        assert!(pending.players.is_empty(), "unpaid entries have no seat");
        let payers = [
            wallet_pays(h, "alice", &ann.bolt11),
            wallet_pays(h, "bob", &ben.bolt11),
        ];
        wait_tournament(&organizer, &t.id, "funded", |t| {
            t.status == TournamentStatus::Funded
        })
        .await;
        for payer in payers {
            assert!(payer.await.unwrap().is_ok());
        }
        let lobby = keyless.get_public_tournament(&t.id).await.unwrap();
        assert_eq!(lobby.status, TournamentStatus::Funded);
        let seated: Vec<_> = lobby
            .players
            .iter()
            .map(|p| (p.player_id.as_str(), p.status, p.rank))
            .collect();
        assert_eq!(
            seated,
            [
                ("ann", EntryStatus::Settled, None),
                ("ben", EntryStatus::Settled, None)
            ]
        );
        // The lobby tells nothing of the organizer's metadata or the players' invoices.
        let text = serde_json::to_string(&lobby).unwrap();
        assert!(!text.contains("secret") && !text.contains(&ann.bolt11));

        // Results and prizes (vouchers: paid inside the LSP) show in the lobby.
        organizer
            .enter_tournament_results(
                &t.id,
                TournamentResultsRequest {
                    standings: vec![
                        Standing {
                            player_id: "ben".into(),
                            rank: 1,
                        },
                        Standing {
                            player_id: "ann".into(),
                            rank: 2,
                        },
                    ],
                },
            )
            .await
            .unwrap();
        organizer.pay_tournament(&t.id).await.unwrap();
        wait_tournament(&organizer, &t.id, "completed", |t| {
            t.status == TournamentStatus::Completed
        })
        .await;
        let lobby = keyless.get_public_tournament(&t.id).await.unwrap();
        let prizes: Vec<_> = lobby
            .players
            .iter()
            .map(|p| (p.player_id.as_str(), p.rank, p.prize_msat, p.prize_status))
            .collect();
        assert_eq!(
            prizes,
            [
                (
                    "ann",
                    Some(2),
                    Some(Msat::from_msat(48_000)),
                    Some(PayoutStatus::Succeeded)
                ),
                (
                    "ben",
                    Some(1),
                    Some(Msat::from_msat(112_000)),
                    Some(PayoutStatus::Succeeded)
                ),
            ]
        );
        // Closed now: a keyless join is refused as a keyed one is.
        let closed = keyless
            .join_public_tournament(&t.id, join_request("cy"))
            .await
            .unwrap_err();
        assert_eq!(api_code(&closed), Some(ApiErrorCode::TournamentClosed));
    });
}
