//! Webhook management (admin scope): register (the signing secret is returned once), list,
//! delete, the delivery log and redelivery. Deliveries are verified with [`crate::webhook`].

use super::client::{checked_id, json_body, Query};
use super::model::{
    CreateWebhookRequest, CreateWebhookResponse, ListPageRequest, Validate, WebhookDelivery,
    WebhookDeliveryList, WebhookList,
};
use super::{LspClient, LspError};
use crate::timer::Timer;
use crate::transport::{Method, Transport};

impl<T: Transport, M: Timer> LspClient<T, M> {
    /// Registers a webhook (`POST /v1/webhooks`); the response holds the signing secret, shown
    /// only once.
    ///
    /// # Errors
    /// [`LspError::InvalidRequest`] for a URL that is not http(s); server errors.
    pub async fn create_webhook(
        &self,
        request: CreateWebhookRequest,
    ) -> Result<CreateWebhookResponse, LspError> {
        request.validate()?;
        let body = json_body(&request)?;
        self.call(Method::Post, "/v1/webhooks", &Query::new(), body)
            .await
    }

    /// Lists the account's webhooks (`GET /v1/webhooks`).
    ///
    /// # Errors
    /// Server and transport errors.
    pub async fn list_webhooks(&self, request: ListPageRequest) -> Result<WebhookList, LspError> {
        request.validate()?;
        let query = Query::new()
            .opt("limit", request.limit)
            .opt("cursor", request.cursor);
        self.call(Method::Get, "/v1/webhooks", &query, None).await
    }

    /// Deletes a webhook (`DELETE /v1/webhooks/{id}`).
    ///
    /// # Errors
    /// [`LspError::NotFound`] when the account has no such webhook.
    pub async fn delete_webhook(&self, webhook_id: &str) -> Result<(), LspError> {
        let id = checked_id("webhook_id", webhook_id)?;
        self.call_no_content(Method::Delete, &format!("/v1/webhooks/{id}"))
            .await
    }

    /// A webhook's delivery log, newest first (`GET /v1/webhooks/{id}/deliveries`).
    ///
    /// # Errors
    /// [`LspError::NotFound`] when the account has no such webhook.
    pub async fn list_webhook_deliveries(
        &self,
        webhook_id: &str,
        request: ListPageRequest,
    ) -> Result<WebhookDeliveryList, LspError> {
        request.validate()?;
        let id = checked_id("webhook_id", webhook_id)?;
        let query = Query::new()
            .opt("limit", request.limit)
            .opt("cursor", request.cursor);
        let path = format!("/v1/webhooks/{id}/deliveries");
        self.call(Method::Get, &path, &query, None).await
    }

    /// Delivers an event again now
    /// (`POST /v1/webhooks/{id}/deliveries/{delivery_id}/redeliver`).
    ///
    /// # Errors
    /// [`LspError::NotFound`] when there is no such webhook or delivery.
    pub async fn redeliver_webhook(
        &self,
        webhook_id: &str,
        delivery_id: &str,
    ) -> Result<WebhookDelivery, LspError> {
        let id = checked_id("webhook_id", webhook_id)?;
        let delivery = checked_id("delivery_id", delivery_id)?;
        let path = format!("/v1/webhooks/{id}/deliveries/{delivery}/redeliver");
        self.call(Method::Post, &path, &Query::new(), None).await
    }
}
