//! Tournaments: what the API asks (create, read, join, cancel, results, payouts). The work
//! that follows the node and the clock (seats, settling, refunds, paying) is the runner's, in
//! `tournament_runner`; every operation here that changes a tournament's course hands it to
//! the runner under the same lock, so one decision is taken at a time.

use etrid_core::amount::Msat;
use etrid_core::lsp::{
    CreateHoldInvoiceRequest, CreateTournamentRequest, EntryStatus, InvoiceStatus,
    JoinTournamentRequest, LspTournament, PayoutStatus, Preimage, TournamentAuditLog,
    TournamentEntry, TournamentEntryList, TournamentList, TournamentPayout, TournamentPayoutList,
    TournamentResultsRequest, TournamentStatus, Validate, MAX_JOIN_WINDOW_SECS,
};
use etrid_core::tournament::{split, PayoutTable, PrizePool, Standing};
use serde_json::{json, Map};

use super::{fingerprint, Engine};
use crate::error::ServerError;
use crate::ids;
use crate::store::{
    new_tournament_id, Audit, AuthContext, Change, EntryRecord, ListFilter, NewEntry,
    NewTournament, TournamentInserted, TournamentRecord,
};
use crate::time::now_secs;

/// The longest an entry invoice stays payable (less when the deadline is nearer).
const ENTRY_INVOICE_EXPIRY_SECS: u64 = 3600;
/// The least time before the deadline a join is still taken: a wallet needs a moment to pay.
const MIN_JOIN_WINDOW_SECS: u64 = 10;

/// Why a join is refused, as the API says it.
fn closed(reason: impl Into<String>) -> ServerError {
    ServerError::TournamentClosed {
        reason: reason.into(),
    }
}

impl Engine {
    /// Creates a tournament. Returns it and whether it is new (`201`) or the earlier one for
    /// the same `external_id` (`200`).
    ///
    /// # Errors
    /// `invalid_request` (fields, or a join deadline not within 7 days ahead),
    /// `idempotency_mismatch`, database failures.
    pub async fn create_tournament(
        &self,
        ctx: &AuthContext,
        req: CreateTournamentRequest,
    ) -> Result<(LspTournament, bool), ServerError> {
        req.validate()?;
        let fp = fingerprint(&req);
        if let Some(ext) = &req.external_id {
            if let Some(existing) = self
                .store
                .tournament_by_external_id(&ctx.account_id, ext)
                .await?
            {
                return same_tournament(existing, &fp);
            }
        }
        let now = now_secs();
        if req.join_deadline <= now + MIN_JOIN_WINDOW_SECS
            || req.join_deadline > now + MAX_JOIN_WINDOW_SECS
        {
            return Err(ServerError::invalid(format!(
                "join_deadline: must be between {MIN_JOIN_WINDOW_SECS} seconds and 7 days from \
                 now (now is {now})"
            )));
        }
        let tournament = LspTournament {
            id: new_tournament_id()?,
            name: req.name,
            status: TournamentStatus::Open,
            entry_fee_msat: req.entry_fee_msat,
            seats: req.seats,
            seats_taken: 0,
            payout_table_bps: req.payout_table_bps,
            organizer_fee_bps: req.organizer_fee_bps,
            join_deadline: req.join_deadline,
            pool_msat: None,
            organizer_fee_msat: None,
            prize_total_msat: None,
            payouts_total: 0,
            payouts_succeeded: 0,
            payouts_failed: 0,
            cancel_reason: None,
            external_id: req.external_id,
            metadata: req.metadata,
            public_join: req.public_join,
            created_at: now,
            funded_at: None,
            results_at: None,
            completed_at: None,
            cancelled_at: None,
        };
        let new = NewTournament {
            account_id: ctx.account_id.clone(),
            tournament,
            fingerprint: fp.clone(),
        };
        match self.store.insert_tournament(new).await? {
            TournamentInserted::Created(rec) => {
                tracing::info!(tournament = %rec.tournament.id, "tournament created");
                Ok((rec.tournament, true))
            }
            TournamentInserted::Existing(rec) => same_tournament(*rec, &fp),
        }
    }

