//! Recurring payment routes (admin key: a schedule spends the account's balance).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use etrid_core::lsp::{CreateScheduleRequest, LspSchedule, ScheduleList, ScheduleRunList};

use super::error::ApiResult;
use super::extract::{Body, Ids, NoStatus, PageQuery, Params};
use super::invoices::created;
use super::scope::AdminKey;
use super::AppState;

/// `POST /v1/schedules`
pub(super) async fn create(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    Body(req): Body<CreateScheduleRequest>,
) -> ApiResult<(StatusCode, Json<LspSchedule>)> {
    Ok(created(state.engine.create_schedule(&ctx, req).await?))
}

/// `GET /v1/schedules`
pub(super) async fn list(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    Params(q): Params<PageQuery<NoStatus>>,
) -> ApiResult<Json<ScheduleList>> {
    let filter = q.filter("sch")?;
    Ok(Json(state.engine.list_schedules(&ctx, &filter).await?))
}

/// `GET /v1/schedules/{schedule_id}`
pub(super) async fn get(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    ids: Ids,
) -> ApiResult<Json<LspSchedule>> {
    Ok(Json(state.engine.schedule(&ctx, &ids.one()).await?))
}

/// `GET /v1/schedules/{schedule_id}/runs`
pub(super) async fn runs(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    ids: Ids,
) -> ApiResult<Json<ScheduleRunList>> {
    Ok(Json(state.engine.schedule_runs(&ctx, &ids.one()).await?))
}

/// `POST /v1/schedules/{schedule_id}/cancel`
pub(super) async fn cancel(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    ids: Ids,
) -> ApiResult<Json<LspSchedule>> {
    Ok(Json(state.engine.cancel_schedule(&ctx, &ids.one()).await?))
}
