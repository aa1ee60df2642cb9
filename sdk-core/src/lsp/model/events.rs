//! Models of account events: the typed [`LspEvent`] (`{id, type, created_at, data}`) and the
//! `GET /v1/events` page.

use serde::{Deserialize, Serialize};

use super::{
    LspInvoice, LspKeysend, LspPayment, LspSwap, LspTournament, LspTransfer, LspVoucher,
    TournamentEntry, TournamentPayout,
};

/// The type of an event, as named on the wire (`invoice.paid`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventType {
    /// A hold invoice's HTLCs are held.
    #[serde(rename = "invoice.accepted")]
    InvoiceAccepted,
    /// An invoice was paid and credited.
    #[serde(rename = "invoice.paid")]
    InvoicePaid,
    /// An invoice expired unpaid.
    #[serde(rename = "invoice.expired")]
    InvoiceExpired,
    /// An invoice was cancelled.
    #[serde(rename = "invoice.cancelled")]
    InvoiceCancelled,
    /// A payment succeeded.
    #[serde(rename = "payment.succeeded")]
    PaymentSucceeded,
    /// A payment failed.
    #[serde(rename = "payment.failed")]
    PaymentFailed,
    /// A tournament changed: a seat taken or freed, funded, results, payouts, cancelled.
    #[serde(rename = "tournament.updated")]
    TournamentUpdated,
    /// A player's entry changed: joined, held, settled, refunded, expired.
    #[serde(rename = "tournament.entry")]
    TournamentEntry,
    /// A winner's payout changed: sent, succeeded, failed.
    #[serde(rename = "tournament.payout")]
    TournamentPayout,
    /// A voucher was claimed: a wallet's invoice was paid from it.
    #[serde(rename = "voucher.claimed")]
    VoucherClaimed,
    /// A voucher expired unclaimed; its value returned to the balance.
    #[serde(rename = "voucher.expired")]
    VoucherExpired,
    /// Another account of this LSP transferred to this one (a stream paying it).
    #[serde(rename = "transfer.received")]
    TransferReceived,
    /// A keysend naming one of the account's Lightning Addresses was received and credited.
    #[serde(rename = "keysend.received")]
    KeysendReceived,
    /// A swap changed status (lockup seen or confirmed, paid, claimed, settled, refunded, ...).
    #[serde(rename = "swap.updated")]
    SwapUpdated,
}

impl EventType {
    /// The type's wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::InvoiceAccepted => "invoice.accepted",
            EventType::InvoicePaid => "invoice.paid",
            EventType::InvoiceExpired => "invoice.expired",
            EventType::InvoiceCancelled => "invoice.cancelled",
            EventType::PaymentSucceeded => "payment.succeeded",
            EventType::PaymentFailed => "payment.failed",
            EventType::TournamentUpdated => "tournament.updated",
            EventType::TournamentEntry => "tournament.entry",
            EventType::TournamentPayout => "tournament.payout",
            EventType::VoucherClaimed => "voucher.claimed",
            EventType::VoucherExpired => "voucher.expired",
            EventType::TransferReceived => "transfer.received",
            EventType::KeysendReceived => "keysend.received",
            EventType::SwapUpdated => "swap.updated",
        }
    }

    /// Every event type, in documentation order.
    pub const ALL: [EventType; 14] = [
        EventType::InvoiceAccepted,
        EventType::InvoicePaid,
        EventType::InvoiceExpired,
        EventType::InvoiceCancelled,
        EventType::PaymentSucceeded,
        EventType::PaymentFailed,
        EventType::TournamentUpdated,
        EventType::TournamentEntry,
        EventType::TournamentPayout,
        EventType::VoucherClaimed,
        EventType::VoucherExpired,
        EventType::TransferReceived,
        EventType::KeysendReceived,
        EventType::SwapUpdated,
    ];

    /// The type named `name`, or `None` for a name this client does not know.
    pub fn from_name(name: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

/// What an event is about: its type and the object it carries (`type` and `data` on the wire).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum EventPayload {
    /// `invoice.accepted`: a hold invoice's HTLCs are held.
    #[serde(rename = "invoice.accepted")]
    InvoiceAccepted(LspInvoice),
    /// `invoice.paid`.
    #[serde(rename = "invoice.paid")]
    InvoicePaid(LspInvoice),
    /// `invoice.expired`.
    #[serde(rename = "invoice.expired")]
    InvoiceExpired(LspInvoice),
    /// `invoice.cancelled`.
    #[serde(rename = "invoice.cancelled")]
    InvoiceCancelled(LspInvoice),
    /// `payment.succeeded`.
    #[serde(rename = "payment.succeeded")]
    PaymentSucceeded(LspPayment),
    /// `payment.failed`.
    #[serde(rename = "payment.failed")]
    PaymentFailed(LspPayment),
    /// `tournament.updated`.
    #[serde(rename = "tournament.updated")]
    TournamentUpdated(LspTournament),
    /// `tournament.entry`.
    #[serde(rename = "tournament.entry")]
    TournamentEntry(TournamentEntry),
    /// `tournament.payout`.
    #[serde(rename = "tournament.payout")]
    TournamentPayout(TournamentPayout),
    /// `voucher.claimed`.
    #[serde(rename = "voucher.claimed")]
    VoucherClaimed(LspVoucher),
    /// `voucher.expired`.
    #[serde(rename = "voucher.expired")]
    VoucherExpired(LspVoucher),
    /// `transfer.received`.
    #[serde(rename = "transfer.received")]
    TransferReceived(LspTransfer),
    /// `keysend.received`.
    #[serde(rename = "keysend.received")]
    KeysendReceived(LspKeysend),
    /// `swap.updated`.
    #[serde(rename = "swap.updated")]
    SwapUpdated(LspSwap),
}