    /// One tournament of the account.
    ///
    /// # Errors
    /// `not_found`.
    pub async fn tournament(
        &self,
        ctx: &AuthContext,
        id: &str,
    ) -> Result<LspTournament, ServerError> {
        Ok(self.store.tournament(&ctx.account_id, id).await?.tournament)
    }

    /// A page of the account's tournaments, newest first.
    ///
    /// # Errors
    /// Database failures.
    pub async fn list_tournaments(
        &self,
        ctx: &AuthContext,
        filter: &ListFilter,
    ) -> Result<TournamentList, ServerError> {
        let (items, next_cursor) = self.store.list_tournaments(&ctx.account_id, filter).await?;
        Ok(TournamentList { items, next_cursor })
    }

    /// Every entry of a tournament, in joining order.
    ///
    /// # Errors
    /// `not_found`.
    pub async fn tournament_entries(
        &self,
        ctx: &AuthContext,
        id: &str,
    ) -> Result<TournamentEntryList, ServerError> {
        let rec = self.store.tournament(&ctx.account_id, id).await?;
        let items = self
            .store
            .tournament_entries(&rec.tournament.id)
            .await?
            .into_iter()
            .map(|e| e.entry)
            .collect();
        Ok(TournamentEntryList { items })
    }

    /// Every payout of a tournament, best rank first.
    ///
    /// # Errors
    /// `not_found`.
    pub async fn tournament_payouts(
        &self,
        ctx: &AuthContext,
        id: &str,
    ) -> Result<TournamentPayoutList, ServerError> {
        let rec = self.store.tournament(&ctx.account_id, id).await?;
        let items = self.store.tournament_payouts(&rec.tournament.id).await?;
        Ok(TournamentPayoutList { items })
    }

    /// A tournament's audit log, oldest first.
    ///
    /// # Errors
    /// `not_found`.
    pub async fn tournament_audit(
        &self,
        ctx: &AuthContext,
        id: &str,
    ) -> Result<TournamentAuditLog, ServerError> {
        let rec = self.store.tournament(&ctx.account_id, id).await?;
        let items = self.store.tournament_audit(&rec.tournament.id).await?;
        Ok(TournamentAuditLog { items })
    }

