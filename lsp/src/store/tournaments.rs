//! Tournaments, their entries, payouts and audit log: creating and reading them, and a join.
//! Every later change of a tournament is one `Change` (`tournament_changes`).

use etrid_core::amount::Msat;
use etrid_core::lsp::{
    EntryStatus, EventPayload, InvoiceStatus, LspTournament, PayoutDestination, PayoutStatus,
    Preimage, TournamentAuditEntry, TournamentEntry, TournamentPayout, TournamentStatus,
};
use serde_json::{Map, Value as Json};

use super::events::PendingEvent;
use super::tournament_changes::{audit_stmt, Audit};
use super::{Cursor, ListFilter, Store, StoreError};
use crate::db::{DbError, Row, Stmt};
use crate::ids;

const COLUMNS: &str = "id, name, status, entry_fee_msat, seats, seats_taken, payout_table, \
    organizer_fee_bps, join_deadline, pool_msat, organizer_fee_msat, prize_total_msat, \
    payouts_total, payouts_succeeded, payouts_failed, cancel_reason, external_id, metadata, \
    created_at, funded_at, results_at, completed_at, cancelled_at, account_id, fingerprint, \
    results_fingerprint, public_join";

/// A tournament as stored: the public model and what only the server knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TournamentRecord {
    /// The public model.
    pub tournament: LspTournament,
    /// The organizer's account.
    pub account_id: String,
    /// A digest of the create parameters, for `external_id` idempotency.
    pub fingerprint: String,
    /// A digest of the standings entered, so entering the same results again is harmless.
    pub results_fingerprint: Option<String>,
}

/// An entry as stored, with its invoice's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRecord {
    /// The public model.
    pub entry: TournamentEntry,
    /// The entry invoice's preimage, the server's until the entry is settled.
    pub preimage: Preimage,
    /// The entry invoice's status.
    pub invoice_status: InvoiceStatus,
}

/// What a new entry row holds (a join).
#[derive(Debug, Clone)]
pub struct NewEntry {
    /// The entry as answered.
    pub entry: TournamentEntry,
    /// Its invoice's preimage.
    pub preimage: Preimage,
    /// The invoice of an earlier entry of the same player that can no longer be paid (it is
    /// replaced), if any.
    pub replaces_invoice: Option<String>,
}

use super::decode_error as decode;

pub(super) fn json_text<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| decode(format!("encoding: {e}")))
}

fn from_json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| decode(format!("{what}: {e}")))
}

use super::u32_column as u32_of;

fn record_from_row(r: &Row) -> Result<TournamentRecord, StoreError> {
    let status = r.text(2)?;
    let status = TournamentStatus::from_name(&status)
        .ok_or_else(|| decode(format!("tournament status {status:?}")))?;
    let metadata = r
        .opt_text(17)?
        .map(|t| from_json::<Map<String, Json>>("metadata", &t))
        .transpose()?;
    Ok(TournamentRecord {
        tournament: LspTournament {
            id: r.text(0)?,
            name: r.text(1)?,
            status,
            entry_fee_msat: Msat::from_msat(r.uint(3)?),
            seats: u32_of(r, 4)?,
            seats_taken: u32_of(r, 5)?,
            payout_table_bps: from_json("payout_table", &r.text(6)?)?,
            organizer_fee_bps: u16::try_from(r.uint(7)?)
                .map_err(|_| decode("organizer_fee_bps".into()))?,
            join_deadline: r.uint(8)?,
            pool_msat: r.opt_uint(9)?.map(Msat::from_msat),
            organizer_fee_msat: r.opt_uint(10)?.map(Msat::from_msat),
            prize_total_msat: r.opt_uint(11)?.map(Msat::from_msat),
            payouts_total: u32_of(r, 12)?,
            payouts_succeeded: u32_of(r, 13)?,
            payouts_failed: u32_of(r, 14)?,
            cancel_reason: r.opt_text(15)?,
            external_id: r.opt_text(16)?,
            metadata,
            public_join: r.uint(26)? != 0,
            created_at: r.uint(18)?,
            funded_at: r.opt_uint(19)?,
            results_at: r.opt_uint(20)?,
            completed_at: r.opt_uint(21)?,
            cancelled_at: r.opt_uint(22)?,
        },
        account_id: r.text(23)?,
        fingerprint: r.text(24)?,
        results_fingerprint: r.opt_text(25)?,
    })
}

fn invoice_status(text: &str) -> Result<InvoiceStatus, StoreError> {
    Ok(match text {
        "open" => InvoiceStatus::Open,
        "accepted" => InvoiceStatus::Accepted,
        "paid" => InvoiceStatus::Paid,
        "expired" => InvoiceStatus::Expired,
        "cancelled" => InvoiceStatus::Cancelled,
        other => return Err(decode(format!("invoice status {other:?}"))),
    })
}

