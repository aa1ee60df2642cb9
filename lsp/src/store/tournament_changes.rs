//! Changing a tournament: every step is one [`Change`]: the tournament row (guarded on the
//! status and seat count it was read with), entries and payouts (each guarded on the state it
//! leaves), the audit lines and the events, committed together or not at all. A change whose
//! guard fails changed nothing: the engine reads again and decides again, so concurrent or
//! repeated work never takes a seat, settles, refunds or pays twice.

use etrid_core::amount::Msat;
use etrid_core::lsp::{
    EntryStatus, EventPayload, LspTournament, TournamentEntry, TournamentPayout,
};

use super::events::PendingEvent;
use super::tournaments::json_text;
use super::{Store, StoreError};
use crate::db::{DbError, Stmt};
use crate::time::now_secs;

/// One line for the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit {
    /// What happened.
    pub action: &'static str,
    /// To whom.
    pub player_id: Option<String>,
    /// For how much.
    pub amount_msat: Option<u64>,
    /// More, in words.
    pub detail: Option<String>,
}

impl Audit {
    /// A line about the tournament itself.
    pub fn of(action: &'static str) -> Audit {
        Audit {
            action,
            player_id: None,
            amount_msat: None,
            detail: None,
        }
    }

    /// A line about a player.
    pub fn player(action: &'static str, player_id: &str, amount_msat: Option<u64>) -> Audit {
        Audit {
            action,
            player_id: Some(player_id.to_owned()),
            amount_msat,
            detail: None,
        }
    }

    /// The same line with `detail`.
    pub fn detail(mut self, detail: impl Into<String>) -> Audit {
        self.detail = Some(detail.into());
        self
    }
}

/// A change of one tournament, committed at once (see the module documentation).
#[derive(Debug, Clone, Default)]
pub struct Change {
    /// The tournament as read and as it becomes; the update is guarded on the status and
    /// seats read.
    pub tournament: Option<(LspTournament, LspTournament)>,
    /// Entries as read and the status they move to.
    pub entries: Vec<(TournamentEntry, EntryStatus)>,
    /// Payouts as read and as they become (guarded on the status and attempts read).
    pub payouts: Vec<(TournamentPayout, TournamentPayout)>,
    /// Payouts computed from the results, inserted.
    pub new_payouts: Vec<TournamentPayout>,
    /// The digest of the results entered.
    pub results_fingerprint: Option<String>,
    /// Audit lines.
    pub audit: Vec<Audit>,
}

/// The statements writing `t` over the row read as `before`.
fn tournament_update(
    before: &LspTournament,
    t: &LspTournament,
    results_fingerprint: Option<&String>,
) -> Stmt {
    Stmt::guarded(
        "UPDATE tournaments SET status = $1, seats_taken = $2, pool_msat = $3, \
         organizer_fee_msat = $4, prize_total_msat = $5, payouts_total = $6, \
         payouts_succeeded = $7, payouts_failed = $8, cancel_reason = $9, funded_at = $10, \
         results_at = $11, completed_at = $12, cancelled_at = $13, \
         results_fingerprint = COALESCE($14, results_fingerprint) \
         WHERE id = $15 AND status = $16 AND seats_taken = $17",
        vec![
            t.status.as_str().into(),
            t.seats_taken.into(),
            t.pool_msat.map(Msat::as_u64).into(),
            t.organizer_fee_msat.map(Msat::as_u64).into(),
            t.prize_total_msat.map(Msat::as_u64).into(),
            t.payouts_total.into(),
            t.payouts_succeeded.into(),
            t.payouts_failed.into(),
            t.cancel_reason.clone().into(),
            t.funded_at.into(),
            t.results_at.into(),
            t.completed_at.into(),
            t.cancelled_at.into(),
            results_fingerprint.cloned().into(),
            t.id.clone().into(),
            before.status.as_str().into(),
            before.seats_taken.into(),
        ],
        1,
    )
}

