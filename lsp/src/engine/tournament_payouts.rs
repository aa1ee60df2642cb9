//! Paying a tournament's winners: each pending payout is paid from the organizer's account
//! with the idempotency key `{tournament}:{player}:{attempt}`, and a payment already made under
//! that key (a crash between paying and recording) is adopted instead of paid again; in-flight
//! payments are followed to their end. Destinations are paid as `destinations` does it.

use etrid_core::lsp::{
    CreateVouchersRequest, LspPayment, PaymentStatus, PayoutDestination, PayoutStatus,
    TournamentPayout,
};

use super::destinations::is_refusal;
use super::Engine;
use crate::error::ServerError;
use crate::store::{Audit, AuthContext, Change, TournamentRecord};
use crate::time::now_secs;

impl Engine {
    /// Sends one pending payout (or adopts the payment an earlier run made under its key), or
    /// follows an in-flight one; returns whether it changed.
    pub(super) async fn advance_payout(
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
            PayoutStatus::Pending if p.destination == PayoutDestination::Voucher => {
                return self.payout_voucher(rec, &organizer, p).await;
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

    /// Puts a prize in a voucher of the organizer's (its batch's idempotency key is the
    /// attempt's, so a crash before recording finds the same voucher): the payout succeeds with
    /// the voucher's id and LNURL, for the organizer to hand the winner.
    async fn payout_voucher(
        &self,
        rec: &TournamentRecord,
        organizer: &AuthContext,
        p: TournamentPayout,
    ) -> Result<bool, ServerError> {
        let attempt = p.attempts + 1;
        let request = CreateVouchersRequest {
            description: Some(format!("Prize: {}, rank {}", rec.tournament.name, p.rank)),
            ..CreateVouchersRequest::new(p.amount_msat, payout_key(&p, attempt))
        };
        let mut after = p.clone();
        after.attempts = attempt;
        after.updated_at = now_secs();
        let amount = Some(p.amount_msat.as_u64());
        let created = self
            .create_vouchers(organizer, request, &self.public_url)
            .await
            .and_then(|(batch, _)| {
                batch
                    .vouchers
                    .into_iter()
                    .next()
                    .ok_or_else(|| ServerError::conflict("the prize's voucher batch is empty"))
            });
        let audit = match created {
            Ok(voucher) => {
                after.status = PayoutStatus::Succeeded;
                after.failure_reason = None;
                after.voucher_id = Some(voucher.id.clone());
                after.voucher_lnurl = Some(voucher.lnurl);
                Audit::player("payout_voucher", &p.player_id, amount)
                    .detail(format!("voucher {}", voucher.id))
            }
            Err(e) if is_refusal(&e) => {
                after.status = PayoutStatus::Failed;
                after.failure_reason = Some(e.to_string());
                Audit::player("payout_failed", &p.player_id, amount).detail(e.to_string())
            }
            Err(e) => return Err(e),
        };
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
        let description = format!("Prize: {}, rank {}", rec.tournament.name, p.rank);
        self.pay_destination(
            organizer,
            &p.destination,
            p.amount_msat,
            key,
            description,
            Vec::new(),
        )
        .await
    }
}

/// The idempotency key of a payout's attempt.
fn payout_key(p: &TournamentPayout, attempt: u32) -> String {
    format!("{}:{}:{attempt}", p.tournament_id, p.player_id)
}

/// Why a failed payment failed, in words.
fn failure_text(payment: &LspPayment) -> String {
    payment
        .failure_reason
        .map_or_else(|| "the payment failed".to_owned(), |r| format!("{r:?}"))
}
