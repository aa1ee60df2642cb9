//! The control API: JSON over HTTP on loopback, for tests and demos (pay, invoice, keysend,
//! mine, fund, list nodes and channels, open channels to external nodes). Errors are
//! `{"code": ..., "message": ...}`.
//!
//! | method | path | body | answer |
//! |---|---|---|---|
//! | GET | `/v1/info` | | [`DevnetInfo`] |
//! | GET | `/v1/chain` | | [`ChainInfo`] (RPC host, port, user, password; Esplora URL) |
//! | GET | `/v1/nodes` | | `[NodeSummary]` |
//! | GET | `/v1/channels` | | `[ChannelSummary]` (every node) |
//! | GET | `/v1/nodes/{name}/channels` | | `[ChannelSummary]` |
//! | POST | `/v1/nodes/{name}/invoice` | [`InvoiceRequest`] | [`CreatedInvoice`] |
//! | POST | `/v1/nodes/{name}/pay` | [`PayRequest`] | [`PaymentOutcome`] |
//! | POST | `/v1/nodes/{name}/keysend` | [`KeysendRequest`] | [`PaymentOutcome`] |
//! | POST | `/v1/mine` | [`MineRequest`] | [`Mined`] |
//! | POST | `/v1/fund` | [`FundRequest`] | [`Funded`] |
//! | POST | `/v1/external-channels` | [`OpenExternalRequest`] | `[OpenedChannel]` (see [`DevnetApi::open_channels_to`]) |

use std::net::SocketAddr;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::nodes::{
    ChainInfo, ChannelSummary, CreatedInvoice, DevnetApi, DevnetInfo, FundRequest, Funded,
    InvoiceRequest, KeysendRequest, MineRequest, Mined, NodeError, NodeSummary,
    OpenExternalRequest, OpenedChannel, PayRequest, PaymentOutcome,
};

/// The JSON body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable snake_case code (see [`NodeError::code`]; `devnet_not_found` for unknown routes).
    pub code: String,
    /// Human-readable detail.
    pub message: String,
}

/// An error answer: an HTTP status and an [`ErrorBody`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
}

