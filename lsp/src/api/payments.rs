//! Payment routes (admin scope): pay BOLT11, keysend, read.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use etrid_core::lsp::{KeysendRequest, LspPayment, PayInvoiceRequest};

use super::query::{Body, ListQuery, Page, Params};
use super::{AppState, Caller};
use crate::error::{ApiResult, ServerError};

const STATUSES: &[&str] = &["pending", "succeeded", "failed"];

fn accepted(pair: (LspPayment, bool)) -> (StatusCode, Json<LspPayment>) {
    let status = if pair.1 {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    };
    (status, Json(pair.0))
}

/// `POST /v1/payments/bolt11`
pub(super) async fn pay_bolt11(
    State(state): State<AppState>,
    caller: Caller,
    Body(req): Body<PayInvoiceRequest>,
) -> ApiResult<(StatusCode, Json<LspPayment>)> {
    let ctx = caller.admin()?;
    state.engine.pay_invoice(ctx, req).await.map(accepted)
}

/// `POST /v1/payments/keysend`
pub(super) async fn keysend(
    State(state): State<AppState>,
    caller: Caller,
    Body(req): Body<KeysendRequest>,
) -> ApiResult<(StatusCode, Json<LspPayment>)> {
    let ctx = caller.admin()?;
    state.engine.keysend(ctx, req).await.map(accepted)
}

/// `GET /v1/payments`
pub(super) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<ListQuery>,
) -> ApiResult<Json<Page<LspPayment>>> {
    let ctx = caller.admin()?;
    let filter = q.filter(STATUSES)?;
    let page = state
        .engine
        .store()
        .list_payments(&ctx.account_id, &filter)
        .await?;
    Ok(Json(page.into()))
}

/// `GET /v1/payments/{id}`
pub(super) async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<LspPayment>> {
    let ctx = caller.admin()?;
    if !crate::ids::is_valid_id(&id) {
        return Err(ServerError::not_found("payment"));
    }
    let rec = state.engine.store().payment(&ctx.account_id, &id).await?;
    Ok(Json(rec.payment))
}