    /// Joins a player: a hold invoice of the organizer's account for the entry fee, whose
    /// preimage the server keeps. Returns the entry and whether it is new (`201`), or the
    /// player's unpaid entry with the same destination (`200`).
    ///
    /// # Errors
    /// `tournament_closed`, `already_joined`, `invalid_request` (an unknown destination
    /// account), `not_found`.
    pub async fn join_tournament(
        &self,
        ctx: &AuthContext,
        id: &str,
        req: JoinTournamentRequest,
    ) -> Result<(TournamentEntry, bool), ServerError> {
        req.validate()?;
        // Settle what the node and the clock changed first: a lapsed entry frees its player.
        let rec = self.advance_tournament(&ctx.account_id, id).await?;
        let t = &rec.tournament;
        let now = now_secs();
        if t.status != TournamentStatus::Open {
            return Err(closed(format!("it is {}", t.status.as_str())));
        }
        if now + MIN_JOIN_WINDOW_SECS > t.join_deadline {
            return Err(closed("its join deadline has passed"));
        }
        let existing = self.store.tournament_entry(&t.id, &req.player_id).await?;
        let replaces_invoice = match existing {
            Some(e) => match replaceable(&e, now) {
                Replace::No => {
                    if e.entry.status == EntryStatus::Pending && e.entry.payout == req.payout {
                        return Ok((e.entry, false));
                    }
                    return Err(ServerError::AlreadyJoined {
                        player_id: req.player_id,
                    });
                }
                Replace::Yes(invoice) => invoice,
            },
            None => None,
        };
        self.check_destination(&ctx.account_id, &req.payout, "payout")
            .await?;
        let preimage = Preimage::from_bytes(ids::random_bytes::<32>()?);
        let expiry = ENTRY_INVOICE_EXPIRY_SECS.min(t.join_deadline.saturating_sub(now));
        let mut metadata = Map::new();
        metadata.insert("tournament_id".into(), json!(t.id));
        metadata.insert("player_id".into(), json!(req.player_id));
        let (invoice, _) = self
            .create_hold_invoice(
                ctx,
                CreateHoldInvoiceRequest {
                    amount_msat: Some(t.entry_fee_msat),
                    description: Some(format!("Entry: {}", t.name)),
                    expiry_secs: Some(expiry),
                    metadata: Some(metadata),
                    ..CreateHoldInvoiceRequest::new(preimage.payment_hash())
                },
            )
            .await?;
        let entry = TournamentEntry {
            tournament_id: t.id.clone(),
            player_id: req.player_id.clone(),
            status: EntryStatus::Pending,
            invoice_id: invoice.id.clone(),
            bolt11: invoice.bolt11.clone(),
            payment_hash: invoice.payment_hash,
            amount_msat: t.entry_fee_msat,
            amount_received_msat: None,
            payout: req.payout,
            expires_at: invoice.expires_at,
            created_at: now,
        };
        let new = NewEntry {
            entry: entry.clone(),
            preimage,
            replaces_invoice,
        };
        if let Err(e) = self.store.insert_entry(&ctx.account_id, new).await {
            // Another join of this player, or the tournament closing, came first: the invoice
            // made for this one must never be payable.
            let rec = self.store.invoice(&ctx.account_id, &invoice.id).await?;
            self.cancel_hold_record(&rec).await?;
            let now_rec = self.store.tournament(&ctx.account_id, id).await?;
            return Err(if now_rec.tournament.status != TournamentStatus::Open {
                closed(format!("it is {}", now_rec.tournament.status.as_str()))
            } else if matches!(e, crate::store::StoreError::Conflict { .. }) {
                ServerError::AlreadyJoined {
                    player_id: req.player_id,
                }
            } else {
                e.into()
            });
        }
        tracing::info!(tournament = %t.id, player = %entry.player_id, "player joined");
        Ok((entry, true))
    }

    /// Cancels an open tournament: every entry invoice is cancelled and every held entry fee
    /// failed back. Repeating it answers the cancelled tournament.
    ///
    /// # Errors
    /// `conflict` once the tournament is full or later; `not_found`.
    pub async fn cancel_tournament(
        &self,
        ctx: &AuthContext,
        id: &str,
    ) -> Result<LspTournament, ServerError> {
        let _lock = self.tournaments.lock().await;
        let rec = self.store.tournament(&ctx.account_id, id).await?;
        let t = &rec.tournament;
        match t.status {
            TournamentStatus::Cancelling | TournamentStatus::Cancelled => {}
            TournamentStatus::Open => {
                let mut after = t.clone();
                after.status = TournamentStatus::Cancelling;
                after.cancel_reason = Some("cancelled by the organizer".into());
                let change = Change {
                    tournament: Some((t.clone(), after)),
                    audit: vec![Audit::of("cancelled").detail("by the organizer")],
                    ..Change::default()
                };
                self.store
                    .apply_tournament_change(&ctx.account_id, &t.id, change)
                    .await?;
            }
            other => {
                return Err(ServerError::conflict(format!(
                    "the tournament is {}: its pool is settled and it can no longer be cancelled",
                    other.as_str()
                )))
            }
        }
        Ok(self.advance_locked(&ctx.account_id, id).await?.tournament)
    }

