//! Tests of prize pools, payout tables and exact splits.

use proptest::prelude::*;

use super::*;

fn msat(v: u64) -> Msat {
    Msat::from_msat(v)
}

fn standings(ranks: &[(&str, u32)]) -> Vec<Standing> {
    ranks
        .iter()
        .map(|&(id, rank)| Standing {
            player_id: id.to_owned(),
            rank,
        })
        .collect()
}

fn amounts(split: &PayoutSplit) -> Vec<(&str, u64)> {
    split
        .payouts
        .iter()
        .map(|p| (p.player_id.as_str(), p.amount.as_u64()))
        .collect()
}

fn table(shares: &[u16]) -> PayoutTable {
    PayoutTable::new(shares.to_vec()).unwrap()
}

#[test]
fn pool_from_entry_fees() {
    let pool = PrizePool::from_entries(msat(10_000), 10, 500).unwrap();
    assert_eq!(pool.pool(), msat(100_000));
    assert_eq!(pool.organizer_fee(), msat(5_000));
    assert_eq!(pool.prize_total(), msat(95_000));
    assert_eq!(pool.organizer_fee_bps(), 500);
    // The fee rounds down: 1 bps of 9,999 msat is 0.9999 msat.
    let pool = PrizePool::new(msat(9_999), 1).unwrap();
    assert_eq!(
        (pool.organizer_fee(), pool.prize_total()),
        (msat(0), msat(9_999))
    );
    let all = PrizePool::new(msat(u64::MAX), 10_000).unwrap();
    assert_eq!(
        (all.organizer_fee(), all.prize_total()),
        (msat(u64::MAX), msat(0))
    );
    assert_eq!(
        PrizePool::from_entries(msat(1), 1, 10_001),
        Err(TournamentError::FeeBpsTooHigh { bps: 10_001 })
    );
    assert_eq!(
        PrizePool::from_entries(msat(u64::MAX), 2, 0),
        Err(TournamentError::Overflow)
    );
    assert_eq!(
        PrizePool::from_entries(msat(5), 0, 0).unwrap().pool(),
        Msat::ZERO
    );
}

#[test]
fn payout_tables_are_validated() {
    let new = |shares: &[u16]| PayoutTable::new(shares.to_vec());
    assert_eq!(new(&[]), Err(TournamentError::EmptyTable));
    assert_eq!(
        new(&[10_000, 0]),
        Err(TournamentError::ZeroShare { rank: 2 })
    );
    assert_eq!(
        new(&[3_000, 7_000]),
        Err(TournamentError::SharesIncrease {
            rank: 2,
            share_bps: 7_000,
            previous_bps: 3_000
        })
    );
    assert_eq!(
        new(&[5_000, 4_000]),
        Err(TournamentError::SharesNotWhole { sum_bps: 9_000 })
    );
    assert_eq!(
        new(&[60_000]),
        Err(TournamentError::SharesNotWhole { sum_bps: 60_000 })
    );
    assert_eq!(
        new(&[5_000, 3_000, 2_000]).unwrap().shares_bps(),
        &[5_000, 3_000, 2_000]
    );
    assert_eq!(PayoutTable::winner_takes_all().shares_bps(), &[10_000]);
}

#[test]
fn splits_by_rank() {
    let pool = PrizePool::from_entries(msat(10_000), 10, 500).unwrap();
    let players = standings(&[("dora", 4), ("ann", 1), ("cid", 3), ("bob", 2)]);
    let out = split(&pool, &table(&[5_000, 3_000, 2_000]), &players).unwrap();
    assert_eq!(
        amounts(&out),
        [
            ("ann", 47_500),
            ("bob", 28_500),
            ("cid", 19_000),
            ("dora", 0)
        ]
    );
    assert_eq!(out.organizer_fee, msat(5_000));
    let ranks: Vec<u32> = out.payouts.iter().map(|p| p.rank).collect();
    assert_eq!(ranks, [1, 2, 3, 4]);
}

#[test]
fn tied_players_share_the_positions_they_occupy() {
    let pool = PrizePool::new(msat(100_000), 0).unwrap();
    // Two tied for 1st share ranks 1 and 2 (4,000 bps each); the next is 3rd.
    let players = standings(&[("ann", 1), ("bob", 1), ("cid", 3)]);
    let out = split(&pool, &table(&[5_000, 3_000, 2_000]), &players).unwrap();
    assert_eq!(
        amounts(&out),
        [("ann", 40_000), ("bob", 40_000), ("cid", 20_000)]
    );
    // Three tied for 2nd straddle the paid ranks: they share rank 2's 4,000 bps.
    let players = standings(&[("ann", 1), ("bob", 2), ("cid", 2), ("dan", 2)]);
    let out = split(&pool, &table(&[6_000, 4_000]), &players).unwrap();
    assert_eq!(
        amounts(&out),
        [
            ("ann", 60_000),
            ("bob", 13_334),
            ("cid", 13_333),
            ("dan", 13_333)
        ]
    );
}