impl From<NodeError> for ApiError {
    fn from(e: NodeError) -> Self {
        let status = match &e {
            NodeError::UnknownNode { .. } => StatusCode::NOT_FOUND,
            NodeError::InvalidInput { .. } | NodeError::InvalidConfig { .. } => {
                StatusCode::BAD_REQUEST
            }
            NodeError::PaymentFailed { .. } | NodeError::ChannelClosed { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            NodeError::Timeout { .. } => StatusCode::GATEWAY_TIMEOUT,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError {
            status,
            body: ErrorBody {
                code: e.code().to_owned(),
                message: e.to_string(),
            },
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> Self {
        NodeError::input("body", e.body_text()).into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

type ApiResult<T> = Result<Json<T>, ApiError>;

/// The control API's routes over a devnet.
pub fn router(api: DevnetApi) -> Router {
    Router::new()
        .route("/v1/info", get(info))
        .route("/v1/chain", get(chain))
        .route("/v1/nodes", get(nodes))
        .route("/v1/channels", get(all_channels))
        .route("/v1/nodes/{name}/channels", get(node_channels))
        .route("/v1/nodes/{name}/invoice", post(invoice))
        .route("/v1/nodes/{name}/pay", post(pay))
        .route("/v1/nodes/{name}/keysend", post(keysend))
        .route("/v1/mine", post(mine))
        .route("/v1/fund", post(fund))
        .route("/v1/external-channels", post(external_channels))
        .fallback(not_found)
        .with_state(api)
}

async fn not_found() -> ApiError {
    ApiError {
        status: StatusCode::NOT_FOUND,
        body: ErrorBody {
            code: "devnet_not_found".to_owned(),
            message: "no such route".to_owned(),
        },
    }
}

async fn info(State(api): State<DevnetApi>) -> Json<DevnetInfo> {
    Json(api.info())
}

async fn chain(State(api): State<DevnetApi>) -> Json<ChainInfo> {
    Json(api.chain_info())
}

async fn nodes(State(api): State<DevnetApi>) -> Json<Vec<NodeSummary>> {
    Json(api.list_nodes())
}

async fn all_channels(State(api): State<DevnetApi>) -> ApiResult<Vec<ChannelSummary>> {
    Ok(Json(api.list_channels(None)?))
}

async fn node_channels(
    State(api): State<DevnetApi>,
    Path(name): Path<String>,
) -> ApiResult<Vec<ChannelSummary>> {
    Ok(Json(api.list_channels(Some(&name))?))
}

async fn invoice(
    State(api): State<DevnetApi>,
    Path(name): Path<String>,
    body: Result<Json<InvoiceRequest>, JsonRejection>,
) -> ApiResult<CreatedInvoice> {
    let Json(req) = body?;
    Ok(Json(api.create_invoice(&name, &req)?))
}

async fn pay(
    State(api): State<DevnetApi>,
    Path(name): Path<String>,
    body: Result<Json<PayRequest>, JsonRejection>,
) -> ApiResult<PaymentOutcome> {
    let Json(req) = body?;
    Ok(Json(api.pay_invoice(&name, &req).await?))
}

async fn keysend(
    State(api): State<DevnetApi>,
    Path(name): Path<String>,
    body: Result<Json<KeysendRequest>, JsonRejection>,
) -> ApiResult<PaymentOutcome> {
    let Json(req) = body?;
    Ok(Json(api.keysend(&name, &req).await?))
}

async fn mine(
    State(api): State<DevnetApi>,
    body: Result<Json<MineRequest>, JsonRejection>,
) -> ApiResult<Mined> {
    let Json(req) = body?;
    Ok(Json(api.mine(req.blocks).await?))
}

async fn fund(
    State(api): State<DevnetApi>,
    body: Result<Json<FundRequest>, JsonRejection>,
) -> ApiResult<Funded> {
    let Json(req) = body?;
    Ok(Json(api.fund(&req).await?))
}

async fn external_channels(
    State(api): State<DevnetApi>,
    body: Result<Json<OpenExternalRequest>, JsonRejection>,
) -> ApiResult<Vec<OpenedChannel>> {
    let Json(req) = body?;
    Ok(Json(api.open_channels_to(&req).await?))
}

/// The running control server.
#[derive(Debug)]
pub struct ControlServer {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl ControlServer {
    /// Binds `bind` (loopback only; port 0 picks a free port) and serves [`router`].
    pub async fn start(bind: SocketAddr, api: DevnetApi) -> Result<ControlServer, NodeError> {
        if !bind.ip().is_loopback() {
            return Err(NodeError::InvalidConfig {
                reason: format!("control_bind {bind} is not a loopback address"),
            });
        }
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .map_err(|e| NodeError::io("bind control API", e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| NodeError::io("control API address", e))?;
        let (stop, stopped) = oneshot::channel::<()>();
        let app = router(api);
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
            if let Err(e) = served {
                tracing::warn!(error = %e, "control API stopped with an error");
            }
        });
        Ok(ControlServer {
            addr,
            stop: Some(stop),
            task,
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:port`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting requests and waits for requests in flight.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = self.task.await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_errors_map_to_statuses_and_codes() {
        let e: ApiError = NodeError::UnknownNode { name: "x".into() }.into();
        assert_eq!(e.status, StatusCode::NOT_FOUND);
        assert_eq!(e.body.code, "devnet_unknown_node");
        let e: ApiError = NodeError::input("invoice", "bad").into();
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        let e: ApiError = NodeError::Timeout {
            what: "p".into(),
            waited_ms: 1,
        }
        .into();
        assert_eq!(e.status, StatusCode::GATEWAY_TIMEOUT);
        let e: ApiError = NodeError::ChannelClosed {
            node: "router1".into(),
            counterparty: "02ab".into(),
            reason: "refused".into(),
        }
        .into();
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.body.code, "devnet_channel_closed");
    }
}
