//! Paying a [`PayoutDestination`] from an account: what tournament payouts and recurring
//! schedules share. An account of this LSP is paid through an invoice of it (between accounts,
//! at once); a Lightning Address served here in-process, any other over LUD-16/06 with the
//! core's checks (bounds, amount, description hash); a node by keysend. The caller's
//! idempotency key makes each payment once.

use std::sync::OnceLock;
use std::time::Duration;

use etrid_core::amount::Msat;
use etrid_core::invoice::decode_invoice;
use etrid_core::lnurl::{verify_invoice_matches, LightningAddress, PayRequest};
use etrid_core::lsp::{
    CreateInvoiceRequest, CustomRecord, KeysendRequest, LspPayment, PayInvoiceRequest,
    PayoutDestination,
};
use etrid_core::platform::SystemClock;

use super::Engine;
use crate::error::ServerError;
use crate::store::{AuthContext, StoreError};

/// How long a Lightning Address service may take to answer.
const LNURL_TIMEOUT: Duration = Duration::from_secs(20);

/// The HTTP client of every Lightning Address payment (built once: connections are reused).
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

/// Whether an error refuses the payment for good (until tried again) rather than failing to
/// reach the database or the node.
pub(super) fn is_refusal(e: &ServerError) -> bool {
    !matches!(
        e,
        ServerError::Db(_) | ServerError::Node { .. } | ServerError::Entropy { .. }
    ) && !matches!(e, ServerError::Conflict { .. })
}

impl Engine {
    /// Checks that an account destination exists on this LSP and is not the payer's
    /// (`field` names it in the error).
    ///
    /// # Errors
    /// `invalid_request`.
    pub(super) async fn check_destination(
        &self,
        payer: &str,
        destination: &PayoutDestination,
        field: &str,
    ) -> Result<(), ServerError> {
        let PayoutDestination::Account { account_id } = destination else {
            return Ok(());
        };
        if account_id == payer {
            return Err(ServerError::invalid(format!(
                "{field}.account_id: is the paying account itself"
            )));
        }
        match self.store.balance(account_id).await {
            Ok(_) => Ok(()),
            Err(StoreError::NotFound { .. }) => Err(ServerError::invalid(format!(
                "{field}.account_id: no account {account_id} on this LSP"
            ))),
            Err(e) => Err(e.into()),
        }
    }

    /// Pays `amount` to `destination` from `payer` under the idempotency key `key`, the
    /// payee's invoice described by `description`; a keysend carries `records`.
    ///
    /// # Errors
    /// The payment's errors; `payment_failed` when a Lightning Address cannot be paid.
    pub(super) async fn pay_destination(
        &self,
        payer: &AuthContext,
        destination: &PayoutDestination,
        amount: Msat,
        key: &str,
        description: String,
        records: Vec<CustomRecord>,
    ) -> Result<LspPayment, ServerError> {
        let bolt11 = match destination {
            PayoutDestination::Keysend { node_id } => {
                let req = KeysendRequest {
                    destination: *node_id,
                    amount_msat: amount,
                    custom_records: records,
                    max_fee_msat: None,
                    max_parts: None,
                    timeout_secs: None,
                    idempotency_key: key.to_owned(),
                };
                return Ok(self.keysend(payer, req).await?.0);
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
            PayoutDestination::Voucher => {
                return Err(ServerError::invalid(
                    "a voucher destination is not paid: the prize is put in a voucher",
                ))
            }
        };
        let req = PayInvoiceRequest {
            bolt11,
            idempotency_key: key.to_owned(),
            ..PayInvoiceRequest::default()
        };
        Ok(self.pay_invoice(payer, req).await?.0)
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
