//! The tournament runner: it follows every active tournament from its entries' invoices, the
//! clock and its payments, and takes the next step. Woken at once when a hold invoice is
//! accepted, and every half second otherwise; after a restart it simply carries on, because
//! each step is decided from what is stored and committed as one guarded [`Change`]:
//! - open: a held entry takes a seat while seats are free; a lapsed one is marked; when every
//!   seat is taken the tournament is settling, when the deadline passes first, cancelling;
//! - settling: each held entry is claimed with its preimage and credited to the organizer,
//!   unpaid entries are cancelled; then the pool is funded;
//! - cancelling: every entry invoice is cancelled (held HTLCs failed back: refunded);
//! - paying: each pending payout is paid with the idempotency key
//!   `{tournament}:{player}:{attempt}`, and a payment already made under that key (before a
//!   crash) is adopted instead of paid again; in-flight payments are followed to their end.

use std::time::Duration;

use etrid_core::amount::Msat;
use etrid_core::invoice::decode_invoice;
use etrid_core::lnurl::{verify_invoice_matches, LightningAddress, PayRequest};
use etrid_core::lsp::{
    CreateInvoiceRequest, EntryStatus, InvoiceStatus, KeysendRequest, LspPayment,
    PayInvoiceRequest, PaymentStatus, PayoutDestination, PayoutStatus, TournamentPayout,
    TournamentStatus,
};
use etrid_core::platform::SystemClock;
use etrid_core::tournament::PrizePool;
use futures_util::stream::{self, StreamExt};
use tokio::sync::watch;

use super::Engine;
use crate::error::ServerError;
use crate::store::{Audit, AuthContext, Change, EntryRecord, TournamentRecord};
use crate::time::now_secs;

/// How often the runner looks when nothing wakes it.
const TICK: Duration = Duration::from_millis(500);
/// Payouts sent at once.
const PAYOUTS_IN_FLIGHT: usize = 16;
/// How long a Lightning Address service may take to answer.
const LNURL_TIMEOUT: Duration = Duration::from_secs(20);
/// The most steps one advance takes before yielding (each step commits progress).
const MAX_STEPS: usize = 8;

/// Runs until `stop` turns true.
pub(super) async fn run(engine: Engine, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            biased;
            _ = stop.changed() => return,
            () = engine.tournament_wake.notified() => {}
            () = tokio::time::sleep(TICK) => {}
        }
        match engine.store.active_tournaments().await {
            Ok(active) => {
                for rec in active {
                    let id = rec.tournament.id;
                    if let Err(e) = engine.advance_tournament(&rec.account_id, &id).await {
                        tracing::warn!(tournament = %id, error = %e, "tournament step failed");
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "reading active tournaments failed"),
        }
    }
}

impl Engine {
    /// Takes every step the tournament can take now, under the tournaments' lock, and returns
    /// it as it then stands.
    ///
    /// # Errors
    /// `not_found`; node and database failures (the runner tries again).
    pub(crate) async fn advance_tournament(
        &self,
        account_id: &str,
        id: &str,
    ) -> Result<TournamentRecord, ServerError> {
        let _lock = self.tournaments.lock().await;
        self.advance_locked(account_id, id).await
    }

    /// [`Engine::advance_tournament`] with the lock held.
    pub(crate) async fn advance_locked(
        &self,
        account_id: &str,
        id: &str,
    ) -> Result<TournamentRecord, ServerError> {
        for _ in 0..MAX_STEPS {
            let rec = self.store.tournament(account_id, id).await?;
            let result = match rec.tournament.status {
                TournamentStatus::Open => self.step_open(&rec).await,
                TournamentStatus::Settling => self.step_settling(&rec).await,
                TournamentStatus::Cancelling => self.step_cancelling(&rec).await,
                TournamentStatus::Paying => self.step_paying(&rec).await,
                _ => Ok(false),
            };
            match result {
                Ok(true) => {}
                Ok(false) => return Ok(rec),
                // Something moved under us (a payout's payment, say): read again.
                Err(ServerError::Conflict { reason }) => {
                    tracing::debug!(tournament = %id, %reason, "tournament step raced; again");
                }
                Err(e) => return Err(e),
            }
        }
        Ok(self.store.tournament(account_id, id).await?)
    }

    async fn commit(&self, rec: &TournamentRecord, change: Change) -> Result<(), ServerError> {
        Ok(self
            .store
            .apply_tournament_change(&rec.account_id, &rec.tournament.id, change)
            .await?)
    }

