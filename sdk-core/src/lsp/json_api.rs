//! The client's operations over JSON, for bindings whose callers hold JSON rather than typed
//! values: the C ABI (C, C++, C#, the engine plugins) and Unity WebGL (through the npm
//! package). Each [`Operation`] has a stable number, takes a JSON object of the API's
//! snake_case fields and answers with the API's JSON, so every such binding runs exactly the
//! same argument checks and returns exactly the same shapes. Errors have one JSON shape too
//! ([`OperationError::to_json`]), as do event-stream items ([`HubEvent::to_json`]).

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use thiserror::Error;

use super::{
    CreateApiKeyRequest, CreateHoldInvoiceRequest, CreateInvoiceRequest,
    CreateLightningAddressRequest, CreateQuoteRequest, CreateTournamentRequest,
    CreateWebhookRequest, HubEvent, JoinTournamentRequest, KeysendRequest, ListEventsRequest,
    ListInvoicesRequest, ListLedgerRequest, ListPageRequest, ListPaymentsRequest, LspClient,
    LspError, LspInvoice, PayInvoiceRequest, PayLnurlRequest, SettleHoldInvoiceRequest,
    TournamentResultsRequest, WaitOutcome,
};
use super::{
    CreateScheduleRequest, CreateStreamRequest, CreateVouchersRequest, ListVouchersRequest,
    RedeemWithdrawRequest,
};
use crate::timer::Timer;
use crate::transport::Transport;