#[test]
fn remainders_go_to_the_better_ranked_first() {
    let pool = PrizePool::new(msat(100), 0).unwrap();
    let players = standings(&[("cid", 3), ("bob", 2), ("ann", 1)]);
    let out = split(&pool, &table(&[3_334, 3_333, 3_333]), &players).unwrap();
    assert_eq!(amounts(&out), [("ann", 34), ("bob", 33), ("cid", 33)]);
    // Ties: the first listed of the tied players gets the odd msat.
    let pool = PrizePool::new(msat(101), 0).unwrap();
    let players = standings(&[("zed", 1), ("amy", 1)]);
    let out = split(&pool, &table(&[6_000, 4_000]), &players).unwrap();
    assert_eq!(amounts(&out), [("zed", 51), ("amy", 50)]);
}

#[test]
fn unclaimed_shares_go_to_the_players_present() {
    // 3 paid ranks, 2 players: shares 5,000 : 3,000 of the whole prize.
    let pool = PrizePool::new(msat(80_000), 0).unwrap();
    let players = standings(&[("ann", 1), ("bob", 2)]);
    let out = split(&pool, &table(&[5_000, 3_000, 2_000]), &players).unwrap();
    assert_eq!(amounts(&out), [("ann", 50_000), ("bob", 30_000)]);
    let solo = split_one(msat(12_345));
    assert_eq!(amounts(&solo), [("ann", 12_345)]);
}

fn split_one(prize: Msat) -> PayoutSplit {
    let pool = PrizePool::new(prize, 0).unwrap();
    split(
        &pool,
        &table(&[5_000, 3_000, 2_000]),
        &standings(&[("ann", 1)]),
    )
    .unwrap()
}

#[test]
fn invalid_standings_are_refused() {
    let pool = PrizePool::new(msat(1_000), 0).unwrap();
    let t = table(&[10_000]);
    let run = |players: &[(&str, u32)]| split(&pool, &t, &standings(players));
    assert_eq!(run(&[]), Err(TournamentError::NoPlayers));
    assert_eq!(
        run(&[("ann", 1), ("", 2)]),
        Err(TournamentError::EmptyPlayerId { index: 1 })
    );
    assert_eq!(
        run(&[("ann", 1), ("ann", 2)]),
        Err(TournamentError::DuplicatePlayer {
            player_id: "ann".into()
        })
    );
    assert_eq!(
        run(&[("ann", 0)]),
        Err(TournamentError::RankZero {
            player_id: "ann".into()
        })
    );
    assert_eq!(
        run(&[("ann", 1), ("bob", 1), ("cid", 2)]),
        Err(TournamentError::RanksNotContiguous {
            expected: 3,
            found: 2
        })
    );
    assert_eq!(
        run(&[("ann", 2)]),
        Err(TournamentError::RanksNotContiguous {
            expected: 1,
            found: 2
        })
    );
    assert_eq!(
        run(&[("ann", 1), ("bob", 3)]),
        Err(TournamentError::RanksNotContiguous {
            expected: 2,
            found: 3
        })
    );
}

#[test]
fn serialised_forms_are_checked_when_read() {
    let t = table(&[7_000, 3_000]);
    assert_eq!(serde_json::to_string(&t).unwrap(), "[7000,3000]");
    assert_eq!(
        serde_json::from_str::<PayoutTable>("[7000,3000]").unwrap(),
        t
    );
    assert!(serde_json::from_str::<PayoutTable>("[3000,7000]").is_err());

    let pool = PrizePool::from_entries(msat(1_000), 3, 1_000).unwrap();
    let json = serde_json::to_value(pool).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"pool": 3000, "organizer_fee_bps": 1000, "organizer_fee": 300,
            "prize_total": 2700})
    );
    assert_eq!(
        serde_json::from_value::<PrizePool>(json.clone()).unwrap(),
        pool
    );
    let mut skimmed = json;
    skimmed["organizer_fee"] = 400.into();
    assert!(serde_json::from_value::<PrizePool>(skimmed).is_err());
}

#[test]
fn error_codes_are_prefixed_and_distinct() {
    let s = String::new;
    let errors = [
        TournamentError::FeeBpsTooHigh { bps: 0 },
        TournamentError::Overflow,
        TournamentError::EmptyTable,
        TournamentError::ZeroShare { rank: 0 },
        TournamentError::SharesIncrease {
            rank: 0,
            share_bps: 0,
            previous_bps: 0,
        },
        TournamentError::SharesNotWhole { sum_bps: 0 },
        TournamentError::PoolMismatch {
            pool_msat: 0,
            organizer_fee_msat: 0,
            prize_total_msat: 0,
        },
        TournamentError::NoPlayers,
        TournamentError::EmptyPlayerId { index: 0 },
        TournamentError::DuplicatePlayer { player_id: s() },
        TournamentError::RankZero { player_id: s() },
        TournamentError::RanksNotContiguous {
            expected: 0,
            found: 0,
        },
    ];
    let mut codes: Vec<_> = errors.iter().map(TournamentError::code).collect();
    assert!(codes.iter().all(|c| c.starts_with("tournament_")));
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), errors.len());
}

