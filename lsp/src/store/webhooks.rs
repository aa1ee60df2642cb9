//! Webhooks and their delivery log. Deliveries are queued in the transaction that appends the
//! event (an outbox), so a crash never loses one; the delivery worker reads the due ones.

use etrid_core::lsp::{DeliveryStatus, EventType, Webhook, WebhookDelivery};

use super::events::event_from_row;
use super::StoreError;
use super::{page, Cursor, ListFilter, Store, LIST_TAIL};
use crate::db::{DbError, Row, Stmt, Value};
use crate::ids;
use crate::time::now_secs;

const WEBHOOK_COLUMNS: &str = "id, url, event_types, description, created_at, deleted_at, secret";
const DELIVERY_COLUMNS: &str = "id, webhook_id, event_id, event_type, status, attempts, \
    last_attempt_at, last_status_code, last_error, next_retry_at, created_at";

/// A webhook as stored, with its signing secret.
#[derive(Debug, Clone)]
pub struct WebhookRecord {
    /// The public model.
    pub webhook: Webhook,
    /// The signing secret (`whsec_…`).
    pub secret: String,
}

/// A delivery the worker should attempt now.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    /// The delivery id.
    pub id: String,
    /// Where to POST.
    pub url: String,
    /// The webhook's secret.
    pub secret: String,
    /// The event id.
    pub event_id: u64,
    /// The event type name.
    pub event_type: String,
    /// The event JSON (the request body).
    pub body: String,
    /// Attempts made so far.
    pub attempts: u32,
}

fn decode(reason: String) -> StoreError {
    DbError::Decode { reason }.into()
}

fn webhook_from_row(r: &Row) -> Result<WebhookRecord, StoreError> {
    let event_types: Vec<EventType> =
        serde_json::from_str(&r.text(2)?).map_err(|e| decode(format!("event_types: {e}")))?;
    Ok(WebhookRecord {
        webhook: Webhook {
            id: r.text(0)?,
            url: r.text(1)?,
            event_types,
            description: r.opt_text(3)?,
            enabled: r.opt_uint(5)?.is_none(),
            created_at: r.uint(4)?,
        },
        secret: r.text(6)?,
    })
}

fn delivery_from_row(r: &Row) -> Result<WebhookDelivery, StoreError> {
    let event_type =
        EventType::from_name(&r.text(3)?).ok_or_else(|| decode("delivery event_type".into()))?;
    let status = match r.text(4)?.as_str() {
        "pending" => DeliveryStatus::Pending,
        "succeeded" => DeliveryStatus::Succeeded,
        "failed" => DeliveryStatus::Failed,
        other => return Err(decode(format!("delivery status {other:?}"))),
    };
    Ok(WebhookDelivery {
        id: r.text(0)?,
        webhook_id: r.text(1)?,
        event_id: r.uint(2)?,
        event_type,
        status,
        attempts: u32::try_from(r.uint(5)?).unwrap_or(u32::MAX),
        last_attempt_at: r.opt_uint(6)?,
        last_status_code: r.opt_uint(7)?.and_then(|c| u16::try_from(c).ok()),
        last_error: r.opt_text(8)?,
        next_retry_at: r.opt_uint(9)?,
        created_at: r.uint(10)?,
    })
}

