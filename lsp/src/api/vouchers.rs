//! Voucher routes (admin key: vouchers spend the account's balance), and the two LNURL-withdraw
//! endpoints (LUD-03) any wallet calls without a key. Those answer LUD-03 JSON: refusals are
//! `{"status": "ERROR", "reason"}` with HTTP 200, as wallets expect.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use etrid_core::lsp::{
    CreateVouchersRequest, ListVouchersRequest, LspVoucher, VoucherBatch, VoucherList,
};
use serde_json::Value;

use super::error::ApiResult;
use super::extract::{filter, Body, Ids, Params, StatusFilter};
use super::invoices::created;
use super::scope::AdminKey;
use super::AppState;

/// `POST /v1/vouchers`
pub(super) async fn create(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    Body(req): Body<CreateVouchersRequest>,
) -> ApiResult<(StatusCode, Json<VoucherBatch>)> {
    Ok(created(
        state
            .engine
            .create_vouchers(&ctx, req, &state.public_url)
            .await?,
    ))
}

/// `GET /v1/vouchers`
pub(super) async fn list(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    Params(q): Params<ListVouchersRequest>,
) -> ApiResult<Json<VoucherList>> {
    let page = filter(
        q.status.as_ref().map(StatusFilter::stored),
        None,
        None,
        q.limit,
        q.cursor.as_deref(),
        "vch",
    )?;
    Ok(Json(state.engine.list_vouchers(&ctx, &q, &page).await?))
}

/// `GET /v1/vouchers/{voucher_id}`
pub(super) async fn get(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    ids: Ids,
) -> ApiResult<Json<LspVoucher>> {
    Ok(Json(state.engine.voucher(&ctx, &ids.one()).await?))
}

/// `POST /v1/vouchers/{voucher_id}/cancel`
pub(super) async fn cancel(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    ids: Ids,
) -> ApiResult<Json<LspVoucher>> {
    Ok(Json(state.engine.cancel_voucher(&ctx, &ids.one()).await?))
}

/// `GET /v1/lnurlw/{secret}`: the voucher's `withdrawRequest`.
pub(super) async fn withdraw_request(
    State(state): State<AppState>,
    Path(secret): Path<String>,
) -> Json<Value> {
    Json(
        state
            .engine
            .lnurl_withdraw_request(&secret, &state.public_url)
            .await
            .unwrap_or_else(|refusal| refusal.to_json()),
    )
}

/// `GET /v1/lnurlw/{secret}/callback?k1=<k1>&pr=<invoice>`: pays the wallet's invoice.
pub(super) async fn withdraw_callback(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Json<Value> {
    Json(
        state
            .engine
            .lnurl_withdraw_callback(
                &secret,
                query.get("k1").map(String::as_str),
                query.get("pr").map(String::as_str),
            )
            .await
            .unwrap_or_else(|refusal| refusal.to_json()),
    )
}
