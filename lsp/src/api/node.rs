//! Node routes (admin scope): node info, channels, liquidity.

use axum::extract::State;
use axum::Json;
use etrid_core::lsp::{ChannelList, LiquiditySummary, NodeInfo};

use super::scope::AdminKey;
use super::AppState;

/// `GET /v1/node`
pub(super) async fn info(State(state): State<AppState>, _: AdminKey) -> Json<NodeInfo> {
    Json(state.engine.node_info())
}

/// `GET /v1/channels`
pub(super) async fn channels(State(state): State<AppState>, _: AdminKey) -> Json<ChannelList> {
    Json(state.engine.channels())
}

/// `GET /v1/liquidity`
pub(super) async fn liquidity(
    State(state): State<AppState>,
    _: AdminKey,
) -> Json<LiquiditySummary> {
    Json(state.engine.liquidity())
}
