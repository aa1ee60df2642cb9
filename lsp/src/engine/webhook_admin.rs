//! Webhook management as the API asks it: register (URL and limits checked by the request's
//! [`Validate`]), list, delete, the delivery log and redelivery. Delivery itself is the
//! `webhooks` task.

use etrid_core::lsp::{
    CreateWebhookRequest, CreateWebhookResponse, Validate, WebhookDelivery, WebhookDeliveryList,
    WebhookList,
};

use super::Engine;
use crate::error::ServerError;
use crate::store::{AuthContext, ListFilter};

impl Engine {
    /// Registers a webhook; the answer carries its signing secret, shown only here.
    ///
    /// # Errors
    /// `invalid_request` (URL, description, repeated event types), database or entropy
    /// failures.
    pub async fn create_webhook(
        &self,
        ctx: &AuthContext,
        req: CreateWebhookRequest,
    ) -> Result<CreateWebhookResponse, ServerError> {
        req.validate()?;
        let mut types = req.event_types;
        types.sort_by_key(|t| t.as_str());
        let rec = self
            .store
            .create_webhook(&ctx.account_id, &req.url, &types, req.description)
            .await?;
        Ok(CreateWebhookResponse {
            id: rec.webhook.id,
            url: rec.webhook.url,
            event_types: rec.webhook.event_types,
            description: rec.webhook.description,
            enabled: rec.webhook.enabled,
            created_at: rec.webhook.created_at,
            secret: rec.secret,
        })
    }

    /// A page of the account's webhooks, newest first.
    ///
    /// # Errors
    /// Database failures.
    pub async fn list_webhooks(
        &self,
        ctx: &AuthContext,
        filter: &ListFilter,
    ) -> Result<WebhookList, ServerError> {
        let (items, next_cursor) = self.store.list_webhooks(&ctx.account_id, filter).await?;
        Ok(WebhookList { items, next_cursor })
    }

    /// Deletes a webhook: nothing more is delivered to it.
    ///
    /// # Errors
    /// `not_found`, database failures.
    pub async fn delete_webhook(&self, ctx: &AuthContext, id: &str) -> Result<(), ServerError> {
        Ok(self.store.delete_webhook(&ctx.account_id, id).await?)
    }

    /// A page of one webhook's deliveries, newest first.
    ///
    /// # Errors
    /// `not_found` (webhook), database failures.
    pub async fn list_deliveries(
        &self,
        ctx: &AuthContext,
        webhook_id: &str,
        filter: &ListFilter,
    ) -> Result<WebhookDeliveryList, ServerError> {
        let (items, next_cursor) = self
            .store
            .list_deliveries(&ctx.account_id, webhook_id, filter)
            .await?;
        Ok(WebhookDeliveryList { items, next_cursor })
    }

    /// Queues a delivery again, at once.
    ///
    /// # Errors
    /// `not_found` (webhook or delivery), database failures.
    pub async fn redeliver(
        &self,
        ctx: &AuthContext,
        webhook_id: &str,
        delivery_id: &str,
    ) -> Result<WebhookDelivery, ServerError> {
        Ok(self
            .store
            .redeliver(&ctx.account_id, webhook_id, delivery_id)
            .await?)
    }
}
