//! Swap routes: the terms, a swap and the account's swaps with any key (a game client shows
//! them); starting a swap with an admin key (it commits the LSP's or the user's coins).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use etrid_core::lsp::{
    CreateReverseSwapRequest, CreateSubmarineSwapRequest, LspSwap, SwapInfo, SwapList,
};

use super::error::ApiResult;
use super::extract::{Body, Ids, NoStatus, PageQuery, Params};
use super::invoices::created;
use super::scope::{AdminKey, InvoiceKey};
use super::AppState;

/// `GET /v1/swaps/info`
pub(super) async fn info(
    State(state): State<AppState>,
    InvoiceKey(_): InvoiceKey,
) -> ApiResult<Json<SwapInfo>> {
    Ok(Json(state.engine.swap_info().await?))
}

/// `POST /v1/swaps/submarine`
pub(super) async fn create_submarine(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    Body(req): Body<CreateSubmarineSwapRequest>,
) -> ApiResult<(StatusCode, Json<LspSwap>)> {
    Ok(created(
        state.engine.create_submarine_swap(&ctx, req).await?,
    ))
}

/// `POST /v1/swaps/reverse`
pub(super) async fn create_reverse(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    Body(req): Body<CreateReverseSwapRequest>,
) -> ApiResult<(StatusCode, Json<LspSwap>)> {
    Ok(created(state.engine.create_reverse_swap(&ctx, req).await?))
}

/// `GET /v1/swaps`
pub(super) async fn list(
    State(state): State<AppState>,
    InvoiceKey(ctx): InvoiceKey,
    Params(q): Params<PageQuery<NoStatus>>,
) -> ApiResult<Json<SwapList>> {
    let filter = q.filter("swp")?;
    Ok(Json(state.engine.list_swaps(&ctx, &filter).await?))
}

/// `GET /v1/swaps/{swap_id}`
pub(super) async fn get(
    State(state): State<AppState>,
    InvoiceKey(ctx): InvoiceKey,
    ids: Ids,
) -> ApiResult<Json<LspSwap>> {
    Ok(Json(state.engine.swap(&ctx, &ids.one()).await?))
}
