//! Models of webhook management: register (the secret is returned once), list, delete, the
//! delivery log and redelivery.

use serde::{Deserialize, Serialize};

use super::EventType;

/// Body of `POST /v1/webhooks`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookRequest {
    /// HTTPS URL receiving the POSTed events.
    pub url: String,
    /// Events to deliver; empty means all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub event_types: Vec<EventType>,
    /// Optional note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A webhook endpoint of the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    /// Opaque webhook id.
    pub id: String,
    /// Delivery URL.
    pub url: String,
    /// Events delivered; empty means all.
    pub event_types: Vec<EventType>,
    /// Optional note.
    pub description: Option<String>,
    /// Whether deliveries are made.
    pub enabled: bool,
    /// Creation time, unix seconds.
    pub created_at: u64,
}

/// A created webhook with its signing secret, which is never shown again.
///
/// Verify deliveries with [`WebhookVerifier`](crate::webhook::WebhookVerifier) and this secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateWebhookResponse {
    /// Opaque webhook id.
    pub id: String,
    /// Delivery URL.
    pub url: String,
    /// Events delivered; empty means all.
    pub event_types: Vec<EventType>,
    /// Optional note.
    pub description: Option<String>,
    /// Whether deliveries are made.
    pub enabled: bool,
    /// Creation time, unix seconds.
    pub created_at: u64,
    /// The signing secret (`whsec_...`): store it now.
    pub secret: String,
}

impl std::fmt::Debug for CreateWebhookResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret stays out of logs.
        f.debug_struct("CreateWebhookResponse")
            .field("id", &self.id)
            .field("url", &self.url)
            .field("event_types", &self.event_types)
            .field("enabled", &self.enabled)
            .field("secret", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// Paging of list operations without filters (webhooks, deliveries, API keys).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListPageRequest {
    /// Page size, 1 to 100.
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A page of webhooks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookList {
    /// The page's webhooks.
    pub items: Vec<Webhook>,
    /// Pass as `cursor` for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// The state of one event's delivery to one webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Will be (re)tried.
    Pending,
    /// A 2xx answer was received.
    Succeeded,
    /// Retries exhausted.
    Failed,
}

impl DeliveryStatus {
    /// The status as it appears in JSON and query strings.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Succeeded => "succeeded",
            DeliveryStatus::Failed => "failed",
        }
    }
}

/// One event's delivery to one webhook, with its attempts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    /// Opaque delivery id.
    pub id: String,
    /// The webhook.
    pub webhook_id: String,
    /// The event delivered.
    pub event_id: u64,
    /// Its type.
    pub event_type: EventType,
    /// Pending, succeeded or failed.
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: u32,
    /// Last attempt, unix seconds.
    pub last_attempt_at: Option<u64>,
    /// HTTP status of the last attempt, if it got a response.
    pub last_status_code: Option<u16>,
    /// Transport error of the last attempt, if any.
    pub last_error: Option<String>,
    /// Next attempt, if pending.
    pub next_retry_at: Option<u64>,
    /// Creation time, unix seconds.
    pub created_at: u64,
}

/// A page of deliveries, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDeliveryList {
    /// The page's deliveries.
    pub items: Vec<WebhookDelivery>,
    /// Pass as `cursor` for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}