/// An operation of [`LspClient::run_json`], by its stable number (the C ABI's
/// `EtridOperation` and the Unity package's `Operation` use the same numbers). Its arguments are
/// a JSON object (the field names of `lsp/openapi.json`, snake_case), and its result is the JSON
/// of the API's answer.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `{"amount_msat"?, "description"?, "description_hash"?, "expiry_secs"?, "external_id"?,
    /// "metadata"?}` → an invoice. Invoice scope.
    CreateInvoice = 1,
    /// `{"invoice_id"}` → an invoice.
    GetInvoice = 2,
    /// `{"status"?, "created_after"?, "created_before"?, "limit"?, "cursor"?}` → a page.
    ListInvoices = 3,
    /// `{"invoice_id"}` → the cancelled invoice.
    CancelInvoice = 4,
    /// `{"invoice_id", "timeout_ms"?}` → `{"status": "paid"|"accepted"|"expired"|"cancelled"|
    /// "timed_out", "invoice": … | null}`; never later than the invoice's expiry.
    WaitForPayment = 5,
    /// `{"payment_hash", "amount_msat"?, …}` → a hold invoice. Admin scope.
    CreateHoldInvoice = 6,
    /// `{"invoice_id", "preimage"}` → the settled invoice.
    SettleHoldInvoice = 7,
    /// `{"invoice_id"}` → the cancelled hold invoice.
    CancelHoldInvoice = 8,
    /// `{"bolt11", "idempotency_key", "amount_msat"?, "max_fee_msat"?, "max_parts"?}` → a
    /// payment; checked locally first (network, expiry, policy) like `etrid_client_prepare_pay`.
    PayInvoice = 9,
    /// `{"destination", "amount_msat", "idempotency_key", "custom_records"?, …}` → a payment.
    Keysend = 10,
    /// `{"payment_id"}` → a payment.
    GetPayment = 11,
    /// `{"status"?, "created_after"?, "created_before"?, "limit"?, "cursor"?}` → a page.
    ListPayments = 12,
    /// `{}` → `{"available_msat", "reserved_msat"}`.
    Balance = 13,
    /// `{"created_after"?, "created_before"?, "limit"?, "cursor"?}` → a page.
    ListLedger = 14,
    /// `{"scope", "label"?}` → the key with its secret (shown once). Admin scope.
    CreateApiKey = 15,
    /// `{"limit"?, "cursor"?}` → a page.
    ListApiKeys = 16,
    /// `{"key_id"}` → the revoked key.
    RevokeApiKey = 17,
    /// `{"url", "event_types"?}` → the webhook with its secret (shown once). Admin scope.
    CreateWebhook = 18,
    /// `{"limit"?, "cursor"?}` → a page.
    ListWebhooks = 19,
    /// `{"webhook_id"}` → `null`.
    DeleteWebhook = 20,
    /// `{"webhook_id", "limit"?, "cursor"?}` → a page.
    ListWebhookDeliveries = 21,
    /// `{"webhook_id", "delivery_id"}` → the delivery.
    RedeliverWebhook = 22,
    /// `{}` → the server's health (no key needed).
    Health = 23,
    /// `{}` → the LSP node's id, network and counts.
    NodeInfo = 24,
    /// `{}` → the LSP node's channels. Admin scope.
    ListChannels = 25,
    /// `{}` → inbound and outbound liquidity.
    Liquidity = 26,
    /// `{"after"?, "limit"?}` → a page of events, oldest first.
    ListEvents = 27,
    /// `{"name", "description"?, "min_sendable_msat"?, "max_sendable_msat"?, "comment_allowed"?,
    /// "success_message"?}` → the Lightning Address `name@host`. Admin scope.
    CreateLightningAddress = 28,
    /// `{"limit"?, "cursor"?}` → a page of the account's Lightning Addresses.
    ListLightningAddresses = 29,
    /// `{"name"}` → `null`.
    DeleteLightningAddress = 30,
    /// `{"target", "amount_msat", "idempotency_key", "comment"?, "max_fee_msat"?}` → `{"payment",
    /// "pay_request", "success_action"}`: pays a Lightning Address or LNURL-pay code after
    /// checking the service's terms and invoice. Admin scope.
    PayLnurl = 31,
    /// `{"name", "entry_fee_msat", "seats", "payout_table_bps", "organizer_fee_bps"?,
    /// "join_deadline", "external_id"?, "metadata"?}` → the tournament. Admin scope.
    CreateTournament = 32,
    /// `{"tournament_id"}` → the tournament.
    GetTournament = 33,
    /// `{"limit"?, "cursor"?}` → a page of the account's tournaments. Admin scope.
    ListTournaments = 34,
    /// `{"tournament_id", "player_id", "payout"}` → the player's entry with the hold invoice
    /// to pay (`bolt11`).
    JoinTournament = 35,
    /// `{"tournament_id"}` → `{"items"}`: every entry, in joining order.
    ListTournamentEntries = 36,
    /// `{"tournament_id"}` → the tournament, cancelled: every held entry refunded. Admin scope.
    CancelTournament = 37,
    /// `{"tournament_id", "standings"}` → `{"items"}`: every payout. Admin scope.
    EnterTournamentResults = 38,
    /// `{"tournament_id"}` → `{"items"}`: pays the winners (again: retries failed payouts).
    /// Admin scope.
    PayTournament = 39,
    /// `{"tournament_id"}` → `{"items"}`: every payout, best rank first. Admin scope.
    ListTournamentPayouts = 40,
    /// `{"tournament_id"}` → `{"items"}`: the audit log, oldest first. Admin scope.
    TournamentAudit = 41,
    /// `{"fiat_amount", "currency", "ttl_secs"?, "max_slippage_bps"?}` → the quote: a fiat price
    /// locked in msat; create the invoice with its `quote_id`.
    CreateQuote = 42,
    /// `{"amount_msat", "idempotency_key", "min_withdrawable_msat"?, "count"?, "expiry_secs"?,
    /// "description"?}` → the batch `{"id", "vouchers", "reserved_msat", "created_at"}`, its
    /// value set aside. Admin scope.
    CreateVouchers = 43,
    /// `{"voucher_id"}` → the voucher. Admin scope.
    GetVoucher = 44,
    /// `{"batch_id"?, "status"?, "limit"?, "cursor"?}` → a page of the account's vouchers.
    /// Admin scope.
    ListVouchers = 45,
    /// `{"voucher_id"}` → the voucher, cancelled: its value returned. Admin scope.
    CancelVoucher = 46,
    /// `{"lnurl", "amount_msat"?, "description"?}` → `{"invoice", "withdraw_request"}`: redeems
    /// an LNURL-withdraw link (a voucher) into the account; wait for the invoice's payment.
    RedeemWithdraw = 47,
    /// `{"amount_msat", "destination", "schedule", "idempotency_key", "max_total_msat"?,
    /// "description"?}` → the schedule: the LSP pays each occurrence once as it falls due.
    /// Admin scope.
    CreateSchedule = 48,
    /// `{"schedule_id"}` → the schedule. Admin scope.
    GetSchedule = 49,
    /// `{"limit"?, "cursor"?}` → a page of the account's schedules. Admin scope.
    ListSchedules = 50,
    /// `{"schedule_id"}` → `{"items"}`: the newest runs, each occurrence with its payment.
    /// Admin scope.
    ScheduleRuns = 51,
    /// `{"schedule_id"}` → the schedule, cancelled. Admin scope.
    CancelSchedule = 52,
    /// `{"destination", "rate_msat_per_sec", "budget_msat", "idempotency_key",
    /// "tick_interval_ms"?, "min_payment_msat"?, "description"?}` → the stream, running.
    /// Admin scope.
    CreateStream = 53,
    /// `{"stream_id"}` → the stream. Admin scope.
    GetStream = 54,
    /// `{"limit"?, "cursor"?}` → a page of the account's streams. Admin scope.
    ListStreams = 55,
    /// `{"stream_id"}` → the stream, paused. Admin scope.
    PauseStream = 56,
    /// `{"stream_id"}` → the stream, running again. Admin scope.
    ResumeStream = 57,
    /// `{"stream_id"}` → the stream, settling (what it earned is being paid). Admin scope.
    StopStream = 58,
    /// `{"stream_id"}` → `{"stream_id", "key"}`: a key that reads, pauses, resumes and stops
    /// only this stream, for a game client. Admin scope.
    CreateStreamKey = 59,
    /// `{"tournament_id"}` → the lobby of a tournament that takes public joins. No key needed.
    GetPublicTournament = 60,
    /// `{"tournament_id", "player_id", "payout"}` → the entry, with the hold invoice to pay.
    /// No key needed (the tournament must take public joins).
    JoinPublicTournament = 61,
}

