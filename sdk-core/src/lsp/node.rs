//! Node operations: health (no key), node info, channels and the liquidity summary (admin).

use super::client::Query;
use super::model::{ChannelList, Health, LiquiditySummary, NodeInfo};
use super::{LspClient, LspError};
use crate::timer::Timer;
use crate::transport::{Method, Transport};

impl<T: Transport, M: Timer> LspClient<T, M> {
    /// Liveness and version (`GET /v1/health`, no scope needed).
    ///
    /// # Errors
    /// Server and transport errors.
    pub async fn health(&self) -> Result<Health, LspError> {
        self.call(Method::Get, "/v1/health", &Query::new(), None)
            .await
    }

    /// The node's identity and sync state (`GET /v1/node`).
    ///
    /// # Errors
    /// Server and transport errors.
    pub async fn node_info(&self) -> Result<NodeInfo, LspError> {
        self.call(Method::Get, "/v1/node", &Query::new(), None)
            .await
    }

    /// The node's channels (`GET /v1/channels`).
    ///
    /// # Errors
    /// Server and transport errors.
    pub async fn list_channels(&self) -> Result<ChannelList, LspError> {
        self.call(Method::Get, "/v1/channels", &Query::new(), None)
            .await
    }

    /// The node's liquidity summary (`GET /v1/liquidity`).
    ///
    /// # Errors
    /// Server and transport errors.
    pub async fn liquidity(&self) -> Result<LiquiditySummary, LspError> {
        self.call(Method::Get, "/v1/liquidity", &Query::new(), None)
            .await
    }
}
