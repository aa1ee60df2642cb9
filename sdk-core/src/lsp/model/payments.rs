//! Models of the payment operations (BOLT11 and keysend sends, get, list) and of the account's
//! balance and ledger.

use serde::{Deserialize, Serialize};

use super::{HexBytes, NodeId, PaymentHash, Preimage};
use crate::amount::Msat;

/// Body of `POST /v1/payments/bolt11`. Build it, hand it to
/// [`LspClient::prepare_pay_invoice`](crate::lsp::LspClient::prepare_pay_invoice), then pay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayInvoiceRequest {
    /// The BOLT11 invoice to pay.
    pub bolt11: String,
    /// Amount to pay: required for an any-amount invoice, refused for one with an amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_msat: Option<Msat>,
    /// Most routing fee to pay (default from the client's payment policy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_fee_msat: Option<Msat>,
    /// Most multi-path parts (default from the client's payment policy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_parts: Option<u32>,
    /// Stop retrying after this many seconds (server default 60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_secs: Option<u64>,
    /// Required: a retry with the same key never pays twice.
    pub idempotency_key: String,
}

/// One custom TLV record of a keysend payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomRecord {
    /// TLV type, at least 65536 (the custom range).
    #[serde(rename = "type")]
    pub record_type: u64,
    /// Value (lower-case hex on the wire).
    pub value: HexBytes,
}

/// Body of `POST /v1/payments/keysend`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeysendRequest {
    /// Recipient node.
    pub destination: NodeId,
    /// Amount to send, more than zero.
    pub amount_msat: Msat,
    /// Custom TLV records to include.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_records: Vec<CustomRecord>,
    /// Most routing fee to pay (default from the client's payment policy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_fee_msat: Option<Msat>,
    /// Most multi-path parts (default from the client's payment policy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_parts: Option<u32>,
    /// Stop retrying after this many seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_secs: Option<u64>,
    /// Required: a retry with the same key never pays twice.
    pub idempotency_key: String,
}

impl KeysendRequest {
    /// A keysend of `amount_msat` to `destination` under `idempotency_key`, without records
    /// and with the policy's defaults.
    pub fn new(
        destination: NodeId,
        amount_msat: Msat,
        idempotency_key: impl Into<String>,
    ) -> KeysendRequest {
        KeysendRequest {
            destination,
            amount_msat,
            custom_records: Vec::new(),
            max_fee_msat: None,
            max_parts: None,
            timeout_secs: None,
            idempotency_key: idempotency_key.into(),
        }
    }
}

/// Query of `GET /v1/payments`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListPaymentsRequest {
    /// Only payments in this status.
    pub status: Option<PaymentStatus>,
    /// Only payments created at or after this unix second.
    pub created_after: Option<u64>,
    /// Only payments created before this unix second.
    pub created_before: Option<u64>,
    /// Page size, 1 to 100.
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The state of an outgoing payment. `Succeeded` and `Failed` are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// In flight; amount plus maximum fee are reserved.
    Pending,
    /// Delivered; the preimage is known.
    Succeeded,
    /// Not delivered; the reservation was released.
    Failed,
}

impl PaymentStatus {
    /// The status as it appears in JSON and query strings.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Pending => "pending",
            PaymentStatus::Succeeded => "succeeded",
            PaymentStatus::Failed => "failed",
        }
    }
}

/// How a payment was addressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentKind {
    /// To a BOLT11 invoice.
    Bolt11,
    /// Spontaneous, to a node public key.
    Keysend,
    /// To another account of this LSP without an invoice (a stream paying an account): settled
    /// inside the LSP at once, no fee; the payee sees a `transfer.received` event and a ledger
    /// credit referring to this payment's id. Its hash is of a preimage the LSP draws, so every
    /// payment has one, as a keysend does.
    Transfer,
}

/// Why a payment failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentFailureReason {
    /// No route within the fee and part limits.
    RouteNotFound,
    /// The recipient failed the payment back.
    RecipientRejected,
    /// Every route tried failed.
    RetriesExhausted,
    /// `timeout_secs` passed.
    Timeout,
    /// The invoice expired while paying.
    InvoiceExpired,
    /// The recipient requires features the node lacks.
    UnknownRequiredFeatures,
    /// The payment was abandoned.
    Abandoned,
    /// An unexpected server or node error.
    InternalError,
}

/// One successful HTLC of a (multi-path) payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentPart {
    /// Amount this part delivered.
    pub amount_msat: Msat,
    /// Routing fee this part paid.
    pub fee_msat: Msat,
}

