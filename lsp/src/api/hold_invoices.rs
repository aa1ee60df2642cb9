//! Hold invoice routes (admin scope): create for the caller's payment hash, settle with the
//! preimage, cancel.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use etrid_core::lsp::{CreateHoldInvoiceRequest, LspInvoice, SettleHoldInvoiceRequest};

use super::error::ApiResult;
use super::extract::{Body, Ids};
use super::invoices::created;
use super::scope::AdminKey;
use super::AppState;

/// `POST /v1/hold-invoices`
pub(super) async fn create(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    Body(req): Body<CreateHoldInvoiceRequest>,
) -> ApiResult<(StatusCode, Json<LspInvoice>)> {
    state.limiter.check(&ctx.key_id)?;
    Ok(created(state.engine.create_hold_invoice(&ctx, req).await?))
}

/// `POST /v1/hold-invoices/{invoice_id}/settle`
pub(super) async fn settle(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    ids: Ids,
    Body(req): Body<SettleHoldInvoiceRequest>,
) -> ApiResult<Json<LspInvoice>> {
    let invoice = state
        .engine
        .settle_hold(&ctx, &ids.one(), req.preimage)
        .await?;
    Ok(Json(invoice))
}

/// `POST /v1/hold-invoices/{invoice_id}/cancel`
pub(super) async fn cancel(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    ids: Ids,
) -> ApiResult<Json<LspInvoice>> {
    Ok(Json(state.engine.cancel_hold(&ctx, &ids.one()).await?))
}
