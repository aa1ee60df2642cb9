//! Tournaments the LSP runs for an organizer account: entry fees held as hold invoices until
//! every seat is taken, the pool settled into the account, results entered, and prizes paid by
//! rank (exact to the millisatoshi with [`crate::tournament::split`]) to accounts, Lightning
//! Addresses or nodes by keysend, each exactly once.
//!
//! The lifecycle ([`TournamentStatus`]): `open` (players join; a seat is taken when a player's
//! hold invoice is paid and held) → `settling` (full: every held entry is settled) → `funded`
//! (the pool is in the organizer's balance) → `results` (standings entered, payouts computed)
//! → `paying` → `completed`. Cancelled by the organizer while open, or when the join deadline
//! passes with seats free, it goes `cancelling` → `cancelled`: every held entry is failed
//! back, so every player is refunded by the protocol itself.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::limits::{MAX_DESCRIPTION_BYTES, MAX_INVOICE_AMOUNT_MSAT, MAX_METADATA_BYTES};
use super::validate::check_client_key;
use super::{NodeId, PaymentHash, RequestError, Validate};
use crate::amount::Msat;
use crate::tournament::{PayoutTable, PrizePool, Standing, BPS_WHOLE};

/// The most seats a tournament may have (its entry and payout lists are answered whole).
pub const MAX_TOURNAMENT_SEATS: u32 = 2048;
/// The longest a join window may be, in seconds from creation: entry fees are held as HTLCs
/// until the tournament fills, and HTLCs cannot be held for long.
pub const MAX_JOIN_WINDOW_SECS: u64 = 7 * 24 * 3600;
/// The most bytes of a tournament name.
pub const MAX_TOURNAMENT_NAME_BYTES: usize = 120;
/// The most characters of a player id (of `A-Z a-z 0-9 _ - . :`).
pub const MAX_PLAYER_ID_LEN: usize = 64;

/// Body of `POST /v1/tournaments`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateTournamentRequest {
    /// What players see (in the entry invoice's description too): 1 to 120 bytes.
    pub name: String,
    /// Each player's entry fee.
    pub entry_fee_msat: Msat,
    /// How many players it takes: 2 to [`MAX_TOURNAMENT_SEATS`]. When this many entries are
    /// held, all are settled and the pool is funded.
    pub seats: u32,
    /// The share of the prizes per rank, in basis points, rank 1 first: positive, never
    /// increasing, summing to 10,000, at most `seats` ranks (e.g. `[5000, 3000, 2000]`).
    pub payout_table_bps: Vec<u16>,
    /// The organizer's share of the pool in basis points (0 to 10,000), rounded down.
    #[serde(default)]
    pub organizer_fee_bps: u16,
    /// Unix seconds after which no one may join; if seats are still free then, the tournament
    /// is cancelled and every held entry refunded. At most 7 days ahead.
    pub join_deadline: u64,
    /// The organizer's id for it: creating again with the same id answers the same
    /// tournament (`200`), or `idempotency_mismatch` if the other fields differ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Any JSON object for the organizer (at most 4 KiB), returned as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
    /// Whether players may join without a key, from a join link: anyone may then read its
    /// lobby ([`PublicTournament`], `GET /v1/public/tournaments/{id}`) and join
    /// (`POST /v1/public/tournaments/{id}/join`), as the console's join page does. Default
    /// false: only the account's keys join players.
    #[serde(default, skip_serializing_if = "is_false")]
    pub public_join: bool,
}

/// For `skip_serializing_if`: a flag left at its default is not sent (and an older request's
/// idempotency fingerprint stays the same).
fn is_false(flag: &bool) -> bool {
    !*flag
}

