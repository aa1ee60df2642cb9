//! Tournament routes: create, list, cancel, results, payouts and audit with an admin key; read,
//! join and entries with any key (a game client joins its players); the lobby and join of a
//! public tournament with no key (players following a join link).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use etrid_core::lsp::{
    CreateTournamentRequest, JoinTournamentRequest, LspTournament, PublicTournament,
    TournamentAuditLog, TournamentEntry, TournamentEntryList, TournamentList, TournamentPayoutList,
    TournamentResultsRequest,
};

use super::error::ApiResult;
use super::extract::{Body, Ids, NoStatus, PageQuery, Params};
use super::invoices::created;
use super::scope::{AdminKey, InvoiceKey};
use super::AppState;

/// `POST /v1/tournaments`
pub(super) async fn create(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    Body(req): Body<CreateTournamentRequest>,
) -> ApiResult<(StatusCode, Json<LspTournament>)> {
    Ok(created(state.engine.create_tournament(&ctx, req).await?))
}

/// `GET /v1/tournaments`
pub(super) async fn list(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    Params(q): Params<PageQuery<NoStatus>>,
) -> ApiResult<Json<TournamentList>> {
    let filter = q.filter("trn")?;
    Ok(Json(state.engine.list_tournaments(&ctx, &filter).await?))
}

/// `GET /v1/tournaments/{tournament_id}`
pub(super) async fn get(
    State(state): State<AppState>,
    InvoiceKey(ctx): InvoiceKey,
    ids: Ids,
) -> ApiResult<Json<LspTournament>> {
    Ok(Json(state.engine.tournament(&ctx, &ids.one()).await?))
}

/// `POST /v1/tournaments/{tournament_id}/join`
pub(super) async fn join(
    State(state): State<AppState>,
    InvoiceKey(ctx): InvoiceKey,
    ids: Ids,
    Body(req): Body<JoinTournamentRequest>,
) -> ApiResult<(StatusCode, Json<TournamentEntry>)> {
    state.limiter.check(&ctx.key_id)?;
    Ok(created(
        state.engine.join_tournament(&ctx, &ids.one(), req).await?,
    ))
}

/// `GET /v1/public/tournaments/{tournament_id}` (no key)
pub(super) async fn public_lobby(
    State(state): State<AppState>,
    ids: Ids,
) -> ApiResult<Json<PublicTournament>> {
    Ok(Json(state.engine.public_tournament(&ids.one()).await?))
}

/// `POST /v1/public/tournaments/{tournament_id}/join` (no key). Each join creates an invoice
/// of the organizer's account, so joins to one tournament share the invoice rate limit a key
/// has.
pub(super) async fn public_join(
    State(state): State<AppState>,
    ids: Ids,
    Body(req): Body<JoinTournamentRequest>,
) -> ApiResult<(StatusCode, Json<TournamentEntry>)> {
    let id = ids.one();
    state.limiter.check(&format!("join:{id}"))?;
    Ok(created(
        state.engine.join_public_tournament(&id, req).await?,
    ))
}

/// `GET /v1/tournaments/{tournament_id}/entries`
pub(super) async fn entries(
    State(state): State<AppState>,
    InvoiceKey(ctx): InvoiceKey,
    ids: Ids,
) -> ApiResult<Json<TournamentEntryList>> {
    Ok(Json(
        state.engine.tournament_entries(&ctx, &ids.one()).await?,
    ))
}

/// `POST /v1/tournaments/{tournament_id}/cancel`
pub(super) async fn cancel(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    ids: Ids,
) -> ApiResult<Json<LspTournament>> {
    Ok(Json(
        state.engine.cancel_tournament(&ctx, &ids.one()).await?,
    ))
}

/// `POST /v1/tournaments/{tournament_id}/results`
pub(super) async fn results(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    ids: Ids,
    Body(req): Body<TournamentResultsRequest>,
) -> ApiResult<Json<TournamentPayoutList>> {
    Ok(Json(
        state
            .engine
            .enter_tournament_results(&ctx, &ids.one(), req)
            .await?,
    ))
}

/// `POST /v1/tournaments/{tournament_id}/payouts`
pub(super) async fn pay(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    ids: Ids,
) -> ApiResult<Json<TournamentPayoutList>> {
    Ok(Json(state.engine.pay_tournament(&ctx, &ids.one()).await?))
}

/// `GET /v1/tournaments/{tournament_id}/payouts`
pub(super) async fn payouts(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    ids: Ids,
) -> ApiResult<Json<TournamentPayoutList>> {
    Ok(Json(
        state.engine.tournament_payouts(&ctx, &ids.one()).await?,
    ))
}

/// `GET /v1/tournaments/{tournament_id}/audit`
pub(super) async fn audit(
    State(state): State<AppState>,
    AdminKey(ctx): AdminKey,
    ids: Ids,
) -> ApiResult<Json<TournamentAuditLog>> {
    Ok(Json(state.engine.tournament_audit(&ctx, &ids.one()).await?))
}
