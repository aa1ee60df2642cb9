//! The exact split of a prize pool among final standings by a payout table.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::{PayoutTable, PrizePool, TournamentError};
use crate::amount::Msat;

/// One player's final rank (standard competition ranking: 1, 1, 3, …).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Standing {
    /// The player's id, unique in the standings; non-empty.
    pub player_id: String,
    /// The player's rank, 1 for the best.
    pub rank: u32,
}

/// What one player wins.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Payout {
    /// The player.
    pub player_id: String,
    /// The player's rank.
    pub rank: u32,
    /// The prize; zero for players outside the paid ranks (they are listed all the same).
    pub amount: Msat,
}

/// The result of [`split`]: every player's payout and the organizer's fee, which add up to
/// the pool exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoutSplit {
    /// One payout per player, best rank first; tied players in the order the standings gave.
    pub payouts: Vec<Payout>,
    /// The organizer's fee.
    pub organizer_fee: Msat,
}

/// Splits `pool`'s prize total among `standings` by `table`, to the millisatoshi.
///
/// Players are placed in positions 1, 2, 3, … by rank; a player at position `p` is owed
/// `table[p]` (zero past the table). Players tied at a rank share the positions they occupy
/// equally: two tied for 1st each get `(share₁ + share₂) / 2`, and the next player is 3rd.
/// When fewer players than paid ranks finish, every share is taken relative to the shares of
/// the occupied positions, so the whole prize still goes to the players.
///
/// Rounding: each player first gets their exact share rounded down; the few millisatoshis
/// left (fewer than there are players whose share was not whole) go one each to those
/// players, best rank first and, among tied players, in the order the standings list them.
/// Hence every player gets their exact share rounded down or up (exactly, when it is whole),
/// `sum(payouts) + organizer_fee == pool`, tied players differ by at most 1 msat, and no
/// player gets less than a worse-ranked one.
///
/// # Errors
/// [`TournamentError::NoPlayers`], [`TournamentError::EmptyPlayerId`],
/// [`TournamentError::DuplicatePlayer`], [`TournamentError::RankZero`],
/// [`TournamentError::RanksNotContiguous`], and [`TournamentError::Overflow`].
pub fn split(
    pool: &PrizePool,
    table: &PayoutTable,
    standings: &[Standing],
) -> Result<PayoutSplit, TournamentError> {
    let groups = rank_groups(standings)?;
    let shares = table.shares_bps();
    let prize = u128::from(pool.prize_total().as_u64());

    // Weight of each tie group: the shares of the positions it occupies.
    let mut position = 0usize;
    let mut group_weights = Vec::with_capacity(groups.len());
    for group in &groups {
        let weight: u128 = shares
            .iter()
            .skip(position)
            .take(group.len())
            .map(|&s| u128::from(s))
            .sum();
        group_weights.push(weight);
        position = position.saturating_add(group.len());
    }
    // The occupied positions' shares: 10,000 unless fewer players than paid ranks.
    let total_weight: u128 = group_weights.iter().sum();
    if total_weight == 0 {
        // Unreachable for a valid table and at least one player; refuse rather than divide.
        return Err(TournamentError::NoPlayers);
    }

    // Each player first gets their exact share rounded down, noting whether it was inexact.
    let mut payouts = Vec::with_capacity(standings.len());
    let mut paid: u128 = 0;
    for (group, &weight) in groups.iter().zip(group_weights.iter()) {
        let members = u128::try_from(group.len()).map_err(|_| TournamentError::Overflow)?;
        // prize < 2⁶⁴, weight ≤ 10⁴, members < 2⁶⁴: no product overflows u128.
        let (num, den) = (prize * weight, total_weight * members);
        let (each, inexact) = (num / den, num % den != 0);
        for standing in group {
            paid += each;
            payouts.push((standing, each, inexact));
        }
    }
    // What is left is the sum of the dropped fractions: fewer msat than there are inexact
    // shares. One each goes to inexact shares in order, best rank first.
    let mut left = prize.checked_sub(paid).ok_or(TournamentError::Overflow)?;
    for (_, amount, inexact) in payouts.iter_mut() {
        if left == 0 {
            break;
        }
        if *inexact {
            *amount += 1;
            left -= 1;
        }
    }
    if left != 0 {
        // Unreachable by the bound above; refuse rather than lose money.
        return Err(TournamentError::Overflow);
    }

    let payouts = payouts
        .into_iter()
        .map(|(standing, amount, _)| {
            Ok(Payout {
                player_id: standing.player_id.clone(),
                rank: standing.rank,
                amount: Msat::from_msat(
                    u64::try_from(amount).map_err(|_| TournamentError::Overflow)?,
                ),
            })
        })
        .collect::<Result<Vec<_>, TournamentError>>()?;
    Ok(PayoutSplit {
        payouts,
        organizer_fee: pool.organizer_fee(),
    })
}

/// Checks the standings and groups them by rank, best first; tied players keep their order.
fn rank_groups(standings: &[Standing]) -> Result<Vec<Vec<&Standing>>, TournamentError> {
    if standings.is_empty() {
        return Err(TournamentError::NoPlayers);
    }
    let mut seen = HashSet::with_capacity(standings.len());
    for (index, standing) in standings.iter().enumerate() {
        if standing.player_id.is_empty() {
            return Err(TournamentError::EmptyPlayerId { index });
        }
        if !seen.insert(standing.player_id.as_str()) {
            return Err(TournamentError::DuplicatePlayer {
                player_id: standing.player_id.clone(),
            });
        }
        if standing.rank == 0 {
            return Err(TournamentError::RankZero {
                player_id: standing.player_id.clone(),
            });
        }
    }
    let mut sorted: Vec<&Standing> = standings.iter().collect();
    sorted.sort_by_key(|s| s.rank); // stable: ties keep the given order
    let mut expected: u64 = 1;
    let mut groups = Vec::new();
    for group in sorted.chunk_by(|a, b| a.rank == b.rank) {
        let rank = group.first().map_or(0, |s| s.rank);
        if u64::from(rank) != expected {
            return Err(TournamentError::RanksNotContiguous {
                expected,
                found: rank,
            });
        }
        let size = u64::try_from(group.len()).map_err(|_| TournamentError::Overflow)?;
        expected = expected
            .checked_add(size)
            .ok_or(TournamentError::Overflow)?;
        groups.push(group.to_vec());
    }
    Ok(groups)
}