/// An outgoing payment of the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LspPayment {
    /// Opaque payment id.
    pub id: String,
    /// BOLT11 or keysend.
    pub kind: PaymentKind,
    /// Current state.
    pub status: PaymentStatus,
    /// Amount delivered to the recipient, fees excluded.
    pub amount_msat: Msat,
    /// Routing fee paid; `None` until succeeded.
    pub fee_msat: Option<Msat>,
    /// The fee limit in force.
    pub max_fee_msat: Msat,
    /// Payment hash.
    pub payment_hash: PaymentHash,
    /// Proof of payment once succeeded.
    pub preimage: Option<Preimage>,
    /// Recipient node.
    pub destination: NodeId,
    /// The invoice paid (BOLT11 payments).
    pub bolt11: Option<String>,
    /// The request's idempotency key.
    pub idempotency_key: String,
    /// Custom TLV records sent (keysend).
    #[serde(default)]
    pub custom_records: Vec<CustomRecord>,
    /// Successful parts; empty until succeeded.
    #[serde(default)]
    pub parts: Vec<PaymentPart>,
    /// Settled inside the LSP: the invoice was another account's of the same LSP, so no HTLC
    /// left the node, no fee was paid, and it succeeded at once (the payee's `invoice.paid` and
    /// this `payment.succeeded` were committed together).
    #[serde(default)]
    pub internal: bool,
    /// Why it failed, if it did.
    pub failure_reason: Option<PaymentFailureReason>,
    /// Creation time, unix seconds.
    pub created_at: u64,
    /// When it succeeded or failed.
    pub completed_at: Option<u64>,
}

/// A page of payments, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentList {
    /// The page's payments.
    pub items: Vec<LspPayment>,
    /// Pass as `cursor` for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// The account's balance: `available = credits - debits - reserved`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    /// Spendable now.
    pub available_msat: Msat,
    /// Held for pending payments (amount plus maximum fee each).
    pub reserved_msat: Msat,
}

/// What a ledger entry does to the balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerEntryKind {
    /// Received (an invoice paid).
    Credit,
    /// Paid out (amount plus fee of a payment).
    Debit,
    /// Held for a pending payment.
    Reserve,
    /// A reservation returned.
    Release,
}

/// What a ledger entry refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerReferenceType {
    /// An invoice of the account.
    Invoice,
    /// A payment of the account.
    Payment,
    /// A manual adjustment by the operator.
    Adjustment,
    /// A voucher of the account: its value set aside (reserve) and returned (release).
    Voucher,
    /// A transfer received from another account of this LSP: `reference_id` is the transfer's
    /// id (the payer's payment id), as in the `transfer.received` event.
    Transfer,
    /// A keysend received through one of the account's Lightning Addresses: `reference_id` is
    /// the keysend's id, as in the `keysend.received` event.
    Keysend,
}

/// A transfer another account of this LSP made to this one without an invoice (a stream paying
/// an account), as the payee sees it in its `transfer.received` event. The payer sees the same
/// transfer as a payment of kind `transfer` with this id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LspTransfer {
    /// The transfer's id: the payer's payment id, and the `reference_id` of the payee's
    /// ledger credit.
    pub id: String,
    /// Amount credited.
    pub amount_msat: Msat,
    /// What it pays for, as the payer described it.
    pub description: Option<String>,
    /// The payer's stream it belongs to, when a stream made it.
    pub stream_id: Option<String>,
    /// Its sequence within that stream (from 1), when a stream made it.
    pub stream_sequence: Option<u64>,
    /// When it was credited, unix seconds.
    pub created_at: u64,
}

/// A keysend payment the LSP's node received for this account, as the account sees it in its
/// `keysend.received` event: a payment without an invoice that named one of the account's
/// Lightning Addresses in TLV record [`KEYSEND_ADDRESS_RECORD_TYPE`] (696969).
///
/// [`KEYSEND_ADDRESS_RECORD_TYPE`]: super::limits::KEYSEND_ADDRESS_RECORD_TYPE
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LspKeysend {
    /// The keysend's id: the `reference_id` of the account's ledger credit.
    pub id: String,
    /// The payment hash (the SHA-256 of the preimage the payer chose).
    pub payment_hash: PaymentHash,
    /// Amount credited: what arrived, all parts together.
    pub amount_msat: Msat,
    /// The Lightning Address the payment named: `name` or `name+tag` (the part before `@`).
    pub address: String,
    /// Every custom TLV record the payment carried (696969 included), by type ascending.
    pub custom_records: Vec<CustomRecord>,
    /// When it was credited, unix seconds.
    pub received_at: u64,
}

/// One immutable entry of the account's ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// Opaque entry id.
    pub id: String,
    /// Credit, debit, reserve or release.
    pub kind: LedgerEntryKind,
    /// Amount (always positive; `kind` gives the direction).
    pub amount_msat: Msat,
    /// What the entry refers to.
    pub reference_type: LedgerReferenceType,
    /// The id of that invoice, payment or adjustment.
    pub reference_id: String,
    /// Optional note.
    pub description: Option<String>,
    /// Entry time, unix seconds.
    pub created_at: u64,
}

/// Query of `GET /v1/ledger`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListLedgerRequest {
    /// Only entries created at or after this unix second.
    pub created_after: Option<u64>,
    /// Only entries created before this unix second.
    pub created_before: Option<u64>,
    /// Page size, 1 to 100.
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A page of ledger entries, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerList {
    /// The page's entries.
    pub items: Vec<LedgerEntry>,
    /// Pass as `cursor` for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}
