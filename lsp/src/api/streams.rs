//! Streaming payment routes (admin key: a stream spends the account's balance).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use etrid_core::lsp::{CreateStreamRequest, LspStream, StreamList};

use super::error::ApiResult;
use super::extract::{Body, Ids, NoStatus, PageQuery, Params};
use super::invoices::created;
use super::scope::AdminKey;
use super::AppState;

/// `POST /v1/streams`
pub(super) async fn create(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    Body(req): Body<CreateStreamRequest>,
) -> ApiResult<(StatusCode, Json<LspStream>)> {
    Ok(created(state.engine.create_stream(&ctx, req).await?))
}

/// `GET /v1/streams`
pub(super) async fn list(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    Params(q): Params<PageQuery<NoStatus>>,
) -> ApiResult<Json<StreamList>> {
    let filter = q.filter("str")?;
    Ok(Json(state.engine.list_streams(&ctx, &filter).await?))
}

/// `GET /v1/streams/{stream_id}`
pub(super) async fn get(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    ids: Ids,
) -> ApiResult<Json<LspStream>> {
    Ok(Json(state.engine.stream(&ctx, &ids.one()).await?))
}

/// `POST /v1/streams/{stream_id}/pause`
pub(super) async fn pause(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    ids: Ids,
) -> ApiResult<Json<LspStream>> {
    Ok(Json(state.engine.pause_stream(&ctx, &ids.one()).await?))
}

/// `POST /v1/streams/{stream_id}/resume`
pub(super) async fn resume(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    ids: Ids,
) -> ApiResult<Json<LspStream>> {
    Ok(Json(state.engine.resume_stream(&ctx, &ids.one()).await?))
}

/// `POST /v1/streams/{stream_id}/stop`
pub(super) async fn stop(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    ids: Ids,
) -> ApiResult<Json<LspStream>> {
    Ok(Json(state.engine.stop_stream(&ctx, &ids.one()).await?))
}