    /// Open: seats for held entries, lapsed entries marked, then full or past the deadline.
    async fn step_open(&self, rec: &TournamentRecord) -> Result<bool, ServerError> {
        let t = &rec.tournament;
        let mut after = t.clone();
        let mut change = Change::default();
        for e in self.store.tournament_entries(&t.id).await? {
            let player = e.entry.player_id.clone();
            match (e.entry.status, e.invoice_status) {
                (EntryStatus::Pending, InvoiceStatus::Accepted)
                    if after.seats_taken < after.seats =>
                {
                    after.seats_taken += 1;
                    let amount = e.entry.amount_received_msat.map(Msat::as_u64);
                    change
                        .audit
                        .push(Audit::player("seat_taken", &player, amount));
                    change.entries.push((e.entry, EntryStatus::Held));
                }
                (EntryStatus::Pending, InvoiceStatus::Expired | InvoiceStatus::Cancelled) => {
                    change
                        .audit
                        .push(Audit::player("entry_expired", &player, None));
                    change.entries.push((e.entry, EntryStatus::Expired));
                }
                (EntryStatus::Held, InvoiceStatus::Expired | InvoiceStatus::Cancelled) => {
                    // The sweeper failed it back before its HTLC deadline.
                    after.seats_taken = after.seats_taken.saturating_sub(1);
                    change.audit.push(
                        Audit::player("entry_refunded", &player, None)
                            .detail("the held payment neared its HTLC deadline"),
                    );
                    change.entries.push((e.entry, EntryStatus::Refunded));
                }
                _ => {}
            }
        }
        if after.seats_taken == after.seats {
            after.status = TournamentStatus::Settling;
            change.audit.push(Audit::of("full"));
        } else if now_secs() >= t.join_deadline {
            after.status = TournamentStatus::Cancelling;
            after.cancel_reason = Some(format!(
                "the join deadline passed with {} of {} seats taken",
                after.seats_taken, after.seats
            ));
            change
                .audit
                .push(Audit::of("cancelled").detail("the join deadline passed unfilled"));
        }
        if after == *t && change.entries.is_empty() {
            return Ok(false);
        }
        if after != *t {
            change.tournament = Some((t.clone(), after));
        }
        self.commit(rec, change).await?;
        Ok(true)
    }

    /// Settling: claim each held entry, cancel the rest, then fund the pool.
    async fn step_settling(&self, rec: &TournamentRecord) -> Result<bool, ServerError> {
        let t = &rec.tournament;
        let entries = self.store.tournament_entries(&t.id).await?;
        let mut progressed = false;
        let mut after = t.clone();
        for e in &entries {
            let change = match (e.entry.status, e.invoice_status) {
                (EntryStatus::Held, InvoiceStatus::Accepted) => {
                    self.settle_entry(rec, e).await?;
                    entry_change(e, EntryStatus::Settled, "entry_settled", None)
                }
                (EntryStatus::Held, InvoiceStatus::Paid) => {
                    entry_change(e, EntryStatus::Settled, "entry_settled", None)
                }
                (EntryStatus::Held, InvoiceStatus::Expired | InvoiceStatus::Cancelled) => {
                    after.seats_taken = after.seats_taken.saturating_sub(1);
                    entry_change(
                        e,
                        EntryStatus::Refunded,
                        "entry_refunded",
                        Some("the held payment neared its HTLC deadline"),
                    )
                }
                (EntryStatus::Pending, InvoiceStatus::Open | InvoiceStatus::Accepted) => {
                    let invoice = self
                        .store
                        .invoice(&rec.account_id, &e.entry.invoice_id)
                        .await?;
                    self.cancel_hold_record(&invoice).await?;
                    let status = if e.invoice_status == InvoiceStatus::Accepted {
                        EntryStatus::Refunded
                    } else {
                        EntryStatus::Expired
                    };
                    entry_change(e, status, "entry_refused", Some("every seat was taken"))
                }
                (EntryStatus::Pending, InvoiceStatus::Expired | InvoiceStatus::Cancelled) => {
                    entry_change(e, EntryStatus::Expired, "entry_expired", None)
                }
                _ => continue,
            };
            self.commit(rec, change).await?;
            progressed = true;
        }
        if progressed {
            if after.seats_taken != t.seats_taken {
                let change = Change {
                    tournament: Some((t.clone(), after)),
                    ..Change::default()
                };
                self.commit(rec, change).await?;
            }
            return Ok(true);
        }
        // Every entry is settled or over: the pool is what the settled entries paid.
        let pool: u64 = entries
            .iter()
            .filter(|e| e.entry.status == EntryStatus::Settled)
            .map(|e| e.entry.amount_received_msat.map_or(0, Msat::as_u64))
            .sum();
        let prize = PrizePool::new(Msat::from_msat(pool), t.organizer_fee_bps)
            .map_err(|e| ServerError::invalid(format!("pool: {e}")))?;
        let mut after = t.clone();
        after.status = TournamentStatus::Funded;
        after.pool_msat = Some(prize.pool());
        after.organizer_fee_msat = Some(prize.organizer_fee());
        after.prize_total_msat = Some(prize.prize_total());
        after.funded_at = Some(now_secs());
        let change = Change {
            tournament: Some((t.clone(), after)),
            audit: vec![Audit {
                action: "funded",
                player_id: None,
                amount_msat: Some(pool),
                detail: Some(format!(
                    "organizer fee {} msat, prizes {} msat",
                    prize.organizer_fee().as_u64(),
                    prize.prize_total().as_u64()
                )),
            }],
            ..Change::default()
        };
        self.commit(rec, change).await?;
        tracing::info!(tournament = %t.id, pool_msat = pool, "tournament funded");
        Ok(true)
    }

