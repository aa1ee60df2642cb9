//! The client operations the C ABI offers, as [`EtridOperation`] values, and how each one reads
//! its JSON arguments and runs on the core's [`LspClient`](etrid_core::lsp::LspClient).

use std::time::Duration;

use etrid_core::lsp::{
    CreateApiKeyRequest, CreateHoldInvoiceRequest, CreateInvoiceRequest, CreateWebhookRequest,
    KeysendRequest, ListEventsRequest, ListInvoicesRequest, ListLedgerRequest, ListPageRequest,
    ListPaymentsRequest, LspError, PayInvoiceRequest, SettleHoldInvoiceRequest, WaitOutcome,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Core;

/// An operation of the client, run asynchronously by `etrid_client_request`. Its arguments
/// are a JSON object (the field names of `lsp/openapi.json`, snake_case), and its result is
/// the JSON of the API's answer.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EtridOperation {
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
}

impl EtridOperation {
    /// The operation with this number, if any (a C caller can pass any integer).
    pub(crate) fn from_raw(raw: i32) -> Option<EtridOperation> {
        use EtridOperation::*;
        const ALL: [EtridOperation; 27] = [
            CreateInvoice,
            GetInvoice,
            ListInvoices,
            CancelInvoice,
            WaitForPayment,
            CreateHoldInvoice,
            SettleHoldInvoice,
            CancelHoldInvoice,
            PayInvoice,
            Keysend,
            GetPayment,
            ListPayments,
            Balance,
            ListLedger,
            CreateApiKey,
            ListApiKeys,
            RevokeApiKey,
            CreateWebhook,
            ListWebhooks,
            DeleteWebhook,
            ListWebhookDeliveries,
            RedeliverWebhook,
            Health,
            NodeInfo,
            ListChannels,
            Liquidity,
            ListEvents,
        ];
        ALL.into_iter().find(|op| *op as i32 == raw)
    }
}

/// Why an operation failed: its arguments, or the call.
#[derive(Debug)]
pub(crate) enum OperationError {
    /// The arguments JSON did not fit the operation (the message names the field).
    Arguments(String),
    /// The call failed.
    Lsp(LspError),
}

impl From<LspError> for OperationError {
    fn from(error: LspError) -> Self {
        OperationError::Lsp(error)
    }
}

/// Reads the arguments as `T` (unknown fields refused by the models).
fn args<T: DeserializeOwned>(json: &Value) -> Result<T, OperationError> {
    T::deserialize(json).map_err(|e| OperationError::Arguments(e.to_string()))
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
    invoice: Option<etrid_core::lsp::LspInvoice>,
}

/// Runs `operation` with `arguments` on `client`; the result as JSON.
pub(crate) async fn run(
    client: Core,
    operation: EtridOperation,
    arguments: Value,
) -> Result<Value, OperationError> {
    use EtridOperation as Op;
    let a = &arguments;
    match operation {
        Op::CreateInvoice => to_value(
            client
                .create_invoice(args::<CreateInvoiceRequest>(a)?)
                .await?,
        ),
        Op::GetInvoice => to_value(client.get_invoice(&ids(a, ["invoice_id"])?[0]).await?),
        Op::ListInvoices => to_value(
            client
                .list_invoices(args::<ListInvoicesRequest>(a)?)
                .await?,
        ),
        Op::CancelInvoice => to_value(client.cancel_invoice(&ids(a, ["invoice_id"])?[0]).await?),
        Op::WaitForPayment => {
            let wait: WaitArgs = args(a)?;
            let timeout = wait.timeout_ms.map_or(Duration::MAX, Duration::from_millis);
            let (status, invoice) = match client.wait_for_payment(&wait.invoice_id, timeout).await?
            {
                WaitOutcome::Paid(i) => ("paid", Some(i)),
                WaitOutcome::Accepted(i) => ("accepted", Some(i)),
                WaitOutcome::Expired(i) => ("expired", Some(i)),
                WaitOutcome::Cancelled(i) => ("cancelled", Some(i)),
                WaitOutcome::TimedOut => ("timed_out", None),
            };
            to_value(WaitResult { status, invoice })
        }
        Op::CreateHoldInvoice => to_value(
            client
                .create_hold_invoice(args::<CreateHoldInvoiceRequest>(a)?)
                .await?,
        ),
        Op::SettleHoldInvoice => {
            let id = id_arg(a, "invoice_id")?;
            let request: SettleHoldInvoiceRequest = args(&without(a, &["invoice_id"]))?;
            to_value(client.settle_hold_invoice(&id, request).await?)
        }
        Op::CancelHoldInvoice => to_value(
            client
                .cancel_hold_invoice(&ids(a, ["invoice_id"])?[0])
                .await?,
        ),
        Op::PayInvoice => {
            let prepared = client.prepare_pay_invoice(args::<PayInvoiceRequest>(a)?)?;
            to_value(client.pay(prepared).await?)
        }
        Op::Keysend => {
            let prepared = client.prepare_keysend(args::<KeysendRequest>(a)?)?;
            to_value(client.keysend(prepared).await?)
        }
        Op::GetPayment => to_value(client.get_payment(&ids(a, ["payment_id"])?[0]).await?),
        Op::ListPayments => to_value(
            client
                .list_payments(args::<ListPaymentsRequest>(a)?)
                .await?,
        ),
        Op::Balance => {
            only(a, &[])?;
            to_value(client.balance().await?)
        }
        Op::ListLedger => to_value(client.list_ledger(args::<ListLedgerRequest>(a)?).await?),
        Op::CreateApiKey => to_value(
            client
                .create_api_key(args::<CreateApiKeyRequest>(a)?)
                .await?,
        ),
        Op::ListApiKeys => to_value(client.list_api_keys(args::<ListPageRequest>(a)?).await?),
        Op::RevokeApiKey => to_value(client.revoke_api_key(&ids(a, ["key_id"])?[0]).await?),
        Op::CreateWebhook => to_value(
            client
                .create_webhook(args::<CreateWebhookRequest>(a)?)
                .await?,
        ),
        Op::ListWebhooks => to_value(client.list_webhooks(args::<ListPageRequest>(a)?).await?),
        Op::DeleteWebhook => {
            client.delete_webhook(&ids(a, ["webhook_id"])?[0]).await?;
            Ok(Value::Null)
        }
        Op::ListWebhookDeliveries => {
            let id = id_arg(a, "webhook_id")?;
            let page: ListPageRequest = args(&without(a, &["webhook_id"]))?;
            to_value(client.list_webhook_deliveries(&id, page).await?)
        }
        Op::RedeliverWebhook => {
            let [webhook, delivery] = ids(a, ["webhook_id", "delivery_id"])?;
            to_value(client.redeliver_webhook(&webhook, &delivery).await?)
        }
        Op::Health => {
            only(a, &[])?;
            to_value(client.health().await?)
        }
        Op::NodeInfo => {
            only(a, &[])?;
            to_value(client.node_info().await?)
        }
        Op::ListChannels => {
            only(a, &[])?;
            to_value(client.list_channels().await?)
        }
        Op::Liquidity => {
            only(a, &[])?;
            to_value(client.liquidity().await?)
        }
        Op::ListEvents => to_value(client.list_events(args::<ListEventsRequest>(a)?).await?),
    }
}
