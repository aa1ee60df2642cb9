//! Invoice routes: standard invoices (invoice scope) and hold invoices (admin scope).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use etrid_core::lsp::{
    CreateHoldInvoiceRequest, CreateInvoiceRequest, LspInvoice, SettleHoldInvoiceRequest,
};

use super::query::{Body, ListQuery, Page, Params};
use super::{AppState, Caller};
use crate::error::{ApiResult, ServerError};
use crate::ids::is_valid_id;

const STATUSES: &[&str] = &["open", "accepted", "paid", "expired", "cancelled"];

fn created(pair: (LspInvoice, bool)) -> (StatusCode, Json<LspInvoice>) {
    let status = if pair.1 {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    (status, Json(pair.0))
}

fn check_id(id: &str) -> Result<(), ServerError> {
    if is_valid_id(id) {
        Ok(())
    } else {
        Err(ServerError::not_found("invoice"))
    }
}

/// `POST /v1/invoices`
pub(super) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Body(req): Body<CreateInvoiceRequest>,
) -> ApiResult<(StatusCode, Json<LspInvoice>)> {
    let ctx = caller.invoice();
    state.limiter.check(&ctx.key_id)?;
    state.engine.create_invoice(ctx, req).await.map(created)
}

/// `GET /v1/invoices`
pub(super) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<ListQuery>,
) -> ApiResult<Json<Page<LspInvoice>>> {
    let filter = q.filter(STATUSES)?;
    let page = state
        .engine
        .store()
        .list_invoices(&caller.invoice().account_id, &filter)
        .await?;
    Ok(Json(page.into()))
}

/// `GET /v1/invoices/{id}`
pub(super) async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<LspInvoice>> {
    check_id(&id)?;
    let rec = state
        .engine
        .store()
        .invoice(&caller.invoice().account_id, &id)
        .await?;
    Ok(Json(rec.invoice))
}

/// `POST /v1/invoices/{id}/cancel`
pub(super) async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<LspInvoice>> {
    check_id(&id)?;
    state
        .engine
        .cancel_invoice(caller.invoice(), &id)
        .await
        .map(Json)
}

/// `POST /v1/hold-invoices`
pub(super) async fn create_hold(
    State(state): State<AppState>,
    caller: Caller,
    Body(req): Body<CreateHoldInvoiceRequest>,
) -> ApiResult<(StatusCode, Json<LspInvoice>)> {
    let ctx = caller.admin()?;
    state.limiter.check(&ctx.key_id)?;
    state
        .engine
        .create_hold_invoice(ctx, req)
        .await
        .map(created)
}

/// `POST /v1/hold-invoices/{id}/settle`
pub(super) async fn settle_hold(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Body(req): Body<SettleHoldInvoiceRequest>,
) -> ApiResult<Json<LspInvoice>> {
    let ctx = caller.admin()?;
    check_id(&id)?;
    state
        .engine
        .settle_hold(ctx, &id, &req.preimage)
        .await
        .map(Json)
}

/// `POST /v1/hold-invoices/{id}/cancel`
pub(super) async fn cancel_hold(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<LspInvoice>> {
    let ctx = caller.admin()?;
    check_id(&id)?;
    state.engine.cancel_hold(ctx, &id).await.map(Json)
}