const ENTRY_SELECT: &str = "SELECT e.tournament_id, e.player_id, e.status, e.invoice_id, \
    i.bolt11, i.payment_hash, i.amount_msat, COALESCE(i.amount_received_msat, i.claimable_msat), \
    e.payout, i.expires_at, e.created_at, e.preimage, i.status \
    FROM tournament_entries e JOIN invoices i ON i.id = e.invoice_id";

fn entry_from_row(r: &Row) -> Result<EntryRecord, StoreError> {
    let status = r.text(2)?;
    let status = EntryStatus::from_name(&status)
        .ok_or_else(|| decode(format!("entry status {status:?}")))?;
    Ok(EntryRecord {
        entry: TournamentEntry {
            tournament_id: r.text(0)?,
            player_id: r.text(1)?,
            status,
            invoice_id: r.text(3)?,
            bolt11: r.text(4)?,
            payment_hash: r.parsed(5)?,
            amount_msat: Msat::from_msat(r.opt_uint(6)?.unwrap_or_default()),
            amount_received_msat: r.opt_uint(7)?.map(Msat::from_msat),
            payout: from_json::<PayoutDestination>("payout", &r.text(8)?)?,
            expires_at: r.uint(9)?,
            created_at: r.uint(10)?,
        },
        preimage: r.parsed(11)?,
        invoice_status: invoice_status(&r.text(12)?)?,
    })
}

const PAYOUT_COLUMNS: &str = "tournament_id, player_id, rank, amount_msat, destination, status, \
    attempts, payment_id, failure_reason, updated_at, voucher_id, voucher_lnurl";

fn payout_from_row(r: &Row) -> Result<TournamentPayout, StoreError> {
    let status = r.text(5)?;
    let status = PayoutStatus::from_name(&status)
        .ok_or_else(|| decode(format!("payout status {status:?}")))?;
    Ok(TournamentPayout {
        tournament_id: r.text(0)?,
        player_id: r.text(1)?,
        rank: u32_of(r, 2)?,
        amount_msat: Msat::from_msat(r.uint(3)?),
        destination: from_json("destination", &r.text(4)?)?,
        status,
        attempts: u32_of(r, 6)?,
        payment_id: r.opt_text(7)?,
        failure_reason: r.opt_text(8)?,
        updated_at: r.uint(9)?,
        voucher_id: r.opt_text(10)?,
        voucher_lnurl: r.opt_text(11)?,
    })
}

/// A new tournament row.
#[derive(Debug, Clone)]
pub struct NewTournament {
    /// The organizer's account.
    pub account_id: String,
    /// The tournament as created (its id, `open`, nothing taken).
    pub tournament: LspTournament,
    /// A digest of the create parameters.
    pub fingerprint: String,
}

/// What [`Store::insert_tournament`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TournamentInserted {
    /// A new tournament.
    Created(Box<TournamentRecord>),
    /// One with this `external_id` existed.
    Existing(Box<TournamentRecord>),
}

