//! API key routes (admin scope): create (the secret is answered once), list, revoke.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use etrid_core::lsp::{ApiKey, ApiKeyList, CreateApiKeyRequest, CreateApiKeyResponse};

use super::error::ApiResult;
use super::extract::{Body, Ids, NoStatus, PageQuery, Params};
use super::scope::AdminKey;
use super::AppState;

/// `POST /v1/api-keys`
pub(super) async fn create(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    Body(req): Body<CreateApiKeyRequest>,
) -> ApiResult<(StatusCode, Json<CreateApiKeyResponse>)> {
    Ok((
        StatusCode::CREATED,
        Json(state.engine.create_key(&ctx, req).await?),
    ))
}

/// `GET /v1/api-keys`
pub(super) async fn list(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    Params(q): Params<PageQuery<NoStatus>>,
) -> ApiResult<Json<ApiKeyList>> {
    let filter = q.filter("key")?;
    Ok(Json(state.engine.list_keys(&ctx, &filter).await?))
}

/// `DELETE /v1/api-keys/{key_id}`
pub(super) async fn revoke(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    ids: Ids,
) -> ApiResult<Json<ApiKey>> {
    Ok(Json(state.engine.revoke_key(&ctx, &ids.one()).await?))
}