pub(super) fn audit_stmt(tournament_id: &str, at: u64, a: &Audit) -> Stmt {
    Stmt::new(
        "INSERT INTO tournament_audit (tournament_id, at, action, player_id, amount_msat, detail) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        vec![
            tournament_id.into(),
            at.into(),
            a.action.into(),
            a.player_id.clone().into(),
            a.amount_msat.into(),
            a.detail.clone().into(),
        ],
    )
}

impl Store {
    /// Commits `change` to the tournament `tournament_id` of `account_id`, with an event per
    /// changed tournament, entry and payout.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when a guard failed (something changed since it was read;
    /// nothing was written); database failures.
    pub async fn apply_tournament_change(
        &self,
        account_id: &str,
        tournament_id: &str,
        change: Change,
    ) -> Result<(), StoreError> {
        let now = now_secs();
        let mut stmts = Vec::new();
        let mut events = Vec::new();
        for (entry, status) in &change.entries {
            stmts.push(Stmt::guarded(
                "UPDATE tournament_entries SET status = $1 \
                 WHERE tournament_id = $2 AND player_id = $3 AND status = $4 AND invoice_id = $5",
                vec![
                    status.as_str().into(),
                    entry.tournament_id.clone().into(),
                    entry.player_id.clone().into(),
                    entry.status.as_str().into(),
                    entry.invoice_id.clone().into(),
                ],
                1,
            ));
            let mut after = entry.clone();
            after.status = *status;
            events.push(EventPayload::TournamentEntry(after));
        }
        for (position, p) in (0u32..).zip(&change.new_payouts) {
            stmts.push(Stmt::new(
                "INSERT INTO tournament_payouts (tournament_id, player_id, position, rank, \
                 amount_msat, destination, status, attempts, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8)",
                vec![
                    p.tournament_id.clone().into(),
                    p.player_id.clone().into(),
                    position.into(),
                    p.rank.into(),
                    p.amount_msat.as_u64().into(),
                    json_text(&p.destination)?.into(),
                    p.status.as_str().into(),
                    now.into(),
                ],
            ));
        }
        for (before, after) in &change.payouts {
            stmts.push(Stmt::guarded(
                "UPDATE tournament_payouts SET status = $1, attempts = $2, payment_id = $3, \
                 failure_reason = $4, updated_at = $5, voucher_id = $10, voucher_lnurl = $11 \
                 WHERE tournament_id = $6 AND player_id = $7 AND status = $8 AND attempts = $9",
                vec![
                    after.status.as_str().into(),
                    after.attempts.into(),
                    after.payment_id.clone().into(),
                    after.failure_reason.clone().into(),
                    after.updated_at.into(),
                    before.tournament_id.clone().into(),
                    before.player_id.clone().into(),
                    before.status.as_str().into(),
                    before.attempts.into(),
                    after.voucher_id.clone().into(),
                    after.voucher_lnurl.clone().into(),
                ],
                1,
            ));
            events.push(EventPayload::TournamentPayout(after.clone()));
        }
        if let Some((before, after)) = &change.tournament {
            stmts.push(tournament_update(
                before,
                after,
                change.results_fingerprint.as_ref(),
            ));
            events.push(EventPayload::TournamentUpdated(after.clone()));
        }
        for a in &change.audit {
            stmts.push(audit_stmt(tournament_id, now, a));
        }
        if stmts.is_empty() {
            return Ok(());
        }
        let pending = events
            .into_iter()
            .map(|payload| (account_id.to_owned(), PendingEvent::now(payload)))
            .collect();
        match self.commit_with_events(stmts, pending).await {
            Ok(_) => Ok(()),
            Err(StoreError::Db(DbError::GuardFailed { .. })) => Err(StoreError::conflict(
                "the tournament changed meanwhile; nothing was written",
            )),
            Err(e) => Err(e),
        }
    }
}