/// One account event. Ids strictly increase per account, so `after=<id>` resumes exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LspEvent {
    /// Event id, strictly increasing per account.
    pub id: u64,
    /// When it happened, unix seconds.
    pub created_at: u64,
    /// The type and the invoice or payment as of the event.
    #[serde(flatten)]
    pub payload: EventPayload,
}

impl LspEvent {
    /// The event's type.
    pub fn event_type(&self) -> EventType {
        LspEvent::type_of(&self.payload)
    }

    /// The type of an event carrying `payload`.
    pub fn type_of(payload: &EventPayload) -> EventType {
        match payload {
            EventPayload::InvoiceAccepted(_) => EventType::InvoiceAccepted,
            EventPayload::InvoicePaid(_) => EventType::InvoicePaid,
            EventPayload::InvoiceExpired(_) => EventType::InvoiceExpired,
            EventPayload::InvoiceCancelled(_) => EventType::InvoiceCancelled,
            EventPayload::PaymentSucceeded(_) => EventType::PaymentSucceeded,
            EventPayload::PaymentFailed(_) => EventType::PaymentFailed,
            EventPayload::TournamentUpdated(_) => EventType::TournamentUpdated,
            EventPayload::TournamentEntry(_) => EventType::TournamentEntry,
            EventPayload::TournamentPayout(_) => EventType::TournamentPayout,
            EventPayload::VoucherClaimed(_) => EventType::VoucherClaimed,
            EventPayload::VoucherExpired(_) => EventType::VoucherExpired,
            EventPayload::TransferReceived(_) => EventType::TransferReceived,
            EventPayload::KeysendReceived(_) => EventType::KeysendReceived,
            EventPayload::SwapUpdated(_) => EventType::SwapUpdated,
        }
    }

    /// The invoice an `invoice.*` event carries.
    pub fn invoice(&self) -> Option<&LspInvoice> {
        match &self.payload {
            EventPayload::InvoiceAccepted(i)
            | EventPayload::InvoicePaid(i)
            | EventPayload::InvoiceExpired(i)
            | EventPayload::InvoiceCancelled(i) => Some(i),
            _ => None,
        }
    }

    /// The payment a `payment.*` event carries.
    pub fn payment(&self) -> Option<&LspPayment> {
        match &self.payload {
            EventPayload::PaymentSucceeded(p) | EventPayload::PaymentFailed(p) => Some(p),
            _ => None,
        }
    }

    /// The voucher a `voucher.*` event carries.
    pub fn voucher(&self) -> Option<&LspVoucher> {
        match &self.payload {
            EventPayload::VoucherClaimed(v) | EventPayload::VoucherExpired(v) => Some(v),
            _ => None,
        }
    }

    /// The transfer a `transfer.received` event carries.
    pub fn transfer(&self) -> Option<&LspTransfer> {
        match &self.payload {
            EventPayload::TransferReceived(t) => Some(t),
            _ => None,
        }
    }

    /// The keysend a `keysend.received` event carries.
    pub fn keysend(&self) -> Option<&LspKeysend> {
        match &self.payload {
            EventPayload::KeysendReceived(k) => Some(k),
            _ => None,
        }
    }

    /// The swap a `swap.updated` event carries.
    pub fn swap(&self) -> Option<&LspSwap> {
        match &self.payload {
            EventPayload::SwapUpdated(s) => Some(s),
            _ => None,
        }
    }

    /// The tournament a `tournament.updated` event carries.
    pub fn tournament(&self) -> Option<&LspTournament> {
        match &self.payload {
            EventPayload::TournamentUpdated(t) => Some(t),
            _ => None,
        }
    }
}

/// Query of `GET /v1/events`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListEventsRequest {
    /// Only events with id > after (from the oldest retained when `None`).
    pub after: Option<u64>,
    /// Page size, 1 to 100.
    pub limit: Option<u32>,
}

/// Events with id > after, ascending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventList {
    /// The events, ascending by id.
    pub items: Vec<LspEvent>,
    /// More follow: ask again with `after` = the last id.
    pub has_more: bool,
}
