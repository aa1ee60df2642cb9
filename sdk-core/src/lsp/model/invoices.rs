//! Models of the invoice operations: create (standard and hold), get, list, cancel, settle.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{DescriptionHash, PaymentHash, Preimage};
use crate::amount::Msat;

/// Body of `POST /v1/invoices`: a standard invoice the server settles on arrival.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateInvoiceRequest {
    /// Amount to request; `None` for an any-amount invoice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_msat: Option<Msat>,
    /// Description put in the invoice (at most 639 bytes); exclusive with `description_hash`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// SHA-256 of a longer description; exclusive with `description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_hash: Option<DescriptionHash>,
    /// Seconds the invoice stays payable (server default 3600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry_secs: Option<u64>,
    /// Idempotency id: creating twice with the same `external_id` returns the same invoice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Free JSON object stored with the invoice and returned as is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
    /// A fiat quote (`POST /v1/quotes`) to price the invoice: its amount is the quote's, its
    /// expiry at most the quote's; exclusive with `amount_msat`. Refused with `quote_expired`
    /// or `slippage_exceeded` (quote again), never charged at another rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote_id: Option<String>,
}

/// Body of `POST /v1/hold-invoices`: an invoice for a payment hash whose preimage the account
/// keeps, settled or cancelled later (escrow).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateHoldInvoiceRequest {
    /// SHA-256 of the preimage the account keeps.
    pub payment_hash: PaymentHash,
    /// Amount to request; `None` for an any-amount invoice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_msat: Option<Msat>,
    /// Description put in the invoice; exclusive with `description_hash`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// SHA-256 of a longer description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_hash: Option<DescriptionHash>,
    /// Seconds the invoice stays payable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry_secs: Option<u64>,
    /// Idempotency id, as for standard invoices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Free JSON object stored with the invoice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
}

impl CreateHoldInvoiceRequest {
    /// A hold invoice request for `payment_hash`, every other field at its default.
    pub fn new(payment_hash: PaymentHash) -> CreateHoldInvoiceRequest {
        CreateHoldInvoiceRequest {
            payment_hash,
            amount_msat: None,
            description: None,
            description_hash: None,
            expiry_secs: None,
            external_id: None,
            metadata: None,
        }
    }
}

/// Body of `POST /v1/hold-invoices/{id}/settle`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettleHoldInvoiceRequest {
    /// The preimage; its SHA-256 must be the invoice's payment hash.
    pub preimage: Preimage,
}

/// Query of `GET /v1/invoices`: filters and paging, all optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListInvoicesRequest {
    /// Only invoices in this status.
    pub status: Option<InvoiceStatus>,
    /// Only invoices created at or after this unix second.
    pub created_after: Option<u64>,
    /// Only invoices created before this unix second.
    pub created_before: Option<u64>,
    /// Page size, 1 to 100 (server default 50).
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The state of an invoice. `Paid`, `Expired` and `Cancelled` are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    /// Payable.
    Open,
    /// A hold invoice whose HTLCs are held until it is settled or cancelled.
    Accepted,
    /// Settled and credited to the account.
    Paid,
    /// No longer payable.
    Expired,
    /// Cancelled by the account, or (hold) by the server before the HTLC deadline.
    Cancelled,
}

impl InvoiceStatus {
    /// The status as it appears in JSON and query strings.
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Open => "open",
            InvoiceStatus::Accepted => "accepted",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Expired => "expired",
            InvoiceStatus::Cancelled => "cancelled",
        }
    }

    /// Whether the invoice can no longer change.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            InvoiceStatus::Paid | InvoiceStatus::Expired | InvoiceStatus::Cancelled
        )
    }
}

/// Whether the server or the account holds the preimage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceKind {
    /// The server knows the preimage and settles on arrival.
    Standard,
    /// The account supplies the preimage later.
    Hold,
}

/// An invoice of the account (an incoming payment), as the LSP reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LspInvoice {
    /// Opaque invoice id.
    pub id: String,
    /// Standard or hold.
    pub kind: InvoiceKind,
    /// Current state.
    pub status: InvoiceStatus,
    /// The BOLT11 invoice to show the payer.
    pub bolt11: String,
    /// Payment hash.
    pub payment_hash: PaymentHash,
    /// Requested amount; `None` for an any-amount invoice.
    pub amount_msat: Option<Msat>,
    /// Amount actually received, once accepted or paid.
    pub amount_received_msat: Option<Msat>,
    /// Description, if the invoice has one.
    pub description: Option<String>,
    /// Description hash, if the invoice has one.
    pub description_hash: Option<DescriptionHash>,
    /// The caller's `external_id`, if given.
    pub external_id: Option<String>,
    /// The metadata given at creation.
    pub metadata: Option<Map<String, Value>>,
    /// Creation time, unix seconds.
    pub created_at: u64,
    /// First unix second at which the invoice is no longer payable.
    pub expires_at: u64,
    /// When a hold invoice's HTLCs were accepted.
    pub accepted_at: Option<u64>,
    /// When the invoice was settled.
    pub paid_at: Option<u64>,
    /// When the invoice was cancelled.
    pub cancelled_at: Option<u64>,
    /// Accepted hold invoices: when the server cancels by itself, before the HTLC deadline.
    pub hold_expires_at: Option<u64>,
}

/// A page of invoices, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceList {
    /// The page's invoices.
    pub items: Vec<LspInvoice>,
    /// Pass as `cursor` for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}
