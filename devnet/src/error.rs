//! The devnet's one error type, wrapping the chain server's and the node orchestrator's errors.

pub use crate::chain::ChainError;
pub use crate::nodes::NodeError;

/// Every error the devnet returns.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DevnetError {
    /// The chain server failed or refused an operation.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// A Lightning node or the orchestration of the network failed.
    #[error(transparent)]
    Node(#[from] NodeError),
}

impl DevnetError {
    /// The stable snake_case code of the wrapped error (`chain_*` or `devnet_*`).
    pub fn code(&self) -> &'static str {
        match self {
            DevnetError::Chain(e) => e.code(),
            DevnetError::Node(e) => e.code(),
        }
    }
}