    /// Enters the final standings of a funded tournament and computes every payout with the
    /// core's exact split. The same standings again answer the same payouts.
    ///
    /// # Errors
    /// `invalid_request` for a player without a settled entry or ranks out of order;
    /// `conflict` before the pool is funded, or when other results were entered.
    pub async fn enter_tournament_results(
        &self,
        ctx: &AuthContext,
        id: &str,
        req: TournamentResultsRequest,
    ) -> Result<TournamentPayoutList, ServerError> {
        req.validate()?;
        let fp = fingerprint(&req);
        let _lock = self.tournaments.lock().await;
        let rec = self.store.tournament(&ctx.account_id, id).await?;
        let t = &rec.tournament;
        match t.status {
            TournamentStatus::Funded => {}
            TournamentStatus::Results | TournamentStatus::Paying | TournamentStatus::Completed => {
                if rec.results_fingerprint.as_deref() == Some(fp.as_str()) {
                    let items = self.store.tournament_payouts(&t.id).await?;
                    return Ok(TournamentPayoutList { items });
                }
                return Err(ServerError::conflict(
                    "other results were already entered for this tournament",
                ));
            }
            other => {
                return Err(ServerError::conflict(format!(
                    "the tournament is {}; results are entered once its pool is funded",
                    other.as_str()
                )))
            }
        }
        let entries = self.store.tournament_entries(&t.id).await?;
        let payouts = compute_payouts(&rec, &entries, &req.standings)?;
        let mut after = t.clone();
        after.status = TournamentStatus::Results;
        after.results_at = Some(now_secs());
        after.payouts_total = u32::try_from(payouts.len()).unwrap_or(u32::MAX);
        let standings = req
            .standings
            .iter()
            .map(|s| format!("{}={}", s.player_id, s.rank))
            .collect::<Vec<_>>()
            .join(", ");
        let change = Change {
            tournament: Some((t.clone(), after)),
            new_payouts: payouts.clone(),
            results_fingerprint: Some(fp),
            audit: vec![Audit::of("results_entered").detail(standings)],
            ..Change::default()
        };
        self.store
            .apply_tournament_change(&ctx.account_id, &t.id, change)
            .await?;
        Ok(TournamentPayoutList { items: payouts })
    }

    /// Pays the winners (or retries the failed payouts) and answers the payouts as they stand.
    ///
    /// # Errors
    /// `conflict` before the results are entered.
    pub async fn pay_tournament(
        &self,
        ctx: &AuthContext,
        id: &str,
    ) -> Result<TournamentPayoutList, ServerError> {
        {
            let _lock = self.tournaments.lock().await;
            let rec = self.store.tournament(&ctx.account_id, id).await?;
            let t = &rec.tournament;
            match t.status {
                TournamentStatus::Results => {
                    let mut after = t.clone();
                    after.status = TournamentStatus::Paying;
                    let change = Change {
                        tournament: Some((t.clone(), after)),
                        audit: vec![Audit::of("payouts_started")],
                        ..Change::default()
                    };
                    self.store
                        .apply_tournament_change(&ctx.account_id, &t.id, change)
                        .await?;
                }
                TournamentStatus::Paying => self.retry_failed_payouts(&rec).await?,
                TournamentStatus::Completed => {}
                other => {
                    return Err(ServerError::conflict(format!(
                        "the tournament is {}; payouts follow the results",
                        other.as_str()
                    )))
                }
            }
        }
        let rec = self.advance_tournament(&ctx.account_id, id).await?;
        let items = self.store.tournament_payouts(&rec.tournament.id).await?;
        Ok(TournamentPayoutList { items })
    }

    /// Puts failed payouts back to pending for a new attempt (a new idempotency key).
    async fn retry_failed_payouts(&self, rec: &TournamentRecord) -> Result<(), ServerError> {
        let t = &rec.tournament;
        let failed: Vec<_> = self
            .store
            .tournament_payouts(&t.id)
            .await?
            .into_iter()
            .filter(|p| p.status == PayoutStatus::Failed)
            .collect();
        if failed.is_empty() {
            return Ok(());
        }
        let now = now_secs();
        let mut after_t = t.clone();
        after_t.payouts_failed = 0;
        let change = Change {
            audit: failed
                .iter()
                .map(|p| Audit::player("payout_retry", &p.player_id, Some(p.amount_msat.as_u64())))
                .collect(),
            payouts: failed
                .into_iter()
                .map(|p| {
                    let mut after = p.clone();
                    after.status = PayoutStatus::Pending;
                    after.updated_at = now;
                    (p, after)
                })
                .collect(),
            tournament: Some((t.clone(), after_t)),
            ..Change::default()
        };
        Ok(self
            .store
            .apply_tournament_change(&rec.account_id, &t.id, change)
            .await?)
    }

