//! Lightning Address routes (admin scope): create, list, delete.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use etrid_core::lsp::{CreateLightningAddressRequest, LightningAddressList, LspLightningAddress};

use super::error::ApiResult;
use super::extract::{Body, Ids, NoStatus, PageQuery, Params};
use super::scope::AdminKey;
use super::AppState;

/// `POST /v1/lightning-addresses`
pub(super) async fn create(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    Body(req): Body<CreateLightningAddressRequest>,
) -> ApiResult<(StatusCode, Json<LspLightningAddress>)> {
    let created = state
        .engine
        .create_address(&ctx, req, &state.public_url)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// `GET /v1/lightning-addresses`
pub(super) async fn list(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    Params(q): Params<PageQuery<NoStatus>>,
) -> ApiResult<Json<LightningAddressList>> {
    let filter = q.filter("la")?;
    let list = state
        .engine
        .list_addresses(&ctx, &filter, &state.public_url)
        .await?;
    Ok(Json(list))
}

/// `DELETE /v1/lightning-addresses/{name}`
pub(super) async fn delete(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    ids: Ids,
) -> ApiResult<StatusCode> {
    state.engine.delete_address(&ctx, &ids.one()).await?;
    Ok(StatusCode::NO_CONTENT)
}