impl Validate for CreateTournamentRequest {
    fn validate(&self) -> Result<(), RequestError> {
        if self.name.trim().is_empty() || self.name.len() > MAX_TOURNAMENT_NAME_BYTES {
            return Err(RequestError::new(
                "name",
                format!("must be 1 to {MAX_TOURNAMENT_NAME_BYTES} bytes, not blank"),
            ));
        }
        if self.entry_fee_msat.as_u64() == 0 || self.entry_fee_msat > MAX_INVOICE_AMOUNT_MSAT {
            return Err(RequestError::new(
                "entry_fee_msat",
                format!("must be between 1 and {}", MAX_INVOICE_AMOUNT_MSAT.as_u64()),
            ));
        }
        if !(2..=MAX_TOURNAMENT_SEATS).contains(&self.seats) {
            return Err(RequestError::new(
                "seats",
                format!("must be between 2 and {MAX_TOURNAMENT_SEATS}"),
            ));
        }
        PayoutTable::new(self.payout_table_bps.clone())
            .map_err(|e| RequestError::new("payout_table_bps", e.to_string()))?;
        if self.payout_table_bps.len() > self.seats as usize {
            return Err(RequestError::new(
                "payout_table_bps",
                format!(
                    "pays {} ranks but the tournament has {} seats",
                    self.payout_table_bps.len(),
                    self.seats
                ),
            ));
        }
        if self.organizer_fee_bps > BPS_WHOLE {
            return Err(RequestError::new(
                "organizer_fee_bps",
                format!("must be at most {BPS_WHOLE}"),
            ));
        }
        // The whole pool must be representable: entry fee × seats.
        PrizePool::from_entries(self.entry_fee_msat, self.seats, self.organizer_fee_bps)
            .map_err(|e| RequestError::new("entry_fee_msat", e.to_string()))?;
        if self.join_deadline == 0 {
            return Err(RequestError::new(
                "join_deadline",
                "is required (unix seconds)",
            ));
        }
        if let Some(id) = &self.external_id {
            check_client_key("external_id", id)?;
        }
        if let Some(map) = &self.metadata {
            let size = serde_json::to_vec(map).map_or(usize::MAX, |v| v.len());
            if size > MAX_METADATA_BYTES {
                return Err(RequestError::new(
                    "metadata",
                    format!("must be at most {MAX_METADATA_BYTES} bytes as compact JSON"),
                ));
            }
        }
        Ok(())
    }
}

/// Where a tournament's lifecycle stands (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TournamentStatus {
    /// Players join; seats are taken as entry fees are held.
    Open,
    /// Every seat is taken: the held entry fees are being settled.
    Settling,
    /// The pool is in the organizer's balance; waiting for results.
    Funded,
    /// Results entered and payouts computed; waiting for the payout call.
    Results,
    /// Paying the winners.
    Paying,
    /// Every winner paid.
    Completed,
    /// Being cancelled: held entry fees are being failed back.
    Cancelling,
    /// Cancelled; every held entry fee was refunded.
    Cancelled,
}