impl Operation {
    /// Every operation, in number order.
    pub const ALL: [Operation; 61] = [
        Operation::CreateInvoice,
        Operation::GetInvoice,
        Operation::ListInvoices,
        Operation::CancelInvoice,
        Operation::WaitForPayment,
        Operation::CreateHoldInvoice,
        Operation::SettleHoldInvoice,
        Operation::CancelHoldInvoice,
        Operation::PayInvoice,
        Operation::Keysend,
        Operation::GetPayment,
        Operation::ListPayments,
        Operation::Balance,
        Operation::ListLedger,
        Operation::CreateApiKey,
        Operation::ListApiKeys,
        Operation::RevokeApiKey,
        Operation::CreateWebhook,
        Operation::ListWebhooks,
        Operation::DeleteWebhook,
        Operation::ListWebhookDeliveries,
        Operation::RedeliverWebhook,
        Operation::Health,
        Operation::NodeInfo,
        Operation::ListChannels,
        Operation::Liquidity,
        Operation::ListEvents,
        Operation::CreateLightningAddress,
        Operation::ListLightningAddresses,
        Operation::DeleteLightningAddress,
        Operation::PayLnurl,
        Operation::CreateTournament,
        Operation::GetTournament,
        Operation::ListTournaments,
        Operation::JoinTournament,
        Operation::ListTournamentEntries,
        Operation::CancelTournament,
        Operation::EnterTournamentResults,
        Operation::PayTournament,
        Operation::ListTournamentPayouts,
        Operation::TournamentAudit,
        Operation::CreateQuote,
        Operation::CreateVouchers,
        Operation::GetVoucher,
        Operation::ListVouchers,
        Operation::CancelVoucher,
        Operation::RedeemWithdraw,
        Operation::CreateSchedule,
        Operation::GetSchedule,
        Operation::ListSchedules,
        Operation::ScheduleRuns,
        Operation::CancelSchedule,
        Operation::CreateStream,
        Operation::GetStream,
        Operation::ListStreams,
        Operation::PauseStream,
        Operation::ResumeStream,
        Operation::StopStream,
        Operation::CreateStreamKey,
        Operation::GetPublicTournament,
        Operation::JoinPublicTournament,
    ];

