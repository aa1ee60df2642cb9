//! Paying a tournament's winners: each pending payout is paid from the organizer's account
//! with the idempotency key `{tournament}:{player}:{attempt}`, and a payment already made under
//! that key (a crash between paying and recording) is adopted instead of paid again; in-flight
//! payments are followed to their end. Destinations: an account of this LSP (an invoice of it,
//! paid between accounts), a Lightning Address (served here: in-process; elsewhere: LUD-16/06
//! over HTTP(S), with the core's checks), or a node by keysend.

use std::sync::OnceLock;
use std::time::Duration;

use etrid_core::amount::Msat;
use etrid_core::invoice::decode_invoice;
use etrid_core::lnurl::{verify_invoice_matches, LightningAddress, PayRequest};
use etrid_core::lsp::{
    CreateInvoiceRequest, KeysendRequest, LspPayment, PayInvoiceRequest, PaymentStatus,
    PayoutDestination, PayoutStatus, TournamentPayout,
};
use etrid_core::platform::SystemClock;

use super::Engine;
use crate::error::ServerError;
use crate::store::{Audit, AuthContext, Change, TournamentRecord};
use crate::time::now_secs;

/// How long a Lightning Address service may take to answer.
const LNURL_TIMEOUT: Duration = Duration::from_secs(20);

/// The HTTP client of every Lightning Address payout (built once: connections are reused).
fn lnurl_client() -> Result<&'static reqwest::Client, ServerError> {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    if let Some(client) = CLIENT.get() {
        return Ok(client);
    }
    let client = reqwest::Client::builder()
        .timeout(LNURL_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| ServerError::Config {
            reason: format!("LNURL client: {e}"),
        })?;
    Ok(CLIENT.get_or_init(|| client))
}

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
        let client = lnurl_client()?;
        let get = |url: String| async move {
            let response = client.get(url).send().await.map_err(|e| e.to_string())?;
            response.text().await.map_err(|e| e.to_string())
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