    /// Settles a held entry with its preimage, crediting the organizer (as a hold settle).
    async fn settle_entry(
        &self,
        rec: &TournamentRecord,
        e: &EntryRecord,
    ) -> Result<(), ServerError> {
        let invoice = self
            .store
            .invoice(&rec.account_id, &e.entry.invoice_id)
            .await?;
        self.settle_hold_record(&invoice, e.preimage).await
    }

    /// Cancelling: every live entry invoice cancelled, then cancelled.
    async fn step_cancelling(&self, rec: &TournamentRecord) -> Result<bool, ServerError> {
        let t = &rec.tournament;
        let mut after = t.clone();
        let mut progressed = false;
        for e in self.store.tournament_entries(&t.id).await? {
            let held = e.entry.status == EntryStatus::Held;
            let status = match (e.entry.status, e.invoice_status) {
                (
                    EntryStatus::Pending | EntryStatus::Held,
                    InvoiceStatus::Open | InvoiceStatus::Accepted,
                ) => {
                    let invoice = self
                        .store
                        .invoice(&rec.account_id, &e.entry.invoice_id)
                        .await?;
                    self.cancel_hold_record(&invoice).await?;
                    if held || e.invoice_status == InvoiceStatus::Accepted {
                        EntryStatus::Refunded
                    } else {
                        EntryStatus::Expired
                    }
                }
                (EntryStatus::Pending, _) => EntryStatus::Expired,
                (EntryStatus::Held, _) => EntryStatus::Refunded,
                _ => continue,
            };
            if held {
                after.seats_taken = after.seats_taken.saturating_sub(1);
            }
            let amount = e.entry.amount_received_msat.map(Msat::as_u64);
            let action = if status == EntryStatus::Refunded {
                "entry_refunded"
            } else {
                "entry_expired"
            };
            let player = e.entry.player_id.clone();
            let mut change = Change {
                entries: vec![(e.entry, status)],
                audit: vec![Audit::player(action, &player, amount)],
                ..Change::default()
            };
            if held {
                let mut before = t.clone();
                before.seats_taken = after.seats_taken + 1;
                let mut now_t = before.clone();
                now_t.seats_taken = after.seats_taken;
                change.tournament = Some((before, now_t));
            }
            self.commit(rec, change).await?;
            progressed = true;
        }
        if progressed {
            return Ok(true);
        }
        let mut done = t.clone();
        done.status = TournamentStatus::Cancelled;
        done.cancelled_at = Some(now_secs());
        let change = Change {
            tournament: Some((t.clone(), done)),
            ..Change::default()
        };
        self.commit(rec, change).await?;
        tracing::info!(tournament = %t.id, reason = ?t.cancel_reason, "tournament cancelled");
        Ok(true)
    }