    /// The operation with this number, if any (a caller across a language boundary can pass
    /// any integer).
    pub fn from_number(number: i32) -> Option<Operation> {
        Operation::ALL.into_iter().find(|op| *op as i32 == number)
    }

    /// The operation's stable number.
    pub fn number(self) -> i32 {
        self as i32
    }

    /// The operation's snake_case name (`create_invoice`, `wait_for_payment`, …): what
    /// bindings that call operations by name (GDScript) use.
    pub fn name(self) -> String {
        let mut name = String::new();
        for (i, c) in format!("{self:?}").chars().enumerate() {
            if c.is_ascii_uppercase() {
                if i > 0 {
                    name.push('_');
                }
                name.push(c.to_ascii_lowercase());
            } else {
                name.push(c);
            }
        }
        name
    }

    /// The operation named `name` (as [`Operation::name`] spells it), if any.
    pub fn from_name(name: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|op| op.name() == name)
    }
}

/// Why a JSON operation failed: its arguments, or the call.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OperationError {
    /// The arguments did not fit the operation (not a JSON object, a missing, unknown or
    /// mistyped field: the message names it). Error code `invalid_argument`.
    #[error("{0}")]
    Arguments(String),
    /// The call failed.
    #[error(transparent)]
    Lsp(#[from] LspError),
}

impl OperationError {
    /// The stable error code: `invalid_argument`, or the [`LspError`]'s code.
    pub fn code(&self) -> &'static str {
        match self {
            OperationError::Arguments(_) => "invalid_argument",
            OperationError::Lsp(error) => error.code(),
        }
    }

    /// The error as JSON, the one shape every JSON binding reports:
    /// `{"code", "message", "retryable", "http_status"}` (`http_status` null unless the server
    /// answered), plus `"retry_after_secs"` when rate limited.
    pub fn to_json(&self) -> Value {
        let OperationError::Lsp(error) = self else {
            return error_json(self.code(), &self.to_string(), false, None);
        };
        let http_status = match error {
            LspError::Unauthorized { .. } => Some(401),
            LspError::Forbidden { .. } => Some(403),
            LspError::NotFound { .. } => Some(404),
            LspError::RateLimited { .. } => Some(429),
            LspError::Api { status, .. } => Some(*status),
            _ => None,
        };
        let mut value = error_json(
            error.code(),
            &error.to_string(),
            error.is_retryable(),
            http_status,
        );
        if let LspError::RateLimited { retry_after_secs } = error {
            value["retry_after_secs"] = json!(retry_after_secs);
        }
        value
    }
}

/// An error in the JSON shape of [`OperationError::to_json`], for errors a binding raises
/// itself (say, `cancelled`).
pub fn error_json(code: &str, message: &str, retryable: bool, http_status: Option<u16>) -> Value {
    json!({
        "code": code,
        "message": message,
        "retryable": retryable,
        "http_status": http_status,
    })
}

/// Reads an operation's arguments: `None` (no arguments) is `{}`; anything else must be a JSON
/// object.
///
/// # Errors
/// [`OperationError::Arguments`] when the text is not JSON or not an object; its message reads
/// after the argument's name ("is not JSON: …").
pub fn parse_arguments(text: Option<&str>) -> Result<Value, OperationError> {
    let Some(text) = text else {
        return Ok(json!({}));
    };
    let value: Value = serde_json::from_str(text)
        .map_err(|e| OperationError::Arguments(format!("is not JSON: {e}")))?;
    if !value.is_object() {
        return Err(OperationError::Arguments("is not a JSON object".to_owned()));
    }
    Ok(value)
}

impl HubEvent {
    /// The item as JSON, the one shape every JSON binding delivers: `{"kind": "event",
    /// "event": {id, type, created_at, data}}`, `{"kind": "resync"}` or `{"kind": "error",
    /// "error": {code, message, …}}` (the stream goes on retrying).
    pub fn to_json(&self) -> Value {
        match self {
            HubEvent::Event(event) => json!({ "kind": "event", "event": event }),
            HubEvent::Resync => json!({ "kind": "resync" }),
            HubEvent::StreamError(error) => {
                json!({ "kind": "error", "error": OperationError::Lsp(error.clone()).to_json() })
            }
        }
    }
}