    /// Refuses the hold invoice API's settle or cancel of a tournament's entry invoice: its
    /// fate is the tournament's.
    pub(crate) async fn refuse_entry_invoice(&self, invoice_id: &str) -> Result<(), ServerError> {
        match self.store.entry_by_invoice(invoice_id).await? {
            Some(e) => Err(ServerError::conflict(format!(
                "this hold invoice is the entry of {} in tournament {}; the tournament settles or \
                 cancels it",
                e.entry.player_id, e.entry.tournament_id
            ))),
            None => Ok(()),
        }
    }
}

/// An earlier create with the same `external_id`: the same tournament, or a mismatch.
fn same_tournament(
    existing: TournamentRecord,
    fp: &str,
) -> Result<(LspTournament, bool), ServerError> {
    if existing.fingerprint == fp {
        Ok((existing.tournament, false))
    } else {
        Err(ServerError::IdempotencyMismatch {
            field: "external_id",
            value: existing.tournament.external_id.unwrap_or_default(),
        })
    }
}

/// Whether a player's earlier entry may be replaced by a new join.
enum Replace {
    /// It is live (unpaid and payable, held or settled).
    No,
    /// It is over; a pending one is replaced through its invoice id.
    Yes(Option<String>),
}

fn replaceable(e: &EntryRecord, now: u64) -> Replace {
    match e.entry.status {
        EntryStatus::Expired | EntryStatus::Refunded => Replace::Yes(None),
        EntryStatus::Pending => {
            let lapsed = matches!(
                e.invoice_status,
                InvoiceStatus::Expired | InvoiceStatus::Cancelled
            ) || (e.invoice_status == InvoiceStatus::Open
                && e.entry.expires_at <= now);
            if lapsed {
                Replace::Yes(Some(e.entry.invoice_id.clone()))
            } else {
                Replace::No
            }
        }
        EntryStatus::Held | EntryStatus::Settled => Replace::No,
    }
}

/// The payouts of `standings`: every player must hold a settled entry; the pool is what the
/// settled entries paid; zero prizes are left out.
fn compute_payouts(
    rec: &TournamentRecord,
    entries: &[EntryRecord],
    standings: &[Standing],
) -> Result<Vec<TournamentPayout>, ServerError> {
    let t = &rec.tournament;
    for s in standings {
        let settled = entries
            .iter()
            .any(|e| e.entry.player_id == s.player_id && e.entry.status == EntryStatus::Settled);
        if !settled {
            return Err(ServerError::invalid(format!(
                "standings: {} is not a player of this tournament (no settled entry)",
                s.player_id
            )));
        }
    }
    let pool_msat = t.pool_msat.unwrap_or(Msat::ZERO);
    let pool = PrizePool::new(pool_msat, t.organizer_fee_bps)
        .map_err(|e| ServerError::invalid(format!("pool: {e}")))?;
    let table = PayoutTable::new(t.payout_table_bps.clone())
        .map_err(|e| ServerError::invalid(format!("payout_table_bps: {e}")))?;
    let result = split(&pool, &table, standings)
        .map_err(|e| ServerError::invalid(format!("standings: {e}")))?;
    let now = now_secs();
    let mut payouts = Vec::new();
    for p in result.payouts {
        if p.amount == Msat::ZERO {
            continue;
        }
        let destination = entries
            .iter()
            .find(|e| e.entry.player_id == p.player_id)
            .map(|e| e.entry.payout.clone())
            .ok_or_else(|| ServerError::invalid(format!("standings: unknown {}", p.player_id)))?;
        payouts.push(TournamentPayout {
            tournament_id: t.id.clone(),
            player_id: p.player_id,
            rank: p.rank,
            amount_msat: p.amount,
            destination,
            status: PayoutStatus::Pending,
            attempts: 0,
            payment_id: None,
            failure_reason: None,
            updated_at: now,
            voucher_id: None,
            voucher_lnurl: None,
        });
    }
    Ok(payouts)
}