impl TournamentStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            TournamentStatus::Open => "open",
            TournamentStatus::Settling => "settling",
            TournamentStatus::Funded => "funded",
            TournamentStatus::Results => "results",
            TournamentStatus::Paying => "paying",
            TournamentStatus::Completed => "completed",
            TournamentStatus::Cancelling => "cancelling",
            TournamentStatus::Cancelled => "cancelled",
        }
    }

    /// Every status, in lifecycle order.
    pub const ALL: [TournamentStatus; 8] = [
        TournamentStatus::Open,
        TournamentStatus::Settling,
        TournamentStatus::Funded,
        TournamentStatus::Results,
        TournamentStatus::Paying,
        TournamentStatus::Completed,
        TournamentStatus::Cancelling,
        TournamentStatus::Cancelled,
    ];

    /// The status named `name`.
    pub fn from_name(name: &str) -> Option<TournamentStatus> {
        TournamentStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// A tournament of the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LspTournament {
    /// Its id (`trn_…`).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Where it stands.
    pub status: TournamentStatus,
    /// Each player's entry fee.
    pub entry_fee_msat: Msat,
    /// Players it takes.
    pub seats: u32,
    /// Seats taken: entries held or settled.
    pub seats_taken: u32,
    /// The prize share per rank, in basis points.
    pub payout_table_bps: Vec<u16>,
    /// The organizer's share of the pool, in basis points.
    pub organizer_fee_bps: u16,
    /// No one may join after this (unix seconds).
    pub join_deadline: u64,
    /// Everything the entries paid, once funded.
    pub pool_msat: Option<Msat>,
    /// The organizer's fee out of the pool, once funded.
    pub organizer_fee_msat: Option<Msat>,
    /// What the players share, once funded: `pool_msat − organizer_fee_msat`.
    pub prize_total_msat: Option<Msat>,
    /// Payouts to make (players with a prize), once results are in.
    pub payouts_total: u32,
    /// Payouts that succeeded.
    pub payouts_succeeded: u32,
    /// Payouts that failed and wait for the payout call to retry them.
    pub payouts_failed: u32,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// The organizer's id for it.
    pub external_id: Option<String>,
    /// The organizer's metadata.
    pub metadata: Option<Map<String, Value>>,
    /// Whether players may join without a key, from a join link.
    pub public_join: bool,
    /// Creation time, unix seconds.
    pub created_at: u64,
    /// When the pool was funded.
    pub funded_at: Option<u64>,
    /// When the results were entered.
    pub results_at: Option<u64>,
    /// When the last payout succeeded.
    pub completed_at: Option<u64>,
    /// When it was cancelled.
    pub cancelled_at: Option<u64>,
}

/// A page of the account's tournaments, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TournamentList {
    /// The page's tournaments.
    pub items: Vec<LspTournament>,
    /// Pass as `cursor` for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// Where a player's prize goes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum PayoutDestination {
    /// A Lightning Address (`name@host`, LUD-16). One this LSP serves is paid between
    /// accounts at once; any other is paid over Lightning through its LNURL-pay service.
    LightningAddress {
        /// The address.
        address: String,
    },
    /// A node, paid by keysend (no invoice needed).
    Keysend {
        /// The node's public key.
        node_id: NodeId,
    },
    /// An account of this LSP, paid between accounts at once.
    Account {
        /// The account's id (`acc_…`).
        account_id: String,
    },
    /// A voucher (LNURL-withdraw) the organizer hands the winner, printed or as a QR code: for
    /// players without a wallet yet. The prize is set aside in the voucher, which any wallet
    /// claims once; unclaimed after 30 days, it returns to the organizer. Tournament payouts
    /// only.
    Voucher,
}

impl PayoutDestination {
    /// Checks the destination's own form (the server checks that it exists when paying).
    ///
    /// # Errors
    /// [`RequestError`] naming `payout`.
    pub fn check(&self) -> Result<(), RequestError> {
        match self {
            PayoutDestination::LightningAddress { address } => {
                crate::lnurl::LightningAddress::parse(address)
                    .map(|_| ())
                    .map_err(|e| RequestError::new("payout.address", e.to_string()))
            }
            PayoutDestination::Keysend { .. } | PayoutDestination::Voucher => Ok(()),
            PayoutDestination::Account { account_id } => {
                if super::limits::is_resource_id(account_id) {
                    Ok(())
                } else {
                    Err(RequestError::new(
                        "payout.account_id",
                        "is not an account id (acc_…)",
                    ))
                }
            }
        }
    }

    /// Checks a destination paid from the account by a schedule or a stream: its form, with
    /// the fields named under `destination`, and not a voucher (only tournament prizes are put
    /// in vouchers).
    ///
    /// # Errors
    /// [`RequestError`] naming `destination…`.
    pub fn check_payable(&self, what: &str) -> Result<(), RequestError> {
        self.check().map_err(|e| {
            RequestError::new(e.field.replacen("payout", "destination", 1), e.reason)
        })?;
        if *self == PayoutDestination::Voucher {
            return Err(RequestError::new(
                "destination",
                format!("{what} pays an account, a Lightning Address or a node, not a voucher"),
            ));
        }
        Ok(())
    }
}