impl Store {
    /// Registers a webhook; the answer carries its secret, the only time it is shown.
    ///
    /// # Errors
    /// Database or entropy failures.
    pub async fn create_webhook(
        &self,
        account_id: &str,
        url: &str,
        event_types: &[EventType],
        description: Option<String>,
    ) -> Result<WebhookRecord, StoreError> {
        let id = ids::new_id("wh")?;
        let secret = format!("whsec_{}", ids::hex(&ids::random_bytes::<32>()?));
        let created_at = now_secs();
        let types =
            serde_json::to_string(event_types).map_err(|e| decode(format!("event_types: {e}")))?;
        self.db
            .execute(
                "INSERT INTO webhooks (id, account_id, url, event_types, description, secret, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                vec![
                    id.clone().into(),
                    account_id.into(),
                    url.into(),
                    types.into(),
                    description.clone().into(),
                    secret.clone().into(),
                    created_at.into(),
                ],
            )
            .await?;
        Ok(WebhookRecord {
            webhook: Webhook {
                id,
                url: url.to_owned(),
                event_types: event_types.to_vec(),
                description,
                enabled: true,
                created_at,
            },
            secret,
        })
    }

    /// A page of the account's webhooks (deleted ones excluded), newest first.
    ///
    /// # Errors
    /// Database failures.
    pub async fn list_webhooks(
        &self,
        account_id: &str,
        filter: &ListFilter,
    ) -> Result<(Vec<Webhook>, Option<String>), StoreError> {
        let sql = format!(
            "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE account_id = $1 AND deleted_at IS NULL {}",
            LIST_TAIL.replace("status = $2", "url = $2")
        );
        let mut params = vec![Value::from(account_id)];
        params.extend(filter.params());
        let items = self
            .db
            .query(&sql, params)
            .await?
            .iter()
            .map(|r| webhook_from_row(r).map(|w| w.webhook))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(page(items, filter.limit, |w| Cursor {
            created_at: w.created_at,
            id: w.id.clone(),
        }))
    }

    /// The account's live webhook `id`.
    ///
    /// # Errors
    /// `not_found`.
    pub async fn webhook(&self, account_id: &str, id: &str) -> Result<WebhookRecord, StoreError> {
        let row = self
            .db
            .query_opt(
                &format!(
                    "SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE id = $1 AND account_id = $2 \
                     AND deleted_at IS NULL"
                ),
                vec![id.into(), account_id.into()],
            )
            .await?
            .ok_or_else(|| StoreError::not_found("webhook"))?;
        webhook_from_row(&row)
    }

    /// Deletes a webhook and stops its pending deliveries.
    ///
    /// # Errors
    /// `not_found` (also when already deleted).
    pub async fn delete_webhook(&self, account_id: &str, id: &str) -> Result<(), StoreError> {
        let now = now_secs();
        let result = self
            .db
            .batch(vec![
                Stmt::guarded(
                    "UPDATE webhooks SET deleted_at = $1 WHERE id = $2 AND account_id = $3 \
                     AND deleted_at IS NULL",
                    vec![now.into(), id.into(), account_id.into()],
                    1,
                ),
                Stmt::new(
                    "UPDATE deliveries SET status = 'failed', last_error = 'webhook deleted', \
                     next_retry_at = NULL WHERE webhook_id = $1 AND status = 'pending'",
                    vec![id.into()],
                ),
            ])
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if e.is_guard() => Err(StoreError::not_found("webhook")),
            Err(e) => Err(e.into()),
        }
    }

    /// A page of a webhook's deliveries, newest first.
    ///
    /// # Errors
    /// `not_found` for another account's webhook.
    pub async fn list_deliveries(
        &self,
        account_id: &str,
        webhook_id: &str,
        filter: &ListFilter,
    ) -> Result<(Vec<WebhookDelivery>, Option<String>), StoreError> {
        self.webhook(account_id, webhook_id).await?;
        let sql =
            format!("SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE webhook_id = $1 {LIST_TAIL}");
        let mut params = vec![Value::from(webhook_id)];
        params.extend(filter.params());
        let items = self
            .db
            .query(&sql, params)
            .await?
            .iter()
            .map(delivery_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(page(items, filter.limit, |d| Cursor {
            created_at: d.created_at,
            id: d.id.clone(),
        }))
    }

    /// Schedules a new attempt of a delivery now.
    ///
    /// # Errors
    /// `not_found` for another account's webhook or delivery.
    pub async fn redeliver(
        &self,
        account_id: &str,
        webhook_id: &str,
        delivery_id: &str,
    ) -> Result<WebhookDelivery, StoreError> {
        self.webhook(account_id, webhook_id).await?;
        let changed = self
            .db
            .execute(
                "UPDATE deliveries SET status = 'pending', next_retry_at = $1 \
                 WHERE id = $2 AND webhook_id = $3",
                vec![now_secs().into(), delivery_id.into(), webhook_id.into()],
            )
            .await?;
        if changed != 1 {
            return Err(StoreError::not_found("delivery"));
        }
        self.deliveries_notify().notify_one();
        let row = self
            .db
            .query_opt(
                &format!("SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE id = $1"),
                vec![delivery_id.into()],
            )
            .await?
            .ok_or_else(|| StoreError::not_found("delivery"))?;
        delivery_from_row(&row)
    }

    /// Pending deliveries due at `now`, oldest first, with what the worker needs to send them.
    ///
    /// # Errors
    /// Database failures.
    pub async fn due_deliveries(
        &self,
        now: u64,
        limit: u32,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        let rows = self
            .db
            .query(
                "SELECT d.id, w.url, w.secret, d.attempts, e.id, e.type, e.created_at, e.data \
                 FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id \
                 JOIN events e ON e.id = d.event_id \
                 WHERE d.status = 'pending' AND d.next_retry_at <= $1 \
                 ORDER BY d.next_retry_at, d.id LIMIT $2",
                vec![now.into(), u64::from(limit).into()],
            )
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let event_row = Row(r.0.get(4..8).map(<[Value]>::to_vec).unwrap_or_default());
            let event = event_from_row(&event_row)?;
            out.push(DueDelivery {
                id: r.text(0)?,
                url: r.text(1)?,
                secret: r.text(2)?,
                attempts: u32::try_from(r.uint(3)?).unwrap_or(u32::MAX),
                event_id: event.id,
                event_type: event.event_type().as_str().to_owned(),
                body: serde_json::to_string(&event).map_err(|e| decode(e.to_string()))?,
            });
        }
        Ok(out)
    }

    /// The earliest time a pending delivery is due, if any.
    ///
    /// # Errors
    /// Database failures.
    pub async fn next_delivery_at(&self) -> Result<Option<u64>, StoreError> {
        Ok(self
            .db
            .query_opt(
                "SELECT MIN(next_retry_at) FROM deliveries WHERE status = 'pending'",
                vec![],
            )
            .await?
            .and_then(|r| r.opt_uint(0).ok().flatten()))
    }

    /// Records one attempt: `next_retry_at` `None` ends the delivery (succeeded or failed).
    ///
    /// # Errors
    /// Database failures.
    pub async fn record_attempt(
        &self,
        delivery_id: &str,
        succeeded: bool,
        status_code: Option<u16>,
        error: Option<String>,
        next_retry_at: Option<u64>,
    ) -> Result<(), StoreError> {
        let status = match (succeeded, next_retry_at) {
            (true, _) => "succeeded",
            (false, Some(_)) => "pending",
            (false, None) => "failed",
        };
        self.db
            .execute(
                "UPDATE deliveries SET status = $1, attempts = attempts + 1, last_attempt_at = $2, \
                 last_status_code = $3, last_error = $4, next_retry_at = $5 WHERE id = $6",
                vec![
                    status.into(),
                    now_secs().into(),
                    status_code.map(u32::from).into(),
                    error.into(),
                    next_retry_at.into(),
                    delivery_id.into(),
                ],
            )
            .await?;
        Ok(())
    }
}
