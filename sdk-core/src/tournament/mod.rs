//! Tournament money: the prize pool from entry fees, the payout table by rank, and the exact
//! split of the pool among the final standings, so that not one millisatoshi is lost.
//!
//! Every amount is an integer number of millisatoshis and every split is exact:
//! `sum(payouts) + organizer_fee == pool`, always. The rules (see [`split`]):
//! - The organizer fee is `pool × organizer_fee_bps / 10,000` rounded down; the rest is the
//!   prize total.
//! - A [`PayoutTable`] gives each paid rank a share in basis points; shares are positive,
//!   never increase from one rank to the next, and sum to exactly 10,000 (all of the prize).
//! - Standings use standard competition ranking ("1224"): players tied for a rank share the
//!   prizes of the positions they occupy equally.
//! - Rounding is exact: each player gets their exact share rounded down or up, the odd
//!   millisatoshis going to the better-ranked first, so the payouts add up to the prize total.
//! - With fewer players than paid ranks, the shares of the empty ranks are shared by the
//!   players present in proportion to their ranks' shares: unclaimed money never goes to the
//!   organizer and is never lost.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::amount::Msat;

mod split;

pub use split::{split, Payout, PayoutSplit, Standing};

/// Basis points in the whole (100 % = 10,000 bps).
pub const BPS_WHOLE: u16 = 10_000;

/// A tournament's pool: what the entrants paid, the organizer's fee, and the prizes.
///
/// Always consistent: `organizer_fee + prize_total == pool`. Deserialising checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PoolFields")]
pub struct PrizePool {
    pool: Msat,
    organizer_fee_bps: u16,
    organizer_fee: Msat,
    prize_total: Msat,
}

/// The serialised form of [`PrizePool`], checked before it becomes one.
#[derive(Deserialize)]
struct PoolFields {
    pool: Msat,
    organizer_fee_bps: u16,
    organizer_fee: Msat,
    prize_total: Msat,
}

impl TryFrom<PoolFields> for PrizePool {
    type Error = TournamentError;

    fn try_from(f: PoolFields) -> Result<PrizePool, TournamentError> {
        let pool = PrizePool::new(f.pool, f.organizer_fee_bps)?;
        if pool.organizer_fee != f.organizer_fee || pool.prize_total != f.prize_total {
            return Err(TournamentError::PoolMismatch {
                pool_msat: f.pool.as_u64(),
                organizer_fee_msat: f.organizer_fee.as_u64(),
                prize_total_msat: f.prize_total.as_u64(),
            });
        }
        Ok(pool)
    }
}

impl PrizePool {
    /// The pool of `entrants` players who each paid `entry_fee`, less the organizer's
    /// `organizer_fee_bps` (rounded down, so the fee never exceeds the stated share).
    ///
    /// # Errors
    /// [`TournamentError::FeeBpsTooHigh`] above 10,000 bps, and
    /// [`TournamentError::Overflow`] if the pool exceeds `u64::MAX` millisatoshis.
    pub fn from_entries(
        entry_fee: Msat,
        entrants: u32,
        organizer_fee_bps: u16,
    ) -> Result<PrizePool, TournamentError> {
        let pool = entry_fee
            .checked_mul(u64::from(entrants))
            .map_err(|_| TournamentError::Overflow)?;
        PrizePool::new(pool, organizer_fee_bps)
    }