/// Checks a player id: 1 to 64 of `A-Z a-z 0-9 _ - . :`.
fn check_player_id(field: &str, id: &str) -> Result<(), RequestError> {
    if id.len() > MAX_PLAYER_ID_LEN {
        return Err(RequestError::new(
            field,
            format!("must be 1 to {MAX_PLAYER_ID_LEN} characters of A-Z a-z 0-9 _ - . :"),
        ));
    }
    check_client_key(field, id)
}

/// Body of `POST /v1/tournaments/{tournament_id}/join`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinTournamentRequest {
    /// The player's id in this tournament (the game's), 1 to 64 of `A-Z a-z 0-9 _ - . :`.
    pub player_id: String,
    /// Where the player's prize goes.
    pub payout: PayoutDestination,
}

impl Validate for JoinTournamentRequest {
    fn validate(&self) -> Result<(), RequestError> {
        check_player_id("player_id", &self.player_id)?;
        self.payout.check()
    }
}

/// Where a player's entry stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    /// The entry invoice waits to be paid.
    Pending,
    /// Paid and held: the player has a seat; the fee is not the organizer's yet.
    Held,
    /// Settled into the pool.
    Settled,
    /// Held, then failed back (the tournament was cancelled or already full): refunded.
    Refunded,
    /// The entry invoice expired or was cancelled unpaid.
    Expired,
}

impl EntryStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Pending => "pending",
            EntryStatus::Held => "held",
            EntryStatus::Settled => "settled",
            EntryStatus::Refunded => "refunded",
            EntryStatus::Expired => "expired",
        }
    }

    /// The status named `name`.
    pub fn from_name(name: &str) -> Option<EntryStatus> {
        [
            EntryStatus::Pending,
            EntryStatus::Held,
            EntryStatus::Settled,
            EntryStatus::Refunded,
            EntryStatus::Expired,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }
}

/// A player's entry: the hold invoice that pays the entry fee, and where the prize goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TournamentEntry {
    /// The tournament.
    pub tournament_id: String,
    /// The player.
    pub player_id: String,
    /// Where the entry stands.
    pub status: EntryStatus,
    /// The entry invoice's id (a hold invoice of the organizer's account).
    pub invoice_id: String,
    /// The entry invoice to pay (show it as a QR code).
    pub bolt11: String,
    /// Its payment hash.
    pub payment_hash: PaymentHash,
    /// The entry fee.
    pub amount_msat: Msat,
    /// What the player paid, once held.
    pub amount_received_msat: Option<Msat>,
    /// Where the player's prize goes.
    pub payout: PayoutDestination,
    /// When the entry invoice expires unpaid (unix seconds).
    pub expires_at: u64,
    /// When the player joined.
    pub created_at: u64,
}

/// Every entry of a tournament, in the order players joined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TournamentEntryList {
    /// The entries.
    pub items: Vec<TournamentEntry>,
}

/// Body of `POST /v1/tournaments/{tournament_id}/results`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TournamentResultsRequest {
    /// The final standings (standard competition ranking: 1, 1, 3 …), each a player with a
    /// settled entry, each at most once. Players left out win nothing.
    pub standings: Vec<Standing>,
}

impl Validate for TournamentResultsRequest {
    fn validate(&self) -> Result<(), RequestError> {
        if self.standings.is_empty() || self.standings.len() > MAX_TOURNAMENT_SEATS as usize {
            return Err(RequestError::new(
                "standings",
                format!("must list 1 to {MAX_TOURNAMENT_SEATS} players"),
            ));
        }
        for s in &self.standings {
            check_player_id("standings.player_id", &s.player_id)?;
            if s.rank == 0 {
                return Err(RequestError::new(
                    "standings.rank",
                    format!("of {} must be at least 1", s.player_id),
                ));
            }
        }
        Ok(())
    }
}

/// Where a payout stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayoutStatus {
    /// Not sent yet.
    Pending,
    /// Sent over Lightning; the outcome is not known yet.
    InFlight,
    /// Paid.
    Succeeded,
    /// The last attempt failed; the payout call tries again.
    Failed,
}

