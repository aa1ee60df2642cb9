//! Webhook routes (admin scope): register, list, delete, the delivery log, redeliver.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use etrid_core::lsp::{
    CreateWebhookRequest, CreateWebhookResponse, DeliveryStatus, WebhookDelivery,
    WebhookDeliveryList, WebhookList,
};

use super::error::ApiResult;
use super::extract::{Body, Ids, NoStatus, PageQuery, Params};
use super::scope::AdminKey;
use super::AppState;

/// `POST /v1/webhooks`
pub(super) async fn create(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    Body(req): Body<CreateWebhookRequest>,
) -> ApiResult<(StatusCode, Json<CreateWebhookResponse>)> {
    let created = state.engine.create_webhook(&ctx, req).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// `GET /v1/webhooks`
pub(super) async fn list(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    Params(q): Params<PageQuery<NoStatus>>,
) -> ApiResult<Json<WebhookList>> {
    let filter = q.filter("wh")?;
    Ok(Json(state.engine.list_webhooks(&ctx, &filter).await?))
}

/// `DELETE /v1/webhooks/{webhook_id}`
pub(super) async fn delete(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    ids: Ids,
) -> ApiResult<StatusCode> {
    state.engine.delete_webhook(&ctx, &ids.one()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /v1/webhooks/{webhook_id}/deliveries`
pub(super) async fn deliveries(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    ids: Ids,
    Params(q): Params<PageQuery<DeliveryStatus>>,
) -> ApiResult<Json<WebhookDeliveryList>> {
    let filter = q.filter("dlv")?;
    let list = state
        .engine
        .list_deliveries(&ctx, &ids.one(), &filter)
        .await?;
    Ok(Json(list))
}

/// `POST /v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver`
pub(super) async fn redeliver(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    ids: Ids,
) -> ApiResult<(StatusCode, Json<WebhookDelivery>)> {
    let (webhook_id, delivery_id) = ids.two();
    let delivery = state
        .engine
        .redeliver(&ctx, &webhook_id, &delivery_id)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(delivery)))
}