    /// A pool of `pool` millisatoshis from any source (entries plus a sponsor's top-up, say),
    /// less the organizer's `organizer_fee_bps`, rounded down.
    ///
    /// # Errors
    /// [`TournamentError::FeeBpsTooHigh`] above 10,000 bps.
    pub fn new(pool: Msat, organizer_fee_bps: u16) -> Result<PrizePool, TournamentError> {
        if organizer_fee_bps > BPS_WHOLE {
            return Err(TournamentError::FeeBpsTooHigh {
                bps: organizer_fee_bps,
            });
        }
        let fee = u128::from(pool.as_u64()) * u128::from(organizer_fee_bps) / u128::from(BPS_WHOLE);
        // fee ≤ pool because bps ≤ 10,000.
        let organizer_fee = u64::try_from(fee)
            .map(Msat::from_msat)
            .map_err(|_| TournamentError::Overflow)?;
        let prize_total = pool
            .checked_sub(organizer_fee)
            .map_err(|_| TournamentError::Overflow)?;
        Ok(PrizePool {
            pool,
            organizer_fee_bps,
            organizer_fee,
            prize_total,
        })
    }

    /// Everything paid in.
    pub fn pool(&self) -> Msat {
        self.pool
    }

    /// The organizer's share, in basis points of the pool.
    pub fn organizer_fee_bps(&self) -> u16 {
        self.organizer_fee_bps
    }

    /// The organizer's fee: `pool × organizer_fee_bps / 10,000`, rounded down.
    pub fn organizer_fee(&self) -> Msat {
        self.organizer_fee
    }

    /// What the players share: `pool − organizer_fee`.
    pub fn prize_total(&self) -> Msat {
        self.prize_total
    }
}

/// The share of the prize total each rank wins, in basis points, rank 1 first.
///
/// Valid tables are non-empty, every share is positive, no rank gets more than the rank above
/// it, and the shares sum to exactly 10,000 bps: the whole prize is always assigned (the
/// organizer's cut is [`PrizePool`]'s fee, not a gap in the table). Serialised as a JSON array
/// of integers, checked when read.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Vec<u16>", into = "Vec<u16>")]
pub struct PayoutTable {
    shares_bps: Vec<u16>,
}

impl PayoutTable {
    /// A table from the shares of ranks 1, 2, 3, … in basis points, e.g. `[5000, 3000, 2000]`.
    ///
    /// # Errors
    /// [`TournamentError::EmptyTable`], [`TournamentError::ZeroShare`],
    /// [`TournamentError::SharesIncrease`], and [`TournamentError::SharesNotWhole`] unless
    /// the shares sum to 10,000.
    pub fn new(shares_bps: Vec<u16>) -> Result<PayoutTable, TournamentError> {
        if shares_bps.is_empty() {
            return Err(TournamentError::EmptyTable);
        }
        let mut previous = u16::MAX;
        for (rank, &share) in (1u64..).zip(shares_bps.iter()) {
            if share == 0 {
                return Err(TournamentError::ZeroShare { rank });
            }
            if share > previous {
                return Err(TournamentError::SharesIncrease {
                    rank,
                    share_bps: share,
                    previous_bps: previous,
                });
            }
            previous = share;
        }
        let sum_bps: u64 = shares_bps.iter().map(|&s| u64::from(s)).sum();
        if sum_bps != u64::from(BPS_WHOLE) {
            return Err(TournamentError::SharesNotWhole { sum_bps });
        }
        Ok(PayoutTable { shares_bps })
    }

    /// The whole prize to rank 1.
    pub fn winner_takes_all() -> PayoutTable {
        PayoutTable {
            shares_bps: vec![BPS_WHOLE],
        }
    }

    /// The shares of ranks 1, 2, 3, … in basis points.
    pub fn shares_bps(&self) -> &[u16] {
        &self.shares_bps
    }
}

impl TryFrom<Vec<u16>> for PayoutTable {
    type Error = TournamentError;

    fn try_from(shares_bps: Vec<u16>) -> Result<PayoutTable, TournamentError> {
        PayoutTable::new(shares_bps)
    }
}

impl From<PayoutTable> for Vec<u16> {
    fn from(table: PayoutTable) -> Vec<u16> {
        table.shares_bps
    }
}

