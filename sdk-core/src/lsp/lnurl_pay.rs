//! Paying a Lightning Address or an LNURL-pay code through the LSP (LUD-06, LUD-16, LUD-12,
//! LUD-09): resolve, ask the service for its terms, check the amount and comment against them,
//! ask for an invoice, check that invoice commits to the service's metadata and is for exactly
//! the amount asked, then pay it from the account. Nothing is paid unless every check passes,
//! and the API key is never sent to the service.
//!
//! When the address is another account's of the same LSP, the payment settles inside the LSP
//! at once (S21).

use serde::{Deserialize, Serialize};

use crate::amount::Msat;
use crate::lnurl::{
    decode_lnurl, verify_invoice_matches, LightningAddress, PayRequest, SuccessAction,
};
use crate::timer::Timer;
use crate::transport::Transport;

use super::{LspClient, LspError, LspPayment, PayInvoiceRequest};

/// What to pay, to whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayLnurlRequest {
    /// A Lightning Address (`name@host`) or an LNURL-pay code (`LNURL1…`, `lnurlp://…`).
    pub target: String,
    /// The amount the payee receives.
    pub amount_msat: Msat,
    /// A comment for the payee (LUD-12), if the service accepts one.
    #[serde(default)]
    pub comment: Option<String>,
    /// The payment's idempotency key: one key, one payment.
    pub idempotency_key: String,
    /// The most routing fee to pay (default: the payment policy's).
    #[serde(default)]
    pub max_fee_msat: Option<Msat>,
}

/// A payment made to a Lightning Address or LNURL-pay service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LnurlPayment {
    /// The payment, as the LSP reported it (`succeeded` at once for an address of the same
    /// LSP; otherwise `pending` until its event).
    pub payment: LspPayment,
    /// The service's terms it was made under.
    pub pay_request: PayRequest,
    /// What to show the payer once the payment succeeded (LUD-09, LUD-10).
    pub success_action: Option<SuccessAction>,
    /// An AES action's plaintext, decrypted with the preimage when the payment already
    /// succeeded (an address of the same LSP); otherwise `None`: once the payment's event
    /// brings the preimage, call [`SuccessAction::decrypt`]. Also `None` when the service's
    /// ciphertext does not decrypt (show nothing then).
    pub decrypted: Option<String>,
}

impl<T: Transport, M: Timer> LspClient<T, M> {
    /// Pays `request.target` `request.amount_msat` from the account (admin scope).
    ///
    /// # Errors
    /// [`LspError::Lnurl`] when the target is not a Lightning Address or LNURL-pay, the service
    /// refuses or answers something invalid, the amount is outside its bounds, the comment too
    /// long, or its invoice does not match (amount, description hash); [`LspError::Invoice`]
    /// for an invoice for another network or expired; the LSP's errors for the payment itself.
    pub async fn pay_lnurl(&self, request: PayLnurlRequest) -> Result<LnurlPayment, LspError> {
        let url = if request.target.contains('@') {
            LightningAddress::parse(&request.target)?.to_url()?
        } else {
            decode_lnurl(&request.target)?
        };
        let terms = self.get_external(url.as_str()).await?;
        let pay_request = PayRequest::parse(&String::from_utf8_lossy(&terms.body))?;
        let callback = pay_request.callback_url(request.amount_msat, request.comment.as_deref())?;
        let offered = self.get_external(&callback).await?;
        let answer =
            pay_request.parse_callback_response(&String::from_utf8_lossy(&offered.body))?;
        let prepared = self.prepare_pay_invoice(PayInvoiceRequest {
            bolt11: answer.invoice,
            idempotency_key: request.idempotency_key,
            max_fee_msat: request.max_fee_msat,
            ..PayInvoiceRequest::default()
        })?;
        verify_invoice_matches(
            &pay_request,
            request.amount_msat,
            prepared.invoice().amount_msat,
            prepared.invoice().description_hash.as_deref(),
        )?;
        let payment = self.pay(prepared).await?;
        // Paid already: nothing after this may fail the call.
        let decrypted = match (&answer.success_action, payment.preimage) {
            (Some(action), Some(preimage)) => action.decrypt(&preimage.to_bytes()).ok().flatten(),
            _ => None,
        };
        Ok(LnurlPayment {
            payment,
            pay_request,
            success_action: answer.success_action,
            decrypted,
        })
    }
}