    /// Paying: send pending payouts, follow in-flight ones, complete when all succeeded.
    async fn step_paying(&self, rec: &TournamentRecord) -> Result<bool, ServerError> {
        let t = &rec.tournament;
        let payouts = self.store.tournament_payouts(&t.id).await?;
        let work: Vec<TournamentPayout> = payouts
            .iter()
            .filter(|p| matches!(p.status, PayoutStatus::Pending | PayoutStatus::InFlight))
            .cloned()
            .collect();
        let results: Vec<Result<bool, ServerError>> = stream::iter(work)
            .map(|p| self.advance_payout(rec, p))
            .buffer_unordered(PAYOUTS_IN_FLIGHT)
            .collect()
            .await;
        let mut changed = false;
        for r in results {
            match r {
                Ok(c) => changed |= c,
                Err(e) => tracing::warn!(tournament = %t.id, error = %e, "payout step failed"),
            }
        }
        let payouts = self.store.tournament_payouts(&t.id).await?;
        let count = |s: PayoutStatus| {
            u32::try_from(payouts.iter().filter(|p| p.status == s).count()).unwrap_or(u32::MAX)
        };
        let mut after = t.clone();
        after.payouts_succeeded = count(PayoutStatus::Succeeded);
        after.payouts_failed = count(PayoutStatus::Failed);
        let mut audit = Vec::new();
        if after.payouts_succeeded == after.payouts_total {
            after.status = TournamentStatus::Completed;
            after.completed_at = Some(now_secs());
            audit.push(Audit::of("completed"));
        }
        if after != *t {
            let change = Change {
                tournament: Some((t.clone(), after)),
                audit,
                ..Change::default()
            };
            self.commit(rec, change).await?;
            return Ok(true);
        }
        Ok(changed)
    }

    /// Sends one pending payout (or adopts the payment an earlier run made under its key), or
    /// follows an in-flight one; returns whether it changed.
    async fn advance_payout(
        &self,
        rec: &TournamentRecord,
        p: TournamentPayout,
    ) -> Result<bool, ServerError> {
        let organizer = AuthContext::on_behalf_of(&rec.account_id);
        let (attempt, payment) = match p.status {
            PayoutStatus::InFlight => {
                let Some(id) = &p.payment_id else {
                    return Ok(false);
                };
                let payment = self.store.payment(&rec.account_id, id).await?.payment;
                if payment.status == PaymentStatus::Pending {
                    return Ok(false);
                }
                (p.attempts, Ok(payment))
            }
            PayoutStatus::Pending => {
                let attempt = p.attempts + 1;
                let key = payout_key(&p, attempt);
                let earlier = self
                    .store
                    .payment_by_idempotency_key(&rec.account_id, &key)
                    .await?;
                let payment = match earlier {
                    Some(r) => Ok(r.payment),
                    None => self.send_payout(rec, &organizer, &p, &key).await,
                };
                (attempt, payment)
            }
            _ => return Ok(false),
        };
        let mut after = p.clone();
        after.attempts = attempt;
        after.updated_at = now_secs();
        let amount = Some(p.amount_msat.as_u64());
        let audit = match payment {
            Ok(payment) => {
                after.payment_id = Some(payment.id.clone());
                match payment.status {
                    PaymentStatus::Succeeded => {
                        after.status = PayoutStatus::Succeeded;
                        after.failure_reason = None;
                        Audit::player("payout_succeeded", &p.player_id, amount)
                            .detail(format!("payment {}", payment.id))
                    }
                    PaymentStatus::Pending => {
                        after.status = PayoutStatus::InFlight;
                        Audit::player("payout_sent", &p.player_id, amount)
                            .detail(format!("payment {}", payment.id))
                    }
                    PaymentStatus::Failed => {
                        let reason = failure_text(&payment);
                        after.status = PayoutStatus::Failed;
                        after.failure_reason = Some(reason.clone());
                        Audit::player("payout_failed", &p.player_id, amount).detail(reason)
                    }
                }
            }
            Err(e) if is_refusal(&e) => {
                after.status = PayoutStatus::Failed;
                after.failure_reason = Some(e.to_string());
                Audit::player("payout_failed", &p.player_id, amount).detail(e.to_string())
            }
            Err(e) => return Err(e),
        };
        if after == p {
            return Ok(false);
        }
        let change = Change {
            payouts: vec![(p, after)],
            audit: vec![audit],
            ..Change::default()
        };
        self.commit(rec, change).await?;
        Ok(true)
    }

    /// Pays one payout from the organizer's account under `key`.
    async fn send_payout(
        &self,
        rec: &TournamentRecord,
        organizer: &AuthContext,
        p: &TournamentPayout,
        key: &str,
    ) -> Result<LspPayment, ServerError> {
        let amount = p.amount_msat;
        let description = format!("Prize: {}, rank {}", rec.tournament.name, p.rank);
        let bolt11 = match &p.destination {
            PayoutDestination::Keysend { node_id } => {
                let req = KeysendRequest {
                    destination: *node_id,
                    amount_msat: amount,
                    custom_records: Vec::new(),
                    max_fee_msat: None,
                    max_parts: None,
                    timeout_secs: None,
                    idempotency_key: key.to_owned(),
                };
                return Ok(self.keysend(organizer, req).await?.0);
            }
            PayoutDestination::Account { account_id } => {
                let payee = AuthContext::on_behalf_of(account_id);
                let request = CreateInvoiceRequest {
                    amount_msat: Some(amount),
                    description: Some(description),
                    external_id: Some(key.to_owned()),
                    ..CreateInvoiceRequest::default()
                };
                self.create_invoice(&payee, request).await?.0.bolt11
            }
            PayoutDestination::LightningAddress { address } => {
                self.lightning_address_invoice(address, amount).await?
            }
        };
        let req = PayInvoiceRequest {
            bolt11,
            idempotency_key: key.to_owned(),
            ..PayInvoiceRequest::default()
        };
        Ok(self.pay_invoice(organizer, req).await?.0)
    }

