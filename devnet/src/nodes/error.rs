//! The orchestrator's error family: building and running LDK nodes, payments, the control API.

/// Errors of the node orchestrator (building nodes, opening channels, payments, control API).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NodeError {
    /// The [`DevnetConfig`](crate::nodes::DevnetConfig) is inconsistent (duplicate or empty
    /// names, a control address that is not loopback, a channel too small, ...).
    #[error("invalid devnet configuration: {reason}")]
    InvalidConfig {
        /// What is wrong.
        reason: String,
    },
    /// No node of that name exists in this devnet.
    #[error("no node named {name:?}")]
    UnknownNode {
        /// The name asked for.
        name: String,
    },
    /// A request carried a value that could not be used (bad invoice, key, hex, amount ...).
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The field that was rejected.
        field: String,
        /// Why it was rejected.
        reason: String,
    },
    /// LDK Node refused to build a node (bad storage directory, address, alias ...).
    #[error("building node {node} failed: {message}")]
    Build {
        /// The node's name.
        node: String,
        /// LDK Node's `BuildError` text.
        message: String,
    },
    /// An LDK Node call returned an error.
    #[error("{operation} on node {node} failed: {message}")]
    Ldk {
        /// The node's name.
        node: String,
        /// The operation that failed (`start`, `open_channel`, `send`, ...).
        operation: String,
        /// LDK Node's error text.
        message: String,
    },
    /// A chain-server operation made during orchestration failed.
    #[error("chain operation {operation} failed ({chain_code}): {message}")]
    Chain {
        /// The operation (`fund`, `mine`, ...).
        operation: String,
        /// The chain server's own error code (`ChainError::code`).
        chain_code: String,
        /// The chain server's error text.
        message: String,
    },
    /// A payment reached a final failed state.
    #[error("payment {payment_hash} from {node} failed: {reason}")]
    PaymentFailed {
        /// The paying node's name.
        node: String,
        /// The payment hash, hex.
        payment_hash: String,
        /// LDK's failure reason, or `unknown`.
        reason: String,
    },
    /// A channel the devnet opened was closed before it became usable: the peer refused it
    /// (an ldk-node acceptor refuses announced channels unless it has an alias and listening
    /// addresses).
    #[error("channel from {node} to {counterparty} was closed: {reason}")]
    ChannelClosed {
        /// The opening node's name.
        node: String,
        /// The counterparty's public key, hex.
        counterparty: String,
        /// LDK's closure reason.
        reason: String,
    },
    /// Something did not happen within the allowed time (channels ready, gossip, payment ...).
    #[error("timed out after {waited_ms} ms waiting for {what}")]
    Timeout {
        /// What was awaited.
        what: String,
        /// How long we waited, in milliseconds.
        waited_ms: u64,
    },
    /// An LND node of the devnet refused or failed a call, or did not start.
    #[error("{operation} on LND node {node} failed: {message}")]
    Lnd {
        /// The LND node's devnet name.
        node: String,
        /// What was asked (`getinfo`, `openchannel`, `start`, …).
        operation: String,
        /// LND's answer or the local reason.
        message: String,
    },
    /// A local I/O operation failed (temporary directory, binding the control server, ...).
    #[error("i/o error during {operation}: {message}")]
    Io {
        /// What was being done.
        operation: String,
        /// The `std::io::Error` text.
        message: String,
    },
}

impl NodeError {
    /// A stable snake_case code for this error, as the control API returns it.
    pub fn code(&self) -> &'static str {
        match self {
            NodeError::InvalidConfig { .. } => "devnet_invalid_config",
            NodeError::UnknownNode { .. } => "devnet_unknown_node",
            NodeError::InvalidInput { .. } => "devnet_invalid_input",
            NodeError::Build { .. } => "devnet_build_failed",
            NodeError::Ldk { .. } => "devnet_ldk_error",
            NodeError::Chain { .. } => "devnet_chain_error",
            NodeError::PaymentFailed { .. } => "devnet_payment_failed",
            NodeError::ChannelClosed { .. } => "devnet_channel_closed",
            NodeError::Timeout { .. } => "devnet_timeout",
            NodeError::Lnd { .. } => "devnet_lnd_error",
            NodeError::Io { .. } => "devnet_io_error",
        }
    }

    /// Shorthand for [`NodeError::Ldk`] from any displayable LDK error.
    pub(crate) fn ldk(node: &str, operation: &str, err: impl std::fmt::Display) -> Self {
        NodeError::Ldk {
            node: node.to_owned(),
            operation: operation.to_owned(),
            message: err.to_string(),
        }
    }

    /// Shorthand for [`NodeError::InvalidInput`].
    pub(crate) fn input(field: &str, reason: impl std::fmt::Display) -> Self {
        NodeError::InvalidInput {
            field: field.to_owned(),
            reason: reason.to_string(),
        }
    }

    /// Shorthand for [`NodeError::Chain`] from a chain-server error.
    pub(crate) fn chain(operation: &str, err: crate::chain::ChainError) -> Self {
        NodeError::Chain {
            operation: operation.to_owned(),
            chain_code: err.code().to_owned(),
            message: err.to_string(),
        }
    }

    /// Shorthand for [`NodeError::Io`].
    pub(crate) fn io(operation: &str, err: impl std::fmt::Display) -> Self {
        NodeError::Io {
            operation: operation.to_owned(),
            message: err.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_prefixed_and_distinct() {
        let all = [
            NodeError::InvalidConfig {
                reason: String::new(),
            },
            NodeError::UnknownNode {
                name: String::new(),
            },
            NodeError::input("f", "r"),
            NodeError::Build {
                node: String::new(),
                message: String::new(),
            },
            NodeError::ldk("n", "o", "m"),
            NodeError::Chain {
                operation: String::new(),
                chain_code: String::new(),
                message: String::new(),
            },
            NodeError::PaymentFailed {
                node: String::new(),
                payment_hash: String::new(),
                reason: String::new(),
            },
            NodeError::ChannelClosed {
                node: String::new(),
                counterparty: String::new(),
                reason: String::new(),
            },
            NodeError::Timeout {
                what: String::new(),
                waited_ms: 0,
            },
            NodeError::Lnd {
                node: String::new(),
                operation: String::new(),
                message: String::new(),
            },
            NodeError::io("o", "m"),
        ];
        let mut codes: Vec<&str> = all.iter().map(NodeError::code).collect();
        assert!(codes.iter().all(|c| c.starts_with("devnet_")));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
    }
}
