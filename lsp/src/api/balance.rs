//! Money routes (admin scope): the account's balance and its ledger.

use axum::extract::State;
use axum::Json;
use etrid_core::lsp::{Balance, LedgerList};

use super::error::ApiResult;
use super::extract::{ListQuery, NoStatus, Params};
use super::scope::AdminKey;
use super::AppState;

/// `GET /v1/balance`
pub(super) async fn balance(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
) -> ApiResult<Json<Balance>> {
    Ok(Json(state.engine.balance(&ctx).await?))
}

/// `GET /v1/ledger`
pub(super) async fn ledger(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    Params(q): Params<ListQuery<NoStatus>>,
) -> ApiResult<Json<LedgerList>> {
    let filter = q.filter("led")?;
    Ok(Json(state.engine.ledger(&ctx, &filter).await?))
}
