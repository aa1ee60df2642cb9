//! Payment routes (admin scope): pay BOLT11, keysend, list, get.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use etrid_core::lsp::{KeysendRequest, LspPayment, PayInvoiceRequest, PaymentList, PaymentStatus};

use super::error::ApiResult;
use super::extract::{Body, Ids, ListQuery, Params};
use super::scope::AdminKey;
use super::AppState;

/// `202` for a payment started now, `200` for the one an earlier request with the same
/// idempotency key started.
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
    AdminKey(ctx): AdminKey,
    Body(req): Body<PayInvoiceRequest>,
) -> ApiResult<(StatusCode, Json<LspPayment>)> {
    Ok(accepted(state.engine.pay_invoice(&ctx, req).await?))
}

/// `POST /v1/payments/keysend`
pub(super) async fn keysend(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    Body(req): Body<KeysendRequest>,
) -> ApiResult<(StatusCode, Json<LspPayment>)> {
    Ok(accepted(state.engine.keysend(&ctx, req).await?))
}

/// `GET /v1/payments`
pub(super) async fn list(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    Params(q): Params<ListQuery<PaymentStatus>>,
) -> ApiResult<Json<PaymentList>> {
    let filter = q.filter("pay")?;
    Ok(Json(state.engine.list_payments(&ctx, &filter).await?))
}

/// `GET /v1/payments/{payment_id}`
pub(super) async fn get(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    ids: Ids,
) -> ApiResult<Json<LspPayment>> {
    Ok(Json(state.engine.payment(&ctx, &ids.one()).await?))
}