/// Reads the arguments as `T` (unknown fields refused by the models).
fn args<T: DeserializeOwned>(json: &Value) -> Result<T, OperationError> {
    serde_json::from_value(json.clone()).map_err(|e| OperationError::Arguments(e.to_string()))
}

/// Refuses a field of the arguments object outside `fields`.
fn only(json: &Value, fields: &[&str]) -> Result<(), OperationError> {
    let unknown = json
        .as_object()
        .and_then(|object| object.keys().find(|key| !fields.contains(&key.as_str())));
    match unknown {
        Some(key) => Err(OperationError::Arguments(format!(
            "unknown field `{key}`, expected {}",
            if fields.is_empty() {
                "none".to_owned()
            } else {
                fields.join(", ")
            }
        ))),
        None => Ok(()),
    }
}

/// The string field `field` of the arguments object.
fn id_arg(json: &Value, field: &str) -> Result<String, OperationError> {
    json.get(field)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| OperationError::Arguments(format!("missing string field `{field}`")))
}

/// The arguments object of an operation that takes exactly the id fields `fields`.
fn ids<const N: usize>(json: &Value, fields: [&str; N]) -> Result<[String; N], OperationError> {
    only(json, &fields)?;
    let mut values: [String; N] = std::array::from_fn(|_| String::new());
    for (value, field) in values.iter_mut().zip(fields) {
        *value = id_arg(json, field)?;
    }
    Ok(values)
}

/// `json` without `field` (for models that take an id beside their own fields).
fn without(json: &Value, fields: &[&str]) -> Value {
    let mut json = json.clone();
    if let Some(object) = json.as_object_mut() {
        for field in fields {
            object.remove(*field);
        }
    }
    json
}

/// Serialises a result.
fn to_value<T: Serialize>(value: T) -> Result<Value, OperationError> {
    serde_json::to_value(value).map_err(|e| OperationError::Arguments(e.to_string()))
}

/// `wait_for_payment`'s arguments.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WaitArgs {
    invoice_id: String,
    #[serde(default)]
    timeout_ms: Option<u64>,
}

/// `wait_for_payment`'s result.
#[derive(Serialize)]
struct WaitResult {
    status: &'static str,
    invoice: Option<LspInvoice>,
}