    /// An invoice for `amount` from the Lightning Address `address`: asked in-process when this
    /// LSP serves it, else of its LNURL-pay service over HTTPS (checked as LUD-06 says: amount
    /// within bounds, the invoice for exactly that amount, its description hash the metadata's).
    async fn lightning_address_invoice(
        &self,
        address: &str,
        amount: Msat,
    ) -> Result<String, ServerError> {
        let parsed = LightningAddress::parse(address)
            .map_err(|e| ServerError::invalid(format!("payout address: {e}")))?;
        if parsed.domain().eq_ignore_ascii_case(self.public_url.host()) {
            let answer = self
                .lnurl_pay_callback(
                    parsed.username(),
                    Some(amount.as_u64()),
                    None,
                    &self.public_url,
                    |_| true,
                )
                .await
                .map_err(|refusal| ServerError::PaymentFailed {
                    reason: format!("{address}: {}", refusal.0),
                })?;
            return answer["pr"].as_str().map(str::to_owned).ok_or_else(|| {
                ServerError::PaymentFailed {
                    reason: format!("{address}: no invoice"),
                }
            });
        }
        let refused = |reason: String| ServerError::PaymentFailed {
            reason: format!("{address}: {reason}"),
        };
        let url = parsed.to_url().map_err(|e| refused(e.to_string()))?;
        let client = reqwest::Client::builder()
            .timeout(LNURL_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| refused(e.to_string()))?;
        let get = |url: String| {
            let client = client.clone();
            async move {
                let response = client.get(url).send().await.map_err(|e| e.to_string())?;
                response.text().await.map_err(|e| e.to_string())
            }
        };
        let body = get(url.to_string()).await.map_err(refused)?;
        let pay_request = PayRequest::parse(&body).map_err(|e| refused(e.to_string()))?;
        pay_request
            .check_amount(amount)
            .map_err(|e| refused(e.to_string()))?;
        let callback = pay_request
            .callback_url(amount, None)
            .map_err(|e| refused(e.to_string()))?;
        let body = get(callback).await.map_err(refused)?;
        let answer = pay_request
            .parse_callback_response(&body)
            .map_err(|e| refused(e.to_string()))?;
        let decoded = decode_invoice(&answer.invoice, self.config.network, &SystemClock)
            .map_err(|e| refused(format!("its invoice: {e}")))?;
        verify_invoice_matches(
            &pay_request,
            amount,
            decoded.amount_msat,
            decoded.description_hash.as_deref(),
        )
        .map_err(|e| refused(e.to_string()))?;
        Ok(answer.invoice)
    }
}

/// The idempotency key of a payout's attempt.
fn payout_key(p: &TournamentPayout, attempt: u32) -> String {
    format!("{}:{}:{attempt}", p.tournament_id, p.player_id)
}

/// An entry moving to `status`, with its audit line.
fn entry_change(
    e: &EntryRecord,
    status: EntryStatus,
    action: &'static str,
    detail: Option<&str>,
) -> Change {
    let mut audit = Audit::player(
        action,
        &e.entry.player_id,
        e.entry.amount_received_msat.map(Msat::as_u64),
    );
    if let Some(d) = detail {
        audit = audit.detail(d);
    }
    Change {
        entries: vec![(e.entry.clone(), status)],
        audit: vec![audit],
        ..Change::default()
    }
}

/// Why a failed payment failed, in words.
fn failure_text(payment: &LspPayment) -> String {
    payment
        .failure_reason
        .map_or_else(|| "the payment failed".to_owned(), |r| format!("{r:?}"))
}

/// Whether an error refuses the payout for good (until retried) rather than failing to reach
/// the database or the node.
fn is_refusal(e: &ServerError) -> bool {
    !matches!(
        e,
        ServerError::Db(_) | ServerError::Node { .. } | ServerError::Entropy { .. }
    ) && !matches!(e, ServerError::Conflict { .. })
}