/// Errors of prize pools, payout tables and splits.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum TournamentError {
    /// The organizer's fee was above 10,000 basis points (100 %).
    #[error("organizer fee of {bps} bps is above 10000 bps")]
    FeeBpsTooHigh {
        /// The fee asked for.
        bps: u16,
    },
    /// An amount would exceed `u64::MAX` millisatoshis (entry fee × entrants, or a rank
    /// beyond `u32`).
    #[error("tournament arithmetic overflowed")]
    Overflow,
    /// A payout table had no ranks.
    #[error("the payout table is empty")]
    EmptyTable,
    /// A payout table row paid nothing; leave trailing ranks out instead.
    #[error("rank {rank} of the payout table has a zero share")]
    ZeroShare {
        /// The rank (1-based).
        rank: u64,
    },
    /// A rank's share was larger than the share of the rank above it.
    #[error(
        "rank {rank} gets {share_bps} bps, more than the {previous_bps} bps of the rank above"
    )]
    SharesIncrease {
        /// The rank (1-based).
        rank: u64,
        /// Its share.
        share_bps: u16,
        /// The share of the rank above.
        previous_bps: u16,
    },
    /// A payout table's shares did not sum to exactly 10,000 basis points.
    #[error("the payout table sums to {sum_bps} bps, not 10000")]
    SharesNotWhole {
        /// The sum of the shares.
        sum_bps: u64,
    },
    /// A serialised prize pool's fee and prize total do not follow from its pool and fee rate.
    #[error(
        "pool of {pool_msat} msat does not split into {organizer_fee_msat} msat fee and \
         {prize_total_msat} msat prizes"
    )]
    PoolMismatch {
        /// The pool as read.
        pool_msat: u64,
        /// The organizer fee as read.
        organizer_fee_msat: u64,
        /// The prize total as read.
        prize_total_msat: u64,
    },
    /// The standings listed no players.
    #[error("the standings list no players")]
    NoPlayers,
    /// A player id was empty.
    #[error("the player at position {index} of the standings has an empty id")]
    EmptyPlayerId {
        /// The player's position in the standings as given (0-based).
        index: usize,
    },
    /// A player appeared twice in the standings.
    #[error("player {player_id:?} appears more than once in the standings")]
    DuplicatePlayer {
        /// The repeated id.
        player_id: String,
    },
    /// A player had rank 0; ranks start at 1.
    #[error("player {player_id:?} has rank 0; ranks start at 1")]
    RankZero {
        /// The player.
        player_id: String,
    },
    /// The ranks do not follow standard competition ranking: the best rank must be 1, and
    /// after `k` players tied at rank `r` the next rank must be `r + k` (1, 1, 3 — not 1, 1, 2).
    #[error("expected rank {expected} in the standings, found rank {found}")]
    RanksNotContiguous {
        /// The rank that should come next.
        expected: u64,
        /// The rank found instead.
        found: u32,
    },
}

impl TournamentError {
    /// The stable code of this error (see [`crate::Error::code`]).
    pub fn code(&self) -> &'static str {
        match self {
            TournamentError::FeeBpsTooHigh { .. } => "tournament_fee_bps_too_high",
            TournamentError::Overflow => "tournament_overflow",
            TournamentError::EmptyTable => "tournament_empty_table",
            TournamentError::ZeroShare { .. } => "tournament_zero_share",
            TournamentError::SharesIncrease { .. } => "tournament_shares_increase",
            TournamentError::SharesNotWhole { .. } => "tournament_shares_not_whole",
            TournamentError::PoolMismatch { .. } => "tournament_pool_mismatch",
            TournamentError::NoPlayers => "tournament_no_players",
            TournamentError::EmptyPlayerId { .. } => "tournament_empty_player_id",
            TournamentError::DuplicatePlayer { .. } => "tournament_duplicate_player",
            TournamentError::RankZero { .. } => "tournament_rank_zero",
            TournamentError::RanksNotContiguous { .. } => "tournament_ranks_not_contiguous",
        }
    }
}

#[cfg(test)]
mod tests;