impl PayoutStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            PayoutStatus::Pending => "pending",
            PayoutStatus::InFlight => "in_flight",
            PayoutStatus::Succeeded => "succeeded",
            PayoutStatus::Failed => "failed",
        }
    }

    /// The status named `name`.
    pub fn from_name(name: &str) -> Option<PayoutStatus> {
        [
            PayoutStatus::Pending,
            PayoutStatus::InFlight,
            PayoutStatus::Succeeded,
            PayoutStatus::Failed,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }
}

/// One winner's prize and how paying it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TournamentPayout {
    /// The tournament.
    pub tournament_id: String,
    /// The player.
    pub player_id: String,
    /// The player's rank.
    pub rank: u32,
    /// The prize, exact to the millisatoshi.
    pub amount_msat: Msat,
    /// Where it goes.
    pub destination: PayoutDestination,
    /// Where it stands.
    pub status: PayoutStatus,
    /// Attempts made (each with its own idempotency key `{tournament_id}:{player_id}:{attempt}`).
    pub attempts: u32,
    /// The organizer's payment of the latest attempt.
    pub payment_id: Option<String>,
    /// The voucher holding the prize, for a voucher destination.
    pub voucher_id: Option<String>,
    /// That voucher's LNURL-withdraw code, to hand the winner (print it as a QR code).
    pub voucher_lnurl: Option<String>,
    /// Why the latest attempt failed.
    pub failure_reason: Option<String>,
    /// When it last changed.
    pub updated_at: u64,
}

/// Every payout of a tournament, best rank first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TournamentPayoutList {
    /// The payouts.
    pub items: Vec<TournamentPayout>,
}

/// One line of a tournament's audit log: what happened, when, to whom, for how much.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TournamentAuditEntry {
    /// Increasing per server.
    pub seq: u64,
    /// When, unix seconds.
    pub at: u64,
    /// What: `created`, `joined`, `seat_taken`, `entry_refused`, `entry_refunded`,
    /// `entry_expired`, `entry_settled`, `funded`, `cancelled`, `results_entered`,
    /// `payouts_started`, `payout_sent`, `payout_succeeded`, `payout_failed`, `completed`.
    pub action: String,
    /// The player concerned.
    pub player_id: Option<String>,
    /// The amount concerned.
    pub amount_msat: Option<Msat>,
    /// More, in words.
    pub detail: Option<String>,
}

/// A tournament's whole audit log, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TournamentAuditLog {
    /// The entries.
    pub items: Vec<TournamentAuditEntry>,
}

/// A tournament as anyone may see it when it takes public joins (its lobby): what a player
/// needs to decide to join and to follow it, without the organizer's metadata, the players'
/// destinations or their invoices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicTournament {
    /// Its id (`trn_…`).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Where it stands.
    pub status: TournamentStatus,
    /// Each player's entry fee.
    pub entry_fee_msat: Msat,
    /// Players it takes.
    pub seats: u32,
    /// Seats taken: entries held or settled.
    pub seats_taken: u32,
    /// The prize share per rank, in basis points.
    pub payout_table_bps: Vec<u16>,
    /// The organizer's share of the pool, in basis points.
    pub organizer_fee_bps: u16,
    /// No one may join after this (unix seconds).
    pub join_deadline: u64,
    /// What the players share once it is full: the entry fees less the organizer's fee (the
    /// same figure before and after funding).
    pub prize_total_msat: Msat,
    /// The seated players (entries held or settled) in joining order, with their prizes once
    /// results are in.
    pub players: Vec<PublicPlayer>,
}

/// A seated player as the lobby shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicPlayer {
    /// The player's id.
    pub player_id: String,
    /// Where the entry stands (`held` or `settled`; `refunded` after a cancellation).
    pub status: EntryStatus,
    /// The player's rank, once results are in and the player won a prize.
    pub rank: Option<u32>,
    /// The prize, once results are in.
    pub prize_msat: Option<Msat>,
    /// How paying the prize goes.
    pub prize_status: Option<PayoutStatus>,
}

