//! Streaming payment routes (admin key: a stream spends the account's balance). A stream's own
//! key (`etrid_sk_…`, issued by `POST /v1/streams/{id}/key`) may read, pause, resume and stop
//! that stream, and nothing else: a game client holds it instead of an admin key.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Json;
use etrid_core::lsp::{CreateStreamRequest, LspStream, StreamKey, StreamList, STREAM_KEY_PREFIX};

use super::error::{ApiError, ApiResult};
use super::extract::{Body, Ids, NoStatus, PageQuery, Params};
use super::invoices::created;
use super::scope::{bearer, AdminKey};
use super::AppState;
use crate::error::ServerError;
use crate::store::{AuthContext, StoreError};

/// Who calls a stream's route: the account's admin key, or the stream's own key.
pub(super) struct StreamCaller(AuthContext);

impl FromRequestParts<AppState> for StreamCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts)?;
        if !token.starts_with(STREAM_KEY_PREFIX) {
            let AdminKey(ctx) = AdminKey::from_request_parts(parts, state).await?;
            return Ok(StreamCaller(ctx));
        }
        let id = Ids::from_request_parts(parts, state).await?.one();
        // A stream key of another stream gets the answer an unknown key gets.
        match state.engine.stream_key_context(&token, &id).await? {
            Some(ctx) => Ok(StreamCaller(ctx)),
            None => Err(ServerError::from(StoreError::UnknownKey).into()),
        }
    }
}

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
    StreamCaller(ctx): StreamCaller,
    ids: Ids,
) -> ApiResult<Json<LspStream>> {
    Ok(Json(state.engine.stream(&ctx, &ids.one()).await?))
}

/// `POST /v1/streams/{stream_id}/pause`
pub(super) async fn pause(
    State(state): State<AppState>,
    StreamCaller(ctx): StreamCaller,
    ids: Ids,
) -> ApiResult<Json<LspStream>> {
    Ok(Json(state.engine.pause_stream(&ctx, &ids.one()).await?))
}

/// `POST /v1/streams/{stream_id}/resume`
pub(super) async fn resume(
    State(state): State<AppState>,
    StreamCaller(ctx): StreamCaller,
    ids: Ids,
) -> ApiResult<Json<LspStream>> {
    Ok(Json(state.engine.resume_stream(&ctx, &ids.one()).await?))
}

/// `POST /v1/streams/{stream_id}/stop`
pub(super) async fn stop(
    State(state): State<AppState>,
    StreamCaller(ctx): StreamCaller,
    ids: Ids,
) -> ApiResult<Json<LspStream>> {
    Ok(Json(state.engine.stop_stream(&ctx, &ids.one()).await?))
}

/// `POST /v1/streams/{stream_id}/key`
pub(super) async fn key(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    ids: Ids,
) -> ApiResult<(StatusCode, Json<StreamKey>)> {
    Ok((
        StatusCode::CREATED,
        Json(state.engine.issue_stream_key(&ctx, &ids.one()).await?),
    ))
}