impl Store {
    /// Creates a tournament, with its `created` audit line and `tournament.updated` event.
    ///
    /// # Errors
    /// Database failures.
    pub async fn insert_tournament(
        &self,
        new: NewTournament,
    ) -> Result<TournamentInserted, StoreError> {
        let t = &new.tournament;
        let stmts = vec![
            Stmt::new(
                "INSERT INTO tournaments (id, account_id, name, status, entry_fee_msat, seats, \
                 seats_taken, payout_table, organizer_fee_bps, join_deadline, payouts_total, \
                 payouts_succeeded, payouts_failed, external_id, metadata, fingerprint, \
                 created_at, public_join) \
                 VALUES ($1, $2, $3, 'open', $4, $5, 0, $6, $7, $8, 0, 0, 0, $9, $10, $11, $12, \
                 $13)",
                vec![
                    t.id.clone().into(),
                    new.account_id.clone().into(),
                    t.name.clone().into(),
                    t.entry_fee_msat.as_u64().into(),
                    t.seats.into(),
                    json_text(&t.payout_table_bps)?.into(),
                    u32::from(t.organizer_fee_bps).into(),
                    t.join_deadline.into(),
                    t.external_id.clone().into(),
                    t.metadata.as_ref().map(json_text).transpose()?.into(),
                    new.fingerprint.clone().into(),
                    t.created_at.into(),
                    t.public_join.into(),
                ],
            ),
            audit_stmt(
                &t.id,
                t.created_at,
                &Audit::of("created").detail(format!(
                    "{} seats at {} msat, payout table {:?} bps, organizer fee {} bps",
                    t.seats,
                    t.entry_fee_msat.as_u64(),
                    t.payout_table_bps,
                    t.organizer_fee_bps
                )),
            ),
        ];
        let event = PendingEvent::now(EventPayload::TournamentUpdated(t.clone()));
        match self.commit_with_event(stmts, &new.account_id, event).await {
            Ok(_) => Ok(TournamentInserted::Created(Box::new(TournamentRecord {
                tournament: new.tournament,
                account_id: new.account_id,
                fingerprint: new.fingerprint,
                results_fingerprint: None,
            }))),
            Err(StoreError::Db(DbError::Unique { reason })) => {
                let ext = new.tournament.external_id.clone().unwrap_or_default();
                match self
                    .tournament_by_external_id(&new.account_id, &ext)
                    .await?
                {
                    Some(existing) => Ok(TournamentInserted::Existing(Box::new(existing))),
                    None => Err(decode(format!("tournament insert: {reason}"))),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// The account's tournament with `external_id`, if any.
    ///
    /// # Errors
    /// Database failures.
    pub async fn tournament_by_external_id(
        &self,
        account_id: &str,
        external_id: &str,
    ) -> Result<Option<TournamentRecord>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM tournaments WHERE account_id = $1 AND external_id = $2");
        self.db
            .query_opt(&sql, vec![account_id.into(), external_id.into()])
            .await?
            .as_ref()
            .map(record_from_row)
            .transpose()
    }

    /// The account's tournament `id`.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; database failures.
    pub async fn tournament(
        &self,
        account_id: &str,
        id: &str,
    ) -> Result<TournamentRecord, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM tournaments WHERE id = $1 AND account_id = $2");
        self.db
            .query_opt(&sql, vec![id.into(), account_id.into()])
            .await?
            .as_ref()
            .map(record_from_row)
            .transpose()?
            .ok_or_else(|| StoreError::not_found("tournament"))
    }

    /// A tournament that takes public joins, whoever organizes it: for the keyless lobby and
    /// join routes. Any other (private, or no such id) is not found, so a lobby tells nothing
    /// of private tournaments.
    ///
    /// # Errors
    /// `not_found`; database failures.
    pub async fn public_tournament(&self, id: &str) -> Result<TournamentRecord, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM tournaments WHERE id = $1 AND public_join = 1");
        self.db
            .query_opt(&sql, vec![id.into()])
            .await?
            .as_ref()
            .map(record_from_row)
            .transpose()?
            .ok_or_else(|| StoreError::not_found("tournament"))
    }

    /// Tournaments with work left for the server (open, settling, paying, cancelling).
    ///
    /// # Errors
    /// Database failures.
    pub async fn active_tournaments(&self) -> Result<Vec<TournamentRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM tournaments \
             WHERE status IN ('open', 'settling', 'paying', 'cancelling') ORDER BY created_at, id"
        );
        self.db
            .query(&sql, vec![])
            .await?
            .iter()
            .map(record_from_row)
            .collect()
    }

    /// A page of the account's tournaments, newest first.
    ///
    /// # Errors
    /// Database failures.
    pub async fn list_tournaments(
        &self,
        account_id: &str,
        filter: &ListFilter,
    ) -> Result<(Vec<LspTournament>, Option<String>), StoreError> {
        let decode = |r: &Row| record_from_row(r).map(|rec| rec.tournament);
        self.account_page(COLUMNS, "tournaments", account_id, filter, decode, |t| {
            Cursor {
                created_at: t.created_at,
                id: t.id.clone(),
            }
        })
        .await
    }

    /// Every entry of tournament `id`, in joining order.
    ///
    /// # Errors
    /// Database failures.
    pub async fn tournament_entries(&self, id: &str) -> Result<Vec<EntryRecord>, StoreError> {
        let sql =
            format!("{ENTRY_SELECT} WHERE e.tournament_id = $1 ORDER BY e.created_at, e.player_id");
        self.db
            .query(&sql, vec![id.into()])
            .await?
            .iter()
            .map(entry_from_row)
            .collect()
    }

    /// The entry of `player_id` in tournament `id`, if any.
    ///
    /// # Errors
    /// Database failures.
    pub async fn tournament_entry(
        &self,
        id: &str,
        player_id: &str,
    ) -> Result<Option<EntryRecord>, StoreError> {
        let sql = format!("{ENTRY_SELECT} WHERE e.tournament_id = $1 AND e.player_id = $2");
        self.db
            .query_opt(&sql, vec![id.into(), player_id.into()])
            .await?
            .as_ref()
            .map(entry_from_row)
            .transpose()
    }

    /// The entry whose invoice is `invoice_id`, if any (an entry invoice is the tournament's
    /// to settle or cancel, not the hold invoice API's).
    ///
    /// # Errors
    /// Database failures.
    pub async fn entry_by_invoice(
        &self,
        invoice_id: &str,
    ) -> Result<Option<EntryRecord>, StoreError> {
        let sql = format!("{ENTRY_SELECT} WHERE e.invoice_id = $1");
        self.db
            .query_opt(&sql, vec![invoice_id.into()])
            .await?
            .as_ref()
            .map(entry_from_row)
            .transpose()
    }

    /// Records a join while the tournament is open: a new entry, or one replacing the
    /// player's expired or refunded entry (or the pending one whose invoice is
    /// `replaces_invoice`).
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the tournament is no longer open or the player holds a
    /// live entry (read again to say which); database failures.
    pub async fn insert_entry(&self, account_id: &str, new: NewEntry) -> Result<(), StoreError> {
        let e = &new.entry;
        let stmts = vec![
            Stmt::guarded(
                "UPDATE tournaments SET seats_taken = seats_taken WHERE id = $1 AND status = 'open'",
                vec![e.tournament_id.clone().into()],
                1,
            ),
            Stmt::guarded(
                "INSERT INTO tournament_entries (tournament_id, player_id, status, invoice_id, \
                 preimage, payout, created_at) VALUES ($1, $2, 'pending', $3, $4, $5, $6) \
                 ON CONFLICT (tournament_id, player_id) DO UPDATE SET status = 'pending', \
                 invoice_id = excluded.invoice_id, preimage = excluded.preimage, \
                 payout = excluded.payout, created_at = excluded.created_at \
                 WHERE tournament_entries.status IN ('expired', 'refunded') \
                 OR (tournament_entries.status = 'pending' AND tournament_entries.invoice_id = $7)",
                vec![
                    e.tournament_id.clone().into(),
                    e.player_id.clone().into(),
                    e.invoice_id.clone().into(),
                    new.preimage.to_string().into(),
                    json_text(&e.payout)?.into(),
                    e.created_at.into(),
                    new.replaces_invoice.clone().unwrap_or_default().into(),
                ],
                1,
            ),
            audit_stmt(
                &e.tournament_id,
                e.created_at,
                &Audit::player("joined", &e.player_id, None)
                    .detail(format!("entry invoice {}", e.invoice_id)),
            ),
        ];
        let event = PendingEvent::now(EventPayload::TournamentEntry(e.clone()));
        match self.commit_with_event(stmts, account_id, event).await {
            Ok(_) => Ok(()),
            Err(StoreError::Db(DbError::GuardFailed { index, .. })) => {
                Err(StoreError::conflict(if index == 0 {
                    "the tournament is no longer open"
                } else {
                    "the player already holds an entry"
                }))
            }
            Err(e) => Err(e),
        }
    }

    /// Every payout of tournament `id`, best rank first.
    ///
    /// # Errors
    /// Database failures.
    pub async fn tournament_payouts(&self, id: &str) -> Result<Vec<TournamentPayout>, StoreError> {
        let sql = format!(
            "SELECT {PAYOUT_COLUMNS} FROM tournament_payouts WHERE tournament_id = $1 \
             ORDER BY position"
        );
        self.db
            .query(&sql, vec![id.into()])
            .await?
            .iter()
            .map(payout_from_row)
            .collect()
    }

    /// The audit log of tournament `id`, oldest first.
    ///
    /// # Errors
    /// Database failures.
    pub async fn tournament_audit(
        &self,
        id: &str,
    ) -> Result<Vec<TournamentAuditEntry>, StoreError> {
        self.db
            .query(
                "SELECT seq, at, action, player_id, amount_msat, detail FROM tournament_audit \
                 WHERE tournament_id = $1 ORDER BY seq",
                vec![id.into()],
            )
            .await?
            .iter()
            .map(|r| {
                Ok(TournamentAuditEntry {
                    seq: r.uint(0)?,
                    at: r.uint(1)?,
                    action: r.text(2)?,
                    player_id: r.opt_text(3)?,
                    amount_msat: r.opt_uint(4)?.map(Msat::from_msat),
                    detail: r.opt_text(5)?,
                })
            })
            .collect()
    }
}

/// A new tournament id.
///
/// # Errors
/// When the system has no entropy.
pub fn new_tournament_id() -> Result<String, StoreError> {
    Ok(ids::new_id("trn")?)
}