/// The longest description of an entry invoice: "Entry: " and the tournament's name.
const _: () = assert!(MAX_TOURNAMENT_NAME_BYTES + 7 <= MAX_DESCRIPTION_BYTES);

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> CreateTournamentRequest {
        CreateTournamentRequest {
            name: "Friday cup".into(),
            entry_fee_msat: Msat::from_msat(10_000_000),
            seats: 4,
            payout_table_bps: vec![6000, 4000],
            organizer_fee_bps: 500,
            join_deadline: 2_000_000_000,
            external_id: None,
            metadata: None,
            public_join: false,
        }
    }

    #[test]
    fn a_valid_tournament_passes_and_each_bad_field_is_named() {
        assert_eq!(valid().validate(), Ok(()));
        let field = |r: CreateTournamentRequest| r.validate().unwrap_err().field;
        assert_eq!(
            field(CreateTournamentRequest {
                name: " ".into(),
                ..valid()
            }),
            "name"
        );
        assert_eq!(
            field(CreateTournamentRequest {
                entry_fee_msat: Msat::ZERO,
                ..valid()
            }),
            "entry_fee_msat"
        );
        assert_eq!(
            field(CreateTournamentRequest {
                seats: 1,
                ..valid()
            }),
            "seats"
        );
        assert_eq!(
            field(CreateTournamentRequest {
                payout_table_bps: vec![5000, 4000],
                ..valid()
            }),
            "payout_table_bps"
        );
        assert_eq!(
            field(CreateTournamentRequest {
                payout_table_bps: vec![2000; 5],
                ..valid()
            }),
            "payout_table_bps"
        );
        assert_eq!(
            field(CreateTournamentRequest {
                organizer_fee_bps: 10_001,
                ..valid()
            }),
            "organizer_fee_bps"
        );
        assert_eq!(
            field(CreateTournamentRequest {
                entry_fee_msat: MAX_INVOICE_AMOUNT_MSAT,
                seats: 2048,
                ..valid()
            }),
            "entry_fee_msat"
        );
        assert_eq!(
            field(CreateTournamentRequest {
                join_deadline: 0,
                ..valid()
            }),
            "join_deadline"
        );
    }

    #[test]
    fn join_requests_name_a_bad_player_or_destination() {
        let join = |player: &str, payout: PayoutDestination| JoinTournamentRequest {
            player_id: player.into(),
            payout,
        };
        let address = |a: &str| PayoutDestination::LightningAddress { address: a.into() };
        assert_eq!(join("p1", address("ann@example.com")).validate(), Ok(()));
        assert_eq!(
            join("", address("ann@example.com"))
                .validate()
                .unwrap_err()
                .field,
            "player_id"
        );
        assert_eq!(
            join(&"p".repeat(65), address("ann@example.com"))
                .validate()
                .unwrap_err()
                .field,
            "player_id"
        );
        assert_eq!(
            join("p1", address("not an address"))
                .validate()
                .unwrap_err()
                .field,
            "payout.address"
        );
        let account = PayoutDestination::Account {
            account_id: "acc x".into(),
        };
        assert_eq!(
            join("p1", account).validate().unwrap_err().field,
            "payout.account_id"
        );
    }

    #[test]
    fn destinations_are_tagged_by_type_on_the_wire() {
        let d: PayoutDestination =
            serde_json::from_str(r#"{"type":"account","account_id":"acc_1"}"#).unwrap();
        assert_eq!(
            d,
            PayoutDestination::Account {
                account_id: "acc_1".into()
            }
        );
        assert_eq!(
            serde_json::from_str::<PayoutDestination>(r#"{"type":"voucher"}"#).unwrap(),
            PayoutDestination::Voucher
        );
        assert_eq!(
            serde_json::to_value(PayoutDestination::Voucher).unwrap(),
            serde_json::json!({"type": "voucher"})
        );
        assert!(serde_json::from_str::<PayoutDestination>(r#"{"type":"cheque"}"#).is_err());
    }
}
