//! Fiat quotes (invoice scope: a game client prices an item in its player's currency).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use etrid_core::lsp::{CreateQuoteRequest, LspQuote};

use super::error::ApiResult;
use super::extract::Body;
use super::scope::InvoiceKey;
use super::AppState;

/// `POST /v1/quotes`
pub(super) async fn create(
    State(state): State<AppState>,
    InvoiceKey(ctx): InvoiceKey,
    Body(req): Body<CreateQuoteRequest>,
) -> ApiResult<(StatusCode, Json<LspQuote>)> {
    Ok((
        StatusCode::CREATED,
        Json(state.engine.create_quote(&ctx, req).await?),
    ))
}