/// A valid table: `rows` positive shares, non-increasing, summing to 10,000.
fn any_table() -> impl Strategy<Value = PayoutTable> {
    (1usize..=12)
        .prop_flat_map(|rows| {
            proptest::collection::btree_set(1u16..BPS_WHOLE, rows - 1).prop_map(|cuts| {
                let mut bounds: Vec<u16> = Vec::with_capacity(cuts.len() + 2);
                bounds.push(0);
                bounds.extend(cuts);
                bounds.push(BPS_WHOLE);
                let mut shares: Vec<u16> = bounds.windows(2).map(|w| w[1] - w[0]).collect();
                shares.sort_unstable_by(|a, b| b.cmp(a));
                shares
            })
        })
        .prop_map(|shares| PayoutTable::new(shares).unwrap())
}

/// Standings with random ties, in a shuffled order.
fn any_standings() -> impl Strategy<Value = Vec<Standing>> {
    proptest::collection::vec(1usize..=4, 1..=10)
        .prop_map(|group_sizes| {
            let mut players = Vec::new();
            let mut rank = 1u32;
            for size in group_sizes {
                for _ in 0..size {
                    players.push(Standing {
                        player_id: format!("p{}", players.len()),
                        rank,
                    });
                }
                rank += size as u32;
            }
            players
        })
        .prop_shuffle()
}

fn any_pool() -> impl Strategy<Value = PrizePool> {
    prop_oneof![
        (0u64..1_000, 0u32..64, 0u16..=10_000),
        (0u64..=u64::MAX / 1_000_000, 0u32..1_000_000, 0u16..=10_000),
    ]
    .prop_map(|(fee, entrants, bps)| PrizePool::from_entries(msat(fee), entrants, bps).unwrap())
}

proptest! {
    #[test]
    fn splits_are_exact_fair_and_ordered(
        pool in any_pool(),
        table in any_table(),
        players in any_standings(),
    ) {
        let out = split(&pool, &table, &players).unwrap();
        prop_assert_eq!(out.payouts.len(), players.len());
        prop_assert_eq!(out.organizer_fee, pool.organizer_fee());
        let paid = Msat::checked_sum(out.payouts.iter().map(|p| p.amount)).unwrap();
        prop_assert_eq!(paid.checked_add(out.organizer_fee), Ok(pool.pool()));
        // Sorted by rank; a better rank never gets less; ties differ by at most 1 msat.
        for pair in out.payouts.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            prop_assert!(a.rank <= b.rank);
            prop_assert!(a.amount >= b.amount, "{:?} < {:?}", a, b);
            if a.rank == b.rank {
                prop_assert!(a.amount.as_u64() - b.amount.as_u64() <= 1);
            }
        }
        // Everyone gets their exact share rounded down or up: amount × den is within den of
        // num, where num / den = prize × (shares of the tie's positions) / (occupied shares ×
        // tie size).
        let shares: Vec<u128> = table.shares_bps().iter().map(|&s| u128::from(s)).collect();
        let share_of = |from: usize, count: usize| -> u128 {
            shares.iter().skip(from).take(count).sum()
        };
        let occupied = share_of(0, players.len());
        let prize = u128::from(pool.prize_total().as_u64());
        for p in &out.payouts {
            let tied = players.iter().filter(|s| s.rank == p.rank).count();
            let num = prize * share_of(p.rank as usize - 1, tied);
            let den = occupied * tied as u128;
            let scaled = u128::from(p.amount.as_u64()) * den;
            prop_assert!(scaled + den > num && scaled < num + den, "{:?}", p);
            if num % den == 0 {
                prop_assert_eq!(scaled, num);
            }
        }
        // Nobody placed wholly beyond the paid ranks gets anything.
        let paid_ranks = table.shares_bps().len() as u32;
        for p in &out.payouts {
            if p.rank > paid_ranks {
                prop_assert_eq!(p.amount, Msat::ZERO);
            }
        }
        // Every player appears once, with the rank they were given.
        for s in &players {
            let found = out.payouts.iter().filter(|p| p.player_id == s.player_id);
            let ranks: Vec<u32> = found.map(|p| p.rank).collect();
            prop_assert_eq!(ranks, vec![s.rank]);
        }
    }

    #[test]
    fn no_standings_make_split_panic(
        ranks in proptest::collection::vec((0u8..6, 0u32..8), 0..8),
    ) {
        let players: Vec<Standing> = ranks
            .iter()
            .map(|&(id, rank)| Standing { player_id: if id == 0 { String::new() } else { format!("p{id}") }, rank })
            .collect();
        let pool = PrizePool::new(msat(1_000_003), 250).unwrap();
        if let Ok(out) = split(&pool, &table(&[5_000, 3_000, 2_000]), &players) {
            let paid = Msat::checked_sum(out.payouts.iter().map(|p| p.amount)).unwrap();
            prop_assert_eq!(paid.checked_add(out.organizer_fee), Ok(pool.pool()));
        }
    }
}
