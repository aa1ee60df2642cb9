//! Invoice routes (invoice scope): create (idempotent by `external_id`), list, get, cancel.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use etrid_core::lsp::{CreateInvoiceRequest, InvoiceList, InvoiceStatus, LspInvoice};

use super::error::ApiResult;
use super::extract::{Body, Ids, ListQuery, Params};
use super::scope::InvoiceKey;
use super::AppState;

/// `201` for a new resource, `200` for the one an earlier create with the same `external_id`
/// made (invoices, hold invoices, tournaments, entries).
pub(super) fn created<T>(pair: (T, bool)) -> (StatusCode, Json<T>) {
    let status = if pair.1 {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    (status, Json(pair.0))
}

/// `POST /v1/invoices`
pub(super) async fn create(
    State(state): State<AppState>,
    InvoiceKey(ctx): InvoiceKey,
    Body(req): Body<CreateInvoiceRequest>,
) -> ApiResult<(StatusCode, Json<LspInvoice>)> {
    state.limiter.check(&ctx.key_id)?;
    Ok(created(state.engine.create_invoice(&ctx, req).await?))
}

/// `GET /v1/invoices`
pub(super) async fn list(
    State(state): State<AppState>,
    InvoiceKey(ctx): InvoiceKey,
    Params(q): Params<ListQuery<InvoiceStatus>>,
) -> ApiResult<Json<InvoiceList>> {
    let filter = q.filter("inv")?;
    Ok(Json(state.engine.list_invoices(&ctx, &filter).await?))
}

/// `GET /v1/invoices/{invoice_id}`
pub(super) async fn get(
    State(state): State<AppState>,
    InvoiceKey(ctx): InvoiceKey,
    ids: Ids,
) -> ApiResult<Json<LspInvoice>> {
    Ok(Json(state.engine.invoice(&ctx, &ids.one()).await?))
}

/// `POST /v1/invoices/{invoice_id}/cancel`
pub(super) async fn cancel(
    State(state): State<AppState>,
    InvoiceKey(ctx): InvoiceKey,
    ids: Ids,
) -> ApiResult<Json<LspInvoice>> {
    Ok(Json(state.engine.cancel_invoice(&ctx, &ids.one()).await?))
}
