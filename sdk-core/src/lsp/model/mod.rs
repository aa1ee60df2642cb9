//! The LSP API's request and response models, one file per operation family, matching the
//! schemas of `lsp/openapi.json` field for field (a unit test checks it).
//!
//! This module is the contract between the SDK and the server, written once: the server
//! (`lsp/`) deserialises requests into and serialises answers from these very types, answers
//! errors with [`ApiErrorCode`], checks requests with [`Validate`] against [`limits`], and the
//! client does the same before sending.
//!
//! Conventions: snake_case JSON names; amounts are [`Msat`](crate::amount::Msat) (a JSON
//! integer of millisatoshis) named `*_msat`; timestamps are unix seconds named `*_at`; ids are
//! opaque strings (event ids are integers); hashes, preimages, keys and TLV values are the hex
//! newtypes of [`hex`](self::PaymentHash), exactly lower-case hex. Optional request fields are
//! omitted when `None`; nullable response fields are `null` when absent.

mod addresses;
mod codes;
mod events;
mod hex;
mod invoices;
mod keys;
pub mod limits;
mod node;
mod payments;
mod quotes;
mod schedules;
mod streams;
mod swaps;
mod tournaments;
mod validate;
mod vouchers;
mod webhooks;

pub use addresses::{CreateLightningAddressRequest, LightningAddressList, LspLightningAddress};
pub use codes::ApiErrorCode;
pub use hex::{
    decode_hex, encode_hex, ChannelId, DescriptionHash, HexBytes, HexError, NodeId, PaymentHash,
    Preimage, PublicKeyHex, Txid,
};
pub use validate::{check_page_limit, RequestError, Validate};

pub use events::{EventList, EventPayload, EventType, ListEventsRequest, LspEvent};
pub use invoices::{
    CreateHoldInvoiceRequest, CreateInvoiceRequest, InvoiceKind, InvoiceList, InvoiceStatus,
    ListInvoicesRequest, LspInvoice, SettleHoldInvoiceRequest,
};
pub use keys::{ApiKey, ApiKeyList, ApiKeyScope, CreateApiKeyRequest, CreateApiKeyResponse};
pub use node::{Channel, ChannelList, Health, HealthStatus, LiquiditySummary, NodeInfo};
pub use payments::{
    Balance, CustomRecord, KeysendRequest, LedgerEntry, LedgerEntryKind, LedgerList,
    LedgerReferenceType, ListLedgerRequest, ListPaymentsRequest, LspKeysend, LspPayment,
    LspTransfer, PayInvoiceRequest, PaymentFailureReason, PaymentKind, PaymentList, PaymentPart,
    PaymentStatus,
};
pub use quotes::{
    CreateQuoteRequest, LspQuote, DEFAULT_MAX_SLIPPAGE_BPS, DEFAULT_QUOTE_TTL_SECS,
    MAX_FIAT_DIGITS, MAX_QUOTE_TTL_SECS, MAX_SLIPPAGE_BPS,
};
pub use schedules::{
    CreateScheduleRequest, LspSchedule, RunStatus, ScheduleList, ScheduleRun, ScheduleRunList,
    ScheduleStatus, MAX_SCHEDULE_DESCRIPTION_BYTES,
};
pub use streams::{
    CreateStreamRequest, LspStream, StreamKey, StreamList, DEFAULT_STREAM_MIN_PAYMENT_MSAT,
    MAX_STREAM_TICK_MS, MIN_STREAM_TICK_MS, STREAM_ID_RECORD_TYPE, STREAM_KEY_PREFIX,
    STREAM_SEQUENCE_RECORD_TYPE,
};
pub use swaps::{
    CreateReverseSwapRequest, CreateSubmarineSwapRequest, LspSwap, SwapInfo, SwapKind, SwapList,
    SwapStatus, MAX_SWAP_INVOICE_LEN,
};
pub use tournaments::{
    CreateTournamentRequest, EntryStatus, JoinTournamentRequest, LspTournament, PayoutDestination,
    PayoutStatus, PublicPlayer, PublicTournament, TournamentAuditEntry, TournamentAuditLog,
    TournamentEntry, TournamentEntryList, TournamentList, TournamentPayout, TournamentPayoutList,
    TournamentResultsRequest, TournamentStatus, MAX_JOIN_WINDOW_SECS, MAX_PLAYER_ID_LEN,
    MAX_TOURNAMENT_NAME_BYTES, MAX_TOURNAMENT_SEATS,
};
pub use vouchers::{
    CreateVouchersRequest, ListVouchersRequest, LspVoucher, VoucherBatch, VoucherList,
    VoucherStatus, DEFAULT_VOUCHER_EXPIRY_SECS, MAX_VOUCHER_BATCH, MAX_VOUCHER_DESCRIPTION_BYTES,
    MAX_VOUCHER_EXPIRY_SECS, MIN_VOUCHER_EXPIRY_SECS, MIN_VOUCHER_MSAT,
};
pub use webhooks::{
    CreateWebhookRequest, CreateWebhookResponse, DeliveryStatus, ListPageRequest, Webhook,
    WebhookDelivery, WebhookDeliveryList, WebhookList,
};

use serde::{Deserialize, Serialize};

/// The body of every error response: a stable snake_case `code` and a human `message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorResponse {
    /// The stable error code, e.g. `insufficient_balance` (listed in `lsp/API.md`).
    pub code: ApiErrorCode,
    /// A human-readable explanation; may change, never parse it.
    pub message: String,
}