impl<T: Transport, M: Timer> LspClient<T, M> {
    /// Runs `operation` with `arguments` (a JSON object, see [`parse_arguments`]); the API's
    /// answer as JSON. Payments are checked locally first, as by
    /// [`prepare_pay_invoice`](LspClient::prepare_pay_invoice).
    ///
    /// # Errors
    /// [`OperationError::Arguments`] when the arguments do not fit the operation (nothing is
    /// sent), [`OperationError::Lsp`] when the call fails.
    pub async fn run_json(
        &self,
        operation: Operation,
        arguments: &Value,
    ) -> Result<Value, OperationError> {
        use Operation as Op;
        let a = arguments;
        match operation {
            Op::CreateInvoice => to_value(
                self.create_invoice(args::<CreateInvoiceRequest>(a)?)
                    .await?,
            ),
            Op::GetInvoice => to_value(self.get_invoice(&ids(a, ["invoice_id"])?[0]).await?),
            Op::ListInvoices => {
                to_value(self.list_invoices(args::<ListInvoicesRequest>(a)?).await?)
            }
            Op::CancelInvoice => to_value(self.cancel_invoice(&ids(a, ["invoice_id"])?[0]).await?),
            Op::WaitForPayment => {
                let wait: WaitArgs = args(a)?;
                let timeout = wait.timeout_ms.map_or(Duration::MAX, Duration::from_millis);
                let (status, invoice) =
                    match self.wait_for_payment(&wait.invoice_id, timeout).await? {
                        WaitOutcome::Paid(i) => ("paid", Some(i)),
                        WaitOutcome::Accepted(i) => ("accepted", Some(i)),
                        WaitOutcome::Expired(i) => ("expired", Some(i)),
                        WaitOutcome::Cancelled(i) => ("cancelled", Some(i)),
                        WaitOutcome::TimedOut => ("timed_out", None),
                    };
                to_value(WaitResult { status, invoice })
            }
            Op::CreateHoldInvoice => to_value(
                self.create_hold_invoice(args::<CreateHoldInvoiceRequest>(a)?)
                    .await?,
            ),
            Op::SettleHoldInvoice => {
                let id = id_arg(a, "invoice_id")?;
                let request: SettleHoldInvoiceRequest = args(&without(a, &["invoice_id"]))?;
                to_value(self.settle_hold_invoice(&id, request).await?)
            }
            Op::CancelHoldInvoice => to_value(
                self.cancel_hold_invoice(&ids(a, ["invoice_id"])?[0])
                    .await?,
            ),
            Op::PayInvoice => {
                let prepared = self.prepare_pay_invoice(args::<PayInvoiceRequest>(a)?)?;
                to_value(self.pay(prepared).await?)
            }
            Op::Keysend => {
                let prepared = self.prepare_keysend(args::<KeysendRequest>(a)?)?;
                to_value(self.keysend(prepared).await?)
            }
            Op::GetPayment => to_value(self.get_payment(&ids(a, ["payment_id"])?[0]).await?),
            Op::ListPayments => {
                to_value(self.list_payments(args::<ListPaymentsRequest>(a)?).await?)
            }
            Op::Balance => {
                only(a, &[])?;
                to_value(self.balance().await?)
            }
            Op::ListLedger => to_value(self.list_ledger(args::<ListLedgerRequest>(a)?).await?),
            Op::CreateApiKey => {
                to_value(self.create_api_key(args::<CreateApiKeyRequest>(a)?).await?)
            }
            Op::ListApiKeys => to_value(self.list_api_keys(args::<ListPageRequest>(a)?).await?),
            Op::RevokeApiKey => to_value(self.revoke_api_key(&ids(a, ["key_id"])?[0]).await?),
            Op::CreateWebhook => to_value(
                self.create_webhook(args::<CreateWebhookRequest>(a)?)
                    .await?,
            ),
            Op::ListWebhooks => to_value(self.list_webhooks(args::<ListPageRequest>(a)?).await?),
            Op::DeleteWebhook => {
                self.delete_webhook(&ids(a, ["webhook_id"])?[0]).await?;
                Ok(Value::Null)
            }
            Op::ListWebhookDeliveries => {
                let id = id_arg(a, "webhook_id")?;
                let page: ListPageRequest = args(&without(a, &["webhook_id"]))?;
                to_value(self.list_webhook_deliveries(&id, page).await?)
            }
            Op::RedeliverWebhook => {
                let [webhook, delivery] = ids(a, ["webhook_id", "delivery_id"])?;
                to_value(self.redeliver_webhook(&webhook, &delivery).await?)
            }
            Op::Health => {
                only(a, &[])?;
                to_value(self.health().await?)
            }
            Op::NodeInfo => {
                only(a, &[])?;
                to_value(self.node_info().await?)
            }
            Op::ListChannels => {
                only(a, &[])?;
                to_value(self.list_channels().await?)
            }
            Op::Liquidity => {
                only(a, &[])?;
                to_value(self.liquidity().await?)
            }
            Op::ListEvents => to_value(self.list_events(args::<ListEventsRequest>(a)?).await?),
            Op::CreateLightningAddress => to_value(
                self.create_lightning_address(args::<CreateLightningAddressRequest>(a)?)
                    .await?,
            ),
            Op::ListLightningAddresses => to_value(
                self.list_lightning_addresses(args::<ListPageRequest>(a)?)
                    .await?,
            ),
            Op::DeleteLightningAddress => {
                self.delete_lightning_address(&ids(a, ["name"])?[0]).await?;
                Ok(Value::Null)
            }
            Op::PayLnurl => to_value(self.pay_lnurl(args::<PayLnurlRequest>(a)?).await?),
            Op::CreateTournament => to_value(
                self.create_tournament(args::<CreateTournamentRequest>(a)?)
                    .await?,
            ),
            Op::GetTournament => {
                to_value(self.get_tournament(&ids(a, ["tournament_id"])?[0]).await?)
            }
            Op::ListTournaments => {
                to_value(self.list_tournaments(args::<ListPageRequest>(a)?).await?)
            }
            Op::JoinTournament => {
                let id = id_arg(a, "tournament_id")?;
                let request: JoinTournamentRequest = args(&without(a, &["tournament_id"]))?;
                to_value(self.join_tournament(&id, request).await?)
            }
            Op::ListTournamentEntries => to_value(
                self.list_tournament_entries(&ids(a, ["tournament_id"])?[0])
                    .await?,
            ),
            Op::CancelTournament => to_value(
                self.cancel_tournament(&ids(a, ["tournament_id"])?[0])
                    .await?,
            ),
            Op::EnterTournamentResults => {
                let id = id_arg(a, "tournament_id")?;
                let request: TournamentResultsRequest = args(&without(a, &["tournament_id"]))?;
                to_value(self.enter_tournament_results(&id, request).await?)
            }
            Op::PayTournament => {
                to_value(self.pay_tournament(&ids(a, ["tournament_id"])?[0]).await?)
            }
            Op::ListTournamentPayouts => to_value(
                self.list_tournament_payouts(&ids(a, ["tournament_id"])?[0])
                    .await?,
            ),
            Op::TournamentAudit => to_value(
                self.tournament_audit(&ids(a, ["tournament_id"])?[0])
                    .await?,
            ),
            Op::CreateQuote => to_value(self.create_quote(args::<CreateQuoteRequest>(a)?).await?),
            Op::CreateVouchers => to_value(
                self.create_vouchers(args::<CreateVouchersRequest>(a)?)
                    .await?,
            ),
            Op::GetVoucher => to_value(self.get_voucher(&ids(a, ["voucher_id"])?[0]).await?),
            Op::ListVouchers => {
                to_value(self.list_vouchers(args::<ListVouchersRequest>(a)?).await?)
            }
            Op::CancelVoucher => to_value(self.cancel_voucher(&ids(a, ["voucher_id"])?[0]).await?),
            Op::RedeemWithdraw => to_value(
                self.redeem_withdraw(args::<RedeemWithdrawRequest>(a)?)
                    .await?,
            ),
            Op::CreateSchedule => to_value(
                self.create_schedule(args::<CreateScheduleRequest>(a)?)
                    .await?,
            ),
            Op::GetSchedule => to_value(self.get_schedule(&ids(a, ["schedule_id"])?[0]).await?),
            Op::ListSchedules => to_value(self.list_schedules(args::<ListPageRequest>(a)?).await?),
            Op::ScheduleRuns => to_value(self.schedule_runs(&ids(a, ["schedule_id"])?[0]).await?),
            Op::CancelSchedule => {
                to_value(self.cancel_schedule(&ids(a, ["schedule_id"])?[0]).await?)
            }
            Op::CreateStream => {
                to_value(self.create_stream(args::<CreateStreamRequest>(a)?).await?)
            }
            Op::GetStream => to_value(self.get_stream(&ids(a, ["stream_id"])?[0]).await?),
            Op::ListStreams => to_value(self.list_streams(args::<ListPageRequest>(a)?).await?),
            Op::PauseStream => to_value(self.pause_stream(&ids(a, ["stream_id"])?[0]).await?),
            Op::ResumeStream => to_value(self.resume_stream(&ids(a, ["stream_id"])?[0]).await?),
            Op::StopStream => to_value(self.stop_stream(&ids(a, ["stream_id"])?[0]).await?),
            Op::GetPublicTournament => to_value(
                self.get_public_tournament(&ids(a, ["tournament_id"])?[0])
                    .await?,
            ),
            Op::JoinPublicTournament => {
                let id = id_arg(a, "tournament_id")?;
                let request: JoinTournamentRequest = args(&without(a, &["tournament_id"]))?;
                to_value(self.join_public_tournament(&id, request).await?)
            }
            Op::CreateStreamKey => {
                to_value(self.create_stream_key(&ids(a, ["stream_id"])?[0]).await?)
            }
        }
    }
}
